"""``exactnet convert``: exit codes, warnings on rounding, --json keys."""

import json
import subprocess
import sys

import numpy as np
import pytest

from exactnet.io import load_network
from exactnet.network import Network, write_network

from .helpers import run_cli
from tests.io.helpers import FIXTURES

NET = Network.from_lists("relu", [([["1/4", "-3/2"], [0, 5]], ["1/8", -1]), ([[2, "-1/1024"]], [7])])
THIRD = Network.from_lists("tanh", [([["1/3"]], [0])])
KEYS = {"input", "output", "format", "dtype", "exact", "rounded", "parameters", "max_abs_error"}


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "net.json"
    write_network(NET, path)
    return path


@pytest.mark.parametrize("ext", ["npz", "safetensors", "onnx", "pt", "pth"])
def test_convert_round_trip(capsys, tmp_path, src, ext):
    if ext in ("safetensors", "onnx"):
        pytest.importorskip(ext)
    out = tmp_path / f"net.{ext}"
    r = run_cli(capsys, "convert", src, out, "--json")
    assert r.code == 0 and r.err == ""
    data = r.json
    assert KEYS <= set(data) and data["exact"] is True and data["rounded"] == 0 and data["parameters"] == 9
    back = tmp_path / "back.json"
    args = ["--activation", "relu"] if ext in ("pt", "pth") else []
    r = run_cli(capsys, "convert", out, back, *args)
    assert r.code == 0
    assert load_network(back) == NET


def test_rounding_warning_on_stderr(capsys, tmp_path):
    path = tmp_path / "third.json"
    write_network(THIRD, path)
    r = run_cli(capsys, "convert", path, tmp_path / "t.npz", "--dtype", "float16", "--json")
    assert r.code == 0
    assert "warning: 1 of 2 values were rounded to float16 (largest error 1/12288)" in r.err
    data = r.json
    assert data["exact"] is False and data["rounded"] == 1 and data["max_abs_error"] == "1/12288"
    assert data["dtype"] == "float16" and data["format"] == "numpy"


def test_pt_export_without_torch(capsys, monkeypatch, tmp_path, src):
    from exactnet.io import torch_format

    monkeypatch.setattr(torch_format, "torch_available", lambda: False)
    r = run_cli(capsys, "convert", src, tmp_path / "n.pt", "--json")
    assert r.code == 0 and r.json["format"] == "torch"
    r = run_cli(capsys, "info", tmp_path / "n.pt", "--activation", "relu", "--json")
    assert r.code == 0 and r.json["widths"] == [2, 2, 1]


def test_bad_inputs_exit_2_with_one_line(capsys, tmp_path, src):
    nan = tmp_path / "nan.npz"
    np.savez(nan, W0=np.array([[np.nan]]), activation=np.array("relu"))
    trunc = tmp_path / "t.npz"
    trunc.write_bytes(b"PK\x03\x04garbage")
    cases = [
        ([FIXTURES / "relu_f32_state.pt", tmp_path / "o.json"], "--activation"),
        ([trunc, tmp_path / "o.json"], "not a readable .npz"),
        ([nan, tmp_path / "o.json"], "NaN at index [0, 0]"),
        ([src, tmp_path / "o.txt"], "unknown file type"),
        ([tmp_path / "missing.onnx", tmp_path / "o.json"], "no such file"),
        ([FIXTURES / "unsupported_module.pt", tmp_path / "o.json"], "Conv1d"),
        ([src, tmp_path / "no" / "dir" / "o.npz"], "cannot write"),
    ]
    for args, needle in cases:
        r = run_cli(capsys, "convert", *args)
        assert r.code == 2, args
        assert needle in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err
        assert r.out == ""


def test_unsupported_onnx_op_via_cli(capsys, tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "K"], ["c"]), helper.make_node("Sigmoid", ["c"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    path = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(graph), str(path))
    r = run_cli(capsys, "convert", path, tmp_path / "o.json", "--json")
    assert r.code == 2 and "Conv, Sigmoid" in r.err


def test_subprocess_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x01")
    proc = subprocess.run([sys.executable, "-m", "exactnet", "convert", str(bad), str(tmp_path / "o.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("exactnet: error:") and "Traceback" not in proc.stderr
    assert json.dumps({}) == "{}"
