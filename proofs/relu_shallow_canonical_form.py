"""The single-hidden-layer equivalence theorem: canonical forms decide exactly what the complete
region-refinement procedure decides, on random instances including every degeneracy."""

from __future__ import annotations

import json
import random

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import Layer, Network
from exactnet.network.domain import Box
from exactnet.numbers import json_loads_exact
from exactnet.relu.equivalence import equivalent
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-shallow-canonical-form",
    source="docs/relu.md § One hidden layer: canonical form and fiber (the theorem and its domain variant, derived); the region-enumeration oracle",
    statement="on random one-hidden-layer pairs — equivalent by permutations, positive scalings, dead, zero-input "
              "and split units and shifted opposite pairs, or with one parameter perturbed — the canonical-form "
              "verdict (on R^n and on a box) equals the complete region-refinement verdict, and every "
              "certificate checks",
)


def _q(rnd, scale=6):
    return fmpq(rnd.randint(-scale, scale), rnd.randint(1, 3))


def _random(rnd, n, h, m):
    return [[[_q(rnd) for _ in range(n)] for _ in range(h)], [_q(rnd) for _ in range(h)],
            [[_q(rnd) for _ in range(h)] for _ in range(m)], [_q(rnd) for _ in range(m)]]


def _net(p):
    W, b, A, c = p
    return Network("relu", (Layer(tuple(map(tuple, W)), tuple(b)), Layer(tuple(map(tuple, A)), tuple(c))))


def _add(p, w, beta, out):
    p[0].append(list(w))
    p[1].append(beta)
    for row, o in zip(p[2], out):
        row.append(o)


def _moved(p, rnd):
    W, b, A, c = [list(map(list, p[0])), list(p[1]), list(map(list, p[2])), list(p[3])]
    q = [W, b, A, c]
    n, m = len(W[0]), len(A)
    for _ in range(rnd.randint(1, 5)):
        kind = rnd.randrange(6)
        h = len(W)
        if kind == 0:
            order = list(range(h))
            rnd.shuffle(order)
            q[0], q[1] = [q[0][k] for k in order], [q[1][k] for k in order]
            q[2] = [[r[k] for k in order] for r in q[2]]
        elif kind == 1:
            j, s = rnd.randrange(h), fmpq(rnd.randint(1, 9), rnd.randint(1, 4))
            q[0][j] = [s * v for v in q[0][j]]
            q[1][j] = s * q[1][j]
            for r in q[2]:
                r[j] = r[j] / s
        elif kind == 2:
            _add(q, [_q(rnd) for _ in range(n)], _q(rnd), [fmpq(0)] * m)
        elif kind == 3:
            beta, out = _q(rnd), [_q(rnd) for _ in range(m)]
            _add(q, [fmpq(0)] * n, beta, out)
            if beta > 0:
                q[3] = [cv - o * beta for cv, o in zip(q[3], out)]
        elif kind == 4:
            j, lam, t = rnd.randrange(h), fmpq(rnd.randint(1, 5), 2), fmpq(rnd.randint(1, 3), 4)
            col = [r[j] for r in q[2]]
            for r in q[2]:
                r[j] = t * r[j]
            _add(q, [lam * v for v in q[0][j]], lam * q[1][j], [(1 - t) * v / lam for v in col])
        else:
            u = [_q(rnd) for _ in range(n)]
            u[0] = u[0] or fmpq(1)
            s1, s2, out = _q(rnd), _q(rnd), [_q(rnd) for _ in range(m)]
            for s, sg in ((s1, 1), (s2, -1)):
                _add(q, u, -s, [sg * v for v in out])
                _add(q, [-v for v in u], s, [-sg * v for v in out])
            q[3] = [cv - o * (s2 - s1) for cv, o in zip(q[3], out)]
        W, b, A, c = q
    return q


def _perturbed(p, rnd):
    q = [list(map(list, p[0])), list(p[1]), list(map(list, p[2])), list(p[3])]
    delta = fmpq(1, rnd.choice((1, 10, 1000)))
    which = rnd.randrange(4)
    if which == 0:
        q[0][rnd.randrange(len(q[0]))][rnd.randrange(len(q[0][0]))] += delta
    elif which == 1:
        q[1][rnd.randrange(len(q[1]))] += delta
    elif which == 2:
        q[2][rnd.randrange(len(q[2]))][rnd.randrange(len(q[2][0]))] += delta
    else:
        q[3][rnd.randrange(len(q[3]))] += delta
    return q


def run(quick: bool = False) -> Outcome:
    rnd = random.Random(2024)
    pairs = 16 if quick else 300
    stats = {"pairs": 0, "equivalent": 0, "not_equivalent": 0, "box_pairs": 0}
    for i in range(pairs):
        n, h, m = rnd.randint(1, 3), rnd.randint(1, 4), rnd.randint(1, 2)
        p = _random(rnd, n, h, m)
        q = _moved(p, rnd) if rnd.random() < 0.5 else _perturbed(_moved(p, rnd), rnd)
        a, b = _net(p), _net(q)
        domain = Box.from_bounds([-2] * n, [2] * n) if i % 3 == 0 else None
        fast = equivalent(a, b, domain, certificate=True, tiers="a")
        full = equivalent(a, b, domain, tiers="d")
        if fast.tier != "a" or fast.equivalent is None or fast.equivalent != full.equivalent:
            return Outcome(False, f"pair {i}: canonical form says {fast.equivalent}, complete procedure "
                                  f"{full.equivalent}", {"a": str(p), "b": str(q)})
        if not check_certificate(json_loads_exact(json.dumps(fast.certificate))).valid:
            return Outcome(False, f"pair {i}: the certificate does not check")
        stats["pairs"] += 1
        stats["box_pairs"] += domain is not None
        stats["equivalent" if fast.equivalent else "not_equivalent"] += 1
    return Outcome(True, f"{stats['pairs']} random pairs ({stats['equivalent']} equivalent, {stats['box_pairs']} on a "
                         f"box): canonical form = complete procedure", stats)
