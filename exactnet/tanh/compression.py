"""Optimal lossless compression, rank and canonical form (Farrugia-Roberts 2023, Algorithm 4.1;
docs/tanh.md § Compression and the canonical form).

Stages, in the mathematically required order:

1. **Constant units** ``Z = {i : b_i = 0}`` are folded into the output bias,
   ``δ = d + Σ_{i∈Z} a_i·tanh(c_i)``, kept exactly as a :class:`~exactnet.numbers.tanh_scalar.TanhScalar`
   (never multiplied by ``sign(b_i) = 0`` first; docs/tanh.md § The output bias as an exact symbolic number).
2. **Sign-normalise and merge.** ``s_i`` is the sign of the *first nonzero coordinate* of
   ``b_i``; the key ``k_i = s_i·(b_i, c_i)``; units of equal key form a group with merged
   outgoing weight ``α = Σ s_i a_i`` (this handles duplicates and negated duplicates at once).
3. **Drop cancelled groups**, those with ``α = 0`` (the zero vector for ``m > 1``). This comes
   after merging because merging creates zeros (docs/tanh.md § Compression and the canonical form); dead units ``a_i = 0`` need no
   separate pass.

The kept groups are the units of the compressed parameter; ``rank(w)`` is their number. The
compressed parameter is irreducible (no constant unit, no zero outgoing weight, pairwise
distinct keys up to sign), hence of minimal width by Sussmann (1992): compression is optimal.

**Canonical form** (stages 4–5): the kept units sorted by the *lexicographically ascending*
key ``(β_1, …, β_n, γ)`` (keys are distinct, so there are no ties), then ``h − r`` blank units
``(0, 0, 0)`` **at the end**, then ``δ``. Two parameters are functionally equivalent iff their
compressed forms are equal (docs/tanh.md § The functional-equivalence class); at equal width, iff their canonical forms are equal.

Grouping hashes exact keys: for rational parameters a key is the tuple of reduced numerators
and denominators (``fmpz``), which is exact and much faster to hash than ``fmpq``; otherwise
the tuple of exact numbers. Expected cost ``O(h·(n + m))``; only the canonical sort is
``O(h log h)`` (exact comparisons via monotone float keys, see :func:`~exactnet.numbers.ordering.order_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flint import fmpq

from ..numbers import sign
from ..network import Network
from ..numbers.tanh_scalar import TanhScalar
from ..numbers.ordering import order_key
from .parameter import TanhParameter

_ZERO = fmpq(0)


# ---------------------------------------------------------------------------------------------
# grouping (the hot loop)
# ---------------------------------------------------------------------------------------------


def unit_sign(b: tuple) -> int:
    """Sign of the first nonzero coordinate of ``b`` (0 for the zero vector: a constant unit)."""
    for x in b:
        if type(x) is fmpq:
            if x:
                return 1 if x.p > 0 else -1
        elif x != 0:
            return sign(x)
    return 0


def _rational_key(b: tuple, c, s: int) -> tuple:
    """The exact hash key of ``s·(b, c)`` for rational entries: reduced ``(p, q)`` pairs
    (``fmpq`` is always in lowest terms with ``q > 0``, so equal keys ⇔ equal rationals)."""
    if len(b) == 1:
        x = b[0]
        if s > 0:
            return (x.p, x.q, c.p, c.q)
        return (-x.p, x.q, -c.p, c.q)
    if len(b) == 2:
        x, y = b
        if s > 0:
            return (x.p, x.q, y.p, y.q, c.p, c.q)
        return (-x.p, x.q, -y.p, y.q, -c.p, c.q)
    out = []
    if s > 0:
        for x in b:
            out.append(x.p)
            out.append(x.q)
        out.append(c.p)
    else:
        for x in b:
            out.append(-x.p)
            out.append(x.q)
        out.append(-c.p)
    out.append(c.q)
    return tuple(out)


def _generic_key(b: tuple, c, s: int) -> tuple:
    return tuple(b) + (c,) if s > 0 else tuple(-x for x in b) + (-c,)


@dataclass(frozen=True)
class Grouping:
    """Raw result of stages 1–2: which units are constant, each unit's sign, and the groups.

    ``groups`` maps a hashable exact key (scheme ``"rational"`` or ``"generic"``, see the module
    docstring) to the ascending list of its member units. Use :func:`compress` for the
    documented result; this is the fast path shared with the equivalence decision.
    """

    parameter: TanhParameter
    constant: tuple
    signs: tuple
    groups: dict
    scheme: str

    def key_values(self, members) -> tuple:
        """The normalised key ``(β_1..β_n, γ)`` (exact numbers) of a group."""
        i = members[0]
        s = self.signs[i]
        b, c = self.parameter.b[i], self.parameter.c[i]
        return tuple(b) + (c,) if s > 0 else tuple(-x for x in b) + (-c,)

    def alpha(self, members) -> tuple:
        """``α = Σ s_i a_i`` of a group (an ``m``-vector)."""
        a, signs = self.parameter.a, self.signs
        i0 = members[0]
        acc = list(a[i0]) if signs[i0] > 0 else [-v for v in a[i0]]
        for i in members[1:]:
            if signs[i] > 0:
                for k, v in enumerate(a[i]):
                    acc[k] = acc[k] + v
            else:
                for k, v in enumerate(a[i]):
                    acc[k] = acc[k] - v
        return tuple(acc)

    @cached_property
    def bias(self) -> tuple:
        """``δ = d + Σ_{i∈Z} a_i·tanh(c_i)`` (stage 1), one :class:`TanhScalar` per output."""
        return folded_bias(self.parameter, self.constant)

    def alphas(self) -> dict:
        """``key → α`` for every group (kept and cancelled)."""
        return {key: self.alpha(members) for key, members in self.groups.items()}

    def kept_alphas(self) -> dict:
        """``key → α`` for the kept groups (``α ≠ 0``): the compressed units, unordered."""
        out = {}
        a, signs, alpha = self.parameter.a, self.signs, self.alpha
        for key, members in self.groups.items():
            if len(members) == 1:  # the common case: no arithmetic
                i = members[0]
                al = a[i]
                if signs[i] < 0:
                    al = (-al[0],) if len(al) == 1 else tuple(-v for v in al)
            else:
                al = alpha(members)
            for v in al:
                if v != 0:
                    out[key] = al
                    break
        return out


def group_units(p: TanhParameter, scheme: str | None = None) -> Grouping:
    """Stages 1–2 of compression (constant units, signs, groups of equal normalised key).

    ``scheme`` is ``"rational"`` (requires rational ``b``, ``c``) or ``"generic"``; by default
    the fastest valid one. Two groupings can be compared key-by-key only if they use the same
    scheme.
    """
    if scheme is None:
        rational_bc = all(type(v) is fmpq for vec in p.b for v in vec) and all(type(v) is fmpq for v in p.c)
        scheme = "rational" if rational_bc else "generic"
    keyfn = _rational_key if scheme == "rational" else _generic_key
    h = p.width
    signs = [0] * h
    constant = []
    groups: dict = {}
    b_all, c_all = p.b, p.c
    for i in range(h):
        b = b_all[i]
        s = unit_sign(b)
        if s == 0:
            constant.append(i)
            continue
        signs[i] = s
        key = keyfn(b, c_all[i], s)
        members = groups.get(key)
        if members is None:
            groups[key] = [i]
        else:
            members.append(i)
    return Grouping(parameter=p, constant=tuple(constant), signs=tuple(signs), groups=groups, scheme=scheme)


def merged_weights(p: TanhParameter, scheme: str) -> tuple[dict, tuple]:
    """Stages 1–3 in one pass, without bookkeeping: ``(key → α for the kept groups, constant
    units)``. The equivalence decision's fast path; keys follow ``scheme`` as in
    :func:`group_units`."""
    keyfn = _rational_key if scheme == "rational" else _generic_key
    merged: dict = {}
    constant = []
    a_all, b_all, c_all = p.a, p.b, p.c
    for i in range(p.width):
        b = b_all[i]
        s = unit_sign(b)
        if s == 0:
            constant.append(i)
            continue
        key = keyfn(b, c_all[i], s)
        a = a_all[i]
        prev = merged.get(key)
        if prev is None:
            merged[key] = a if s > 0 else tuple(-v for v in a)
        elif s > 0:
            merged[key] = tuple(x + y for x, y in zip(prev, a))
        else:
            merged[key] = tuple(x - y for x, y in zip(prev, a))
    kept = {}
    for key, al in merged.items():
        for v in al:
            if v != 0:
                kept[key] = al
                break
    return kept, tuple(constant)


def folded_bias(p: TanhParameter, constant) -> tuple:
    """``δ = d + Σ_{i∈constant} a_i·tanh(c_i)`` (stage 1), one :class:`TanhScalar` per output."""
    if not constant:
        return p.d
    return tuple(p.d[k] + TanhScalar.build(_ZERO, [(p.c[i], p.a[i][k]) for i in constant])
                 for k in range(p.output_dim))


# ---------------------------------------------------------------------------------------------
# the documented result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Units of one normalised key ``(β, γ)``: ``members`` (ascending unit indices), their
    ``signs`` ``s_i`` (so ``s_i·(b_i, c_i) = (β, γ)``), and ``alpha = Σ s_i a_i``."""

    beta: tuple
    gamma: object
    members: tuple
    signs: tuple
    alpha: tuple

    @property
    def kept(self) -> bool:
        return any(v != 0 for v in self.alpha)

    @property
    def key(self) -> tuple:
        return tuple(self.beta) + (self.gamma,)


@dataclass(frozen=True)
class Compression:
    """The compression of a parameter, with the bookkeeping later algorithms need.

    * ``constant``: units with ``b_i = 0``, folded into ``bias``;
    * ``kept``: the groups with ``α ≠ 0``, in canonical (ascending key) order — canonical unit
      ``j`` is ``(kept[j].alpha, kept[j].beta, kept[j].gamma)``;
    * ``cancelled``: the groups with ``α = 0`` (a single dead unit is a cancelled group of one),
      ordered by their first member;
    * ``bias``: ``δ``, one :class:`TanhScalar` per output.

    Every unit appears in exactly one of ``constant`` or one group.
    """

    parameter: TanhParameter
    constant: tuple
    kept: tuple
    cancelled: tuple
    bias: tuple

    @property
    def rank(self) -> int:
        return len(self.kept)

    @property
    def width(self) -> int:
        return self.parameter.width

    @property
    def reducible(self) -> bool:
        return self.rank < self.width

    def compressed(self) -> TanhParameter:
        """The compressed parameter (width ``rank``, canonical unit order, symbolic bias ``δ``)."""
        p = self.parameter
        return TanhParameter(
            a=tuple(g.alpha for g in self.kept), b=tuple(g.beta for g in self.kept),
            c=tuple(g.gamma for g in self.kept), d=self.bias, input_dim=p.input_dim, output_dim=p.output_dim,
        )

    def canonical(self) -> TanhParameter:
        """The canonical form at the original width: compressed units, then blank units."""
        return self.compressed().with_blank_units(self.width - self.rank)

    def roles(self) -> list:
        """Per unit: ``("constant",)``, ``("kept", j, s)`` or ``("cancelled", g, s)`` where ``j``
        indexes ``kept``, ``g`` indexes ``cancelled`` and ``s`` is the unit's sign."""
        out: list = [None] * self.width
        for i in self.constant:
            out[i] = ("constant",)
        for j, g in enumerate(self.kept):
            for i, s in zip(g.members, g.signs):
                out[i] = ("kept", j, s)
        for j, g in enumerate(self.cancelled):
            for i, s in zip(g.members, g.signs):
                out[i] = ("cancelled", j, s)
        return out


def compress(p: TanhParameter | Network) -> Compression:
    """Compress ``p`` (stages 1–3 and the canonical order; see the module docstring)."""
    if isinstance(p, Network):
        p = TanhParameter.from_network(p, "compression")
    g = group_units(p)
    kept, cancelled = [], []
    for members in g.groups.values():
        key = g.key_values(members)
        group = Group(beta=key[:-1], gamma=key[-1], members=tuple(members),
                      signs=tuple(g.signs[i] for i in members), alpha=g.alpha(members))
        (kept if group.kept else cancelled).append(group)
    rational = all(type(v) is fmpq for grp in kept for v in grp.key)
    kept.sort(key=lambda grp: order_key(grp.key, rational))
    cancelled.sort(key=lambda grp: grp.members[0])
    return Compression(parameter=p, constant=g.constant, kept=tuple(kept), cancelled=tuple(cancelled), bias=g.bias)


def rank(p: TanhParameter | Network) -> int:
    """``rank(w)``: the fewest hidden units of any parameter computing ``f_w`` (docs/tanh.md § Compression and the canonical form)."""
    if isinstance(p, Network):
        p = TanhParameter.from_network(p, "rank")
    scheme = "rational" if all(type(v) is fmpq for vec in p.b for v in vec) and all(type(v) is fmpq for v in p.c) \
        else "generic"
    return len(merged_weights(p, scheme)[0])


def canonical_form(p: TanhParameter | Network) -> TanhParameter:
    """The canonical parameter of ``p`` at its own width (see the module docstring)."""
    return compress(p).canonical()


# ---------------------------------------------------------------------------------------------
# reducibility report
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reducibility:
    """Why a parameter is reducible (docs/tanh.md § Irreducible parameters, conditions (i)–(iv)).

    * ``dead``: units with ``a_i = 0``;
    * ``constant``: units with ``b_i = 0``;
    * ``duplicates``: pairs ``(i, j)``, ``j < i`` the first unit of ``i``'s group, with
      ``(b_i, c_i) = (b_j, c_j)`` (non-constant units);
    * ``negated_duplicates``: pairs ``(i, j)`` with ``(b_i, c_i) = −(b_j, c_j)``.

    ``reducible`` iff any list is nonempty, iff ``rank < width``.
    """

    width: int
    rank: int
    dead: tuple
    constant: tuple
    duplicates: tuple
    negated_duplicates: tuple

    @property
    def reducible(self) -> bool:
        return bool(self.dead or self.constant or self.duplicates or self.negated_duplicates)

    def reasons(self) -> list:
        """``[(unit, reason, other_unit_or_None), …]`` sorted by unit, reasons named."""
        out = [(i, "dead", None) for i in self.dead]
        out += [(i, "constant", None) for i in self.constant]
        out += [(i, "duplicate", j) for i, j in self.duplicates]
        out += [(i, "negated duplicate", j) for i, j in self.negated_duplicates]
        return sorted(out, key=lambda t: (t[0], t[1]))


def reducibility(p: TanhParameter | Network) -> Reducibility:
    """The reducibility report of ``p`` (see :class:`Reducibility`)."""
    if isinstance(p, Network):
        p = TanhParameter.from_network(p, "the reducibility report")
    g = group_units(p)
    dead = tuple(i for i, a in enumerate(p.a) if all(v == 0 for v in a))
    dups, negs = [], []
    for members in g.groups.values():
        j = members[0]
        for i in members[1:]:
            (dups if g.signs[i] == g.signs[j] else negs).append((i, j))
    kept = sum(1 for members in g.groups.values() if any(v != 0 for v in g.alpha(members)))
    return Reducibility(width=p.width, rank=kept, dead=dead, constant=g.constant,
                        duplicates=tuple(sorted(dups)), negated_duplicates=tuple(sorted(negs)))


__all__ = [
    "Compression", "Group", "Grouping", "Reducibility", "canonical_form", "compress", "folded_bias", "group_units",
    "merged_weights", "rank", "reducibility", "unit_sign",
]
