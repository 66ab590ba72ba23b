"""Models as trained classifiers come out of PyTorch, and their exact reference semantics.

``make_model(seed)`` builds, in float32, ``Normalize(mean, std) → Flatten → Linear → Hardtanh →
Dropout → Linear → ReLU6 → Identity → Linear → LogSoftmax``. ``reference(params, x)`` evaluates the
same function exactly with Python ``Fraction``\\ s from the raw float32 parameters (each float is
the dyadic rational it holds), independently of exactnet: the ground truth for the importers.

``tests/io/fixtures/make_exporter_fixtures.py`` writes the model as exported by both PyTorch
ONNX exporters (TorchScript-based ``dynamo=False`` and ``dynamo=True``) together with the raw
parameters (``exporter_params.npz``), so CI checks the import without torch.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

IN, H1, H2, OUT = 3, 4, 4, 3
HARDTANH = (Fraction(-1, 2), Fraction(2))
RELU6 = (Fraction(0), Fraction(6))


def make_model(seed: int = 0):
    import torch
    from torch import nn

    class Normalize(nn.Module):
        def __init__(self, mean, std):
            super().__init__()
            self.register_buffer("mean", mean)
            self.register_buffer("std", std)

        def forward(self, x):
            return (x - self.mean) / self.std

    g = torch.Generator().manual_seed(seed)
    mean = torch.randn(IN, generator=g)
    std = torch.rand(IN, generator=g) + 0.5
    model = nn.Sequential(
        Normalize(mean, std), nn.Flatten(), nn.Linear(IN, H1), nn.Hardtanh(-0.5, 2.0), nn.Dropout(0.3),
        nn.Linear(H1, H2), nn.ReLU6(), nn.Identity(), nn.Linear(H2, OUT), nn.LogSoftmax(dim=-1),
    )
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 2)
    return model.eval()


def raw_params(model) -> dict[str, np.ndarray]:
    return {
        "mean": model[0].mean.numpy(), "std": model[0].std.numpy(),
        "W1": model[2].weight.detach().numpy(), "b1": model[2].bias.detach().numpy(),
        "W2": model[5].weight.detach().numpy(), "b2": model[5].bias.detach().numpy(),
        "W3": model[8].weight.detach().numpy(), "b3": model[8].bias.detach().numpy(),
    }


def _f(v) -> Fraction:
    return Fraction(*float(v).as_integer_ratio())


def _clip(z: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    return min(max(z, lo), hi)


def reference(params, x) -> list[Fraction]:
    """The logits (before LogSoftmax) of the model at the exact input ``x``."""
    v = [(Fraction(xi) - _f(m)) / _f(s) for xi, m, s in zip(x, params["mean"], params["std"])]
    for k, bounds in ((1, HARDTANH), (2, RELU6), (3, None)):
        W, b = params[f"W{k}"], params[f"b{k}"]
        v = [_f(bi) + sum((_f(w) * vi for w, vi in zip(row, v)), Fraction(0)) for row, bi in zip(W, b)]
        if bounds is not None:
            v = [_clip(z, *bounds) for z in v]
    return v
