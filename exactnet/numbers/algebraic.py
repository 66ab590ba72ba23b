"""Real algebraic numbers in a number field with a fixed real embedding.

A number field ``K = Q(θ)`` is given by the irreducible integer polynomial ``g`` of ``θ`` and by
*which* real root of ``g`` ``θ`` is (its index among the real roots in increasing order).
An element of ``K`` is a rational polynomial ``p`` of degree ``< deg g``, meaning ``p(θ)``.

* ``+ − × ÷`` are polynomial arithmetic modulo ``g`` (division by the extended Euclidean
  algorithm), so they are exact.
* ``p(θ) = 0`` iff ``p = 0`` (``g`` is irreducible and ``deg p < deg g``): the zero test is exact.
* The sign of a nonzero ``p(θ)`` is decided by evaluating ``p`` on a rigorous ``flint.arb``
  enclosure of ``θ`` (from a rational isolating interval refined by exact bisection) at
  increasing precision until the ball excludes 0. This terminates because ``p(θ) ≠ 0``.
* Order is the sign of the difference.

Every element that happens to be rational is returned as a plain :class:`flint.fmpq`, so
rational code paths never see this class.

All algebraic entries of one network live in one field (built by
:mod:`exactnet.numbers.fields` from the radicals and roots they are written with); numbers from
different networks are moved into a common field with
:func:`~exactnet.numbers.fields.unify_fields`. Mixing elements of two different fields raises
:class:`~exactnet.errors.FieldMismatchError` rather than silently comparing unrelated
representations. SymPy is used only to display elements of small fields.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING
from functools import cached_property

from flint import arb, ctx, fmpq, fmpq_poly, fmpz, fmpz_poly

from ..errors import FieldMismatchError
from .syntax import PolyRoot, rational_text, to_text

if TYPE_CHECKING:  # annotations only; SymPy is imported lazily at run time
    import sympy


def _sympy():
    """SymPy, imported on first use: rational-only work never loads it."""
    import sympy

    return sympy


def _x():
    return _sympy().Symbol("x")

#: Precision limit (bits) for refinement loops that only fail on a bug or absurd input.
MAX_PRECISION = 1 << 16


@contextmanager
def working_precision(bits: int):
    """Temporarily set FLINT's arb working precision (restored afterwards)."""
    old = ctx.prec
    ctx.prec = max(int(bits), 16)
    try:
        yield
    finally:
        ctx.prec = old


def _fmpq_from_arf(value: arb) -> fmpq:
    """The exact dyadic value of an exact ``arb`` (a midpoint or radius)."""
    m, e = value.man_exp()
    m, e = int(m), int(e)
    return fmpq(m * (1 << e)) if e >= 0 else fmpq(m, 1 << -e)


def ball_bounds(ball: arb) -> tuple[fmpq, fmpq]:
    """Exact rational lower and upper bounds of an ``arb`` ball."""
    mid, rad = _fmpq_from_arf(ball.mid()), _fmpq_from_arf(ball.rad())
    return mid - rad, mid + rad


def interval_ball(lo: fmpq, hi: fmpq) -> arb:
    """An ``arb`` ball containing the closed rational interval ``[lo, hi]``."""
    return arb(lo).union(arb(hi))


def primitive_integer_poly(poly: fmpq_poly) -> fmpz_poly:
    """The primitive integer multiple of ``poly`` with a positive leading coefficient."""
    den = poly.denom()
    ints = fmpz_poly([int(c * den) for c in poly.coeffs()])
    content = ints.content()
    ints = fmpz_poly([c // content for c in ints.coeffs()])
    if ints.leading_coefficient() < 0:
        ints = -ints
    return ints


# ---------------------------------------------------------------------------------------------
# Isolated real roots
# ---------------------------------------------------------------------------------------------


class RealRoot:
    """A real root of an irreducible integer polynomial ``poly`` of degree ≥ 2.

    Identified by ``index``, its rank among the real roots in increasing order. The rational
    isolating interval ``[lo, hi]`` (exactly one root inside, ``poly(lo)·poly(hi) < 0``) is
    refined by exact bisection on demand; refinement never changes the number.
    """

    __slots__ = ("poly", "index", "_lo", "_hi", "_sign_lo")

    def __init__(self, poly: fmpz_poly, index: int, lo: fmpq, hi: fmpq):
        self.poly = poly
        self.index = index
        self._lo, self._hi = lo, hi
        self._sign_lo = _sign_int(poly(lo))
        if self._sign_lo == 0 or self._sign_lo == _sign_int(poly(hi)):
            raise ValueError("not an isolating interval")  # pragma: no cover - internal

    @property
    def key(self) -> tuple:
        return (tuple(int(c) for c in self.poly.coeffs()), self.index)

    @property
    def interval(self) -> tuple[fmpq, fmpq]:
        return self._lo, self._hi

    def refine(self, width: fmpq) -> tuple[fmpq, fmpq]:
        """Bisect until the isolating interval is no wider than ``width``."""
        while self._hi - self._lo > width:
            mid = (self._lo + self._hi) / 2
            s = _sign_int(self.poly(mid))  # never 0: no rational roots (irreducible, deg ≥ 2)
            if s == self._sign_lo:
                self._lo = mid
            else:
                self._hi = mid
        return self._lo, self._hi

    def enclosure(self, prec: int) -> arb:
        """A rigorous ball of radius about ``2^-prec`` around the root (at the current precision)."""
        lo, hi = self.refine(fmpq(1, 1 << prec))
        return interval_ball(lo, hi)

    @staticmethod
    def all_real_roots(poly: fmpz_poly) -> list["RealRoot"]:
        """The real roots of an irreducible ``poly`` (degree ≥ 2), in increasing order."""
        balls = []
        for root, _mult in poly.complex_roots():
            if root.imag.is_zero():
                balls.append(root.real)
        balls.sort(key=lambda b: _fmpq_from_arf(b.mid()))
        out = []
        for i, b in enumerate(balls):
            lo, hi = ball_bounds(b)
            out.append(RealRoot(poly, i, lo, hi))
        return out

    def __repr__(self) -> str:
        return f"RealRoot({self.poly}, index={self.index})"


def _sign_int(x) -> int:
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------------------------------------
# Parsing SymPy syntax
# ---------------------------------------------------------------------------------------------


class Undecided(Exception):
    """An enclosure too wide to decide a sign at this precision; retry with more bits."""


# ---------------------------------------------------------------------------------------------
# Number fields and their elements
# ---------------------------------------------------------------------------------------------


class NumberField:
    """``Q(θ)`` with ``θ`` a specific real root of an irreducible integer polynomial.

    Two fields are equal when they have the same defining polynomial and the same root index
    (the same real embedding). ``generator_expr`` is a SymPy expression of ``θ`` and
    ``generator_text`` the same in exactnet's number syntax; elements are written with them.
    """

    __slots__ = ("root", "modulus", "generator_text", "_generator_expr", "_key")

    def __init__(self, root: RealRoot, generator_expr: sympy.Expr | None = None, generator_text: str | None = None):
        self.root = root
        lead = fmpq(root.poly.leading_coefficient())
        self.modulus = fmpq_poly([fmpq(c) / lead for c in root.poly.coeffs()])
        if generator_text is None:
            if generator_expr is not None:
                generator_text = _sympy().sstr(generator_expr)
            else:
                coeffs = tuple(int(c) for c in root.poly.coeffs())
                generator_text = f"CRootOf({PolyRoot(coeffs, root.index).polynomial_text()}, {root.index})"
        self.generator_text = generator_text
        self._generator_expr = generator_expr
        self._key = root.key

    @property
    def generator_expr(self) -> sympy.Expr:
        """``θ`` as a SymPy expression, for display only: built from :attr:`generator_text` with
        ``CRootOf`` as an undefined function (so no SymPy root isolation ever runs)."""
        if self._generator_expr is None:
            sympy = _sympy()
            from sympy.parsing.sympy_parser import parse_expr

            names = {"CRootOf": sympy.Function("CRootOf"), "x": _x(), "sqrt": sympy.sqrt, "root": sympy.root,
                     "real_root": sympy.real_root}
            self._generator_expr = parse_expr(self.generator_text, local_dict=names)
        return self._generator_expr

    @property
    def degree(self) -> int:
        return self.root.poly.degree()

    def __eq__(self, other) -> bool:
        return isinstance(other, NumberField) and self._key == other._key

    def __hash__(self) -> int:
        return hash(("NumberField", self._key))

    def __repr__(self) -> str:
        return f"NumberField(Q({self.generator_text}), degree {self.degree})"

    def element(self, coeffs: fmpq_poly):
        """``coeffs(θ)`` as an exact number: ``fmpq`` if rational, else :class:`RealAlgebraic`."""
        if coeffs.degree() >= self.degree:
            coeffs = coeffs % self.modulus
        if coeffs.degree() <= 0:
            return coeffs.coeffs()[0] if coeffs.degree() == 0 else fmpq(0)
        return RealAlgebraic(self, coeffs)

    def generator(self):
        return self.element(fmpq_poly([0, 1]))

    def theta_enclosure(self, prec: int) -> arb:
        return self.root.enclosure(prec)


class RealAlgebraic:
    """An irrational element ``p(θ)`` of a :class:`NumberField` (see the module docstring).

    Treat instances as immutable values; they are hashable and usable as dictionary keys.
    """

    def __init__(self, field: NumberField, coeffs: fmpq_poly):
        self.field = field
        self.coeffs = coeffs
        self._hash = None

    # -- coercion ------------------------------------------------------------------------------
    def _coerce(self, other) -> fmpq_poly | None:
        if isinstance(other, RealAlgebraic):
            if other.field != self.field:
                raise FieldMismatchError(
                    f"cannot combine numbers of different fields {self.field} and {other.field};"
                    " unify the fields first"
                )
            return other.coeffs
        if isinstance(other, (fmpq, int, fmpz)) and not isinstance(other, bool):
            return fmpq_poly([other])
        return None

    def _make(self, coeffs: fmpq_poly):
        return self.field.element(coeffs)

    # -- arithmetic ----------------------------------------------------------------------------
    def __add__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self._make(self.coeffs + o)

    __radd__ = __add__

    def __sub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self._make(self.coeffs - o)

    def __rsub__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self._make(o - self.coeffs)

    def __mul__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self._make(self.coeffs * o)

    __rmul__ = __mul__

    def _inverse_coeffs(self) -> fmpq_poly:
        g, s, _t = self.coeffs.xgcd(self.field.modulus)
        # g is a nonzero constant because modulus is irreducible and deg coeffs < deg modulus.
        return s / g.coeffs()[0]

    def __truediv__(self, other):
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        if o.is_zero():
            raise ZeroDivisionError("division by zero")
        if o.degree() == 0:
            return self._make(self.coeffs / o.coeffs()[0])
        inv = RealAlgebraic(self.field, o)._inverse_coeffs()
        return self._make(self.coeffs * inv)

    def __rtruediv__(self, other):
        o = self._coerce(other)
        return NotImplemented if o is None else self._make(o * self._inverse_coeffs())

    def __neg__(self):
        return RealAlgebraic(self.field, -self.coeffs)

    def __pos__(self):
        return self

    def __abs__(self):
        return -self if self.sign() < 0 else self

    def __pow__(self, n: int):
        if not isinstance(n, int):
            return NotImplemented
        if n < 0:
            return (1 / self) ** (-n)
        result = fmpq_poly([1])
        base = self.coeffs
        while n:
            if n & 1:
                result = (result * base) % self.field.modulus
            base = (base * base) % self.field.modulus
            n >>= 1
        return self._make(result)

    # -- sign and order ------------------------------------------------------------------------
    def enclosure(self, prec: int = 64) -> arb:
        """A rigorous ``arb`` ball containing the value, computed at working precision ``prec``."""
        with working_precision(prec + 16):
            theta = self.field.theta_enclosure(prec)
            acc = arb(0)
            for c in reversed(self.coeffs.coeffs()):
                acc = acc * theta + arb(c)
            return acc

    def sign(self) -> int:
        """``+1`` or ``−1`` (an irrational element is never 0), decided by refining enclosures."""
        prec = 64
        while True:
            ball = self.enclosure(prec)
            if ball > 0:
                return 1
            if ball < 0:
                return -1
            prec *= 2

    def _cmp(self, other) -> int | None:
        if isinstance(other, RealAlgebraic):
            diff = self - other
        else:
            o = self._coerce(other)
            if o is None:
                return None
            diff = self - other
        return sign(diff)

    def __eq__(self, other):
        if isinstance(other, RealAlgebraic):
            self._coerce(other)
            return self.coeffs == other.coeffs
        if isinstance(other, (fmpq, int, fmpz)) and not isinstance(other, bool):
            return False  # irrational
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __lt__(self, other):
        c = self._cmp(other)
        return NotImplemented if c is None else c < 0

    def __le__(self, other):
        c = self._cmp(other)
        return NotImplemented if c is None else c <= 0

    def __gt__(self, other):
        c = self._cmp(other)
        return NotImplemented if c is None else c > 0

    def __ge__(self, other):
        c = self._cmp(other)
        return NotImplemented if c is None else c >= 0

    def __bool__(self) -> bool:
        return True

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.field, tuple(self.coeffs.coeffs())))
        return self._hash

    def __float__(self) -> float:
        return float(self.enclosure(64).mid())

    # -- output --------------------------------------------------------------------------------
    @cached_property
    def _expr(self) -> sympy.Expr:
        sympy = _sympy()
        source = self.__dict__.get("_source")
        if source is not None:
            from .syntax import to_sympy

            return to_sympy(source)
        theta = self.field.generator_expr
        terms = []
        for i, c in enumerate(self.coeffs.coeffs()):
            if c != 0:
                terms.append(sympy.Rational(int(c.p), int(c.q)) * theta**i)
        return sympy.expand(sympy.Add(*terms))

    def sympy(self) -> sympy.Expr:
        """The value as a SymPy expression (as written, or in terms of the field generator)."""
        return self._expr

    @cached_property
    def _text(self) -> str:
        source = self.__dict__.get("_source")
        if source is not None:  # parsed: shown as the user wrote it (normalised)
            return to_text(source)
        if (self.field.degree <= _SYMPY_DISPLAY_DEGREE and _poly_bits(self.coeffs) <= _SYMPY_DISPLAY_BITS
                and "CRootOf" not in self.field.generator_text):
            return _sympy().sstr(self._expr)  # small: SymPy's simplified form (sqrt(2)/2 + 1)
        return _power_basis_text(self.coeffs, self.field.generator_text)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"RealAlgebraic({self})"


#: Elements of fields up to this degree (and coefficients up to these bits) are written in
#: SymPy's expanded form; larger ones as ``c0 + c1*θ + …`` (expanding powers of a primitive
#: element with several radicals grows combinatorially).
_SYMPY_DISPLAY_DEGREE = 8
_SYMPY_DISPLAY_BITS = 10_000


def _poly_bits(p: fmpq_poly) -> int:
    top = max((int(c.bit_length()) for c in p.numer().coeffs()), default=0)
    return top + int(fmpz(p.denom()).bit_length())


def _power_basis_text(coeffs: fmpq_poly, theta: str) -> str:
    """``c0 + c1*(θ) + c2*(θ)**2 + …`` in exactnet's number syntax."""
    t = theta if re.fullmatch(r"[A-Za-z_]+\([^()]*\)|[0-9]+", theta) else f"({theta})"
    parts = []
    for i, c in enumerate(coeffs.coeffs()):
        if c == 0:
            continue
        mono = "" if i == 0 else t if i == 1 else f"{t}**{i}"
        mag = rational_text(abs(c))
        body = mag if not mono else mono if mag == "1" else f"{mag}*{mono}"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append(("- " if c < 0 else "+ ") + body)
    return " ".join(parts) or "0"


def sign(x) -> int:
    """Exact sign of a rational or real algebraic number."""
    if type(x) is fmpq:  # the numerator's sign (ordering an fmpq directly is several times slower)
        p = x.p
        return (p > 0) - (p < 0)
    if isinstance(x, RealAlgebraic):
        return x.sign()
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------------------------------------
# Building fields
# ---------------------------------------------------------------------------------------------


def compose_mod(p: fmpq_poly, q: fmpq_poly, modulus: fmpq_poly) -> fmpq_poly:
    """``p(q) mod modulus`` by Horner's rule, reducing at every step (composing first would
    build a polynomial of degree ``deg p · deg q``)."""
    acc = fmpq_poly([0])
    for c in reversed(p.coeffs()):
        acc = (acc * q + c) % modulus
    return acc


def embed(x, target: NumberField, generator_image: fmpq_poly):
    """Map a number of a field whose generator goes to ``generator_image`` into ``target``."""
    if isinstance(x, RealAlgebraic):
        return target.element(compose_mod(x.coeffs, generator_image, target.modulus))
    return x
