"""NumPy .npz import/export."""

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings

from exactnet.errors import FormatError, InputError, NetworkError, NumberError, UnsupportedError
from exactnet.io import load_network, save_network
from exactnet.network import Network

from .helpers import networks, rationals

NET = Network.from_lists("relu", [([["1/4", "-3/2"], [0, 5]], ["1/8", -1]), ([[2, "-1/1024"]], [7])])


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "n.npz"
    rep = save_network(NET, path)
    assert rep.exact and rep.total == NET.num_parameters and rep.dtype == "float64" and rep.format == "numpy"
    assert load_network(path) == NET


def test_layout_written(tmp_path):
    path = tmp_path / "n.npz"
    save_network(NET, path, dtype="float32")
    with np.load(path, allow_pickle=False) as z:
        assert sorted(z.files) == ["W0", "W1", "activation", "b0", "b1"]
        assert z["W0"].dtype == np.float32 and z["W0"].shape == (2, 2)
        assert z["activation"].shape == () and str(z["activation"]) == "relu"


@settings(max_examples=25, deadline=None)
@given(networks())
def test_random_float64_networks_round_trip(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("npz") / "n.npz"
    assert save_network(net, path).exact
    assert load_network(path) == net


@settings(max_examples=15, deadline=None)
@given(networks(entries=rationals()))
def test_rounding_is_reported_and_matches_the_stored_values(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("npz") / "n.npz"
    rep = save_network(net, path, dtype="float32")
    back = load_network(path)
    changed = [(a, b) for a, b in zip(net.entries(), back.entries()) if a != b]
    assert rep.rounded == len(changed)
    assert rep.max_abs_error == (str(max(abs(a - b) for a, b in changed)) if changed else "0")


def test_float32_import_exactness(tmp_path):
    path = tmp_path / "f.npz"
    np.savez(path, W0=np.array([[0.1]], dtype=np.float32), b0=np.array([0.1], dtype=np.float32))
    net = load_network(path, activation="tanh")
    assert net.layers[0].weight[0][0] == fmpq(13421773, 134217728)


def test_state_dict_style_names(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, **{"layers.10.weight": np.array([[1.0, 2.0]]), "layers.2.weight": np.array([[1.0], [3.0]]),
                      "layers.2.bias": np.array([0.5, 0.25]), "activation": np.array("tanh")})
    net = load_network(path)
    assert net.activation == "tanh" and net.widths == (1, 2, 1)
    assert net.layers[1].bias == (0,)


def test_missing_bias_and_numbering_gaps(tmp_path):
    path = tmp_path / "g.npz"
    np.savez(path, W0=np.ones((2, 1)), W1=np.ones((1, 2)), b1=np.array([3.0]))
    net = load_network(path, activation="relu")
    assert net.layers[0].bias == (0, 0) and net.layers[1].bias == (3,)
    np.savez(path, W0=np.ones((2, 1)), W2=np.ones((1, 2)))
    with pytest.raises(FormatError, match="missing W1"):
        load_network(path, activation="relu")
    np.savez(path, W0=np.ones((2, 1)), b3=np.ones(1))
    with pytest.raises(FormatError, match="biases without weights: b3"):
        load_network(path, activation="relu")
    np.savez(path, W0=np.ones((2, 1)), extra=np.ones(1), other=np.ones(1))
    with pytest.raises(UnsupportedError, match="'extra', 'other'"):
        load_network(path, activation="relu")


def test_activation_required_or_consistent(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, W0=np.ones((1, 1)))
    with pytest.raises(InputError, match="does not record the activation"):
        load_network(path)
    save_network(NET, path)
    with pytest.raises(UnsupportedError, match="says activation 'relu' but 'tanh'"):
        load_network(path, activation="tanh")
    np.savez(path, W0=np.ones((1, 1)), activation=np.array("sigmoid"))
    with pytest.raises(NetworkError, match="unknown activation 'sigmoid'"):
        load_network(path)
    np.savez(path, W0=np.ones((1, 1)), activation=np.array([1.0]))
    with pytest.raises(FormatError, match="0-d string"):
        load_network(path)


def test_nan_weight_is_named(tmp_path):
    path = tmp_path / "nan.npz"
    np.savez(path, W0=np.array([[1.0, 2.0], [3.0, np.nan]]), activation=np.array("relu"))
    with pytest.raises(NumberError, match=r"tensor 'W0' has NaN at index \[1, 1\]"):
        load_network(path)


def test_wrong_shapes(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, W0=np.ones((2, 3)), b0=np.ones(3), activation=np.array("relu"))
    with pytest.raises(NetworkError, match=r"bias 'b0' has shape \(3,\) but weight 'W0' has 2 rows"):
        load_network(path)
    np.savez(path, W0=np.ones((2, 3)), W1=np.ones((1, 3)), activation=np.array("relu"))
    with pytest.raises(NetworkError, match=r"'W1' has 3 inputs but 'W0' has 2 outputs"):
        load_network(path)
    np.savez(path, W0=np.ones(3), activation=np.array("relu"))
    with pytest.raises(NetworkError, match="expected 2-D"):
        load_network(path)


def test_object_arrays_are_never_unpickled(tmp_path):
    path = tmp_path / "o.npz"
    np.savez(path, W0=np.array([[object()]], dtype=object))
    with pytest.raises(UnsupportedError, match="Python objects"):
        load_network(path, activation="relu")


@pytest.mark.parametrize("cut", [0, 1, 10, 100, -40, -1])
def test_truncated_archives(tmp_path, cut):
    path = tmp_path / "n.npz"
    save_network(NET, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    with pytest.raises(FormatError):
        load_network(path)


def test_corrupt_member_is_detected(tmp_path):
    path = tmp_path / "n.npz"
    save_network(NET, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x93NUMPY")  # first array inside the (stored) zip
    data[start + 130] ^= 0xFF  # flip a byte of the data: the zip CRC catches it
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError):
        load_network(path)


def test_not_an_archive(tmp_path):
    npy = tmp_path / "single.npz"
    with open(npy, "wb") as fh:
        np.save(fh, np.ones(3))
    with pytest.raises(FormatError, match="single .npy"):
        load_network(npy)
    with pytest.raises(InputError, match="no such file"):
        load_network(tmp_path / "missing.npz")
    with pytest.raises(InputError, match="is a directory"):
        (tmp_path / "d.npz").mkdir()
        load_network(tmp_path / "d.npz")


def test_write_error(tmp_path):
    with pytest.raises(InputError, match="cannot write"):
        save_network(NET, tmp_path / "no" / "such" / "dir.npz")
