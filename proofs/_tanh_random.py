"""Deterministic random tanh parameters for the tanh claims (a helper, not a claim)."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.network import Layer, Network

ZERO = fmpq(0)


def rational(rng: random.Random, num: int = 6, den: int = 4) -> fmpq:
    return fmpq(rng.randint(-num, num), rng.randint(1, den))


def nonzero(rng: random.Random, num: int = 6, den: int = 4) -> fmpq:
    while True:
        x = rational(rng, num, den)
        if x != 0:
            return x


def vector(rng, length, nonzero_vector=False):
    while True:
        v = tuple(rational(rng) for _ in range(length))
        if not nonzero_vector or any(x != 0 for x in v):
            return v


def key(b, c):
    for x in b:
        if x != 0:
            s = 1 if x > 0 else -1
            return tuple(s * y for y in b) + (s * c,)
    return None


def irreducible_units(rng, h, n, m):
    units, keys = [], set()
    while len(units) < h:
        b, c = vector(rng, n, True), rational(rng)
        k = key(b, c)
        if k in keys:
            continue
        keys.add(k)
        units.append((vector(rng, m, True), b, c))
    return units


def planted_reducible(rng, units, n, m, extra):
    """Insert `extra` redundant units (duplicates, negated duplicates, dead, cancelling pairs,
    zero-bias constant units) without changing the function."""
    units = list(units)
    while extra > 0:
        kind = rng.choice(("dup", "negdup", "dead", "cancel", "zero_const"))
        pos = rng.randint(0, len(units))
        if kind in ("dup", "negdup") and units:
            i = rng.randrange(len(units))
            a, b, c = units[i]
            t = vector(rng, m)
            units[i] = (tuple(x - y for x, y in zip(a, t)), b, c)
            new = (t, b, c) if kind == "dup" else (tuple(-x for x in t), tuple(-x for x in b), -c)
            units.insert(pos, new)
            extra -= 1
        elif kind == "dead":
            units.insert(pos, (tuple(ZERO for _ in range(m)), vector(rng, n), rational(rng)))
            extra -= 1
        elif kind == "zero_const":
            units.insert(pos, (vector(rng, m), tuple(ZERO for _ in range(n)), ZERO))
            extra -= 1
        elif kind == "cancel" and extra >= 2:
            t, b, c = vector(rng, m), vector(rng, n), rational(rng)
            units.insert(pos, (t, b, c))
            units.insert(rng.randint(0, len(units)), (tuple(-x for x in t), b, c))
            extra -= 2
    return units


def network(units, d, n, m) -> Network:
    if not units:
        units = [(tuple(ZERO for _ in range(m)), tuple(ZERO for _ in range(n)), ZERO)]
    w1 = tuple(tuple(u[1]) for u in units)
    b1 = tuple(u[2] for u in units)
    w2 = tuple(tuple(u[0][k] for u in units) for k in range(m))
    return Network("tanh", (Layer(w1, b1), Layer(w2, tuple(d))))
