"""The combinatorial instance behind exact proximate rank (docs/tanh.md § Proximate rank), built
with exact arithmetic once, then shared by the solvers.

A *vertex* is a unit with a sign: ``v = 2u`` is ``(u, +1)``, ``v = 2u + 1`` is ``(u, −1)``.
Two vertices of different units are *compatible* iff their signed points are within ``2ε``
in every coordinate (``‖s·x_u − t·x_w‖_∞ ≤ 2ε``, ``x = (b, c)``); a set of vertices (one
per unit) is an admissible group iff it is pairwise compatible (intervals in each
coordinate). Units that share no compatible pair lie in different *components* and never
share a group, so ``prank`` is the sum over components.

For rational parameters every number is scaled to an integer (points by the common
denominator of ``b, c, ε``; outgoing weights by that of ``a, ε``), so the solvers compare
Python integers — exactly the same comparisons as with the rationals. Real algebraic
parameters keep their exact numbers (scale 1); the solvers only add, subtract, negate and
compare. Compatible pairs are found through a grid of side ``2ε`` on the first (up to) two
coordinates (exact hashing at ``ε = 0``), so sparse instances cost ``O(h)`` expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from .proximity import integer_scale

_GRID_DIMS = 2


@dataclass(frozen=True)
class Component:
    """One component: ``units`` (global indices, ascending) and local data indexed by the
    position in ``units``: ``adj[v]`` the bitmask of compatible vertices (local vertex
    numbering ``2·pos + t``), ``weights[pos]`` the (scaled) ``a`` vector, ``eligible[pos]``
    (``‖b‖_∞ ≤ ε``: may be made constant)."""

    units: tuple
    adj: tuple
    weights: tuple
    eligible: tuple

    @property
    def size(self) -> int:
        return len(self.units)


@dataclass(frozen=True)
class Instance:
    """All components of a parameter at radius ``ε``; ``budget`` is ``ε`` in the scale of the
    weights (a group of size ``g`` is cancellable iff every ``|Σ s·a_k| ≤ g·budget``)."""

    width: int
    components: tuple
    budget: object
    pairs: int


def build_instance(p, eps) -> Instance:
    """The instance of ``p`` at radius ``ε`` (see the module docstring)."""
    h, n = p.width, p.input_dim
    if p.is_rational:
        sp = integer_scale([x for vec in p.b for x in vec] + list(p.c) + [eps])
        sa = integer_scale([x for vec in p.a for x in vec] + [eps])
        pts = [tuple(int((x * sp).p) for x in tuple(p.b[i]) + (p.c[i],)) for i in range(h)]
        weights = [tuple(int((x * sa).p) for x in p.a[i]) for i in range(h)]
        e1, budget = int((eps * sp).p), int((eps * sa).p)
    else:
        pts = [tuple(p.b[i]) + (p.c[i],) for i in range(h)]
        weights = [tuple(p.a[i]) for i in range(h)]
        e1, budget = eps, eps
    e2 = e1 + e1
    eligible = [all(abs(x) <= e1 for x in pts[i][:n]) for i in range(h)]
    signed = []
    for i in range(h):
        signed.append(pts[i])
        signed.append(tuple(-x for x in pts[i]))
    pairs = _compatible_pairs(signed, e2, p.is_rational)
    # union-find over units
    parent = list(range(h))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for v, w in pairs:
        ru, rw = find(v >> 1), find(w >> 1)
        if ru != rw:
            parent[max(ru, rw)] = min(ru, rw)
    members: dict = {}
    for i in range(h):
        members.setdefault(find(i), []).append(i)
    by_root = {}
    for v, w in pairs:
        by_root.setdefault(find(v >> 1), []).append((v, w))
    comps = []
    for root, units in sorted(members.items()):
        pos = {u: k for k, u in enumerate(units)}
        adj = [0] * (2 * len(units))
        for v, w in by_root.get(root, ()):
            lv, lw = 2 * pos[v >> 1] + (v & 1), 2 * pos[w >> 1] + (w & 1)
            adj[lv] |= 1 << lw
            adj[lw] |= 1 << lv
        comps.append(Component(units=tuple(units), adj=tuple(adj), weights=tuple(weights[u] for u in units),
                               eligible=tuple(eligible[u] for u in units)))
    return Instance(width=h, components=tuple(comps), budget=budget, pairs=len(pairs))


def _compatible_pairs(signed: list, e2, rational: bool) -> list:
    """Pairs ``(v, w)``, ``v < w``, of compatible vertices of different units."""
    out = []
    nv = len(signed)

    def close(x, y):
        return all(abs(s - t) <= e2 for s, t in zip(x, y))

    if not rational:
        for v in range(nv):
            for w in range(v + 1, nv):
                if (v >> 1) != (w >> 1) and close(signed[v], signed[w]):
                    out.append((v, w))
        return out
    dims = min(_GRID_DIMS, len(signed[0]) if signed else 1)
    grid: dict = {}
    if e2 == 0:
        for v, x in enumerate(signed):
            grid.setdefault(x, []).append(v)
        for vs in grid.values():
            for a in range(len(vs)):
                for b in range(a + 1, len(vs)):
                    if (vs[a] >> 1) != (vs[b] >> 1):
                        out.append((vs[a], vs[b]))
        return sorted(out)
    for v, x in enumerate(signed):
        grid.setdefault(tuple(t // e2 for t in x[:dims]), []).append(v)
    deltas = [()]
    for _ in range(dims):
        deltas = [d + (k,) for d in deltas for k in (-1, 0, 1)]
    for cell, vs in grid.items():
        for d in deltas:
            other = grid.get(tuple(c + k for c, k in zip(cell, d)))
            if not other:
                continue
            for v in vs:
                xv = signed[v]
                for w in other:
                    if w > v and (v >> 1) != (w >> 1) and close(xv, signed[w]):
                        out.append((v, w))
    return sorted(out)


__all__ = ["Component", "Instance", "build_instance"]
