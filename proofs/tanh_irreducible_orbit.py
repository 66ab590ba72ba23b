"""Sussmann (1992) / Chen, Lu & Hecht-Nielsen (1993): an irreducible width-h tanh parameter has
exactly 2^h·h! functionally equivalent parameters of width h (its orbit under unit
permutations and negations)."""

from __future__ import annotations

import itertools
import math
import random

from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.compression import canonical_form, reducibility
from exactnet.tanh.equivalence import equivalent

from ._tanh_random import irreducible_units, network, nonzero, vector

CLAIM = Claim(
    name="tanh-irreducible-orbit",
    source="Sussmann 1992; Chen, Lu & Hecht-Nielsen 1993; Farrugia-Roberts 2023 (docs/tanh.md § Irreducible parameters)",
    statement="for random irreducible rational parameters of width h ≤ 5 (any n, m), the 2^h·h! permuted and "
              "negated parameters are pairwise distinct, all decided equivalent, all with one canonical form; "
              "a perturbed orbit point is never equivalent",
)


def run(quick: bool = False) -> Outcome:
    rng = random.Random(19920101)
    max_h = 3 if quick else 5
    per_h = 2 if quick else 3
    checked = 0
    for h in range(1, max_h + 1):
        for _ in range(per_h):
            n, m = rng.randint(1, 3), rng.randint(1, 2)
            units = irreducible_units(rng, h, n, m)
            d = vector(rng, m)
            base = network(units, d, n, m)
            if reducibility(base).reducible:
                return Outcome(False, f"generator produced a reducible parameter at h={h}")
            canon = canonical_form(base)
            orbit = set()
            for perm in itertools.permutations(range(h)):
                for signs in itertools.product((1, -1), repeat=h):
                    moved = [tuple(s * x for x in units[i][0]) + tuple(s * x for x in units[i][1]) + (s * units[i][2],)
                             for i, s in zip(perm, signs)]
                    orbit.add(tuple(moved))
                    net = network([(u[:m], u[m:m + n], u[-1]) for u in moved], d, n, m)
                    if not equivalent(base, net, find_witness=False).equivalent:
                        return Outcome(False, f"an orbit point was decided not equivalent (h={h})")
                    if canonical_form(net) != canon:
                        return Outcome(False, f"an orbit point has another canonical form (h={h})")
                    checked += 1
            if len(orbit) != 2**h * math.factorial(h):
                return Outcome(False, f"orbit of size {len(orbit)} ≠ 2^{h}·{h}! = {2**h * math.factorial(h)}")
            # a perturbed parameter (one weight changed) is never in the class
            i = rng.randrange(h)
            a, b, c = units[i]
            bad = list(units)
            bad[i] = (a, b, c + nonzero(rng))
            result = equivalent(base, network(bad, d, n, m))
            if result.equivalent or result.witness is None:
                return Outcome(False, "a perturbed parameter was decided equivalent (or without witness)")
    return Outcome(True, f"{checked} orbit points for h = 1..{max_h}: every orbit has exactly 2^h·h! distinct "
                         "equivalent points with one canonical form",
                   {"orbit_points_checked": checked, "max_width": max_h})
