"""The back-substituted difference bounds of exactnet/relu/backsub_bounds.py are upper bounds: on random
pairs (same widths) and random sub-boxes the exact bound of every target is at least the exact
difference at every sampled point (the vertices and grid points of the box) and at least the exact
maximum of exactnet.relu.max_difference; the float64 run proposes the same numbers; the box
splitting that uses them gives the same exact answers, also when the float proposals are wrong."""

from __future__ import annotations

import itertools
import random

import pytest
from flint import fmpq
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exactnet.network import forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.network.domain import Box
from exactnet.relu.backsub_bounds import BacksubBounds, BacksubPair
from exactnet.relu.box_bounds import CompiledPair, box_bounds
from exactnet.relu.symbolic_bounds import CompiledNet

from .nets import lists, net_from, random_net


def perturbed(a, rnd, size=2):
    return net_from([([[v + fmpq(rnd.randint(-size, size), 16) for v in r] for r in W],
                      [v + fmpq(rnd.randint(-size, size), 16) for v in b]) for W, b in lists(a)])


def random_pair(rnd, widths):
    a = random_net(rnd, widths, scale=5, dens=(1, 2, 4))
    return a, perturbed(a, rnd)


def random_box(rnd, n):
    lower = [fmpq(rnd.randint(-8, 4), 8) for _ in range(n)]
    return lower, [lo + fmpq(rnd.randint(1, 8), 8) for lo in lower]


def points(lower, upper, rnd, k=30):
    yield from itertools.product(*zip(lower, upper))  # the vertices (the maximisers of the final forms)
    for _ in range(k):
        yield tuple(lo + (hi - lo) * fmpq(rnd.randint(0, 16), 16) for lo, hi in zip(lower, upper))


def pair_of(a, b) -> BacksubPair:
    return BacksubPair(CompiledNet.of(a).hat, CompiledNet.of(b).hat)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from([[2, 4, 3, 2], [3, 5, 5, 4, 2], [1, 3, 3, 1], [2, 6, 1]]))
@example(55228659, [1, 3, 3, 1])  # a unit with z^A = 0 exactly (both "active" and "inactive")
def test_exact_bound_encloses_the_difference_at_every_sampled_point(seed, widths):
    rnd = random.Random(seed)
    a, b = random_pair(rnd, widths)
    lower, upper = random_box(rnd, widths[0])
    pair = pair_of(a, b)
    exact = pair.exact_bounds(lower, upper)
    approx = pair.float_bounds(lower, upper)
    assert len(exact.upper) == 2 * widths[-1]
    for e, f in zip(exact.upper, approx.upper):  # the float run proposes the same numbers
        assert abs(float(e) - f) <= 1e-6 * (1 + abs(f))
    for x in points(lower, upper, rnd):
        ya, yb = forward_exact(a, x), forward_exact(b, x)
        for k in range(widths[-1]):
            assert ya[k] - yb[k] <= exact.upper[2 * k]
            assert yb[k] - ya[k] <= exact.upper[2 * k + 1]
        # the classes picked at every point are among the possible classes
        assert exact_argmax(ya)[0] in exact.classes_a and exact_argmax(yb)[0] in exact.classes_b


@pytest.mark.parametrize("seed", range(6))
def test_exact_bound_is_at_least_the_exact_maximum(seed):
    from exactnet.relu.max_difference import max_difference

    rnd = random.Random(100 + seed)
    a, b = random_pair(rnd, [2, 4, 4, 2])
    lower, upper = random_box(rnd, 2)
    res = max_difference(a, b, Box.from_bounds(lower, upper))
    assert res.complete
    bounds = pair_of(a, b).exact_bounds(lower, upper).upper
    for k, mk in enumerate(res.per_output):
        assert max(bounds[2 * k], bounds[2 * k + 1]) >= mk
    # the maximum is attained: some target's bound is at least the value at the argmax
    ya, yb = forward_exact(a, res.argmax), forward_exact(b, res.argmax)
    assert max(abs(p - q) for p, q in zip(ya, yb)) == res.value


def test_back_substitution_is_tighter_than_forward_forms_on_a_deep_nearby_pair():
    """Two nearby 6-layer networks: the forward symbolic difference forms grow with depth, the
    back-substituted ones keep the cancellations (the reason for this module)."""
    rnd = random.Random(7)
    a = random_net(rnd, [3, 8, 8, 8, 8, 8, 2], scale=4, dens=(4, 8))
    b = perturbed(a, rnd, size=1)
    lower, upper = [fmpq(-1)] * 3, [fmpq(1)] * 3
    ha, hb = CompiledNet.of(a).hat, CompiledNet.of(b).hat
    back = pair_of(a, b).exact_bounds(lower, upper).upper
    fwd = box_bounds(CompiledPair(ha, hb, exact=True), lower, upper).upper
    assert max(back) < max(fwd)


def test_equal_networks_have_zero_bounds_and_a_payload_per_hidden_layer():
    rnd = random.Random(3)
    a = random_net(rnd, [2, 4, 3, 2], scale=5)
    res = pair_of(a, a).exact_bounds([fmpq(-1), fmpq(0)], [fmpq(1), fmpq(1, 2)])
    assert all(v == 0 for v in res.upper)
    assert len(res.payload.layers) == 2 and all(len(layer["dl"]) == w for layer, w in zip(res.payload.layers, (4, 3)))


def test_different_widths_are_not_back_substituted():
    rnd = random.Random(4)
    a, b = random_net(rnd, [2, 3, 2]), random_net(rnd, [2, 4, 2])
    assert not BacksubPair.applies(CompiledNet.of(a).hat, CompiledNet.of(b).hat)
    assert BacksubPair.applies(CompiledNet.of(a).hat, CompiledNet.of(a).hat)


def _wrong(self, lower, upper):
    """A float proposal that is wrong in every way: every bound 0 (every box looks prunable), no
    unstable unit, arbitrary vertices."""
    n, m = len(lower), len(self._float.widths) and self._float.widths[-1]
    return BacksubBounds(tuple([0.0] * (2 * m)), 0, tuple((0,) * n for _ in range(2 * m)), tuple([1.0] * n))


@pytest.mark.parametrize("seed", range(4))
def test_wrong_float_proposals_only_delay_the_box_splitting(seed, monkeypatch):
    from exactnet.relu.max_difference import max_difference, within_epsilon

    rnd = random.Random(200 + seed)
    a, b = random_pair(rnd, [2, 5, 4, 2])
    box = Box.from_bounds(*random_box(rnd, 2))
    right = max_difference(a, b, box)
    assert right.complete
    eps = right.value * fmpq(9, 10)
    right_eps = within_epsilon(a, b, box, eps)
    monkeypatch.setattr(BacksubPair, "float_bounds", _wrong)
    wrong = max_difference(a, b, box)
    assert wrong.complete and wrong.value == right.value
    assert wrong.per_output == right.per_output
    wrong_eps = within_epsilon(a, b, box, eps)
    assert wrong_eps.within is right_eps.within is False


@pytest.mark.parametrize("seed", range(4))
def test_epsilon_verdicts_agree_with_the_exact_maximum(seed):
    """Box splitting with the back-substituted strategy: ``within_epsilon`` says yes exactly when the
    exact maximum is at most ε (ε just above and just below the maximum)."""
    from exactnet.relu.max_difference import max_difference, within_epsilon

    rnd = random.Random(300 + seed)
    a, b = random_pair(rnd, [3, 6, 6, 6, 2])
    box = Box.from_bounds(*random_box(rnd, 3))
    M = max_difference(a, b, box).value
    assert within_epsilon(a, b, box, M).within is True
    if M > 0:
        below = within_epsilon(a, b, box, M - fmpq(1, 10**6))
        assert below.within is False and below.lower_bound > M - fmpq(1, 10**6)


def _wrong_classes(self, lower, upper):
    """A wrong top-1 proposal: both networks can only pick class 0 (so every box looks settled)."""
    n, m = len(lower), self._float.widths[-1]
    return BacksubBounds(tuple([0.0] * (2 * m)), 0, tuple((0,) * n for _ in range(2 * m)), tuple([1.0] * n),
                         None, (0,), (0,))


@pytest.mark.parametrize("seed", range(6))
def test_top1_with_wrong_class_proposals_gives_the_same_verdict(seed, monkeypatch):
    """Top-1 equivalence with the back-substituted class bounds: the verdict (and a witness whose
    exact classes differ) does not change when the float class proposals are wrong."""
    from exactnet.relu.top1 import top1_equivalent

    rnd = random.Random(400 + seed)
    a, b = random_pair(rnd, [2, 5, 5, 3])
    box = Box.from_bounds(*random_box(rnd, 2))
    right = top1_equivalent(a, b, box)
    monkeypatch.setattr(BacksubPair, "float_bounds", _wrong_classes)
    wrong = top1_equivalent(a, b, box)
    assert right.equivalent is not None and wrong.equivalent is right.equivalent
    for res in (right, wrong):
        if res.equivalent is False:
            x = res.witness
            assert box.contains(x)
            assert exact_argmax(forward_exact(a, x))[0] != exact_argmax(forward_exact(b, x))[0]
