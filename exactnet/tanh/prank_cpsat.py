"""Exact proximate rank of one component with OR-Tools CP-SAT (``ortools``, the optional extra
``exactnet[cpsat]``, chosen by ``benchmarks/tanh_prank.py``; ``docs/dependencies.md``), the alternative to
:mod:`exactnet.tanh.prank_search`. One search worker is used (deterministic, and fair on
shared machines).

The model is integer and Boolean only, built from exact pairwise tests and the integer-scaled
weights of :mod:`exactnet.tanh.prank_instance` (never a float):

* ``rep_i``: unit ``i`` leads a group (its lowest-index member, sign ``+1``);
  ``y_{i,j,t}`` (``i < j``): unit ``j`` is in ``i``'s group with vertex ``(j, t)``, only if
  ``(j, t)`` is compatible with ``(i, +)``; ``e_j``: unit ``j`` is made constant (eligible
  units only); each unit is in exactly one place, ``y_{i,j,t} ⇒ rep_i``;
* two members of one group must be compatible: ``¬y_{i,j,t} ∨ ¬y_{i,l,t'}`` for every
  incompatible pair (Helly: pairwise compatibility = one ball);
* ``cancel_i ⇒ rep_i`` and, for every output ``k``,
  ``cancel_i ⇒ Σ_{members} (s·a_{·,k} − ε) ≤ 0 ≤ Σ_{members} (s·a_{·,k} + ε)``
  (i.e. ``|Σ s a_k| ≤ ε·|G|``);
* a valid linear cut (it only strengthens the relaxation): if ``|a_{i,k}| > ε``,
  ``Σ_{j,t} (|a_{j,k}| + ε)·y_{i,j,t} ≥ (|a_{i,k}| − ε)·cancel_i`` (the other members must
  absorb the leader's excess);
* minimise ``Σ rep_i − Σ cancel_i``, the number of kept groups.

``OPTIMAL`` is CP-SAT's proof of optimality of this exact model; the solution is then
re-verified exactly by the caller. Coefficients must fit CP-SAT's 64-bit integers: an
instance whose scaled weights are too large (or that has real algebraic numbers) is solved
by the exhaustive search instead, and the result says so in its stats.
"""

from __future__ import annotations

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import MissingDependencyError
from .prank_search import SearchOutcome, _cancelled_flags
from .prank_search import solve_component as search_component

_LIMIT = 1 << 52


def _fits(comp, budget) -> bool:
    if not isinstance(budget, int):
        return False
    big = max([abs(x) for a in comp.weights for x in a] + [budget, 1])
    return all(isinstance(x, int) for a in comp.weights for x in a) and (big + budget) * (comp.size + 1) < _LIMIT


def cpsat_installed() -> bool:
    """Is OR-Tools installed (whether or not it can be loaded into this process)?"""
    import importlib.util

    return importlib.util.find_spec("ortools") is not None


def _load_cp_model():
    """``cp_model``, or ``None`` when it cannot be loaded into this process.

    OR-Tools bundles its own ``libhighs.so.1``. With some version pairs, once ``highspy`` (the
    default LP proposer) has loaded a different build under the same name, OR-Tools fails to load
    in this process; only then does :func:`solve_component` run CP-SAT in a fresh subprocess.
    With highspy 1.16 and OR-Tools 9.15 both load in one process in either order
    (``docs/dependencies.md``), so the subprocess is never started there.
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    return cp_model


def solve_component(comp, budget, upper: int, upper_assignment: list, deadline: Deadline = NO_DEADLINE,
                    workers: int = 1) -> SearchOutcome:
    """Minimise the kept groups of ``comp`` with CP-SAT (module docstring)."""
    cp_model = _load_cp_model()
    if cp_model is None:
        if not cpsat_installed():
            raise MissingDependencyError("ortools", "cpsat", "the CP-SAT proximate-rank solver")
        return _solve_in_subprocess(comp, budget, upper, upper_assignment, deadline, workers)
    if deadline.expired():
        return SearchOutcome(value=upper, assignment=list(upper_assignment),
                             cancelled=_cancelled_flags(upper_assignment, comp.weights, budget), optimal=False,
                             lower=0)
    if not _fits(comp, budget):
        out = search_component(comp, budget, upper, upper_assignment, deadline)
        out.stats["fallback"] = "numbers too large for CP-SAT or not rational: exhaustive search used"
        return out
    k, adj, A = comp.size, comp.adj, comp.weights
    m = len(A[0])
    model = cp_model.CpModel()
    rep = [model.NewBoolVar(f"rep{i}") for i in range(k)]
    cancel = [model.NewBoolVar(f"cancel{i}") for i in range(k)]
    const = {j: model.NewBoolVar(f"e{j}") for j in range(k) if comp.eligible[j]}
    y: dict = {}
    for i in range(k):
        for vtx in range(2 * i + 2, 2 * k):
            if adj[2 * i] >> vtx & 1:
                y[i, vtx] = model.NewBoolVar(f"y{i}_{vtx}")
    into: list = [[] for _ in range(k)]
    by_rep: list = [[] for _ in range(k)]
    for (i, vtx), var in y.items():
        into[vtx >> 1].append(var)
        by_rep[i].append((vtx, var))
        model.AddImplication(var, rep[i])
    for j in range(k):
        terms = [rep[j]] + into[j] + ([const[j]] if j in const else [])
        model.AddExactlyOne(terms)
    for i in range(k):
        cand = by_rep[i]
        for x in range(len(cand)):
            vx, var_x = cand[x]
            for z in range(x + 1, len(cand)):
                vz, var_z = cand[z]
                if (vx >> 1) == (vz >> 1) or not (adj[vx] >> vz & 1):
                    model.AddBoolOr([var_x.Not(), var_z.Not()])
        model.AddImplication(cancel[i], rep[i])
        for kk in range(m):
            upper_terms = [(A[i][kk] - budget, rep[i])]
            lower_terms = [(A[i][kk] + budget, rep[i])]
            for vtx, var in cand:
                s = -1 if vtx & 1 else 1
                a = s * A[vtx >> 1][kk]
                upper_terms.append((a - budget, var))
                lower_terms.append((a + budget, var))
            model.Add(sum(c * v for c, v in upper_terms) <= 0).OnlyEnforceIf(cancel[i])
            model.Add(sum(c * v for c, v in lower_terms) >= 0).OnlyEnforceIf(cancel[i])
            # linear cut: the other members must be able to absorb the leader's excess
            excess = abs(A[i][kk]) - budget
            if excess > 0:
                model.Add(sum((abs(A[vtx >> 1][kk]) + budget) * var for vtx, var in cand) >= excess * cancel[i])
    model.Minimize(sum(rep) - sum(cancel))
    _hint(model, rep, cancel, const, y, upper_assignment, A, budget)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    remaining = deadline.remaining()
    if remaining is not None:
        solver.parameters.max_time_in_seconds = max(remaining, 0.001)
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SearchOutcome(value=upper, assignment=list(upper_assignment),
                             cancelled=_cancelled_flags(upper_assignment, A, budget), optimal=False, lower=0)
    assignment: list = [None] * k
    leaders = [i for i in range(k) if solver.Value(rep[i])]
    index = {i: g for g, i in enumerate(leaders)}
    for i in leaders:
        assignment[i] = (index[i], 1)
    for (i, vtx), var in y.items():
        if solver.Value(var):
            assignment[vtx >> 1] = (index[i], -1 if vtx & 1 else 1)
    value = int(round(solver.ObjectiveValue()))
    lower = max(0, int(-(-solver.BestObjectiveBound() // 1)))
    cancelled = _cancelled_flags(assignment, A, budget)
    kept = sum(1 for c in cancelled if not c)
    if kept > upper:  # keep the better known solution (CP-SAT stopped early)
        return SearchOutcome(value=upper, assignment=list(upper_assignment),
                             cancelled=_cancelled_flags(upper_assignment, A, budget), optimal=False,
                             lower=min(lower, upper))
    optimal = status == cp_model.OPTIMAL
    return SearchOutcome(value=kept, assignment=assignment, cancelled=cancelled, optimal=optimal,
                         lower=kept if optimal else min(lower, kept), nodes=int(solver.NumBranches()))


def _hint(model, rep, cancel, const, y, assignment, A, budget) -> None:
    """Give the known solution to CP-SAT as a hint (leader = lowest member, signs relative)."""
    groups: dict = {}
    for u, x in enumerate(assignment):
        if x is not None:
            groups.setdefault(x[0], []).append((u, x[1]))
    flags = _cancelled_flags(assignment, A, budget)
    hinted = set()
    for g, members in groups.items():
        members.sort()
        lead, s0 = members[0]
        model.AddHint(rep[lead], 1)
        model.AddHint(cancel[lead], 1 if flags[g] else 0)
        hinted.add(lead)
        for u, s in members[1:]:
            t = 0 if s == s0 else 1
            if (lead, 2 * u + t) in y:
                model.AddHint(y[lead, 2 * u + t], 1)
    for i in range(len(rep)):
        if i not in hinted:
            model.AddHint(rep[i], 0)
            model.AddHint(cancel[i], 0)
    for j, var in const.items():
        model.AddHint(var, 1 if assignment[j] is None else 0)


__all__ = ["solve_component"]


def _subprocess_entry(comp, budget, upper, upper_assignment, seconds, workers) -> SearchOutcome:
    if _load_cp_model() is None:
        raise MissingDependencyError("ortools", "cpsat", "the CP-SAT proximate-rank solver")
    return solve_component(comp, budget, upper, upper_assignment, Deadline.after(seconds), workers)


def _solve_in_subprocess(comp, budget, upper, upper_assignment, deadline: Deadline, workers: int) -> SearchOutcome:
    """Run :func:`solve_component` in a fresh interpreter (see :func:`_load_cp_model`).

    The child receives only plain data (integers, tuples) and returns a :class:`SearchOutcome`,
    which the caller re-verifies exactly like an in-process answer.
    """
    from concurrent.futures import TimeoutError as FutureTimeout

    seconds = deadline.remaining()
    future = _worker().submit(_subprocess_entry, comp, budget, upper, list(upper_assignment), seconds, workers)
    try:
        out = future.result(timeout=None if seconds is None else seconds + 30)
    except FutureTimeout:  # pragma: no cover - the child honours its own deadline
        _WORKER.pop().shutdown(wait=False, cancel_futures=True)
        raise TimeLimitReached("time limit reached in the CP-SAT subprocess") from None
    out.stats["process"] = "subprocess (OR-Tools could not be loaded next to highspy)"
    return out


#: The one worker process, started on first need and reused (a resource cache, not state that
#: changes any answer); it is shut down when the interpreter exits.
_WORKER: list = []


def _worker():
    if not _WORKER:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import atexit

        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(pool.shutdown, wait=True, cancel_futures=True)
        _WORKER.append(pool)
    return _WORKER[0]
