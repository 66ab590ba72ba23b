import pytest
from flint import arb, fmpq
from hypothesis import given

from exactnet.errors import InputError
from exactnet.network import Network, evaluate, forward_exact, preactivations

from .strategies import networks


def test_relu_hand_computed():
    # x = (1, 2/3): layer 1 -> (1 - 1/3 + 1/3, 2) = (1, 2); output 2*1 + 5*2 + 1/4 = 49/4
    net = Network.from_lists("relu", [([["1", "-1/2"], [0, 3]], ["1/3", 0]), ([[2, 5]], [0.25])])
    assert forward_exact(net, [1, "2/3"]) == (fmpq(49, 4),)
    # negative preactivation is clipped: x = (-3, 0): (-3 + 1/3, 0) -> (0, 0); output 1/4
    assert forward_exact(net, ["-3", "0"]) == (fmpq(1, 4),)
    assert preactivations(net, ["-3", "0"]) == [(fmpq(-8, 3), fmpq(0))]


def test_relu_with_algebraic_input_and_weights():
    net = Network.from_lists("relu", [([["sqrt(2)"]], [-1]), ([[1]], [0])])
    # relu(sqrt2 * sqrt2 - 1) = 1
    assert forward_exact(net, ["sqrt(2)"]) == (fmpq(1),)
    # input in a different field: sqrt(3)*sqrt(2) - 1 > 0
    y = forward_exact(net, ["sqrt(3)"])[0]
    assert y > 1 and (y + 1) ** 2 == 6  # sqrt(6) - 1


def test_tanh_enclosure_is_rigorous_and_accurate():
    net = Network.from_lists("tanh", [([[1], [2]], [0, "1/2"]), ([[1, "-3"]], ["1/7"])])
    ev = evaluate(net, ["1/3"], prec=200)
    assert ev.exact is None
    true = arb(fmpq(1, 3)).tanh() - 3 * arb(fmpq(2, 3) + fmpq(1, 2)).tanh() + arb(fmpq(1, 7))
    ball = ev.enclosures[0]
    assert ball.overlaps(true)
    assert ball.rad() < arb(2) ** -190


def test_tanh_exact_where_all_arguments_vanish():
    net = Network.from_lists("tanh", [([[1], [2]], [0, 0]), ([[5, "sqrt(2)"]], ["1/3"])])
    ev = evaluate(net, [0])
    assert ev.exact == (fmpq(1, 3),)
    with pytest.raises(InputError, match="transcendental"):
        forward_exact(net, [1])


def test_input_errors():
    net = Network.from_lists("relu", [([[1, 1]], [0])])
    with pytest.raises(InputError, match="takes 2 inputs, got 1"):
        evaluate(net, [1])
    with pytest.raises(InputError):
        evaluate(net, "12")
    with pytest.raises(Exception):
        evaluate(net, [1, "nan"])


@given(networks(activation="relu", max_width=3, max_layers=3))
def test_relu_is_positively_homogeneous_without_biases(net):
    """With all biases zero, f(2x) = 2 f(x) exactly (a mathematical identity, not a tolerance)."""
    zero_bias = Network("relu", tuple(type(l)(l.weight, tuple(fmpq(0) for _ in l.bias)) for l in net.layers))
    x = [fmpq(i + 1, 3) * (-1) ** i for i in range(net.input_dim)]
    y1 = forward_exact(zero_bias, x)
    y2 = forward_exact(zero_bias, [2 * v for v in x])
    assert y2 == tuple(2 * v for v in y1)


@given(networks(activation="tanh", max_width=3, max_layers=2))
def test_tanh_balls_nest_across_precisions(net):
    x = [fmpq(1, 2)] * net.input_dim
    lo = evaluate(net, x, prec=30).enclosures
    hi = evaluate(net, x, prec=120).enclosures
    for a, b in zip(lo, hi):
        assert a.overlaps(b)
        assert b.rad() <= a.rad() or b.rad() < arb(2) ** -100
