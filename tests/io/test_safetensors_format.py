"""safetensors import/export (needs the safetensors package: part of the test extra)."""

import json
import struct

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings

from exactnet.errors import FormatError, InputError, NumberError, UnsupportedError
from exactnet.io import load_network, save_network
from exactnet.network import Network

from .helpers import networks

pytest.importorskip("safetensors")
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

NET = Network.from_lists("tanh", [([["1/4", "-3/2"], [0, 5]], ["1/8", -1]), ([[2, "-1/1024"]], [7])])


def raw_safetensors(path, tensors: dict, metadata: dict | None = None):
    """Write a safetensors file by hand (any dtype string, e.g. BF16 that NumPy lacks)."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((-len(text)) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return path


def test_round_trip_and_metadata(tmp_path):
    path = tmp_path / "n.safetensors"
    rep = save_network(NET, path)
    assert rep.exact and rep.format == "safetensors"
    with safe_open(str(path), framework="numpy") as fh:
        assert fh.metadata() == {"exactnet.activation": "tanh"}
        assert sorted(fh.keys()) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert load_network(path) == NET  # no --activation needed


@settings(max_examples=20, deadline=None)
@given(networks())
def test_random_float64_networks_round_trip(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("st") / "n.safetensors"
    assert save_network(net, path).exact
    assert load_network(path) == net


def test_float16_export_reports_rounding(tmp_path):
    net = Network.from_lists("relu", [([["1/3"]], ["1/1024"])])
    rep = save_network(net, tmp_path / "h.safetensors", dtype="float16")
    assert rep.rounded == 1 and rep.max_abs_error == str(abs(fmpq(1, 3) - fmpq(1365, 4096)))
    back = load_network(tmp_path / "h.safetensors")
    assert back.layers[0].weight[0][0] == fmpq(1365, 4096) and back.layers[0].bias[0] == fmpq(1, 1024)


def test_foreign_file_needs_activation_and_orders_naturally(tmp_path):
    path = tmp_path / "f.safetensors"
    save_file({"net.10.weight": np.array([[1.0, 2.0]], dtype=np.float32),
               "net.2.weight": np.array([[0.1], [3.0]], dtype=np.float32),
               "net.2.bias": np.array([0.5, 0.25], dtype=np.float32)}, str(path))
    with pytest.raises(InputError, match="exactnet.activation"):
        load_network(path)
    net = load_network(path, activation="relu")
    assert net.widths == (1, 2, 1)
    assert net.layers[0].weight[0][0] == fmpq(13421773, 134217728)


def test_bfloat16_is_read_exactly(tmp_path):
    # bfloat16 0.1 is 0x3DCD = 205/2048; 1.5 is 0x3FC0
    path = raw_safetensors(tmp_path / "bf.safetensors", {
        "0.weight": ("BF16", [1, 2], struct.pack("<2H", 0x3DCD, 0x3FC0)),
        "0.bias": ("F32", [1], struct.pack("<f", 0.1)),
    }, {"exactnet.activation": "relu"})
    net = load_network(path)
    assert net.layers[0].weight == ((fmpq(205, 2048), fmpq(3, 2)),)
    assert net.layers[0].bias == (fmpq(13421773, 134217728),)


def test_nan_and_unsupported_entries(tmp_path):
    path = tmp_path / "bad.safetensors"
    save_file({"0.weight": np.array([[1.0, np.inf]])}, str(path), metadata={"exactnet.activation": "relu"})
    with pytest.raises(NumberError, match=r"'0.weight' has \+inf at index \[0, 1\]"):
        load_network(path)
    save_file({"0.weight": np.ones((2, 2)), "1.running_var": np.ones(2), "emb.weight": np.ones((2, 2, 2))},
              str(path), metadata={"exactnet.activation": "relu"})
    with pytest.raises(UnsupportedError, match=r"'1.running_var'.*'emb.weight'|'emb.weight'.*'1.running_var'"):
        load_network(path)
    raw_safetensors(path, {"0.weight": ("F8_E4M3", [1, 1], b"\x00")}, {"exactnet.activation": "relu"})
    with pytest.raises((UnsupportedError, FormatError)):
        load_network(path)


@pytest.mark.parametrize("cut", [0, 5, 8, 30, -20, -1])
def test_truncated_files(tmp_path, cut):
    path = tmp_path / "n.safetensors"
    save_network(NET, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    with pytest.raises(FormatError):
        load_network(path)


def test_garbage_header(tmp_path):
    path = tmp_path / "g.safetensors"
    path.write_bytes(struct.pack("<Q", 4) + b"{{{{")
    with pytest.raises(FormatError, match="not a readable safetensors file"):
        load_network(path)
