"""Folding stable neurons away (docs/relu.md § Stable neurons; Serra, Kumar & Ramalingam 2020,
"Lossless compression of deep neural networks").

Given the verdicts of :mod:`exactnet.relu.stable_neurons` on a domain ``D``, the network is
rewritten, layer by layer, into one that computes the same function *on ``D``*:

* an **inactive** unit (``z_j ≤ 0`` on ``D``) outputs ``relu(z_j) = 0`` there: it is deleted with
  its outgoing column;
* if **every** unit of a hidden layer is active (``z ≥ 0`` on ``D``), the layer is the affine map
  ``h = W h' + b`` there and composes with the next one: ``(V, c) ∘ (W, b) = (V W, V b + c)``,
  which removes the layer (kept when it is the only hidden layer left);
* a layer left without units keeps one blank unit (zero weights, bias and outgoing column);
* otherwise, an active unit whose incoming weights are a linear combination of other active units'
  (``w_j = Σ α_i w_i``) has ``relu(z_j) = z_j = Σ α_i z_i + β = Σ α_i relu(z_i) + β`` on ``D`` with
  ``β = b_j − Σ α_i b_i``: its outgoing column is added to the basis units' columns (times
  ``α_i``) and ``β·column`` to the next bias, and it is deleted. (Active units of a partly active
  layer cannot be folded further without skip connections, which the network format lacks.)

The preactivations of all remaining units are unchanged functions on ``D``, so the verdicts of
later layers stay valid through the rewriting. Undecided and ``both`` units are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq, fmpq_mat

from ..network import Layer, Network
from .stable_neurons import ACTIVE, INACTIVE, StableAnalysis


@dataclass(frozen=True)
class StableFold:
    """The rewritten network (equal to the original on the domain) and what was done, with units
    named ``(hidden layer, unit)`` of the original network."""

    network: Network
    removed_inactive: tuple[tuple[int, int], ...]
    merged_active: tuple[tuple[int, int], ...]
    folded_layers: tuple[int, ...]
    #: per merged unit: ``(unit, ((basis unit, α), ...))`` with ``w_unit = Σ α·w_basis`` (original names)
    merges: tuple = ()


def _blank(layers: list, h: int, input_dim: int, names: list) -> None:
    """Give an emptied hidden layer one unit with zero weights, bias and outgoing column."""
    n_in = len(layers[h - 1][0]) if h > 0 else input_dim
    layers[h][0].append([fmpq(0)] * n_in)
    layers[h][1].append(fmpq(0))
    for row in layers[h + 1][0]:
        row.append(fmpq(0))
    names.append(None)


def _drop_unit(layers: list, h: int, j: int) -> None:
    W, b = layers[h]
    V, _ = layers[h + 1]
    del W[j]
    del b[j]
    for row in V:
        del row[j]


def fold_stable(net: Network, analysis: StableAnalysis) -> StableFold:
    """Apply the rewriting of the module docstring to ``net`` with the verdicts of ``analysis``."""
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    grid = {(u.layer, u.unit): u.verdict for u in analysis.units}
    names = [[(h, j) for j in range(w)] for h, w in enumerate(net.hidden_widths)]
    removed, merged, folded, merges = [], [], [], []
    h = 0
    while h < len(layers) - 1:
        W, b = layers[h]
        kinds = [grid.get(name) for name in names[h]]
        for j in reversed(range(len(W))):
            if kinds[j] == INACTIVE:
                removed.append(names[h][j])
                _drop_unit(layers, h, j)
                del names[h][j], kinds[j]
        if not W:  # every unit inactive: the next layer sees constants; keep one blank unit
            _blank(layers, h, net.input_dim, names[h])
            h += 1
            continue
        if all(k == ACTIVE for k in kinds) and len(layers) > 2:
            V, c = layers[h + 1]
            Vm = fmpq_mat(len(V), len(W), [v for r in V for v in r])
            Wm = fmpq_mat(len(W), len(W[0]), [v for r in W for v in r])
            P = Vm * Wm
            shift = Vm * fmpq_mat(len(b), 1, b)
            entries = P.entries()
            cols = P.ncols()
            layers[h + 1] = ([list(entries[i * cols:(i + 1) * cols]) for i in range(len(V))],
                             [c[i] + shift[i, 0] for i in range(len(c))])
            del layers[h]
            folded.append(names[h][0][0])
            del names[h]
            continue
        active = [j for j, k in enumerate(kinds) if k == ACTIVE]
        if len(active) > 1:
            for name, combo in _merge_dependent(layers, h, active, names[h]):
                merged.append(name)
                merges.append((name, combo))
            if not W:  # constant active units all merged into the next bias
                _blank(layers, h, net.input_dim, names[h])
        h += 1
    out = Network("relu", tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
    return StableFold(out, tuple(sorted(removed)), tuple(sorted(merged)), tuple(folded), tuple(merges))


def _merge_dependent(layers: list, h: int, active: list[int], names: list) -> list:
    """Merge the active units whose incoming rows depend linearly on other active rows."""
    W, b = layers[h]
    V, c = layers[h + 1]
    n_in = len(W[0])
    M = fmpq_mat(n_in, len(active), [W[j][i] for i in range(n_in) for j in active])
    R, rank = M.rref()
    if rank == len(active):
        return []
    pivots = []
    for t in range(rank):
        pivots.append(next(k for k in range(len(active)) if R[t, k] != 0))
    gone, combos = [], {}
    for k in range(len(active)):
        if k in pivots:
            continue
        j = active[k]
        alpha = [R[t, k] for t in range(rank)]
        beta = b[j] - sum((a * b[active[p]] for a, p in zip(alpha, pivots)), fmpq(0))
        for o, row in enumerate(V):
            col = row[j]
            if col == 0:
                continue
            for a, p in zip(alpha, pivots):
                if a != 0:
                    row[active[p]] += a * col
            if beta != 0:
                c[o] += beta * col
            row[j] = fmpq(0)
        gone.append(j)
        combos[j] = tuple((names[active[p]], a) for a, p in zip(alpha, pivots) if a != 0)
    out = []
    for j in sorted(gone, reverse=True):
        out.append((names[j], combos[j]))
        _drop_unit(layers, h, j)
        del names[j]
    return out


__all__ = ["StableFold", "fold_stable"]
