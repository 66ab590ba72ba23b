"""Exact linear algebra over a real number field (entries ``fmpq`` or elements of one
:class:`~exactnet.numbers.NumberField`; docs/algebraic-lp.md).

Gauss–Jordan elimination with exact field arithmetic: an element is zero iff its reduced
polynomial representative is zero (:mod:`exactnet.numbers.algebraic`), so every pivot choice is
exact. Rational matrices are better served by :mod:`.exact` (FLINT); these routines are for
matrices with real algebraic entries, where ``O(r·m·n)`` field operations (each a polynomial
product modulo the field's defining polynomial) are the cost.
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq


def field_rref(rows: Sequence[Sequence], ncols: int) -> tuple[list[list], list[int]]:
    """The reduced row echelon form of ``rows`` (nonzero rows only) and its pivot columns."""
    work = [list(r) for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        piv = next((i for i in range(r, len(work)) if work[i][c] != 0), None)
        if piv is None:
            continue
        work[r], work[piv] = work[piv], work[r]
        inv = 1 / work[r][c]
        work[r] = [v * inv if v != 0 else fmpq(0) for v in work[r]]
        for i in range(len(work)):
            if i != r and work[i][c] != 0:
                f = work[i][c]
                work[i] = [a - f * b if b != 0 else a for a, b in zip(work[i], work[r])]
        pivots.append(c)
        r += 1
        if r == len(work):
            break
    return work[:r], pivots


def field_rank(rows: Sequence[Sequence], ncols: int) -> int:
    """The rank of a matrix over the field of its entries."""
    return len(field_rref(rows, ncols)[1])


def field_solve(matrix: Sequence[Sequence], rhs: Sequence, ncols: int, free_values=None) -> list | None:
    """A solution ``z`` of ``matrix·z = rhs`` or ``None`` when inconsistent.

    ``free_values`` (a function of the column index) gives the value of each free column (default
    0); the pivot columns are then determined.
    """
    aug = [list(row) + [b] for row, b in zip(matrix, rhs)]
    red, pivots = field_rref(aug, ncols + 1)
    if ncols in pivots:
        return None
    z = [fmpq(0)] * ncols
    free = [c for c in range(ncols) if c not in pivots]
    for c in free:
        z[c] = free_values(c) if free_values is not None else fmpq(0)
    for row, c in zip(red, pivots):
        val = row[ncols]
        for f in free:
            if row[f] != 0 and z[f] != 0:
                val = val - row[f] * z[f]
        z[c] = val
    return z


__all__ = ["field_rank", "field_rref", "field_solve"]
