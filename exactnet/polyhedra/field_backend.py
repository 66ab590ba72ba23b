"""Exact open-feasibility over a real number field (docs/algebraic-lp.md).

A *field row* ``(g, h)`` is the affine form ``g·x + h`` whose entries are exact numbers of one real
number field ``K = Q(θ)`` (``fmpq`` or :class:`~exactnet.numbers.RealAlgebraic`; rational rows are
the special case ``K = Q``). For the open polyhedron ``O = {x : g_i·x + h_i > 0}`` exactly one of
the following holds (Motzkin's transposition theorem holds over every ordered field):

* ``O`` contains a **rational** point (``O`` is open, and ``Q^n`` is dense in ``R^n``): an
  :class:`~.rows.Interior`;
* some ``y ∈ K^m``, ``y ≥ 0``, ``y ≠ 0`` has ``Σ y_i g_i = 0`` and ``Σ y_i h_i ≤ 0``: a
  :class:`~.rows.Farkas` certificate with multipliers in ``K``.

Every answer is verified here with exact field arithmetic: the sign of a nonzero element of ``K``
is decided by rigorous ``arb`` enclosures of ``θ`` at increasing precision
(:func:`exactnet.numbers.sign`), zero tests are exact (reduced polynomial representatives).

Two backends behind the protocol of :mod:`.backend`, both with ``algebraic=True``:

* :class:`FieldProposer` — HiGHS on the float images of the rows proposes a point (rounded to
  dyadic rationals and checked exactly) or a dual vector (its support gives an exact linear
  system over ``K``, solved by :func:`exactnet.linalg.field_solve`, and checked exactly);
* :class:`FieldSimplex` — the complete exact fallback: phase one of the simplex method with
  Bland's rule in exact field arithmetic (:func:`phase_one`) on the Farkas system, and when that
  is infeasible on the homogenised primal system ``g_i·x + h_i·t ≥ 1``, ``t ≥ 1`` (feasible iff
  ``O ≠ ∅``: an interior point ``x₀`` with least slack ``δ`` gives ``(x₀/δ, 1/δ)`` or ``(x₀, 1)``;
  a solution gives the point ``x/t`` of slack ``≥ 1/t``). Its point in ``K^n`` is rounded to a
  nearby rational point, refined until the strict inequalities hold exactly (they do near it).

Complexity of the fallback: Bland's rule terminates (no cycling) but may visit exponentially
many bases in the worst case; each pivot costs ``O(m·(m+n))`` field operations, each a product
of polynomials of degree ``< [K:Q]`` reduced modulo the defining polynomial, and each ratio test
a few exact signs. It is meant for the cases the float proposal cannot settle.
"""

from __future__ import annotations

import math
from typing import Sequence

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline
from ..linalg.field import field_solve
from ..numbers import RealAlgebraic, sign
from .backend import Capabilities
from .rows import Farkas, Interior

FieldRow = tuple[tuple, object]  # (g, h): entries fmpq or RealAlgebraic of one field
#: Systems with at most this many rows go to the exact simplex first (measured in
#: benchmarks/relu_algebraic.py: below this size a HiGHS round trip costs more than exact pivots).
SMALL_EXACT = 8


# ---------------------------------------------------------------------------------------------
# rows and exact verification
# ---------------------------------------------------------------------------------------------


def normal_row(g: Sequence, h) -> FieldRow:
    """The canonical positive multiple of ``g·x + h``: divided by ``|c|`` for ``c`` the first
    nonzero entry of ``(g, h)``. Two forms are positively proportional iff their normal rows are
    equal (the zero form stays zero)."""
    entries = [v if isinstance(v, RealAlgebraic) else fmpq(v) for v in list(g) + [h]]
    lead = next((v for v in entries if v != 0), None)
    if lead is None:
        return tuple(fmpq(0) for _ in g), fmpq(0)
    scale = abs(lead)
    if scale == 1:
        return tuple(entries[:-1]), entries[-1]
    inv = 1 / scale
    return tuple(v * inv if v != 0 else fmpq(0) for v in entries[:-1]), (entries[-1] * inv if entries[-1] != 0
                                                                         else fmpq(0))


def _exact(v):
    return v if isinstance(v, (fmpq, RealAlgebraic)) else fmpq(v)


def exact_rows(rows: Sequence) -> list[FieldRow]:
    """Rows with every entry an ``fmpq`` or a :class:`RealAlgebraic` (Python integers converted)."""
    exact = (fmpq, RealAlgebraic)
    if all(type(h) in exact and all(type(a) in exact for a in g) for g, h in rows):
        return list(rows)
    return [(tuple(_exact(a) for a in g), _exact(h)) for g, h in rows]


def negate_row(row: FieldRow) -> FieldRow:
    g, h = row
    return tuple(-a for a in g), -h


def field_value(row: FieldRow, x: Sequence) -> object:
    """``g·x + h`` exactly (in the field)."""
    g, h = row
    acc = h
    for a, v in zip(g, x):
        if a != 0 and v != 0:
            acc = acc + a * v
    return acc


def is_field_interior(rows: Sequence[FieldRow], x: Sequence) -> bool:
    """Exact check that ``x`` satisfies every strict inequality (exact field signs)."""
    return all(sign(field_value(r, x)) > 0 for r in rows)


def is_field_farkas(rows: Sequence[FieldRow], multipliers: Sequence[tuple[int, object]], n: int) -> bool:
    """Exact check of a Farkas certificate (multipliers in the field) for the open polyhedron."""
    total_g = [fmpq(0)] * n
    total_h = fmpq(0)
    nonzero = False
    for i, y in multipliers:
        if not (0 <= i < len(rows)) or sign(y) < 0:
            return False
        if y == 0:
            continue
        nonzero = True
        g, h = rows[i]
        for k in range(n):
            if g[k] != 0:
                total_g[k] = total_g[k] + y * g[k]
        total_h = total_h + y * h
    return nonzero and all(v == 0 for v in total_g) and sign(total_h) <= 0


def is_algebraic_row(row: FieldRow) -> bool:
    g, h = row
    return isinstance(h, RealAlgebraic) or any(isinstance(v, RealAlgebraic) for v in g)


# ---------------------------------------------------------------------------------------------
# the exact simplex method (Bland's rule) over the field
# ---------------------------------------------------------------------------------------------


def phase_one(A: Sequence[Sequence], b: Sequence, ncols: int, deadline: Deadline = NO_DEADLINE) -> list | None:
    """A solution ``z ≥ 0`` of ``A z = b`` (entries in one field), or ``None`` when there is none.

    Phase one of the simplex method: artificial variables ``a ≥ 0`` with ``A z + a = b``
    (rows flipped so that ``b ≥ 0``), ``min Σ a`` by Bland's rule (the smallest index with a
    negative reduced cost enters; among the minimum ratios, the smallest basic index leaves), so
    no basis repeats and the method terminates. An artificial that leaves the basis is dropped
    (it would only re-enter at a cost). The system is feasible iff the minimum is 0. ``deadline`` is
    checked at every pivot (:class:`~exactnet.deadline.TimeLimitReached`).
    """
    m = len(A)
    tab: list[list] = []
    for i in range(m):
        row = [v if v != 0 else fmpq(0) for v in A[i]] + [b[i]]
        if sign(b[i]) < 0:
            row = [-v for v in row]
        tab.append(row[:ncols] + [fmpq(1) if k == i else fmpq(0) for k in range(m)] + [row[ncols]])
    width = ncols + m
    basis = [ncols + i for i in range(m)]
    obj = [fmpq(0)] * (width + 1)
    for row in tab:
        for j in range(ncols):
            if row[j] != 0:
                obj[j] = obj[j] - row[j]
        obj[width] = obj[width] - row[width]
    while True:
        deadline.check("the exact simplex over the number field")
        enter = next((j for j in range(ncols) if obj[j] != 0 and sign(obj[j]) < 0), None)
        if enter is None:
            break
        leave, best = None, None
        for i in range(m):
            a = tab[i][enter]
            if a == 0 or sign(a) < 0:
                continue
            ratio = tab[i][width] / a
            if best is None:
                leave, best = i, ratio
                continue
            s = sign(ratio - best)
            if s < 0 or (s == 0 and basis[i] < basis[leave]):
                leave, best = i, ratio
        if leave is None:  # pragma: no cover - phase one is bounded below by 0
            raise AssertionError("internal error: unbounded phase one")
        _pivot(tab, obj, leave, enter)
        basis[leave] = enter  # an artificial that leaves never re-enters (only j < ncols enter)
    if obj[width] != 0:  # the minimum of Σ a is −obj[width] > 0
        return None
    z = [fmpq(0)] * ncols
    for i, j in enumerate(basis):
        if j < ncols:
            z[j] = tab[i][width]
    return z


def _pivot(tab: list[list], obj: list, r: int, c: int) -> None:
    inv = 1 / tab[r][c]
    tab[r] = [v * inv if v != 0 else v for v in tab[r]]
    pivot_row = tab[r]
    nz = [k for k, v in enumerate(pivot_row) if v != 0]
    for row in tab + [obj]:
        if row is pivot_row:
            continue
        f = row[c]
        if f == 0:
            continue
        for k in nz:
            row[k] = row[k] - f * pivot_row[k]


def rational_point_near(rows: Sequence[FieldRow], x: Sequence, n: int) -> tuple[fmpq, ...]:
    """A rational point of the open polyhedron near its point ``x`` (entries in the field).

    The dyadic midpoints of ``x``'s enclosures at ``2^-p`` converge to ``x``, which lies in the
    open set, so some precision gives a point where every strict inequality holds exactly."""
    prec = 32
    while True:
        cand = tuple(_dyadic(v, prec) for v in x)
        if is_field_interior(rows, cand):
            return cand
        prec *= 2
        if prec > 1 << 16:  # pragma: no cover - x is interior, so this cannot happen
            raise AssertionError("internal error: could not round an interior point")


def _dyadic(v, prec: int) -> fmpq:
    if isinstance(v, RealAlgebraic):
        mid = v.enclosure(prec).mid()
        m, e = mid.man_exp()
        m, e = int(m), int(e)
        return fmpq(m * (1 << e)) if e >= 0 else fmpq(m, 1 << -e)
    return fmpq(v)


def _exact_open_interior(rows: Sequence[FieldRow], n: int, deadline: Deadline = NO_DEADLINE) -> Interior | Farkas:
    m = len(rows)
    # Farkas system: y ≥ 0, u ≥ 0; Σ y_i g_i = 0, Σ y_i = 1, Σ y_i h_i + u = 0
    A = [[rows[i][0][k] for i in range(m)] + [fmpq(0)] for k in range(n)]
    A.append([fmpq(1)] * m + [fmpq(0)])
    A.append([rows[i][1] for i in range(m)] + [fmpq(1)])
    y = phase_one(A, [fmpq(0)] * n + [fmpq(1), fmpq(0)], m + 1, deadline)
    if y is not None:
        return Farkas(tuple((i, y[i]) for i in range(m) if y[i] != 0))
    # primal: x = p − q, t = 1 + t', slacks s ≥ 0: g_i·(p − q) + h_i·t' − s_i = 1 − h_i
    cols = 2 * n + 1 + m
    A = []
    rhs = []
    for i, (g, h) in enumerate(rows):
        A.append(list(g) + [-v for v in g] + [h] + [fmpq(-1) if k == i else fmpq(0) for k in range(m)])
        rhs.append(1 - h)
    z = phase_one(A, rhs, cols, deadline)
    if z is None:  # pragma: no cover - Motzkin: exactly one of the two systems is feasible
        raise AssertionError("internal error: neither an interior point nor a Farkas vector")
    t = 1 + z[2 * n]
    x = [(z[k] - z[n + k]) / t for k in range(n)]
    return Interior(rational_point_near(rows, x, n))


# ---------------------------------------------------------------------------------------------
# the backends
# ---------------------------------------------------------------------------------------------


class FieldSimplex:
    """The complete exact backend over a real number field (module docstring)."""

    name = "field-simplex"
    capabilities = Capabilities(exact=True, algebraic=True, optimum=False)

    def __init__(self, deadline: Deadline = NO_DEADLINE):
        self.deadline = deadline

    def open_interior(self, rows: Sequence[FieldRow], n: int, prepared=None) -> Interior | Farkas:
        """An interior point of ``{g_i·x + h_i > 0}`` (rows with ``g ≠ 0``) or a Farkas vector."""
        return _exact_open_interior(exact_rows(rows), n, self.deadline)


def float_field_rows(rows: Sequence[FieldRow]):
    """Rows as a float array ``[g/ν, h/ν]`` with ``ν ≈ ‖g‖_∞`` (``None`` on overflow)."""
    import numpy as np

    n = len(rows[0][0]) if rows else 0
    out = np.empty((len(rows), n + 1))
    try:
        for i, (g, h) in enumerate(rows):
            vals = [float(v) for v in g] + [float(h)]
            nu = max((abs(v) for v in vals[:-1]), default=0.0) or 1.0
            out[i] = [v / nu for v in vals]
    except OverflowError:
        return None
    return out if np.all(np.isfinite(out)) else None


class FieldProposer:
    """HiGHS proposals on float images of field rows, verified exactly (module docstring)."""

    name = "field-highs"
    capabilities = Capabilities(exact=False, algebraic=True, optimum=False)

    def __init__(self):
        from .highs_backend import HighsProposer

        self._highs = HighsProposer()

    def prepare(self, rows: Sequence[FieldRow], n: int):
        """The rows' float images (``None`` on overflow), reusable while rows are only appended."""
        import numpy as np

        return float_field_rows(rows) if rows else np.empty((0, n + 1))

    def extend(self, prepared, row: FieldRow):
        """``prepared`` with one more row (``None`` when either part overflows)."""
        extra = float_field_rows([row]) if prepared is not None else None
        if extra is None:
            return None
        import numpy as np

        return np.vstack([prepared, extra])

    def open_interior(self, rows: Sequence[FieldRow], n: int, prepared=None) -> Interior | Farkas | None:
        rows = exact_rows(rows)
        if not rows:
            return Interior(tuple(fmpq(0) for _ in range(n)))
        data = prepared if prepared is not None and len(prepared) == len(rows) else float_field_rows(rows)
        proposal = self._highs.propose(data, n)
        if proposal is None:
            return None
        if proposal[0] == "point":
            _kind, x, s_star = proposal
            if not all(math.isfinite(v) for v in x):
                return None
            k = max(0, math.ceil(math.log2(4 * max(n, 1) / s_star)))
            for bits in (k, k + 8, k + 20):
                scale = 1 << bits
                cand = tuple(fmpq(round(v * scale), scale) for v in x)
                if is_field_interior(rows, cand):
                    return Interior(cand)
            return None
        return _repair_field_farkas(rows, proposal[1], data, n)


def _repair_field_farkas(rows: list[FieldRow], duals: list[float], data, n: int) -> Farkas | None:
    """Exact multipliers in the field on the support of a float dual solution, or ``None``.

    Unknowns ``y_i`` (``i`` in the support) multiply the exact rows; equations ``Σ y_i g_i = 0``
    and ``Σ y_i = 1``; free unknowns take the rounded float values (normalised the same way), the
    others follow; the result is checked exactly (``y ≥ 0``, ``Σ y_i h_i ≤ 0``)."""
    mags = [abs(d) for d in duals]
    top = max(mags, default=0.0)
    if not top > 0:
        return None
    support = [i for i, d in enumerate(mags) if d > 1e-9 * top]
    k = len(support)
    raw = []  # float multipliers of the exact rows: the dual of row i scaled by 1/ν_i
    for i in support:
        nu = max((abs(float(v)) for v in rows[i][0]), default=1.0) or 1.0
        raw.append(mags[i] / nu)
    total = sum(raw)
    matrix = [[rows[i][0][r] for i in support] for r in range(n)] + [[fmpq(1)] * k]
    rhs = [fmpq(0)] * n + [fmpq(1)]

    def guess(c: int) -> fmpq:
        return fmpq(round(raw[c] / total * (1 << 30)), 1 << 30)

    y = field_solve(matrix, rhs, k, guess)
    if y is None:
        return None
    mult = tuple((support[c], y[c]) for c in range(k) if y[c] != 0)
    return Farkas(mult) if is_field_farkas(rows, mult, n) else None


def field_backends(method: str = "auto", deadline: Deadline = NO_DEADLINE) -> tuple:
    """The field backends for ``method``: HiGHS proposals (when installed, unless ``"ppl"``/exact
    only is asked) then the exact simplex, which always answers (or stops at ``deadline``)."""
    from .highs_backend import highs_available

    if method == "ppl" or method == "exact" or not highs_available():
        return (FieldSimplex(deadline),)
    return (FieldProposer(), FieldSimplex(deadline))


def field_decide(rows: Sequence[FieldRow], n: int, hints: Sequence[Sequence[fmpq]] = (), method: str = "auto",
                 session=None, prepared=None) -> Interior | Farkas:
    """An exact rational interior point of ``{g_i·x + h_i > 0}`` (field rows), or an exact Farkas
    certificate with multipliers in the field; always verified exactly before it is returned.
    ``session`` may pass backends already made and ``prepared`` the rows in the first backend's
    own form (:meth:`FieldProposer.prepare`); both only save time."""
    rows = exact_rows(rows)
    live = []
    for i, (g, h) in enumerate(rows):
        if all(v == 0 for v in g):
            if sign(h) <= 0:
                return Farkas(((i, fmpq(1)),))
            continue
        live.append(i)
    for x in hints:
        if is_field_interior(rows, x):
            return Interior(tuple(x))
    if not live:
        return Interior(tuple(fmpq(0) for _ in range(n)))
    sub = [rows[i] for i in live]
    if prepared is not None and len(live) < len(rows):
        prepared = prepared[live]
    answer = None
    chain = list(session if session is not None else field_backends(method))
    if len(sub) <= SMALL_EXACT:  # small systems: the exact simplex is cheaper than a float round trip
        chain = [b for b in chain if b.capabilities.exact] + [b for b in chain if not b.capabilities.exact]
    for backend in chain:
        answer = backend.open_interior(sub, n, None if backend.capabilities.exact else prepared)
        if answer is not None:
            break
    if answer is None:  # pragma: no cover - the exact backend always answers
        answer = FieldSimplex().open_interior(sub, n)
    if isinstance(answer, Farkas):
        answer = Farkas(tuple((live[i], y) for i, y in answer.multipliers))
        if not is_field_farkas(rows, answer.multipliers, n):  # pragma: no cover - would be a bug
            raise AssertionError("internal error: unverified Farkas certificate over the field")
    elif not is_field_interior(rows, answer.point):  # pragma: no cover - would be a bug
        raise AssertionError("internal error: unverified interior point")
    return answer


__all__ = [
    "FieldProposer", "FieldRow", "FieldSimplex", "exact_rows", "field_backends", "field_decide", "field_value",
    "float_field_rows", "is_algebraic_row", "is_field_farkas", "is_field_interior", "negate_row", "normal_row",
    "phase_one", "rational_point_near",
]
