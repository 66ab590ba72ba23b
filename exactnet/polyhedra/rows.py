"""Rows of polyhedra and the exact verification of every answer (docs/relu.md, "Exact LP").

A *row* ``(g, h)`` is the affine form ``g·x + h`` with integer ``g`` and ``h``; a system of rows
describes the open polyhedron ``{x : g_i·x + h_i > 0}`` or its closure ``{x : g_i·x + h_i ≥ 0}``.
Every answer a backend gives is checked here with integer/rational arithmetic before it is
returned: an :class:`Interior` point (every strict inequality holds), a :class:`Farkas`
certificate of emptiness (Motzkin's transposition theorem), or an :class:`Optimum` of a linear
program with its dual multipliers (LP duality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import fmpq

Row = tuple[tuple[int, ...], int]  # (g, h): g·x + h > 0 (open) or ≥ 0 (closed)


@dataclass(frozen=True)
class Interior:
    """An exact rational point satisfying every ``g_i·x + h_i > 0``."""

    point: tuple[fmpq, ...]


@dataclass(frozen=True)
class Farkas:
    """Sparse multipliers ``((i, y_i), ...)``: ``y ≥ 0``, ``y ≠ 0``, ``Σ y_i g_i = 0``, ``Σ y_i h_i ≤ 0``.

    Then ``Σ y_i (g_i·x + h_i) ≤ 0`` for every ``x``, so the strict system has no solution.
    ``basis`` (optional) names ``n`` rows whose gradients are linearly independent and carry all
    the multipliers except the last row's, which is 1: the multipliers are then the unique
    solution of an ``n×n`` system (a compact form for certificates).
    """

    multipliers: tuple[tuple[int, fmpq], ...]
    basis: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Optimum:
    """The optimum of ``max c·x`` subject to ``g_i·x + h_i ≥ 0``: the ``value``, an optimal
    ``point`` and dual ``multipliers`` ``((i, y_i), ...)`` with ``y ≥ 0``, ``Σ y_i g_i = −c`` and
    ``Σ y_i h_i = value``. For every feasible ``x``, ``Σ y_i (g_i·x + h_i) ≥ 0`` gives
    ``c·x ≤ Σ y_i h_i``: the multipliers prove that no point does better (:func:`is_optimum`)."""

    value: fmpq
    point: tuple[fmpq, ...]
    multipliers: tuple[tuple[int, fmpq], ...]


@dataclass(frozen=True)
class Unbounded:
    """``max c·x`` has no finite optimum on a non-empty polyhedron."""


@dataclass(frozen=True)
class Infeasible:
    """The closed polyhedron is empty."""


def primitive_row(g: Sequence, h) -> Row:
    """The primitive integer row positively proportional to the rational form ``g·x + h``.

    Multiply by the lcm of the denominators, then divide by the gcd of all entries (the zero form
    stays zero). Two forms are positively proportional iff their primitive rows are equal.
    """
    entries = list(g) + [h]
    den = 1
    for v in entries:
        q = int(v.q) if isinstance(v, fmpq) else 1
        if q != 1:
            den = den * q // math.gcd(den, q)
    ints = [int(v.p) * (den // int(v.q)) if isinstance(v, fmpq) else int(v) * den for v in entries]
    div = 0
    for a in ints:
        div = math.gcd(div, a)
    if div > 1:
        ints = [a // div for a in ints]
    return tuple(ints[:-1]), ints[-1]


def negate(row: Row) -> Row:
    g, h = row
    return tuple(-a for a in g), -h


def value_at(row: Row, x: Sequence[fmpq]) -> fmpq:
    """``g·x + h`` exactly."""
    g, h = row
    acc = fmpq(h)
    for a, v in zip(g, x):
        if a:
            acc += a * v
    return acc


def is_interior(rows: Sequence[Row], x: Sequence[fmpq]) -> bool:
    """Exact check that ``x`` satisfies every strict inequality (integer arithmetic)."""
    den = 1
    for v in x:
        q = int(v.q)
        if q != 1:
            den = den * q // math.gcd(den, q)
    ints = [int(v.p) * (den // int(v.q)) for v in x]
    for g, h in rows:
        acc = h * den
        for a, b in zip(g, ints):
            if a and b:
                acc += a * b
        if acc <= 0:
            return False
    return True


def is_farkas(rows: Sequence[Row], multipliers: Sequence[tuple[int, fmpq]], n: int) -> bool:
    """Exact check of a Farkas certificate for the open polyhedron of ``rows``."""
    total_g = [fmpq(0)] * n
    total_h = fmpq(0)
    nonzero = False
    for i, y in multipliers:
        if not (0 <= i < len(rows)) or y < 0:
            return False
        if y == 0:
            continue
        nonzero = True
        g, h = rows[i]
        for k in range(n):
            if g[k]:
                total_g[k] += y * g[k]
        total_h += y * h
    return nonzero and all(v == 0 for v in total_g) and total_h <= 0


def is_optimum(rows: Sequence[Row], objective: Sequence[int], answer: Optimum) -> bool:
    """Exact check of an :class:`Optimum`: the point is feasible, attains the value, and the
    multipliers are a dual solution with the same value (so the value is the maximum)."""
    n = len(objective)
    x = answer.point
    if len(x) != n or any(value_at(r, x) < 0 for r in rows):
        return False
    if sum((c * v for c, v in zip(objective, x)), fmpq(0)) != answer.value:
        return False
    total_g = [fmpq(0)] * n
    total_h = fmpq(0)
    for i, y in answer.multipliers:
        if not (0 <= i < len(rows)) or y < 0:
            return False
        g, h = rows[i]
        for k in range(n):
            total_g[k] += y * g[k]
        total_h += y * h
    return all(total_g[k] == -objective[k] for k in range(n)) and total_h == answer.value


def norm(g: Sequence[int]) -> int:
    """``‖g‖_∞`` (the LPs normalise every row by it)."""
    return max(abs(a) for a in g)


__all__ = [
    "Farkas", "Infeasible", "Interior", "Optimum", "Row", "Unbounded", "is_farkas", "is_interior", "is_optimum",
    "negate", "norm", "primitive_row", "value_at",
]
