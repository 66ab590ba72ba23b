"""The maximum difference of two one-hidden-layer tanh networks on a box (docs/tanh.md § Maximum
difference on a box): the enclosure contains the true maximum (dense sampling with arb), reaches
the requested width, and is exactly [0, 0] for equivalent networks."""

import itertools
import random

import pytest
from flint import arb, fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline
from exactnet.errors import InputError
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.numbers.algebraic import working_precision
from exactnet.tanh.max_difference import difference_parameter, max_difference_enclosure


def value(net: Network, x) -> list[arb]:
    """``net(x)`` as arb balls, written independently of the module under test."""
    with working_precision(128):
        (W, b), (V, c) = [(layer.weight, layer.bias) for layer in net.layers]
        h = [(sum((arb(w) * arb(v) for w, v in zip(row, x)), arb(0)) + arb(bb)).tanh() for row, bb in zip(W, b)]
        return [sum((arb(v) * t for v, t in zip(row, h)), arb(0)) + arb(cc) for row, cc in zip(V, c)]


def sup_norm_lower(a, b, x) -> fmpq:
    """An exact rational below ‖A(x) − B(x)‖_∞ (from the balls)."""
    best = fmpq(0)
    for u, v in zip(value(a, x), value(b, x)):
        d = u - v
        lo = d.lower() if d > 0 else (-d).lower() if d < 0 else None
        if lo is not None:
            m, e = lo.man_exp()
            q = fmpq(int(m)) * fmpq(2) ** int(e) if int(e) >= 0 else fmpq(int(m), 1 << -int(e))
            best = max(best, q)
    return best


def random_tanh(rnd, n, h, m):
    def q():
        return fmpq(rnd.randint(-12, 12), rnd.choice([1, 2, 3, 4, 8]))

    return Network.from_lists("tanh", [([[q() for _ in range(n)] for _ in range(h)], [q() for _ in range(h)]),
                                       ([[q() for _ in range(h)] for _ in range(m)], [q() for _ in range(m)])])


def grid(box: Box, k: int):
    axes = [[l + (u - l) * fmpq(i, k) for i in range(k + 1)] for l, u in zip(box.lower, box.upper)]
    return itertools.product(*axes)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2))
def test_the_enclosure_contains_every_sampled_value_and_reaches_the_width(seed, n, ha, hb, m):
    rnd = random.Random(seed)
    a, b = random_tanh(rnd, n, ha, m), random_tanh(rnd, n, hb, m)
    box = Box.from_bounds([-1] * n, [fmpq(rnd.randint(1, 4), 2)] * n)
    width = fmpq(1, 200)
    res = max_difference_enclosure(a, b, box, width)
    assert res.width_reached and res.lower <= res.upper and res.upper - res.lower <= width
    assert box.contains(res.witness)
    # the witness really attains at least `lower` (independent arb evaluation)
    for u, v, d in zip(value(a, res.witness), value(b, res.witness), res.witness_difference):
        assert (u - v).overlaps(d)
    # every sampled value lies below the maximum, hence below `upper`
    for x in grid(box, 40 if n == 1 else 12):
        assert sup_norm_lower(a, b, x) <= res.upper


def test_equivalent_networks_give_exactly_zero():
    a = Network.from_lists("tanh", [([[1, 2], [2, -1], [0, 1]], [0, "1/2", 3]),
                                    ([[1, -1, 0], [2, "1/3", 0]], [0, 1])])
    # units permuted, the second negated, the first split into two halves, a dead unit added
    b = Network.from_lists("tanh", [([[-2, 1], [1, 2], [1, 2], [5, 5]], ["-1/2", 0, 0, 1]),
                                    ([[1, "1/2", "1/2", 0], ["-1/3", 1, 1, 0]], [0, 1])])
    res = max_difference_enclosure(a, b, Box.from_bounds([-3, -3], [3, 3]), fmpq(1, 10**9))
    assert (res.lower, res.upper) == (0, 0) and res.units == 0 and res.width_reached
    assert difference_parameter(a, b).width == 0


def test_a_constant_difference_is_exact():
    a = Network.from_lists("tanh", [([[1]], [0]), ([[1], [2]], [0, "1/3"])])
    b = Network.from_lists("tanh", [([[1]], [0]), ([[1], [2]], ["1/2", "-1/4"])])
    res = max_difference_enclosure(a, b, Box.from_bounds([0], [1]), fmpq(1, 10))
    assert res.lower == res.upper == fmpq(7, 12)  # |1/3 + 1/4| on the second output


def test_one_unit_of_difference_reaches_tanh_2():
    # A − B = tanh(x) on [−1, 2]: the maximum is tanh(2), at x = 2
    a = Network.from_lists("tanh", [([[1], [3]], [0, 1]), ([[1, 1]], [0])])
    b = Network.from_lists("tanh", [([[3]], [1]), ([[1]], [0])])
    res = max_difference_enclosure(a, b, Box.from_bounds([-1], [2]), fmpq(1, 10**12))
    assert res.width_reached and res.units == 1 and res.witness == (fmpq(2),)
    with working_precision(200):
        t = arb(2).tanh()
        assert arb(res.lower) <= t <= arb(res.upper)


def test_a_one_ulp_change_is_measured():
    # one first-layer weight changed by 2^-30: the maximum difference is tiny but not zero
    a = Network.from_lists("tanh", [([[1, 2], [2, -1]], [0, "1/2"]), ([[1, -1]], [0])])
    b = Network.from_lists("tanh", [([[1, 2], [2, fmpq(-1) + fmpq(1, 2**30)]], [0, "1/2"]), ([[1, -1]], [0])])
    # A − B = tanh(u + εx₂) − tanh(u) with u = 2x₁ − x₂ + 1/2, ε = 2^-30: the maximum is tanh(ε)
    # (u = 0, x₂ = ±1; by the mean value theorem it is at most ε·max|x₂|·sech² ≤ ε)
    res = max_difference_enclosure(a, b, Box.from_bounds([-1, -1], [1, 1]), fmpq(1, 2**40))
    eps = fmpq(1, 2**30)
    assert res.width_reached and res.units == 2
    assert eps - eps ** 3 - fmpq(1, 2**40) <= res.lower <= res.upper <= eps + fmpq(1, 2**40)


def test_deadline_still_gives_a_valid_interval():
    rnd = random.Random(5)
    a, b = random_tanh(rnd, 2, 6, 2), random_tanh(rnd, 2, 6, 2)
    res = max_difference_enclosure(a, b, Box.from_bounds([-2, -2], [2, 2]), fmpq(1, 10**30),
                                   deadline=Deadline.after(0.2))
    assert not res.width_reached and "time limit" in res.note and res.lower <= res.upper
    for x in grid(Box.from_bounds([-2, -2], [2, 2]), 8):
        assert sup_norm_lower(a, b, x) <= res.upper


def test_bad_input():
    a = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(InputError, match="width"):
        max_difference_enclosure(a, a, Box.from_bounds([0], [1]), 0)
    with pytest.raises(InputError, match="dimension"):
        max_difference_enclosure(a, a, Box.from_bounds([0, 0], [1, 1]), fmpq(1, 10))
    relu = Network.from_lists("relu", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(Exception, match="tanh"):
        max_difference_enclosure(relu, a, Box.from_bounds([0], [1]), fmpq(1, 10))
