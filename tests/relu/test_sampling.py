"""Random ReLU networks with float32 weights taken exactly as dyadic rationals."""

from __future__ import annotations

import numpy as np

from exactnet.relu.sampling import gaussian_network, torch_default_network


def test_weights_are_the_float32_values_exactly():
    net = gaussian_network((3, 4, 1), np.random.default_rng(0))
    assert net.widths == (3, 4, 1)
    for layer in net.layers:
        for v in list(layer.bias) + [x for row in layer.weight for x in row]:
            q = int(v.q)
            assert q & (q - 1) == 0                          # a dyadic rational
            assert float(np.float32(int(v.p) / q)) == int(v.p) / q   # representable in float32
    tnet = torch_default_network((5, 2, 1), np.random.default_rng(1))
    bound = 1 / np.sqrt(5)
    assert all(abs(int(v.p) / int(v.q)) <= bound for row in tnet.layers[0].weight for v in row)
