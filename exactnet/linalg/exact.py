"""Exact linear algebra over ``Q`` on rows given as lists of rationals (FLINT ``fmpq_mat``).

Small helpers shared by the families: rank, reduced row echelon form with pivots, a greedy
maximal independent subset, and exact solutions of ``target = coeff · B``.
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq, fmpq_mat

from .modular import matrix_rank


def rank(rows: Sequence[Sequence[fmpq]], ncols: int) -> int:
    """The rank over ``Q`` of the rows (lists of exact rationals, each of length ``ncols``)."""
    rows = [r for r in rows if any(v != 0 for v in r)]
    if not rows:
        return 0
    return fmpq_mat(len(rows), ncols, [v for r in rows for v in r]).rank()


def cleared_rank(rows: Sequence[Sequence[fmpq]], ncols: int) -> int:
    """The rank over ``Q`` of rows of ``fmpq`` (the same as :func:`rank`, faster for dense rows): the
    integer matrix ``d·M`` (``d`` the common denominator) has the same rank, computed by
    :func:`~exactnet.linalg.modular.matrix_rank` (a modular rank confirmed, or exact elimination)."""
    if not rows or ncols == 0:
        return 0
    return matrix_rank(fmpq_mat(len(rows), ncols, [v for r in rows for v in r]).numer_denom()[0])


def rref(rows: Sequence[Sequence[fmpq]], ncols: int):
    """``(nonzero rref rows, pivot columns)``."""
    rows = [r for r in rows if any(v != 0 for v in r)]
    if not rows:
        return [], []
    red, rank = fmpq_mat(len(rows), ncols, [v for r in rows for v in r]).rref()
    out, piv = [], []
    for i in range(rank):
        row = [red[i, j] for j in range(ncols)]
        out.append(row)
        piv.append(next(j for j, v in enumerate(row) if v != 0))
    return out, piv


def independent_subset(rows, d: int):
    """Indices of a maximal independent subset (greedy) and the remaining indices."""
    basis, rest, chosen = [], [], []
    for i, r in enumerate(rows):
        if rank(chosen + [r], d) > len(chosen):
            chosen.append(r)
            basis.append(i)
        else:
            rest.append(i)
    return basis, rest


def solve_rows(target, B, d: int):
    """``coeff`` with ``target[r] = Σ_j coeff[r][j] B[j]`` for every row (``None`` if impossible)."""
    k = len(B)
    M = fmpq_mat(k, d, [v for row in B for v in row]).transpose()  # d × k
    out = []
    # least squares is exact here: solve (B B^T) c = B t
    BBt = fmpq_mat(k, d, [v for row in B for v in row]) * M
    for row in target:
        t = fmpq_mat(d, 1, list(row))
        rhs = fmpq_mat(k, d, [v for r in B for v in r]) * t
        c = BBt.solve(rhs)
        coeff = [c[j, 0] for j in range(k)]
        recon = [sum((coeff[j] * B[j][col] for j in range(k)), fmpq(0)) for col in range(d)]
        if recon != list(row):
            return None
        out.append(coeff)
    return out


__all__ = ["independent_subset", "rank", "rref", "solve_rows"]
