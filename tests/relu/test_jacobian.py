"""Exact parameter Jacobians: at a smooth point ``F_θ(x)`` is affine in each single parameter while
no preactivation changes sign, so a tiny exact difference quotient equals the derivative exactly."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings

from exactnet.network import forward_exact, preactivations
from exactnet.relu.jacobian import NotSmoothError, jacobian_at, parameter_names, upper_bound

from .nets import random_net, seeds


def _bump(net, q: int, t):
    count = iter(range(10**9))
    return net.map_entries(lambda v: v + t if next(count) == q else v)


def _pattern(net, x):
    return [[v > 0 for v in layer] for layer in preactivations(net, x)]  # the hidden layers


@settings(max_examples=25, deadline=None)
@given(seeds())
def test_jacobian_equals_exact_difference_quotients(seed):
    rnd = random.Random(seed)
    net = random_net(rnd, (2, 3, 2, 1))
    x = [fmpq(rnd.randint(-9, 9), rnd.randint(1, 4)) + fmpq(1, 97) for _ in range(2)]
    try:
        J = jacobian_at(net, x)
    except NotSmoothError:
        return  # not a smooth point: no derivative is claimed there
    t = fmpq(1, 2**80)
    fx = forward_exact(net, x)
    for q in range(net.num_parameters):
        moved = _bump(net, q, t)
        assert _pattern(moved, x) == _pattern(net, x)
        assert [(b - a) / t for a, b in zip(fx, forward_exact(moved, x))] == [row[q] for row in J]


def test_names_and_the_bound():
    net = random_net(random.Random(1), (2, 3, 1))
    assert parameter_names(net)[:3] == ["W1[1,1]", "W1[1,2]", "W1[2,1]"] and len(parameter_names(net)) == 13
    assert upper_bound((2, 3, 1)) == 13 - 3
