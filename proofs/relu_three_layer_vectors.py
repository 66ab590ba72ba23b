"""The three-layer test vectors: equivalences and non-equivalences (E1–E4), the M6 fiber of
relu(x − 1), and the conservation-law counts at the MIXED, HIDDEN and PRESERVE points."""

from __future__ import annotations

from flint import fmpq

from exactnet.network import Network, forward_exact
from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import equivalent
from exactnet.relu.three_layer.fiber import fiber
from exactnet.relu.three_layer.laws import laws
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-three-layer-vectors",
    source="docs/relu-three-layer.md §8 (derived from the mechanisms of GGM 2026, three-layer ReLU symmetries)",
    statement="the structural decider gets every three-layer vector right (agreeing with the complete tier), the"
              " fiber of relu(x - 1) is the union of the preserve and hide branches, and gradient flow has 4, 4"
              " and 5 independent conservation laws at the MIXED, HIDDEN and PRESERVE points",
)


def _net(*layers):
    return Network.from_lists("relu", list(layers))


I2 = [[1, 0], [0, 1]]
PRESERVE = _net((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
MIXED = _net(([[1, 0], [1, 1]], [0, -1]), ([[1, -1], [-1, 2]], ["1/2", "-1/2"]), ([[1, -2]], [1]))
HIDDEN = _net(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0]))
E2 = _net((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0]))
VECTORS = [
    ("E1 GL mixing", PRESERVE, _net((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0])), True),
    ("E1 bias trade", PRESERVE, _net((I2, [0, 0]), ([[1, 2], [3, 1]], [6, 2]), ([[1, -1]], [-5])), True),
    ("E1 positivity broken", PRESERVE, _net((I2, [0, 0]), ([[-2, 1], [3, 1]], [-1, 2]), ([[1, 0]], [0])), False),
    ("E1 naive sign flip", PRESERVE, _net(([[-1, 0], [0, 1]], [0, 0]), ([[-1, 2], [-3, 1]], [1, 2]), ([[1, -1]], [0])),
     False),
    ("E2 dead neuron", E2, _net((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0])), True),
    ("E2 broken", E2, _net((I2, [0, 0]), ([[1, -1], [-1, "1/10"]], ["1/2", -1]), ([[1, 7]], [0])), False),
    ("E4 hide transfer", HIDDEN, _net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0])),
     True),
]


def run(quick: bool = False) -> Outcome:
    for name, a, b, expected in VECTORS:
        res = equivalent(a, b)
        truth = complete(a, b, tiers="d").equivalent
        if res.verdict is not expected or truth is not expected:
            return Outcome(False, f"{name}: structural {res.verdict}, complete {truth}, expected {expected}")
        if expected is False and forward_exact(a, res.witness) == forward_exact(b, res.witness):
            return Outcome(False, f"{name}: the witness does not separate")
    F = fiber(_net(([[1]], [-1]), ([[1]], [0]), ([[1]], [0])))
    real = sorted((p.branch, p.roles2) for p in F.pieces if not p.empty)
    if real != [("canonical", ("active",)), ("transfer", ("key1+",))] or F.components != 1:
        return Outcome(False, f"M6 fiber pieces {real}, components {F.components}")
    counts = {name: laws(n).count for name, n in (("MIXED", MIXED), ("HIDDEN", HIDDEN), ("PRESERVE", PRESERVE))}
    if counts != {"MIXED": 4, "HIDDEN": 4, "PRESERVE": 5}:
        return Outcome(False, f"law counts {counts}")
    return Outcome(True, f"{len(VECTORS)} vectors, M6 fiber with 2 branches in 1 component, law counts {counts}",
                   {"law_counts": counts})
