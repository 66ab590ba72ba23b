"""Random small networks with planted ties, shared by the symmetry claims and tests."""

from __future__ import annotations

import random
from typing import Sequence

from flint import fmpq

from exactnet.network import Layer, Network
from exactnet.symmetry.groups import GroupElement, LayerAction, SymmetryGroup

VALUE_POOLS = (
    (0, 1),
    (-1, 0, 1),
    (-1, 1),
    (-2, -1, 0, 1, 2),
    (fmpq(1, 2), 1, 0, -1),
    tuple(range(-9, 10)),
)


def random_network(rng: random.Random, activation: str, widths: Sequence[int], pool=None) -> Network:
    """Entries drawn from a small pool (so ties, duplicated units and zero units are frequent)."""
    pool = pool or rng.choice(VALUE_POOLS)
    layers = []
    for k in range(len(widths) - 1):
        weight = tuple(tuple(fmpq(rng.choice(pool)) for _ in range(widths[k])) for _ in range(widths[k + 1]))
        bias = tuple(fmpq(rng.choice(pool)) for _ in range(widths[k + 1]))
        layers.append(Layer(weight, bias))
    return Network(activation, tuple(layers))


def plant_duplicates(rng: random.Random, net: Network, negate: bool = False) -> Network:
    """Copy one hidden unit's incoming row and bias onto another of the same layer (optionally
    negated, and optionally its outgoing column too), so repetitions are planted in some layers."""
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    for k in range(net.depth):
        w, b = layers[k]
        if len(b) < 2 or rng.random() < 0.3:
            continue
        i, j = rng.sample(range(len(b)), 2)
        s = -1 if (negate and rng.random() < 0.5) else 1
        w[j] = [s * v for v in w[i]]
        b[j] = s * b[i]
        if rng.random() < 0.6:  # full twin: the outgoing column too
            for row in layers[k + 1][0]:
                row[j] = s * row[i]
    return Network(net.activation, tuple(Layer(tuple(map(tuple, w)), tuple(b)) for w, b in layers))


def random_element(rng: random.Random, group: SymmetryGroup) -> GroupElement:
    out = []
    for d in group.hidden_widths:
        perm = list(range(d))
        rng.shuffle(perm)
        signs = [rng.choice((1, -1)) if group.signed else 1 for _ in range(d)]
        out.append(LayerAction(tuple(perm), tuple(signs)))
    return GroupElement(tuple(out))


def random_widths(rng: random.Random, max_order: int) -> tuple[str, tuple[int, ...]] | None:
    activation = rng.choice(("relu", "tanh"))
    depth = rng.randint(1, 3)
    widths = (rng.randint(1, 2),) + tuple(rng.randint(1, 4) for _ in range(depth)) + (rng.randint(1, 2),)
    if SymmetryGroup(activation, widths).order > max_order:
        return None
    return activation, widths
