"""Exact branch and bound for one component of a proximate-rank instance
(:mod:`exactnet.tanh.prank_instance`): minimise the number of kept groups.

**Search.** Units are assigned one at a time; a unit either joins an existing group with a
sign (only if its vertex is compatible with every member — the group keeps the bitmask
``cand`` of such vertices, the AND of its members' adjacency), or is made constant (if
eligible), or opens a new group (its first member has sign ``+1``: the global flip of a group
changes nothing). The next unit is the one with the fewest groups it can join (DSatur-like);
values are tried in the order: join a group that is already surely kept, join another group,
make constant, open a group. A unit with ``‖b‖_∞ ≤ ε`` *and* ``‖a‖_∞ ≤ ε`` is never made
constant: a singleton group of it is cancellable and dominates.

**Lower bound** at a node (every term is proved, so pruning is exact):

* an existing group is *surely kept* if some output ``k`` has
  ``|S_k| − ε·|G| > Σ_{w}(|a_{w,k}| + ε)`` over the unassigned units ``w`` that could still
  join it (each can lower the excess by at most ``|a_{w,k}| + ε``);
* unassigned units that can join no existing group (they never will: ``cand`` only shrinks)
  and are not eligible must open new groups; such a unit's new group is surely kept if the
  same capacity test fails with all unassigned units compatible with it; a set of pairwise
  incompatible such units needs that many distinct kept groups (a greedy independent set).

The bound is ``#surely-kept groups + |independent set|``; a node is pruned when it reaches
the best value found (the initial upper bound is the greedy bound's value on the
component). When the search finishes, the best value is optimal (exhaustive search).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..deadline import NO_DEADLINE, Deadline


@dataclass
class SearchOutcome:
    """``value`` (best found), ``assignment`` (per local unit: ``None`` constant, or
    ``(group, sign)`` with groups numbered from 0), ``cancelled`` (per group), ``optimal``
    (the search completed), ``nodes``."""

    value: int
    assignment: list
    cancelled: list
    optimal: bool
    nodes: int = 0
    lower: int = 0
    stats: dict = field(default_factory=dict)


class _Stop(Exception):
    pass


def _iter_bits(mask: int):
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def solve_component(comp, budget, upper: int, upper_assignment: list, deadline: Deadline = NO_DEADLINE,
                    check_every: int = 256) -> SearchOutcome:
    """Minimise the kept groups of ``comp`` (see the module docstring); ``upper`` and
    ``upper_assignment`` are a known solution (e.g. greedy). On a time limit, returns the best
    solution with ``optimal=False`` and the root lower bound."""
    k = comp.size
    adj = comp.adj
    A = comp.weights
    m = len(A[0]) if k else 0
    elig = comp.eligible
    absA = [tuple(abs(x) for x in a) for a in A]
    dead_able = [all(x <= budget for x in absA[u]) for u in range(k)]
    unit_nbrs = [adj[2 * u] | adj[2 * u + 1] for u in range(k)]
    even = 0
    for u in range(k):
        even |= 1 << (2 * u)
    both = [3 << (2 * u) for u in range(k)]

    best = {"value": upper, "assignment": list(upper_assignment), "cancelled": None}
    # state
    assign: list = [None] * k
    made_constant = [False] * k
    groups: list = []  # each: [cand, S(list), size, first_vertex]
    nodes = [0]

    def units_of(vmask: int) -> int:
        """Vertex mask → mask of the even vertices (one bit 2u per unit present)."""
        return (vmask | (vmask >> 1)) & even

    def capacity_excess(S, size, partner_units: int) -> bool:
        """True if the group can never become cancellable with these partners."""
        for kk in range(m):
            excess = abs(S[kk]) - budget * size
            if excess <= 0:
                continue
            cap = 0
            for v in _iter_bits(partner_units):
                cap += absA[v >> 1][kk] + budget
                if cap >= excess:
                    break
            if cap < excess:
                return True
        return False

    def lower_bound(unassigned_v: int):
        doomed = []
        joinable = 0
        for g in groups:
            cand = g[0] & unassigned_v
            joinable |= cand
            doomed.append(capacity_excess(g[1], g[2], units_of(cand)))
        lb = sum(doomed)
        # units that must open new groups
        forced = units_of(unassigned_v) & ~units_of(joinable)
        blocked = 0  # units adjacent to a chosen one (adjacency is symmetric)
        extra = 0
        for v in _iter_bits(forced):
            u = v >> 1
            if elig[u] or (v_bit := 1 << (2 * u)) & blocked:
                continue
            partners = units_of(unit_nbrs[u] & unassigned_v)
            if capacity_excess(absA[u], 1, partners):
                extra += 1
                blocked |= units_of(unit_nbrs[u]) | v_bit
        return lb + extra, doomed

    def finish():
        value = 0
        cancelled = []
        for g in groups:
            ok = all(abs(x) <= budget * g[2] for x in g[1])
            cancelled.append(ok)
            value += 0 if ok else 1
        if value < best["value"]:
            best["value"] = value
            best["assignment"] = [None if made_constant[u] else assign[u] for u in range(k)]
            best["cancelled"] = cancelled

    def dfs(unassigned_v: int):
        nodes[0] += 1
        if nodes[0] % check_every == 0 and deadline.expired():
            raise _Stop
        if not unassigned_v:
            finish()
            return
        lb, doomed = lower_bound(unassigned_v)
        if lb >= best["value"]:
            return
        # choose the unit with the fewest joinable groups
        pick, pick_opts, pick_deg = -1, None, -1
        for v in _iter_bits(unassigned_v & even):
            u = v >> 1
            opts = 0
            for g in groups:
                if g[0] & both[u]:
                    opts += 1
            deg = (unit_nbrs[u] & unassigned_v).bit_count()
            if pick_opts is None or opts < pick_opts or (opts == pick_opts and deg > pick_deg):
                pick, pick_opts, pick_deg = u, opts, deg
        u = pick
        rest = unassigned_v & ~both[u]
        a = A[u]
        options = []
        for gi, g in enumerate(groups):
            for t in (0, 1):
                if g[0] >> (2 * u + t) & 1:
                    options.append((0 if doomed[gi] else 1, gi, t))
        options.sort()
        for _, gi, t in options:
            g = groups[gi]
            old_cand, old_S = g[0], g[1]
            vtx = 2 * u + t
            g[0] = old_cand & adj[vtx]
            g[1] = [x + y for x, y in zip(old_S, a)] if t == 0 else [x - y for x, y in zip(old_S, a)]
            g[2] += 1
            assign[u] = (gi, 1 if t == 0 else -1)
            dfs(rest)
            g[0], g[1] = old_cand, old_S
            g[2] -= 1
        if elig[u] and not dead_able[u]:
            made_constant[u] = True
            assign[u] = None
            dfs(rest)
            made_constant[u] = False
        groups.append([adj[2 * u], list(a), 1, 2 * u])
        assign[u] = (len(groups) - 1, 1)
        dfs(rest)
        groups.pop()
        assign[u] = None

    full = 0
    for u in range(k):
        full |= both[u]
    root_lb, _ = lower_bound(full)
    optimal = True
    if root_lb < best["value"] and deadline.expired():
        optimal = False
    elif root_lb < best["value"]:
        try:
            dfs(full)
        except _Stop:
            optimal = False
    assignment, cancelled = best["assignment"], best["cancelled"]
    if cancelled is None:  # the initial solution stands; recompute its cancelled flags
        cancelled = _cancelled_flags(assignment, A, budget)
    lower = best["value"] if optimal else root_lb
    return SearchOutcome(value=best["value"], assignment=assignment, cancelled=cancelled, optimal=optimal,
                         nodes=nodes[0], lower=lower)


def _cancelled_flags(assignment: list, A, budget) -> list:
    ngroups = 1 + max((x[0] for x in assignment if x is not None), default=-1)
    m = len(A[0]) if A else 0
    sums = [[0] * m for _ in range(ngroups)]
    sizes = [0] * ngroups
    for u, x in enumerate(assignment):
        if x is None:
            continue
        g, s = x
        sizes[g] += 1
        for kk in range(m):
            sums[g][kk] += A[u][kk] if s > 0 else -A[u][kk]
    return [all(abs(v) <= budget * sizes[g] for v in sums[g]) for g in range(ngroups)]


__all__ = ["SearchOutcome", "solve_component"]
