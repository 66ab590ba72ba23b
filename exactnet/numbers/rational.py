"""Exact rationals: parsing, float conversion and formatting.

Rationals are :class:`flint.fmpq`.  Parsing is exact:

* ``"3"``, ``"-7/12"`` (integer or ``p/q``), ``"0.125"``, ``"-1.5e-3"`` (a decimal means the
  decimal it spells, so ``"0.1"`` is ``1/10``); digits are ASCII ``0-9`` only, and sizes are
  within the number budget (docs/numbers.md), with no Python int-string limit;
* a Python or NumPy binary float (float16/32/64/longdouble) is converted to the exact dyadic
  rational it holds, so ``numpy.float32(0.1)`` becomes ``13421773/134217728``.

NaN and infinities are errors, never numbers.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from numbers import Integral

from flint import fmpq, fmpz

from ..errors import NumberError
from .budget import BUDGET, NumberBudget, shown
from .syntax import check_text, decimal_value, integer_from_digits

_INT = re.compile(r"([+-]?)([0-9]+)\Z")
_FRACTION = re.compile(r"([+-]?)([0-9]+)\s*/\s*([0-9]+)\Z")
_DECIMAL = re.compile(r"([+-]?)((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\Z")
_NONFINITE = re.compile(r"[+-]?(nan|inf|infinity)\Z", re.IGNORECASE)

#: Integers with at most this many digits are converted by Python's ``int`` (fast for short
#: text); longer ones by FLINT (no Python int-string limit, subquadratic).
_SHORT = 1000


def parse_rational(text: str, budget: NumberBudget = BUDGET) -> fmpq | None:
    """Parse an integer, ``p/q``, decimal or scientific literal exactly (ASCII digits only).

    Returns ``None`` when ``text`` is not a rational literal (it may still be an algebraic
    expression); raises :class:`NumberError` for NaN, infinities, a zero denominator,
    non-ASCII characters or a literal over the number budget (docs/numbers.md).
    """
    if len(text) <= 40 and text.isascii():  # the common case: short, plain
        s = text.strip()
        if _INT.match(s):
            return fmpq(int(s))
    check_text(text, budget)
    s = text.strip()
    m = _INT.match(s)
    if m:
        value = integer_from_digits(m.group(2), text, budget)
        return fmpq(-value if m.group(1) == "-" else value)
    m = _FRACTION.match(s)
    if m:
        p = integer_from_digits(m.group(2), text, budget)
        q = integer_from_digits(m.group(3), text, budget)
        if q == 0:
            raise NumberError(f"zero denominator in {shown(text)}")
        value = fmpq(p, q)
        return -value if m.group(1) == "-" else value
    m = _DECIMAL.match(s)
    if m:
        value = decimal_value(m.group(2), text, budget)
        if value is not None:
            return -value if m.group(1) == "-" else value
    if _NONFINITE.match(s):
        raise NumberError(f"{shown(text)} is not a finite number (NaN and infinities are not allowed)")
    return None


def from_float(x) -> fmpq:
    """The exact dyadic rational held by a binary float (Python or NumPy, any precision)."""
    try:
        finite = math.isfinite(x)
    except (TypeError, OverflowError):  # pragma: no cover - exotic float types
        finite = True
    if not finite:
        raise NumberError(f"{x!r} is not a finite number (NaN and infinities are not allowed)")
    p, q = x.as_integer_ratio()
    return fmpq(int(p), int(q))


def to_rational(x) -> fmpq:
    """Convert an exact or binary-float scalar to ``fmpq`` (ints, Fractions, fmpz, floats, NumPy)."""
    if isinstance(x, fmpq):
        return x
    if isinstance(x, bool):
        raise NumberError(f"{x!r} is a boolean, not a number")
    if isinstance(x, (int, fmpz, Integral)):
        return fmpq(int(x))
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, str):
        r = parse_rational(x)
        if r is None:
            raise NumberError(f"{x!r} is not a rational number")
        return r
    if hasattr(x, "as_integer_ratio") and hasattr(x, "dtype") and x.dtype.kind in "iu":
        return fmpq(int(x))
    if hasattr(x, "as_integer_ratio"):
        if hasattr(x, "dtype") and x.dtype.kind == "c":
            raise NumberError(f"{x!r} is complex, not real")
        return from_float(x)
    if isinstance(x, complex):
        raise NumberError(f"{x!r} is complex, not real")
    raise NumberError(f"cannot convert {type(x).__name__} {x!r} to an exact rational")


def format_rational(x: fmpq) -> str:
    """``"p/q"`` in lowest terms, or ``"p"`` for integers."""
    return str(x.p) if x.q == 1 else f"{x.p}/{x.q}"


#: Integers up to this many bits are written as JSON integers; longer ones as strings of digits
#: (Python's ``json`` cannot write integers over its int-string limit of 4,300 digits).
JSON_INTEGER_BITS = 14_000


def rational_json(x: fmpq) -> int | str:
    """The file form: a JSON integer for integers (a string of digits when very long), a
    ``"p/q"`` string otherwise."""
    p, q = int(x.p), int(x.q)  # Python ints format several times faster than fmpz ...
    if q != 1:
        if max(p.bit_length(), q.bit_length()) > JSON_INTEGER_BITS:  # ... but stop at their digit limit
            return f"{x.p}/{x.q}"
        return f"{p}/{q}"
    return p if p.bit_length() <= JSON_INTEGER_BITS else str(x.p)
