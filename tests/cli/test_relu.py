"""The ReLU CLI backends: keys of the interface contract, exit codes, plots, clean errors."""

import json
import random

import pytest

from exactnet.cli.main import main
from exactnet.network import Network, write_network

from tests.relu.nets import random_moves, random_net


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    a = Network.from_lists("relu", [([[1, 2], [-1, 1]], [1, 0]), ([[3, -2]], [5])])
    b = Network.from_lists("relu", [([[-2, 2], [2, 4]], [0, 2]), ([[-1, "3/2"]], [5])])
    c = Network.from_lists("relu", [([[1, 2], [-1, 1]], ["1001/1000", 0]), ([[3, -2]], [5])])
    paths = {}
    for name, net in (("a", a), ("b", b), ("c", c)):
        paths[name] = str(tmp_path / f"{name}.json")
        write_network(net, paths[name])
    three = Network.from_lists("relu", [([[1, 2, 3]], [0]), ([[1]], [0])])
    paths["three"] = str(tmp_path / "three.json")
    write_network(three, paths["three"])
    tanh = Network.from_lists("tanh", [([[1, 2]], [0]), ([[1]], [0])])
    paths["tanh"] = str(tmp_path / "tanh.json")
    write_network(tanh, paths["tanh"])
    box = tmp_path / "box.json"
    box.write_text('{"lower": [-1, -1], "upper": [1, 1]}')
    paths["box"] = str(box)
    paths["dir"] = tmp_path
    return paths


def test_equiv_yes_no_and_certificates(capsys, files):
    cert = str(files["dir"] / "cert.json")
    code, out, _ = run(capsys, "equiv", files["a"], files["b"], "--json", "--certificate", cert)
    data = json.loads(out)
    assert code == 0 and data["equivalent"] is True and data["tier"] == "a" and data["witness"] is None
    code, out, _ = run(capsys, "check", cert, "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    code, out, _ = run(capsys, "equiv", files["a"], files["c"], "--json", "--certificate", cert)
    data = json.loads(out)
    assert code == 1 and data["equivalent"] is False and data["witness"] is not None
    assert data["outputs"][0] != data["outputs"][1]
    code, _, _ = run(capsys, "check", cert)
    assert code == 0
    code, out, _ = run(capsys, "equiv", files["a"], files["b"], "--domain", files["box"], "--json")
    assert code == 0 and json.loads(out)["equivalent"] is True


def test_equiv_timeout_gives_exit_3(capsys, tmp_path):
    rnd = random.Random(3)
    a = random_net(rnd, (2, 10, 10, 10, 1))
    b = random_moves(a, rnd, 3, kinds=("pairs",))
    pa, pb = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    write_network(a, pa)
    write_network(b, pb)
    code, out, _ = run(capsys, "equiv", pa, pb, "--timeout", "0.000001", "--json")
    data = json.loads(out)
    assert code == 3 and data["equivalent"] is None and "time limit" in data["reason"]


def test_bad_input_exit_2(capsys, files):
    code, _, err = run(capsys, "equiv", files["a"], files["three"])
    assert code == 2 and "dimension" in err
    code, _, err = run(capsys, "equiv", files["a"], files["tanh"])
    assert code == 2 and err.startswith("exactnet: error:")
    code, _, err = run(capsys, "regions", files["three"], "--plot", str(files["dir"] / "x.png"))
    assert code == 2 and "2 inputs" in err
    code, _, err = run(capsys, "regions", files["a"], "--domain", files["box"], "--limit", "0")
    assert code == 2


def test_regions_count_listing_and_plot(capsys, files):
    code, out, _ = run(capsys, "regions", files["a"], "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 4 and data["complete"] and len(data["regions"]) == 4
    assert all(set(r) == {"point", "pattern", "map"} for r in data["regions"])
    code, out, _ = run(capsys, "regions", files["a"], "--limit", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] is None and data["count_at_least"] == 2
    png = files["dir"] / "cells.png"
    code, out, _ = run(capsys, "regions", files["a"], files["c"], "--plot", str(png), "--domain", files["box"],
                       "--json")
    data = json.loads(out)
    assert code == 0 and png.stat().st_size > 1000 and data["plot"] == str(png)
    assert all(len(r["patterns"]) == 2 for r in data["regions"])


def test_compress_keys(capsys, files, tmp_path):
    net = Network.from_lists("relu", [([[1], [2], [0]], [0, 0, 3]), ([[1, 1, 1]], [0])])
    path = str(tmp_path / "n.json")
    write_network(net, path)
    out_path, cert = str(tmp_path / "small.json"), str(tmp_path / "cert.json")
    code, out, _ = run(capsys, "compress", path, "-o", out_path, "--certificate", cert, "--json")
    data = json.loads(out)
    assert code == 0 and data["width_before"] == 3 and data["width_after"] == 1
    assert data["network"]["layers"][1]["bias"] == [3]
    code, _, _ = run(capsys, "check", cert, "--network", path, "--network", out_path)
    assert code == 0
    deep = Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])])
    write_network(deep, path)
    code, out, _ = run(capsys, "compress", path, "--json")
    data = json.loads(out)
    assert data["width_before"] == [2, 2] and data["width_after"] == [2, 1]


def test_plot_without_matplotlib_is_a_clean_error(capsys, files, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    code, _, err = run(capsys, "regions", files["a"], "--plot", str(files["dir"] / "x.png"))
    assert code == 2 and "matplotlib" in err and "exactnet[plot]" in err
