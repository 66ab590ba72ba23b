"""NumPy ``.npz`` archives.

Layout written by exactnet (and read back):

* ``W0, b0, W1, b1, …`` — layer ``k``'s weight, shape ``(out, in)`` (the ``nn.Linear``
  convention), and bias, shape ``(out,)``, in the target float dtype;
* ``activation`` — a 0-d string array, ``"relu"`` or ``"tanh"``.

Also read: state-dict style names (``layers.0.weight``, ``layers.0.bias``, ``0.weight``, …,
ordered naturally; see :func:`exactnet.io.tensors.layer_keys`). A missing bias is a zero bias.
Without an ``activation`` array the caller must name the activation. Archives are read
member by member: only ``.npy`` members, no object arrays (never unpickled), and every declared
shape is checked against the element limit and the member's size before its data are read
(:mod:`exactnet.io.limits`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import FormatError, UnsupportedError
from ..network import Network
from .limits import MAX_MEMBERS, ElementTally, TooLargeError, element_count
from .rounding import rounded_layers
from .tensors import NamedLayer, layer_keys, network_from_arrays, require_file, resolve_activation, write_error

_W = re.compile(r"W(\d+)\Z")
_B = re.compile(r"b(\d+)\Z")


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive, or a clear error.

    Read member by member with NumPy's ``.npy`` header functions: each member must be a
    ``.npy`` array of a non-object dtype; its declared shape is counted against the element
    limit (:mod:`exactnet.io.limits`) and compared with the member's declared size *before* its
    data are read, so a small compressed archive cannot make exactnet allocate gigabytes.
    """
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
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise FormatError(f"{path}: not a readable .npz archive ({_reason(exc)})") from None
    tally = ElementTally(str(path))
    arrays: dict[str, np.ndarray] = {}
    with zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise TooLargeError(f"{path}: the archive has {len(members):,} members, over the limit of {MAX_MEMBERS:,}")
        for info in members:
            name = info.filename
            if not name.endswith(".npy") or info.is_dir():
                raise FormatError(
                    f"{path}: member {name!r} is not a .npy array (an .npz archive holds only .npy arrays)"
                )
            key = name[: -len(".npy")]
            if key in arrays:
                raise FormatError(f"{path}: the archive holds {name!r} twice")
            try:
                arrays[key] = _read_member(zf, info, key, tally, path)
            except (FormatError, UnsupportedError):
                raise
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, KeyError) as exc:
                raise FormatError(f"{path}: array {key!r} is truncated or corrupt ({_reason(exc)})") from None
    return arrays


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, tally: ElementTally, path: Path) -> np.ndarray:
    """One ``.npy`` member: header first, sizes checked, then exactly the declared bytes."""
    fmt = np.lib.format
    with zf.open(info) as fh:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise UnsupportedError(f"{path}: array {key!r} uses .npy format version {version[0]}.{version[1]}")
        header_bytes = fh.tell()
        if dtype.hasobject:
            raise UnsupportedError(f"{path}: array {key!r} holds Python objects (pickles are not loaded)")
        count = element_count(shape)
        tally.add(count, f"array {key!r} of shape {tuple(shape)}")
        need = count * dtype.itemsize
        if info.file_size < header_bytes + need:
            raise FormatError(
                f"{path}: array {key!r} declares shape {tuple(shape)} ({need:,} bytes of {dtype.name}) but its"
                f" member holds {max(info.file_size - header_bytes, 0):,} bytes (truncated file?)"
            )
        data = fh.read(need)
    if len(data) != need:
        raise FormatError(f"{path}: array {key!r} is truncated")
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C")


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
    from .export import ExportReport

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
