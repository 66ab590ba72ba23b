import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exactnet.network import Network, write_network

from .helpers import run_cli

RELU = Network.from_lists("relu", [([["1", "-1/2"], [0, 3]], ["1/3", 0]), ([[2, 5]], ["1/4"])])
TANH = Network.from_lists("tanh", [([[1], [2]], [0, "1/2"]), ([[1, "-3"]], ["1/7"])])


@pytest.fixture
def files(tmp_path):
    relu, tanh = tmp_path / "relu.json", tmp_path / "tanh.json"
    write_network(RELU, relu)
    write_network(TANH, tanh)
    return tmp_path, relu, tanh


def test_version(capsys):
    r = run_cli(capsys, "--version")
    assert r.code == 0 and r.out.startswith("exactnet ")


def test_info_json_keys(capsys, files):
    _, relu, _ = files
    r = run_cli(capsys, "info", relu, "--json")
    assert r.code == 0
    data = r.json
    assert data["activation"] == "relu" and data["widths"] == [2, 2, 1] and data["parameters"] == 9


def test_info_text(capsys, files):
    _, relu, _ = files
    r = run_cli(capsys, "info", relu)
    assert r.code == 0 and "relu" in r.out and "[2, 2, 1]" in r.out


def test_eval_relu_exact(capsys, files):
    _, relu, _ = files
    r = run_cli(capsys, "eval", relu, "1", "2/3", "--json")
    assert r.code == 0 and r.json == {"output": ["49/4"]}
    r = run_cli(capsys, "eval", relu, "1", "0.6666")
    assert r.code == 0 and "/" in r.out


def test_eval_tanh_enclosure(capsys, files):
    _, _, tanh = files
    r = run_cli(capsys, "eval", tanh, "0", "--json", "--prec", "100")
    assert r.code == 0
    out = r.json["output"][0]
    assert out["exact"] is None
    from flint import arb, fmpq

    from exactnet.numbers import number, working_precision
    from exactnet.numbers.algebraic import ball_bounds

    lo, hi = number(out["lower"]), number(out["upper"])
    with working_precision(300):
        tlo, thi = ball_bounds(arb(fmpq(1, 7)) - 3 * arb(fmpq(1, 2)).tanh())
    assert lo < hi and lo <= thi and tlo <= hi  # the reported interval contains tanh's true value
    assert hi - lo < fmpq(1, 2**90)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["info", "{d}/missing.json"], "no such file"),
        (["info", "{d}/bad.json"], "not valid JSON"),
        (["info", "{d}/net.txt"], "unknown file type"),
        (["eval", "{d}/relu.json", "1"], "takes 2 inputs, got 1"),
        (["eval", "{d}/relu.json", "1", "nan"], "not a finite number"),
        (["eval", "{d}/relu.json", "1", "pi"], "not algebraic"),
        (["reproduce", "no-such-claim"], "unknown claim"),
        (["equiv", "{d}/relu.json", "{d}/tanh.json"], "one activation"),
        (["prank", "{d}/tanh.json", "--eps", "-1"], "non-negative"),
        (["frobnicate"], "No such command"),
        (["info"], "Missing argument"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, files, args, fragment):
    d, _, _ = files
    (d / "bad.json").write_text('{"format": "exactnet.network/1", "activation": ')
    (d / "net.txt").write_text("x")
    r = run_cli(capsys, *[a.format(d=d) for a in args])
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], r.err
    assert "Traceback" not in r.err


def test_reproduce_list_and_run(capsys):
    r = run_cli(capsys, "reproduce", "--list", "--json")
    assert r.code == 0
    names = [c["name"] for c in r.json["claims"]]
    assert "float32-weights-exact" in names and "relu-evaluation-exact" in names
    r = run_cli(capsys, "reproduce", "float32-weights-exact", "--quick", "--json")
    assert r.code == 0
    row = r.json["claims"][0]
    assert row["holds"] is True and set(row) >= {"name", "source", "holds"}


def test_console_script_is_installed(files):
    """The real entry point: exit codes survive the process boundary."""
    _, relu, _ = files
    script = shutil.which("exactnet") or str(Path(sys.executable).parent / "exactnet")
    ok = subprocess.run([script, "info", str(relu), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["parameters"] == 9
    bad = subprocess.run([sys.executable, "-m", "exactnet", "info", "/nonexistent.json"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no such file" in bad.stderr
