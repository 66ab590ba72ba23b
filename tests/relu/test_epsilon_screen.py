"""The exact screen of the ε question (``exactnet/relu/epsilon_screen.py``) against the region oracle:
whenever it answers, its answer is the complete path's; its closed form is the exact maximum on
boxes where every unit is stable; it refuses the closed form when a unit that does not cancel is
unstable."""

from __future__ import annotations

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu import epsilon_screen as S
from exactnet.relu.max_difference import max_difference, within_epsilon
from exactnet.relu.symbolic_bounds import CompiledNet
from tests.relu.test_max_difference import Q, net, oracle, perturbed_pair


def _box(n):
    return Box.from_bounds([-1] * n, [fmpq(1, 2)] * n)


def _diff(a, b, x):
    return [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]


def _screen(a, b, box, eps):
    return S.screen(CompiledNet.of(a), CompiledNet.of(b), box.lower, box.upper, fmpq(eps))


def _assert_sound(a, b, box, eps, M, ans):
    """A settled answer is the true one, with a witness in the box or a bound between M and ε."""
    if ans.within is None:
        assert ans.point is None or box.contains(ans.point)
        return
    assert ans.within == (M <= eps)
    assert box.contains(ans.point) and max(abs(v) for v in _diff(a, b, ans.point)) == ans.lower
    if ans.within:
        assert ans.lower <= M <= ans.upper <= eps
    else:
        assert ans.lower > eps
    if ans.how == "closed_form":
        assert ans.exact_maximum == M == ans.lower


EPS = st.sampled_from(["tie", "below", "above", "half", "zero"])


def _eps(M, kind):
    return {"tie": M, "below": M - fmpq(1, 1000), "above": M + fmpq(1, 1000), "half": M / 2, "zero": fmpq(0)}[kind]


@settings(max_examples=40, deadline=None)
@given(perturbed_pair(), EPS)
def test_the_screen_agrees_with_the_region_oracle_on_same_width_pairs(ab, kind):
    a, b = ab
    box = _box(a.input_dim)
    M = max(oracle(a, b, box))
    eps = _eps(M, kind)
    if eps < 0:
        return
    _assert_sound(a, b, box, eps, M, _screen(a, b, box, eps))
    assert within_epsilon(a, b, box, eps).within == (M <= eps)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 2), st.integers(1, 2), st.data(), EPS)
def test_the_screen_agrees_with_the_region_oracle_on_pairs_of_other_widths(n, m, data, kind):
    a = data.draw(net(n, m, [2]))
    b = data.draw(net(n, m, [3, 1]))
    box = _box(n)
    M = max(oracle(a, b, box))
    eps = _eps(M, kind)
    if eps < 0:
        return
    _assert_sound(a, b, box, eps, M, _screen(a, b, box, eps))
    assert within_epsilon(a, b, box, eps).within == (M <= eps)


@st.composite
def stable_net(draw, n, m, hidden):
    """Every hidden unit stable on ``[-1, 1/2]^n``: its bias is ``±(Σ|w| + 1)`` after ReLUs of at most
    the layer's bound (active units pass their input through, inactive ones give 0)."""
    widths = [n] + hidden + [m]
    layers = []
    bound = fmpq(1)  # |every input of the layer| ≤ bound
    for idx, (k, w) in enumerate(zip(widths, widths[1:])):
        weight = [[draw(Q) for _ in range(k)] for _ in range(w)]
        if idx == len(widths) - 2:
            bias = [draw(Q) for _ in range(w)]
        else:
            bias = []
            for row in weight:
                margin = sum((abs(v) for v in row), fmpq(0)) * bound + 1
                bias.append(margin if draw(st.booleans()) else -margin)
            bound = max(sum((abs(v) for v in row), fmpq(0)) * bound + abs(c) for row, c in zip(weight, bias))
        layers.append((weight, bias))
    return Network.from_lists("relu", layers)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 2), st.data())
def test_the_closed_form_is_the_exact_maximum_when_every_unit_is_stable(n, m, data):
    hidden = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    a = data.draw(stable_net(n, m, hidden))
    b = data.draw(stable_net(n, m, data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))))
    box = _box(n)
    na, nb = CompiledNet.of(a), CompiledNet.of(b)
    ra = S.ranges(na, S._abs_weights(na), box.lower, box.upper)
    rb = S.ranges(nb, S._abs_weights(nb), box.lower, box.upper)
    forms = S.affine_difference(na, nb, ra, rb, n)
    assert forms is not None
    M, x = S.closed_form_maximum(forms, box.lower, box.upper)
    assert M == max_difference(a, b, box).value
    assert box.contains(x) and max(abs(v) for v in _diff(a, b, x)) == M
    tie = _screen(a, b, box, M)
    assert (tie.within, tie.how, tie.upper) == (True, "closed_form", M)
    if M > 0:
        below = _screen(a, b, box, M - fmpq(1, 10 ** 6))
        assert (below.within, below.how) == (False, "closed_form")


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 2), st.integers(1, 2), st.sampled_from([20, 30, 40]), st.data())
def test_near_zero_perturbations_are_decided_as_by_the_search(n, m, k, data):
    a = data.draw(net(n, m, data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))))
    layers = [(list(map(list, L.weight)), list(L.bias)) for L in a.layers]
    layers[0][0][0][0] += fmpq(1, 2 ** k)
    b = Network.from_lists("relu", layers)
    box = _box(n)
    M = max_difference(a, b, box).value
    assert M == max(oracle(a, b, box))
    for eps in {M, M * (1 - fmpq(1, 256)), M * (1 + fmpq(1, 256))}:
        _assert_sound(a, b, box, eps, M, _screen(a, b, box, eps))
        assert within_epsilon(a, b, box, eps).within == (M <= eps)


def _one_unit(w_in, out):
    return Network.from_lists("relu", [([[fmpq(w_in)]], [fmpq(0)]), ([[fmpq(out)]], [fmpq(0)])])


def test_an_unstable_unit_that_does_not_cancel_refuses_the_closed_form():
    box = Box.from_bounds([-1], [1])
    a, b = _one_unit(1, 1), _one_unit(1, 2)  # relu(x) against 2 relu(x): the shared unit does not cancel
    na, nb = CompiledNet.of(a), CompiledNet.of(b)
    ra = S.ranges(na, S._abs_weights(na), box.lower, box.upper)
    rb = S.ranges(nb, S._abs_weights(nb), box.lower, box.upper)
    assert S.affine_difference(na, nb, ra, rb, 1) is None
    c = _one_unit(2, 1)  # relu(2x): not shared with relu(x)
    nc = CompiledNet.of(c)
    rc = S.ranges(nc, S._abs_weights(nc), box.lower, box.upper)
    assert S.affine_difference(na, nc, ra, rc, 1) is None
    # the same unstable unit with equal outgoing weights cancels: A − A' is the constant bias difference
    d = Network.from_lists("relu", [([[fmpq(1)]], [fmpq(0)]), ([[fmpq(1)]], [fmpq(1, 3)])])
    nd = CompiledNet.of(d)
    rd = S.ranges(nd, S._abs_weights(nd), box.lower, box.upper)
    assert S.affine_difference(na, nd, ra, rd, 1) == [[0, fmpq(-1, 3)]]
    # the screen still answers exactly where it can (relu(x) vs 2relu(x): M = 1 at x = 1)
    assert within_epsilon(a, b, box, 1).within is True
    assert within_epsilon(a, b, box, fmpq(99, 100)).within is False


def test_polish_never_loses_value_and_stays_in_the_box():
    a = Network.from_lists("relu", [([[fmpq(1), fmpq(-1)], [fmpq(1), fmpq(1)]], [fmpq(0), fmpq(-1, 2)]),
                                    ([[fmpq(1), fmpq(2)]], [fmpq(0)])])
    b = Network.from_lists("relu", [([[fmpq(1), fmpq(-1)], [fmpq(1), fmpq(1)]], [fmpq(0), fmpq(-1, 2)]),
                                    ([[fmpq(1), fmpq(1)]], [fmpq(0)])])
    box = Box.from_bounds([-1, -1], [1, 1])
    na, nb = CompiledNet.of(a), CompiledNet.of(b)
    ra = S.ranges(na, S._abs_weights(na), box.lower, box.upper)
    rb = S.ranges(nb, S._abs_weights(nb), box.lower, box.upper)
    start = (fmpq(1, 2), fmpq(1, 4))  # the second unit active there: d = relu(x + y − 1/2)
    y = S.polish(na, nb, ra, rb, box.lower, box.upper, start, (0, 1))
    assert box.contains(y)
    assert _diff(a, b, y)[0] >= _diff(a, b, start)[0]
    assert _diff(a, b, y)[0] == max_difference(a, b, box).value == fmpq(3, 2)


@pytest.mark.parametrize("certificate", [False, True])
def test_certificates_come_from_the_search(certificate):
    a, b = _one_unit(1, 1), _one_unit(1, 2)
    box = Box.from_bounds([-1], [1])
    res = within_epsilon(a, b, box, 2, certificate=certificate)
    assert res.within is True
    assert ("screen" in res.stats) is (not certificate)
    if certificate:
        assert res.certificate_nodes or res.certificate_boxes


@settings(max_examples=30, deadline=None)
@given(perturbed_pair(), EPS, st.sampled_from([8, 48]))
def test_input_splitting_proves_only_true_bounds_and_finds_only_true_witnesses(ab, kind, budget):
    a, b = ab
    box = _box(a.input_dim)
    M = max(oracle(a, b, box))
    eps = _eps(M, kind)
    if eps < 0:
        return
    proved, found = S.split_bound(CompiledNet.of(a), CompiledNet.of(b), box.lower, box.upper, eps, "inf", budget)
    if proved:
        assert M <= found <= eps
    elif proved is False:
        value, x = found
        assert M > eps and value > eps and box.contains(x) and max(abs(v) for v in _diff(a, b, x)) == value
    else:
        assert found is None


def _seeded_pair(seed, n=3, hidden=6, m=2):
    """A ReLU network with dyadic weights and a copy with every weight moved by up to 1/64 (a
    quantisation-like partner): the interval bound alone is too loose for ε just above M."""
    import random

    rng = random.Random(seed)
    widths = [n, hidden, m]
    layers_a, layers_b = [], []
    for k, w in zip(widths, widths[1:]):
        W = [[fmpq(rng.randint(-32, 32), 32) for _ in range(k)] for _ in range(w)]
        bias = [fmpq(rng.randint(-8, 8), 32) for _ in range(w)]
        layers_a.append((W, bias))
        layers_b.append(([[v + fmpq(rng.randint(-1, 1), 64) for v in row] for row in W], bias))
    return Network.from_lists("relu", layers_a), Network.from_lists("relu", layers_b)


@pytest.mark.parametrize("seed", range(6))
def test_input_splitting_on_quantisation_like_pairs_agrees_with_the_search(seed):
    a, b = _seeded_pair(seed)
    box = Box.from_bounds([0] * 3, [1] * 3)
    M = max_difference(a, b, box).value
    na, nb = CompiledNet.of(a), CompiledNet.of(b)
    for eps in (M * (1 + fmpq(1, 64)), M * (1 + fmpq(1, 256)), M, M * (1 - fmpq(1, 256))):
        proved, found = S.split_bound(na, nb, box.lower, box.upper, eps, "inf", 200)
        if proved:
            assert M <= found <= eps
        elif proved is False:
            assert M > eps and max(abs(v) for v in _diff(a, b, found[1])) == found[0] > eps
        assert within_epsilon(a, b, box, eps).within == (M <= eps)
