"""``exactnet prank`` for tanh networks: contract keys, exit codes, witness within ε, bad ε → 2."""

from __future__ import annotations

import json
import random

import pytest
from flint import fmpq

from exactnet.cli.main import main
from exactnet.network import Network, network_from_obj, read_network, write_network

W_REPO = [([["-0.952935"], ["-0.32022476"], ["0.9650079"]], ["-0.4964598", "1.8577402", "-1.4160455"]),
          ([["-0.8704732", "-0.09269352", "0.3384626"]], ["-1.2973489"])]


def write(tmp_path, name, layers):
    path = tmp_path / name
    write_network(Network.from_lists("tanh", layers), path)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def linf(a: Network, b: Network):
    best = fmpq(0)
    for la, lb in zip(a.layers, b.layers):
        for ra, rb in zip(la.weight, lb.weight):
            best = max([best] + [abs(x - y) for x, y in zip(ra, rb)])
        best = max([best] + [abs(x - y) for x, y in zip(la.bias, lb.bias)])
    return best


@pytest.fixture
def w_repo(tmp_path):
    return write(tmp_path, "w.json", W_REPO)


@pytest.mark.parametrize("eps, value", [("0", 3), ("1/10", 2), ("0.1", 2), ("1", 0)])
def test_exact_keys_and_witness(capsys, w_repo, eps, value):
    code, out, _ = run(capsys, "prank", w_repo, "--eps", eps, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["method"] == "exact" and data["proximate_rank"] == value
    assert data["lower_bound"] == data["upper_bound"] == value
    assert data["optimality"] in ("exhaustive-search", "cp-sat-proof")
    assert data["rank"] == 3 and data["witness_rank"] == value
    witness = network_from_obj(data["witness"])
    assert linf(read_network(w_repo), witness) <= fmpq(eps if "/" in eps or "." not in eps else "1/10")
    assert len(data["partition"]["labels"]) == 3


def test_eps_zero_equals_rank(capsys, tmp_path):
    path = write(tmp_path, "r.json", [([[1], [1], [-1], [0]], [0, 0, 0, 2]), ([[2, 1, 3, 5]], [0])])
    code, out, _ = run(capsys, "rank", path, "--json")
    r = json.loads(out)["rank"]
    for method, key in (("exact", "proximate_rank"), ("greedy", "upper_bound")):
        code, out, _ = run(capsys, "prank", path, "--eps", "0", "--method", method, "--json")
        assert code == 0 and json.loads(out)[key] == r


def test_greedy_keys(capsys, tmp_path):
    path = write(tmp_path, "o.json", [([[2], [3], [4]], [0, 0, 0]), ([[5, 5, 5]], [0])])
    code, out, _ = run(capsys, "prank", path, "--eps", "1", "--method", "greedy", "--json")
    data = json.loads(out)
    assert code == 0 and data["method"] == "greedy" and data["upper_bound"] == 2
    assert "proximate_rank" not in data and data["optimality"] == "none"
    assert data["partition"]["labels"] == [1, 1, 2]
    code, out, _ = run(capsys, "prank", path, "--eps", "1", "--json")
    assert json.loads(out)["proximate_rank"] == 1


@pytest.mark.parametrize("eps", ["-1/10", "-0.1", "abc", "", "sqrt(2)", "1/0", "nan"])
def test_bad_eps_exit_2(capsys, w_repo, eps):
    code, out, err = run(capsys, "prank", w_repo, "--eps", eps, "--json")
    assert code == 2 and out == "" and err.startswith("exactnet: error:") and "Traceback" not in err


def test_not_one_hidden_layer_exit_2(capsys, tmp_path):
    deep = write(tmp_path, "deep.json", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    code, _, err = run(capsys, "prank", deep, "--eps", "1/10")
    assert code == 2 and "one hidden layer" in err


def test_output_and_certificate(capsys, w_repo, tmp_path):
    out_path, cert = str(tmp_path / "wit.json"), str(tmp_path / "cert.json")
    code, out, _ = run(capsys, "prank", w_repo, "--eps", "1/10", "-o", out_path, "--certificate", cert, "--json")
    assert code == 0
    assert linf(read_network(w_repo), read_network(out_path)) <= fmpq(1, 10)
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    obj = json.loads((tmp_path / "cert.json").read_text())
    obj["networks"][1]["layers"][1]["bias"][0] = "0"  # d moved by 1.297 > ε
    (tmp_path / "bad.json").write_text(json.dumps(obj))
    code, out, _ = run(capsys, "check", str(tmp_path / "bad.json"), "--json")
    assert code == 1 and json.loads(out)["valid"] is False


def test_timeout_unknown_exit_3(capsys, tmp_path):
    rng = random.Random(3)
    rows = [[str(fmpq(rng.randint(-40, 40), 20))] for _ in range(30)]
    bias = [str(fmpq(rng.randint(-40, 40), 20)) for _ in range(30)]
    out_w = [[str(fmpq(rng.randint(-20, 20), 20)) for _ in range(30)]]
    path = write(tmp_path, "big.json", [(rows, bias), (out_w, [0])])
    code, out, _ = run(capsys, "prank", path, "--eps", "1/5", "--timeout", "1e-9", "--json")
    data = json.loads(out)
    assert code == 3 and data["proximate_rank"] is None and data["time_limit_reached"] is True
    code, out, _ = run(capsys, "prank", path, "--eps", "1/5", "--json")
    exact = json.loads(out)["proximate_rank"]
    assert code == 0
    # the bounds found before the limit are reported when the greedy stage finished in time (on a
    # loaded machine the in-process alarm at T + 0.5 s can end start-up first: no bounds then)
    if "optimality" in data:
        assert data["optimality"] == "unknown"
        assert data["lower_bound"] <= data["upper_bound"] == data["witness_rank"]
        assert data["lower_bound"] <= exact <= data["upper_bound"]


def test_human_rendering(capsys, w_repo):
    code, out, _ = run(capsys, "prank", w_repo, "--eps", "1/10")
    assert code == 0 and "proximate rank (ε = 1/10): 2" in out
    code, out, _ = run(capsys, "prank", w_repo, "--eps", "1/10", "--method", "greedy")
    assert code == 0 and "greedy upper bound" in out
