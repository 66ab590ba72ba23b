"""The exact maximum difference of two ReLU networks on a domain, by exact branch and bound.

``max_difference(A, B, domain)`` computes ``M = max_{x ∈ D} ‖A(x) − B(x)‖`` (the sup norm, with
the per-output maxima ``M_k = max_{x ∈ D} |A_k(x) − B_k(x)|``, or the 1-norm) exactly, with a point
of ``D`` where it is attained; ``within_epsilon`` decides ``M ≤ ε`` and stops as soon as a
witness or a bound settles it. The mathematics is in ``docs/difference.md``:

* **Cells.** A node is an open polyhedron (the domain's rows and the split rows of its path) on
  which some hidden units have a fixed sign. A unit whose preactivation is affine on the cell (all
  earlier layers fixed) is fixed when its sign is constant on the cell (decided by exact bounds, or
  by an exact LP answer: a Farkas proof that the other side is empty), and otherwise the node is
  split along it. When every unit is fixed, ``A − B`` is one affine map on the closed cell and its
  maximum there is one exact LP (:func:`exactnet.polyhedra.maximize`, with dual multipliers).
* **Bounds.** On every node, exact symbolic interval bounds (:mod:`.symbolic_bounds`) give affine
  functions ``U_A − L_B ≥ A_k − B_k`` and ``U_B − L_A ≥ B_k − A_k``; their maxima over the node are
  bounded exactly from a float LP dual (:mod:`exactnet.polyhedra.bounds`). A node whose bound is at
  most the best value already attained (exact, at a point of ``D``) cannot improve it and is
  dropped; so is a node, for ``M ≤ ε``, whose bound is at most ``ε``.
* **Lower bounds.** Every exact LP optimum and every cell point found is evaluated exactly; floats
  (random points of the box evaluated in float64) only *propose* candidate points.

Finite domains are enumerated exactly when small, and otherwise split coordinate by coordinate
with the same bounds on the hull box of each part. Unions are decided part by part. When the time
limit stops the search the answer is an exact interval ``[lower_bound, upper_bound]`` for ``M``.
"""

from __future__ import annotations

import heapq
import math
import itertools
from dataclasses import dataclass, field
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError
from ..network import Network
from ..network.domain import Box, Polyhedron
from ..network.domain_union import PolyhedronUnion
from ..network.finite_domain import FiniteDomain
from ..polyhedra import Farkas, Optimum, decide, is_interior, maximize, primitive_row
from ..polyhedra.bounds import box_bound, upper_bound
from ..polyhedra.domains import require_nonempty_bounded
from ..polyhedra.highs_backend import new_solver
from ..progress import Progress, null_progress
from .regions import domain_rows, require_rational_relu
from .symbolic_bounds import (CompiledNet, concretize, difference_intervals, form_row, forward_batch, frontier, propagate,
                              with_label)

NORMS = ("inf", "1")
#: Finite domains with at most this many points are enumerated point by point.
ENUMERATE_AT_MOST = 4096


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaxDifference:
    """The answer of :func:`max_difference` (and, with ``epsilon``, of :func:`within_epsilon`).

    ``value`` is the exact maximum ``M`` (``None`` when the search did not finish, or when an ε
    question was settled without it); ``argmax`` a point of the domain where the difference norm is
    ``lower_bound``; ``[lower_bound, upper_bound]`` always contains ``M`` (equal when complete).
    ``per_output``/``per_output_argmax``: the sup-norm maxima ``M_k`` and their points (``None``
    entries when unknown). ``within`` answers ``M ≤ ε`` (``None`` without ε or when unknown).
    ``certificate_nodes``: the region tree (when asked for; see :mod:`.certificates`).
    """

    norm: str
    value: fmpq | None
    argmax: tuple[fmpq, ...] | None
    lower_bound: fmpq | None
    upper_bound: fmpq | None
    per_output: tuple[fmpq | None, ...] | None
    per_output_argmax: tuple[tuple[fmpq, ...] | None, ...] | None
    complete: bool
    reason: str
    epsilon: fmpq | None = None
    within: bool | None = None
    stats: dict = field(default_factory=dict)
    certificate_nodes: list | None = None
    method: str = "branch_and_bound"
    #: a domain without interior: its :class:`~exactnet.polyhedra.affine_hull.AffineHull`; the search
    #: (and ``certificate_nodes``) ran on the networks composed with ``t ↦ p + M t`` on ``T``
    affine_hull: object | None = None
    #: a union: the root node of each part's tree in ``certificate_nodes`` (in the parts' order)
    certificate_roots: tuple | None = None
    #: box splitting with a certificate: the split tree of the box (``box_split`` evidence,
    #: :mod:`.box_splitting`); ``certificate_nodes`` is then ``None``
    certificate_boxes: list | None = None


# ---------------------------------------------------------------------------------------------
# exact evaluation
# ---------------------------------------------------------------------------------------------


def _forward(net: CompiledNet, x: Sequence[fmpq]) -> list[fmpq]:
    v = fmpq_mat(len(x) + 1, 1, list(x) + [1])
    depth = len(net.hat)
    for idx, hat in enumerate(net.hat):
        z = (hat * v).entries()
        if idx == depth - 1:
            return z
        v = fmpq_mat(len(z) + 1, 1, [t if t > 0 else 0 for t in z] + [1])
    raise AssertionError("unreachable")  # pragma: no cover


def difference_at(a: CompiledNet, b: CompiledNet, x: Sequence[fmpq]) -> list[fmpq]:
    """``A(x) − B(x)`` exactly."""
    return [p - q for p, q in zip(_forward(a, x), _forward(b, x))]


def norm_value(d: Sequence[fmpq], norm: str) -> fmpq:
    if norm == "1":
        return sum((abs(v) for v in d), fmpq(0))
    return max(abs(v) for v in d)


# ---------------------------------------------------------------------------------------------
# the search state
# ---------------------------------------------------------------------------------------------


class _Best:
    """Best exact values attained so far, per target: ``(k, s)`` (value ``s·d_k``) for the sup
    norm, the single target ``0`` (value ``Σ|d_k|``) for the 1-norm."""

    def __init__(self, m: int, norm: str):
        self.m, self.norm = m, norm
        self.targets = [(k, s) for k in range(m) for s in (1, -1)] if norm == "inf" else [(None, 0)]
        self.value: list[fmpq | None] = [None] * len(self.targets)
        self.point: list[tuple | None] = [None] * len(self.targets)

    def offer(self, d: Sequence[fmpq], x) -> None:
        x = tuple(x)
        for t, (k, s) in enumerate(self.targets):
            v = s * d[k] if k is not None else norm_value(d, "1")
            if self.value[t] is None or v > self.value[t]:
                self.value[t], self.point[t] = v, x

    def output_best(self, k: int) -> tuple[fmpq | None, tuple | None]:
        """``M_k`` so far (sup norm) and its point."""
        cands = [(self.value[t], self.point[t]) for t in (2 * k, 2 * k + 1) if self.value[t] is not None]
        if not cands:
            return None, None
        return max(cands, key=lambda c: c[0])

    def overall(self) -> tuple[fmpq | None, tuple | None]:
        cands = [(v, p) for v, p in zip(self.value, self.point) if v is not None]
        if not cands:
            return None, None
        return max(cands, key=lambda c: c[0])

    def threshold(self, t: int, epsilon: fmpq | None) -> fmpq | None:
        """Targets whose bound is at most this cannot matter any more."""
        if epsilon is not None:
            return epsilon
        if self.norm == "inf":
            return self.output_best(self.targets[t][0])[0]
        return self.value[t]


@dataclass
class _Part:
    lower: tuple
    upper: tuple
    box_rows: int  # the leading domain rows that are the box's own (skipped in the LPs)


@dataclass(order=True)
class _Node:
    priority: tuple
    rows: tuple = field(compare=False)
    labels: tuple = field(compare=False)
    signs: tuple = field(compare=False)
    point: tuple = field(compare=False)
    bounds: dict = field(compare=False)  # target → upper bound inherited from the parent
    part: int = field(compare=False)
    ident: int = field(compare=False)
    #: units ``(k, layer, unit)`` whose sign the LP bounds could not fix on this cell (the cell and
    #: the unit's form do not change while the node is settled, so the answer would be the same)
    unfixed: set = field(compare=False, default_factory=set)


class _Search:
    def __init__(self, a: Network, b: Network, norm: str, epsilon, certificate: bool, deadline: Deadline,
                 progress: Progress, compiled: tuple | None = None):
        self.na, self.nb = compiled if compiled is not None else (CompiledNet.of(a), CompiledNet.of(b))
        self.nets = (self.na, self.nb)
        self.n, self.m = a.input_dim, a.output_dim
        self.norm, self.epsilon, self.cert = norm, epsilon, certificate
        self.deadline, self.progress = deadline, progress
        self.best = _Best(self.m, norm)
        self.solver = new_solver()
        self.heap: list[_Node] = []
        self.parts: list[_Part] = []
        self.counter = itertools.count()
        self.tree: list[dict] = []
        self.stats = {"nodes": 0, "leaves": 0, "exact_lps": 0, "bound_lps": 0, "splits": 0, "pruned": 0}
        self.settled = False  # ε question settled by a witness
        self.delta = None  # difference intervals of the node being expanded (same-width networks)
        self.on_bounds = None  # callback(lower, point, upper) with the current exact interval
        self.last_report = 0.0
        self.top1 = False  # top-1 mode (:func:`exactnet.relu.top1.top1_equivalent`)
        self.top1_witness = None
        self.rest_unknown = True  # parts of the domain not yet in the heap (no bound known for them)
        self.more_parts = False
        self.finite_stack: list = []
        self.certified_pruning = False  # certificate mode: close subtrees by checkable interval bounds
        self.roots: list[int] = []  # the root node of every polyhedron searched (unions: one per part)
        self._checkable = None  # (node, labels, interval bounds) of the node being expanded
        self.float_nets = None  # the networks in float64, for proposals
        self.box_open: list = []  # open sub-boxes of the input splitting (:mod:`.box_splitting`)
        self.split_boxes = True
        self.box_tree: list | None = None  # certificates: the split tree of :mod:`.box_splitting`

    # -- values at points -------------------------------------------------------------------
    def offer(self, x) -> None:
        if self.top1:
            from ..network.argmax import exact_argmax

            ca, cb = exact_argmax(_forward(self.na, x))[0], exact_argmax(_forward(self.nb, x))[0]
            if ca != cb and self.top1_witness is None:
                self.top1_witness = (tuple(x), ca, cb)
                self.settled = True
            return
        self.best.offer(difference_at(self.na, self.nb, x), x)
        if self.epsilon is not None:
            v, _ = self.best.overall()
            if v is not None and v > self.epsilon:
                self.settled = True

    def offer_batch(self, points: list) -> None:
        """:meth:`offer` for many points, evaluated together (one matrix product per layer)."""
        if self.top1:
            for x in points:
                self.offer(x)
            return
        ya, yb = forward_batch(self.na, points), forward_batch(self.nb, points)
        for x, p, q in zip(points, ya, yb):
            self.best.offer([u - v for u, v in zip(p, q)], x)
        if self.epsilon is not None:
            v, _ = self.best.overall()
            if v is not None and v > self.epsilon:
                self.settled = True

    def propose(self, part: _Part, contains, seed: int = 0) -> None:
        """Float64 proposals (:mod:`.difference_attack`: projected gradient ascent on the difference,
        or class-boundary segments for top-1) give candidate points, each evaluated exactly."""
        try:
            from .difference_attack import FloatNet, difference_candidates, top1_candidates
        except ImportError:  # pragma: no cover - numpy is a dependency
            return
        if self.float_nets is None:
            self.float_nets = (FloatNet.of(self.na.hat), FloatNet.of(self.nb.hat))
        fa, fb = self.float_nets
        if self.top1:
            cands = top1_candidates(fa, fb, part.lower, part.upper, seed=seed)
        else:
            cands = difference_candidates(fa, fb, part.lower, part.upper, self.norm, seed=seed)
        cands = [x for x in cands if contains(x)]
        self.stats["proposals"] = self.stats.get("proposals", 0) + len(cands)
        if not cands:
            return
        if self.top1:
            for x in cands:
                if self.settled:
                    return
                self.offer(x)
        else:
            self.offer_batch(cands)

    # -- the tree (certificates) ------------------------------------------------------------
    def new_id(self) -> int:
        if self.cert:
            self.tree.append({"fix": []})
            return len(self.tree) - 1
        return next(self.counter)

    def _farkas_json(self, node: _Node, farkas: Farkas | None):
        if farkas is None:
            return None
        nrows = len(node.rows)
        y = [[i, _q(v)] for i, v in farkas.multipliers if i < nrows]
        t = next((v for i, v in farkas.multipliers if i == nrows), fmpq(0))
        return {"y": y, "t": _q(t)}

    def record_fix(self, node: _Node, k, layer, unit, label, farkas: Farkas | None):
        if not self.cert:
            return
        self.tree[node.ident]["fix"].append([k, layer, unit, label, self._farkas_json(node, farkas)])

    def record_sign(self, node: _Node, k: int, label: int, farkas: Farkas | None):
        """1-norm certificates: the sign of ``d_k`` fixed on the leaf cell (a Farkas proof that
        ``label·d_k ≥ 0`` there, ``None`` for a constant ``d_k``)."""
        if self.cert:
            self.tree[node.ident].setdefault("sign_fix", []).append([k, label, self._farkas_json(node, farkas)])

    # -- bounds -----------------------------------------------------------------------------
    def lp_rows(self, node: _Node) -> list:
        return list(node.rows[self.parts[node.part].box_rows:])

    def bound(self, node: _Node, coeffs, const, target: tuple | None = None) -> fmpq:
        """An exact upper bound on the node: the symbolic form over the box, and for a target
        ``(k, s)`` also the difference interval (same-width networks)."""
        part = self.parts[node.part]
        ub = box_bound(coeffs, const, part.lower, part.upper)
        if target is not None and self.delta is not None:
            k, s = target
            d = self.delta[k][1] if s > 0 else -self.delta[k][0]
            if d < ub:
                ub = d
        return ub

    def lp_bound(self, node: _Node, coeffs, const) -> fmpq:
        part = self.parts[node.part]
        rows = self.lp_rows(node)
        self.stats["bound_lps"] += 1
        return upper_bound(coeffs, const, rows, part.lower, part.upper, self.solver)

    def fix_by_lp(self, node: _Node, g, h) -> int | None:
        """``+1``/``−1`` when the affine form ``g·x + h`` has a constant sign on the node (by exact
        bounds from float LP duals), else ``None``. The node's interior point ``p`` rules out one
        side without an LP: ``g·p + h > 0`` excludes ``−1``, ``< 0`` excludes ``+1``, and ``= 0`` (with
        ``g ≠ 0``) shows both signs near ``p``."""
        if not self.lp_rows(node):
            return None
        at = h + sum((c * v for c, v in zip(g, node.point) if c), fmpq(0))
        if at == 0 and any(g):
            return None
        if at < 0 and self.lp_bound(node, g, h) <= 0:
            return -1
        if at > 0 and self.lp_bound(node, [-v for v in g], -h) <= 0:
            return 1
        return None

    def farkas_for(self, node: _Node, g, h, label: int) -> Farkas | None:
        """In certificate mode, the Farkas proof that ``label·(g·x + h) ≥ 0`` on the closed cell."""
        if not self.cert:
            return None
        row = primitive_row([-label * v for v in g], -label * h)
        quick = self.box_farkas(node, row)
        if quick is not None:
            return quick
        ans = decide(list(node.rows) + [row], self.n)
        if not isinstance(ans, Farkas):  # pragma: no cover - the bounds proved it
            raise AssertionError("internal error: a sign fixed by bounds has no Farkas proof")
        return ans

    def box_farkas(self, node: _Node, row) -> Farkas | None:
        """The Farkas proof that ``row ≤ 0`` on the cell from the box rows alone, when the box's
        range of ``row`` shows it (no LP): a box domain's first ``2n`` rows are
        ``λ_j(−e_j, u_j)`` and ``μ_j(e_j, −l_j)``; with ``row = (r, ρ)``, the multipliers
        ``r_j/μ_j`` (``r_j > 0``) or ``−r_j/λ_j`` (``r_j < 0``) and 1 on ``row`` cancel the gradient
        and leave ``ρ + Σ_j max(r_j l_j, r_j u_j) = max_box row``, which must be ``≤ 0``."""
        n = self.n
        part = self.parts[node.part]
        if part.box_rows != 2 * n:
            return None
        rows = node.rows
        r, rho = row
        mult, total = [], fmpq(rho)
        for j, c in enumerate(r):
            if c > 0:  # the upper row −x_j + u_j ≥ 0 (scaled by λ_j) bounds r_j x_j by r_j u_j
                lam = -rows[2 * j][0][j]
                mult.append((2 * j, fmpq(c) / lam))
                total += fmpq(c) * part.upper[j]
            elif c < 0:  # the lower row x_j − l_j ≥ 0 (scaled by μ_j)
                mu = rows[2 * j + 1][0][j]
                mult.append((2 * j + 1, fmpq(-c) / mu))
                total += fmpq(c) * part.lower[j]
        if total > 0:
            return None
        return Farkas(tuple(mult) + ((len(rows), fmpq(1)),))

    # -- one node ---------------------------------------------------------------------------
    def settle_labels(self, node: _Node):
        """Fix every frontier unit with a constant sign on the node; return the propagations and
        the splitting candidates ``(k, layer, unit, g, h, lo, hi)``."""
        labels = list(node.labels)
        part = self.parts[node.part]
        while True:
            self.deadline.check()
            props = [propagate(self.nets[k], labels[k], part.lower, part.upper) for k in (0, 1)]
            changed = False
            candidates = []
            for k in (0, 1):
                f = frontier(labels[k])
                if f is None:
                    continue
                lb = props[k].layers[f]
                for i, lab in enumerate(labels[k][f]):
                    if lab is not None:
                        continue
                    g, h = form_row(lb.low, i)
                    label = None
                    if not any(g):
                        label = 1 if h > 0 else (-1 if h < 0 else 0)
                        proof = None
                    elif lb.lo[i] >= 0:
                        label = 1
                    elif lb.hi[i] <= 0:
                        label = -1
                    if label is not None:
                        if any(g):
                            proof = self.farkas_for(node, g, h, label)
                        self.record_fix(node, k, f, i, label, proof)
                        labels[k] = with_label(labels[k], f, i, label)
                        changed = True
                    else:
                        candidates.append((k, f, i, g, h, lb.lo[i], lb.hi[i]))
            if not changed and candidates:
                for (k, f, i, g, h, lo, hi) in candidates:
                    if (k, f, i) in node.unfixed:
                        continue
                    label = self.fix_by_lp(node, g, h)
                    if label is None:
                        node.unfixed.add((k, f, i))
                    else:
                        self.record_fix(node, k, f, i, label, self.farkas_for(node, g, h, label))
                        labels[k] = with_label(labels[k], f, i, label)
                        changed = True
            if changed:
                continue
            node.labels = tuple(labels)
            return props, candidates

    def expand(self, node: _Node) -> None:
        self.stats["nodes"] += 1
        props, candidates = self.settle_labels(node)
        n, m = self.n, self.m
        leaf = not candidates
        pa, pb = props
        plus = (pa.out_up - pb.out_low).entries()   # ≥ A − B on the cell
        minus = (pb.out_up - pa.out_low).entries()  # ≥ B − A on the cell
        forms = {}
        for k in range(m):
            forms[(k, 1)] = plus[k * (n + 1):(k + 1) * (n + 1)]
            forms[(k, -1)] = minus[k * (n + 1):(k + 1) * (n + 1)]
        part = self.parts[node.part]
        self.delta = difference_intervals(self.na, self.nb, pa, pb, node.labels[0], node.labels[1], part.lower,
                                          part.upper) if not self.top1 else None
        if self.top1:
            self.top1_node(node, props, leaf, candidates)
        elif self.norm == "inf":
            self.inf_targets(node, forms, leaf, candidates)
        else:
            self.one_norm(node, forms, leaf, candidates)

    def checkable(self, node: _Node, t: int, thr) -> bool:
        """Certified pruning: does the interval bound the checker recomputes from the node's labels
        (:mod:`.interval_bounds`) show target ``t`` at most ``thr`` on the node? If so it is recorded
        on the node (``"bounded"``) and the target needs no further proof below it."""
        if not (self.cert and self.certified_pruning) or thr is None:
            return False
        if self._checkable is None or self._checkable[0] is not node or self._checkable[1] != node.labels:
            from .interval_bounds import interval_bounds

            part = self.parts[node.part]
            self._checkable = (node, node.labels, interval_bounds(self.na, self.nb, node.labels[0], node.labels[1],
                                                                  part.lower, part.upper))
        k, s = self.best.targets[t]
        plus, minus = self._checkable[2][k]
        if (plus if s > 0 else minus) > thr:
            return False
        self.tree[node.ident].setdefault("bounded", []).append(t)
        self.stats["closed_by_bounds"] = self.stats.get("closed_by_bounds", 0) + 1
        return True

    def inf_targets(self, node: _Node, forms, leaf: bool, candidates) -> None:
        alive = {}
        leaf_proofs = [] if (self.cert and leaf) else None
        for t, (k, s) in enumerate(self.best.targets):
            if t not in node.bounds and not (self.cert and leaf):
                continue
            if t not in node.bounds:  # certified: closed by a bound on an ancestor
                leaf_proofs.append(None)
                continue
            e = forms[(k, s)]
            g, h = e[:self.n], e[self.n]
            if leaf:
                thr = self.best.threshold(t, self.epsilon)
                ub = self.bound(node, g, h, (k, s))
                if self.cert and thr is not None and ub <= thr and self.checkable(node, t, thr):
                    leaf_proofs.append(None)
                elif self.cert or thr is None or ub > thr:
                    if not self.cert and self.epsilon is not None and self.lp_rows(node) \
                            and self.lp_bound(node, g, h) <= thr:
                        continue  # ε: an exact bound from a float LP's dual shows the leaf below ε
                    opt, den = self.exact_max(node, g, h)
                    if leaf_proofs is not None:  # Σ y_i g_i = −den·g: the multipliers of g are y/den
                        leaf_proofs.append({"y": [[i, _q(v / den)] for i, v in opt.multipliers]})
                continue
            ub = self.target_bound(node, t, g, h)
            if ub is not None:
                alive[t] = ub
        if leaf:
            self.stats["leaves"] += 1
            if leaf_proofs is not None:
                self.tree[node.ident]["leaf"] = {"bounds": [leaf_proofs[2 * k:2 * k + 2] for k in range(self.m)]}
            return
        self.branch(node, alive, candidates)

    def target_bound(self, node: _Node, t, g, h) -> fmpq | None:
        """The node's upper bound for target ``t``, or ``None`` when the node cannot matter for it."""
        thr = self.best.threshold(t, self.epsilon)
        ub = self.bound(node, g, h, self.best.targets[t])
        if ub > node.bounds.get(t, ub):
            ub = node.bounds[t]
        if thr is not None and ub <= thr and (not self.cert or self.checkable(node, t, thr)):
            return None
        if self.lp_rows(node) and (self.cert or thr is None or ub > thr):
            ub = min(ub, self.lp_bound(node, g, h))
            if thr is not None and ub <= thr and (not self.cert or self.checkable(node, t, thr)):
                return None
        return ub

    def one_norm(self, node: _Node, forms, leaf: bool, candidates) -> None:
        n, m = self.n, self.m
        signs = list(node.signs)
        if leaf:
            # the difference is affine: fix the output signs that are constant, split on another
            for k in range(m):
                if signs[k] is not None:
                    continue
                e = forms[(k, 1)]
                g, h = e[:n], e[n]
                if not any(g):
                    signs[k] = 1 if h >= 0 else -1
                    self.record_sign(node, k, signs[k], None)
                elif self.bound(node, [-v for v in g], -h) <= 0 or self.fix_by_lp(node, g, h) == 1:
                    signs[k] = 1
                    self.record_sign(node, k, 1, self.farkas_for(node, g, h, 1))
                elif self.bound(node, g, h) <= 0 or self.fix_by_lp(node, g, h) == -1:
                    signs[k] = -1
                    self.record_sign(node, k, -1, self.farkas_for(node, g, h, -1))
            node.signs = tuple(signs)
            free = [k for k in range(m) if signs[k] is None]
            if not free:
                g = [sum((signs[k] * forms[(k, 1)][j] for k in range(m)), fmpq(0)) for j in range(n)]
                h = sum((signs[k] * forms[(k, 1)][n] for k in range(m)), fmpq(0))
                thr = self.best.threshold(0, self.epsilon)
                if self.cert or thr is None or self.bound(node, g, h) > thr:
                    opt, den = self.exact_max(node, g, h)
                    if self.cert:  # the multipliers of Σ_k s_k d_k (as for one output of the sup norm)
                        self.tree[node.ident]["leaf"] = {"sum": {"y": [[i, _q(v / den)] for i, v in opt.multipliers]}}
                self.stats["leaves"] += 1
                return
        total = fmpq(0)
        for k in range(m):
            if signs[k] is not None:
                e = forms[(k, signs[k])]
                total += self.bound(node, e[:n], e[n], (k, signs[k]))
            else:
                total += max(self.bound(node, forms[(k, 1)][:n], forms[(k, 1)][n], (k, 1)),
                             self.bound(node, forms[(k, -1)][:n], forms[(k, -1)][n], (k, -1)))
        thr = self.best.threshold(0, self.epsilon)
        if node.bounds.get(0) is not None and node.bounds[0] < total:
            total = node.bounds[0]
        if thr is not None and total <= thr and not self.cert:  # (1-norm certificates do not prune)
            self.stats["pruned"] += 1
            return
        if leaf:
            k = next(k for k in range(m) if signs[k] is None)
            e = forms[(k, 1)]
            self.split(node, {0: total}, ("sign", k, e[:n], e[n]))
            return
        self.branch(node, {0: total}, candidates)

    def exact_max(self, node: _Node, g, h) -> tuple[Optimum, int]:
        """The exact maximum of ``den·g·x`` on the closed cell (one exact LP, ``den`` the common
        denominator of ``g``) and ``den``; the optimal point is offered."""
        den = 1
        for v in g:
            den = den * int(v.q) // math.gcd(den, int(v.q))
        obj = [int(v.p) * (den // int(v.q)) for v in g]
        self.stats["exact_lps"] += 1
        opt = maximize(obj, list(node.rows), self.n, solver=self.solver)
        if not isinstance(opt, Optimum):  # pragma: no cover - a cell with an interior point, bounded
            raise AssertionError(f"internal error: cell LP {type(opt).__name__}")
        self.offer(opt.point)
        return opt, den

    def side_point(self, node: _Node, row) -> tuple | None:
        """An exact interior point of the node's cell on the open side ``row > 0``, or ``None`` when
        that side is empty. One exact LP (HiGHS-proposed vertex, verified): ``v = max row`` over the
        closed cell. If ``v > 0``, with ``p`` the node's interior point (``row(p) ≤ 0``) and ``x*``
        the optimiser, ``q = p + t(x* − p)`` with ``row(q) = v/2`` is interior to the cell (a convex
        combination giving positive weight to the interior point ``p``) and has ``row(q) > 0``."""
        from ..polyhedra import value_at

        g, h = row
        self.stats["exact_lps"] += 1
        opt = maximize(list(g), list(node.rows), self.n, solver=self.solver)
        if not isinstance(opt, Optimum):  # pragma: no cover - the cell is bounded and non-empty
            raise AssertionError(f"internal error: cell LP {type(opt).__name__}")
        v = opt.value + h
        if v <= 0:
            return None
        p, x = node.point, opt.point
        rp = value_at(row, p)
        t = (v / 2 - rp) / (v - rp)
        q = tuple(a + t * (b - a) for a, b in zip(p, x))
        if not is_interior(list(node.rows) + [row], q):  # pragma: no cover - by the argument above
            raise AssertionError("internal error: the side point is not interior")
        return q

    def farkas_for_row(self, node: _Node, row) -> Farkas:
        """The Farkas proof that the open side ``row > 0`` of the cell is empty (certificates)."""
        ans = decide(list(node.rows) + [row], self.n)
        if not isinstance(ans, Farkas):  # pragma: no cover - the exact LP proved it
            raise AssertionError("internal error: an empty side without a Farkas proof")
        return ans

    def branch(self, node: _Node, alive: dict, candidates) -> None:
        if not alive:  # (certificate mode: every target closed by a recorded bound on the path)
            self.stats["pruned"] += 1
            return
        k, f, i, g, h, lo, hi = max(candidates, key=lambda c: min(-c[5], c[6]))
        self.split(node, alive, ("unit", k, f, i, g, h))

    def split(self, node: _Node, alive: dict, what) -> None:
        if what[0] == "unit":
            _, k, f, i, g, h = what
        else:
            _, k, g, h = what
        n = self.n
        children = []
        for side in (1, -1):
            row = primitive_row([side * v for v in g], side * h)
            rows = list(node.rows) + [row]
            if is_interior(rows, node.point):
                children.append((side, rows, node.point))
                continue
            inside = self.side_point(node, row)
            if inside is not None:
                children.append((side, rows, inside))
                self.offer(inside)
            else:
                children.append((side, None, self.farkas_for_row(node, row) if self.cert else None))
        if any(c[1] is None for c in children):
            # one side is empty: the sign is constant on the node; fix it and look again
            empty = next(c for c in children if c[1] is None)
            label = -empty[0]
            if what[0] == "unit":
                self.record_fix(node, k, f, i, label, empty[2])
                labs = list(node.labels)
                labs[k] = with_label(labs[k], f, i, label)
                node.labels = tuple(labs)
            else:
                sg = list(node.signs)
                sg[k] = label
                node.signs = tuple(sg)
                self.record_sign(node, k, label, empty[2])
            node.bounds = alive
            if self.cert and "bounded" in self.tree[node.ident]:
                # the bounds recorded on this pass are re-derived with the new label: the checker
                # recomputes them from the node's final labels
                for t in self.tree[node.ident].pop("bounded"):
                    node.bounds[t] = _INF
            self.stats["nodes"] -= 1
            self.expand(node)
            return
        self.stats["splits"] += 1
        ids = []
        top = max(alive.values())
        for side, rows, point in children:
            labels, signs = node.labels, node.signs
            if what[0] == "unit":
                labs = list(labels)
                labs[k] = with_label(labs[k], f, i, side)
                labels = tuple(labs)
            else:
                sg = list(signs)
                sg[k] = side
                signs = tuple(sg)
            ident = self.new_id()
            ids.append(ident)
            child = _Node((-float(top), ident), tuple(rows), labels, signs, point, dict(alive), node.part, ident)
            heapq.heappush(self.heap, child)
        if self.cert:
            if what[0] == "unit":
                self.tree[node.ident]["split"] = [k, f, i]
            else:  # 1-norm: the sign of d_k
                self.tree[node.ident]["sign_split"] = k
            self.tree[node.ident]["children"] = ids

    # -- top-1 ------------------------------------------------------------------------------
    def classes(self, prop, lower, upper) -> list[int]:
        """Indices that may be the argmax (lowest index among the maxima) somewhere on the node:
        ``i`` is excluded when some ``A_i − A_k`` is bounded above by a negative number (or by 0 for
        ``k < i``, where a tie already goes to ``k``)."""
        n, m = self.n, self.m
        up, low = prop.out_up.entries(), prop.out_low.entries()
        out = []
        for i in range(m):
            ok = True
            for k in range(m):
                if k == i:
                    continue
                e = [up[i * (n + 1) + j] - low[k * (n + 1) + j] for j in range(n + 1)]
                ub = concretize(e, n, lower, upper, True)
                if ub < 0 or (k < i and ub <= 0):
                    ok = False
                    break
            if ok:
                out.append(i)
        return out

    def top1_node(self, node: _Node, props, leaf: bool, candidates) -> None:
        part = self.parts[node.part]
        n, m = self.n, self.m
        if not self.cert:
            sa = self.classes(props[0], part.lower, part.upper)
            sb = self.classes(props[1], part.lower, part.upper)
            if len(sa) == 1 and sa == sb:
                self.stats["pruned"] += 1
                return
        else:  # certificates cover every region and every pair of classes
            sa = sb = list(range(m))
        if not leaf:
            self.branch(node, {0: fmpq(0)}, candidates)
            return
        self.stats["leaves"] += 1
        fa = props[0].out_low.entries()
        fb = props[1].out_low.entries()
        proofs = []
        for i in sa:
            for j in sb:
                if i == j:
                    continue
                # the class rows in the order the checker rebuilds them: A_i − A_k (k ≠ i), then
                # B_j − B_k (k ≠ j); strict for k below the class (the lowest-index tie rule)
                raw = []
                for out, c in ((fa, i), (fb, j)):
                    for k in range(m):
                        if k != c:
                            e = [out[c * (n + 1) + t] - out[k * (n + 1) + t] for t in range(n + 1)]
                            raw.append((e, k < c))
                nonstrict, strict, kinds, scale = [], [], [], []
                failed = None
                for r, (e, is_strict) in enumerate(raw):
                    row = primitive_row(e[:n], e[n])
                    scale.append(_ratio(row, e))
                    if not any(row[0]):  # a constant class row: it holds everywhere or nowhere
                        kinds.append(None)
                        if row[1] < 0 or (row[1] == 0 and is_strict):
                            failed = r
                        continue
                    kinds.append((is_strict, len(strict) if is_strict else len(nonstrict)))
                    (strict if is_strict else nonstrict).append(row)
                if failed is not None:  # impossible at every point: one multiplier proves it
                    if self.cert:
                        proofs.append({"pair": [i, j], "y": [], "c": [] if raw[failed][1] else [[failed, 1]],
                                       "w": [[failed, 1]] if raw[failed][1] else []})
                    continue
                x, mult = _mixed_point(list(node.rows), nonstrict, strict, n)
                self.stats["exact_lps"] += 1
                if x is not None:
                    from ..network.argmax import exact_argmax

                    ya, yb = _forward(self.na, x), _forward(self.nb, x)
                    if exact_argmax(ya)[0] != exact_argmax(yb)[0]:  # always, by construction
                        self.top1_witness = (tuple(x), exact_argmax(ya)[0], exact_argmax(yb)[0])
                        self.settled = True
                        return
                    continue  # pragma: no cover
                if self.cert:
                    y, c, w = mult
                    back = {kind: r for r, kind in enumerate(kinds) if kind is not None}
                    proofs.append({
                        "pair": [i, j],
                        "y": [[k, _q(v)] for k, v in y],
                        "c": [[back[(False, k)], _q(v * scale[back[(False, k)]])] for k, v in c],
                        "w": [[back[(True, k)], _q(v * scale[back[(True, k)]])] for k, v in w],
                    })
        if self.cert:
            self.tree[node.ident]["leaf"] = {"pairs": proofs}

    # -- driver -----------------------------------------------------------------------------
    def open_bound(self) -> fmpq | None:
        """The largest bound of an open node or open sub-box (``None`` when none is open)."""
        from .box_splitting import open_bound

        tops = [max(max(nd.bounds.values()) for nd in self.heap)] if self.heap else []
        boxes = open_bound(self)
        if boxes is not None:
            tops.append(boxes)
        return max(tops) if tops else None

    def run_polyhedron(self, P: Polyhedron, subbox: bool = False, closed: tuple = ()) -> None:
        """The region search on ``P`` (``subbox``: a sub-box of the input splitting, whose float
        proposals were already made on the whole box; ``closed``: targets already proved on it,
        left out of the search)."""
        n = self.n
        rows = domain_rows(P, n)
        if isinstance(P, Box):
            lower, upper, box_rows = P.lower, P.upper, len(rows)
        else:
            lower, upper = _bounding_box(rows, n)
            box_rows = 0
        hint = tuple((lo + hi) / 2 for lo, hi in zip(lower, upper))
        ans = decide(rows, n, hints=[hint])
        if isinstance(ans, Farkas):
            raise InputError("a part of the union has empty interior (it lies in a hyperplane); unions are decided"
                             " on full-dimensional parts (a single polyhedron without interior is decided on its"
                             " affine hull)")
        part = _Part(tuple(lower), tuple(upper), box_rows)
        self.parts.append(part)
        self.offer(ans.point)
        if not subbox:
            self.propose(part, P.contains, seed=len(self.parts))
        if self.settled and not self.cert:
            return
        ident = self.new_id()
        self.roots.append(ident)
        root = _Node((0.0, ident), tuple(rows), (self.na.free_labels(), self.nb.free_labels()), (None,) * self.m,
                     ans.point, {t: _INF for t in range(len(self.best.targets)) if t not in closed},
                     len(self.parts) - 1, ident)
        self.expand(root)
        self.rest_unknown = self.more_parts
        self.loop()

    def loop(self) -> None:
        while self.heap and not self.settled:
            self.deadline.check()
            node = heapq.heappop(self.heap)
            # drop targets that can no longer matter
            live = {}
            for t, ub in node.bounds.items():
                thr = None if self.top1 else self.best.threshold(t, self.epsilon)
                if self.cert or thr is None or ub > thr:
                    live[t] = ub
            if not live:
                self.stats["pruned"] += 1
                continue
            node.bounds = live
            try:
                self.expand(node)
            except TimeLimitReached:  # the node's region stays open: its bound counts in the interval
                heapq.heappush(self.heap, node)
                raise
            if self.stats["nodes"] % 16 == 0:
                self.progress.describe(f"{self.stats['nodes']} nodes, {len(self.heap)} open")
                self.report_bounds()

    def report_bounds(self) -> None:
        """Pass the current exact interval to ``on_bounds`` (at most once a second)."""
        if self.on_bounds is None or self.top1 or self.epsilon is not None:
            return
        import time

        now = time.monotonic()
        if now - self.last_report < 1.0:
            return
        self.last_report = now
        lower, point = self.best.overall()
        if lower is None:
            return
        upper = None
        if not self.rest_unknown and not _has_inf(self):
            top = self.open_bound()
            upper = lower if top is None or top < lower else top
        self.on_bounds(lower, point, upper)


def _mixed_point(cell: list, nonstrict: list, strict: list, n: int):
    """Is there a point of the closed cell (``cell`` rows ``≥ 0``) with every ``nonstrict`` row ``≥ 0``
    and every ``strict`` row ``> 0``? Returns ``(point, None)`` for one, or ``(None, (y, c, w))``:
    Motzkin multipliers (``(index, value)`` lists for the cell, non-strict and strict rows) proving
    there is none (``docs/difference.md``). Two exact LPs at most:

    1. ``max t`` s.t. cell rows ``≥ 0``, every other row ``≥ t``, ``t ≤ 1`` (feasible: the cell is
       non-empty). ``t* > 0``: the optimiser is a point. ``t* < 0``: the dual multipliers ``u`` give
       ``Σ u g = 0`` and ``Σ u h = t* − u_t < 0`` over the cell and class rows: no point at all.
    2. ``t* = 0``: ``max t`` s.t. cell and non-strict rows ``≥ 0``, strict rows ``≥ t``, ``t ≤ 1``
       (feasible: step 1's optimiser). ``t* > 0``: a point; else the multipliers satisfy
       ``Σ u g = 0``, ``Σ u h ≤ 0`` and either put weight on a strict row or make ``Σ u h < 0``."""
    from ..polyhedra.ppl_backend import PPLExact

    def solve(ge_zero, ge_t):
        rows = [(tuple(g) + (0,), h) for g, h in ge_zero] + [(tuple(g) + (-1,), h) for g, h in ge_t]
        rows.append((tuple([0] * n) + (-1,), 1))
        ans = PPLExact().maximize([0] * n + [1], rows, n + 1)
        if not isinstance(ans, Optimum):  # pragma: no cover - feasible and bounded by construction
            raise AssertionError("internal error: top-1 LP without an optimum")
        return ans

    def split(mult, groups):
        out, offset = [], 0
        for size in groups:
            out.append([(i - offset, v) for i, v in mult if offset <= i < offset + size and v != 0])
            offset += size
        return out

    first = solve(cell, list(nonstrict) + list(strict))
    if first.value > 0:
        return first.point[:n], None
    if first.value < 0:
        y, rest = split(first.multipliers, [len(cell), len(nonstrict) + len(strict)])
        c = [(i, v) for i, v in rest if i < len(nonstrict)]
        w = [(i - len(nonstrict), v) for i, v in rest if i >= len(nonstrict)]
        return None, (y, c, w)
    second = solve(list(cell) + list(nonstrict), strict)
    if second.value > 0:
        return second.point[:n], None
    y, c, w = split(second.multipliers, [len(cell), len(nonstrict), len(strict)])
    return None, (y, c, w)


def _ratio(row, e) -> fmpq:
    """``λ > 0`` with ``row = λ·e`` (``row`` the primitive integer row of the rational form ``e``)."""
    g, h = row
    for a, b in zip(list(g) + [h], e):
        if b != 0:
            return fmpq(a) / b
    return fmpq(1)


class _Infinity:
    """A bound larger than every rational (the root's inherited bound)."""

    def __gt__(self, other):
        return True

    def __lt__(self, other):
        return False

    def __ge__(self, other):
        return True

    def __le__(self, other):
        return False


_INF = _Infinity()


def _q(x) -> str | int:
    x = fmpq(x)
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def _bounding_box(rows, n: int):
    """The exact bounding box of the bounded polyhedron ``{g·x + h ≥ 0}`` (2n exact LPs)."""
    lower, upper = [], []
    for j in range(n):
        e = [0] * n
        e[j] = 1
        hi = maximize(e, rows, n)
        e[j] = -1
        lo = maximize(e, rows, n)
        if not (isinstance(hi, Optimum) and isinstance(lo, Optimum)):
            raise InputError("the domain is empty or unbounded")
        upper.append(hi.value)
        lower.append(-lo.value)
    return lower, upper


# ---------------------------------------------------------------------------------------------
# finite domains
# ---------------------------------------------------------------------------------------------


def _finite(search: _Search, domain: FiniteDomain, enumerate_at_most: int) -> None:
    """Exact enumeration when small, else branch on coordinates with bounds on each part's hull box."""
    counter = itertools.count()
    stack = search.finite_stack
    stack.append((float("-inf"), next(counter), _INF, domain))
    search.rest_unknown = False
    while stack and not search.settled:
        search.deadline.check()
        entry = heapq.heappop(stack)
        try:
            _finite_part(search, stack, counter, entry, enumerate_at_most)
        except TimeLimitReached:  # the part stays open: its bound counts in the interval
            heapq.heappush(stack, entry)
            raise


def _finite_part(search: _Search, stack: list, counter, entry, enumerate_at_most: int) -> None:
    """One part of a finite domain: enumerate it, prune it by its bound, or split it in two."""
    _, _, top_bound, part = entry
    if part.size <= max(enumerate_at_most, 1):
        points = part.points()
        while True:
            chunk = list(itertools.islice(points, 256))
            if not chunk:
                break
            search.deadline.check()
            search.offer_batch(chunk)
            if search.settled:
                return
        return
    lower, upper = part.hull_bounds()
    props = [propagate(net, net.free_labels(), lower, upper) for net in search.nets]
    n = search.n
    plus = (props[0].out_up - props[1].out_low).entries()
    minus = (props[1].out_up - props[0].out_low).entries()
    delta = difference_intervals(search.na, search.nb, props[0], props[1], search.na.free_labels(),
                                 search.nb.free_labels(), lower, upper)
    ubs = []
    for k in range(search.m):
        up = concretize(plus[k * (n + 1):(k + 1) * (n + 1)], n, lower, upper, True)
        um = concretize(minus[k * (n + 1):(k + 1) * (n + 1)], n, lower, upper, True)
        if delta is not None:
            up, um = min(up, delta[k][1]), min(um, -delta[k][0])
        ubs.append((up, um))
    if search.norm == "inf":
        live = []
        for k, (up, um) in enumerate(ubs):
            for t, u in ((2 * k, up), (2 * k + 1, um)):
                thr = search.best.threshold(t, search.epsilon)
                if thr is None or u > thr:
                    live.append(u)
        top = max(live) if live else None
    else:
        top = sum((max(up, um) for up, um in ubs), fmpq(0))
        thr = search.best.threshold(0, search.epsilon)
        if thr is not None and top <= thr:
            top = None
    search.stats["nodes"] += 1
    if top is None:
        search.stats["pruned"] += 1
        return
    mid_point = tuple(s[len(s) // 2] for s in part.values)
    search.offer(mid_point)
    i = max(range(n), key=lambda j: (len(part.values[j]) > 1, (upper[j] - lower[j]) * len(part.values[j])))
    vals = part.values[i]
    half = len(vals) // 2
    for piece in (vals[:half], vals[half:]):
        heapq.heappush(stack, (-float(top), next(counter), top, part.restrict(i, piece)))


# ---------------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------------


def _check(a: Network, b: Network, norm: str, domain) -> None:
    for net in (a, b):
        require_rational_relu(net, "the maximum difference")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        raise InputError(f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
                         f" the second R^{b.input_dim} → R^{b.output_dim}")
    if norm not in NORMS:
        raise InputError(f"unknown norm {norm!r} (choose from {', '.join(NORMS)})")
    if domain is None:
        raise InputError("the maximum difference needs a bounded domain (--domain FILE or --box LO,HI)")
    if domain.dim != a.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the networks take {a.input_dim} inputs")
    require_nonempty_bounded(domain, "the domain")


def lower_dimensional(domain):
    """The :class:`~exactnet.polyhedra.affine_hull.AffineHull` of a polyhedron without interior (an
    input fixed by ``lower = upper``, an equality), ``None`` for every other domain."""
    if not isinstance(domain, Polyhedron) or isinstance(domain, Box):
        return None
    rows = domain_rows(domain, domain.dim)
    if not isinstance(decide(rows, domain.dim), Farkas):
        return None
    from ..polyhedra.affine_hull import affine_hull

    hull = affine_hull(domain)
    if hull is None:  # pragma: no cover - require_nonempty_bounded refused empty domains
        raise InputError("the domain is empty")
    return hull


def _solve_on_hull(a, b, hull, norm, epsilon, certificate, deadline, progress, enumerate_at_most,
                   on_bounds) -> MaxDifference:
    """The question on ``D = {p + M t : t ∈ T}``: asked of the networks composed with
    ``t ↦ p + M t`` on the full-dimensional ``T``, every point mapped back (``docs/difference.md``)."""
    from dataclasses import replace

    from ..network.precompose import precompose

    if hull.dim == 0:  # a single point: exact evaluation there
        res = _solve(a, b, FiniteDomain.product([[v] for v in hull.point]), norm, epsilon, False, deadline, progress,
                     enumerate_at_most)
        res.stats["domain_dim"] = 0
        return replace(res, method="single_point", affine_hull=hull)
    emb = hull.embed
    mapped = None if on_bounds is None else (lambda lo, x, hi: on_bounds(lo, None if x is None else emb(x), hi))
    res = _solve(precompose(a, hull.point, hull.basis), precompose(b, hull.point, hull.basis), hull.reduced, norm,
                 epsilon, certificate, deadline, progress, enumerate_at_most, mapped,
                 box_splitting=not certificate)  # (certificates on T: one region tree with the hull)
    res.stats["domain_dim"] = hull.dim
    per_pt = None if res.per_output_argmax is None else tuple(None if x is None else emb(x)
                                                              for x in res.per_output_argmax)
    return replace(res, argmax=None if res.argmax is None else emb(res.argmax), per_output_argmax=per_pt,
                   affine_hull=hull)


def _solve(a, b, domain, norm, epsilon, certificate, deadline, progress, enumerate_at_most,
           on_bounds=None, certified_pruning: bool = True, box_splitting: bool = True) -> MaxDifference:
    if isinstance(a, Network) and isinstance(b, Network) and not (a.is_rational and b.is_rational):
        from .field_difference import field_max_difference  # real algebraic weights

        return field_max_difference(a, b, domain, result=MaxDifference, norm=norm, epsilon=epsilon,
                                    certificate=certificate, deadline=deadline, progress=progress)
    _check(a, b, norm, domain)
    hull = lower_dimensional(domain)
    if hull is not None:
        return _solve_on_hull(a, b, hull, norm, epsilon, certificate, deadline, progress, enumerate_at_most,
                              on_bounds)
    if certificate and not isinstance(domain, (Polyhedron, PolyhedronUnion)):
        certificate = False  # finite domains: an enumeration certificate (no tree); else the caller says why not
    compiled = seed = None
    if epsilon is not None and not certificate and isinstance(domain, Box):
        from .epsilon_screen import screen

        compiled = (CompiledNet.of(a), CompiledNet.of(b))
        ans = screen(compiled[0], compiled[1], domain.lower, domain.upper, epsilon, norm)
        if ans.within is not None:
            return _screened(ans, norm, epsilon)
        seed = ans.point
    search = _Search(a, b, norm, epsilon, certificate, deadline, progress or null_progress(), compiled)
    if seed is not None:
        search.offer(seed)  # the screen's best point: a lower bound to start from
    search.on_bounds = on_bounds
    search.split_boxes = box_splitting
    search.certified_pruning = certified_pruning and isinstance(domain, Box) and norm == "inf"
    complete, reason = True, ""
    try:
        if isinstance(domain, FiniteDomain):
            _finite(search, domain, enumerate_at_most)
        elif isinstance(domain, PolyhedronUnion):
            from ..polyhedra.domains import is_empty

            parts = [p for p in domain.parts if not is_empty(p)]
            if len(parts) < len(domain.parts):
                search.cert = False  # an empty part has no tree (and no emptiness proof yet)
            for idx, part in enumerate(parts):
                if search.settled:
                    break
                search.rest_unknown = True
                search.more_parts = idx < len(parts) - 1
                search.run_polyhedron(part)
        elif _splits(search, domain):
            from .box_splitting import split_boxes

            rows = domain_rows(domain, search.n)
            search.propose(_Part(tuple(domain.lower), tuple(domain.upper), len(rows)), domain.contains)
            if not search.settled:
                split_boxes(search, domain)
        else:
            search.run_polyhedron(domain)
    except TimeLimitReached as exc:
        complete, reason = False, str(exc)
    res = _result(search, complete, reason, domain)
    if isinstance(domain, PolyhedronUnion) and res.certificate_nodes is not None:
        from dataclasses import replace

        res = replace(res, certificate_roots=tuple(search.roots))
    return res


def _screened(ans, norm: str, epsilon: fmpq) -> MaxDifference:
    """The ε question as settled by the exact screen of :mod:`.epsilon_screen` (no LP)."""
    stats = {"nodes": 0, "screen": ans.how}
    method = "closed_form" if ans.how == "closed_form" else "branch_and_bound"
    if ans.within:
        reason = {"closed_form": "the difference is affine on the box: its exact maximum is attained at a corner",
                  "interval_bound": "no point of the domain has a difference above ε (exact difference intervals)",
                  "input_splitting": "no point of the domain has a difference above ε (exact difference intervals and"
                                     " closed forms on a partition of the box)"}
        return MaxDifference(norm, None, ans.point, ans.lower, ans.upper, None, None, True, reason[ans.how], epsilon,
                             True, stats, None, method)
    return MaxDifference(norm, None, ans.point, ans.lower, ans.exact_maximum, None, None, True,
                         "a point of the domain where the difference exceeds ε (exact evaluation)", epsilon, False,
                         stats, None, method)


def _result(search: _Search, complete: bool, reason: str, domain) -> MaxDifference:
    best = search.best
    lower, point = best.overall()
    m = search.m
    nodes, boxes = certificate_evidence(search)
    eps = search.epsilon
    if search.settled:
        return MaxDifference(search.norm, None, point, lower, None, None, None, True,
                             "a point of the domain where the difference exceeds ε (exact evaluation)", eps, False,
                             search.stats, None, _method(domain))
    if not complete:
        open_top = search.open_bound()
        finite_top = max((e[2] for e in search.finite_stack), default=None)
        tops = [v for v in (open_top, finite_top, lower) if v is not None]
        unknown = search.rest_unknown or _has_inf(search)
        upper = max(tops) if tops and not unknown else None
        return MaxDifference(search.norm, None, point, lower, upper, None, None, False, reason, eps, None,
                             search.stats, None, _method(domain))
    if eps is not None:
        return MaxDifference(search.norm, None, point, lower, eps if lower is None or lower <= eps else lower,
                             None, None, True, "no point of the domain has a difference above ε (exact bounds)",
                             eps, True, search.stats, nodes, _method(domain), certificate_boxes=boxes)
    per = per_pt = None
    if search.norm == "inf":
        outs = [best.output_best(k) for k in range(m)]
        per = tuple(v for v, _ in outs)
        per_pt = tuple(p for _, p in outs)
    return MaxDifference(search.norm, lower, point, lower, lower, per, per_pt, True,
                         "exact maximum: every region of the common refinement is bounded by an exact LP or pruned"
                         " by exact bounds", None, None, search.stats, nodes, _method(domain),
                         certificate_boxes=boxes)


def certificate_evidence(search) -> tuple:
    """``(region tree nodes, box split tree)`` of a finished certificate search (one of them set)."""
    if not search.cert:
        return None, None
    if search.box_tree is not None:
        return None, search.box_tree
    return search.tree, None


def _splits(search, domain) -> bool:
    """Input splitting first (:mod:`.box_splitting`): box domains of few inputs, sup norm (with a
    certificate: ``box_split`` evidence), and some network with at least two hidden layers. With one
    hidden layer every preactivation is affine on the whole domain, so the region search fixes each
    sign by an exact LP and never relaxes; splitting the inputs only adds work there (iris 4-8-3
    pairs: 3.1 s with splitting, 0.6 s without)."""
    from .box_splitting import MAX_INPUTS

    return isinstance(domain, Box) and search.norm == "inf" and search.n <= MAX_INPUTS and search.split_boxes \
        and _deep(search)


def _deep(search) -> bool:
    """Has some network at least two hidden layers (:func:`_splits`)?"""
    return max(len(net.hidden) for net in search.nets) >= 2


def _has_inf(search) -> bool:
    return any(isinstance(ub, _Infinity) for nd in search.heap for ub in nd.bounds.values()) or \
        any(isinstance(e[2], _Infinity) for e in search.finite_stack)


def _method(domain) -> str:
    if isinstance(domain, FiniteDomain):
        return "enumeration" if domain.size <= ENUMERATE_AT_MOST else "finite_branch_and_bound"
    return "branch_and_bound"


def max_difference(a: Network, b: Network, domain, *, norm: str = "inf", certificate: bool = False,
                   deadline: Deadline = NO_DEADLINE, progress: Progress | None = None,
                   enumerate_at_most: int = ENUMERATE_AT_MOST, on_bounds=None,
                   certified_pruning: bool = True, box_splitting: bool = True) -> MaxDifference:
    """The exact ``max_{x ∈ D} ‖A(x) − B(x)‖`` (module docstring). ``certificate``: record the
    region tree with an LP proof on every leaf (sup norm, boxes and polyhedra); on boxes subtrees
    are closed by the checkable interval bound of :mod:`.interval_bounds` unless
    ``certified_pruning`` is false (for benchmarks). On boxes of few inputs the input splitting of
    :mod:`.box_splitting` runs first unless ``box_splitting`` is false; with a certificate it records
    its split tree (``certificate_boxes``) instead of one region tree.
    ``on_bounds(lower, point, upper)``: called now and then with the current exact interval (for
    an answer to give if the computation is interrupted)."""
    return _solve(a, b, domain, norm, None, certificate, deadline, progress, enumerate_at_most, on_bounds,
                  certified_pruning, box_splitting)


def within_epsilon(a: Network, b: Network, domain, epsilon, *, norm: str = "inf", certificate: bool = False,
                   deadline: Deadline = NO_DEADLINE, progress: Progress | None = None,
                   enumerate_at_most: int = ENUMERATE_AT_MOST, box_splitting: bool = True) -> MaxDifference:
    """Decide ``max_{x ∈ D} ‖A(x) − B(x)‖ ≤ ε`` exactly (``within``), stopping at the first witness
    above ``ε`` or when every node is bounded by ``ε`` (``box_splitting``: as in :func:`max_difference`)."""
    epsilon = fmpq(epsilon)
    if epsilon < 0:
        raise InputError(f"ε must be ≥ 0, got {epsilon}")
    return _solve(a, b, domain, norm, epsilon, certificate, deadline, progress, enumerate_at_most,
                  box_splitting=box_splitting)


__all__ = ["ENUMERATE_AT_MOST", "MaxDifference", "NORMS", "difference_at", "lower_dimensional", "max_difference",
           "norm_value", "within_epsilon"]
