"""The affine hull of a polyhedron, exactly: ``P ⊆ p + span(M)`` with ``T = {t : p + M t ∈ P}``.

A polyhedron ``P = {x : A x ≤ b}`` whose interior is empty (an input fixed by ``lower = upper``, an
equality ``a·x = β`` of a VNN-LIB file) lies in its affine hull ``aff(P) = {x : E x = e}`` (the
implicit equalities of ``P``: PPL's minimized constraint system lists them). With ``p ∈ P`` and
``M`` an ``n × k`` matrix whose columns are a basis of ``ker E``, the map ``t ↦ p + M t`` is an
affine bijection of ``R^k`` onto ``aff(P)``, and it maps ``T = {t : A(p + M t) ≤ b}`` onto ``P``.
``T`` is full-dimensional in ``R^k`` (its affine hull is all of ``R^k``), so questions about a
function ``f`` on ``P`` become questions about ``f(p + M t)`` on ``T``; for a network, composing
with the map changes only the first layer (``W ↦ W M``, ``c ↦ c + W p``;
:func:`exactnet.network.precompose`). The basis is the kernel basis of the reduced row echelon
form of ``E``: ``v_f = e_f − Σ_i R[i, f] e_{pivot_i}`` for every free column ``f`` — for inputs
fixed by ``lower = upper`` these are the unit vectors of the free inputs, i.e. the fixed values
are substituted (``docs/domains.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..errors import InputError
from ..linalg.exact import rref
from ..network.domain import Polyhedron
from .ppl_backend import ClosedPolyhedron
from .rows import primitive_row


@dataclass(frozen=True)
class AffineHull:
    """``aff(P) = point + span(basis)`` (``basis``: ``k`` independent vectors of ``R^n``) and
    ``reduced = {t ∈ R^k : point + Σ t_j basis_j ∈ P}`` (``None`` when ``k = 0``: ``P = {point}``)."""

    point: tuple[fmpq, ...]
    basis: tuple[tuple[fmpq, ...], ...]
    reduced: Polyhedron | None

    @property
    def dim(self) -> int:
        return len(self.basis)

    def embed(self, t) -> tuple[fmpq, ...]:
        """``point + M t``."""
        x = list(self.point)
        for tj, v in zip(t, self.basis):
            if tj != 0:
                x = [a + tj * b for a, b in zip(x, v)]
        return tuple(x)

    def to_obj(self) -> dict:
        from ..numbers import number_json

        return {"point": [number_json(v) for v in self.point],
                "basis": [[number_json(v) for v in col] for col in self.basis]}


def affine_hull(P: Polyhedron) -> AffineHull | None:
    """The affine hull of ``P`` (module docstring), or ``None`` when ``P`` is empty."""
    n = P.dim
    rows = []
    for a, beta in P.constraints():
        g, h = primitive_row([-v for v in a], beta)
        if not any(g):
            if h < 0:
                return None
            continue
        rows.append((g, h))
    poly = ClosedPolyhedron(n, rows)
    if poly.is_empty():
        return None
    points = [tuple(fmpq(c, d) for c in coeffs) for kind, coeffs, d in poly.generators() if kind == 0]
    if not points:  # pragma: no cover - a non-empty closed polyhedron has a point generator
        raise InputError("the domain has no point")
    # the barycentre of the point generators lies in the relative interior when P is bounded
    p = tuple(sum((x[j] for x in points), fmpq(0)) / len(points) for j in range(n))
    eqs = [[fmpq(v) for v in g] for g, h, is_eq in poly.minimized_constraints() if is_eq]
    red, piv = rref(eqs, n)
    basis = []
    for f in range(n):
        if f in piv:
            continue
        v = [fmpq(0)] * n
        v[f] = fmpq(1)
        for i, c in enumerate(piv):
            v[c] = -red[i][f]
        basis.append(tuple(v))
    if not basis:
        return AffineHull(p, (), None)
    A, b = [], []
    for a, beta in P.constraints():
        A.append(tuple(sum((ai * v[i] for i, ai in enumerate(a)), fmpq(0)) for v in basis))
        b.append(beta - sum((ai * pi for ai, pi in zip(a, p)), fmpq(0)))
    return AffineHull(p, tuple(basis), Polyhedron(A=tuple(A), b=tuple(b), dim=len(basis)))


__all__ = ["AffineHull", "affine_hull"]
