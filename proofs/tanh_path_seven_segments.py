"""Farrugia-Roberts (2023): if rank(w) ≤ h/2, every two points of the functional-equivalence
class FE[w] are joined by a piecewise-linear path of at most 7 linear segments (reference
docs/tanh.md § Paths inside a class, the 7-segment construction). Reproduced on random classes with random pairs of members
drawn across the pieces of the class; every path is certified by the independent checker."""

from __future__ import annotations

import random
from collections import Counter

from exactnet.check import check_certificate
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.fiber import fiber
from exactnet.tanh.certificates import path_certificate
from exactnet.tanh.paths import path

from ._tanh_fe_random import random_class_network

CLAIM = Claim(
    name="tanh-path-seven-segments",
    source="Farrugia-Roberts 2023 (NeurIPS), path connectivity of reducible classes; author's talk: rank ≤ h/2 ⇒ "
           "paths of length ≤ 7 (docs/tanh.md § Paths inside a class)",
    statement="for random rational tanh parameters with rank ≤ h/2 (h = 2..8, n, m ≤ 2, some with a transcendental "
              "output bias δ), random pairs of members drawn across the pieces of FE[w] are joined by paths of at most "
              "7 linear segments, each checked by the independent path checker; the largest length seen is reported",
)


def run(quick: bool = False) -> Outcome:
    rng = random.Random(20230508)
    per_h, pairs = (2, 2) if quick else (30, 5)
    lengths: Counter = Counter()
    piece_kinds, seg_kinds = set(), set()
    checked = 0
    for h in range(2, 9):
        for _ in range(per_h):
            r = rng.randint(0, h // 2)
            n, m = rng.randint(1, 2), rng.randint(1, 2)
            net = random_class_network(rng, h, r, n, m, transcendental=rng.random() < 0.5)
            fe = fiber(net)
            if fe.rank != r or 2 * fe.rank > h:
                return Outcome(False, f"generator produced rank {fe.rank} ≠ {r} at h = {h}")
            for _ in range(pairs):
                pa, a = fe.sample_with_piece(rng, numeric_bias=True)
                pb, b = fe.sample_with_piece(rng, numeric_bias=True)
                piece_kinds |= pa.kinds | pb.kinds
                result = path(a.to_network(), b.to_network())
                if not result.exists:
                    return Outcome(False, f"no path found at h = {h}, rank {r}: {result.reason}")
                k = len(result.segments)
                if k > 7:
                    return Outcome(False, f"a path of {k} > 7 segments at h = {h}, rank {r}")
                verdict = check_certificate(path_certificate(result))
                if not verdict.valid:
                    return Outcome(False, f"the checker rejected a path at h = {h}, rank {r}: {verdict.reason}")
                lengths[k] += 1
                seg_kinds |= {kind for s in result.segments for kind in s.kinds}
                checked += 1
    longest = max(lengths)
    hist = ", ".join(f"{k}: {lengths[k]}" for k in sorted(lengths))
    return Outcome(
        True,
        f"{checked} certified paths for h = 2..8 with rank ≤ h/2; the longest has {longest} segments (≤ 7); "
        f"lengths {{{hist}}}",
        {"paths": checked, "max_segments": longest, "lengths": {str(k): v for k, v in sorted(lengths.items())},
         "piece_kinds": sorted(piece_kinds), "segment_kinds": sorted(seg_kinds)},
    )
