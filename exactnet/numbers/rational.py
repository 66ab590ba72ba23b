"""Exact rationals: parsing, float conversion and formatting.

Rationals are :class:`flint.fmpq`.  Parsing is exact:

* ``"3"``, ``"-7/12"`` (integer or ``p/q``), ``"0.125"``, ``"-1.5e-3"`` (a decimal means the
  decimal it spells, so ``"0.1"`` is ``1/10``);
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

#: Largest decimal exponent accepted when parsing ``"1e..."`` (guards against 10**10**9).
MAX_DECIMAL_EXPONENT = 100_000

_INT = re.compile(r"[+-]?\d+\Z")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*(\d+)\Z")
_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\Z")
_NONFINITE = re.compile(r"[+-]?(nan|inf|infinity)\Z", re.IGNORECASE)


def parse_rational(text: str) -> fmpq | None:
    """Parse an integer, ``p/q``, decimal or scientific literal exactly.

    Returns ``None`` when ``text`` is not a rational literal (it may still be an algebraic
    expression); raises :class:`NumberError` for NaN, infinities, a zero denominator or an
    absurd exponent.
    """
    s = text.strip()
    if _INT.match(s):
        return fmpq(int(s))
    m = _FRACTION.match(s)
    if m:
        p, q = int(m.group(1)), int(m.group(2))
        if q == 0:
            raise NumberError(f"zero denominator in {text!r}")
        return fmpq(p, q)
    m = _DECIMAL.match(s)
    if m and (m.group(2) or m.group(3)):
        sign, whole, frac, exp = m.groups()
        frac = frac or ""
        digits = int((whole or "0") + frac)
        e = int(exp) if exp else 0
        if abs(e) > MAX_DECIMAL_EXPONENT:
            raise NumberError(f"exponent too large in {text!r} (limit {MAX_DECIMAL_EXPONENT})")
        e -= len(frac)
        value = fmpq(digits * 10**e) if e >= 0 else fmpq(digits, 10**-e)
        return -value if sign == "-" else value
    if _NONFINITE.match(s):
        raise NumberError(f"{text!r} is not a finite number (NaN and infinities are not allowed)")
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


def rational_json(x: fmpq) -> int | str:
    """The file form: a JSON integer for integers, a ``"p/q"`` string otherwise."""
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"
