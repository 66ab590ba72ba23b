"""The polynomial-time decider: reference vectors and cross-validation against the complete tier."""

import random

import pytest
from flint import fmpq
from hypothesis import given, settings, strategies as st

from exactnet.network import forward_exact
from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.equivalence import equivalent
from exactnet.relu.three_layer.moves import verify_chain
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import PLANTS, perturb, planted_pair

from .vectors import E3, EQUIVALENT, NOT_EQUIVALENT, net


@pytest.mark.parametrize("name,a,b", EQUIVALENT, ids=[e[0] for e in EQUIVALENT])
def test_reference_equivalences(name, a, b):
    res = equivalent(a, b)
    assert res.verdict is True, res.reason
    assert verify_chain(ThreeLayer.from_network(a), ThreeLayer.from_network(b), res.moves)


@pytest.mark.parametrize("name,a,b", NOT_EQUIVALENT, ids=[e[0] for e in NOT_EQUIVALENT])
def test_reference_non_equivalences(name, a, b):
    res = equivalent(a, b)
    assert res.verdict is False
    assert forward_exact(a, res.witness) != forward_exact(b, res.witness)


def test_e3_single_entry_perturbations():
    base = [([list(r) for r in L.weight], list(L.bias)) for L in E3.layers]
    count = 0
    for li, (W, b) in enumerate(base):
        for r in range(len(W)):
            for c in range(len(W[r]) + 1):
                layers = [([list(x) for x in WW], list(bb)) for WW, bb in base]
                if c < len(W[r]):
                    layers[li][0][r][c] += fmpq(1, 100)
                else:
                    layers[li][1][r] += fmpq(1, 100)
                other = net(*layers)
                res = equivalent(E3, other)
                assert res.verdict is False
                assert forward_exact(E3, res.witness) != forward_exact(other, res.witness)
                count += 1
    assert count == 15


def test_widths_may_differ():
    rnd = random.Random(5)
    a, b = planted_pair(rnd, (3, 2, 3, 1), "generic", ["dead", "split", "unused_first"])
    assert a.widths != b.widths
    assert equivalent(a, b).verdict is True


def test_not_applicable_is_none():
    a = net(([[1, 2], [2, 4]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0]))
    res = equivalent(a, a)
    assert res.verdict is None and "rank W1" in res.reason


def test_dimension_mismatch_is_an_input_error():
    from exactnet.errors import InputError

    with pytest.raises(InputError):
        equivalent(E3, net(([[1]], [0]), ([[1]], [0]), ([[1]], [0])))


KINDS = ["generic", "hidden", "active", "degenerate"]


@settings(max_examples=80)
@given(st.integers(0, 10**6), st.sampled_from(KINDS), st.lists(st.sampled_from(sorted(PLANTS)), min_size=1, max_size=4),
       st.booleans())
def test_never_contradicts_the_complete_tier(seed, kind, names, near_miss):
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 3)
    a, b = planted_pair(rnd, (n0, rnd.randint(1, n0), rnd.randint(1, 3), rnd.choice([1, 2])), kind, names)
    if near_miss:
        b = perturb(b, rnd)
    res = equivalent(a, b)
    truth = complete(a.to_network(), b.to_network(), tiers="d").equivalent
    if res.verdict is True:
        assert truth is True and verify_chain(a, b, res.moves)
    elif res.verdict is False:
        assert truth is False and a(res.witness) != b(res.witness)
    if kind != "degenerate" and not near_miss:
        assert res.verdict is True  # planted equivalences of generic parameters are always recognised


def test_reflection_of_a_symmetric_profile_is_left_to_the_complete_tier():
    """A discrete symmetry outside M0–M6 (docs/relu-three-layer.md §4.4): a hidden neuron whose profile is a symmetric hat
    can be realised with either first-layer orientation. The canonical forms differ, no witness
    exists, and the decider answers None instead of guessing."""
    a = net(([[1]], [0]), ([[1], [1], [1]], [-1, -2, -3]), ([[1, -2, 1]], [0]))
    b = net(([[-1]], [4]), ([[1], [1], [1]], [-1, -2, -3]), ([[1, -2, 1]], [0]))
    assert complete(a, b, tiers="d").equivalent is True
    res = equivalent(a, b)
    assert res.verdict is None and "no witness" in res.reason


def test_zero_hidden_widths_are_decided():
    """Constant functions have empty canonical forms: a parameter with no hidden neurons is equivalent
    to itself and refuted against a non-constant one with an exact witness (the floating-point
    proposals handle empty layers)."""
    from flint import fmpq

    from exactnet.relu.three_layer.equivalence import equivalent as decide
    from exactnet.relu.three_layer.params import ThreeLayer

    const = ThreeLayer.make(2, [], [], [], [], [[]], [fmpq(1)])
    ramp = ThreeLayer.make(2, [[1, 0]], [0], [[1]], [0], [[1]], [fmpq(1)])
    assert decide(const, const).verdict is True
    res = decide(const, ramp)
    assert res.verdict is False and const(res.witness) != ramp(res.witness)
