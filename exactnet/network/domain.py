"""Input domains: boxes and polyhedra ``{x : A x ≤ b}`` with exact rational data.

File forms (JSON, exact numbers as in ``exactnet.network/1``):

* a box: ``{"lower": [...], "upper": [...]}`` (``lower_i < upper_i``; the closed box);
* a polyhedron: ``{"A": [[...], ...], "b": [...]}`` meaning ``A x ≤ b`` (optionally with
  ``"format": "exactnet.domain/1"``).

The domain of a question about networks must be full-dimensional (a box with
``lower < upper`` always is); functions that need this check it and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flint import fmpq

from ..errors import FormatError, InputError
from ..numbers import format_number, number_json, parse_scalar


def _rational_vector(values, what: str, source: str) -> tuple[fmpq, ...]:
    if not isinstance(values, list):
        raise FormatError(f"{source}: {what} must be a list of numbers")
    out = []
    for i, v in enumerate(values, start=1):
        try:
            x = parse_scalar(v)
        except InputError as exc:
            raise type(exc)(f"{source}: {what}[{i}]: {exc}") from None
        if not isinstance(x, fmpq):
            raise FormatError(f"{source}: {what}[{i}]: domain data must be rational, got {v!r}")
        out.append(x)
    return tuple(out)


@dataclass(frozen=True)
class Polyhedron:
    """``{x ∈ R^n : A x ≤ b}`` with rational ``A`` (rows) and ``b``."""

    A: tuple[tuple[fmpq, ...], ...]
    b: tuple[fmpq, ...]
    dim: int

    def __post_init__(self):
        if len(self.A) != len(self.b):
            raise InputError(f"domain: A has {len(self.A)} rows but b has {len(self.b)} entries")
        for i, row in enumerate(self.A, start=1):
            if len(row) != self.dim:
                raise InputError(f"domain: row {i} of A has {len(row)} entries, expected {self.dim}")

    def constraints(self) -> tuple[tuple[tuple[fmpq, ...], fmpq], ...]:
        """Pairs ``(a, β)`` meaning ``a·x ≤ β``."""
        return tuple(zip(self.A, self.b))

    def contains(self, x) -> bool:
        """Exact membership of a point in the closed polyhedron."""
        return all(sum((a * v for a, v in zip(row, x)), fmpq(0)) <= beta for row, beta in self.constraints())

    def to_obj(self) -> dict:
        return {"A": [[number_json(v) for v in row] for row in self.A], "b": [number_json(v) for v in self.b]}


@dataclass(frozen=True)
class Box(Polyhedron):
    """The closed box ``lower ≤ x ≤ upper`` (``lower_i < upper_i``), also a :class:`Polyhedron`."""

    lower: tuple[fmpq, ...] = ()
    upper: tuple[fmpq, ...] = ()

    @classmethod
    def from_bounds(cls, lower, upper) -> "Box":
        lower = tuple(fmpq(v) if not isinstance(v, fmpq) else v for v in lower)
        upper = tuple(fmpq(v) if not isinstance(v, fmpq) else v for v in upper)
        if len(lower) != len(upper):
            raise InputError(f"box: lower has {len(lower)} entries but upper has {len(upper)}")
        if not lower:
            raise InputError("box: empty bounds")
        for i, (lo, hi) in enumerate(zip(lower, upper), start=1):
            if not lo < hi:
                raise InputError(
                    f"box: coordinate {i} has lower {format_number(lo)} ≥ upper {format_number(hi)}"
                    " (the box must be full-dimensional)"
                )
        n = len(lower)
        rows, rhs = [], []
        for i in range(n):
            e = [fmpq(0)] * n
            e[i] = fmpq(1)
            rows.append(tuple(e))
            rhs.append(upper[i])
            e = [fmpq(0)] * n
            e[i] = fmpq(-1)
            rows.append(tuple(e))
            rhs.append(-lower[i])
        return cls(A=tuple(rows), b=tuple(rhs), dim=n, lower=lower, upper=upper)

    def contains(self, x) -> bool:
        return all(lo <= v <= hi for lo, v, hi in zip(self.lower, x, self.upper))

    def to_obj(self) -> dict:
        return {"lower": [number_json(v) for v in self.lower], "upper": [number_json(v) for v in self.upper]}


def closed_box(lower, upper) -> Polyhedron:
    """The closed box ``lower ≤ x ≤ upper`` when some ``lower_i = upper_i`` is allowed: a :class:`Box`
    when ``lower < upper`` in every coordinate, else the :class:`Polyhedron` of the same rows
    (``x_i ≤ upper_i``, ``−x_i ≤ −lower_i``), which has no interior: the pair of rows of a coordinate
    with ``lower_i = upper_i`` states the equality ``x_i = lower_i`` (deciders work on the affine hull,
    ``docs/difference.md``). ``lower_i > upper_i`` (an empty box) is an error."""
    lower = tuple(fmpq(v) if not isinstance(v, fmpq) else v for v in lower)
    upper = tuple(fmpq(v) if not isinstance(v, fmpq) else v for v in upper)
    if len(lower) != len(upper) or not lower or all(lo < hi for lo, hi in zip(lower, upper)):
        return Box.from_bounds(lower, upper)
    for i, (lo, hi) in enumerate(zip(lower, upper), start=1):
        if lo > hi:
            raise InputError(f"box: coordinate {i} has lower {format_number(lo)} > upper {format_number(hi)}"
                             " (the box is empty)")
    n = len(lower)
    rows, rhs = [], []
    for i in range(n):
        for sign, bound in ((1, upper[i]), (-1, -lower[i])):
            e = [fmpq(0)] * n
            e[i] = fmpq(sign)
            rows.append(tuple(e))
            rhs.append(bound)
    return Polyhedron(A=tuple(rows), b=tuple(rhs), dim=n)


def domain_from_obj(obj, source: str = "domain", flat_boxes: bool = False) -> Polyhedron:
    """A box or polyhedron from its JSON object. ``flat_boxes``: a box may have ``lower_i = upper_i``
    (:func:`closed_box`; the domains users give), else every box needs ``lower < upper`` (the
    domains certificates state)."""
    if not isinstance(obj, dict):
        raise FormatError(f"{source}: expected an object with 'lower'/'upper' or 'A'/'b'")
    if "lower" in obj or "upper" in obj:
        if "lower" not in obj or "upper" not in obj:
            raise FormatError(f"{source}: a box needs both 'lower' and 'upper'")
        lower = _rational_vector(obj["lower"], "lower", source)
        upper = _rational_vector(obj["upper"], "upper", source)
        try:
            return closed_box(lower, upper) if flat_boxes else Box.from_bounds(lower, upper)
        except InputError as exc:
            raise type(exc)(f"{source}: {exc}") from None
    if "A" in obj and "b" in obj:
        if not isinstance(obj["A"], list) or not obj["A"]:
            raise FormatError(f"{source}: 'A' must be a non-empty list of rows")
        rows = tuple(_rational_vector(r, f"A[{i}]", source) for i, r in enumerate(obj["A"], start=1))
        b = _rational_vector(obj["b"], "b", source)
        dim = len(rows[0])
        try:
            return Polyhedron(A=rows, b=b, dim=dim)
        except InputError as exc:
            raise type(exc)(f"{source}: {exc}") from None
    raise FormatError(f"{source}: expected 'lower' and 'upper' (a box) or 'A' and 'b' (A x ≤ b)")


def read_domain(path: str | Path) -> Polyhedron:
    from ..numbers.jsonfile import read_json

    return domain_from_obj(read_json(path, "domain file"), str(path))
