"""Equitable ordered partitions of the hidden units (colour refinement; docs/symmetry.md §2).

An *ordered partition* gives, for every hidden layer, an ordered tuple of cells (tuples of
collapsed unit indices). It is refined until it is *equitable*: two units of one cell see the
same multiset of labels towards every cell of the neighbouring layers. Signatures used to split
a cell are invariant under the group:

* towards a fixed layer (inputs, outputs): the row (column) itself;
* towards a discrete hidden layer: the row read in the cell order;
* otherwise: per neighbour cell, the sorted labels on the edges into that cell;

and, for odd σ, labels are absolute values (invariant under every sign flip). Cells are
replaced by their parts ordered by decreasing signature. The initial partition orders every
layer by decreasing bias (``|b|`` for odd σ), then by increasing twin multiplicity, so an
equitable partition always lists the units of a layer with non-increasing bias keys.

Everything here is a function of the labels and of the positions of cells only, so refining
``g·θ`` gives ``g`` applied to the refinement of ``θ`` (the invariance the search relies on).
One pass over layer ``l`` costs ``O((d_{l-1} + d_{l+1}) · n log n)`` for the ``n`` units in
non-singleton cells; a layer is re-examined only when a neighbouring layer was split.
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


def _view(vec: tuple, layer_cells) -> tuple:
    """``vec`` (indexed by the units of a neighbouring layer) read through its ordered cells."""
    if layer_cells is None:
        return vec
    if all(len(c) == 1 for c in layer_cells):
        return tuple(vec[c[0]] for c in layer_cells)
    return tuple(vec[c[0]] if len(c) == 1 else tuple(sorted(vec[j] for j in c)) for c in layer_cells)


def _split_layer(labels: Labels, cells: Cells, l: int, L: int) -> tuple | None:
    """Layer ``l`` (0-based hidden index) with every cell split by signature; ``None`` if unchanged."""
    prev = cells[l - 1] if l > 0 else None
    nxt = cells[l + 1] if l + 1 < L else None
    rows = cols = None
    new_layer, changed = [], False
    for cell in cells[l]:
        if len(cell) == 1:
            new_layer.append(cell)
            continue
        if rows is None:
            rows, cols = labels.rows(l), labels.cols(l + 1)
        # sort by signature (decreasing) and group equal neighbours: comparisons only, no hashing
        sigs = sorted(((_view(rows[u], prev), _view(cols[u], nxt)), u) for u in cell)
        sigs.reverse()
        parts, current = [], [sigs[0][1]]
        for (a, _), (b, u) in zip(sigs, sigs[1:]):
            if a == b:
                current.append(u)
            else:
                parts.append(tuple(current))
                current = [u]
        parts.append(tuple(current))
        if len(parts) == 1:
            new_layer.append(cell)
            continue
        changed = True
        new_layer.extend(parts)
    return tuple(new_layer) if changed else None


def refine(labels: Labels, cells: Cells, dirty, deadline: Deadline = NO_DEADLINE) -> Cells:
    """The coarsest equitable refinement of ``cells``, re-examining the layers in ``dirty`` (0-based)
    and, transitively, the neighbours of every layer that splits."""
    L = len(cells)
    cells = list(cells)
    todo = set(d for d in dirty if 0 <= d < L)
    while todo:
        deadline.check("colour refinement")
        l = min(todo)
        todo.discard(l)
        new = _split_layer(labels, cells, l, L)
        if new is not None:
            cells[l] = new
            todo.update(x for x in (l - 1, l + 1) if 0 <= x < L)
    return tuple(cells)


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
