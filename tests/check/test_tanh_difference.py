"""``tanh.max_difference_enclosure`` certificates: valid ones check, their interval contains the
sampled differences, and tampered ones never check."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.certificates import MalformedCertificate
from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.tanh.difference_certificate import enclosure_certificate, enclosure_cover, pair_units
from exactnet.tanh.max_difference import max_difference_enclosure

q = fmpq


def _float(net, xs):
    h = xs
    for k, layer in enumerate(net.layers):
        w = np.array([[float(v) for v in row] for row in layer.weight])
        h = h @ w.T + np.array([float(v) for v in layer.bias])
        if k == 0:
            h = np.tanh(h)
    return h


@st.composite
def _pair(draw):
    n, h, m = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    small = st.integers(-6, 6).map(lambda v: q(v, 4))
    l1 = ([[draw(small) for _ in range(n)] for _ in range(h)], [draw(small) for _ in range(h)])
    l2 = ([[draw(small) for _ in range(h)] for _ in range(m)], [draw(small) for _ in range(m)])
    lb = copy.deepcopy([l1, l2])
    which = draw(st.sampled_from(["first", "second", "bias"]))
    delta = draw(st.sampled_from([q(1, 1000), q(-1, 64), q(1, 3)]))
    if which == "first":
        lb[0][0][0][0] += delta
    elif which == "second":
        lb[1][0][0][0] += delta
    else:
        lb[0][1][0] += delta
    return Network.from_lists("tanh", [l1, l2]), Network.from_lists("tanh", lb), n


def _certify(a, b, box, width=q(1, 100)):
    res = max_difference_enclosure(a, b, box, width)
    cover = enclosure_cover(a, b, box, res.upper)
    assert cover is not None and res.upper <= cover[1] <= res.upper + (1 + res.upper) * q(1, 1 << 96)
    return res, json.loads(json.dumps(enclosure_certificate(a, b, box, res, cover)))


@settings(max_examples=40, deadline=None)
@given(_pair())
def test_certificates_check_and_contain_the_sampled_maximum(case):
    a, b, n = case
    box = Box.from_bounds([-1] * n, [1] * n)
    res, cert = _certify(a, b, box)
    assert check_certificate(cert).valid
    grid = np.stack(np.meshgrid(*[np.linspace(-1, 1, 41)] * n), -1).reshape(-1, n)
    sampled = np.abs(_float(a, grid) - _float(b, grid)).max()
    assert sampled <= float(res.upper) + 1e-9
    if sampled > 1e-6:  # a claimed upper bound well below a sampled difference never checks
        low = copy.deepcopy(cert)
        low["claim"]["upper"] = str(fmpq(*float(sampled * 0.9).as_integer_ratio()))
        low["claim"]["lower"] = "0"
        assert not check_certificate(low).valid


def _example():
    a = Network.from_lists("tanh", [([[1, -1], [q(1, 2), 2], [-1, q(1, 3)]], [0, q(1, 4), q(-1, 2)]),
                                    ([[1, -2, q(1, 2)], [q(1, 3), 1, 1]], [0, q(1, 5)])])
    b = Network.from_lists("tanh", [([[1, -1], [q(1, 2), q(2001, 1000)], [-1, q(1, 3)]], [0, q(1, 4), q(-1, 2)]),
                                    ([[1, -2, q(1, 2)], [q(1, 3), 1, 1]], [0, q(1, 5)])])
    return a, b, Box.from_bounds([-1, -1], [1, 1])


@pytest.fixture(scope="module")
def example():
    a, b, box = _example()
    res, cert = _certify(a, b, box, q(1, 10 ** 4))
    return res, cert


def test_pairs_match_nearly_equal_units():
    a, b, _ = _example()
    assert pair_units(a, b) == [(0, 0), (1, 1), (2, 2)]


def test_tampered_certificates(example):
    res, cert = example
    assert check_certificate(cert).valid
    edits = {
        "lower above the witness": lambda c: c["claim"].update(lower=str(res.upper + q(1, 10 ** 6)),
                                                               upper=str(res.upper + q(2, 10 ** 6))),
        "upper below the lower bound": lambda c: c["claim"].update(upper=str(res.lower - q(1, 10 ** 6)),
                                                                   lower="0"),
        "a leaf removed": lambda c: c["evidence"]["splits"].pop(),
        "a leaf added": lambda c: c["evidence"]["splits"].append(-1),
        "the root a leaf": lambda c: c["evidence"].update(splits=[-1]),
        "a witness outside": lambda c: c["evidence"].update(witness=["2", "0"]),
        "another box": lambda c: c["claim"].update(domain={"lower": [-2, -2], "upper": [2, 2]}),
        "empty interval": lambda c: c["claim"].update(lower=str(res.upper), upper=str(res.lower)),
        "networks swapped for an equal pair": lambda c: c.update(networks=[c["networks"][0]] * 2),
    }
    for name, edit in edits.items():
        c = copy.deepcopy(cert)
        edit(c)
        if name == "networks swapped for an equal pair":  # then max = 0 < lower: the witness fails
            assert not check_certificate(c).valid, name
            continue
        assert not check_certificate(c).valid, name
    for bad in ([[0, 9]], [[0, 0], [0, 1]], [[0]], [["0", 0]]):
        c = copy.deepcopy(cert)
        c["evidence"]["pairs"] = bad
        with pytest.raises(MalformedCertificate):
            check_certificate(c)
    c = copy.deepcopy(cert)
    c["evidence"]["precision"] = 10
    with pytest.raises(MalformedCertificate):
        check_certificate(c)


def test_any_pairing_is_sound(example):
    """Pairs only change how tight a leaf's enclosure is: without pairs the same tree may fail to
    verify, but never verifies a false claim (here: dropping the pairs is weaker, not wrong)."""
    res, cert = example
    c = copy.deepcopy(cert)
    c["evidence"]["pairs"] = []
    result = check_certificate(c)
    assert not result.valid or res.lower <= res.upper  # a valid answer is still the true interval


def test_a_leaf_at_the_maximiser_checks_at_the_checkers_precision():
    """Found by the property test above: the maximum is attained at the box's corner x = 1, where the
    mean-value enclosure of the last leaf is tight. Accepted by the prover at 128 bits with a margin
    relative to ``upper`` only, the same enclosure recomputed by the checker at 256 bits ended 1e-39
    below ``−upper`` (Arb rounds radii to 30 bits); the prover now widens its radii first."""
    a = Network.from_lists("tanh", [([[q(-3, 4)], [0]], [q(1, 4), 0]), ([[q(3, 4), 0], [0, 0]], [0, 0])])
    b = Network.from_lists("tanh", [([[q(-5, 12)], [0]], [q(1, 4), 0]), ([[q(3, 4), 0], [0, 0]], [0, 0])])
    res, cert = _certify(a, b, Box.from_bounds([-1], [1]))
    result = check_certificate(cert)
    assert result.valid, result.reason
    assert res.lower <= q(cert["claim"]["upper"])
