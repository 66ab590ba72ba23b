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

Parsing (:func:`parse_algebraic`) reads the syntax of :mod:`exactnet.numbers.syntax`, which
checks the number budget (docs/numbers.md) before anything here runs. The *atoms* of the parsed
expressions (radicals and ``CRootOf`` values, at most a few, of bounded degree) are the only
things SymPy sees: it gives their minimal polynomials and a primitive element of the field they
generate (both verified exactly). Every parsed number is then evaluated by exact arithmetic in
that field. Non-real values (``sqrt(-2)``, a complex ``CRootOf``, the principal root of a negative
number) and transcendental values (``2**sqrt(2)``, ``pi``) are errors.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING
from dataclasses import dataclass, field
from functools import cached_property

from flint import arb, ctx, fmpq, fmpq_poly, fmpz, fmpz_poly

from ..errors import FieldMismatchError, NumberError
from .budget import BUDGET, NumberBudget, over_limit, shown
from .syntax import Binary, Neg, Node, PolyRoot, Power, Radical, check_atoms, parse_expression, rational_text, to_text

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
    """A parsed irrational number not yet placed in a common field with other numbers.

    ``node`` is its bounded expression tree (:mod:`exactnet.numbers.syntax`) and ``value`` the
    number in the field generated by the atoms of ``node`` alone.
    """

    text: str
    node: Node = field(compare=False)
    value: "RealAlgebraic" = field(compare=False)


def to_sympy(v) -> sympy.Expr:
    """A SymPy expression of a parsed value (safe: every size in it is within the budget)."""
    sympy = _sympy()
    if isinstance(v, fmpq):
        return sympy.Rational(int(v.p), int(v.q))
    if isinstance(v, Binary):
        a, b = to_sympy(v.left), to_sympy(v.right)
        return a + b if v.op == "+" else a - b if v.op == "-" else a * b if v.op == "*" else a / b
    if isinstance(v, Neg):
        return -to_sympy(v.arg)
    if isinstance(v, Power):
        return to_sympy(v.base) ** v.exponent
    if isinstance(v, Radical):
        r = to_sympy(v.radicand)
        return sympy.real_root(r, v.index) if v.real else sympy.root(r, v.index)
    if isinstance(v, PolyRoot):
        poly = sympy.Poly([int(c) for c in reversed(v.coeffs)], _x())
        return sympy.CRootOf(poly, v.index)
    raise TypeError(type(v).__name__)  # pragma: no cover


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
            raise NumberError(f"{shown(text)} is not algebraic (irrational exponent {exp})")
        b = _enclose_expr(base, prec, text)
        p, q = int(exp.p), int(exp.q)
        if q > 1:
            if b < 0:
                raise NumberError(
                    f"{shown(text)} is not real: SymPy reads {base}**({exp}) as the complex principal root;"
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
            raise NumberError(f"{shown(text)} is not real ({expr} is a complex root)")
        eps = sympy.Rational(1, 2**prec)
        approx = expr.eval_rational(dx=eps, dy=eps)
        centre = fmpq(int(approx.p), int(approx.q))
        rad = fmpq(1, 2**prec)
        return interval_ball(centre - rad, centre + rad)
    if expr.has(sympy.I) or expr.is_real is False:
        raise NumberError(f"{shown(text)} is not real")
    raise NumberError(f"{shown(text)} is not a real algebraic number exactnet can handle ({type(expr).__name__})")


class _Undecided(Exception):
    """An enclosure too wide to decide a sign at this precision; retry with more bits."""


def parse_algebraic(text: str, budget: NumberBudget = BUDGET) -> fmpq | AlgebraicSpec:
    """Parse a real algebraic number in (a safe subset of) SymPy syntax (see the module doc).

    Returns an ``fmpq`` when the value is rational (``"sqrt(4)"`` is 2,
    ``"sqrt(2)*sqrt(2)"`` too), otherwise an :class:`AlgebraicSpec`.
    """
    node = parse_expression(text, budget)
    if isinstance(node, fmpq):
        return node
    _field, images = atom_field(node.atoms, text)
    value = evaluate(node, images, text)
    if isinstance(value, fmpq):
        return value
    return AlgebraicSpec(text=text.strip(), node=node, value=value)


def _atom_value(atom: Node, text: str) -> fmpq | tuple:
    """An atom's rational value, or ``(sympy expression, RealRoot)`` for an irrational one."""
    sympy = _sympy()
    try:
        expr = to_sympy(atom)
    except NumberError:
        raise
    except Exception as exc:  # pragma: no cover - SymPy refusing a well-formed, bounded atom
        raise NumberError(f"{shown(text)}: cannot evaluate {to_text(atom)} ({type(exc).__name__})") from None
    if expr.has(sympy.I) or expr.is_real is False:
        raise NumberError(f"{shown(text)} is not real ({to_text(atom)} is not real)")
    if expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise NumberError(f"{shown(text)} is not a finite number")
    if expr.is_Rational:
        return fmpq(int(expr.p), int(expr.q))
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, sympy.CRootOf) and not sub.is_real:
            raise NumberError(f"{shown(text)} is not real ({sub} is a complex root)")
    try:
        minpoly = sympy.minimal_polynomial(expr, _x(), polys=True)
    except NumberError:
        raise
    except Exception as exc:
        raise NumberError(f"{shown(text)} is not a real algebraic number ({type(exc).__name__}: {exc})") from None
    poly = _primitive_integer_poly(minpoly)
    if poly.degree() == 1:
        c0, c1 = poly.coeffs()
        return fmpq(-int(c0), int(c1))
    return expr, _identify_root(poly, expr, text)


def _atom_order(atoms) -> list[Node]:
    return sorted(atoms, key=lambda a: (to_text(a), a.local_degree))


def atom_field(atoms, text: str) -> tuple["NumberField | None", dict]:
    """The number field generated by ``atoms`` and the value of each atom in it.

    Rational atoms map to ``fmpq``; ``None`` is returned as the field when all are rational.
    The caller has checked the budget on ``atoms`` (count and degree bound).
    """
    images: dict = {}
    irrational = []
    for atom in _atom_order(atoms):
        value = _atom_value(atom, text)
        if isinstance(value, fmpq):
            images[atom] = value
        else:
            irrational.append((atom, *value))
    if not irrational:
        return None, images
    if len(irrational) == 1:
        atom, expr, root = irrational[0]
        field_ = NumberField(RealRoot(root.poly, root.index, *root.interval), generator_expr=expr,
                             generator_text=to_text(atom))
        images[atom] = field_.generator()
        return field_, images
    field_, reps = _primitive_field([e for _a, e, _r in irrational], [r for _a, _e, r in irrational],
                                    [to_text(a) for a, _e, _r in irrational])
    for (atom, _e, _r), rep in zip(irrational, reps):
        images[atom] = field_.element(rep)
    return field_, images


def evaluate(v, images: dict, text: str):
    """The value of a parsed tree, given the value of each of its atoms (exact field arithmetic)."""
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (Radical, PolyRoot)):
        return images[v]
    if isinstance(v, Neg):
        return -evaluate(v.arg, images, text)
    if isinstance(v, Power):
        base = evaluate(v.base, images, text)
        if v.exponent < 0 and base == 0:
            raise NumberError(f"{shown(text)}: division by zero (0 to a negative power)")
        return base**v.exponent
    a, b = evaluate(v.left, images, text), evaluate(v.right, images, text)
    if v.op == "+":
        return a + b
    if v.op == "-":
        return a - b
    if v.op == "*":
        return a * b
    if b == 0:
        raise NumberError(f"{shown(text)}: division by zero")
    return a / b


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
            raise NumberError(f"{shown(text)} is not real")
        prec *= 2
        for r in real_roots:
            r.refine(fmpq(1, 1 << prec))
    raise NumberError(f"could not isolate {shown(text)} (precision limit reached)")


# ---------------------------------------------------------------------------------------------
# Number fields and their elements
# ---------------------------------------------------------------------------------------------


class NumberField:
    """``Q(θ)`` with ``θ`` a specific real root of an irreducible integer polynomial.

    Two fields are equal when they have the same defining polynomial and the same root index
    (the same real embedding). ``generator_expr`` is a SymPy expression of ``θ`` and
    ``generator_text`` the same in exactnet's number syntax; elements are written with them.
    """

    __slots__ = ("root", "modulus", "generator_expr", "generator_text", "_key")

    def __init__(self, root: RealRoot, generator_expr: sympy.Expr | None = None, generator_text: str | None = None):
        sympy = _sympy()
        self.root = root
        lead = fmpq(root.poly.leading_coefficient())
        self.modulus = fmpq_poly([fmpq(c) / lead for c in root.poly.coeffs()])
        coeffs = [int(c) for c in root.poly.coeffs()]
        self.generator_expr = generator_expr if generator_expr is not None else sympy.CRootOf(
            sympy.Poly(list(reversed(coeffs)), _x()).as_expr(), root.index
        )
        if generator_text is None:
            generator_text = f"CRootOf({PolyRoot(tuple(coeffs), root.index).polynomial_text()}, {root.index})"
        self.generator_text = generator_text
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
        source = self.__dict__.get("_source")
        if source is not None:
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
        if self.field.degree <= _SYMPY_DISPLAY_DEGREE and _poly_bits(self.coeffs) <= _SYMPY_DISPLAY_BITS:
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
    if isinstance(x, RealAlgebraic):
        return x.sign()
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------------------------------------
# Building fields
# ---------------------------------------------------------------------------------------------


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


def build_field(specs: list, what: str = "these numbers", budget: NumberBudget = BUDGET) -> tuple[NumberField, list]:
    """One number field containing all ``specs`` (:class:`AlgebraicSpec` or parsed trees), and
    each as an element of it.

    The field is generated by the union of the atoms of all specs (checked against the budget
    first); every spec is then evaluated in it by exact field arithmetic.
    """
    nodes = [s.node if isinstance(s, AlgebraicSpec) else s for s in specs]
    if not nodes:
        raise ValueError("build_field needs at least one algebraic number")
    atoms = frozenset().union(*(n.atoms for n in nodes))
    check_atoms(atoms, what, budget)
    field_, images = atom_field(atoms, what)
    values = []
    for spec, node in zip(specs, nodes):
        text = spec.text if isinstance(spec, AlgebraicSpec) else to_text(node)
        value = evaluate(node, images, text)
        if isinstance(value, RealAlgebraic):
            value.__dict__["_source"] = node  # written back as the user wrote it
        values.append(value)
    if field_ is None:  # pragma: no cover - every atom rational: specs are never built so
        raise NumberError(f"{what}: no irrational number to build a field for")
    return field_, values


def _primitive_field(exprs: list[sympy.Expr], roots: list[RealRoot],
                     texts: list[str]) -> tuple[NumberField, list[fmpq_poly]]:
    """``Q(α_1, …, α_k) = Q(θ)`` with ``θ = Σ c_i α_i`` (SymPy's primitive element), the
    representations ``α_i = r_i(θ)`` verified exactly (see :func:`_contains_verified`)."""
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
    theta_text = " + ".join(
        (t if int(c) == 1 else f"{int(c)}*{t}" if re.fullmatch(r"[A-Za-z_]+\([^()]*\)", t) else f"{int(c)}*({t})")
        for c, t in zip(cs, texts) if int(c) != 0
    )
    field_ = NumberField(theta_root, generator_expr=sympy.expand(theta_expr), generator_text=theta_text)
    rep_polys = []
    for rep, root in zip(reps, roots):
        coeffs = [sympy.Rational(c) for c in reversed(rep)]
        rp = fmpq_poly([fmpq(int(c.p), int(c.q)) for c in coeffs]) % field_.modulus
        if not _contains_verified(RealRoot(root.poly, root.index, *root.interval), field_, rp):
            raise NumberError("internal: could not verify the common number field embedding")  # pragma: no cover
        rep_polys.append(rp)
    return field_, rep_polys


def unify_fields(fields: list[NumberField], budget: NumberBudget = BUDGET) -> tuple[NumberField, list[fmpq_poly]]:
    """A common field of ``fields`` and, for each, the image of its generator (a polynomial).

    An element ``p(θ_k)`` of field ``k`` maps to ``p(r_k(θ)) mod g`` in the common field. The
    common field has degree at most the product of the degrees, which must fit the budget.
    """
    uniq: list[NumberField] = []
    for f in fields:
        if f not in uniq:
            uniq.append(f)
    if len(uniq) == 1:
        return uniq[0], [fmpq_poly([0, 1]) for _ in fields]
    bound = 1
    for f in uniq:
        bound *= f.degree
    if bound > budget.max_field_degree:
        names = ", ".join(f"Q({f.generator_text})" for f in uniq)
        raise over_limit(f"the fields {names}", "the degree bound of their common number field", bound,
                         budget.max_field_degree, quote=False)
    common, reps = _primitive_field(
        [f.generator_expr for f in uniq],
        [RealRoot(f.root.poly, f.root.index, *f.root.interval) for f in uniq],
        [f.generator_text for f in uniq],
    )
    image = {f: r for f, r in zip(uniq, reps)}
    return common, [image[f] for f in fields]


def embed(x, target: NumberField, generator_image: fmpq_poly):
    """Map a number of a field whose generator goes to ``generator_image`` into ``target``."""
    if isinstance(x, RealAlgebraic):
        return target.element(x.coeffs(generator_image) % target.modulus)
    return x
