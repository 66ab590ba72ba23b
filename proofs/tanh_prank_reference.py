"""Proximate rank reference values (docs/tanh.md § Test cases) and the elementary facts of docs/tanh.md § Proximate rank on random
parameters: prank_0 = rank, prank_ε ≤ Bound(ε) ≤ rank, monotone in ε, witnesses within ε."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.network import Network
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.compression import rank
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank
from exactnet.tanh.proximity import distance

from ._tanh_random import network

CLAIM = Claim(
    name="tanh-prank-reference",
    source="Farrugia-Roberts, 'Proximity to losslessly compressible parameters' (arXiv 2306.02834); w_repo from "
           "edmundlth/prank_phase_transition_in_simple_network (docs/tanh.md § Proximate rank, § Test cases)",
    statement="w_repo: rank 3, Bound_1 = prank_1 = 0, Bound_{1/10} = prank_{1/10} = 2; a = [5,5,5], c = 0, ε = 1: "
              "Bound = 2 for b = [2,3,4], 1 for b = [3,2,4], prank = 1, rank 3; on random parameters "
              "prank_0 = rank, prank ≤ Bound ≤ rank, prank non-increasing in ε, witnesses within ε of their rank",
)


def _net(a, b, c, d=0):
    return Network.from_lists("tanh", [([[x] for x in b], c), ([a], [d])])


W_REPO = _net(["-0.8704732", "-0.09269352", "0.3384626"], ["-0.952935", "-0.32022476", "0.9650079"],
              ["-0.4964598", "1.8577402", "-1.4160455"], "-1.2973489")


def run(quick: bool = False) -> Outcome:
    checks = [
        ("rank(w_repo)", rank(W_REPO), 3),
        ("Bound(w_repo, 1)", bound_prank(W_REPO, 1).value, 0),
        ("prank_1(w_repo)", prank(W_REPO, 1).value, 0),
        ("Bound(w_repo, 1/10)", bound_prank(W_REPO, "1/10").value, 2),
        ("prank_1/10(w_repo)", prank(W_REPO, "1/10").value, 2),
    ]
    for b, bound in (([2, 3, 4], 2), ([3, 2, 4], 1)):
        net = _net([5, 5, 5], b, [0, 0, 0])
        checks += [(f"Bound(b={b}, 1)", bound_prank(net, 1).value, bound), (f"prank_1(b={b})", prank(net, 1).value, 1),
                   (f"rank(b={b})", rank(net), 3)]
    for name, got, want in checks:
        if got != want:
            return Outcome(False, f"{name} = {got}, expected {want}")
    rng = random.Random(2306)
    trials = 15 if quick else 150
    epsilons = [fmpq(0), fmpq(1, 20), fmpq(1, 10), fmpq(1, 4), fmpq(1, 2), fmpq(1)]
    strict = 0
    for t in range(trials):
        n, m, h = rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 10 if quick else 16)

        def q(lim, den=10):
            return fmpq(rng.randint(-lim * den, lim * den), den)

        units = [(tuple(q(1) for _ in range(m)), tuple(q(2) for _ in range(n)), q(2)) for _ in range(h)]
        net = network(units, tuple(q(1) for _ in range(m)), n, m)
        r = rank(net)
        previous = None
        for eps in epsilons:
            exact, greedy = prank(net, eps), bound_prank(net, eps)
            if not exact.value <= greedy.value <= r:
                return Outcome(False, f"trial {t}, ε={eps}: prank {exact.value}, Bound {greedy.value}, rank {r}")
            if eps == 0 and not exact.value == greedy.value == r:
                return Outcome(False, f"trial {t}: prank_0 = {exact.value}, Bound_0 = {greedy.value}, rank {r}")
            if previous is not None and exact.value > previous:
                return Outcome(False, f"trial {t}: prank increased from {previous} to {exact.value} at ε={eps}")
            for res in (exact, greedy):
                w = res.witness.parameter
                if distance(exact.parameter, w) > eps or rank(w) != res.value:
                    return Outcome(False, f"trial {t}, ε={eps}: a witness is not within ε or not of the claimed rank")
            strict += greedy.value > exact.value
            previous = exact.value
    return Outcome(True, f"reference values hold; {trials} random parameters × {len(epsilons)} radii: prank ≤ Bound ≤ "
                         f"rank, prank_0 = rank, monotone, witnesses verified (Bound strictly larger {strict} times)",
                   {"trials": trials, "greedy_strictly_larger": strict})
