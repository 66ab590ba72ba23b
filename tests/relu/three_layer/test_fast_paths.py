"""The cheap steps of tier s without a certificate (exactnet/relu/three_layer/equivalence.py,
integer_form.py; docs/relu-three-layer.md §5.2, §10): the one-call integer conversion of a parameter,
the comparison of integer orthant forms with an early exit, the floating-point proposals built from
augmented matrices, and the order of forms and probes. Each is either exact or only proposes."""

from __future__ import annotations

import random

import numpy as np
from flint import fmpq
from hypothesis import assume, given, settings, strategies as st

from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import (FORMS_FIRST_PARAMETERS, _float_layers, _float_proposals,
                                                   _probe_matrices, equivalent)
from exactnet.relu.three_layer.integer_form import common_integer_form, integer_form
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import PLANTS, near_miss, perturb, plant_chain, planted_pair, random_params

KINDS = ["generic", "hidden", "active", "degenerate"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(KINDS))
def test_integer_layers_are_the_layers_over_one_denominator(seed, kind):
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 4)
    p = random_params(rnd, n0, rnd.randint(1, n0), rnd.randint(1, 4), rnd.choice([1, 2]), kind=kind)
    layers = p.integer_layers
    assert p.integer_layer1 is layers[0]  # reused once the three layers are converted
    for (N, D), (W, b) in zip(layers, ((p.W1, p.b1), (p.W2, p.b2), (p.W3, p.b3))):
        assert D > 0 and len(N) == len(b)
        assert [[fmpq(x, D) for x in row] for row in N] == [list(r) + [v] for r, v in zip(W, b)]
    assert len({D for _N, D in layers}) == 1


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(KINDS), st.lists(st.sampled_from(sorted(PLANTS)), max_size=4),
       st.booleans())
def test_common_form_is_returned_only_for_the_same_form(seed, kind, names, near):
    """``common_integer_form`` never claims a common form that ``same`` would deny (its early exits
    only skip work), and it finds it whenever neither side has a cancelled key."""
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 4)
    a, b = planted_pair(rnd, (n0, rnd.randint(1, n0), rnd.randint(1, 4), rnd.choice([1, 2])), kind, names)
    if near:
        b = perturb(b, rnd)
    fa, fb = integer_form(a), integer_form(b)
    common = common_integer_form(a, b)
    same = fa is not None and fb is not None and fa.same(fb)
    if common is not None:
        assert same and common.same(fa) and common.same(fb)


def test_planted_partners_share_their_form_and_near_misses_do_not():
    rnd = random.Random(11)
    differ = 0
    for _ in range(30):
        a = random_params(rnd, 5, 4, 6)
        b = plant_chain(a, rnd)  # no cancelled keys: permutations, scalings, a split, a dead neuron, a flip
        assert common_integer_form(a, b) is not None and common_integer_form(b, a) is not None
        c = near_miss(b, rnd)
        if common_integer_form(a, c) is None:
            differ += 1
            assert not integer_form(a).same(integer_form(c))
    assert differ >= 25


def test_early_exit_on_the_first_layer_and_on_a_key():
    a = ThreeLayer.make(2, [[1, 2], [1, -1]], [3, 0], [[1, -1, 1], [-2, 1, 1]], [-1, 1], [[5, 7]], [1])
    other_row = ThreeLayer.make(2, [[1, 3], [1, -1]], [3, 0], [[1, -1, 1], [-2, 1, 1]], [-1, 1], [[5, 7]], [1])
    other_key = ThreeLayer.make(2, [[1, 2], [1, -1]], [3, 0], [[1, -2, 1], [-2, 1, 1]], [-1, 1], [[5, 7]], [1])
    assert common_integer_form(a, a) is not None
    assert common_integer_form(a, other_row) is None and common_integer_form(a, other_key) is None


def _float_value(p: ThreeLayer, x) -> np.ndarray:
    A1, A2, A3, scale = _float_layers(p)
    X1 = np.array([float(v) for v in x] + [1.0])[:, None]
    return (A3 @ np.maximum(A2 @ np.maximum(A1 @ X1, 0.0), 0.0))[:, 0] / scale


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(KINDS), st.booleans())
def test_augmented_float_layers_evaluate_the_network(seed, kind, converted):
    """``A3 σ(A2 σ(A1 [x; 1])) = s·f(x)`` for both constructions (from the integer layers or from
    the entries): the appended rows carry the constant through both ReLUs."""
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 4)
    p = random_params(rnd, n0, rnd.randint(1, n0), rnd.randint(1, 4), rnd.choice([1, 2]), kind=kind)
    if converted:
        p.integer_layers
    for _ in range(5):
        x = tuple(fmpq(rnd.randint(-30, 30), rnd.randint(1, 5)) for _ in range(n0))
        exact = [float(v) for v in p(x)]
        got = _float_value(p, x)
        assert all(abs(g - e) <= 1e-9 * (1 + abs(e)) for g, e in zip(got, exact))


def test_proposals_are_probe_points_where_the_outputs_differ():
    rnd = random.Random(5)
    num, den, X1 = _probe_matrices(4, 48, 123)
    assert not X1.flags.writeable and X1.shape == (5, 48) and (X1[4] == 1).all()
    points = {tuple(fmpq(int(m), int(q)) for m, q in zip(num[:, c], den[:, c])) for c in range(48)}
    separated = 0
    for _ in range(10):
        a = random_params(rnd, 4, 3, 6)
        b = plant_chain(a, rnd)
        assert list(_float_proposals(a, b, 123)) == []  # equivalent: the floats agree everywhere
        c = near_miss(b, rnd)
        found = list(_float_proposals(a, c, 123))
        assert len(found) <= 3 and all(x in points for x in found)
        separated += any(a(x) != c(x) for x in found)
    assert separated >= 5


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_both_orders_of_forms_and_probes_agree_with_the_complete_tier(seed, near):
    """Small pairs try the forms first, larger ones the probes first (FORMS_FIRST_PARAMETERS); the
    order changes the cost only."""
    rnd = random.Random(seed)
    widths = rnd.choice([(3, 2, 3), (4, 3, 5), (6, 4, 6)])
    a = random_params(rnd, *widths)
    try:
        b = plant_chain(a, rnd)
    except ValueError:  # no mixed second-layer neuron to flip
        assume(False)
    if near:
        b = near_miss(b, rnd)  # usually, not always, another function
    res = equivalent(a, b, verify=False)
    assert res.verdict is complete(a.to_network(), b.to_network(), tiers="d").equivalent
    if res.verdict:
        assert res.proof == "integer_forms" and not res.moves
    else:
        assert a(res.witness) != b(res.witness)


def test_the_threshold_separates_the_orders():
    rnd = random.Random(3)
    small, large = random_params(rnd, 3, 2, 3), random_params(rnd, 6, 4, 8)
    partner = plant_chain(large, rnd)
    assert 2 * small.num_parameters <= FORMS_FIRST_PARAMETERS < large.num_parameters + partner.num_parameters


def test_huge_denominators_still_get_proposals():
    """Denominators beyond the floating-point range: the floats come from the entries themselves
    (each ``fmpq`` rounds to a normal float), so a near miss is still found by the probes."""
    rnd = random.Random(2)
    tiny = fmpq(1, 1 << 700)
    a = random_params(rnd, 4, 3, 6)
    a = ThreeLayer(a.n0, tuple(tuple(v + tiny for v in r) for r in a.W1), a.b1, a.W2, a.b2, a.W3, a.b3)
    b = near_miss(plant_chain(a, rnd), rnd)
    assert a.integer_layers[0][1] >= 1 << 700  # converted: the integer route would overflow
    A1, _A2, _A3, scale = _float_layers(a)
    assert scale == 1.0 and np.isfinite(A1).all()
    found = []
    for seed in range(5):
        found += list(_float_proposals(a, b, seed))
    assert any(a(x) != b(x) for x in found)
    assert equivalent(a, b, verify=False).verdict is False


def test_witness_certificates_carry_the_exact_outputs():
    """Tier s writes the outputs it evaluated at the witness (no second evaluation); they are the
    networks' exact outputs, and the checker accepts the certificate."""
    from exactnet.check import check_certificate
    from exactnet.network import forward_exact
    from exactnet.numbers import number_json

    rnd = random.Random(8)
    a = random_params(rnd, 4, 3, 6)
    b = near_miss(plant_chain(a, rnd), rnd)
    A, B = a.to_network(), b.to_network()
    res = complete(A, B, certificate=True)
    assert res.tier == "s" and res.equivalent is False
    ev = res.certificate["evidence"]
    x = res.witness
    exact = [[number_json(v) for v in forward_exact(N, x)] for N in (A, B)]
    assert ev["outputs"] == exact
    assert ev["outputs"][0] != ev["outputs"][1] and check_certificate(res.certificate).valid
