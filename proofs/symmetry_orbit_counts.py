"""Exact stabilizers and orbit sizes against brute force over the whole group (docs/symmetry.md §2)."""

from __future__ import annotations

import math
import random

from exactnet.network import Network
from exactnet.reproduce import Claim, Outcome
from exactnet.symmetry import act, canonical_form, group_of, stabilizer
from exactnet.symmetry import brute

from ._symmetry_random import plant_duplicates, random_element, random_network, random_widths

CLAIM = Claim(
    name="symmetry-orbit-counts",
    source="Shen, ICML 2024 (arXiv 2305.11417): |G| = Π d_l! (Π 2^{d_l} d_l! for odd σ); orbit–stabilizer "
           "|G·θ| = |G|/|Stab θ| (docs/symmetry.md §1–§2)",
    statement="for random ReLU and tanh networks of depth 1–3 with small entries and planted duplicated and negated "
              "units (|G| ≤ 10^4), the computed stabilizer order equals the number of group elements fixing θ and the "
              "orbit size the number of distinct images, both by enumerating all of G; every generator fixes θ; the "
              "canonical form is the same for random elements of the orbit; worked cases: units (1,2),(1,2),(3,4),(5,6) "
              "give 4!/2! = 12, three generic tanh units give 2^3·3! = 48",
)


def run(quick: bool = False) -> Outcome:
    rng = random.Random(20240721)
    # worked cases
    dup = Network.from_lists("relu", [([[1], [1], [3], [5]], [2, 2, 4, 6]), ([[1, 1, 1, 1]], [0])])
    if stabilizer(dup).orbit_size != 12 or len(brute.orbit(dup)) != 12:
        return Outcome(False, "the duplicated-unit example does not give 4!/2! = 12")
    gen = Network.from_lists("tanh", [([[1], [2], [3]], [1, 5, 7]), ([[1, 2, 3]], [0])])
    if stabilizer(gen).orbit_size != 48 or len(brute.orbit(gen)) != 48:
        return Outcome(False, "three generic tanh units do not give 2^3·3! = 48")
    trials = 40 if quick else 250
    max_order = 2000 if quick else 10_000
    checked = nontrivial = 0
    while checked < trials:
        pick = random_widths(rng, max_order)
        if pick is None:
            continue
        activation, widths = pick
        net = random_network(rng, activation, widths)
        if rng.random() < 0.5:
            net = plant_duplicates(rng, net, negate=activation == "tanh")
        stab = stabilizer(net)
        order = brute.stabilizer_order(net)
        size = len(brute.orbit(net))
        if stab.order != order or stab.orbit_size != size or group_of(net).order != size * order:
            return Outcome(False, f"{activation} {widths}: computed |Stab| = {stab.order}, |orbit| = {stab.orbit_size};"
                                  f" brute force {order}, {size}")
        if any(act(g, net) != net for g in stab.generators):
            return Outcome(False, f"{activation} {widths}: a stabilizer generator moves θ")
        canon = canonical_form(net).network
        for _ in range(2):
            if canonical_form(act(random_element(rng, group_of(net)), net)).network != canon:
                return Outcome(False, f"{activation} {widths}: the canonical form is not invariant")
        checked += 1
        nontrivial += order > 1
    return Outcome(True, f"{checked} random networks ({nontrivial} with a non-trivial stabilizer): stabilizer orders, "
                         "orbit sizes and canonical forms agree with enumeration of the whole group",
                   {"networks": checked, "nontrivial_stabilizers": nontrivial, "worked_examples": [12, 48],
                    "factorial_check": math.factorial(4) // math.factorial(2)})
