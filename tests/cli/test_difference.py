"""``exactnet diff`` and ``exactnet equiv --eps/--top1`` through the real command line."""

from __future__ import annotations

import json

from flint import fmpq

from exactnet.network import forward_exact
from exactnet.io import load_network

from .hostile.clirun import EXAMPLES, run
from .hostile.nets import write_relu

A, B = EXAMPLES / "relu_diff_a.json", EXAMPLES / "relu_diff_b.json"


def _diff_at(x):
    a, b = load_network(A), load_network(B)
    return [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]


def test_diff_is_exact_attained_and_certified(tmp_path):
    cert = tmp_path / "d.json"
    r = run("diff", A, B, "--box", "0,1", "--json", "--certificate", cert)
    assert r.code == 0, r.err
    d = r.json
    assert d["max_abs_difference"] == "73/40000" == d["lower_bound"] == d["upper_bound"]
    x = [fmpq(v) for v in d["argmax"]]
    assert all(0 <= v <= 1 for v in x)
    assert max(abs(v) for v in _diff_at(x)) == fmpq(73, 40000)
    assert d["per_output"] == ["1/1000", "73/40000"] and d["complete"] is True
    for k, p in enumerate(d["per_output_argmax"]):
        assert abs(_diff_at([fmpq(v) for v in p])[k]) == fmpq(d["per_output"][k])
    c = run("check", cert, "--json", "--network", A, "--network", B)
    assert c.code == 0 and c.json["valid"] is True and c.json["kind"] == "relu.max_difference"


def test_diff_one_norm_and_finite_domain(tmp_path):
    r = run("diff", A, B, "--box", "0,1", "--norm", "1", "--json")
    assert r.code == 0 and fmpq(r.json["max_abs_difference"]) == sum(abs(v) for v in _diff_at(
        [fmpq(v) for v in r.json["argmax"]]))
    dom = tmp_path / "bits.json"
    dom.write_text(json.dumps({"finite": [0, 1]}))
    f = run("diff", A, B, "--domain", dom, "--json")
    brute = max(max(abs(v) for v in _diff_at([fmpq(i), fmpq(j)])) for i in (0, 1) for j in (0, 1))
    assert f.code == 0 and fmpq(f.json["max_abs_difference"]) == brute and f.json["method"] == "enumeration"


def test_epsilon_both_ways_with_certificates(tmp_path):
    yes, no = tmp_path / "yes.json", tmp_path / "no.json"
    r = run("equiv", A, B, "--box", "0,1", "--eps", "73/40000", "--json", "--certificate", yes)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    r = run("equiv", A, B, "--box", "0,1", "--eps", "0.0018", "--json", "--certificate", no)
    assert r.code == 1 and r.json["equivalent"] is False
    assert max(abs(v) for v in _diff_at([fmpq(v) for v in r.json["witness"]])) > fmpq(18, 10000)
    for cert in (yes, no):
        c = run("check", cert, "--json")
        assert c.code == 0 and c.json["kind"] == "relu.epsilon"


def test_top1_witness_has_different_classes(tmp_path):
    cert, same_cert = tmp_path / "t.json", tmp_path / "s.json"
    r = run("equiv", A, B, "--box", "0,1", "--top1", "--json", "--certificate", cert)
    assert r.code == 1, r.err
    for c, code in ((cert, 0),):
        checked = run("check", c, "--json")
        assert checked.code == code and checked.json["kind"] == "relu.top1"
    ya, yb = (list(map(fmpq, o)) for o in r.json["outputs"])
    ca, cb = r.json["argmax"]
    assert ca != cb and ya.index(max(ya)) == ca and yb.index(max(yb)) == cb
    same = run("equiv", A, A, "--box", "0,1", "--top1", "--json", "--certificate", same_cert)
    assert same.code == 0 and same.json["equivalent"] is True and "lowest index" in same.json["tie_rule"]
    checked = run("check", same_cert, "--json")
    assert checked.code == 0 and checked.json["valid"] is True


def test_time_limit_gives_exit_3_with_an_exact_interval(tmp_path):
    a = write_relu(tmp_path / "a.json", [6, 40, 40, 3], seed=1)
    b = write_relu(tmp_path / "b.json", [6, 40, 40, 3], seed=2)
    r = run("diff", a, b, "--box=-1,1", "--json", "--timeout", "4")
    assert r.code == 3, (r.code, r.out, r.err)
    d = r.json
    assert d["max_abs_difference"] is None and d["time_limit_reached"] is True
    if d["lower_bound"] is None:  # interrupted before the search reported anything (a loaded machine)
        assert d["upper_bound"] is None
        return
    lower = fmpq(d["lower_bound"])
    x = [fmpq(v) for v in d["argmax"]]
    na, nb = load_network(a), load_network(b)
    assert max(abs(p - q) for p, q in zip(forward_exact(na, x), forward_exact(nb, x))) == lower
    if d["upper_bound"] is not None:
        assert fmpq(d["upper_bound"]) >= lower


def test_bad_input_is_one_line(tmp_path):
    run("diff", A, B).assert_error("bounded domain")
    run("equiv", A, B, "--box", "0,1", "--eps", "-1").assert_error("--eps", "≥ 0")
    run("equiv", A, B, "--box", "0,1", "--eps", "1", "--top1").assert_error("--eps", "--top1")
    run("equiv", A, B, "--eps", "1").assert_error("bounded domain")
    ray = tmp_path / "ray.json"
    ray.write_text(json.dumps({"A": [[-1, 0], [0, -1], [0, 1]], "b": [0, 0, 1]}))
    run("diff", A, B, "--domain", ray).assert_error("unbounded", "direction")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"A": [[1, 0], [-1, 0]], "b": [0, -1]}))
    run("diff", A, B, "--domain", empty).assert_error("empty")
    one = EXAMPLES / "relu_small.json"
    run("equiv", one, one, "--box", "0,1", "--top1").assert_error("at least 2 outputs")
    tanh = EXAMPLES / "tanh_reducible.json"
    run("equiv", tanh, tanh, "--box", "0,1", "--eps", "1").assert_error("not yet", "relu")
    run("diff", tanh, tanh, "--box", "0,1", "--norm", "1").assert_error("sup norm")  # tanh: tests/cli/test_tanh_diff.py
    run("diff", A, EXAMPLES / "relu_small.json", "--box", "0,1").assert_error("dimension")


def test_softmax_models_only_for_top1(tmp_path):
    from .hostile.test_domains_and_models import _softmax_onnx

    path = _softmax_onnx(tmp_path)
    run("diff", path, path, "--box", "0,1").assert_error("ends with Softmax", "top-1")
    run("equiv", path, path, "--box", "0,1", "--eps", "0").assert_error("ends with Softmax", "top-1")
    r = run("equiv", path, path, "--box", "0,1", "--top1", "--json")
    assert r.code == 0 and r.json["equivalent"] is True


def test_certificates_on_polyhedra_and_finite_domains(tmp_path):
    """A VNN-LIB polytope (region trees) and a finite set (enumeration, also for the 1-norm)."""
    poly = tmp_path / "tri.vnnlib"
    poly.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (>= X_0 0))\n(assert (>= X_1 0))\n"
                    "(assert (<= (+ X_0 X_1) 0.75))\n")
    bits = tmp_path / "grid.json"
    bits.write_text(json.dumps({"finite": [[0, "1/2", 1], [0, 1]]}))
    runs = [("diff", poly, []), ("diff", bits, ["--norm", "1"]), ("equiv", poly, ["--eps", "1/1000"]),
            ("equiv", bits, ["--eps", "1/1000"]), ("equiv", poly, ["--top1"]),
            ("equiv", bits, ["--top1"])]
    for i, (cmd, dom, extra) in enumerate(runs):
        cert = tmp_path / f"c{i}.json"
        r = run(cmd, A, B, "--domain", dom, *extra, "--json", "--certificate", cert)
        assert r.code in (0, 1) and r.json["certificate"] == str(cert), (cmd, dom, extra, r.err)
        c = run("check", cert, "--json")
        assert c.code == 0 and c.json["valid"] is True, (cmd, dom, extra, c.json)
    one = json.loads((tmp_path / "c1.json").read_text())
    assert one["evidence"]["method"] == "enumeration" and one["claim"]["norm"] == "1"
    brute = max(sum(abs(v) for v in _diff_at([fmpq(i), fmpq(j)])) for i in (0, fmpq(1, 2), 1) for j in (0, 1))
    assert fmpq(one["claim"]["max_abs_difference"]) == brute


def test_no_certificate_is_said_in_one_line(tmp_path):
    cert = tmp_path / "c.json"
    r = run("diff", A, B, "--box", "0,1", "--norm", "1", "--json", "--certificate", cert)
    assert r.code == 0 and r.json["certificate"] == str(cert)  # 1-norm region trees are certified
    c = run("check", cert, "--json")
    assert c.code == 0 and c.json["valid"] is True
    union = tmp_path / "u.json"
    union.write_text(json.dumps({"union": [{"lower": [0, 0], "upper": ["1/2", 1]},
                                           {"lower": ["1/2", 0], "upper": [1, 1]}]}))
    r = run("equiv", A, B, "--domain", union, "--top1", "--json", "--certificate", cert)
    assert r.json["certificate"] == str(cert) and run("check", cert, "--json").json["valid"] is True
    cert.unlink()
    empty = tmp_path / "e.json"
    empty.write_text(json.dumps({"union": [{"lower": [0, 0], "upper": [1, 1]},
                                           {"A": [[1, 0], [-1, 0]], "b": [-1, -1]}]}))
    r = run("diff", A, B, "--domain", empty, "--json", "--certificate", cert)
    assert r.code == 0 and r.json["certificate"] is None and "empty" in r.json["certificate_note"]
    assert not cert.exists()
