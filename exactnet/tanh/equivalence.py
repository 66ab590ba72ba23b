"""Exact functional-equivalence decision for one-hidden-layer tanh networks, with witnesses.

**Decision** (Farrugia-Roberts 2023; docs/tanh.md § The functional-equivalence class): ``f_A = f_B`` iff the
compressed forms are equal — the same set of normalised keys ``(β, γ)`` with the same merged
outgoing weights ``α``, and the same output bias ``δ``. Completeness: the functions
``1`` and ``tanh(β·x + γ)`` over distinct normalised keys (``β ≠ 0``) are linearly independent
(Sussmann 1992), so ``f_A − f_B = Δδ + Σ_j Δα_j tanh(β_j·x + γ_j)`` vanishes identically iff
every ``Δα_j = 0`` and ``Δδ = 0``; ``Δδ`` is compared coefficientwise, which is exact by the
linear-independence lemma in :mod:`exactnet.numbers.tanh_scalar`. Widths may differ. The decision
hashes exact keys and needs no sorting: ``O(h·(n+m))`` expected.

**Witness** for a "no": a rational input ``x`` and an output ``k`` with ``(f_A − f_B)_k(x)``
provably nonzero, found by evaluating the *difference* (only the units that differ) with
``arb`` balls at deterministic rational points and increasing precision. It exists: a
nonzero constant difference is nonzero everywhere, and otherwise ``f_A − f_B`` is a nonzero
real-analytic function, whose zero set has empty interior. The search is bounded by a
precision cap and the deadline; the verdict itself never depends on it.

On a full-dimensional box the answer is the same as on ``R^n`` (identity theorem for
real-analytic functions); only the witness is then searched inside the box.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from flint import arb, fmpq

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError, UnsupportedError
from ..network import Network, common_field
from ..network.domain import Box
from ..numbers import enclosure, format_number, working_precision
from ..numbers.tanh_scalar import vector_text
from .compression import Grouping, folded_bias, group_units, merged_weights
from .parameter import TanhParameter, check_one_hidden_layer_tanh

_ZERO = fmpq(0)

#: Working precisions tried by the witness search, and the largest one.
START_PRECISION = 64
MAX_PRECISION = 1 << 14


@dataclass(frozen=True)
class Difference:
    """``f_A − f_B = bias + Σ_j dalpha_j·tanh(beta_j·x + gamma_j)`` over differing units."""

    units: tuple  # ((beta, gamma, dalpha), ...): normalised key and α_A − α_B ≠ 0
    bias: tuple  # δ_A − δ_B, one TanhScalar per output

    @property
    def is_constant(self) -> bool:
        return not self.units

    def enclosure(self, x: tuple, output: int, prec: int) -> arb:
        """A rigorous ball containing ``(f_A − f_B)_output(x)`` (working precision ``prec``)."""
        with working_precision(prec):
            acc = self.bias[output].enclosure(prec)
            for beta, gamma, dalpha in self.units:
                w = dalpha[output]
                if w == 0:
                    continue
                z = gamma
                for bl, xl in zip(beta, x):
                    if bl != 0 and xl != 0:
                        z = z + bl * xl
                acc += enclosure(w, prec) * enclosure(z, prec).tanh()
            return acc

    def nonzero_outputs(self) -> list:
        m = len(self.bias)
        return [k for k in range(m) if not self.bias[k].is_zero() or any(u[2][k] != 0 for u in self.units)]


@dataclass(frozen=True)
class Witness:
    """A rational input ``x`` where output ``output`` of the two networks differs; ``lower`` and
    ``upper`` are exact rational bounds of ``(f_A − f_B)_output(x)`` (same sign, not 0)."""

    x: tuple
    output: int
    lower: fmpq
    upper: fmpq
    precision: int


@dataclass(frozen=True)
class EquivalenceResult:
    """The verdict (always decided: ``True`` or ``False``), a reason, and the evidence.

    ``networks`` are the inputs moved into one number field; ``parameters`` their views.
    For a "no", ``difference`` describes ``f_A − f_B`` exactly and ``witness`` is a checked
    rational witness (``None`` only if the search hit its limits; ``witness_note`` says why).
    """

    equivalent: bool
    reason: str
    networks: tuple
    parameters: tuple
    ranks: tuple
    difference: Difference | None = None
    witness: Witness | None = None
    witness_note: str = ""
    domain: Box | None = field(default=None, compare=False)

    @property
    def verdict(self) -> bool:
        """The answer, as every family's result names it."""
        return self.equivalent


def _key_values(key: tuple, scheme: str) -> tuple:
    if scheme == "generic":
        return key
    return tuple(fmpq(key[t], key[t + 1]) for t in range(0, len(key), 2))


def _key_text(values: tuple) -> str:
    beta, gamma = values[:-1], values[-1]
    b = format_number(beta[0]) if len(beta) == 1 else "(" + ", ".join(format_number(v) for v in beta) + ")"
    return f"(b={b}, c={format_number(gamma)})"


def _vec_text(v: tuple) -> str:
    return format_number(v[0]) if len(v) == 1 else "(" + ", ".join(format_number(x) for x in v) + ")"


def prepare(net_a: Network, net_b: Network, what: str = "equivalence") -> tuple:
    """Validate two one-hidden-layer tanh networks of equal dimensions; common field; views."""
    check_one_hidden_layer_tanh(net_a, what)
    check_one_hidden_layer_tanh(net_b, what)
    if net_a.input_dim != net_b.input_dim or net_a.output_dim != net_b.output_dim:
        raise InputError(
            f"dimension mismatch: the first network maps R^{net_a.input_dim} → R^{net_a.output_dim},"
            f" the second R^{net_b.input_dim} → R^{net_b.output_dim}"
        )
    net_a, net_b = common_field(net_a, net_b)
    return (net_a, net_b), (TanhParameter.from_network(net_a, what), TanhParameter.from_network(net_b, what))


def common_scheme(pa: TanhParameter, pb: TanhParameter) -> str:
    """The key hashing scheme valid for both parameters (so their keys compare)."""
    rational = all(
        all(type(v) is fmpq for vec in p.b for v in vec) and all(type(v) is fmpq for v in p.c) for p in (pa, pb)
    )
    return "rational" if rational else "generic"


def groupings(pa: TanhParameter, pb: TanhParameter) -> tuple[Grouping, Grouping]:
    """Stage 1–2 groupings (with member lists) of two parameters under one hashing scheme."""
    scheme = common_scheme(pa, pb)
    return group_units(pa, scheme), group_units(pb, scheme)


def equivalent(net_a: Network, net_b: Network, *, deadline: Deadline = NO_DEADLINE, domain=None,
           find_witness: bool = True) -> EquivalenceResult:
    """Decide ``f_A = f_B`` exactly (see the module docstring); find a witness for a "no"."""
    if domain is not None and not isinstance(domain, Box):
        raise UnsupportedError(
            "tanh equivalence on a general polyhedron is not supported; use a box (equivalence on any"
            " full-dimensional box is equivalence on R^n)"
        )
    nets, (pa, pb) = prepare(net_a, net_b)
    if domain is not None and domain.dim != pa.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the networks take {pa.input_dim} inputs")
    try:  # rational hashing keys unless an entry of b or c is algebraic (no .p attribute)
        scheme = "rational"
        (ka, const_a), (kb, const_b) = merged_weights(pa, scheme), merged_weights(pb, scheme)
    except AttributeError:
        scheme = "generic"
        (ka, const_a), (kb, const_b) = merged_weights(pa, scheme), merged_weights(pb, scheme)
    da, db = folded_bias(pa, const_a), folded_bias(pb, const_b)
    ranks = (len(ka), len(kb))
    if ka == kb and da == db:
        reason = f"both networks compress to the same canonical form (rank {ranks[0]}, output bias {vector_text(da)})"
        return EquivalenceResult(True, reason, nets, (pa, pb), ranks, domain=domain)
    units = []
    zero = tuple(_ZERO for _ in range(pa.output_dim))
    for key in set(ka) | set(kb):
        al_a, al_b = ka.get(key, zero), kb.get(key, zero)
        if al_a != al_b:
            units.append((_key_values(key, scheme), al_a, al_b))
    dbias = tuple(x - y for x, y in zip(da, db))
    from ..numbers.ordering import sort_exact

    units = sort_exact(units, key=lambda u: u[0])
    diff = Difference(
        units=tuple((u[0][:-1], u[0][-1], tuple(x - y for x, y in zip(u[1], u[2]))) for u in units),
        bias=dbias,
    )
    reason = _difference_reason(ranks, units, dbias)
    witness, note = None, ""
    if find_witness:
        try:
            witness = find_difference_witness(diff, pa.input_dim, deadline=deadline, box=domain)
            if witness is None:
                note = f"no witness found up to {MAX_PRECISION} bits of precision (the verdict is exact regardless)"
        except TimeLimitReached:
            note = "the time limit was reached while searching for a witness (the verdict is exact regardless)"
    return EquivalenceResult(False, reason, nets, (pa, pb), ranks, diff, witness, note, domain=domain)


def _difference_reason(ranks, units, dbias) -> str:
    if not units:
        return ("the compressed forms have the same units but the output biases differ:"
                f" f_A − f_B is the constant {vector_text(dbias)} ≠ 0")
    head = f"the ranks differ ({ranks[0]} vs {ranks[1]}); " if ranks[0] != ranks[1] else ""
    key, al_a, al_b = units[0]
    more = f" ({len(units)} normalised keys differ)" if len(units) > 1 else ""
    return (f"{head}the compressed forms differ: the unit with normalised key {_key_text(key)} has outgoing"
            f" weight {_vec_text(al_a)} in A but {_vec_text(al_b)} in B{more}")


# ---------------------------------------------------------------------------------------------
# witness search
# ---------------------------------------------------------------------------------------------


def candidate_points(n: int, box: Box | None = None):
    """Deterministic rational points with nonzero coordinates (so that a witness depends on
    every weight), at scales ``2, 1, 2^-3, 2^-6, …`` (inside the box, if given)."""
    rng = random.Random(0x7A4E)
    dens = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    t = 0
    while True:
        den = dens[t % len(dens)]
        if box is None:
            scale = fmpq(1, 1 << (3 * (t // 3) % 24)) if t % 3 == 2 else fmpq(2 if t % 3 == 0 else 1)
            yield tuple(fmpq(rng.choice((-1, 1)) * rng.randint(1, 2 * den), den) * scale for _ in range(n))
        else:
            yield tuple(
                (lo + hi) / 2 + fmpq(rng.randint(-den + 1, den - 1), den) * (hi - lo) / 2
                for lo, hi in zip(box.lower, box.upper)
            )
        t += 1


def find_difference_witness(diff: Difference, n: int, *, deadline: Deadline = NO_DEADLINE,
                            box: Box | None = None) -> Witness | None:
    """A rational ``x`` (in ``box`` if given) where ``f_A − f_B`` is provably nonzero.

    Level ``L`` tries the first ``4(L+1)`` candidate points at precision ``64·2^L`` bits, up to
    :data:`MAX_PRECISION`. A constant difference is tried at the first point only.
    """
    outputs = diff.nonzero_outputs()
    if not outputs:
        return None
    points: list = []
    gen = candidate_points(n, box)
    prec = START_PRECISION
    level = 0
    while prec <= MAX_PRECISION:
        count = 1 if diff.is_constant else 4 * (level + 1)
        while len(points) < count:
            points.append(next(gen))
        for x in points[:count]:
            for k in outputs:
                deadline.check("the witness search")
                ball = diff.enclosure(x, k, prec)
                if ball > 0 or ball < 0:
                    from ..numbers.algebraic import ball_bounds

                    lo, hi = ball_bounds(ball)
                    return Witness(x=x, output=k, lower=lo, upper=hi, precision=prec)
        prec *= 2
        level += 1
    return None


__all__ = [
    "Difference", "EquivalenceResult", "Witness", "candidate_points", "equivalent", "find_difference_witness",
    "common_scheme", "groupings", "prepare",
]
