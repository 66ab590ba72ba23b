"""The symmetry group of an architecture and its action on parameters (docs/symmetry.md §1).

For hidden widths ``d_1, …, d_L`` the discrete group acting on the parameters is

* any activation: ``S_{d_1} × ⋯ × S_{d_L}`` (permute the units of each hidden layer), of order
  ``Π d_l!``;
* odd activations (``tanh``): the hyperoctahedral group ``B_d = {±1}^d ⋊ S_d`` per layer (signed
  permutations, because ``a·tanh(z) = (−a)·tanh(−z)``), of order ``Π 2^{d_l} d_l!``.

Positively homogeneous activations (``relu``) also carry the continuous group of positive
scalings ``(R_{>0})^{Σ d_l}`` (dimension ``Σ d_l``); it is not compact and has no finite order.
Shen (ICML 2024, arXiv 2305.11417) uses the permutation part only.

A :class:`GroupElement` ``g`` acts by: *new unit ``j`` of hidden layer ``l`` is old unit
``perm_l[j]`` times ``sign_l[j]``*, i.e. with ``p_0, p_{L+1}`` the identity and ``s_0 = s_{L+1} = 1``

    W'_k[i][j] = s_{k+1}[i] · s_k[j] · W_k[p_{k+1}[i]][p_k[j]],   b'_k[i] = s_{k+1}[i] · b_k[p_{k+1}[i]].

Every element maps a network to a functionally equivalent one (sign flips only for odd σ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import arb

from ..errors import InputError, UnsupportedError
from ..network import Layer, Network

#: Activations whose hidden units may also be negated (odd σ).
ODD_ACTIVATIONS = ("tanh",)
#: Activations with the continuous positive-scaling symmetry (positively homogeneous σ).
HOMOGENEOUS_ACTIVATIONS = ("relu",)
KNOWN_ACTIVATIONS = ("relu", "tanh")


def check_activation(activation: str) -> str:
    if activation not in KNOWN_ACTIVATIONS:
        raise InputError(f"unknown activation {activation!r}; supported: {', '.join(KNOWN_ACTIVATIONS)}")
    return activation


def check_widths(widths: Sequence) -> tuple[int, ...]:
    """``(d_0, d_1, …, d_{L+1})`` as positive ints (at least input and output)."""
    try:
        ws = tuple(widths)
    except TypeError:
        raise InputError("widths must be a sequence of positive integers") from None
    if len(ws) < 2:
        raise InputError(f"widths need at least an input and an output dimension, got {list(ws)}")
    out = []
    for w in ws:
        if isinstance(w, bool) or not isinstance(w, int) or w < 1:
            raise InputError(f"widths must be positive integers, got {w!r}")
        out.append(int(w))
    return tuple(out)


@dataclass(frozen=True)
class SymmetryGroup:
    """The discrete group ``Π_l S_{d_l}`` (``Π_l B_{d_l}`` with sign flips) and the continuous part."""

    activation: str
    widths: tuple[int, ...]

    def __post_init__(self):
        check_activation(self.activation)
        object.__setattr__(self, "widths", check_widths(self.widths))

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return self.widths[1:-1]

    @property
    def signed(self) -> bool:
        """Whether sign flips are symmetries (odd activation)."""
        return self.activation in ODD_ACTIVATIONS

    @property
    def layer_orders(self) -> tuple[int, ...]:
        """``d_l!`` (or ``2^{d_l} d_l!``) per hidden layer."""
        return tuple(math.factorial(d) << (d if self.signed else 0) for d in self.hidden_widths)

    @property
    def order(self) -> int:
        """The exact order ``Π d_l!`` (``Π 2^{d_l} d_l!`` for odd σ)."""
        return math.prod(self.layer_orders)

    def log_order(self, prec: int = 64) -> arb:
        """A rigorous ball containing ``ln |G|`` (no big integer is formed)."""
        total = arb(0)
        for d in self.hidden_widths:
            total += arb(d + 1).lgamma()
            if self.signed:
                total += d * arb(2).log()
        return total

    @property
    def continuous_dimension(self) -> int:
        """Dimension of the positive-scaling group (``Σ d_l`` for ReLU, 0 otherwise)."""
        return sum(self.hidden_widths) if self.activation in HOMOGENEOUS_ACTIVATIONS else 0

    @property
    def num_parameters(self) -> int:
        w = self.widths
        return sum(w[k + 1] * (w[k] + 1) for k in range(len(w) - 1))

    def describe(self) -> str:
        """E.g. ``S_4 × S_8`` or ``B_3`` (``1`` for no hidden layer)."""
        letter = "B" if self.signed else "S"
        parts = [f"{letter}_{d}" for d in self.hidden_widths]
        return " × ".join(parts) if parts else "1"

    def identity(self) -> "GroupElement":
        return GroupElement.identity(self.hidden_widths)


def group_of(net: Network) -> SymmetryGroup:
    """The symmetry group acting on the parameters of ``net``."""
    return SymmetryGroup(net.activation, net.widths)


@dataclass(frozen=True)
class LayerAction:
    """A signed permutation of one hidden layer: new unit ``j`` is ``signs[j]`` × old unit ``perm[j]``."""

    perm: tuple[int, ...]
    signs: tuple[int, ...]

    def __post_init__(self):
        perm, signs = tuple(int(p) for p in self.perm), tuple(int(s) for s in self.signs)
        if sorted(perm) != list(range(len(perm))):
            raise InputError(f"not a permutation of 0..{len(perm) - 1}: {list(perm)[:20]}")
        if len(signs) != len(perm) or any(s not in (1, -1) for s in signs):
            raise InputError("signs must be ±1, one per unit")
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "signs", signs)

    @classmethod
    def identity(cls, d: int) -> "LayerAction":
        return cls(tuple(range(d)), (1,) * d)

    @property
    def is_identity(self) -> bool:
        return all(p == j for j, p in enumerate(self.perm)) and all(s == 1 for s in self.signs)


@dataclass(frozen=True)
class GroupElement:
    """An element of ``Π_l B_{d_l}`` (unsigned elements lie in ``Π_l S_{d_l}``)."""

    layers: tuple[LayerAction, ...]

    @classmethod
    def identity(cls, hidden_widths: Sequence[int]) -> "GroupElement":
        return cls(tuple(LayerAction.identity(d) for d in hidden_widths))

    @classmethod
    def from_perms(cls, perms: Sequence[Sequence[int]], signs: Sequence[Sequence[int]] | None = None) -> "GroupElement":
        if signs is None:
            signs = [(1,) * len(p) for p in perms]
        return cls(tuple(LayerAction(tuple(p), tuple(s)) for p, s in zip(perms, signs)))

    @classmethod
    def from_moves(cls, hidden_widths: Sequence[int], moves) -> "GroupElement":
        """From sparse moves ``(layer, unit, source, sign)`` (0-based); other units stay fixed."""
        perms = [list(range(d)) for d in hidden_widths]
        signs = [[1] * d for d in hidden_widths]
        for l, u, p, s in moves:
            perms[l][u], signs[l][u] = p, s
        return cls.from_perms(perms, signs)

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return tuple(len(a.perm) for a in self.layers)

    @property
    def is_identity(self) -> bool:
        return all(a.is_identity for a in self.layers)

    @property
    def is_signed(self) -> bool:
        return any(s == -1 for a in self.layers for s in a.signs)

    def compose(self, other: "GroupElement") -> "GroupElement":
        """``self ∘ other``: first ``other``, then ``self`` (``(g∘h)·θ = g·(h·θ)``)."""
        if self.hidden_widths != other.hidden_widths:
            raise InputError("group elements of different architectures")
        out = []
        for g, h in zip(self.layers, other.layers):
            perm = tuple(h.perm[g.perm[j]] for j in range(len(g.perm)))
            signs = tuple(g.signs[j] * h.signs[g.perm[j]] for j in range(len(g.perm)))
            out.append(LayerAction(perm, signs))
        return GroupElement(tuple(out))

    def inverse(self) -> "GroupElement":
        out = []
        for a in self.layers:
            perm, signs = [0] * len(a.perm), [1] * len(a.perm)
            for j, (p, s) in enumerate(zip(a.perm, a.signs)):
                perm[p], signs[p] = j, s
            out.append(LayerAction(tuple(perm), tuple(signs)))
        return GroupElement(tuple(out))

    def to_obj(self) -> list:
        """Sparse JSON form: per moved hidden layer ``{"layer": l, "moves": [[j, p, s], ...]}`` (1-based;
        new unit ``j`` is ``s`` × old unit ``p``), fixed units omitted."""
        out = []
        for l, a in enumerate(self.layers, start=1):
            moves = [[j + 1, p + 1, s] for j, (p, s) in enumerate(zip(a.perm, a.signs)) if p != j or s != 1]
            if moves:
                out.append({"layer": l, "moves": moves})
        return out

    @staticmethod
    def moves_to_obj(moves) -> list:
        """The JSON form of :meth:`to_obj` directly from sparse moves ``(layer, unit, source, sign)``."""
        by_layer: dict = {}
        for l, u, p, s in moves:
            if p != u or s != 1:
                by_layer.setdefault(l, []).append([u + 1, p + 1, s])
        return [{"layer": l + 1, "moves": sorted(v)} for l, v in sorted(by_layer.items())]

    @classmethod
    def from_obj(cls, obj: list, hidden_widths: Sequence[int]) -> "GroupElement":
        perms = [list(range(d)) for d in hidden_widths]
        signs = [[1] * d for d in hidden_widths]
        try:
            for entry in obj:
                l = int(entry["layer"]) - 1
                for j, p, s in entry["moves"]:
                    perms[l][int(j) - 1], signs[l][int(j) - 1] = int(p) - 1, int(s)
        except (KeyError, TypeError, ValueError, IndexError):
            raise InputError("malformed group element") from None
        return cls.from_perms(perms, signs)


def check_element(g: GroupElement, group: SymmetryGroup) -> None:
    if g.hidden_widths != group.hidden_widths:
        raise InputError(
            f"group element for hidden widths {list(g.hidden_widths)} applied to {list(group.hidden_widths)}"
        )
    if g.is_signed and not group.signed:
        raise UnsupportedError(f"sign flips are not symmetries of {group.activation} networks")


def act(g: GroupElement, net: Network) -> Network:
    """``g·θ`` (see the module docstring); sign flips are refused for non-odd activations."""
    check_element(g, group_of(net))
    L = net.depth
    layers = []
    for k, layer in enumerate(net.layers):
        rows_perm = g.layers[k].perm if k < L else tuple(range(layer.out_dim))
        rows_sign = g.layers[k].signs if k < L else (1,) * layer.out_dim
        cols_perm = g.layers[k - 1].perm if k > 0 else tuple(range(layer.in_dim))
        cols_sign = g.layers[k - 1].signs if k > 0 else (1,) * layer.in_dim
        weight, bias = layer.weight, layer.bias
        new_w = []
        for i, pi in enumerate(rows_perm):
            row = weight[pi]
            si = rows_sign[i]
            if si == 1 and all(s == 1 for s in cols_sign):
                new_w.append(tuple(row[pj] for pj in cols_perm))
            else:
                new_w.append(tuple(row[pj] if si * sj == 1 else -row[pj] for pj, sj in zip(cols_perm, cols_sign)))
        new_b = tuple(bias[pi] if si == 1 else -bias[pi] for pi, si in zip(rows_perm, rows_sign))
        layers.append(Layer(tuple(new_w), new_b))
    return Network(net.activation, tuple(layers))


__all__ = [
    "GroupElement", "HOMOGENEOUS_ACTIVATIONS", "KNOWN_ACTIVATIONS", "LayerAction", "ODD_ACTIVATIONS",
    "SymmetryGroup", "act", "check_activation", "check_element", "check_widths", "group_of",
]
