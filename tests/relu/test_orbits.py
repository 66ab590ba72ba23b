"""Orbits under permutations and positive scalings: decided exactly."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings

from exactnet.relu.orbits import same_orbit

from .nets import lists, net_from, random_moves, random_net, seeds


@settings(max_examples=30, deadline=None)
@given(seeds())
def test_permuted_and_scaled_networks_are_in_one_orbit(seed):
    rnd = random.Random(seed)
    a = random_net(rnd, (2, 3, 2, 1))
    b = random_moves(a, rnd, count=4, kinds=("permute", "scale"))
    assert same_orbit(a, b) is True
    layers = lists(b)
    layers[-1][1][0] += fmpq(1, 1000)                        # a different output bias: another orbit
    assert same_orbit(a, net_from(layers)) is False
