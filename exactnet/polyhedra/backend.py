"""The protocol every LP backend implements, and what each can do (:class:`Capabilities`).

A backend answers questions about a system of integer rows (:mod:`.rows`):

* ``open_interior(rows, n, prepared=None)`` — an :class:`~.rows.Interior` point or a
  :class:`~.rows.Farkas` vector for ``{g_i·x + h_i > 0}`` (every ``g_i ≠ 0``), or ``None`` when it
  has no verified answer (a proposer that failed);
* ``maximize(objective, rows, n)`` — an :class:`~.rows.Optimum` with dual multipliers,
  :class:`~.rows.Unbounded` or :class:`~.rows.Infeasible` (backends with ``optimum``).

Answers are pure functions of the rows (a backend object only caches a solver instance), so
independent cells may be decided in parallel, one backend object per worker; the caller verifies
every answer exactly (:mod:`.rows`) in its own process. Backends today: :mod:`.highs_backend`
(float proposals) and :mod:`.ppl_backend` (exact) for integer rows; for rows over a real number
field (``algebraic=True``) :mod:`.field_backend` (HiGHS proposals verified in the field, and the
exact field simplex), chained by :func:`exactnet.polyhedra.field_backend.field_backends`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from .rows import Farkas, Interior, Row


@dataclass(frozen=True)
class Capabilities:
    """``exact``: answers are exact by construction (else proposals, verified by the caller);
    ``algebraic``: real algebraic coefficients are accepted (else integers only); ``optimum``:
    :meth:`Backend.maximize` is available."""

    exact: bool
    algebraic: bool
    optimum: bool


class Backend(Protocol):
    name: str
    capabilities: Capabilities

    def open_interior(self, rows: Sequence[Row], n: int) -> Interior | Farkas | None: ...


__all__ = ["Backend", "Capabilities"]
