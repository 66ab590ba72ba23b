"""The exact symbolic difference bounds of exactnet/relu/box_bounds.py enclose the difference: on random
pairs (same widths, where the difference forms are used, and other widths) and random boxes, every
exactly evaluated point of the box stays below the exact bound of every target, and the classes
picked at those points are among the possible classes."""

from __future__ import annotations

import itertools
import random

import pytest
from flint import fmpq

from exactnet.network import forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.relu.box_bounds import CompiledPair, box_bounds
from exactnet.relu.symbolic_bounds import CompiledNet

from .nets import lists, net_from, random_net


def _perturbed(a, rnd):
    return net_from([([[v + fmpq(rnd.randint(-2, 2), 16) for v in r] for r in W],
                      [v + fmpq(rnd.randint(-2, 2), 16) for v in b]) for W, b in lists(a)])


def _points(lower, upper, rnd, k=40):
    n = len(lower)
    yield from itertools.product(*zip(lower, upper))  # the vertices
    for _ in range(k):
        yield tuple(lo + (hi - lo) * fmpq(rnd.randint(0, 16), 16) for lo, hi in zip(lower, upper))


@pytest.mark.parametrize("seed", range(8))
def test_exact_bounds_enclose_the_difference_and_the_classes(seed):
    rnd = random.Random(seed)
    n, m = rnd.randint(1, 3), rnd.randint(2, 3)
    a = random_net(rnd, [n, 4, 3, m], scale=5, dens=(1, 2, 4))
    b = _perturbed(a, rnd) if seed % 2 == 0 else random_net(rnd, [n, 5, m], scale=5, dens=(1, 2, 4))
    lower = [fmpq(rnd.randint(-8, 0), 8) for _ in range(n)]
    upper = [lo + fmpq(rnd.randint(1, 8), 8) for lo in lower]
    ha, hb = CompiledNet.of(a).hat, CompiledNet.of(b).hat
    exact = box_bounds(CompiledPair(ha, hb, exact=True), lower, upper)
    approx = box_bounds(CompiledPair(ha, hb, exact=False), [float(v) for v in lower], [float(v) for v in upper])
    for e, f in zip(exact.upper, approx.upper):  # the float proposal computes the same numbers
        assert abs(float(e) - f) <= 1e-6 * (1 + abs(f))
    assert exact.classes_a == approx.classes_a and exact.classes_b == approx.classes_b
    for x in _points(lower, upper, rnd):
        ya, yb = forward_exact(a, x), forward_exact(b, x)
        for k in range(m):
            assert ya[k] - yb[k] <= exact.upper[2 * k]
            assert yb[k] - ya[k] <= exact.upper[2 * k + 1]
        assert exact_argmax(ya)[0] in exact.classes_a and exact_argmax(yb)[0] in exact.classes_b


def test_equal_networks_have_zero_difference_bounds():
    rnd = random.Random(5)
    a = random_net(rnd, [2, 4, 4, 2], scale=5)
    hat = CompiledNet.of(a).hat
    res = box_bounds(CompiledPair(hat, hat, exact=True), [fmpq(-1), fmpq(0)], [fmpq(1), fmpq(1, 2)])
    assert all(v == 0 for v in res.upper)


def test_a_maximum_along_a_segment_ends_the_splitting_with_one_exact_search(monkeypatch):
    """A pair whose sup-norm maximum 1/344 is attained along a whole segment (x2 = 1/3): every
    sub-box touching the segment stays alive, so the splitting hands off at most
    :data:`~exactnet.relu.box_splitting.MAX_HANDOFFS` slivers and then searches the whole box
    once. The answer equals the region search's without splitting, and the argmax attains it.
    (Checked with the back-substituted bounds, the default, and with the forward bounds alone,
    where the hand-off limit must be what ends the splitting.)"""
    from exactnet.relu.backsub_bounds import BacksubPair

    import json
    from pathlib import Path

    import exactnet.relu.box_splitting as splitting
    import exactnet.relu.max_difference as md
    from exactnet.network.domain import Box
    from exactnet.network.jsonio import network_from_obj

    data = json.loads((Path(__file__).parent / "data" / "segment_maximum_pair.json").read_text())
    a, b = network_from_obj(data["a"]), network_from_obj(data["b"])
    box = Box.from_bounds([fmpq(0), fmpq(0)], [fmpq(1), fmpq(1)])
    res = md.max_difference(a, b, box)
    assert res.value == fmpq(1, 344) and list(res.per_output) == [fmpq(1, 344), fmpq(11, 11008)]
    monkeypatch.setattr(BacksubPair, "applies", staticmethod(lambda hat_a, hat_b: False))
    res = md.max_difference(a, b, box)
    assert res.value == fmpq(1, 344) and list(res.per_output) == [fmpq(1, 344), fmpq(11, 11008)]
    assert res.stats.get("splitting_abandoned") == 1
    assert res.stats["handed_to_regions"] == splitting.MAX_HANDOFFS
    d = [p - q for p, q in zip(forward_exact(a, res.argmax), forward_exact(b, res.argmax))]
    assert max(abs(v) for v in d) == res.value
