"""Proximate rank is as hard as covering points with squares (docs/tanh.md § Proximate rank): on random small
point sets, prank_ε of the reduction's network equals the minimum number of closed squares of
side 2ε covering the points; the greedy bound is an upper bound, sometimes strictly larger."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank
from exactnet.tanh.certificates import proximate_rank_certificate
from exactnet.tanh.square_cover import from_square_cover, min_square_cover

CLAIM = Claim(
    name="tanh-prank-square-cover",
    source="Farrugia-Roberts, 'Proximity to losslessly compressible parameters' (arXiv 2306.02834), NP-hardness "
           "via covering points with small squares (docs/tanh.md § Proximate rank; the reduction's constants are exactnet's)",
    statement="for random point sets, prank_ε(from_square_cover(points, ε)) = the minimum number of side-2ε "
              "squares covering the points (subset brute force); the greedy Bound is ≥ it and sometimes strictly "
              "larger; every witness is certified (independent checker)",
)


def run(quick: bool = False) -> Outcome:
    rng = random.Random(20230605)
    trials = 20 if quick else 250
    max_points = 8 if quick else 12
    strict, gap_total = 0, 0
    for t in range(trials):
        h = rng.randint(3, max_points)
        grid = rng.choice((4, 6, 8))
        den = rng.choice((1, 2, 10))
        pts = [(fmpq(rng.randint(0, grid * den), den), fmpq(rng.randint(0, grid * den), den)) for _ in range(h)]
        eps = rng.choice((fmpq(1, 2), fmpq(1), fmpq(3, 2), fmpq(11, 10)))
        cover, _ = min_square_cover(pts, eps)
        net = from_square_cover(pts, eps)
        exact = prank(net, eps)
        greedy = bound_prank(net, eps)
        if exact.value != cover:
            return Outcome(False, f"trial {t}: prank {exact.value} ≠ minimum square cover {cover} ({pts}, ε={eps})")
        if greedy.value < exact.value:
            return Outcome(False, f"trial {t}: greedy {greedy.value} below prank {exact.value}")
        strict += greedy.value > exact.value
        gap_total += greedy.value - exact.value
        if t % 10 == 0:
            for res in (exact, greedy):
                check = check_certificate(proximate_rank_certificate(res))
                if not check.valid:
                    return Outcome(False, f"trial {t}: witness certificate rejected: {check.reason}")
    if strict == 0:
        return Outcome(False, f"the greedy bound was tight on all {trials} instances (expected it not to be)")
    return Outcome(True, f"{trials} random point sets (3–{max_points} points): prank = minimum square cover every "
                         f"time; greedy Bound strictly larger in {strict}/{trials} ({100 * strict / trials:.0f}%), "
                         f"mean gap {gap_total / trials:.2f}",
                   {"trials": trials, "greedy_strictly_larger": strict, "mean_gap": gap_total / trials})
