"""Exact linear algebra over Q."""

from __future__ import annotations

from flint import fmpq, fmpq_mat
from hypothesis import given
from hypothesis import strategies as st

from exactnet.linalg import cleared_rank, independent_subset, rank, rref, solve_rows

Q = st.integers(-4, 4).map(fmpq)


@given(st.lists(st.lists(Q, min_size=3, max_size=3), min_size=1, max_size=5))
def test_rank_rref_and_independent_subsets_agree(rows):
    r = rank(rows, 3)
    red, piv = rref(rows, 3)
    assert len(red) == len(piv) == r and all(red[i][piv[i]] == 1 for i in range(r))
    basis, rest = independent_subset(rows, 3)
    assert len(basis) == r and sorted(basis + rest) == list(range(len(rows)))
    assert rank([rows[i] for i in basis], 3) == r


@given(st.lists(st.lists(st.fractions(max_denominator=7).map(lambda f: fmpq(f.numerator, f.denominator)),
                         min_size=4, max_size=4), min_size=0, max_size=5), st.integers(0, 3))
def test_cleared_rank_is_the_rational_rank(rows, copies):
    rows = rows + rows[:copies]  # dependent rows: the modular rank is not the row count
    expected = fmpq_mat(len(rows), 4, [v for r in rows for v in r]).rank() if rows else 0
    assert cleared_rank(rows, 4) == expected == rank(rows, 4)


def test_cleared_rank_falls_back_when_the_prime_divides_a_minor():
    p = 2305843009213693951  # the prime of cleared_rank: rank 1 modulo p, rank 2 over Q
    rows = [[fmpq(1), fmpq(0)], [fmpq(0), fmpq(p, 3)]]
    assert cleared_rank(rows, 2) == 2


def test_solve_rows_is_exact_or_refuses():
    B = [[fmpq(1), fmpq(0), fmpq(1)], [fmpq(0), fmpq(1), fmpq(1)]]
    target = [[fmpq(2), fmpq(3), fmpq(5)]]
    assert solve_rows(target, B, 3) == [[fmpq(2), fmpq(3)]]
    assert solve_rows([[fmpq(1), fmpq(0), fmpq(0)]], B, 3) is None     # not in the span
