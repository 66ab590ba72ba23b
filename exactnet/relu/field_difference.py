"""The exact maximum difference of two ReLU networks with real algebraic weights (docs/difference.md
§ Algebraic weights, docs/algebraic-lp.md).

For networks whose weights lie in one real number field ``K`` (the number layer moves them into a
common field), ``M = max_{x ∈ D} ‖A(x) − B(x)‖_∞`` on a full-dimensional bounded polyhedron ``D``:

* **Cells.** The common refinement of the activation regions of ``A`` and ``B`` on ``D``
  (:func:`~exactnet.relu.regions.common_refinement`, cells held as rows over ``K``). The closures
  of the cells cover ``D`` (the cells are the full-dimensional pieces of a polyhedral subdivision
  of ``D``), and on each closed cell ``d_k = A_k − B_k`` is one affine map ``c·x + c₀`` with
  coefficients in ``K`` (both networks are continuous).
* **Per cell.** ``max d_k`` and ``min d_k`` over the closed cell ``P = {x : g_i·x + h_i ≥ 0}``
  (bounded because ``D`` is) are attained at a vertex. HiGHS on the float images of the rows
  *proposes* an optimal point; the rows tight there (``n`` independent ones) give a vertex ``v``
  solved exactly in ``K``, which is accepted only if it is exactly feasible and exactly optimal:
  multipliers ``y ≥ 0`` in ``K`` on the rows tight at ``v`` with ``c = −Σ y_i g_i`` (for the max;
  then ``c·x = c·v − Σ y_i (g_i·x + h_i) ≤ c·v`` on ``P``: LP duality, valid over every ordered
  field). If any check fails, the complete fallback enumerates the vertices of ``P`` exactly
  (every ``n``-subset of rows with a unique solution that satisfies all rows): exponential in the
  worst case, meant for the small input dimensions of algebraic problems.
* ``M_k = max over cells of max(max d_k, −min d_k)``; ``M = max_k M_k``, attained at the vertex
  reported (entries in ``K``). The deadline is checked per cell and per vertex; on time-out the
  answer is the exact lower bound found so far and an unknown upper bound.

**1-norm.** ``Σ_k |d_k| = max over sign vectors s ∈ {±1}^m of Σ_k s_k d_k`` pointwise, so
``max_P Σ_k |d_k| = max_s max_P Σ_k s_k d_k``: ``2^m`` linear objectives per cell (taken in pairs
``s, −s`` as the maximum and minimum of one affine map), for at most :data:`MAX_SIGN_OUTPUTS`
outputs; the maximum is ``M`` itself (no per-output maxima).

**Finite domains** (a product of finite sets, at most :data:`MAX_FIELD_POINTS` points): both
networks are evaluated exactly in ``K`` at every point; the maximum of each norm is the largest
value found. **Unions** of full-dimensional polyhedra: one tree per part, the maximum over all.

**Certificate** (``certificate=True``; docs/certificates.md, `relu.max_difference` and `relu.epsilon`, "Real algebraic weights"). The walk's
tree of sign splits and fixes (with Farkas proofs over ``K``) is recorded, and every leaf lists,
for each objective, its maximum over the closed cell, the vertex (or interior point) attaining it
and the dual proof ``(y, t)``: the verified proposal's multipliers with ``t = 1``, or after vertex
enumeration a Farkas certificate of the empty open system ``{P > 0, objective − value > 0}`` from
the exact field LP (``t > 0`` because the open cell is non-empty).
"""

from __future__ import annotations

import itertools
from typing import Sequence

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError, UnsupportedError
from ..linalg.field import field_rank, field_solve
from ..network import Network, common_field
from ..network.domain import Polyhedron
from ..network.domain_union import PolyhedronUnion
from ..numbers import sign
from ..polyhedra.domains import require_nonempty_bounded
from ..polyhedra.field_backend import field_value, float_field_rows
from .regions import common_refinement, require_relu

METHOD = "field_regions"
ENUMERATION = "field_enumeration"
#: The 1-norm takes ``2^m`` objectives per cell: at most this many outputs.
MAX_SIGN_OUTPUTS = 8
#: Finite domains are enumerated point by point: at most this many points (the checker's limit).
MAX_FIELD_POINTS = 1 << 16


def field_difference_at(a: Network, b: Network, x: Sequence) -> list:
    """``A(x) − B(x)`` exactly (entries of ``x`` and of the weights in one field)."""
    a, b = common_field(a, b) if not (a.is_rational and b.is_rational) else (a, b)
    return [p - q for p, q in zip(_forward(a, x), _forward(b, x))]


def field_outputs(a: Network, b: Network, x: Sequence) -> tuple[list, list]:
    """``(A(x), B(x))`` exactly (``a``, ``b`` and ``x`` in one field)."""
    return _forward(a, x), _forward(b, x)


def _forward(net: Network, x: Sequence) -> list:
    v = list(x)
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        out = []
        for row, bias in zip(layer.weight, layer.bias):
            acc = bias
            for w, t in zip(row, v):
                if w != 0 and t != 0:
                    acc = acc + w * t
            out.append(acc if i == last or sign(acc) > 0 else fmpq(0))
        v = out
    return v


def _check(a: Network, b: Network, norm: str, domain, what: str = "the maximum difference") -> None:
    """Refuse what is not answered here (``what``: the question, for the messages)."""
    for net in (a, b):
        require_relu(net, what)
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        raise InputError(f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
                         f" the second R^{b.input_dim} → R^{b.output_dim}")
    if norm not in ("inf", "1"):
        raise InputError(f"unknown norm {norm!r} (inf or 1)")
    if norm == "1" and a.output_dim > MAX_SIGN_OUTPUTS:
        raise UnsupportedError(f"the 1-norm maximum difference for algebraic weights takes 2^m sign vectors per"
                               f" cell: at most {MAX_SIGN_OUTPUTS} outputs (these networks have {a.output_dim})")
    if domain is None:
        raise InputError(f"{what} needs a bounded domain (--domain FILE or --box LO,HI)")
    from ..network.finite_domain import FiniteDomain

    if isinstance(domain, FiniteDomain):
        if domain.size > MAX_FIELD_POINTS:
            raise UnsupportedError(f"{what} for algebraic weights enumerates finite domains of at most"
                                   f" {MAX_FIELD_POINTS} points (this one has {domain.size})")
    elif not isinstance(domain, (Polyhedron, PolyhedronUnion)):  # pragma: no cover - the domain kinds are these
        raise UnsupportedError(f"{what} for algebraic weights needs a box, polyhedron, union or finite domain")
    if domain.dim != a.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the networks take {a.input_dim} inputs")
    require_nonempty_bounded(domain, "the domain")  # (the cells' LP optima are vertices only when D is bounded)


# ---------------------------------------------------------------------------------------------
# the LP over one closed cell
# ---------------------------------------------------------------------------------------------


def _vertex_of(rows: Sequence, idx: Sequence[int], n: int):
    """The unique solution of ``g_i·x + h_i = 0`` (``i ∈ idx``) if the rows are independent."""
    mat = [list(rows[i][0]) for i in idx]
    if field_rank(mat, n) < n:
        return None
    return tuple(field_solve(mat, [-rows[i][1] for i in idx], n))


def _feasible(rows: Sequence, x: Sequence) -> bool:
    return all(sign(field_value(r, x)) >= 0 for r in rows)


def _objective(c: tuple, x: Sequence):
    return field_value(c, x)


def _proposed_optimum(rows: Sequence, c: tuple, n: int):
    """A vertex maximizing ``c`` over the closed cell, proposed by HiGHS and verified exactly
    (primal feasibility and dual multipliers ``y ≥ 0`` in the field), as ``(vertex, multipliers)``
    (``multipliers``: ``[(i, y_i)]`` on the rows tight at the vertex, ``c = −Σ y_i g_i``), or ``None``."""
    import numpy as np

    from ..polyhedra.highs_backend import float_lp

    data = float_field_rows(rows)
    cf = float_field_rows([c])
    if data is None or cf is None:
        return None
    scale = max(abs(float(v)) for v in c[0]) or 1.0
    obj = np.array([float(v) for v in c[0]]) / scale
    sol = float_lp(obj, data, [-np.inf] * n, [np.inf] * n)
    if sol is None:  # no HiGHS or no reported optimum: the exact fallback answers
        return None
    slack = data[:, :n] @ np.asarray(sol.col_value, dtype=float) + data[:, n]
    order = sorted(range(len(rows)), key=lambda i: abs(slack[i]))
    chosen: list[int] = []
    for i in order:
        if field_rank([list(rows[j][0]) for j in chosen + [i]], n) == len(chosen) + 1:
            chosen.append(i)
            if len(chosen) == n:
                break
    if len(chosen) < n:
        return None
    v = _vertex_of(rows, chosen, n)
    if v is None or not _feasible(rows, v):
        return None
    tight = [i for i in range(len(rows)) if field_value(rows[i], v) == 0]
    # c = Σ y_i (−g_i) over the tight rows, y ≥ 0 (columns: tight rows; equations: coordinates)
    mat = [[-rows[i][0][k] for i in tight] for k in range(n)]
    y = field_solve(mat, list(c[0]), len(tight))
    if y is None or any(sign(t) < 0 for t in y):
        return None
    return v, [(i, t) for i, t in zip(tight, y) if t != 0]


def _vertices(rows: Sequence, n: int, deadline: Deadline):
    """Every vertex of the bounded closed cell (exact; the complete fallback)."""
    seen = set()
    for idx in itertools.combinations(range(len(rows)), n):
        deadline.check("the exact vertex enumeration over the number field")
        v = _vertex_of(rows, idx, n)
        if v is None or not _feasible(rows, v):
            continue
        key = tuple(str(t) for t in v)
        if key not in seen:
            seen.add(key)
            yield v


def _bound_proof(rows: Sequence, c: tuple, value, n: int):
    """Farkas multipliers ``(y, t)`` (``y = [(i, y_i)]``, ``t > 0``) proving ``c·x + c₀ ≤ value`` on the
    closed cell: the open system ``{rows > 0, c·x + c₀ − value > 0}`` is infeasible (the cell is open
    and non-empty, so its Farkas certificate has ``t > 0``), found by the exact field LP
    (:func:`~exactnet.polyhedra.field_backend.field_decide`, verified there)."""
    from ..polyhedra.field_backend import field_decide
    from ..polyhedra.rows import Farkas

    ans = field_decide(list(rows) + [(tuple(c[0]), c[1] - value)], n)
    if not isinstance(ans, Farkas):  # pragma: no cover - value is the maximum over the closed cell
        raise AssertionError("internal error: the maximum of a cell is exceeded inside it")
    nrows = len(rows)
    y = [(i, v) for i, v in ans.multipliers if i < nrows and v != 0]
    t = next((v for i, v in ans.multipliers if i == nrows), fmpq(0))
    if sign(t) <= 0:  # pragma: no cover - the open cell has a point
        raise AssertionError("internal error: a bound proof without the target row")
    return y, t


def _cell_extremes(rows: Sequence, c: tuple, n: int, deadline: Deadline, stats: dict, point=None,
                   prove: bool = False) -> list:
    """``[(value, point, proof)]`` for ``s = +1, −1``: the maximum of ``s·(c·x + c₀)`` on the closed
    cell, a point of the closed cell attaining it, and (``prove``) the Farkas proof ``(y, t)`` that
    it is the maximum (``None`` otherwise). ``point``: a callable giving an interior point of the
    cell (for a constant difference)."""
    if all(t == 0 for t in c[0]):  # constant on the cell: its value at an interior point
        from .regions import cell_point

        x = point() if point is not None else cell_point(rows, n)
        proof = ([], fmpq(1)) if prove else None
        return [(c[1], x, proof), (-c[1], x, proof)]
    neg = (tuple(-t for t in c[0]), -c[1])
    found = []
    for target in (c, neg):
        got = _proposed_optimum(rows, target, n)
        if got is None:
            break
        found.append((_objective(target, got[0]), got[0], (got[1], fmpq(1)) if prove else None))
    if len(found) == 2:
        stats["verified_proposals"] = stats.get("verified_proposals", 0) + 2
        return found
    stats["vertex_enumerations"] = stats.get("vertex_enumerations", 0) + 1
    verts = list(_vertices(rows, n, deadline))
    if not verts:  # pragma: no cover - a nonempty bounded cell has a vertex
        raise AssertionError("internal error: a bounded cell without vertices")
    out = []
    for target in (c, neg):
        best = None
        for v in verts:
            val = _objective(target, v)
            if best is None or val > best[0]:
                best = (val, v)
        out.append((best[0], best[1], _bound_proof(rows, target, best[0], n) if prove else None))
    return out


class _LeafRecorder:
    """The region tree of the enumeration (:class:`~.tree_record.TreeRecorder`) whose leaves are
    filled in by :func:`field_max_difference` with the cell's optima (``leaf`` only marks them)."""

    def __init__(self):
        from .tree_record import TreeRecorder

        self.tree = TreeRecorder()
        self.nodes = self.tree.nodes
        self.new, self.fix, self.split = self.tree.new, self.tree.fix, self.tree.split
        self.last = -1

    def leaf(self, node: int, point, maps) -> None:
        self.nodes[node]["leaf"] = {}
        self.last = node


def _optimum_json(value, x, proof) -> dict:
    from .tree_record import field_number_json as num

    y, t = proof
    return {"value": num(value), "point": [num(v) for v in x], "y": [[i, num(v)] for i, v in y], "t": num(t)}


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------


def field_max_difference(a: Network, b: Network, domain, *, result, norm: str = "inf", epsilon=None,
                         certificate: bool = False, deadline: Deadline = NO_DEADLINE, progress=None):
    """The exact ``max_{x ∈ D} ‖A(x) − B(x)‖_∞`` for networks with real algebraic weights (module
    docstring); with ``epsilon`` it decides ``M ≤ ε`` (``within``) and stops at the first vertex
    above ``ε``. ``result``: the result class (:class:`~exactnet.relu.max_difference.MaxDifference`,
    passed in by :mod:`.max_difference`, which dispatches here). ``certificate``: record the region
    tree with every leaf's optima and their proofs (``certificate_nodes``, the evidence
    ``field_region_tree`` of docs/certificates.md) when the answer rests on every cell."""
    MaxDifference = result
    _check(a, b, norm, domain)
    a, b = common_field(a, b)
    n, m = a.input_dim, a.output_dim
    targets = 1 if norm == "1" else m
    best: list = [None] * targets  # per output (sup norm) or overall (1-norm): (value, point)
    stats: dict = {"regions": 0}
    complete, reason, settled = True, "", False
    recorder = _LeafRecorder() if certificate else None
    if not isinstance(domain, (Polyhedron, PolyhedronUnion)):  # a finite domain: every point evaluated exactly
        stats = {"points": 0}
        recorder = None
        try:
            for x in domain.points():
                deadline.check("the maximum difference over the finite domain")
                stats["points"] += 1
                d = field_difference_at(a, b, x)
                values = [sum((abs(v) for v in d), fmpq(0))] if norm == "1" else [abs(v) for v in d]
                for k, val in enumerate(values):
                    if best[k] is None or val > best[k][0]:
                        best[k] = (val, x)
                if epsilon is not None and max(values) > epsilon:
                    settled = True
                    break
        except TimeLimitReached as exc:
            complete, reason = False, str(exc)
        return _answer(MaxDifference, norm, epsilon, best, settled, complete, reason, stats, None,
                       "every point of the finite domain evaluated exactly over the number field", ENUMERATION)
    parts = domain.parts if isinstance(domain, PolyhedronUnion) else (domain,)
    roots = []

    def cells():
        for part in parts:  # a union: one tree per part, its root the next node recorded
            roots.append(len(recorder.nodes) if recorder is not None else None)
            try:
                yield from common_refinement([a, b], part, deadline=deadline, progress=progress, points=False,
                                             recorder=recorder)
            except InputError as exc:
                if len(parts) == 1:
                    raise
                raise UnsupportedError(f"part {len(roots)} of the union: {exc} (with algebraic weights every part"
                                       " must have interior points)") from None

    try:
        for region in cells():
            deadline.check("the maximum difference over the number field")
            stats["regions"] += 1
            ma, mb = region.maps
            rows = region.rows
            diffs = [(tuple(p - q for p, q in zip(ma.weight[k], mb.weight[k])), ma.bias[k] - mb.bias[k])
                     for k in range(m)]
            optima = []
            for k, pair in _objectives(diffs, norm, m):
                found = _cell_extremes(rows, pair, n, deadline, stats, point=lambda: region.point, prove=certificate)
                for val, x, _proof in found:
                    if best[k] is None or val > best[k][0]:
                        best[k] = (val, x)
                if certificate:
                    optima.extend(found)
                if epsilon is not None and best[k][0] > epsilon:
                    settled = True
                    break
            if settled:
                break
            if certificate:
                recorder.nodes[recorder.last]["leaf"] = _leaf_json(optima, norm, m)
    except TimeLimitReached as exc:
        complete, reason = False, str(exc)
    nodes = recorder.nodes if certificate and complete and not settled else None
    answer = _answer(MaxDifference, norm, epsilon, best, settled, complete, reason, stats, nodes,
                     "every cell of the common refinement maximized exactly over the number field (verified"
                     " vertex and dual multipliers, or vertex enumeration)", METHOD)
    if nodes is not None and isinstance(domain, PolyhedronUnion):  # each part's root node ("roots")
        from dataclasses import replace

        answer = replace(answer, certificate_roots=tuple(roots))
    return answer


def _answer(MaxDifference, norm, epsilon, best, settled, complete, reason, stats, nodes, how: str, method: str):
    """The result from the best ``(value, point)`` per target (module docstring)."""
    top = None
    for bk in best:
        if bk is not None and (top is None or bk[0] > top[0]):
            top = bk
    lower, point = (top if top is not None else (None, None))
    if settled:
        return MaxDifference(norm, None, point, lower, None, None, None, True,
                             "a point of the domain where the difference exceeds ε (exact field arithmetic)", epsilon,
                             False, stats, None, method)
    if not complete:
        return MaxDifference(norm, None, point, lower, None, None, None, False, reason, epsilon, None, stats, None,
                             method)
    if epsilon is not None:
        return MaxDifference(norm, None, point, lower, epsilon, None, None, True,
                             f"the exact maximum is at most ε: {how}", epsilon, True, stats, nodes, method)
    per = per_pt = None
    if norm == "inf":
        per, per_pt = tuple(bk[0] for bk in best), tuple(bk[1] for bk in best)
    return MaxDifference(norm, lower, point, lower, lower, per, per_pt, True, f"exact maximum: {how}", None, None,
                         stats, nodes, method)


def sign_vectors(m: int) -> list[tuple[int, ...]]:
    """The ``2^m`` sign vectors in certificate order: ``s_k = −1`` exactly when bit ``k`` of the index
    is set (docs/certificates.md)."""
    return [tuple(-1 if (i >> k) & 1 else 1 for k in range(m)) for i in range(1 << m)]


def _objectives(diffs: list, norm: str, m: int):
    """``(target, affine map)`` pairs whose maximum and minimum a cell needs: each ``d_k`` (sup norm,
    target ``k``), or ``Σ s_k d_k`` for the first half of :func:`sign_vectors` (``s_{m−1} = +1``;
    1-norm, target 0; the minimum is the maximum for ``−s``, the complementary index)."""
    if norm == "inf":
        return [(k, d) for k, d in enumerate(diffs)]
    out = []
    for s in sign_vectors(m)[: 1 << (m - 1)]:
        g = [sum((si * d[0][j] for si, d in zip(s, diffs)), fmpq(0)) for j in range(len(diffs[0][0]))]
        h = sum((si * d[1] for si, d in zip(s, diffs)), fmpq(0))
        out.append((0, (tuple(g), h)))
    return out


def _leaf_json(optima: list, norm: str, m: int) -> dict:
    """A leaf's optima: ``[[max d_k, max −d_k], ...]`` (sup norm) or, for the 1-norm, the maximum of
    ``Σ s_k d_k`` for every sign vector in :func:`sign_vectors` order (computed as pairs ``s, −s``)."""
    entries = [_optimum_json(*o) for o in optima]
    if norm == "inf":
        return {"optima": [entries[2 * k:2 * k + 2] for k in range(m)]}
    full = 1 << m
    ordered = [None] * full
    for index in range(full // 2):
        ordered[index] = entries[2 * index]
        ordered[(full - 1) ^ index] = entries[2 * index + 1]
    return {"sum_optima": ordered}


__all__ = ["MAX_FIELD_POINTS", "MAX_SIGN_OUTPUTS", "field_difference_at", "field_outputs", "field_max_difference", "sign_vectors"]
