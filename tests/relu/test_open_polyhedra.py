"""Interior points and Farkas certificates of open polyhedra: float proposals are verified, and the
exact PPL fallback gives the same decisions."""

import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.relu.open_polyhedra import Farkas, Interior, decide, is_farkas, is_interior


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**6))
def test_float_and_exact_decisions_agree_and_verify(seed):
    rnd = random.Random(seed)
    n, m = rnd.randint(1, 4), rnd.randint(1, 7)
    rows = [(tuple(rnd.randint(-3, 3) for _ in range(n)), rnd.randint(-3, 3)) for _ in range(m)]
    if rnd.random() < 0.4:  # an opposite pair makes the cell lower-dimensional
        g, h = rows[0]
        rows.append((tuple(-a for a in g), -h + rnd.randint(-1, 0)))
    fast, exact = decide(rows, n), decide(rows, n, use_float=False)
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
