"""Issue 10 §1–2 through the real CLI: a certificate whose claim is false exits 1 (invalid) or 2
(malformed), never 0; what the digest seals is what the checker reads.

Every case is a hostile certificate written to a file and checked by ``python -m exactnet check``
in a subprocess (:mod:`tests.cli.hostile.clirun`), so exit codes and file-descriptor output are what
is tested."""

from __future__ import annotations

import json

import pytest

from exactnet.certificates import FORMAT, sealed
from exactnet.network import Network, network_to_obj
from tests.cli.hostile.clirun import run


def relu(*layers):
    return network_to_obj(Network.from_lists("relu", list(layers)))


def tanh(*layers):
    return network_to_obj(Network.from_lists("tanh", list(layers)))


def write(tmp_path, obj, name="cert.json", text=None):
    path = tmp_path / name
    path.write_text(text if text is not None else json.dumps(obj))
    return path


def relu_cert(a, b, claim, evidence):
    return {"format": FORMAT, "kind": "relu.equivalence", "claim": claim, "networks": [a, b], "evidence": evidence}


# A(x) = relu(x1 + 1), B = 0: they differ at every point (A ≥ 1 on x1 ≥ 0 ... and A(0) = 1)
def _silence_t0(n, domain, method="symmetry_moves"):
    a = relu(([[1] + [0] * (n - 1)], [1]), ([[1]], [0]))
    b = relu(([[0] * n], [0]), ([[0]], [0]))
    proof = {"kind": "farkas", "y": [[0, 1], [1, 1]], "t": 0}
    moves = [{"op": "silence", "layer": 0, "unit": 0, "proof": proof}, {"op": "blank", "layer": 0, "unit": 0}]
    evidence = {"method": method, "moves": [moves, []]}
    if method == "region_tree":
        evidence["nodes"] = [{"fix": [], "leaf": {"point": [0] * n, "map": {"weight": [[0] * n], "bias": [0]}}}]
    tier = "b" if method == "symmetry_moves" else "d"
    return relu_cert(a, b, {"equivalent": True, "domain": domain, "tier": tier}, evidence)


POINT = {"A": [[1], [-1]], "b": [0, 0]}
LINE = {"A": [[0, 1], [0, -1]], "b": [0, 0]}


@pytest.mark.parametrize("sealed_", [False, True], ids=["plain", "sealed"])
@pytest.mark.parametrize("n, domain", [(1, POINT), (2, LINE)], ids=["point", "line"])
def test_silence_with_t_zero_on_a_domain_without_interior_is_invalid(tmp_path, n, domain, sealed_):
    cert = _silence_t0(n, domain)
    res = run("check", write(tmp_path, sealed(cert) if sealed_ else cert), "--json")
    assert res.code == 1, (res.code, res.out, res.err)
    assert res.json["valid"] is False and "Farkas" in res.json["reason"]


@pytest.mark.parametrize("n, domain", [(1, POINT), (2, LINE)], ids=["point", "line"])
def test_region_tree_and_canonical_form_on_a_domain_without_interior_are_invalid(tmp_path, n, domain):
    res = run("check", write(tmp_path, _silence_t0(n, domain, "region_tree")))
    assert res.code == 1, (res.code, res.out, res.err)
    # tier (a): the unit's key classified 'nonpos' by the same t = 0 proof; no interior point exists
    a = relu(([[1] + [0] * (n - 1)], [1]), ([[1]], [0]))
    b = relu(([[0] * n], [0]), ([[0]], [0]))
    key = {"u": [1] + [0] * (n - 1), "beta": 1, "class": "nonpos", "farkas": {"y": [[0, 1], [1, 1]], "t": 0}}
    evidence = {"method": "canonical_form", "form": {"keys": [], "linear": [[0] * n], "constant": [0]},
                "domain_keys": [key], "domain_point": [0] * n}
    cert = relu_cert(a, b, {"equivalent": True, "domain": domain, "tier": "a"}, evidence)
    res = run("check", write(tmp_path, cert, "canonical.json"))
    assert res.code == 1, (res.code, res.out, res.err)


def _constant_difference(domain):
    a = tanh(([[1], [0]], ["1/2", "1/3"]), ([[1, 2]], ["1/3"]))
    b = tanh(([[1], [0]], ["1/2", "1/4"]), ([[1, 2]], ["1/3"]))
    evidence = {"type": "constant_difference",
                "difference": [{"const": 0, "tanh": [["1/4", -2], ["1/3", 2]]}]}
    return {"format": FORMAT, "kind": "tanh.equivalence", "claim": {"equivalent": False, "domain": domain},
            "networks": [a, b], "evidence": evidence}


def test_the_tanh_constant_difference_baseline_is_valid(tmp_path):
    res = run("check", write(tmp_path, _constant_difference({"lower": [-1], "upper": [1]})))
    assert res.code == 0, (res.code, res.out, res.err)


@pytest.mark.parametrize("domain", [{"lower": [1], "upper": [-1]}, {"lower": [0], "upper": [0]},
                                    {"lower": [0, 0], "upper": [1, 1]}], ids=["empty", "point", "wrong-dim"])
def test_not_equivalent_on_an_empty_or_degenerate_box_is_invalid(tmp_path, domain):
    res = run("check", write(tmp_path, _constant_difference(domain)))
    assert res.code == 1, (res.code, res.out, res.err)


def test_a_polyhedral_tanh_domain_is_malformed(tmp_path):
    res = run("check", write(tmp_path, _constant_difference({"A": [[1], [-1]], "b": [-1, -1]})))
    res.assert_error("claim.domain", "unknown key")


# ---------------------------------------------------------------------------------------------
# §2: what is signed is what is read
# ---------------------------------------------------------------------------------------------


def _valid_sealed():
    a = relu(([[1]], [1]), ([[1]], [0]))
    b = relu(([[2]], [2]), ([["1/2"]], [0]))
    moves = [[], [{"op": "normalize", "layer": 0, "unit": 0}]]
    cert = relu_cert(a, b, {"equivalent": True, "domain": None, "tier": "b"},
                     {"method": "symmetry_moves", "moves": moves})
    return sealed(cert)


def test_the_valid_baseline_checks(tmp_path):
    res = run("check", write(tmp_path, _valid_sealed()), "--json")
    assert res.code == 0 and res.json["valid"] is True, (res.out, res.err)


@pytest.mark.parametrize("where", ["top", "claim", "evidence", "move", "network", "layer", "digest"])
def test_unknown_keys_are_malformed(tmp_path, where):
    cert = _valid_sealed()
    target = {"top": cert, "claim": cert["claim"], "evidence": cert["evidence"],
              "move": cert["evidence"]["moves"][1][0], "network": cert["networks"][0],
              "layer": cert["networks"][0]["layers"][0], "digest": cert["digest"]}[where]
    target["note"] = "not equivalent"
    res = run("check", write(tmp_path, cert))
    res.assert_error("unknown key", "note")


def test_a_digest_that_is_not_hex_is_malformed(tmp_path):
    cert = _valid_sealed()
    cert["digest"]["sha256"] = cert["digest"]["sha256"].upper()
    run("check", write(tmp_path, cert)).assert_error("digest", "hexadecimal")


def test_an_edit_under_a_digest_is_invalid(tmp_path):
    cert = _valid_sealed()
    cert["claim"]["equivalent"] = False
    res = run("check", write(tmp_path, cert), "--json")
    assert res.code == 1 and "modified" in res.json["reason"]


def test_a_resealed_false_claim_is_invalid(tmp_path):
    cert = _valid_sealed()
    cert["claim"]["equivalent"] = False
    res = run("check", write(tmp_path, sealed(cert)), "--json")
    assert res.code == 1 and res.json["valid"] is False


def test_a_duplicated_claim_key_is_malformed(tmp_path):
    cert = _valid_sealed()
    text = json.dumps(cert)
    false_claim = json.dumps({"equivalent": False, "domain": None, "tier": "b"})
    text = text.replace('"claim": ', f'"claim": {false_claim}, "claim": ', 1)
    assert text.count('"claim"') == 2
    res = run("check", write(tmp_path, None, text=text))
    res.assert_error("duplicate")


@pytest.mark.parametrize("number", ["10**10**10", "sqrt(2)**(10**9)", "root(2, 10**9)"])
def test_an_over_budget_number_in_the_evidence_is_refused_not_invalid(tmp_path, number):
    """§3: numbers in certificates are bounded like every other input: exit 2 naming the limit."""
    a = relu(([[1]], [1]), ([[1]], [0]))
    b = relu(([[1]], [0]), ([[1]], [0]))
    evidence = {"method": "witness", "point": [0], "outputs": [[number], [0]]}
    cert = relu_cert(a, b, {"equivalent": False, "domain": None, "tier": "c"}, evidence)
    res = run("check", write(tmp_path, sealed(cert)))
    res.assert_error("limit")


@pytest.mark.parametrize("where", ["domain", "difference"])
def test_an_over_budget_number_in_a_tanh_certificate_is_refused(tmp_path, where):
    cert = _constant_difference({"lower": [-1], "upper": [1]})
    if where == "domain":
        cert["claim"]["domain"]["upper"] = ["10**10**10"]
    else:
        cert["evidence"]["difference"][0]["const"] = "2**2**2**2**2**2"
    run("check", write(tmp_path, cert)).assert_error("limit")
