"""Exact numbers: rationals (``flint.fmpq``) and real algebraic numbers.

A *number* in exactnet is either an ``fmpq`` or a :class:`RealAlgebraic` (an irrational element
of a :class:`NumberField` with a fixed real embedding). Everything rational stays ``fmpq``; SymPy
is only touched when a value is written in algebraic syntax.

Entry points:

* :func:`parse_scalar` — one literal (int, ``"p/q"``, decimal, scientific, SymPy syntax, or a
  binary float) to an ``fmpq`` or a not-yet-embedded :class:`AlgebraicSpec`;
* :func:`exact_numbers` — many literals to numbers, all algebraic ones in one common field;
* :func:`number` — a single literal to a number;
* :func:`format_number` / :func:`number_json` — exact output (``"p/q"`` or SymPy syntax);
* :func:`sign`, :func:`enclosure` — exact sign, rigorous ``arb`` ball.
"""

from __future__ import annotations

import json
from typing import Iterable, Union

from flint import arb, fmpq, fmpz

from ..errors import NumberError
from .algebraic import (
    AlgebraicSpec,
    NumberField,
    RealAlgebraic,
    RealRoot,
    build_field,
    embed,
    parse_algebraic,
    sign,
    unify_fields,
    working_precision,
)
from .rational import format_rational, from_float, parse_rational, rational_json, to_rational

Number = Union[fmpq, RealAlgebraic]

__all__ = [
    "AlgebraicSpec", "DecimalLiteral", "Number", "NumberField", "RealAlgebraic", "RealRoot",
    "build_field", "embed", "enclosure", "exact_numbers", "format_number", "from_float",
    "is_rational", "json_loads_exact", "number", "number_json", "parse_rational", "parse_scalar",
    "sign", "to_rational", "unify_fields", "working_precision",
]


class DecimalLiteral(str):
    """The text of a JSON number literal with a fraction or exponent (kept exact, never a float)."""


def _reject_constant(name: str):
    raise NumberError(f"{name} is not a finite number (NaN and infinities are not allowed)")


def json_loads_exact(text: str):
    """``json.loads`` that keeps decimal literals exact and rejects NaN/Infinity."""
    return json.loads(text, parse_float=DecimalLiteral, parse_constant=_reject_constant)


def parse_scalar(value) -> fmpq | AlgebraicSpec:
    """One literal to an ``fmpq`` or an :class:`AlgebraicSpec` (exactly; see module doc)."""
    if isinstance(value, fmpq):
        return value
    if isinstance(value, RealAlgebraic):
        raise NumberError("an already-embedded algebraic number cannot be re-parsed; pass its text")
    if isinstance(value, str):
        if not value.strip():
            raise NumberError("empty string where a number was expected")
        r = parse_rational(value)
        if r is not None:
            return r
        return parse_algebraic(value)
    if isinstance(value, (list, tuple, dict)) or value is None:
        raise NumberError(f"expected a number, got {type(value).__name__} {_short(value)}")
    return to_rational(value)


def _short(value) -> str:
    s = repr(value)
    return s if len(s) <= 40 else s[:37] + "..."


def exact_numbers(values: Iterable) -> list:
    """Parse many literals; all algebraic ones are placed in one common :class:`NumberField`."""
    parsed = [parse_scalar(v) for v in values]
    specs = [(i, p) for i, p in enumerate(parsed) if isinstance(p, AlgebraicSpec)]
    if specs:
        _field, elements = build_field([p for _, p in specs])
        for (i, _), e in zip(specs, elements):
            parsed[i] = e
    return parsed


def number(value) -> fmpq | RealAlgebraic:
    """A single literal (or an existing number) as an exact number."""
    if isinstance(value, RealAlgebraic):
        return value
    return exact_numbers([value])[0]


def is_rational(x) -> bool:
    return isinstance(x, fmpq)


def format_number(x) -> str:
    """Exact text: ``"p/q"`` (``"p"`` for integers) or SymPy syntax for algebraic numbers."""
    if isinstance(x, RealAlgebraic):
        return str(x)
    if isinstance(x, (int, fmpz)):
        return str(int(x))
    return format_rational(x)


def number_json(x) -> int | str:
    """File form: JSON integer for integers, ``"p/q"`` or SymPy-syntax string otherwise."""
    if isinstance(x, RealAlgebraic):
        return str(x)
    if isinstance(x, (int, fmpz)):
        return int(x)
    return rational_json(x)


def enclosure(x, prec: int = 64) -> arb:
    """A rigorous ``arb`` ball containing ``x`` (exact for dyadic rationals at enough precision)."""
    if isinstance(x, RealAlgebraic):
        return x.enclosure(prec)
    with working_precision(prec):
        return arb(x)
