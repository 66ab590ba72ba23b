"""Exact and modular linear algebra shared by every family.

* :mod:`.exact` — ranks, reduced echelon forms, independent subsets and exact solves over ``Q``;
* :mod:`.field` — the same over a real number field (real algebraic entries, exact pivots);
* :mod:`.modular` — certified ranks of integer matrices: modular lower bounds (a rank modulo a
  prime never exceeds the rational rank), exact kernels lifted ``p``-adically and verified with
  exact integer products.
"""

from .exact import cleared_rank, independent_subset, rank, rref, solve_rows
from .field import field_rank, field_rref, field_solve
from .modular import (
    ModularSpan, annihilates, as_columns, exact_rank, integer_rank, kernel_candidates, matrix_rank, modular_rank, random_prime,
    rational_reconstruction, size_blocks,
)

__all__ = [
    "ModularSpan", "annihilates", "as_columns", "cleared_rank", "exact_rank", "field_rank", "field_rref", "field_solve", "independent_subset", "integer_rank", "kernel_candidates", "matrix_rank",
    "modular_rank", "random_prime", "rank", "rational_reconstruction", "rref", "size_blocks", "solve_rows",
]
