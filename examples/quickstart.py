"""A first tour of exactnet's Python API (run: python examples/quickstart.py)."""

from pathlib import Path

import numpy as np

from exactnet import Network, evaluate, forward_exact, read_network
from exactnet.numbers import format_number, from_float

HERE = Path(__file__).parent

# 1. Exact numbers: a float32 weight is exactly a dyadic rational.
print("float32 0.1 =", format_number(from_float(np.float32(0.1))))

# 2. Read a network file and evaluate it exactly.
relu = read_network(HERE / "relu_small.json")
print(relu, "->", [format_number(v) for v in forward_exact(relu, ["1", "2/3"])])

# 3. Tanh outputs are transcendental: rigorous arb enclosures instead.
tanh = read_network(HERE / "tanh_algebraic.json")
ev = evaluate(tanh, ["1/2"], prec=80)
print(tanh, "->", [b.str(20, radius=True) for b in ev.enclosures])

# 4. Build a network from exact literals (decimals mean the decimal they spell).
net = Network.from_lists("relu", [([["0.1", "sqrt(2)"]], [0]), ([[1]], ["-1/3"])])
print(net, "at (10, 0) ->", [format_number(v) for v in forward_exact(net, [10, 0])])
