"""Farrugia-Roberts (2023): every reducible functional-equivalence class of a tanh network is
piecewise-linear path-connected, while an irreducible class (rank = h) is the finite orbit of
2^h·h! points (docs/tanh.md § Irreducible parameters, § Paths inside a class). Reproduced for random classes with
h/2 < rank < h, where the ≤ 7 construction does not apply: a path through the spare slots is
found and certified (within the documented bound 4·rank + 3); and for irreducible parameters
the answer is "no path" between distinct orbit points, with a checked certificate."""

from __future__ import annotations

import random

from exactnet.check import check_certificate
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.fiber import fiber
from exactnet.tanh.certificates import path_certificate
from exactnet.tanh.paths import path

from ._tanh_fe_random import random_class_network

CLAIM = Claim(
    name="tanh-path-reducible-connected",
    source="Farrugia-Roberts 2023 (NeurIPS): reducible classes are piecewise-linear path-connected; Sussmann 1992 "
           "(docs/tanh.md § Irreducible parameters, § Paths inside a class)",
    statement="for random rational tanh parameters with h/2 < rank < h (h = 3..9), random pairs of members are joined "
              "by certified paths of at most 4·rank + 3 segments; for irreducible parameters two distinct orbit points "
              "get the certified answer 'no path: finite class'",
)


def run(quick: bool = False) -> Outcome:
    rng = random.Random(19920601)
    per_h, pairs = (1, 2) if quick else (8, 3)
    worst: dict = {}
    checked = 0
    for h in range(3, 10):
        for _ in range(per_h):
            r = rng.randint(h // 2 + 1, h - 1)
            n, m = rng.randint(1, 2), rng.randint(1, 2)
            fe = fiber(random_class_network(rng, h, r, n, m, transcendental=rng.random() < 0.3))
            for _ in range(pairs):
                a, b = fe.sample(rng, numeric_bias=True), fe.sample(rng, numeric_bias=True)
                result = path(a.to_network(), b.to_network())
                if not result.exists or len(result.segments) > 4 * r + 3:
                    return Outcome(False, f"h = {h}, rank {r}: {result.reason}")
                verdict = check_certificate(path_certificate(result))
                if not verdict.valid:
                    return Outcome(False, f"the checker rejected a path at h = {h}, rank {r}: {verdict.reason}")
                worst[(h, r)] = max(worst.get((h, r), 0), len(result.segments))
                checked += 1
        # irreducible: a random orbit point (permute + negate) is equivalent, and no path exists
        n, m = rng.randint(1, 2), rng.randint(1, 2)
        fe = fiber(random_class_network(rng, h, h, n, m, transcendental=False))
        a = fe.parameter
        b = fe.sample(rng)
        if b == a:
            continue
        result = path(a.to_network(), b.to_network())
        if result.exists or not result.finite_class:
            return Outcome(False, f"irreducible h = {h}: expected 'no path: finite class', got: {result.reason}")
        if not check_certificate(path_certificate(result)).valid:
            return Outcome(False, f"irreducible h = {h}: the finite-class certificate was rejected")
    table = ", ".join(f"h={h} r={r}: {k}" for (h, r), k in sorted(worst.items()))
    return Outcome(True, f"{checked} certified paths with h/2 < rank < h (longest per (h, rank): {table}); irreducible "
                         "classes answered 'no path' with checked certificates",
                   {"paths": checked, "max_segments": {f"{h},{r}": k for (h, r), k in sorted(worst.items())}})
