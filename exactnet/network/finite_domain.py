"""Finite input domains: products ``X = S_1 × … × S_n`` of finite sets of rationals.

Binary-input benchmarks ask questions on ``{0,1}^n``; a question on a finite domain is a question
about its points only, never about the real box around them (``docs/domains.md``). The size
``|X| = |S_1| ⋯ |S_n|`` is an exact integer (``2^784`` included); :meth:`FiniteDomain.points`
enumerates ``X`` in lexicographic order of the coordinates (the last coordinate varies fastest),
so a decider can enumerate exactly when ``|X|`` is small and branch on coordinates otherwise.

File form (JSON): ``{"finite": [[0, 1], [0, "1/2", 1], ...]}`` (one list of allowed values per
input) or ``{"finite": [0, 1], "dim": n}`` (the same set for every input; ``"dim"`` may be left
out when the network fixes it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator, Sequence

from flint import fmpq

from ..errors import InputError
from ..numbers import format_number, number_json, to_rational


def _as_rational(v) -> fmpq:
    return v if type(v) is fmpq else to_rational(v)


@dataclass(frozen=True)
class FiniteDomain:
    """``S_1 × … × S_n``; ``values[i]`` is ``S_{i+1}`` as a strictly increasing tuple of rationals.

    Build with :meth:`product` (any iterables of exact numbers; duplicates are merged) or
    :meth:`cube` (``S^n``). An empty ``S_i`` makes the domain empty (allowed, and detected by
    :func:`exactnet.polyhedra.domains.is_empty`).
    """

    values: tuple[tuple[fmpq, ...], ...]

    def __post_init__(self):
        if not self.values:
            raise InputError("finite domain: no coordinates (the dimension must be at least 1)")
        for i, s in enumerate(self.values, start=1):
            if any(not a < b for a, b in zip(s, s[1:])):
                raise InputError(f"finite domain: the values of coordinate {i} must be strictly increasing")

    @classmethod
    def product(cls, sets: Sequence) -> "FiniteDomain":
        """The product of the given sets (each an iterable of exact numbers)."""
        return cls(tuple(tuple(sorted({_as_rational(v) for v in s})) for s in sets))

    @classmethod
    def cube(cls, values, dim: int) -> "FiniteDomain":
        """``S^dim``, e.g. ``FiniteDomain.cube([0, 1], 10)`` is ``{0,1}^10``."""
        if not isinstance(dim, int) or dim < 1:
            raise InputError(f"finite domain: the dimension must be a positive integer, got {dim!r}")
        s = tuple(sorted({_as_rational(v) for v in values}))
        return cls((s,) * dim)

    @property
    def dim(self) -> int:
        return len(self.values)

    @property
    def size(self) -> int:
        """``|X|`` exactly (a Python integer; may be astronomically large)."""
        n = 1
        for s in self.values:
            n *= len(s)
        return n

    def points(self) -> Iterator[tuple[fmpq, ...]]:
        """Every point of ``X`` in lexicographic order (last coordinate fastest)."""
        return itertools.product(*self.values)

    def contains(self, x) -> bool:
        """Exact membership: ``x_i ∈ S_i`` for every ``i``."""
        if len(x) != self.dim:
            return False
        return all(_as_rational(v) in s for v, s in zip(x, self.values))

    def hull_bounds(self) -> tuple[tuple[fmpq, ...], tuple[fmpq, ...]]:
        """``(lower, upper)``: the smallest box containing ``X`` (only for a non-empty ``X``).

        The box is an outer bound for branch and bound, never the domain itself.
        """
        if any(not s for s in self.values):
            raise InputError("finite domain: an empty domain has no bounding box")
        return tuple(s[0] for s in self.values), tuple(s[-1] for s in self.values)

    def restrict(self, index: int, values) -> "FiniteDomain":
        """The sub-domain with ``S_{index+1}`` replaced by ``S_{index+1} ∩ values`` (for branching)."""
        keep = {_as_rational(v) for v in values}
        new = list(self.values)
        new[index] = tuple(v for v in self.values[index] if v in keep)
        return FiniteDomain(tuple(new))

    def describe(self) -> str:
        """A short human description, e.g. ``{0, 1}^10``."""
        first = self.values[0]
        shown = "{" + ", ".join(format_number(v) for v in first[:6]) + (", …" if len(first) > 6 else "") + "}"
        if all(s == first for s in self.values):
            return f"{shown}^{self.dim}"
        return f"a product of {self.dim} finite sets ({self.size} points)"

    def to_obj(self) -> dict:
        first = self.values[0]
        if all(s == first for s in self.values):
            return {"finite": [number_json(v) for v in first], "dim": self.dim}
        return {"finite": [[number_json(v) for v in s] for s in self.values]}


__all__ = ["FiniteDomain"]
