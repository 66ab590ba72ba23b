"""Exact conversion of stored arrays, state-dict key ordering, activation resolution."""

import numpy as np
import pytest
from flint import fmpq

from exactnet.errors import FormatError, InputError, NetworkError, NumberError, UnsupportedError
from exactnet.io.tensors import (
    NamedLayer, exact_values, layer_keys, natural_key, network_from_arrays, resolve_activation,
)


def test_float32_point_one_is_its_dyadic_value():
    assert exact_values(np.array([0.1], dtype=np.float32), "w", "f") == [fmpq(13421773, 134217728)]
    assert exact_values(np.array(0.1, dtype=np.float16), "w", "f") == fmpq(819, 8192)
    assert exact_values(np.array([[0.1]]), "w", "f") == [[fmpq(3602879701896397, 36028797018963968)]]


def test_every_float_converts_exactly():
    rng = np.random.default_rng(1)
    for dtype, span in ((np.float16, 4), (np.float32, 30), (np.float64, 300)):
        arr = (rng.standard_normal((4, 5)) * 10.0 ** rng.integers(-span, span, (4, 5))).astype(dtype)
        rows = exact_values(arr, "w", "f")
        for row, vals in zip(arr.tolist(), rows):
            for f, v in zip(row, vals):
                p, q = f.as_integer_ratio()
                assert v == fmpq(p, q)
                assert float(v) == f


def test_subnormals_and_signed_zero():
    tiny = np.array([np.finfo(np.float32).smallest_subnormal, -0.0], dtype=np.float32)
    assert exact_values(tiny, "w", "f") == [fmpq(1, 2**149), fmpq(0)]


def test_integers_and_bfloat16():
    assert exact_values(np.array([3, -7], dtype=np.int64), "w", "f") == [fmpq(3), fmpq(-7)]
    ml = pytest.importorskip("ml_dtypes")
    bf = np.array([0.1, 1.5], dtype=ml.bfloat16)
    assert exact_values(bf, "w", "f") == [fmpq(205, 2048), fmpq(3, 2)]


@pytest.mark.parametrize("bad,what,index", [
    (np.array([[1.0, np.nan], [0.0, 0.0]], dtype=np.float32), "NaN", r"\[0, 1\]"),
    (np.array([[1.0, 2.0], [np.inf, 0.0]]), r"\+inf", r"\[1, 0\]"),
    (np.array([0.0, -np.inf, np.nan], dtype=np.float16), "-inf", r"\[1\]"),
])
def test_non_finite_entries_are_named(bad, what, index):
    with pytest.raises(NumberError, match=rf"file.pt: tensor 'layer.weight' has {what} at index {index}"):
        exact_values(bad, "layer.weight", "file.pt")


def test_count_of_non_finite_entries():
    with pytest.raises(NumberError, match=r"3 non-finite entries"):
        exact_values(np.full(3, np.nan), "b", "f")


def test_booleans_and_complex_are_refused():
    with pytest.raises(UnsupportedError, match="booleans"):
        exact_values(np.array([True]), "w", "f")
    with pytest.raises(NumberError, match="complex"):
        exact_values(np.array([1j]), "w", "f")


def test_natural_order():
    names = ["10.weight", "2.weight", "1.weight", "layers.10.w", "layers.9.w"]
    assert sorted(names, key=natural_key) == ["1.weight", "2.weight", "10.weight", "layers.9.w", "layers.10.w"]


def test_layer_keys_groups_and_orders():
    shapes = {"10.weight": (1, 2), "10.bias": (1,), "2.weight": (2, 3), "2.bias": (2,), "0.weight": (3, 4)}
    keys = layer_keys(shapes, "f")
    assert [(k.weight, k.bias) for k in keys] == [("0.weight", None), ("2.weight", "2.bias"), ("10.weight", "10.bias")]
    assert [k.weight for k in layer_keys({"weight": (1, 1), "bias": (1,)}, "f")] == ["weight"]


def test_layer_keys_lists_every_unsupported_entry():
    shapes = {"0.weight": (2, 2), "1.weight": (2,), "1.running_mean": (2,), "conv.weight": (1, 1, 3),
              "orphan.bias": (2,)}
    with pytest.raises(UnsupportedError) as exc:
        layer_keys(shapes, "f")
    msg = str(exc.value)
    for key in ("'1.weight' (1-D weight", "'1.running_mean' (not a weight or bias)", "'conv.weight' (3-D weight",
                "'orphan.bias' (a bias without a matching weight)"):
        assert key in msg


def test_network_from_arrays_checks_shapes_naming_tensors():
    w0, w1 = np.ones((3, 2)), np.ones((1, 4))
    with pytest.raises(NetworkError, match=r"'b.weight' has 4 inputs but 'a.weight' has 3 outputs"):
        network_from_arrays("relu", [NamedLayer("a.weight", w0), NamedLayer("b.weight", w1)], "f")
    with pytest.raises(NetworkError, match=r"bias 'a.bias' has shape \(2,\) but weight 'a.weight' has 3 rows"):
        network_from_arrays("relu", [NamedLayer("a.weight", w0, "a.bias", np.ones(2))], "f")
    with pytest.raises(NetworkError, match="empty layer"):
        network_from_arrays("relu", [NamedLayer("a.weight", np.ones((0, 2)))], "f")
    net = network_from_arrays("tanh", [NamedLayer("a.weight", w0)], "f")
    assert net.layers[0].bias == (0, 0, 0)


def test_resolve_activation():
    assert resolve_activation("relu", None, "f") == "relu"
    assert resolve_activation(None, "tanh", "f") == "tanh"
    assert resolve_activation("relu", "relu", "f") == "relu"
    with pytest.raises(UnsupportedError, match="says activation 'relu' but 'tanh'"):
        resolve_activation("relu", "tanh", "f")
    with pytest.raises(InputError, match="--activation"):
        resolve_activation(None, None, "f")
    with pytest.raises(NetworkError, match="unknown activation 'gelu'"):
        resolve_activation("gelu", None, "f")
    assert not issubclass(FormatError, NetworkError)
