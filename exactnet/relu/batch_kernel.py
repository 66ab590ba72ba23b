"""Verified kernel vectors of a batch Jacobian and the certified upper bound on its rank
(docs/relu-functional-dimension.md § Batch rank at data scale).

Notation. ``Z = {x_1, …, x_N}`` is the batch, ``J = J E_Z|θ`` the ``N·n_d × D`` Jacobian (library
parameter order). Layers are numbered ``ℓ = 0 … d−1`` here (weight layer ``ℓ`` maps ``a^ℓ`` to
``z^{ℓ+1}``); ``â^ℓ(x) = [a^ℓ(x); 1]`` is the input of layer ``ℓ`` and
``δ^ℓ(x) = ∂F/∂z^{ℓ+1}(x)`` (``n_d × n_{ℓ+1}``; a column is zero when its neuron is inactive at
``x``). The column of ``W^ℓ_{jk}`` (``k = n_ℓ``: the bias ``b^ℓ_j``) at row ``(x, o)`` is

    J[(x, o), (ℓ, j, k)] = δ^ℓ_{oj}(x) · â^ℓ_k(x).

**Upper bound.** Let ``K`` be integer vectors with ``J v = 0`` for every ``v ∈ K``. Then
``rank J ≤ D − rank_Q K ≤ D − rank_p K`` (a rank modulo a prime never exceeds the rational rank).
Better: let ``C`` be the pivot columns of the echelon form of ``K`` modulo ``p``. ``K[:, C]`` has
rank ``|C|`` modulo ``p``, hence over ``Q``; so some ``|C|`` vectors of ``K`` are invertible on
``C``, and ``J K = 0`` writes the columns ``C`` of ``J`` as combinations of the others:
``rank J = rank J[:, R]`` with ``R`` the other ``D − |C|`` columns. A certified lower bound on
``rank J[:, R]`` (a modular rank) that meets ``|R|`` is the exact value.

**Known kernel vectors (the families of :func:`known_kernel`).**

1. *Neuron blocks.* The columns of neuron ``(ℓ, j)`` are ``δ^ℓ_{·j}(x) â^ℓ(x)^T``; on the points
   ``S_j`` where ``δ^ℓ_{·j}(x) ≠ 0`` the factor ``δ`` is a non-zero vector, so the block's kernel is
   ``{u : â^ℓ(x)·u = 0 for every x ∈ S_j}`` (an exact null space). It holds the unit vectors of
   inputs that are zero wherever the neuron matters (pixels that are always 0; outgoing weights of
   neurons inactive there), whole blocks of neurons that never influence the output (dead on the
   batch: ``S_j = ∅``) and affine dependencies of the inputs seen by the neuron.
2. *Sparse column clusters.* A column ``(ℓ, j, k)`` is non-zero only on ``S_j ∩ T_k``
   (``T_k``: the points where ``â^ℓ_k ≠ 0``). Columns (of all layers) whose supports have at most
   :data:`RARE_POINTS` points are joined when their supports share a point; the kernel of a
   cluster's columns on the rows of its points (all its other rows are zero) is in the kernel of
   ``J`` (a cluster too big for :data:`MAX_CLUSTER_ENTRIES` is split by halving the limit). On
   images these are the rarely lit border pixels, whose ``n_{ℓ+1}`` weights meet few points, and
   the rarely active neurons.
3. *Scalings.* ``v_{ℓ,j}`` (+ the incoming weights and bias of hidden neuron ``(ℓ, j)``, − its
   outgoing weights; docs/relu-functional-dimension.md) — one per hidden neuron.
4. *Co-active neurons.* Two hidden neurons ``j ≠ k`` of a layer that are active at exactly the
   same points of the batch: adding ``t`` times the incoming row ``(W_k, b_k)`` to neuron ``j``'s and
   ``−W_{ij} t`` to every next-layer ``W_{ik}`` changes ``z^{ℓ+2}_i`` by
   ``t W_{ij} z_k (m_j − m_k) = 0`` (``m``: the activity, equal for both). A neuron active at every
   point is linear there: shifting its bias by ``t`` and every next-layer bias by ``−W_{ij} t``
   changes nothing either.
5. *Nearly co-active neurons* (proposals, not theorems): the same vectors for neurons whose
   activities differ at a few points (:data:`NEAR_POINTS`). They are in the kernel exactly when
   ``δ(x)·W_{·j} = 0`` at those points; :func:`verify_kernel` decides, and the callers keep only
   the verified ones.

Families 1–4 are theorems, and still every vector is **verified exactly** by
:func:`verify_kernel`: a forward-mode directional derivative, point by point, in integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpz_mat, nmod_mat

from ..deadline import NO_DEADLINE, Deadline
from .jacobian import IntegerNetwork, Pattern, _column_position, _integer_point, _param_index

#: The families of :func:`known_kernel` (module docstring).
FAMILIES = ("neuron block", "sparse column cluster", "scaling", "co-active neurons", "nearly co-active neurons")
#: Family 5 (proposals kept only if verified): activities differing at no more than this many points.
NEAR_POINTS = 4
#: At most this many neurons of one activity group enter family 4 (a group of ``k`` has ``k²`` vectors).
MAX_LINEAR_NEURONS = 64
#: Columns non-zero at no more than this many points join the sparse column clusters (family 2).
RARE_POINTS = 16
#: A cluster's matrix (rows × columns) above this size is skipped (the bound only gets weaker).
MAX_CLUSTER_ENTRIES = 1_500_000


@dataclass(frozen=True)
class BatchForward:
    """The exact forward pass of a batch, in integers (see the module docstring).

    ``acts[ℓ]`` (``ℓ = 0 … d−1``) is an ``fmpz_mat`` of shape ``(n_ℓ + 1) × N`` whose column ``x`` is
    ``P_ℓ·q_x·â^ℓ(x)`` (``P_ℓ = s_0⋯s_{ℓ−1}`` from the layer denominators, ``q_x`` the point's
    denominator): a positive integer multiple of the input of layer ``ℓ``. ``patterns[x]`` are the
    activation labels. ``deltas[pattern][ℓ]`` is an ``fmpz_mat`` positive multiple of
    ``δ^ℓ = ∂F/∂z^{ℓ+1}`` on that pattern (the same multiple for every pattern).
    """

    cnet: IntegerNetwork
    patterns: tuple
    acts: tuple
    deltas: dict

    @property
    def points(self) -> int:
        return len(self.patterns)

    @property
    def depth(self) -> int:
        return len(self.cnet.hats)


def batch_forward(cnet: IntegerNetwork, points: Sequence[Sequence], deadline: Deadline = NO_DEADLINE) -> BatchForward:
    """The exact forward pass of ``points`` (rationals); :class:`NotSmoothError` at the first point
    where some hidden preactivation is exactly zero (naming the point and the neuron)."""
    from .jacobian import smooth_pattern

    n, N = cnet.input_dim, len(points)
    cols = [_integer_point(x) for x in points]
    A = fmpz_mat(n + 1, N, [ints[i] if i < n else q for i in range(n + 1) for ints, q in cols])
    acts, labels = [A], []
    for hat in cnet.hats[:-1]:
        deadline.check("the batch forward pass")
        Z = (hat * A).tolist()
        r = len(Z) - 1
        lab = [[1 if v > 0 else -1 if v < 0 else 0 for v in row] for row in Z[:r]]
        labels.append(lab)
        A = fmpz_mat([[v if s == 1 else 0 for v, s in zip(row, ls)] for row, ls in zip(Z[:r], lab)] + [Z[r]])
        acts.append(A)
    patterns = tuple(tuple(tuple(lab[i][x] for i in range(len(lab))) for lab in labels) for x in range(N))
    for x, pat in enumerate(patterns):
        if any(0 in layer for layer in pat):
            smooth_pattern(cnet, points[x], x)  # raises, naming the point and the neuron
            raise AssertionError("zero label without a non-smooth point")  # pragma: no cover
    deltas: dict = {}
    for pat in patterns:
        if pat not in deltas:
            deadline.check("the batch backward pass")
            deltas[pat] = _deltas(cnet, pat)
    return BatchForward(cnet, patterns, tuple(acts), deltas)


def _deltas(cnet: IntegerNetwork, pattern: Pattern) -> tuple:
    """``(δ^0, …, δ^{d−1})`` up to positive per-layer factors: ``δ^{d−1} = I``,
    ``δ^{ℓ−1} = δ^ℓ·(s_ℓ W^ℓ)·D_{ℓ−1}``."""
    depth, m = len(cnet.hats), cnet.output_dim
    out = [None] * depth
    cur = fmpz_mat(m, m, [1 if i == j else 0 for i in range(m) for j in range(m)])
    out[depth - 1] = cur
    for li in range(depth - 1, 0, -1):
        prod = (cur * cnet.weights[li]).tolist()
        lab = pattern[li - 1]
        cur = fmpz_mat([[v if lab[j] == 1 else 0 for j, v in enumerate(r)] for r in prod])
        out[li - 1] = cur
    return tuple(out)


def _influence(fwd: BatchForward) -> list[list[int]]:
    """``infl[ℓ][j]``: bitmask of the points where column ``j`` of ``δ^ℓ`` is non-zero."""
    per_pattern = {}
    for pat, ds in fwd.deltas.items():
        flags = []
        for d in ds:
            rows = d.tolist()
            flags.append([any(r[j] != 0 for r in rows) for j in range(d.ncols())])
        per_pattern[pat] = flags
    widths = fwd.cnet.widths
    infl = [[0] * widths[li + 1] for li in range(fwd.depth)]
    for x, pat in enumerate(fwd.patterns):
        bit = 1 << x
        for li, flags in enumerate(per_pattern[pat]):
            row = infl[li]
            for j, f in enumerate(flags):
                if f:
                    row[j] |= bit
    return infl


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


# ---------------------------------------------------------------------------------------------
# the known kernel vectors
# ---------------------------------------------------------------------------------------------


def known_kernel(fwd: BatchForward, deadline: Deadline = NO_DEADLINE) -> tuple[list[dict], list[str]]:
    """``(vectors, families)``: integer kernel vectors of the batch Jacobian (sparse: ``{parameter
    index: value}``) from the five families of the module docstring, and the family of each
    (:data:`FAMILIES`). Families 1–4 are theorems, family 5 proposals; all are checked with
    :func:`verify_kernel`."""
    cnet = fwd.cnet
    widths, offsets = cnet.widths, cnet.offsets
    infl = _influence(fwd)
    vectors: list[dict] = []
    families: list[str] = []
    rare: list = []  # (layer, j, k, support) of the columns non-zero at few points
    for li in range(fwd.depth):
        n_in, n_out = widths[li], widths[li + 1]
        cols_x = fwd.acts[li].transpose().tolist()  # per point: P·q·â(x)
        # 1. neuron blocks
        for j in range(n_out):
            deadline.check("the known kernel vectors")
            seen, rows = set(), []
            for x in _bits(infl[li][j]):
                key = tuple(cols_x[x])
                if key not in seen:
                    seen.add(key)
                    rows.append(cols_x[x])
            for u in _null_space(rows, n_in + 1):
                vectors.append({_param_index(offsets, widths, li, j, k): c for k, c in u.items()})
                families.append(FAMILIES[0])
        # 2. sparse column clusters: the rare columns of this layer (clustered over all layers below)
        act_rows = fwd.acts[li].tolist()
        support_in = []
        for k in range(n_in + 1):
            mask = 0
            for x, v in enumerate(act_rows[k]):
                if v != 0:
                    mask |= 1 << x
            support_in.append(mask)
        for j in range(n_out):
            for k in range(n_in + 1):
                s = infl[li][j] & support_in[k]
                if s and s.bit_count() <= RARE_POINTS:
                    rare.append((li, j, k, s))
    # the entry s_ℓ·δ^ℓ_{oj}(x)·â^ℓ_k(x) is the same positive multiple (S·q_x, S = Π s_ℓ) of the
    # Jacobian entry in every layer, so a kernel vector of these rows is one of J's rows as they are
    act_cols = [a.transpose().tolist() for a in fwd.acts]
    pending = [(rare, RARE_POINTS)]
    while pending:
        columns, limit = pending.pop()
        for pts, cols in _clusters(columns):
            deadline.check("the known kernel vectors")
            if len(pts) * widths[-1] * len(cols) > MAX_CLUSTER_ENTRIES:  # too big: split at a lower limit
                if limit > 1:
                    inside = set(cols)
                    pending.append(([c for c in columns if c[:3] in inside and c[3].bit_count() <= limit // 2],
                                    limit // 2))
                continue
            rows = []
            for x in pts:
                ds = fwd.deltas[fwd.patterns[x]]
                per_layer = {li: ds[li].tolist() for li in {c[0] for c in cols}}
                for o in range(widths[-1]):
                    rows.append([cnet.scales[li] * per_layer[li][o][j] * act_cols[li][x][k] for li, j, k in cols])
            for u in _null_space(rows, len(cols)):
                vectors.append({_param_index(offsets, widths, *cols[t]): c for t, c in u.items()})
                families.append(FAMILIES[1])
    # 3. scalings
    for li in range(fwd.depth - 1):
        s_in, s_out = cnet.scales[li], cnet.scales[li + 1]
        hat, nxt = cnet.hat_rows[li], cnet.weight_rows[li + 1]
        for j in range(widths[li + 1]):
            v = {}
            for k in range(widths[li] + 1):
                if hat[j][k]:
                    v[_param_index(offsets, widths, li, j, k)] = int(hat[j][k]) * s_out
            for i in range(widths[li + 2]):
                if nxt[i][j]:
                    v[_param_index(offsets, widths, li + 1, i, j)] = -int(nxt[i][j]) * s_in
            if v:
                vectors.append(v)
                families.append(FAMILIES[2])
    # 4. neurons with the same activity on the batch: mixings; active everywhere: bias shifts
    N = fwd.points
    for li in range(fwd.depth - 1):
        s_in, s_out = cnet.scales[li], cnet.scales[li + 1]
        hat, nxt = cnet.hat_rows[li], cnet.weight_rows[li + 1]
        activity = [sum(1 << x for x, pat in enumerate(fwd.patterns) if pat[li][j] == 1)
                    for j in range(widths[li + 1])]
        everywhere = (1 << N) - 1
        live = [j for j in range(widths[li + 1]) if activity[j]][:MAX_LINEAR_NEURONS]
        for j in live:
            deadline.check("the known kernel vectors")
            missed = (everywhere ^ activity[j]).bit_count()
            if missed <= NEAR_POINTS:  # bias shift (a theorem when the neuron is active everywhere)
                shift = {_param_index(offsets, widths, li, j, widths[li]): s_out}
                for i in range(widths[li + 2]):
                    if nxt[i][j]:
                        shift[_param_index(offsets, widths, li + 1, i, widths[li + 1])] = -int(nxt[i][j])
                vectors.append(shift)
                families.append(FAMILIES[3] if not missed else FAMILIES[4])
            for k in live:
                differ = (activity[j] ^ activity[k]).bit_count()
                if k == j or differ > NEAR_POINTS:
                    continue
                mix = {_param_index(offsets, widths, li, j, t): int(hat[k][t]) * s_out
                       for t in range(widths[li] + 1) if hat[k][t]}
                for i in range(widths[li + 2]):
                    if nxt[i][j]:
                        mix[_param_index(offsets, widths, li + 1, i, k)] = -int(nxt[i][j]) * s_in
                vectors.append(mix)
                families.append(FAMILIES[3] if not differ else FAMILIES[4])
    return vectors, families


def _null_space(rows: list, ncols: int) -> list[dict]:
    """An integer basis of ``{u : rows·u = 0}`` as sparse vectors ``{column: value}`` (all unit
    vectors when there are no rows): from FLINT's exact fraction-free reduced echelon form
    ``(E, d)``, one vector per free column ``f``: ``d`` at ``f`` and ``−E[i, f]`` at pivot ``i``."""
    if not rows:
        return [{k: 1} for k in range(ncols)]
    E, d, rank = fmpz_mat(rows).rref()
    if rank == ncols:
        return []
    table = E.tolist()[:rank]
    pivots, col = [], 0
    for i in range(rank):
        while table[i][col] == 0:
            col += 1
        pivots.append(col)
        col += 1
    taken = set(pivots)
    out = []
    for f in range(ncols):
        if f in taken:
            continue
        v = {f: int(d)}
        for i, pc in enumerate(pivots):
            if table[i][f] != 0:
                v[pc] = -int(table[i][f])
        out.append(v)
    return out


def _clusters(columns: list):
    """Group ``(ℓ, j, k, support bitmask)`` columns whose supports share a point (union–find over
    the points): ``[(sorted points, [(ℓ, j, k), …]), …]``."""
    parent = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for *_col, s in columns:
        pts = _bits(s)
        r = find(pts[0])
        for x in pts[1:]:
            q = find(x)
            if q != r:
                parent[q] = r
    groups: dict = {}
    for *col, s in columns:
        root = find(_bits(s)[0])
        pts, cols = groups.setdefault(root, (set(), []))
        pts.update(_bits(s))
        cols.append(tuple(col))
    return [(sorted(pts), cols) for pts, cols in groups.values()]


# ---------------------------------------------------------------------------------------------
# exact verification: J v = 0 by forward mode
# ---------------------------------------------------------------------------------------------


def verify_kernel(fwd: BatchForward, vectors: Sequence[dict], deadline: Deadline = NO_DEADLINE) -> int | None:
    """The index of the first vector with ``J v ≠ 0`` at some batch point, or ``None`` when every
    ``J v = 0`` (exact integer arithmetic).

    Forward mode with integer scalings: with ``V^ℓ`` the rows of ``v`` on layer ``ℓ`` (one row per
    neuron: weights then bias), ``Y^{ℓ+1} = s_ℓ·V^ℓ·acts[ℓ] + (s_ℓ W^ℓ)·(mask ⊙ Y^ℓ)`` is the positive
    multiple ``P_{ℓ+1} q_x`` of the tangent ``ż^{ℓ+1}(x)`` of the preactivations at every point
    (``Y = 0`` below the lowest layer of ``v``). Above the highest layer ``h`` of ``v`` the tangent
    only propagates, so ``J v(x) = δ^h(x)·ż^{h+1}(x)``: it is zero where every neuron with a
    non-zero tangent has ``δ^h_{·i}(x) = 0``, and is otherwise computed exactly.
    """
    infl_cache: dict = {}
    for index, v in enumerate(vectors):
        deadline.check("the kernel verification")
        if not _annihilated(fwd, v, infl_cache):
            return index
    return None


def _annihilated(fwd: BatchForward, v: dict, infl_cache: dict) -> bool:
    cnet = fwd.cnet
    widths, depth, N = cnet.widths, fwd.depth, fwd.points
    by_layer: dict = {}
    for q, val in v.items():
        if not val:
            continue
        li, i, j = _column_position(cnet, q)
        by_layer.setdefault(li, {}).setdefault(i, [0] * (widths[li] + 1))[j] = int(val)
    if not by_layer:
        return True
    lo, hi = min(by_layer), max(by_layer)
    Y: dict = {}  # neuron of layer li+1 -> list over points (masked for hidden layers)
    for li in range(lo, hi + 1):
        rows: dict = {}
        own = by_layer.get(li, {})
        if own:
            idx = sorted(own)
            U = fmpz_mat([own[i] for i in idx]) * fwd.acts[li]
            s = cnet.scales[li]
            for i, r in zip(idx, U.tolist()):
                rows[i] = [s * t for t in r]
        if Y:
            prev = sorted(Y)
            W = cnet.weight_rows[li]
            Wsub = fmpz_mat([[W[i][j] for j in prev] for i in range(widths[li + 1])])
            P = (Wsub * fmpz_mat([Y[j] for j in prev])).tolist()
            for i, r in enumerate(P):
                if i in rows:
                    rows[i] = [a + b for a, b in zip(rows[i], r)]
                elif any(r):
                    rows[i] = r
        hidden = li < depth - 1
        Y = {}
        for i, r in rows.items():
            if hidden:
                r = [t if pat[li][i] == 1 else 0 for t, pat in zip(r, fwd.patterns)]
            if any(r):
                Y[i] = r
        if not Y and li == hi:
            return True
    if hi == depth - 1:
        return not Y
    for x in range(N):
        live = [i for i, r in Y.items() if r[x] != 0]
        if not live:
            continue
        pat = fwd.patterns[x]
        key = (pat, hi)
        if key not in infl_cache:
            rows = fwd.deltas[pat][hi].tolist()
            infl_cache[key] = (rows, [any(r[j] != 0 for r in rows) for j in range(widths[hi + 1])])
        d, flags = infl_cache[key]
        if not any(flags[i] for i in live):
            continue
        if any(sum(r[i] * Y[i][x] for i in live) != 0 for r in d):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# rank and pivots of the kernel vectors
# ---------------------------------------------------------------------------------------------


def kernel_pivots(vectors: Sequence[dict], D: int, p: int) -> tuple[int, ...]:
    """The pivot columns of the echelon form modulo the prime ``p`` of the integer vectors (their
    number is ``rank_p ≤ rank_Q``; see the module docstring for why these columns of ``J`` can be
    dropped)."""
    if not vectors:
        return ()
    flat = [0] * (len(vectors) * D)
    for r, v in enumerate(vectors):
        base = r * D
        for q, val in v.items():
            flat[base + q] = int(val) % p
    red, rank = nmod_mat(len(vectors), D, flat, p).rref()
    pivots, col = [], 0
    for i in range(rank):
        while int(red[i, col]) == 0:
            col += 1
        pivots.append(col)
        col += 1
    return tuple(pivots)


__all__ = ["BatchForward", "FAMILIES", "RARE_POINTS", "batch_forward", "kernel_pivots", "known_kernel", "verify_kernel"]
