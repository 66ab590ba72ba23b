"""Three-layer test vectors (2-2-2-1 unless stated; docs/relu-three-layer.md §8)."""

from exactnet.network import Network
from exactnet.relu.three_layer.params import ThreeLayer


def net(*layers) -> Network:
    return Network.from_lists("relu", list(layers))


def params(*layers) -> ThreeLayer:
    return ThreeLayer.from_network(net(*layers))


I2 = [[1, 0], [0, 1]]
# PRESERVE point: both second-layer neurons always active on the orthant
E1 = net((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
E2 = net((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0]))
# MIXED point: generic mixed signs
E3 = net(([[1, 0], [1, 1]], [0, -1]), ([[1, -1], [-1, 2]], ["1/2", "-1/2"]), ([[1, -2]], [1]))
# HIDDEN point (3-2-2-1): first-layer neuron 1 hidden by the second layer
E4 = net(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0]))
# the M6 example (1-1-1-1): relu(x - 1)
RELU_X_MINUS_1 = net(([[1]], [-1]), ([[1]], [0]), ([[1]], [0]))

EQUIVALENT = [
    ("E1 GL mixing", E1, net((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0]))),
    ("E1 bias trade", E1, net((I2, [0, 0]), ([[1, 2], [3, 1]], [6, 2]), ([[1, -1]], [-5]))),
    ("E2 dead neuron", E2, net((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0]))),
    ("E3 permutations and scalings", E3, None),
    ("E4 hide transfer", E4, net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0]))),
]

NOT_EQUIVALENT = [
    ("E1 positivity broken", E1, net((I2, [0, 0]), ([[-2, 1], [3, 1]], [-1, 2]), ([[1, 0]], [0]))),
    ("E1 naive sign flip", E1, net(([[-1, 0], [0, 1]], [0, 0]), ([[-1, 2], [-3, 1]], [1, 2]), ([[1, -1]], [0]))),
    ("E2 broken", E2, net((I2, [0, 0]), ([[1, -1], [-1, "1/10"]], ["1/2", -1]), ([[1, 7]], [0]))),
]


def permute_and_scale(network, moves):
    """Apply (hidden layer, order, scales): new unit k = old unit order[k], then scaled by scales[k]
    (written independently of exactnet's move code)."""
    from flint import fmpq

    layers = [([list(r) for r in L.weight], list(L.bias)) for L in network.layers]
    for li, order, scales in moves:
        W, b = layers[li]
        W2, b2 = layers[li + 1]
        W, b = [W[k] for k in order], [b[k] for k in order]
        W2 = [[r[k] for k in order] for r in W2]
        for j, c in enumerate(scales):
            c = fmpq(c)
            W[j], b[j] = [c * v for v in W[j]], c * b[j]
            for r in W2:
                r[j] = r[j] / c
        layers[li], layers[li + 1] = (W, b), (W2, b2)
    return net(*layers)


# E3 image: layer-1 permutation (1 0) with scales (2, 1/3); layer-2 permutation (1 0) with scales (3, 5/7)
EQUIVALENT = [(n, a, b if b is not None else permute_and_scale(E3, [(0, [1, 0], [2, "1/3"]), (1, [1, 0], [3, "5/7"])]))
              for n, a, b in EQUIVALENT]
