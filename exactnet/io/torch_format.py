"""PyTorch: ``.pt`` / ``.pth`` files and in-memory modules.

Reading a file never imports torch when it is not needed (importing it costs seconds): the zip
format that ``torch.save`` writes is read by the restricted torch-free reader
:mod:`exactnet.io.torch_pickle`. torch (when installed) reads legacy pre-1.6 files, and is asked
for a second opinion when the torch-free reader refuses a global: ``torch.load(path,
weights_only=True, map_location="cpu")`` with the accepted ``nn`` modules added to its safe
globals. Either way nothing in the file is executed.

* A **state dict** is a mapping of tensors; its layers are the 2-D ``<prefix>.weight`` /
  1-D ``<prefix>.bias`` pairs in the natural order of the prefixes (``"2.weight"`` before
  ``"10.weight"``); a missing bias is a zero bias; any other entry is an
  :class:`~exactnet.errors.UnsupportedError` listing all of them. A state dict does not record
  the activation: pass ``activation`` (CLI: ``--activation``).
* A pickled **module** (``torch.save(model)``) and :func:`from_torch` accept an
  ``nn.Sequential`` (nested ones are flattened) of ``nn.Linear`` with ``nn.ReLU``, ``nn.Tanh``,
  ``nn.Hardtanh`` or ``nn.ReLU6`` between them (the last two are rewritten exactly as ReLUs,
  :mod:`exactnet.io.lowering`), ``nn.Identity`` and ``nn.Dropout`` (the identity at evaluation)
  anywhere, ``nn.Flatten`` before the first ``nn.Linear``, and a final ``nn.Softmax`` /
  ``nn.LogSoftmax`` over the features, which :func:`load_model` / :func:`import_torch` return as
  the output transform (:mod:`exactnet.io.imported`: top-1 questions only) and :func:`load` /
  :func:`from_torch` refuse; or a bare ``nn.Linear``. Any other module is reported, all of them
  in one error.

Every float is converted exactly (bfloat16 via an exact widening to float32).

Writing: :func:`to_torch` builds the ``nn.Sequential`` (``Linear, act, Linear, …``) with
parameters correctly rounded to ``dtype`` (default float64) and an
:class:`~exactnet.io.ExportReport`; :func:`save` writes the state dict (keys ``0.weight``,
``0.bias``, ``2.weight``, …) with the torch-free writer of :mod:`exactnet.io.torch_pickle`, or
with ``torch.save`` on request (same layout).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
from pathlib import Path
from typing import Mapping

import numpy as np

from flint import fmpq

from ..errors import FormatError, InputError, MissingDependencyError, UnsupportedError
from ..network import Network
from ..numbers import format_number, from_float
from .imported import ImportedNetwork
from .lowering import RELU, Clip, lower_to_relu
from .limits import MAX_HEADER_BYTES, MAX_MEMBERS, MAX_RECORD_BYTES, ElementTally, TooLargeError, check_record_size
from .rounding import rounded_layers
from .tensors import (
    NamedLayer, layer_keys, network_from_arrays, require_file, resolve_activation, sequential_names, write_error,
)
from .torch_pickle import KINDS, ModuleItem, UnsafePickleError, read_state_dict, write_state_dict


def torch_available() -> bool:
    """Whether torch can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def _torch():
    try:
        import torch
    except ImportError:
        raise MissingDependencyError("torch", "torch", "this PyTorch operation") from None
    return torch


# ---------------------------------------------------------------------------------------------
# modules → network
# ---------------------------------------------------------------------------------------------


_SKIPPED = ("identity", "dropout")
_ACTIVATION_KINDS = ("relu", "tanh", "clip")


def _clip_of(item: ModuleItem, source: str) -> Clip:
    """The exact bounds of a ``Hardtanh``/``ReLU6`` (floats are the dyadic rationals they hold)."""
    bounds = []
    for name, v in zip(("min_val", "max_val"), item.params):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise FormatError(f"{source}: {item.path} ({item.class_name}) has {name} = {v!r}, not a number")
        if v != v or v in (float("inf"), float("-inf")):
            raise FormatError(f"{source}: {item.path} ({item.class_name}) has {name} = {v!r}, not a finite number")
        bounds.append(from_float(v) if isinstance(v, float) else fmpq(v))
    if len(bounds) != 2:
        raise FormatError(f"{source}: {item.path} ({item.class_name}) has no min_val/max_val")
    return Clip(bounds[0], bounds[1])


def _clip_name(item: ModuleItem, clip: Clip) -> str:
    return f"{item.path} ({item.class_name}[{format_number(clip.lower)}, {format_number(clip.upper)}])"


def model_from_items(items: list[ModuleItem], activation: str | None, source: str) -> ImportedNetwork:
    """Check the layer sequence and build the imported model (see the module doc for what is
    accepted): ``Identity``/``Dropout`` are skipped, a trailing ``Softmax``/``LogSoftmax`` becomes
    the output transform, ``Hardtanh``/``ReLU6`` are rewritten exactly as ReLUs."""
    problems = []
    seen_linear = False
    for it in items:
        if it.kind == "other":
            problems.append(f"{it.path} ({it.class_name})")
        elif it.kind == "flatten" and (seen_linear or it.detail):
            why = "after the first Linear" if seen_linear else it.detail
            problems.append(f"{it.path} (Flatten {why})")
        elif it.kind == "linear":
            seen_linear = True
    kept = [it for it in items if it.kind not in _SKIPPED and it.kind != "flatten"]
    transform = None
    if kept and kept[-1].kind in ("softmax", "log_softmax"):
        last = kept.pop()
        dim = last.params[0] if last.params else None
        if dim not in (None, -1, 1) or isinstance(dim, bool):
            problems.append(f"{last.path} ({last.class_name} over dim={dim!r}, not the features)")
        transform = last.kind
    for it in kept:
        if it.kind in ("softmax", "log_softmax"):
            problems.append(f"{it.path} ({it.class_name} before the last layer)")
    if problems:
        raise UnsupportedError(
            f"{source}: unsupported modules: {', '.join(problems)} (exactnet reads an nn.Sequential of"
            " nn.Linear with nn.ReLU, nn.Tanh, nn.Hardtanh or nn.ReLU6 between them; nn.Identity, nn.Dropout, a"
            " leading nn.Flatten and a final nn.Softmax/nn.LogSoftmax are accepted)"
        )
    core = [it for it in kept if it.kind in ("linear",) + _ACTIVATION_KINDS]
    if not any(it.kind == "linear" for it in core):
        raise FormatError(f"{source}: no nn.Linear layers found")
    families = {"relu" if it.kind == "clip" else it.kind for it in core if it.kind != "linear"}
    if len(families) > 1:
        listing = ", ".join(f"{it.path} ({it.class_name})" for it in core if it.kind != "linear")
        raise UnsupportedError(f"{source}: mixed activations ({listing}); an exactnet network has one activation")
    for prev, cur in zip(core, core[1:]):
        if prev.kind == "linear" and cur.kind == "linear":
            raise UnsupportedError(
                f"{source}: {prev.path} and {cur.path} are Linear layers without an activation between them"
            )
        if prev.kind != "linear" and cur.kind != "linear":
            raise UnsupportedError(f"{source}: two activations in a row ({prev.path}, {cur.path})")
    if core[0].kind != "linear":
        raise UnsupportedError(f"{source}: {core[0].path} ({core[0].class_name}) is applied before the first Linear")
    if core[-1].kind != "linear":
        raise UnsupportedError(
            f"{source}: the network ends with {core[-1].path} ({core[-1].class_name}); exactnet networks end"
            " with a Linear layer"
        )
    act = resolve_activation(next(iter(families)) if families else None, activation, source,
                             "a single Linear layer has no activation")
    layers = [
        NamedLayer(f"{it.path}.weight", it.weight, f"{it.path}.bias", it.bias)
        for it in core
        if it.kind == "linear"
    ]
    net = network_from_arrays(act, layers, source)
    notes = [f"{it.path} ({it.class_name}) skipped: the identity at evaluation" for it in items if it.kind == "dropout"]
    clips = [_clip_of(it, source) if it.kind == "clip" else RELU for it in core if it.kind != "linear"]
    if any(not c.is_relu for c in clips):
        net = Network("relu", tuple(lower_to_relu(net.layers, clips, source)))
        notes += [f"{_clip_name(it, _clip_of(it, source))} rewritten exactly as ReLU units (docs/importers.md)"
                  for it in core if it.kind == "clip"]
    if transform is not None:
        notes.append(f"final {'Softmax' if transform == 'softmax' else 'LogSoftmax'} kept as the output transform"
                     " (top-1 questions only)")
    return ImportedNetwork(net, transform, source, tuple(notes))


def network_from_items(items: list[ModuleItem], activation: str | None, source: str) -> Network:
    """The network of :func:`model_from_items`, refusing a final Softmax/LogSoftmax (value questions)."""
    return model_from_items(items, activation, source).for_values("exact and ε questions")


def network_from_state_dict(arrays: Mapping[str, object], activation: str | None, source: str) -> Network:
    """A network from ``name → array`` (see the module doc for the key convention)."""
    keys = layer_keys({n: tuple(np.shape(a)) for n, a in arrays.items()}, source)
    act = resolve_activation(None, activation, source, "state dicts only hold tensors")
    layers = [NamedLayer(k.weight, arrays[k.weight], k.bias, arrays[k.bias] if k.bias else None) for k in keys]
    return network_from_arrays(act, layers, source)


def _tensor_array(t, name: str, source: str, tally: ElementTally | None = None) -> np.ndarray:
    torch = _torch()
    if not isinstance(t, torch.Tensor):
        raise FormatError(f"{source}: malformed module state: {name!r} is a {type(t).__name__}, not a tensor")
    if tally is not None:  # before .contiguous(): a stride-0 view can declare far more than is stored
        tally.add(int(t.numel()), f"tensor {name!r} of size {tuple(t.shape)}")
    t = t.detach()
    if t.is_complex():
        raise UnsupportedError(f"{source}: tensor {name!r} is complex")
    if t.device.type == "meta":
        raise FormatError(f"{source}: tensor {name!r} is on the meta device (it holds no values)")
    t = t.to("cpu")
    if t.dtype in (torch.bfloat16,) or (t.is_floating_point() and t.element_size() < 2):
        t = t.to(torch.float32)  # exact widening
    if t.dtype is torch.bool:
        raise UnsupportedError(f"{source}: tensor {name!r} holds booleans, not numbers")
    return t.contiguous().numpy()


def _torch_items(module, prefix: str, source: str, tally: ElementTally | None = None) -> list[ModuleItem]:
    """The leaf modules of ``module``; a module whose pickled state is malformed (missing or
    wrongly typed attributes) is a :class:`FormatError`, never an internal error."""
    try:
        return _module_items(module, prefix, source, tally)
    except InputError:
        raise
    except (AttributeError, TypeError, KeyError, ValueError, RuntimeError) as exc:
        raise FormatError(f"{source}: malformed module state ({type(exc).__name__}: {_first_line(exc)})") from None


def _module_items(module, prefix: str, source: str, tally: ElementTally | None) -> list[ModuleItem]:
    from torch import nn

    if isinstance(module, nn.Sequential):
        items = []
        for name, child in module.named_children():
            items.extend(_module_items(child, f"{prefix}.{name}" if prefix else name, source, tally))
        return items
    cls = type(module)
    name = cls.__name__
    path = prefix or name
    builtin = cls.__module__.startswith("torch.nn.modules.")
    kind = KINDS.get(name, "other") if builtin else "other"
    if kind == "linear":
        params = module.__dict__.get("_parameters")
        if not isinstance(params, Mapping) or params.get("weight") is None:
            raise FormatError(f"{source}: malformed module state: {path} (Linear) has no weight tensor")
        bias = params.get("bias")
        return [ModuleItem(
            path, name, kind,
            _tensor_array(params["weight"], f"{path}.weight", source, tally),
            None if bias is None else _tensor_array(bias, f"{path}.bias", source, tally),
        )]
    if kind == "flatten":
        detail = "" if (module.start_dim, module.end_dim) == (1, -1) else \
            f"start_dim={module.start_dim}, end_dim={module.end_dim}"
        return [ModuleItem(path, name, kind, detail=detail)]
    if kind == "clip":
        return [ModuleItem(path, name, kind, params=(module.min_val, module.max_val))]
    if kind in ("softmax", "log_softmax"):
        return [ModuleItem(path, name, kind, params=(module.dim,))]
    return [ModuleItem(path, name, kind)]


def from_torch(module, activation: str | None = None) -> Network:
    """The exact network of an in-memory ``nn.Sequential`` (or a bare ``nn.Linear``).

    Parameters are read exactly (every float is the dyadic rational it holds). ``activation``
    is needed only when the module has none (a single ``nn.Linear``); if given it must agree
    with the module's activations.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise UnsupportedError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    return import_torch(module, activation).for_values("exact and ε questions (use import_torch for top-1)")


def import_torch(module, activation: str | None = None) -> ImportedNetwork:
    """Like :func:`from_torch`, but a final ``Softmax``/``LogSoftmax`` is returned as the
    :attr:`~exactnet.io.imported.ImportedNetwork.output_transform` instead of refused."""
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise UnsupportedError(f"import_torch expects a torch.nn.Module, got {type(module).__name__}")
    source = f"<{type(module).__name__}>"
    return model_from_items(_torch_items(module, "", source, ElementTally(source)), activation, source)


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------

SAFE_MODULES = ("Sequential", "Linear", "ReLU", "Tanh", "Identity", "Flatten", "Dropout", "Hardtanh", "ReLU6",
                "Softmax", "LogSoftmax")


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    line = lines[0] if lines else type(exc).__name__
    return line.split(". This is an internal")[0]


def _check_magic(path: Path) -> bytes:
    """The first bytes of a checkpoint: ``PK`` (zip format) or ``\\x80`` (a legacy pickle)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not magic:
        raise FormatError(f"{path}: empty file, not a PyTorch checkpoint")
    if not (magic.startswith(b"PK") or magic.startswith(b"\x80")):
        raise FormatError(f"{path}: not a PyTorch checkpoint (expected the zip format written by torch.save)")
    return magic


def _check_declared_sizes(path: Path) -> None:
    """Before ``torch.load``: the records of a zip checkpoint declare sizes within the limits
    (a compressed record could otherwise expand to gigabytes)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FormatError(f"{path}: truncated or corrupt PyTorch checkpoint ({_first_line(exc)})") from None
    if len(infos) > MAX_MEMBERS:
        raise TooLargeError(f"{path}: the archive has {len(infos):,} members, over the limit of {MAX_MEMBERS:,}")
    data = 0
    for info in infos:
        if info.filename.endswith("data.pkl"):
            check_record_size(str(path), f"record {info.filename!r}", info.file_size, MAX_HEADER_BYTES)
        else:
            data += info.file_size
    check_record_size(str(path), "the tensor data", data, MAX_RECORD_BYTES + MAX_HEADER_BYTES)


def _load_with_torch(path: Path):
    """``torch.load(weights_only=True)``; modules → items, mappings → arrays."""
    torch = _torch()
    from torch import nn

    source = str(path)
    magic = _check_magic(path)
    if magic.startswith(b"PK"):
        _check_declared_sizes(path)
    safe = getattr(torch.serialization, "safe_globals", None)
    ctx = safe([getattr(nn, n) for n in SAFE_MODULES]) if safe else contextlib.nullcontext()
    try:
        with ctx:
            obj = torch.load(str(path), weights_only=True, map_location="cpu")
    except Exception as exc:
        message = str(exc)
        if "weights_only" in message or "global" in message.lower():
            # torch refused a global; the torch-free reader (itself restricted) names every
            # unsupported layer at once, or reads what torch's allow-list did not cover
            if magic.startswith(b"PK"):
                return read_state_dict(path)
            raise UnsupportedError(f"{source}: torch.load(weights_only=True) refused the file: {_first_line(exc)}") from None
        raise FormatError(f"{source}: not a readable PyTorch checkpoint ({_first_line(exc)})") from None
    tally = ElementTally(source)
    if isinstance(obj, torch.nn.Module):
        return _torch_items(obj, "", source, tally)
    if isinstance(obj, Mapping):
        arrays, problems = {}, []
        for key, value in obj.items():
            if isinstance(value, torch.Tensor):
                arrays[str(key)] = _tensor_array(value, str(key), source, tally)
            else:
                problems.append(f"{key!r} ({type(value).__name__}, not a tensor)")
        if problems:
            raise UnsupportedError(f"{source}: not a plain state dict; entries that are not tensors: {', '.join(problems)}")
        return arrays
    if isinstance(obj, torch.Tensor):
        raise UnsupportedError(f"{source}: holds a single tensor, not a state dict")
    raise UnsupportedError(f"{source}: holds a {type(obj).__name__}, not a state dict or nn.Sequential")


def read_contents(path: Path, use_torch: bool | None = None):
    """A state dict (``dict`` of arrays) or a module (list of :class:`ModuleItem`) from ``path``.

    ``use_torch=None`` (the default) does not import torch for the zip format that
    ``torch.save`` writes: the torch-free reader reads it (importing torch costs seconds per
    command). torch is used only where it is needed: for legacy (pre-1.6) files, and as a second
    opinion when the torch-free reader refuses a global that ``torch.load(weights_only=True)``
    may still allow (torch installed). ``use_torch=True``/``False`` forces one reader.
    """
    require_file(path)
    if use_torch is not None:
        return _load_with_torch(path) if use_torch else read_state_dict(path)
    if _check_magic(path).startswith(b"PK") or not torch_available():
        try:
            return read_state_dict(path)
        except UnsafePickleError:
            if not torch_available():
                raise
            try:
                return _load_with_torch(path)
            except InputError:
                pass
            raise
    return _load_with_torch(path)


def load_model(path: Path, activation: str | None = None, use_torch: bool | None = None) -> ImportedNetwork:
    """Read a ``.pt``/``.pth`` state dict (needs ``activation``) or pickled ``nn.Sequential``,
    keeping a final Softmax/LogSoftmax as the output transform."""
    contents = read_contents(Path(path), use_torch)
    if isinstance(contents, list):
        return model_from_items(contents, activation, str(path))
    return ImportedNetwork(network_from_state_dict(contents, activation, str(path)), None, str(path))


def load(path: Path, activation: str | None = None, use_torch: bool | None = None) -> Network:
    """Read a ``.pt``/``.pth`` state dict (needs ``activation``) or pickled ``nn.Sequential``."""
    return load_model(path, activation, use_torch).for_values("exact and ε questions")


_TORCH_DTYPES = {"float16": "float16", "float32": "float32", "float64": "float64"}


def to_torch(net: Network, dtype: str | None = None):
    """``(nn.Sequential, ExportReport)``: ``Linear, act, …, Linear`` with parameters correctly
    rounded to ``dtype`` (default float64); the report says what was rounded and by how much."""
    from .export import ExportReport

    torch = _torch()
    from torch import nn

    tally, arrays = rounded_layers(net, dtype, sequential_names(len(net.layers)))
    tdtype = getattr(torch, _TORCH_DTYPES[tally.fmt.name])
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[net.activation]
    modules = []
    for k, (layer, (w, b)) in enumerate(zip(net.layers, arrays)):
        lin = nn.Linear(layer.in_dim, layer.out_dim, dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            lin.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
        modules.append(lin)
        if k + 1 < len(net.layers):
            modules.append(act())
    report = ExportReport(path="<nn.Sequential>", format="torch", **tally.report_fields())
    return nn.Sequential(*modules), report


def save(net: Network, path: Path, dtype: str | None = None, use_torch: bool | None = None):
    """Write the state dict of the ``nn.Sequential`` (keys ``0.weight``, ``0.bias``, ``2.weight``, …),
    parameters correctly rounded to ``dtype``: by default with the torch-free writer
    :func:`exactnet.io.torch_pickle.write_state_dict` (same file layout as ``torch.save``;
    ``torch.load(..., weights_only=True)`` reads it; no seconds spent importing torch), with
    ``torch.save`` when ``use_torch=True``."""
    from .export import ExportReport

    if use_torch:
        torch = _torch()
        module, report = to_torch(net, dtype)
        try:
            torch.save(module.state_dict(), str(path))
        except OSError as exc:
            raise write_error(Path(path), exc) from None
        except RuntimeError as exc:
            raise FormatError(f"{path}: cannot write ({_first_line(exc)})") from None
        return dataclasses.replace(report, path=str(path))
    names = sequential_names(len(net.layers))
    tally, arrays = rounded_layers(net, dtype, names)
    tensors = {}
    for (wname, bname), (w, b) in zip(names, arrays):
        tensors[wname], tensors[bname] = w, b
    try:
        write_state_dict(path, tensors)
    except OSError as exc:
        raise write_error(Path(path), exc) from None
    return ExportReport(path=str(path), format="torch", **tally.report_fields())


__all__ = ["from_torch", "import_torch", "load", "load_model", "model_from_items", "network_from_items", "network_from_state_dict", "read_contents", "save", "to_torch"]
