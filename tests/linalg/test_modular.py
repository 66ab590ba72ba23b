"""Certified ranks: a modular rank never exceeds the rational rank; verified kernels are kernels."""

from __future__ import annotations

import random

from flint import fmpz_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.linalg import (
    ModularSpan, annihilates, as_columns, exact_rank, integer_rank, kernel_candidates, matrix_rank, modular_rank,
    random_prime, rational_reconstruction,
)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6))
def test_modular_ranks_are_lower_bounds_and_kernels_verify(seed):
    rnd = random.Random(seed)
    rows = [[rnd.randint(-5, 5) for _ in range(5)] for _ in range(rnd.randint(1, 4))]
    r = exact_rank(rows, 5)
    assert modular_rank(rows, 5, 3) <= r == modular_rank(rows, 5, random_prime(rnd))
    span = ModularSpan(5, random_prime(rnd, 30))
    span.add([[v % span.p for v in row] for row in rows])
    span.flush()
    assert span.certified_rank() == span.rank <= r
    indep = [rows[t[1]] for t in span.tags]
    kernel = kernel_candidates(indep, 5, rnd)
    if kernel is not None:
        assert annihilates(indep, as_columns(kernel, 5)) and len(kernel) == 5 - len(indep)
        assert fmpz_mat(kernel).rank() == len(kernel)


def test_rational_reconstruction():
    m = 10**9 + 7
    assert rational_reconstruction(3 * pow(7, -1, m) % m, m) == __import__("flint").fmpq(3, 7)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_integer_rank_is_the_exact_rank(seed):
    rnd = random.Random(seed)
    ncols = rnd.randint(1, 5)
    rows = [[rnd.randint(-3, 3) for _ in range(ncols)] for _ in range(rnd.randint(0, 5))]
    rows += [[2 * v for v in r] for r in rows[:rnd.randint(0, 2)]]  # dependent rows
    assert integer_rank(rows, ncols) == (exact_rank(rows, ncols) if rows else 0)


def test_matrix_rank_falls_back_when_the_prime_divides_every_maximal_minor():
    p = 2305843009213693951  # the prime of matrix_rank
    assert matrix_rank(fmpz_mat([[1, 0], [0, p]])) == 2  # rank 1 modulo p
    assert matrix_rank(fmpz_mat([[1, 2], [2, 4]])) == 1
    assert matrix_rank(fmpz_mat(0, 3, [])) == 0
