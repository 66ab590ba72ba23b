"""The three-layer test vectors: equivalences and non-equivalences (E1–E4, and the 15 single-entry
perturbations of E3), the M6 fiber of relu(x − 1), and the conservation-law counts at the MIXED,
HIDDEN and PRESERVE points.

Each pair is decided twice: by the structural decider of :mod:`exactnet.relu.three_layer` and through
the product path ``exactnet.relu.equivalence.equivalent(..., certificate=True)`` (tier s), whose
certificate must pass the independent checker; the complete region tier (d) is the reference."""

from __future__ import annotations

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import equivalent
from exactnet.relu.three_layer.fiber import fiber
from exactnet.relu.three_layer.laws import laws
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-three-layer-vectors",
    source="docs/relu-three-layer.md §8 (derived from the mechanisms of GGM 2026, three-layer ReLU symmetries)",
    statement="the structural decider and tier s of 'exactnet equiv' (with checked certificates) get every"
              " three-layer vector right (agreeing with the complete tier), the"
              " fiber of relu(x - 1) is the union of the preserve and hide branches, and gradient flow has 4, 4"
              " and 5 independent conservation laws at the MIXED, HIDDEN and PRESERVE points (all verified; the hide"
              " transfer at HIDDEN provably conserves nothing)",
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




def _e3_vectors() -> list:
    """E3 under layer-1 permutation with scales (2, 1/3) and layer-2 permutation with scales (3, 5/7)
    (equivalent), and the 15 single-entry +1/100 perturbations of E3 (not equivalent)."""
    layers = [[[list(map(fmpq, r)) for r in L.weight], list(map(fmpq, L.bias))] for L in MIXED.layers]

    def permuted(ls, li, scales):
        (W, b), (Wn, bn) = ls[li], ls[li + 1]
        W, b = [W[1], W[0]], [b[1], b[0]]
        Wn = [[r[1], r[0]] for r in Wn]
        W = [[c * v for v in row] for row, c in zip(W, scales)]
        b = [c * v for v, c in zip(b, scales)]
        Wn = [[v / c for v, c in zip(r, scales)] for r in Wn]
        out = [list(x) for x in ls]
        out[li], out[li + 1] = [W, b], [Wn, bn]
        return out

    image = permuted(permuted(layers, 0, [fmpq(2), fmpq(1, 3)]), 1, [fmpq(3), fmpq(5, 7)])
    out = [("E3 permutations and scalings", MIXED, _net(*image), True)]
    for li, (W, b) in enumerate(layers):
        for r in range(len(b)):
            for c in range(len(W[r]) + 1):
                ls = [[[list(row) for row in L[0]], list(L[1])] for L in layers]
                if c < len(W[r]):
                    ls[li][0][r][c] += fmpq(1, 100)
                else:
                    ls[li][1][r] += fmpq(1, 100)
                out.append((f"E3 perturbed layer {li + 1} row {r + 1} entry {c + 1}", MIXED, _net(*ls), False))
    return out


def run(quick: bool = False) -> Outcome:
    vectors = VECTORS + _e3_vectors()
    for name, a, b, expected in vectors:
        res = equivalent(a, b)
        truth = complete(a, b, tiers="d").equivalent
        if res.verdict is not expected or truth is not expected:
            return Outcome(False, f"{name}: structural {res.verdict}, complete {truth}, expected {expected}")
        if expected is False and forward_exact(a, res.witness) == forward_exact(b, res.witness):
            return Outcome(False, f"{name}: the witness does not separate")
        product = complete(a, b, certificate=True)
        if product.tier != "s" or product.equivalent is not expected:
            return Outcome(False, f"{name}: exactnet equiv answered {product.equivalent} by tier {product.tier}")
        check = check_certificate(product.certificate)
        if not check.valid:
            return Outcome(False, f"{name}: the tier-s certificate does not check: {check.reason}")
    F = fiber(_net(([[1]], [-1]), ([[1]], [0]), ([[1]], [0])))
    real = sorted((p.branch, p.roles2) for p in F.pieces if not p.empty)
    if real != [("canonical", ("active",)), ("transfer", ("key1+",))] or F.components != 1:
        return Outcome(False, f"M6 fiber pieces {real}, components {F.components}")
    found = {name: laws(n) for name, n in (("MIXED", MIXED), ("HIDDEN", HIDDEN), ("PRESERVE", PRESERVE))}
    counts = {name: x.count for name, x in found.items()}
    if counts != {"MIXED": 4, "HIDDEN": 4, "PRESERVE": 5}:
        return Outcome(False, f"law counts {counts}")
    if not all(x.count_exact for x in found.values()):
        return Outcome(False, "a law count is only bounded, not proved")
    if not all(law.verified for x in found.values() for law in x.laws):
        return Outcome(False, "a reported law is not verified")
    transfers = [x for x in found["HIDDEN"].no_laws if x.symmetry.startswith("hide transfer")]
    if not transfers or not all(x.derivative != 0 and x.non_integrable for x in transfers):
        return Outcome(False, "the hide transfer at HIDDEN lacks its no-law proof")
    return Outcome(True, f"{len(vectors)} vectors with checked tier-s certificates, M6 fiber with 2 branches in 1 component, law counts {counts}",
                   {"law_counts": counts})
