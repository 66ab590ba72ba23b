"""``exactnet path`` and ``exactnet fiber`` for tanh networks: JSON keys, exit codes (0 path,
1 no path, 2 bad input), certificates that check, the plot, and fiber samples that are members."""

from __future__ import annotations

import json
import math
import sys

import pytest

from exactnet.cli.main import main
from exactnet.network import Network, network_from_obj, read_network, write_network
from exactnet.tanh.equivalence import equivalent


def write(tmp_path, name, layers, activation="tanh"):
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
        # rank 2, width 4, δ = 2·tanh(1/2)
        "a": write(tmp_path, "a.json", [([[1], [2], [0], [0]], [0, 1, "1/2", 0]), ([[1, 1, 2, 0]], [0])]),
        "b": write(tmp_path, "b.json", [([[0], [2], [0], [-1]], ["1/2", 1, 0, 0]), ([[2, 1, 5, -1]], [0])]),
        "c": write(tmp_path, "c.json", [([[0], [2], [0], [-1]], ["1/2", 1, 0, 0]), ([[2, 1, 5, 1]], [0])]),
        "irr1": write(tmp_path, "i1.json", [([[1], [2]], [0, 1]), ([[1, 3]], [0])]),
        "irr2": write(tmp_path, "i2.json", [([[-2], [1]], [-1, 0]), ([[-3, 1]], [0])]),
        "narrow": write(tmp_path, "n.json", [([[1]], [0]), ([[1]], [0])]),
        "deep": write(tmp_path, "deep.json", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])]),
        "multi": write(tmp_path, "m.json", [([[1, 0], [0, 0], [1, 0]], [0, 1, 0]), ([[1, 2, 1], [0, 1, -1]], [0, 1])]),
        "multi2": write(tmp_path, "m2.json", [([[-1, 0], [0, 0], [3, 3]], [0, 1, 0]), ([[-2, 2, 0], [1, 1, 0]], [0, 1])]),
    }


def test_path_found_with_certificate_and_plot(capsys, nets, tmp_path):
    cert, png = str(tmp_path / "cert.json"), str(tmp_path / "path.png")
    code, out, _ = run(capsys, "path", nets["a"], nets["b"], "--json", "-o", cert, "--plot", png)
    data = json.loads(out)
    assert code == 0 and data["path_exists"] is True and data["equivalent"] is True
    assert 1 <= data["segments"] <= 7 and data["bound"] == 7 and data["rank"] == 2 and data["width"] == 4
    assert len(data["segment_kinds"]) == data["segments"] == len(data["changed_units"])
    assert data["certificate"] == cert and data["plot"] == png
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    code, out, _ = run(capsys, "path", nets["a"], nets["b"])  # readable rendering
    assert code == 0 and "path found" in out and "transfer" in out


def test_path_not_equivalent_exit_1_with_witness(capsys, nets, tmp_path):
    cert = str(tmp_path / "neq.json")
    code, out, _ = run(capsys, "path", nets["a"], nets["c"], "--json", "-o", cert)
    data = json.loads(out)
    assert code == 1 and data["path_exists"] is False and data["equivalent"] is False
    assert data["segments"] is None and isinstance(data["witness"], list)
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0 and json.loads(out)["kind"] == "tanh.equivalence"


def test_path_finite_class_exit_1(capsys, nets, tmp_path):
    cert = str(tmp_path / "fin.json")
    code, out, _ = run(capsys, "path", nets["irr1"], nets["irr2"], "--json", "-o", cert, "--plot",
                       str(tmp_path / "none.png"))
    data = json.loads(out)
    assert code == 1 and data["path_exists"] is False and data["equivalent"] is True
    assert data["finite_class"] is True and data["class_size"] == 2**2 * math.factorial(2)
    assert "finite" in data["reason"] and data["plot"] is None
    assert run(capsys, "check", cert)[0] == 0
    code, out, _ = run(capsys, "path", nets["irr1"], nets["irr1"], "--json")
    assert code == 0 and json.loads(out)["segments"] == 0


@pytest.mark.parametrize("which", [("a", "narrow"), ("a", "deep"), ("deep", "deep")])
def test_path_bad_input_exit_2(capsys, nets, which):
    code, out, err = run(capsys, "path", nets[which[0]], nets[which[1]])
    assert code == 2 and err.strip() and "Traceback" not in err


def test_path_multi_input_output(capsys, nets, tmp_path):
    cert = str(tmp_path / "m.json.cert")
    code, out, _ = run(capsys, "path", nets["multi"], nets["multi2"], "--json", "-o", cert)
    data = json.loads(out)
    assert code == 0 and data["segments"] <= 7
    assert run(capsys, "check", cert)[0] == 0


def test_plot_without_matplotlib_is_a_clean_error(capsys, nets, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    code, _, err = run(capsys, "path", nets["a"], nets["b"], "--plot", str(tmp_path / "x.png"))
    assert code == 2 and "matplotlib" in err and "exactnet[plot]" in err


def test_fiber_json(capsys, nets):
    code, out, _ = run(capsys, "fiber", nets["a"], "--json", "--limit", "3")
    data = json.loads(out)
    assert code == 0
    assert data["width"] == 4 and data["rank"] == 2 and data["reducible"] and not data["finite"]
    assert data["piece_count"] == 896 and data["dimension"] == 4 and data["pieces_truncated"] is True
    assert len(data["pieces"]) == 3 and all("equations" in p and "dimension" in p for p in data["pieces"])
    assert data["output_bias"] == [{"const": "0", "tanh": [["1/2", "2"]]}]
    assert data["numeric_members"] is True and "samples" not in data


def test_fiber_samples_are_members(capsys, nets):
    code, out, _ = run(capsys, "fiber", nets["a"], "--json", "--sample", "6", "--seed", "4")
    data = json.loads(out)
    assert code == 0 and data["seed"] == 4 and len(data["samples"]) == 6
    base = read_network(nets["a"])
    for s in data["samples"]:
        assert s["network"] is not None
        assert equivalent(base, network_from_obj(s["network"]), find_witness=False).equivalent
    code, out2, _ = run(capsys, "fiber", nets["a"], "--json", "--sample", "6", "--seed", "4")
    assert json.loads(out2)["samples"] == data["samples"]  # the seed reproduces the samples
    code, out, _ = run(capsys, "fiber", nets["a"], "--sample", "2", "--limit", "1")
    assert code == 0 and "sample 1" in out and "[canonical unit" in out


def test_fiber_irreducible_and_bad_input(capsys, nets, tmp_path):
    code, out, _ = run(capsys, "fiber", nets["irr1"], "--json")
    data = json.loads(out)
    assert code == 0 and data["finite"] and data["piece_count"] == 8 and data["dimension"] == 0
    assert run(capsys, "fiber", nets["deep"])[0] == 2
    box = tmp_path / "box.json"
    box.write_text(json.dumps({"lower": [0], "upper": [1]}))
    code, _, err = run(capsys, "fiber", nets["a"], "--domain", str(box))
    assert code == 2 and "--domain" in err
