"""Issue 15, items 4–5 through the real CLI: domains as users write them (VNN-LIB, --box, finite
sets, unions) and trained models as they come (Softmax, normalisation, Keras, batches, dtypes).
Bad input is one line on stderr and exit 2; good input gives exact answers."""

import json
from fractions import Fraction

import numpy as np
import pytest

from .clirun import EXAMPLES, run

NET = EXAMPLES / "relu_small.json"  # R^2 → R
TWO_OUT = {"format": "exactnet.network/1", "activation": "relu",
           "layers": [{"weight": [[1, -1], [2, 1]], "bias": [0, "1/3"]},
                      {"weight": [[1, 0], [0, 1]], "bias": [0, 0]}]}


def vnnlib(tmp_path, body, n=2, outputs=1, name="p.vnnlib"):
    text = "".join(f"(declare-const X_{i} Real)\n" for i in range(n))
    text += "".join(f"(declare-const Y_{i} Real)\n" for i in range(outputs))
    path = tmp_path / name
    path.write_text(text + body, encoding="utf-8")
    return path


BOX2 = "(assert (<= X_0 0.6))\n(assert (>= X_0 -0.3))\n(assert (<= X_1 1))\n(assert (>= X_1 -1))\n"


# ---------------------------------------------------------------------------------------------
# malformed VNN-LIB (issue 15, "Bad input")
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body,needles", [
    ("(assert (<= (* X_0 X_1) 1))\n", ["line 4", "non-linear"]),
    (BOX2 + "(assert (>= Y_0 0.5))\n", ["line 8", "output constraint on Y_0", "input constraints"]),
    (BOX2 + "(assert (<= X_7 1))\n", ["line 8", "X_7", "not declared"]),
    (BOX2 + "(assert (<= W 1))\n", ["line 8", "unknown variable"]),
    ("(declare-const X_0 Real)\n", ["line 4", "declared twice"]),
    ("(assert (< X_0 1))\n", ["strict inequality"]),
    ("(assert (<= X_0 1)\n", ["never closed"]),
])
def test_malformed_vnnlib_is_one_clear_line(tmp_path, body, needles):
    path = vnnlib(tmp_path, body)
    for command in (["regions", NET], ["equiv", NET, NET], ["fdim", NET]):
        run(*command, "--domain", path).assert_error(str(path), *needles)


def test_vnnlib_box_is_read_exactly(tmp_path):
    path = vnnlib(tmp_path, BOX2)
    r = run("regions", NET, "--domain", path, "--json")
    assert r.code == 0, r.err
    for region in r.json["regions"]:  # every witness point lies in the box, exactly
        x0, x1 = (Fraction(v) for v in region["point"])
        assert Fraction(-3, 10) <= x0 <= Fraction(3, 5) and -1 <= x1 <= 1


def test_vnnlib_and_json_give_the_same_domain(tmp_path):
    v = vnnlib(tmp_path, BOX2)
    j = tmp_path / "d.json"
    j.write_text(json.dumps({"lower": ["-3/10", -1], "upper": ["3/5", 1]}))
    a, b = run("regions", NET, "--domain", v, "--json"), run("regions", NET, "--domain", j, "--json")
    assert a.code == b.code == 0 and a.json == b.json


def test_vnnlib_union_is_refused_by_polyhedron_commands(tmp_path):
    path = vnnlib(tmp_path, BOX2 + "(assert (or (<= X_0 0) (>= X_0 0.5)))\n")
    run("regions", NET, "--domain", path).assert_error("'exactnet regions'", "a union of 2 polyhedra")


# ---------------------------------------------------------------------------------------------
# --box and JSON domains
# ---------------------------------------------------------------------------------------------


def test_box_option_matches_the_json_box(tmp_path):
    j = tmp_path / "d.json"
    j.write_text(json.dumps({"lower": ["-1/2", "-1/2"], "upper": ["1/2", "1/2"]}))
    a = run("regions", NET, "--box=-1/2,0.5", "--json")
    b = run("regions", NET, "--domain", j, "--json")
    c = run("regions", NET, "--box", "-0.5,1/2", "--json")
    assert a.code == 0 and a.json == b.json == c.json


@pytest.mark.parametrize("args,needles", [
    (["--box", "1,0"], ["LO must not exceed HI"]),
    (["--box", "0"], ["LO,HI"]),
    (["--box", "0,sqrt(2)"], ["rational"]),
    (["--box", "a,1"], ["--box LO"]),
    (["--box", "0,1", "--domain", "d.json"], ["not both"]),
])
def test_bad_box_options(args, needles):
    run("regions", NET, *args).assert_error(*needles)


def test_finite_domain_and_dimension_errors(tmp_path):
    f = tmp_path / "f.json"
    f.write_text('{"finite": [0, 1]}')
    run("fdim", NET, "--domain", f).assert_error("'exactnet fdim'", "{0, 1}^2")
    three = tmp_path / "three.json"
    three.write_text('{"lower": [0, 0, 0], "upper": [1, 1, 1]}')
    run("equiv", NET, NET, "--domain", three).assert_error("dimension 3", "takes 2 inputs")
    bad = tmp_path / "bad.json"
    bad.write_text('{"finite": [[0, 1], 2]}')
    run("regions", NET, "--domain", bad).assert_error("mixes numbers and lists")


def test_domain_formats_are_documented_in_help():
    for command in ("equiv", "compress", "regions", "fdim", "fiber"):
        r = run(command, "--help")
        assert r.code == 0
        text = " ".join(r.out.split())
        for needle in (".vnnlib", "{\"finite\": [0, 1]}", "A x <= b", "--box", "docs/domains.md"):
            assert needle in text, (command, needle)


# ---------------------------------------------------------------------------------------------
# trained models: softmax, keras, batches, dtypes
# ---------------------------------------------------------------------------------------------


def _softmax_onnx(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.array([[1.0, -1.0], [0.5, 2.0]], np.float32), "W"),
             numpy_helper.from_array(np.array([[1.0, 1.0], [-1.0, 0.25]], np.float32), "V")]
    nodes = [helper.make_node("Gemm", ["x", "W"], ["h"], transB=1), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "V"], ["z"], transB=1), helper.make_node("Softmax", ["z"], ["y"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    path = tmp_path / "clf.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def test_softmax_model_refused_for_value_questions_but_readable(tmp_path):
    path = _softmax_onnx(tmp_path)
    for command in (["equiv", path, path], ["compress", path], ["regions", path]):
        run(*command).assert_error("ends with Softmax", "top-1", "not for exact and ε questions")
    info = run("info", path, "--json")
    assert info.code == 0 and info.json["output_transform"] == "softmax"
    batch = tmp_path / "b.json"
    batch.write_text('[[1, 0], ["-1/2", "1/3"], [0, 0]]')
    r = run("eval", path, "--input", batch, "--json")
    assert r.code == 0, r.err
    # h = relu(W x): at (1, 0): (1, 1/2); z = V h = (3/2, -7/8) → argmax 0
    assert r.json["output"][0] == ["3/2", "-7/8"] and r.json["argmax"][0] == 0
    assert r.json["output_transform"] == "softmax" and "logits" in r.json["note"]
    assert r.json["output"][2] == ["0", "0"] and r.json["argmax_ties"] == {"2": [0, 1]}


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".json"])
def test_eval_batches_print_exact_values_decimals_and_argmax(tmp_path, suffix):
    net = tmp_path / "n.json"
    net.write_text(json.dumps(TWO_OUT))
    path = tmp_path / f"b{suffix}"
    if suffix == ".npy":
        np.save(path, np.array([[0.5, 0.25], [-1.0, 2.0]]))
    elif suffix == ".csv":
        path.write_text("a,b\n0.5,0.25\n-1,2\n")
    else:
        path.write_text("[[0.5, 0.25], [-1, 2]]")
    r = run("eval", net, "--input", path, "--json")
    assert r.code == 0, r.err
    # (0.5, 0.25): relu(1/4), relu(1 + 1/4 + 1/3) = 1/4, 19/12 ; (-1, 2): relu(-3)=0, relu(1/3)
    assert r.json["output"] == [["1/4", "19/12"], ["0", "1/3"]]
    assert r.json["argmax"] == [1, 1] and r.json["points"] == 2
    assert r.json["approx"][0][1].startswith("1.58333")
    human = run("eval", net, "--input", path)
    assert human.code == 0 and "19/12 ≈ 1.58333" in human.out


@pytest.mark.parametrize("args,needles", [
    (["--input", "missing.csv"], ["no such file"]),
    (["1", "2", "--input", "b.csv"], ["one of them"]),
    ([], ["one of them"]),
])
def test_eval_usage_errors(tmp_path, args, needles):
    run("eval", NET, *args, cwd=tmp_path).assert_error(*needles)


def test_eval_batch_with_wrong_width(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("1,2,3\n")
    run("eval", NET, "--input", path).assert_error("point 1 has 3 numbers", "takes 2 inputs")


def test_compress_with_dtype_reports_rounding(tmp_path):
    out = tmp_path / "c.pt"
    r = run("compress", NET, "-o", out, "--dtype", "float16", "--json")
    assert r.code == 0, r.err
    data = r.json
    assert data["dtype"] == "float16" and data["exact"] is False and data["rounded"] == 1
    assert data["max_abs_error"] == "1/12288"  # 1/3 − 1365/4096, exactly
    assert "rounded to float16" in r.err
    back = run("eval", out, "1", "1", "--activation", "relu", "--json")
    original = run("eval", NET, "1", "1", "--json")
    assert original.json["output"] == ["203/12"]  # 2·(1 − 1/2 + 1/3) + 5·3 + 1/4
    assert back.code == 0 and back.json["output"] == ["34645/2048"]  # 1/3 stored as the float16 1365/4096
    exact = run("compress", NET, "-o", tmp_path / "c.json", "--json")
    assert exact.code == 0 and exact.json["exact"] is True
    run("compress", NET, "--dtype", "float32").assert_error("--dtype needs -o")
    run("compress", NET, "-o", tmp_path / "c.h5").assert_error("does not write them")


def test_keras_h5_through_the_cli(tmp_path):
    pytest.importorskip("h5py")
    from tests.io.keras_h5 import dense, write_keras_h5

    path = tmp_path / "k.h5"
    write_keras_h5(path, [dense("dense", 2, "relu"), dense("dense_1", 1)],
                   {"dense": (np.array([[1, 0], [-0.5, 3]]), np.array([1 / 3, 0])),
                    "dense_1": (np.array([[2], [5]]), np.array([0.25]))}, dtype=np.float64)
    r = run("info", path, "--json")
    assert r.code == 0 and r.json["widths"] == [2, 2, 1]
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n garbage")
    run("info", bad).assert_error("not a readable HDF5 file")


# ---------------------------------------------------------------------------------------------
# VNN-LIB files that fix inputs (issue 15, gap 3): decided on the affine hull, with certificates
# ---------------------------------------------------------------------------------------------


def _two_nets(tmp_path):
    other = json.loads(json.dumps(TWO_OUT))
    other["layers"][0]["bias"] = [0, "1/2"]
    other["layers"][1]["weight"] = [[1, 0], ["1/2", 1]]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(TWO_OUT))
    b.write_text(json.dumps(other))
    return a, b


@pytest.mark.parametrize("fix", ["(assert (= X_0 0.25))\n", "(assert (<= 0.25 X_0 0.25))\n"])
def test_vnnlib_with_a_fixed_input(tmp_path, fix):
    a, b = _two_nets(tmp_path)
    path = vnnlib(tmp_path, fix + "(assert (<= -1 X_1 1))\n", outputs=2)
    cert = tmp_path / "c.json"
    r = run("diff", a, b, "--domain", path, "--json", "--certificate", cert)
    assert r.code == 0, r.err
    assert Fraction(r.json["argmax"][0]) == Fraction(1, 4) and -1 <= Fraction(r.json["argmax"][1]) <= 1
    assert run("check", cert, "--json").json["valid"] is True
    for args, codes in ((["--eps", r.json["max_abs_difference"]], (0,)), (["--top1"], (0, 1))):
        e = run("equiv", a, b, "--domain", path, *args, "--json", "--certificate", cert)
        assert e.code in codes and e.json["certificate"] == str(cert), e.err
        assert run("check", cert, "--json").json["valid"] is True
    # the maximum over the fixed slice is at most the maximum over the full box around it
    full = vnnlib(tmp_path, "(assert (<= 0 X_0 1))\n(assert (<= -1 X_1 1))\n", name="full.vnnlib")
    f = run("diff", a, b, "--domain", full, "--json")
    assert Fraction(f.json["max_abs_difference"]) >= Fraction(r.json["max_abs_difference"])


def test_vnnlib_fixed_inputs_that_contradict_or_are_only_implied(tmp_path):
    a, b = _two_nets(tmp_path)
    empty = vnnlib(tmp_path, "(assert (= X_0 0.25))\n(assert (= X_0 0.5))\n(assert (<= -1 X_1 1))\n", name="e.vnnlib")
    run("diff", a, b, "--domain", empty).assert_error("empty")
    # X_0 ≤ 0, X_1 ≤ X_0, X_0 + X_1 ≥ 0 force X_0 = X_1 = 0: a single point (no certificate needed)
    point = vnnlib(tmp_path, "(assert (<= X_0 0))\n(assert (<= X_1 X_0))\n(assert (>= (+ X_0 X_1) 0))\n",
                   name="i.vnnlib")
    cert = tmp_path / "c.json"
    r = run("diff", a, b, "--domain", point, "--json", "--certificate", cert)
    assert r.code == 0 and r.json["argmax"] == ["0", "0"] and r.json["certificate"] is None
    assert "single point" in r.json["certificate_note"] and not cert.exists()
    # the same forced equality on a line of R^2 … as a segment: X_0 + X_1 ≤ 0 and ≥ 0 implied by two rows
    seg = vnnlib(tmp_path, "(assert (<= (+ X_0 X_1) 0))\n(assert (>= (+ (* 2 X_0) (* 2 X_1)) 0))\n"
                           "(assert (<= -1 X_0 1))\n", name="s.vnnlib")
    r = run("diff", a, b, "--domain", seg, "--json", "--certificate", cert)
    x0, x1 = (Fraction(v) for v in r.json["argmax"])
    assert r.code == 0 and x0 + x1 == 0 and -1 <= x0 <= 1
    assert run("check", cert, "--json").json["valid"] is True
