"""How numbers look in human output (the one shared rendering helper; contract in ``docs/cli.md``).

Exact values stay in ``--json``. Human output shows points and values as short decimals
(:data:`DIGITS` significant digits, correctly rounded from the exact rational), or exactly with
``--exact``; a value whose decimal is not exact is marked ``≈`` where both are shown
(:func:`decimal_beside`). Values that are not rationals (real algebraic numbers such as
``sqrt(2)``) are always shown exactly.
"""

from __future__ import annotations

import contextvars
import decimal
from contextlib import contextmanager
from fractions import Fraction
from typing import Iterable, Iterator

#: Significant digits of a short decimal.
DIGITS = 6

_EXACT: contextvars.ContextVar[bool] = contextvars.ContextVar("exactnet_exact_output", default=False)


@contextmanager
def exact_output(flag: bool) -> Iterator[None]:
    """Render exact values (``--exact``) instead of short decimals while the block runs."""
    token = _EXACT.set(bool(flag))
    try:
        yield
    finally:
        _EXACT.reset(token)


def _rational(value) -> Fraction | None:
    """``value`` (an int, ``fmpq``, ``Fraction`` or its exact text such as ``"-3/2"``) as a
    ``Fraction``; ``None`` for anything else (algebraic numbers, text like ``sqrt(2)``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if hasattr(value, "p") and hasattr(value, "q"):  # flint.fmpq
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


def short_decimal(value, digits: int = DIGITS) -> tuple[str, bool]:
    """``(text, exact)``: ``value`` rounded to ``digits`` significant digits (half to even) and
    whether that decimal equals ``value``; non-rationals come back unchanged with ``exact`` true."""
    q = _rational(value)
    if q is None:
        return str(value), True
    if q == 0:
        return "0", True
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN, Emax=10**9, Emin=-10**9)
    d = ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator)).normalize(ctx)
    exact = Fraction(d) == q
    if -7 <= d.adjusted() < (16 if exact else digits):
        text = format(d, "f")
    else:
        text = format(d, "e").replace("e+", "e")
    return text, exact


def number(value) -> str:
    """One number for human output: a short decimal, or the exact value with ``--exact``."""
    if _EXACT.get():
        return str(value)
    text, _ = short_decimal(value)
    return text


def point(values: Iterable) -> str:
    """A point ``(x1, x2, ...)`` for human output (see :func:`number`)."""
    return "(" + ", ".join(number(v) for v in values) + ")"


def decimal_beside(value) -> str:
    """The decimal of ``value`` to print next to its exact value: ``30.25``, ``≈0.333333``."""
    text, exact = short_decimal(value)
    return text if exact else "≈" + text


def rounding_note(values: Iterable) -> str | None:
    """The line to print under human output that shows ``values`` as decimals: ``None`` with
    ``--exact`` or when every decimal shown is exact."""
    if _EXACT.get() or all(short_decimal(v)[1] for v in values):
        return None
    return f"(decimals rounded to {DIGITS} significant digits; --exact or --json for the exact values)"


def fit(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters (whitespace collapsed; a cut line ends
    with ``…``)."""
    line = " ".join(str(text).split())
    if len(line) <= width:
        return line
    return line[:max(width - 1, 0)].rstrip() + "…"


__all__ = ["DIGITS", "fit", "decimal_beside", "exact_output", "number", "point", "rounding_note", "short_decimal"]
