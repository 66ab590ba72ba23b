"""GLMW: disconnected fibers (exact component counts from the shallow fiber, docs/relu.md § One hidden layer: canonical form and fiber (T6))."""

from __future__ import annotations

from exactnet.network import Network
from exactnet.relu.equivalence import equivalent
from exactnet.relu.fiber import Fiber
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fiber-disconnected",
    source="Grigsby-Lindsey-Meyerhoff-Wu (abstract: 'fibers that are disconnected'); docs/relu.md § Test cases, § One hidden layer: canonical form and fiber: T6",
    statement="the fiber of |x| in (1,2,1) has exactly two connected components (swapped by the permutation of the "
              "units); the fiber of σ(x) − σ(x−1) has four, two of them even up to permutation (both units "
              "positively or both negatively oriented); the fiber of σ(x) with width 2 is connected; components are "
              "decided exactly (module exactnet.relu.fiber)",
)

CASES = [
    ("|x|", Network.from_lists("relu", [([[1], [-1]], [0, 0]), ([[1, 1]], [0])]), 2, 1),
    ("σ(x) − σ(x−1)", Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, -1]], [0])]), 4, 2),
    ("σ(x), width 2", Network.from_lists("relu", [([[1], [0]], [0, 0]), ([[1, 0]], [0])]), 1, 1),
]


def run(quick: bool = False) -> Outcome:
    data = {}
    for name, net, count, up_to in CASES:
        comps = Fiber(net).components()
        data[name] = {"components": comps.count, "up_to_permutation": comps.up_to_permutation,
                      "pieces": len(Fiber(net).pieces)}
        if (comps.count, comps.up_to_permutation) != (count, up_to):
            return Outcome(False, f"{name}: {comps.count} components ({comps.up_to_permutation} up to permutation), "
                                  f"expected {count} ({up_to})", data)
        for rep in comps.representatives:
            if not equivalent(net, rep).equivalent:
                return Outcome(False, f"{name}: a component representative is not in the fiber", data)
    return Outcome(True, "|x|: 2 components; σ(x) − σ(x−1): 4 (2 up to permutation); σ(x) width 2: connected",
                   data)
