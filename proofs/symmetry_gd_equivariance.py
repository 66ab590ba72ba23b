"""Gradient descent commutes with the permutation (and sign-flip) group, exactly; not with scalings
(docs/symmetry.md §6)."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.reproduce import Claim, Outcome
from exactnet.symmetry.equivariance import commutes, scaling_failure
from exactnet.symmetry.groups import SymmetryGroup

from ._symmetry_random import random_element, random_network

CLAIM = Claim(
    name="symmetry-gd-equivariance",
    source="Shen, ICML 2024 (arXiv 2305.11417) v1 abstract: symmetric structure and initialization; the identity "
           "is exactnet's derivation (docs/symmetry.md §6), not the paper's argument (unverified)",
    statement="for random rational ReLU networks of depth 1–3, rational data and learning rate, k exact "
              "gradient-descent steps commute with random unit permutations: Φ^k(g·θ) = g·Φ^k(θ); the same for "
              "signed permutations with the odd activation hardtanh; for a positive scaling D the loss is invariant "
              "and ∇L(D·θ) = D^{−1}·∇L(θ) holds exactly, but Φ(D·θ) ≠ D·Φ(θ)",
)


def _data(rng, n, m, count):
    return [(tuple(fmpq(rng.randint(-6, 6), rng.randint(1, 4)) for _ in range(n)),
             tuple(fmpq(rng.randint(-6, 6), rng.randint(1, 4)) for _ in range(m))) for _ in range(count)]


def run(quick: bool = False) -> Outcome:
    rng = random.Random(2305_11417)
    trials = 6 if quick else 40
    steps = 2 if quick else 3
    pool = tuple(fmpq(k, 4) for k in range(-8, 9))
    scal = 0
    for t in range(trials):
        depth = rng.randint(1, 3)
        widths = (rng.randint(1, 3),) + tuple(rng.randint(2, 4) for _ in range(depth)) + (rng.randint(1, 2),)
        data = _data(rng, widths[0], widths[-1], rng.randint(2, 5))
        lr = fmpq(1, rng.randint(5, 20))
        relu = random_network(rng, "relu", widths, pool)
        g = random_element(rng, SymmetryGroup("relu", widths))
        if not commutes(relu, data, lr, g, steps=steps):
            return Outcome(False, f"ReLU {widths}: a GD step does not commute with a permutation")
        odd = random_network(rng, "tanh", widths, pool)
        gs = random_element(rng, SymmetryGroup("tanh", widths))
        if not commutes(odd, data, lr, gs, steps=steps, activation="hardtanh"):
            return Outcome(False, f"hardtanh {widths}: a GD step does not commute with a signed permutation")
        c = fmpq(rng.choice([2, 3, 5]), rng.choice([1, 2, 7]))
        if c == 1:
            continue
        f = scaling_failure(relu, data, lr, 1, rng.randrange(widths[1]), c)
        if not (f.law_holds and f.loss_invariant):
            return Outcome(False, f"ReLU {widths}: the scaling law ∇L(Dθ) = D^-1 ∇L(θ) failed")
        scal += not f.commutes
    if scal == 0:
        return Outcome(False, "no positive scaling failed to commute with the GD step")
    return Outcome(True, f"{trials} random architectures, {steps} exact GD steps each: permutations (ReLU) and signed "
                         f"permutations (hardtanh) commute; positive scalings keep the loss and transform the gradient "
                         f"by D^-1 but failed to commute in {scal} of {trials} cases",
                   {"trials": trials, "scaling_failures": scal})
