"""Interior points and Farkas certificates of open polyhedra: float proposals are verified, and the
exact PPL fallback gives the same decisions."""

import random

import pytest

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.polyhedra import Farkas, Interior, decide, is_farkas, is_interior


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6))
def test_float_and_exact_decisions_agree_and_verify(seed):
    rnd = random.Random(seed)
    n, m = rnd.randint(1, 4), rnd.randint(1, 7)
    rows = [(tuple(rnd.randint(-3, 3) for _ in range(n)), rnd.randint(-3, 3)) for _ in range(m)]
    if rnd.random() < 0.4:  # an opposite pair makes the cell lower-dimensional
        g, h = rows[0]
        rows.append((tuple(-a for a in g), -h + rnd.randint(-1, 0)))
    fast, exact = decide(rows, n), decide(rows, n, method="ppl")
    assert type(fast) is type(exact)
    for ans in (fast, exact):
        if isinstance(ans, Interior):
            assert is_interior(rows, ans.point)
        else:
            assert is_farkas(rows, ans.multipliers, n)


def test_examples():
    # x > 0 and x < 0: empty, certificate y = (1, 1)
    ans = decide([((1,), 0), ((-1,), 0)], 1)
    assert isinstance(ans, Farkas) and is_farkas([((1,), 0), ((-1,), 0)], ans.multipliers, 1)
    # 0 < x < 1/1000 (scaled): non-empty, exact point strictly inside
    rows = [((1,), 0), ((-1000,), 1)]
    ans = decide(rows, 1)
    assert isinstance(ans, Interior) and 0 < ans.point[0] < fmpq(1, 1000)
    # a constant row 0 > 0 is empty; no rows: the origin
    assert isinstance(decide([((0, 0), 0)], 2), Farkas)
    assert decide([], 3) == Interior((fmpq(0),) * 3)
    # a tampered certificate does not verify
    assert not is_farkas([((1,), 0), ((-1,), 0)], ((0, fmpq(1)), (1, fmpq(2))), 1)
    assert not is_farkas([((1,), 0), ((-1,), 1)], ((0, fmpq(1)), (1, fmpq(1))), 1)  # 0 < x < 1 is not empty


def test_huge_coefficients_fall_back_exactly():
    big = 10**400  # beyond float range: the exact path decides
    rows = [((big, 1), -big), ((-big, -1), big + 1)]  # big·x + y ∈ (big, big + 1)
    ans = decide(rows, 2)
    assert isinstance(ans, Interior) and is_interior(rows, ans.point)


# ---------------------------------------------------------------------------------------------
# exact LP optima with dual multipliers
# ---------------------------------------------------------------------------------------------

from exactnet.polyhedra import Infeasible, Optimum, Unbounded, is_optimum, maximize  # noqa: E402


def test_maximize_a_triangle():
    # x ≥ 0, y ≥ 0, x + 2y ≤ 4: max x + y is 4 at (4, 0); the duals prove it
    rows = [((1, 0), 0), ((0, 1), 0), ((-1, -2), 4)]
    ans = maximize((1, 1), rows, 2)
    assert isinstance(ans, Optimum) and ans.value == 4 and ans.point == (fmpq(4), fmpq(0))
    assert is_optimum(rows, (1, 1), ans)
    # a smaller claimed value, or multipliers that do not sum to -c, do not verify
    assert not is_optimum(rows, (1, 1), Optimum(fmpq(3), (fmpq(3), fmpq(0)), ans.multipliers))
    assert not is_optimum(rows, (1, 1), Optimum(ans.value, ans.point, ((2, fmpq(2)),)))


def test_maximize_unbounded_and_infeasible():
    assert isinstance(maximize((1,), [((1,), 0)], 1), Unbounded)  # x ≥ 0, max x
    assert isinstance(maximize((1,), [((1,), -1), ((-1,), 0)], 1), Infeasible)  # x ≥ 1 and x ≤ 0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_random_optima_verify_and_no_vertex_does_better(seed):
    """On random bounded polytopes the optimum verifies and no vertex (double description) beats it."""
    from exactnet.polyhedra import ClosedPolyhedron, value_at

    rnd = random.Random(seed)
    n = rnd.randint(1, 3)
    box = [(tuple(1 if j == i else 0 for j in range(n)), 5) for i in range(n)]
    box += [(tuple(-1 if j == i else 0 for j in range(n)), 5) for i in range(n)]
    rows = box + [(tuple(rnd.randint(-3, 3) for _ in range(n)), rnd.randint(-2, 6)) for _ in range(rnd.randint(0, 4))]
    c = tuple(rnd.randint(-4, 4) for _ in range(n))
    ans = maximize(c, rows, n)
    verts, _ = ClosedPolyhedron(n, rows).vertices()
    if not verts:
        assert isinstance(ans, Infeasible)
        return
    assert isinstance(ans, Optimum) and is_optimum(rows, c, ans)
    assert all(value_at((c, 0), v) <= ans.value for v in verts)
    assert any(value_at((c, 0), v) == ans.value for v in verts)


def test_the_chooser_and_the_capability_query():
    from exactnet.polyhedra import backends, backends_for, cell_method

    assert [b.name for b in backends("ppl")] == ["ppl"]
    assert backends("auto")[-1].capabilities.exact  # the exact backend answers last
    assert cell_method(2) == "generators" and cell_method(7) == "lp" and cell_method(2, "lp") == "lp"
    assert set(backends_for(algebraic=False)) == {"highs", "ppl", "field-highs", "field-simplex"}
    assert backends_for(algebraic=True) == ("field-highs", "field-simplex")  # the number-field backends
    with pytest.raises(ValueError):
        backends("simplex")
