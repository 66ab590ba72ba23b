"""relu.max_difference / relu.epsilon certificates: valid ones check, tampered ones never do."""

from __future__ import annotations

import copy
import json

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.certificates import MalformedCertificate
from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate
from exactnet.relu.max_difference import max_difference, within_epsilon

A = Network.from_lists("relu", [([[1, -1], [2, 1], [fmpq(1, 2), fmpq(3, 2)]], [0, fmpq(-1, 2), fmpq(1, 4)]),
                                ([[1, 1, 0], [1, -2, fmpq(1, 2)]], [0, 1])])
B = Network.from_lists("relu", [([[1, -1], [2, fmpq(1001, 1000)], [fmpq(1, 2), fmpq(3, 2)]], [0, fmpq(-1, 2), fmpq(1, 4)]),
                                ([[1, 1, 0], [1, -2, fmpq(5001, 10000)]], [0, 1])])
BOX = Box.from_bounds([-1, -1], [1, 1])


def _json(obj):
    return json.loads(json.dumps(obj))


@pytest.fixture(scope="module")
def certs():
    res = max_difference(A, B, BOX, certificate=True)
    diff = _json(max_difference_certificate(A, B, BOX, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes))
    ok = within_epsilon(A, B, BOX, res.value, certificate=True)
    within = _json(epsilon_certificate(A, B, BOX, res.value, True, nodes=ok.certificate_nodes))
    eps = res.value - fmpq(1, 10 ** 6)
    bad = within_epsilon(A, B, BOX, eps)
    witness = _json(epsilon_certificate(A, B, BOX, eps, False, witness=bad.argmax))
    return res, {"diff": diff, "within": within, "witness": witness}


def test_valid_certificates_check(certs):
    _, c = certs
    for name, cert in c.items():
        assert check_certificate(cert).valid, name


def test_false_claims_do_not_check(certs):
    res, c = certs
    lower = copy.deepcopy(c["diff"])
    lower["claim"]["per_output"][1] = str(res.per_output[1] - fmpq(1, 10 ** 9))
    lower["claim"]["max_abs_difference"] = str(max(res.per_output[0], res.per_output[1] - fmpq(1, 10 ** 9)))
    assert not check_certificate(lower).valid
    tight = copy.deepcopy(c["within"])
    tight["claim"]["eps"] = str(res.value - fmpq(1, 10 ** 9))
    assert not check_certificate(tight).valid
    loose = copy.deepcopy(c["witness"])
    loose["claim"]["eps"] = str(res.value)
    assert not check_certificate(loose).valid


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, path + (i,))
    elif isinstance(obj, (int, str)) and not isinstance(obj, bool):
        yield path


def _set(obj, path, value):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def _get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_tampered_numbers_never_check_valid(certs, data):
    _, c = certs
    name = data.draw(st.sampled_from(sorted(c)))
    cert = copy.deepcopy(c[name])
    paths = [p for p in _leaves({"claim": cert["claim"], "evidence": cert["evidence"]})
             if p[-1] not in ("method", "norm", "format")]
    path = data.draw(st.sampled_from(paths))
    old = _get(cert, path)
    delta = data.draw(st.sampled_from([1, -1, 2]))
    if isinstance(old, int):
        new = old + delta
    else:
        new = str(fmpq(old) + fmpq(delta, 7))
    _set(cert, path, new)
    try:
        result = check_certificate(cert)
    except MalformedCertificate:
        return
    # an edit may leave a weaker claim that is still true (a larger ε, a smaller domain) with a proof
    # that still verifies; what must never happen is a valid certificate of a false claim
    assert not result.valid or _true(cert), (name, path, old, new)


def _true(cert) -> bool:
    """Decide the certificate's claim with the decider (an independent path)."""
    from exactnet.network.domain import domain_from_obj
    from exactnet.numbers import parse_scalar

    claim = cert["claim"]
    try:
        dom = domain_from_obj(claim["domain"])
    except Exception:
        # the box parser refuses boxes with ``lower = upper`` in some coordinate, which the checker
        # reads as lower-dimensional domains (a claim about them can be true: a witness on the face
        # ``x_j = upper_j`` stays in the box when ``lower_j`` is tampered up to it); the independent
        # oracle judges them through their affine hull (``None``: it cannot tell)
        from tests.check.oracle import claim_holds

        return claim_holds(cert) is not False
    res = max_difference(A, B, dom)
    if cert["kind"] == "relu.epsilon":
        return (res.value <= parse_scalar(claim["eps"])) == claim["within"]
    return [parse_scalar(v) for v in claim["per_output"]] == list(res.per_output) and \
        parse_scalar(claim["max_abs_difference"]) == res.value


def test_sealed_certificates_reject_any_edit(certs):
    from exactnet.certificates import sealed

    _, c = certs
    cert = sealed(c["within"])
    assert check_certificate(cert).valid
    cert["claim"]["eps"] = "1"  # a weaker claim, true, but not the one sealed
    assert not check_certificate(cert).valid
