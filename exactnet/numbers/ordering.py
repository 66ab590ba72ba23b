"""Exact order of vectors of exact numbers, fast for rationals.

Sorting exact numbers by Python's ``<`` on ``fmpq`` is exact but slow; :func:`order_key` builds a
key that compares correctly rounded floats first (a strict float inequality between correctly
rounded images of rationals decides the exact one) and the exact values only on float ties.
Real algebraic entries compare by their exact sign (:func:`~exactnet.numbers.algebraic.sign`).
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from flint import fmpq

from .algebraic import sign


def _float_floor_key(x: fmpq) -> float:
    """A monotone float image of a rational: ``int/int`` true division is correctly rounded."""
    try:
        return int(x.p) / int(x.q)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


class _Exact:
    """Wraps an exact number so that ``<`` is exact comparison (algebraic sort keys)."""

    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __eq__(self, other):
        return self.x == other.x

    def __lt__(self, other):
        return sign(self.x - other.x) < 0


def order_key(values: Sequence, rational: bool | None = None) -> tuple:
    """A sort key realising the exact lexicographic order of a vector of exact numbers.

    For rationals the key interleaves a correctly rounded float (monotone, so a strict float
    inequality decides the exact one) with the exact value (consulted only on float ties):
    ``(fl(v_1), v_1, fl(v_2), v_2, …)``. Otherwise (``rational=False``, or algebraic entries)
    the key compares exactly entry by entry. Keys of both kinds must not be mixed in one sort.
    """
    if rational is None:
        rational = all(type(v) is fmpq for v in values)
    if rational:
        out = []
        for v in values:
            out.append(_float_floor_key(v))
            out.append(v)
        return tuple(out)
    return tuple(_Exact(v) for v in values)


def sort_exact(items: Iterable, key: Callable[[object], Sequence]) -> list:
    """``items`` sorted by the exact lexicographic order of ``key(item)`` (a vector)."""
    items = list(items)
    vectors = [key(it) for it in items]
    rational = all(type(v) is fmpq for vec in vectors for v in vec)
    keys = [order_key(vec, rational) for vec in vectors]
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in order]


__all__ = ["order_key", "sort_exact"]
