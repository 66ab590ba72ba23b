"""ONNX models (the ``onnx`` package).

Import. The graph is traced from its single input to its single output; every node on the
way must be one of

* ``Gemm`` — ``Y = α·op(A)·op(B) + β·C`` with ``transA``/``transB`` honoured; the data may be
  ``A`` (then ``W = α·op(B)ᵀ``) or ``B`` (then ``W = α·op(A)``, and the data are laid out
  features × batch); ``α``, ``β`` are float attributes and enter as the exact dyadic
  rationals they hold;
* ``MatMul`` with a constant matrix on either side, followed by ``Add`` of a constant
  bias on either side (``x·M + b`` is the layer ``W = Mᵀ``);
* ``Relu`` or ``Tanh`` (one activation kind, exactly one between consecutive layers);
* ``Flatten`` (``axis = 1``, before the first layer or where it does not change the
  shape) and ``Identity``.

Constants are initializers (``raw_data`` or typed fields; float16/bfloat16/float32/float64 and
integers) or ``Constant`` nodes (also through ``Identity``); each float is converted exactly.
Any other op type makes the import fail with one :class:`~exactnet.errors.UnsupportedError`
naming **every** unsupported op type of the graph; structures that are not an MLP (branching,
mixed activations, two activations or two linear maps in a row, a final activation) are
reported with the node concerned. The activation comes from the graph; a graph without one
(a single affine layer) takes it from the metadata entry ``exactnet.activation`` or from the
caller.

Export. ``input [batch, n₀] → Gemm(transB=1) → Relu|Tanh → … → Gemm → output``, weights
``layers.<k>.weight`` of shape ``(out, in)`` and ``layers.<k>.bias``, correctly rounded to the
target dtype (float16/float32/float64; element type of the whole graph), opset
:data:`EXPORT_OPSET` (capped by the installed ``onnx``), the minimal IR version for it, the
activation in the model metadata, and validated with ``onnx.checker.check_model(full_check=True)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flint import fmpq

from ..errors import FormatError, InputError, MissingDependencyError, UnsupportedError
from ..network import Layer, Network
from ..numbers import format_number, from_float
from .imported import ImportedNetwork
from .limits import ElementTally, element_count
from .lowering import RELU, Clip, fold_after, fold_before, lower_to_relu
from .rounding import rounded_layers
from .tensors import exact_values, require_file, resolve_activation, write_error

SUPPORTED_OPS = frozenset({
    "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Tanh", "Clip", "Flatten", "Reshape", "Identity",
    "Dropout", "Constant", "Softmax", "LogSoftmax",
})
ACTIVATION_OPS = {"Relu": "relu", "Tanh": "tanh", "Clip": "clip"}
ELEMENTWISE_OPS = ("Add", "Sub", "Mul", "Div")
OUTPUT_TRANSFORM_OPS = {"Softmax": "softmax", "LogSoftmax": "log_softmax"}
METADATA_KEY = "exactnet.activation"
#: Opset of exported models: Gemm/Relu/Tanh are unchanged since opset 13 and every maintained
#: runtime supports it.
EXPORT_OPSET = 13


def _onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper  # noqa: F401
    except ImportError:
        raise MissingDependencyError("onnx", "onnx", "reading and writing .onnx files") from None
    return onnx


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------------


def read_model(path: Path):
    onnx = _onnx()
    require_file(path)
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # DecodeError, missing external data, ...
        raise FormatError(f"{path}: not a readable ONNX model ({_first_line(exc)})") from None
    if not model.HasField("graph"):
        raise FormatError(f"{path}: not an ONNX model (no graph; empty or truncated file?)")
    return model


def _label(node, index: int) -> str:
    return f"{node.op_type} node {node.name!r}" if node.name else f"{node.op_type} node #{index}"


class _Constants:
    """Constant tensors of a graph by name: initializers, ``Constant`` nodes, ``Identity`` of those."""

    def __init__(self, graph, source: str):
        from onnx import helper

        self.source = source
        self._tally = ElementTally(source)
        self._protos = {t.name: t for t in graph.initializer}
        self._arrays: dict[str, np.ndarray] = {}
        for i, node in enumerate(graph.node):
            if node.op_type == "Constant" and node.domain in ("", "ai.onnx") and node.output:
                self._arrays[node.output[0]] = self._constant_node(node, i, helper)
            elif node.op_type == "Identity" and len(node.input) == 1 and node.input[0] in self and node.output:
                self._alias(node.output[0], node.input[0])

    def _alias(self, new: str, old: str) -> None:
        if old in self._protos:
            self._protos[new] = self._protos[old]
        else:
            self._arrays[new] = self._arrays[old]

    def _constant_node(self, node, index: int, helper) -> np.ndarray:
        if len(node.attribute) != 1:
            raise FormatError(f"{self.source}: {_label(node, index)} must have exactly one value attribute")
        attr = node.attribute[0]
        value = helper.get_attribute_value(attr)
        if attr.name == "value":
            return self._to_array(value, node.output[0])
        if attr.name in ("value_float", "value_int"):
            return np.array(value, dtype=np.float32 if attr.name == "value_float" else np.int64)
        if attr.name in ("value_floats", "value_ints"):
            return np.array(list(value), dtype=np.float32 if attr.name == "value_floats" else np.int64)
        raise UnsupportedError(f"{self.source}: {_label(node, index)} holds a {attr.name}, not a numeric tensor")

    def _to_array(self, proto, name: str) -> np.ndarray:
        from onnx import numpy_helper

        if any(d < 0 for d in proto.dims):
            raise FormatError(f"{self.source}: tensor {name!r} has negative dimensions {list(proto.dims)}")
        self._tally.add(element_count(proto.dims), f"tensor {name!r} of shape {tuple(proto.dims)}")
        try:
            return np.asarray(numpy_helper.to_array(proto))
        except Exception as exc:
            raise FormatError(f"{self.source}: tensor {name!r} cannot be read ({_first_line(exc)}; truncated file?)") from None

    def __contains__(self, name: str) -> bool:
        return name in self._protos or name in self._arrays

    def get(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = self._to_array(self._protos[name], name)
        return self._arrays[name]

    @property
    def initializer_names(self) -> set[str]:
        return set(self._protos)


@dataclass
class _Affine:
    """A linear map in progress: ``W`` (rows of exact numbers) and bias, plus where it came from."""

    weight: list
    bias: list
    label: str
    weight_name: str
    bias_name: str | None = None

    @property
    def out_dim(self) -> int:
        return len(self.weight)


@dataclass
class _Trace:
    source: str
    orient: str  # "R": batch × features; "C": features × batch; "V": a single vector
    rank: int | None
    layers: list = field(default_factory=list)
    pending: _Affine | None = None
    activations: list = field(default_factory=list)  # (kind, label, Clip or None)
    last: str = "start"  # "start", "affine", "act"
    sample_shape: tuple | None = None  # shape of one sample before the first layer, when static
    pre: tuple | None = None  # (scale, shift): an elementwise affine map waiting for the next layer
    pre_label: str = ""
    transform: tuple | None = None  # (kind, label) of a final Softmax/LogSoftmax
    batch: int | None = None  # the static batch size, if the graph fixes it
    notes: list = field(default_factory=list)

    def fail(self, label: str, why: str):
        raise UnsupportedError(f"{self.source}: {label}: {why} (not an MLP exactnet can import)")


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _matrix(consts: _Constants, name: str, trace: _Trace, label: str) -> np.ndarray:
    m = consts.get(name)
    if m.ndim != 2:
        trace.fail(label, f"the constant {name!r} has shape {tuple(m.shape)}; a weight must be a 2-D matrix")
    if 0 in m.shape:
        trace.fail(label, f"the weight {name!r} is empty (shape {tuple(m.shape)})")
    return m


def _per_unit_bias(arr: np.ndarray, out: int, orient: str, name: str, trace: _Trace, label: str) -> list:
    shape = tuple(arr.shape)
    if arr.size == 1:
        value = exact_values(arr.reshape(()), name, trace.source)
        return [value] * out
    if orient in ("R", "V"):
        ok = len(shape) >= 1 and shape[-1] == out and int(np.prod(shape[:-1], dtype=np.int64)) == 1
        flat = arr.reshape(out) if ok else None
    else:
        ok = len(shape) == 2 and shape == (out, 1)
        flat = arr.reshape(out) if ok else None
    if not ok:
        trace.fail(label, f"the constant {name!r} of shape {shape} is not one bias value per output unit ({out})")
    return exact_values(flat, name, trace.source)


def _scale(rows: list, factor: fmpq) -> list:
    if factor == 1:
        return rows
    return [[factor * v for v in row] for row in rows]


def _start_affine(trace: _Trace, label: str) -> None:
    if trace.pending is not None:
        trace.fail(label, f"follows the linear map of {trace.pending.label} without an activation in between")


def _fold_pre(trace: _Trace, label: str) -> None:
    """Fold a waiting elementwise map ``x ↦ s∘x + t`` into the affine map just started."""
    if trace.pre is None:
        return
    affine = trace.pending
    n = len(affine.weight[0])
    scale, shift = (_widen(v, n, trace, label) for v in trace.pre)
    layer = fold_before(Layer(affine.weight, affine.bias), scale, shift)
    affine.weight, affine.bias = [list(r) for r in layer.weight], list(layer.bias)
    trace.notes.append(f"{trace.pre_label} folded exactly into {label}")
    trace.pre, trace.pre_label = None, ""


def _widen(v, n: int, trace: _Trace, label: str) -> list:
    if not isinstance(v, list):
        return [v] * n
    if len(v) != n:
        trace.fail(label, f"the elementwise constants before it have {len(v)} entries but it takes {n} inputs")
    return v


def _gemm(node, label, pos, consts, trace):
    a = _attrs(node)
    alpha, beta = from_float(float(a.get("alpha", 1.0))), from_float(float(a.get("beta", 1.0)))
    trans_a, trans_b = int(a.get("transA", 0)), int(a.get("transB", 0))
    if pos == 2:
        trace.fail(label, "the data flow into Gemm's bias input C")
    if trace.orient == "V" or (trace.rank is not None and trace.rank != 2):
        trace.fail(label, f"Gemm needs 2-D data (batch × features), the data here have rank {trace.rank}")
    _start_affine(trace, label)
    inputs = list(node.input)
    if len(inputs) < 2:
        raise FormatError(f"{trace.source}: {label} has fewer than two inputs")
    if pos == 0:
        ok = (trace.orient == "R") == (trans_a == 0)
        wname = inputs[1]
        m = _matrix(consts, wname, trace, label)
        op_b = m.T if trans_b else m  # (in, out)
        weight = exact_values(op_b.T, wname, trace.source)
        out_orient = "R"
    else:
        ok = (trace.orient == "C") == (trans_b == 0)
        wname = inputs[0]
        m = _matrix(consts, wname, trace, label)
        op_a = m.T if trans_a else m  # (out, in)
        weight = exact_values(op_a, wname, trace.source)
        out_orient = "C"
    if not ok:
        trace.fail(label, "transA/transB make Gemm multiply along the batch dimension")
    weight = _scale(weight, alpha)
    out = len(weight)
    bname = inputs[2] if len(inputs) > 2 and inputs[2] else None
    if bname is not None:
        bias = [beta * v for v in _per_unit_bias(consts.get(bname), out, out_orient, bname, trace, label)]
    else:
        bias = [fmpq(0)] * out
    trace.pending = _Affine(weight, bias, label, wname, bname)
    trace.orient, trace.rank = out_orient, 2
    _fold_pre(trace, label)


def _matmul(node, label, pos, consts, trace):
    _start_affine(trace, label)
    other = node.input[1 - pos]
    m = _matrix(consts, other, trace, label)
    if pos == 0:  # x · M
        if trace.orient == "C":
            trace.fail(label, "MatMul multiplies along the batch dimension")
        weight = exact_values(m.T, other, trace.source)
        out_orient = trace.orient
    else:  # M · x
        if trace.orient == "R":
            trace.fail(label, "MatMul multiplies along the batch dimension")
        if trace.orient == "C" and trace.rank not in (None, 2):
            trace.fail(label, "MatMul with the data on the right needs 2-D data")
        weight = exact_values(m, other, trace.source)
        out_orient = trace.orient
    out = len(weight)
    trace.pending = _Affine(weight, [fmpq(0)] * out, label, other)
    trace.orient = out_orient
    _fold_pre(trace, label)


def _add(node, label, pos, consts, trace):
    if trace.pending is None:
        _elementwise(node, label, pos, consts, trace)
        return
    other = node.input[1 - pos]
    bias = _per_unit_bias(consts.get(other), trace.pending.out_dim, trace.orient, other, trace, label)
    trace.pending.bias = [x + y for x, y in zip(trace.pending.bias, bias)]
    trace.pending.bias_name = other if trace.pending.bias_name is None else trace.pending.bias_name


def _elementwise_constant(arr: np.ndarray, name: str, trace: _Trace, label: str):
    """A constant of an elementwise op as one exact scalar, or one exact value per feature."""
    if arr.size == 1:
        return exact_values(arr.reshape(()), name, trace.source)
    if trace.pending is not None:
        return _per_unit_bias(arr, trace.pending.out_dim, trace.orient, name, trace, label)
    if trace.layers:  # after an activation: one value per unit of the last layer
        out = trace.layers[-1].out_dim
        return _per_unit_bias(arr, out, trace.orient, name, trace, label)
    shape = trace.sample_shape
    if shape is None:
        trace.fail(label, f"the constant {name!r} of shape {tuple(arr.shape)} needs the input's shape, which the"
                          " graph does not fix")
    full = shape if trace.orient == "V" else (1,) + shape
    try:
        if np.broadcast_shapes(arr.shape, full) != full:
            raise ValueError
    except ValueError:
        trace.fail(label, f"the constant {name!r} of shape {tuple(arr.shape)} does not broadcast to the input"
                          f" shape {full}")
    return exact_values(np.broadcast_to(arr, full).reshape(-1), name, trace.source)


def _elementwise(node, label, pos, consts, trace):
    """``Add``/``Sub``/``Mul``/``Div`` of the data by a constant: an elementwise affine map
    ``x ↦ s∘x + t``, folded exactly into the adjacent linear layer (docs/importers.md)."""
    op = node.op_type
    other = node.input[1 - pos]
    c = _elementwise_constant(consts.get(other), other, trace, label)

    def lift(f):
        return [f(v) for v in c] if isinstance(c, list) else f(c)

    one, zero = fmpq(1), fmpq(0)
    if op == "Add":
        scale, shift = one, c
    elif op == "Sub":
        scale, shift = (one, lift(lambda v: -v)) if pos == 0 else (fmpq(-1), c)
    elif op == "Mul":
        scale, shift = c, zero
    else:  # Div
        if pos == 1:
            trace.fail(label, "divides a constant by the data (not an affine map)")
        if any(v == 0 for v in (c if isinstance(c, list) else [c])):
            trace.fail(label, f"divides by zero (the constant {other!r})")
        scale, shift = lift(lambda v: 1 / v), zero
    if trace.pending is not None:  # after a linear layer: y ↦ s∘y + t
        n = trace.pending.out_dim
        layer = fold_after(Layer(trace.pending.weight, trace.pending.bias), _widen(scale, n, trace, label),
                           _widen(shift, n, trace, label))
        trace.pending.weight, trace.pending.bias = [list(r) for r in layer.weight], list(layer.bias)
        trace.notes.append(f"{label} folded exactly into {trace.pending.label}")
        return
    if trace.pre is None:
        trace.pre, trace.pre_label = (scale, shift), label
        return
    s0, t0 = trace.pre  # compose: x ↦ s∘(s0∘x + t0) + t
    n = max(len(v) if isinstance(v, list) else 1 for v in (s0, t0, scale, shift))
    if n == 1:
        trace.pre = (scale * s0, scale * t0 + shift)
    else:
        s0, t0, s1, t1 = (_widen(v, n, trace, label) for v in (s0, t0, scale, shift))
        trace.pre = ([a * b for a, b in zip(s1, s0)], [a * b + t for a, b, t in zip(s1, t0, t1)])
    trace.pre_label = f"{trace.pre_label} and {label}"


def _clip_bounds(node, label, consts, trace) -> Clip:
    """The exact bounds of a ``Clip`` (inputs ``min``/``max`` from opset 11, attributes before)."""
    bounds = []
    attrs = _attrs(node)
    for k, key in ((1, "min"), (2, "max")):
        name = node.input[k] if len(node.input) > k else ""
        if name:
            arr = consts.get(name)
            if arr.size != 1:
                trace.fail(label, f"the {key} of Clip must be a scalar, {name!r} has shape {tuple(arr.shape)}")
            value = arr.reshape(()).item()
        elif key in attrs:
            value = float(attrs[key])
        else:
            bounds.append(None)
            continue
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            bounds.append(None)  # an infinite bound is no bound
            continue
        bounds.append(exact_values(np.asarray(value), name or f"{label}.{key}", trace.source))
    return Clip(bounds[0], bounds[1])


def _reshape(node, label, consts, trace):
    """A ``Reshape`` that flattens each sample (``[-1, n]``, ``[batch, -1]``) or leaves 2-D data alone."""
    shape = [int(v) for v in consts.get(node.input[1]).reshape(-1)] if len(node.input) > 1 else []
    allowzero = int(_attrs(node).get("allowzero", 0))
    at_start = not trace.layers and trace.pending is None
    features = None
    if trace.pending is not None:
        features = trace.pending.out_dim
    elif trace.layers:
        features = trace.layers[-1].out_dim
    elif trace.sample_shape is not None:
        features = int(np.prod(trace.sample_shape, dtype=np.int64))
    ok = len(shape) == 2 and trace.orient != "C"
    if ok:
        first, second = shape
        if first == -1:
            ok = second > 0 and (features is None or second == features)
            features = second if ok else features
        elif second == -1:
            ok = (first == 0 and not allowzero) or (trace.batch is not None and first == trace.batch)
        elif features is not None and second == features:
            ok = (first == 0 and not allowzero) or (trace.batch is not None and first == trace.batch)
        else:
            ok = False
    if not ok or (not at_start and trace.rank not in (None, 2)):
        trace.fail(label, f"Reshape to {shape} is not a flattening of each sample")
    if trace.orient == "V":
        trace.orient = "R"
    trace.rank = 2
    if at_start and features is not None:
        trace.sample_shape = (features,)


def _output_transform(node, label, trace):
    """A final ``Softmax``/``LogSoftmax`` over the features: kept as the output transform."""
    if trace.pending is None:
        trace.fail(label, f"{node.op_type} must follow the last linear layer")
    axis = int(_attrs(node).get("axis", -1))
    rank = trace.rank
    ok = axis == -1 or (rank is not None and axis == rank - 1) or (rank is None and axis == 1)
    if trace.orient == "C" or not ok:
        trace.fail(label, f"{node.op_type} over axis {axis} is not over the output features")
    trace.transform = (OUTPUT_TRANSFORM_OPS[node.op_type], label)


def _activation(node, label, trace, clip=None):
    kind = ACTIVATION_OPS[node.op_type]
    if trace.pre is not None:
        trace.fail(label, f"an activation after {trace.pre_label} without a linear layer between them")
    if trace.pending is None:
        if trace.last == "act":
            prev = trace.activations[-1][1]
            trace.fail(label, f"two activations in a row ({prev} and this one)")
        trace.fail(label, "an activation before the first linear layer")
    trace.layers.append(trace.pending)
    trace.pending = None
    trace.activations.append((kind, label, clip))
    trace.last = "act"


def _flatten(node, label, trace):
    axis = int(_attrs(node).get("axis", 1))
    if axis < 0 and trace.rank is not None:
        axis += trace.rank
    if trace.rank == 1:  # Flatten of a vector: axis 0 gives the row (1, n), axis 1 the column (n, 1)
        if axis != 0:
            trace.fail(label, "Flatten of a 1-D tensor with axis 1 makes every entry a separate sample")
        trace.orient, trace.rank = "R", 2
        return
    if axis != 1:
        trace.fail(label, f"Flatten with axis {axis} mixes the batch dimension into the features")
    at_start = not trace.layers and trace.pending is None
    if trace.rank == 2 or at_start:
        if trace.orient == "V":
            trace.orient = "R"
        trace.rank = 2
        if at_start and trace.sample_shape is not None:
            trace.sample_shape = (int(np.prod(trace.sample_shape, dtype=np.int64)),)
        return
    trace.fail(label, "Flatten of data with more than two dimensions after a linear layer")


def _trace(model, source: str):
    graph = model.graph
    # every unsupported op type, all at once
    unsupported = sorted({
        (n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}")
        for n in graph.node
        if n.op_type not in SUPPORTED_OPS or n.domain not in ("", "ai.onnx")
    })
    if unsupported:
        raise UnsupportedError(
            f"{source}: unsupported ONNX operators: {', '.join(unsupported)} (exactnet imports MLPs made of"
            " Gemm, MatMul+Add, Relu, Tanh, Clip, Flatten, Reshape, Identity, Dropout, elementwise"
            " Add/Sub/Mul/Div by constants and a final Softmax/LogSoftmax)"
        )
    if len(graph.sparse_initializer):
        raise UnsupportedError(f"{source}: sparse initializers are not supported")
    consts = _Constants(graph, source)
    inputs = [i for i in graph.input if i.name not in consts.initializer_names]
    if len(inputs) != 1:
        names = ", ".join(repr(i.name) for i in inputs) or "none"
        raise FormatError(f"{source}: the graph must have exactly one data input (found {names})")
    if len(graph.output) != 1:
        raise FormatError(f"{source}: the graph must have exactly one output (found {len(graph.output)})")
    inp, out_name = inputs[0], graph.output[0].name
    rank = None
    dims = None
    if inp.type.HasField("tensor_type") and inp.type.tensor_type.HasField("shape"):
        dims = [d.dim_value if d.HasField("dim_value") else None for d in inp.type.tensor_type.shape.dim]
        rank = len(dims)
    if rank == 0:
        raise FormatError(f"{source}: the graph input {inp.name!r} is a scalar")
    consumers: dict[str, list] = {}
    for i, node in enumerate(graph.node):
        for name in set(node.input):
            if name:
                consumers.setdefault(name, []).append((i, node))
    trace = _Trace(source, "V" if rank == 1 else "R", rank)
    if dims is not None:
        sample = tuple(dims) if rank == 1 else tuple(dims[1:])
        trace.sample_shape = sample if all(d is not None for d in sample) else None
        trace.batch = dims[0] if rank and rank > 1 else None
    cur = inp.name
    for _ in range(len(graph.node) + 1):
        users = consumers.get(cur, [])
        if cur == out_name:
            if users:
                trace.fail(_label(users[0][1], users[0][0]), f"consumes the graph output {cur!r} (branching)")
            break
        if not users:
            raise FormatError(f"{source}: the tensor {cur!r} is not used, and the input never reaches the output {out_name!r}")
        if len(users) > 1:
            names = ", ".join(_label(n, i) for i, n in users)
            trace.fail(f"tensor {cur!r}", f"feeds several nodes ({names}); branching graphs are not MLPs")
        index, node = users[0]
        label = _label(node, index)
        positions = [k for k, name in enumerate(node.input) if name == cur]
        if len(positions) > 1:
            trace.fail(label, "uses the data tensor twice")
        pos = positions[0]
        for k, name in enumerate(node.input):
            if k != pos and name and name not in consts:
                trace.fail(label, f"combines the data with the computed tensor {name!r}")
        outputs = [o for o in node.output if o]
        op = node.op_type
        if op == "Dropout" and len(outputs) == 2 and node.output[0]:
            if outputs[1] in consumers or outputs[1] == out_name:
                trace.fail(label, "the dropout mask is used (exactnet reads Dropout as the identity)")
            outputs = outputs[:1]
        if len(outputs) != 1:
            raise FormatError(f"{source}: {label} must have exactly one output")
        if trace.transform is not None and op not in ("Identity", "Dropout"):
            trace.fail(label, f"follows the {trace.transform[1]}; Softmax/LogSoftmax must be the last operation")
        if op == "Gemm":
            _gemm(node, label, pos, consts, trace)
        elif op == "MatMul":
            _matmul(node, label, pos, consts, trace)
        elif op == "Add":
            _add(node, label, pos, consts, trace)
        elif op in ELEMENTWISE_OPS:
            _elementwise(node, label, pos, consts, trace)
        elif op == "Clip":
            if pos != 0:
                trace.fail(label, "the data flow into a bound of Clip")
            _activation(node, label, trace, _clip_bounds(node, label, consts, trace))
        elif op in ACTIVATION_OPS:
            _activation(node, label, trace, RELU if op == "Relu" else None)
        elif op == "Flatten":
            _flatten(node, label, trace)
        elif op == "Reshape":
            if pos != 0:
                trace.fail(label, "the data flow into the shape input of Reshape")
            _reshape(node, label, consts, trace)
        elif op in OUTPUT_TRANSFORM_OPS:
            _output_transform(node, label, trace)
        elif op == "Dropout":
            _dropout(node, label, consts, trace)
        elif op == "Identity":
            pass
        else:  # Constant nodes have no inputs; nothing else passes the op check above
            trace.fail(label, f"unexpected {op}")
        if op in ("Gemm", "MatMul"):
            trace.last = "affine"
        cur = outputs[0]
    else:  # pragma: no cover - a cycle would need a malformed graph
        raise FormatError(f"{source}: the graph has a cycle")
    if trace.pre is not None:
        trace.fail(trace.pre_label, "an elementwise map that is not followed by a linear layer")
    if trace.pending is None:
        if trace.last == "act":
            kind, label, _ = trace.activations[-1]
            trace.fail(label, "the output passes through an activation; exactnet networks end with a linear layer")
        raise FormatError(f"{source}: no Gemm or MatMul layer between the input and the output")
    trace.layers.append(trace.pending)
    families = {"relu" if k == "clip" else k for k, _, _ in trace.activations}
    if len(families) > 1:
        listing = ", ".join(label for _, label, _ in trace.activations)
        raise UnsupportedError(f"{source}: mixed activations ({listing}); an exactnet network has one activation")
    return trace, (next(iter(families)) if families else None)


def _dropout(node, label, consts, trace) -> None:
    """``Dropout`` at inference is the identity; a constant ``training_mode = true`` is refused."""
    if len(node.input) > 2 and node.input[2]:
        if bool(consts.get(node.input[2]).reshape(-1)[0]):
            trace.fail(label, "Dropout in training mode is random, not a function of the input")
    trace.notes.append(f"{label} read as the identity (inference)")


def load(path: Path, activation: str | None = None) -> Network:
    """Import an ONNX MLP exactly (see the module doc for what is accepted); a final
    Softmax/LogSoftmax is refused here (see :func:`load_model`)."""
    return load_model(path, activation).for_values("exact and ε questions")


def load_model(path: Path, activation: str | None = None) -> ImportedNetwork:
    """Import an ONNX MLP exactly, keeping a final Softmax/LogSoftmax as the output transform."""
    source = str(path)
    model = read_model(path)
    trace, graph_act = _trace(model, source)
    meta = {p.key: p.value for p in model.metadata_props}.get(METADATA_KEY)
    if graph_act is not None and meta is not None and meta != graph_act:
        raise FormatError(f"{source}: the graph uses {graph_act} but its metadata says {meta!r}")
    act = resolve_activation(graph_act or meta, activation, source,
                             "the graph has a single affine layer and no exactnet.activation metadata")
    for prev, cur in zip(trace.layers, trace.layers[1:]):
        if len(cur.weight[0]) != prev.out_dim:
            raise FormatError(
                f"{source}: {cur.label} expects {len(cur.weight[0])} inputs but {prev.label} gives {prev.out_dim}"
            )
    try:
        net = Network(act, tuple(Layer(a.weight, a.bias) for a in trace.layers))
    except InputError as exc:  # pragma: no cover - shapes were checked above
        raise type(exc)(f"{source}: {exc}") from None
    notes = list(trace.notes)
    clips = [clip for _, _, clip in trace.activations]
    if any(c is not None and not c.is_relu for c in clips):
        net = Network("relu", tuple(lower_to_relu(net.layers, clips, source)))
        notes += [f"{label} (Clip[{_bound(c.lower)}, {_bound(c.upper)}]) rewritten exactly as ReLU units"
                  for _, label, c in trace.activations if not c.is_relu]
    transform = None
    if trace.transform is not None:
        transform = trace.transform[0]
        notes.append(f"{trace.transform[1]} kept as the output transform (top-1 questions only)")
    return ImportedNetwork(net, transform, source, tuple(notes))


def _bound(v) -> str:
    return "none" if v is None else format_number(v)


# ---------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------


def to_onnx(net: Network, dtype: str | None = None):
    """``(onnx.ModelProto, ExportReport)`` for ``net`` (see the module doc for the graph)."""
    from .export import ExportReport
    from .._version import __version__

    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    names = [(f"layers.{k}.weight", f"layers.{k}.bias") for k in range(len(net.layers))]
    tally, arrays = rounded_layers(net, dtype, names)
    elem = {"float16": TensorProto.FLOAT16, "float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE}[tally.fmt.name]
    initializers, nodes = [], []
    cur = "input"
    last = len(net.layers) - 1
    act_op = {"relu": "Relu", "tanh": "Tanh"}[net.activation]
    for k, ((wname, bname), (w, b)) in enumerate(zip(names, arrays)):
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(w), wname))
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(b), bname))
        out = "output" if k == last else f"layers.{k}.linear"
        nodes.append(helper.make_node("Gemm", [cur, wname, bname], [out], name=f"layers.{k}", transB=1))
        cur = out
        if k < last:
            act_out = f"layers.{k}.{net.activation}"
            nodes.append(helper.make_node(act_op, [cur], [act_out], name=f"layers.{k}.activation"))
            cur = act_out
    graph = helper.make_graph(
        nodes, "exactnet",
        [helper.make_tensor_value_info("input", elem, ["batch", net.input_dim])],
        [helper.make_tensor_value_info("output", elem, ["batch", net.output_dim])],
        initializers,
    )
    opset = helper.make_opsetid("", min(EXPORT_OPSET, onnx.defs.onnx_opset_version()))
    model = helper.make_model(graph, opset_imports=[opset], producer_name="exactnet", producer_version=__version__)
    find_ir = getattr(helper, "find_min_ir_version_for", None)
    if find_ir is not None:
        model.ir_version = find_ir([opset])
    helper.set_model_props(model, {METADATA_KEY: net.activation})
    onnx.checker.check_model(model, full_check=True)
    report = ExportReport(path="<onnx.ModelProto>", format="onnx", **tally.report_fields())
    return model, report


def save(net: Network, path: Path, dtype: str | None = None):
    """Write ``net`` as an ONNX model (see :func:`to_onnx`)."""
    onnx = _onnx()
    model, report = to_onnx(net, dtype)
    try:
        onnx.save(model, str(path))
    except OSError as exc:
        raise write_error(Path(path), exc) from None
    return dataclasses.replace(report, path=str(path))


__all__ = ["EXPORT_OPSET", "METADATA_KEY", "SUPPORTED_OPS", "load", "load_model", "read_model", "save", "to_onnx"]
