"""Cells of a region enumeration: exact sign decisions of affine forms on an open polyhedron.

A *cell* is the open polyhedron ``{x : g_i·x + h_i > 0}`` of primitive integer rows (the domain's
constraints first, then the hyperplane splits of the path that led to it), full-dimensional
and with a known exact interior point. :meth:`classify` decides, for an affine form ``e``,
whether ``e > 0`` on the whole cell, ``e < 0`` on the whole cell, or ``e`` takes both signs (the
hyperplane ``e = 0`` cuts the cell into two full-dimensional children; docs/relu.md § Activation regions,
docs/relu-functional-dimension.md). A neuron whose sign is fixed on the cell never splits it.

Two exact methods (chosen by :func:`~.choose.cell_method`):

* :class:`GeneratorCell` (small input dimension, default ``n ≤ 6``): the closure is a
  :class:`~.ppl_backend.ClosedPolyhedron`; the sign of ``e`` on it is read off its minimized
  generators (points, rays, lines). The double-description conversion is cheap in low dimension.
* :class:`LPCell` (any dimension): known interior points decide splits for free; otherwise one
  linear program (:func:`~.lp.decide`: a HiGHS proposal verified exactly, the exact PPL
  fallback) gives an interior point of the other side or a Farkas certificate that the form's
  sign is fixed.

All rows are primitive integer vectors (:func:`primitive_row`), so a form parallel to an existing
row is recognised by a dictionary lookup (its sign is then fixed, with a trivial certificate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz_mat

from .choose import backends, cell_method
from .lp import decide
from .ppl_backend import ClosedPolyhedron
from .rows import Farkas, Row, is_farkas, is_interior, negate
from .rows import value_at as row_value

#: How many known interior points an LP cell carries.
MAX_POINTS = 6


@dataclass(frozen=True)
class Decision:
    """The sign of a form on a cell: ``+1``/``−1`` (fixed) or ``0`` (split into both sides).

    ``farkas`` (fixed signs, when already known) certifies that the cell meets no point with the
    opposite sign: multipliers over ``cell.rows + [−sign·row]``.
    """

    sign: int
    farkas: Farkas | None = None
    pos_points: tuple = ()
    neg_points: tuple = ()


_SPLIT, _POS, _NEG = Decision(0), Decision(1), Decision(-1)


class _CellBase:
    rows: tuple[Row, ...]
    n: int

    def key_index(self, row: Row) -> int | None:
        return self._keys.get(row)

    def fixed_by_parallel(self, row: Row) -> Decision | None:
        """Sign fixed because ``row`` (or its negation) is one of the cell's rows."""
        i = self._keys.get(row)
        if i is not None:  # e = row_i > 0 on the cell; {row_i > 0, −e > 0} is empty: y_i = 1, t = 1
            return Decision(1, Farkas(((i, fmpq(1)), (len(self.rows), fmpq(1)))))
        i = self._keys.get(negate(row))
        if i is not None:  # e = −row_i < 0 on the cell; {row_i > 0, e > 0}: y_i = 1, t = 1
            return Decision(-1, Farkas(((i, fmpq(1)), (len(self.rows), fmpq(1)))))
        return None

    def farkas_for(self, row: Row, sign: int, unit: int | None = None) -> Farkas:
        """A Farkas certificate that ``{cell, −sign·e > 0}`` is empty (``e`` has the fixed sign);
        ``unit``: the form's unit in the last :meth:`classify_batch` (a hint of generator cells)."""
        target = row if sign < 0 else negate(row)
        ans = decide(list(self.rows) + [target], self.n)
        if not isinstance(ans, Farkas):  # pragma: no cover - would contradict the decision
            raise AssertionError("internal error: a fixed sign without a Farkas certificate")
        return ans


def _extend_keys(keys: dict, rows: tuple[Row, ...], start: int) -> dict:
    out = dict(keys)
    for i in range(start, len(rows)):
        out.setdefault(rows[i], i)
    return out


class GeneratorCell(_CellBase):
    """A cell whose closure is held in double description (sign tests on generators)."""

    __slots__ = ("n", "rows", "poly", "_keys", "_gens", "_point", "_matrix", "_bases", "_values", "_points")

    def __init__(self, n: int, rows: tuple[Row, ...], poly, keys: dict, point=None):
        self.n, self.rows, self.poly, self._keys = n, rows, poly, keys
        self._gens = None
        self._point = point
        self._matrix = None
        self._bases = None
        self._values = None  # the form values of the last classify_batch (hints for farkas_for)
        self._points = None

    @classmethod
    def root(cls, n: int, rows: Sequence[Row], point: Sequence[fmpq]) -> "GeneratorCell":
        rows = tuple(rows)
        return cls(n, rows, ClosedPolyhedron(n, rows), _extend_keys({}, rows, 0), tuple(point))

    def _generators(self):
        if self._gens is None:
            self._gens = self.poly.generators()
        return self._gens

    def _generator_matrix(self):
        """Generators as columns ``(c, d)`` (points), ``(r, 0)`` (rays, lines) of an ``fmpz_mat``."""
        if self._matrix is not None:
            return self._matrix
        gens = self._generators()
        cols = [[*c, d] for _kind, c, d in gens]  # d = 0 for rays and lines
        self._matrix = (fmpz_mat(cols).transpose(), [kind for kind, _c, _d in gens])
        return self._matrix

    def classify_batch(self, forms, units: Sequence[int], rows_of) -> dict:
        """Decisions for the (non-constant) integer forms ``forms`` (an ``fmpz_mat`` with rows
        ``(g, h)``) of the given units: the signs of every form at every generator at once."""
        matrix, kinds = self._generator_matrix()
        values = (forms * matrix).tolist()
        lines = [i for i, kind in enumerate(kinds) if kind == 2]
        self._values = None if lines else values
        out = {}
        for j in units:
            vals = values[j]
            if lines and any(vals[i] for i in lines):
                out[j] = _SPLIT
                continue
            if lines:
                vals = [v for v, kind in zip(vals, kinds) if kind != 2]
            hi, lo = max(vals), min(vals)
            if hi > 0:
                out[j] = _SPLIT if lo < 0 else _POS
            elif lo < 0:
                out[j] = _NEG
            else:  # pragma: no cover - g ≠ 0 cannot vanish on a full-dimensional cell
                raise AssertionError("internal error: a non-constant form vanishes on a full-dimensional cell")
        return out

    def _minimizing(self, sign: int, vals) -> int | None:
        """The first point generator ``i`` = ``(c, d)`` minimizing ``sign·vals[i]/d``, ``vals`` the
        values ``g·c + h·d`` of a form at the generators (integer cross-multiplication)."""
        if self._points is None:
            self._points = [(i, int(d)) for i, (kind, _c, d) in enumerate(self._generators()) if kind == 0]
        best, bv, bd = None, 0, 1
        for i, d in self._points:
            v = sign * int(vals[i])
            if best is None or v * bd < bv * d:
                best, bv, bd = i, v, d
        return best

    def farkas_for(self, row: Row, sign: int, unit: int | None = None) -> Farkas:
        """A Farkas certificate that ``{cell, −sign·e > 0}`` is empty, read off a minimizing vertex
        (found from the values of the last :meth:`classify_batch` when ``unit`` names its form there:
        only a hint, the proof is verified whatever it says).

        ``t = sign·e ≥ 0`` on the closed cell; at a vertex ``v`` minimizing ``t``, the gradient of
        ``t`` is a non-negative combination ``Σ y_i g_i`` of the rows active at ``v`` (LP optimality),
        so ``Σ y_i r_i − t`` is the constant ``−t(v) ≤ 0``. With exactly ``n`` independent active
        rows ``y`` is the solution of an ``n×n`` system; otherwise an exact LP decides.
        """
        parallel = self.fixed_by_parallel(row)
        if parallel is not None and parallel.sign == sign:
            return parallel.farkas
        g, h = row if sign > 0 else negate(row)
        best = None
        hint = unit is not None and self._values is not None
        if hint:  # the values from classify_batch: the same vertex, without evaluating the form again
            idx = self._minimizing(sign, self._values[unit])
            best = None if idx is None else (None, idx)
        for idx, (kind, c, d) in enumerate(() if hint else self._generators()):
            if kind == 0:
                val = fmpq(sum(a * b for a, b in zip(g, c)) + h * d, d)
                if best is None or val < best[0]:
                    best = (val, idx)
            elif kind == 2:
                best = None
                break
        if best is not None:
            active, A = self._vertex_basis(best[1])
            if A is not None:
                n = self.n
                y = A.solve(fmpq_mat(n, 1, list(g)))
                if all(y[k, 0] >= 0 for k in range(n)):
                    mult = tuple((i, y[k, 0]) for k, i in enumerate(active) if y[k, 0] != 0) + ((len(self.rows), fmpq(1)),)
                    if is_farkas(list(self.rows) + [negate((g, h))], mult, n):
                        return Farkas(mult, tuple(active))
        return super().farkas_for(row, sign)  # (a verified proof or the exact LP, whatever the hint)

    def _vertex_basis(self, idx: int):
        """The rows active at generator ``idx`` and their gradient matrix, if exactly ``n`` (and
        independent); cached per vertex."""
        if self._bases is None:
            self._bases = {}
        if idx not in self._bases:
            _kind, c, d = self._generators()[idx]
            active = [i for i, (rg, rh) in enumerate(self.rows)
                      if sum(a * b for a, b in zip(rg, c)) + rh * d == 0]
            A = None
            if len(active) == self.n:
                n = self.n
                A = fmpq_mat(n, n, [self.rows[i][0][r] for r in range(n) for i in active])
                if A.det() == 0:
                    A = None
            self._bases[idx] = (active, A)
        return self._bases[idx]

    def child(self, decision: Decision, row: Row, side: int) -> "GeneratorCell":
        new_row = row if side > 0 else negate(row)
        poly = self.poly.with_row(new_row)
        rows = self.rows + (new_row,)
        return GeneratorCell(self.n, rows, poly, _extend_keys(self._keys, rows, len(self.rows)))

    def point(self) -> tuple[fmpq, ...]:
        """An exact interior point: mean of the vertices plus the sum of the rays."""
        if self._point is None:
            n = self.n
            gens = self._generators()
            den = 1  # common denominator of the vertices (integer arithmetic, one fmpq per coordinate)
            for kind, _c, d in gens:
                if kind == 0 and d != 1:
                    den = den * d // math.gcd(den, d)
            acc = [0] * n
            ray = [0] * n
            count = 0
            for kind, c, d in gens:
                if kind == 0:
                    count += 1
                    f = den // d
                    for i in range(n):
                        if c[i]:
                            acc[i] += c[i] * f
                elif kind == 1:
                    for i in range(n):
                        ray[i] += c[i]
            total = count * den
            pt = tuple(fmpq(acc[i] + ray[i] * total, total) for i in range(n))
            if not is_interior(self.rows, pt):  # pragma: no cover - defensive
                ans = decide(self.rows, n)
                pt = ans.point
            self._point = pt
        return self._point


class LPCell(_CellBase):
    """A cell held as its rows plus a few exact interior points (LP-based sign decisions)."""

    __slots__ = ("n", "rows", "points", "_keys", "_prepared", "_session", "_matrix")

    def __init__(self, n: int, rows: tuple[Row, ...], points: tuple, keys: dict, prepared, session):
        self.n, self.rows, self.points, self._keys = n, rows, points, keys
        self._prepared, self._session = prepared, session
        self._matrix = None

    @classmethod
    def root(cls, n: int, rows: Sequence[Row], points: Sequence[Sequence[fmpq]], method: str = "auto") -> "LPCell":
        """The root cell; ``method`` chooses the LP backends (one session for the whole tree)."""
        rows = tuple(rows)
        pts = tuple(tuple(p) for p in points if is_interior(rows, p))
        if not pts:
            pts = (decide(rows, n).point,)
        session = backends(method)
        first = session[0]
        prepared = first.prepare(rows, n) if hasattr(first, "prepare") else None
        return cls(n, rows, pts[:MAX_POINTS], _extend_keys({}, rows, 0), prepared, session)

    def _with_row(self, row: Row):
        first = self._session[0]
        return first.extend(self._prepared, row) if hasattr(first, "extend") else None

    def _point_matrix(self):
        if self._matrix is not None:
            return self._matrix
        n = self.n
        cols = []
        for p in self.points:
            den = 1
            for v in p:
                q = int(v.q)
                den = den * q // math.gcd(den, q)
            cols.append([int(v.p) * (den // int(v.q)) for v in p] + [den])
        entries = [cols[c][i] for i in range(n + 1) for c in range(len(cols))]
        self._matrix = fmpz_mat(n + 1, len(cols), entries)
        return self._matrix

    def classify_batch(self, forms, units: Sequence[int], rows_of) -> dict:
        """Decisions for the given units: known interior points first (all at once), then the
        parallel-row test, then one exact LP per undetermined form."""
        values = (forms * self._point_matrix()).tolist()
        out = {}
        for j in units:
            pos, neg, zero = [], [], []
            for v, p in zip(values[j], self.points):
                (pos if v > 0 else neg if v < 0 else zero).append(p)
            if pos and neg:
                out[j] = Decision(0, None, tuple(pos), tuple(neg))
                continue
            row = rows_of(j)
            if zero:  # e vanishes at an interior point and is not constant: both signs nearby
                plus, minus = self._pushed(zero[0], row)
                out[j] = Decision(0, None, tuple(pos) + (plus,), tuple(neg) + (minus,))
                continue
            parallel = self.fixed_by_parallel(row)
            if parallel is not None:
                out[j] = parallel
                continue
            sign = 1 if pos else -1
            other = negate(row) if sign > 0 else row
            ans = decide(self.rows + (other,), self.n, prepared=self._with_row(other), session=self._session)
            if isinstance(ans, Farkas):
                out[j] = Decision(sign, ans)
            elif sign > 0:
                out[j] = Decision(0, None, tuple(pos), (ans.point,))
            else:
                out[j] = Decision(0, None, (ans.point,), tuple(neg))
        return out

    def _pushed(self, p, row: Row):
        """Points ``p ± δ·g`` strictly inside the cell on both sides of ``e = 0`` (``e(p) = 0``)."""
        g, _h = row
        step = fmpq(1)
        for r in self.rows:
            slack = row_value(r, p)
            rate = abs(sum(a * b for a, b in zip(r[0], g)))
            if rate:
                step = min(step, slack / (2 * rate))
        plus = tuple(v + step * a for v, a in zip(p, g))
        minus = tuple(v - step * a for v, a in zip(p, g))
        return plus, minus

    def child(self, decision: Decision, row: Row, side: int) -> "LPCell":
        new_row = row if side > 0 else negate(row)
        rows = self.rows + (new_row,)
        pts = decision.pos_points if side > 0 else decision.neg_points
        return LPCell(self.n, rows, tuple(pts[:MAX_POINTS]), _extend_keys(self._keys, rows, len(self.rows)),
                      self._with_row(new_row), self._session)

    def point(self) -> tuple[fmpq, ...]:
        return self.points[0]


def root_cell(n: int, rows: Sequence[Row], method: str = "auto", seeds: Sequence[Sequence[fmpq]] = ()):
    """The root cell (the interior of the domain given by ``rows``; ``R^n`` when empty), held by
    the cell method :func:`~.choose.cell_method` picks for ``n`` (``method``: ``"auto"``,
    ``"generators"`` or ``"lp"``). Returns ``None`` when the domain has empty interior."""
    method = cell_method(n, method)
    if method == "lp":
        seeds = list(seeds)
    else:
        seeds = []
    ans = decide(list(rows), n, hints=seeds)
    if isinstance(ans, Farkas):
        return None
    if method == "generators":
        return GeneratorCell.root(n, rows, ans.point)
    return LPCell.root(n, rows, [ans.point] + [tuple(s) for s in seeds])


__all__ = ["Decision", "GeneratorCell", "LPCell", "root_cell"]
