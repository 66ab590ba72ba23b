"""`symmetry/refinement.py`: refinement ends in an *equitable* ordered partition of the hidden units
(docs/symmetry.md §2): two units of one cell carry the same initial key and see the same multiset
of labels towards every cell of the neighbouring layers (inputs and outputs are singleton cells)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings

from exactnet.symmetry.refinement import Labels, initial_partition, is_discrete, refine
from exactnet.symmetry.structure import collapse
from tests.symmetry.strategies import tied_networks


def _neighbour_cells(col, cells, l):
    """The cells of the layers before and after hidden layer ``l`` (0-based), as lists of units."""
    before = [(j,) for j in range(col.input_dim)] if l == 0 else list(cells[l - 1])
    after = [(i,) for i in range(col.output_dim)] if l == col.depth - 1 else list(cells[l + 1])
    return before, after


def _signature(labels, col, cells, l, u):
    before, after = _neighbour_cells(col, cells, l)
    rows_in, rows_out = labels.rows(l), labels.rows(l + 1)
    into = tuple(tuple(sorted(Counter(rows_in[u][j] for j in c).items(), key=repr)) for c in before)
    out = tuple(tuple(sorted(Counter(rows_out[i][u] for i in c).items(), key=repr)) for c in after)
    return labels.keys[l][u], into, out


@settings(max_examples=60, deadline=None)
@given(tied_networks())
def test_refinement_is_an_equitable_ordered_partition(net):
    col = collapse(net)
    labels = Labels.of(col)
    cells = refine(labels, initial_partition(col, labels), "all")
    assert len(cells) == col.depth
    for l in range(col.depth):
        units = [u for c in cells[l] for u in c]
        assert sorted(units) == list(range(col.sizes[l]))          # a partition of the layer
        for cell in cells[l]:
            sigs = {_signature(labels, col, cells, l, u) for u in cell}
            assert len(sigs) == 1, (l, cell, sigs)                 # equitable


@settings(max_examples=40, deadline=None)
@given(tied_networks())
def test_refinement_only_splits_the_initial_cells(net):
    col = collapse(net)
    labels = Labels.of(col)
    start = initial_partition(col, labels)
    cells = refine(labels, start, "all")
    for l in range(col.depth):
        owner = {u: k for k, c in enumerate(start[l]) for u in c}
        positions = [owner[c[0]] for c in cells[l]]
        assert all(len({owner[u] for u in c}) == 1 for c in cells[l])   # each cell inside one start cell
        assert positions == sorted(positions)                          # and in the start cells' order
    if all(len(c) == 1 for layer in start for c in layer):
        assert is_discrete(cells)
