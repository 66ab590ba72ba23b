"""Canonical representatives: invariant, in the orbit, in the documented domain, functionally equivalent."""

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import UnsupportedError
from exactnet.network import Network
from exactnet.proofs._symmetry_random import random_element
from exactnet.relu.equivalence import equivalent
from exactnet.symmetry import (
    act, biases_sorted, canonical_form, canonical_form_modulo_scaling, group_of, in_fundamental_domain,
)
from exactnet.symmetry import brute
from exactnet.symmetry.equivariance import scale_unit
from exactnet.tanh.equivalence import equivalent as tanh_equivalent

from .strategies import elements_of, tied_networks


@given(tied_networks(), st.data())
def test_invariant_under_the_group(net, data):
    c = canonical_form(net)
    assert act(c.element, net) == c.network
    assert biases_sorted(c.network)
    for _ in range(3):
        g = data.draw(elements_of(group_of(net)))
        assert canonical_form(act(g, net)).network == c.network


@given(tied_networks(max_order=1500))
def test_exactly_one_orbit_point_is_canonical(net):
    members = [n for n in (act(g, net) for g in brute.elements(group_of(net))) if in_fundamental_domain(n)]
    assert len({n.parameter_vector() for n in members}) == 1
    assert members[0] == canonical_form(net).network


@settings(max_examples=25)
@given(tied_networks(activation="relu", max_depth=2, max_width=3))
def test_relu_canonical_form_is_equivalent(net):
    assert equivalent(net, canonical_form(net).network).equivalent is True


@settings(max_examples=25)
@given(tied_networks(activation="tanh", max_depth=1))
def test_tanh_canonical_form_is_equivalent(net):
    assert tanh_equivalent(net, canonical_form(net).network, find_witness=False).equivalent is True


def test_generic_points_are_sorted_by_bias():
    net = Network.from_lists("relu", [([[1], [2], [3]], [0, 5, -1]), ([[1, 2, 3]], [0])])
    c = canonical_form(net).network
    assert c.layers[0].bias == (5, 0, -1) and c.layers[0].weight == ((2,), (1,), (3,))
    assert in_fundamental_domain(c) and not in_fundamental_domain(net)
    t = Network.from_lists("tanh", [([[1], [2], [3]], [0, 5, -1]), ([[1, 2, 3]], [0])])
    ct = canonical_form(t).network
    assert ct.layers[0].bias == (5, 1, 0) and ct.layers[1].weight == ((2, -3, 1),)


def test_sorted_but_not_canonical_on_ties():
    # biases tie: only one of the two sorted orders is canonical
    a = Network.from_lists("relu", [([[1], [2]], [0, 0]), ([[1, 1]], [0])])
    b = Network.from_lists("relu", [([[2], [1]], [0, 0]), ([[1, 1]], [0])])
    assert biases_sorted(a) and biases_sorted(b)
    assert in_fundamental_domain(a) != in_fundamental_domain(b)


@given(tied_networks(activation="relu"), st.data())
def test_modulo_scaling_is_invariant(net, data):
    try:
        c = canonical_form_modulo_scaling(net)
    except UnsupportedError:
        return
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    moved = act(random_element(rng, group_of(net)), net)
    for l, d in enumerate(net.hidden_widths, start=1):
        for u in range(d):
            moved = scale_unit(moved, l, u, fmpq(rng.randint(1, 9), rng.randint(1, 9)))
    assert canonical_form_modulo_scaling(moved).network == c.network


def test_modulo_scaling_refuses_zero_rows():
    net = Network.from_lists("relu", [([[0], [1]], [0, 1]), ([[1, 1]], [0])])
    with pytest.raises(UnsupportedError, match="zero incoming"):
        canonical_form_modulo_scaling(net)
    with pytest.raises(UnsupportedError):
        canonical_form_modulo_scaling(Network.from_lists("tanh", [([[1]], [1]), ([[1]], [0])]))


def test_algebraic_canonical_form():
    net = Network.from_lists("tanh", [([["sqrt(2)"], ["-sqrt(3)"], [1]], [0, 0, "sqrt(2)"]), ([[1, -1, 3]], [0])])
    c = canonical_form(net)
    assert act(c.element, net) == c.network and biases_sorted(c.network)
    g = random_element(random.Random(1), group_of(net))
    assert canonical_form(act(g, net)).network == c.network
