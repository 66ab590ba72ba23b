"""Input domains as users write them: one entry point for ``--domain FILE`` and ``--box LO,HI``.

:func:`read_domain_spec` returns a :data:`Domain`:

* ``--box LO,HI`` — the box ``[LO, HI]^n`` (the same bounds for every input; ``n`` is the
  network's input dimension; exact numbers such as ``-1/2,0.5``);
* ``--domain FILE.vnnlib`` — the input constraints of a VNN-LIB file
  (:mod:`exactnet.network.vnnlib`);
* ``--domain FILE.json`` — one JSON object (numbers exact, as in ``exactnet.network/1``):

  - a box ``{"lower": [...], "upper": [...]}``, or ``{"lower": LO, "upper": HI}`` with numbers
    (``[LO, HI]^n``);
  - a polyhedron ``{"A": [[...], ...], "b": [...]}`` meaning ``A x ≤ b``;
  - a finite domain ``{"finite": [[0, 1], [0, 1, 2], ...]}`` (one set per input) or
    ``{"finite": [0, 1], "dim": n}`` (``{0,1}^n``; ``"dim"`` defaults to the input dimension);
  - a union ``{"union": [box or polyhedron, ...]}``.

  An optional ``"format": "exactnet.domain/1"`` is accepted. The full description is in
  ``docs/domains.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from flint import fmpq

from ..errors import FormatError, InputError
from ..numbers import parse_scalar
from .domain import Box, Polyhedron, closed_box, domain_from_obj
from .domain_union import PolyhedronUnion
from .finite_domain import FiniteDomain

#: Every kind of input domain: a box or polyhedron, a finite product of sets, a union of polyhedra.
Domain = Union[Polyhedron, FiniteDomain, PolyhedronUnion]

FORMAT = "exactnet.domain/1"
#: Suffixes read as VNN-LIB.
VNNLIB_SUFFIXES = (".vnnlib", ".smt2")
#: The most values a finite domain file may list in all.
MAX_FINITE_VALUES = 1 << 20


def _rational(value, what: str) -> fmpq:
    try:
        x = parse_scalar(value)
    except InputError as exc:
        raise type(exc)(f"{what}: {exc}") from None
    if not isinstance(x, fmpq):
        raise FormatError(f"{what}: domain data must be rational, got {value!r}")
    return x


def _need_dim(dim: int | None, what: str) -> int:
    if dim is None:
        raise InputError(f"{what} gives the same bounds for every input, but the number of inputs is not known"
                         " here (add \"dim\": n)")
    return dim


def parse_box_option(text: str, dim: int | None, option: str = "--box") -> Polyhedron:
    """``"LO,HI"`` → the box ``[LO, HI]^dim`` (exact numbers; ``LO ≤ HI``; ``LO = HI`` is the single
    point ``(LO, …, LO)``, a polyhedron without interior: :func:`exactnet.network.domain.closed_box`)."""
    if not isinstance(text, str) or text.count(",") != 1:
        raise InputError(f"{option} takes LO,HI (two exact numbers, e.g. {option} 0,1 or {option} -1/2,0.5),"
                         f" got {text!r}")
    lo_text, hi_text = (t.strip() for t in text.split(","))
    lo, hi = _rational(lo_text, f"{option} LO"), _rational(hi_text, f"{option} HI")
    if lo > hi:
        raise InputError(f"{option} {text}: LO must not exceed HI (the box would be empty)")
    n = _need_dim(dim, option)
    return closed_box([lo] * n, [hi] * n)


def domain_from_json(obj, source: str = "domain", dim: int | None = None) -> Domain:
    """A domain from its JSON object (see the module doc); ``dim`` is the network's input dimension
    when known (used by the forms that give one set of bounds for every input)."""
    if not isinstance(obj, dict):
        raise FormatError(f"{source}: expected a JSON object (a box, polyhedron, finite domain or union)")
    fmt = obj.get("format")
    if fmt is not None and fmt != FORMAT:
        raise FormatError(f"{source}: unknown format {fmt!r} (expected {FORMAT!r})")
    kinds = [k for k in ("finite", "union") if k in obj]
    if ("lower" in obj or "upper" in obj or "A" in obj or "b" in obj) and kinds:
        raise FormatError(f"{source}: give one kind of domain: a box, a polyhedron, 'finite' or 'union'")
    if kinds == ["finite"]:
        return _finite(obj, source, dim)
    if kinds == ["union"]:
        return _union(obj, source, dim)
    if kinds:
        raise FormatError(f"{source}: give either 'finite' or 'union', not both")
    extra = set(obj) - {"lower", "upper", "A", "b", "format", "dim"}
    if extra:
        raise FormatError(f"{source}: unknown keys {', '.join(sorted(map(repr, extra)))} (a domain has 'lower'/'upper',"
                          " 'A'/'b', 'finite' or 'union')")
    lower, upper = obj.get("lower"), obj.get("upper")
    if "lower" in obj and "upper" in obj and not isinstance(lower, list) and not isinstance(upper, list):
        n = _dim_value(obj["dim"], source) if "dim" in obj else _need_dim(dim, f"{source}: a box with number bounds")
        lo, hi = _rational(lower, f"{source}: lower"), _rational(upper, f"{source}: upper")
        try:
            return closed_box([lo] * n, [hi] * n)
        except InputError as exc:
            raise type(exc)(f"{source}: {exc}") from None
    dom = domain_from_obj({k: v for k, v in obj.items() if k not in ("format", "dim")}, source, flat_boxes=True)
    if "dim" in obj and _dim_value(obj["dim"], source) != dom.dim:
        raise FormatError(f"{source}: 'dim' is {obj['dim']} but the constraints have dimension {dom.dim}")
    return dom


def _dim_value(value, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FormatError(f"{source}: 'dim' must be a positive integer, got {value!r}")
    return value


def _finite(obj, source: str, dim: int | None) -> FiniteDomain:
    extra = set(obj) - {"finite", "dim", "format"}
    if extra:
        raise FormatError(f"{source}: unknown keys {', '.join(sorted(map(repr, extra)))} in a finite domain")
    sets = obj["finite"]
    if not isinstance(sets, list) or not sets:
        raise FormatError(f"{source}: 'finite' must be a non-empty list (of numbers, or of lists of numbers)")
    if all(isinstance(s, list) for s in sets):
        if "dim" in obj and _dim_value(obj["dim"], source) != len(sets):
            raise FormatError(f"{source}: 'dim' is {obj['dim']} but 'finite' lists {len(sets)} sets")
        if sum(len(s) for s in sets) > MAX_FINITE_VALUES:
            raise FormatError(f"{source}: more than {MAX_FINITE_VALUES:,} values in 'finite'")
        values = [[_rational(v, f"{source}: finite[{i}][{j}]") for j, v in enumerate(s, start=1)]
                  for i, s in enumerate(sets, start=1)]
        return FiniteDomain.product(values)
    if any(isinstance(s, list) for s in sets):
        raise FormatError(f"{source}: 'finite' mixes numbers and lists; give one list per input, or one list of"
                          " numbers for every input")
    if len(sets) > MAX_FINITE_VALUES:
        raise FormatError(f"{source}: more than {MAX_FINITE_VALUES:,} values in 'finite'")
    n = _dim_value(obj["dim"], source) if "dim" in obj else _need_dim(dim, f"{source}: 'finite' (one set)")
    values = [_rational(v, f"{source}: finite[{j}]") for j, v in enumerate(sets, start=1)]
    return FiniteDomain.cube(values, n)


def _union(obj, source: str, dim: int | None) -> PolyhedronUnion:
    extra = set(obj) - {"union", "format"}
    if extra:
        raise FormatError(f"{source}: unknown keys {', '.join(sorted(map(repr, extra)))} in a union")
    parts = obj["union"]
    if not isinstance(parts, list) or not parts:
        raise FormatError(f"{source}: 'union' must be a non-empty list of boxes or polyhedra")
    built = []
    for i, p in enumerate(parts, start=1):
        if isinstance(p, dict) and ("finite" in p or "union" in p):
            raise FormatError(f"{source}: union part {i}: the parts of a union are boxes or polyhedra")
        built.append(domain_from_json(p, f"{source}: union part {i}", dim))
    try:
        return PolyhedronUnion(tuple(built))
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from None


def read_domain_file(path: str | Path, dim: int | None = None) -> Domain:
    """A domain file: VNN-LIB by suffix (``.vnnlib``, ``.smt2``), JSON otherwise."""
    path = Path(path)
    if path.suffix.lower() in VNNLIB_SUFFIXES:
        from .vnnlib import read_vnnlib

        return read_vnnlib(path)
    from ..numbers.jsonfile import read_json

    return domain_from_json(read_json(path, "domain file"), str(path), dim)


def read_domain_spec(domain: str | Path | None = None, box: str | None = None, input_dim: int | None = None,
                     domain_option: str = "--domain", box_option: str = "--box") -> Domain | None:
    """The domain given by ``--domain FILE`` or ``--box LO,HI`` (``None`` if neither), checked
    against the network's ``input_dim`` when given."""
    if domain is not None and box is not None:
        raise InputError(f"give either {domain_option} or {box_option}, not both")
    if box is not None:
        return parse_box_option(box, input_dim, box_option)
    if domain is None:
        return None
    dom = read_domain_file(domain, input_dim)
    if input_dim is not None and dom.dim != input_dim:
        raise InputError(f"{domain}: the domain has dimension {dom.dim} but the network takes {input_dim} inputs")
    return dom


__all__ = ["FORMAT", "domain_from_json", "parse_box_option", "read_domain_file", "read_domain_spec"]
