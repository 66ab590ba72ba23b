"""The ((a_i, b_i, c_i), d) view of a one-hidden-layer tanh network: exact round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from exactnet.errors import InputError
from exactnet.network import Network
from exactnet.tanh.parameter import TanhParameter

from tests.tanh.tanh_strategies import irreducible, to_net


@settings(max_examples=40, deadline=None)
@given(irreducible())
def test_network_and_json_round_trips(spec):
    net = to_net(*spec)
    p = TanhParameter.from_network(net)
    assert p.to_network() == net and p.width == len(spec[0])
    assert TanhParameter.from_json(p.to_json()) == p
    units, d, n, m = spec
    assert p.unit(0) == (tuple(units[0][0]), tuple(units[0][1]), units[0][2])


def test_only_one_hidden_layer_tanh_networks():
    deep = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    relu = Network.from_lists("relu", [([[1]], [0]), ([[1]], [0])])
    for net in (deep, relu):
        with pytest.raises(InputError):
            TanhParameter.from_network(net)
