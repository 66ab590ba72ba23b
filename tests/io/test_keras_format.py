"""Keras .h5 MLPs read with h5py (files written by tests/io/keras_h5.py in Keras' own layout)."""

import numpy as np
import pytest
from flint import fmpq

from exactnet.errors import InputError, UnsupportedError
from exactnet.io import load_model, load_network
from exactnet.network import forward_exact

from .keras_h5 import dense, layer, write_keras_h5

pytest.importorskip("h5py")

RNG = np.random.default_rng(0)
K1, C1 = RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=4).astype(np.float32)
K2, C2 = RNG.normal(size=(4, 2)).astype(np.float32), RNG.normal(size=2).astype(np.float32)
WEIGHTS = {"dense": (K1, C1), "dense_1": (K2, C2)}


def f32(v) -> fmpq:
    p, q = float(v).as_integer_ratio()
    return fmpq(p, q)


def expected_layers():
    return [[[f32(K1[i, j]) for i in range(3)] for j in range(4)], [f32(v) for v in C1],
            [[f32(K2[i, j]) for i in range(4)] for j in range(2)], [f32(v) for v in C2]]


@pytest.mark.parametrize("keras3", [False, True])
@pytest.mark.parametrize("split", [False, True])
def test_sequential_relu_softmax(tmp_path, keras3, split):
    layers = [layer("InputLayer", "input_1", batch_input_shape=[None, 3]), layer("Flatten", "flatten"),
              dense("dense", 4, "relu"), layer("Dropout", "dropout", rate=0.5), dense("dense_1", 2, "softmax")]
    path = tmp_path / "m.h5"
    write_keras_h5(path, layers, WEIGHTS, keras3=keras3, split_names=split)
    model = load_model(path)
    assert model.output_transform == "softmax" and model.network.activation == "relu"
    w1, b1, w2, b2 = expected_layers()
    net = model.network
    assert [list(r) for r in net.layers[0].weight] == w1 and list(net.layers[0].bias) == b1  # W = kernelᵀ, exactly
    assert [list(r) for r in net.layers[1].weight] == w2 and list(net.layers[1].bias) == b2
    with pytest.raises(UnsupportedError, match="ends with Softmax"):
        load_network(path)


def test_tanh_and_activation_layers(tmp_path):
    layers = [dense("dense", 4), layer("Activation", "act", activation="tanh"), dense("dense_1", 2, "linear")]
    path = tmp_path / "m.h5"
    write_keras_h5(path, layers, WEIGHTS)
    net = load_network(path)
    assert net.activation == "tanh" and net.widths == (3, 4, 2)


def test_relu_max_value_and_relu6_are_exact_relu_networks(tmp_path):
    for act_layer in (layer("ReLU", "re", max_value=6.0, negative_slope=0.0, threshold=0.0),
                      layer("Activation", "re", activation="relu6")):
        path = tmp_path / "m.h5"
        write_keras_h5(path, [dense("dense", 4), act_layer, dense("dense_1", 2)], WEIGHTS)
        net = load_network(path)
        assert net.widths == (3, 8, 2)
        w1, b1, w2, b2 = expected_layers()
        for x in [(0, 0, 0), (1, -2, 3), (fmpq(7, 3), 5, -1), (30, 30, -30)]:
            h = [min(max(b + sum(w * v for w, v in zip(row, x)), fmpq(0)), fmpq(6)) for row, b in zip(w1, b1)]
            y = tuple(b + sum(w * v for w, v in zip(row, h)) for row, b in zip(w2, b2))
            assert forward_exact(net, x) == y


def test_weights_only_file_needs_the_activation(tmp_path):
    path = tmp_path / "w.h5"
    write_keras_h5(path, [dense("dense", 4), layer("Dropout", "d"), dense("dense_1", 2)], WEIGHTS, weights_only=True)
    with pytest.raises(InputError, match="--activation"):
        load_network(path)
    assert load_network(path, activation="relu").widths == (3, 4, 2)


def test_functional_chain(tmp_path):
    layers = [{"class_name": "InputLayer", "name": "in", "config": {"name": "in"}, "inbound_nodes": []},
              {**dense("dense", 4, "relu"), "name": "dense", "inbound_nodes": [[["in", 0, 0, {}]]]},
              {**dense("dense_1", 2), "name": "dense_1", "inbound_nodes": [[["dense", 0, 0, {}]]]}]
    path = tmp_path / "f.h5"
    write_keras_h5(path, layers, WEIGHTS, class_name="Functional")
    assert load_network(path).widths == (3, 4, 2)
    layers[2]["inbound_nodes"] = [[["in", 0, 0, {}]]]
    write_keras_h5(path, layers, WEIGHTS, class_name="Functional")
    with pytest.raises(UnsupportedError, match="one chain"):
        load_network(path)


@pytest.mark.parametrize("layers,match", [
    ([layer("Conv2D", "conv"), dense("dense", 4, "relu"), layer("BatchNormalization", "bn"), dense("dense_1", 2)],
     "conv \\(Conv2D\\), bn \\(BatchNormalization\\)"),
    ([dense("dense", 4, "elu"), dense("dense_1", 2)], "activation 'elu'"),
    ([dense("dense", 4), dense("dense_1", 2)], "no activation between"),
    ([dense("dense", 4, "relu"), dense("dense_1", 2, "relu")], "ends with the activation"),
    ([dense("dense", 4, "softmax"), dense("dense_1", 2)], "softmax before the last layer"),
    ([dense("dense", 4, "relu"), layer("Activation", "a", activation="relu"), dense("dense_1", 2)], "two activations"),
    ([dense("dense", 4, "tanh"), layer("ReLU", "r"), dense("dense_1", 2)], "two activations"),
    ([dense("dense", 4), layer("ReLU", "r", negative_slope=0.1), dense("dense_1", 2)], "negative_slope"),
])
def test_unsupported_models(tmp_path, layers, match):
    path = tmp_path / "m.h5"
    write_keras_h5(path, layers, WEIGHTS)
    with pytest.raises(UnsupportedError, match=match):
        load_network(path)


def test_damaged_files(tmp_path):
    path = tmp_path / "m.h5"
    path.write_bytes(b"not hdf5 at all")
    with pytest.raises(InputError, match="not a readable HDF5 file"):
        load_network(path)
    import h5py

    with h5py.File(path, "w") as f:
        f.create_group("layers/dense/vars")
    with pytest.raises(UnsupportedError, match="records no layer order"):
        load_network(path)
    write_keras_h5(path, [dense("dense", 4, "relu"), dense("dense_1", 2)],
                   {"dense": (K1, C1), "dense_1": (K2, np.array([np.nan, 0], np.float32))})
    with pytest.raises(InputError, match="NaN"):
        load_network(path)
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = b"{not json"
    with pytest.raises(InputError, match="not valid JSON"):
        load_network(path)
