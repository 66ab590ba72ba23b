"""Exact proximate rank ``prank_ε(w)`` of a one-hidden-layer tanh parameter, for any numbers of
inputs and outputs (definition and characterisation: :mod:`exactnet.tanh.proximity`;
reference ``tanh.md`` §7.2).

Pipeline:

1. build the exact instance (:mod:`exactnet.tanh.prank_instance`): compatible signed unit
   pairs (within ``2ε`` per coordinate), components, eligibility for being made constant;
2. start from the greedy bound (:mod:`exactnet.tanh.greedy_bound`) restricted to each
   component (a greedy group lies inside one component);
3. solve every component exactly — by default with exactnet's own exhaustive branch and
   bound (:mod:`exactnet.tanh.prank_search`, no dependency), or with OR-Tools CP-SAT
   (``solver="cp-sat"``, :mod:`exactnet.tanh.prank_cpsat`, an exact integer model whose
   optimality is the solver's proof); trivial components (one unit) are decided directly;
4. assemble the plan, build the witness ``w'`` with exact rationals (group keys at the
   midpoints of the intersection boxes, cancelled groups' signed outgoing weights adjusted
   to sum to exactly 0), and re-verify everything exactly: the plan's constraints
   (:func:`~exactnet.tanh.proximity.check_plan`: each group's signed points within ``ε`` of its
   key, cancelled groups cancellable, constant units with ``‖b_i‖_∞ ≤ ε``), ``‖w − w'‖_∞ ≤ ε``,
   and ``rank(w')`` with the core's compression, which must equal the optimum.

With a deadline (:class:`exactnet.deadline.Deadline`) the answer may be *unknown*:
``value = None`` with the proved ``lower`` (sum of the components' bounds) and the
``upper`` bound of the best verified witness found.
"""

from __future__ import annotations

from ..deadline import NO_DEADLINE, Deadline
from ..errors import InputError
from .greedy_bound import greedy_plan
from .prank_instance import build_instance
from .prank_search import SearchOutcome, solve_component
from .proximity import (ProximateRankResult, ProximityGroup, ProximityPlan, as_parameter, exact_eps, verify_witness,
                        witness_parameter)

SOLVERS = ("search", "cp-sat")


def _initial(comp, plan: ProximityPlan) -> tuple[int, list]:
    """The greedy solution restricted to a component, in the solvers' assignment format."""
    pos = {u: k for k, u in enumerate(comp.units)}
    assignment: list = [None] * comp.size
    value, local = 0, 0
    for g in plan.groups:
        if g.members[0] not in pos:
            continue
        for u, s in zip(g.members, g.signs):
            assignment[pos[u]] = (local, s)
        local += 1
        value += 0 if g.cancelled else 1
    return value, assignment


def _trivial(comp, budget) -> SearchOutcome:
    """A one-unit component: constant if eligible, else a singleton group (cancelled iff ``‖a‖_∞ ≤ ε``)."""
    if comp.eligible[0]:
        return SearchOutcome(value=0, assignment=[None], cancelled=[], optimal=True, lower=0)
    dead = all(abs(x) <= budget for x in comp.weights[0])
    return SearchOutcome(value=0 if dead else 1, assignment=[(0, 1)], cancelled=[dead], optimal=True,
                         lower=0 if dead else 1)


def prank(w, eps, deadline: Deadline | None = None, solver: str = "search") -> ProximateRankResult:
    """``prank_ε(w)`` exactly, with a verified witness (module docstring).

    ``w``: a one-hidden-layer tanh network or :class:`~exactnet.tanh.parameter.TanhParameter`;
    ``ε``: an exact non-negative rational (``"1/10"``, ``"0.1"``, ``fmpq``); ``solver``:
    ``"search"`` (default, exhaustive branch and bound) or ``"cp-sat"`` (needs ``ortools``).
    """
    if solver not in SOLVERS:
        raise InputError(f"unknown proximate-rank solver {solver!r} (choose from {', '.join(SOLVERS)})")
    p = as_parameter(w, "proximate rank")
    eps = exact_eps(eps)
    deadline = deadline or NO_DEADLINE
    if solver == "cp-sat":
        from .prank_cpsat import solve_component as cpsat_component
    greedy = greedy_plan(p, eps)
    inst = build_instance(p, eps)
    constant, groups = [], []
    lower = upper = 0
    optimal = True
    nodes, searched, largest = 0, 0, 0
    for comp in inst.components:
        if comp.size == 1:
            out = _trivial(comp, inst.budget)
        else:
            searched += 1
            largest = max(largest, comp.size)
            value, start = _initial(comp, greedy)
            if solver == "cp-sat":
                out = cpsat_component(comp, inst.budget, value, start, deadline)
            else:
                out = solve_component(comp, inst.budget, value, start, deadline)
        nodes += out.nodes
        optimal = optimal and out.optimal
        lower += out.lower
        upper += out.value
        members: dict = {}
        for k, x in enumerate(out.assignment):
            if x is None:
                constant.append(comp.units[k])
            else:
                members.setdefault(x[0], []).append((comp.units[k], x[1]))
        for gi in sorted(members):
            pairs = members[gi]
            groups.append(ProximityGroup(members=tuple(u for u, _ in pairs), signs=tuple(s for _, s in pairs),
                                         cancelled=bool(out.cancelled[gi])))
    groups.sort(key=lambda g: g.members[0])
    plan = ProximityPlan(width=p.width, constant=tuple(sorted(constant)), groups=tuple(groups))
    if plan.kept != upper:  # pragma: no cover - the solvers report the kept count of their plan
        raise AssertionError(f"internal error: plan keeps {plan.kept} groups, solver said {upper}")
    witness = verify_witness(p, eps, witness_parameter(p, eps, plan))
    if optimal and witness.rank != upper:  # pragma: no cover - excluded by the optimality argument
        raise AssertionError(f"internal error: optimal plan keeps {upper} groups but the witness has rank {witness.rank}")
    upper = min(upper, witness.rank)
    stats = {"components": len(inst.components), "searched_components": searched, "largest_component": largest,
             "compatible_pairs": inst.pairs, "nodes": nodes, "solver": solver, "greedy_bound": greedy.kept}
    proof = "cp-sat-proof" if solver == "cp-sat" else "exhaustive-search"
    if optimal or lower >= upper:
        reason = (f"optimal over all choices of constant units, groups, signs and cancellations "
                  f"({'CP-SAT proved optimality' if solver == 'cp-sat' else 'exhaustive branch and bound'} on "
                  f"{searched} nontrivial component(s) of {len(inst.components)})")
        return ProximateRankResult(parameter=p, eps=eps, method="exact", value=upper, lower=upper, upper=upper,
                                   plan=plan, witness=witness, optimality=proof, reason=reason, stats=stats)
    reason = (f"time limit reached before optimality was proved: {lower} ≤ prank ≤ {upper} "
              f"(the upper bound has a verified witness)")
    return ProximateRankResult(parameter=p, eps=eps, method="exact", value=None, lower=lower, upper=upper,
                               plan=plan, witness=witness, optimality="unknown", reason=reason, stats=stats)


__all__ = ["SOLVERS", "prank"]
