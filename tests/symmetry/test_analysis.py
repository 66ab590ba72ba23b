"""The orbit analysis (twin collapse + individualization–refinement search) against brute force."""

from __future__ import annotations

from hypothesis import given, settings

from exactnet.symmetry import brute
from exactnet.symmetry.analysis import analyse
from exactnet.symmetry.search import search
from exactnet.symmetry.structure import collapse

from .strategies import tied_networks


@settings(max_examples=30, deadline=None)
@given(tied_networks())
def test_the_stabilizer_order_is_the_brute_force_count(net):
    assert analyse(net).stabilizer_order() == brute.stabilizer_order(net)


@settings(max_examples=30, deadline=None)
@given(tied_networks())
def test_collapse_and_search(net):
    col = collapse(net)
    # twin classes partition the hidden units of every layer
    for l, layer in enumerate(col.members):
        units = sorted(i for members in layer for i, _s in members)
        assert units == list(range(net.hidden_widths[l]))
    res = search(col)
    assert all(size >= 1 for size in res.orbit_sizes)
