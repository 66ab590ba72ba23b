"""The group: exact orders, the action, and that it is a group action preserving the function."""

import math
import random

import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import InputError, UnsupportedError
from exactnet.network import Network, evaluate, forward_exact
from exactnet.symmetry import GroupElement, SymmetryGroup, act, group_of
from exactnet.symmetry.brute import elements

from .strategies import elements_of, tied_networks


def test_orders_and_dimensions():
    g = SymmetryGroup("relu", (4, 8, 8, 1))
    assert g.order == math.factorial(8) ** 2 and g.describe() == "S_8 × S_8"
    assert g.continuous_dimension == 16 and g.num_parameters == 8 * 5 + 8 * 9 + 9
    t = SymmetryGroup("tanh", (2, 3, 1))
    assert t.order == 2**3 * 6 == 48 and t.describe() == "B_3" and t.continuous_dimension == 0
    assert SymmetryGroup("relu", (3, 2)).order == 1 and SymmetryGroup("relu", (3, 2)).describe() == "1"
    big = SymmetryGroup("relu", (1, 3000, 1))
    lo, hi = big.log_order().mid() - big.log_order().rad(), big.log_order().mid() + big.log_order().rad()
    assert lo <= math.lgamma(3001) + 1e-6 and math.lgamma(3001) - 1e-6 <= hi


@pytest.mark.parametrize("widths", [(1, 2, 1), (2, 2, 2, 1), (1, 3, 1)])
def test_brute_force_enumerates_the_order(widths):
    for act_ in ("relu", "tanh"):
        g = SymmetryGroup(act_, widths)
        assert len({tuple((a.perm, a.signs) for a in e.layers) for e in elements(g)}) == g.order


@pytest.mark.parametrize("bad", [(), (3,), (2, 0, 1), (2, -1, 1), (2, 1.5, 1), (2, True, 1)])
def test_bad_widths(bad):
    with pytest.raises(InputError):
        SymmetryGroup("relu", bad)


def test_bad_activation_and_signs_refused_for_relu():
    with pytest.raises(InputError, match="unknown activation"):
        SymmetryGroup("sigmoid", (1, 2, 1))
    net = Network.from_lists("relu", [([[1], [2]], [0, 1]), ([[1, 1]], [0])])
    with pytest.raises(UnsupportedError):
        act(GroupElement.from_perms([[0, 1]], [[1, -1]]), net)


@given(tied_networks(), st.integers(0, 2**32))
def test_action_is_a_group_action(net, seed):
    from exactnet.proofs._symmetry_random import random_element

    rng = random.Random(seed)
    g, h = random_element(rng, group_of(net)), random_element(rng, group_of(net))
    assert act(g.compose(h), net) == act(g, act(h, net))
    assert act(g.inverse(), act(g, net)) == net
    assert act(g.compose(g.inverse()), net) == net
    assert GroupElement.from_obj(g.to_obj(), g.hidden_widths) == g


@given(tied_networks(activation="relu"), st.data())
def test_relu_action_preserves_the_function(net, data):
    g = data.draw(elements_of(group_of(net)))
    moved = act(g, net)
    rng = random.Random(data.draw(st.integers(0, 1000)))
    for _ in range(5):
        x = [fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(net.input_dim)]
        assert forward_exact(moved, x) == forward_exact(net, x)


@given(tied_networks(activation="tanh", max_depth=2), st.data())
def test_tanh_action_preserves_the_function(net, data):
    g = data.draw(elements_of(group_of(net)))
    moved = act(g, net)
    x = [fmpq(k, 3) for k in range(1, net.input_dim + 1)]
    for a, b in zip(evaluate(net, x, prec=80).enclosures, evaluate(moved, x, prec=80).enclosures):
        assert a.overlaps(b)
