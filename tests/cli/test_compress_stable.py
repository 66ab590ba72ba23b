"""``exactnet compress NET --box/--domain`` reports the stable-neuron verdicts (docs/relu.md § Stable
neurons, docs/cli.md): checked through the real command line against exact evaluation."""

import json

from flint import fmpq

from exactnet.network import Network, forward_exact, network_from_obj, network_to_obj, preactivations
from exactnet.numbers import parse_scalar

from .hostile.clirun import run

NET = Network.from_lists("relu", [([[1, 0], [0, 1], [1, -1]], [2, -5, 0]),
                                  ([[1, 0, 0], [0, 0, -1], [0, 0, 1]], ["1/2", -1, -1]),
                                  ([[1, 1, 1]], [0])])


def test_verdicts_witnesses_and_the_folded_network(tmp_path):
    path = tmp_path / "n.json"
    path.write_text(json.dumps(network_to_obj(NET)))
    r = run("compress", path, "--box", "-1,1", "--json")
    assert r.code == 0, r.err
    data = r.json
    stable = data["stable_neurons"]
    assert stable["complete"] is True
    assert stable["counts"] == {"active": 2, "inactive": 2, "both": 2, "undecided": 0}
    assert [u["verdict"] for u in stable["units"]] == ["active", "inactive", "both"] * 2
    assert stable["removed_inactive"] == [[0, 1], [1, 1]] and data["hidden_widths_after"] == [2, 2]
    points = [tuple(parse_scalar(v) for v in p) for p in stable["points"]]
    for u in stable["units"]:
        for key, sign in (("positive_witness", 1), ("negative_witness", -1)):
            if u[key] is not None:
                p = points[u[key]]
                assert all(-1 <= v <= 1 for v in p)
                z = preactivations(NET, p)[u["layer"]][u["unit"]]
                assert (z > 0) if sign > 0 else (z < 0)
    assert stable["units"][0]["lower"] == "1" and stable["units"][0]["upper"] == "3"
    folded = network_from_obj(data["network"])
    for x in [(fmpq(a, 4), fmpq(b, 4)) for a in range(-4, 5) for b in range(-4, 5)]:
        assert forward_exact(folded, x) == forward_exact(NET, x)


def test_without_a_domain_there_is_no_stable_analysis(tmp_path):
    path = tmp_path / "n.json"
    path.write_text(json.dumps(network_to_obj(NET)))
    r = run("compress", path, "--json")
    assert r.code == 0 and "stable_neurons" not in r.json and r.json["hidden_widths_after"] == [2, 2]  # zero column, never-active unit


def test_certificate_of_a_stable_compression_checks(tmp_path):
    path, cert, out = tmp_path / "n.json", tmp_path / "c.json", tmp_path / "small.json"
    path.write_text(json.dumps(network_to_obj(NET)))
    r = run("compress", path, "--box", "-1,1", "--certificate", cert, "-o", out, "--json")
    assert r.code == 0 and r.json["certificate"] == str(cert)
    assert json.loads(cert.read_text())["kind"] == "relu.stable_compression"
    checked = run("check", cert, "--network", path, "--network", out, "--json")
    assert checked.code == 0 and checked.json["valid"] is True
    tampered = json.loads(cert.read_text())
    del tampered["digest"]
    tampered["evidence"]["bounds"][0][2] = ["-2", "0"]  # x1 − x2 is not ≤ 0 on the square
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered))
    assert run("check", bad).code == 1
