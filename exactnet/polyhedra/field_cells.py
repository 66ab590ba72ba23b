"""Cells of a region enumeration whose rows live in a real number field (docs/algebraic-lp.md).

The field counterpart of :class:`~.cells.LPCell`: a cell is the open polyhedron
``{x : g_i·x + h_i > 0}`` of field rows in the canonical form of
:func:`~.field_backend.normal_row` (so a form parallel to a row is found by a dictionary
lookup), with a few exact **rational** interior points (an open cell always has them).
:meth:`FieldCell.classify_batch` decides the sign of a form on the cell: known points first
(exact field signs of the form's values), then the parallel-row test, then one exact
open-feasibility question (:func:`~.field_backend.field_decide`: a HiGHS proposal verified in the
field, the exact field simplex as fallback) giving a rational point of the other side or a Farkas
certificate (multipliers in the field) that the sign is fixed.
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline
from .cells import MAX_POINTS, Decision
from .field_backend import (
    FieldRow, field_backends, field_decide, field_value, is_field_interior, negate_row, normal_row,
)
from .rows import Farkas
from ..numbers import sign


class FieldCell:
    """A cell held as its field rows plus a few exact rational interior points."""

    __slots__ = ("n", "rows", "points", "_keys", "_session", "_prepared")

    def __init__(self, n: int, rows: tuple[FieldRow, ...], points: tuple, keys: dict, session, prepared=None):
        self.n, self.rows, self.points, self._keys, self._session = n, rows, points, keys, session
        self._prepared = prepared  # the rows in the first backend's own form (float images)

    @classmethod
    def root(cls, n: int, rows: Sequence[FieldRow], points: Sequence[Sequence[fmpq]], method: str = "auto",
             deadline: Deadline = NO_DEADLINE):
        rows = tuple(normal_row(g, h) for g, h in rows)
        pts = tuple(tuple(p) for p in points if is_field_interior(rows, p))
        session = field_backends(method, deadline)
        if not pts:
            pts = (field_decide(rows, n, session=session).point,)
        first = session[0]
        prepared = first.prepare(rows, n) if hasattr(first, "prepare") else None
        return cls(n, rows, pts[:MAX_POINTS], _keys({}, rows, 0), session, prepared)

    def _with_row(self, row: FieldRow):
        first = self._session[0]
        return first.extend(self._prepared, row) if hasattr(first, "extend") else None

    def key_index(self, row: FieldRow) -> int | None:
        return self._keys.get(row)

    def fixed_by_parallel(self, row: FieldRow) -> Decision | None:
        """Sign fixed because ``row`` (or its negation) is one of the cell's rows."""
        i = self._keys.get(row)
        if i is not None:
            return Decision(1, Farkas(((i, fmpq(1)), (len(self.rows), fmpq(1)))))
        i = self._keys.get(negate_row(row))
        if i is not None:
            return Decision(-1, Farkas(((i, fmpq(1)), (len(self.rows), fmpq(1)))))
        return None

    def farkas_for(self, row: FieldRow, sign_: int, unit: int | None = None) -> Farkas:
        """A Farkas certificate that ``{cell, −sign·e > 0}`` is empty (``e`` has the fixed sign)."""
        parallel = self.fixed_by_parallel(row)
        if parallel is not None and parallel.sign == sign_:
            return parallel.farkas
        target = row if sign_ < 0 else negate_row(row)
        ans = field_decide(list(self.rows) + [target], self.n, session=self._session)
        if not isinstance(ans, Farkas):  # pragma: no cover - would contradict the decision
            raise AssertionError("internal error: a fixed sign without a Farkas certificate")
        return ans

    def classify_batch(self, forms, units: Sequence[int], rows_of) -> dict:
        """Decisions for the given units (``forms[j]``: the field form ``(g..., h)`` of unit ``j``)."""
        out = {}
        n = self.n
        for j in units:
            form = forms[j]
            row = ((tuple(form[:n])), form[n])
            pos, neg, zero = [], [], []
            for p in self.points:
                s = sign(field_value(row, p))
                (pos if s > 0 else neg if s < 0 else zero).append(p)
            if pos and neg:
                out[j] = Decision(0, None, tuple(pos), tuple(neg))
                continue
            nrow = rows_of(j)
            if zero:  # e vanishes at an interior point and is not constant: both signs nearby
                plus, minus = self._pushed(zero[0], nrow)
                out[j] = Decision(0, None, tuple(pos) + (plus,), tuple(neg) + (minus,))
                continue
            parallel = self.fixed_by_parallel(nrow)
            if parallel is not None:
                out[j] = parallel
                continue
            sgn = 1 if pos else -1
            other = negate_row(nrow) if sgn > 0 else nrow
            ans = field_decide(self.rows + (other,), n, session=self._session, prepared=self._with_row(other))
            if isinstance(ans, Farkas):
                out[j] = Decision(sgn, ans)
            elif sgn > 0:
                out[j] = Decision(0, None, tuple(pos), (ans.point,))
            else:
                out[j] = Decision(0, None, (ans.point,), tuple(neg))
        return out

    def _pushed(self, p, row: FieldRow):
        """Rational points on both sides of ``e = 0`` inside the cell (``e(p) = 0``): ``p ± δ·d``
        for a rational direction ``d`` with ``g·d ≠ 0`` (a unit vector) and ``δ`` halved until
        both points are inside and on the right sides (they are for every small ``δ``)."""
        g, _h = row
        k = next(i for i, v in enumerate(g) if v != 0)
        d = [fmpq(0)] * self.n
        d[k] = fmpq(sign(g[k]))  # g·d = |g_k| > 0
        step = fmpq(1)
        while True:
            plus = tuple(v + step * a for v, a in zip(p, d))
            minus = tuple(v - step * a for v, a in zip(p, d))
            if (is_field_interior(self.rows, plus) and is_field_interior(self.rows, minus)
                    and sign(field_value(row, plus)) > 0 and sign(field_value(row, minus)) < 0):
                return plus, minus
            step /= 2

    def child(self, decision: Decision, row: FieldRow, side: int) -> "FieldCell":
        new_row = row if side > 0 else negate_row(row)
        rows = self.rows + (new_row,)
        pts = decision.pos_points if side > 0 else decision.neg_points
        return FieldCell(self.n, rows, tuple(pts[:MAX_POINTS]), _keys(self._keys, rows, len(self.rows)), self._session,
                         self._with_row(new_row))

    def point(self) -> tuple[fmpq, ...]:
        return self.points[0]


def _keys(keys: dict, rows: tuple, start: int) -> dict:
    out = dict(keys)
    for i in range(start, len(rows)):
        out.setdefault(rows[i], i)
    return out


def field_root_cell(n: int, rows: Sequence[FieldRow], method: str = "auto", seeds: Sequence[Sequence[fmpq]] = (),
                    deadline: Deadline = NO_DEADLINE):
    """The root cell of a field enumeration (the interior of the domain given by ``rows``), or
    ``None`` when the domain has empty interior; the exact simplex of its session stops at
    ``deadline``."""
    rows = [normal_row(g, h) for g, h in rows]
    ans = field_decide(rows, n, hints=list(seeds), session=field_backends(method, deadline))
    if isinstance(ans, Farkas):
        return None
    return FieldCell.root(n, rows, [ans.point] + [tuple(s) for s in seeds], method, deadline)


__all__ = ["FieldCell", "field_root_cell"]
