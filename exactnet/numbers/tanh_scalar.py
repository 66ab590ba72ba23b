"""The exact output-bias scalar ``r_0 + Σ_q r_q·tanh(q)`` of a compressed tanh network.

Folding a constant unit (``b_i = 0``) into the output bias adds ``a_i·tanh(c_i)``, which is
transcendental for every algebraic ``c_i ≠ 0`` (Lindemann–Weierstrass). Such values are kept
symbolically as a :class:`TanhScalar`: an exact number ``const`` plus finitely many terms
``coeff·tanh(q)`` over *distinct* arguments ``q > 0`` (rational or real algebraic), with
``tanh(−q) = −tanh(q)`` and ``tanh(0) = 0`` folded and zero coefficients dropped
(docs/tanh.md § The output bias as an exact symbolic number).

**Equality is coefficientwise.** Lemma (docs/tanh.md § The output bias as an exact symbolic number):
for distinct real algebraic ``q_1, …, q_k > 0`` the numbers ``1, tanh(q_1), …, tanh(q_k)``
are linearly independent over the real algebraic numbers. Proof sketch: pick a Q-basis
``β_1..β_s`` of ``span_Q{q_j}`` and an integer ``L`` with ``q_j = Σ_l (m_jl/L)·β_l``; the
numbers ``z_l = exp(2β_l/L)`` are algebraically independent (Lindemann–Weierstrass), and
``tanh(q_j) = 1 − 2/(z^{m_j} + 1)`` with distinct exponent vectors ``m_j ≠ 0``, never
``m_j = −m_i`` (all ``q > 0``). A vanishing combination is therefore a rational-function
identity in ``z``; restricting to a generic monomial curve ``z_l = t^{v_l}`` gives distinct
nonzero ``|⟨m_j, v⟩|`` and, after ``1/(t^{−n}+1) = 1 − 1/(t^n+1)``, a combination of ``1``
and ``1/(t^{n_j}+1)`` with distinct ``n_j > 0``; the largest ``n_j`` has poles at primitive
``2n_j``-th roots of unity that no other term has, so its coefficient is 0; induct. Hence
two normalised scalars (same number field) are equal iff their ``const`` and term tuples
are equal, and :meth:`TanhScalar.__eq__` is exact.

**JSON form** (files, certificates, ``--json`` output)::

    {"const": "1/2", "tanh": [["1/3", "2"], ["sqrt(2)", "-1"]]}

meaning ``1/2 + 2·tanh(1/3) − tanh(sqrt(2))``: ``const`` an exact number, ``tanh`` a list
of ``[argument, coefficient]`` pairs. Written forms are normalised (arguments > 0, strictly
increasing, coefficients ≠ 0, numbers as ``"p/q"`` strings or SymPy syntax); reading also
accepts a bare number literal (a scalar with no tanh terms) and un-normalised pairs (folded
exactly on reading). A vector output bias (``m`` outputs) is a JSON list of ``m`` scalars.

This module is pure number and parsing code: the independent certificate checkers use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from flint import arb, fmpq

from ..errors import FormatError, InputError, NumberError
from . import RealAlgebraic, enclosure, exact_numbers, format_number, sign, working_precision
from .ordering import sort_exact

_ZERO = fmpq(0)


# ---------------------------------------------------------------------------------------------
# the scalar
# ---------------------------------------------------------------------------------------------


def _hkey(q):
    """An exact hash key for a tanh argument (``fmpq`` hashes slowly; its ``(p, q)`` fast)."""
    return (q.p, q.q) if type(q) is fmpq else q


@dataclass(frozen=True)
class TanhScalar:
    """``const + Σ coeff·tanh(q)`` over ``terms = ((q, coeff), …)``, normalised (see module doc).

    Construct with :meth:`of` (a plain number), :meth:`tanh_of` or :meth:`build`; the
    constructor itself assumes normalised data. Exact ``+ − ×scalar``, ``==`` (coefficientwise,
    justified by the lemma in the module docstring) and rigorous :meth:`enclosure`.
    """

    const: object = _ZERO
    terms: tuple = ()

    # -- construction --------------------------------------------------------------------------
    @staticmethod
    def of(x) -> "TanhScalar":
        """The plain number ``x`` (no tanh terms)."""
        return TanhScalar(x, ())

    @staticmethod
    def tanh_of(q, coeff=fmpq(1)) -> "TanhScalar":
        """``coeff·tanh(q)``."""
        return TanhScalar.build(_ZERO, [(q, coeff)])

    @staticmethod
    def build(const, pairs: Iterable[tuple] | Mapping) -> "TanhScalar":
        """Normalise ``const + Σ coeff·tanh(q)``: fold signs, merge equal arguments, drop zeros."""
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        acc: dict = {}  # hash key → [q, coeff]; rationals hash by (p, q) (fast, exact)
        for q, coeff in items:
            if type(q) is fmpq:
                if not q or coeff == 0:
                    continue
                if q.p < 0:
                    q, coeff = -q, -coeff
                key = (q.p, q.q)
            else:
                s = sign(q)
                if s == 0 or coeff == 0:
                    continue
                if s < 0:
                    q, coeff = -q, -coeff
                key = q
            slot = acc.get(key)
            if slot is None:
                acc[key] = [q, coeff]
            else:
                slot[1] = slot[1] + coeff
        return TanhScalar._from_pairs(const, acc.values())

    @staticmethod
    def _from_pairs(const, pairs: Iterable) -> "TanhScalar":
        """From ``(q, coeff)`` pairs with distinct ``q > 0``; zero coefficients are dropped here."""
        kept = [(q, c) for q, c in pairs if c != 0]
        if len(kept) > 1:
            kept = sort_exact(kept, key=lambda qc: (qc[0],))
        return TanhScalar(const, tuple(kept))

    # -- queries -------------------------------------------------------------------------------
    @property
    def is_number(self) -> bool:
        """True when there are no tanh terms (the value is ``const``, an exact number)."""
        return not self.terms

    def is_zero(self) -> bool:
        return not self.terms and self.const == 0

    def number(self):
        """The value as an exact number; :class:`InputError` if it has tanh terms."""
        if self.terms:
            raise InputError(f"{self} is transcendental, not an exact (algebraic) number")
        return self.const

    def term_map(self) -> dict:
        return dict(self.terms)

    # -- arithmetic ----------------------------------------------------------------------------
    def __add__(self, other) -> "TanhScalar":
        if not isinstance(other, TanhScalar):
            return TanhScalar(self.const + other, self.terms)
        if not other.terms:
            return TanhScalar(self.const + other.const, self.terms)
        acc = {_hkey(q): [q, c] for q, c in self.terms}
        for q, c in other.terms:
            slot = acc.get(_hkey(q))
            if slot is None:
                acc[_hkey(q)] = [q, c]
            else:
                slot[1] = slot[1] + c
        return TanhScalar._from_pairs(self.const + other.const, acc.values())

    __radd__ = __add__

    def __neg__(self) -> "TanhScalar":
        return TanhScalar(-self.const, tuple((q, -c) for q, c in self.terms))

    def __sub__(self, other) -> "TanhScalar":
        return self + (-other)

    def __rsub__(self, other) -> "TanhScalar":
        return (-self) + other

    def scale(self, factor) -> "TanhScalar":
        """``factor·self`` for an exact number ``factor``."""
        if factor == 0:
            return TanhScalar(_ZERO, ())
        return TanhScalar(self.const * factor, tuple((q, c * factor) for q, c in self.terms))

    def __mul__(self, factor) -> "TanhScalar":
        if isinstance(factor, TanhScalar):
            if factor.terms and self.terms:
                return NotImplemented  # products of tanh values are not in this space
            return self.scale(factor.const) if not factor.terms else factor.scale(self.const)
        return self.scale(factor)

    __rmul__ = __mul__

    def __eq__(self, other) -> bool:
        if isinstance(other, TanhScalar):
            return self.const == other.const and self.terms == other.terms
        if isinstance(other, (fmpq, int, RealAlgebraic)) and not isinstance(other, bool):
            return not self.terms and self.const == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.const, self.terms))

    # -- numerics ------------------------------------------------------------------------------
    def enclosure(self, prec: int = 64) -> arb:
        """A rigorous ``arb`` ball containing the value (working precision ``prec`` bits)."""
        with working_precision(prec):
            acc = enclosure(self.const, prec)
            for q, c in self.terms:
                acc += enclosure(c, prec) * enclosure(q, prec).tanh()
            return acc

    # -- text and JSON -------------------------------------------------------------------------
    def __str__(self) -> str:
        parts = []
        if self.const != 0 or not self.terms:
            parts.append(format_number(self.const))
        for q, c in self.terms:
            neg = sign(c) < 0
            mag = -c if neg else c
            body = f"tanh({format_number(q)})" if mag == 1 else f"{_factor_text(mag)}*tanh({format_number(q)})"
            if not parts:
                parts.append(("-" if neg else "") + body)
            else:
                parts.append(("- " if neg else "+ ") + body)
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"TanhScalar({self})"

    def to_json(self) -> dict:
        """The JSON form (module docstring): exact numbers as strings."""
        return {
            "const": format_number(self.const),
            "tanh": [[format_number(q), format_number(c)] for q, c in self.terms],
        }


def _factor_text(x) -> str:
    t = format_number(x)
    return f"({t})" if any(ch in t for ch in "+-/ ") and not _is_plain_fraction(t) else t


def _is_plain_fraction(t: str) -> bool:
    return all(ch.isdigit() or ch == "/" for ch in t)


# ---------------------------------------------------------------------------------------------
# vectors of scalars (an m-dimensional output bias)
# ---------------------------------------------------------------------------------------------


def bias_vector(values: Sequence) -> tuple[TanhScalar, ...]:
    """A plain exact output-bias vector as a tuple of :class:`TanhScalar`."""
    return tuple(v if isinstance(v, TanhScalar) else TanhScalar.of(v) for v in values)


def vector_is_numbers(vector: Sequence[TanhScalar]) -> bool:
    return all(s.is_number for s in vector)


def vector_to_json(vector: Sequence[TanhScalar]) -> list:
    return [s.to_json() for s in vector]


def vector_text(vector: Sequence[TanhScalar]) -> str:
    return str(vector[0]) if len(vector) == 1 else "(" + ", ".join(str(s) for s in vector) + ")"


# ---------------------------------------------------------------------------------------------
# reading the JSON form
# ---------------------------------------------------------------------------------------------

NumberParser = Callable[[object], object]


def default_parser(literal):
    """Parse one literal to an exact number (algebraic literals each get their own field)."""
    return exact_numbers([literal])[0]


def _is_literal(x) -> bool:
    return isinstance(x, (str, int)) and not isinstance(x, bool)


def scalar_from_json(obj, parse: NumberParser = default_parser, where: str = "scalar") -> TanhScalar:
    """Read the JSON form of a :class:`TanhScalar` (a bare literal is a plain number).

    ``parse`` turns a literal into an exact number; pass one that places algebraic literals in
    the field of the networks they are compared with (see :func:`bind_literals`).
    Structural problems raise :class:`~exactnet.errors.FormatError`.
    """
    if _is_literal(obj):
        return TanhScalar.of(_parse(parse, obj, where))
    if not isinstance(obj, dict):
        raise FormatError(f"{where}: expected a number or an object with 'const' and 'tanh'")
    unknown = set(obj) - {"const", "tanh"}
    if unknown:
        raise FormatError(f"{where}: unknown field(s) {sorted(unknown)}")
    const = _parse(parse, obj.get("const", 0), f"{where}.const")
    terms = obj.get("tanh", [])
    if not isinstance(terms, list):
        raise FormatError(f"{where}.tanh: expected a list of [argument, coefficient] pairs")
    pairs = []
    for k, pair in enumerate(terms):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise FormatError(f"{where}.tanh[{k}]: expected an [argument, coefficient] pair")
        pairs.append((_parse(parse, pair[0], f"{where}.tanh[{k}]"), _parse(parse, pair[1], f"{where}.tanh[{k}]")))
    return TanhScalar.build(const, pairs)


def vector_from_json(obj, dim: int | None = None, parse: NumberParser = default_parser,
                     where: str = "output_bias") -> tuple[TanhScalar, ...]:
    """Read a list of scalars (an output-bias vector); ``dim`` checks its length."""
    if not isinstance(obj, list):
        raise FormatError(f"{where}: expected a list of scalars (one per output)")
    if dim is not None and len(obj) != dim:
        raise FormatError(f"{where}: expected {dim} scalars (one per output), got {len(obj)}")
    return tuple(scalar_from_json(v, parse, f"{where}[{i}]") for i, v in enumerate(obj))


def _parse(parse: NumberParser, literal, where: str):
    if not _is_literal(literal):
        raise FormatError(f"{where}: expected a number literal, got {type(literal).__name__}")
    try:
        return parse(literal)
    except NumberError as exc:
        raise FormatError(f"{where}: {exc}") from None


def scalar_literals(obj) -> list:
    """All number literals in a scalar's (or a list of scalars') JSON form, for binding."""
    out: list = []
    if _is_literal(obj):
        out.append(obj)
    elif isinstance(obj, list):
        for v in obj:
            out.extend(scalar_literals(v))
    elif isinstance(obj, dict):
        for key in ("const", "tanh"):
            if key in obj:
                out.extend(scalar_literals(obj[key]))
    return out


__all__ = [
    "NumberParser", "TanhScalar", "bias_vector", "default_parser", "scalar_from_json", "scalar_literals",
    "vector_from_json", "vector_is_numbers", "vector_text", "vector_to_json",
]
