"""GLMW: functional dimension is not constant on a fiber (exact examples T2a/T2b, T3a/T4)."""

from __future__ import annotations

from exactnet.network import Network
from exactnet.relu.equivalence import equivalent
from exactnet.relu.fiber import Fiber
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fdim-nonconstant-fiber",
    source="Grigsby-Lindsey-Meyerhoff-Wu (abstract: 'fibers on which functional dimension is not constant'); "
           "docs/relu.md § Test cases: T2a, T2b, T3a, T4",
    statement="the fiber of the zero function contains (1,1,1)-parameters of functional dimension 2 (T2a) and 1 "
              "(T2b), and (1,1,1,1)-parameters of dimension 1 (T3a) and 2 (T4); membership is decided exactly, and "
              "exact random members of the (1,1,1) fiber take both values",
)


def _theta(widths, theta) -> Network:
    it = iter(theta)
    return Network.from_lists("relu", [([[next(it) for _ in range(widths[i])] for _ in range(widths[i + 1])],
                                        [next(it) for _ in range(widths[i + 1])]) for i in range(len(widths) - 1)])


PAIRS = [
    ("(1,1,1)", ("T2a", (1, 1, 1), (1, 0, 0, 0), 2), ("T2b", (1, 1, 1), (0, -1, 1, 0), 1)),
    ("(1,1,1,1)", ("T3a", (1, 1, 1, 1), (1, "1/3", -1, -1, 1, 0), 1), ("T4", (1, 1, 1, 1), (1, 0, 1, 1, 0, 0), 2)),
]


def run(quick: bool = False) -> Outcome:
    data = {}
    for arch, (na, wa, ta, da), (nb, wb, tb, db) in PAIRS:
        a, b = _theta(wa, ta), _theta(wb, tb)
        zero = _theta(wa, [0] * a.num_parameters)
        if not (equivalent(a, zero).equivalent and equivalent(b, zero).equivalent):
            return Outcome(False, f"{na} or {nb} does not realise the zero function")
        fa, fb = functional_dimension(a).value, functional_dimension(b).value
        data[arch] = {na: fa, nb: fb}
        if (fa, fb) != (da, db):
            return Outcome(False, f"{arch}: dimensions {fa}, {fb}; expected {da}, {db}", data)
    fiber = Fiber(_theta((1, 1, 1), (1, 0, 0, 0)))
    values = {}
    for member in fiber.sample(8 if quick else 60, seed=7):
        values.setdefault(functional_dimension(member).value, 0)
        values[functional_dimension(member).value] += 1
    data["sampled (1,1,1) fiber of 0: dimension -> members"] = values
    if not {1, 2} <= set(values):
        return Outcome(False, f"the sampled members of the fiber of 0 have dimensions {sorted(values)}", data)
    return Outcome(True, "F ≡ 0 has members of functional dimension 2 and 1 in (1,1,1) and 1 and 2 in (1,1,1,1); "
                         f"exact random members of the (1,1,1) fiber: {dict(sorted(values.items()))}", data)
