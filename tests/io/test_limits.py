"""Files that declare more than they hold, or more than the documented element limit
(docs/numbers.md, ``exactnet.io.limits``), are refused before anything is materialised; malformed
module state and non-``.npy`` members are clear errors."""

import json
import struct
import tracemalloc

import numpy as np
import pytest
from flint import fmpq

from exactnet.errors import FormatError, InputError
from exactnet.io import load_network, torch_format
from exactnet.io.limits import MAX_ELEMENTS, ElementTally, TooLargeError, element_count
from exactnet.io.numpy_format import read_arrays
from exactnet.io.torch_pickle import load_checkpoint
from exactnet.network import loads

from .helpers import (
    MALFORMED_MODULES, checkpoint, module_checkpoint, npy_header, npz_archive, npz_zero_bomb, p_state_dict,
    p_tensor, stride0_checkpoint,
)


def _peak_mb(fn) -> float:
    """Peak traced allocation (MB) while ``fn`` runs (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
    except InputError:
        pass
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def test_element_tally_counts_every_tensor_of_a_file():
    tally = ElementTally("f")
    tally.add(MAX_ELEMENTS - 10, "a")
    tally.add(10, "b")
    with pytest.raises(TooLargeError, match="with the tensors before it"):
        tally.add(1, "c")
    assert element_count((1 << 20, 1 << 20, 3)) == 3 << 40


# ---------------------------------------------------------------------------------------------
# .npz
# ---------------------------------------------------------------------------------------------


def test_npz_of_zeros_over_the_limit_is_refused_without_decompressing(tmp_path):
    bomb = npz_zero_bomb(tmp_path / "zeros.npz")  # 160 MB of zeros in ~160 kB
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(TooLargeError, match=r"'W0' of shape \(5000, 4000\) holds 20,000,000 numbers, over the limit"):
        read_arrays(bomb)
    assert _peak_mb(lambda: read_arrays(bomb)) < 20


def test_npz_members_are_checked_against_their_declared_size(tmp_path):
    liar = npz_archive(tmp_path / "liar.npz", {"W0.npy": npy_header((1 << 15, 1 << 15)) + bytes(8)})
    with pytest.raises(TooLargeError, match="over the limit"):
        read_arrays(liar)
    short = npz_archive(tmp_path / "short.npz", {"W0.npy": npy_header((3, 3)) + bytes(16)})
    with pytest.raises(FormatError, match=r"declares shape \(3, 3\) \(72 bytes of float64\) but its member holds 16"):
        read_arrays(short)
    together = npz_archive(tmp_path / "two.npz", {"W0.npy": npy_header((4096, 4096), descr="|u1") + bytes(1 << 24),
                                                  "W1.npy": npy_header((2, 4096))}, compress=True)
    with pytest.raises(TooLargeError, match="with the tensors before it"):
        read_arrays(together)


def test_npz_members_that_are_not_npy_are_named(tmp_path):
    ok = {"W0.npy": npy_header((1, 2)) + struct.pack("<2d", 1, 2), "b0.npy": npy_header((1,)) + struct.pack("<d", 3)}
    text = npz_archive(tmp_path / "t.npz", {**ok, "notes.txt": b"hello"})
    with pytest.raises(FormatError, match="member 'notes.txt' is not a .npy array"):
        load_network(text, activation="relu")
    garbage = npz_archive(tmp_path / "g.npz", {"W0.npy": b"\x93NUMPY"})
    with pytest.raises(FormatError, match="'W0' is truncated or corrupt"):
        load_network(garbage, activation="relu")
    objects = npz_archive(tmp_path / "o.npz", {"W0.npy": npy_header((1,), descr="|O") + b"\x80\x02N."})
    with pytest.raises(InputError, match="Python objects"):
        load_network(objects, activation="relu")
    net = load_network(npz_archive(tmp_path / "ok.npz", ok, compress=True), activation="relu")
    assert net.layers[0].weight == ((1, 2),) and net.layers[0].bias == (3,)


def test_fortran_order_members_are_read_exactly(tmp_path):
    data = np.asfortranarray(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    path = npz_archive(tmp_path / "f.npz", {"W0.npy": npy_header((2, 3), fortran=True) + data.tobytes(order="F")})
    assert read_arrays(path)["W0"].tolist() == [[1, 2, 3], [4, 5, 6]]


# ---------------------------------------------------------------------------------------------
# .pt
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("use_torch", [False, True])
def test_stride_zero_view_of_one_element_is_refused(tmp_path, use_torch):
    if use_torch:
        pytest.importorskip("torch")
    path = stride0_checkpoint(tmp_path / "s.pt")
    assert path.stat().st_size < 1000
    with pytest.raises(TooLargeError, match=r"\(1, 268435456\).*268,435,456 numbers, over the limit of 16,777,216"):
        torch_format.load(path, "relu", use_torch=use_torch)
    assert _peak_mb(lambda: torch_format.load(path, "relu", use_torch=use_torch)) < 50


def test_small_stride_zero_views_within_the_limit_are_read(tmp_path):
    path = stride0_checkpoint(tmp_path / "s.pt", columns=3)
    net = torch_format.load(path, "relu", use_torch=False)
    assert net.layers[0].weight == ((1, 1, 1),)


def test_declared_storage_sizes_are_checked_before_reading(tmp_path):
    huge = p_state_dict([("0.weight", p_tensor("FloatStorage", "0", MAX_ELEMENTS + 1, 0, (1, 1), (1, 1)))])
    with pytest.raises(TooLargeError, match="declares 16,777,217 elements"):
        load_checkpoint(checkpoint(tmp_path / "h.pt", huge, {"0": b"\0" * 4}))
    shared = p_state_dict([(f"{k}.weight", p_tensor("FloatStorage", "0", 1 << 24, 0, (4096, 4096), (4096, 1)))
                           for k in range(2)])
    path = checkpoint(tmp_path / "shared.pt", shared, {"0": bytes(4 << 24)})
    with pytest.raises(TooLargeError, match="with the tensors before it"):
        load_checkpoint(path)


@pytest.mark.parametrize("use_torch", [False, True])
@pytest.mark.parametrize("what", sorted(MALFORMED_MODULES))
def test_malformed_module_state_is_a_clear_error(tmp_path, what, use_torch):
    if use_torch:
        pytest.importorskip("torch")
    path = module_checkpoint(tmp_path / "m.pt", MALFORMED_MODULES[what])
    with pytest.raises(InputError) as info:
        torch_format.load(path, "relu", use_torch=use_torch)
    assert str(info.value).startswith(str(path))


# ---------------------------------------------------------------------------------------------
# safetensors, ONNX, JSON
# ---------------------------------------------------------------------------------------------


def _safetensors(path, header: dict, data: bytes = b"", raw_header: bytes | None = None):
    text = raw_header if raw_header is not None else json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return path


def test_safetensors_headers_are_checked_first(tmp_path):
    pytest.importorskip("safetensors")
    entry = '{"dtype": "F64", "shape": [1, 1], "data_offsets": [%d, %d]}'
    dup = ('{"0.weight": ' + entry % (0, 8) + ', "0.weight": ' + entry % (8, 16) + "}").encode()
    with pytest.raises(FormatError, match="duplicate key '0.weight'"):
        load_network(_safetensors(tmp_path / "d.safetensors", {}, struct.pack("<2d", 1, 2), raw_header=dup),
                     activation="relu")
    big = {"0.weight": {"dtype": "F64", "shape": [1 << 15, 1 << 15], "data_offsets": [0, 8]}}
    with pytest.raises(TooLargeError, match="over the limit"):
        load_network(_safetensors(tmp_path / "b.safetensors", big, bytes(8)), activation="relu")
    long_header = tmp_path / "l.safetensors"
    long_header.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(TooLargeError, match="the safetensors header declares"):
        load_network(long_header, activation="relu")


def test_onnx_initializers_are_counted_before_conversion(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    def declared(name, dims):  # dims declared, no data: onnx.helper would refuse to build it
        t = TensorProto(name=name, data_type=TensorProto.DOUBLE)
        t.dims.extend(dims)
        return t

    w, b = declared("W", [1 << 13, 1 << 12]), declared("b", [1 << 13])
    node = helper.make_node("Gemm", ["x", "W", "b"], ["y"], transB=1)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [1, 1 << 12])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [1, 1 << 13])], [w, b])
    path = tmp_path / "big.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(TooLargeError, match="33,554,432 numbers, over the limit"):
        load_network(path, activation="relu")


def test_json_networks_obey_the_same_limit():
    rows = "[" + ",".join(["0"] * 4097) + "]"
    text = ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": ['
            + ",".join([rows] * 4096) + '], "bias": [0]}]}')
    with pytest.raises(FormatError, match="16,781,313 weights and biases, over the limit of 16,777,216"):
        loads(text)
    small = loads('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[1]], "bias": [0]}]}')
    assert small.layers[0].weight == ((fmpq(1),),)
