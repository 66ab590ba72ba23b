"""Tier (b) normal form: it keeps the function, and its move chain replays to the same network."""

from __future__ import annotations

import random

from hypothesis import given, settings

from exactnet.relu.moves import EditableNetwork, apply
from exactnet.relu.normal_form import normal_form

from .nets import random_moves, random_net, same_on_points, seeds


@settings(max_examples=30, deadline=None)
@given(seeds())
def test_normal_form_keeps_the_function_and_replays(seed):
    rnd = random.Random(seed)
    a = random_net(rnd, (2, 3, 3, 1))
    b = random_moves(a, rnd, count=4, kinds=("permute", "scale", "dead", "zero_input", "split"))
    nf = normal_form(b)
    assert same_on_points(b, nf.network, rnd)
    ed = EditableNetwork.of(b)
    for m in nf.moves:
        apply(ed, m)
    assert ed.network() == nf.network
    assert normal_form(a).network == normal_form(normal_form(a).network).network   # idempotent
