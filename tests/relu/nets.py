"""Test helpers: random exact ReLU networks and function-preserving moves written independently
of exactnet's own move code (so the tests do not check the library against itself)."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import strategies as st

from exactnet.network import Layer, Network, forward_exact


def net_from(layers) -> Network:
    return Network("relu", tuple(Layer(tuple(tuple(fmpq(v) for v in r) for r in W), tuple(fmpq(v) for v in b))
                                 for W, b in layers))


def lists(net: Network):
    return [([list(r) for r in layer.weight], list(layer.bias)) for layer in net.layers]


def random_net(rnd: random.Random, widths, scale: int = 9, dens=(1, 2, 3, 4)) -> Network:
    layers = []
    for i in range(len(widths) - 1):
        W = [[fmpq(rnd.randint(-scale, scale), rnd.choice(dens)) for _ in range(widths[i])] for _ in range(widths[i + 1])]
        b = [fmpq(rnd.randint(-scale, scale), rnd.choice(dens)) for _ in range(widths[i + 1])]
        layers.append((W, b))
    return net_from(layers)


@st.composite
def seeds(draw):
    return draw(st.integers(min_value=0, max_value=10**9))


def _pos(rnd):
    return fmpq(rnd.randint(1, 7), rnd.randint(1, 5))


def permute(layers, l, rnd):
    W, b = layers[l]
    order = list(range(len(W)))
    rnd.shuffle(order)
    layers[l] = ([W[k] for k in order], [b[k] for k in order])
    W2, b2 = layers[l + 1]
    layers[l + 1] = ([[r[k] for k in order] for r in W2], b2)


def scale(layers, l, j, c):
    W, b = layers[l]
    W[j] = [c * v for v in W[j]]
    b[j] = c * b[j]
    for r in layers[l + 1][0]:
        r[j] = r[j] / c


def add_unit(layers, l, w, bias, out):
    W, b = layers[l]
    W.append(list(w))
    b.append(bias)
    for r, o in zip(layers[l + 1][0], out):
        r.append(o)


def add_dead_unit(layers, l, rnd):
    """A unit that never fires: zero outgoing weights (any layer), or non-positive inputs (layer ≥ 1)."""
    n_in = len(layers[l][0][0])
    m = len(layers[l + 1][0])
    if l >= 1 and rnd.random() < 0.6:
        w = [fmpq(-rnd.randint(0, 5), rnd.randint(1, 3)) for _ in range(n_in)]
        add_unit(layers, l, w, fmpq(-rnd.randint(0, 5)), [fmpq(rnd.randint(-9, 9)) for _ in range(m)])
    else:
        w = [fmpq(rnd.randint(-5, 5), rnd.randint(1, 3)) for _ in range(n_in)]
        add_unit(layers, l, w, fmpq(rnd.randint(-5, 5)), [fmpq(0)] * m)


def add_zero_input_unit(layers, l, rnd):
    n_in = len(layers[l][0][0])
    m = len(layers[l + 1][0])
    beta = fmpq(rnd.randint(-5, 5), rnd.randint(1, 3))
    out = [fmpq(rnd.randint(-5, 5), rnd.randint(1, 3)) for _ in range(m)]
    add_unit(layers, l, [fmpq(0)] * n_in, beta, out)
    if beta > 0:
        b2 = layers[l + 1][1]
        for r in range(m):
            b2[r] -= out[r] * beta


def split_unit(layers, l, j, rnd):
    W, b = layers[l]
    lam = _pos(rnd)
    t = fmpq(rnd.randint(1, 4), 5)
    col = [r[j] for r in layers[l + 1][0]]
    for r in layers[l + 1][0]:
        r[j] = t * r[j]
    add_unit(layers, l, [lam * v for v in W[j]], lam * b[j], [(1 - t) * c / lam for c in col])


def add_shifted_opposite_pairs(layers, l, rnd):
    """Two opposite pairs on parallel hyperplanes ℓ − s1, ℓ − s2 (docs/relu.md § One hidden layer: canonical form and fiber, § Hidden symmetries):
    c(σ(ℓ−s1) − σ(s1−ℓ)) − c(σ(ℓ−s2) − σ(s2−ℓ)) = c(s2 − s1), compensated in the next bias."""
    n_in = len(layers[l][0][0])
    m = len(layers[l + 1][0])
    u = [fmpq(rnd.randint(-4, 4), rnd.randint(1, 3)) for _ in range(n_in)]
    if all(v == 0 for v in u):
        u[0] = fmpq(1)
    beta = fmpq(rnd.randint(-4, 4), rnd.randint(1, 3))
    s1, s2 = fmpq(rnd.randint(-6, 6), 2), fmpq(rnd.randint(-6, 6), 2)
    c = [fmpq(rnd.randint(-5, 5), rnd.randint(1, 3)) for _ in range(m)]
    for s, sgn in ((s1, 1), (s2, -1)):
        add_unit(layers, l, u, beta - s, [sgn * v for v in c])
        add_unit(layers, l, [-v for v in u], s - beta, [-sgn * v for v in c])
    b2 = layers[l + 1][1]
    for r in range(m):
        b2[r] -= c[r] * (s2 - s1)


MOVES = ("permute", "scale", "dead", "zero_input", "split", "pairs")


def random_moves(net: Network, rnd: random.Random, count: int = 4, kinds=MOVES) -> Network:
    """``net`` after ``count`` random function-preserving moves."""
    layers = lists(net)
    hidden = len(layers) - 1
    for _ in range(count):
        kind = rnd.choice(kinds)
        l = rnd.randrange(hidden)
        if kind == "permute":
            permute(layers, l, rnd)
        elif kind == "scale":
            scale(layers, l, rnd.randrange(len(layers[l][0])), _pos(rnd))
        elif kind == "dead":
            add_dead_unit(layers, l, rnd)
        elif kind == "zero_input":
            add_zero_input_unit(layers, l, rnd)
        elif kind == "split":
            split_unit(layers, l, rnd.randrange(len(layers[l][0])), rnd)
        elif kind == "pairs":
            add_shifted_opposite_pairs(layers, l, rnd)
    return net_from(layers)


def same_on_points(a: Network, b: Network, rnd: random.Random, count: int = 30) -> bool:
    for _ in range(count):
        x = [fmpq(rnd.randint(-50, 50), rnd.randint(1, 7)) for _ in range(a.input_dim)]
        if forward_exact(a, x) != forward_exact(b, x):
            return False
    return True
