"""The exact decisions about polyhedra: is an open polyhedron non-empty (an interior point or a
Farkas proof), and the exact optimum of a linear program with its dual multipliers.

An *open polyhedron* with integer data is ``O = {x ∈ R^n : g_i·x + h_i > 0, i = 1..m}``.
Exactly one of the following holds (Motzkin's transposition theorem):

* ``O`` contains a rational point ``x*`` (an :class:`~.rows.Interior`), or
* there is ``y ≥ 0``, ``y ≠ 0`` with ``Σ y_i g_i = 0`` and ``Σ y_i h_i ≤ 0`` (a
  :class:`~.rows.Farkas` certificate): then ``Σ y_i (g_i·x + h_i) ≤ 0`` for every ``x``.

For a closed polyhedron ``P = {x : g_i·x + h_i ≥ 0}`` with non-empty interior, ``O`` is its
interior; ``O = ∅`` means ``P`` is empty or lower-dimensional (docs/relu.md, "Exact LP").

:func:`equivalent` asks the backends chosen by :func:`~.choose.backends` in turn (a float proposer
first, when available; the exact PPL backend last, which always answers) and verifies the answer
exactly before returning it.
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from .choose import backends
from .ppl_backend import PPLExact
from .rows import Farkas, Infeasible, Interior, Optimum, Row, Unbounded, is_farkas, is_interior, is_optimum


def decide(rows: Sequence[Row], n: int, hints: Sequence[Sequence[fmpq]] = (), method: str = "auto",
           prepared=None, session=None) -> Interior | Farkas:
    """An exact interior point of ``{g_i·x + h_i > 0}``, or an exact Farkas certificate.

    ``hints`` are candidate points tried first (exactly). ``method`` chooses the backends
    (:func:`~.choose.backends`); ``session`` may pass backends already made (reusing their
    solver instances) and ``prepared`` the rows already in the first backend's own form
    (``HighsProposer.prepare``); both only save time. The answer is always verified exactly.
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
    if prepared is not None and len(live) < len(rows):
        prepared = prepared[live]
    answer = None
    for k, backend in enumerate(session if session is not None else backends(method)):
        answer = backend.open_interior(sub, n, prepared) if k == 0 and prepared is not None \
            else backend.open_interior(sub, n)
        if answer is not None:
            break
    if answer is None:  # pragma: no cover - the exact backend always answers
        answer = PPLExact().open_interior(sub, n)
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


def is_full_dimensional(rows: Sequence[Row], n: int) -> bool:
    """Whether the closed polyhedron ``{g_i·x + h_i ≥ 0}`` has non-empty interior."""
    return isinstance(decide(rows, n), Interior)


def maximize(objective: Sequence[int], rows: Sequence[Row], n: int, method: str = "auto",
             solver=None) -> Optimum | Unbounded | Infeasible:
    """``max c·x`` subject to ``g_i·x + h_i ≥ 0`` exactly, the optimum with dual multipliers that
    prove it (:class:`~.rows.Optimum`, verified by :func:`~.rows.is_optimum`).

    With ``method="auto"`` HiGHS first proposes which rows are tight at an optimal vertex; the
    vertex (``g_i·x + h_i = 0`` on ``n`` independent proposed rows) and the multipliers
    (``Σ y_i g_i = −c`` on those rows) are then solved for exactly, and accepted only if the vertex
    is feasible and ``y ≥ 0`` (then ``c·x ≤ Σ y_i h_i = c·x*`` for every feasible ``x``: optimal).
    Otherwise, or with ``method="ppl"``, PPL's exact simplex answers. ``solver``: a HiGHS instance
    to reuse (:func:`~.highs_backend.new_solver`)."""
    rows = list(rows)
    if method not in ("auto", "ppl"):
        raise ValueError(f"unknown LP method {method!r} (choose from auto, ppl)")
    if method == "auto":
        answer = _proposed_optimum(list(objective), rows, n, solver)
        if answer is not None:
            return answer
    answer = PPLExact().maximize(list(objective), rows, n)
    if isinstance(answer, Optimum) and not is_optimum(rows, objective, answer):  # pragma: no cover - a bug
        raise AssertionError("internal error: unverified LP optimum")
    return answer


def _proposed_optimum(objective: list[int], rows: list[Row], n: int, solver) -> Optimum | None:
    """The exact optimum rebuilt from HiGHS's tight rows, verified; ``None`` when that fails."""
    from flint import fmpq_mat, fmpz_mat

    from .highs_backend import vertex_proposal

    try:
        tight = vertex_proposal(objective, rows, n, solver)
    except (OverflowError, ValueError):
        return None
    if not tight or len(tight) < n:
        return None
    # n linearly independent tight rows: the first n if they are (the usual, non-degenerate case),
    # else greedily in the proposed order (exact integer ranks)
    chosen: list[int] = list(tight[:n])
    if fmpz_mat(n, n, [a for k in chosen for a in rows[k][0]]).rank() < n:
        chosen = []
        for i in tight:
            trial = chosen + [i]
            if fmpz_mat(len(trial), n, [a for k in trial for a in rows[k][0]]).rank() == len(trial):
                chosen = trial
                if len(chosen) == n:
                    break
        if len(chosen) < n:
            return None
    G = fmpq_mat(n, n, [a for k in chosen for a in rows[k][0]])
    try:
        x = G.solve(fmpq_mat(n, 1, [-rows[k][1] for k in chosen]))
        y = G.transpose().solve(fmpq_mat(n, 1, [-c for c in objective]))
    except ZeroDivisionError:  # pragma: no cover - the rank was checked
        return None
    point = tuple(x[j, 0] for j in range(n))
    mult = tuple((k, y[j, 0]) for j, k in enumerate(chosen) if y[j, 0] != 0)
    if any(v < 0 for _, v in mult):
        return None
    value = sum((c * v for c, v in zip(objective, point)), fmpq(0))
    answer = Optimum(value, point, mult)
    return answer if is_optimum(rows, objective, answer) else None


__all__ = ["decide", "interior_point", "is_full_dimensional", "maximize"]
