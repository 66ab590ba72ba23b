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

All algebraic entries of one network live in one field (:func:`build_field`); numbers from
different networks are moved into a common field with :func:`unify_fields`. Mixing elements
of two different fields raises :class:`~exactnet.errors.FieldMismatchError` rather than
silently comparing unrelated representations.

Parsing (:func:`parse_algebraic`) accepts a safe subset of SymPy syntax: integers, decimals,
``+ - * / **``, ``sqrt``, ``cbrt``, ``root``, ``real_root``, ``Rational`` and
``CRootOf(poly in x, k)``. Non-real values (``sqrt(-2)``, a complex ``CRootOf``, the principal
root of a negative number) and transcendental values (``2**sqrt(2)``) are errors.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING
from dataclasses import dataclass, field
from functools import cached_property

from flint import arb, ctx, fmpq, fmpq_poly, fmpz, fmpz_poly

from ..errors import FieldMismatchError, NumberError

if TYPE_CHECKING:  # annotations only; SymPy is imported lazily at run time
    import sympy


def _sympy():
    """SymPy, imported on first use: rational-only work never loads it."""
    import sympy

    return sympy


def _x():
    return _sympy().Symbol("x")

_ALLOWED_NAMES = {
    "sqrt", "cbrt", "root", "real_root", "CRootOf", "RootOf", "rootof", "Rational", "Integer", "x",
}
_KNOWN_BAD_NAMES = {
    "I": "is not real", "pi": "is not algebraic", "E": "is not algebraic",
    "exp": "is not algebraic", "log": "is not algebraic", "sin": "is not algebraic",
    "cos": "is not algebraic", "tan": "is not algebraic", "tanh": "is not algebraic",
    "oo": "is not finite", "nan": "is not a number", "zoo": "is not finite",
}
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_SAFE_CHARS = re.compile(r"[0-9A-Za-z_+\-*/^().,\s]*\Z")
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


def _primitive_integer_poly(poly: fmpq_poly | sympy.Poly) -> fmpz_poly:
    if not isinstance(poly, fmpq_poly):  # a SymPy Poly
        sympy = _sympy()
        coeffs = [sympy.Rational(c) for c in reversed(poly.all_coeffs())]
        poly = fmpq_poly([fmpq(int(c.p), int(c.q)) for c in coeffs])
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


@dataclass(frozen=True)
class AlgebraicSpec:
    """A parsed real algebraic number not yet placed in a field.

    ``expr`` is the SymPy expression, ``root`` its isolated root (minimal polynomial and index).
    """

    text: str
    expr: sympy.Expr = field(compare=False)
    root: RealRoot = field(compare=False)


def _check_syntax(text: str) -> None:
    if not _SAFE_CHARS.match(text):
        bad = sorted(set(ch for ch in text if not _SAFE_CHARS.match(ch)))
        raise NumberError(f"cannot parse {text!r} as a number (unexpected characters {''.join(bad)!r})")
    for name in _TOKEN.findall(text):
        if name in _ALLOWED_NAMES or re.fullmatch(r"[eE][+-]?\d*|\d*[eE]\d*", name):
            continue
        if name in _KNOWN_BAD_NAMES:
            raise NumberError(f"{text!r}: {name} {_KNOWN_BAD_NAMES[name]}; only real algebraic numbers are allowed")
        if name.lower() in {"nan", "inf", "infinity"}:
            raise NumberError(f"{text!r} is not a finite number (NaN and infinities are not allowed)")
        raise NumberError(f"cannot parse {text!r} as a number (unknown name {name!r})")


def _sympify(text: str) -> sympy.Expr:
    sympy = _sympy()
    from sympy.parsing.sympy_parser import (
        convert_xor,
        parse_expr,
        rationalize,
        standard_transformations,
    )

    names = {
        "sqrt": sympy.sqrt, "cbrt": sympy.cbrt, "root": sympy.root, "real_root": sympy.real_root,
        "CRootOf": sympy.CRootOf, "RootOf": sympy.CRootOf, "rootof": sympy.CRootOf,
        "Rational": sympy.Rational, "Integer": sympy.Integer, "x": _x(),
    }
    try:
        expr = parse_expr(
            text,
            local_dict=names,
            global_dict={"__builtins__": {}, "Integer": sympy.Integer, "Float": sympy.Float,
                         "Rational": sympy.Rational, "Symbol": sympy.Symbol},
            transformations=standard_transformations + (rationalize, convert_xor),
        )
    except NumberError:
        raise
    except Exception as exc:  # SyntaxError, TypeError, sympy errors: all mean "bad text"
        raise NumberError(f"cannot parse {text!r} as a number ({type(exc).__name__})") from None
    if not isinstance(expr, sympy.Expr):
        raise NumberError(f"cannot parse {text!r} as a number")
    return expr


def _enclose_expr(expr: sympy.Expr, prec: int, text: str) -> arb:
    """Rigorous real ball for a SymPy expression built from rationals, + × ^(rational), CRootOf."""
    sympy = _sympy()
    if expr.is_Rational:
        return arb(fmpq(int(expr.p), int(expr.q)))
    if expr.is_Add:
        total = arb(0)
        for term in expr.args:
            total += _enclose_expr(term, prec, text)
        return total
    if expr.is_Mul:
        prod = arb(1)
        for term in expr.args:
            prod *= _enclose_expr(term, prec, text)
        return prod
    if expr.is_Pow:
        base, exp = expr.args
        if not exp.is_Rational:
            raise NumberError(f"{text!r} is not algebraic (irrational exponent {exp})")
        b = _enclose_expr(base, prec, text)
        p, q = int(exp.p), int(exp.q)
        if q > 1:
            if b < 0:
                raise NumberError(
                    f"{text!r} is not real: SymPy reads {base}**({exp}) as the complex principal root;"
                    f" write real_root({base}, {q}) for the real root"
                )
            if not b > 0:
                raise _Undecided
            b = b.root(q)
        if p >= 0:
            return b**p
        if not (b > 0 or b < 0):
            raise _Undecided
        return 1 / (b ** (-p))
    if isinstance(expr, sympy.CRootOf):
        if not expr.is_real:
            raise NumberError(f"{text!r} is not real ({expr} is a complex root)")
        eps = sympy.Rational(1, 2**prec)
        approx = expr.eval_rational(dx=eps, dy=eps)
        centre = fmpq(int(approx.p), int(approx.q))
        rad = fmpq(1, 2**prec)
        return interval_ball(centre - rad, centre + rad)
    if expr.has(sympy.I) or expr.is_real is False:
        raise NumberError(f"{text!r} is not real")
    raise NumberError(f"{text!r} is not a real algebraic number exactnet can handle ({type(expr).__name__})")


class _Undecided(Exception):
    """An enclosure too wide to decide a sign at this precision; retry with more bits."""


def parse_algebraic(text: str) -> fmpq | AlgebraicSpec:
    """Parse a real algebraic number in (a safe subset of) SymPy syntax.

    Returns an ``fmpq`` when the value is rational (``"sqrt(4)"`` is 2), otherwise an
    :class:`AlgebraicSpec` with its minimal polynomial and isolated real root.
    """
    sympy = _sympy()
    _check_syntax(text)
    expr = _sympify(text)
    if expr.free_symbols:
        raise NumberError(f"{text!r} has free symbols {sorted(map(str, expr.free_symbols))}; a number was expected")
    if expr.has(sympy.I):
        raise NumberError(f"{text!r} is not real")
    if expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise NumberError(f"{text!r} is not a finite number")
    if expr.is_Rational:
        return fmpq(int(expr.p), int(expr.q))
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, sympy.Pow) and not sub.exp.is_Rational:
            raise NumberError(f"{text!r} is not algebraic (irrational exponent {sub.exp})")
        if isinstance(sub, sympy.CRootOf) and not sub.is_real:
            raise NumberError(f"{text!r} is not real ({sub} is a complex root)")
    try:
        minpoly = sympy.minimal_polynomial(expr, _x(), polys=True)
    except NumberError:
        raise
    except Exception as exc:
        raise NumberError(f"{text!r} is not a real algebraic number ({type(exc).__name__}: {exc})") from None
    poly = _primitive_integer_poly(minpoly)
    if poly.degree() == 1:
        c0, c1 = poly.coeffs()
        return fmpq(-int(c0), int(c1))
    root = _identify_root(poly, expr, text)
    return AlgebraicSpec(text=text.strip(), expr=expr, root=root)


def _identify_root(poly: fmpz_poly, expr: sympy.Expr, text: str) -> RealRoot:
    """Which real root of ``poly`` the expression is.

    Real roots get rational isolating intervals; non-real root balls from FLINT never meet
    the real axis (they come in disjoint conjugate pairs). Refine the expression's enclosure
    and the intervals until exactly one interval meets it.
    """
    real_roots = RealRoot.all_real_roots(poly)
    prec = 64
    while prec <= MAX_PRECISION:
        with working_precision(prec + 16):
            try:
                ball = _enclose_expr(expr, prec, text)
            except _Undecided:
                prec *= 2
                continue
            hits = [r for r in real_roots if interval_ball(*r.interval).overlaps(ball)]
        if len(hits) == 1:  # the value is a real root in the ball: it is this one
            return hits[0]
        if not hits:
            raise NumberError(f"{text!r} is not real")
        prec *= 2
        for r in real_roots:
            r.refine(fmpq(1, 1 << prec))
    raise NumberError(f"could not isolate {text!r} (precision limit reached)")


# ---------------------------------------------------------------------------------------------
# Number fields and their elements
# ---------------------------------------------------------------------------------------------


class NumberField:
    """``Q(θ)`` with ``θ`` a specific real root of an irreducible integer polynomial.

    Two fields are equal when they have the same defining polynomial and the same root index
    (the same real embedding). ``generator_expr`` is a SymPy expression of ``θ`` used to write
    elements back in SymPy syntax.
    """

    __slots__ = ("root", "modulus", "generator_expr", "_key")

    def __init__(self, root: RealRoot, generator_expr: sympy.Expr | None = None):
        sympy = _sympy()
        self.root = root
        lead = fmpq(root.poly.leading_coefficient())
        self.modulus = fmpq_poly([fmpq(c) / lead for c in root.poly.coeffs()])
        self.generator_expr = generator_expr if generator_expr is not None else sympy.CRootOf(
            sympy.Poly([int(c) for c in reversed(root.poly.coeffs())], _x()).as_expr(), root.index
        )
        self._key = root.key

    @property
    def degree(self) -> int:
        return self.root.poly.degree()

    def __eq__(self, other) -> bool:
        return isinstance(other, NumberField) and self._key == other._key

    def __hash__(self) -> int:
        return hash(("NumberField", self._key))

    def __repr__(self) -> str:
        return f"NumberField(Q({self.generator_expr}), degree {self.degree})"

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
        theta = self.field.generator_expr
        terms = []
        for i, c in enumerate(self.coeffs.coeffs()):
            if c != 0:
                terms.append(sympy.Rational(int(c.p), int(c.q)) * theta**i)
        return sympy.expand(sympy.Add(*terms))

    def sympy(self) -> sympy.Expr:
        """The value as a SymPy expression (in terms of the field generator)."""
        return self._expr

    def __str__(self) -> str:
        sympy = _sympy()
        return sympy.sstr(self._expr)

    def __repr__(self) -> str:
        return f"RealAlgebraic({self})"


def sign(x) -> int:
    """Exact sign of a rational or real algebraic number."""
    if isinstance(x, RealAlgebraic):
        return x.sign()
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------------------------------------
# Building fields
# ---------------------------------------------------------------------------------------------


def _single_field(spec_expr: sympy.Expr, root: RealRoot) -> NumberField:
    return NumberField(RealRoot(root.poly, root.index, *root.interval), generator_expr=spec_expr)


def _contains_verified(root: RealRoot, field: NumberField, rep: fmpq_poly) -> bool:
    """Check exactly that ``rep(θ)`` equals the isolated root ``root``.

    ``minpoly(rep(x)) ≡ 0 (mod g)`` proves ``rep(θ)`` is a root of ``root.poly`` for every
    conjugate θ; an enclosure of ``rep(θ)`` inside ``root``'s isolating interval (which holds
    exactly one root) then proves equality.
    """
    minpoly = fmpq_poly([fmpq(c) for c in root.poly.coeffs()])
    if not (minpoly(rep) % field.modulus).is_zero():
        return False
    prec = 64
    while prec <= MAX_PRECISION:
        with working_precision(prec + 16):
            theta = field.theta_enclosure(prec)
            acc = arb(0)
            for c in reversed(rep.coeffs()):
                acc = acc * theta + arb(c)
        lo, hi = root.interval
        alo, ahi = ball_bounds(acc)
        if lo < alo and ahi < hi:
            return True
        root.refine((hi - lo) / 4)
        prec *= 2
    return False


def build_field(specs: list[AlgebraicSpec]) -> tuple[NumberField, list]:
    """One number field containing all ``specs``, and each spec as an element of it.

    Uses SymPy's primitive element ``θ = Σ c_i α_i`` and its representations ``α_i = r_i(θ)``,
    then *verifies* every representation exactly (see :func:`_contains_verified`) and locates
    ``θ`` among the real roots of its minimal polynomial by rigorous enclosures.
    """
    sympy = _sympy()
    if not specs:
        raise ValueError("build_field needs at least one algebraic number")
    distinct: dict[str, AlgebraicSpec] = {}
    for s in specs:
        distinct.setdefault(sympy.srepr(s.expr), s)
    uniq = list(distinct.values())
    if len(uniq) == 1:
        s = uniq[0]
        field_ = _single_field(s.expr, s.root)
        gen = field_.generator()
        return field_, [gen for _ in specs]
    exprs = [s.expr for s in uniq]
    field_, reps = _primitive_field(exprs, [s.root for s in uniq])
    values = {}
    for s, rep in zip(uniq, reps):
        e = field_.element(rep)
        if isinstance(e, RealAlgebraic):
            e.__dict__["_expr"] = s.expr  # display the value as the user wrote it
        values[sympy.srepr(s.expr)] = e
    return field_, [values[sympy.srepr(s.expr)] for s in specs]


def _primitive_field(exprs: list[sympy.Expr], roots: list[RealRoot]) -> tuple[NumberField, list[fmpq_poly]]:
    sympy = _sympy()
    try:
        g, cs, reps = sympy.primitive_element(exprs, _x(), ex=True)
    except Exception as exc:  # pragma: no cover - sympy failure on exotic input
        raise NumberError(f"cannot build a common number field ({type(exc).__name__}: {exc})") from None
    gpoly = _primitive_integer_poly(sympy.Poly(g, _x()))
    theta_expr = sympy.Add(*[sympy.Integer(c) * e for c, e in zip(cs, exprs)])
    if gpoly.degree() == 1:  # pragma: no cover - cannot happen for irrational inputs
        raise NumberError("internal: primitive element is rational")
    theta_root = _identify_root(gpoly, theta_expr, str(theta_expr))
    field_ = NumberField(theta_root, generator_expr=_nice_generator(theta_expr))
    rep_polys = []
    for rep, root in zip(reps, roots):
        coeffs = [sympy.Rational(c) for c in reversed(rep)]
        rp = fmpq_poly([fmpq(int(c.p), int(c.q)) for c in coeffs]) % field_.modulus
        if not _contains_verified(RealRoot(root.poly, root.index, *root.interval), field_, rp):
            raise NumberError("internal: could not verify the common number field embedding")  # pragma: no cover
        rep_polys.append(rp)
    return field_, rep_polys


def _nice_generator(expr: sympy.Expr) -> sympy.Expr:
    sympy = _sympy()
    return sympy.expand(expr)


def unify_fields(fields: list[NumberField]) -> tuple[NumberField, list[fmpq_poly]]:
    """A common field of ``fields`` and, for each, the image of its generator (a polynomial).

    An element ``p(θ_k)`` of field ``k`` maps to ``p(r_k(θ)) mod g`` in the common field.
    """
    uniq: list[NumberField] = []
    for f in fields:
        if f not in uniq:
            uniq.append(f)
    if len(uniq) == 1:
        return uniq[0], [fmpq_poly([0, 1]) for _ in fields]
    common, reps = _primitive_field(
        [f.generator_expr for f in uniq],
        [RealRoot(f.root.poly, f.root.index, *f.root.interval) for f in uniq],
    )
    image = {f: r for f, r in zip(uniq, reps)}
    return common, [image[f] for f in fields]


def embed(x, target: NumberField, generator_image: fmpq_poly):
    """Map a number of a field whose generator goes to ``generator_image`` into ``target``."""
    if isinstance(x, RealAlgebraic):
        return target.element(x.coeffs(generator_image) % target.modulus)
    return x
