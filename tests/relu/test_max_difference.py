"""The exact maximum difference (exactnet/relu/max_difference.py) against an independent oracle:
the common refinement of the two networks (relu/regions.py) with one exact LP per region and
output, and brute force on finite domains."""

from __future__ import annotations

import itertools
import math

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline
from exactnet.errors import InputError
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box, Polyhedron
from exactnet.network.domain_union import PolyhedronUnion
from exactnet.network.finite_domain import FiniteDomain
from exactnet.polyhedra import Optimum, maximize
from exactnet.relu.max_difference import max_difference, within_epsilon
from exactnet.relu.regions import common_refinement
from exactnet.relu.top1 import top1_equivalent
from exactnet.network.argmax import exact_argmax

Q = st.builds(fmpq, st.integers(-4, 4), st.integers(1, 3))


@st.composite
def net(draw, n, m, hidden=None):
    widths = [n] + (hidden if hidden is not None else draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))) + [m]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append(([[draw(Q) for _ in range(a)] for _ in range(b)], [draw(Q) for _ in range(b)]))
    return Network.from_lists("relu", layers)


@st.composite
def pair(draw):
    n, m = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    return draw(net(n, m)), draw(net(n, m))


def _box(n):
    return Box.from_bounds([-1] * n, [fmpq(1, 2)] * n)


def oracle(a, b, domain, norm="inf"):
    """Per output ``max |A_k − B_k|`` (sup norm) or ``max Σ|A_k − B_k|``: one exact LP per region of the
    common refinement and per output sign (every sign vector for the 1-norm)."""
    m, n = a.output_dim, a.input_dim
    per = [None] * m
    total = None
    for reg in common_refinement([a, b], domain):
        ma, mb = reg.maps
        g = [[ma.weight[k, j] - mb.weight[k, j] for j in range(n)] for k in range(m)]
        h = [ma.bias[k, 0] - mb.bias[k, 0] for k in range(m)]
        signs = [(s,) for s in (1, -1)] if norm == "inf" else list(itertools.product((1, -1), repeat=m))
        for k in range(m if norm == "inf" else 1):
            for s in signs:
                coeff = [sum((sk * g[kk][j] for kk, sk in (zip([k], s) if norm == "inf" else enumerate(s))), fmpq(0))
                         for j in range(n)]
                const = sum((sk * h[kk] for kk, sk in (zip([k], s) if norm == "inf" else enumerate(s))), fmpq(0))
                den = math.lcm(*(int(v.q) for v in coeff))
                opt = maximize([int(v * den) for v in coeff], reg.rows, n)
                assert isinstance(opt, Optimum)
                val = opt.value / den + const
                if norm == "inf":
                    per[k] = val if per[k] is None else max(per[k], val)
                else:
                    total = val if total is None else max(total, val)
    return per if norm == "inf" else total


def _diff(a, b, x):
    return [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]


@settings(max_examples=25)
@given(pair())
def test_sup_norm_matches_the_region_oracle(ab):
    a, b = ab
    box = _box(a.input_dim)
    res = max_difference(a, b, box)
    per = oracle(a, b, box)
    assert res.complete and list(res.per_output) == per and res.value == max(per)
    assert res.lower_bound == res.upper_bound == res.value
    assert box.contains(res.argmax) and max(abs(v) for v in _diff(a, b, res.argmax)) == res.value
    for k, x in enumerate(res.per_output_argmax):
        assert box.contains(x) and abs(_diff(a, b, x)[k]) == per[k]


@settings(max_examples=15)
@given(pair())
def test_one_norm_matches_the_region_oracle(ab):
    a, b = ab
    box = _box(a.input_dim)
    res = max_difference(a, b, box, norm="1")
    assert res.value == oracle(a, b, box, "1")
    assert sum(abs(v) for v in _diff(a, b, res.argmax)) == res.value


@settings(max_examples=15)
@given(pair())
def test_epsilon_is_decided_exactly_at_the_maximum(ab):
    a, b = ab
    box = _box(a.input_dim)
    value = max_difference(a, b, box).value
    assert within_epsilon(a, b, box, value).within is True
    below = within_epsilon(a, b, box, value - fmpq(1, 1000)) if value > 0 else None
    if below is not None:
        assert below.within is False
        assert max(abs(v) for v in _diff(a, b, below.argmax)) > value - fmpq(1, 1000)


def test_polyhedron_and_union_domains():
    a = Network.from_lists("relu", [([[1, -1], [2, 1]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -2]], [0, 1])])
    b = Network.from_lists("relu", [([[1, -1], [2, fmpq(1001, 1000)]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -2]], [0, 1])])
    tri = Polyhedron(A=((fmpq(-1), fmpq(0)), (fmpq(0), fmpq(-1)), (fmpq(1), fmpq(1))), b=(fmpq(0), fmpq(0), fmpq(1)),
                     dim=2)
    res = max_difference(a, b, tri)
    assert res.per_output == tuple(oracle(a, b, tri))
    box = Box.from_bounds([fmpq(1, 2), fmpq(1, 2)], [1, 1])
    union = PolyhedronUnion((tri, box))
    both = max_difference(a, b, union)
    assert both.value == max(res.value, max_difference(a, b, box).value)


def test_finite_domains_enumeration_and_branch_and_bound_agree_with_brute_force():
    a = Network.from_lists("relu", [([[1, -1, 2], [2, 1, -1]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -2]], [0, 1])])
    b = Network.from_lists("relu", [([[1, -1, 2], [2, 1, fmpq(-9, 10)]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -3]], [0, 1])])
    dom = FiniteDomain.product([[0, 1], [0, fmpq(1, 2), 1], [-1, 0, 1, 2]])
    brute = max(max(abs(v) for v in _diff(a, b, x)) for x in dom.points())
    assert max_difference(a, b, dom).value == brute
    assert max_difference(a, b, dom, enumerate_at_most=1).value == brute
    assert max_difference(a, b, dom, enumerate_at_most=1, norm="1").value == max(
        sum(abs(v) for v in _diff(a, b, x)) for x in dom.points())


def test_time_limit_gives_an_exact_interval():
    a = Network.from_lists("relu", [([[1, -1], [2, 1]], [0, fmpq(-1, 2)]), ([[1, 1]], [0])])
    b = Network.from_lists("relu", [([[1, -1], [2, 3]], [0, fmpq(-1, 2)]), ([[1, 1]], [0])])
    res = max_difference(a, b, _box(2), deadline=Deadline(0.0))
    assert not res.complete and res.value is None and res.upper_bound is None


@pytest.mark.parametrize("domain, message", [
    (Polyhedron(A=((fmpq(-1), fmpq(0)),), b=(fmpq(0),), dim=2), "unbounded"),
    (Polyhedron(A=((fmpq(1), fmpq(0)), (fmpq(-1), fmpq(0)), (fmpq(0), fmpq(1)), (fmpq(0), fmpq(-1))),
                b=(fmpq(0), fmpq(-1), fmpq(1), fmpq(1)), dim=2), "empty"),
    (PolyhedronUnion((Polyhedron(A=((fmpq(1), fmpq(0)), (fmpq(-1), fmpq(0)), (fmpq(0), fmpq(1)), (fmpq(0), fmpq(-1))),
                                 b=(fmpq(0), fmpq(0), fmpq(1), fmpq(1)), dim=2),)), "empty interior"),
    (None, "bounded domain"),
])
def test_bad_domains_are_refused(domain, message):
    a = Network.from_lists("relu", [([[1, -1]], [0]), ([[1]], [0])])
    with pytest.raises(InputError, match=message):
        max_difference(a, a, domain)


def test_negative_epsilon_is_refused():
    a = Network.from_lists("relu", [([[1, -1]], [0]), ([[1]], [0])])
    with pytest.raises(InputError, match="≥ 0"):
        within_epsilon(a, a, _box(2), -1)


@settings(max_examples=20)
@given(st.data())
def test_top1_witnesses_differ_and_equal_networks_agree(data):
    n, m = data.draw(st.integers(1, 2)), data.draw(st.integers(2, 3))
    a = data.draw(net(n, m))
    b = data.draw(net(n, m))
    box = _box(n)
    res = top1_equivalent(a, b, box)
    if res.equivalent is False:
        x = res.witness
        assert box.contains(x)
        assert exact_argmax(forward_exact(a, x))[0] != exact_argmax(forward_exact(b, x))[0]
    else:  # no grid point may disagree
        grid = [fmpq(k, 8) for k in range(-8, 5)]
        for x in itertools.product(grid, repeat=n):
            assert exact_argmax(forward_exact(a, x))[0] == exact_argmax(forward_exact(b, x))[0]
    assert top1_equivalent(a, a, box).equivalent is True


@st.composite
def perturbed_pair(draw):
    """Two networks of the same widths (the difference intervals apply): B is A with a few entries moved."""
    n, m = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    hidden = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    a = draw(net(n, m, hidden))
    layers = []
    for layer in a.layers:
        weight = [[v + (draw(st.sampled_from([0, 0, fmpq(1, 16), fmpq(-1, 3)]))) for v in row] for row in layer.weight]
        bias = [v + draw(st.sampled_from([0, 0, fmpq(1, 8)])) for v in layer.bias]
        layers.append((weight, bias))
    return a, Network.from_lists("relu", layers)


@settings(max_examples=25)
@given(perturbed_pair())
def test_same_width_pairs_match_the_region_oracle(ab):
    a, b = ab
    box = _box(a.input_dim)
    res = max_difference(a, b, box)
    assert list(res.per_output) == oracle(a, b, box)
    assert max_difference(a, b, box, norm="1").value == oracle(a, b, box, "1")


def test_top1_on_a_finite_domain_matches_brute_force():
    a = Network.from_lists("relu", [([[1, -1, 2], [2, 1, -1]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -2], [0, 1]], [0, 1, 0])])
    b = Network.from_lists("relu", [([[1, -1, 2], [2, 1, -1]], [0, fmpq(-1, 2)]), ([[1, 1], [1, -2], [0, 2]], [0, 1, 0])])
    dom = FiniteDomain.product([[0, 1], [0, fmpq(1, 2), 1], [-1, 0, 1, 2]])
    differ = [x for x in dom.points()
              if exact_argmax(forward_exact(a, x))[0] != exact_argmax(forward_exact(b, x))[0]]
    res = top1_equivalent(a, b, dom)
    assert res.equivalent is (not differ)
    if differ:
        assert res.witness == differ[0]  # enumeration order: the first differing point
    assert top1_equivalent(a, a, dom).equivalent is True


@settings(max_examples=15)
@given(perturbed_pair())
def test_finite_branch_and_bound_on_same_width_pairs(ab):
    a, b = ab
    dom = FiniteDomain.product([[-1, 0, fmpq(1, 2)]] * a.input_dim)
    brute = max(max(abs(v) for v in _diff(a, b, x)) for x in dom.points())
    assert max_difference(a, b, dom, enumerate_at_most=1).value == brute
