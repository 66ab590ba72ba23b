"""The float proposer: HiGHS (the only module that imports ``highspy``).

Floats only *propose*; nothing here is returned unverified. For the open polyhedron
``{g_i·x + h_i > 0}`` HiGHS solves ``max s`` subject to ``g_i·x + h_i ≥ s·‖g_i‖_∞``, ``s ≤ 1`` in
float64; a positive optimum is rounded to nearby dyadic rationals and every strict inequality
is checked exactly; otherwise the dual solution's support gives an exact Farkas vector (the dual
equations solved over ``Q`` on that support) that is checked exactly. When a proposal does not
verify, :meth:`HighsProposer.open_interior` answers ``None`` and the caller asks the exact backend.

One :class:`HighsProposer` holds one reusable HiGHS instance (a *session*): use one per thread or
process (e.g. one per region enumeration), never share it.
"""

from __future__ import annotations

import math
from typing import Sequence

from flint import fmpq, fmpq_mat

from .backend import Capabilities
from .rows import Farkas, Interior, Row, is_farkas, is_interior, norm


def highs_available() -> bool:
    """Whether ``highspy`` can be imported."""
    return _highs() is not None


def _highs():
    try:
        import highspy
    except ImportError:  # the exact fallback is complete
        return None
    return highspy


def float_rows(rows: Sequence[Row]):
    """Rows ``(g, h)`` as a float array ``[g/‖g‖_∞, h/‖g‖_∞]`` (``None`` on overflow)."""
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


class HighsProposer:
    """Float LP proposals for the open-feasibility question, verified exactly (module docstring)."""

    name = "highs"
    capabilities = Capabilities(exact=False, algebraic=False, optimum=False)

    def __init__(self):
        self._solver = None

    def prepare(self, rows: Sequence[Row], n: int):
        """The rows in the proposer's own form (normalised floats; ``None`` on overflow)."""
        if not rows:
            import numpy as np

            return np.empty((0, n + 1))
        return float_rows(rows)

    def extend(self, prepared, row: Row):
        """``prepared`` with one more row (``None`` when either part overflows)."""
        if prepared is None:
            return None
        extra = float_rows([row])
        if extra is None:
            return None
        import numpy as np

        return np.vstack([prepared, extra])

    def _instance(self):
        if self._solver is None:
            highspy = _highs()
            if highspy is None:
                return None
            self._solver = new_solver()
        return self._solver

    def open_interior(self, rows: list[Row], n: int, prepared=None) -> Interior | Farkas | None:
        """A verified interior point or Farkas vector for ``{g_i·x + h_i > 0}`` (rows with
        ``g ≠ 0``), or ``None`` when HiGHS is missing or its proposal does not verify."""
        m = len(rows)
        data = prepared if prepared is not None and len(prepared) == m else float_rows(rows)
        proposal = self.propose(data, n)
        if proposal is None:
            return None
        if proposal[0] == "point":
            _kind, x, s_star = proposal
            point = _rationalize_point(rows, x, s_star, n)
            return Interior(point) if point is not None else None
        return _repair_farkas(rows, proposal[1], n)

    def propose(self, data, n: int):
        """HiGHS on float rows ``data`` (``m×(n+1)``: ``[g/ν, h/ν]``, ``ν > 0`` a row scale):
        ``("point", x, s*)`` when ``max s`` s.t. ``g_i·x + h_i ≥ s·ν_i``, ``s ≤ 1`` has a positive
        optimum, ``("dual", y)`` (float dual values, one per row) otherwise, ``None`` when HiGHS is
        missing or fails. Nothing here is exact: the callers verify."""
        highspy = _highs()
        if highspy is None or data is None:
            return None
        import numpy as np

        m = len(data)
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
        solver = self._instance()
        solver.passModel(lp)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = solver.getSolution()
        s_star = solver.getInfo().objective_function_value
        if s_star > 1e-9:
            return ("point", list(sol.col_value)[:n], s_star)
        if sol.dual_valid:
            return ("dual", list(sol.row_dual))
        return None


def lp_proposal(objective: Sequence[float], rows: Sequence[Row], lower: Sequence[float], upper: Sequence[float],
                solver=None):
    """Float proposal for ``max c·x`` subject to ``g_i·x + h_i ≥ 0`` and ``lower ≤ x ≤ upper``:
    ``(x, y)`` — a primal point and row multipliers for the *raw* rows (``y_i ≈ 0`` or ``> 0``), or
    ``None`` when HiGHS is missing or does not report an optimum. Nothing here is trusted: the
    caller turns ``y`` into an exact bound (:mod:`exactnet.polyhedra.bounds`) or verifies ``x``."""
    highspy = _highs()
    if highspy is None:
        return None
    import numpy as np

    n, m = len(objective), len(rows)
    data = float_rows(rows) if m else np.empty((0, n + 1))
    sol = float_lp(objective, data, lower, upper, solver)
    if sol is None:
        return None
    x = list(sol.col_value)
    if not sol.dual_valid:
        return x, None
    norms = [max((abs(a) for a in g), default=1) or 1 for g, _ in rows]
    y = [abs(d) / nu for d, nu in zip(sol.row_dual, norms)]
    return x, y


def float_lp(objective: Sequence[float], data, lower: Sequence[float], upper: Sequence[float], solver=None):
    """HiGHS's solution of ``max c·x`` subject to ``data[:, :n]·x + data[:, n] ≥ 0`` and
    ``lower ≤ x ≤ upper`` (floats; ``±inf`` bounds allowed), or ``None`` when HiGHS is missing, the
    data is not finite, or no optimum is reported. A proposal only: callers verify it exactly."""
    highspy = _highs()
    if highspy is None:
        return None
    import numpy as np

    if data is None or not np.all(np.isfinite(data)):
        return None
    n, m = len(objective), len(data)
    if solver is None:
        solver = new_solver()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = np.asarray(objective, dtype=float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_lower_ = np.maximum(np.asarray(lower, dtype=float), -inf)
    lp.col_upper_ = np.minimum(np.asarray(upper, dtype=float), inf)
    if m:
        lp.row_lower_ = np.ascontiguousarray(-data[:, n])
        lp.row_upper_ = np.full(m, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.arange(0, m * n + 1, n, dtype=np.int32)
        lp.a_matrix_.index_ = np.tile(np.arange(n, dtype=np.int32), m)
        lp.a_matrix_.value_ = np.ascontiguousarray(data[:, :n]).ravel()
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = m
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return solver.getSolution()


def vertex_proposal(objective: Sequence[int], rows: Sequence[Row], n: int, solver=None):
    """Float proposal for ``max c·x`` subject to ``g_i·x + h_i ≥ 0`` (free variables): the indices of
    the rows HiGHS's optimal basis holds at their bound, most important first (by the size of their
    dual value), or ``None`` (no HiGHS, not optimal). The caller rebuilds the vertex and the dual
    multipliers exactly from these rows and verifies them (:func:`exactnet.polyhedra.lp.maximize`)."""
    highspy = _highs()
    if highspy is None or not rows:
        return None
    import numpy as np

    m = len(rows)
    if solver is None:
        solver = new_solver()
    top = max((abs(c) for c in objective), default=0) or 1  # scaled: HiGHS caps large costs
    sol = float_lp([c / top for c in objective], float_rows(rows), [-np.inf] * n, [np.inf] * n, solver)
    if sol is None:
        return None
    basis = solver.getBasis()
    basic = highspy.HighsBasisStatus.kBasic
    duals = list(sol.row_dual) if sol.dual_valid else [0.0] * m
    status = list(basis.row_status)  # (each attribute access copies the whole list)
    tight = [i for i in range(m) if status[i] != basic]
    tight.sort(key=lambda i: -abs(duals[i]))
    return tight


def new_solver():
    """A fresh quiet HiGHS instance (``None`` without ``highspy``) to pass to :func:`lp_proposal`.

    The one place a solver is made: the bare solver class ``highspy._Highs``, because the Python
    wrapper ``highspy.Highs()`` prints HiGHS's banner on standard output in its constructor, before
    ``output_flag`` can be unset; a library must not write to its caller's standard output
    (``tests/polyhedra/test_quiet_library.py``)."""
    highspy = _highs()
    if highspy is None:
        return None
    solver = getattr(highspy, "_Highs", highspy.Highs)()
    solver.setOptionValue("output_flag", False)
    return solver


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
        eqs[n, c] = norm(g)
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
        guess[c] = fmpq(round(mags[i] / norm(rows[i][0]) * (1 << 30)), 1 << 30)
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


__all__ = ["HighsProposer", "float_rows", "highs_available", "lp_proposal", "new_solver", "vertex_proposal"]
