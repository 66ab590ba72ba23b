"""What a perturbation within ``ε`` can do to the rank of a tanh parameter: the exact
group tests of proximate rank, the discrete *plan* of a nearby low-rank parameter, and the
construction and exact verification of that parameter (docs/tanh.md § Proximate rank).

**Definition** (used throughout exactnet). For a one-hidden-layer tanh parameter
``w = ((a_i, b_i, c_i)_{i<h}, d)`` and an exact rational ``ε ≥ 0``::

    prank_ε(w) = min { rank(w') : w' of the same width h, ‖w − w'‖_∞ ≤ ε }

over the **closed** L∞ ball in all ``(n+m+1)h + m`` coordinates (every ``a_i``, ``b_i``,
``c_i`` and ``d`` may move by at most ``ε``, boundary included). ``prank_0 = rank``,
``prank_ε ≤ rank`` and ``prank_ε`` is non-increasing in ``ε``.

**Characterisation** (docs/tanh.md § Proximate rank; proof below). ``prank_ε(w)`` is the minimum, over

* a set ``E`` of units made *constant* — allowed for unit ``i`` iff ``‖b_i‖_∞ ≤ ε``;
* a partition of the other units into *groups* ``G`` with signs ``s_i ∈ {±1}`` such that the
  signed points ``s_i·(b_i, c_i) ∈ R^{n+1}`` fit one closed L∞ ball of radius ``ε``
  (*admissible*: per coordinate ``max − min ≤ 2ε``);

of the number of *kept* groups, a group being *cancellable* iff
``|Σ_{i∈G} s_i a_{i,k}| ≤ ε·|G|`` for every output ``k`` and *kept* otherwise.

*Proof.* (≥) Let ``w'`` be within ``ε``. Take ``E`` = its constant units (``b'_i = 0``, so
``‖b_i‖_∞ ≤ ε``) and its groups of equal normalised key ``κ = s_i(b'_i, c'_i)`` with their
signs. Each ``s_i(b_i, c_i)`` is within ``ε`` of ``κ`` (negation is an isometry), so the
group is admissible. Its merged weight ``α' = Σ s_i a'_i`` lies in
``Σ s_i a_i + [−ε|G|, ε|G|]^m``, so a group with ``α' = 0`` is cancellable, and
``rank(w')`` = #groups with ``α' ≠ 0`` ≥ #non-cancellable groups of this choice.
(≤) Given a choice, build ``w'`` (:func:`witness_parameter`): constant units get
``b'_i = 0`` (``a_i, c_i, d`` unchanged); the members of a group get
``(b'_i, c'_i) = s_i·κ`` for one point ``κ`` of the intersection box
``∩_i [s_i(b_i, c_i) − ε, s_i(b_i, c_i) + ε]`` (nonempty by admissibility; exactnet uses its
midpoint); a cancellable group gets ``a'_i = a_i − s_i·α/|G|`` (each moves by
``|α_k|/|G| ≤ ε`` and ``Σ s_i a'_i = 0``), a kept group keeps its ``a_i``. Groups whose
keys happen to coincide up to sign merge in ``w'`` and a key with zero incoming part makes
its units constant; both can only lower the number of groups with nonzero merged weight.
Hence ``rank(w') ≤`` #kept groups, and the two bounds meet at the minimum.

Consequences used by the solvers and the witness:

* *A kept group of an optimal choice has a member with* ``‖b_i‖_∞ > ε`` (otherwise moving
  all its members to ``E`` saves one), so every point of its box has a nonzero incoming part
  (the box is within ``ε`` of a coordinate of absolute value ``> ε``): the witness really
  keeps it, with ``α' = α ≠ 0``.
* *The boxes of two kept groups of an optimal choice are disjoint up to sign* (otherwise
  their union is admissible and is at most one kept group), so kept keys never collide;
  hence the witness of an optimal choice has rank exactly the optimum. A cancelled group's
  key may coincide with a kept one; merging with a zero merged weight changes nothing.
* Two units may share a group only if their signed points are within ``2ε`` in every
  coordinate; for L∞ balls, *pairwise* compatibility is equivalent to admissibility (in
  each coordinate pairwise-intersecting intervals have a common point), so admissibility is
  a clique condition — the structure the exact solvers search.
* A unit can be made constant *or* grouped, never both; the choice matters: a unit with
  ``‖b_i‖_∞ ≤ ε`` may be worth grouping because each member adds ``ε`` to its group's
  cancellation budget (``ε·|G|``), so the greedy stage 1 is not optimal.
* A union of two cancellable groups whose union is admissible is cancellable, but a
  non-cancellable group can become cancellable by adding units (budget grows by ``ε``).

The *labels* of a plan follow the author's code (docs/tanh.md § Proximate rank): ``0`` constant, ``+k`` in
group ``k`` (1-based) and kept, ``−k`` in group ``k`` and cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..errors import InputError, NumberError
from ..network import Network
from ..numbers import format_number, parse_scalar
from .compression import rank as rank_of
from .parameter import TanhParameter

_ZERO = fmpq(0)


# ---------------------------------------------------------------------------------------------
# ε and the parameter
# ---------------------------------------------------------------------------------------------


def exact_eps(eps) -> fmpq:
    """``ε`` as an exact non-negative rational (``"1/10"``, ``"0.1"``, ``fmpq``, int; a Python
    float means its exact binary value). Anything else is an :class:`InputError`."""
    if isinstance(eps, bool):
        raise InputError(f"ε must be a non-negative rational number, got {eps!r}")
    try:
        value = parse_scalar(eps)
    except NumberError as exc:
        raise InputError(f"ε must be a non-negative rational number: {exc}") from None
    if not isinstance(value, fmpq):
        raise InputError(f"ε must be a non-negative rational number, got {eps!r}")
    if value < 0:
        raise InputError(f"ε must be non-negative, got {format_number(value)}")
    return value


def as_parameter(w, what: str = "proximate rank") -> TanhParameter:
    """The parameter of a network (or the parameter itself); its output bias must be numeric."""
    p = TanhParameter.from_network(w, what) if isinstance(w, Network) else w
    if not isinstance(p, TanhParameter):
        raise InputError(f"{what} needs a tanh network or TanhParameter, got {type(w).__name__}")
    if not p.has_numeric_bias:
        raise InputError(f"{what} needs a parameter with a numeric output bias (an ordinary network)")
    return p


def signed_point(p: TanhParameter, i: int, s: int) -> tuple:
    """``s·(b_i, c_i) ∈ R^{n+1}``."""
    pt = tuple(p.b[i]) + (p.c[i],)
    return pt if s > 0 else tuple(-x for x in pt)


def constant_allowed(p: TanhParameter, i: int, eps) -> bool:
    """Unit ``i`` can be made constant (``b'_i = 0``) within ``ε``: ``‖b_i‖_∞ ≤ ε``."""
    return all(abs(x) <= eps for x in p.b[i])


def group_box(p: TanhParameter, eps, members, signs) -> tuple | None:
    """The box ``∩_i [s_i x_i − ε, s_i x_i + ε]`` (``x_i = (b_i, c_i)``) as ``(lower, upper)``,
    or ``None`` when it is empty (the group is not admissible)."""
    pts = [signed_point(p, i, s) for i, s in zip(members, signs)]
    if not pts:
        raise InputError("a group must have at least one member")
    lower = tuple(max(col) - eps for col in zip(*pts))
    upper = tuple(min(col) + eps for col in zip(*pts))
    if any(lo > hi for lo, hi in zip(lower, upper)):
        return None
    return lower, upper


def merged_weight(p: TanhParameter, members, signs) -> tuple:
    """``α = Σ_{i∈G} s_i a_i`` (an ``m``-vector)."""
    acc = [_ZERO] * p.output_dim
    for i, s in zip(members, signs):
        for k, v in enumerate(p.a[i]):
            acc[k] = acc[k] + v if s > 0 else acc[k] - v
    return tuple(acc)


def cancellable(alpha, size: int, eps) -> bool:
    """A group of ``size`` units with merged weight ``α`` can be zeroed within ``ε``:
    ``|α_k| ≤ ε·size`` for every output ``k``."""
    bound = eps * size
    return all(abs(v) <= bound for v in alpha)


# ---------------------------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProximityGroup:
    """One group of a plan: ``members`` (unit indices), their ``signs``, whether it is
    ``cancelled``, and optionally the ``key`` (a point of the group's box) the witness uses
    (default: the box midpoint)."""

    members: tuple
    signs: tuple
    cancelled: bool
    key: tuple | None = None


@dataclass(frozen=True)
class ProximityPlan:
    """The discrete data of a nearby parameter (module docstring): constant units and groups."""

    width: int
    constant: tuple
    groups: tuple

    @property
    def kept(self) -> int:
        """The number of kept groups (the rank of the witness built from this plan)."""
        return sum(1 for g in self.groups if not g.cancelled)

    def labels(self) -> list:
        """Per unit: ``0`` constant, ``+k`` kept group ``k``, ``−k`` cancelled group ``k`` (1-based)."""
        out = [0] * self.width
        for k, g in enumerate(self.groups, start=1):
            for i in g.members:
                out[i] = -k if g.cancelled else k
        return out

    def signs(self) -> list:
        """Per unit: its sign in its group (``0`` for constant units)."""
        out = [0] * self.width
        for g in self.groups:
            for i, s in zip(g.members, g.signs):
                out[i] = s
        return out

    def to_json(self, p: TanhParameter | None = None, eps=None) -> dict:
        """``{"labels": [...], "signs": [...], "constant": [...], "groups": [{"units", "signs",
        "kept", "key"?}, ...]}`` (keys as exact strings when ``p`` and ``ε`` are given)."""
        groups = []
        for g in self.groups:
            obj = {"units": list(g.members), "signs": list(g.signs), "kept": not g.cancelled}
            if p is not None and eps is not None:
                obj["key"] = [format_number(v) for v in group_key(p, eps, g)]
            groups.append(obj)
        return {"labels": self.labels(), "signs": self.signs(), "constant": list(self.constant), "groups": groups}


def group_key(p: TanhParameter, eps, g: ProximityGroup) -> tuple:
    """The key the witness gives group ``g``: ``g.key`` if set, else the midpoint of its box."""
    if g.key is not None:
        return tuple(g.key)
    box = group_box(p, eps, g.members, g.signs)
    if box is None:
        raise InputError(f"group {list(g.members)} is not admissible: its signed points do not fit a ball of radius ε")
    return tuple((lo + hi) / 2 for lo, hi in zip(*box))


def check_plan(p: TanhParameter, eps, plan: ProximityPlan) -> None:
    """Exact validity of a plan (raise :class:`InputError` naming the first violation):
    every unit in exactly one place, constant units with ``‖b_i‖_∞ ≤ ε``, groups admissible
    (their keys within ``ε`` of every signed member), cancelled groups cancellable."""
    seen = list(plan.constant) + [i for g in plan.groups for i in g.members]
    if sorted(seen) != list(range(p.width)) or plan.width != p.width:
        raise InputError("plan: every unit must be constant or in exactly one group")
    for i in plan.constant:
        if not constant_allowed(p, i, eps):
            raise InputError(f"plan: unit {i} cannot be made constant (‖b_i‖∞ > ε)")
    for g in plan.groups:
        if len(g.members) != len(g.signs) or any(s not in (1, -1) for s in g.signs):
            raise InputError("plan: each group member needs a sign ±1")
        key = group_key(p, eps, g)
        for i, s in zip(g.members, g.signs):
            if any(abs(x - y) > eps for x, y in zip(signed_point(p, i, s), key)):
                raise InputError(f"plan: unit {i} is farther than ε from its group's key")
        if g.cancelled and not cancellable(merged_weight(p, g.members, g.signs), len(g.members), eps):
            raise InputError(f"plan: group {list(g.members)} is marked cancelled but |Σ s_i a_i| > ε·|G|")


def witness_parameter(p: TanhParameter, eps, plan: ProximityPlan) -> TanhParameter:
    """The nearby parameter of a plan (construction in the module docstring), exactly."""
    check_plan(p, eps, plan)
    a, b, c = list(p.a), list(p.b), list(p.c)
    zero_b = tuple(_ZERO for _ in range(p.input_dim))
    for i in plan.constant:
        b[i] = zero_b
    for g in plan.groups:
        key = group_key(p, eps, g)
        beta, gamma = key[:-1], key[-1]
        size = len(g.members)
        alpha = merged_weight(p, g.members, g.signs) if g.cancelled else None
        for i, s in zip(g.members, g.signs):
            b[i] = beta if s > 0 else tuple(-x for x in beta)
            c[i] = gamma if s > 0 else -gamma
            if g.cancelled:
                a[i] = tuple(v - s * al / size for v, al in zip(p.a[i], alpha))
    return TanhParameter(a=tuple(a), b=tuple(b), c=tuple(c), d=p.d, input_dim=p.input_dim,
                         output_dim=p.output_dim)


def distance(p: TanhParameter, q: TanhParameter):
    """``‖p − q‖_∞`` over all coordinates (same shape, numeric output biases), exactly."""
    if (p.width, p.input_dim, p.output_dim) != (q.width, q.input_dim, q.output_dim):
        raise InputError("the two parameters have different shapes")
    if not (p.has_numeric_bias and q.has_numeric_bias):
        raise InputError("distance needs numeric output biases")
    best = _ZERO
    pairs = [(x, y) for u, v in zip(p.a, q.a) for x, y in zip(u, v)]
    pairs += [(x, y) for u, v in zip(p.b, q.b) for x, y in zip(u, v)]
    pairs += list(zip(p.c, q.c))
    pairs += [(x.const, y.const) for x, y in zip(p.d, q.d)]
    for x, y in pairs:
        t = abs(x - y)
        if t > best:
            best = t
    return best


@dataclass(frozen=True)
class VerifiedWitness:
    """A witness parameter with its exactly verified distance and rank."""

    parameter: TanhParameter
    distance: object
    rank: int


def verify_witness(p: TanhParameter, eps, q: TanhParameter) -> VerifiedWitness:
    """Check ``‖p − q‖_∞ ≤ ε`` exactly and compute ``rank(q)`` with the core's compression."""
    dist = distance(p, q)
    if dist > eps:
        raise AssertionError(f"internal error: the witness is at distance {format_number(dist)} > ε")
    return VerifiedWitness(q, dist, rank_of(q))


__all__ = [
    "ProximityGroup", "ProximityPlan", "VerifiedWitness", "as_parameter", "cancellable", "check_plan",
    "constant_allowed", "distance", "exact_eps", "group_box", "group_key", "merged_weight", "signed_point",
    "verify_witness", "witness_parameter",
]


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProximateRankResult:
    """The answer of :func:`~exactnet.tanh.proximate_rank.prank` or
    :func:`~exactnet.tanh.greedy_bound.bound_prank`.

    * ``method``: ``"exact"`` or ``"greedy"``;
    * ``value``: the proximate rank (exact, when decided), the greedy bound (greedy), or
      ``None`` (exact, time limit reached: unknown);
    * ``lower`` / ``upper``: proved bounds, ``lower ≤ prank_ε ≤ upper`` (equal when decided);
    * ``plan`` and ``witness``: the plan of the upper bound and its parameter, verified
      exactly (within ``ε``, ``rank = upper``);
    * ``optimality``: how ``lower`` was proved — ``"exhaustive-search"`` (exactnet's own
      branch and bound), ``"cp-sat-proof"`` (OR-Tools CP-SAT proved the optimum of the
      exact Boolean model), ``"none"`` (greedy: an upper bound only) or ``"unknown"``;
    * ``reason``: a one-line explanation; ``stats``: solver figures (nodes, components, …).
    """

    parameter: TanhParameter
    eps: fmpq
    method: str
    value: int | None
    lower: int
    upper: int
    plan: ProximityPlan | None
    witness: VerifiedWitness | None
    optimality: str
    reason: str
    stats: dict

    @property
    def decided(self) -> bool:
        return self.value is not None


def integer_scale(values) -> int:
    """The least common denominator of rationals (1 for none)."""
    from math import lcm

    out = 1
    for v in values:
        q = int(v.q)
        if q != 1:
            out = lcm(out, q)
    return out


__all__ += ["ProximateRankResult", "integer_scale"]
