"""The exact open-feasibility backends over a real number field (docs/algebraic-lp.md)."""

from __future__ import annotations

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.linalg import field_rank, field_solve, rank
from exactnet.numbers import RealAlgebraic, exact_numbers, number, sign
from exactnet.polyhedra import Farkas, Interior
from exactnet.polyhedra.field_backend import (
    FieldProposer, FieldSimplex, field_decide, field_value, is_field_farkas, is_field_interior, normal_row, phase_one,
)
from exactnet.polyhedra.ppl_backend import PPLExact

SQRT2 = number("sqrt(2)")
Q = fmpq


def _answer_ok(rows, n, ans) -> bool:
    if isinstance(ans, Interior):
        return all(isinstance(v, fmpq) for v in ans.point) and is_field_interior(rows, ans.point)
    return isinstance(ans, Farkas) and is_field_farkas(rows, ans.multipliers, n)


def test_sqrt2_interval_is_decided_both_ways():
    inside = [((Q(1),), -SQRT2), ((Q(-1),), Q(3, 2))]  # sqrt(2) < x < 3/2: non-empty
    empty = [((Q(1),), -SQRT2), ((Q(-1),), Q(7, 5))]  # sqrt(2) < x < 7/5: empty (7/5 < sqrt(2))
    for backend in (FieldSimplex(), FieldProposer()):
        a = backend.open_interior(inside, 1)
        assert isinstance(a, Interior) and Q(7, 5) < a.point[0] < Q(3, 2) and a.point[0] * a.point[0] > 2
        b = backend.open_interior(empty, 1)
        assert isinstance(b, Farkas) and is_field_farkas(empty, b.multipliers, 1)


def test_an_algebraic_farkas_proof_is_verified_and_tampering_is_caught():
    # sqrt(2)·x + y > 0, x < 0, y < 0 is empty; the multipliers must be irrational
    rows = [((SQRT2, Q(1)), Q(0)), ((Q(-1), Q(0)), Q(0)), ((Q(0), Q(-1)), Q(0))]
    ans = FieldSimplex().open_interior(rows, 2)
    assert isinstance(ans, Farkas) and is_field_farkas(rows, ans.multipliers, 2)
    ys = dict(ans.multipliers)
    assert ys[1] == ys[0] * SQRT2 and ys[2] == ys[0]  # the unique direction: y0·(√2, 1) = (y1, y2)
    assert any(isinstance(y, RealAlgebraic) for y in ys.values())
    assert not is_field_farkas(rows, [(0, Q(1)), (1, SQRT2), (2, Q(1) + Q(1, 1000))], 2)
    assert not is_field_farkas(rows, [(0, Q(1)), (1, -SQRT2), (2, Q(1))], 2)  # a negative multiplier
    assert not is_field_farkas(rows, [], 2)


def test_phase_one_over_the_field():
    # x + sqrt(2) y = 1, x, y ≥ 0: feasible; x + sqrt(2) y = −1: not
    z = phase_one([[Q(1), SQRT2]], [Q(1)], 2)
    assert z is not None and all(sign(v) >= 0 for v in z) and z[0] + SQRT2 * z[1] == 1
    assert phase_one([[Q(1), SQRT2]], [Q(-1)], 2) is None
    # degenerate rows (Bland's rule must not cycle): the classical Beale-type system, exactly
    A = [[Q(1, 4), Q(-8), Q(-1), Q(9), Q(1), Q(0)], [Q(1, 2), Q(-12), Q(-1, 2), Q(3), Q(0), Q(1)]]
    z = phase_one(A, [Q(0), Q(0)], 6)
    assert z is not None and all(v == 0 for v in z)


def test_normal_rows_identify_positive_multiples():
    g, h = (SQRT2, Q(-2)), Q(1) + SQRT2
    c = Q(3) + SQRT2  # positive
    assert normal_row(g, h) == normal_row(tuple(c * v for v in g), c * h)
    assert normal_row(g, h) != normal_row(tuple(-c * v for v in g), -c * h)
    assert normal_row((Q(0),), Q(0)) == ((Q(0),), Q(0))
    assert normal_row((2, 4), 6) == ((Q(1), Q(2)), Q(3))  # Python integers become fmpq


_coef = st.integers(-4, 4)


@st.composite
def integer_systems(draw):
    n = draw(st.integers(1, 3))
    m = draw(st.integers(1, 6))
    rows = []
    for _ in range(m):
        g = tuple(draw(_coef) for _ in range(n))
        if not any(g):
            g = (1,) + g[1:]
        rows.append((g, draw(st.integers(-6, 6))))
    return n, rows


_SCALES = exact_numbers(["sqrt(2)", "1 + sqrt(2)", "3 - 2*sqrt(2)", "sqrt(2)/7", "1"])


@settings(max_examples=60, deadline=None)
@given(integer_systems(), st.lists(st.integers(0, len(_SCALES) - 1), min_size=6, max_size=6))
def test_field_backends_agree_with_ppl_after_exact_substitution(system, which):
    """Rows ``c_i·(g_i, h_i)`` with positive algebraic ``c_i`` define the same open polyhedron as the
    integer rows ``(g_i, h_i)``: the field answer must be of the kind PPL gives, and verify."""
    n, rows = system
    expected = PPLExact().open_interior(rows, n)
    scaled = []
    for (g, h), k in zip(rows, which):
        c = _SCALES[k]
        scaled.append((tuple(c * a for a in g), c * h))
    for backend in (FieldSimplex(), FieldProposer()):
        ans = backend.open_interior(scaled, n)
        if ans is None:  # a float proposal may decline; the exact backend may not
            assert isinstance(backend, FieldProposer)
            continue
        assert type(ans) is type(expected)
        assert _answer_ok(scaled, n, ans)
    ans = field_decide(rows, n, method="exact")  # rational rows through the field simplex
    assert type(ans) is type(expected) and _answer_ok(rows, n, ans)


_alg = st.tuples(st.integers(-3, 3), st.integers(-2, 2)).map(lambda ab: ab[0] + ab[1] * SQRT2)


@st.composite
def algebraic_systems(draw):
    n = draw(st.integers(1, 2))
    m = draw(st.integers(1, 5))
    rows = []
    for _ in range(m):
        g = tuple(draw(_alg) for _ in range(n))
        if all(v == 0 for v in g):
            g = (Q(1),) + g[1:]
        rows.append((g, draw(_alg)))
    return n, rows


@settings(max_examples=50, deadline=None)
@given(algebraic_systems())
def test_genuinely_algebraic_systems_proposer_and_simplex_agree(system):
    n, rows = system
    exact = FieldSimplex().open_interior(rows, n)
    assert _answer_ok(rows, n, exact)
    proposed = FieldProposer().open_interior(rows, n)
    if proposed is not None:
        assert type(proposed) is type(exact) and _answer_ok(rows, n, proposed)
    decided = field_decide(rows, n)
    assert type(decided) is type(exact) and _answer_ok(rows, n, decided)
    if isinstance(exact, Interior):  # an interior point makes every row positive, exactly
        assert all(sign(field_value(r, exact.point)) > 0 for r in rows)


def test_field_decide_handles_constant_rows_and_hints():
    rows = [((Q(0),), SQRT2 - 2)]  # the constant sqrt(2) − 2 < 0: empty
    ans = field_decide(rows, 1)
    assert isinstance(ans, Farkas) and ans.multipliers == ((0, Q(1)),)
    rows = [((Q(1),), -SQRT2)]
    assert field_decide(rows, 1, hints=[(Q(2),)]) == Interior((Q(2),))


def test_linear_algebra_over_the_field():
    m = [[Q(1), SQRT2], [SQRT2, Q(2)]]  # second row = sqrt(2)·first
    assert field_rank(m, 2) == 1
    assert field_rank([[Q(1), SQRT2], [SQRT2, Q(3)]], 2) == 2
    ints = [[Q(1), Q(2), Q(3)], [Q(2), Q(4), Q(6)], [Q(0), Q(1), Q(1)]]
    assert field_rank(ints, 3) == rank(ints, 3) == 2
    z = field_solve([[Q(1), SQRT2]], [Q(1) + SQRT2], 2, lambda c: Q(1))
    assert z is not None and z[0] + SQRT2 * z[1] == Q(1) + SQRT2
    assert field_solve([[Q(1), SQRT2], [Q(2), 2 * SQRT2]], [Q(1), Q(3)], 2) is None


def test_capabilities():
    assert FieldSimplex.capabilities.exact and FieldSimplex.capabilities.algebraic
    assert not FieldProposer.capabilities.exact and FieldProposer.capabilities.algebraic
    with pytest.raises(ZeroDivisionError):
        SQRT2 / Q(0)


def test_the_exact_simplex_stops_at_the_deadline():
    from exactnet.deadline import Deadline, TimeLimitReached

    rows = [((Q(1),), -SQRT2), ((Q(-1),), Q(3, 2))]
    with pytest.raises(TimeLimitReached):
        FieldSimplex(Deadline(0.0)).open_interior(rows, 1)
