"""Exact volumes of the fundamental domain (docs/symmetry.md §4).

In the box ``Θ = [−B, B]^S`` let

    D   = {θ ∈ Θ : b^{(l)}_1 ≥ ⋯ ≥ b^{(l)}_{d_l} for every hidden layer l}          (any σ),
    D_± = {θ ∈ Θ : b^{(l)}_1 ≥ ⋯ ≥ b^{(l)}_{d_l} ≥ 0 for every hidden layer l}       (odd σ).

The images ``g·D`` (``g ∈ G``) cover ``Θ`` and overlap only where two biases coincide (a null set);
each ``g`` permutes (and negates) coordinates, which preserves volume and maps ``Θ`` onto itself.
Hence ``vol(D)/vol(Θ) = 1/Π d_l!`` and ``vol(D_±)/vol(Θ) = 1/Π 2^{d_l} d_l!`` — exact rationals
(:func:`volume_fraction`). The canonical fundamental domain of :mod:`.canonical` agrees with
``D`` (``D_±``) up to that null set, so it has the same volume.

Independent check (:func:`polytope_volume`): the vertices of the polytope from PPL and a pulling
triangulation (``triangulate(F) = ⋃ cone(v₀, triangulate(G))`` over the facets ``G`` of the face ``F``
not containing its first vertex ``v₀``), each simplex contributing ``|det(v_i − v₀)|/n!`` — all in
exact rational arithmetic. :func:`check_tiling` also checks that the ``|G|`` images meet only in
lower dimension and that their volumes add up to ``vol(Θ)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..errors import InputError
from ..linalg import rank
from ..network import Layer, Network
from ..polyhedra import ClosedPolyhedron
from .groups import SymmetryGroup, act

Constraint = tuple  # (coefficients a, constant c): a·x + c ≥ 0


def volume_fraction(group: SymmetryGroup) -> fmpq:
    """``vol(D)/vol(Θ) = 1/|G|`` (exact)."""
    return fmpq(1, group.order)


def bias_coordinates(widths: Sequence[int]) -> list[list[int]]:
    """Indices of the hidden biases in the parameter vector (order of ``Network.parameter_vector``)."""
    out, pos = [], 0
    for k in range(len(widths) - 1):
        n_in, n_out = widths[k], widths[k + 1]
        pos += n_in * n_out
        if k < len(widths) - 2:
            out.append(list(range(pos, pos + n_out)))
        pos += n_out
    return out


def domain_constraints(group: SymmetryGroup, bound) -> list[Constraint]:
    """The inequalities of ``D`` (``D_±`` for odd σ) in ``R^S``, box included."""
    S = group.num_parameters
    B = fmpq(bound)
    cons = []
    for i in range(S):
        e = [0] * S
        e[i] = 1
        cons.append((tuple(e), B))                       # x_i + B ≥ 0
        cons.append((tuple(-v for v in e), B))           # B − x_i ≥ 0
    for idx in bias_coordinates(group.widths):
        for a, b in zip(idx, idx[1:]):
            e = [0] * S
            e[a], e[b] = 1, -1
            cons.append((tuple(e), fmpq(0)))             # b_a − b_b ≥ 0
        if group.signed and idx:
            e = [0] * S
            e[idx[-1]] = 1
            cons.append((tuple(e), fmpq(0)))             # last bias ≥ 0
    return cons


def _closed_polyhedron(constraints: Sequence[Constraint], n: int) -> ClosedPolyhedron:
    return ClosedPolyhedron.from_rational(n, constraints)


@dataclass(frozen=True)
class Polytope:
    """A bounded polytope by its exact vertices and facet inequalities."""

    dim: int
    vertices: tuple[tuple, ...]
    facets: tuple[Constraint, ...]
    affine_dimension: int


def polytope(constraints: Sequence[Constraint], n: int) -> Polytope:
    """Vertices (exact) and facets of ``{x : a·x + c ≥ 0}`` via PPL; must be bounded."""
    poly = _closed_polyhedron(constraints, n)
    if not poly.is_bounded():
        raise InputError("the polyhedron is unbounded")
    verts, unbounded = poly.vertices()
    if unbounded:  # pragma: no cover - bounded polyhedra have only points
        raise InputError("unexpected ray or line")
    facets = []
    for g, h, equality in poly.minimized_constraints():
        coeffs = tuple(fmpq(v) for v in g)
        facets.append((coeffs, fmpq(h)))
        if equality:
            facets.append((tuple(-v for v in coeffs), -fmpq(h)))
    return Polytope(n, tuple(verts), tuple(facets), poly.affine_dimension())


def _affine_rank(points: Sequence[tuple]) -> int:
    if len(points) <= 1:
        return 0
    base = points[0]
    return rank([[p[i] - base[i] for i in range(len(base))] for p in points[1:]], len(base))


def triangulate(p: Polytope) -> list[tuple[int, ...]]:
    """A pulling triangulation: simplices as tuples of ``dim + 1`` vertex indices."""
    n = p.dim
    on_facet = []
    for a, c in p.facets:
        on_facet.append(frozenset(i for i, v in enumerate(p.vertices)
                                  if sum((ai * vi for ai, vi in zip(a, v)), fmpq(0)) + c == 0))

    @lru_cache(maxsize=None)
    def tri(face: frozenset, dim: int) -> tuple:
        if dim == 0:
            return ((min(face),),)
        v0 = min(face)
        seen, out = set(), []
        for z in on_facet:
            g = face & z
            if v0 in g or g in seen or len(g) < dim or g == face:
                continue
            seen.add(g)
            if _affine_rank([p.vertices[i] for i in sorted(g)]) != dim - 1:
                continue
            out.extend((v0,) + s for s in tri(g, dim - 1))
        return tuple(out)

    if p.affine_dimension < n:
        return []
    return list(tri(frozenset(range(len(p.vertices))), n))


def polytope_volume(p: Polytope) -> fmpq:
    """Exact ``n``-dimensional volume (0 if the polytope is lower-dimensional)."""
    n = p.dim
    if p.affine_dimension < n:
        return fmpq(0)
    total = fmpq(0)
    for simplex in triangulate(p):
        v0 = p.vertices[simplex[0]]
        rows = [v for i in simplex[1:] for v in (x - y for x, y in zip(p.vertices[i], v0))]
        total += abs(fmpq_mat(n, n, rows).det())
    return total / math.factorial(n)


def bias_factor_constraints(group: SymmetryGroup, bound) -> list[Constraint]:
    """The inequalities of ``D`` restricted to the ``Σ d_l`` hidden-bias coordinates (``D`` is this
    polytope times the cube ``[−B, B]`` in every other coordinate)."""
    n = sum(group.hidden_widths)
    B = fmpq(bound)
    cons, pos = [], 0
    for d in group.hidden_widths:
        idx = list(range(pos, pos + d))
        pos += d
        for i in idx:
            e = [0] * n
            e[i] = 1
            cons.append((tuple(e), B))
            cons.append((tuple(-v for v in e), B))
        for a, b in zip(idx, idx[1:]):
            e = [0] * n
            e[a], e[b] = 1, -1
            cons.append((tuple(e), fmpq(0)))
        if group.signed and idx:
            e = [0] * n
            e[idx[-1]] = 1
            cons.append((tuple(e), fmpq(0)))
    return cons


def domain_volume(group: SymmetryGroup, bound, factor: bool = False) -> fmpq:
    """``vol(D)`` computed as a polytope (independent of the formula ``(2B)^S/|G|``): the whole
    ``S``-dimensional polytope, or with ``factor`` the hidden-bias factor times ``(2B)^{S − Σ d_l}``."""
    S = group.num_parameters
    if not factor:
        return polytope_volume(polytope(domain_constraints(group, bound), S))
    n = sum(group.hidden_widths)
    return polytope_volume(polytope(bias_factor_constraints(group, bound), n)) * (2 * fmpq(bound)) ** (S - n)


def _index_network(group: SymmetryGroup) -> Network:
    """A network whose entries are the coordinate numbers ``1..S`` (to read off coordinate maps)."""
    w, pos, layers = group.widths, 1, []
    for k in range(len(w) - 1):
        weight = []
        for _ in range(w[k + 1]):
            weight.append(tuple(fmpq(pos + j) for j in range(w[k])))
            pos += w[k]
        bias = tuple(fmpq(pos + j) for j in range(w[k + 1]))
        pos += w[k + 1]
        layers.append(Layer(tuple(weight), bias))
    return Network(group.activation, tuple(layers))


def image_constraints(group: SymmetryGroup, g, constraints: Sequence[Constraint]) -> list[Constraint]:
    """The inequalities of ``g·P`` from those of ``P`` (``g`` acts by a signed coordinate permutation)."""
    moved = act(g, _index_network(group)).parameter_vector()
    # (gθ)_i = sgn_i · θ_{src_i}; θ ∈ P  ⇔  for a·θ + c ≥ 0:  Σ_j a_j θ_j, θ_j = sgn_i (gθ)_i where src_i = j
    where = {}
    for i, v in enumerate(moved):
        j = int(abs(v).p) - 1
        where[j] = (i, 1 if v > 0 else -1)
    out = []
    for a, c in constraints:
        b = [fmpq(0)] * len(a)
        for j, aj in enumerate(a):
            if aj != 0:
                i, s = where[j]
                b[i] = b[i] + s * fmpq(aj)
        out.append((tuple(b), c))
    return out


@dataclass(frozen=True)
class TilingCheck:
    holds: bool
    pieces: int
    volumes_sum: fmpq
    box_volume: fmpq
    max_overlap_dimension: int


def check_tiling(group: SymmetryGroup, bound) -> TilingCheck:
    """The ``|G|`` images ``g·D`` have pairwise intersections of dimension ``< S`` and total volume
    ``vol(Θ)`` (each image's volume computed exactly as a polytope)."""
    from .brute import elements

    S = group.num_parameters
    base = domain_constraints(group, bound)
    images = [image_constraints(group, g, base) for g in elements(group)]
    polys = [_closed_polyhedron(c, S) for c in images]
    total = sum((polytope_volume(polytope(c, S)) for c in images), fmpq(0))
    worst = -1
    for i in range(len(polys)):
        for j in range(i + 1, len(polys)):
            inter = polys[i].intersection(polys[j])
            worst = max(worst, -1 if inter.is_empty() else inter.affine_dimension())
    box = fmpq(2 * fmpq(bound)) ** S
    return TilingCheck(total == box and worst < S, len(images), total, box, worst)


__all__ = [
    "Polytope", "TilingCheck", "bias_coordinates", "bias_factor_constraints", "check_tiling", "domain_constraints", "domain_volume",
    "image_constraints", "polytope", "polytope_volume", "triangulate", "volume_fraction",
]


