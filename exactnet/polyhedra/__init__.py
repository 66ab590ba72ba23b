"""Exact polyhedra and linear programming (docs/architecture.md, docs/relu.md "Exact LP").

One exact interface, backends behind a small protocol:

* :mod:`.rows` — integer rows ``(g, h)`` and the exact verification of every answer
  (:class:`Interior`, :class:`Farkas`, :class:`Optimum`);
* :mod:`.lp` — :func:`equivalent` (is ``{g_i·x + h_i > 0}`` non-empty: an interior point or a Farkas
  proof), :func:`interior_point`, :func:`is_full_dimensional`, :func:`maximize` (an exact LP
  optimum with dual multipliers);
* :mod:`.cells` — cells of a hyperplane arrangement with exact sign decisions (region
  enumeration);
* :mod:`.choose` — the one chooser (``method="auto"``) and the capability query
  :func:`backends_for`;
* :mod:`.backend` — the :class:`Backend` protocol and :class:`Capabilities`;
* :mod:`.highs_backend` (HiGHS float proposals, verified exactly) and :mod:`.ppl_backend` (exact
  PPL LPs, :class:`ClosedPolyhedron` in double description): the only modules that import
  ``highspy`` and ``ppl``;
* :mod:`.field_backend` and :mod:`.field_cells` — the same questions for rows over a real number
  field (real algebraic weights): :func:`field_decide` (HiGHS proposals verified in the field, the
  exact field simplex :class:`FieldSimplex` as complete fallback; docs/algebraic-lp.md).
"""

from .backend import Backend, Capabilities
from .cells import Decision, GeneratorCell, LPCell, root_cell
from .choose import CELL_METHODS, GENERATOR_MAX_DIM, METHODS, backends, backends_for, cell_method
from .field_backend import FieldProposer, FieldSimplex, field_decide
from .field_cells import FieldCell, field_root_cell
from .lp import decide, interior_point, is_full_dimensional, maximize
from .ppl_backend import ClosedPolyhedron
from .rows import (
    Farkas, Infeasible, Interior, Optimum, Row, Unbounded, is_farkas, is_interior, is_optimum, negate, primitive_row,
    value_at,
)

__all__ = [
    "Backend", "CELL_METHODS", "Capabilities", "ClosedPolyhedron", "Decision", "Farkas", "FieldCell", "FieldProposer",
    "FieldSimplex", "GENERATOR_MAX_DIM", "field_decide", "field_root_cell",
    "GeneratorCell", "Infeasible", "Interior", "LPCell", "METHODS", "Optimum", "Row", "Unbounded", "backends",
    "backends_for", "cell_method", "decide", "interior_point", "is_farkas", "is_full_dimensional", "is_interior",
    "is_optimum", "maximize", "negate", "primitive_row", "root_cell", "value_at",
]
