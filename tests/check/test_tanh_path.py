"""The independent checker of ``tanh.path`` certificates: constructed paths pass, every tampered
number (endpoint, network, count) fails, a corrupted segment fails, broken structure is
malformed, and the checker imports no deciding code."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.certificates import MalformedCertificate, certificate_networks
from exactnet.check import check_certificate
from exactnet.cli.main import main
from exactnet.network import Network
from exactnet.numbers import parse_scalar
from exactnet.tanh.fiber import fiber
from exactnet.tanh.certificates import _normal_form
from exactnet.tanh.certificates import path_certificate
from exactnet.tanh.paths import path


def cert_between(a_layers, b_layers):
    a = Network.from_lists("tanh", a_layers)
    b = Network.from_lists("tanh", b_layers)
    return json.loads(json.dumps(path_certificate(path(a, b))))


# rank 2, width 5; a constant unit with c ≠ 0 (symbolic waypoints), a negated duplicate, two outputs
PATH_CERT = lambda: cert_between(  # noqa: E731
    [([[1, 0], [0, 0], [-1, 0], [0, "1/2"], [2, 1]], [1, "1/3", -1, "1/2", 0]),
     ([[1, 2, -1, 0, 3], [0, 1, 1, 0, 1]], ["1/7", -1])],
    [([[0, 0], [-2, -1], [1, 0], [1, 0], [3, 3]], ["-1/3", 0, 1, 1, 1]),
     ([[-2, -3, 1, 1, 0], [-1, -1, 0, -1, 0]], ["1/7", -1])],
)
FINITE_CERT = lambda: cert_between(  # noqa: E731
    [([[1], [2]], [0, 1]), ([[1, 3]], [0])],
    [([[-2], [1]], [-1, 0]), ([[-3, 1]], [0])],
)


def number_paths(obj, path_=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("format", "kind", "activation", "type", "kinds"):
                continue
            yield from number_paths(v, path_ + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from number_paths(v, path_ + (i,))
    elif isinstance(obj, bool):
        return
    elif isinstance(obj, (int, str)):
        yield path_


def get(obj, path_):
    for p in path_:
        obj = obj[p]
    return obj


def tampered(obj, path_, how):
    out = copy.deepcopy(obj)
    parent = get(out, path_[:-1])
    old = parent[path_[-1]]
    if isinstance(old, int):
        parent[path_[-1]] = old + how
    else:
        v = parse_scalar(old) + fmpq(how, 7)
        parent[path_[-1]] = f"{v.p}/{v.q}"
    return out


def test_valid_path_certificate_has_symbolic_waypoints():
    cert = PATH_CERT()
    assert cert["kind"] == "tanh.path" and cert["claim"]["path_exists"] is True
    segs = cert["evidence"]["segments"]
    assert cert["claim"]["segments"] == len(segs) and 1 <= len(segs) <= 7
    assert any(s["end"]["output_bias"][0]["tanh"] for s in segs)  # a transcendental waypoint
    assert {k for s in segs for k in s["kinds"]} == {"dead", "transfer", "const"}
    result = check_certificate(cert)
    assert result.valid, result.reason


def test_every_tampered_number_fails():
    cert = PATH_CERT()
    paths = list(number_paths(cert))
    assert len(paths) > 100
    for p in paths:
        for how in (1, -1):
            bad = tampered(cert, p, how)
            try:
                result = check_certificate(bad)
            except MalformedCertificate:
                pytest.fail(f"tampering {p} gave a malformed certificate")
            assert not result.valid, (p, how)


def test_corrupted_segment_fails():
    cert = PATH_CERT()
    segs = cert["evidence"]["segments"]
    # move one unit's (b, c) in the middle of the path *consistently* (both copies of the
    # waypoint): the chain still holds but a segment now changes the function
    k = next(t for t, s in enumerate(segs[:-1]) if "transfer" in s["kinds"] or "const" in s["kinds"])
    for which in ("end",):
        bad = copy.deepcopy(cert)
        end = bad["evidence"]["segments"][k][which]
        nxt = bad["evidence"]["segments"][k + 1]["start"]
        live = next(i for i, u in enumerate(end["units"]) if any(parse_scalar(x) != 0 for x in u["a"]))
        for obj in (end, nxt):
            obj["units"][live]["c"] = str(parse_scalar(obj["units"][live]["c"]) + 1)
        result = check_certificate(bad)
        assert not result.valid and f"segment {k}" in result.reason
    # wrong kind labels
    bad = copy.deepcopy(cert)
    bad["evidence"]["segments"][0]["kinds"] = ["dead"] if segs[0]["kinds"] != ["dead"] else ["transfer"]
    assert not check_certificate(bad).valid
    # a segment dropped (count adjusted): the chain breaks
    bad = copy.deepcopy(cert)
    del bad["evidence"]["segments"][1]
    bad["claim"]["segments"] -= 1
    assert not check_certificate(bad).valid
    # a segment dropped without adjusting the count
    bad = copy.deepcopy(cert)
    bad["evidence"]["segments"].pop()
    assert not check_certificate(bad).valid
    # swapped networks
    bad = copy.deepcopy(cert)
    bad["networks"] = bad["networks"][::-1]
    assert not check_certificate(bad).valid


def test_direct_segment_of_distance_three_example_fails():
    cert = cert_between([([[1], [0]], [0, 0]), ([[1, 0]], [0])], [([[0], [1]], [0, 0]), ([[0, 1]], [0])])
    assert cert["claim"]["segments"] == 3 and check_certificate(cert).valid
    segs = cert["evidence"]["segments"]
    shortcut = copy.deepcopy(cert)
    shortcut["evidence"]["segments"] = [{"kinds": ["dead", "transfer"], "start": segs[0]["start"], "end": segs[-1]["end"]}]
    shortcut["claim"]["segments"] = 1
    result = check_certificate(shortcut)
    assert not result.valid and "segment 0" in result.reason


def test_finite_class_certificate():
    cert = FINITE_CERT()
    assert cert["evidence"]["type"] == "finite_class" and check_certificate(cert).valid
    bad = copy.deepcopy(cert)
    bad["networks"][1] = bad["networks"][0]
    assert not check_certificate(bad).valid  # A = B: the empty path exists
    # a reducible A: the class is not finite
    reducible = cert_between([([[1], [1]], [0, 0]), ([[1, 3]], [0])], [([[1], [1]], [0, 0]), ([[3, 1]], [0])])
    assert reducible["evidence"]["type"] == "segments"
    forged = copy.deepcopy(reducible)
    forged["claim"] = {"path_exists": False}
    forged["evidence"] = {"type": "finite_class",
                          "normal_forms": [_normal_form(n) for n in certificate_networks(forged)]}
    assert not check_certificate(forged).valid
    with pytest.raises(MalformedCertificate):
        check_certificate({**forged, "evidence": {"type": "finite_class"}})


def test_tampered_finite_class_certificates_fail():
    """Every number of both networks is restated in the normal forms: changing any one fails."""
    cert = FINITE_CERT()
    paths = list(number_paths(cert))
    assert any(p[0] == "networks" for p in paths) and any(p[0] == "evidence" for p in paths)
    for p in paths:
        for how in (1, -1):
            assert not check_certificate(tampered(cert, p, how)).valid, p


@pytest.mark.parametrize("mutate", [
    lambda c: c["evidence"].pop("type"),
    lambda c: c["evidence"].__setitem__("segments", "nope"),
    lambda c: c["claim"].__setitem__("path_exists", "yes"),
    lambda c: c["claim"].__setitem__("segments", "3"),
    lambda c: c.__setitem__("networks", c["networks"][:1]),
    lambda c: c["evidence"]["segments"][0].__setitem__("start", {"units": []}),
    lambda c: c["evidence"]["segments"][0]["end"].__setitem__("units", "x"),
    lambda c: c["evidence"]["segments"][0].__setitem__("kinds", "dead"),
    lambda c: c["evidence"]["segments"][0]["end"]["output_bias"].__setitem__(0, {"const": "1", "tanh": [["1"]]}),
])
def test_malformed_structure(mutate):
    cert = PATH_CERT()
    mutate(cert)
    with pytest.raises(MalformedCertificate):
        check_certificate(cert)


def test_cli_check_exit_codes(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    cert = PATH_CERT()
    good.write_text(json.dumps(cert))
    bad.write_text(json.dumps(tampered(cert, ("evidence", "segments", 0, "end", "units", 0, "c"), 1)))
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad)]) == 1


def test_path_checker_does_not_import_deciding_code():
    code = (
        "import sys, json; from exactnet.check import check_certificate; "
        "import exactnet.check.tanh, exactnet.check.tanh_path; "
        "bad = [m for m in sys.modules if m.startswith('exactnet.tanh.') and m != 'exactnet.numbers.tanh_scalar']; "
        "print(json.dumps(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_random_paths_check_and_random_tampering_fails(seed):
    rng = random.Random(seed)
    net = Network.from_lists("tanh", [([[1, 0], [0, 1], [0, 0], [0, 0], [0, 0]], [0, "1/2", "1/3", 0, 0]),
                                      ([[1, 2, 1, 0, 0]], [0])])
    fe = fiber(net)
    a, b = fe.sample(rng, numeric_bias=True), fe.sample(rng, numeric_bias=True)
    cert = json.loads(json.dumps(path_certificate(path(a.to_network(), b.to_network()))))
    assert check_certificate(cert).valid
    paths = list(number_paths(cert))
    p = rng.choice(paths)
    assert not check_certificate(tampered(cert, p, rng.choice((1, -1, 2)))).valid
