"""Maximum difference, ε- and top-1 equivalence on polyhedra without interior (fixed inputs,
equalities): decided on the affine hull, with certificates the independent checker verifies."""

from __future__ import annotations

import copy
import itertools
import json

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.network.domain import Box, Polyhedron
from exactnet.network.vnnlib import parse_vnnlib
from exactnet.polyhedra.affine_hull import affine_hull
from exactnet.relu.certificates import (
    difference_certificate_note, epsilon_certificate, max_difference_certificate, top1_certificate,
)
from exactnet.relu.max_difference import max_difference, norm_value, within_epsilon
from exactnet.relu.top1 import top1_equivalent

q = fmpq


def _json(obj):
    return json.loads(json.dumps(obj))


def _d(a, b, x):
    return [p - r for p, r in zip(forward_exact(a, x), forward_exact(b, x))]


def _fixed(lower, upper):
    """The box ``lower ≤ x ≤ upper`` as a polyhedron (``lower_i = upper_i`` allowed)."""
    n = len(lower)
    A, b = [], []
    for i in range(n):
        e = [q(0)] * n
        e[i] = q(1)
        A.append(tuple(e))
        b.append(q(upper[i]))
        A.append(tuple(-v for v in e))
        b.append(-q(lower[i]))
    return Polyhedron(A=tuple(A), b=tuple(b), dim=n)


def _fold(net: Network, j: int, c) -> Network:
    """``net`` with input ``j`` fixed to ``c``, by hand: column ``j`` times ``c`` moves into the bias."""
    first = net.layers[0]
    weight = [[w for i, w in enumerate(row) if i != j] for row in first.weight]
    bias = [bb + row[j] * c for row, bb in zip(first.weight, first.bias)]
    return Network.from_lists("relu", [(weight, bias)] + [([list(r) for r in L.weight], list(L.bias))
                                                          for L in net.layers[1:]])


@st.composite
def _pair(draw, n):
    small = st.integers(-4, 4).map(lambda v: q(v, 2))
    h = draw(st.integers(1, 3))
    l1 = ([[draw(small) for _ in range(n)] for _ in range(h)], [draw(small) for _ in range(h)])
    l2 = ([[draw(small) for _ in range(h)] for _ in range(2)], [draw(small) for _ in range(2)])
    a = Network.from_lists("relu", [l1, l2])
    l2b = copy.deepcopy(l2)
    l2b[0][0][draw(st.integers(0, h - 1))] += draw(st.sampled_from([q(1, 3), q(-1, 4), q(1)]))
    return a, Network.from_lists("relu", [l1, l2b])


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_fixed_input_is_substituted(data):
    """On ``{x : x_j = c, rest in [−1, 1]}`` the maximum equals the maximum of the hand-folded
    networks on the smaller box, it is attained in the domain, and the certificate checks."""
    n = data.draw(st.integers(2, 3))
    a, b = data.draw(_pair(n))
    j = data.draw(st.integers(0, n - 1))
    c = data.draw(st.sampled_from([q(-1), q(0), q(1, 3), q(1)]))
    lower, upper = [-1] * n, [1] * n
    lower[j] = upper[j] = c
    dom = _fixed(lower, upper)
    res = max_difference(a, b, dom, certificate=True)
    folded = max_difference(_fold(a, j, c), _fold(b, j, c), Box.from_bounds([-1] * (n - 1), [1] * (n - 1)))
    assert res.value == folded.value
    assert dom.contains(res.argmax) and norm_value(_d(a, b, res.argmax), "inf") == res.value
    for k, x in enumerate(res.per_output_argmax):
        assert dom.contains(x) and abs(_d(a, b, x)[k]) == res.per_output[k]
    assert difference_certificate_note(dom) is None
    cert = _json(max_difference_certificate(a, b, dom, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes, affine_hull=res.affine_hull))
    assert check_certificate(cert).valid
    within = within_epsilon(a, b, dom, res.value, certificate=True)
    assert within.within is True
    assert check_certificate(_json(epsilon_certificate(a, b, dom, res.value, True, nodes=within.certificate_nodes,
                                                       affine_hull=within.affine_hull))).valid
    if res.value > 0:
        below = within_epsilon(a, b, dom, res.value / 2)
        assert below.within is False and dom.contains(below.argmax)
        assert norm_value(_d(a, b, below.argmax), "inf") > res.value / 2


def _line():
    """``x_0 + x_1 = 1`` (an equality of a VNN-LIB file) with ``0 ≤ x_0, x_1 ≤ 1``, ``−1 ≤ x_2 ≤ 1``."""
    return parse_vnnlib("(declare-const X_0 Real)(declare-const X_1 Real)(declare-const X_2 Real)"
                        "(assert (<= 0 X_0 1))(assert (<= 0 X_1 1))(assert (<= -1 X_2 1))"
                        "(assert (= (+ X_0 X_1) 1))")


A3 = Network.from_lists("relu", [([[1, -1, 1], [2, 1, 0], [q(1, 2), q(3, 2), 1]], [0, q(-1, 2), q(1, 4)]),
                                 ([[1, 1, 0], [1, -2, q(1, 2)]], [0, 1])])
B3 = Network.from_lists("relu", [([[1, -1, 1], [2, q(1001, 1000), 0], [q(1, 2), q(3, 2), 1]], [0, q(-1, 2), q(1, 4)]),
                                 ([[1, 1, 0], [1, -2, q(5001, 10000)]], [0, 1])])


def test_an_equality_certificate_and_its_tampered_hulls():
    dom = _line()
    res = max_difference(A3, B3, dom, certificate=True)
    assert res.affine_hull.dim == 2 and dom.contains(res.argmax)
    # the maximum is at least the value at every point of a grid of the segment × [−1, 1]
    grid = [(s, 1 - s, t) for s in (q(0), q(1, 4), q(1, 2), q(3, 4), q(1)) for t in (q(-1), q(0), q(1))]
    assert all(norm_value(_d(A3, B3, x), "inf") <= res.value for x in grid)
    cert = _json(max_difference_certificate(A3, B3, dom, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes, affine_hull=res.affine_hull))
    assert check_certificate(cert).valid
    bad = []
    moved = copy.deepcopy(cert)
    moved["evidence"]["affine_hull"]["point"] = ["1", "1", "0"]  # not on x_0 + x_1 = 1
    bad.append(moved)
    tilted = copy.deepcopy(cert)
    tilted["evidence"]["affine_hull"]["basis"][0] = ["1", "0", "0"]  # leaves the equality
    bad.append(tilted)
    flat = copy.deepcopy(cert)
    flat["evidence"]["affine_hull"]["basis"] = [flat["evidence"]["affine_hull"]["basis"][0]] * 2
    bad.append(flat)
    wide = copy.deepcopy(cert)  # the same hull claimed for the full box (no equality confines it)
    wide["claim"]["domain"] = {"lower": [0, 0, -1], "upper": [1, 1, 1]}
    bad.append(wide)
    for c in bad:
        assert not check_certificate(c).valid


def test_implied_equalities_are_decided_but_not_certified():
    # x_0 ≤ 0, x_1 ≤ 0, x_0 + x_1 ≥ 0 force x_0 = x_1 = 0; x_2 ∈ [0, 1]
    dom = Polyhedron(A=((q(1), q(0), q(0)), (q(0), q(1), q(0)), (q(-1), q(-1), q(0)), (q(0), q(0), q(1)),
                        (q(0), q(0), q(-1))), b=(q(0), q(0), q(0), q(1), q(0)), dim=3)
    hull = affine_hull(dom)
    assert hull.dim == 1 and hull.point[:2] == (0, 0)
    res = max_difference(A3, B3, dom)
    brute = max_difference(_fold(_fold(A3, 0, 0), 0, 0), _fold(_fold(B3, 0, 0), 0, 0), Box.from_bounds([0], [1]))
    assert res.value == brute.value
    assert "implied" in difference_certificate_note(dom)
    nodes = max_difference(A3, B3, dom, certificate=True)
    cert = _json(max_difference_certificate(A3, B3, dom, nodes.value, nodes.per_output, nodes.per_output_argmax,
                                            nodes.certificate_nodes, affine_hull=nodes.affine_hull))
    result = check_certificate(cert)
    assert not result.valid and "equalities" in result.reason


def test_a_single_point_and_top1_on_a_line():
    point = _fixed([q(1, 2), 0, q(-1, 3)], [q(1, 2), 0, q(-1, 3)])
    res = max_difference(A3, B3, point)
    x = (q(1, 2), q(0), q(-1, 3))
    assert res.value == norm_value(_d(A3, B3, x), "inf") and res.method == "single_point"
    assert "single point" in difference_certificate_note(point)
    dom = _line()
    same = top1_equivalent(A3, A3, dom, certificate=True)
    assert same.equivalent is True
    assert check_certificate(_json(top1_certificate(A3, A3, dom, True, nodes=same.certificate_nodes,
                                                    affine_hull=same.affine_hull))).valid
    diff = top1_equivalent(A3, B3, dom)
    if diff.equivalent is False:
        w = diff.witness
        assert dom.contains(w)
        assert exact_argmax(forward_exact(A3, w))[0] != exact_argmax(forward_exact(B3, w))[0]
    else:  # then no grid point of the line may separate them
        pts = [(s, 1 - s, t) for s, t in itertools.product([q(i, 8) for i in range(9)], [q(i, 4) for i in range(-4, 5)])]
        assert all(exact_argmax(forward_exact(A3, p))[0] == exact_argmax(forward_exact(B3, p))[0] for p in pts)
