"""Random integer ReLU networks written as ``exactnet.network/1`` JSON, for the hostile CLI tests."""

from __future__ import annotations

import json
import random
from pathlib import Path


def relu_obj(widths, seed: int = 0, spread: int = 3) -> dict:
    """A ReLU network with the given widths and non-zero random integer weights in ``[-spread, spread]``."""
    rnd = random.Random(seed)
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append({"weight": [[rnd.randint(-spread, spread) or 1 for _ in range(a)] for _ in range(b)],
                       "bias": [rnd.randint(-spread, spread) for _ in range(b)]})
    return {"format": "exactnet.network/1", "activation": "relu", "layers": layers}


def write_relu(path: Path, widths, seed: int = 0) -> Path:
    path.write_text(json.dumps(relu_obj(widths, seed)), encoding="utf-8")
    return path
