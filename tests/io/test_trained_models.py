"""Trained models as they come: Dropout/Flatten/Identity, HardTanh/ReLU6/Clip as ReLUs, input
normalisation folded exactly, a final Softmax/LogSoftmax as an argmax-only output transform, ONNX
from both PyTorch exporters. Every import is compared with an exact reference at random points."""

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import UnsupportedError
from exactnet.io import load_model, load_network
from exactnet.io.imported import ImportedNetwork
from exactnet.network import forward_exact

from .exporter_models import make_model, raw_params, reference
from .helpers import FIXTURES

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

points = st.lists(st.fractions(-8, 8, max_denominator=64), min_size=3, max_size=3)


def as_fmpq(values):
    return tuple(fmpq(v.numerator, v.denominator) for v in values)


def check_same_function(model: ImportedNetwork, params, xs):
    for x in xs:
        assert forward_exact(model.network, as_fmpq(x)) == as_fmpq(reference(params, x))


# ---------------------------------------------------------------------------------------------
# committed files of both exporters (no torch needed)
# ---------------------------------------------------------------------------------------------

PARAMS = dict(np.load(FIXTURES / "exporter_params.npz"))


@pytest.mark.parametrize("name", ["exporter_torchscript.onnx", "exporter_dynamo.onnx"])
@settings(max_examples=40, deadline=None)
@given(x=points)
def test_committed_exporter_files_import_exactly(name, x):
    model = load_model(FIXTURES / name)
    assert model.output_transform == "log_softmax" and model.network.activation == "relu"
    check_same_function(model, PARAMS, [x, [0, 0, 0]])


@pytest.mark.parametrize("name", ["exporter_torchscript.onnx", "exporter_dynamo.onnx"])
def test_both_exporters_give_the_same_network(name):
    a = load_model(FIXTURES / "exporter_torchscript.onnx").network
    assert load_model(FIXTURES / name).network == a
    notes = " ".join(load_model(FIXTURES / name).notes)
    assert "folded exactly" in notes and "rewritten exactly as ReLU units" in notes


def test_value_questions_refuse_the_softmax_model():
    with pytest.raises(UnsupportedError, match="LogSoftmax.*top-1.*not for exact and ε questions"):
        load_network(FIXTURES / "exporter_dynamo.onnx")
    model = load_model(FIXTURES / "exporter_dynamo.onnx")
    assert model.argmax_only and model.for_top1() is model.network


# ---------------------------------------------------------------------------------------------
# generated at test time with torch (the dynamo exporter also needs onnxscript)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dynamo", [False, True])
def test_fresh_exports_of_both_exporters(tmp_path, dynamo):
    torch = pytest.importorskip("torch")
    if dynamo:
        pytest.importorskip("onnxscript")
    model = make_model(seed=7)
    path = tmp_path / "m.onnx"
    kw = {"dynamic_shapes": ({0: torch.export.Dim("batch")},)} if dynamo else {"dynamic_axes": {"x": {0: "batch"}}}
    torch.onnx.export(model, (torch.zeros(2, 3),), str(path), dynamo=dynamo, input_names=["x"], output_names=["y"],
                      **kw)
    imported = load_model(path)
    rng = np.random.default_rng(1)
    xs = [[Fraction(int(v), 16) for v in rng.integers(-64, 64, 3)] for _ in range(25)]
    check_same_function(imported, raw_params(model), xs)
    # and the logits agree with torch's own float evaluation up to float32 rounding
    with torch.no_grad():
        logits = model[:-1](torch.tensor([[float(v) for v in xs[0]]]))[0].double().numpy()
    exact = [float(Fraction(int(v.p), int(v.q))) for v in forward_exact(imported.network, as_fmpq(xs[0]))]
    assert np.allclose(exact, logits, rtol=1e-4, atol=1e-4)  # a sanity check only; exactness is asserted above


def test_torch_sequential_module_file_and_in_memory(tmp_path):
    torch = pytest.importorskip("torch")
    from torch import nn

    from exactnet.io.torch_format import from_torch, import_torch

    model = make_model(seed=3)
    body = nn.Sequential(*list(model)[1:])  # without the custom Normalize module
    path = tmp_path / "m.pt"
    torch.save(body, path)
    for use_torch in (True, False):
        from exactnet.io.torch_format import load_model as torch_load_model

        m = torch_load_model(path, use_torch=use_torch)
        assert m.output_transform == "log_softmax"
        params = dict(raw_params(model), mean=np.zeros(3, np.float32), std=np.ones(3, np.float32))
        check_same_function(m, params, [[Fraction(1, 3), -2, Fraction(5, 7)], [0, 0, 0], [4, -4, 1]])
    assert import_torch(body).network == m.network
    with pytest.raises(UnsupportedError, match="LogSoftmax"):
        from_torch(body)
    for bad, match in [
        (nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)), "dim=0"),
        (nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1), nn.ReLU(), nn.Linear(2, 1)), "before the last layer"),
        (nn.Sequential(nn.Linear(2, 2), nn.Hardtanh(), nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)),
         "mixed activations"),
    ]:
        with pytest.raises(UnsupportedError, match=match):
            import_torch(bad)


def test_reading_pt_does_not_import_torch(tmp_path):
    from exactnet.io.torch_pickle import write_state_dict

    path = tmp_path / "s.pt"
    write_state_dict(path, {"0.weight": np.eye(2, dtype=np.float32), "0.bias": np.zeros(2, np.float32),
                            "2.weight": np.ones((1, 2), np.float32), "2.bias": np.zeros(1, np.float32)})
    code = ("import sys; from exactnet.io import load_network, save_network; "
            f"n = load_network({str(path)!r}, 'relu'); save_network(n, {str(tmp_path / 'o.pt')!r}); "
            "print(n.widths, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(2, 2, 1) False"


# ---------------------------------------------------------------------------------------------
# hand-made ONNX graphs: ACAS-style normalisation, Clip forms, Reshape, Dropout
# ---------------------------------------------------------------------------------------------


def graph_model(nodes, inits, input_shape, opset=13, elem=TensorProto.FLOAT):
    initializers = [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", elem, list(input_shape))],
                              [helper.make_tensor_value_info("y", elem, None)], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def load_graph(tmp_path, *args, **kw):
    path = tmp_path / "g.onnx"
    onnx.save(graph_model(*args, **kw), str(path))
    return load_model(path, activation="relu")


def q32(v) -> fmpq:
    p, d = float(np.float32(v)).as_integer_ratio()
    return fmpq(p, d)


def test_acas_style_normalisation_is_folded_exactly(tmp_path):
    mean = np.array([[[[0.1, 0.2, -0.3, 7.0, 0.0]]]], np.float32)
    rng = np.array([[[[6.28, 3.14, 1.5, 1100.0, 60.0]]]], np.float32)
    W = np.arange(10, dtype=np.float32).reshape(5, 2) / 4
    nodes = [helper.make_node("Sub", ["x", "mean"], ["s"]), helper.make_node("Div", ["s", "range"], ["d"]),
             helper.make_node("Flatten", ["d"], ["f"]), helper.make_node("MatMul", ["f", "W"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "V"], ["y"], transB=1)]
    model = load_graph(tmp_path, nodes, {"mean": mean, "range": rng, "W": W, "b": np.array([0.5, -1], np.float32),
                                         "V": np.ones((1, 2), np.float32)}, (1, 1, 1, 5))
    layer = model.network.layers[0]
    for j in range(2):
        for i in range(5):
            assert layer.weight[j][i] == q32(W[i, j]) / q32(rng.flat[i])
        expected = q32([0.5, -1][j]) - sum((q32(W[i, j]) * q32(mean.flat[i]) / q32(rng.flat[i]) for i in range(5)),
                                           fmpq(0))
        assert layer.bias[j] == expected


def test_per_channel_image_normalisation_and_reshape(tmp_path):
    mean = np.array([0.5, -0.25], np.float32).reshape(1, 2, 1, 1)  # one value per channel
    nodes = [helper.make_node("Sub", ["x", "mean"], ["s"]), helper.make_node("Mul", ["s", "two"], ["m"]),
             helper.make_node("Reshape", ["m", "shape"], ["f"]), helper.make_node("Gemm", ["f", "W"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["r"]), helper.make_node("Gemm", ["r", "V"], ["y"], transB=1)]
    W = np.eye(8, dtype=np.float32)[:3]
    model = load_graph(tmp_path, nodes, {"mean": mean, "two": np.float32(2), "shape": np.array([-1, 8]), "W": W,
                                         "V": np.ones((1, 3), np.float32)}, ("N", 2, 2, 2))
    # features in C order: channel 0 → inputs 0..3, channel 1 → inputs 4..7
    assert [row.index(2) for row in model.network.layers[0].weight] == [0, 1, 2]
    assert model.network.layers[0].bias == (-1, -1, -1)  # 2·(x − 1/2) on channel 0


@pytest.mark.parametrize("opset,clip_node,inits", [
    (13, helper.make_node("Clip", ["h", "lo", "hi"], ["c"]), {"lo": np.float32(-1), "hi": np.float32(1)}),
    (6, helper.make_node("Clip", ["h"], ["c"], min=-1.0, max=1.0), {}),
    (13, helper.make_node("Clip", ["h", "", "hi"], ["c"]), {"hi": np.float32(1)}),
    (13, helper.make_node("Clip", ["h", "lo"], ["c"]), {"lo": np.float32(-1)}),
])
def test_clip_forms_are_exact(tmp_path, opset, clip_node, inits):
    W = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W"], ["h"], transB=1), clip_node,
             helper.make_node("Dropout", ["c"], ["d"]), helper.make_node("Gemm", ["d", "V"], ["y"], transB=1)]
    model = load_graph(tmp_path, nodes, {"W": W, "V": np.array([[1.0, -1.0]], np.float32), **inits}, ("N", 2),
                       opset=opset)
    attrs = {a.name: a.f for a in clip_node.attribute}
    lo = attrs.get("min", float(inits["lo"]) if "lo" in inits else None)
    hi = attrs.get("max", float(inits["hi"]) if "hi" in inits else None)
    for x in [(0, 0), (1, 1), (-3, 2), (fmpq(1, 3), fmpq(-5, 7)), (10, -10)]:
        c = []
        for row in W:
            z = sum((q32(w) * fmpq(v) for w, v in zip(row, x)), fmpq(0))
            if lo is not None:
                z = max(z, q32(lo))
            if hi is not None:
                z = min(z, q32(hi))
            c.append(z)
        assert forward_exact(model.network, x) == (c[0] - c[1],)


@pytest.mark.parametrize("nodes,match", [
    ([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1), helper.make_node("Softmax", ["h"], ["s"]),
      helper.make_node("Relu", ["s"], ["y"])], "must be the last operation"),
    ([helper.make_node("Softmax", ["x"], ["s"]), helper.make_node("Gemm", ["s", "W"], ["y"], transB=1)],
     "must follow the last linear layer"),
    ([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1), helper.make_node("Softmax", ["h"], ["y"], axis=0)],
     "axis 0"),
    ([helper.make_node("Div", ["two", "x"], ["d"]), helper.make_node("Gemm", ["d", "W"], ["y"], transB=1)],
     "divides a constant by the data"),
    ([helper.make_node("Div", ["x", "zero"], ["d"]), helper.make_node("Gemm", ["d", "W"], ["y"], transB=1)],
     "divides by zero"),
    ([helper.make_node("Reshape", ["x", "bad"], ["r"]), helper.make_node("Gemm", ["r", "W"], ["y"], transB=1)],
     "not a flattening"),
    ([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1), helper.make_node("Sub", ["h", "two"], ["y"])],
     None),
])
def test_graph_structures(tmp_path, nodes, match):
    inits = {"W": np.eye(2, dtype=np.float32), "two": np.float32(2), "zero": np.zeros(2, np.float32),
             "bad": np.array([2, 1])}
    if match is None:  # an output shift after the last layer folds into it
        model = load_graph(tmp_path, nodes, inits, ("N", 2))
        assert forward_exact(model.network, (1, 5)) == (-1, 3)
        return
    with pytest.raises(UnsupportedError, match=match):
        load_graph(tmp_path, nodes, inits, ("N", 2))
