"""The backends behind the protocol: the float proposer and the exact backend give verified,
consistent answers; the closed polyhedron in double description agrees with the LP."""

from __future__ import annotations

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.polyhedra import ClosedPolyhedron, Farkas, Interior, is_farkas, is_interior
from exactnet.polyhedra.highs_backend import HighsProposer, highs_available
from exactnet.polyhedra.ppl_backend import PPLExact


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_the_proposer_never_contradicts_the_exact_backend(seed):
    if not highs_available():
        pytest.skip("highspy is not installed")
    rnd = random.Random(seed)
    n = rnd.randint(1, 3)
    rows = [(tuple(rnd.randint(-3, 3) for _ in range(n)), rnd.randint(-3, 3)) for _ in range(rnd.randint(1, 6))]
    rows = [r for r in rows if any(r[0])] or [((1,) + (0,) * (n - 1), 0)]
    exact = PPLExact().open_interior(rows, n)
    proposal = HighsProposer().open_interior(rows, n)
    if proposal is not None:                       # None: no verified proposal, the exact backend decides
        assert type(proposal) is type(exact)
    for ans in (exact, proposal):
        if isinstance(ans, Interior):
            assert is_interior(rows, ans.point)
        elif isinstance(ans, Farkas):
            assert is_farkas(rows, ans.multipliers, n)


def test_double_description():
    square = ClosedPolyhedron(2, [((1, 0), 0), ((0, 1), 0), ((-1, 0), 1), ((0, -1), 1)])
    verts, unbounded = square.vertices()
    assert not unbounded and sorted(verts) == [(fmpq(a), fmpq(b)) for a in (0, 1) for b in (0, 1)]
    assert square.is_bounded() and square.affine_dimension() == 2
    segment = square.intersection(ClosedPolyhedron(2, [((1, -1), 0), ((-1, 1), 0)]))   # x = y
    assert segment.affine_dimension() == 1
    half = ClosedPolyhedron(2, [((1, 0), 0)])
    assert half.vertices()[1] and not half.is_bounded()
    assert len(square.with_row(((1, 1), -3)).vertices()[0]) == 0 and square.with_row(((1, 1), -3)).is_empty()
