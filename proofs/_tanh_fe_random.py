"""Random FE classes for the tanh path claims (a helper, not a claim)."""

from __future__ import annotations

import random

from flint import fmpq

from ._tanh_random import ZERO, irreducible_units, network, nonzero, vector


def random_class_network(rng: random.Random, h: int, r: int, n: int, m: int, transcendental: bool):
    """A width-h network of rank r: r irreducible units, optionally one constant unit (1, 0, q)
    with q ≠ 0 (so that δ has a tanh term), then blank units."""
    units = irreducible_units(rng, r, n, m)
    if transcendental and h > r:
        units.append((tuple(fmpq(1) for _ in range(m)), tuple(ZERO for _ in range(n)), nonzero(rng)))
    blank = (tuple(ZERO for _ in range(m)), tuple(ZERO for _ in range(n)), ZERO)
    units += [blank] * (h - len(units))
    return network(units, vector(rng, m), n, m)
