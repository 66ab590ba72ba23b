"""Correct rounding of exact values to IEEE binary floats, with an exact account of the error.

For a binary format with ``p`` significand bits (hidden bit included) and exponent range
``[emin, emax]`` (float16: 11, −14, 15; float32: 24, −126, 127; float64: 53, −1022, 1023),
the representable numbers near ``x > 0`` with ``2^e ≤ x < 2^(e+1)`` are ``m·2^(E−p+1)`` with
``E = max(e, emin)``. :func:`round_rational` computes ``m = round(x·2^(p−1−E))`` from the
integers ``x = n/d`` directly (one integer division, ties to even), so the result is the
correctly rounded value of the exact rational in the target format — never a double
rounding through float64 and never ``float(n)/d`` of a huge numerator. Values beyond the
largest finite number (after rounding) are an error: writing ``inf`` would change the network.

Algebraic entries (:class:`~exactnet.numbers.RealAlgebraic`) are irrational, hence never a
rounding boundary; their ``arb`` enclosure is refined until both ends round to the same float
(rounding is monotone, so that float is the correctly rounded value).

:class:`RoundingTally` accumulates how many entries changed, the largest absolute error (an
exact number) and a few examples, for :class:`~exactnet.io.ExportReport`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from flint import fmpq

from ..errors import NumberError
from ..numbers import RealAlgebraic, format_number, working_precision
from ..numbers.algebraic import ball_bounds


@dataclass(frozen=True)
class FloatFormat:
    """An IEEE 754 binary interchange format."""

    name: str
    precision: int  # significand bits including the hidden bit
    emin: int  # exponent of the smallest normal number
    emax: int  # exponent of the largest finite number

    @property
    def max_finite(self) -> fmpq:
        return fmpq(((1 << self.precision) - 1) << (self.emax - self.precision + 1))

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype(self.name)


FLOAT_FORMATS = {
    "float16": FloatFormat("float16", 11, -14, 15),
    "float32": FloatFormat("float32", 24, -126, 127),
    "float64": FloatFormat("float64", 53, -1022, 1023),
}

DEFAULT_DTYPE = "float64"


def float_format(dtype: str | None) -> FloatFormat:
    name = DEFAULT_DTYPE if dtype is None else str(dtype)
    try:
        return FLOAT_FORMATS[name]
    except KeyError:
        raise NumberError(f"unsupported dtype {name!r}; choose one of {', '.join(FLOAT_FORMATS)}") from None


def _round_positive(n: int, d: int, fmt: FloatFormat) -> tuple[int, int] | None:
    """``(m, k)`` with ``m·2^k`` the correctly rounded value of ``n/d > 0``; ``None`` on overflow."""
    e = n.bit_length() - d.bit_length()  # floor(log2(n/d)) is e or e - 1
    if e > fmt.emax + 1:
        return None
    if (n << -e if e < 0 else n) < (d << e if e > 0 else d):
        e -= 1
    E = max(e, fmt.emin)
    shift = fmt.precision - 1 - E
    num, den = (n << shift, d) if shift >= 0 else (n, d << -shift)
    m, r = divmod(num, den)
    twice = 2 * r
    if twice > den or (twice == den and m & 1):
        m += 1
    k = -shift
    # m ≤ 2^p; m = 2^p means the value rounded up to the next binade
    if m.bit_length() + k - 1 > fmt.emax:
        return None
    return m, k


def round_rational(x: fmpq, fmt: FloatFormat) -> tuple[float, fmpq] | None:
    """The correctly rounded value of ``x`` in ``fmt``: ``(python float, exact value)``.

    ``None`` when ``x`` overflows the format. The Python float holds the rounded value
    exactly (all three formats are subsets of float64), so converting it to ``fmt`` with
    NumPy is exact.
    """
    n, d = int(x.p), int(x.q)
    if n == 0:
        return 0.0, fmpq(0)
    res = _round_positive(abs(n), d, fmt)
    if res is None:
        return None
    m, k = res
    value = fmpq(m << k) if k >= 0 else fmpq(m, 1 << -k)
    as_float = math.ldexp(m, k)
    if n < 0:
        return -as_float, -value
    return as_float, value


def round_algebraic(x: RealAlgebraic, fmt: FloatFormat, start_prec: int = 64) -> tuple[float, fmpq] | None:
    """Correct rounding of an irrational algebraic ``x``, from refined ``arb`` enclosures."""
    prec = max(start_prec, 2 * fmt.precision)
    while True:
        with working_precision(prec):
            lo, hi = ball_bounds(x.enclosure(prec))
        rlo, rhi = round_rational(lo, fmt), round_rational(hi, fmt)
        if rlo is None and rhi is None:
            return None
        if rlo is not None and rhi is not None and rlo[1] == rhi[1]:
            return rlo
        prec *= 2


def round_number(x, fmt: FloatFormat) -> tuple[float, fmpq] | None:
    if type(x) is fmpq:
        return round_rational(x, fmt)
    if isinstance(x, RealAlgebraic):
        return round_algebraic(x, fmt)
    return round_rational(fmpq(x), fmt)


# ---------------------------------------------------------------------------------------------
# tally
# ---------------------------------------------------------------------------------------------

MAX_EXAMPLES = 5


@dataclass
class RoundingTally:
    """Counts of an export in progress (a local accumulator; see :meth:`report_fields`)."""

    fmt: FloatFormat
    total: int = 0
    rounded: int = 0
    max_error: object = field(default_factory=lambda: fmpq(0))
    examples: list = field(default_factory=list)

    def round(self, x, name: str) -> float:
        """Round one value (counted in the tally) and return it as a Python float."""
        self.total += 1
        return self._round_counted(x, name)

    def _round_counted(self, x, name: str) -> float:
        res = round_number(x, self.fmt)
        if res is None:
            raise NumberError(
                f"{name} = {_short(format_number(x))} is outside the {self.fmt.name} range"
                f" (largest finite value {float(self.fmt.max_finite):.6g}); choose a wider --dtype"
            )
        as_float, value = res
        if value != x:
            self.rounded += 1
            err = abs(x - value)
            if err > self.max_error:
                self.max_error = err
            if len(self.examples) < MAX_EXAMPLES:
                self.examples.append((name, format_number(x), format_number(value)))
        return as_float

    def array(self, values, name: str) -> np.ndarray:
        """Round a vector or a matrix (list of rows) into a NumPy array of the target dtype.

        Fast path: a rational whose ``float()`` converts back to itself exactly is a float64;
        if that float64 also survives the cast to the target dtype unchanged, it is stored as
        is (no rounding, nothing to report). Every other entry is rounded exactly by
        :func:`round_number`.
        """
        matrix = bool(values) and isinstance(values[0], (list, tuple))
        rows = list(values) if matrix else [values]
        ncols = len(rows[0]) if rows else 0
        flat = [v for row in rows for v in row]
        out, ok = _exact_floats(flat, self.fmt)
        for k in np.flatnonzero(~ok).tolist():
            where = f"{name}[{k // ncols}, {k % ncols}]" if matrix else f"{name}[{k}]"
            out[k] = self._round_counted(flat[k], where)
        self.total += len(flat)
        shape = (len(rows), ncols) if matrix else (len(flat),)
        return out.reshape(shape).astype(self.fmt.numpy_dtype)

    def report_fields(self) -> dict:
        return {
            "dtype": self.fmt.name,
            "rounded": self.rounded,
            "total": self.total,
            "max_abs_error": format_number(self.max_error),
            "examples": tuple(self.examples),
        }


def _exact_floats(values: list, fmt: FloatFormat) -> tuple[np.ndarray, np.ndarray]:
    """``(floats, ok)``: ``ok[k]`` when ``values[k]`` is exactly ``floats[k]`` and that value is
    representable in ``fmt`` (checked exactly: the float's integer ratio equals the rational,
    and the cast to ``fmt`` and back changes nothing)."""
    out = np.zeros(len(values), dtype=np.float64)
    ok = np.zeros(len(values), dtype=bool)
    for k, v in enumerate(values):
        if type(v) is fmpq:
            try:
                f = float(v)
                if fmpq(*f.as_integer_ratio()) == v:
                    out[k] = f
                    ok[k] = True
            except (OverflowError, ValueError):
                pass
    if fmt.name != "float64" and ok.any():
        with np.errstate(over="ignore", invalid="ignore"):
            back = out.astype(fmt.numpy_dtype).astype(np.float64)
        ok &= back == out
    return out, ok


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def rounded_layers(net, dtype: str | None, names: list[tuple[str, str]]):
    """Round every layer of ``net``: ``(tally, [(W array, b array), ...])`` named by ``names``."""
    tally = RoundingTally(float_format(dtype))
    arrays = []
    for layer, (wname, bname) in zip(net.layers, names):
        arrays.append((tally.array(layer.weight, wname), tally.array(layer.bias, bname)))
    return tally, arrays
