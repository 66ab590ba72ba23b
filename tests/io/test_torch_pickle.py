"""The torch-free PyTorch checkpoint reader/writer, against files written by a real torch 2.13.0
(``fixtures/make_fixtures.py``) and against crafted malicious or malformed pickles.

Runs without torch (CI); ``use_torch=False`` forces the torch-free path even where torch exists.
"""

import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings

from exactnet.errors import FormatError, InputError, NumberError, UnsupportedError
from exactnet.io import torch_format
from exactnet.io.torch_pickle import UnsafePickleError, load_checkpoint, read_state_dict, write_state_dict
from exactnet.network import Network

from .helpers import (
    FIXTURES, checkpoint, exact, expected_network, networks, p_global, p_int, p_state_dict, p_str, p_tensor,
)


def load(name, activation=None):
    return torch_format.load(FIXTURES / name, activation, use_torch=False)


def f32(v) -> fmpq:
    return exact(v, "float32")


# ---------------------------------------------------------------------------------------------
# files written by torch.save
# ---------------------------------------------------------------------------------------------


def test_float32_state_dict_exact_values():
    net = load("relu_f32_state.pt", "relu")
    assert net == expected_network("relu", "float32")
    assert net.layers[0].weight[0][0] == fmpq(13421773, 134217728)  # float32(0.1)
    assert net.layers[0].weight[2][1] == fmpq(5033165, 16777216)  # float32(0.3)
    assert net.layers[1].weight[0][2] == fmpq(11744051, 16777216)  # float32(0.7)


def test_float64_state_dict_exact_values():
    net = load("tanh_f64_state.pt", "tanh")
    assert net == expected_network("tanh", "float64")
    assert net.layers[0].bias[0] == fmpq(3602879701896397, 36028797018963968)  # float64(0.1)


def test_big_endian_checkpoint():
    assert load("relu_f32_bigendian.pt", "relu") == expected_network("relu", "float32")


def test_dtypes_views_strides_and_shared_storage():
    net = load("layouts_state.pt", "relu")
    first, second, third = net.layers
    # float16 weight, bfloat16 bias
    assert first.weight == tuple(tuple(exact(v, "float16") for v in row) for row in [[0.1, -0.5], [1.25, 3.0], [-2.0, 0.3]])
    assert first.weight[0][0] == fmpq(819, 8192)
    assert first.bias == (fmpq(205, 2048), 0, -1)  # bfloat16(0.1) = 0x3DCD
    # transposed (stride (1, 2)) float32 weight
    assert second.weight == ((1, f32(-0.25), f32(0.1)), (f32(0.7), 2, f32(0.2)))
    # views at offsets 1 and 0 of one storage [9, 0.5, 0.1]
    assert second.bias == (fmpq(1, 2), f32(0.1))
    assert third.weight == ((9, fmpq(1, 2)),) and third.bias == (9,)


def test_natural_order_of_prefixes():
    net = load("natural_order_state.pt", "tanh")  # keys inserted as layers.10 then layers.2
    assert net.widths == (1, 2, 1)
    assert net.layers[0].bias == (fmpq(1, 2), fmpq(1, 4)) and net.layers[1].weight == ((1, 2),)


def test_bare_linear_without_bias():
    net = load("bare_linear_nobias_state.pt", "relu")
    assert net.layers[0].weight == ((fmpq(13421773, 134217728), -3),) and net.layers[0].bias == (0,)


def test_parameters_dict():
    assert load("parameters_dict.pt", "relu") == expected_network("relu", "float32")


def test_pickled_sequential_module():
    net = load("tanh_sequential_module.pt")  # Flatten, Identity, Linear, Tanh, Linear
    assert net == expected_network("tanh", "float32")
    with pytest.raises(UnsupportedError, match="says activation 'tanh' but 'relu'"):
        load("tanh_sequential_module.pt", "relu")


def test_unsupported_modules_are_all_listed():
    with pytest.raises(UnsupportedError) as exc:
        load("unsupported_module.pt")
    msg = str(exc.value)
    assert "0 (Conv1d)" in msg and "1 (BatchNorm1d)" in msg
    assert "Dropout" not in msg.split("(exactnet reads")[0]  # a trailing Dropout is the identity, not a problem


def test_state_dict_requires_activation():
    with pytest.raises(InputError, match="does not record the activation.*--activation"):
        load("relu_f32_state.pt")


def test_nested_checkpoint_and_legacy_format():
    with pytest.raises(UnsupportedError, match=r"'model' \(OrderedDict, not a tensor\), 'epoch' \(int"):
        load("checkpoint_nested.pt", "relu")
    with pytest.raises(FormatError, match="legacy"):
        load("legacy_format.pt", "relu")


def test_nan_in_checkpoint():
    with pytest.raises(NumberError, match=r"'0.weight' has NaN at index \[0, 1\]"):
        load("nan_state.pt", "relu")


@pytest.mark.parametrize("cut", [0, 2, 100, 1000, -100, -22, -1])
def test_truncated_checkpoints(tmp_path, cut):
    data = (FIXTURES / "relu_f32_state.pt").read_bytes()
    path = tmp_path / "t.pt"
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    with pytest.raises(FormatError):
        torch_format.load(path, "relu", use_torch=False)


def test_corrupt_storage_bytes_fail_the_crc(tmp_path):
    src = FIXTURES / "relu_f32_state.pt"
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("relu_f32_state/data/0")
    local_extra = struct.unpack("<H", data[info.header_offset + 28:info.header_offset + 30])[0]
    start = info.header_offset + 30 + len(info.filename) + local_extra
    data[start + 1] ^= 0x55  # a byte of the first weight
    path = tmp_path / "c.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="corrupt"):
        torch_format.load(path, "relu", use_torch=False)


# ---------------------------------------------------------------------------------------------
# crafted checkpoints
# ---------------------------------------------------------------------------------------------


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_global_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = checkpoint(tmp_path / "evil.pt", pickle.dumps({"0.weight": _Evil(marker)}, protocol=2))
    with pytest.raises(UnsafePickleError, match=r"refusing to load.*system"):
        torch_format.load(path, "relu", use_torch=False)
    assert not marker.exists()


@pytest.mark.parametrize("module,name", [
    ("builtins", "eval"), ("__builtin__", "exec"), ("subprocess", "Popen"), ("torch", "load"),
    ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("numpy", "frombuffer"),
])
def test_any_other_global_is_refused(tmp_path, module, name):
    payload = b"\x80\x02" + p_global(module, name) + b"(" + p_str("x") + b"tR."
    path = checkpoint(tmp_path / "g.pt", payload)
    with pytest.raises(UnsafePickleError, match=rf"{module}\.{name}"):
        torch_format.load(path, "relu", use_torch=False)
    assert isinstance(UnsafePickleError("x"), InputError)


def _floats(*values, fmt="<f"):
    return struct.pack(f"{fmt[0]}{len(values)}{fmt[1]}", *values)


def test_crafted_strided_views(tmp_path):
    # storage [0, 1, 2, 3, 4, 5]; weight = 2x2 view at offset 1 with strides (3, 1): [[1, 2], [4, 5]]
    payload = p_state_dict([
        ("0.weight", p_tensor("FloatStorage", "0", 6, 1, (2, 2), (3, 1))),
        ("0.bias", p_tensor("FloatStorage", "0", 6, 0, (2,), (3,))),  # [0, 3]
    ])
    path = checkpoint(tmp_path / "v.pt", payload, {"0": _floats(0, 1, 2, 3, 4, 5)})
    net = torch_format.load(path, "relu", use_torch=False)
    assert net.layers[0].weight == ((1, 2), (4, 5)) and net.layers[0].bias == (0, 3)


def test_crafted_big_endian_double_and_int(tmp_path):
    payload = p_state_dict([
        ("0.weight", p_tensor("DoubleStorage", "0", 2, 0, (1, 2), (2, 1))),
        ("0.bias", p_tensor("LongStorage", "1", 1, 0, (1,), (1,))),
    ])
    path = checkpoint(tmp_path / "be.pt", payload, {"0": _floats(0.1, -2.5, fmt=">d"), "1": struct.pack(">q", -7)},
                      byteorder=b"big")
    net = torch_format.load(path, "tanh", use_torch=False)
    assert net.layers[0].weight == ((exact(0.1, "float64"), fmpq(-5, 2)),) and net.layers[0].bias == (-7,)


@pytest.mark.parametrize("offset,size,stride,match", [
    (0, (2, 2), (2, 1), "reaches past its storage"),  # needs 4 elements, storage has 3
    (3, (1,), (1,), "reaches past its storage"),
    (0, (1 << 20, 1 << 20), (0, 0), "over the limit of 16,777,216 numbers"),
    (-1, (1,), (1,), "invalid storage offset"),
    (0, (2,), (-1,), "invalid tensor size"),
])
def test_crafted_out_of_bounds_tensors(tmp_path, offset, size, stride, match):
    payload = p_state_dict([("0.weight", p_tensor("FloatStorage", "0", 3, offset, size, stride))])
    path = checkpoint(tmp_path / "oob.pt", payload, {"0": _floats(1, 2, 3)})
    with pytest.raises(FormatError, match=match):
        load_checkpoint(path)


def test_crafted_storage_problems(tmp_path):
    payload = p_state_dict([("0.weight", p_tensor("FloatStorage", "0", 4, 0, (2, 2), (2, 1)))])
    short = checkpoint(tmp_path / "short.pt", payload, {"0": _floats(1, 2, 3)})
    with pytest.raises(FormatError, match="holds 12 bytes but 4 elements"):
        load_checkpoint(short)
    missing = checkpoint(tmp_path / "missing.pt", payload, {})
    with pytest.raises(FormatError, match="missing from the archive"):
        load_checkpoint(missing)
    complex_payload = p_state_dict([("0.weight", p_tensor("ComplexFloatStorage", "0", 1, 0, (1, 1), (1, 1)))])
    cplx = checkpoint(tmp_path / "c.pt", complex_payload, {"0": b"\0" * 8})
    with pytest.raises(UnsupportedError, match="ComplexFloatStorage"):
        load_checkpoint(cplx)
    bad_pid = b"\x80\x02" + b"(" + p_str("storage") + p_int(3) + b"tQ."
    with pytest.raises(FormatError, match="malformed storage reference|persistent id"):
        load_checkpoint(checkpoint(tmp_path / "pid.pt", bad_pid))
    with pytest.raises(FormatError, match="byteorder"):
        load_checkpoint(checkpoint(tmp_path / "bo.pt", payload, {"0": _floats(1, 2, 3, 4)}, byteorder=b"middle"))


def test_not_a_checkpoint(tmp_path):
    garbage = tmp_path / "g.pt"
    garbage.write_bytes(b"hello world")
    with pytest.raises(FormatError, match="not a PyTorch checkpoint"):
        load_checkpoint(garbage)
    notorch = tmp_path / "z.pt"
    with zipfile.ZipFile(notorch, "w") as zf:
        zf.writestr("other/file.txt", b"x")
    with pytest.raises(FormatError, match="no <archive>/data.pkl"):
        load_checkpoint(notorch)
    script = checkpoint(tmp_path / "ts.pt", b"\x80\x02}.", extra={"archive/constants.pkl": b"", "archive/code/m.py": b""})
    with pytest.raises(UnsupportedError, match="TorchScript"):
        load_checkpoint(script)
    corrupt = checkpoint(tmp_path / "bad.pt", b"\x80\x02(((")
    with pytest.raises(FormatError, match="corrupt"):
        load_checkpoint(corrupt)
    single = checkpoint(tmp_path / "one.pt", b"\x80\x02" + p_tensor("FloatStorage", "0", 1, 0, (1,), (1,)) + b".",
                        {"0": _floats(1)})
    with pytest.raises(UnsupportedError, match="single tensor"):
        read_state_dict(single)


def test_state_dict_with_build_on_inert_objects_is_refused(tmp_path):
    # BUILD (opcode b) on a rebuilt tensor must not set arbitrary state
    payload = (b"\x80\x02" + p_tensor("FloatStorage", "0", 1, 0, (1,), (1,))
               + b"}" + p_str("array") + p_int(1) + b"sb.")
    path = checkpoint(tmp_path / "build.pt", payload, {"0": _floats(1)})
    with pytest.raises(FormatError):
        load_checkpoint(path)


# ---------------------------------------------------------------------------------------------
# the torch-free writer
# ---------------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(networks())
def test_torch_free_writer_round_trip(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("pt") / "n.pt"
    rep = torch_format.save(net, path, use_torch=False)
    assert rep.exact and rep.format == "torch"
    assert torch_format.load(path, net.activation, use_torch=False) == net


def test_torch_free_writer_layout_and_rounding(tmp_path):
    net = Network.from_lists("relu", [([["1/3", 1]], [0]), ([[2]], ["1/10"])])
    path = tmp_path / "r.pt"
    rep = torch_format.save(net, path, dtype="float32", use_torch=False)
    assert rep.rounded == 2 and rep.dtype == "float32"
    sd = read_state_dict(path)
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sd["0.weight"].dtype == np.float32
    back = torch_format.load(path, "relu", use_torch=False)
    assert back.layers[1].bias == (fmpq(13421773, 134217728),)


def test_write_state_dict_refuses_other_dtypes(tmp_path):
    with pytest.raises(UnsupportedError):
        write_state_dict(tmp_path / "x.pt", {"w": np.zeros(2, dtype=np.int8)})


def test_fixture_script_is_present():
    assert (FIXTURES / "make_fixtures.py").is_file()
    assert Path(FIXTURES / "relu_f32_state.pt").stat().st_size < 10_000
