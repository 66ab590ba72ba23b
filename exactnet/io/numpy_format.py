"""NumPy ``.npz`` archives.

Layout written by exactnet (and read back):

* ``W0, b0, W1, b1, …`` — layer ``k``'s weight, shape ``(out, in)`` (the ``nn.Linear``
  convention), and bias, shape ``(out,)``, in the target float dtype;
* ``activation`` — a 0-d string array, ``"relu"`` or ``"tanh"``.

Also read: state-dict style names (``layers.0.weight``, ``layers.0.bias``, ``0.weight``, …,
ordered naturally; see :func:`exactnet.io.tensors.layer_keys`). A missing bias is a zero bias.
Without an ``activation`` array the caller must name the activation. Archives are opened
with ``allow_pickle=False``: object arrays are refused, never unpickled.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from ..errors import FormatError, UnsupportedError
from ..network import Network
from .rounding import rounded_layers
from .tensors import NamedLayer, layer_keys, network_from_arrays, require_file, resolve_activation, write_error

_W = re.compile(r"W(\d+)\Z")
_B = re.compile(r"b(\d+)\Z")


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive (``allow_pickle=False``), or a :class:`FormatError`."""
    require_file(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(6)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic == b"\x93NUMPY":
        raise FormatError(f"{path}: holds a single .npy array, not an .npz archive of named arrays")
    if not magic.startswith(b"PK"):
        raise FormatError(f"{path}: not an .npz archive ({'empty file' if not magic else 'no zip header'})")
    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise FormatError(f"{path}: not a readable .npz archive ({_reason(exc)})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise FormatError(f"{path}: holds a single .npy array, not an .npz archive of named arrays")
    arrays = {}
    with archive:
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as exc:
                if "allow_pickle" in str(exc):
                    raise UnsupportedError(f"{path}: array {name!r} holds Python objects (pickles are not loaded)") from None
                raise FormatError(f"{path}: array {name!r} is corrupt ({_reason(exc)})") from None
            except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
                raise FormatError(f"{path}: array {name!r} is truncated or corrupt ({_reason(exc)})") from None
    return arrays


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _recorded_activation(arrays: dict, source: str) -> str | None:
    if "activation" not in arrays:
        return None
    a = arrays.pop("activation")
    if a.ndim != 0 or a.dtype.kind not in "US":
        raise FormatError(f"{source}: 'activation' must be a 0-d string array, got dtype {a.dtype.name} shape {a.shape}")
    value = a.item()
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)


def _numbered_layers(arrays: dict, source: str) -> list[NamedLayer]:
    weights, biases, others = {}, {}, []
    for name in arrays:
        mw, mb = _W.match(name), _B.match(name)
        if mw:
            weights[int(mw.group(1))] = name
        elif mb:
            biases[int(mb.group(1))] = name
        else:
            others.append(name)
    if others:
        raise UnsupportedError(
            f"{source}: unexpected arrays {', '.join(repr(o) for o in sorted(others))} next to W0, b0, ..."
            " (expected only W<k>, b<k> and activation)"
        )
    missing = [f"W{k}" for k in range(max(weights) + 1) if k not in weights]
    orphan = [biases[k] for k in sorted(biases) if k not in weights]
    if missing or orphan:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if orphan:
            parts.append("biases without weights: " + ", ".join(orphan))
        raise FormatError(f"{source}: layers must be numbered W0, W1, ... without gaps ({'; '.join(parts)})")
    return [
        NamedLayer(weights[k], arrays[weights[k]], biases.get(k), arrays[biases[k]] if k in biases else None)
        for k in sorted(weights)
    ]


def load(path: Path, activation: str | None = None) -> Network:
    """Read an ``.npz`` archive exactly (see the module doc for the layout)."""
    source = str(path)
    arrays = read_arrays(path)
    recorded = _recorded_activation(arrays, source)
    if not arrays:
        raise FormatError(f"{source}: the archive holds no weight arrays")
    if any(_W.match(n) for n in arrays):
        layers = _numbered_layers(arrays, source)
    else:
        keys = layer_keys({n: a.shape for n, a in arrays.items()}, source)
        layers = [NamedLayer(k.weight, arrays[k.weight], k.bias, arrays[k.bias] if k.bias else None) for k in keys]
    act = resolve_activation(recorded, activation, source, "no 'activation' array in the archive")
    return network_from_arrays(act, layers, source)


def save(net: Network, path: Path, dtype: str | None = None):
    """Write ``W0, b0, …`` and ``activation``; values are correctly rounded to ``dtype``."""
    from . import ExportReport

    names = [(f"W{k}", f"b{k}") for k in range(len(net.layers))]
    tally, arrays = rounded_layers(net, dtype, names)
    payload = {}
    for (wname, bname), (w, b) in zip(names, arrays):
        payload[wname], payload[bname] = w, b
    payload["activation"] = np.array(net.activation)
    try:
        with open(path, "wb") as fh:
            np.savez(fh, **payload)
    except OSError as exc:
        raise write_error(path, exc) from None
    return ExportReport(path=str(path), format="numpy", **tally.report_fields())


__all__ = ["load", "read_arrays", "save"]
