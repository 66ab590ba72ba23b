"""GLMW: fibers on which the symmetry group acts non-transitively (exact examples)."""

from __future__ import annotations

from exactnet.network import Network
from exactnet.relu.equivalence import equivalent
from exactnet.relu.fiber import Fiber
from exactnet.relu.orbits import same_orbit
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fiber-nontransitive",
    source="Grigsby-Lindsey-Meyerhoff-Wu (abstract: 'the symmetry group acts non-transitively'); docs/relu.md § Test cases: T2a, T2b, "
           "§ One hidden layer: canonical form and fiber",
    statement="T2a = (1,0,0,0) and T2b = (0,−1,1,0) in (1,1,1) realise the same function (F ≡ 0) but no permutation "
              "and positive scaling maps one to the other; likewise σ(x) − σ(x−1) in (1,2,1) with both units "
              "positively oriented and with both negatively oriented; and for generic one-hidden-layer parameters "
              "the fiber is exactly the orbit (transitive), decided from the exact fiber",
)


def _shallow(W, b, A, c) -> Network:
    return Network.from_lists("relu", [(W, b), (A, c)])


EXAMPLES = [
    ("F = 0 (T2a, T2b)", _shallow([[1]], [0], [[0]], [0]), _shallow([[0]], [-1], [[1]], [0])),
    ("σ(x) − σ(x−1), orientations ++ and −−", _shallow([[1], [1]], [0, -1], [[1, -1]], [0]),
     _shallow([[-1], [-1]], [0, 1], [[1, -1]], [1])),
]
GENERIC = _shallow([[1, 2], [-1, 1], [3, 1]], [1, 0, -2], [[3, -2, 1], [1, 1, 1]], [5, 0])


def run(quick: bool = False) -> Outcome:
    data = {}
    for name, a, b in EXAMPLES:
        eq = equivalent(a, b).equivalent
        orbit = same_orbit(a, b)
        fiber = Fiber(a)
        data[name] = {"equivalent": eq, "same_orbit": orbit, "orbit_is_fiber": fiber.orbit_is_fiber()}
        if not (eq is True and orbit is False and not fiber.orbit_is_fiber() and fiber.contains(b)):
            return Outcome(False, f"{name}: equivalent {eq}, same orbit {orbit}", data)
    gen = Fiber(GENERIC)
    data["generic (2,3,2)"] = {"orbit_is_fiber": gen.orbit_is_fiber()}
    samples = gen.sample(3 if quick else 20, seed=3)
    if not gen.orbit_is_fiber() or not all(same_orbit(GENERIC, s) for s in samples):
        return Outcome(False, "the generic fiber is not a single orbit", data)
    return Outcome(True, "two fibers with members in different orbits (exact equivalence, exact orbit test); "
                         f"a generic fiber is one orbit ({len(samples)} exact random members all in it)", data)
