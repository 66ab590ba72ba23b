"""Cells of a hyperplane arrangement: both cell methods decide every sign the same way, exactly,
and a Farkas proof accompanies every fixed sign."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.polyhedra import Farkas, is_farkas, is_interior, negate, primitive_row, root_cell


def _forms(rnd, n, k):
    return [primitive_row([fmpq(rnd.randint(-3, 3)) for _ in range(n)], fmpq(rnd.randint(-3, 3))) for _ in range(k)]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_generator_and_lp_cells_agree(seed, n):
    from flint import fmpz_mat

    rnd = random.Random(seed)
    box = [(tuple(1 if j == i else 0 for j in range(n)), 4) for i in range(n)]
    box += [(tuple(-1 if j == i else 0 for j in range(n)), 4) for i in range(n)]
    forms = [f for f in _forms(rnd, n, 4) if any(f[0])]
    if not forms:
        return
    matrix = fmpz_mat([list(g) + [h] for g, h in forms])
    signs = {}
    for method in ("generators", "lp"):
        cell = root_cell(n, box, method)
        assert is_interior(cell.rows, cell.point())
        decided = cell.classify_batch(matrix, range(len(forms)), lambda j: forms[j])
        signs[method] = {j: d.sign for j, d in decided.items()}
        for j, d in decided.items():
            if d.sign:
                proof = d.farkas or cell.farkas_for(forms[j], d.sign)
                target = forms[j] if d.sign < 0 else negate(forms[j])
                assert isinstance(proof, Farkas) and is_farkas(list(cell.rows) + [target], proof.multipliers, n)
    assert signs["generators"] == signs["lp"]


def test_an_empty_domain_has_no_root_cell():
    assert root_cell(1, [((1,), -1), ((-1,), 0)], "lp") is None      # x > 1 and x < 0
