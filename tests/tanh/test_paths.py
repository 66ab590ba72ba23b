"""Paths inside tanh FE classes: the constancy criterion of a segment (checked against rigorous
numerics in both directions), the ≤ 7-segment construction for rank ≤ h/2, the general
reducible case, finite classes, non-equivalent inputs, and the reference examples."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from flint import arb, fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tanh.tanh_strategies import ZERO, irreducible, nonzero_rationals, to_net

from exactnet.check import check_certificate  # noqa: E402
from exactnet.errors import InputError  # noqa: E402
from exactnet.network import Network  # noqa: E402
from exactnet.numbers import working_precision  # noqa: E402
from exactnet.numbers.tanh_scalar import TanhScalar  # noqa: E402
from exactnet.tanh.fiber import fiber  # noqa: E402
from exactnet.tanh.parameter import TanhParameter  # noqa: E402
from exactnet.tanh.certificates import path_certificate  # noqa: E402
from exactnet.tanh.paths import interpolate, path, segment_kinds  # noqa: E402

F = fmpq


def param(units, d=(0,), n=1, m=1):
    """A parameter from [(a, b, c), ...] with scalars for n = m = 1 (d may hold TanhScalars)."""
    us = [((F(a),) if not isinstance(a, tuple) else a, (F(b),) if not isinstance(b, tuple) else b, F(c))
          for a, b, c in units]
    return TanhParameter.from_units(us, [x if isinstance(x, TanhScalar) else F(x) for x in d], n, m)


def f_ball(p: TanhParameter, x: tuple, prec: int = 128) -> list:
    """Rigorous enclosures of f_p(x) for every output (independent of exactnet.tanh)."""
    with working_precision(prec):
        out = []
        for k in range(p.output_dim):
            acc = p.d[k].enclosure(prec)
            for a, b, c in p.units():
                z = arb(c.p) / c.q
                for bl, xl in zip(b, x):
                    z += (arb(bl.p) / bl.q) * (arb(xl.p) / xl.q)
                acc += (arb(a[k].p) / a[k].q) * z.tanh()
            out.append(acc)
        return out


#: Two input directions (no small-integer weight vector is orthogonal to both).
DIRECTIONS = ((F(1), F(1, 3), F(2, 7)), (F(-2, 5), F(1), F(3, 11)))


def differs_somewhere(u, v) -> bool:
    """A grid point (t, x) where f_{w(t)}(x) provably differs from f_u(x)."""
    ts = [F(1, 4), F(1, 2), F(3, 4), F(1, 3), F(1)]
    xs = [F(k, 3) for k in range(-7, 8)]
    for t in ts:
        w = interpolate(u, v, t)
        for x0 in xs:
            for direction in DIRECTIONS:
                x = tuple(x0 * direction[l] for l in range(u.input_dim))
                for e0, e1 in zip(f_ball(u, x), f_ball(w, x)):
                    if not e0.overlaps(e1):
                        return True
    return False


def same_everywhere_sampled(u, v) -> bool:
    for t in (F(1, 3), F(1, 2), F(5, 7), F(1)):
        w = interpolate(u, v, t)
        for x0 in (F(-3, 2), F(1, 5), F(2)):
            for direction in DIRECTIONS:
                x = tuple(x0 * direction[l] for l in range(u.input_dim))
                if any(not e0.overlaps(e1) for e0, e1 in zip(f_ball(u, x), f_ball(w, x))):
                    return False
    return True


# ---------------------------------------------------------------------------------------------
# the segment criterion
# ---------------------------------------------------------------------------------------------

SMALL = st.sampled_from([F(0), F(0), F(1), F(-1), F(2), F(1, 2), F(-3, 2)])


@st.composite
def segments(draw):
    """Random segments biased toward the interesting cases (moving dead units, transfers within
    a key, constant units with and without compensating bias, coinciding keys)."""
    n = draw(st.integers(1, 2))
    h = draw(st.integers(1, 4))
    keys = [(tuple(draw(SMALL) for _ in range(n)), draw(SMALL)) for _ in range(2)]
    units_u, units_v = [], []
    for _ in range(h):
        kind = draw(st.sampled_from(["keep", "a", "dead_move", "free", "shared", "const", "negshare"]))
        b, c = draw(st.sampled_from(keys)) if kind in ("shared", "negshare") else (
            tuple(draw(SMALL) for _ in range(n)), draw(SMALL))
        a = (draw(SMALL),)
        if kind == "keep":
            units_u.append((a, b, c)); units_v.append((a, b, c))
        elif kind in ("a", "shared"):
            units_u.append((a, b, c)); units_v.append(((draw(SMALL),), b, c))
        elif kind == "negshare":
            units_u.append((a, tuple(-x for x in b), -c)); units_v.append(((draw(SMALL),), tuple(-x for x in b), -c))
        elif kind == "dead_move":
            units_u.append(((ZERO,), b, c)); units_v.append(((ZERO,), tuple(draw(SMALL) for _ in range(n)), draw(SMALL)))
        elif kind == "const":
            zb = tuple(ZERO for _ in range(n))
            units_u.append((a, zb, c)); units_v.append(((draw(SMALL),), zb, draw(st.sampled_from([c, c, draw(SMALL)]))))
        else:
            units_u.append((a, b, c)); units_v.append(((draw(SMALL),), tuple(draw(SMALL) for _ in range(n)), draw(SMALL)))
    if draw(st.booleans()):  # repair most violations, so that valid segments of every kind occur
        repair(units_u, units_v, n)
    du = TanhScalar.of(draw(SMALL))
    # half of the time, compensate the constant units' a·tanh(c) change in d (an S-const move)
    dv = du
    if draw(st.booleans()):
        for (au, bu, cu), (av, bv, cv) in zip(units_u, units_v):
            if all(x == 0 for x in bu) and bu == bv and cu == cv:
                dv = dv + TanhScalar.tanh_of(cu, au[0] - av[0])
    else:
        dv = du + draw(st.sampled_from([F(0), F(0), F(1)]))
    u = TanhParameter.from_units(units_u, [du], n, 1)
    v = TanhParameter.from_units(units_v, [dv], n, 1)
    return u, v


def _sign(b):
    for x in b:
        if x != 0:
            return 1 if x > 0 else -1
    return 0


def repair(units_u, units_v, n):
    """Zero the weights of units whose key moves; restore each fixed key's net weight."""
    groups = {}
    for i, ((au, bu, cu), (av, bv, cv)) in enumerate(zip(units_u, units_v)):
        if (bu, cu) != (bv, cv):
            units_u[i] = ((ZERO,), bu, cu)
            units_v[i] = ((ZERO,), bv, cv)
            continue
        s = _sign(bu)
        if s:
            key = (tuple(s * x for x in bu), s * cu)
            groups.setdefault(key, []).append((i, s))
    for members in groups.values():
        net = sum((s * (units_u[i][0][0] - units_v[i][0][0]) for i, s in members), ZERO)
        i, s = members[-1]
        av, bv, cv = units_v[i]
        units_v[i] = ((av[0] + s * net,), bv, cv)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seg=segments())
def test_segment_criterion_agrees_with_rigorous_numerics(seg):
    """Sound (a valid segment never changes f at sampled (t, x)) and complete (an invalid one
    changes f at some grid point, shown by disjoint arb enclosures)."""
    u, v = seg
    kinds = segment_kinds(u, v)
    if kinds is None:
        assert differs_somewhere(u, v)
    else:
        assert same_everywhere_sampled(u, v)
        assert segment_kinds(v, u) == kinds  # reversal is a segment too


@pytest.mark.parametrize("u,v,expected", [
    # a dead unit moves through the key of a live unit: fine
    (param([(1, 1, 0), (0, 2, 1)]), param([(1, 1, 0), (0, 0, 3)]), ("dead",)),
    # two units moving together along one polynomial key, cancelling: fine
    (param([(1, 1, 0), (2, 3, 1), (-2, 3, 1)]), param([(1, 1, 0), (2, 1, 5), (-2, 1, 5)]), ("dead",)),
    # ... also as a negated pair
    (param([(1, 1, 0), (2, 3, 1), (2, -3, -1)]), param([(1, 1, 0), (2, 1, 5), (2, -1, -5)]), ("dead",)),
    # transfer to a negated copy (negation as a transfer)
    (param([(1, 1, 2), (0, -1, -2)]), param([(0, 1, 2), (-1, -1, -2)]), ("transfer",)),
    # key reaches b = 0 at t = 1 with zero weight: fine
    (param([(1, 1, 0), (0, 2, 1)]), param([(1, 1, 0), (0, 0, 1)]), ("dead",)),
    # the S-const example of docs/tanh.md § Test cases
    (param([(1, 1, 0), (2, 0, "1/2")]),
     param([(1, 1, 0), (0, 0, "1/2")], d=(TanhScalar.tanh_of(F(1, 2), F(2)),)), ("const",)),
    # a constant unit with c = 0 changes its weight: contributes tanh(0) = 0
    (param([(1, 1, 0), (2, 0, 0)]), param([(1, 1, 0), (5, 0, 0)]), ("const",)),
    # invalid: the key passes through 0 while the unit is live
    (param([(1, 1, 1)]), param([(1, -1, -1)]), None),
    # invalid: a live unit moves its key
    (param([(1, 1, 0), (0, 0, 0)]), param([(1, 2, 0), (0, 0, 0)]), None),
    # invalid: the two units meet at t = 1/2 only
    (param([(1, 1, 0), (-1, 3, 0)]), param([(1, 1, 0), (-1, -1, 0)]), None),
    # invalid: a constant unit's c moves with a ≠ 0
    (param([(1, 1, 0), (1, 0, 1)]), param([(1, 1, 0), (1, 0, 2)]), None),
    # invalid: S-const without the bias compensation
    (param([(1, 1, 0), (2, 0, "1/2")]), param([(1, 1, 0), (0, 0, "1/2")]), None),
    # invalid: a transfer that changes the key's net weight
    (param([(1, 1, 2), (0, 1, 2)]), param([(0, 1, 2), (2, 1, 2)]), None),
])
def test_segment_examples(u, v, expected):
    assert segment_kinds(u, v) == expected
    if expected is None:
        assert differs_somewhere(u, v)


# ---------------------------------------------------------------------------------------------
# construction
# ---------------------------------------------------------------------------------------------


def padded(units, d, n, m, h):
    blank = (tuple(ZERO for _ in range(m)), tuple(ZERO for _ in range(n)), ZERO)
    return to_net(list(units) + [blank] * (h - len(units)), d, n, m)


def check_path(res, a, b):
    assert res.exists and res.equivalent
    if not res.segments:
        assert a == b
        return
    assert res.segments[0].start == a and res.segments[-1].end == b
    for s1, s2 in zip(res.segments, res.segments[1:]):
        assert s1.end == s2.start
    for seg in res.segments:
        assert segment_kinds(seg.start, seg.end) == seg.kinds and seg.kinds
    assert len(res.segments) <= res.bound


@st.composite
def base_classes(draw, low_rank=True):
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    h = draw(st.integers(2 if low_rank else 3, 8))
    if low_rank:
        r_max, r_min = h // 2, 0
    else:
        r_min, r_max = h // 2 + 1, h - 1
    units, d, n, m = draw(irreducible(n=n, m=m, min_h=r_min, max_h=r_max))
    extra = []
    if len(units) < h and draw(st.booleans()):
        extra = [(tuple(F(1) for _ in range(m)), tuple(ZERO for _ in range(n)), draw(nonzero_rationals()))]
    return padded(units + extra, d, n, m, h)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=base_classes(), seed=st.integers(0, 10**6), numeric=st.booleans())
def test_paths_have_at_most_seven_segments_when_rank_le_half_width(net, seed, numeric):
    fe = fiber(net)
    assert 2 * fe.rank <= fe.width
    rng = random.Random(seed)
    a = fe.sample(rng, numeric_bias=numeric and fe.has_numeric_members)
    b = fe.sample(rng, numeric_bias=numeric and fe.has_numeric_members)
    res = path(a, b)
    check_path(res, a, b)
    assert res.bound == 7 and len(res.segments) <= 7
    if a.has_numeric_bias and b.has_numeric_bias:
        cert = path_certificate(res)
        assert check_certificate(cert).valid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=base_classes(low_rank=False), seed=st.integers(0, 10**6))
def test_reducible_classes_with_large_rank_are_connected(net, seed):
    fe = fiber(net)
    assert fe.width // 2 < fe.rank < fe.width
    rng = random.Random(seed)
    a, b = fe.sample(rng, numeric_bias=True), fe.sample(rng, numeric_bias=True)
    res = path(a.to_network(), b.to_network())
    check_path(res, a, b)
    assert res.bound == 4 * fe.rank + 3
    assert check_certificate(path_certificate(res)).valid


def test_distance_three_example():
    # docs/tanh.md § Test cases: w = (1,1,0, 0,0,0; 0) to w' = (0,0,0, 1,1,0; 0)
    w = param([(1, 1, 0), (0, 0, 0)])
    w2 = param([(0, 0, 0), (1, 1, 0)])
    res = path(w, w2)
    check_path(res, w, w2)
    assert [s.kinds for s in res.segments] == [("dead",), ("transfer",), ("dead",)]
    assert res.segments[0].end == param([(1, 1, 0), (0, 1, 0)])
    assert segment_kinds(w, w2) is None


def test_symbolic_bias_waypoints():
    # the constant unit (2, 0, 1/2) is absorbed: interior waypoints have d = 2·tanh(1/2)
    w = param([(1, 1, 0), (2, 0, "1/2"), (0, 0, 0)])
    w2 = param([(0, 3, 1), (2, 0, "-1/2"), (1, 1, 0)], d=(0,))
    fe = fiber(w)
    assert not fe.contains(w2)  # 2·tanh(−1/2) ≠ 2·tanh(1/2)
    w2 = param([(0, 3, 1), (-2, 0, "-1/2"), (1, 1, 0)], d=(0,))
    assert fe.contains(w2)
    res = path(w, w2)
    check_path(res, w, w2)
    assert any(not p.has_numeric_bias for p in res.waypoints())
    assert check_certificate(path_certificate(path(w.to_network(), w2.to_network()))).valid


def test_irreducible_gives_the_finite_class_answer():
    net = Network.from_lists("tanh", [([[1], [2]], [0, 1]), ([[1, 3]], [0])])
    other = Network.from_lists("tanh", [([[-2], [1]], [-1, 0]), ([[-3, 1]], [0])])
    res = path(net, other)
    assert not res.exists and res.equivalent and res.finite_class
    assert "finite" in res.reason and "2^2·2!" in res.reason
    cert = path_certificate(res)
    assert cert["evidence"]["type"] == "finite_class" and check_certificate(cert).valid
    same = path(net, net)
    assert same.exists and same.segments == () and check_certificate(path_certificate(same)).valid


def test_not_equivalent_gives_the_witness():
    net = Network.from_lists("tanh", [([[1], [0]], [0, 0]), ([[1, 0]], [0])])
    other = Network.from_lists("tanh", [([[1], [0]], [0, 0]), ([[2, 0]], [0])])
    res = path(net, other)
    assert not res.exists and not res.equivalent
    assert res.equivalence.witness is not None
    cert = path_certificate(res)
    assert cert["kind"] == "tanh.equivalence" and check_certificate(cert).valid


def test_input_errors():
    net = Network.from_lists("tanh", [([[1], [0]], [0, 0]), ([[1, 0]], [0])])
    with pytest.raises(InputError, match="same width"):
        path(net, Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])]))
    with pytest.raises(InputError, match="dimension"):
        path(net, Network.from_lists("tanh", [([[1, 0], [0, 0]], [0, 0]), ([[1, 0]], [0])]))
    with pytest.raises(InputError):
        path(net, Network.from_lists("relu", [([[1], [0]], [0, 0]), ([[1, 0]], [0])]))


def test_multi_input_output_path():
    units = [((F(1), F(-1)), (F(1), F(2), F(0)), F(1)), ((F(0), F(2)), (F(0), F(1), F(-1)), F(0))]
    net = padded(units, [F(1), F(0)], 3, 2, 5)
    fe = fiber(net)
    rng = random.Random(8)
    for _ in range(5):
        a, b = fe.sample(rng, numeric_bias=True), fe.sample(rng, numeric_bias=True)
        res = path(a.to_network(), b.to_network())
        check_path(res, a, b)
        assert len(res.segments) <= 7
        assert check_certificate(path_certificate(res)).valid
