"""The shallow fiber (docs/relu.md § One hidden layer: canonical form and fiber): pieces, membership against the equivalence decision, exact
samples, connected components, orbits."""

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import UnsupportedError
from exactnet.network import Network
from exactnet.relu.equivalence import equivalent
from exactnet.relu.fiber import Fiber
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.relu.orbits import same_orbit

from .nets import lists, net_from, random_moves, random_net


def shallow(W, b, A, c) -> Network:
    return Network.from_lists("relu", [(W, b), (A, c)])


ABS = shallow([[1], [-1]], [0, 0], [[1, 1]], [0])  # docs/relu.md § Test cases: T6
RAMP = shallow([[1], [1]], [0, -1], [[1, -1]], [0])  # σ(x) − σ(x − 1)
SIGMA2 = shallow([[1], [0]], [0, 0], [[1, 0]], [0])  # σ(x) with width 2 (docs/relu.md § One hidden layer: canonical form and fiber)


def test_abs_has_exactly_two_components():
    fib = Fiber(ABS)
    assert len(fib.pieces) == 1 and fib.pieces[0].keys == ((1, 1),) and fib.pieces[0].dimension == 2
    comps = fib.components()
    assert comps.count == 2 and comps.up_to_permutation == 1
    a, b = comps.representatives  # different components, swapped by the permutation (docs/relu.md § Test cases: T6)
    assert same_orbit(a, b) is True and equivalent(a, b).equivalent
    assert fib.orbit_is_fiber()  # no hidden symmetries (docs/relu.md § Test cases: T6)
    # yet the functional dimension is below the bound (non-transversal, docs/relu.md § Test cases)
    assert functional_dimension(ABS).value == 4


def test_clipped_ramp_is_disconnected_even_up_to_permutation():
    fib = Fiber(RAMP)
    comps = fib.components()
    assert comps.count == 4 and comps.up_to_permutation == 2
    assert {p.keys for p in fib.pieces} == {((1, 0), (1, 0)), ((0, 1), (0, 1))}
    # the all-negative representative realises the same function with reversed orientations
    neg = shallow([[-1], [-1]], [0, 1], [[1, -1]], [1])
    assert fib.contains(neg) and equivalent(RAMP, neg).equivalent
    assert fib.piece_of(neg).keys == ((0, 1), (0, 1))


def test_worked_fiber_of_sigma():
    fib = Fiber(SIGMA2)
    assert fib.components().count == 1
    members = [
        shallow([[2], ["1/3"]], [0, 0], [["1/4", "3/2"]], [0]),  # P3
        shallow([["1/2"], [7]], [0, -3], [[2, 0]], [0]),  # P1, zero-output unit
        shallow([[3], [0]], [0, -2], [["1/3", 5]], [0]),  # P1, dead constant unit
        shallow([[3], [0]], [0, 2], [["1/3", 5]], [-10]),  # P1, live constant unit
    ]
    for net in members:
        assert fib.contains(net)
    assert not fib.contains(shallow([[1], [-1]], [0, 0], [[1, "1/2"]], [0]))  # negatively oriented unit
    assert not fib.orbit_is_fiber()


def _perturbed(net, rnd):
    layers = lists(net)
    li = rnd.randrange(len(layers))
    W, b = layers[li]
    if rnd.random() < 0.5:
        r, c = rnd.randrange(len(W)), rnd.randrange(len(W[0]))
        W[r][c] += fmpq(rnd.choice((-1, 1)), rnd.randint(1, 50))
    else:
        b[rnd.randrange(len(b))] += fmpq(rnd.choice((-1, 1)), rnd.randint(1, 50))
    return net_from(layers)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 1), (2, 3, 1), (1, 3, 2), (2, 2, 2)]))
def test_membership_agrees_with_equivalence(seed, widths):
    rnd = random.Random(seed)
    net = random_net(rnd, widths, scale=3)
    fib = Fiber(net)
    for _ in range(3):
        cand = random_moves(net, rnd, 2, kinds=("permute", "scale")) if rnd.random() < 0.5 else _perturbed(net, rnd)
        assert fib.contains(cand) == equivalent(net, cand).equivalent
    wider = random_moves(net, rnd, 2)  # dead / zero-input / split / opposite pairs: a wider fiber
    wide = Fiber(wider)
    assert wide.contains(wider)
    for cand in (wider, _perturbed(wider, rnd), random_moves(wider, rnd, 1, kinds=("permute", "scale"))):
        assert wide.contains(cand) == equivalent(wider, cand).equivalent


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 1), (2, 3, 1), (1, 3, 2)]))
def test_samples_are_members(seed, widths):
    rnd = random.Random(seed)
    net = random_moves(random_net(rnd, widths, scale=3), rnd, 1)
    fib = Fiber(net)
    for s in fib.sample(4, seed=seed):
        assert s.widths == net.widths
        assert fib.contains(s)
        assert equivalent(net, s).equivalent


def test_generic_fiber_is_the_orbit_with_n_factorial_components():
    net = shallow([[1, 2], [-1, 1], [3, 1]], [1, 0, -2], [[3, -2, 1], [1, 1, 1]], [5, 0])
    fib = Fiber(net)
    assert fib.orbit_is_fiber()
    comps = fib.components()
    assert comps.count == 6 and comps.up_to_permutation == 1
    # the piece dimension is the scaling orbit: D − dim_fun (docs/relu-functional-dimension.md)
    res = functional_dimension(net)
    assert fib.dimension == net.num_parameters - res.value == 3


def test_cancelling_pair_components_unknown_and_hidden_symmetry():
    ident = shallow([[1], [-1]], ["-1/2", "1/2"], [[1, -1]], ["1/2"])  # docs/relu.md § Test cases: T5: F(x) = x
    fib = Fiber(ident)
    comps = fib.components()
    assert comps.count is None and "mixed free group" in comps.reason
    assert not fib.orbit_is_fiber()
    for t in (0, fmpq(1, 2), -3):
        assert fib.contains(shallow([[1], [-1]], [-t, t], [[1, -1]], [t]))


def test_deep_networks_are_unsupported():
    deep = Network.from_lists("relu", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError, match="one hidden layer"):
        Fiber(deep)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 1), (2, 3, 2, 1), (2, 2, 2)]))
def test_same_orbit(seed, widths):
    rnd = random.Random(seed)
    net = random_net(rnd, widths)
    moved = random_moves(net, rnd, 3, kinds=("permute", "scale"))
    assert same_orbit(net, moved) in (True, None)
    if all(any(v != 0 for v in list(r) + [b]) for L in net.layers[:-1] for r, b in zip(L.weight, L.bias)):
        assert same_orbit(net, moved) is True
    other = _perturbed(net, rnd)
    if same_orbit(net, other):
        assert equivalent(net, other).equivalent
