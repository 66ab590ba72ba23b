"""Fibers as explicit semi-algebraic pieces: the M6 fiber of relu(x − 1), dimensions, membership."""

import json
import random

import pytest
from flint import fmpq

from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.three_layer.canonical import NotApplicable
from exactnet.relu.three_layer.fiber import fiber
from exactnet.relu.three_layer.params import ThreeLayer

from .vectors import E2, E3, E4, RELU_X_MINUS_1, net


def one(w, b, v, c, a, d):
    return ThreeLayer.make(1, [[w]], [b], [[v]], [c], [[a]], [d])


@pytest.fixture(scope="module")
def m6():
    return fiber(RELU_X_MINUS_1)


def test_m6_fiber_has_the_preserve_and_hide_branches(m6):
    assert m6.complete
    real = [p for p in m6.pieces if not p.empty]
    assert len(real) == 2 and all(p.empty is True for p in m6.pieces if p not in real)
    by_branch = {p.branch: p for p in real}
    pres, hide = by_branch["canonical"], by_branch["transfer"]
    assert pres.roles2 == ("active",) and hide.roles2 == ("key1+",)
    assert {str(e) for e in pres.equalities} == {"W1[1,1] + b1[1]", "W1[1,1]*W2[1,1]*W3[1,1] - 1",
                                                "W3[1,1]*b2[1] + b3[1]"}
    assert {str(e) for e in hide.equalities} == {
        "W1[1,1]**2*W2[1,1] + W1[1,1]*W2[1,1]*b1[1] + W1[1,1]*b2[1]", "W1[1,1]*W2[1,1]*W3[1,1] - 1", "b3[1]"}
    assert pres.sample_equivalent and hide.sample_equivalent
    assert m6.components == 1
    json.dumps(m6.to_obj())


def test_m6_membership_matches_the_reference_description(m6):
    """Case analysis on the signs of w, v, c (docs §6): w, v, a > 0, a v w = 1 and either c ≥ 0, b = −w, d = −a c
    (preserve) or c < 0, v b + c = −v w, d = 0 (hide). Members and violators, decided independently
    by the complete tier."""
    rnd = random.Random(0)
    for _ in range(12):
        w, v = fmpq(rnd.randint(1, 9), rnd.randint(1, 5)), fmpq(rnd.randint(1, 9), rnd.randint(1, 5))
        a = 1 / (v * w)
        if rnd.random() < 0.5:
            c = fmpq(rnd.randint(0, 9), rnd.randint(1, 5))
            member = one(w, -w, v, c, a, -a * c)
        else:
            c = -fmpq(rnd.randint(1, 9), rnd.randint(1, 5))
            member = one(w, (-v * w - c) / v, v, c, a, 0)
        assert m6.contains(member)
        bad = ThreeLayer.make(1, [[w]], [member.b1[0] + fmpq(1, 7)], member.W2, member.b2, member.W3, member.b3)
        assert not m6.contains(bad)
        assert complete(bad.to_network(), RELU_X_MINUS_1, tiers="d").equivalent is False


@pytest.mark.parametrize("network", [E2, E3, E4], ids=["E2", "E3", "E4"])
def test_dimension_matches_d_minus_fdim(network):
    F = fiber(network)
    assert F.dimension == network.num_parameters - F.functional_dimension
    assert any(p.contains_parameter for p in F.pieces)
    for p in F.pieces:
        if p.sample is not None:
            assert p.sample_equivalent is True
            assert complete(p.sample.to_network(), network, tiers="d").equivalent is True


def test_generic_mixed_fiber_components():
    F = fiber(E3)
    assert F.components == 4  # 2!·2! permutations of the connected scaling orbit


def test_not_applicable():
    with pytest.raises(NotApplicable):
        fiber(net(([[1, 2], [2, 4]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0])))


def test_samples_and_planted_members_lie_in_a_listed_piece():
    """``samples`` draws exact members (checked on their piece's equations and proved equivalent by
    the complete tier here); ``piece_index`` finds a listed piece containing every member of the same
    widths, and none for a non-member."""
    import random

    from exactnet.relu.three_layer.fiber import piece_index, samples
    from exactnet.relu.three_layer.planted import perturb, planted_pair

    rnd = random.Random(3)
    checked = 0
    for k in range(30):
        n0 = rnd.randint(1, 3)
        widths = (n0, rnd.randint(1, n0), rnd.randint(1, 3), 1)
        a, b = planted_pair(rnd, widths, rnd.choice(["generic", "hidden", "active"]),
                            rnd.sample(["permute", "scale", "mixing", "flip", "transfer"], 2))
        if b.widths != a.widths:
            continue
        try:
            fib = fiber(a, check_fdim=False)
        except NotApplicable:
            continue
        assert piece_index(fib, b) is not None
        own = piece_index(fib, a)
        assert own is not None and fib.pieces[own].contains_parameter
        for idx, q in samples(a, 2, seed=k):
            assert not fib.pieces[idx].empty and piece_index(fib, q) is not None
            assert complete(a.to_network(), q.to_network(), tiers="d").equivalent is True
            checked += 1
        bad = perturb(b, rnd)
        if complete(a.to_network(), bad.to_network(), tiers="d").equivalent is False:
            assert piece_index(fib, bad) is None
    assert checked >= 20
