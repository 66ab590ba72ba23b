"""The tanh CLI backends: JSON keys of the contract, exit codes, bad input → exit 2."""

from __future__ import annotations

import json

import pytest

from exactnet.cli.main import main
from exactnet.network import Network, read_network, write_network


def write(tmp_path, name, activation, layers):
    path = tmp_path / name
    write_network(Network.from_lists(activation, layers), path)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def nets(tmp_path):
    return {
        "a": write(tmp_path, "a.json", "tanh", [([[1], [2], [0], [-1]], [1, 2, "1/2", -1]), ([[1, 2, 3, 1]], ["1/7"])]),
        "b": write(tmp_path, "b.json", "tanh", [([[2], [1]], [2, 1]), ([[2, 0]], ["1/7"])]),
        "c": write(tmp_path, "c.json", "tanh", [([[2], [0]], [2, "1/2"]), ([[2, 3]], ["1/7"])]),
        "e": write(tmp_path, "e.json", "tanh", [([[2], [1]], [0, 0]), ([[2, 1]], [0])]),
        "f": write(tmp_path, "f.json", "tanh", [([[2], ["1.0000001"]], [0, 0]), ([[2, 1]], [0])]),
        "g": write(tmp_path, "g.json", "tanh", [([[1], [1]], [0, 0]), ([[2, 1]], [0])]),
        "relu": write(tmp_path, "relu.json", "relu", [([[1]], [0]), ([[1]], [0])]),
        "deep": write(tmp_path, "deep.json", "tanh", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])]),
        "wide_in": write(tmp_path, "wide.json", "tanh", [([[1, 1]], [0]), ([[1]], [0])]),
        "two_out": write(tmp_path, "two.json", "tanh", [([[1, 0], [0, 1]], [0, 1]), ([[1, 0], [1, 1]], [0, "1/3"])]),
        "dir": str(tmp_path),
    }


def test_equiv_yes_with_certificate(capsys, nets, tmp_path):
    cert = str(tmp_path / "cert.json")
    code, out, _ = run(capsys, "equiv", nets["a"], nets["c"], "--json", "--certificate", cert)
    data = json.loads(out)
    assert code == 0 and data["equivalent"] is True and data["witness"] is None
    assert data["ranks"] == [1, 1] and data["widths"] == [4, 2] and "reason" in data
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0 and json.loads(out)["valid"] is True


def test_equiv_no_with_witness(capsys, nets, tmp_path):
    cert = str(tmp_path / "cert.json")
    code, out, _ = run(capsys, "equiv", nets["e"], nets["f"], "--json", "--certificate", cert)
    data = json.loads(out)
    assert code == 1 and data["equivalent"] is False
    assert isinstance(data["witness"], list) and all(isinstance(v, str) for v in data["witness"])
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0, out


def test_equiv_constant_difference(capsys, nets):
    code, out, _ = run(capsys, "equiv", nets["a"], nets["b"], "--json")
    data = json.loads(out)
    assert code == 1 and len(data["witness"]) == 1 and "3*tanh(1/2)" in data["reason"]


def test_equiv_human_output(capsys, nets):
    code, out, _ = run(capsys, "equiv", nets["e"], nets["f"])
    assert code == 1 and "not equivalent" in out and "witness" in out


def test_compress_symbolic_bias_is_realised(capsys, nets, tmp_path):
    dest = str(tmp_path / "small.json")
    cert = str(tmp_path / "cert.json")
    code, out, _ = run(capsys, "compress", nets["a"], "--json", "-o", dest, "--certificate", cert)
    data = json.loads(out)
    assert code == 0
    assert data["width_before"] == 4 and data["width_after"] == 1 and data["network_width"] == 2
    assert data["output_bias"] == [{"const": "1/7", "tanh": [["1/2", "3"]]}]
    assert data["output_bias_exact"] is False
    assert data["network"]["format"] == "exactnet.network/1"
    assert data["compressed"]["format"] == "exactnet.tanh-parameter/1"
    assert read_network(dest) == read_network(nets["c"])
    assert run(capsys, "check", cert)[0] == 0
    code, out, _ = run(capsys, "equiv", nets["a"], dest, "--json")
    assert code == 0
    code, out, _ = run(capsys, "compress", dest, "--json")
    assert json.loads(out)["network"] == data["network"]


def test_compress_numeric_bias(capsys, nets):
    code, out, _ = run(capsys, "compress", nets["g"], "--json")
    data = json.loads(out)
    assert data["width_after"] == data["network_width"] == 1
    assert data["output_bias_exact"] is True
    assert data["network"]["layers"][1]["weight"] == [[3]]


def test_rank_and_info(capsys, nets):
    code, out, _ = run(capsys, "rank", nets["a"], "--json")
    assert code == 0 and json.loads(out) == {"rank": 1, "width": 4, "reducible": True}
    code, out, _ = run(capsys, "info", nets["a"], "--json")
    data = json.loads(out)
    assert data["activation"] == "tanh" and data["widths"] == [1, 4, 1] and data["parameters"] == 13
    assert data["constant_units"] == [2] and data["negated_duplicate_units"] == [[3, 0]]
    assert data["reducible"] is True and data["rank"] == 1
    code, out, _ = run(capsys, "info", nets["deep"], "--json")
    assert code == 0 and "reducible" not in json.loads(out)
    code, out, _ = run(capsys, "info", nets["a"])
    assert code == 0 and "negated duplicate" in out


def test_multi_output(capsys, nets):
    code, out, _ = run(capsys, "rank", nets["two_out"], "--json")
    assert json.loads(out)["rank"] == 2
    code, out, _ = run(capsys, "equiv", nets["two_out"], nets["two_out"], "--json")
    assert code == 0


@pytest.mark.parametrize("argv,message", [
    (("equiv", "relu", "a"), "one activation"),
    (("equiv", "a", "wide_in"), "dimension mismatch"),
    (("equiv", "deep", "a"), "exactly one hidden layer"),
    (("compress", "deep"), "exactly one hidden layer"),
    (("rank", "deep"), "exactly one hidden layer"),
    (("compress", "a", "--domain", "a"), ""),
])
def test_bad_input_exit_2(capsys, nets, argv, message):
    argv = [nets.get(a, a) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("exactnet: error:") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_equiv_on_a_box(capsys, nets, tmp_path):
    box = tmp_path / "box.json"
    box.write_text(json.dumps({"lower": ["1/2"], "upper": [1]}))
    code, out, _ = run(capsys, "equiv", nets["e"], nets["f"], "--domain", str(box), "--json")
    data = json.loads(out)
    assert code == 1
    from flint import fmpq

    from exactnet.numbers import parse_scalar
    assert fmpq(1, 2) <= parse_scalar(data["witness"][0]) <= 1
    poly = tmp_path / "poly.json"
    poly.write_text(json.dumps({"A": [[1]], "b": [1]}))
    code, _, err = run(capsys, "equiv", nets["e"], nets["f"], "--domain", str(poly))
    assert code == 2 and "box" in err


def test_rank_zero_networks(capsys, tmp_path):
    zero = write(tmp_path, "zero.json", "tanh", [([[1], [1]], [0, 0]), ([[1, -1]], ["2/3"])])
    code, out, _ = run(capsys, "compress", zero, "--json")
    data = json.loads(out)
    assert data["width_after"] == 0 and data["network_width"] == 1
    assert data["network"]["layers"][1]["weight"] == [[0]] and data["network"]["layers"][1]["bias"] == ["2/3"]
    const = write(tmp_path, "const.json", "tanh", [([[0], [1], [1]], [1, 0, 0]), ([[1, 1, -1]], [0])])
    code, out, _ = run(capsys, "compress", const, "--json")
    data = json.loads(out)
    assert data["width_after"] == 0 and data["network_width"] == 1 and not data["output_bias_exact"]
    assert data["network"]["layers"][0] == {"weight": [[0]], "bias": [1]}


def test_timeout_option_is_accepted(capsys, nets):
    code, out, _ = run(capsys, "equiv", nets["e"], nets["f"], "--json", "--timeout", "30")
    assert code == 1 and json.loads(out)["witness"] is not None
