"""The layered structure the symmetry group acts on, with twin units collapsed (docs/symmetry.md §2).

A network with hidden widths ``d_1..d_L`` is a layered, edge-labelled graph: inputs (layer 0) and
outputs (layer ``L+1``) are fixed vertices, every hidden unit is a vertex labelled by its bias,
and every weight labels the edge between two consecutive layers. The stabilizer of ``θ`` is the
group of layer-preserving (signed, for odd σ) permutations of the hidden units that preserve all
labels.

**Twins.** Two units ``u, v`` of one hidden layer are *twins* if ``(b_v, W_in[v,:], W_out[:,v]) =
s·(b_u, W_in[u,:], W_out[:,u])`` with ``s = 1`` (``s = ±1`` for odd σ). Swapping twins (with the sign
``s``) fixes ``θ``, the twin relation is invariant under the group, and collapsing every twin class
to one unit whose multiplicity becomes part of its label gives a structure ``θ̄`` with no twins and

    |Stab(θ)| = |Aut(θ̄)| · Π_classes m_c! · Π_{all-zero classes, odd σ} 2^{m_c}

(every automorphism of ``θ̄`` lifts; the kernel permutes inside classes, with free signs only for
all-zero units). This removes the cost of large blocks of duplicated units before any search.
"""

from __future__ import annotations

from dataclasses import dataclass


from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline
from ..network import Network
from ..numbers import sign
from .groups import ODD_ACTIVATIONS

ZERO = fmpq(0)


def _normalize_sign(data: tuple) -> tuple[tuple, int, bool]:
    """``(s·data, s, is_zero)`` with ``s = ±1`` making the first non-zero entry positive."""
    for v in data:
        if v != 0:
            if sign(v) < 0:
                return tuple(-x for x in data), -1, False
            return data, 1, False
    return data, 1, True


@dataclass(frozen=True)
class Collapsed:
    """``θ̄``: ``matrices[k][i][j]`` and ``biases[k][i]`` for ``k = 0..L`` (rows: units of layer ``k+1``,
    columns: units of layer ``k``; hidden units are twin classes), the multiplicities, the members
    ``(original index, relative sign)`` of every class, and which classes are all-zero."""

    signed: bool
    input_dim: int
    output_dim: int
    matrices: tuple[tuple[tuple, ...], ...]
    biases: tuple[tuple, ...]
    members: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]
    zero: tuple[tuple[bool, ...], ...]

    @property
    def depth(self) -> int:
        return len(self.matrices) - 1

    @property
    def sizes(self) -> tuple[int, ...]:
        """Collapsed hidden widths."""
        return tuple(len(m) for m in self.members)

    def multiplicity(self, layer: int, c: int) -> int:
        """``layer`` is 1-based (hidden layers ``1..L``)."""
        return len(self.members[layer - 1][c])

    def column(self, k: int, j: int) -> tuple:
        return tuple(row[j] for row in self.matrices[k])


def _unit_data(inc, nxt, u: int) -> tuple:
    return (inc.bias[u],) + inc.weight[u] + tuple(row[u] for row in nxt.weight)


def _unit_sign(inc, nxt, u: int) -> int:
    """The sign of the first non-zero entry of the unit's data (``+1`` if all are zero)."""
    if inc.bias[u] != 0:
        return sign(inc.bias[u])
    for v in inc.weight[u]:
        if v != 0:
            return sign(v)
    for row in nxt.weight:
        if row[u] != 0:
            return sign(row[u])
    return 1


def _layer_classes(inc, nxt, signed: bool):
    """Twin classes of one hidden layer: ``(members, is_zero)`` per class.

    Units are first sorted by their bias (``|b|`` for odd σ); only runs of equal keys are compared
    in full (sorting by the sign-normalized data, then grouping equal neighbours), so generic
    layers cost ``O(d log d)`` comparisons and no hashing."""
    d = inc.out_dim
    keys = [abs(b) if signed else b for b in inc.bias]
    order = sorted(range(d), key=keys.__getitem__)
    classes = []
    i = 0
    while i < d:
        j = i + 1
        while j < d and keys[order[j]] == keys[order[i]]:
            j += 1
        run = order[i:j]
        if len(run) == 1:
            u = run[0]
            s = _unit_sign(inc, nxt, u) if signed else 1
            zero = keys[u] == 0 and all(v == 0 for v in _unit_data(inc, nxt, u))
            classes.append((((u, s),), zero))
        else:
            datas = []
            for u in run:
                data = _unit_data(inc, nxt, u)
                s, zero = 1, all(v == 0 for v in data)
                if signed and not zero:
                    data, s, zero = _normalize_sign(data)
                datas.append((data, u, s, zero))
            datas.sort(key=lambda t: t[0])
            k = 0
            while k < len(datas):
                m = k + 1
                while m < len(datas) and datas[m][0] == datas[k][0]:
                    m += 1
                group = sorted(datas[k:m], key=lambda t: t[1])
                classes.append((tuple((t[1], t[2]) for t in group), group[0][3]))
                k = m
        i = j
    classes.sort(key=lambda c: c[0][0][0])  # by first member index (any fixed order will do)
    return classes


def collapse(net: Network, deadline: Deadline = NO_DEADLINE) -> Collapsed:
    """Collapse the twin classes of ``net`` (see the module docstring)."""
    signed = net.activation in ODD_ACTIVATIONS
    L = net.depth
    layers = net.layers
    members_all, zero_all = [], []
    for l in range(1, L + 1):
        deadline.check("twin detection")
        classes = _layer_classes(layers[l - 1], layers[l], signed)
        members_all.append(tuple(c for c, _ in classes))
        zero_all.append(tuple(z for _, z in classes))
    reps = [[cls[0][0] for cls in layer] for layer in members_all]
    rel = [[cls[0][1] for cls in layer] for layer in members_all]
    trivial = [len(reps[l]) == net.hidden_widths[l] and all(s == 1 for s in rel[l]) for l in range(L)]
    matrices, biases = [], []
    for k, layer in enumerate(layers):
        rows_trivial = k == L or trivial[k]
        cols_trivial = k == 0 or trivial[k - 1]
        if rows_trivial and cols_trivial:
            matrices.append(layer.weight)
            biases.append(layer.bias)
            continue
        rows = reps[k] if k < L else list(range(layer.out_dim))
        rsign = rel[k] if k < L else [1] * layer.out_dim
        cols = reps[k - 1] if k > 0 else list(range(layer.in_dim))
        csign = rel[k - 1] if k > 0 else [1] * layer.in_dim
        all_plus = all(s == 1 for s in csign)
        mat = []
        for i, si in zip(rows, rsign):
            row = layer.weight[i]
            if si == 1 and all_plus:
                mat.append(tuple(row[j] for j in cols))
            else:
                mat.append(tuple(row[j] if si * sj == 1 else -row[j] for j, sj in zip(cols, csign)))
        matrices.append(tuple(mat))
        biases.append(tuple(layer.bias[i] if si == 1 else -layer.bias[i] for i, si in zip(rows, rsign)))
    return Collapsed(signed, net.input_dim, net.output_dim, tuple(matrices), tuple(biases),
                     tuple(members_all), tuple(zero_all))


def free_components(col: Collapsed, skip_zero: bool = True) -> list[list[tuple[int, int]]]:
    """Connected components of the non-zero-entry graph on hidden classes that do not reach the
    fixed vertices (inputs, outputs, biases). Negating (ReLU: scaling) such a component as a
    whole fixes ``θ̄``. All-zero classes are skipped when ``skip_zero`` (their freedom is counted
    separately). Returns lists of ``(layer, class)`` with 1-based layers."""
    L = col.depth
    offsets, total = [], 0
    for n in col.sizes:
        offsets.append(total)
        total += n
    ONE = total
    parent = list(range(total + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for k in range(L + 1):
        mat, bias = col.matrices[k], col.biases[k]
        for i, row in enumerate(mat):
            a = offsets[k] + i if k < L else ONE
            if k < L and bias[i] != 0:
                union(a, ONE)
            for j, v in enumerate(row):
                if v != 0:
                    union(a, offsets[k - 1] + j if k > 0 else ONE)
    comps: dict = {}
    root_one = find(ONE)
    for l in range(L):
        for c in range(col.sizes[l]):
            if skip_zero and col.zero[l][c]:
                continue
            r = find(offsets[l] + c)
            if r != root_one:
                comps.setdefault(r, []).append((l + 1, c))
    return list(comps.values())


__all__ = ["Collapsed", "collapse", "free_components"]
