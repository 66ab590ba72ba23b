"""Small random ReLU pairs whose questions on ``[-1, 1]^2`` need box splitting with region-tree
leaves (shared by the box-split checker tests, the adversarial pool and the CLI tests)."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.network.domain import Box

from ..relu.nets import lists, net_from, random_net

BOX = Box.from_bounds([-1, -1], [1, 1])


def nudged(a, rnd, step=fmpq(1, 64)):
    """``a`` with every weight and bias moved by a random multiple of ``step`` in ``[−2, 2]``."""
    return net_from([([[v + step * rnd.randint(-2, 2) for v in r] for r in W],
                      [v + step * rnd.randint(-2, 2) for v in b]) for W, b in lists(a)])


def pair(seed: int, widths=(2, 6, 6, 3)):
    rnd = random.Random(seed)
    a = random_net(rnd, list(widths), scale=5, dens=(1, 2, 4))
    return a, nudged(a, rnd)


def top1_pair(seed: int = 2):
    """A 2-6-6-3 network and a copy moved by multiples of 1/256 (top-1 equivalent on ``BOX`` for seed 2)."""
    rnd = random.Random(seed)
    a = random_net(rnd, [2, 6, 6, 3], scale=5, dens=(1, 2, 4))
    return a, nudged(a, rnd, fmpq(1, 256))
