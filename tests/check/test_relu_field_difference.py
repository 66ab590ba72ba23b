"""relu.max_difference / relu.epsilon certificates for networks with real algebraic weights
(evidence ``field_region_tree`` and ``field_witness``, docs/certificates.md): valid ones check,
tampered ones (a multiplier, a point, a dropped cell, a maximum, the field's real embedding) never do."""

from __future__ import annotations

import copy
import json
import random

import pytest
from flint import fmpq

from exactnet.certificates import MalformedCertificate
from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.relu.certificates import field_epsilon_certificate, field_max_difference_certificate
from exactnet.relu.max_difference import max_difference, within_epsilon

BOX2 = Box.from_bounds([fmpq(0)] * 2, [fmpq(1)] * 2)
HIDDEN = [[1, "sqrt(2)"], ["sqrt(2)", -1]]
#: d = (2 − 2√2)·relu(√2x − y + 1): maximum 2 at (1, 0) (docs/difference.md § Algebraic weights)
HAND = (Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, 2]], [0])]),
        Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, "2*sqrt(2)"]], [0])]))


def _entry(rnd):
    k = rnd.randint(-2, 2)
    return f"{k}*sqrt(2)" if rnd.random() < 0.4 and k else rnd.randint(-3, 3)


def _random_net(rnd, widths):
    layers = []
    for i, o in zip(widths, widths[1:]):
        layers.append(([[_entry(rnd) for _ in range(i)] for _ in range(o)], [_entry(rnd) for _ in range(o)]))
    return Network.from_lists("relu", layers)


def _pair(seed):
    rnd = random.Random(seed)
    return _random_net(rnd, [2, 3, 2]), _random_net(rnd, [2, 3, 2])


def _json(obj):
    return json.loads(json.dumps(obj))


def _diff_cert(a, b):
    res = max_difference(a, b, BOX2, certificate=True)
    assert res.complete and res.certificate_nodes is not None
    return res, _json(field_max_difference_certificate(a, b, BOX2, res.value, res.per_output, res.per_output_argmax,
                                                       res.certificate_nodes))


def _rejected(cert) -> bool:
    try:
        return not check_certificate(cert).valid
    except MalformedCertificate:
        return True


def _leaves(cert):
    return [node for node in cert["evidence"]["nodes"] if "leaf" in node]


def _bump(v):
    """A different field number: the rational part raised by 1/7."""
    if isinstance(v, list):
        return [str(fmpq(*map(int, str(v[0]).split("/"))) + fmpq(1, 7))] + v[1:]
    return str(fmpq(*map(int, str(v).split("/"))) + fmpq(1, 7))


@pytest.fixture(scope="module")
def random_certs():
    return [_diff_cert(*_pair(seed)) for seed in (0, 2, 3)]


def test_valid_certificates_check_and_state_the_exact_maximum(random_certs):
    irrational = 0
    for res, cert in random_certs:
        result = check_certificate(cert)
        assert result.valid, result.reason
        assert cert["evidence"]["method"] == "field_region_tree"
        assert len(_leaves(cert)) == res.stats["regions"]
        irrational += "sqrt" in str(cert["claim"]["max_abs_difference"])
    assert irrational  # a maximum outside Q is stated and checked exactly


def test_hand_computed_maximum_and_eps_certificates():
    a, b = HAND
    res, cert = _diff_cert(a, b)
    assert res.value == 2 and cert["claim"]["max_abs_difference"] == 2
    assert check_certificate(cert).valid
    yes = within_epsilon(a, b, BOX2, 2, certificate=True)
    within = _json(field_epsilon_certificate(a, b, BOX2, fmpq(2), True, nodes=yes.certificate_nodes))
    assert check_certificate(within).valid
    below = copy.deepcopy(within)
    below["claim"]["eps"] = "199/100"  # the maximum is 2: some cell's maximum exceeds 199/100
    assert not check_certificate(below).valid
    no = within_epsilon(a, b, BOX2, fmpq(199, 100), certificate=True)
    assert no.within is False
    witness = _json(field_epsilon_certificate(a, b, BOX2, fmpq(199, 100), False, witness=no.argmax))
    assert witness["evidence"]["method"] == "field_witness" and check_certificate(witness).valid
    loose = copy.deepcopy(witness)
    loose["claim"]["eps"] = "2"  # |d| ≤ 2 everywhere: the witness does not exceed it
    assert not check_certificate(loose).valid
    inside = copy.deepcopy(witness)
    inside["evidence"]["point"] = ["1/2", "1"]  # √2/2 − 1 + 1 > 0 but |d| < 2
    assert not check_certificate(inside).valid
    outside = copy.deepcopy(witness)
    outside["evidence"]["point"] = ["2", "0"]
    assert not check_certificate(outside).valid
    shorter = copy.deepcopy(witness)  # A without its last layer maps R^2 → R^2, B → R^1: no claim
    del shorter["networks"][0]["layers"][1]
    assert not check_certificate(shorter).valid
    assert "different input or output dimensions" in check_certificate(shorter).reason


def test_a_changed_multiplier_is_rejected(random_certs):
    tried = 0
    for _, cert in random_certs:
        for leaf in _leaves(cert):
            for pair in leaf["leaf"]["optima"]:
                for opt in pair:
                    if opt["y"]:
                        bad = copy.deepcopy(cert)
                        target = [o for o in [p for q in bad["evidence"]["nodes"] for p in
                                              (q["leaf"]["optima"] if "leaf" in q else [])] for o in o
                                  if o == opt][0]
                        target["y"][0][1] = _bump(target["y"][0][1])
                        assert _rejected(bad)
                        tried += 1
                        if tried >= 6:
                            return
    pytest.fail("no multiplier to tamper with")


def test_a_moved_point_or_changed_cell_value_is_rejected(random_certs):
    _, cert = random_certs[0]
    for field in ("point", "value"):
        for i, node in enumerate(cert["evidence"]["nodes"]):
            if "leaf" not in node:
                continue
            bad = copy.deepcopy(cert)
            opt = bad["evidence"]["nodes"][i]["leaf"]["optima"][0][0]
            if field == "point":
                opt["point"][0] = _bump(opt["point"][0])
            else:
                opt["value"] = _bump(opt["value"])
            assert _rejected(bad), (field, i)


def test_a_dropped_cell_is_rejected(random_certs):
    _, cert = random_certs[0]
    nodes = cert["evidence"]["nodes"]
    dropped = 0
    for i, node in enumerate(nodes):
        if "split" in node:
            pos, neg = node["children"]
            for keep in (pos, neg):
                if "leaf" in nodes[keep]:
                    bad = copy.deepcopy(cert)
                    parent = bad["evidence"]["nodes"][i]
                    del parent["split"], parent["children"]
                    parent["leaf"] = copy.deepcopy(nodes[keep]["leaf"])  # one side's cell only
                    assert _rejected(bad)
                    dropped += 1
    assert dropped
    # deleting a leaf's optima for an output, or a whole leaf entry, is refused as well
    bad = copy.deepcopy(cert)
    _leaves(bad)[0]["leaf"]["optima"].pop()
    assert _rejected(bad)


def test_a_changed_maximum_is_rejected(random_certs):
    for res, cert in random_certs:
        for k in range(2):
            for delta in (fmpq(1, 10 ** 9), -fmpq(1, 10 ** 9)):
                bad = copy.deepcopy(cert)
                bad["claim"]["per_output"][k] = str(res.per_output[k] + delta)
                assert _rejected(bad)
        bad = copy.deepcopy(cert)
        bad["claim"]["max_abs_difference"] = str(min(res.per_output))
        if min(res.per_output) != res.value:
            assert _rejected(bad)
        bad = copy.deepcopy(cert)
        bad["evidence"]["argmax"][0][0] = _bump(bad["evidence"]["argmax"][0][0])
        assert _rejected(bad)


def test_a_field_with_another_real_embedding_is_rejected(random_certs):
    """The same polynomial with the other real root (−√2 for √2) is another embedding of the field:
    every field number of the proof would mean another real number."""
    _, cert = random_certs[0]
    field = cert["evidence"]["field"]
    assert field["polynomial"] in ([-2, 0, 1], [-8, 0, 1], [-18, 0, 1]) or len(field["polynomial"]) == 3
    for index in {0, 1} - {field["root_index"]}:
        bad = copy.deepcopy(cert)
        bad["evidence"]["field"]["root_index"] = index
        assert not check_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["evidence"]["field"]["polynomial"] = [-3, 0, 1]
    assert not check_certificate(bad).valid


def test_field_evidence_for_rational_networks_is_rejected(random_certs):
    _, cert = random_certs[0]
    bad = copy.deepcopy(cert)
    for net in bad["networks"]:
        for layer in net["layers"]:
            layer["weight"] = [[1 for _ in row] for row in layer["weight"]]
            layer["bias"] = [0 for _ in layer["bias"]]
    assert _rejected(bad)


@pytest.fixture(scope="module")
def one_norm():
    a, b = _pair(3)
    res = max_difference(a, b, BOX2, norm="1", certificate=True)
    cert = _json(field_max_difference_certificate(a, b, BOX2, res.value, None, None, res.certificate_nodes, norm="1",
                                                  argmax=res.argmax))
    return a, b, res, cert


def test_one_norm_certificates_check_and_tampering_is_rejected(one_norm):
    a, b, res, cert = one_norm
    assert check_certificate(cert).valid
    assert cert["claim"]["per_output"] is None and len(cert["evidence"]["argmax"]) == 1
    leaf = _leaves(cert)[0]["leaf"]
    assert len(leaf["sum_optima"]) == 4  # 2 outputs: every sign vector
    inf = max_difference(a, b, BOX2)
    assert inf.value < res.value  # the 1-norm maximum is larger here: a claim of the sup value is false
    bad = copy.deepcopy(cert)
    bad["claim"]["max_abs_difference"] = str(inf.value)
    assert _rejected(bad)
    for i in range(4):  # a sign vector's optimum dropped, or its value lowered
        bad = copy.deepcopy(cert)
        _leaves(bad)[-1]["leaf"]["sum_optima"].pop(i)
        assert _rejected(bad)
        bad = copy.deepcopy(cert)
        opt = _leaves(bad)[-1]["leaf"]["sum_optima"][i]
        opt["value"] = _bump(opt["value"])
        assert _rejected(bad)
    bad = copy.deepcopy(cert)  # the sup-norm shape of a leaf under a 1-norm claim
    bad["claim"]["norm"] = "inf"
    assert _rejected(bad)
    bad = copy.deepcopy(cert)
    bad["evidence"]["argmax"][0][0] = _bump(bad["evidence"]["argmax"][0][0])
    assert _rejected(bad)


def test_one_norm_eps_certificates(one_norm):
    a, b, res, _ = one_norm
    top = within_epsilon(a, b, BOX2, fmpq(40), norm="1", certificate=True)
    assert top.within is True  # M = 10 + 10√2 < 40
    cert = _json(field_epsilon_certificate(a, b, BOX2, fmpq(40), True, nodes=top.certificate_nodes, norm="1"))
    assert check_certificate(cert).valid
    tight = copy.deepcopy(cert)
    tight["claim"]["eps"] = 24  # 10 + 10√2 > 24: some cell exceeds it
    assert not check_certificate(tight).valid
    no = within_epsilon(a, b, BOX2, fmpq(24), norm="1")
    assert no.within is False
    witness = _json(field_epsilon_certificate(a, b, BOX2, fmpq(24), False, witness=no.argmax, norm="1"))
    assert check_certificate(witness).valid
    loose = copy.deepcopy(witness)
    loose["claim"]["eps"] = 25  # 10 + 10√2 ≈ 24.14 ≤ 25: no point exceeds it
    assert not check_certificate(loose).valid


def test_finite_domain_enumeration_certificates():
    """A finite domain: evidence ``field_enumeration`` (the maxima in the field, every point
    evaluated by the checker); tampered maxima, argmax points and claims are rejected."""
    from exactnet.network.finite_domain import FiniteDomain

    a, b = _pair(3)
    fin = FiniteDomain.product([[0, fmpq(1, 2), 1], [0, fmpq(1, 3), 1]])
    for norm in ("inf", "1"):
        res = max_difference(a, b, fin, norm=norm)
        assert res.method == "field_enumeration" and res.stats["points"] == 9
        cert = _json(field_max_difference_certificate(a, b, fin, res.value, res.per_output, res.per_output_argmax,
                                                      None, norm=norm, argmax=res.argmax))
        assert cert["evidence"]["method"] == "field_enumeration" and check_certificate(cert).valid
        lower = copy.deepcopy(cert)  # a smaller stated maximum is exceeded at its own argmax
        lower["evidence"]["maxima"][0] = _bump(lower["evidence"]["maxima"][0])
        assert _rejected(lower)
        moved = copy.deepcopy(cert)
        moved["evidence"]["argmax"][0] = ["1/2", "1/2"]  # not a point of the finite domain
        assert _rejected(moved)
        claimed = copy.deepcopy(cert)
        claimed["claim"]["max_abs_difference"] = "20"
        assert _rejected(claimed)
        tree = copy.deepcopy(cert)
        tree["claim"]["domain"] = {"lower": [0, 0], "upper": [1, 1]}  # the box needs a region tree
        assert _rejected(tree)
    # 1-norm maximum 10 + 10√2 ≈ 24.1 over the box; on these 9 points: ε = 20 decides both ways
    yes = within_epsilon(a, b, fin, 30, norm="1")
    no = within_epsilon(a, b, fin, 20, norm="1")
    assert yes.within is True and no.within is False
    within = _json(field_epsilon_certificate(a, b, fin, fmpq(30), True, norm="1"))
    assert within["evidence"]["method"] == "field_enumeration" and check_certificate(within).valid
    within["claim"]["eps"] = 20
    assert not check_certificate(within).valid
    witness = _json(field_epsilon_certificate(a, b, fin, fmpq(20), False, witness=no.argmax, norm="1"))
    assert check_certificate(witness).valid
    irrational = copy.deepcopy(witness)
    irrational["evidence"]["point"][0] = [0, 1]  # √2: not a point of the finite domain
    assert not check_certificate(irrational).valid


def test_union_certificates_one_tree_per_part():
    from exactnet.network.domain import Polyhedron
    from exactnet.network.domain_union import PolyhedronUnion

    q = fmpq
    tri = Polyhedron(A=((q(1), q(1)), (q(-1), q(0)), (q(0), q(-1))), b=(q(1), q(0), q(0)), dim=2)
    union = PolyhedronUnion((tri, Box.from_bounds([q(1, 2), -1], [1, 0])))
    a, b = _pair(3)
    res = max_difference(a, b, union, certificate=True)
    assert res.value == max(max_difference(a, b, part).value for part in union.parts)
    cert = _json(field_max_difference_certificate(a, b, union, res.value, res.per_output, res.per_output_argmax,
                                                  res.certificate_nodes, roots=res.certificate_roots))
    assert cert["evidence"]["roots"][0] == 0 and check_certificate(cert).valid
    for roots in ([0], [0, 0], list(reversed(cert["evidence"]["roots"])), None):
        bad = copy.deepcopy(cert)
        if roots is None:
            del bad["evidence"]["roots"]
        else:
            bad["evidence"]["roots"] = roots
        assert _rejected(bad), roots
    only = copy.deepcopy(cert)  # the first part's tree alone, claimed for the whole union
    only["claim"]["domain"] = {"union": [cert["claim"]["domain"]["union"][0]] * 2}
    assert _rejected(only)
    ok = within_epsilon(a, b, union, 20, certificate=True)  # M = 6√2 + 11 ≈ 19.49
    within = _json(field_epsilon_certificate(a, b, union, fmpq(20), True, nodes=ok.certificate_nodes,
                                             roots=ok.certificate_roots))
    assert ok.within is True and check_certificate(within).valid
    within["claim"]["eps"] = 19
    assert not check_certificate(within).valid


def test_top1_certificates_check_and_tampering_is_rejected():
    """``relu.top1`` over the field: a Motzkin proof per leaf and pair (here the tie-breaking proof of
    the second LP: ``(x, 0)`` and ``(√2·x, 0)`` tie on ``x = 0``); tampered multipliers, a dropped
    pair, a flipped claim and a moved witness are rejected."""
    from exactnet.relu.certificates import field_top1_certificate
    from exactnet.relu.top1 import top1_equivalent

    box = Box.from_bounds([-1, -1], [1, 1])
    c = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([[1, -1], [0, 0]], [0, 0])])
    d = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, 0])])
    res = top1_equivalent(c, d, box, certificate=True)
    cert = _json(field_top1_certificate(c, d, box, True, nodes=res.certificate_nodes))
    assert cert["evidence"]["method"] == "field_region_tree" and check_certificate(cert).valid
    flipped = copy.deepcopy(cert)
    flipped["claim"]["top1_equivalent"] = False
    assert _rejected(flipped)
    dropped = copy.deepcopy(cert)
    _leaves(dropped)[0]["leaf"]["pairs"].pop()
    assert _rejected(dropped)
    changed = 0
    for li, leaf in enumerate(_leaves(cert)):
        for pi, pair in enumerate(leaf["leaf"]["pairs"]):
            for key in ("y", "c", "w"):
                if pair[key]:
                    bad = copy.deepcopy(cert)
                    entry = _leaves(bad)[li]["leaf"]["pairs"][pi][key][0]
                    entry[1] = _bump(entry[1])
                    assert _rejected(bad), (li, pi, key)
                    changed += 1
    assert changed
    e = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, "1/1000"])])
    differ = top1_equivalent(c, e, box)
    witness = _json(field_top1_certificate(c, e, box, False, witness=differ.witness))
    assert witness["evidence"]["method"] == "field_witness" and check_certificate(witness).valid
    moved = copy.deepcopy(witness)
    moved["evidence"]["point"] = [1, 0]  # class 0 for both there
    assert _rejected(moved)
    same = copy.deepcopy(cert)  # the tree of (c, d) does not prove (c, e) equivalent
    same["networks"][1] = witness["networks"][1]
    assert _rejected(same)
