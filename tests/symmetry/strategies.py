"""Hypothesis strategies: small networks with planted ties, and group elements."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from exactnet.proofs._symmetry_random import plant_duplicates, random_element, random_network
from exactnet.symmetry.groups import SymmetryGroup


@st.composite
def tied_networks(draw, activation=None, max_order: int = 3000, max_depth: int = 3, max_width: int = 4):
    """A random network with small entries (frequent ties) and planted duplicated / negated units, whose
    group has order ≤ ``max_order`` (so brute force is possible)."""
    act = activation or draw(st.sampled_from(["relu", "tanh"]))
    depth = draw(st.integers(1, max_depth))
    hidden = draw(st.lists(st.integers(1, max_width), min_size=depth, max_size=depth))
    widths = (draw(st.integers(1, 2)),) + tuple(hidden) + (draw(st.integers(1, 2)),)
    if SymmetryGroup(act, widths).order > max_order:
        widths = (widths[0],) + tuple(min(w, 2) for w in hidden) + (widths[-1],)
    rng = random.Random(draw(st.integers(0, 2**32)))
    net = random_network(rng, act, widths)
    if draw(st.booleans()):
        net = plant_duplicates(rng, net, negate=act == "tanh")
    return net


@st.composite
def elements_of(draw, group: SymmetryGroup):
    return random_element(random.Random(draw(st.integers(0, 2**32))), group)
