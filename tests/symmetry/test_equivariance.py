"""Exact gradient-descent equivariance (permutations, sign flips) and its failure for scalings."""

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import UnsupportedError
from exactnet.network import Network, preactivations
from exactnet.proofs._symmetry_random import random_element, random_network
from exactnet.symmetry.equivariance import commutes, gradient, loss, scale_unit, scaling_failure, step
from exactnet.symmetry.groups import SymmetryGroup

POOL = tuple(fmpq(k, 4) for k in range(-8, 9))


def _setup(seed, activation="relu"):
    rng = random.Random(seed)
    depth = rng.randint(1, 3)
    widths = (rng.randint(1, 3),) + tuple(rng.randint(2, 4) for _ in range(depth)) + (rng.randint(1, 2),)
    net = random_network(rng, activation, widths, POOL)
    data = [(tuple(fmpq(rng.randint(-6, 6), 3) for _ in range(widths[0])),
             tuple(fmpq(rng.randint(-6, 6), 3) for _ in range(widths[-1]))) for _ in range(rng.randint(1, 4))]
    return rng, net, data


@settings(max_examples=30)
@given(st.integers(0, 10**6))
def test_gd_commutes_with_permutations(seed):
    rng, net, data = _setup(seed)
    g = random_element(rng, SymmetryGroup("relu", net.widths))
    assert commutes(net, data, fmpq(1, 7), g, steps=2)


@settings(max_examples=30)
@given(st.integers(0, 10**6))
def test_gd_commutes_with_signed_permutations_for_an_odd_activation(seed):
    rng, net, data = _setup(seed, "tanh")
    g = random_element(rng, SymmetryGroup("tanh", net.widths))
    assert commutes(net, data, fmpq(1, 7), g, steps=2, activation="hardtanh")


def test_sign_flips_do_not_commute_for_relu_surrogate():
    # hardtanh is odd, relu is not: a sign flip is not a symmetry of the relu loss
    rng, net, data = _setup(5, "tanh")
    relu = Network("relu", net.layers)
    g = random_element(random.Random(2), SymmetryGroup("tanh", net.widths))
    with pytest.raises(UnsupportedError):
        commutes(relu, data, fmpq(1, 7), g)


@settings(max_examples=30)
@given(st.integers(0, 10**6))
def test_gradient_is_exact(seed):
    """Central differences are exact for the (locally quadratic) loss when no preactivation is 0."""
    rng, net, data = _setup(seed)
    if any(z == 0 for x, _ in data for layer in preactivations(net, x) for z in layer):
        return
    grad = gradient(net, data).parameter_vector()
    vec = list(net.parameter_vector())
    t = fmpq(1, 10**15)
    for i in rng.sample(range(len(vec)), min(4, len(vec))):
        up, down = list(vec), list(vec)
        up[i] += t
        down[i] -= t
        from exactnet.symmetry.cover_construction import network_from_vector

        g = SymmetryGroup("relu", net.widths)
        diff = (loss(network_from_vector(g, up), data) - loss(network_from_vector(g, down), data)) / (2 * t)
        assert diff == grad[i]


@settings(max_examples=20)
@given(st.integers(0, 10**6))
def test_scaling_law_and_failure(seed):
    rng, net, data = _setup(seed)
    f = scaling_failure(net, data, fmpq(1, 7), 1, 0, fmpq(3, 2))
    assert f.law_holds and f.loss_invariant
    assert f.commutes == (f.difference == 0)


def test_scaling_fails_on_an_example():
    net = Network.from_lists("relu", [([[1]], [1]), ([[1]], [0])])
    data = [((1,), (0,))]
    f = scaling_failure(net, data, fmpq(1, 10), 1, 0, 2)
    assert not f.commutes and f.difference > 0 and f.law_holds


def test_tanh_gradients_refused():
    net = Network.from_lists("tanh", [([[1]], [1]), ([[1]], [0])])
    with pytest.raises(UnsupportedError, match="transcendental"):
        step(net, [((1,), (0,))], fmpq(1, 10))
    with pytest.raises(UnsupportedError):
        scale_unit(net, 1, 0, 2) and scaling_failure(net, [((1,), (0,))], fmpq(1, 10), 1, 0, 2)
