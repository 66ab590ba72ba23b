"""safetensors files (read and written with the ``safetensors`` package, NumPy API).

Written layout: the state dict of the matching ``nn.Sequential`` (``0.weight``, ``0.bias``,
``2.weight``, … — weight ``(out, in)``), so ``model.load_state_dict(safetensors.torch.load_file(p))``
works, plus the metadata entry ``{"exactnet.activation": "relu"}``. Reading accepts any
state-dict naming (natural order of the prefixes, missing bias = zero) and takes the
activation from that metadata entry when present (otherwise the caller must name it).

bfloat16 tensors (which NumPy cannot represent) are read from the file's raw bytes at the
offsets of its header and widened exactly to float32.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from ..errors import FormatError, MissingDependencyError, UnsupportedError
from ..network import Network
from ..numbers import DuplicateKeyError, json_loads_exact
from .limits import MAX_HEADER_BYTES, ElementTally, check_record_size, element_count
from .rounding import rounded_layers
from .tensors import (
    NamedLayer, layer_keys, network_from_arrays, require_file, resolve_activation, sequential_names, write_error,
)

ACTIVATION_KEY = "exactnet.activation"


def _package():
    try:
        from safetensors import safe_open
        from safetensors.numpy import save_file
    except ImportError:
        raise MissingDependencyError("safetensors", "safetensors", "reading and writing .safetensors files") from None
    return safe_open, save_file


def _reason(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def read_header(path: Path) -> dict:
    """The JSON header of a safetensors file, read before the ``safetensors`` package sees it:
    its length within :data:`~exactnet.io.limits.MAX_HEADER_BYTES`, repeated keys refused (two
    readers must not see two different tensors), and the declared shapes counted against the
    element limit."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(8)
            if len(raw) < 8:
                raise FormatError(f"{path}: not a readable safetensors file (no header)")
            (n,) = struct.unpack("<Q", raw)
            check_record_size(str(path), "the safetensors header", n, MAX_HEADER_BYTES)
            text = fh.read(n)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(text) < n:
        raise FormatError(f"{path}: not a readable safetensors file (truncated header)")
    try:
        header = json_loads_exact(text.decode("utf-8"))
    except DuplicateKeyError as exc:
        raise FormatError(f"{path}: safetensors header: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FormatError(f"{path}: not a readable safetensors file (corrupt header)") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: not a readable safetensors file (the header is not a JSON object)")
    tally = ElementTally(str(path))
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                  for d in shape):
            raise FormatError(f"{path}: not a readable safetensors file (tensor {name!r} has no valid shape)")
        tally.add(element_count(shape), f"tensor {name!r} of shape {tuple(shape)}")
    return header


def _raw_bf16(path: Path, header: dict, name: str, shape: list[int]) -> np.ndarray:
    """A bfloat16 tensor read from the raw bytes, widened exactly to float32."""
    with open(path, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        begin, end = header[name]["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != 2 * count:
            raise FormatError(f"{path}: tensor {name!r} is truncated")
        fh.seek(8 + n + begin)
        raw = fh.read(end - begin)
    if len(raw) != 2 * count:
        raise FormatError(f"{path}: tensor {name!r} is truncated")
    bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
    return bits.view(np.float32).reshape(shape)


def read_tensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``(tensors, metadata)`` of a safetensors file, or a :class:`FormatError`."""
    safe_open, _ = _package()
    require_file(path)
    header = read_header(path)
    tensors = {}
    try:
        with safe_open(str(path), framework="numpy") as fh:
            metadata = dict(fh.metadata() or {})
            for name in fh.keys():
                sl = fh.get_slice(name)
                dtype = sl.get_dtype()
                if dtype == "BF16":
                    tensors[name] = _raw_bf16(path, header, name, list(sl.get_shape()))
                elif dtype in ("F16", "F32", "F64", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64"):
                    tensors[name] = fh.get_tensor(name)
                else:
                    raise UnsupportedError(f"{path}: tensor {name!r} has dtype {dtype}, which exactnet does not read")
    except (FormatError, UnsupportedError):
        raise
    except Exception as exc:  # SafetensorError, OSError, JSON/struct errors on corrupt headers
        raise FormatError(f"{path}: not a readable safetensors file ({_reason(exc)})") from None
    return tensors, metadata


def load(path: Path, activation: str | None = None) -> Network:
    """Read a safetensors state dict exactly (activation from the metadata when recorded)."""
    source = str(path)
    tensors, metadata = read_tensors(path)
    keys = layer_keys({n: t.shape for n, t in tensors.items()}, source)
    act = resolve_activation(
        metadata.get(ACTIVATION_KEY), activation, source, f"no {ACTIVATION_KEY!r} metadata entry"
    )
    layers = [NamedLayer(k.weight, tensors[k.weight], k.bias, tensors[k.bias] if k.bias else None) for k in keys]
    return network_from_arrays(act, layers, source)


def save(net: Network, path: Path, dtype: str | None = None):
    """Write the ``nn.Sequential`` state dict, correctly rounded to ``dtype``, and the activation."""
    from .export import ExportReport

    _, save_file = _package()
    names = sequential_names(len(net.layers))
    tally, arrays = rounded_layers(net, dtype, names)
    tensors = {}
    for (wname, bname), (w, b) in zip(names, arrays):
        tensors[wname], tensors[bname] = np.ascontiguousarray(w), np.ascontiguousarray(b)
    try:
        save_file(tensors, str(path), metadata={ACTIVATION_KEY: net.activation})
    except OSError as exc:
        raise write_error(path, exc) from None
    except Exception as exc:  # SafetensorError wraps I/O errors
        raise FormatError(f"{path}: cannot write ({_reason(exc)})") from None
    return ExportReport(path=str(path), format="safetensors", **tally.report_fields())


__all__ = ["ACTIVATION_KEY", "load", "read_tensors", "save"]
