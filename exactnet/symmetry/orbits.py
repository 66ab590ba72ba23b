"""Orbits and stabilizers of a parameter (docs/symmetry.md §2).

``|G·θ| = |G| / |Stab_G(θ)|``. The stabilizer is computed, not assumed: a repetition in one layer
may be broken by the next layer's weights, or only by a joint permutation of several layers. The
exact order comes from the twin collapse (:mod:`.structure`) and the individualization–refinement
search (:mod:`.search`); the generators returned are checked to fix ``θ`` in the tests.

For ReLU, the continuous group of positive scalings ``(R_{>0})^{Σ d_l}`` acts as well; the scalings
fixing ``θ`` are those constant on every connected component of the non-zero-entry graph that does
not reach an input, an output or a non-zero bias, so the continuous orbit has dimension
``Σ d_l − #(such components)``.

Caveat (docs/symmetry.md §2.4): the *functional* equivalence class can be strictly larger than the
orbit (dead or mergeable units; hidden symmetries of ReLU networks).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flint import arb

from ..deadline import NO_DEADLINE, Deadline
from ..network import Network
from .analysis import analyse
from .groups import HOMOGENEOUS_ACTIVATIONS, GroupElement, SymmetryGroup, group_of


@dataclass(frozen=True)
class Stabilizer:
    """``Stab_G(θ)`` of the discrete group ``G`` and the orbit it determines."""

    group: SymmetryGroup
    order: int
    generator_moves: tuple   # sparse: per generator, moves (layer, unit, source, sign), 0-based
    twin_classes: tuple[tuple[int, ...], ...]   # per hidden layer: the multiplicities of the twin classes
    search_nodes: int

    @cached_property
    def generators(self) -> tuple[GroupElement, ...]:
        """Generators of the stabilizer as group elements (each fixes ``θ``)."""
        widths = self.group.hidden_widths
        return tuple(GroupElement.from_moves(widths, m) for m in self.generator_moves)

    def generators_obj(self) -> list:
        """The generators in the sparse JSON form of :meth:`GroupElement.to_obj`."""
        return [GroupElement.moves_to_obj(m) for m in self.generator_moves]

    @property
    def orbit_size(self) -> int:
        """``|G·θ| = |G| / |Stab(θ)|`` (exact)."""
        return self.group.order // self.order

    def log_orbit_size(self, prec: int = 64) -> arb:
        return self.group.log_order(prec) - arb(self.order).log()


def stabilizer(net: Network, deadline: Deadline = NO_DEADLINE) -> Stabilizer:
    """The stabilizer of ``θ`` in the discrete symmetry group (exact order and generators)."""
    a = analyse(net, deadline)
    return stabilizer_of(a)


def stabilizer_of(a) -> Stabilizer:
    """:class:`Stabilizer` from an :class:`~.analysis.Analysis` (shared with the canonical form)."""
    twins = tuple(tuple(len(m) for m in layer) for layer in a.collapsed.members)
    return Stabilizer(group_of(a.network), a.stabilizer_order(), a.generator_moves(), twins, a.result.nodes)


def orbit_size(net: Network, deadline: Deadline = NO_DEADLINE) -> int:
    return stabilizer(net, deadline).orbit_size


def scaling_orbit_dimension(net: Network) -> int:
    """Dimension of the orbit of ``θ`` under positive scalings (ReLU; 0 for other activations)."""
    if net.activation not in HOMOGENEOUS_ACTIVATIONS:
        return 0
    widths = net.hidden_widths
    offsets, total = [], 0
    for d in widths:
        offsets.append(total)
        total += d
    ONE = total
    parent = list(range(total + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    L = net.depth
    for k, layer in enumerate(net.layers):
        for i, row in enumerate(layer.weight):
            a = offsets[k] + i if k < L else ONE
            if k < L and layer.bias[i] != 0:
                parent[find(a)] = find(ONE)
            for j, v in enumerate(row):
                if v != 0:
                    b = offsets[k - 1] + j if k > 0 else ONE
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[ra] = rb
    root = find(ONE)
    free = {find(x) for x in range(total)} - {root}
    return total - len(free)


__all__ = ["Stabilizer", "orbit_size", "scaling_orbit_dimension", "stabilizer", "stabilizer_of"]
