"""`exactnet symmetry` and `exactnet covering` through a real subprocess: keys, exact integers, errors."""

import json
import math
import sys

import pytest

from exactnet.network import Network, read_network, write_network
from exactnet.symmetry import act, canonical_form
from exactnet.symmetry.groups import GroupElement

from .hostile.clirun import EXAMPLES, run


def big_json(r) -> dict:
    """``r.json`` with integers of any length (the default limit of 4300 digits lifted while parsing)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        lines = [line for line in r.out.splitlines() if line.strip()]
        assert len(lines) == 1
        return json.loads(lines[0])
    finally:
        sys.set_int_max_str_digits(old)


@pytest.fixture
def nets(tmp_path):
    out = {}
    twins = Network.from_lists("relu", [([[1], [1], [3], [5]], [2, 2, 4, 6]), ([[1, 1, 1, 1]], [0])])
    wide = Network.from_lists("relu", [([[k] for k in range(1, 2001)], [k % 7 for k in range(2000)]),
                                       ([[1] * 2000], [0])])
    tanh = Network.from_lists("tanh", [([[1], [-1], [2]], [1, -1, 0]), ([[3, -3, 1]], [0])])
    for name, net in (("twins", twins), ("wide", wide), ("tanh", tanh)):
        out[name] = tmp_path / f"{name}.json"
        write_network(net, out[name])
    return out


def test_symmetry_json_keys(nets, tmp_path):
    canon = tmp_path / "canon.json"
    r = run("symmetry", nets["twins"], "--json", "-o", canon)
    assert r.code == 0, r.err
    d = r.json
    assert d["group_order"] == 24 and d["stabilizer_order"] == 2 and d["orbit_size"] == 12
    assert d["continuous_dimension"] == 4 and d["group"] == "S_4" and d["in_fundamental_domain"] is False
    net = read_network(nets["twins"])
    written = read_network(canon)
    assert written == canonical_form(net).network
    # the written representative is the given network moved by the reported element
    g = GroupElement.from_obj(d["canonical_element"], net.hidden_widths)
    assert act(g, net) == written
    for gen in d["stabilizer_generators"]:
        assert act(GroupElement.from_obj(gen, net.hidden_widths), net) == net
    again = run("symmetry", canon, "--json")
    assert again.json["in_fundamental_domain"] is True


def test_canonical_output_is_equivalent(nets, tmp_path):
    canon = tmp_path / "c.json"
    assert run("symmetry", nets["tanh"], "-o", canon).code == 0
    r = run("equiv", nets["tanh"], canon, "--json")
    assert r.code == 0 and r.json["equivalent"] is True


def test_large_group_order_is_an_exact_json_integer(nets):
    r = run("symmetry", nets["wide"], "--json")
    assert r.code == 0, r.err
    d = big_json(r)  # a plain JSON integer with more than 4300 digits
    assert d["group_order"] == math.factorial(2000) and d["orbit_size"] == d["group_order"]
    # biases k mod 7 repeat but every unit has its own weight: trivial stabilizer
    assert d["stabilizer_order"] == 1


def test_human_output(nets):
    r = run("symmetry", nets["tanh"])
    assert r.code == 0 and "B_3" in r.out and "orbit_size" in r.out and "fundamental domain" in r.out


def test_examples_file(tmp_path):
    r = run("symmetry", EXAMPLES / "relu_deep.json", "--json")
    assert r.code == 0 and r.json["group_order"] == 12


def test_timeout_is_exit_3(tmp_path):
    # many equal units with a circulant next layer: the search needs many nodes
    d = 40
    first = ([[1] for _ in range(d)], [0] * d)
    second = ([[1 if (j - i) % d in (0, 1, 3) else 0 for j in range(d)] for i in range(d)], [0] * d)
    net = Network.from_lists("relu", [first, second, ([[1] * d], [0])])
    path = tmp_path / "hard.json"
    write_network(net, path)
    r = run("symmetry", path, "--json", "--timeout", "0.000001")
    assert r.code == 3 and r.json["orbit_size"] is None and "time limit" in r.json["reason"]
    human = run("symmetry", path, "--timeout", "0.000001")
    assert human.code == 3 and "unknown: time limit" in human.out and human.err == ""


def test_covering_json():
    r = run("covering", "--activation", "relu", "--widths", "4,8,8,1", "--eps", "1/10", "--bound", "1", "--json")
    assert r.code == 0, r.err
    d = r.json
    assert d["lipschitz"] == 977 and d["grid_points"] == 9770 and d["parameters"] == 121
    assert d["plain_cover"] == 9770**121
    assert d["reduced_cover"] == 9770 ** (121 - 16) * math.comb(9770 + 7, 8) ** 2
    assert d["reduction_factor"] == math.factorial(8) ** 2
    p, q = map(int, d["exact_ratio"].split("/"))
    assert p * d["reduced_cover"] == q * d["plain_cover"]
    for key in ("log_plain_cover", "relative_log_reduction", "relative_log_reduction_paper_form"):
        assert float(d[key]["lower"]) <= float(d[key]["upper"])
    assert "unverified" in d["paper_form_note"]


def test_covering_tanh_and_input_box():
    r = run("covering", "--activation", "tanh", "--widths", "1,3,1", "--eps", "10/3", "--bound", "1",
            "--input-box", "1", "--json")
    assert r.code == 0 and r.json["grid_points"] == 3 and r.json["reduced_cover"] == 3**7 * 4


def test_covering_too_large_to_write():
    r = run("covering", "--activation", "relu", "--widths", "10,1000,1000,1", "--eps", "1/100", "--bound", "1",
            "--json")
    assert r.code == 0
    d = big_json(r)
    assert d["plain_cover"] is None and d["reduced_cover"] is None and "logarithm" in d["note"]
    assert float(d["log_plain_cover"]["lower"]) > 10**7


@pytest.mark.parametrize("args, needle", [
    (["--activation", "sigmoid"], "unknown activation"),
    (["--widths", "4,0,1"], "positive integers"),
    (["--widths", "4,x,1"], "comma-separated"),
    (["--widths", "4,-2,1"], "comma-separated"),
    (["--eps", "0"], "positive"),
    (["--eps", "-1/2"], "positive"),
    (["--eps", "sqrt(2)"], "rational"),
    (["--eps", "abc"], ""),
    (["--bound", "1e5000"], "absurdly large"),
    (["--widths", "4,100000000000,1"], "absurdly large"),
    (["--input-box", "-1"], "non-negative"),
])
def test_covering_bad_input(args, needle):
    base = {"--activation": "relu", "--widths": "4,8,1", "--eps": "1/10", "--bound": "1"}
    argv = []
    given = dict(zip(args[::2], args[1::2]))
    for k, v in {**base, **given}.items():
        argv += [k, v]
    run("covering", *argv).assert_error(needle)


def test_symmetry_bad_input(tmp_path):
    run("symmetry", tmp_path / "missing.json").assert_error()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "exactnet.network/1", "activation": "sigmoid", "layers": []}')
    run("symmetry", bad).assert_error("activation")
    run("covering", "--widths", "4,8,1", "--eps", "1", "--bound", "1").assert_error("activation")
