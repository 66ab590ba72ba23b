"""The complete ReLU commands on networks with real algebraic weights, through a real subprocess:
``regions``, ``equiv`` (tier d) + ``check``, ``compress --box`` + ``check``, ``fdim``; and the clear
errors that remain (``--plot``, ``fdim --batch``)."""

from __future__ import annotations

import pytest

from exactnet.network import Network, write_network
from tests.cli.hostile.clirun import run


@pytest.fixture
def nets(tmp_path):
    four_lines = Network.from_lists("relu", [([[1, "sqrt(2)"], ["sqrt(2)", -1], [1, 1], [-1, "sqrt(3)"]],
                                              [0, 1, "-sqrt(2)", 2]), ([[1, 2, -1, 1]], [0])])
    # the second unit of layer 2 is relu(−relu(√2·x) + relu(x − 1)) = 0: its outgoing weight is free
    d1 = Network.from_lists("relu", [([["sqrt(2)"], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])])
    d2 = Network.from_lists("relu", [([["sqrt(2)"], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0])])
    # here that unit is relu(relu(−√2·x) − relu(x − 1)), active for x < 0
    d3 = Network.from_lists("relu", [([["-sqrt(2)"], [1]], [0, -1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 5]], [0])])
    d4 = Network.from_lists("relu", [([["-sqrt(2)"], [1]], [0, -1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, -9]], [0])])
    dead = Network.from_lists("relu", [([["sqrt(2)"], [1]], [0, 1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 3]], [0])])
    paths = {}
    for name, net in (("four", four_lines), ("d1", d1), ("d2", d2), ("d3", d3), ("d4", d4), ("dead", dead)):
        paths[name] = tmp_path / f"{name}.json"
        write_network(net, paths[name])
    paths["dir"] = tmp_path
    return paths


def test_regions_counts_an_algebraic_arrangement(nets):
    r = run("regions", nets["four"], "--json")
    assert r.code == 0, r.err
    data = r.json
    assert data["count"] == 11 and data["complete"] is True  # 4 lines in general position: 1 + 4 + 6
    assert any("sqrt(2)" in str(entry["map"]) for entry in data["regions"])


def test_equiv_tier_d_over_the_field_and_the_certificate_checks(nets):
    cert = nets["dir"] / "eq.json"
    r = run("equiv", nets["d1"], nets["d2"], "--json", "--certificate", cert)
    assert r.code == 0, r.err
    assert r.json["equivalent"] is True and r.json["tier"] == "d"
    c = run("check", cert, "--json")
    assert c.code == 0 and c.json["valid"] is True, c.out + c.err
    r = run("equiv", nets["d3"], nets["d4"], "--json", "--certificate", nets["dir"] / "neq.json")
    assert r.code == 1 and r.json["equivalent"] is False
    c = run("check", nets["dir"] / "neq.json", "--json")
    assert c.code == 0 and c.json["valid"] is True


def test_check_exit_codes_for_tampered_and_malformed_field_numbers(nets):
    import json

    cert = nets["dir"] / "eq.json"
    assert run("equiv", nets["d1"], nets["d2"], "--certificate", cert).code == 0
    obj = json.loads(cert.read_text())
    obj.pop("digest", None)
    leaf = next(node["leaf"] for node in obj["evidence"]["nodes"] if "leaf" in node)
    weight = leaf["map"]["weight"][0]
    weight[0] = [1, 1] if not isinstance(weight[0], list) else [str(c) for c in weight[0][:-1]] + ["7"]
    bad = nets["dir"] / "bad.json"
    bad.write_text(json.dumps(obj))
    r = run("check", bad, "--json")
    assert r.code == 1 and r.json["valid"] is False, r.out + r.err
    weight[0] = [0] * 9  # more coordinates than the field's degree
    bad.write_text(json.dumps(obj))
    run("check", bad).assert_error("degree")


def test_compress_on_a_box_and_fdim(nets):
    cert = nets["dir"] / "cmp.json"
    r = run("compress", nets["dead"], "--box", "0,1", "--json", "--certificate", cert)
    assert r.code == 0, r.err
    assert r.json["hidden_widths_after"] == [2, 1] and r.json["exact_dead"] is True
    c = run("check", cert, "--json")
    assert c.code == 0 and c.json["valid"] is True
    r = run("compress", nets["dead"], "--json")
    assert r.code == 0 and r.json["hidden_widths_after"] == [2, 2]  # active for x > 1/(√2 − 1) on R
    f = run("fdim", nets["four"], "--json")
    assert f.code == 0, f.err
    assert f.json["functional_dimension"] == f.json["upper_bound"] == 17 - 4  # D − N_hid, attained


def test_what_still_needs_rational_weights_says_so(nets, tmp_path):
    r = run("regions", nets["four"], "--plot", tmp_path / "p.png")
    r.assert_error("--plot", "rational")
    pts = tmp_path / "pts.json"
    pts.write_text("[[1, 2]]")
    r = run("fdim", nets["four"], "--batch", pts)
    r.assert_error("--batch", "rational")
