"""ONNX import/export (needs onnx: part of the test extra)."""

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import FormatError, InputError, NumberError, UnsupportedError
from exactnet.io import load_network, save_network
from exactnet.io.onnx_format import to_onnx
from exactnet.network import Network, forward_exact

from .helpers import FIXTURES, expected_network, networks

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

ELEM = {np.dtype("float16"): TensorProto.FLOAT16, np.dtype("float32"): TensorProto.FLOAT,
        np.dtype("float64"): TensorProto.DOUBLE}


def make_model(nodes, inits=None, input_shape=("N", 2), elem=TensorProto.DOUBLE, out="y", metadata=None,
               raw=True, extra_inputs=(), outputs=None):
    initializers = []
    for name, arr in (inits or {}).items():
        arr = np.asarray(arr)
        if raw:
            initializers.append(numpy_helper.from_array(arr, name))
        else:  # typed fields instead of raw_data
            initializers.append(helper.make_tensor(name, ELEM[arr.dtype], arr.shape, arr.flatten().tolist()))
    inputs = [helper.make_tensor_value_info("x", elem, list(input_shape) if input_shape is not None else None)]
    inputs += [helper.make_tensor_value_info(n, elem, ["N", 2]) for n in extra_inputs]
    outs = outputs or [helper.make_tensor_value_info(out, elem, None)]
    graph = helper.make_graph(nodes, "g", inputs, outs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def save_model(tmp_path, model, name="m.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def q(v) -> fmpq:
    p, d = float(v).as_integer_ratio()
    return fmpq(p, d)


# ---------------------------------------------------------------------------------------------
# export → import
# ---------------------------------------------------------------------------------------------

NET = Network.from_lists("relu", [([["1/4", "-3/2"], [0, 5], [1, 1]], ["1/8", -1, 0]), ([[2, "-1/1024", 3]], [7])])


def test_round_trip_and_export_structure(tmp_path):
    path = tmp_path / "n.onnx"
    rep = save_network(NET, path)
    assert rep.exact and rep.format == "onnx" and rep.total == NET.num_parameters
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm"]
    assert model.opset_import[0].version == 13
    assert {p.key: p.value for p in model.metadata_props} == {"exactnet.activation": "relu"}
    assert load_network(path) == NET


@settings(max_examples=20, deadline=None)
@given(networks())
def test_random_float64_networks_round_trip(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("onnx") / "n.onnx"
    assert save_network(net, path).exact
    assert load_network(path) == net


def test_exported_model_computes_the_network(tmp_path):
    # integer inputs and dyadic weights: float64 evaluation by the ONNX reference runtime is exact
    from onnx.reference import ReferenceEvaluator

    model, _ = to_onnx(NET)
    x = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    (y,) = ReferenceEvaluator(model).run(None, {"input": x})
    for row, out in zip(x.tolist(), y.tolist()):
        assert [q(v) for v in out] == list(forward_exact(NET, [q(v) for v in row]))


@pytest.mark.parametrize("dtype,elem", [("float16", TensorProto.FLOAT16), ("float32", TensorProto.FLOAT)])
def test_export_dtypes_and_rounding(tmp_path, dtype, elem):
    net = Network.from_lists("tanh", [([["1/3", 1]], [0]), ([["sqrt(2)"]], ["1/10"])])
    path = tmp_path / "r.onnx"
    rep = save_network(net, path, dtype=dtype)
    assert rep.rounded == 3 and rep.dtype == dtype
    model = onnx.load(str(path))
    assert model.graph.input[0].type.tensor_type.elem_type == elem
    assert all(t.data_type == elem for t in model.graph.initializer)
    back = load_network(path)
    assert back.layers[0].weight[0][0] == q(getattr(np, dtype)(1 / 3))
    assert back.layers[1].weight[0][0] == q(getattr(np, dtype)(np.sqrt(2)))


def test_single_layer_export_keeps_activation_in_metadata(tmp_path):
    net = Network.from_lists("tanh", [([[1, 2]], [3])])
    save_network(net, tmp_path / "one.onnx")
    assert load_network(tmp_path / "one.onnx") == net


# ---------------------------------------------------------------------------------------------
# graphs written by torch.onnx.export (fixtures)
# ---------------------------------------------------------------------------------------------


def test_torch_exported_gemm_graph():
    assert load_network(FIXTURES / "torch_gemm.onnx") == expected_network("relu", "float32")


def test_torch_exported_matmul_add_graph():
    # 3-D input (1, 4, 2): MatMul with transposed weight initializers, Add(bias, x) with the bias first
    assert load_network(FIXTURES / "torch_matmul.onnx") == expected_network("tanh", "float32")


# ---------------------------------------------------------------------------------------------
# hand-made graphs: Gemm attributes, MatMul + Add, constants
# ---------------------------------------------------------------------------------------------

small = st.integers(-3, 3).map(float)
scalars = st.sampled_from([1.0, 0.5, -2.0, 0.25])


@st.composite
def gemm_graphs(draw):
    """A Relu network in one of the layouts ONNX allows: Gemm with the data as A or as B
    (features × batch), any transA/transB matching the layout, alpha/beta, bias shapes,
    and MatMul + Add on either side."""
    dims = [2, 4, 1]  # batch is 3: a mix-up of batch and features changes shapes
    nodes, inits, orient, cur = [], {}, "R", "x"
    layers = []
    for k, (n_in, n_out) in enumerate(zip(dims, dims[1:])):
        w = np.array([[draw(small) for _ in range(n_in)] for _ in range(n_out)])
        b = np.array([draw(small) for _ in range(n_out)])
        out = f"h{k}"
        kind = draw(st.sampled_from(["gemm_a", "gemm_b", "matmul"]))
        if kind == "matmul":
            if orient == "R":
                inits[f"M{k}"] = w.T
                nodes.append(helper.make_node("MatMul", [cur, f"M{k}"], [f"mm{k}"]))
                inits[f"c{k}"] = b if draw(st.booleans()) else b.reshape(1, -1)
            else:
                inits[f"M{k}"] = w
                nodes.append(helper.make_node("MatMul", [f"M{k}", cur], [f"mm{k}"]))
                inits[f"c{k}"] = b.reshape(-1, 1)
            add_in = [f"mm{k}", f"c{k}"] if draw(st.booleans()) else [f"c{k}", f"mm{k}"]
            nodes.append(helper.make_node("Add", add_in, [out]))
            layers.append((w, b))
        else:
            alpha, beta = draw(scalars), draw(scalars)
            if kind == "gemm_a":  # Y = α op(X) op(B) + β C, layout stays/becomes batch × features
                trans_a = 0 if orient == "R" else 1
                trans_b = draw(st.integers(0, 1))
                inits[f"B{k}"] = w / alpha if trans_b else (w / alpha).T
                inits[f"C{k}"] = b / beta if draw(st.booleans()) else (b / beta).reshape(1, -1)
                nodes.append(helper.make_node("Gemm", [cur, f"B{k}", f"C{k}"], [out], alpha=alpha, beta=beta,
                                              transA=trans_a, transB=trans_b))
                orient = "R"
            else:  # Y = α op(A) op(X) + β C: features × batch
                trans_b = 1 if orient == "R" else 0
                trans_a = draw(st.integers(0, 1))
                inits[f"A{k}"] = (w / alpha).T if trans_a else w / alpha
                inits[f"C{k}"] = (b / beta).reshape(-1, 1)
                nodes.append(helper.make_node("Gemm", [f"A{k}", cur, f"C{k}"], [out], alpha=alpha, beta=beta,
                                              transA=trans_a, transB=trans_b))
                orient = "C"
            layers.append((w, b))
        cur = out
        if k == 0:
            nodes.append(helper.make_node("Relu", [cur], ["r0"]))
            cur = "r0"
    nodes.append(helper.make_node("Identity", [cur], ["y"]))
    return make_model(nodes, inits), layers, orient


@settings(max_examples=40, deadline=None)
@given(gemm_graphs())
def test_gemm_and_matmul_layouts_import_exactly(tmp_path_factory, case):
    from onnx.reference import ReferenceEvaluator

    model, layers, orient = case
    path = save_model(tmp_path_factory.mktemp("g"), model)
    net = load_network(path)
    # the imported parameters are the ones the graph encodes ...
    for layer, (w, b) in zip(net.layers, layers):
        assert layer.weight == tuple(tuple(q(v) for v in row) for row in w.tolist())
        assert layer.bias == tuple(q(v) for v in b.tolist())
    # ... and the network computes what the ONNX reference runtime computes (exact in float64 here)
    x = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, -1.0]])
    (y,) = ReferenceEvaluator(model).run(None, {"x": x})
    if orient == "C":
        y = y.T
    for row, out in zip(x.tolist(), y.tolist()):
        assert [q(v) for v in out] == list(forward_exact(net, [q(v) for v in row]))


def test_alpha_beta_are_exact_float32_values(tmp_path):
    # alpha = 0.1 is stored as float32: the layer is scaled by float32(0.1) exactly
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["y"], alpha=0.1, beta=0.3, transB=1)]
    path = save_model(tmp_path, make_model(nodes, {"W": np.array([[1.0, 2.0]]), "b": np.array([1.0])}))
    net = load_network(path, activation="relu")
    a, b = q(np.float32(0.1)), q(np.float32(0.3))
    assert net.layers[0].weight == ((a, 2 * a),) and net.layers[0].bias == (b,)


@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_initializer_encodings(tmp_path, raw, dtype):
    w = np.array([[0.1, -0.5]], dtype=dtype)
    b = np.array([0.3], dtype=dtype)
    elem = ELEM[np.dtype(dtype)]
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["y"], transB=1)]
    path = save_model(tmp_path, make_model(nodes, {"W": w, "b": b}, elem=elem, raw=raw))
    net = load_network(path, activation="tanh")
    assert net.layers[0].weight == ((q(w[0, 0]), fmpq(-1, 2)),) and net.layers[0].bias == (q(b[0]),)
    if dtype == "float32":
        assert net.layers[0].weight[0][0] == fmpq(13421773, 134217728)


def test_bfloat16_initializer(tmp_path):
    t = helper.make_tensor("W", TensorProto.BFLOAT16, [1, 1], [0.1])
    graph = helper.make_graph([helper.make_node("Gemm", ["x", "W"], ["y"], transB=1)], "g",
                              [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, ["N", 1])],
                              [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, None)], [t])
    path = save_model(tmp_path, helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    assert load_network(path, activation="relu").layers[0].weight == ((fmpq(205, 2048),),)


def test_constant_nodes_and_identity_on_weights(tmp_path):
    nodes = [
        helper.make_node("Constant", [], ["Wc"], value=numpy_helper.from_array(np.array([[0.5, 1.0], [2.0, 0.25]]))),
        helper.make_node("Identity", ["Wc"], ["W"]),
        helper.make_node("Constant", [], ["bc"], value_floats=[0.1, 0.0]),
        helper.make_node("Flatten", ["x"], ["xf"], axis=1),
        helper.make_node("MatMul", ["xf", "W"], ["m"]),
        helper.make_node("Add", ["bc", "m"], ["a"]),
        helper.make_node("Tanh", ["a"], ["t"]),
        helper.make_node("Constant", [], ["W2"], value=numpy_helper.from_array(np.array([[3.0], [-1.0]]))),
        helper.make_node("Constant", [], ["b2"], value_float=2.0),
        helper.make_node("MatMul", ["t", "W2"], ["m2"]),
        helper.make_node("Add", ["m2", "b2"], ["y"]),
    ]
    net = load_network(save_model(tmp_path, make_model(nodes)))
    assert net.activation == "tanh"
    assert net.layers[0].weight == ((fmpq(1, 2), 2), (1, fmpq(1, 4)))
    assert net.layers[0].bias == (fmpq(13421773, 134217728), 0)
    assert net.layers[1].weight == ((3, -1),) and net.layers[1].bias == (2,)


def test_flatten_of_image_input(tmp_path):
    nodes = [helper.make_node("Flatten", ["x"], ["f"]), helper.make_node("Gemm", ["f", "W"], ["y"], transB=1)]
    model = make_model(nodes, {"W": np.ones((2, 12))}, input_shape=("N", 3, 2, 2))
    net = load_network(save_model(tmp_path, model), activation="relu")
    assert net.widths == (12, 2)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def test_unsupported_ops_are_all_listed(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "K"], ["c"]),
        helper.make_node("MaxPool", ["c"], ["p"], kernel_shape=[2]),
        helper.make_node("Sigmoid", ["p"], ["s"]),
        helper.make_node("Gemm", ["s", "W"], ["g"]),
        helper.make_node("Relu", ["g"], ["r"]),
        helper.make_node("Softplus", ["r"], ["y"]),
        helper.make_node("FusedThing", ["y"], ["z"], domain="com.example"),
    ]
    path = save_model(tmp_path, make_model(nodes, {"K": np.ones((1, 1, 1)), "W": np.ones((1, 1))}))
    with pytest.raises(UnsupportedError) as exc:
        load_network(path)
    msg = str(exc.value)
    assert "unsupported ONNX operators: Conv, MaxPool, Sigmoid, Softplus, com.example.FusedThing" in msg


def gemm(i, w="W", b=None, out=None, **kw):
    return helper.make_node("Gemm", [i, w] + ([b] if b else []), [out or f"{i}_g"], transB=1, **kw)


W22 = {"W": np.eye(2), "V": np.ones((1, 2))}


@pytest.mark.parametrize("nodes,match", [
    ([gemm("x", out="h"), helper.make_node("Relu", ["h"], ["r"]), helper.make_node("Tanh", ["r"], ["t"]),
      gemm("t", "V", out="y")], "two activations in a row"),
    ([gemm("x", out="h"), helper.make_node("Relu", ["h"], ["r"]), gemm("r", "W", out="h2"),
      helper.make_node("Tanh", ["h2"], ["t"]), gemm("t", "V", out="y")], "mixed activations"),
    ([gemm("x", out="h"), gemm("h", "V", out="y")], "without an activation in between"),
    ([gemm("x", out="h"), helper.make_node("Relu", ["h"], ["y"])], "ends with a linear layer|passes through an activation"),
    ([helper.make_node("Relu", ["x"], ["r"]), gemm("r", "V", out="y")], "before the first linear layer"),
    ([gemm("x", out="h"), helper.make_node("Relu", ["h"], ["r"]), gemm("r", "V", out="y1"),
      gemm("h", "V", out="y")], "branching|feeds several nodes"),
    ([gemm("x", out="h"), helper.make_node("Add", ["h", "x"], ["y"])], "feeds several nodes"),
    ([helper.make_node("Tanh", ["Cok"], ["tc"]), gemm("x", out="h"), helper.make_node("Add", ["h", "tc"], ["y"])],
     "computed tensor 'tc'"),
    ([helper.make_node("Add", ["x", "x"], ["a"]), gemm("a", "V", out="y")], "twice"),
    ([helper.make_node("Gemm", ["x", "W"], ["y"], transA=1)], "batch dimension"),
    ([helper.make_node("Flatten", ["x"], ["y0"], axis=0), gemm("y0", "V", out="y")], "axis 0"),
    ([gemm("x", out="h"), helper.make_node("Add", ["h", "Cbad"], ["y"])], "not one bias value per output unit"),
    ([helper.make_node("Add", ["x", "Cok"], ["a"]), helper.make_node("Relu", ["a"], ["r"]), gemm("r", "V", out="y")],
     "without a linear layer between"),
])
def test_structures_that_are_not_mlps(tmp_path, nodes, match):
    inits = dict(W22, Cbad=np.ones((3,)), Cok=np.ones(2))
    path = save_model(tmp_path, make_model(nodes, inits))
    with pytest.raises(UnsupportedError, match=match):
        load_network(path, activation="relu")


def test_graph_level_problems(tmp_path):
    nodes = [gemm("x", out="y")]
    two_in = make_model(nodes, W22, extra_inputs=["x2"])
    with pytest.raises(FormatError, match="exactly one data input"):
        load_network(save_model(tmp_path, two_in), activation="relu")
    two_out = make_model(nodes, W22, outputs=[helper.make_tensor_value_info("y", TensorProto.DOUBLE, None),
                                              helper.make_tensor_value_info("x_g", TensorProto.DOUBLE, None)])
    with pytest.raises(FormatError, match="exactly one output"):
        load_network(save_model(tmp_path, two_out), activation="relu")
    dead_end = make_model([gemm("x", out="h")], W22)
    with pytest.raises(FormatError, match="never reaches the output"):
        load_network(save_model(tmp_path, dead_end), activation="relu")
    vector_weight = make_model([helper.make_node("MatMul", ["x", "v"], ["y"])], {"v": np.ones(2)})
    with pytest.raises(UnsupportedError, match="2-D matrix"):
        load_network(save_model(tmp_path, vector_weight), activation="relu")


def test_single_layer_needs_activation(tmp_path):
    path = save_model(tmp_path, make_model([gemm("x", out="y")], W22))
    with pytest.raises(InputError, match="--activation"):
        load_network(path)
    assert load_network(path, activation="tanh").activation == "tanh"
    relu = save_model(tmp_path, make_model([gemm("x", out="h"), helper.make_node("Relu", ["h"], ["r"]),
                                            gemm("r", "V", out="y")], W22), "r.onnx")
    with pytest.raises(UnsupportedError, match="says activation 'relu' but 'tanh'"):
        load_network(relu, activation="tanh")


def test_nan_initializer_is_named(tmp_path):
    path = save_model(tmp_path, make_model([gemm("x", out="y")], {"W": np.array([[1.0, 0.0], [np.nan, 1.0]])}))
    with pytest.raises(NumberError, match=r"tensor 'W' has NaN at index \[1, 0\]"):
        load_network(path, activation="relu")


@pytest.mark.parametrize("cut", [0, 1, 10, 50, -30, -3])
def test_truncated_models(tmp_path, cut):
    path = tmp_path / "n.onnx"
    save_network(NET, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    with pytest.raises(InputError):
        load_network(path)


def test_inconsistent_raw_data(tmp_path):
    model = make_model([gemm("x", out="y")], W22)
    model.graph.initializer[0].raw_data = model.graph.initializer[0].raw_data[:-8]  # one double short
    path = save_model(tmp_path, model)
    with pytest.raises(FormatError, match="tensor 'W' cannot be read"):
        load_network(path, activation="relu")


def test_not_onnx(tmp_path):
    path = tmp_path / "x.onnx"
    path.write_text("this is not a protobuf at all \x00\xff")
    with pytest.raises(FormatError):
        load_network(path)
