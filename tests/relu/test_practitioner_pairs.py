"""Small versions of the practitioner pair families of benchmarks/relu_practitioner_scale.py: a deep
teacher against a retrained (perturbed), pruned, rounded copy and a student of other widths. The
ε and top-1 verdicts agree with the exact region oracle (tests/relu/test_max_difference.py),
witnesses are checked by exact evaluation, and the float proposals of
exactnet/relu/difference_attack.py cannot change an answer."""

from __future__ import annotations

import itertools
import random

import pytest
from flint import fmpq

from exactnet.deadline import Deadline
from exactnet.network import Network, forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.network.domain import Box
from exactnet.relu import difference_attack
from exactnet.relu.difference_attack import FloatNet, difference_candidates, top1_candidates
from exactnet.relu.max_difference import max_difference, within_epsilon
from exactnet.relu.symbolic_bounds import CompiledNet
from exactnet.relu.top1 import top1_equivalent

from .nets import lists, net_from, random_net
from .test_max_difference import oracle


def _teacher(seed: int, widths=(3, 5, 5, 5, 3)) -> Network:
    return random_net(random.Random(seed), list(widths), scale=6, dens=(2, 4, 8))


def _retrained(a: Network, seed: int) -> Network:
    """Every weight and bias multiplied by ``1 + k/64``, ``k ∈ {−1, 0, 1}``."""
    rnd = random.Random(seed)
    return net_from([([[v * (1 + fmpq(rnd.randint(-1, 1), 64)) for v in r] for r in W],
                      [v * (1 + fmpq(rnd.randint(-1, 1), 64)) for v in b]) for W, b in lists(a)])


def _pruned(a: Network) -> Network:
    """The smallest 20 % of every layer's weights set to 0."""
    out = []
    for W, b in lists(a):
        flat = sorted(abs(v) for r in W for v in r)
        cut = flat[len(flat) // 5]
        out.append(([[v if abs(v) >= cut else fmpq(0) for v in r] for r in W], b))
    return net_from(out)


def _rounded(a: Network, bits: int) -> Network:
    """Every weight rounded to a multiple of ``2^-bits`` (a low-precision copy)."""
    def r(v):
        return fmpq(round(v * 2 ** bits), 2 ** bits)
    return net_from([([[r(v) for v in row] for row in W], [r(v) for v in b]) for W, b in lists(a)])


def _box(n: int) -> Box:
    return Box.from_bounds([fmpq(-1, 2)] * n, [fmpq(1, 2)] * n)


def _partners(seed: int):
    a = _teacher(seed)
    student = random_net(random.Random(seed + 1), [3, 8, 3], scale=6, dens=(2, 4))
    return a, [("retrained", _retrained(a, seed)), ("pruned", _pruned(a)), ("rounded", _rounded(a, 2)),
               ("student", student)]


def _diff(a, b, x):
    return [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]


@pytest.mark.parametrize("seed", [3, 11])
def test_epsilon_verdicts_agree_with_the_region_oracle(seed):
    a, partners = _partners(seed)
    box = _box(3)
    for name, b in partners:
        M = max(oracle(a, b, box))
        for eps in {M / 2, M, M * fmpq(257, 256), fmpq(1, 20)}:
            res = within_epsilon(a, b, box, eps)
            assert res.within is (M <= eps), (name, eps)
            if res.within is False:  # the witness is a point of the box with an exact difference above ε
                assert box.contains(res.argmax)
                assert max(abs(v) for v in _diff(a, b, res.argmax)) == res.lower_bound > eps
        exact = max_difference(a, b, box)
        assert exact.value == M and max(abs(v) for v in _diff(a, b, exact.argmax)) == M


def _grid_disagreement(a, b, n, steps=8):
    grid = [fmpq(k, steps) - fmpq(1, 2) for k in range(steps + 1)]
    for x in itertools.product(grid, repeat=n):
        if exact_argmax(forward_exact(a, x))[0] != exact_argmax(forward_exact(b, x))[0]:
            return x
    return None


@pytest.mark.parametrize("seed", [3, 11])
def test_top1_verdicts_with_exact_witnesses(seed):
    a, partners = _partners(seed)
    box = _box(3)
    for name, b in partners:
        res = top1_equivalent(a, b, box)
        if res.equivalent is False:
            x = res.witness
            assert box.contains(x)
            ca, cb = exact_argmax(forward_exact(a, x))[0], exact_argmax(forward_exact(b, x))[0]
            assert ca != cb and res.classes == (ca, cb)
        else:
            assert res.equivalent is True
            assert _grid_disagreement(a, b, 3) is None, name
    assert top1_equivalent(a, a, box).equivalent is True


def test_wrong_float_proposals_do_not_change_answers(monkeypatch):
    """The float networks are replaced by wrong ones (every weight negated): the proposals are then
    useless, and every answer is still the exact one."""
    a, partners = _partners(5)
    partners = [p for p in partners if p[0] in ("rounded", "student")]
    box = _box(3)
    expected = {name: (max_difference(a, b, box).value, top1_equivalent(a, b, box).equivalent)
                for name, b in partners}
    real = FloatNet.of

    def wrong(hat):
        f = real(hat)
        return FloatNet(tuple(-W for W in f.weights), tuple(-b for b in f.biases))

    monkeypatch.setattr(difference_attack.FloatNet, "of", staticmethod(wrong))
    for name, b in partners:
        assert max_difference(a, b, box).value == expected[name][0]
        assert top1_equivalent(a, b, box).equivalent == expected[name][1]


def test_proposals_are_exact_points_of_the_box():
    a, partners = _partners(7)
    box = _box(3)
    fa = FloatNet.of(CompiledNet.of(a).hat)
    for _, b in partners:
        fb = FloatNet.of(CompiledNet.of(b).hat)
        for x in difference_candidates(fa, fb, box.lower, box.upper) + top1_candidates(fa, fb, box.lower, box.upper):
            assert all(isinstance(v, type(fmpq(0))) for v in x) and box.contains(x)


def test_attack_finds_the_planted_spike():
    """B equals A except on a thin slab around x_0 = 0.3 (a spike of height 1 and width 2^-8), where
    random sampling rarely lands; ascent on the difference climbs to it, so ε = 1/2 is refused at once
    with an exact witness."""
    w = fmpq(1, 256)
    # spike(x) = relu(x−0.3+w) − 2 relu(x−0.3) + relu(x−0.3−w), height w at 0.3; scaled by 1/w
    hidden = [([1, 0], -fmpq(3, 10) + w), ([1, 0], -fmpq(3, 10)), ([1, 0], -fmpq(3, 10) - w), ([0, 1], 0)]
    a = Network.from_lists("relu", [([h[0] for h in hidden], [h[1] for h in hidden]), ([[0, 0, 0, 1]], [0])])
    b = Network.from_lists("relu", [([h[0] for h in hidden], [h[1] for h in hidden]),
                                    ([[1 / w, -2 / w, 1 / w, 1]], [0])])
    box = Box.from_bounds([0, 0], [1, 1])
    res = within_epsilon(a, b, box, fmpq(1, 2))
    assert res.within is False and max(abs(v) for v in _diff(a, b, res.argmax)) > fmpq(1, 2)
    assert max_difference(a, b, box).value == 1


def test_high_dimensional_unknown_interval_is_valid():
    """A 40-input pair under a short time limit: whether or not the search finishes, the answer is an
    exact interval that contains every value the difference takes (checked at random points), with the
    lower end attained at ``argmax``."""
    rnd = random.Random(2)
    a = random_net(rnd, [40, 12, 12, 4], scale=5, dens=(4, 8))
    b = _rounded(a, 1)
    box = Box.from_bounds([0] * 40, [1] * 40)
    res = max_difference(a, b, box, deadline=Deadline.after(2.0))
    assert res.lower_bound is not None and box.contains(res.argmax)
    assert max(abs(v) for v in _diff(a, b, res.argmax)) == res.lower_bound
    if res.complete:
        assert res.value == res.lower_bound == res.upper_bound
    for _ in range(30):
        x = [fmpq(rnd.randint(0, 8), 8) for _ in range(40)]
        v = max(abs(t) for t in _diff(a, b, x))
        assert v <= (res.upper_bound if res.upper_bound is not None else v)
        assert res.value is None or v <= res.value
