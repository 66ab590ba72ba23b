"""PyTorch: ``.pt`` / ``.pth`` files and in-memory modules.

Reading a file. With torch installed: ``torch.load(path, weights_only=True,
map_location="cpu")`` (with ``nn.Sequential``/``Linear``/``ReLU``/``Tanh``/``Identity``/``Flatten``
added to the safe globals so a pickled ``nn.Sequential`` can be read too). Without torch:
the restricted torch-free reader :mod:`exactnet.io.torch_pickle` (zip format only). Either
way nothing in the file is executed.

* A **state dict** is a mapping of tensors; its layers are the 2-D ``<prefix>.weight`` /
  1-D ``<prefix>.bias`` pairs in the natural order of the prefixes (``"2.weight"`` before
  ``"10.weight"``); a missing bias is a zero bias; any other entry is an
  :class:`~exactnet.errors.UnsupportedError` listing all of them. A state dict does not record
  the activation: pass ``activation`` (CLI: ``--activation``).
* A pickled **module** (``torch.save(model)``) and :func:`from_torch` accept an
  ``nn.Sequential`` (nested ones are flattened) of ``nn.Linear`` with ``nn.ReLU`` or
  ``nn.Tanh`` between them, ``nn.Identity`` anywhere and ``nn.Flatten`` before the first
  ``nn.Linear``, or a bare ``nn.Linear``; any other module is reported, all of them in one
  error.

Every float is converted exactly (bfloat16 via an exact widening to float32).

Writing: :func:`to_torch` builds the ``nn.Sequential`` (``Linear, act, Linear, …``) with
parameters correctly rounded to ``dtype`` (default float64) and an
:class:`~exactnet.io.ExportReport`; :func:`save` writes its state dict (keys ``0.weight``,
``0.bias``, ``2.weight``, …) with ``torch.save``, or without torch with the torch-free writer
of :mod:`exactnet.io.torch_pickle` (same layout).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
from pathlib import Path
from typing import Mapping

import numpy as np

from ..errors import FormatError, InputError, MissingDependencyError, UnsupportedError
from ..network import Network
from .limits import MAX_HEADER_BYTES, MAX_MEMBERS, MAX_RECORD_BYTES, ElementTally, TooLargeError, check_record_size
from .rounding import rounded_layers
from .tensors import (
    NamedLayer, layer_keys, network_from_arrays, require_file, resolve_activation, sequential_names, write_error,
)
from .torch_pickle import KINDS, ModuleItem, read_state_dict, write_state_dict


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


def network_from_items(items: list[ModuleItem], activation: str | None, source: str) -> Network:
    """Check the layer sequence and build the network (see the module doc for what is accepted)."""
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
    if problems:
        raise UnsupportedError(
            f"{source}: unsupported modules: {', '.join(problems)} (exactnet reads an nn.Sequential of"
            " nn.Linear with nn.ReLU or nn.Tanh between them; nn.Identity and a leading nn.Flatten are skipped)"
        )
    core = [it for it in items if it.kind in ("linear", "relu", "tanh")]
    if not any(it.kind == "linear" for it in core):
        raise FormatError(f"{source}: no nn.Linear layers found")
    acts = sorted({it.kind for it in core if it.kind != "linear"})
    if len(acts) > 1:
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
    act = resolve_activation(acts[0] if acts else None, activation, source, "a single Linear layer has no activation")
    layers = [
        NamedLayer(f"{it.path}.weight", it.weight, f"{it.path}.bias", it.bias)
        for it in core
        if it.kind == "linear"
    ]
    return network_from_arrays(act, layers, source)


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
    source = f"<{type(module).__name__}>"
    return network_from_items(_torch_items(module, "", source, ElementTally(source)), activation, source)


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------

SAFE_MODULES = ("Sequential", "Linear", "ReLU", "Tanh", "Identity", "Flatten")


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

    ``use_torch=None`` uses torch when it is installed, the torch-free reader otherwise.
    """
    require_file(path)
    if use_torch is None:
        use_torch = torch_available()
    return _load_with_torch(path) if use_torch else read_state_dict(path)


def load(path: Path, activation: str | None = None, use_torch: bool | None = None) -> Network:
    """Read a ``.pt``/``.pth`` state dict (needs ``activation``) or pickled ``nn.Sequential``."""
    contents = read_contents(Path(path), use_torch)
    if isinstance(contents, list):
        return network_from_items(contents, activation, str(path))
    return network_from_state_dict(contents, activation, str(path))


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
    parameters correctly rounded to ``dtype``: with ``torch.save`` when torch is installed,
    otherwise with the torch-free writer :func:`exactnet.io.torch_pickle.write_state_dict`
    (same file layout; ``torch.load(..., weights_only=True)`` reads it)."""
    from .export import ExportReport

    if use_torch is None:
        use_torch = torch_available()
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


__all__ = ["from_torch", "load", "network_from_items", "network_from_state_dict", "read_contents", "save", "to_torch"]
