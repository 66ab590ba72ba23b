"""Individualization–refinement search: canonical labelling and automorphisms (docs/symmetry.md §2).

The search tree of the collapsed structure ``θ̄`` (:mod:`.structure`): the root is the equitable
refinement of the initial partition; a node whose partition is not discrete has one child per
unit ``w`` of its first non-singleton cell (``w`` individualized, then refined); a leaf (discrete
partition) orders every hidden layer and so defines a permutation ``λ``. For odd σ the signs are
then chosen greedily to make the parameter vector of ``λ·θ̄`` lexicographically largest (reading
order: for each layer ``k = 0..L`` its biases, then its weight rows; see :func:`leaf_signs`).
The tree is invariant under the group, so

* the **canonical form** is the largest leaf vector over the whole tree (invariant under ``G``);
* two leaves with equal vectors give an **automorphism** (an element of the stabilizer).

Pruning (exact, as in nauty): a child ``w`` is skipped when an automorphism already found fixes
the path to the node and maps ``w`` to an explored sibling (same leaf vectors below). On the
first path, the orbit of the individualized unit under the automorphisms fixing the path so far
is complete once every sibling has been examined, and

    |Aut(θ̄)| = Π (orbit sizes along the first path) · |Aut at the first leaf|,

where the last factor (pure sign flips, odd σ) is ``2^{#free components}`` (:func:`~.structure.free_components`).

Cost: one refinement (about one pass over the parameters) per node. Generic parameters give a
discrete root (one node: near-linear time); planted duplicates are removed by the twin collapse;
what remains (units with equal labels that only a global matching tells apart) may need many
nodes — exponential in the worst case, since the problem contains bipartite graph isomorphism.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..deadline import NO_DEADLINE, Deadline
from ..numbers import sign
from .groups import GroupElement, LayerAction
from .refinement import Labels, individualize, initial_partition, refine, target_cell
from .structure import Collapsed


@dataclass(frozen=True)
class Leaf:
    order: tuple[tuple[int, ...], ...]   # per hidden layer: collapsed units in canonical position order
    signs: tuple[tuple[int, ...], ...]   # per hidden layer, indexed by collapsed unit: ±1
    vector: tuple

    def element(self) -> GroupElement:
        """The collapsed group element ``(λ, s)`` with ``(λ, s)·θ̄`` = this leaf's network."""
        return GroupElement(tuple(
            LayerAction(order, tuple(signs[c] for c in order)) for order, signs in zip(self.order, self.signs)
        ))


def leaf_signs(col: Collapsed, order) -> tuple[tuple[int, ...], ...]:
    """Signs making the leaf vector lexicographically largest (all ``+1`` unless σ is odd).

    Greedy in reading order with a parity union–find: an entry ``s_a s_b v ≠ 0`` whose two units are
    not yet related fixes ``s_a s_b = sign(v)`` (the entry becomes ``|v|``, the best possible, without
    changing any earlier entry). Components never linked to a fixed vertex keep ``+1`` at their root;
    negating them changes no entry."""
    sizes = col.sizes
    if not col.signed:
        return tuple((1,) * n for n in sizes)
    offsets, total = [], 0
    for n in sizes:
        offsets.append(total)
        total += n
    ONE = total
    parent = list(range(total + 1))
    parity = [1] * (total + 1)
    size = [1] * (total + 1)

    def find(x):
        p = 1
        root = x
        while parent[root] != root:
            p *= parity[root]
            root = parent[root]
        # path compression
        q = p
        while parent[x] != x:
            nxt, px = parent[x], parity[x]
            parent[x], parity[x] = root, q
            q *= px
            x = nxt
        return root, p

    def link(a, b, v):
        ra, pa = find(a)
        rb, pb = find(b)
        if ra == rb:
            return
        want = sign(v) * pa * pb
        if size[ra] > size[rb]:
            ra, rb = rb, ra
        parent[ra], parity[ra] = rb, want
        size[rb] += size[ra]

    L = col.depth
    for k in range(L + 1):
        rows = order[k] if k < L else range(col.output_dim)
        cols = order[k - 1] if k > 0 else None
        mat, bias = col.matrices[k], col.biases[k]
        if k < L:
            for i in rows:
                if bias[i] != 0:
                    link(offsets[k] + i, ONE, bias[i])
        for i in rows:
            a = offsets[k] + i if k < L else ONE
            row = mat[i]
            if cols is None:
                for v in row:
                    if v != 0:
                        link(a, ONE, v)
                        break  # all later entries of this row are then determined
            else:
                for j in cols:
                    v = row[j]
                    if v != 0:
                        link(a, offsets[k - 1] + j, v)
        if size[find(ONE)[0]] == total + 1:
            break
    root_one, p_one = find(ONE)
    out = []
    for l, n in enumerate(sizes):
        signs = []
        for c in range(n):
            r, p = find(offsets[l] + c)
            signs.append(p * p_one if r == root_one else p)
        out.append(tuple(signs))
    return tuple(out)


def leaf_vector(col: Collapsed, order, signs) -> tuple:
    """The parameters of ``(λ, s)·θ̄`` in reading order (per layer: biases, then rows)."""
    L = col.depth
    out = []
    for k in range(L + 1):
        mat, bias = col.matrices[k], col.biases[k]
        rows = order[k] if k < L else range(col.output_dim)
        cols = order[k - 1] if k > 0 else range(col.input_dim)
        if not col.signed:
            out.extend(bias[i] for i in rows)
            for i in rows:
                row = mat[i]
                out.extend(row[j] for j in cols)
            continue
        rs = signs[k] if k < L else None
        cs = signs[k - 1] if k > 0 else None
        for i in rows:
            si = rs[i] if rs is not None else 1
            out.append(bias[i] if si == 1 else -bias[i])
        for i in rows:
            si = rs[i] if rs is not None else 1
            row = mat[i]
            for j in cols:
                s = si * (cs[j] if cs is not None else 1)
                out.append(row[j] if s == 1 else -row[j])
    return tuple(out)


def make_leaf(col: Collapsed, cells) -> Leaf:
    order = tuple(tuple(c[0] for c in layer) for layer in cells)
    signs = leaf_signs(col, order)
    return Leaf(order, signs, leaf_vector(col, order, signs))


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


@dataclass
class SearchResult:
    best: Leaf
    automorphisms: list = field(default_factory=list)  # collapsed GroupElements fixing θ̄
    orbit_sizes: list = field(default_factory=list)    # along the first path
    nodes: int = 0


class _Search:
    def __init__(self, col: Collapsed, deadline: Deadline):
        self.col = col
        self.deadline = deadline
        self.labels = Labels.of(col)
        self.first: Leaf | None = None
        self.best: Leaf | None = None
        self.auts: list[GroupElement] = []
        self.orbit_sizes: list[int] = []
        self.nodes = 0

    def run(self) -> SearchResult:
        cells = initial_partition(self.col, self.labels)
        cells = refine(self.labels, cells, "all", self.deadline)
        self._descend(cells, (), True)
        return SearchResult(self.best, self.auts, self.orbit_sizes, self.nodes)

    def _orbits(self, prefix, l: int) -> _UnionFind:
        uf = _UnionFind(self.col.sizes[l])
        for g in self.auts:
            if all(g.layers[lp].perm[u] == u for lp, u in prefix):
                for j, p in enumerate(g.layers[l].perm):
                    if p != j:
                        uf.union(j, p)
        return uf

    def _child(self, cells, l, ci, w):
        child = individualize(cells, l, ci, w)
        return refine(self.labels, child, [(l, w)], self.deadline)

    def _descend(self, cells, prefix, first_path: bool) -> bool:
        """Explore a subtree; ``True`` means a leaf equivalent to the first leaf was found (the
        subtree is then an image of the first path's subtree and is abandoned)."""
        self.nodes += 1
        self.deadline.check("the symmetry search")
        t = target_cell(cells)
        if t is None:
            return self._leaf(make_leaf(self.col, cells))
        l, ci = t
        cell = cells[l][ci]
        if first_path:
            v = cell[0]
            self._descend(self._child(cells, l, ci, v), prefix + ((l, v),), True)
            explored = [v]
            known = -1
            for w in cell[1:]:
                if known != len(self.auts):
                    uf, known = self._orbits(prefix, l), len(self.auts)
                    roots = {uf.find(u) for u in explored}
                if uf.find(w) in roots:
                    continue
                explored.append(w)
                roots.add(uf.find(w))
                self._descend(self._child(cells, l, ci, w), prefix + ((l, w),), False)
            uf = self._orbits(prefix, l)
            rv = uf.find(v)
            self.orbit_sizes.append(sum(1 for w in cell if uf.find(w) == rv))
            return False
        explored: list[int] = []
        known, roots = -1, set()
        for w in cell:
            if explored:
                if known != len(self.auts):
                    uf, known = self._orbits(prefix, l), len(self.auts)
                    roots = {uf.find(u) for u in explored}
                if uf.find(w) in roots:
                    continue
            explored.append(w)
            if known == len(self.auts):
                roots.add(uf.find(w))
            if self._descend(self._child(cells, l, ci, w), prefix + ((l, w),), False):
                return True
        return False

    def _automorphism(self, a: Leaf, b: Leaf) -> GroupElement:
        """``(λ_a, s_a)^{-1} ∘ (λ_b, s_b)``: fixes θ̄ when the two leaf vectors are equal."""
        return a.element().inverse().compose(b.element())

    def _leaf(self, leaf: Leaf) -> bool:
        if self.first is None:
            self.first = self.best = leaf
            return False
        if leaf.vector == self.first.vector:
            self.auts.append(self._automorphism(self.first, leaf))
            return True
        if leaf.vector > self.best.vector:
            self.best = leaf
        elif leaf.vector == self.best.vector:
            self.auts.append(self._automorphism(self.best, leaf))
        return False


def search(col: Collapsed, deadline: Deadline = NO_DEADLINE) -> SearchResult:
    """Run the individualization–refinement search on ``θ̄`` (see the module docstring)."""
    return _Search(col, deadline).run()


__all__ = ["Leaf", "SearchResult", "leaf_signs", "leaf_vector", "make_leaf", "search"]
