"""Random exact ReLU networks with a stated sampling law (for experiments and reproductions).

``gaussian_network(widths, rng, scale)``: every weight and bias is drawn i.i.d. from
``N(0, scale²)`` with NumPy's ``Generator.standard_normal`` and rounded to float32; the network
holds those float32 values exactly (dyadic rationals), as a trained float32 model would.
``torch_default_network``: ``W, b ~ U(−1/√fan_in, 1/√fan_in)`` (PyTorch ``nn.Linear``), float32.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..network import Network


def _network(layers) -> Network:
    return Network.from_lists("relu", [(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in layers])


def gaussian_network(widths: Sequence[int], rng: np.random.Generator, scale: float = 1.0) -> Network:
    layers = []
    for i in range(len(widths) - 1):
        W = (rng.standard_normal((widths[i + 1], widths[i])) * scale).astype(np.float32)
        b = (rng.standard_normal(widths[i + 1]) * scale).astype(np.float32)
        layers.append((W, b))
    return _network(layers)


def torch_default_network(widths: Sequence[int], rng: np.random.Generator) -> Network:
    layers = []
    for i in range(len(widths) - 1):
        k = 1.0 / np.sqrt(widths[i])
        W = rng.uniform(-k, k, (widths[i + 1], widths[i])).astype(np.float32)
        b = rng.uniform(-k, k, widths[i + 1]).astype(np.float32)
        layers.append((W, b))
    return _network(layers)


__all__ = ["gaussian_network", "torch_default_network"]
