"""Lossless compression (docs/relu.md § One hidden layer: canonical form and fiber, § Hidden symmetries): smaller networks, exactly equivalent, certified."""

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.numbers import json_loads_exact
from exactnet.relu.compression import compress, never_active_units
from exactnet.relu.equivalence import equivalent

from .nets import random_moves, random_net


def check(cert):
    res = check_certificate(json_loads_exact(json.dumps(cert)))
    assert res.valid, res.reason


def test_s3_zero_input_and_zero_output_units():
    net = Network.from_lists("relu", [([[1], [0], [0]], [0, 3, -7]), ([[1, 2, 123]], [0])])
    res = compress(net, certificate=True)
    assert res.width_before == (3,) and res.width_after == (1,)
    assert res.network == Network.from_lists("relu", [([[1]], [0]), ([[1]], [6])])
    check(res.certificate)


def test_split_units_merge():
    net = Network.from_lists("relu", [([[1, 1], [2, 2], [0, 1]], [1, 2, 0]), ([[1, 1, 1]], [0])])
    res = compress(net, certificate=True)
    assert res.width_after == (2,)
    assert equivalent(net, res.network, tiers="d").equivalent is True
    check(res.certificate)


def test_never_active_on_the_image_is_removed():
    # docs/relu.md § Test cases: E5: second-layer unit h2 − h1 ≤ 0 for all x (dead on the image only)
    net = Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])])
    assert never_active_units(net) == {(1, 1)}
    res = compress(net, certificate=True)
    assert res.width_after == (2, 1) and res.removed_never_active == ((1, 1),) and res.exact_dead
    check(res.certificate)
    assert equivalent(net, res.network, tiers="d").equivalent is True


def test_dead_on_the_domain_only():
    net = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, -5]), ([[1, 1]], [0])])
    box = Box.from_bounds([-1, -1], [1, 1])
    assert compress(net).width_after == (2,)
    res = compress(net, box, certificate=True)
    assert res.width_after == (1,)
    check(res.certificate)
    assert equivalent(net, res.network, box, tiers="d").equivalent is True
    assert equivalent(net, res.network).equivalent is False


def test_everything_dead_keeps_a_blank_unit():
    net = Network.from_lists("relu", [([[1]], [0]), ([[-1]], [-1]), ([[3]], [2])])
    res = compress(net, certificate=True)
    assert res.network.hidden_widths == (1, 1)
    check(res.certificate)
    assert equivalent(net, res.network, tiers="d").equivalent is True


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 2), st.lists(st.integers(1, 3), min_size=1, max_size=3))
def test_compressing_inflated_networks(seed, n, hidden):
    rnd = random.Random(seed)
    a = random_net(rnd, [n] + hidden + [1])
    b = random_moves(a, rnd, rnd.randint(1, 5), kinds=("permute", "scale", "dead", "zero_input", "split"))
    res = compress(b, certificate=True)
    assert all(x <= y for x, y in zip(res.width_after, res.width_before))
    assert all(x <= y for x, y in zip(res.width_after, a.hidden_widths))
    check(res.certificate)
    assert equivalent(b, res.network, tiers="d").equivalent is True
