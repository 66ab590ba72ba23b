"""Exact non-emptiness of open polyhedra: an interior point or a Farkas certificate.

An *open polyhedron* with integer data is ``O = {x ∈ R^n : g_i·x + h_i > 0, i = 1..m}``.
Exactly one of the following holds (Motzkin's transposition theorem):

* ``O`` contains a rational point ``x*`` (an :class:`Interior`), or
* there is ``y ≥ 0``, ``y ≠ 0`` with ``Σ y_i g_i = 0`` and ``Σ y_i h_i ≤ 0`` (a :class:`Farkas`
  certificate): then ``Σ y_i (g_i·x + h_i) ≤ 0`` for every ``x``, so the strict system has no
  solution.

For a closed polyhedron ``P = {x : g_i·x + h_i ≥ 0}`` with non-empty interior, ``O`` is its
interior; ``O = ∅`` means ``P`` is empty or lower-dimensional (relu.md §4, §5.3.2 step 3;
performance.md "Region cells").

Method (performance.md, "float-propose / exact-verify"): solve ``max s`` subject to
``g_i·x + h_i ≥ s·‖g_i‖_∞``, ``s ≤ 1`` in floating point with HiGHS; round the optimal ``x`` to
nearby dyadic rationals and check every strict inequality exactly, or turn the dual solution
into an exact Farkas vector (solve the dual equations on its support over ``Q``) and check it
exactly. If HiGHS is missing or its proposal does not verify, the same linear programs are
solved exactly with PPL's ``MIP_Problem``. Either way the answer is verified with rational
arithmetic before it is returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat

Row = tuple[tuple[int, ...], int]  # (g, h): g·x + h > 0 (open) or ≥ 0 (closed)


@dataclass(frozen=True)
class Interior:
    """An exact rational point satisfying every ``g_i·x + h_i > 0``."""

    point: tuple[fmpq, ...]


@dataclass(frozen=True)
class Farkas:
    """Sparse multipliers ``((i, y_i), ...)``: ``y ≥ 0``, ``y ≠ 0``, ``Σ y_i g_i = 0``, ``Σ y_i h_i ≤ 0``.

    ``basis`` (optional) names ``n`` rows whose gradients are linearly independent and carry all
    the multipliers except the last row's, which is 1: the multipliers are then the unique
    solution of an ``n×n`` system (a compact form for certificates).
    """

    multipliers: tuple[tuple[int, fmpq], ...]
    basis: tuple[int, ...] | None = None


# ---------------------------------------------------------------------------------------------
# exact verification
# ---------------------------------------------------------------------------------------------


def value_at(row: Row, x: Sequence[fmpq]) -> fmpq:
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


# ---------------------------------------------------------------------------------------------
# the decision
# ---------------------------------------------------------------------------------------------


def decide(rows: Sequence[Row], n: int, hints: Sequence[Sequence[fmpq]] = (), use_float: bool = True,
           float_data=None, solver=None) -> Interior | Farkas:
    """An exact interior point of ``{g_i·x + h_i > 0}``, or an exact Farkas certificate.

    ``hints`` are candidate points tried first (exactly). ``float_data`` may pass the rows already
    normalised as floats (:func:`float_rows`) and ``solver`` a reusable HiGHS instance
    (:func:`new_solver`); both only save time. The answer is always verified exactly.
    """
    live = []
    for i, (g, h) in enumerate(rows):
        if not any(g):
            if h <= 0:
                return Farkas(((i, fmpq(1)),))
            continue
        live.append(i)
    for x in hints:
        if is_interior(rows, x):
            return Interior(tuple(x))
    if not live:
        return Interior(tuple(fmpq(0) for _ in range(n)))
    sub = [rows[i] for i in live]
    answer = None
    if use_float:
        if float_data is not None and len(live) < len(rows):
            float_data = float_data[live]
        answer = _float_propose(sub, n, float_data, solver)
    if answer is None:
        answer = _exact_ppl(sub, n)
    if isinstance(answer, Farkas):
        answer = Farkas(tuple((live[i], y) for i, y in answer.multipliers))
        if not is_farkas(rows, answer.multipliers, n):  # pragma: no cover - would be a bug
            raise AssertionError("internal error: unverified Farkas certificate")
    elif not is_interior(rows, answer.point):  # pragma: no cover - would be a bug
        raise AssertionError("internal error: unverified interior point")
    return answer


def interior_point(rows: Sequence[Row], n: int, hints: Sequence[Sequence[fmpq]] = ()) -> tuple[fmpq, ...] | None:
    """An exact interior point, or ``None`` when the open polyhedron is empty."""
    ans = decide(rows, n, hints)
    return ans.point if isinstance(ans, Interior) else None


# ---------------------------------------------------------------------------------------------
# floating-point proposal (HiGHS), verified exactly
# ---------------------------------------------------------------------------------------------


def _highs():
    try:
        import highspy
    except ImportError:  # the exact fallback is complete
        return None
    return highspy


def new_solver():
    """A reusable HiGHS instance (``None`` when highspy is not installed)."""
    highspy = _highs()
    if highspy is None:
        return None
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


def _norm(g: Sequence[int]) -> int:
    return max(abs(a) for a in g)


def float_rows(rows: Sequence[Row]):
    """Rows ``(g, h)`` as a float array ``[g/‖g‖_∞, h/‖g‖_∞]`` (``None`` on overflow or no NumPy)."""
    import numpy as np

    out = np.empty((len(rows), (len(rows[0][0]) + 1) if rows else 1))
    try:
        for i, (g, h) in enumerate(rows):
            nu = max((abs(a) for a in g), default=0) or 1
            out[i, :-1] = [a / nu for a in g]
            out[i, -1] = h / nu
    except OverflowError:
        return None
    return out


def _float_propose(rows: list[Row], n: int, data=None, solver=None) -> Interior | Farkas | None:
    highspy = _highs()
    if highspy is None:
        return None
    import numpy as np

    m = len(rows)
    if data is None:
        data = float_rows(rows)
        if data is None:
            return None
    if not np.all(np.isfinite(data)):
        return None
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n + 1
    lp.num_row_ = m
    cost = np.zeros(n + 1)
    cost[n] = 1.0
    lp.col_cost_ = cost
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_lower_ = np.full(n + 1, -inf)
    upper = np.full(n + 1, inf)
    upper[n] = 1.0
    lp.col_upper_ = upper
    lp.row_lower_ = np.full(m, -inf)
    lp.row_upper_ = np.ascontiguousarray(data[:, n])
    matrix = np.empty((m, n + 1))
    matrix[:, :n] = -data[:, :n]
    matrix[:, n] = 1.0
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.arange(0, m * (n + 1) + 1, n + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(n + 1, dtype=np.int32), m)
    lp.a_matrix_.value_ = matrix.ravel()
    lp.a_matrix_.num_col_ = n + 1
    lp.a_matrix_.num_row_ = m
    if solver is None:
        solver = new_solver()
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = solver.getSolution()
    s_star = solver.getInfo().objective_function_value
    if s_star > 1e-9:
        x = list(sol.col_value)[:n]
        point = _rationalize_point(rows, x, s_star, n)
        if point is not None:
            return Interior(point)
        return None
    if sol.dual_valid:
        return _repair_farkas(rows, list(sol.row_dual), n)
    return None


def _rationalize_point(rows: list[Row], x: list[float], s_star: float, n: int) -> tuple[fmpq, ...] | None:
    if not all(math.isfinite(v) for v in x):
        return None
    k = max(0, math.ceil(math.log2(4 * n / s_star)))
    for bits in (k, k + 8, k + 20):
        scale = 1 << bits
        cand = tuple(fmpq(round(v * scale), scale) for v in x)
        if is_interior(rows, cand):
            return cand
    cand = tuple(fmpq(*v.as_integer_ratio()) for v in x)
    return cand if is_interior(rows, cand) else None


def _repair_farkas(rows: list[Row], duals: list[float], n: int) -> Farkas | None:
    """Exact multipliers on the support of a floating-point dual solution, or ``None``."""
    mags = [abs(d) for d in duals]
    top = max(mags, default=0.0)
    if not top > 0:
        return None
    support = [i for i, d in enumerate(mags) if d > 1e-9 * top]
    # unknowns y_i (i in support) multiply the raw integer rows; equations: Σ y_i g_i = 0 and
    # Σ y_i ‖g_i‖ = 1 (normalisation).
    k = len(support)
    eqs = fmpq_mat(n + 1, k + 1)
    for c, i in enumerate(support):
        g, _h = rows[i]
        for r in range(n):
            eqs[r, c] = g[r]
        eqs[n, c] = _norm(g)
    eqs[n, k] = 1
    red, rank = eqs.rref()
    pivots = []
    r = 0
    for c in range(k + 1):
        if r < rank and red[r, c] != 0:
            pivots.append(c)
            r += 1
    if k in pivots:  # inconsistent system
        return None
    free = [c for c in range(k) if c not in pivots]
    guess = {}
    for c in free:
        i = support[c]
        guess[c] = fmpq(round(mags[i] / _norm(rows[i][0]) * (1 << 30)), 1 << 30)
    y = [fmpq(0)] * k
    for c in free:
        y[c] = guess[c]
    for r, c in enumerate(pivots):
        val = red[r, k]
        for f in free:
            if red[r, f] != 0:
                val -= red[r, f] * guess[f]
        y[c] = val / red[r, c]
    mult = tuple((support[c], y[c]) for c in range(k) if y[c] != 0)
    if is_farkas(rows, mult, n):
        return Farkas(mult)
    return None


# ---------------------------------------------------------------------------------------------
# exact fallback (PPL MIP_Problem)
# ---------------------------------------------------------------------------------------------


def _linear(ppl, coeffs: Sequence[int], variables, constant: int = 0):
    expr = ppl.Linear_Expression(constant)
    for a, v in zip(coeffs, variables):
        if a:
            expr += a * v
    return expr


def _exact_ppl(rows: list[Row], n: int) -> Interior | Farkas:
    import ppl

    xs = [ppl.Variable(i) for i in range(n)]
    s = ppl.Variable(n)
    mip = ppl.MIP_Problem(n + 1)
    for g, h in rows:
        mip.add_constraint(_linear(ppl, g, xs, h) - _norm(g) * s >= 0)
    mip.add_constraint(s <= 1)
    mip.set_objective_function(ppl.Linear_Expression(s))
    mip.set_optimization_mode("maximization")
    mip.solve()
    opt = mip.optimal_value()
    if opt > 0:
        p = mip.optimizing_point()
        d = int(p.divisor())
        coeffs = p.coefficients()
        return Interior(tuple(fmpq(int(coeffs[i]), d) for i in range(n)))
    # dual: y ≥ 0, Σ y_i g_i = 0, Σ y_i ‖g_i‖ = 1, Σ y_i h_i ≤ 0 (feasible by LP duality)
    m = len(rows)
    ys = [ppl.Variable(i) for i in range(m)]
    dual = ppl.MIP_Problem(m)
    for i in range(m):
        dual.add_constraint(ys[i] >= 0)
    for k in range(n):
        dual.add_constraint(_linear(ppl, [rows[i][0][k] for i in range(m)], ys) == 0)
    dual.add_constraint(_linear(ppl, [_norm(rows[i][0]) for i in range(m)], ys) == 1)
    dual.add_constraint(_linear(ppl, [rows[i][1] for i in range(m)], ys) <= 0)
    dual.set_objective_function(_linear(ppl, [rows[i][1] for i in range(m)], ys))
    dual.set_optimization_mode("minimization")
    dual.solve()
    p = dual.optimizing_point()
    d = int(p.divisor())
    coeffs = p.coefficients()
    return Farkas(tuple((i, fmpq(int(coeffs[i]), d)) for i in range(m) if coeffs[i] != 0))


__all__ = [
    "Farkas", "Interior", "Row", "decide", "float_rows", "interior_point", "is_farkas", "is_interior", "new_solver",
    "value_at",
]
