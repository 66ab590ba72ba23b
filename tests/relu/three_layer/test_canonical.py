"""The structural canonical form is invariant under every mechanism and separates the vectors."""

import random

import pytest
from hypothesis import given, strategies as st

from exactnet.relu.three_layer.canonical import NotApplicable, canonical_form, canonicalize
from exactnet.relu.three_layer.planted import PLANTS, random_params

from .vectors import E3, E4, net


@given(st.integers(0, 10**6), st.sampled_from(["generic", "hidden", "active"]),
       st.lists(st.sampled_from(sorted(PLANTS)), min_size=1, max_size=4))
def test_invariant_under_planted_mechanisms(seed, kind, names):
    rnd = random.Random(seed)
    p = random_params(rnd, 3, rnd.randint(1, 3), rnd.randint(1, 4), rnd.choice([1, 2]), kind=kind)
    q = p
    for name in names:
        q = PLANTS[name](q, rnd)
    cp, cq = canonicalize(p), canonicalize(q)
    if cp.form is not None and cq.form is not None:
        assert cp.form == cq.form


def test_hidden_neuron_is_moved_to_zero_dead_zone():
    form = canonical_form(E4)
    p = form.params
    h = form.hidden
    assert h is not None
    # after the canonical transfer some live neuron has b2 = 0 and all have b2 <= 0
    assert max(p.b2) == 0


def test_not_applicable_says_why():
    with pytest.raises(NotApplicable, match="rank W1"):
        canonical_form(net(([[1, 2], [2, 4]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0])))


def test_constant_function_has_empty_form():
    form = canonical_form(net(([[1]], [0]), ([[-1]], [-1]), ([[5]], [3])))
    assert form.params.widths == (1, 0, 0, 1) and form.params.b3 == (3,)


def test_e3_form_is_exact_and_frozen():
    a, b = canonical_form(E3), canonical_form(E3)
    assert a == b and hash(a) == hash(b)
