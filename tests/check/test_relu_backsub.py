"""The independent checker exactnet/check/relu_backsub.py recomputes the back-substituted difference
bound from its payload: it agrees exactly with the prover (exactnet/relu/backsub_bounds.py) on random
pairs and boxes, accepts valid variations of the payload (looser intervals, larger chord slopes,
other lower slopes) with bounds that still enclose the exact differences, and rejects every payload
whose intervals or slopes it cannot verify (which would otherwise give bounds below true values)."""

from __future__ import annotations

import copy
import itertools
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check.relu_backsub import backsub_classes, backsub_difference_bound, backsub_difference_bounds
from exactnet.network import forward_exact
from exactnet.relu.backsub_bounds import BacksubPair
from exactnet.relu.symbolic_bounds import CompiledNet

from ..relu.nets import lists, net_from, random_net


def _pair(seed, widths=(2, 4, 3, 2)):
    rnd = random.Random(seed)
    a = random_net(rnd, list(widths), scale=5, dens=(1, 2, 4))
    b = net_from([([[v + fmpq(rnd.randint(-2, 2), 16) for v in r] for r in W],
                   [v + fmpq(rnd.randint(-2, 2), 16) for v in bb]) for W, bb in lists(a)])
    lower = [fmpq(rnd.randint(-8, 4), 8) for _ in range(widths[0])]
    upper = [lo + fmpq(rnd.randint(1, 8), 8) for lo in lower]
    return rnd, a, b, lower, upper


def _prove(a, b, lower, upper):
    return BacksubPair(CompiledNet.of(a).hat, CompiledNet.of(b).hat).exact_bounds(lower, upper)


def _true_values(a, b, lower, upper, rnd):
    """``s·(A_k − B_k)`` per target at the vertices and random grid points of the box."""
    pts = list(itertools.product(*zip(lower, upper)))
    pts += [tuple(lo + (hi - lo) * fmpq(rnd.randint(0, 8), 8) for lo, hi in zip(lower, upper)) for _ in range(20)]
    out = []
    for x in pts:
        ya, yb = forward_exact(a, x), forward_exact(b, x)
        out.append([v for k in range(len(ya)) for v in (ya[k] - yb[k], yb[k] - ya[k])])
    return out


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from([(2, 4, 3, 2), (3, 5, 4, 2), (1, 3, 3, 3, 1)]))
def test_checker_agrees_with_the_prover(seed, widths):
    rnd, a, b, lower, upper = _pair(seed, widths)
    proved = _prove(a, b, lower, upper)
    payload = proved.payload.as_json()
    assert backsub_difference_bounds(a, b, lower, upper, payload) == list(proved.upper)
    t = rnd.randrange(2 * widths[-1])
    # layers as (W rows, b) lists and numbers as strings work the same
    assert backsub_difference_bound(lists(a), lists(b), [str(v) for v in lower], upper, t, payload) == proved.upper[t]
    for vals in _true_values(a, b, lower, upper, rnd):
        assert all(v <= u for v, u in zip(vals, proved.upper))
    assert backsub_classes(a, b, lower, upper, payload) == (proved.classes_a, proved.classes_b)


def _unstable(payload, key_lo, key_hi):
    """``(layer, unit)`` of the units whose claimed interval contains 0 strictly."""
    out = []
    for k, layer in enumerate(payload["layers"]):
        for i, (lo, hi) in enumerate(zip(layer[key_lo], layer[key_hi])):
            if fmpq(*map(int, str(lo).split("/"))) < 0 < fmpq(*map(int, str(hi).split("/"))):
                out.append((k, i))
    return out


def _num(v):
    return fmpq(*map(int, str(v).split("/")))


def _q(x):
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def _seed_with_unstable_units():
    for seed in range(200):
        rnd, a, b, lower, upper = _pair(seed, (2, 5, 5, 2))
        proved = _prove(a, b, lower, upper)
        p = proved.payload.as_json()
        if _unstable(p, "zl", "zu") and _unstable(p, "dl", "du"):
            return rnd, a, b, lower, upper, proved, p
    raise AssertionError("no example with unstable units")  # pragma: no cover


def test_valid_variations_of_the_payload_give_valid_bounds():
    """Looser but valid claims (wider intervals, steeper chords, other lower slopes) still prove
    bounds, and those bounds still enclose the exact differences."""
    rnd, a, b, lower, upper, proved, p = _seed_with_unstable_units()
    truth = _true_values(a, b, lower, upper, rnd)
    variants = []
    # (the last hidden layer's claims: the earlier ones must keep proving the later intervals)
    wider = copy.deepcopy(p)  # the last layer's intervals widened by 1/8, every chord slope 1
    last = wider["layers"][-1]
    for lo, hi in (("dl", "du"), ("zl", "zu"), ("al", "au")):
        last[lo] = [_q(_num(v) - fmpq(1, 8)) for v in last[lo]]
        last[hi] = [_q(_num(v) + fmpq(1, 8)) for v in last[hi]]
    for key in ("sb", "su", "sl"):
        last[key] = [1] * len(last[key])
    variants.append(wider)
    steeper = copy.deepcopy(p)  # the last layer's chord slopes doubled, every lower slope 1/2
    last = steeper["layers"][-1]
    for key in ("sb", "su", "sl"):
        last[key] = [_q(2 * _num(v)) for v in last[key]]
    last["lam"] = ["1/2"] * len(last["lam"])
    variants.append(steeper)
    for v in variants:
        got = backsub_difference_bounds(a, b, lower, upper, v)
        assert got is not None
        for vals in truth:
            assert all(x <= u for x, u in zip(vals, got))


def test_payloads_that_cannot_be_verified_are_rejected():
    rnd, a, b, lower, upper, proved, p = _seed_with_unstable_units()
    (k, i), (kd, idd) = _unstable(p, "zl", "zu")[0], _unstable(p, "dl", "du")[0]
    bad = []

    def tamper(fn):
        q = copy.deepcopy(p)
        fn(q)
        bad.append(q)

    # a claimed interval tighter than proved: the unit would look stable (an invalid relaxation)
    tamper(lambda q: q["layers"][k]["zl"].__setitem__(i, 0))
    tamper(lambda q: q["layers"][kd]["du"].__setitem__(idd, 0))
    tamper(lambda q: q["layers"][kd]["dl"].__setitem__(idd, 0))
    # chord slopes below the chord, a lower slope outside [0, 1]
    tamper(lambda q: q["layers"][k]["sb"].__setitem__(i, _q(_num(q["layers"][k]["sb"][i]) / 2)))
    tamper(lambda q: q["layers"][kd]["su"].__setitem__(idd, 0))
    tamper(lambda q: q["layers"][kd]["sl"].__setitem__(idd, 0))
    tamper(lambda q: q["layers"][k]["lam"].__setitem__(i, 2))
    tamper(lambda q: q["layers"][k]["lam"].__setitem__(i, -1))
    # malformed payloads
    tamper(lambda q: q["layers"].pop())
    tamper(lambda q: q["layers"][0]["au"].pop())
    tamper(lambda q: q["layers"][0].pop("sl"))
    tamper(lambda q: q["layers"][0]["dl"].__setitem__(0, "one half"))
    tamper(lambda q: q["layers"][0]["dl"].__setitem__(0, True))
    tamper(lambda q: q.pop("layers"))
    for q in bad:
        assert backsub_difference_bounds(a, b, lower, upper, q) is None
        assert backsub_difference_bound(a, b, lower, upper, 0, q) is None
        assert backsub_classes(a, b, lower, upper, q) is None
    # the untampered payload still proves the bound; the targets must be in range
    assert backsub_difference_bound(a, b, lower, upper, 1, p) == proved.upper[1]
    for t in (-1, 4, True, "0"):
        assert backsub_difference_bound(a, b, lower, upper, t, p) is None
    # the box is part of what is checked: a larger box is not covered by these intervals
    big = [lo - 1 for lo in lower], [hi + 1 for hi in upper]
    assert backsub_difference_bounds(a, b, *big, p) is None
    assert backsub_difference_bounds(a, b, upper, lower, p) is None  # lo > hi


def test_pairs_of_other_widths_are_rejected():
    rnd, a, b, lower, upper = _pair(5)
    p = _prove(a, b, lower, upper).payload.as_json()
    other = random_net(rnd, [2, 4, 4, 2])
    assert backsub_difference_bound(a, other, lower, upper, 0, p) is None
    from exactnet.check.relu_backsub import backsub_checker

    assert backsub_checker(a, other) is None and backsub_checker(a, b) is not None
    assert backsub_checker(a, random_net(rnd, [3, 4, 3, 2])) is None  # other input width


@pytest.mark.parametrize("seed", range(3))
def test_a_tampered_payload_never_yields_a_bound_below_a_true_value(seed):
    """Random single-entry tampering (any interval end or slope replaced by a random rational): the
    checker returns ``None`` or a bound that still encloses every sampled value."""
    rnd, a, b, lower, upper, proved, p = _seed_with_unstable_units()
    truth = _true_values(a, b, lower, upper, rnd)
    r = random.Random(seed)
    for _ in range(25):
        q = copy.deepcopy(p)
        layer = r.choice(q["layers"])
        key = r.choice(sorted(layer))
        idx = r.randrange(len(layer[key]))
        layer[key][idx] = _q(fmpq(r.randint(-40, 40), r.randint(1, 8)))
        got = backsub_difference_bounds(a, b, lower, upper, q)
        if got is not None:
            for vals in truth:
                assert all(x <= u for x, u in zip(vals, got))


# ---------------------------------------------------------------------------------------------
# the batched integer checker against the unit-by-unit reference (tests/check/backsub_reference.py)
# ---------------------------------------------------------------------------------------------

_WIDTHS = [(2, 4, 3, 2), (3, 5, 4, 2), (1, 3, 3, 3, 1), (2, 1, 2), (2, 3, 1, 2, 2), (1, 2), (3, 6, 2)]


def _rational(r: random.Random) -> fmpq:
    return fmpq(r.randint(-40, 40), r.choice([1, 2, 3, 8, 64, 1024]))


def _tampered(p: dict, r: random.Random) -> dict:
    """One entry of the payload changed: replaced by a random rational, or moved by ``±2^-k`` (near the
    border between a confirmed and an unconfirmed claim, or a valid and an invalid slope)."""
    q = copy.deepcopy(p)
    if not q["layers"]:
        return q
    layer = r.choice(q["layers"])
    key = r.choice(sorted(layer))
    idx = r.randrange(len(layer[key]))
    old = _num(layer[key][idx])
    new = _rational(r) if r.random() < 0.4 else old + r.choice([-1, 1]) * fmpq(1, 2 ** r.randint(1, 40))
    layer[key][idx] = _q(new)
    return q


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(_WIDTHS), st.integers(0, 3))
def test_the_batched_checker_agrees_with_the_reference(seed, widths, tampering):
    """On random pairs, boxes, output rows, and the prover's payloads with ``tampering`` single-entry
    changes: the same bounds (exactly), or ``None`` for both."""
    from exactnet.check.relu_backsub import BacksubChecker, backsub_output_bounds

    from .backsub_reference import backsub_output_bounds as reference

    rnd, a, b, lower, upper = _pair(seed, widths)
    p = _prove(a, b, lower, upper).payload.as_json()
    for _ in range(tampering):
        p = _tampered(p, rnd)
    m = widths[-1]
    rows = [([_rational(rnd) for _ in range(m)], [_rational(rnd) for _ in range(m)]) for _ in range(rnd.randint(0, 4))]
    rows.append(([1] + [0] * (m - 1), [0] * m))
    want = reference(a, b, lower, upper, p, rows)
    assert backsub_output_bounds(a, b, lower, upper, p, rows) == want
    checker = BacksubChecker(a, b)  # compiled once, used for several payloads
    assert backsub_output_bounds(checker, None, lower, upper, p, rows) == want
    assert backsub_output_bounds(checker, None, lower, upper, p, []) == ([] if want is not None else None)
    if tampering == 0:
        assert want is not None


def test_a_claim_equal_to_its_bound_is_confirmed():
    """A claimed end equal to the exact back-substituted bound is confirmed (``≤``, not ``<``), one
    a little below it is not: the claims are compared exactly."""
    from exactnet.check.relu_backsub import backsub_output_bounds

    from .backsub_reference import backsub_output_bounds as reference

    rnd, a, b, lower, upper = _pair(3, (2, 3, 3, 2))
    p = _prove(a, b, lower, upper).payload.as_json()
    tight = copy.deepcopy(p)
    # the exact maximum of z_0 of B on the box: the output row z_0 of B's first layer alone
    one = reference([lists(a)[0]], [lists(b)[0]], lower, upper, {"layers": []}, [([0, 0, 0], [1, 0, 0])])[0]
    tight["layers"][0]["zu"][0] = _q(one)
    assert backsub_output_bounds(a, b, lower, upper, tight, []) == []
    assert reference(a, b, lower, upper, tight, []) == []
    tight["layers"][0]["zu"][0] = _q(one - fmpq(1, 2 ** 60))
    assert backsub_output_bounds(a, b, lower, upper, tight, []) is None
    assert reference(a, b, lower, upper, tight, []) is None
