"""Tier s of :func:`exactnet.relu.equivalence.equivalent`: it runs first for two-hidden-layer networks,
agrees with the complete tier (d), writes certificates that the independent checker accepts, and
falls through to the general tiers with the reason recorded when it cannot decide."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu.equivalence import TIER_METHODS, equivalent
from exactnet.relu.three_layer.planted import PLANTS, perturb, planted_pair

from .vectors import E1, E3, E4, net


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.sampled_from(["generic", "hidden", "active", "degenerate"]), st.booleans())
def test_tier_s_agrees_with_the_complete_tier_and_its_certificates_check(seed, kind, near):
    rnd = random.Random(seed)
    n0 = rnd.randint(1, 3)
    widths = (n0, rnd.randint(1, n0), rnd.randint(1, 3), rnd.choice((1, 2)))
    a, b = planted_pair(rnd, widths, kind, rnd.sample(sorted(PLANTS), rnd.randint(1, 4)))
    if near:
        b = perturb(b, rnd)
    A, B = a.to_network(), b.to_network()
    res = equivalent(A, B, certificate=True)
    assert res.equivalent is equivalent(A, B, tiers="d").equivalent
    assert check_certificate(res.certificate).valid
    if res.tier == "s":
        method = res.certificate["evidence"]["method"]
        assert method == ("three_layer_moves" if res.equivalent else "witness")
    else:
        assert any(n.startswith("tier (s)") for n in res.notes)
    if res.equivalent is False:
        assert forward_exact(A, res.witness) != forward_exact(B, res.witness)
    if kind in ("generic", "hidden", "active") and not near:
        assert res.tier == "s" and res.equivalent is True  # planted equivalences of generic parameters


def test_tier_s_runs_first_and_names_its_method():
    b = net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0]))
    res = equivalent(E4, b)
    assert res.tier == "s" and res.equivalent is True and res.notes == ()
    assert TIER_METHODS["s"] == "three_layer_structural"
    res = equivalent(E1, E3)
    assert res.tier == "s" and res.equivalent is False


def test_a_symmetry_outside_the_mechanisms_falls_through_to_the_complete_tier():
    """docs/relu-three-layer.md §4.4: the hat σ(y−1) − 2σ(y−2) + σ(y−3) with y = x or y = 4 − x;
    the canonical forms differ, no witness exists, tier (d) proves equivalence."""
    hat = ([[1], [1], [1]], [-1, -2, -3])
    a = net(([[1]], [0]), hat, ([[1, -2, 1]], [0]))
    b = net(([[-1]], [4]), hat, ([[1, -2, 1]], [0]))
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "d"
    assert res.notes == ("tier (s) undecided: the canonical forms differ but no witness was found (use the"
                         " complete procedure)",)
    assert "tier (s) undecided" in res.reason
    assert check_certificate(res.certificate).valid


def test_the_reason_names_the_failed_hypothesis():
    wide = net(([[1], [2]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0]))  # n1 = 2 > n0 = 1
    res = equivalent(wide, wide)
    assert res.equivalent is True and res.tier != "s"
    assert "not a bottleneck" in res.notes[0] and "n1 = 2 > n0 = 1" in res.notes[0]
    rank_deficient = net(([[1, 1], [2, 2]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0]))
    res = equivalent(rank_deficient, rank_deficient)
    assert res.tier != "s" and "rank W1 = 1 < n1 = 2" in res.notes[0]
    one = Network.from_lists("relu", [([[1, 0]], [0]), ([[1]], [0])])
    res = equivalent(E1, Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, 2]], [0])]))
    assert res.tier != "s" and "exactly two hidden layers" in res.notes[0]
    res = equivalent(one, one)
    assert res.notes == ()  # no two-hidden-layer network: tier (s) is not mentioned
    res = equivalent(E1, E1, Box.from_bounds([-1, -1], [1, 1]))
    assert res.tier != "s" and "domain" in res.notes[0]


def test_tiers_without_s_skip_it():
    b = net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0]))
    res = equivalent(E4, b, tiers="abcd")
    assert res.tier != "s" and res.equivalent is True and res.notes == ()
