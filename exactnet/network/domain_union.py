"""Finite unions of polyhedra ``X = P_1 ∪ … ∪ P_k`` (VNN-LIB disjunctions, ``{"union": [...]}``).

A question on a union is decided part by part: the maximum of a function over ``X`` is the
largest of its maxima over the non-empty parts, and a property holds on ``X`` iff it holds on
every part (``docs/domains.md``). Parts may overlap; empty parts are allowed and contribute
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .domain import Polyhedron


@dataclass(frozen=True)
class PolyhedronUnion:
    """``P_1 ∪ … ∪ P_k`` with every ``P_i`` a :class:`~exactnet.network.domain.Polyhedron` (or
    :class:`~exactnet.network.domain.Box`) of one dimension; ``k ≥ 1``."""

    parts: tuple[Polyhedron, ...]

    def __post_init__(self):
        parts = tuple(self.parts)
        object.__setattr__(self, "parts", parts)
        if not parts:
            raise InputError("union domain: no parts (a union needs at least one polyhedron)")
        for i, p in enumerate(parts, start=1):
            if not isinstance(p, Polyhedron):
                raise InputError(f"union domain: part {i} is a {type(p).__name__}, not a box or polyhedron")
            if p.dim != parts[0].dim:
                raise InputError(f"union domain: part {i} has dimension {p.dim} but part 1 has {parts[0].dim}")

    @property
    def dim(self) -> int:
        return self.parts[0].dim

    def contains(self, x) -> bool:
        """Exact membership in at least one part."""
        return any(p.contains(x) for p in self.parts)

    def describe(self) -> str:
        return f"a union of {len(self.parts)} polyhedra"

    def to_obj(self) -> dict:
        return {"union": [p.to_obj() for p in self.parts]}


__all__ = ["PolyhedronUnion"]
