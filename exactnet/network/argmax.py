"""The top-1 class of an output vector, exactly, with its tie rule.

``argmax(y)`` is the **smallest** index ``i`` with ``y_i = max_j y_j`` (0-based, the rule of
``numpy.argmax`` and ``torch.argmax``); :func:`exact_argmax` also returns every index attaining
the maximum, so a caller can see a tie. Comparisons are exact (rationals and real algebraic
numbers compare exactly). For enclosures (tanh outputs) :func:`ball_argmax` decides only when the
balls separate the maximum from every other output, and otherwise says so.
"""

from __future__ import annotations

from typing import Sequence

from flint import arb


def exact_argmax(values: Sequence) -> tuple[int, tuple[int, ...]]:
    """``(first index of the maximum, all indices of the maximum)`` of exact numbers."""
    if not values:
        raise ValueError("argmax of an empty vector")
    best = values[0]
    for v in values[1:]:
        if v > best:
            best = v
    ties = tuple(i for i, v in enumerate(values) if v == best)
    return ties[0], ties


def ball_argmax(balls: Sequence[arb]) -> int | None:
    """The index whose ball lies strictly above every other ball, or ``None`` if the balls overlap
    (the enclosures cannot decide it)."""
    for i, b in enumerate(balls):
        if all(j == i or b > other for j, other in enumerate(balls)):
            return i
    return None


__all__ = ["ball_argmax", "exact_argmax"]
