"""The functional-equivalence class ``FE[w] ⊂ W_h`` of a one-hidden-layer tanh parameter, as a
union of pieces (Farrugia-Roberts 2023, "union of simple parameter manifolds"; reference
docs/tanh.md § The functional-equivalence class, § Compression and the canonical form).

Let ``w`` have width ``h`` and compressed form: canonical units ``(α_j, β_j, γ_j)``,
``j = 0..r−1`` (``r = rank(w)``, ``α_j ≠ 0``, keys ``κ_j = (β_j, γ_j)`` pairwise distinct and
sign-normalised) and output bias ``δ`` (a vector of exact tanh scalars). A width-``h``
parameter ``w' = ((a'_i, b'_i, c'_i), d')`` is in ``FE[w]`` iff (docs/tanh.md § The functional-equivalence class (E1)–(E3))

* (E1) for every ``j``: the non-constant units of key ``±κ_j`` satisfy ``Σ s'_i a'_i = α_j``;
* (E2) every other key occurring in ``w'`` has ``Σ s'_i a'_i = 0`` (cancelling groups);
* (E3) ``d' + Σ_{b'_i = 0} a'_i·tanh(c'_i) = δ``.

**Pieces.** A piece is fixed by discrete data (:class:`Piece`):

* a set ``Z`` of *constant* units (``b'_i = 0``);
* for every canonical unit ``j`` a nonempty set of units *attached* to ``j``, each with a sign
  ``s_i`` (``(b'_i, c'_i) = s_i κ_j``);
* a set partition of the remaining (*free*) units into *cancelling groups* ``G``, with signs:
  ``(b'_i, c'_i) = s_i κ_G`` for a free key ``κ_G ∈ R^{n+1}``. The signs of a group are taken
  modulo the group's global sign (``κ_G ↦ −κ_G`` gives the same set), normalised so that the
  group's first (lowest-index) unit has sign ``+1``.

The piece is the set of ``w'`` with those key constraints, the sums
``Σ_{i→j} s_i a'_i = α_j`` and ``Σ_{i∈G} s_i a'_i = 0``, and the bias equation
``d' = δ − Σ_{i∈Z} a'_i tanh(c'_i)``. Every piece lies in ``FE[w]``: a group's contribution is
``(Σ s_i a'_i)·tanh(κ_G·(x, 1))``, also when ``κ_G`` has ``b = 0`` (then it is the constant
``(Σ s_i a'_i) tanh(γ_G) = 0``); and every member of ``FE[w]`` lies in its *natural* piece
(:meth:`Fiber.piece_of`). Pieces without constant units are affine subspaces; a constant unit
makes the piece the graph of ``d' = δ − Σ a'_i tanh c'_i`` over the free ``(a'_i, c'_i)``
(curved, analytic). Pieces overlap (e.g. a free key equal to a canonical key), so the union is a
cover, not a partition.

**Dimension** of a piece (free coordinates; ``d'`` is always determined):
``|Z|·(m+1) + Σ_j (k_j − 1)·m + Σ_G ((|G| − 1)·m + n + 1)``, ``k_j`` the number of units
attached to ``j``. The class has dimension ``(h − r)·(max(n, m) + 1)`` (every unit beyond
the ``r`` representatives adds at most ``max(m + 1, n + 1)``). For irreducible ``w`` (``r = h``)
every piece is one point and there are ``2^h·h!`` of them (docs/tanh.md § Irreducible parameters).

**Count** (:meth:`Fiber.count_pieces`, without enumerating): by the exponential formula,

    #pieces = h!·[x^h] e^x · (e^{2x} − 1)^r · exp((e^{2x} − 1)/2)

(``e^x``: constant units; ``e^{2x} − 1``: a nonempty signed set of units per canonical unit;
``(e^{2x} − 1)/2``: one cancelling group, a nonempty set with ``2^{|G|−1}`` sign patterns).
It is evaluated exactly with rational power series truncated at degree ``h``.

**Sampling** (:meth:`Fiber.sample`): a random piece (distribution below; every piece has
positive probability, it is *not* uniform over pieces), then a random exact point of it with
small random rationals. Constant units with rational ``c' ≠ 0`` and ``a' ≠ 0`` make ``d'``
transcendental; such members are returned as :class:`~exactnet.tanh.parameter.TanhParameter`
with a :class:`~exactnet.numbers.tanh_scalar.TanhScalar` output bias. With ``numeric_bias=True`` every
sample is an ordinary network: the tanh terms of ``δ`` (``t`` distinct arguments ``q``) are
realised by ``t`` constant units ``(±e_q, 0, ±q)``, and every other constant unit gets
``c' = 0``, or ``a' = 0``, or comes in a cancelling pair ``(a, 0, c), (a, 0, −c)``; this needs
``h ≥ r + t`` (otherwise no member of ``FE[w]`` has an algebraic output bias, by the
linear-independence lemma of :mod:`exactnet.numbers.tanh_scalar`).

Piece distribution of :meth:`Fiber.sample_piece`: ``r`` random units become representatives
of the canonical units (random signs); ``min_constant`` further random units become constant;
every other unit is independently constant, attached to a uniform canonical unit (random
sign), or free, with probability 1/3 each; free units, in random order, open a new group
(always if there is none, else with probability 1/2) or join a uniform existing group with a
random sign.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from flint import fmpq, fmpq_poly, fmpz

from ..errors import FieldMismatchError, InputError
from ..network import Network, common_field
from ..numbers import format_number
from ..numbers.tanh_scalar import TanhScalar, vector_text
from ..numbers.ordering import sort_exact
from .compression import Compression, compress, group_units
from .parameter import TanhParameter

_ZERO = fmpq(0)
_FREE_KEY_NUM, _FREE_KEY_DEN = 6, 4


# ---------------------------------------------------------------------------------------------
# pieces: discrete data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """Discrete data of one piece (see the module docstring). Unit indices are 0-based.

    * ``constant``: ascending units with ``b' = 0``;
    * ``attached``: one entry per canonical unit ``j`` — the ascending ``((unit, sign), …)``
      attached to ``j`` (nonempty);
    * ``groups``: cancelling groups ``((unit, sign), …)``, ascending units, first sign ``+1``,
      groups ordered by their first unit.
    """

    width: int
    constant: tuple
    attached: tuple
    groups: tuple

    @property
    def rank(self) -> int:
        return len(self.attached)

    def labels(self) -> list:
        """Per unit: ``("constant",)``, ``("attached", j, s)`` or ``("group", g, s)``."""
        out: list = [None] * self.width
        for i in self.constant:
            out[i] = ("constant",)
        for j, members in enumerate(self.attached):
            for i, s in members:
                out[i] = ("attached", j, s)
        for g, members in enumerate(self.groups):
            for i, s in members:
                out[i] = ("group", g, s)
        return out

    def dimension(self, input_dim: int, output_dim: int) -> int:
        """Number of free coordinates (module docstring formula)."""
        n, m = input_dim, output_dim
        dim = len(self.constant) * (m + 1)
        dim += sum((len(members) - 1) * m for members in self.attached)
        dim += sum((len(members) - 1) * m + n + 1 for members in self.groups)
        return dim

    @property
    def kinds(self) -> frozenset:
        """Which unit roles occur: ``constant``, ``attached``, ``negated`` (an attached unit or a
        group member with sign −1), ``dead`` (a singleton group), ``cancelling`` (a group of ≥ 2)."""
        out = set()
        if self.constant:
            out.add("constant")
        if self.attached:
            out.add("attached")
        if any(s < 0 for members in self.attached + self.groups for _i, s in members):
            out.add("negated")
        for members in self.groups:
            out.add("dead" if len(members) == 1 else "cancelling")
        return frozenset(out)

    def to_json(self) -> dict:
        return {
            "constant": list(self.constant),
            "attached": [{"canonical_unit": j, "units": [i for i, _ in members], "signs": [s for _, s in members]}
                         for j, members in enumerate(self.attached)],
            "groups": [{"units": [i for i, _ in members], "signs": [s for _, s in members]} for members in self.groups],
        }

    @staticmethod
    def from_labels(labels) -> "Piece":
        """From per-unit labels (as :meth:`labels` returns; group numbers and signs are
        normalised: groups renumbered by first unit, first sign made ``+1``)."""
        h = len(labels)
        constant, attached, groups = [], {}, {}
        for i, lab in enumerate(labels):
            if lab[0] == "constant":
                constant.append(i)
            elif lab[0] == "attached":
                attached.setdefault(lab[1], []).append((i, lab[2]))
            elif lab[0] == "group":
                groups.setdefault(lab[1], []).append((i, lab[2]))
            else:
                raise InputError(f"piece: unknown unit label {lab!r}")
        r = len(attached)
        if sorted(attached) != list(range(r)):
            raise InputError("piece: every canonical unit needs at least one attached unit")
        norm_groups = []
        for members in groups.values():
            s0 = members[0][1]
            norm_groups.append(tuple((i, s * s0) for i, s in members))
        norm_groups.sort(key=lambda g: g[0][0])
        return Piece(h, tuple(constant), tuple(tuple(attached[j]) for j in range(r)), tuple(norm_groups))


# ---------------------------------------------------------------------------------------------
# equations of a piece
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Equation:
    """One (vector) equation of a piece.

    ``kind``:

    * ``"constant"``: ``b'_u = 0`` (``units = (u,)``);
    * ``"key"``: ``(b'_u, c'_u) = s·(β_j, γ_j)`` (``units = (u,)``, ``signs = (s,)``, ``target = j``);
    * ``"tie"``: ``(b'_u, c'_u) = s·(b'_v, c'_v)`` (``units = (u,)``, ``signs = (s,)``, ``target = v``,
      the first unit of ``u``'s group);
    * ``"sum"``: ``Σ s_i a'_i = rhs`` (an ``m``-vector: ``α_j``, or 0 for a cancelling group);
    * ``"bias"``: ``d' + Σ_{i ∈ units} a'_i·tanh(c'_i) = rhs`` (``rhs = δ``; linear iff ``units`` is
      empty).
    """

    kind: str
    units: tuple
    signs: tuple = ()
    target: int | None = None
    rhs: tuple = ()
    text: str = ""


def _vec_text(v) -> str:
    return format_number(v[0]) if len(v) == 1 else "(" + ", ".join(format_number(x) for x in v) + ")"


def _signed(s: int, body: str, first: bool) -> str:
    if first:
        return ("−" if s < 0 else "") + body
    return (" − " if s < 0 else " + ") + body


def _key_text(beta, gamma) -> str:
    return "(" + ", ".join(format_number(x) for x in tuple(beta) + (gamma,)) + ")"


# ---------------------------------------------------------------------------------------------
# counting
# ---------------------------------------------------------------------------------------------


def _series_inverse(f: fmpq_poly, n: int) -> fmpq_poly:
    """``1/f mod x^n`` (Newton iteration; ``f(0) ≠ 0``)."""
    g = fmpq_poly([1 / f[0]])
    k = 1
    while k < n:
        k = min(2 * k, n)
        g = g.mul_low(2 - f.mul_low(g, k), k)
    return g


def _series_log(f: fmpq_poly, n: int) -> fmpq_poly:
    """``log f mod x^n`` for ``f(0) = 1``."""
    return f.derivative().mul_low(_series_inverse(f, n), n - 1).integral().truncate(n)


def _series_exp(u: fmpq_poly, n: int) -> fmpq_poly:
    """``exp u mod x^n`` for ``u(0) = 0`` (Newton iteration ``y ← y(1 + u − log y)``)."""
    y = fmpq_poly([1])
    k = 1
    while k < n:
        k = min(2 * k, n)
        y = y.mul_low(1 + u.truncate(k) - _series_log(y, k), k)
    return y


def count_pieces(width: int, rank: int) -> int:
    """``h!·[x^h] e^x (e^{2x} − 1)^r exp((e^{2x} − 1)/2)`` (module docstring), exactly.

    Computed with exact rational power series truncated at degree ``h`` (Newton iteration for
    the exponential): ``O(M(h)·log h)`` for the series, about a second at ``h = 1000``. The
    tests compare it with the enumeration of :meth:`Fiber.pieces` for small ``h``.
    """
    h, r = width, rank
    if r > h or r < 0 or h < 0:
        return 0
    n = h + 1
    fact = [fmpz(1)]
    for k in range(1, n):
        fact.append(fact[-1] * k)
    ex = fmpq_poly([fmpq(1, fact[k]) for k in range(n)])
    e2m1 = fmpq_poly([0] + [fmpq(1 << k, fact[k]) for k in range(1, n)])
    total = ex.mul_low(e2m1.pow_trunc(r, n), n).mul_low(_series_exp(e2m1 / 2, n), n)
    return int(total[h] * fact[h])


# ---------------------------------------------------------------------------------------------
# random exact numbers
# ---------------------------------------------------------------------------------------------


def _rand_rational(rng: random.Random, num: int = 6, den: int = 4) -> fmpq:
    return fmpq(rng.randint(-num, num), rng.randint(1, den))


def _rand_vector(rng: random.Random, length: int, nonzero: bool = False) -> tuple:
    while True:
        v = tuple(_rand_rational(rng) for _ in range(length))
        if not nonzero or any(x != 0 for x in v):
            return v


def _rng(rng) -> random.Random:
    if isinstance(rng, random.Random):
        return rng
    if rng is None or isinstance(rng, int):
        return random.Random(rng)
    raise InputError("rng must be a random.Random instance, an integer seed or None")


# ---------------------------------------------------------------------------------------------
# the class
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fiber:
    """``FE[w]`` for a width-``h`` tanh parameter ``w`` (see the module docstring).

    Build with :func:`fiber`. ``compression`` is ``compress(w)``: canonical unit ``j`` is
    ``compression.kept[j]``, ``δ`` is ``compression.bias``.
    """

    parameter: TanhParameter
    compression: Compression
    network: Network | None = None

    # -- shape ---------------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return self.parameter.width

    @property
    def rank(self) -> int:
        return self.compression.rank

    @property
    def input_dim(self) -> int:
        return self.parameter.input_dim

    @property
    def output_dim(self) -> int:
        return self.parameter.output_dim

    @property
    def bias(self) -> tuple:
        """``δ``: the output bias of the compressed form (tanh scalars)."""
        return self.compression.bias

    @property
    def finite(self) -> bool:
        """True iff ``w`` is irreducible: the class is the ``2^h·h!`` points of its orbit."""
        return self.rank == self.width

    @property
    def dimension(self) -> int:
        """``max`` piece dimension ``= (h − r)·(max(n, m) + 1)``."""
        return (self.width - self.rank) * (max(self.input_dim, self.output_dim) + 1)

    @cached_property
    def tanh_arguments(self) -> tuple:
        """The distinct arguments ``q > 0`` of the tanh terms of ``δ`` (ascending), with the
        coefficient vectors ``e_q`` (coefficient of ``tanh(q)`` in each output)."""
        coeffs: dict = {}
        for k, s in enumerate(self.bias):
            for q, c in s.terms:
                coeffs.setdefault(q, [_ZERO] * self.output_dim)[k] = c
        qs = sort_exact(coeffs, key=lambda q: (q,))
        return tuple((q, tuple(coeffs[q])) for q in qs)

    @property
    def has_numeric_members(self) -> bool:
        """Whether some member has an exact (algebraic) output bias: ``h ≥ r + t``."""
        return self.width >= self.rank + len(self.tanh_arguments)

    def canonical_units(self) -> list:
        """``[(α_j, β_j, γ_j), …]`` in canonical order."""
        return [(g.alpha, g.beta, g.gamma) for g in self.compression.kept]

    # -- membership ----------------------------------------------------------------------------
    def _as_parameter(self, other) -> TanhParameter:
        if isinstance(other, Network):
            if self.network is not None:
                _, other = common_field(self.network, other)
            other = TanhParameter.from_network(other, "FE-class membership")
        if not isinstance(other, TanhParameter):
            raise InputError(f"membership needs a tanh network or TanhParameter, got {type(other).__name__}")
        if other.input_dim != self.input_dim or other.output_dim != self.output_dim:
            raise InputError(
                f"dimension mismatch: the class lives in maps R^{self.input_dim} → R^{self.output_dim}, the parameter"
                f" maps R^{other.input_dim} → R^{other.output_dim}"
            )
        if other.width != self.width:
            raise InputError(
                f"FE[w] is a subset of W_h with h = {self.width}; this parameter has width {other.width}"
                " (use equivalence to compare parameters of different widths)"
            )
        return other

    def contains(self, other) -> bool:
        """Exact membership of a width-``h`` parameter (a Network or a TanhParameter, possibly
        with a symbolic output bias): the compressed forms agree (docs/tanh.md § The functional-equivalence class)."""
        q = self._as_parameter(other)
        try:
            rational = all(type(v) is fmpq for p in (self.parameter, q) for vec in p.b for v in vec) and all(
                type(v) is fmpq for p in (self.parameter, q) for v in p.c)
            scheme = "rational" if rational else "generic"
            ga, gb = group_units(self.parameter, scheme), group_units(q, scheme)
            return ga.kept_alphas() == gb.kept_alphas() and ga.bias == gb.bias
        except FieldMismatchError:
            raise InputError("the parameter's algebraic numbers lie in another number field than the class's;"
                             " pass networks (they are moved into a common field)") from None

    def __contains__(self, other) -> bool:
        return self.contains(other)

    def piece_of(self, other) -> Piece:
        """The natural piece of a member: constant units ``b' = 0``, units of canonical keys
        attached, every other key a cancelling group (signs from the key normalisation)."""
        q = self._as_parameter(other)
        if not self.contains(q):
            raise InputError("the parameter is not in this functional-equivalence class")
        comp = compress(q)
        index = {g.key: j for j, g in enumerate(self.compression.kept)}
        labels: list = [None] * self.width
        for i in comp.constant:
            labels[i] = ("constant",)
        for g in list(comp.kept) + list(comp.cancelled):
            j = index.get(g.key) if g.kept else None
            for i, s in zip(g.members, g.signs):
                labels[i] = ("attached", j, s) if j is not None else ("group", ("g", g.members[0]), s)
        # renumber groups by first member
        return Piece.from_labels([lab if lab[0] != "group" else ("group", lab[1][1], lab[2]) for lab in labels])

    # -- pieces --------------------------------------------------------------------------------
    def count_pieces(self) -> int:
        """The number of pieces (index data), without enumerating (module docstring)."""
        return count_pieces(self.width, self.rank)

    def pieces(self) -> Iterator[Piece]:
        """All pieces, lazily, in a fixed order (depth-first over units 0..h−1; each unit
        constant, attached to ``j`` with sign ``+`` then ``−``, or in a group)."""
        return _enumerate_pieces(self.width, self.rank)

    def piece_dimension(self, piece: Piece) -> int:
        return piece.dimension(self.input_dim, self.output_dim)

    def _check_piece(self, piece: Piece) -> None:
        if piece.width != self.width or piece.rank != self.rank:
            raise InputError(f"the piece is for width {piece.width} and rank {piece.rank}, the class has"
                             f" width {self.width} and rank {self.rank}")

    def equations(self, piece: Piece) -> list:
        """The piece's equations (:class:`Equation`), with readable ``text`` (primes omitted)."""
        self._check_piece(piece)
        m = self.output_dim
        out = []
        for i in piece.constant:
            out.append(Equation("constant", (i,), text=f"b_{i} = 0"))
        for j, members in enumerate(piece.attached):
            alpha, beta, gamma = self.canonical_units()[j]
            for i, s in members:
                key = _key_text(beta, gamma)
                out.append(Equation("key", (i,), (s,), j,
                                    text=f"(b_{i}, c_{i}) = {'−' if s < 0 else ''}{key}   [canonical unit {j}]"))
            lhs = "".join(_signed(s, f"a_{i}", t == 0) for t, (i, s) in enumerate(members))
            out.append(Equation("sum", tuple(i for i, _ in members), tuple(s for _, s in members), j, tuple(alpha),
                                text=f"{lhs} = {_vec_text(alpha)}"))
        zero = tuple(_ZERO for _ in range(m))
        for members in piece.groups:
            i0 = members[0][0]
            for i, s in members[1:]:
                out.append(Equation("tie", (i,), (s,), i0,
                                    text=f"(b_{i}, c_{i}) = {'−' if s < 0 else ''}(b_{i0}, c_{i0})"))
            lhs = "".join(_signed(s, f"a_{i}", t == 0) for t, (i, s) in enumerate(members))
            out.append(Equation("sum", tuple(i for i, _ in members), tuple(s for _, s in members), None, zero,
                                text=f"{lhs} = {_vec_text(zero)}"))
        out.append(self.bias_equation(piece))
        return out

    def bias_equation(self, piece: Piece) -> Equation:
        """(E3): ``d + Σ_{i∈Z} a_i·tanh(c_i) = δ``."""
        delta = vector_text(self.bias)
        terms = "".join(f" + a_{i}·tanh(c_{i})" for i in piece.constant)
        return Equation("bias", tuple(piece.constant), rhs=self.bias, text=f"d{terms} = {delta}")

    def linear_rows(self, piece: Piece) -> list:
        """The scalar linear equations of the piece as ``(row, rhs)``: ``row`` a dict from a
        coordinate — ``("a", i, k)``, ``("b", i, l)``, ``("c", i)``, ``("d", k)`` — to an exact
        coefficient; ``rhs`` an exact number or, for the ``d`` rows, a tanh scalar. The ``d``
        rows are included only when the piece has no constant unit (otherwise the bias
        equation is not linear). All rows are linearly independent."""
        self._check_piece(piece)
        n, m = self.input_dim, self.output_dim
        rows = []
        one = fmpq(1)
        for i in piece.constant:
            rows += [({("b", i, l): one}, _ZERO) for l in range(n)]
        for j, members in enumerate(piece.attached):
            alpha, beta, gamma = self.canonical_units()[j]
            for i, s in members:
                rows += [({("b", i, l): one}, s * beta[l]) for l in range(n)]
                rows.append(({("c", i): one}, s * gamma))
            rows += [({("a", i, k): fmpq(s) for i, s in members}, alpha[k]) for k in range(m)]
        for members in piece.groups:
            i0 = members[0][0]
            for i, s in members[1:]:
                rows += [({("b", i, l): one, ("b", i0, l): fmpq(-s)}, _ZERO) for l in range(n)]
                rows.append(({("c", i): one, ("c", i0): fmpq(-s)}, _ZERO))
            rows += [({("a", i, k): fmpq(s) for i, s in members}, _ZERO) for k in range(m)]
        if not piece.constant:
            rows += [({("d", k): one}, self.bias[k]) for k in range(m)]
        return rows

    def in_piece(self, piece: Piece, other) -> bool:
        """Exactly whether ``other`` satisfies all equations of ``piece``."""
        self._check_piece(piece)
        q = self._as_parameter(other)
        m = self.output_dim
        for i in piece.constant:
            if any(v != 0 for v in q.b[i]):
                return False
        for j, members in enumerate(piece.attached):
            alpha, beta, gamma = self.canonical_units()[j]
            acc = [_ZERO] * m
            for i, s in members:
                if tuple(q.b[i]) != tuple(s * x for x in beta) or q.c[i] != s * gamma:
                    return False
                acc = [x + s * y for x, y in zip(acc, q.a[i])]
            if tuple(acc) != tuple(alpha):
                return False
        for members in piece.groups:
            i0 = members[0][0]
            acc = list(q.a[i0])
            for i, s in members[1:]:
                if tuple(q.b[i]) != tuple(s * x for x in q.b[i0]) or q.c[i] != s * q.c[i0]:
                    return False
                acc = [x + s * y for x, y in zip(acc, q.a[i])]
            if any(v != 0 for v in acc):
                return False
        for k in range(m):
            lhs = q.d[k] + TanhScalar.build(_ZERO, [(q.c[i], q.a[i][k]) for i in piece.constant])
            if lhs != self.bias[k]:
                return False
        return True

    # -- sampling ------------------------------------------------------------------------------
    def sample_piece(self, rng=None, min_constant: int = 0) -> Piece:
        """A random piece with at least ``min_constant`` constant units (module docstring)."""
        rng = _rng(rng)
        h, r = self.width, self.rank
        if r + min_constant > h:
            raise InputError(f"no piece has {min_constant} constant units: width {h}, rank {r}")
        order = list(range(h))
        rng.shuffle(order)
        labels: list = [None] * h
        for j in range(r):
            labels[order[j]] = ("attached", j, rng.choice((1, -1)))
        for i in order[r:r + min_constant]:
            labels[i] = ("constant",)
        free = []
        for i in order[r + min_constant:]:
            kind = rng.randrange(3)
            if kind == 0:
                labels[i] = ("constant",)
            elif kind == 1 and r:
                labels[i] = ("attached", rng.randrange(r), rng.choice((1, -1)))
            else:
                free.append(i)
        groups = 0
        for i in free:  # already in random order
            if groups == 0 or rng.random() < 0.5:
                labels[i] = ("group", groups, 1)
                groups += 1
            else:
                labels[i] = ("group", rng.randrange(groups), rng.choice((1, -1)))
        return Piece.from_labels(labels)

    def sample_point(self, piece: Piece, rng=None, numeric_bias: bool = False) -> TanhParameter:
        """A random exact member of ``piece`` (module docstring; ``numeric_bias`` needs at least
        as many constant units as ``δ`` has distinct tanh arguments)."""
        self._check_piece(piece)
        rng = _rng(rng)
        n, m, h = self.input_dim, self.output_dim, self.width
        zero_a, zero_b = tuple(_ZERO for _ in range(m)), tuple(_ZERO for _ in range(n))
        a: list = [zero_a] * h
        b: list = [zero_b] * h
        c: list = [_ZERO] * h
        for j, members in enumerate(piece.attached):
            alpha, beta, gamma = self.canonical_units()[j]
            self._fill_group(rng, members, alpha, beta, gamma, a, b, c)
        for members in piece.groups:
            kb, kc = _rand_vector(rng, n, nonzero=True), _rand_rational(rng)
            self._fill_group(rng, members, zero_a, kb, kc, a, b, c)
        const = list(piece.constant)
        if numeric_bias:
            args = self.tanh_arguments
            if len(const) < len(args):
                raise InputError(
                    f"this piece has {len(const)} constant unit(s) but δ has {len(args)} distinct tanh argument(s):"
                    " none of its points has an exact output bias"
                )
            rng.shuffle(const)
            for (q, e), i in zip(args, const):
                s = rng.choice((1, -1))
                a[i], c[i] = tuple(s * x for x in e), s * q
            rest = const[len(args):]
            while rest:
                i = rest.pop()
                mode = rng.randrange(3)
                if mode == 2 and rest:  # a cancelling pair a·tanh(c) + a·tanh(−c) = 0
                    i2 = rest.pop()
                    av, cv = _rand_vector(rng, m), _rand_rational(rng)
                    a[i], c[i], a[i2], c[i2] = av, cv, av, -cv
                elif mode == 1:
                    a[i], c[i] = zero_a, _rand_rational(rng)
                else:
                    a[i], c[i] = _rand_vector(rng, m), _ZERO
        else:
            for i in const:
                a[i], c[i] = _rand_vector(rng, m), _rand_rational(rng)
        d = []
        for k in range(m):
            d.append(self.bias[k] - TanhScalar.build(_ZERO, [(c[i], a[i][k]) for i in piece.constant]))
        p = TanhParameter(a=tuple(a), b=tuple(b), c=tuple(c), d=tuple(d), input_dim=n, output_dim=m)
        if numeric_bias and not p.has_numeric_bias:  # pragma: no cover - by construction
            raise RuntimeError("internal: a numeric-bias sample has a transcendental bias")
        return p

    @staticmethod
    def _fill_group(rng, members, alpha, beta, gamma, a, b, c) -> None:
        """Keys ``s_i·(β, γ)`` and random ``a`` with ``Σ s_i a_i = α`` (one member solves)."""
        last = rng.randrange(len(members))
        acc = list(alpha)
        for t, (i, s) in enumerate(members):
            b[i] = tuple(s * x for x in beta)
            c[i] = s * gamma
            if t != last:
                a[i] = _rand_vector(rng, len(alpha))
                acc = [x - s * y for x, y in zip(acc, a[i])]
        i, s = members[last]
        a[i] = tuple(s * x for x in acc)

    def sample(self, rng=None, numeric_bias: bool = False) -> TanhParameter:
        """An exact random member: a random piece (:meth:`sample_piece`), then a random point."""
        rng = _rng(rng)
        need = len(self.tanh_arguments) if numeric_bias else 0
        if numeric_bias and not self.has_numeric_members:
            raise InputError(
                f"no member of this class has an exact output bias: δ has {need} distinct tanh argument(s), which"
                f" needs width ≥ rank + {need} = {self.rank + need} (the width is {self.width})"
            )
        return self.sample_point(self.sample_piece(rng, need), rng, numeric_bias)

    def sample_with_piece(self, rng=None, numeric_bias: bool = False) -> tuple:
        """``(piece, member)`` as :meth:`sample` draws them."""
        rng = _rng(rng)
        need = len(self.tanh_arguments) if numeric_bias else 0
        if numeric_bias and not self.has_numeric_members:
            return self.sample(rng, numeric_bias)  # raises the explanation
        piece = self.sample_piece(rng, need)
        return piece, self.sample_point(piece, rng, numeric_bias)

    def samples(self, count: int, seed: int | None = None) -> tuple[int, list]:
        """``(seed, [(piece, member), ...])``: ``count`` exact random members drawn with
        ``random.Random(seed)`` (a fresh random seed when ``None``, returned so that the draw can be
        repeated), with an exact output bias whenever the class has such members."""
        import random
        import secrets

        used = seed if seed is not None else secrets.randbits(32)
        rng = random.Random(used)
        return used, [self.sample_with_piece(rng, numeric_bias=self.has_numeric_members) for _ in range(count)]


def fiber(w) -> Fiber:
    """``FE[w]`` of a one-hidden-layer tanh network or :class:`TanhParameter`."""
    net = None
    if isinstance(w, Network):
        net = w
        w = TanhParameter.from_network(w, "the functional-equivalence class")
    if not isinstance(w, TanhParameter):
        raise InputError(f"fiber needs a tanh network or TanhParameter, got {type(w).__name__}")
    return Fiber(parameter=w, compression=compress(w), network=net)


# ---------------------------------------------------------------------------------------------
# enumeration (iterative: widths can exceed Python's recursion limit)
# ---------------------------------------------------------------------------------------------


def _enumerate_pieces(h: int, r: int) -> Iterator[Piece]:
    if r > h:
        return
    if h == 0:
        yield Piece(0, (), (), ())
        return
    att_count = [0] * r
    state = {"missing": r}
    groups: list = []
    labels: list = [None] * h

    def choices(i: int) -> list:
        rem_after = h - i - 1
        missing = state["missing"]
        out = []
        ok = missing <= rem_after
        if ok:
            out.append(("constant",))
        for j in range(r):
            if (att_count[j] == 0 and missing - 1 <= rem_after) or (att_count[j] > 0 and ok):
                out.append(("attached", j, 1))
                out.append(("attached", j, -1))
        if ok:
            for g in range(len(groups)):
                out.append(("group", g, 1))
                out.append(("group", g, -1))
            out.append(("group", len(groups), 1))
        return out

    def apply(i: int, ch: tuple) -> None:
        labels[i] = ch
        if ch[0] == "attached":
            att_count[ch[1]] += 1
            if att_count[ch[1]] == 1:
                state["missing"] -= 1
        elif ch[0] == "group":
            if ch[1] == len(groups):
                groups.append([])
            groups[ch[1]].append((i, ch[2]))

    def undo(i: int, ch: tuple) -> None:
        labels[i] = None
        if ch[0] == "attached":
            att_count[ch[1]] -= 1
            if att_count[ch[1]] == 0:
                state["missing"] += 1
        elif ch[0] == "group":
            groups[ch[1]].pop()
            if not groups[ch[1]]:
                groups.pop()

    stack = [[choices(0), -1]]
    while stack:
        depth = len(stack) - 1
        entry = stack[-1]
        if entry[1] >= 0:
            undo(depth, entry[0][entry[1]])
        entry[1] += 1
        if entry[1] >= len(entry[0]):
            stack.pop()
            continue
        apply(depth, entry[0][entry[1]])
        if depth == h - 1:
            yield Piece(
                h,
                tuple(i for i in range(h) if labels[i][0] == "constant"),
                tuple(tuple((i, labels[i][2]) for i in range(h) if labels[i][0] == "attached" and labels[i][1] == j)
                      for j in range(r)),
                tuple(tuple(g) for g in groups),
            )
        else:
            stack.append([choices(depth + 1), -1])


__all__ = ["Equation", "Fiber", "Piece", "count_pieces", "fiber"]
