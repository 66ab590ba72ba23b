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

    def lift(self, h: GroupElement) -> GroupElement:
        """A collapsed automorphism as an element acting on the original units."""
        col = self.collapsed
        layers = []
        for l, action in enumerate(h.layers):
            d = self.network.hidden_widths[l]
            perm, signs = list(range(d)), [1] * d
            members = col.members[l]
            for c, (cp, eps) in enumerate(zip(action.perm, action.signs)):
                for (u, s), (up, sp) in zip(members[c], members[cp]):
                    perm[u], signs[u] = up, s * eps * sp
            layers.append(LayerAction(tuple(perm), tuple(signs)))
        return GroupElement(tuple(layers))

    def generators(self) -> tuple[GroupElement, ...]:
        """Generators of ``Stab(θ)``: lifted automorphisms, whole-component sign flips, and
        transpositions / cycles inside twin classes (plus single flips of all-zero units, odd σ)."""
        net, col = self.network, self.collapsed
        widths = net.hidden_widths
        out = [self.lift(h) for h in self.result.automorphisms]

        def element(changes: dict) -> GroupElement:
            perms = [list(range(d)) for d in widths]
            signs = [[1] * d for d in widths]
            for (l, u), (p, s) in changes.items():
                perms[l][u], signs[l][u] = p, s
            return GroupElement.from_perms(perms, signs)

        for comp in self.sign_components():
            changes = {}
            for l1, c in comp:
                for u, _s in col.members[l1 - 1][c]:
                    changes[(l1 - 1, u)] = (u, -1)
            out.append(element(changes))
        for l, layer in enumerate(col.members):
            for c, members in enumerate(layer):
                m = len(members)
                if m >= 2:
                    (u1, s1), (u2, s2) = members[0], members[1]
                    out.append(element({(l, u1): (u2, s1 * s2), (l, u2): (u1, s1 * s2)}))
                    if m >= 3:
                        out.append(element({
                            (l, members[k][0]): (members[(k + 1) % m][0], members[k][1] * members[(k + 1) % m][1])
                            for k in range(m)
                        }))
                if col.signed and col.zero[l][c]:
                    out.append(element({(l, members[0][0]): (members[0][0], -1)}))
        return tuple(out)

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
