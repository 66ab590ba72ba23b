"""``relu.stable_compression`` certificates (docs/certificates.md, kind relu.stable_compression): written
by compression on a box, verified by the independent checker; every tampering is rejected."""

import copy
import json
import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.numbers import json_loads_exact, number_json
from exactnet.relu.compression import compress
from exactnet.relu.stable_neurons import relaxation, stable_neurons

from ..relu.nets import random_net

SQUARE = Box.from_bounds([-1, -1], [1, 1])
# layer 1: x1+3, x2+3 (active), x1+x2+7 (active, = the sum: merged), x1−x2 (both), −x1−5 (inactive)
MERGING = Network.from_lists("relu", [([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0]], [3, 3, 7, 0, -5]),
                                      ([[1, 0, 0, 1, 1], [0, 1, 1, -1, 1], [1, 1, 1, 1, 1]], [0, 0, 0]),
                                      ([[1, 2, 5]], [0])])


def verdict(cert):
    obj = json_loads_exact(json.dumps(cert))
    return check_certificate(obj)


def unsealed(cert):
    out = copy.deepcopy(cert)
    out.pop("digest", None)
    return out


def test_merging_example_checks_and_tampering_fails():
    res = compress(MERGING, SQUARE, certificate=True)
    cert = res.certificate
    assert cert["kind"] == "relu.stable_compression" and verdict(cert).valid
    assert cert["evidence"]["merged"] == [{"layer": 0, "unit": 2, "basis": [[0, 1], [1, 1]]}]
    bad = unsealed(cert)
    bad["evidence"]["merged"][0]["basis"][0][1] = 2  # w_2 ≠ 2 w_0 + w_1
    assert not verdict(bad).valid
    bad = unsealed(cert)
    bad["evidence"]["bounds"][0][3] = [-2, 0]  # x1 − x2 takes both signs: claiming ≤ 0 is false
    assert not verdict(bad).valid
    bad = unsealed(cert)
    bad["networks"][1]["layers"][-1]["bias"][0] = "1/7"
    assert not verdict(bad).valid
    bad = unsealed(cert)
    bad["claim"]["equal_on_domain"] = False
    assert not verdict(bad).valid
    bad = unsealed(cert)
    bad["evidence"]["merged"] = []  # the merge is needed to reach the second network
    assert not verdict(bad).valid
    loose = unsealed(cert)
    loose["evidence"]["bounds"][0][0] = [2, 4]  # x1 + 3 ∈ [2, 4] on the square: still proved
    assert verdict(loose).valid
    loose["evidence"]["bounds"][0][0] = ["5/2", 4]  # but not ≥ 5/2
    assert not verdict(loose).valid


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_compression_certificates_on_boxes_check(seed, n, hidden):
    rnd = random.Random(seed)
    net = random_net(rnd, [n] + hidden + [1])
    lo = [fmpq(rnd.randint(-4, 0), 2) for _ in range(n)]
    box = Box.from_bounds(lo, [v + fmpq(rnd.randint(1, 4), 3) for v in lo])
    res = compress(net, box, certificate=True)
    assert verdict(res.certificate).valid
    for _ in range(10):
        x = [l + (u - l) * fmpq(rnd.randint(0, 20), 20) for l, u in zip(box.lower, box.upper)]
        assert forward_exact(res.network, x) == forward_exact(net, x)


def test_optimised_slopes_are_verified():
    """A second-layer bound tightened by per-unit slopes: valid with the slopes, invalid without
    them or with a slope outside [0, 1]."""
    import numpy as np

    from exactnet.relu.stable_neurons import _FloatNet, _LinearDomain, optimised_bound

    net = random_net(random.Random(0), [2, 6, 3, 1])
    analysis = stable_neurons(net, SQUARE)
    first = analysis.by_layer()[0]
    rel = relaxation([u.lower for u in first], [u.upper for u in first])
    dom = _LinearDomain(SQUARE)
    dom.lo_f, dom.hi_f = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    tight, slopes = optimised_bound(net, 0, rel, dom, _FloatNet(net, np), np, True)
    assert tight < analysis.verdict(1, 0).upper
    cert = unsealed(compress(net, SQUARE, certificate=True).certificate)
    assert cert["kind"] == "relu.stable_compression" and verdict(cert).valid
    cert["evidence"]["bounds"][1][0][1] = number_json(tight)
    assert not verdict(cert).valid  # the default lines do not imply the tighter bound
    cert["evidence"]["slopes"] = [{"layer": 1, "unit": 0, "lambda": [number_json(v) for v in slopes]}]
    assert verdict(cert).valid
    cert["evidence"]["slopes"][0]["lambda"][0] = "3/2"
    assert not verdict(cert).valid


def test_bounds_tightened_by_the_analysis_carry_their_slopes(monkeypatch):
    """With the witness search disabled every open second-layer unit gets optimised slopes; the
    certificate then holds them and checks."""
    import exactnet.relu.stable_neurons as sn

    monkeypatch.setattr(sn, "_witnesses", lambda *args, **kwargs: None)
    net = random_net(random.Random(0), [2, 6, 3, 1])
    analysis = sn.stable_neurons(net, SQUARE)
    with_slopes = [u for u in analysis.units if u.slopes is not None]
    assert with_slopes and all(u.layer == 1 and len(u.slopes) == 6 for u in with_slopes)
    cert = compress(net, SQUARE, certificate=True).certificate
    assert cert["kind"] == "relu.stable_compression" and cert["evidence"]["slopes"]
    assert verdict(cert).valid
    bad = unsealed(cert)
    bad["evidence"]["slopes"] = []
    assert not verdict(bad).valid


def test_a_layer_emptied_by_merging_checks():
    """Layer 1 is a constant and folds into layer 2, whose active units are then constants that
    merge into the output bias (empty combinations): the checker rebuilds the blank unit."""
    net = Network.from_lists("relu", [([[0]], ["9/2"]), ([["2/3"], [-3], ["1/3"]], [-1, "-3/2", 2]),
                                      ([["7/3", 1, "4/3"]], ["5/4"])])
    cert = compress(net, Box.from_bounds([-2], [-1]), certificate=True).certificate
    assert cert["kind"] == "relu.stable_compression" and verdict(cert).valid
    bad = unsealed(cert)
    bad["evidence"]["merged"] = bad["evidence"]["merged"][:1]
    assert not verdict(bad).valid
