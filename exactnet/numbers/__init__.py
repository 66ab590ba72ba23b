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

import operator
import re
from typing import Iterable, Union

from flint import arb, fmpq, fmpz

from ..errors import NumberError
from .algebraic import NumberField, RealAlgebraic, RealRoot, embed, sign, working_precision
from .fields import AlgebraicSpec, build_field, parse_algebraic, unify_fields
from .budget import BUDGET, NumberBudget, NumberLimitError
from .json_exact import DecimalLiteral, DuplicateKeyError, IntegerLiteral, json_loads_exact
from .rational import format_rational, from_float, parse_rational, rational_json, to_rational
from .syntax import parse_expression

Number = Union[fmpq, RealAlgebraic]

#: Short plain literals (``"p"``, ``"p/q"``, ``"p.f"``; ASCII digits, far within the budget) are
#: converted without the general parser; anything else takes the general path.
_PLAIN = re.compile(r"(-?[0-9]{1,18})(?:/([0-9]{1,18})|\.([0-9]{0,18}))?")
_POW10 = tuple(10**k for k in range(19))
_TEXT = frozenset({str, DecimalLiteral})


def _plain(text: str) -> fmpq | None:
    """The value of a short plain literal, or ``None`` (not plain, or a zero denominator)."""
    m = _PLAIN.fullmatch(text)
    if m is None:
        return None
    p, q, frac = m.groups()
    if q is not None:
        q = int(q)
        return fmpq(int(p), q) if q else None
    if frac:
        return fmpq(int(p + frac), _POW10[len(frac)])
    return fmpq(int(p))

#: Deletes the characters of plain literals: a text made only of them translates to "".
_PLAIN_CHARS = str.maketrans("", "", "0123456789-/")
#: The longest bulk literal (``p/q`` with 18 digits each and a sign: far within the budget).
_PLAIN_MAX = 38


def _plain_bulk(values: list) -> list | None:
    """The values of a list of ints and strings when every string is a plain ``"p"`` or ``"p/q"``
    (ASCII digits, an optional leading minus, ``q > 0``, at most 38 characters); ``None`` sends the
    list to the general path (which also reports errors). The character set and the lengths are
    checked in C for all strings at once; ``int`` then rejects any other arrangement ("1-2", "--1",
    "", "1/2/3"), and a negative or zero ``q`` is refused here."""
    texts = [v for v in values if type(v) is str]
    if texts and (max(map(len, texts)) > _PLAIN_MAX or "".join(texts).translate(_PLAIN_CHARS)):
        return None
    out = []
    try:
        for v in values:
            if type(v) is int:
                out.append(fmpq(v))
                continue
            p, slash, q = v.partition("/")
            if not slash:
                out.append(fmpq(int(p)))
                continue
            q = int(q)
            if q <= 0:
                return None
            out.append(fmpq(int(p), q))
    except ValueError:
        return None
    return out


__all__ = [
    "BUDGET", "AlgebraicSpec", "DecimalLiteral", "DuplicateKeyError", "IntegerLiteral", "NumberBudget",
    "NumberLimitError", "Number", "NumberField", "RealAlgebraic", "RealRoot",
    "build_field", "embed", "enclosure", "exact_numbers", "format_number", "from_float",
    "is_rational", "json_loads_exact", "number", "number_json", "numbers_json", "parse_rational", "parse_scalar",
    "sign", "to_rational", "unify_fields", "working_precision",
]


def parse_scalar(value, budget: NumberBudget = BUDGET) -> fmpq | AlgebraicSpec:
    """One literal to an ``fmpq`` or an :class:`AlgebraicSpec` (exactly; see module doc)."""
    if type(value) is fmpq:
        return value
    if isinstance(value, RealAlgebraic):
        raise NumberError("an already-embedded algebraic number cannot be re-parsed; pass its text")
    if isinstance(value, AlgebraicSpec):
        return value
    if isinstance(value, str):
        r = parse_rational(value, budget)
        if r is not None:
            return r
        return parse_algebraic(value, budget)
    if isinstance(value, (list, tuple, dict)) or value is None:
        raise NumberError(f"expected a number, got {type(value).__name__} {_short(value)}")
    return to_rational(value)


def _short(value) -> str:
    s = repr(value)
    return s if len(s) <= 40 else s[:37] + "..."


def _syntax(value, budget: NumberBudget):
    """A literal to an ``fmpq``, or to its parsed tree (a :class:`Node`) when irrational-looking."""
    if isinstance(value, str):
        r = parse_rational(value, budget)
        if r is not None:
            return r
        return parse_expression(value, budget)
    if isinstance(value, AlgebraicSpec):
        return value.node
    return parse_scalar(value, budget)


def exact_numbers(values: Iterable, budget: NumberBudget = BUDGET) -> list:
    """Parse many literals; all algebraic ones are placed in one common :class:`NumberField`.

    The common field is generated by the radicals and ``CRootOf`` values of all literals
    together, so their number and degree bound are checked against ``budget`` as a whole.
    """
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    if kinds <= {int, fmpq}:  # the common case, one C-level pass
        return list(map(fmpq, values))
    if kinds <= {int, str}:  # JSON integers and "p"/"p/q" strings (written networks): validated at once
        bulk = _plain_bulk(values)
        if bulk is not None:
            return bulk
    parsed = [_plain(v) if type(v) in _TEXT else fmpq(v) if type(v) is int else _syntax(v, budget) for v in values]
    for i in [i for i, p in enumerate(parsed) if p is None]:  # text the fast path left alone
        parsed[i] = _syntax(values[i], budget)
    if set(map(type, parsed)) <= {fmpq}:
        return parsed
    trees = [i for i, p in enumerate(parsed) if type(p) is not fmpq]
    if trees:
        first = [parsed[i] for i in trees]
        what = "the algebraic numbers " + ", ".join(
            repr(v) if len(repr(v)) <= 30 else repr(v)[:27] + "..." for v in _texts(first[:3])
        ) + (f" and {len(first) - 3} more" if len(first) > 3 else "") + " together"
        _field, elements = build_field(first, what, budget)
        for i, e in zip(trees, elements):
            parsed[i] = e
    return parsed


def _texts(nodes) -> list[str]:
    from .syntax import to_text

    return [to_text(n) for n in nodes]


def number(value, budget: NumberBudget = BUDGET) -> fmpq | RealAlgebraic:
    """A single literal (or an existing number) as an exact number."""
    if isinstance(value, RealAlgebraic):
        return value
    return exact_numbers([value], budget)[0]


def is_rational(x) -> bool:
    return isinstance(x, fmpq)


def format_number(x) -> str:
    """Exact text: ``"p/q"`` (``"p"`` for integers) or SymPy syntax for algebraic numbers."""
    if isinstance(x, RealAlgebraic):
        return str(x)
    if isinstance(x, (int, fmpz)):
        return str(fmpz(x))
    return format_rational(x)


def number_json(x) -> int | str:
    """File form: JSON integer for integers, ``"p/q"`` or SymPy-syntax string otherwise."""
    if type(x) is fmpq:
        return rational_json(x)
    if isinstance(x, RealAlgebraic):
        return str(x)
    if isinstance(x, (int, fmpz)):
        return rational_json(fmpq(x))
    return rational_json(x)


_NUMERATOR = operator.attrgetter("p")
_DENOMINATOR = operator.attrgetter("q")


def _pair_json(p: int, q: int) -> int | str:
    return p if q == 1 else f"{p}/{q}"


def numbers_json(values) -> list:
    """``[number_json(v) for v in values]``, in bulk for rationals of moderate size (numerators and
    denominators converted to Python ints in C-level passes; the same output)."""
    values = values if isinstance(values, list) else list(values)
    if set(map(type, values)) <= {fmpq}:
        ps = list(map(int, map(_NUMERATOR, values)))
        qs = list(map(int, map(_DENOMINATOR, values)))
        if max(map(int.bit_length, ps), default=0) <= 4096 and max(map(int.bit_length, qs), default=0) <= 4096:
            return list(map(_pair_json, ps, qs))
    return [number_json(v) for v in values]


def enclosure(x, prec: int = 64) -> arb:
    """A rigorous ``arb`` ball containing ``x`` (exact for dyadic rationals at enough precision)."""
    if isinstance(x, RealAlgebraic):
        return x.enclosure(prec)
    with working_precision(prec):
        return arb(x)
