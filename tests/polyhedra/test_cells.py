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


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_the_classification_hint_gives_the_same_verified_proof(seed, n):
    """farkas_for(..., unit=j) reads the minimizing vertex off the values of the last classify_batch
    (forms scaled by positive integers there, as the enumeration does): the proof it returns is
    verified and equal to the one found by evaluating the form at every generator; a wrong hint
    (another unit's values) still yields a verified proof."""
    from flint import fmpz_mat

    rnd = random.Random(seed)
    box = [(tuple(1 if j == i else 0 for j in range(n)), 4) for i in range(n)]
    box += [(tuple(-1 if j == i else 0 for j in range(n)), 4) for i in range(n)]
    cell = root_cell(n, box, "generators")
    for _ in range(3):  # a few splits: cells with vertices of several denominators
        f = [f for f in _forms(rnd, n, 1) if any(f[0])]
        if f and cell.classify_batch(fmpz_mat([list(f[0][0]) + [f[0][1]]]), [0], lambda j: f[0])[0].sign == 0:
            cell = cell.child(None, f[0], rnd.choice([1, -1]))
    forms = [f for f in _forms(rnd, n, 6) if any(f[0])]
    if not forms:
        return
    scales = [rnd.randint(1, 5) for _ in forms]
    matrix = fmpz_mat([[s * v for v in list(g) + [h]] for (g, h), s in zip(forms, scales)])
    decided = cell.classify_batch(matrix, range(len(forms)), lambda j: forms[j])
    for j, d in decided.items():
        if not d.sign:
            continue
        target = list(cell.rows) + [forms[j] if d.sign < 0 else negate(forms[j])]
        hinted, plain = cell.farkas_for(forms[j], d.sign, unit=j), cell.farkas_for(forms[j], d.sign)
        assert is_farkas(target, hinted.multipliers, n) and hinted == plain
        wrong = cell.farkas_for(forms[j], d.sign, unit=(j + 1) % len(forms))
        assert is_farkas(target, wrong.multipliers, n)
