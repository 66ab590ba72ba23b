"""Batches of input points for ``exactnet eval --input FILE``, read exactly.

* ``.npy`` — a NumPy array of shape ``(k, n)`` (or ``(n,)`` for one point) of floats or
  integers; every float is the dyadic rational it holds (``allow_pickle`` is off);
* ``.json`` — a list of points, each a list of exact numbers (``1``, ``"1/3"``, ``0.1`` is
  ``1/10``, ``"sqrt(2)"``), or ``{"inputs": [...]}``;
* ``.csv`` — one point per line, numbers separated by commas and read as the decimals they spell
  (``0.1`` is ``1/10``); a first line without any number is a header and skipped; blank lines
  and lines starting with ``#`` are skipped.

At most :data:`MAX_POINTS` points and :data:`~exactnet.io.limits.MAX_ELEMENTS` numbers are read.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import FormatError, InputError, UnsupportedError
from .limits import MAX_ELEMENTS, TooLargeError

#: The most points one batch file may hold.
MAX_POINTS = 1_000_000
BATCH_SUFFIXES = (".npy", ".json", ".csv")


def _check_size(count: int, numbers: int, source: str) -> None:
    if count > MAX_POINTS:
        raise TooLargeError(f"{source}: {count:,} points, over the limit of {MAX_POINTS:,} per batch")
    if numbers > MAX_ELEMENTS:
        raise TooLargeError(f"{source}: {numbers:,} numbers, over the limit of {MAX_ELEMENTS:,} per batch")


def _npy(path: Path) -> list[list]:
    import numpy as np

    from .tensors import exact_values

    source = str(path)
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)  # the header only: sizes are checked first
    except (ValueError, OSError, EOFError) as exc:
        raise FormatError(f"{source}: not a readable .npy array ({exc})") from None
    if not isinstance(mapped, np.ndarray):
        raise FormatError(f"{source}: not a .npy array")
    shape = tuple(mapped.shape)
    if len(shape) not in (1, 2):
        raise FormatError(f"{source}: the array has shape {shape}; expected (points, inputs) or (inputs,)")
    count = shape[0] if len(shape) == 2 else 1
    numbers = 1
    for d in shape:
        numbers *= d
    _check_size(count, numbers, source)
    if numbers == 0:
        raise FormatError(f"{source}: the array is empty (shape {shape})")
    arr = np.array(mapped)
    del mapped
    values = exact_values(arr, "input batch", source)
    return values if arr.ndim == 2 else [values]


def _json(path: Path) -> list[list]:
    from ..numbers.jsonfile import read_json

    obj = read_json(path, "input batch")
    if isinstance(obj, dict):
        if set(obj) != {"inputs"}:
            raise FormatError(f"{path}: expected a list of points or {{\"inputs\": [...]}}")
        obj = obj["inputs"]
    if not isinstance(obj, list) or not obj:
        raise FormatError(f"{path}: expected a non-empty list of points (each a list of numbers)")
    if not all(isinstance(p, list) for p in obj):
        raise FormatError(f"{path}: every point must be a list of numbers")
    _check_size(len(obj), sum(len(p) for p in obj), str(path))
    return obj


def _csv(path: Path) -> list[list]:
    from ..numbers.jsonfile import read_text
    from ..numbers import parse_rational

    text = read_text(path, "CSV batch")
    points = []
    first = True
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not cells or all(c == "" for c in cells) or cells[0].startswith("#"):
            continue
        try:
            values = [parse_rational(c) if c else None for c in cells]
        except InputError as exc:
            raise type(exc)(f"{path}: line {lineno}: {exc}") from None
        if any(v is None for v in values):
            if first and all(v is None for v in values):  # a header: no cell is a number
                first = False
                continue
            bad = next(c for c, v in zip(cells, values) if v is None)
            raise FormatError(f"{path}: line {lineno}: {bad!r} is not a number")
        first = False
        points.append(values)
        _check_size(len(points), len(points) * len(values), str(path))
    if not points:
        raise FormatError(f"{path}: no points (expected one line of numbers per point)")
    return points


def read_batch(path: str | Path) -> list[list]:
    """The points of a batch file (see the module doc), as lists of exact numbers or literals."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an input batch")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _npy(path)
    if suffix == ".json":
        return _json(path)
    if suffix == ".csv":
        return _csv(path)
    raise UnsupportedError(f"{path}: unknown batch type {suffix or '(no extension)'!r}; use .npy, .json or .csv")


__all__ = ["BATCH_SUFFIXES", "MAX_POINTS", "read_batch"]
