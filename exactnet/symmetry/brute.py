"""Brute force over the whole group, for checks on tiny architectures (docs/symmetry.md §8).

Enumerates every element of ``Π S_{d_l}`` (``Π B_{d_l}``); the orbit is the set of distinct images
and the stabilizer the elements fixing ``θ``. Cost ``|G| · S``: only for ``|G|`` up to ~10^5.
"""

from __future__ import annotations

import itertools
from typing import Iterator

from ..errors import InputError
from ..network import Network
from .groups import GroupElement, LayerAction, SymmetryGroup, act, group_of

#: Refuse brute force beyond this group order.
MAX_BRUTE_ORDER = 400_000


def elements(group: SymmetryGroup) -> Iterator[GroupElement]:
    """Every element of the discrete group (in a fixed order)."""
    if group.order > MAX_BRUTE_ORDER:
        raise InputError(f"brute force over a group of order {group.order} is refused (limit {MAX_BRUTE_ORDER})")
    per_layer = []
    for d in group.hidden_widths:
        perms = list(itertools.permutations(range(d)))
        signs = list(itertools.product((1, -1), repeat=d)) if group.signed else [(1,) * d]
        per_layer.append([LayerAction(p, s) for p in perms for s in signs])
    for combo in itertools.product(*per_layer):
        yield GroupElement(tuple(combo))


def _key(net: Network) -> tuple:
    return net.parameter_vector()


def orbit(net: Network) -> set:
    """The orbit as a set of parameter vectors."""
    return {_key(act(g, net)) for g in elements(group_of(net))}


def stabilizer_order(net: Network) -> int:
    base = _key(net)
    return sum(1 for g in elements(group_of(net)) if _key(act(g, net)) == base)


def lex_largest(net: Network, key=None) -> Network:
    """The orbit element with the largest ``key`` (default: the parameter vector)."""
    key = key or _key
    return max((act(g, net) for g in elements(group_of(net))), key=key)


__all__ = ["MAX_BRUTE_ORDER", "elements", "lex_largest", "orbit", "stabilizer_order"]
