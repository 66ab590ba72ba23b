"""Float32 weights are exact dyadic rationals and survive the JSON round trip exactly."""

from __future__ import annotations

import numpy as np

from exactnet.network import Layer, Network, dumps, loads
from exactnet.numbers import from_float
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="float32-weights-exact",
    source="IEEE 754 binary32; exactnet interface contract (exactnet.network/1)",
    statement="every float32 weight is the dyadic rational it holds (float32 0.1 = 13421773/134217728), "
              "and a network of float32 weights round-trips through JSON to the identical float32 array",
)


def run(quick: bool = False) -> Outcome:
    rng = np.random.default_rng(20231)
    trials = 5 if quick else 50
    if from_float(np.float32(0.1)) != from_float(13421773 / 134217728):
        return Outcome(False, "float32(0.1) is not 13421773/134217728")
    checked = 0
    for _ in range(trials):
        n, h, m = (int(v) for v in rng.integers(1, 6, size=3))
        w1 = (rng.standard_normal((h, n)) * 10.0 ** rng.integers(-8, 8)).astype(np.float32)
        b1 = rng.standard_normal(h).astype(np.float32)
        w2 = rng.standard_normal((m, h)).astype(np.float32)
        b2 = (rng.standard_normal(m) * 1e-30).astype(np.float32)
        arrays = [w1, b1, w2, b2]
        layers = (
            Layer(tuple(tuple(from_float(v) for v in row) for row in w1), tuple(from_float(v) for v in b1)),
            Layer(tuple(tuple(from_float(v) for v in row) for row in w2), tuple(from_float(v) for v in b2)),
        )
        net = Network("relu", layers)
        for v in net.entries():  # dyadic: the denominator is a power of two
            q = int(v.q)
            if q & (q - 1):
                return Outcome(False, f"non-dyadic value {v}")
        back = loads(dumps(net))
        if back != net:
            return Outcome(False, "JSON round trip changed a value")
        again = [
            np.array([[float(v) for v in row] for row in back.layers[0].weight], dtype=np.float32),
            np.array([float(v) for v in back.layers[0].bias], dtype=np.float32),
            np.array([[float(v) for v in row] for row in back.layers[1].weight], dtype=np.float32),
            np.array([float(v) for v in back.layers[1].bias], dtype=np.float32),
        ]
        if not all(np.array_equal(a.view(np.uint32), b.view(np.uint32)) for a, b in zip(arrays, again)):
            return Outcome(False, "float32 bits changed after the round trip")
        checked += sum(a.size for a in arrays)
    return Outcome(True, f"{checked} float32 values in {trials} networks round-tripped bit-exactly")
