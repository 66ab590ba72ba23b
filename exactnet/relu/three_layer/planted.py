"""Random three-layer parameters with planted mechanisms (for cross-validation and benchmarks).

All numbers are small exact rationals drawn from a seeded ``random.Random``. Each ``plant_*``
function returns a parameter equivalent to its input, built by one mechanism move of
:mod:`.moves` (whose facts are checked when it is applied); :func:`perturb` changes one entry.
"""

from __future__ import annotations

import random

from flint import fmpq

from .moves import ActiveBlock, Flip, HideTransfer, Insert, Permute, Reweight, Scale
from .params import ZERO, ThreeLayer


def _q(rnd: random.Random, lo: int = -9, hi: int = 9, nonzero: bool = True) -> fmpq:
    while True:
        v = fmpq(rnd.randint(lo, hi), rnd.randint(1, 4))
        if v != 0 or not nonzero:
            return v


def random_params(rnd: random.Random, n0: int, n1: int, n2: int, n3: int = 1, *, kind: str = "generic") -> ThreeLayer:
    """``kind``: ``generic`` (all entries non-zero random), ``hidden`` (first-layer neuron 0 hidden by
    M3 signs), ``active`` (about a third of the second layer always active), ``degenerate`` (small
    integers with many zeros and ties)."""
    if kind == "degenerate":
        def e():
            return fmpq(rnd.choice([-1, 0, 0, 1, 2]))
    else:
        def e():
            return _q(rnd)
    while True:
        W1 = [[e() for _ in range(n0)] for _ in range(n1)]
        p = ThreeLayer.make(n0, W1, [e() for _ in range(n1)], [[ZERO] * n1], [ZERO], [[ZERO]], [ZERO] * n3)
        if n1 <= n0 and p.w1_matrix.rank() == n1:
            break
    W2 = [[e() for _ in range(n1)] for _ in range(n2)]
    b2 = [e() for _ in range(n2)]
    if kind == "hidden":
        for j in range(n2):
            W2[j] = [abs(v) if k == 0 else -abs(v) for k, v in enumerate(W2[j])]
            b2[j] = -abs(b2[j])
    elif kind == "active":
        for j in range(0, n2, 3):
            W2[j] = [abs(v) for v in W2[j]]
            b2[j] = abs(b2[j])
    W3 = [[e() for _ in range(n2)] for _ in range(n3)]
    return ThreeLayer.make(n0, W1, [p.b1[i] for i in range(n1)], W2, b2, W3, [e() for _ in range(n3)])


def plant_permute(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    o1, o2 = list(range(p.n1)), list(range(p.n2))
    rnd.shuffle(o1)
    rnd.shuffle(o2)
    return Permute(2, tuple(o2)).apply(Permute(1, tuple(o1)).apply(p))


def plant_scale(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    s1 = tuple((i, fmpq(rnd.randint(1, 7), rnd.randint(1, 7))) for i in range(p.n1))
    s2 = tuple((j, fmpq(rnd.randint(1, 7), rnd.randint(1, 7))) for j in range(p.n2))
    return Scale(2, tuple(x for x in s2 if x[1] != 1)).apply(Scale(1, tuple(x for x in s1 if x[1] != 1)).apply(p))


def plant_dead(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    r = tuple(-abs(_q(rnd, nonzero=False)) for _ in range(p.n1))
    return Insert(2, ((rnd.randint(0, p.n2), r, -abs(_q(rnd, nonzero=False)),
                       tuple(_q(rnd) for _ in range(p.n3))),), "dead").apply(p)


def plant_split(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """M1 merging read backwards: a positively proportional copy of a neuron shares its output."""
    j = rnd.randrange(p.n2)
    lam = fmpq(rnd.randint(1, 5), rnd.randint(1, 5))
    r, b = tuple(lam * v for v in p.W2[j]), lam * p.b2[j]
    q = Insert(2, ((p.n2, r, b, tuple(ZERO for _ in range(p.n3))),), "silent").apply(p)
    c = tuple(_q(rnd) for _ in range(p.n3))
    return Reweight(((j, p.n2, 1 / lam, c),)).apply(q)


def _active(p):
    return [j for j in range(p.n2) if all(v >= 0 for v in p.W2[j]) and p.b2[j] >= 0]


def plant_unused_first(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """M2 on the first layer: a new first-layer neuron with zero outgoing column (rank kept full)."""
    if p.n1 >= p.n0:
        return p
    for _ in range(20):
        row = tuple(_q(rnd) for _ in range(p.n0))
        q = Insert(1, ((rnd.randint(0, p.n1), row, _q(rnd), tuple(ZERO for _ in range(p.n2))),), "silent").apply(p)
        if q.w1_matrix.rank() == q.n1:
            return q
    return p


def plant_mixing(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """M4a/M4b: mix two always-active neurons by a non-negative 2×2 matrix and trade a bias."""
    act = _active(p)
    if len(act) < 2:
        return p
    j, k = rnd.sample(act, 2)
    s, t = fmpq(rnd.randint(1, 4), rnd.randint(1, 4)), fmpq(rnd.randint(0, 4), rnd.randint(1, 4))
    # rows: j' = s r_j + t r_k, k' = r_k (both >= 0); outputs: a_j' = a_j / s, a_k' = a_k - (t/s) a_j
    rj, rk = p.W2[j], p.W2[k]
    aj, ak = p.out2(j), p.out2(k)
    trade = fmpq(rnd.randint(0, 5))
    nj = (tuple(s * x + t * y for x, y in zip(rj, rk)), s * p.b2[j] + t * p.b2[k] + trade, tuple(v / s for v in aj))
    nk = (rk, p.b2[k], tuple(y - t / s * x for x, y in zip(aj, ak)))
    b3 = tuple(c - trade * v / s for c, v in zip(p.b3, aj))
    lo, hi = sorted((j, k))
    first, second = (nj, nk) if j < k else (nk, nj)
    return ActiveBlock((lo, hi), ((lo, *first), (hi, *second)), b3).apply(p)


def plant_flip(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """M5: flip a mixed neuron; identity neurons ``σ(h_k)`` absorb its linear part."""
    mixed = [j for j in range(p.n2) if j not in _active(p)
             and not (all(v <= 0 for v in p.W2[j]) and p.b2[j] <= 0)]
    if not mixed:
        return p
    j = rnd.choice(mixed)
    r, b, a = p.W2[j], p.b2[j], p.out2(j)
    add = []
    for k in range(p.n1):
        pos = tuple(fmpq(1) if m == k else ZERO for m in range(p.n1))
        add.append((p.n2 + k, pos, ZERO, tuple(v * r[k] for v in a)))
    # the flipped linear part also carries a_j β_j into b3; keep one identity neuron's bias at 0
    b3 = tuple(c + v * b for c, v in zip(p.b3, a))
    return Flip((j,), (), tuple(add), b3).apply(p)


def plant_transfer(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """M3 on a first-layer neuron whose hide facts hold (parameters of kind ``hidden``), if any."""
    from .moves import MoveError

    for i in range(p.n1):
        ratios = [p.b2[j] / p.W2[j][i] for j in range(p.n2) if p.W2[j][i] > 0]
        lo = max(ratios) if ratios else ZERO
        try:
            return HideTransfer(i, lo + fmpq(rnd.randint(0, 8), rnd.randint(1, 4))).apply(p)
        except MoveError:
            continue
    return p


def perturb(p: ThreeLayer, rnd: random.Random, delta: fmpq | None = None) -> ThreeLayer:
    """One entry (weight or bias, any layer) changed by ``delta`` (default a random small rational)."""
    delta = delta if delta is not None else _q(rnd)
    flat = [list(map(list, p.W1)), [list(p.b1)], list(map(list, p.W2)), [list(p.b2)], list(map(list, p.W3)),
            [list(p.b3)]]
    cells = [(g, r, c) for g, rows in enumerate(flat) for r, row in enumerate(rows) for c in range(len(row))]
    g, r, c = rnd.choice(cells)
    flat[g][r][c] += delta
    return ThreeLayer.make(p.n0, flat[0], flat[1][0], flat[2], flat[3][0], flat[4], flat[5][0])


PLANTS = {"permute": plant_permute, "scale": plant_scale, "dead": plant_dead, "split": plant_split,
          "mixing": plant_mixing, "flip": plant_flip, "transfer": plant_transfer,
          "unused_first": plant_unused_first}


def plant_chain(p: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """The benchmark partner of ``p`` (needs a mixed second-layer neuron): both hidden layers permuted
    and rescaled by powers of two, one second-layer neuron split in two, a dead neuron inserted, a mixed
    neuron flipped with ``n1`` identity neurons absorbing its linear part (M0, M1, M2, M5)."""
    o1, o2 = list(range(p.n1)), list(range(p.n2))
    rnd.shuffle(o1)
    rnd.shuffle(o2)
    q = Permute(2, tuple(o2)).apply(Permute(1, tuple(o1)).apply(p))
    q = Scale(1, tuple((i, fmpq(2) ** rnd.randint(1, 3)) for i in range(q.n1))).apply(q)
    q = Scale(2, tuple((j, fmpq(1, 2) ** rnd.randint(1, 3)) for j in range(q.n2))).apply(q)
    j = rnd.randrange(q.n2)  # split: a copy at twice the scale takes a third of the output
    q = Insert(2, ((q.n2, tuple(2 * v for v in q.W2[j]), 2 * q.b2[j], tuple(ZERO for _ in q.b3)),), "silent").apply(q)
    q = Reweight(((j, q.n2 - 1, fmpq(1, 2), tuple(v / 3 for v in q.out2(j))),)).apply(q)
    q = Insert(2, ((0, tuple(-abs(v) for v in q.W2[0]), -fmpq(1), tuple(fmpq(5) for _ in q.b3)),), "dead").apply(q)
    mixed = [k for k in range(q.n2)
             if any(v > 0 for v in q.W2[k] + (q.b2[k],)) and any(v < 0 for v in q.W2[k] + (q.b2[k],))]
    if not mixed:
        raise ValueError("plant_chain needs a second-layer neuron with weights or bias of both signs")
    k = mixed[0]
    r, b, a = q.W2[k], q.b2[k], q.out2(k)
    add = tuple((q.n2 + i, tuple(fmpq(1) if m == i else ZERO for m in range(q.n1)), ZERO, tuple(v * r[i] for v in a))
                for i in range(q.n1))
    return Flip((k,), (), add, tuple(c + v * b for c, v in zip(q.b3, a))).apply(q)


def near_miss(q: ThreeLayer, rnd: random.Random) -> ThreeLayer:
    """``q`` with one second-layer weight (not of neuron 0) changed by 1/1000."""
    W2 = [list(r) for r in q.W2]
    W2[rnd.randrange(1, q.n2)][rnd.randrange(q.n1)] += fmpq(1, 1000)
    return ThreeLayer.make(q.n0, q.W1, q.b1, W2, q.b2, q.W3, q.b3)


def planted_pair(rnd: random.Random, widths, kind: str = "generic", moves=None) -> tuple[ThreeLayer, ThreeLayer]:
    """A random parameter and its image under the named planted moves (default: a random few)."""
    p = random_params(rnd, *widths, kind=kind)
    names = moves if moves is not None else rnd.sample(sorted(PLANTS), 3)
    q = p
    for name in names:
        if name == "transfer" and kind != "hidden":
            continue
        q = PLANTS[name](q, rnd)
    return p, q


__all__ = ["PLANTS", "near_miss", "perturb", "plant_chain", "planted_pair", "random_params"]
