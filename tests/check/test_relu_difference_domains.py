"""Difference certificates beyond boxes: polyhedra (region trees) and finite domains (enumeration,
sup norm and 1-norm). Valid ones check; false claims and misplaced evidence never do."""

from __future__ import annotations

import copy
import itertools
import json

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box, Polyhedron
from exactnet.network.finite_domain import FiniteDomain
from exactnet.relu.certificates import (
    MAX_ENUMERATION, difference_certificate_note, epsilon_certificate, max_difference_certificate, top1_certificate,
)
from exactnet.relu.max_difference import max_difference, norm_value, within_epsilon
from exactnet.relu.top1 import top1_equivalent

q = fmpq
A = Network.from_lists("relu", [([[1, -1], [2, 1], [q(1, 2), q(3, 2)]], [0, q(-1, 2), q(1, 4)]),
                                ([[1, 1, 0], [1, -2, q(1, 2)]], [0, 1])])
B = Network.from_lists("relu", [([[1, -1], [2, q(1001, 1000)], [q(1, 2), q(3, 2)]], [0, q(-1, 2), q(1, 4)]),
                                ([[1, 1, 0], [1, -2, q(5001, 10000)]], [0, 1])])
#: the triangle x ≥ 0, y ≥ 0, x + y ≤ 3/4 (a polyhedron, not a box)
TRI = Polyhedron(A=((q(1), q(1)), (q(-1), q(0)), (q(0), q(-1))), b=(q(3, 4), q(0), q(0)), dim=2)
FIN = FiniteDomain.product([[0, q(1, 2), 1], [-1, 0, 1]])


def _json(obj):
    return json.loads(json.dumps(obj))


def _d(a, b, x):
    return [p - r for p, r in zip(forward_exact(a, x), forward_exact(b, x))]


def test_polyhedron_certificates_check_and_the_maximum_is_attained():
    res = max_difference(A, B, TRI, certificate=True)
    cert = _json(max_difference_certificate(A, B, TRI, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes))
    assert check_certificate(cert).valid
    for k, x in enumerate(res.per_output_argmax):
        assert TRI.contains(x) and abs(_d(A, B, x)[k]) == res.per_output[k]
    # on the triangle the maximum is below the box's (73/40000 on [0,1]^2): the polyhedron matters
    box = max_difference(A, B, Box.from_bounds([0, 0], [1, 1]))
    assert res.value < box.value
    low = copy.deepcopy(cert)
    low["claim"]["per_output"][1] = str(res.per_output[1] - q(1, 10 ** 9))
    low["claim"]["max_abs_difference"] = str(max(res.per_output[0], res.per_output[1] - q(1, 10 ** 9)))
    assert not check_certificate(low).valid
    # the same tree claimed for the whole box: the box's larger maximum is not bounded by it
    wide = copy.deepcopy(cert)
    wide["claim"]["domain"] = {"lower": [0, 0], "upper": [1, 1]}
    assert not check_certificate(wide).valid
    ok = within_epsilon(A, B, TRI, res.value, certificate=True)
    assert check_certificate(_json(epsilon_certificate(A, B, TRI, res.value, True, nodes=ok.certificate_nodes))).valid
    same = top1_equivalent(A, A, TRI, certificate=True)
    assert check_certificate(_json(top1_certificate(A, A, TRI, True, nodes=same.certificate_nodes))).valid


def _brute(a, b, domain, norm):
    return max(norm_value(_d(a, b, x), norm) for x in domain.points())


@pytest.mark.parametrize("norm", ["inf", "1"])
def test_finite_enumeration_certificates(norm):
    res = max_difference(A, B, FIN, norm=norm, certificate=True)
    assert res.value == _brute(A, B, FIN, norm) and res.certificate_nodes is None
    cert = _json(max_difference_certificate(A, B, FIN, res.value, res.per_output, res.per_output_argmax, None,
                                            norm=norm, argmax=res.argmax))
    assert cert["evidence"]["method"] == "enumeration"
    assert check_certificate(cert).valid
    # a smaller claimed maximum, an argmax that does not attain it, a polyhedral domain: invalid
    low = copy.deepcopy(cert)
    if norm == "inf":
        k = max(range(2), key=lambda i: res.per_output[i])
        low["claim"]["per_output"][k] = str(res.per_output[k] - q(1, 10 ** 9))
        low["claim"]["max_abs_difference"] = str(max(fmpq(v) for v in low["claim"]["per_output"]))
    else:
        low["claim"]["max_abs_difference"] = str(res.value - q(1, 10 ** 9))
    assert not check_certificate(low).valid
    moved = copy.deepcopy(cert)
    others = [x for x in FIN.points() if norm_value(_d(A, B, x), norm) < res.value]
    moved["evidence"]["argmax"][-1] = [str(v) for v in others[0]]
    if norm == "inf":  # the last output's point must attain the last output's maximum
        assert abs(_d(A, B, others[0])[-1]) != res.per_output[-1] or not check_certificate(moved).valid
    else:
        assert not check_certificate(moved).valid
    poly = copy.deepcopy(cert)
    poly["claim"]["domain"] = {"lower": [0, -1], "upper": [1, 1]}
    assert not check_certificate(poly).valid
    eps = _json(epsilon_certificate(A, B, FIN, res.value, True, norm=norm))
    assert check_certificate(eps).valid
    eps["claim"]["eps"] = str(res.value - q(1, 10 ** 9))
    assert not check_certificate(eps).valid


def test_misplaced_evidence_and_too_many_points():
    tree = max_difference(A, B, TRI, certificate=True)
    cert = _json(max_difference_certificate(A, B, TRI, tree.value, tree.per_output, tree.per_output_argmax,
                                            tree.certificate_nodes))
    cert["claim"]["domain"] = FIN.to_obj()
    assert not check_certificate(cert).valid  # a region tree says nothing about a finite set
    one = copy.deepcopy(cert)
    one["claim"]["domain"] = TRI.to_obj()
    one["claim"]["norm"] = "1"
    one["claim"]["per_output"] = None
    one["evidence"]["argmax"] = one["evidence"]["argmax"][:1]
    assert not check_certificate(one).valid  # a sup-norm tree has no output signs: not a 1-norm proof
    big = FiniteDomain.cube([0, 1], 17)
    assert big.size > MAX_ENUMERATION and "at most" in difference_certificate_note(big)
    n = 17
    wide = Network.from_lists("relu", [([[1] * n], [0]), ([[1], [-1]], [0, 0])])
    c = _json(top1_certificate(wide, wide, big, True))
    result = check_certificate(c)
    assert not result.valid and "at most" in result.reason


def test_top1_enumeration_is_refused_when_a_class_differs():
    # B's second output is raised at one point of the finite set only
    a = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [0, 1]], [0, 0])])
    b = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [0, 1]], [0, q(1, 2)])])
    dom = FiniteDomain.product([[0, 1], [0, 1]])
    assert top1_equivalent(a, b, dom).equivalent is False
    assert not check_certificate(_json(top1_certificate(a, b, dom, True))).valid
    assert check_certificate(_json(top1_certificate(a, a, dom, True))).valid


@st.composite
def _case(draw):
    n = draw(st.integers(1, 3))
    small = st.integers(-3, 3).map(lambda v: q(v, 2))
    h = draw(st.integers(1, 3))
    layer1 = ([[draw(small) for _ in range(n)] for _ in range(h)], [draw(small) for _ in range(h)])
    layer2 = ([[draw(small) for _ in range(h)] for _ in range(2)], [draw(small) for _ in range(2)])
    a = Network.from_lists("relu", [layer1, layer2])
    w = copy.deepcopy(layer2)
    w[0][0][0] += draw(st.sampled_from([0, q(1, 8), q(-1, 3)]))
    b = Network.from_lists("relu", [layer1, w])
    sets = [draw(st.lists(small, min_size=1, max_size=3)) for _ in range(n)]
    return a, b, FiniteDomain.product(sets), draw(st.sampled_from(["inf", "1"]))


@settings(max_examples=60, deadline=None)
@given(_case())
def test_enumeration_certificates_agree_with_brute_force(case):
    a, b, dom, norm = case
    res = max_difference(a, b, dom, norm=norm)
    assert res.value == _brute(a, b, dom, norm)
    cert = _json(max_difference_certificate(a, b, dom, res.value, res.per_output, res.per_output_argmax, None,
                                            norm=norm, argmax=res.argmax))
    assert check_certificate(cert).valid
    same = all(_argmax(forward_exact(a, x)) == _argmax(forward_exact(b, x)) for x in dom.points())
    assert check_certificate(_json(top1_certificate(a, b, dom, True))).valid == same


def _argmax(y):
    return min(i for i, v in enumerate(y) if v == max(y))


def test_union_certificates_one_tree_per_part():
    from exactnet.network.domain_union import PolyhedronUnion

    assert difference_certificate_note(TRI) is None and difference_certificate_note(FIN, "1") is None
    assert difference_certificate_note(TRI, "1") is None
    far = Box.from_bounds([q(1, 2), -1], [1, 0])
    union = PolyhedronUnion((TRI, far))
    assert difference_certificate_note(union) is None
    empty = Polyhedron(A=((q(1), q(0)), (q(-1), q(0))), b=(q(-1), q(-1)), dim=2)
    assert "empty" in difference_certificate_note(PolyhedronUnion((TRI, empty)))
    for norm in ("inf", "1"):
        res = max_difference(A, B, union, norm=norm, certificate=True)
        assert res.value == max(max_difference(A, B, p, norm=norm).value for p in (TRI, far))
        assert len(res.certificate_roots) == 2
        cert = _json(max_difference_certificate(A, B, union, res.value, res.per_output, res.per_output_argmax,
                                                res.certificate_nodes, norm=norm, argmax=res.argmax,
                                                roots=res.certificate_roots))
        assert check_certificate(cert).valid
        one = copy.deepcopy(cert)  # the union's first part alone: one root too many
        one["claim"]["domain"]["union"] = one["claim"]["domain"]["union"][:1]
        assert not check_certificate(one).valid
        swapped = copy.deepcopy(cert)  # each tree checked against the other part's rows
        swapped["evidence"]["roots"].reverse()
        assert not check_certificate(swapped).valid
        bigger = copy.deepcopy(cert)  # a third part nobody bounded
        bigger["claim"]["domain"]["union"].append({"lower": [-1, -1], "upper": [0, 0]})
        bigger["evidence"]["roots"].append(0)
        assert not check_certificate(bigger).valid
    same = top1_equivalent(A, A, union, certificate=True)
    assert check_certificate(_json(top1_certificate(A, A, union, True, nodes=same.certificate_nodes,
                                                    roots=same.certificate_roots))).valid
    assert list(itertools.islice(FIN.points(), 1))  # the finite domain used above is not empty


@pytest.mark.parametrize("domain", [TRI, Box.from_bounds([-1, -1], [1, 1])])
def test_one_norm_region_trees(domain):
    """1-norm certificates on a box and a polyhedron: output-sign fixes and splits below the units,
    one LP proof per leaf; a smaller claim or a dropped sign does not check."""
    res = max_difference(A, B, domain, norm="1", certificate=True)
    cert = _json(max_difference_certificate(A, B, domain, res.value, None, None, res.certificate_nodes, norm="1",
                                            argmax=res.argmax))
    assert check_certificate(cert).valid
    assert norm_value(_d(A, B, res.argmax), "1") == res.value and domain.contains(res.argmax)
    nodes = cert["evidence"]["nodes"]
    assert any("sign_fix" in nd or "sign_split" in nd for nd in nodes)
    low = copy.deepcopy(cert)
    low["claim"]["max_abs_difference"] = str(res.value - q(1, 10 ** 9))
    assert not check_certificate(low).valid
    for i, nd in enumerate(nodes):
        if nd.get("sign_fix"):
            c = copy.deepcopy(cert)
            fix = c["evidence"]["nodes"][i]["sign_fix"][0]
            fix[1] = -fix[1]
            assert not check_certificate(c).valid
            break
    ok = within_epsilon(A, B, domain, res.value, norm="1", certificate=True)
    eps = _json(epsilon_certificate(A, B, domain, res.value, True, nodes=ok.certificate_nodes, norm="1"))
    assert check_certificate(eps).valid
    eps["claim"]["norm"] = "inf"  # a 1-norm tree says nothing in the sup norm's format
    assert not check_certificate(eps).valid
