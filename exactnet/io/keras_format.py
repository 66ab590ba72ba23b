"""Keras HDF5 models (``model.save("m.h5")``, Keras 2 and Keras 3's legacy format), read with
``h5py`` (optional extra ``exactnet[keras]``; TensorFlow is not needed and never imported).

File layout read (``docs/importers.md``):

* root attribute ``model_config``: JSON ``{"class_name": "Sequential" | "Functional" | "Model",
  "config": {"layers": [...]}}`` (very old files: ``"config"`` is the list of layers);
* group ``model_weights`` (the root itself for ``model.save_weights("w.h5")``) with attribute
  ``layer_names`` and, per layer, a group with attribute ``weight_names`` whose entries are the
  dataset paths of the layer's weights relative to the group (``dense/kernel:0`` in Keras 2,
  ``sequential/dense/kernel`` in Keras 3). Long attribute lists split into ``layer_names0``,
  ``layer_names1``, … are joined.

Layers accepted, in order: ``InputLayer``; ``Dense`` (``kernel`` of shape (in, out), so
``W = kernelᵀ``; ``bias`` unless ``use_bias`` is false) with activation ``relu``, ``tanh``,
``linear`` (then an ``Activation``/``ReLU`` layer must follow, except after the last Dense),
``relu6`` or a final ``softmax``/``log_softmax``; ``Activation`` (the same names); ``ReLU``
(``max_value`` is a clip, rewritten exactly as ReLUs; a non-zero ``threshold`` or
``negative_slope`` is refused); ``Softmax`` (last only); ``Dropout``, ``Flatten`` (before the
first Dense) and ``Identity`` are skipped. A functional model is read when its layers form one
chain in the listed order. Any other layer is reported, all of them in one error.

A weights-only file has no architecture: its layers with a ``kernel`` are taken in the order of
``layer_names`` and the activation must be given (``--activation``). Keras 3's native
``.weights.h5`` layout (``layers/<name>/vars/0``) records no layer order and is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from flint import fmpq

from ..errors import FormatError, InputError, MissingDependencyError, UnsupportedError
from ..network import Network
from ..numbers import format_number, from_float
from .imported import ImportedNetwork
from .limits import ElementTally, element_count
from .lowering import RELU, Clip, lower_to_relu
from .tensors import NamedLayer, network_from_arrays, require_file, resolve_activation

_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "linear": None, "relu6": "relu6", "softmax": "softmax",
                "log_softmax": "log_softmax"}
_SKIPPED = ("InputLayer", "Dropout", "Flatten", "Identity", "SpatialDropout1D", "GaussianDropout", "AlphaDropout")


def _h5py():
    try:
        import h5py
    except ImportError:
        raise MissingDependencyError("h5py", "keras", "reading Keras .h5 files") from None
    return h5py


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value)


def _names(group, key: str) -> list[str]:
    """An attribute list, joined from ``key0``, ``key1``, … when Keras split it."""
    if key in group.attrs:
        values = group.attrs[key]
    else:
        values, k = [], 0
        while f"{key}{k}" in group.attrs:
            values.extend(group.attrs[f"{key}{k}"])
            k += 1
    try:
        return [_text(v) for v in values]
    except TypeError:
        raise FormatError(f"attribute {key!r} is not a list of names") from None


def _weights(group, layer: str, source: str, tally: ElementTally) -> dict:
    """``{"kernel": array, "bias": array}`` of one layer's group (by the last path component)."""
    import numpy as np

    found = {}
    for name in _names(group, "weight_names"):
        try:
            ds = group[name]
        except KeyError:
            raise FormatError(f"{source}: layer {layer!r}: weight {name!r} is listed but missing (truncated file?)") from None
        role = name.rsplit("/", 1)[-1].split(":", 1)[0]
        if role in found:
            raise FormatError(f"{source}: layer {layer!r} has two weights named {role!r}")
        if not hasattr(ds, "shape") or not hasattr(ds, "dtype"):
            raise FormatError(f"{source}: layer {layer!r}: {name!r} is not a dataset")
        tally.add(element_count(ds.shape), f"weight {name!r} of shape {tuple(ds.shape)}")
        try:
            found[role] = np.asarray(ds[()])
        except Exception as exc:  # h5py raises OSError/TypeError on damaged data
            raise FormatError(f"{source}: layer {layer!r}: cannot read {name!r} ({type(exc).__name__})") from None
    return found


def _activation_of(value, where: str, source: str):
    if isinstance(value, dict):  # Keras 3 may serialise an activation as an object
        value = value.get("config", value.get("class_name"))
        if isinstance(value, dict):
            value = value.get("name")
    if value is None:
        return None
    if not isinstance(value, str) or value not in _ACTIVATIONS:
        raise UnsupportedError(f"{source}: {where}: activation {value!r} is not supported (relu, tanh, linear, relu6,"
                               " or a final softmax/log_softmax)")
    return _ACTIVATIONS[value]


def _layer_list(config, source: str) -> list[dict]:
    if not isinstance(config, dict):
        raise FormatError(f"{source}: model_config is not a JSON object")
    cls = config.get("class_name")
    body = config.get("config")
    layers = body if isinstance(body, list) else (body or {}).get("layers") if isinstance(body, dict) else None
    if cls not in ("Sequential", "Functional", "Model") or not isinstance(layers, list):
        raise UnsupportedError(f"{source}: a Keras {cls!r} model; exactnet reads Sequential models (and functional"
                               " models that are one chain of layers)")
    if cls != "Sequential":
        _check_chain(layers, source)
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("config", {}), dict):
            raise FormatError(f"{source}: model_config layer {i} is malformed")
    return layers


def _inbound(layer) -> list[str]:
    """Names of the layers feeding ``layer`` (Keras 2 lists and Keras 3 ``keras_history``)."""
    names = []
    todo = [layer.get("inbound_nodes", [])]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            hist = item.get("keras_history")
            if isinstance(hist, list) and hist and isinstance(hist[0], str):
                names.append(hist[0])
            else:
                todo.extend(item.values())
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                names.append(item[0])
            else:
                todo.extend(item)
    return names


def _check_chain(layers: list, source: str) -> None:
    prev = None
    for layer in layers:
        name = (layer.get("config") or {}).get("name", layer.get("name"))
        inbound = _inbound(layer)
        if prev is not None and inbound != [prev]:
            raise UnsupportedError(f"{source}: layer {name!r} does not take exactly the previous layer {prev!r} as its"
                                   " input; exactnet reads functional models that are one chain")
        prev = layer.get("name", name)


def _clip_name(c: Clip) -> str:
    return f"[{format_number(c.lower)}, {'none' if c.upper is None else format_number(c.upper)}]"


def _from_config(layers: list, weights_group, activation: str | None, source: str) -> ImportedNetwork:
    tally = ElementTally(source)
    steps = []  # ("dense", name, kernel, bias) | ("act", name, kind, Clip | None) | ("out", name, transform)
    problems, notes = [], []
    for layer in layers:
        cls = layer.get("class_name")
        cfg = layer.get("config") or {}
        name = str(cfg.get("name", layer.get("name", cls)))
        where = f"layer {name!r} ({cls})"
        if cls in _SKIPPED:
            if cls == "Flatten" and any(s[0] == "dense" for s in steps):
                problems.append(f"{name} (Flatten after the first Dense)")
            elif cls != "InputLayer" and cls != "Flatten":
                notes.append(f"{where} skipped: the identity at evaluation")
            continue
        if cls == "Dense":
            if name not in weights_group:
                raise FormatError(f"{source}: the weights of {where} are missing")
            w = _weights(weights_group[name], name, source, tally)
            if "kernel" not in w:
                raise FormatError(f"{source}: {where} has no kernel")
            if cfg.get("use_bias", True) and "bias" not in w:
                raise FormatError(f"{source}: {where} uses a bias but the file holds none")
            steps.append(("dense", name, w["kernel"], w.get("bias")))
            act = _activation_of(cfg.get("activation", "linear"), where, source)
            _activation_step(steps, problems, name, act, source)
        elif cls == "Activation":
            _activation_step(steps, problems, name, _activation_of(cfg.get("activation"), where, source), source)
        elif cls == "ReLU":
            slope, threshold = cfg.get("negative_slope", 0) or 0, cfg.get("threshold", 0) or 0
            if slope != 0 or threshold != 0:
                problems.append(f"{name} (ReLU with negative_slope={slope}, threshold={threshold})")
                continue
            top = cfg.get("max_value")
            steps.append(("act", name, "relu", RELU if top is None else Clip(fmpq(0), _exact(top, where, source))))
        elif cls == "Softmax":
            steps.append(("out", name, "softmax"))
        else:
            problems.append(f"{name} ({cls})")
    if problems:
        raise UnsupportedError(f"{source}: unsupported Keras layers: {', '.join(problems)} (exactnet reads Dense"
                               " layers with relu/tanh/linear/relu6 activations, Activation, ReLU, Dropout, Flatten and"
                               " a final softmax)")
    transform = None
    if steps and steps[-1][0] == "out":
        transform = steps.pop()[2]
        notes.append(f"final {'Softmax' if transform == 'softmax' else 'LogSoftmax'} kept as the output transform"
                     " (top-1 questions only)")
    for s in steps:
        if s[0] == "out":
            raise UnsupportedError(f"{source}: layer {s[1]!r}: softmax before the last layer")
    dense = [s for s in steps if s[0] == "dense"]
    if not dense:
        raise FormatError(f"{source}: no Dense layers found")
    acts = []
    for prev, cur in zip(steps, steps[1:]):
        if prev[0] == cur[0] == "dense":
            raise UnsupportedError(f"{source}: Dense layers {prev[1]!r} and {cur[1]!r} have no activation between them")
        if prev[0] == cur[0] == "act":
            raise UnsupportedError(f"{source}: two activations in a row ({prev[1]!r}, {cur[1]!r})")
    if steps[-1][0] == "act":
        raise UnsupportedError(f"{source}: the model ends with the activation of {steps[-1][1]!r}; exactnet networks"
                               " end with a linear layer")
    for s in steps:
        if s[0] == "act":
            acts.append(s)
    families = {"relu" if kind == "relu6" else kind for _, _, kind, _ in acts}
    if len(families) > 1:
        raise UnsupportedError(f"{source}: mixed activations ({', '.join(a[1] for a in acts)}); an exactnet network"
                               " has one activation")
    act = resolve_activation(next(iter(families)) if families else None, activation, source,
                             "a single Dense layer has no activation")
    named = [NamedLayer(f"{s[1]}.kernel", s[2].T if s[2].ndim == 2 else s[2], f"{s[1]}.bias", s[3]) for s in dense]
    net = network_from_arrays(act, named, source)
    clips = [c if c is not None else RELU for _, _, _, c in acts]
    if act == "relu" and any(not c.is_relu for c in clips):
        net = Network("relu", tuple(lower_to_relu(net.layers, clips, source)))
        notes += [f"layer {a[1]!r} (clip {_clip_name(a[3])}) rewritten exactly as ReLU units"
                  for a in acts if a[3] is not None and not a[3].is_relu]
    return ImportedNetwork(net, transform, source, tuple(notes))


def _exact(value, where: str, source: str) -> fmpq:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormatError(f"{source}: {where}: expected a number, got {value!r}")
    return fmpq(value) if isinstance(value, int) else from_float(value)


def _activation_step(steps, problems, name, act, source) -> None:
    if act is None:
        return
    if act in ("softmax", "log_softmax"):
        steps.append(("out", name, act))
    elif act == "relu6":
        steps.append(("act", name, "relu6", Clip(fmpq(0), fmpq(6))))
    else:
        steps.append(("act", name, act, RELU if act == "relu" else None))


def _from_weights_only(group, activation: str | None, source: str) -> ImportedNetwork:
    tally = ElementTally(source)
    named = []
    for name in _names(group, "layer_names"):
        if name not in group:
            raise FormatError(f"{source}: layer {name!r} is listed but missing (truncated file?)")
        w = _weights(group[name], name, source, tally)
        if not w:
            continue
        if "kernel" not in w:
            raise UnsupportedError(f"{source}: layer {name!r} holds {', '.join(sorted(w))}, not a Dense kernel")
        named.append(NamedLayer(f"{name}.kernel", w["kernel"].T if w["kernel"].ndim == 2 else w["kernel"],
                                f"{name}.bias", w.get("bias")))
    if not named:
        raise FormatError(f"{source}: no Dense layers found")
    act = resolve_activation(None, activation, source, "a Keras weights file holds no architecture")
    return ImportedNetwork(network_from_arrays(act, named, source), None, source)


def load_model(path: Path, activation: str | None = None) -> ImportedNetwork:
    """Read a Keras ``.h5`` MLP exactly (see the module doc)."""
    h5py = _h5py()
    require_file(path)
    source = str(path)
    try:
        fh = h5py.File(str(path), "r")
    except OSError as exc:
        raise FormatError(f"{source}: not a readable HDF5 file ({str(exc).splitlines()[0] if str(exc) else exc})") from None
    with fh:
        try:
            if "model_config" in fh.attrs:
                try:
                    config = json.loads(_text(fh.attrs["model_config"]))
                except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
                    raise FormatError(f"{source}: model_config is not valid JSON ({exc})") from None
                group = fh["model_weights"] if "model_weights" in fh else None
                if group is None:
                    raise FormatError(f"{source}: the file holds a model_config but no model_weights (a model saved"
                                      " without weights?)")
                return _from_config(_layer_list(config, source), group, activation, source)
            if "layer_names" in fh.attrs or "layer_names0" in fh.attrs:
                return _from_weights_only(fh, activation, source)
            if "layers" in fh:
                raise UnsupportedError(f"{source}: a Keras 3 '.weights.h5' file records no layer order; save the model"
                                       " with model.save('model.h5') instead")
            raise FormatError(f"{source}: not a Keras model file (no model_config or layer_names attribute)")
        except InputError:
            raise
        except (KeyError, ValueError, TypeError, OSError, AttributeError) as exc:
            raise FormatError(f"{source}: malformed Keras file ({type(exc).__name__}: {exc})") from None


def load(path: Path, activation: str | None = None) -> Network:
    return load_model(path, activation).for_values("exact and ε questions")


__all__ = ["load", "load_model"]
