"""Rows and the exact verification of every answer."""

from __future__ import annotations

from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.polyhedra.rows import is_farkas, is_interior, negate, primitive_row, value_at

Q = st.fractions(min_value=-20, max_value=20, max_denominator=12).map(lambda f: fmpq(f.numerator, f.denominator))


@given(st.lists(Q, min_size=1, max_size=4), Q, st.integers(1, 50), st.integers(1, 9))
def test_primitive_rows_are_invariant_under_positive_scaling(g, h, p, q):
    row = primitive_row(g, h)
    c = fmpq(p, q)
    assert primitive_row([c * v for v in g], c * h) == row
    assert negate(negate(row)) == row
    if any(g) or h:
        import math
        assert math.gcd(*row[0], row[1]) == 1
    x = [fmpq(1, 3)] * len(g)
    lhs = sum((a * v for a, v in zip(g, x)), h)
    assert (value_at(row, x) > 0) == (lhs > 0)      # the same sign as the rational form


def test_verifiers_accept_exactly_the_right_answers():
    rows = [((1,), 0), ((-1,), 2)]                   # 0 < x < 2
    assert is_interior(rows, (fmpq(1),)) and not is_interior(rows, (fmpq(2),))
    empty = [((1,), 0), ((-1,), 0)]                  # x > 0 and x < 0
    assert is_farkas(empty, ((0, fmpq(1)), (1, fmpq(1))), 1)
    assert not is_farkas(rows, ((0, fmpq(1)), (1, fmpq(1))), 1)
    assert not is_farkas(empty, ((0, fmpq(-1)), (1, fmpq(-1))), 1)
