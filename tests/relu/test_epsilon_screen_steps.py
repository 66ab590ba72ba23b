"""The exact steps of the ε screen (``exactnet/relu/epsilon_screen.py``) against plain interval
arithmetic written entry by entry: the ranges, the difference intervals and the compiled signed
parts are exactly the textbook values (the screen computes them with matrix products, numerator
sign tests and halving by a constant); the gradient corners are points of the box, and they find a
difference that is zero around the centre (a changed unit inactive there) without the ascent."""

from __future__ import annotations

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu import epsilon_screen as S
from exactnet.relu.difference_attack import FloatNet
from exactnet.relu.symbolic_bounds import CompiledNet
from tests.relu.test_max_difference import net, perturbed_pair

ZERO = fmpq(0)


def _interval_product(w, lo, hi):
    """``[min, max]`` of ``w·t`` for ``t ∈ [lo, hi]``."""
    return (w * lo, w * hi) if w >= 0 else (w * hi, w * lo)


def _affine_interval(weights, bias, los, his):
    lo = hi = bias
    for w, l, h in zip(weights, los, his):
        p, q = _interval_product(w, l, h)
        lo, hi = lo + p, hi + q
    return lo, hi


def reference_ranges(net: Network, lower, upper):
    """Per hidden layer, ``[lo_i, hi_i]`` of every preactivation by interval arithmetic."""
    los, his = list(lower), list(upper)
    out = []
    for layer in net.layers[:-1]:
        rows = [_affine_interval(r, b, los, his) for r, b in zip(layer.weight, layer.bias)]
        out.append(rows)
        los = [max(ZERO, l) for l, _ in rows]
        his = [max(ZERO, h) for _, h in rows]
    return out


def reference_difference_bounds(a: Network, b: Network, lower, upper):
    """``[lo_k, hi_k] ∋ A_k − B_k`` by the difference intervals (ReluDiff), entry by entry:
    ``z^A − z^B = W^A δ + (W^A − W^B) h^B + (b^A − b^B)``, ``δ`` the hidden differences."""
    ra, rb = reference_ranges(a, lower, upper), reference_ranges(b, lower, upper)
    dl = [ZERO] * len(lower)
    du = [ZERO] * len(lower)
    hl, hu = list(lower), list(upper)
    for idx, (la, lb) in enumerate(zip(a.layers, b.layers)):
        rows = []
        for ra_row, rb_row, ba, bb in zip(la.weight, lb.weight, la.bias, lb.bias):
            p = _affine_interval(ra_row, ZERO, dl, du)
            q = _affine_interval([x - y for x, y in zip(ra_row, rb_row)], ba - bb, hl, hu)
            rows.append((p[0] + q[0], p[1] + q[1]))
        if idx == len(a.layers) - 1:
            return rows
        dl, du = [], []
        for (lo, hi), (al, ah), (bl, bh) in zip(rows, ra[idx], rb[idx]):
            if al >= 0 and bl >= 0:
                dl.append(lo), du.append(hi)
            elif ah <= 0 and bh <= 0:
                dl.append(ZERO), du.append(ZERO)
            else:
                dl.append(min(ZERO, lo)), du.append(max(ZERO, hi))
        hl = [max(ZERO, l) for l, _ in rb[idx]]
        hu = [max(ZERO, h) for _, h in rb[idx]]
    raise AssertionError("unreachable")


BOUNDS = st.sampled_from([fmpq(-1), fmpq(-1, 3), ZERO, fmpq(1, 7), fmpq(1, 2), fmpq(5, 4)])


@st.composite
def box(draw, n):
    lower, upper = [], []
    for _ in range(n):
        lo = draw(BOUNDS)
        lower.append(lo)
        upper.append(lo + draw(st.sampled_from([fmpq(1, 1024), fmpq(1, 5), fmpq(1), fmpq(3, 2)])))
    return Box.from_bounds(lower, upper)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 2), st.data())
def test_ranges_are_the_interval_arithmetic_ranges(n, m, data):
    a = data.draw(net(n, m))
    dom = data.draw(box(n))
    ca = CompiledNet.of(a)
    rng = S.ranges(ca, S._abs_weights(ca), dom.lower, dom.upper)
    ref = reference_ranges(a, dom.lower, dom.upper)
    assert [list(zip(lo, hi)) for lo, hi in zip(rng.lo, rng.hi)] == ref
    x = tuple(data.draw(st.sampled_from([l, u, (l + u) / 2])) for l, u in zip(dom.lower, dom.upper))
    h = list(x)
    for layer, rows in zip(a.layers[:-1], ref):  # and they contain the preactivations at a point of the box
        z = [sum((w * v for w, v in zip(r, h)), b) for r, b in zip(layer.weight, layer.bias)]
        assert all(lo <= t <= hi for t, (lo, hi) in zip(z, rows))
        h = [max(ZERO, t) for t in z]


@settings(max_examples=60, deadline=None)
@given(perturbed_pair(), st.data())
def test_difference_bounds_are_the_interval_arithmetic_bounds(ab, data):
    a, b = ab
    dom = data.draw(box(a.input_dim))
    ca, cb = CompiledNet.of(a), CompiledNet.of(b)
    absa, absb = S._abs_weights(ca), S._abs_weights(cb)
    ra, rb = S.ranges(ca, absa, dom.lower, dom.upper), S.ranges(cb, absb, dom.lower, dom.upper)
    got = S.difference_bounds(ca, cb, absa, ra, rb, dom.lower, dom.upper)
    assert [tuple(t) for t in got] == reference_difference_bounds(a, b, dom.lower, dom.upper)
    x = tuple(data.draw(st.sampled_from([l, u, (l + u) / 2])) for l, u in zip(dom.lower, dom.upper))
    d = [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]
    assert all(lo <= v <= hi for v, (lo, hi) in zip(d, got))
    assert S.forward_batch(ca, [x])[0] == list(forward_exact(a, x))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.data())
def test_compiled_signed_parts(n, m, data):
    a = data.draw(net(n, m))
    c = CompiledNet.of(a)
    for layer, hat, pos, neg in zip(a.layers, c.hat, c.pos, c.neg):
        k = layer.in_dim + 1
        for i, (row, bias) in enumerate(zip(layer.weight, layer.bias)):
            assert [hat[i, j] for j in range(k)] == list(row) + [bias]
            assert [pos[i, j] for j in range(k)] == [max(ZERO, w) for w in row] + [bias]
            assert [neg[i, j] for j in range(k)] == [min(ZERO, w) for w in row] + [ZERO]


@settings(max_examples=40, deadline=None)
@given(perturbed_pair(), st.data())
def test_gradient_corners_are_distinct_points_of_the_box_other_than_the_centre(ab, data):
    a, b = ab
    dom = data.draw(box(a.input_dim))
    ca, cb = CompiledNet.of(a), CompiledNet.of(b)
    pts = S.gradient_corners(FloatNet.of(ca.hat), FloatNet.of(cb.hat), dom.lower, dom.upper)
    centre = tuple((l + u) / 2 for l, u in zip(dom.lower, dom.upper))
    assert len(pts) <= S.FLOAT_KEEP and len(set(pts)) == len(pts)
    assert all(dom.contains(p) and p != centre for p in pts)


@pytest.mark.parametrize("k", [20, 30, 40])
def test_a_difference_zero_around_the_centre_is_found_by_the_corners(k, monkeypatch):
    """``A = relu(x_0 − 1/2)``, ``B = relu(x_0 − 1/2 + 2^-k x_1)`` on ``[−1, 1]²``: both units are
    inactive at the centre (every gradient of the difference is 0 there) and ``M = 2^-k`` (at
    ``x_0 = 1``, ``x_1 = ±1``). Just below ``M`` the corners from the spread starting points answer
    no, exactly, without the ascent."""
    delta = fmpq(1, 2 ** k)
    a = Network.from_lists("relu", [([[1, 0]], [fmpq(-1, 2)]), ([[1]], [0])])
    b = Network.from_lists("relu", [([[1, delta]], [fmpq(-1, 2)]), ([[1]], [0])])
    dom = Box.from_bounds([-1, -1], [1, 1])
    monkeypatch.setattr(S, "ascent_candidates", lambda *args, **kw: pytest.fail("the ascent ran"))
    ans = S.screen(CompiledNet.of(a), CompiledNet.of(b), dom.lower, dom.upper, delta * (1 - fmpq(1, 256)))
    assert (ans.within, ans.how, ans.lower) == (False, "witness", delta)
    assert dom.contains(ans.point)
    assert abs(forward_exact(a, ans.point)[0] - forward_exact(b, ans.point)[0]) == delta
