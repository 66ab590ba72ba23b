"""ReLU evaluation is exact, where float64 evaluation can get even the sign wrong."""

from __future__ import annotations

import random
from fractions import Fraction

from flint import fmpq

from exactnet.network import Network, forward_exact
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-evaluation-exact",
    source="exactnet foundation (exact rational arithmetic)",
    statement="exact ReLU evaluation agrees with an independent Fraction implementation on random rational "
              "networks and points, and decides a cancellation example where float64 gets the sign wrong",
)


def _fraction_forward(layers, x):
    for k, (w, b) in enumerate(layers):
        z = [sum((wi * xi for wi, xi in zip(row, x)), Fraction(0)) + bi for row, bi in zip(w, b)]
        x = [max(v, Fraction(0)) for v in z] if k < len(layers) - 1 else z
    return x


def run(quick: bool = False) -> Outcome:
    rnd = random.Random(7)
    trials = 20 if quick else 300
    for _ in range(trials):
        widths = [rnd.randint(1, 4) for _ in range(rnd.randint(2, 5))]
        layers = []
        for i in range(len(widths) - 1):
            w = [[Fraction(rnd.randint(-9, 9), rnd.randint(1, 9)) for _ in range(widths[i])] for _ in range(widths[i + 1])]
            b = [Fraction(rnd.randint(-9, 9), rnd.randint(1, 9)) for _ in range(widths[i + 1])]
            layers.append((w, b))
        net = Network.from_lists("relu", [([[f"{v.numerator}/{v.denominator}" for v in r] for r in w],
                                           [f"{v.numerator}/{v.denominator}" for v in b]) for w, b in layers])
        x = [Fraction(rnd.randint(-20, 20), rnd.randint(1, 7)) for _ in range(widths[0])]
        got = forward_exact(net, [fmpq(v.numerator, v.denominator) for v in x])
        want = _fraction_forward(layers, x)
        if [Fraction(int(v.p), int(v.q)) for v in got] != want:
            return Outcome(False, f"disagreement at {x}")
    # cancellation: y = relu(x + 1) - relu(x) - 1 is exactly 0 for x >= 0, but not in float64
    net = Network.from_lists("relu", [([[1], [1]], [1, 0]), ([[1, -1]], [-1])])
    x = fmpq(10**17)
    exact = forward_exact(net, [x])[0]
    big = 1e17
    floaty = max(big + 1.0, 0.0) - max(big, 0.0) - 1.0
    if exact != 0 or floaty == 0:
        return Outcome(False, "cancellation example did not separate exact from float64")
    return Outcome(True, f"{trials} random networks agree exactly; at x = 10^17 exact gives 0, float64 gives {floaty:g}")
