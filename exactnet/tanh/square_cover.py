"""Hardness of proximate rank: the reduction from covering points with squares
(docs/tanh.md § Proximate rank; the paper's own gadget and constants are unverified there).

**Square cover.** Given points ``x_1..x_h ∈ Q^2`` and ``ε > 0``: the fewest closed
axis-parallel squares of side ``2ε`` covering all points (NP-hard: BOX-COVER, Fowler,
Paterson & Tanimoto 1981).

**Reduction** (:func:`from_square_cover`): the network with ``n = m = 1`` and one unit per
point, ``b_i = x_{i1} + T`` with ``T = ε + 1 − min_i x_{i1}`` (so every ``b_i ≥ ε + 1 > ε``),
``c_i = x_{i2}``, ``a_i = ε + 1``, ``d = 0``. Then ``prank_ε`` equals the minimum cover:

* no unit can be made constant (``|b_i| > ε``);
* a group cannot mix signs: its signed ``b``-values would have to be within ``2ε`` of a value
  ``> ε`` and of a value ``< −ε``; with all signs ``+`` (the global flip is immaterial) a
  group is admissible iff its points have ``x``- and ``y``-spread ``≤ 2ε``, i.e. fit one
  square of side ``2ε`` (the shift by ``T`` changes no spread);
* no group is cancellable: ``Σ a_i = (ε + 1)|G| > ε|G|``.

So the groups are exactly the sets of points fitting one square, all kept; a minimum
partition into such sets is a minimum cover (a cover can be made a partition by assigning
each point to one of its squares).

:func:`min_square_cover` is an independent brute force for small point sets: a square
covering a set can be shifted so that its left and bottom edges pass through points of the
set, so the ``≤ h²`` squares with corner ``(x_i, y_j)`` suffice; a dynamic programme over
subsets of points (``O(2^h·h²)``) then gives the exact minimum and one optimal cover.
"""

from __future__ import annotations

from flint import fmpq

from ..errors import InputError
from ..network import Layer, Network
from ..numbers import parse_scalar


def _points(points) -> list:
    out = []
    for pt in points:
        if len(pt) != 2:
            raise InputError("square cover: every point needs exactly two coordinates")
        xy = tuple(parse_scalar(v) if not isinstance(v, fmpq) else v for v in pt)
        if not all(isinstance(v, fmpq) for v in xy):
            raise InputError("square cover: coordinates must be rational")
        out.append(xy)
    return out


def _eps(eps) -> fmpq:
    e = eps if isinstance(eps, fmpq) else parse_scalar(eps)
    if not isinstance(e, fmpq) or e <= 0:
        raise InputError("square cover: ε must be a positive rational")
    return e


def from_square_cover(points, eps) -> Network:
    """The prank instance of the reduction (module docstring): a width-``h`` tanh network
    with ``prank_ε`` equal to the fewest squares of side ``2ε`` covering ``points``."""
    pts = _points(points)
    e = _eps(eps)
    if not pts:
        raise InputError("square cover: at least one point is needed")
    shift = e + 1 - min(x for x, _ in pts)
    w1 = tuple((x + shift,) for x, _ in pts)
    b1 = tuple(y for _, y in pts)
    w2 = (tuple(e + 1 for _ in pts),)
    return Network("tanh", (Layer(w1, b1), Layer(w2, (fmpq(0),))))


def min_square_cover(points, eps, max_points: int = 16) -> tuple[int, list]:
    """The fewest closed squares of side ``2ε`` covering ``points`` and one optimal cover (a
    list of lists of point indices, a partition), by the subset dynamic programme of the
    module docstring. Exponential: refuses more than ``max_points`` points."""
    pts = _points(points)
    e2 = 2 * _eps(eps)
    h = len(pts)
    if h > max_points:
        raise InputError(f"square cover brute force: {h} points is too many (at most {max_points})")
    squares = set()
    for x0, _ in pts:
        for _, y0 in pts:
            mask = 0
            for i, (x, y) in enumerate(pts):
                if x0 <= x <= x0 + e2 and y0 <= y <= y0 + e2:
                    mask |= 1 << i
            if mask:
                squares.add(mask)
    squares = sorted(squares)
    full = (1 << h) - 1
    best = [0] * (1 << h)
    choice = [0] * (1 << h)
    for mask in range(1, full + 1):
        low = mask & -mask
        value, pick = h + 1, 0
        for sq in squares:
            if sq & low:
                v = best[mask & ~sq] + 1
                if v < value:
                    value, pick = v, sq
        best[mask], choice[mask] = value, pick
    cover, mask = [], full
    while mask:
        sq = choice[mask] & mask
        cover.append([i for i in range(h) if sq >> i & 1])
        mask &= ~sq
    return best[full], cover


__all__ = ["from_square_cover", "min_square_cover"]
