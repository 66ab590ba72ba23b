"""The reference's exact ReLU test vectors: equivalence S1–S6 and E1–E5, the worked fiber of σ(x)
and the region counts T1–T7, all decided exactly with checking certificates."""

from __future__ import annotations

import json

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.numbers import json_loads_exact
from exactnet.relu.equivalence import equivalent
from exactnet.relu.regions import count_regions
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-reference-vectors",
    source="docs/relu.md § Test cases (S1–S6, E1–E5, region counts T1–T7) and § One hidden layer: canonical form and fiber (the worked fiber of σ(x))",
    statement="every shallow and three-layer equivalence vector gets its stated verdict (with the complete tier (d) "
              "agreeing and every certificate checking), the worked fiber members of σ(x) are equivalent to it and "
              "the negatively oriented unit is not, and exact enumeration finds the stated region counts",
)


def _net(*layers):
    return Network.from_lists("relu", list(layers))


def _shallow(W, b, A, c):
    return _net((W, b), (A, c))


I2 = [[1, 0], [0, 1]]
S1 = _shallow([[1, 2], [-1, 1]], [1, 0], [[3, -2]], [5])
E1 = _net((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
E3 = _net(([[1, 0], [1, 1]], [0, -1]), ([[1, -1], [-1, 2]], ["1/2", "-1/2"]), ([[1, -2]], [1]))


def _permute_and_scale(net, moves):
    """Apply (hidden layer, order, scales): new unit k = old unit order[k], then scaled by scales[k]."""
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    for li, order, scales in moves:
        W, b = layers[li]
        W2, b2 = layers[li + 1]
        W, b = [W[k] for k in order], [b[k] for k in order]
        W2 = [[r[k] for k in order] for r in W2]
        for j, c in enumerate(scales):
            c = fmpq(c)
            W[j], b[j] = [c * v for v in W[j]], c * b[j]
            for r in W2:
                r[j] = r[j] / c
        layers[li], layers[li + 1] = (W, b), (W2, b2)
    return _net(*layers)


def _perturbations(net, delta):
    """``net`` with one entry (weight or bias) increased by ``delta``, for every entry."""
    out = []
    base = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    for li, (W, b) in enumerate(base):
        for r in range(len(W)):
            for c in range(len(W[r]) + 1):
                layers = [([list(row) for row in WW], list(bb)) for WW, bb in base]
                if c < len(W[r]):
                    layers[li][0][r][c] += delta
                else:
                    layers[li][1][r] += delta
                out.append(_net(*layers))
    return out


# docs/relu.md § Test cases: E3: layer-1 permutation (1 0) with scales (2, 1/3); layer-2 permutation (1 0), scales (3, 5/7)
E3_IMAGE = _permute_and_scale(E3, [(0, [1, 0], [2, fmpq(1, 3)]), (1, [1, 0], [3, fmpq(5, 7)])])
E2A = _net((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0]))

EQUIVALENCE = [
    ("S1 perm+scale", S1, _shallow([[-2, 2], [2, 4]], [0, 2], [[-1, "3/2"]], [5]), True),
    ("S2 moved linear pair", _shallow([[1], [-1]], [0, 0], [[1, -1]], [0]),
     _shallow([[2], [-2]], [1, -1], [["1/2", "-1/2"]], ["-1/2"]), True),
    ("S3 zero-input/zero-output", _shallow([[1], [0], [0]], [0, 3, -7], [[1, 2, 123]], [0]),
     _shallow([[1], [5], [0]], [0, 9, 0], [[1, 0, 0]], [6]), True),
    ("S4 split hyperplane", _shallow([[1, 1], [0, 1], [0, 0]], [1, 0, 0], [[3, 1, 0]], [0]),
     _shallow([[1, 1], [2, 2], [0, 1]], [1, 2, 0], [[1, 1, 1]], [0]), True),
    ("S5 |x1| vs 2σ(x1)", _shallow([[1, 0], [-1, 0]], [0, 0], [[1, 1]], [0]),
     _shallow([[1, 0], [-1, 0]], [0, 0], [[2, 0]], [0]), False),
    ("S6 near miss", S1, _shallow([[1, 2], [-1, 1]], ["1001/1000", 0], [[3, -2]], [5]), False),
    ("E1 GL mixing", E1, _net((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0])), True),
    ("E1 bias trade", E1, _net((I2, [0, 0]), ([[1, 2], [3, 1]], [6, 2]), ([[1, -1]], [-5])), True),
    ("E1 positivity broken", E1, _net((I2, [0, 0]), ([[-2, 1], [3, 1]], [-1, 2]), ([[1, 0]], [0])), False),
    ("E1 naive sign flip", E1, _net(([[-1, 0], [0, 1]], [0, 0]), ([[-1, 2], [-3, 1]], [1, 2]), ([[1, -1]], [0])),
     False),
    ("E2 dead neuron", E2A, _net((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0])), True),
    ("E2 broken", E2A, _net((I2, [0, 0]), ([[1, -1], [-1, "1/10"]], ["1/2", -1]), ([[1, 7]], [0])), False),
    ("E3 permutations and scalings", E3, E3_IMAGE, True),
    *[(f"E3 +1/100 at entry {k + 1}", E3, b, False) for k, b in enumerate(_perturbations(E3, fmpq(1, 100)))],
    ("E4 hide transfer", _net(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0])),
     _net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0])), True),
    ("E5 dead on the image", _net(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])),
     _net(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0])), True),
]

SIGMA = _shallow([[1]], [0], [[1]], [0])
FIBER = [  # docs/relu.md § One hidden layer: canonical form and fiber: f = σ(x), width 2
    ("P3 both units on x=0", _shallow([[2], ["1/3"]], [0, 0], [["1/4", "3/2"]], [0]), True),
    ("P1 with a zero-output unit", _shallow([["1/2"], [7]], [0, -3], [[2, 0]], [0]), True),
    ("P1 with a dead constant unit", _shallow([[3], [0]], [0, -2], [["1/3", 5]], [0]), True),
    ("P1 with a live constant unit", _shallow([[3], [0]], [0, 2], [["1/3", 5]], [-10]), True),
    ("negatively oriented unit", _shallow([[1], [-1]], [0, 0], [[1, "1/2"]], [0]), False),
]

REGION_COUNTS = [  # docs/relu.md § Test cases, θ in library order
    ("T1", (1, 1, 1), (1, "1/2", 2, 3), 2), ("T2a", (1, 1, 1), (1, 0, 0, 0), 2),
    ("T2b", (1, 1, 1), (0, -1, 1, 0), 1), ("T3a", (1, 1, 1, 1), (1, "1/3", -1, -1, 1, 0), 2),
    ("T3b", (1, 1, 1, 1), (1, "1/3", 1, 1, 1, 0), 2), ("T3c", (1, 1, 1, 1), (1, "1/3", -1, 1, 1, 0), 3),
    ("T3d", (1, 1, 1, 1), (1, "1/3", 1, -1, 1, 0), 3), ("T4", (1, 1, 1, 1), (1, 0, 1, 1, 0, 0), 2),
    ("T5", (1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"), 2), ("T6", (1, 2, 1), (1, -1, 0, 0, 1, 1, 0), 2),
    ("T7", (1, 1, 1, 1, 1), (1, 0, -1, 1, "1/2", "-1/4", 1, 0), 4),
]


def _from_theta(widths, theta):
    it = iter(theta)
    return _net(*[([[next(it) for _ in range(widths[i])] for _ in range(widths[i + 1])],
                   [next(it) for _ in range(widths[i + 1])]) for i in range(len(widths) - 1)])


def _checked(a, b):
    res = equivalent(a, b, certificate=True)
    ok = check_certificate(json_loads_exact(json.dumps(res.certificate))).valid
    return res, ok


def run(quick: bool = False) -> Outcome:
    rows = {}
    for name, a, b, expected in EQUIVALENCE + [(n, SIGMA, b, e) for n, b, e in FIBER]:
        res, ok = _checked(a, b)
        if res.equivalent is not expected or not ok:
            return Outcome(False, f"{name}: got {res.equivalent} (tier {res.tier}), certificate valid: {ok}")
        complete = equivalent(a, b, tiers="d").equivalent
        if complete is not expected:
            return Outcome(False, f"{name}: the complete tier (d) says {complete}")
        rows[name] = {"equivalent": expected, "tier": res.tier}
    counts = {}
    for name, widths, theta, expected in REGION_COUNTS:
        got = count_regions(_from_theta(widths, theta))
        if got != expected:
            return Outcome(False, f"{name}: {got} regions, expected {expected}")
        counts[name] = got
    return Outcome(True, f"{len(EQUIVALENCE)} equivalence vectors, {len(FIBER)} fiber members and "
                         f"{len(REGION_COUNTS)} region counts as stated; all certificates check",
                   {"equivalence": rows, "region_counts": counts})
