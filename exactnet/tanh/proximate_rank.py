"""Exact proximate rank ``prank_ε(w)`` of a one-hidden-layer tanh parameter, for any numbers of
inputs and outputs (definition and characterisation: :mod:`exactnet.tanh.proximity`;
docs/tanh.md § Proximate rank).

Pipeline:

1. build the exact instance (:mod:`exactnet.tanh.prank_instance`): compatible signed unit
   pairs (within ``2ε`` per coordinate), components, eligibility for being made constant;
2. start from the greedy bound (:mod:`exactnet.tanh.greedy_bound`) restricted to each
   component (a greedy group lies inside one component);
3. solve every component exactly: trivial components (one unit) directly; by default
   (``solver="auto"``) components of at most ``AUTO_SEARCH_MAX`` units with exactnet's own
   exhaustive branch and bound (:mod:`exactnet.tanh.prank_search`) and larger ones with
   OR-Tools CP-SAT (:mod:`exactnet.tanh.prank_cpsat`, an exact integer/Boolean model whose
   optimality is the solver's proof). ``solver="search"`` / ``"cp-sat"`` force one of them.
   The choice is measured in ``benchmarks/tanh_prank.py``: on random instances with
   ``h = 40`` CP-SAT takes ~0.02 s where the branch and bound takes up to ~6 s, and on
   square-cover instances (pure clique partition) CP-SAT solves ``h = 80`` in ~0.05 s while
   the branch and bound times out at ``h = 20``. The result's ``optimality`` says which
   proof was used (``"cp-sat-proof"`` as soon as one component was proved by CP-SAT);
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
from ..errors import InputError, MissingDependencyError, UnsupportedError
from .greedy_bound import greedy_plan
from .prank_instance import build_instance
from .prank_search import SearchOutcome, solve_component
from .proximity import (ProximateRankResult, ProximityGroup, ProximityPlan, as_parameter, exact_eps, verify_witness,
                        witness_parameter)

SOLVERS = ("auto", "search", "cp-sat")

#: The solver the CLI and :func:`prank` use by default (see :func:`_component_solver`).
DEFAULT_SOLVER = "auto"

#: Under ``"auto"``, components of at most this many units go to the exhaustive search (it
#: answers them in well under a millisecond, less than building a CP-SAT model), larger ones to
#: CP-SAT (``benchmarks/tanh_prank.py``: CP-SAT is 100–1000× faster from about 20 units on).
AUTO_SEARCH_MAX = 10


def _cpsat_available() -> bool:
    from .prank_cpsat import cpsat_installed

    return cpsat_installed()


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


def prank(w, eps, deadline: Deadline | None = None, solver: str = DEFAULT_SOLVER) -> ProximateRankResult:
    """``prank_ε(w)`` exactly, with a verified witness (module docstring).

    ``w``: a one-hidden-layer tanh network or :class:`~exactnet.tanh.parameter.TanhParameter`;
    ``ε``: an exact non-negative rational (``"1/10"``, ``"0.1"``, ``fmpq``); ``solver``:
    ``"auto"`` (default: exhaustive search for components of at most ``AUTO_SEARCH_MAX`` units,
    CP-SAT for larger ones), ``"search"`` (exhaustive branch and bound only) or ``"cp-sat"``
    (CP-SAT for every component of two or more units).
    """
    if solver not in SOLVERS:
        raise InputError(f"unknown proximate-rank solver {solver!r} (choose from {', '.join(SOLVERS)})")
    p = as_parameter(w, "proximate rank")
    eps = exact_eps(eps)
    deadline = deadline or NO_DEADLINE
    if solver == "cp-sat" and not _cpsat_available():
        raise MissingDependencyError("ortools", "cpsat", "the CP-SAT proximate-rank solver")
    use_cpsat = solver == "cp-sat" or (solver == "auto" and _cpsat_available())
    if use_cpsat:
        from .prank_cpsat import solve_component as cpsat_component
    greedy = greedy_plan(p, eps)
    inst = build_instance(p, eps)
    constant, groups = [], []
    lower = upper = 0
    optimal = True
    nodes, searched, largest, by_cpsat = 0, 0, 0, 0
    for comp in inst.components:
        if comp.size == 1:
            out = _trivial(comp, inst.budget)
        else:
            searched += 1
            largest = max(largest, comp.size)
            value, start = _initial(comp, greedy)
            if use_cpsat and (solver == "cp-sat" or comp.size > AUTO_SEARCH_MAX):
                out = cpsat_component(comp, inst.budget, value, start, deadline)
                by_cpsat += "fallback" not in out.stats
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
             "compatible_pairs": inst.pairs, "nodes": nodes, "solver": solver, "cpsat_components": by_cpsat,
             "greedy_bound": greedy.kept}
    proof = "cp-sat-proof" if by_cpsat else "exhaustive-search"
    hint = ""
    if solver == "auto" and not use_cpsat and largest > AUTO_SEARCH_MAX:
        stats["cpsat"] = "not installed"
        hint = (f"; OR-Tools is not installed, so components above {AUTO_SEARCH_MAX} units were searched"
                ' exhaustively (pip install "exactnet[cpsat]" for CP-SAT)')
    if optimal or lower >= upper:
        reason = (f"optimal over all choices of constant units, groups, signs and cancellations "
                  f"({searched} nontrivial component(s) of {len(inst.components)}: "
                  f"{by_cpsat} proved optimal by CP-SAT, the others by exhaustive branch and bound){hint}")
        return ProximateRankResult(parameter=p, eps=eps, method="exact", value=upper, lower=upper, upper=upper,
                                   plan=plan, witness=witness, optimality=proof, reason=reason, stats=stats)
    reason = (f"time limit reached before optimality was proved: {lower} ≤ prank ≤ {upper} "
              f"(the upper bound has a verified witness){hint}")
    return ProximateRankResult(parameter=p, eps=eps, method="exact", value=None, lower=lower, upper=upper,
                               plan=plan, witness=witness, optimality="unknown", reason=reason, stats=stats)


#: The methods of :func:`proximate_rank`.
METHODS = ("exact", "greedy")


def proximate_rank(w, eps, method: str = "exact", deadline: Deadline | None = None,
                   solver: str = DEFAULT_SOLVER) -> ProximateRankResult:
    """``prank_ε(w)`` by ``method``: ``"exact"`` (:func:`prank` with ``solver``) or ``"greedy"``
    (an upper bound with a verified witness, :func:`exactnet.tanh.greedy_bound.bound_prank`)."""
    if method == "greedy":
        from .greedy_bound import bound_prank

        return bound_prank(w, eps)
    if method == "exact":
        return prank(w, eps, deadline=deadline, solver=solver)
    raise UnsupportedError(f"unknown prank method {method!r} (exact or greedy)")


__all__ = ["METHODS", "SOLVERS", "prank", "proximate_rank"]
