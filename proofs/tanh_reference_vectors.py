"""The canonicalisation test vectors of the author-edited public code (docs/tanh.md § Test cases)."""

from __future__ import annotations

import itertools

from flint import fmpq

from exactnet.network import Network
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.compression import canonical_form, compress
from exactnet.tanh.equivalence import equivalent

CLAIM = Claim(
    name="tanh-reference-vectors",
    source="Farrugia-Roberts 2023, Algorithm 4.1 tests (edmundlth/prank_phase_transition_in_simple_network, "
           "canonicalize.py, commit ecf5947; docs/tanh.md § Test cases)",
    statement="a = b = c = [1..5] has a 3840-point orbit canonicalising to (1,1,1)…(5,5,5); every Set A row "
              "canonicalises to (1,1,1), (2,2,2), one blank unit, δ = 0, rank 2; the Set B pair is equivalent",
)

SET_A = [
    ([1, 2, 0], [1, 2, 0], [1, 2, 0]), ([1, 2, 0], [1, 2, 1], [1, 2, 0]), ([1, 2, 3], [1, 2, 0], [1, 2, 0]),
    ([1, 1, 1], [1, 2, 2], [1, 2, 2]), ([1, -1, 1], [1, -2, 2], [1, -2, 2]), ([1, 1, 1], [2, 1, 2], [2, 1, 2]),
    ([-1, 1, 1], [-2, 2, 1], [-2, 2, 1]),
]


def net(a, b, c, d=0):
    return Network.from_lists("tanh", [([[x] for x in b], c), ([a], [d])])


def units(p):
    return [(p.a[i][0], p.b[i][0], p.c[i]) for i in range(p.width)]


def run(quick: bool = False) -> Outcome:
    q = fmpq
    expected = [(q(k), q(k), q(k)) for k in range(1, 6)]
    orbit = set()
    stride = 37 if quick else 1
    for count, (perm, signs) in enumerate(itertools.product(itertools.permutations(range(5)),
                                                            itertools.product((1, -1), repeat=5))):
        point = tuple((s * (i + 1),) * 3 for i, s in zip(perm, signs))
        orbit.add(point)
        if count % stride == 0:
            can = canonical_form(net(*zip(*point)))
            if units(can) != expected or can.d[0] != 0:
                return Outcome(False, f"orbit point {point} canonicalises differently")
    if len(orbit) != 3840:
        return Outcome(False, f"orbit has {len(orbit)} points, expected 3840")
    for a, b, c in SET_A:
        comp = compress(net(a, b, c))
        if comp.rank != 2 or units(comp.canonical()) != [(q(1),) * 3, (q(2),) * 3, (q(0),) * 3] \
                or comp.bias[0] != 0:
            return Outcome(False, f"Set A row {a, b, c} canonicalises differently")
    ref = net([1, 2, 3, 0, 0, 0], [1, 2, 3, 0, 0, 0], [1, 2, 3, 0, 0, 0])
    other = net([0, 0, -1, 2, 3, 2], [1, 2, 1, 2, 3, 1], [1, 2, 1, 2, 3, 1])
    if not equivalent(ref, other).equivalent or canonical_form(ref) != canonical_form(other):
        return Outcome(False, "the Set B pair is not equivalent")
    return Outcome(True, "orbit of 3840 points, 7 Set A rows and the Set B pair canonicalise as stated")
