"""One symmetry analysis of a network: twin collapse + search, lifted back to the original units.

:func:`analyse` runs :func:`~.structure.collapse` and :func:`~.search.search` once; the stabilizer
(:mod:`.orbits`) and the canonical form (:mod:`.canonical`) are both read off the result.

Lifting (docs/symmetry.md §2): class ``c`` has members ``(u_k, s_k)`` (unit ``u_k`` equals ``s_k`` times
the class representative). A collapsed element that puts ``ε ×`` class ``c'`` at class ``c`` lifts to
*new unit ``u_k`` of ``c`` = ``s_k · ε · s'_k`` × old ``k``-th member of ``c'``*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..deadline import NO_DEADLINE, Deadline
from ..network import Network
from .groups import GroupElement, LayerAction, group_of
from .search import SearchResult, search
from .structure import Collapsed, collapse, free_components


@dataclass(frozen=True)
class Analysis:
    network: Network
    collapsed: Collapsed
    result: SearchResult

    # -- stabilizer ----------------------------------------------------------------------------
    def twin_factor(self) -> int:
        """``Π m_c!`` (and ``2^{m_c}`` for all-zero classes under odd σ)."""
        col, total = self.collapsed, 1
        for l, layer in enumerate(col.members):
            for c, members in enumerate(layer):
                total *= math.factorial(len(members))
                if col.signed and col.zero[l][c]:
                    total <<= len(members)
        return total

    def sign_components(self) -> list:
        """Free components of ``θ̄`` (odd σ): negating one fixes ``θ``; empty otherwise."""
        return free_components(self.collapsed) if self.collapsed.signed else []

    def stabilizer_order(self) -> int:
        return math.prod(self.result.orbit_sizes) * (1 << len(self.sign_components())) * self.twin_factor()

    def lift_moves(self, h: GroupElement) -> tuple:
        """A collapsed automorphism acting on the original units, as sparse moves."""
        col = self.collapsed
        moves = []
        for l, action in enumerate(h.layers):
            members = col.members[l]
            for c, (cp, eps) in enumerate(zip(action.perm, action.signs)):
                if cp == c and eps == 1:
                    continue
                for (u, s), (up, sp) in zip(members[c], members[cp]):
                    moves.append((l, u, up, s * eps * sp))
        return tuple(moves)

    def lift(self, h: GroupElement) -> GroupElement:
        """A collapsed automorphism as an element acting on the original units."""
        return GroupElement.from_moves(self.network.hidden_widths, self.lift_moves(h))

    def generator_moves(self) -> tuple:
        """Generators of ``Stab(θ)`` as sparse moves ``(layer, unit, source, sign)`` (0-based; new unit
        ``unit`` = ``sign`` × old ``source``): lifted automorphisms, whole-component sign flips, and
        transpositions / cycles inside twin classes (plus single flips of all-zero units, odd σ).
        Their total size is linear in the number of units, however many twins there are."""
        col = self.collapsed
        out = [self.lift_moves(h) for h in self.result.automorphisms]
        for comp in self.sign_components():
            out.append(tuple((l1 - 1, u, u, -1) for l1, c in comp for u, _s in col.members[l1 - 1][c]))
        for l, layer in enumerate(col.members):
            for c, members in enumerate(layer):
                m = len(members)
                if m >= 2:
                    (u1, s1), (u2, s2) = members[0], members[1]
                    out.append(((l, u1, u2, s1 * s2), (l, u2, u1, s1 * s2)))
                    if m >= 3:
                        out.append(tuple((l, members[k][0], members[(k + 1) % m][0],
                                          members[k][1] * members[(k + 1) % m][1]) for k in range(m)))
                if col.signed and col.zero[l][c]:
                    out.append(((l, members[0][0], members[0][0], -1),))
        return tuple(out)

    def generators(self) -> tuple[GroupElement, ...]:
        widths = self.network.hidden_widths
        return tuple(GroupElement.from_moves(widths, m) for m in self.generator_moves())

    # -- canonical form ------------------------------------------------------------------------
    def canonical_element(self) -> GroupElement:
        """``g`` with ``g·θ`` the canonical representative: the best leaf, every class expanded in
        place (members in index order, each given the sign that makes it equal the representative)."""
        col, best = self.collapsed, self.result.best
        layers = []
        for l, order in enumerate(best.order):
            perm, signs = [], []
            for c in order:
                sc = best.signs[l][c]
                for u, s in col.members[l][c]:
                    perm.append(u)
                    signs.append(sc * s)
            layers.append(LayerAction(tuple(perm), tuple(signs)))
        return GroupElement(tuple(layers))


def analyse(net: Network, deadline: Deadline = NO_DEADLINE) -> Analysis:
    """Collapse twins and search (see the module docstring)."""
    group_of(net)  # validates the activation
    col = collapse(net, deadline)
    return Analysis(net, col, search(col, deadline))


__all__ = ["Analysis", "analyse"]
