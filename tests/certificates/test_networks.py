"""Networks in certificates: the compact encoding (integers over one denominator per layer) and
references by SHA-256 digest (docs/certificates.md, "Networks in a certificate")."""

from __future__ import annotations

import copy
import json
from math import gcd

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.certificates import MalformedCertificate, sealed
from exactnet.certificates.networks import (
    COMPACT_MIN_NUMBERS, by_reference, compact_network_from_obj, compact_network_obj, network_digest, network_obj,
)
from exactnet.check import check_certificate
from exactnet.errors import FormatError
from exactnet.network import Network, network_to_obj
from exactnet.numbers import json_loads_exact
from exactnet.relu.equivalence import equivalent

rationals = st.builds(fmpq, st.integers(-10**30, 10**30), st.integers(1, 10**12))


@st.composite
def networks(draw, max_width=4):
    n = draw(st.integers(1, 3))
    widths = [n] + draw(st.lists(st.integers(1, max_width), min_size=1, max_size=3))
    layers = []
    for i, o in zip(widths, widths[1:]):
        W = [[draw(rationals) for _ in range(i)] for _ in range(o)]
        layers.append((W, [draw(rationals) for _ in range(o)]))
    return Network.from_lists("relu", layers)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_compact_round_trip_and_least_denominator(net):
    obj = json.loads(json.dumps(compact_network_obj(net)))
    assert compact_network_from_obj(obj) == net
    for layer, coded in zip(net.layers, obj["layers"]):
        d = coded["denominator"]
        ints = [v for row in coded["weight"] for v in row] + coded["bias"]
        # d is the least common denominator: no common factor is left between d and all numerators
        assert d >= 1 and gcd(d, *ints) == 1
        assert all(fmpq(v, d) == x for v, x in zip(ints, [x for row in layer.weight for x in row] + list(layer.bias)))


def _wide_pair():
    """Two networks over the compact threshold whose normal forms agree (tier b)."""
    w = 100
    W1 = [[fmpq(i + 1, 7), fmpq(-j - 1, 3), fmpq(i - j, 11)] for i, j in zip(range(w), range(w, 2 * w))]
    b1 = [fmpq(k, 5) for k in range(w)]
    W2 = [[fmpq((3 * r + c) % 17 - 8, 13) for c in range(w)] for r in range(w)]
    b2 = [fmpq(r, 9) for r in range(w)]
    W3 = [[fmpq(c % 5 - 2, 3) for c in range(w)]]
    a = Network.from_lists("relu", [(W1, b1), (W2, b2), (W3, [1])])
    # B: both hidden layers reversed and every unit scaled by 2 (its outgoing weights halved)
    W1b, b1b = [[2 * v for v in r] for r in W1[::-1]], [2 * v for v in b1[::-1]]
    W2b, b2b = [[2 * v / 2 for v in r[::-1]] for r in W2[::-1]], [2 * v for v in b2[::-1]]
    W3b = [[v / 2 for v in r[::-1]] for r in W3]
    b = Network.from_lists("relu", [(W1b, b1b), (W2b, b2b), (W3b, [1])])
    return a, b


@pytest.fixture(scope="module")
def wide():
    a, b = _wide_pair()
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "b"
    return a, b, res.certificate


def test_large_rational_networks_are_written_compactly_and_check(wide):
    a, b, cert = wide
    assert sum(L.out_dim * (L.in_dim + 1) for L in a.layers) > COMPACT_MIN_NUMBERS
    assert all("denominator" in L for n in cert["networks"] for L in n["layers"])
    text = json.dumps(sealed(cert))
    assert check_certificate(json_loads_exact(text)).valid
    # the compact certificate is smaller than the plain one
    plain = {**cert, "networks": [network_to_obj(a), network_to_obj(b)]}
    assert len(text) < len(json.dumps(sealed(plain)))
    assert check_certificate(plain).valid  # and both encodings check


def test_small_and_algebraic_networks_stay_plain():
    small = Network.from_lists("relu", [([[1, "1/2"]], [0]), ([[3]], [1])])
    assert network_obj(small) == network_to_obj(small)
    alg = Network.from_lists("relu", [([["sqrt(2)"] * 3] * 3000, [0] * 3000), ([[1] * 3000], [0])])
    assert network_obj(alg) == network_to_obj(alg)


def _edited(cert, edit):
    bad = copy.deepcopy(cert)
    bad.pop("digest", None)
    edit(bad)
    return bad


@pytest.mark.parametrize("edit", [
    lambda c: c["networks"][0]["layers"][0].__setitem__("denominator", 0),
    lambda c: c["networks"][0]["layers"][0].__setitem__("denominator", "7"),
    lambda c: c["networks"][0]["layers"][1]["weight"][0].__setitem__(0, "1/2"),
    lambda c: c["networks"][0]["layers"][1]["weight"][0].__setitem__(0, True),
    lambda c: c["networks"][0]["layers"][1]["weight"][0].pop(),
    lambda c: c["networks"][0]["layers"][1]["bias"].pop(),
    lambda c: c["networks"][0]["layers"][1].pop("denominator"),  # mixed: some layers compact, some not
    lambda c: c["networks"][0]["layers"][1].__setitem__("note", 1),
])
def test_malformed_compact_networks_exit_2(wide, edit):
    with pytest.raises(MalformedCertificate):
        check_certificate(_edited(wide[2], edit))


@pytest.mark.parametrize("edit", [
    lambda c: c["networks"][0]["layers"][1]["weight"][3].__setitem__(5, c["networks"][0]["layers"][1]["weight"][3][5] + 1),
    lambda c: c["networks"][1]["layers"][2]["bias"].__setitem__(0, c["networks"][1]["layers"][2]["bias"][0] * 2),
    lambda c: c["networks"][1]["layers"][0].__setitem__("denominator", c["networks"][1]["layers"][0]["denominator"] * 3),
])
def test_edited_compact_networks_are_invalid(wide, edit):
    bad = _edited(wide[2], edit)
    assert not check_certificate(bad).valid  # by the mathematics (no digest)
    tampered = sealed(wide[2])
    edit(tampered)
    result = check_certificate(tampered)
    assert not result.valid and "digest" in result.reason


def test_compact_reader_errors_name_the_layer():
    obj = {"format": "exactnet.network/1", "activation": "relu",
           "layers": [{"denominator": 2, "weight": [[1, 2], [3]], "bias": [0, 0]}]}
    with pytest.raises(FormatError, match="layer 1"):
        compact_network_from_obj(obj)


# ---------------------------------------------------------------------------------------------
# references by digest
# ---------------------------------------------------------------------------------------------


def test_reference_certificates_check_against_the_given_networks(wide):
    a, b, cert = wide
    ref = sealed(by_reference(cert, [a, b]))
    assert ref["networks"] == [{"sha256": network_digest(a)}, {"sha256": network_digest(b)}]
    assert len(json.dumps(ref)) < len(json.dumps(cert)) / 4
    ref = json_loads_exact(json.dumps(ref))
    assert check_certificate(ref, [a, b]).valid
    # other networks (swapped, one repeated, a changed weight): invalid, whatever the moves say
    changed = Network.from_lists("relu", [([list(r) for r in L.weight], list(L.bias)) for L in a.layers[:-1]]
                                 + [([list(a.layers[-1].weight[0])], [a.layers[-1].bias[0] + 1])])
    for given_ in ([b, a], [a, a], [changed, b]):
        result = check_certificate(ref, given_)
        assert not result.valid and "digest" in result.reason
    # no networks, or too few: malformed (exit 2)
    for given_ in (None, [a]):
        with pytest.raises(MalformedCertificate, match="--network"):
            check_certificate(ref, given_)
    # the certificate's own digest covers the references
    forged = copy.deepcopy(ref)
    forged["networks"][0]["sha256"] = network_digest(changed)
    assert not check_certificate(forged, [changed, b]).valid
    # a reference with extra keys or a bad hash is malformed
    for bad in ({"sha256": "ab"}, {"sha256": network_digest(a), "path": "a.json"}):
        forged = copy.deepcopy(ref)
        forged.pop("digest")
        forged["networks"][0] = bad
        with pytest.raises(MalformedCertificate):
            check_certificate(forged, [a, b])


def test_a_reference_certificate_of_a_false_claim_never_checks(wide):
    """The moves of A ≡ B, referred to networks A and A + 1 (digests recomputed, resealed):
    invalid by the mathematics."""
    a, b, cert = wide
    changed = Network.from_lists("relu", [([list(r) for r in L.weight], list(L.bias)) for L in b.layers[:-1]]
                                 + [([list(b.layers[-1].weight[0])], [b.layers[-1].bias[0] + 1])])
    forged = sealed(by_reference(cert, [a, changed]))
    result = check_certificate(forged, [a, changed])
    assert not result.valid and "digest" not in result.reason
