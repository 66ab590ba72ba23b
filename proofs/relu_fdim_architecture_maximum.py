"""An architecture whose maximal functional dimension is below D − N_hid (width-one chains, docs/relu-functional-dimension.md)."""

from __future__ import annotations

import numpy as np

from exactnet.network import Network
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.relu.jacobian import upper_bound
from exactnet.relu.sampling import gaussian_network
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fdim-architecture-maximum",
    source="Grigsby-Lindsey-Meyerhoff-Wu (the bound D − N_hid is not always attained); docs/relu-functional-dimension.md width-one chains, "
           "T7",
    statement="for (1,1,1,1,1) (bound 5) every exactly computed functional dimension is at most 4 and 4 is reached "
              "(T7); for (2,1,1,1,1) (bound 6) at most 5, reached; (1,1,1,1) reaches its bound 4 (T3c). Proof for every "
              "parameter (docs/relu-functional-dimension.md): with ≥ 3 hidden layers of width 1 every realizable function is g(w·x + b) "
              "with g of shape constant | linear | constant, a family with n0 + 3 parameters, and rank is lower "
              "semicontinuous; the sampling law is N(0, s²) float32 weights and biases, s = 1 and s = 4",
)

ARCHS = [((1, 1, 1, 1, 1), 4), ((2, 1, 1, 1, 1), 5), ((1, 1, 1, 1), 4)]


def _theta(widths, theta) -> Network:
    it = iter(theta)
    return Network.from_lists("relu", [([[next(it) for _ in range(widths[i])] for _ in range(widths[i + 1])],
                                        [next(it) for _ in range(widths[i + 1])]) for i in range(len(widths) - 1)])


def run(quick: bool = False) -> Outcome:
    samples = 40 if quick else 600
    rng = np.random.default_rng(5)
    data = {}
    for widths, maximum in ARCHS:
        counts: dict = {}
        for k in range(samples):
            net = gaussian_network(widths, rng, 1.0 if k % 2 == 0 else 4.0)
            v = functional_dimension(net, seed=k).value
            counts[v] = counts.get(v, 0) + 1
        bound = upper_bound(widths)
        data[str(widths)] = {"bound": bound, "values": dict(sorted(counts.items()))}
        if max(counts) != maximum:
            return Outcome(False, f"{widths}: maximum {max(counts)}, expected {maximum} (bound {bound})", data)
    t7 = functional_dimension(_theta((1, 1, 1, 1, 1), (1, 0, -1, 1, "1/2", "-1/4", 1, 0))).value
    data["T7"] = t7
    if t7 != 4:
        return Outcome(False, f"T7 has dimension {t7}, expected 4", data)
    return Outcome(True, f"{samples} exact samples per architecture: (1,1,1,1,1) reaches 4 < 5, (2,1,1,1,1) reaches "
                         "5 < 6, (1,1,1,1) reaches its bound 4", data)
