"""The independent tanh certificate checker: valid certificates pass, every tampered number
fails cleanly (valid = False, exit 1), broken structure is malformed (exit 2), and the checker
never imports the deciding code."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tanh.tanh_strategies import irreducible, moved, nonzero_rationals, to_net

from exactnet.certificates import MalformedCertificate, certificate_networks
from exactnet.check import check_certificate  # noqa: E402
from exactnet.cli.main import main  # noqa: E402
from exactnet.network import Network  # noqa: E402
from exactnet.numbers import parse_scalar  # noqa: E402
from exactnet.tanh.certificates import equivalence_certificate  # noqa: E402
from exactnet.tanh.equivalence import equivalent as tanh_equivalent  # noqa: E402


def cert_for(a_layers, b_layers):
    a = Network.from_lists("tanh", a_layers)
    b = Network.from_lists("tanh", b_layers)
    return equivalence_certificate(tanh_equivalent(a, b))


# Every number in these matters: no dead units, no saturated units (so a changed network
# number moves the enclosures by far more than the 2^-32 grid).
MOVES_CERT = lambda: cert_for(  # noqa: E731
    [([[1, 0], [0, "1/2"], [-1, 0], [0, 0], [2, 1]], [1, "1/3", -1, "1/2", 0]),
     ([[1, 2, 1, "1/5", 3], [0, 1, 0, 2, 1]], ["1/7", -1])],
    [([[2, 1], [0, 0], [0, "-1/2"], [2, 1]], [0, "1/2", "-1/3", 0]),
     ([[2, "1/5", -2, 1], [1, 2, -1, 0]], ["1/7", -1])],
)
WITNESS_CERT = lambda: cert_for(  # noqa: E731
    [([[1], [2]], ["1/2", 0]), ([[1, "3/2"]], ["1/3"])],
    [([[1], [2]], ["1/2", "1/9"]), ([[1, "3/2"]], ["1/3"])],
)
CONSTANT_CERT = lambda: cert_for(  # noqa: E731
    [([[1], [0]], ["1/2", "1/3"]), ([[1, 2]], ["1/3"])],
    [([[1], [0]], ["1/2", "1/4"]), ([[1, 2]], ["1/3"])],
)


def number_paths(obj, path=()):
    """Paths to every number leaf (ints and numeric strings), skipping names."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("format", "kind", "activation", "move", "type"):
                continue
            yield from number_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from number_paths(v, path + (i,))
    elif isinstance(obj, bool):
        return
    elif isinstance(obj, (int, str)):
        yield path


def get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def tampered(obj, path, how):
    out = copy.deepcopy(obj)
    parent = get(out, path[:-1])
    old = parent[path[-1]]
    if isinstance(old, int):
        parent[path[-1]] = old + how
    else:
        v = parse_scalar(old) + fmpq(how, 7)
        parent[path[-1]] = f"{v.p}/{v.q}"
    return out


@pytest.mark.parametrize("make,etype", [(MOVES_CERT, "moves"), (WITNESS_CERT, "witness"),
                                        (CONSTANT_CERT, "constant_difference")])
def test_valid_and_every_number_tampered_fails(make, etype):
    cert = make()
    assert cert["kind"] == "tanh.equivalence" and cert["evidence"]["type"] == etype
    assert check_certificate(cert).valid
    paths = list(number_paths(cert))
    assert len(paths) > 10
    for path in paths:
        for how in (1, -1):
            bad = tampered(cert, path, how)
            try:
                result = check_certificate(bad)
            except MalformedCertificate:
                # only a network edited into an invalid shape may be malformed; numbers never are
                pytest.fail(f"tampering {path} gave a malformed certificate")
            assert not result.valid, (path, how)


def test_flipped_claim_is_invalid():
    for make in (MOVES_CERT, WITNESS_CERT, CONSTANT_CERT):
        cert = make()
        cert["claim"]["equivalent"] = not cert["claim"]["equivalent"]
        assert not check_certificate(cert).valid


def test_swapped_networks_still_valid_for_symmetric_claims_only_when_true():
    cert = WITNESS_CERT()
    cert["networks"] = cert["networks"][::-1]
    assert not check_certificate(cert).valid  # the recorded enclosures are A's and B's


@pytest.mark.parametrize("mutate", [
    lambda c: c["evidence"].pop("type"),
    lambda c: c["evidence"].__setitem__("moves", "nope"),
    lambda c: c["claim"].__setitem__("equivalent", "yes"),
    lambda c: c.__setitem__("networks", c["networks"][:1]),
    lambda c: c.__setitem__("kind", "tanh.something"),
    lambda c: c["evidence"]["moves"][0].pop("move"),
])
def test_malformed_structure(mutate):
    cert = MOVES_CERT()
    mutate(cert)
    with pytest.raises(MalformedCertificate):
        check_certificate(cert)


def test_cli_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    broken = tmp_path / "broken.json"
    cert = MOVES_CERT()
    good.write_text(json.dumps(cert))
    bad.write_text(json.dumps(tampered(cert, ("evidence", "moves", 0, "units", 0), 1)))
    broken.write_text(json.dumps({**cert, "evidence": {"type": "moves"}}))
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad), "--json"]) == 1
    out = capsys.readouterr().out
    assert json.loads(out.strip().splitlines()[-1])["valid"] is False
    assert main(["check", str(broken)]) == 2


def test_checker_does_not_import_deciding_code():
    code = (
        "import sys, json; from exactnet.check import check_certificate; "
        "import exactnet.check.tanh; "
        "bad = [m for m in sys.modules if m.startswith('exactnet.tanh.') and m != 'exactnet.numbers.tanh_scalar']; "
        "print(json.dumps(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_tampering_random_certificates_is_sound(data):
    """A random tampered certificate either fails or still states a true claim (never crashes)."""
    base = data.draw(irreducible(max_h=3))
    (pa, _), (pb, _) = data.draw(moved(base, 3)), data.draw(moved(base, 3))
    if data.draw(st.booleans()):
        units, d, n, m = pb
        pb = (units, tuple(x + data.draw(nonzero_rationals()) if k == 0 else x for k, x in enumerate(d)), n, m)
    cert = equivalence_certificate(tanh_equivalent(to_net(*pa), to_net(*pb)))
    assert check_certificate(cert).valid
    paths = list(number_paths(cert))
    path = data.draw(st.sampled_from(paths))
    bad = tampered(cert, path, data.draw(st.sampled_from([1, -1, 2])))
    try:
        result = check_certificate(bad)
    except MalformedCertificate:
        return  # e.g. a network dimension edited
    if result.valid:
        a, b = certificate_networks(bad)
        assert tanh_equivalent(a, b).equivalent == bad["claim"]["equivalent"]


def all_paths(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from all_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from all_paths(v, path + (i,))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_structural_fuzz_never_crashes(data):
    cert = data.draw(st.sampled_from([MOVES_CERT, WITNESS_CERT, CONSTANT_CERT]))()
    paths = [p for p in all_paths(cert) if p]
    path = data.draw(st.sampled_from(paths))
    junk = data.draw(st.sampled_from([None, "x", [], {}, [1], {"a": 1}, True, -1, 10**9, "1e400", "sqrt(2)", "nan"]))
    get(cert, path[:-1])[path[-1]] = junk
    try:
        result = check_certificate(cert)
    except MalformedCertificate:
        return
    assert isinstance(result.valid, bool)
