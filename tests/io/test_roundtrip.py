"""Exact round trips through every format: json → npz → safetensors → onnx → pt → json."""

import pytest
from flint import fmpq
from hypothesis import given, settings

from exactnet.io import load_network, save_network
from exactnet.network import Network

from .helpers import dyadic, networks

pytest.importorskip("onnx")
pytest.importorskip("safetensors")

CHAIN = ["a.json", "b.npz", "c.safetensors", "d.onnx", "e.pt", "f.json"]


def through_every_format(net, directory, dtype=None):
    current, reports = net, []
    for name in CHAIN:
        path = directory / name
        reports.append(save_network(current, path, dtype=dtype))
        current = load_network(path, activation=net.activation if name.endswith(".pt") else None)
    return current, reports


@settings(max_examples=15, deadline=None)
@given(networks())
def test_float64_networks_come_back_bit_identical(tmp_path_factory, net):
    back, reports = through_every_format(net, tmp_path_factory.mktemp("chain"))
    assert back == net
    assert all(r.exact and r.rounded == 0 and r.max_abs_error == "0" for r in reports)


@settings(max_examples=10, deadline=None)
@given(networks(entries=dyadic(11, -24, 5)))  # |m| < 2^11, e ≥ -24: float16 values
def test_float16_representable_networks_are_exact_in_float16(tmp_path_factory, net):
    back, reports = through_every_format(net, tmp_path_factory.mktemp("chain16"), dtype="float16")
    assert back == net and all(r.exact for r in reports)


def test_non_representable_values_are_rounded_once_and_reported(tmp_path):
    net = Network.from_lists("tanh", [([["1/3", "1/10"]], ["2/7"]), ([["sqrt(2)"]], [0])])
    back, reports = through_every_format(net, tmp_path, dtype="float32")
    first = reports[1]  # json → npz is where rounding happens
    assert reports[0].exact and first.rounded == 4 and first.total == 5
    assert all(r.exact for r in reports[2:])  # float32 values survive every later format exactly
    assert back.layers[0].weight[0][1] == fmpq(13421773, 134217728)
    assert back.is_rational
