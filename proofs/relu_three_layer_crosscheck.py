"""Cross-validation of the polynomial-time three-layer decider against the complete region tier.

Random small two-hidden-layer pairs: planted mechanism moves (M0–M5, first-layer silent neurons)
on generic, hidden-neuron, always-active and degenerate parameters, single-entry perturbations of
those (near misses), and independent random mutations of small-integer parameters (which are often
equivalent by coincidence). The decider may answer ``None`` (not applicable / no witness); it must
never contradict the complete region procedure (``exactnet.relu.equivalence`` tier d), every
``True`` must come with a move chain that re-verifies exactly, and every ``False`` with an exact witness.
"""

from __future__ import annotations

import random
import time

from flint import fmpq

from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import equivalent
from exactnet.relu.three_layer.moves import verify_chain
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import PLANTS, perturb, planted_pair
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-three-layer-crosscheck",
    source="docs/relu-three-layer.md §5 (structural decider) vs docs/relu.md (complete region procedure, tier d)",
    statement="on random small two-hidden-layer pairs (planted mechanisms, near misses, random mutations) the"
              " polynomial-time decider never contradicts the complete tier; its True answers carry verified"
              " move chains and its False answers exact witnesses; planted equivalences of generic parameters"
              " are always recognised",
)

KINDS = ("generic", "hidden", "active", "degenerate")
VALUES = (-2, -1, 0, 1, 1, 2)


def _mutation(rnd: random.Random):
    n0 = rnd.randint(1, 3)
    n1 = rnd.randint(1, n0)

    def e():
        return fmpq(rnd.choice(VALUES))

    while True:
        W1 = [[e() for _ in range(n0)] for _ in range(n1)]
        a = ThreeLayer.make(n0, W1, [e() for _ in range(n1)], [[e() for _ in range(n1)] for _ in range(rnd.randint(1, 3))],
                            [], [], [e()])
        if a.w1_matrix.rank() == n1:
            break
    n2 = len(a.W2)
    a = ThreeLayer.make(n0, a.W1, a.b1, a.W2, [e() for _ in range(n2)], [[e() for _ in range(n2)]], a.b3)
    flat = [list(map(list, a.W1)), [list(a.b1)], list(map(list, a.W2)), [list(a.b2)], list(map(list, a.W3)), [list(a.b3)]]
    for _ in range(rnd.randint(1, 2)):
        cells = [(g, r, c) for g, rows in enumerate(flat) for r, row in enumerate(rows) for c in range(len(row))]
        g, r, c = rnd.choice(cells)
        flat[g][r][c] = fmpq(rnd.choice(VALUES))
    return a, ThreeLayer.make(n0, flat[0], flat[1][0], flat[2], flat[3][0], flat[4], flat[5][0])


def run(quick: bool = False) -> Outcome:
    rnd = random.Random(20261204)
    pairs = 150 if quick else 1500  # a one-off run of 6000 pairs: docs/relu-three-layer.md §5
    stats: dict = {}
    t_fast = t_complete = 0.0
    for k in range(pairs):
        source = "mutation" if k % 4 == 3 else rnd.choice(KINDS)
        if source == "mutation":
            a, b = _mutation(rnd)
            near = False
        else:
            n0 = rnd.randint(1, 3)
            widths = (n0, rnd.randint(1, n0), rnd.randint(1, 3), rnd.choice((1, 1, 2)))
            a, b = planted_pair(rnd, widths, source, rnd.sample(sorted(PLANTS), rnd.randint(1, 4)))
            near = rnd.random() < 0.4
            if near:
                b = perturb(b, rnd)
        t0 = time.perf_counter()
        res = equivalent(a, b)
        t1 = time.perf_counter()
        truth = complete(a.to_network(), b.to_network(), tiers="d").equivalent
        t2 = time.perf_counter()
        t_fast += t1 - t0
        t_complete += t2 - t1
        key = f"{source}:{res.verdict}/{truth}"
        stats[key] = stats.get(key, 0) + 1
        if res.verdict is True and (truth is not True or not verify_chain(a, b, res.moves)):
            return Outcome(False, f"pair {k} ({source}): decider True, complete tier {truth}", {"a": a.to_obj(), "b": b.to_obj()})
        if res.verdict is False and (truth is not False or a(res.witness) == b(res.witness)):
            return Outcome(False, f"pair {k} ({source}): decider False, complete tier {truth}", {"a": a.to_obj(), "b": b.to_obj()})
        if source in ("generic", "hidden", "active") and not near and res.verdict is not True:
            return Outcome(False, f"pair {k} ({source}): planted equivalence not recognised: {res.reason}",
                           {"a": a.to_obj(), "b": b.to_obj()})
    decided = sum(v for key, v in stats.items() if not key.split(":")[1].startswith("None"))
    return Outcome(True, f"{pairs} pairs, {decided} decided by the structural tier, 0 contradictions;"
                         f" structural {t_fast:.1f} s, complete tier {t_complete:.1f} s",
                   {"counts": dict(sorted(stats.items()))})
