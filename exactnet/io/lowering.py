"""Exact rewriting of imported layers into an exactnet network (``docs/importers.md``).

**Clip / HardTanh / ReLU6 as ReLUs.** ``clip(z; a, b) = min(max(z, a), b)`` is piecewise linear,
and for every real ``z``

* ``a < b``: ``clip(z) = a + relu(z − a) − relu(z − b)`` (HardTanh: ``relu(z+1) − relu(z−1) − 1``;
  ReLU6: ``relu(z) − relu(z − 6)``);
* only ``a``: ``max(z, a) = a + relu(z − a)`` (``a = 0`` is the ReLU itself);
* only ``b``: ``min(z, b) = b − relu(b − z)``;
* neither: ``z = relu(z) − relu(−z)``;
* ``a ≥ b``: the constant ``b`` (ONNX's rule when ``min > max``).

So a clip is ``κ + Σ_j c_j·relu(α_j z + β_j)`` (:func:`relu_pieces`). A hidden unit ``z = w·x + c``
followed by a clip becomes one ReLU unit per piece, with incoming row ``α_j w`` and bias
``α_j c + β_j``; the next layer's column ``v`` of that unit becomes the columns ``c_j v`` and its
bias gains ``κ v``. The network computes the same function exactly, with up to twice as many
units; a plain ReLU layer is left unchanged.

**Elementwise affine maps** ``x ↦ s∘x + t`` (ONNX ``Sub``/``Div``/``Mul``/``Add`` by constants,
e.g. input normalisation ``(x − mean)/std``) fold into an adjacent affine layer ``W x + c``:
before it, ``W diag(s) x + (W t + c)``; after it, ``diag(s) W x + (s∘c + t)``. Division by a
constant ``d`` is multiplication by the exact rational ``1/d``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq

from ..errors import UnsupportedError
from ..network import Layer


@dataclass(frozen=True)
class Clip:
    """``z ↦ min(max(z, lower), upper)`` with exact bounds; ``None`` means no bound."""

    lower: fmpq | None
    upper: fmpq | None

    def __call__(self, z: fmpq) -> fmpq:
        if self.lower is not None and z < self.lower:
            z = self.lower
        if self.upper is not None and z > self.upper:
            z = self.upper
        return z

    @property
    def is_relu(self) -> bool:
        return self.lower == 0 and self.upper is None


RELU = Clip(fmpq(0), None)


def relu_pieces(clip: Clip) -> tuple[fmpq, tuple[tuple[fmpq, int, fmpq], ...]]:
    """``(κ, ((c_j, α_j, β_j), …))`` with ``clip(z) = κ + Σ_j c_j·relu(α_j z + β_j)`` for all real ``z``."""
    a, b = clip.lower, clip.upper
    one = fmpq(1)
    if a is not None and b is not None:
        if a >= b:
            return b, ()
        return a, ((one, 1, -a), (-one, 1, -b))
    if a is not None:
        return a, ((one, 1, -a),)
    if b is not None:
        return b, ((-one, -1, b),)
    return fmpq(0), ((one, 1, fmpq(0)), (-one, -1, fmpq(0)))


def lower_to_relu(layers: Sequence[Layer], clips: Sequence[Sequence[Clip] | Clip], source: str = "") -> list[Layer]:
    """The layers of an exact ReLU network computing ``L_k ∘ clip_{k-1} ∘ … ∘ clip_1 ∘ L_1``.

    ``clips[i]`` is the activation after layer ``i+1``: one :class:`Clip` for every unit or a
    sequence with one per unit (rational layers only)."""
    if len(clips) != len(layers) - 1:
        raise ValueError("one activation between consecutive layers")
    weights = [[list(row) for row in layer.weight] for layer in layers]
    biases = [list(layer.bias) for layer in layers]
    for k, act in enumerate(clips):
        units = len(weights[k])
        per_unit = [act] * units if isinstance(act, Clip) else list(act)
        if all(c.is_relu for c in per_unit):
            continue
        rows, bias = [], []
        nxt_w, nxt_b = weights[k + 1], biases[k + 1]
        new_cols: list[list] = [[] for _ in nxt_w]
        for i, clip in enumerate(per_unit):
            kappa, pieces = relu_pieces(clip)
            col = [row[i] for row in nxt_w]
            if kappa != 0:
                nxt_b = [bb + kappa * v for bb, v in zip(nxt_b, col)]
            for c, alpha, beta in pieces:
                rows.append([alpha * w for w in weights[k][i]])
                bias.append(alpha * biases[k][i] + beta)
                for r, v in enumerate(col):
                    new_cols[r].append(c * v)
        if not rows:
            raise UnsupportedError(f"{source}: every unit of layer {k + 1} is clipped to a constant (min ≥ max);"
                                   " the layer would have no units")
        weights[k], biases[k] = rows, bias
        weights[k + 1], biases[k + 1] = new_cols, nxt_b
    return [Layer(tuple(map(tuple, w)), tuple(b)) for w, b in zip(weights, biases)]


def fold_before(layer: Layer, scale: Sequence[fmpq], shift: Sequence[fmpq]) -> Layer:
    """``x ↦ W (s∘x + t) + c`` as one affine layer ``W diag(s) x + (W t + c)``."""
    weight = tuple(tuple(w * s for w, s in zip(row, scale)) for row in layer.weight)
    bias = tuple(c + sum((w * t for w, t in zip(row, shift)), fmpq(0)) for row, c in zip(layer.weight, layer.bias))
    return Layer(weight, bias)


def fold_after(layer: Layer, scale: Sequence[fmpq], shift: Sequence[fmpq]) -> Layer:
    """``x ↦ s∘(W x + c) + t`` as one affine layer ``diag(s) W x + (s∘c + t)``."""
    weight = tuple(tuple(s * w for w in row) for row, s in zip(layer.weight, scale))
    bias = tuple(s * c + t for c, s, t in zip(layer.bias, scale, shift))
    return Layer(weight, bias)


__all__ = ["Clip", "RELU", "fold_after", "fold_before", "lower_to_relu", "relu_pieces"]
