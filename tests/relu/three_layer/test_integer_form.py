"""The integer orthant form (exactnet/relu/three_layer/integer_form.py, docs/relu-three-layer.md §5.2):
its expression is the network's function at every input, whatever the parameter (so equal forms
prove equivalence), planted mechanism moves without a hide transfer leave it unchanged, and the tier
that uses it never contradicts the complete procedure."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings, strategies as st

from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import equivalent
from exactnet.relu.three_layer.integer_form import integer_form
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import PLANTS, near_miss, perturb, plant_chain, planted_pair, random_params

KINDS = ["generic", "hidden", "active", "degenerate"]


def _same_ray(r, s) -> bool:
    k = next(i for i, v in enumerate(s) if v != 0)
    lam = r[k] / s[k]
    return lam > 0 and all(x == lam * y for x, y in zip(r, s))


def _points(rnd: random.Random, n0: int, count: int = 12):
    return [tuple(fmpq(rnd.randint(-40, 40), rnd.randint(1, 7)) for _ in range(n0)) for _ in range(count)]


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(KINDS), st.lists(st.sampled_from(sorted(PLANTS)), max_size=4))
def test_the_form_is_the_function(seed, kind, names):
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 4)
    _a, p = planted_pair(rnd, (n0, rnd.randint(1, n0), rnd.randint(1, 4), rnd.choice([1, 2])), kind, names)
    form = integer_form(p)
    if form is None:  # only for an empty layer, a zero first-layer row or two rows on one ray
        rows = [tuple(r) + (b,) for r, b in zip(p.W1, p.b1)]
        assert p.n1 == 0 or p.n2 == 0 or any(all(v == 0 for v in r) for r in rows) or any(
            _same_ray(rows[i], rows[j]) for i in range(len(rows)) for j in range(i))
        return
    assert form.den > 0 and all(k[next(i for i, v in enumerate(k) if v)] > 0 for k, _al in form.keys)
    for x in _points(rnd, n0):
        assert form.value(x) == p(x)


def test_planted_moves_without_a_transfer_keep_the_form():
    rnd = random.Random(7)
    differ = 0
    for _ in range(30):
        a = random_params(rnd, 5, 4, 6)
        b = plant_chain(a, rnd)  # permutations, scalings, a split, a dead neuron, a flip with its block
        fa, fb = integer_form(a), integer_form(b)
        assert fa is not None and fb is not None and fa.same(fb) and fb.same(fa)
        c = near_miss(b, rnd)  # one second-layer weight changed by 1/1000
        if fa.same(integer_form(c)):  # equal forms are a proof, whatever the parameters
            assert complete(a.to_network(), c.to_network(), tiers="d").equivalent is True
        else:
            differ += 1
    assert differ >= 25


def test_same_compares_expressions_not_representations():
    a = ThreeLayer.make(2, [[1, 2]], [3], [[1], [-2]], [-1, 1], [[5, 7]], [fmpq(1, 3)])
    # first-layer neuron scaled by 2, second-layer neuron 0 by 4 (M1): another representation
    b = ThreeLayer.make(2, [[2, 4]], [6], [[2], [-1]], [-4, 1], [[fmpq(5, 4), 7]], [fmpq(1, 3)])
    fa, fb = integer_form(a), integer_form(b)
    assert fa.same(fb) and fb.same(fa) and (fa.den, fa.c) != (fb.den, fb.c)
    c = ThreeLayer.make(2, [[1, 2]], [3], [[1], [-2]], [-1, 1], [[5, 7]], [fmpq(1, 2)])  # another output bias
    assert not fa.same(integer_form(c)) and not integer_form(c).same(fa)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(KINDS), st.lists(st.sampled_from(sorted(PLANTS)), min_size=1, max_size=4),
       st.booleans())
def test_the_fast_decision_never_contradicts_the_complete_tier(seed, kind, names, near_miss):
    """Without a certificate (``verify=False``) tier s may answer True from equal integer forms."""
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 3)
    a, b = planted_pair(rnd, (n0, rnd.randint(1, n0), rnd.randint(1, 3), rnd.choice([1, 2])), kind, names)
    if near_miss:
        b = perturb(b, rnd)
    res = equivalent(a, b, verify=False)
    if res.verdict is None:
        return
    assert res.verdict is complete(a.to_network(), b.to_network(), tiers="d").equivalent
    if res.verdict is False:
        assert a(res.witness) != b(res.witness)
