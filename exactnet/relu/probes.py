"""Tier (c): exact evaluation at cheap rational probe points (a fast witness search).

Two networks that differ usually differ at a random input. The probes are small rationals (and a
few far-away points, where the outer unbounded regions live), or random points of the domain;
both networks are evaluated exactly (one ``fmpq_mat`` product per layer for all probes at once)
and the first probe with different outputs is a non-equivalence witness. Finding none proves
nothing.
"""

from __future__ import annotations

import random
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..network import Network, forward_exact
from ..polyhedra import value_at as row_value


def probe_points(n: int, count: int = 24, domain_rows: Sequence | None = None, domain_point=None,
                 seed: int = 1) -> list[tuple[fmpq, ...]]:
    """Deterministic rational probe points in ``R^n`` (or strictly inside the domain)."""
    rnd = random.Random(seed * 7919 + n)
    pts: list[tuple[fmpq, ...]] = []
    if not domain_rows:
        pts.append(tuple(fmpq(0) for _ in range(n)))
        for k in range(count - 1):
            scale = (1, 1, 1, 16, 1, 256)[k % 6]
            pts.append(tuple(fmpq(rnd.randint(-8, 8) * scale, rnd.randint(1, 4)) for _ in range(n)))
        return pts
    base = tuple(domain_point)
    pts.append(base)
    for _ in range(count - 1):
        d = [fmpq(rnd.randint(-8, 8), rnd.randint(1, 4)) for _ in range(n)]
        step = fmpq(rnd.randint(1, 8), 8)
        for g, h in domain_rows:
            slack = row_value((g, h), base)
            rate = -sum((a * v for a, v in zip(g, d)), fmpq(0))
            if rate > 0:
                step = min(step, slack * fmpq(rnd.randint(1, 9), 10) / rate)
        pts.append(tuple(b + step * v for b, v in zip(base, d)))
    return pts


def batch_outputs(net: Network, points: Sequence[Sequence[fmpq]]) -> list[tuple]:
    """Exact outputs of a ReLU network at many points (one matrix product per layer if rational)."""
    if not net.is_rational or not all(type(v) is fmpq for p in points for v in p):
        return [tuple(forward_exact(net, p)) for p in points]
    k = len(points)
    X = fmpq_mat(net.input_dim, k, [points[c][r] for r in range(net.input_dim) for c in range(k)])
    last = len(net.layers) - 1
    for idx, layer in enumerate(net.layers):
        B = fmpq_mat(layer.out_dim, k, [bv for bv in layer.bias for _ in range(k)])
        Z = layer.weight_matrix * X + B
        if idx < last:
            entries = [Z[r, c] for r in range(Z.nrows()) for c in range(k)]
            X = fmpq_mat(Z.nrows(), k, [v if v > 0 else 0 for v in entries])
        else:
            X = Z
    return [tuple(X[r, c] for r in range(X.nrows())) for c in range(k)]


def find_witness(a: Network, b: Network, points: Sequence[Sequence[fmpq]]) -> tuple | None:
    """The first probe point where the two networks' exact outputs differ, if any."""
    oa, ob = batch_outputs(a, points), batch_outputs(b, points)
    for p, ya, yb in zip(points, oa, ob):
        if ya != yb:
            return tuple(p)
    return None


__all__ = ["batch_outputs", "find_witness", "probe_points"]
