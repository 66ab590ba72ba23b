"""The greedy bound on proximate rank: an upper bound with a witness within ε."""

from __future__ import annotations

import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.network import Layer, Network
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank


def _net(seed: int, h: int) -> Network:
    rng = random.Random(seed)
    q = lambda lim: fmpq(rng.randint(-10 * lim, 10 * lim), 10)  # noqa: E731
    units = [(q(1), q(2), q(2)) for _ in range(h)]
    return Network("tanh", (Layer(tuple((u[1],) for u in units), tuple(u[2] for u in units)),
                            Layer((tuple(u[0] for u in units),), (fmpq(0),))))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 7), st.sampled_from([fmpq(1, 10), fmpq(1, 4), fmpq(1)]))
def test_the_greedy_value_bounds_the_exact_one_and_its_witness_is_within_eps(seed, h, eps):
    net = _net(seed, h)
    greedy, exact = bound_prank(net, eps), prank(net, eps)
    assert exact.value <= greedy.value <= h
    assert greedy.witness.distance <= eps and greedy.witness.rank == greedy.value
