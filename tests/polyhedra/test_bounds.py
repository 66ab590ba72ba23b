"""Exact bounds from float LP duals (polyhedra/bounds.py) and the HiGHS-proposed exact LP optimum
(polyhedra/lp.py ``maximize``) against PPL's exact simplex."""

from __future__ import annotations

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.polyhedra import Optimum, is_optimum, maximize
from exactnet.polyhedra.bounds import box_bound, dual_bound, upper_bound

small = st.integers(-5, 5)


@st.composite
def lp(draw):
    n = draw(st.integers(1, 3))
    rows = [(tuple(draw(small) for _ in range(n)), draw(st.integers(0, 6))) for _ in range(draw(st.integers(0, 5)))]
    box = []
    for j in range(n):  # the box as rows too, so that PPL sees a bounded polytope
        e = [0] * n
        e[j] = 1
        box.append((tuple(e), 2))
        e = [0] * n
        e[j] = -1
        box.append((tuple(e), 2))
    c = [draw(small) for _ in range(n)]
    return n, rows, box, c


@settings(max_examples=60)
@given(lp(), st.lists(st.integers(0, 4), min_size=5, max_size=5))
def test_bounds_are_upper_bounds_and_tight_from_highs(problem, ys):
    n, rows, box, c = problem
    lower, upper = [fmpq(-2)] * n, [fmpq(2)] * n
    exact = maximize(c, rows + box, n, method="ppl")
    if not isinstance(exact, Optimum):
        return  # empty: every bound is vacuous
    cq = [fmpq(v) for v in c]
    hi = upper_bound(cq, fmpq(1, 3), rows, lower, upper)
    assert exact.value + fmpq(1, 3) <= hi <= box_bound(cq, fmpq(1, 3), lower, upper)
    # any y >= 0 gives a valid bound
    y = [(i, fmpq(v)) for i, v in zip(range(len(rows)), ys)]
    assert dual_bound(cq, fmpq(0), rows, y, lower, upper) >= exact.value
    # HiGHS's dual is (nearly) optimal: the bound is within float noise of the optimum
    assert hi - fmpq(1, 3) - exact.value <= fmpq(1, 10 ** 6)


@settings(max_examples=60)
@given(lp())
def test_proposed_optimum_is_exact(problem):
    n, rows, box, c = problem
    auto = maximize(c, rows + box, n)
    ppl = maximize(c, rows + box, n, method="ppl")
    assert type(auto) is type(ppl)
    if isinstance(auto, Optimum):
        assert auto.value == ppl.value and is_optimum(rows + box, c, auto)
