"""The optimised exact back-substitution of exactnet/relu/backsub_bounds.py returns exactly what the
pre-optimisation code (tests/relu/backsub_reference.py) returns — the same bounds, corners, spread,
classes, unstable count and payload (intervals and slopes) — on random small pairs of equal widths
(identical networks, one entry changed, every entry perturbed, unrelated networks, every unit
active, every unit of a layer dead) and random boxes, some of zero width in some coordinates; and
its bounds enclose the exact difference of the networks at points of the box. Both ways of carrying
the rows down (thin products from the right, or level by level) are tested, each forced on every
layer (the thin one also with the rows' products always taken entry by entry), and with the cost
model's choice."""

from __future__ import annotations

import itertools
import random
from unittest import mock

import pytest
from flint import fmpq
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exactnet.network import forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.relu import backsub_bounds
from exactnet.relu.backsub_bounds import BacksubPair
from exactnet.relu.symbolic_bounds import CompiledNet

from .backsub_reference import reference_exact_bounds
from .nets import lists, net_from

KINDS = ("identical", "one entry", "perturbed", "unrelated", "all active", "dead layer")


def _entry(rnd, scale=4):
    return fmpq(rnd.randint(-scale, scale), rnd.choice((1, 2, 3, 4)))


def _layers(rnd, widths):
    return [([[_entry(rnd) for _ in range(widths[i])] for _ in range(widths[i + 1])],
             [_entry(rnd) for _ in range(widths[i + 1])]) for i in range(len(widths) - 1)]


def make_pair(rnd, widths, kind):
    """Two networks of the given widths, related as ``kind`` says (:data:`KINDS`)."""
    la = _layers(rnd, widths)
    if kind == "all active":  # positive weights and biases, inputs in [0, 1]: every hidden unit active
        la = [([[abs(v) for v in r] for r in W], [abs(v) + 1 for v in b]) for W, b in la]
    if kind == "dead layer" and len(la) > 1:  # every unit of one hidden layer dead on any box near 0
        k = rnd.randrange(len(la) - 1)
        W, b = la[k]
        la[k] = (W, [fmpq(-100)] * len(b))
    a = net_from(la)
    if kind == "identical":
        return a, a
    if kind == "unrelated":
        return a, net_from(_layers(rnd, widths))
    lb = lists(a)
    if kind == "one entry":
        k = rnd.randrange(len(lb))
        W, b = lb[k]
        if rnd.random() < 0.5:
            W[rnd.randrange(len(W))][rnd.randrange(len(W[0]))] += fmpq(rnd.choice((-1, 1)), rnd.choice((2, 8, 64)))
        else:
            b[rnd.randrange(len(b))] += fmpq(rnd.choice((-1, 1)), rnd.choice((2, 8, 64)))
        return a, net_from(lb)
    return a, net_from([([[v + fmpq(rnd.randint(-2, 2), 16) for v in r] for r in W],
                         [v + fmpq(rnd.randint(-2, 2), 16) for v in b]) for W, b in lb])


def make_box(rnd, n, kind, flat):
    """A box; the coordinates in ``flat`` have zero width."""
    if kind == "all active":
        lower = [fmpq(rnd.randint(0, 4), 8) for _ in range(n)]
    else:
        lower = [fmpq(rnd.randint(-8, 4), rnd.choice((4, 8, 3))) for _ in range(n)]
    upper = [lo if j in flat else lo + fmpq(rnd.randint(1, 8), rnd.choice((8, 5))) for j, lo in enumerate(lower)]
    return lower, upper


def hats(a, b):
    return CompiledNet.of(a).hat, CompiledNet.of(b).hat


def _json(bounds):
    return bounds.payload.as_json()


widths_st = st.builds(lambda n, hidden, out: [n, *hidden, out], st.integers(1, 3),
                      st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(1, 3))


def _forced(way):
    """The cost model (``None``), the thin way (``True``) or level by level (``False``) on every layer,
    or the thin way with the rows' products always taken entry by entry (``"sparse"``)."""
    if way is None:
        return mock.patch.object(backsub_bounds, "_thin_is_cheaper", backsub_bounds._thin_is_cheaper)
    if way == "sparse":
        return mock.patch.multiple(backsub_bounds, _thin_is_cheaper=lambda *args: True, SPARSE_FROM=1)
    return mock.patch.object(backsub_bounds, "_thin_is_cheaper", lambda *args: way)


@pytest.mark.parametrize("way", [None, True, False, "sparse"])
@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**9), widths_st, st.sampled_from(KINDS), st.sets(st.integers(0, 2), max_size=2))
@example(1, [2, 2, 2, 2, 1], "unrelated", set())
@example(2, [3, 6, 6, 6, 3], "perturbed", set())
@example(3, [2, 4, 3, 2], "identical", {0})
@example(4, [1, 5, 5, 1], "dead layer", set())
@example(5, [3, 6, 6, 2], "all active", {1})
def test_optimised_exact_bounds_equal_the_reference(way, seed, widths, kind, flat):
    rnd = random.Random(seed)
    a, b = make_pair(rnd, widths, kind)
    lower, upper = make_box(rnd, widths[0], kind, flat)
    ha, hb = hats(a, b)
    with _forced(way):
        got = BacksubPair(ha, hb).exact_bounds(lower, upper)
    ref = reference_exact_bounds(ha, hb, lower, upper)
    assert got.upper == ref.upper
    assert got.payload.layers == ref.payload.layers and _json(got) == _json(ref)
    assert (got.corners, got.spread, got.unstable, got.classes_a, got.classes_b) == \
        (ref.corners, ref.spread, ref.unstable, ref.classes_a, ref.classes_b)
    assert got == ref
    if kind == "identical":
        assert all(v == 0 for v in got.upper)


@pytest.mark.parametrize("way", [True, False, "sparse"])
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), widths_st, st.sampled_from(KINDS), st.sets(st.integers(0, 2), max_size=2))
@example(1, [2, 2, 2, 2, 1], "unrelated", set())
@example(6, [2, 5, 5, 2], "one entry", {1})
def test_optimised_exact_bounds_enclose_the_difference(way, seed, widths, kind, flat):
    rnd = random.Random(seed)
    a, b = make_pair(rnd, widths, kind)
    lower, upper = make_box(rnd, widths[0], kind, flat)
    with _forced(way):
        res = BacksubPair(*hats(a, b)).exact_bounds(lower, upper)
    pts = list(itertools.product(*zip(lower, upper)))
    pts += [tuple(lo + (hi - lo) * fmpq(rnd.randint(0, 12), 12) for lo, hi in zip(lower, upper)) for _ in range(20)]
    for x in pts:
        ya, yb = forward_exact(a, x), forward_exact(b, x)
        for k in range(widths[-1]):
            assert ya[k] - yb[k] <= res.upper[2 * k]
            assert yb[k] - ya[k] <= res.upper[2 * k + 1]
        assert exact_argmax(ya)[0] in res.classes_a and exact_argmax(yb)[0] in res.classes_b


def test_the_cost_model_picks_each_way():
    """Thin products on a small box with few unstable units, level by level on a large one with
    many (where the thin products' columns and correction blocks add up)."""
    rnd = random.Random(12)
    a, b = make_pair(rnd, [3, 6, 6, 6, 6, 2], "perturbed")
    ha, hb = hats(a, b)
    for lower, upper in (([fmpq(-1, 100)] * 3, [fmpq(1, 100)] * 3), ([fmpq(-4)] * 3, [fmpq(4)] * 3)):
        seen = []
        real = backsub_bounds._thin_is_cheaper

        def spy(*args):
            seen.append(real(*args))
            return seen[-1]

        with mock.patch.object(backsub_bounds, "_thin_is_cheaper", spy):
            got = BacksubPair(ha, hb).exact_bounds(lower, upper)
        assert got == reference_exact_bounds(ha, hb, lower, upper)
        if lower[0] == fmpq(-1, 100):
            assert got.unstable <= 2 and any(seen)
        else:
            assert got.unstable >= 40 and not any(seen)


def test_a_compiled_pair_gives_the_reference_on_every_sub_box():
    """One pair, compiled once, on a box and its halves and quarters (as the box splitting calls it)."""
    rnd = random.Random(11)
    a, b = make_pair(rnd, [3, 6, 6, 6, 2], "perturbed")
    ha, hb = hats(a, b)
    pair = BacksubPair(ha, hb)
    lower, upper = [fmpq(-1)] * 3, [fmpq(1)] * 3
    for c0, c1 in itertools.product((None, 0, 1), repeat=2):
        lo, up = list(lower), list(upper)
        for j, c in ((0, c0), (1, c1)):
            if c is not None:
                mid = (lo[j] + up[j]) / 2
                lo[j], up[j] = (lo[j], mid) if c == 0 else (mid, up[j])
        assert pair.exact_bounds(lo, up) == reference_exact_bounds(ha, hb, lo, up)
