"""Exact linear algebra over Q."""

from __future__ import annotations

from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.linalg import independent_subset, rank, rref, solve_rows

Q = st.integers(-4, 4).map(fmpq)


@given(st.lists(st.lists(Q, min_size=3, max_size=3), min_size=1, max_size=5))
def test_rank_rref_and_independent_subsets_agree(rows):
    r = rank(rows, 3)
    red, piv = rref(rows, 3)
    assert len(red) == len(piv) == r and all(red[i][piv[i]] == 1 for i in range(r))
    basis, rest = independent_subset(rows, 3)
    assert len(basis) == r and sorted(basis + rest) == list(range(len(rows)))
    assert rank([rows[i] for i in basis], 3) == r


def test_solve_rows_is_exact_or_refuses():
    B = [[fmpq(1), fmpq(0), fmpq(1)], [fmpq(0), fmpq(1), fmpq(1)]]
    target = [[fmpq(2), fmpq(3), fmpq(5)]]
    assert solve_rows(target, B, 3) == [[fmpq(2), fmpq(3)]]
    assert solve_rows([[fmpq(1), fmpq(0), fmpq(0)]], B, 3) is None     # not in the span
