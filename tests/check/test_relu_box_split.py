"""``box_split`` evidence (docs/certificates.md "Box-split evidence"): box splitting writes certificates
the independent checker verifies; the checker's own difference-form bound equals the prover's and
encloses the difference; tampered certificates are rejected."""

from __future__ import annotations

import copy
import itertools
import json
import random

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.certificates import MalformedCertificate
from exactnet.check import check_certificate
from exactnet.check.relu import layer_lists
from exactnet.check.relu_box_forms import PairForms, form_bounds, round_down, round_up
from exactnet.network import forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.network.domain import Box
from exactnet.relu.box_bounds import BITS, CompiledPair, box_bounds
from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate, top1_certificate
from exactnet.relu.max_difference import max_difference, within_epsilon
from exactnet.relu.symbolic_bounds import CompiledNet
from exactnet.relu.top1 import top1_equivalent

from ..relu.nets import random_net
from .box_split_pairs import BOX, nudged, pair

SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _json(obj):
    return json.loads(json.dumps(obj))


# ---------------------------------------------------------------------------------------------
# the checker's bound
# ---------------------------------------------------------------------------------------------


@given(st.fractions(min_value=-1000, max_value=1000), st.integers(2, 80))
def test_rounding_is_outward_and_dyadic(x, bits):
    q = fmpq(x.numerator, x.denominator)
    lo, hi = round_down(q, bits), round_up(q, bits)
    assert lo <= q <= hi
    for v in (lo, hi):
        d = int(v.q)
        assert d & (d - 1) == 0  # a power of two
    if q != 0:  # relative error below 2^(1 − bits)
        assert (hi - lo) <= abs(q) * fmpq(4, 2 ** bits)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6), st.booleans())
def test_checker_forms_equal_the_provers_and_enclose_the_difference(seed, same_widths):
    rnd = random.Random(seed)
    n, m = rnd.randint(1, 3), rnd.randint(2, 3)
    a = random_net(rnd, [n, 4, 3, m], scale=5, dens=(1, 2, 4))
    b = nudged(a, rnd, fmpq(1, 16)) if same_widths else random_net(rnd, [n, 5, m], scale=5, dens=(1, 2, 4))
    lower = [fmpq(rnd.randint(-8, 0), 8) for _ in range(n)]
    upper = [lo + fmpq(rnd.randint(1, 8), 8) for lo in lower]
    mine = form_bounds(PairForms(layer_lists(a), layer_lists(b)), lower, upper, BITS)
    theirs = box_bounds(CompiledPair(CompiledNet.of(a).hat, CompiledNet.of(b).hat, exact=True), lower, upper)
    assert mine.upper == tuple(theirs.upper)  # the certificate's bits reproduce the prover's bound
    assert (mine.classes_a, mine.classes_b) == (theirs.classes_a, theirs.classes_b)
    points = list(itertools.product(*zip(lower, upper)))
    points += [tuple(lo + (hi - lo) * fmpq(rnd.randint(0, 16), 16) for lo, hi in zip(lower, upper))
               for _ in range(30)]
    for x in points:
        ya, yb = forward_exact(a, x), forward_exact(b, x)
        for k in range(m):
            assert ya[k] - yb[k] <= mine.upper[2 * k] and yb[k] - ya[k] <= mine.upper[2 * k + 1]
        assert exact_argmax(ya)[0] in mine.classes_a and exact_argmax(yb)[0] in mine.classes_b


def test_fewer_bits_are_still_sound():
    a, b = pair(3)
    lower, upper = [fmpq(-1, 4), fmpq(0)], [fmpq(0), fmpq(1, 4)]
    coarse = form_bounds(PairForms(layer_lists(a), layer_lists(b)), lower, upper, 4)
    for x in itertools.product(*[[lo + (hi - lo) * fmpq(i, 8) for i in range(9)] for lo, hi in zip(lower, upper)]):
        d = [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]
        assert all(v <= coarse.upper[2 * k] and -v <= coarse.upper[2 * k + 1] for k, v in enumerate(d))


# ---------------------------------------------------------------------------------------------
# certificates of random pairs
# ---------------------------------------------------------------------------------------------


@SLOW
@given(st.integers(0, 10 ** 6))
def test_box_split_certificates_check_and_agree_with_the_region_search(seed):
    a, b = pair(seed)
    res = max_difference(a, b, BOX, certificate=True)
    ref = max_difference(a, b, BOX, box_splitting=False)
    assert res.value == ref.value and res.per_output == ref.per_output
    if res.certificate_boxes is None:  # the splitting was abandoned: one region tree of the box
        assert res.certificate_nodes
        return
    diff = _json(max_difference_certificate(a, b, BOX, res.value, res.per_output, res.per_output_argmax, None,
                                            boxes=res.certificate_boxes))
    assert diff["evidence"]["method"] == "box_split" and check_certificate(diff).valid
    ok = within_epsilon(a, b, BOX, res.value, certificate=True)
    assert ok.within is True
    within = _json(epsilon_certificate(a, b, BOX, res.value, True, nodes=ok.certificate_nodes,
                                       boxes=ok.certificate_boxes))
    assert check_certificate(within).valid
    for eps in (res.value * fmpq(15, 16), res.value - fmpq(1, 10 ** 12)):  # a false claim never checks
        low = copy.deepcopy(within)
        low["claim"]["eps"] = str(eps)
        assert not check_certificate(low).valid
    low = copy.deepcopy(diff)
    k = max(range(len(res.per_output)), key=lambda i: res.per_output[i])
    low["claim"]["per_output"][k] = low["claim"]["max_abs_difference"] = str(res.value * fmpq(15, 16))
    assert not check_certificate(low).valid


@SLOW
@given(st.integers(0, 10 ** 6))
def test_top1_box_split_certificates_agree_with_the_region_search(seed):
    rnd = random.Random(seed)
    a = random_net(rnd, [2, 6, 6, 3], scale=5, dens=(1, 2, 4))
    b = nudged(a, rnd, fmpq(1, 256))
    res = top1_equivalent(a, b, BOX, certificate=True)
    ref = top1_equivalent(a, b, BOX, box_splitting=False)
    assert res.equivalent == ref.equivalent
    if res.equivalent is False:
        ca, cb = exact_argmax(forward_exact(a, res.witness))[0], exact_argmax(forward_exact(b, res.witness))[0]
        assert ca != cb and BOX.contains(res.witness)
        cert = _json(top1_certificate(a, b, BOX, False, witness=res.witness))
    else:
        cert = _json(top1_certificate(a, b, BOX, True, nodes=res.certificate_nodes, boxes=res.certificate_boxes))
    assert check_certificate(cert).valid
    flipped = copy.deepcopy(cert)
    flipped["claim"]["top1_equivalent"] = not flipped["claim"]["top1_equivalent"]
    assert not check_certificate(flipped).valid


# ---------------------------------------------------------------------------------------------
# tampering
# ---------------------------------------------------------------------------------------------


def _search_seed(pred):
    for seed in range(200):
        a, b = pair(seed)
        res = max_difference(a, b, BOX)
        eps = res.value
        ok = within_epsilon(a, b, BOX, eps, certificate=True)
        boxes = ok.certificate_boxes
        if boxes is not None and pred(boxes):
            return a, b, eps, _json(epsilon_certificate(a, b, BOX, eps, True, boxes=boxes))
    raise AssertionError("no instance found")  # pragma: no cover


@pytest.fixture(scope="module")
def tight():
    """An ε certificate at ε = the exact maximum, with at least two region leaves and a sub-box
    closed by a bound."""
    return _search_seed(lambda boxes: sum("leaf" in nd for nd in boxes) >= 2 and
                        any("bound" in nd and "split" not in nd and "leaf" not in nd for nd in boxes))


def _valid(cert) -> bool:
    return check_certificate(copy.deepcopy(cert)).valid


def test_the_tight_certificate_checks(tight):
    assert _valid(tight[3])


def test_a_removed_region_leaf_is_rejected(tight):
    """At a hand-off some target's exact path bound exceeded ε (the same bound the checker
    recomputes), so without the leaf's region tree that target is unproved."""
    cert = tight[3]
    for i, nd in enumerate(cert["evidence"]["boxes"]):
        if "leaf" in nd:
            c = copy.deepcopy(cert)
            del c["evidence"]["boxes"][i]["leaf"]
            assert not _valid(c), i


def test_removed_bounds_and_truncated_trees_are_rejected(tight):
    cert = tight[3]
    c = copy.deepcopy(cert)
    for nd in c["evidence"]["boxes"]:
        nd.pop("bound", None)
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"].pop()  # a dangling child reference
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"].append({})  # an unreachable sub-box
    assert not _valid(c)


def test_cuts_outside_the_box_are_rejected(tight):
    """A cut at or beyond an end of its box would make children that overlap or leave a gap."""
    cert = tight[3]
    idx = next(i for i, nd in enumerate(cert["evidence"]["boxes"]) if "split" in nd)
    for cut in ("-1", "1", "2", "-5/4"):
        c = copy.deepcopy(cert)
        c["evidence"]["boxes"][idx]["split"][1] = cut
        assert not _valid(c), cut
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["split"][0] = 2  # no such input
    assert not _valid(c)
    c = copy.deepcopy(cert)
    ch = c["evidence"]["boxes"][idx]["children"]
    ch[1] = ch[0]  # one child twice
    assert not _valid(c)


def test_a_lowered_epsilon_and_swapped_payloads_are_rejected(tight):
    a, b, eps, cert = tight
    c = copy.deepcopy(cert)
    c["claim"]["eps"] = str(eps - fmpq(1, 10 ** 9))
    assert not _valid(c)
    leaves = [i for i, nd in enumerate(cert["evidence"]["boxes"]) if "leaf" in nd]
    c = copy.deepcopy(cert)
    boxes = c["evidence"]["boxes"]
    boxes[leaves[0]]["leaf"], boxes[leaves[1]]["leaf"] = boxes[leaves[1]]["leaf"], boxes[leaves[0]]["leaf"]
    assert not _valid(c)  # a region tree of another sub-box


def test_bits_and_methods_are_checked(tight):
    cert = tight[3]
    idx = next(i for i, nd in enumerate(cert["evidence"]["boxes"])
               if isinstance(nd.get("bound"), dict) and nd["bound"]["method"] == "box_difference_forms")
    for bits in (0, 1, 100000):
        c = copy.deepcopy(cert)
        c["evidence"]["boxes"][idx]["bound"]["bits"] = bits
        assert not _valid(c), bits
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["method"] = "guess"
    with pytest.raises(MalformedCertificate):
        check_certificate(c)
    leaf = next(i for i, nd in enumerate(cert["evidence"]["boxes"]) if "leaf" in nd)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][leaf]["leaf"]["method"] = "box_difference_forms"
    with pytest.raises(MalformedCertificate):
        check_certificate(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"] = []
    with pytest.raises(MalformedCertificate):
        check_certificate(c)


def test_box_split_needs_a_box_and_the_sup_norm(tight):
    cert = tight[3]
    c = copy.deepcopy(cert)
    c["claim"]["norm"] = "1"
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["claim"]["domain"] = {"A": [[1, 0], [-1, 0], [0, 1], [0, -1]], "b": [1, 1, 1, 1]}
    assert not _valid(c)


def test_abandoned_splitting_certifies_with_one_region_tree():
    """When the splitting gives up (a maximum along a segment keeps slivers alive), the sub-box trees
    recorded so far are dropped and the whole box's region tree is the certificate."""
    from pathlib import Path

    from exactnet.network.jsonio import network_from_obj

    data = json.loads((Path(__file__).parent.parent / "relu" / "data" / "segment_maximum_pair.json").read_text())
    a, b = network_from_obj(data["a"]), network_from_obj(data["b"])
    box = Box.from_bounds([fmpq(0), fmpq(0)], [fmpq(1), fmpq(1)])
    res = max_difference(a, b, box, certificate=True)
    assert res.value == fmpq(1, 344) and res.stats.get("splitting_abandoned") == 1
    assert res.certificate_boxes is None and res.certificate_nodes
    cert = _json(max_difference_certificate(a, b, box, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes))
    assert cert["evidence"]["method"] == "region_tree" and check_certificate(cert).valid


def test_bound_methods_are_a_dispatch_table(tight, monkeypatch):
    """Another bound method plugs into ``BOUND_METHODS``: the walk asks it which targets it proves
    (here a method that proves nothing, then one that proves everything on the box it is asked about)."""
    import exactnet.check.relu_box_split as split
    from exactnet.check.relu_difference import _box_split
    from exactnet.certificates import certificate_networks
    from exactnet.network.domain import domain_from_obj

    cert = copy.deepcopy(tight[3])
    a, b = certificate_networks(cert)
    box = domain_from_obj(cert["claim"]["domain"])
    m = a.output_dim
    bounds = [fmpq(cert["claim"]["eps"])] * m
    asked = []
    monkeypatch.setitem(split.BOUND_METHODS, "nothing", lambda ctx, idx, spec, lo, hi: asked.append(idx) or frozenset())
    monkeypatch.setitem(split.BOUND_METHODS, "all", lambda ctx, idx, spec, lo, hi: frozenset(range(2 * ctx.net_a.output_dim)))
    ev = copy.deepcopy(cert["evidence"])
    for nd in ev["boxes"]:
        if "bound" in nd:
            nd["bound"] = {"method": "nothing"}
    assert not _box_split(a, b, box, ev, bounds, "test").valid and asked
    ev = {"method": "box_split", "boxes": [{"bound": {"method": "all"}}]}
    assert _box_split(a, b, box, ev, bounds, "test").valid  # (a fake method: the table decides)
    ev = {"method": "box_split", "boxes": [{"bound": {"method": "unknown"}}]}
    assert not _box_split(a, b, box, ev, bounds, "test").valid


# ---------------------------------------------------------------------------------------------
# back-substituted bounds in the split tree (method "backsub")
# ---------------------------------------------------------------------------------------------


def _methods(nd) -> list:
    b = nd.get("bound")
    return [] if b is None else [s["method"] for s in ([b] if isinstance(b, dict) else b)]


def _backsub_specs(nd) -> list:
    b = nd.get("bound")
    return [] if b is None else [s for s in ([b] if isinstance(b, dict) else b) if s["method"] == "backsub"]


@SLOW
@given(st.integers(0, 10 ** 6))
def test_certified_runs_with_backsub_bounds_check(seed):
    """Same-width pairs: the certified ε run records back-substituted bounds (at least the whole
    box's), and the certificate checks; the ε run at the exact maximum agrees with the region search."""
    a, b = pair(seed)
    ref = max_difference(a, b, BOX, box_splitting=False)
    ok = within_epsilon(a, b, BOX, ref.value, certificate=True)
    assert ok.within is True
    if ok.certificate_boxes is None:
        return
    assert "backsub" in _methods(ok.certificate_boxes[0])
    cert = _json(epsilon_certificate(a, b, BOX, ref.value, True, nodes=ok.certificate_nodes,
                                     boxes=ok.certificate_boxes))
    assert check_certificate(cert).valid


@pytest.fixture(scope="module")
def backsub_cert():
    """An ε certificate at the exact maximum where some sub-box is closed by a back-substituted bound alone."""
    return _search_seed(lambda boxes: any(_methods(nd) == ["backsub"] and "split" not in nd and "leaf" not in nd
                                          for nd in boxes))


def _closed_by_backsub(cert) -> int:
    return next(i for i, nd in enumerate(cert["evidence"]["boxes"])
                if _methods(nd) == ["backsub"] and "split" not in nd and "leaf" not in nd)


def test_a_backsub_bound_is_what_closes_its_sub_box(backsub_cert):
    cert = backsub_cert[3]
    assert _valid(cert)
    c = copy.deepcopy(cert)
    del c["evidence"]["boxes"][_closed_by_backsub(c)]["bound"]
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["claim"]["eps"] = str(backsub_cert[2] - fmpq(1, 10 ** 9))  # a lowered claim
    assert not _valid(c)


def test_a_shrunk_backsub_interval_is_rejected(backsub_cert):
    """Every claimed interval is re-derived by the checker's back-substitution: moving an end inwards
    (below the bound it recomputes) makes the certificate invalid, on any layer."""
    cert = backsub_cert[3]
    idx = _closed_by_backsub(cert)
    layers = cert["evidence"]["boxes"][idx]["bound"]["layers"]
    for layer in range(len(layers)):
        for lo_key, hi_key in (("dl", "du"), ("zl", "zu"), ("al", "au")):
            ends = layers[layer]
            i = max(range(len(ends[hi_key])), key=lambda u: fmpq(ends[hi_key][u]) - fmpq(ends[lo_key][u]))
            lo, hi = fmpq(ends[lo_key][i]), fmpq(ends[hi_key][i])
            if lo == hi:
                continue
            for key, value in ((hi_key, (lo + hi) / 2), (lo_key, (lo + hi) / 2)):
                c = copy.deepcopy(cert)
                c["evidence"]["boxes"][idx]["bound"]["layers"][layer][key][i] = str(value)
                assert not _valid(c), (layer, key, i)


def test_a_backsub_slope_below_its_chord_is_rejected(backsub_cert):
    cert = backsub_cert[3]
    idx = _closed_by_backsub(cert)
    layers = cert["evidence"]["boxes"][idx]["bound"]["layers"]
    tried = 0
    for layer, ends in enumerate(layers):
        for i in range(len(ends["zl"])):
            zl, zu = fmpq(ends["zl"][i]), fmpq(ends["zu"][i])
            if zl < 0 < zu:  # an undecided unit of B: its upper slope must reach the chord
                c = copy.deepcopy(cert)
                c["evidence"]["boxes"][idx]["bound"]["layers"][layer]["sb"][i] = str(zu / (zu - zl) - fmpq(1, 10 ** 6))
                assert not _valid(c), (layer, i)
                c = copy.deepcopy(cert)
                c["evidence"]["boxes"][idx]["bound"]["layers"][layer]["lam"][i] = "3/2"  # not in [0, 1]
                assert not _valid(c), (layer, i)
                tried += 1
            dl, du = fmpq(ends["dl"][i]), fmpq(ends["du"][i])
            al, au = fmpq(ends["al"][i]), fmpq(ends["au"][i])
            if dl < 0 < du and (zl < 0 < zu or al < 0 < au):  # the δ enclosure by chords is in use
                c = copy.deepcopy(cert)
                c["evidence"]["boxes"][idx]["bound"]["layers"][layer]["su"][i] = str(du / (du - dl) - fmpq(1, 10 ** 6))
                assert not _valid(c), (layer, i)
                tried += 1
    assert tried


def test_malformed_backsub_payloads(backsub_cert):
    cert = backsub_cert[3]
    idx = _closed_by_backsub(cert)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["layers"].pop()  # a layer missing: does not verify
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["layers"][0]["du"].pop()
    assert not _valid(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["bits"] = 32  # not a key of a backsub bound
    with pytest.raises(MalformedCertificate):
        check_certificate(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["layers"][0]["du"][0] = [1]
    with pytest.raises(MalformedCertificate):
        check_certificate(c)
    c = copy.deepcopy(cert)
    c["evidence"]["boxes"][idx]["bound"]["layers"][0]["du"][0] = "x/y"
    assert not _valid(c)


def test_top1_backsub_bounds_check_and_tampering_is_rejected():
    """Top-1 (seed 12 of the nudged 2-6-6-3 pairs): sub-boxes closed by back-substituted class bounds."""
    rnd = random.Random(12)
    a = random_net(rnd, [2, 6, 6, 3], scale=5, dens=(1, 2, 4))
    b = nudged(a, rnd, fmpq(1, 256))
    res = top1_equivalent(a, b, BOX, certificate=True)
    assert res.equivalent is True
    cert = _json(top1_certificate(a, b, BOX, True, nodes=res.certificate_nodes, boxes=res.certificate_boxes))
    assert check_certificate(cert).valid
    idx = [i for i, nd in enumerate(cert["evidence"]["boxes"]) if _backsub_specs(nd)]
    assert idx
    c = copy.deepcopy(cert)
    for i in idx:
        del c["evidence"]["boxes"][i]["bound"]
    assert not _valid(c)
    c = copy.deepcopy(cert)
    ends = c["evidence"]["boxes"][idx[0]]["bound"]["layers"][-1]
    j = max(range(len(ends["zu"])), key=lambda u: fmpq(ends["zu"][u]) - fmpq(ends["zl"][u]))
    ends["zu"][j] = str((fmpq(ends["zu"][j]) + fmpq(ends["zl"][j])) / 2)  # a shrunk interval
    assert not _valid(c)
