"""Exact conversion of stored tensors to networks, shared by every binary importer.

* :func:`exact_values` turns a NumPy array into nested lists of ``fmpq``: every binary float
  (float16/32/64, bfloat16 and the other small ``ml_dtypes`` floats) becomes the dyadic
  rational it holds, exactly as :func:`exactnet.numbers.from_float` does (float32 ``0.1`` is
  ``13421773/134217728``); integers stay integers. NaN and infinities are rejected with the
  tensor name and the index of the first offending entry (checked vectorised).
* :func:`layer_keys` orders a state dict's ``*.weight`` / ``*.bias`` tensors into layers by
  the natural order of their prefixes (``"2.weight"`` before ``"10.weight"``); anything else
  is listed in one :class:`~exactnet.errors.UnsupportedError`.
* :func:`network_from_arrays` validates shapes (naming the tensors) and builds the
  :class:`~exactnet.network.Network`.
* :func:`resolve_activation` reconciles an activation recorded in a file with one requested
  by the caller (``--activation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from flint import fmpq

from ..errors import FormatError, InputError, NetworkError, NumberError, UnsupportedError
from ..network import ACTIVATIONS, Layer, Network

#: dtype names of ``ml_dtypes`` floats narrower than float32; each is a subset of float32, so
#: ``astype(float32)`` is exact.
SMALL_FLOATS = frozenset({
    "bfloat16", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2",
    "float8_e5m2fnuz", "float8_e3m4", "float8_e4m3", "float8_e8m0fnu", "float6_e2m3fn",
    "float6_e3m2fn", "float4_e2m1fn",
})


def as_exact_array(arr, name: str, source: str) -> np.ndarray:
    """``arr`` as a NumPy array of float16/32/64 or integers (exactly), or a clear error."""
    arr = np.asarray(arr)
    dt = arr.dtype
    if dt.name in SMALL_FLOATS:
        return arr.astype(np.float32)  # exact: every such value is a float32
    if dt.kind == "f" and dt.itemsize <= 8:
        return arr
    if dt.kind in "iu":
        return arr
    if dt.kind == "b":
        raise UnsupportedError(f"{source}: tensor {name!r} holds booleans, not numbers")
    if dt.kind == "c":
        raise NumberError(f"{source}: tensor {name!r} is complex; exactnet needs real numbers")
    raise UnsupportedError(f"{source}: tensor {name!r} has unsupported dtype {dt.name}")


def check_finite(arr: np.ndarray, name: str, source: str) -> None:
    """Reject NaN and infinities, naming the tensor and the first offending index."""
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        value = arr[idx]
        what = "NaN" if np.isnan(value) else ("+inf" if value > 0 else "-inf")
        count = int(bad.sum())
        more = f" ({count} non-finite entries in total)" if count > 1 else ""
        where = "[" + ", ".join(map(str, idx)) + "]" if idx else ""
        raise NumberError(
            f"{source}: tensor {name!r} has {what} at index {where or '(scalar)'}{more};"
            " NaN and infinities are not exact numbers"
        )


def exact_values(arr, name: str, source: str):
    """Nested lists of ``fmpq`` holding exactly the values of ``arr`` (see the module doc)."""
    arr = as_exact_array(arr, name, source)
    check_finite(arr, name, source)
    if arr.dtype.kind == "f":
        def conv(v):
            return fmpq(*v.as_integer_ratio())
    else:
        def conv(v):
            return fmpq(v)
    data = arr.tolist()
    if arr.ndim == 0:
        return conv(data)
    if arr.ndim == 1:
        return [conv(v) for v in data]
    if arr.ndim == 2:
        return [[conv(v) for v in row] for row in data]
    raise UnsupportedError(f"{source}: tensor {name!r} has {arr.ndim} dimensions (expected 1 or 2)")


# ---------------------------------------------------------------------------------------------
# state-dict keys → layers
# ---------------------------------------------------------------------------------------------


def natural_key(text: str) -> tuple:
    """Sort key that orders digit runs numerically: ``"2.weight"`` < ``"10.weight"``."""
    return tuple((0, int(c), "") if c.isdigit() else (1, 0, c) for c in re.split(r"(\d+)", text) if c)


@dataclass(frozen=True)
class LayerKeys:
    """The tensor names of one affine layer (``bias`` is ``None`` when absent: zero bias)."""

    prefix: str
    weight: str
    bias: str | None


def _split(key: str) -> tuple[str, str] | None:
    for kind in ("weight", "bias"):
        if key == kind:
            return "", kind
        if key.endswith("." + kind):
            return key[: -len(kind) - 1], kind
    return None


def layer_keys(shapes: Mapping[str, tuple], source: str) -> list[LayerKeys]:
    """Group ``name → shape`` into layers ordered by the natural order of the prefixes.

    A layer is a 2-D ``<prefix>.weight`` with an optional 1-D ``<prefix>.bias`` (missing bias =
    zero bias). Every other key is listed in a single :class:`UnsupportedError`.
    """
    weights: dict[str, str] = {}
    biases: dict[str, str] = {}
    problems: list[str] = []
    for key, shape in shapes.items():
        split = _split(key)
        if split is None:
            problems.append(f"{key!r} (not a weight or bias)")
            continue
        prefix, kind = split
        want = 2 if kind == "weight" else 1
        if len(shape) != want:
            problems.append(f"{key!r} ({len(shape)}-D {kind}; expected {want}-D)")
            continue
        (weights if kind == "weight" else biases)[prefix] = key
    for prefix, key in biases.items():
        if prefix not in weights:
            problems.append(f"{key!r} (a bias without a matching weight)")
    if problems:
        raise UnsupportedError(
            f"{source}: not a plain MLP state dict; unsupported entries: {', '.join(problems)}"
            " (exactnet reads 2-D '*.weight' and 1-D '*.bias' tensors of linear layers)"
        )
    if not weights:
        raise FormatError(f"{source}: no '*.weight' tensors found (an empty state dict?)")
    return [LayerKeys(p, weights[p], biases.get(p)) for p in sorted(weights, key=natural_key)]


# ---------------------------------------------------------------------------------------------
# arrays → Network
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedLayer:
    """One affine layer as stored: weight ``(out, in)`` and optional bias, with their names."""

    weight_name: str
    weight: object  # array-like, 2-D
    bias_name: str | None = None
    bias: object | None = None  # array-like, 1-D, or None for a zero bias


def network_from_arrays(activation: str, layers: Sequence[NamedLayer], source: str) -> Network:
    """Validate shapes (naming tensors), convert exactly, and build the network."""
    if activation not in ACTIVATIONS:
        raise NetworkError(f"{source}: unknown activation {activation!r}; supported: {', '.join(ACTIVATIONS)}")
    if not layers:
        raise FormatError(f"{source}: no layers found")
    built = []
    prev = None
    for k, layer in enumerate(layers, start=1):
        w = as_exact_array(layer.weight, layer.weight_name, source)
        if w.ndim != 2:
            raise NetworkError(f"{source}: weight {layer.weight_name!r} has shape {tuple(w.shape)}; expected 2-D (out, in)")
        out_dim, in_dim = w.shape
        if out_dim == 0 or in_dim == 0:
            raise NetworkError(f"{source}: weight {layer.weight_name!r} has shape {tuple(w.shape)} (an empty layer)")
        if prev is not None and in_dim != prev[1]:
            raise NetworkError(
                f"{source}: weight {layer.weight_name!r} has {in_dim} inputs but {prev[0]!r} has {prev[1]} outputs"
                " (layers are taken in natural order of their names)"
            )
        weight = exact_values(w, layer.weight_name, source)
        if layer.bias is None:
            bias = [fmpq(0)] * out_dim
        else:
            b = as_exact_array(layer.bias, layer.bias_name, source)
            if b.shape != (out_dim,):
                raise NetworkError(
                    f"{source}: bias {layer.bias_name!r} has shape {tuple(b.shape)} but weight"
                    f" {layer.weight_name!r} has {out_dim} rows"
                )
            bias = exact_values(b, layer.bias_name, source)
        built.append(Layer(weight, bias))
        prev = (layer.weight_name, out_dim)
    try:
        return Network(activation, tuple(built))
    except InputError as exc:  # pragma: no cover - shapes were checked above
        raise type(exc)(f"{source}: {exc}") from None


def resolve_activation(recorded: str | None, requested: str | None, source: str, how: str = "") -> str:
    """The activation of a network read from ``source``.

    ``recorded`` is what the file says (``None`` if it does not say), ``requested`` what the
    caller passed. They must agree when both are given; one of them is required.
    """
    if recorded is not None and recorded not in ACTIVATIONS:
        raise NetworkError(f"{source}: the file records unknown activation {recorded!r}; supported: {', '.join(ACTIVATIONS)}")
    if requested is not None and requested not in ACTIVATIONS:
        raise NetworkError(f"unknown activation {requested!r}; supported: {', '.join(ACTIVATIONS)}")
    if recorded is not None and requested is not None and recorded != requested:
        raise UnsupportedError(f"{source}: the file says activation {recorded!r} but {requested!r} was requested")
    if recorded is not None:
        return recorded
    if requested is not None:
        return requested
    hint = f" ({how})" if how else ""
    raise InputError(
        f"{source}: the file does not record the activation{hint}; pass --activation relu|tanh"
        " (Python: activation='relu' or 'tanh')"
    )


# ---------------------------------------------------------------------------------------------
# file helpers
# ---------------------------------------------------------------------------------------------


def require_file(path: Path) -> None:
    """A clear error for a missing path or a directory."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a network file")


def write_error(path: Path, exc: OSError) -> InputError:
    return InputError(f"{path}: cannot write ({exc.strerror or exc})")


def sequential_names(n_layers: int) -> list[tuple[str, str]]:
    """``(weight, bias)`` names of an ``nn.Sequential`` of Linear/activation pairs: ``0.weight``,
    ``0.bias``, ``2.weight``, … (activations take the odd indices)."""
    return [(f"{2 * k}.weight", f"{2 * k}.bias") for k in range(n_layers)]
