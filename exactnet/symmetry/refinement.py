"""Equitable ordered partitions of the hidden units (colour refinement; docs/symmetry.md §2).

An *ordered partition* gives, for every hidden layer, an ordered tuple of cells (tuples of
collapsed unit indices). It is refined until it is *equitable*: two units of one cell see the
same multiset of labels towards every cell of the neighbouring layers. Signatures used to split
a cell are invariant under the group:

* the labels of the edges into a cell of a neighbouring layer, sorted (inputs and outputs are
  fixed: each one is a cell of its own);

and, for odd σ, labels are absolute values (invariant under every sign flip). Cells are
replaced by their parts ordered by decreasing signature. The initial partition orders every
layer by decreasing bias (``|b|`` for odd σ), then by increasing twin multiplicity, so an
equitable partition always lists the units of a layer with non-increasing bias keys.

Refinement is driven by *splitters* (:func:`refine`): cells whose edges into a neighbouring layer
are used to split that layer's cells, as in Hopcroft's partition refinement and nauty; each unit
acts in ``O(log n)`` splitters, so a refinement costs ``O(E log n)`` comparisons of exact numbers for
``E`` edges touching non-singleton cells.

Everything here is a function of the labels and of the positions of cells only (cells are
processed in position order, the splitter queue is first-in first-out), so refining ``g·θ``
gives ``g`` applied to the refinement of ``θ``: the invariance the search relies on.
"""

from __future__ import annotations

from ..deadline import NO_DEADLINE, Deadline
from .structure import Collapsed

Cells = tuple  # tuple over hidden layers of tuples of cells (tuples of unit indices)


class Labels:
    """The labels refinement compares: rows and columns of every matrix of ``θ̄`` (absolute values
    for odd σ, computed lazily per matrix) and the initial key ``(−bias, multiplicity)`` of every
    hidden unit."""

    def __init__(self, col: Collapsed):
        self.col = col
        self._rows: dict = {}
        self._cols: dict = {}
        keys = []
        for l in range(col.depth):
            bias = col.biases[l]
            keys.append(tuple(
                (-(abs(bias[c]) if col.signed else bias[c]), len(col.members[l][c])) for c in range(col.sizes[l])
            ))
        self.keys = tuple(keys)

    @classmethod
    def of(cls, col: Collapsed) -> "Labels":
        return cls(col)

    def rows(self, k: int) -> tuple:
        if k not in self._rows:
            mat = self.col.matrices[k]
            self._rows[k] = tuple(tuple(abs(v) for v in row) for row in mat) if self.col.signed else mat
        return self._rows[k]

    def cols(self, k: int) -> tuple:
        if k not in self._cols:
            self._cols[k] = tuple(zip(*self.rows(k)))
        return self._cols[k]


def initial_partition(col: Collapsed, labels: Labels) -> Cells:
    """Every layer ordered by the key ``(−bias, multiplicity)`` (``−|bias|`` for odd σ)."""
    out = []
    for l in range(col.depth):
        keys = labels.keys[l]
        units = sorted(range(col.sizes[l]), key=lambda c: keys[c])
        cells, current, last = [], [], None
        for c in units:
            if current and keys[c] != last:
                cells.append(tuple(current))
                current = []
            current.append(c)
            last = keys[c]
        if current:
            cells.append(tuple(current))
        out.append(tuple(cells))
    return tuple(out)


def is_discrete(cells: Cells) -> bool:
    return all(len(c) == 1 for layer in cells for c in layer)


class _Layers:
    """A mutable ordered partition: per layer the units in cell order (``lab``), the start of every
    unit's cell and the end of every cell (cells are the ranges ``[start, end)`` of ``lab``)."""

    def __init__(self, cells: Cells):
        self.lab, self.start_of, self.end, self.nonsingle = [], [], [], []
        for layer in cells:
            lab, end, nonsingle = [], {}, set()
            start_of = {}
            for cell in layer:
                a = len(lab)
                lab.extend(cell)
                end[a] = len(lab)
                for u in cell:
                    start_of[u] = a
                if len(cell) > 1:
                    nonsingle.add(a)
            self.lab.append(lab)
            self.start_of.append(start_of)
            self.end.append(end)
            self.nonsingle.append(nonsingle)

    def cells(self) -> Cells:
        out = []
        for lab, end in zip(self.lab, self.end):
            layer, a = [], 0
            while a < len(lab):
                b = end[a]
                layer.append(tuple(lab[a:b]))
                a = b
            out.append(tuple(layer))
        return tuple(out)

    def split(self, t: int, a: int, key) -> list[tuple[int, int]] | None:
        """Split the cell at ``a`` of layer ``t`` by ``key(u)``, parts by decreasing key; ``None`` if
        the cell does not split, else the parts as ``(start, size)``."""
        lab = self.lab[t]
        b = self.end[t][a]
        items = sorted(((key(u), u) for u in lab[a:b]), key=lambda kv: kv[0], reverse=True)
        if items[0][0] == items[-1][0]:
            return None
        parts, current = [], [items[0][1]]
        for (k0, _), (k1, u) in zip(items, items[1:]):
            if k1 == k0:
                current.append(u)
            else:
                parts.append(current)
                current = [u]
        parts.append(current)
        out, pos = [], a
        start_of, end, nonsingle = self.start_of[t], self.end[t], self.nonsingle[t]
        nonsingle.discard(a)
        for part in parts:
            lab[pos:pos + len(part)] = part
            end[pos] = pos + len(part)
            for u in part:
                start_of[u] = pos
            if len(part) > 1:
                nonsingle.add(pos)
            out.append((pos, len(part)))
            pos += len(part)
        return out


def refine(labels: Labels, cells: Cells, splitters, deadline: Deadline = NO_DEADLINE) -> Cells:
    """The coarsest equitable refinement of ``cells`` that the given splitters lead to.

    ``splitters``: ``"all"`` (every cell, input and output: a refinement from scratch) or a list of
    ``(layer, unit)`` — the singleton cells just created by individualization (the rest of a split
    cell need not be used: stability with respect to a cell and to a part implies stability with
    respect to the other part, since the signatures are multisets). Splitting a cell ``W`` of layer
    ``l`` refines the neighbouring layers by the sorted labels of the edges into ``W``; new parts
    become splitters (all but the first largest one, unless the old cell was still waiting, as in
    Hopcroft's algorithm), so every unit acts in ``O(log n)`` splitters."""
    from collections import deque

    L = len(cells)
    if L == 0:
        return cells
    state = _Layers(cells)
    col = labels.col
    queue: deque = deque()
    waiting: set = set()
    if splitters == "all":
        queue.extend(("in", j) for j in range(col.input_dim))
        queue.extend(("out", o) for o in range(col.output_dim))
        for l in range(L):
            for a in sorted(state.end[l]):
                queue.append(("h", l, a))
                waiting.add((l, a))
    else:
        for l, v in splitters:
            a = state.start_of[l][v]
            queue.append(("h", l, a))
            waiting.add((l, a))
    count = 0
    while queue:
        count += 1
        if count % 64 == 0:
            deadline.check("colour refinement")
        item = queue.popleft()
        targets = []
        if item[0] == "in":
            j = item[1]
            rows = labels.rows(0)
            targets.append((0, lambda u, rows=rows, j=j: rows[u][j]))
        elif item[0] == "out":
            o = item[1]
            cols = labels.cols(L)
            targets.append((L - 1, lambda u, cols=cols, o=o: cols[u][o]))
        else:
            _, l, a = item
            if (l, a) not in waiting:
                continue
            waiting.discard((l, a))
            W = tuple(state.lab[l][a:state.end[l][a]])
            if l + 1 < L:
                rows = labels.rows(l + 1)
                targets.append((l + 1, _edge_key(rows, W)))
            if l > 0:
                cols = labels.cols(l)
                targets.append((l - 1, _edge_key(cols, W)))
        for t, key in targets:
            for a_t in sorted(state.nonsingle[t]):
                parts = state.split(t, a_t, key)
                if parts is None:
                    continue
                if (t, a_t) in waiting:
                    new = parts[1:]
                else:
                    largest = max(range(len(parts)), key=lambda i: (parts[i][1], -i))
                    new = [p for i, p in enumerate(parts) if i != largest]
                for start, _size in new:
                    queue.append(("h", t, start))
                    waiting.add((t, start))
    return state.cells()


def _edge_key(vectors, W: tuple):
    """``u ↦`` the labels of the edges from ``u`` into the cell ``W`` (one value, or sorted)."""
    if len(W) == 1:
        w = W[0]
        return lambda u: vectors[u][w]
    return lambda u: tuple(sorted(vectors[u][w] for w in W))


def individualize(cells: Cells, l: int, ci: int, v: int) -> Cells:
    """Cell ``ci`` of layer ``l`` split into ``(v,)`` followed by the rest."""
    layer = cells[l]
    cell = layer[ci]
    rest = tuple(x for x in cell if x != v)
    new_layer = layer[:ci] + ((v,), rest) + layer[ci + 1:]
    return cells[:l] + (new_layer,) + cells[l + 1:]


def target_cell(cells: Cells) -> tuple[int, int] | None:
    """The first non-singleton cell (lowest layer first), or ``None`` if the partition is discrete."""
    for l, layer in enumerate(cells):
        for ci, c in enumerate(layer):
            if len(c) > 1:
                return l, ci
    return None


__all__ = ["Cells", "Labels", "individualize", "initial_partition", "is_discrete", "refine", "target_cell"]
