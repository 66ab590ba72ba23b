"""GLMW: functional dimension is inhomogeneous across parameter space (exact, docs/relu-functional-dimension.md)."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.network import Network
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fdim-inhomogeneous",
    source="Grigsby-Lindsey-Meyerhoff-Wu, Functional dimension of feedforward ReLU networks (abstract); "
           "docs/relu-functional-dimension.md",
    statement="on (1,1,1,1), F = d·σ(c·σ(ax+b)+e)+f, the exact functional dimension is 1, 3, 4, 3 when the signs "
              "of (c, e) are (−,−), (+,+), (−,+), (+,−): each value on an open set (every sampled parameter and "
              "small exact perturbations of it give the same value), so several values occur on open sets",
)

RULE = {(-1, -1): 1, (1, 1): 3, (-1, 1): 4, (1, -1): 3}


def _net(theta) -> Network:
    a, b, c, e, d, f = theta
    return Network.from_lists("relu", [([[a]], [b]), ([[c]], [e]), ([[d]], [f])])


def _q(rnd, positive=False):
    v = fmpq(rnd.randint(1, 40), rnd.randint(1, 9))
    return v if positive or rnd.random() < 0.5 else -v


def run(quick: bool = False) -> Outcome:
    rnd = random.Random(2022)
    samples = 3 if quick else 25
    perturb = 2 if quick else 6
    table = {}
    for (sc, se), expected in RULE.items():
        got = set()
        for _ in range(samples):
            theta = [_q(rnd), _q(rnd, True) * rnd.choice((-1, 1)), sc * _q(rnd, True), se * _q(rnd, True), _q(rnd),
                     _q(rnd)]
            values = {functional_dimension(_net(theta), seed=1).value}
            for _ in range(perturb):  # an open neighbourhood: tiny exact perturbations keep the signs
                moved = [v + fmpq(rnd.randint(-5, 5), 10**6) for v in theta]
                values.add(functional_dimension(_net(moved), seed=2).value)
            got |= values
        table[f"c{'+' if sc > 0 else '-'} e{'+' if se > 0 else '-'}"] = sorted(got)
        if got != {expected}:
            return Outcome(False, f"signs (c, e) = ({sc}, {se}): values {sorted(got)}, expected {expected}",
                           {"values": table})
    n = samples * (perturb + 1) * 4
    return Outcome(True, f"{n} exact computations: dim_fun = 1 / 3 / 4 / 3 on the four sign quadrants of (c, e), "
                         "constant under small perturbations; three different values on open sets",
                   {"values": table, "bound": 4})
