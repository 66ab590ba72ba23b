"""Choosing how to decide (one documented place, like SymPy's ``method="auto"``).

**LP backends** (:func:`backends`), tried in order, the exact one last so that every question
is answered:

=============  ==============================================================================
``method``     backends
=============  ==============================================================================
``"auto"``     HiGHS proposals (when ``highspy`` is installed), then PPL (exact)
``"highs"``    HiGHS proposals, then PPL; an error if ``highspy`` is missing
``"ppl"``      PPL only (exact rational LP)
=============  ==============================================================================

**Cells of a region enumeration** (:func:`cell_method`): ``"generators"`` holds each cell's
closure in double description (PPL) and reads signs off its generators; ``"lp"`` holds rows plus
a few interior points and asks one LP per undecided sign. ``"auto"`` picks ``"generators"`` up to
:data:`GENERATOR_MAX_DIM` input dimensions (where the double description stays small) and
``"lp"`` beyond.

**Coefficients** (:func:`backends_for`): the capability query. Real algebraic coefficients (rows
over one real number field) are handled by the field backends of :mod:`.field_backend`: HiGHS
proposals on float images, verified in the field, then the exact field simplex
(:func:`~.field_backend.field_backends`, same ``method`` names; docs/algebraic-lp.md).
"""

from __future__ import annotations

from ..errors import MissingDependencyError
from .backend import Backend
from .highs_backend import HighsProposer, highs_available
from .ppl_backend import PPLExact

#: The LP methods of :func:`backends`.
METHODS = ("auto", "highs", "ppl")
#: The cell methods of :func:`cell_method`.
CELL_METHODS = ("auto", "generators", "lp")
#: Input dimension up to which ``cell_method("auto")`` is ``"generators"``.
GENERATOR_MAX_DIM = 6


def backends(method: str = "auto") -> tuple[Backend, ...]:
    """The LP backends for ``method`` (see the module docstring), the exact one last. Each call
    gives fresh backend objects (one solver session each)."""
    if method not in METHODS:
        raise ValueError(f"unknown LP method {method!r} (choose from {', '.join(METHODS)})")
    if method == "ppl":
        return (PPLExact(),)
    if not highs_available():
        if method == "highs":
            raise MissingDependencyError("highspy", "lp", "the HiGHS LP method")
        return (PPLExact(),)
    return (HighsProposer(), PPLExact())


def cell_method(n: int, method: str = "auto") -> str:
    """``"generators"`` or ``"lp"`` for cells in dimension ``n`` (see the module docstring)."""
    if method == "auto":
        return "generators" if n <= GENERATOR_MAX_DIM else "lp"
    if method not in CELL_METHODS:
        raise ValueError(f"unknown cell method {method!r} (choose from {', '.join(CELL_METHODS)})")
    return method


def backends_for(algebraic: bool = False) -> tuple[str, ...]:
    """The names of the backends that accept the coefficients (``algebraic``: real algebraic
    numbers, else integers) — the capability query."""
    from .field_backend import FieldProposer, FieldSimplex

    candidates = [HighsProposer, PPLExact, FieldProposer, FieldSimplex]
    return tuple(b.name for b in candidates if b.capabilities.algebraic or not algebraic)


__all__ = ["CELL_METHODS", "GENERATOR_MAX_DIM", "METHODS", "backends", "backends_for", "cell_method"]
