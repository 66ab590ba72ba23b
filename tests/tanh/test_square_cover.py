"""The square-cover reduction behind the hardness of proximate rank: the proximate rank of the
built network is the least number of squares covering the points."""

from __future__ import annotations

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import InputError
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank
from exactnet.tanh.square_cover import from_square_cover, min_square_cover

F = fmpq


def test_min_square_cover_small():
    pts = [(0, 0), (1, 1), (2, 2), (F(1, 2), 0)]
    value, cover = min_square_cover(pts, F(1, 2))  # side 1
    assert value == 2 and sorted(len(c) for c in cover) == [1, 3]
    assert min_square_cover(pts, F(1, 4))[0] == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=8),
       st.sampled_from([F(1), F(3, 2), F(2)]))
def test_square_cover_reduction(points, eps):
    pts = [(F(x, 2), F(y, 2)) for x, y in points]
    net = from_square_cover(pts, eps)
    value, _ = min_square_cover(pts, eps)
    assert prank(net, eps).value == value
    assert prank(net, eps, solver="search").value == value
    assert bound_prank(net, eps).value >= value


def test_square_cover_rejects_bad_input():
    with pytest.raises(InputError):
        from_square_cover([(0, 0)], 0)
    with pytest.raises(InputError):
        from_square_cover([(0, 0, 0)], 1)
    with pytest.raises(InputError):
        min_square_cover([(i, i) for i in range(30)], 1)
