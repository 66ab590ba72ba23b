"""A network composed with an affine map of its inputs: ``N(p + M t)``.

Only the first layer changes: its preactivation at ``x = p + M t`` is
``W(p + M t) + c = (W M) t + (c + W p)``, so ``N ∘ (t ↦ p + M t)`` is the network with first layer
``(W M, c + W p)`` and the other layers unchanged — exact for rational data. Used to decide questions
on a polyhedron without interior on its affine hull (``docs/domains.md``).
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from ..errors import InputError
from .model import Layer, Network


def precompose(net: Network, point: Sequence, basis: Sequence[Sequence]) -> Network:
    """``net ∘ (t ↦ point + Σ_j t_j basis_j)`` (``basis``: ``k ≥ 1`` vectors of ``R^n``)."""
    if not basis:
        raise InputError("precompose: the affine map needs at least one direction")
    if len(point) != net.input_dim or any(len(v) != net.input_dim for v in basis):
        raise InputError(f"precompose: the map must land in R^{net.input_dim}")
    first, *rest = net.layers
    weight = tuple(tuple(sum((w * v[i] for i, w in enumerate(row) if w != 0), fmpq(0)) for v in basis)
                   for row in first.weight)
    bias = tuple(c + sum((w * x for w, x in zip(row, point) if w != 0), fmpq(0))
                 for row, c in zip(first.weight, first.bias))
    return Network(net.activation, (Layer(weight, bias), *rest), net.field)


__all__ = ["precompose"]
