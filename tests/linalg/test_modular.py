"""Certified ranks: a modular rank never exceeds the rational rank; verified kernels are kernels."""

from __future__ import annotations

import random

from flint import fmpz_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.linalg import (
    ModularSpan, annihilates, as_columns, exact_rank, kernel_candidates, modular_rank, random_prime,
    rational_reconstruction,
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
