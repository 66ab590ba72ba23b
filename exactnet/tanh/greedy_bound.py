"""The greedy upper bound ``Bound(w, ε) ≥ prank_ε(w)`` (Farrugia-Roberts, "Proximity to
losslessly compressible parameters"; docs/tanh.md § Proximate rank, generalised to ``n`` inputs
and ``m`` outputs as described there), with exact comparisons.

1. *Stage 1 (near-zero incoming weight).* ``I = {i : ‖b_i‖_∞ > ε}``; every other unit is
   made constant (``b'_i = 0``) and dropped.
2. *Stage 2 (greedy approximate partition).* In index order, with
   ``u_i = s_i·(b_i, c_i)`` (``s_i`` the sign of the first nonzero coordinate of ``b_i``,
   the core's normalisation), put ``i`` into the **first** group whose *leader* ``v_j`` (its
   first member's point) has ``‖u_i − v_j‖_∞ ≤ ε`` (closed: equality counts, decided exactly),
   else open a new group led by ``u_i``.
3. *Stage 3 (cancellable groups).* ``α_j = Σ s_i a_i``; a group is kept iff some output has
   ``|α_{j,k}| > ε·|Π_j|``. ``Bound`` = the number of kept groups.

Witness: constant units get ``b' = 0``; every member of group ``j`` moves onto
``s_i·v_j`` (within ``ε`` by construction); cancelled groups get
``a'_i = a_i − s_i α_j/|Π_j|``. Leaders are pairwise distinct and sign-normalised (so never
negatives of each other) and have ``‖β‖_∞ > ε > 0`` or ``β ≠ 0``, and kept groups keep
``α_j ≠ 0``: the witness has rank exactly ``Bound`` (verified with the core's rank).

``Bound(w, 0) = rank(w)``: stages 1–3 at ``ε = 0`` are exactly compression. ``Bound ≤
rank(w)`` for every ``ε``: units of equal normalised key land in the same greedy group, so
each greedy group is a union of exact-key groups (of non-dropped units), and it is kept only
if one of them has ``α ≠ 0``. The bound is order dependent and not tight (docs/tanh.md § Test cases).

Cost: ``O(h·(n+m))`` expected for rational parameters — parameters are scaled to integers
and leaders are bucketed by the ``ε``-grid cell of their first (up to) two coordinates, so
each unit tests only the leaders in the ``3^2`` neighbouring cells (the *first* fitting
group is still chosen exactly: the lowest group index among those that fit). For real
algebraic parameters (or ``ε = 0`` with no grid) the scan is linear over the groups, with
exact comparisons, ``O(h·#groups)``.
"""

from __future__ import annotations

from .proximity import (ProximateRankResult, ProximityGroup, ProximityPlan, as_parameter, cancellable, exact_eps,
                        integer_scale, merged_weight, verify_witness, witness_parameter)

_GRID_DIMS = 2


def _first_sign(b) -> int:
    """Sign of the first nonzero entry (exact numbers or scaled integers)."""
    for x in b:
        if x != 0:
            return 1 if x > 0 else -1
    return 0


def greedy_partition(p, eps) -> tuple[list, list]:
    """Stages 1–2: ``(dropped units, [(leader point, members, signs), ...])`` in group order."""
    h = p.width
    rational = p.is_rational
    dropped, groups = [], []
    if rational:
        scale = integer_scale([x for vec in p.b for x in vec] + list(p.c) + [eps])
        e = int((eps * scale).p)
        points = [tuple(int((x * scale).p) for x in tuple(p.b[i]) + (p.c[i],)) for i in range(h)]
    else:
        e = eps
        points = [tuple(p.b[i]) + (p.c[i],) for i in range(h)]
    buckets: dict = {}
    dims = min(_GRID_DIMS, p.input_dim + 1)
    for i in range(h):
        pt = points[i]
        nb = p.input_dim
        if all(abs(x) <= e for x in pt[:nb]):
            dropped.append(i)
            continue
        s = _first_sign(pt[:nb])
        u = pt if s > 0 else tuple(-x for x in pt)
        if rational and e > 0:
            cell = tuple(x // e for x in u[:dims])
            best = None
            for delta in _neighbours(dims):
                for j in buckets.get(tuple(c + d for c, d in zip(cell, delta)), ()):
                    if (best is None or j < best) and all(abs(x - y) <= e for x, y in zip(u, groups[j][0])):
                        best = j
            if best is None:
                buckets.setdefault(cell, []).append(len(groups))
        elif rational:  # ε = 0: exact key hashing
            best = buckets.get(u)
            if best is None:
                buckets[u] = len(groups)
        else:
            best = next((j for j, g in enumerate(groups) if all(abs(x - y) <= e for x, y in zip(u, g[0]))), None)
        if best is None:
            groups.append((u, [i], [s]))
        else:
            groups[best][1].append(i)
            groups[best][2].append(s)
    if rational:  # leaders back to exact numbers
        from flint import fmpq

        groups = [(tuple(fmpq(x, scale) for x in v), m, sg) for v, m, sg in groups]
    return dropped, groups


_NEIGHBOURS: dict = {}


def _neighbours(dims: int) -> list:
    if dims not in _NEIGHBOURS:
        out = [()]
        for _ in range(dims):
            out = [t + (d,) for t in out for d in (-1, 0, 1)]
        _NEIGHBOURS[dims] = out
    return _NEIGHBOURS[dims]


def greedy_plan(p, eps) -> ProximityPlan:
    """The plan of the greedy bound (stages 1–3), groups keyed by their leaders."""
    dropped, groups = greedy_partition(p, eps)
    out = []
    for leader, members, signs in groups:
        alpha = merged_weight(p, members, signs)
        out.append(ProximityGroup(members=tuple(members), signs=tuple(signs),
                                  cancelled=cancellable(alpha, len(members), eps), key=leader))
    return ProximityPlan(width=p.width, constant=tuple(dropped), groups=tuple(out))


def bound_prank(w, eps) -> ProximateRankResult:
    """``Bound(w, ε)``: the greedy upper bound on ``prank_ε(w)`` with its partition and a
    verified witness (module docstring). ``w`` is a tanh network or a ``TanhParameter``."""
    p = as_parameter(w, "the greedy proximate-rank bound")
    eps = exact_eps(eps)
    plan = greedy_plan(p, eps)
    witness = verify_witness(p, eps, witness_parameter(p, eps, plan))
    if witness.rank != plan.kept:  # pragma: no cover - excluded by the argument in the docstring
        raise AssertionError(f"internal error: greedy witness has rank {witness.rank}, bound {plan.kept}")
    return ProximateRankResult(
        parameter=p, eps=eps, method="greedy", value=plan.kept, lower=0, upper=plan.kept, plan=plan,
        witness=witness, optimality="none",
        reason=f"greedy bound (docs/tanh.md § Proximate rank): {len(plan.groups)} groups, {plan.kept} kept, "
               f"{len(plan.constant)} units made constant; an upper bound on the proximate rank",
        stats={"groups": len(plan.groups), "constant": len(plan.constant)},
    )


__all__ = ["bound_prank", "greedy_partition", "greedy_plan"]
