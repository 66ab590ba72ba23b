"""Polynomial-time scaling of the structural tier of ``exactnet equiv`` on bottleneck networks.

For widths ``(n0, n1, n2, 1)`` growing to ``(32, 24, 32)`` (``quick``: ``(24, 18, 24)``; full:
``(64, 48, 64)``), ``A`` has float32 Gaussian weights (exact dyadic rationals) and ``B`` is ``A`` after
a chain of planted mechanism moves (permutations, scalings, a split, a dead neuron, a flip absorbed
by identity neurons; :func:`exactnet.relu.three_layer.planted.plant_chain`), widths differing. Each
pair goes through the product path — :func:`exactnet.relu.equivalence.equivalent` with
``certificate=True``, then the independent checker :func:`exactnet.check.check_certificate` — and
must be decided by tier ``s`` with a valid ``three_layer_moves`` certificate; its near miss (one
weight changed by 1/1000) must be refuted by tier ``s`` with an exact witness. The wall-clock time of
decision + certificate + check is fitted as ``c·n2^e`` (least squares on log–log); the claim holds
when every pair is decided correctly and ``e < 4`` (a generous polynomial bound: the measured
exponent is printed; docs/relu-three-layer.md §10 has the benchmark).
"""

from __future__ import annotations

import math
import random
import time

from exactnet.check import check_certificate
from exactnet.network import forward_exact
from exactnet.relu.equivalence import equivalent
from exactnet.relu.sampling import gaussian_network
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import near_miss, plant_chain
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-three-layer-scaling",
    source="GGM 2026 (three-layer ReLU symmetries): polynomial-time equivalence for bottleneck parameters;"
           " docs/relu-three-layer.md §5",
    statement="planted equivalent pairs of generic bottleneck networks up to width 32 (full: 64) are decided by"
              " the structural tier with a certificate that the independent checker accepts, their near misses"
              " are refuted with exact witnesses, and decision + certificate + check time grows polynomially"
              " (fitted exponent below 4)",
)

QUICK = [(8, 6, 12), (12, 9, 16), (16, 12, 18), (24, 18, 24)]
FULL = QUICK + [(32, 24, 32), (48, 36, 48), (64, 48, 64)]


def _fit(xs, ys) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def _decide(a, b):
    t0 = time.perf_counter()
    res = equivalent(a, b, certificate=True)
    check = check_certificate(res.certificate) if res.certificate is not None else None
    return res, check, time.perf_counter() - t0


def run(quick: bool = False) -> Outcome:
    import numpy as np

    rng = np.random.default_rng(7)
    rnd = random.Random(7)
    points, rows = [], []
    for n0, n1, n2 in QUICK if quick else FULL:
        while True:
            a = ThreeLayer.from_network(gaussian_network((n0, n1, n2, 1), rng))
            if a.w1_matrix.rank() == n1:
                break
        b = plant_chain(a, rnd)
        A, B, C = a.to_network(), b.to_network(), near_miss(b, rnd).to_network()
        times = []
        for _ in range(3):  # the median of three runs
            res, check, seconds = _decide(A, B)
            if res.tier != "s" or res.equivalent is not True or check is None or not check.valid:
                return Outcome(False, f"widths {(n0, n1, n2)}: planted pair answered {res.equivalent} by tier"
                                      f" {res.tier} ({res.reason}); certificate check {check}")
            times.append(seconds)
        t = sorted(times)[1]
        miss, check, _ = _decide(A, C)
        x = miss.witness
        if miss.tier != "s" or miss.equivalent is not False or forward_exact(A, x) == forward_exact(C, x) \
                or check is None or not check.valid:
            return Outcome(False, f"widths {(n0, n1, n2)}: near miss answered {miss.equivalent} by tier {miss.tier}")
        points.append((n2, t))
        rows.append({"widths": [n0, n1, n2, 1], "seconds": round(t, 4),
                     "moves": len(res.certificate["evidence"]["moves"])})
    e = _fit([p[0] for p in points], [p[1] for p in points])
    largest = rows[-1]
    details = (f"{len(rows)} planted pairs and near misses decided by tier s with valid certificates; time ~"
               f" n2^{e:.2f}; widths {tuple(largest['widths'])}: {largest['seconds']:.3f} s with"
               f" {largest['moves']} moves")
    return Outcome(e < 4, details, {"exponent": round(e, 3), "instances": rows})
