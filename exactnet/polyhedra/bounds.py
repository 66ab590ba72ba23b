"""Exact upper bounds on a linear objective over a polyhedron inside a box, from float LP duals.

For ``P = {x : g_i·x + h_i ≥ 0 (i = 1..m), lower ≤ x ≤ upper}`` and any multipliers ``y ≥ 0``,
every ``x ∈ P`` satisfies ``Σ y_i (g_i·x + h_i) ≥ 0``, hence

    c·x + c_0 ≤ (c + Σ y_i g_i)·x + Σ y_i h_i + c_0 ≤ Σ_j max(r_j·lower_j, r_j·upper_j) + Σ y_i h_i + c_0

with ``r = c + Σ y_i g_i`` (weak LP duality with the box handled explicitly; Neumaier and
Shcherbina, "Safe bounds in linear and mixed-integer linear programming", Math. Prog. 2004).
The bound holds for *every* ``y ≥ 0``: HiGHS proposes ``y`` in float64 (the dual of the LP), the
proposal is rounded to rationals and clipped at 0, and the bound is then computed exactly. A poor
proposal can only make the bound weaker, never wrong; ``y = 0`` gives the plain box bound. When the
box contains ``P`` the bound is an upper bound on ``max_P c·x + c_0`` (``docs/difference.md``).
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from .highs_backend import lp_proposal
from .rows import Row

#: Bits kept of each float multiplier (the bound stays exact whatever is kept).
MULTIPLIER_BITS = 48


def box_bound(objective: Sequence[fmpq], constant: fmpq, lower: Sequence[fmpq], upper: Sequence[fmpq]) -> fmpq:
    """``max c·x + c_0`` over the box, exactly."""
    acc = fmpq(constant)
    for c, lo, hi in zip(objective, lower, upper):
        if c > 0:
            acc += c * hi
        elif c < 0:
            acc += c * lo
    return acc


def dual_bound(objective: Sequence[fmpq], constant: fmpq, rows: Sequence[Row], multipliers: Sequence[tuple[int, fmpq]],
               lower: Sequence[fmpq], upper: Sequence[fmpq]) -> fmpq:
    """The exact bound of the module docstring for given multipliers ``((i, y_i), ...)`` (``y_i ≥ 0``)."""
    r = list(objective)
    acc = fmpq(constant)
    for i, y in multipliers:
        if y <= 0:
            continue
        g, h = rows[i]
        for j, a in enumerate(g):
            if a:
                r[j] += y * a
        acc += y * h
    return box_bound(r, acc, lower, upper)


def _rational(v: float) -> fmpq:
    scale = 1 << MULTIPLIER_BITS
    return fmpq(round(v * scale), scale)


def upper_bound(objective: Sequence[fmpq], constant: fmpq, rows: Sequence[Row], lower: Sequence[fmpq],
                upper: Sequence[fmpq], solver=None) -> fmpq:
    """An exact upper bound on ``c·x + c_0`` over ``{g_i·x + h_i ≥ 0} ∩ [lower, upper]`` (module
    docstring): the box bound, improved by a HiGHS dual when ``highspy`` is available."""
    best = box_bound(objective, constant, lower, upper)
    if not rows:
        return best
    top = max((abs(c) for c in objective), default=fmpq(0))
    if top == 0:
        return best
    scale = fmpq(2) ** (int(top.p).bit_length() - int(top.q).bit_length() + 1)  # a power of 2 ≥ max |c|
    try:
        proposal = lp_proposal([float(c / scale) for c in objective], rows, [float(v) for v in lower],
                               [float(v) for v in upper], solver)
    except (OverflowError, ValueError):
        proposal = None
    if proposal is None or proposal[1] is None:
        return best
    # the multipliers of the scaled objective c/scale, times scale, are multipliers for c
    y = [(i, _rational(v) * scale) for i, v in enumerate(proposal[1]) if v > 0 and v == v and v != float("inf")]
    bound = dual_bound(objective, constant, rows, y, lower, upper)
    return bound if bound < best else best


__all__ = ["MULTIPLIER_BITS", "box_bound", "dual_bound", "upper_bound"]
