"""``equiv --eps --norm``, boxes with ``lower = upper`` in some coordinates, and the issue's bad inputs,
through the real command line (``docs/difference.md``, ``docs/domains.md``)."""

from __future__ import annotations

import json

import pytest
from flint import fmpq

from exactnet.io import load_network
from exactnet.network import forward_exact

from .hostile.clirun import EXAMPLES, run

A, B = EXAMPLES / "relu_diff_a.json", EXAMPLES / "relu_diff_b.json"


def _diff_at(x):
    a, b = load_network(A), load_network(B)
    return [p - q for p, q in zip(forward_exact(a, x), forward_exact(b, x))]


def _point(values):
    return [fmpq(v) for v in values]


# ---------------------------------------------------------------------------------------------
# equiv --eps E --norm 1|inf
# ---------------------------------------------------------------------------------------------


def test_one_norm_epsilon_separates_from_the_sup_norm(tmp_path):
    """On [0,1]^2 the sup-norm maximum of A − B is 73/40000 and the 1-norm maximum 113/40000, so
    ε = 1/500 lies between them: within ε in the sup norm, not in the 1-norm (a witness whose exact
    Σ_k |A_k − B_k| exceeds ε); at ε = 113/40000 the 1-norm question is a certified yes."""
    sup, one, yes = tmp_path / "sup.json", tmp_path / "one.json", tmp_path / "yes.json"
    r = run("equiv", A, B, "--box", "0,1", "--eps", "1/500", "--json", "--certificate", sup)
    assert r.code == 0 and r.json["equivalent"] is True and r.json["norm"] == "inf", r.err
    r = run("equiv", A, B, "--box", "0,1", "--eps", "1/500", "--norm", "1", "--json", "--certificate", one)
    assert r.code == 1 and r.json["equivalent"] is False and r.json["norm"] == "1", r.err
    x = _point(r.json["witness"])
    assert all(0 <= v <= 1 for v in x)
    d = _diff_at(x)
    assert sum(abs(v) for v in d) > fmpq(1, 500) and max(abs(v) for v in d) <= fmpq(1, 500)
    assert _point(r.json["difference_at_witness"]) == d
    r = run("equiv", A, B, "--box", "0,1", "--eps", "113/40000", "--norm", "1", "--json", "--certificate", yes)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    r = run("equiv", A, B, "--box", "0,1", "--eps", "112/40000", "--norm", "1", "--json")
    assert r.code == 1 and sum(abs(v) for v in _diff_at(_point(r.json["witness"]))) > fmpq(112, 40000)
    for cert, norm in ((sup, "inf"), (one, "1"), (yes, "1")):
        obj = json.loads(cert.read_text())
        assert obj["claim"]["norm"] == norm
        c = run("check", cert, "--json")
        assert c.code == 0 and c.json["valid"] is True and c.json["kind"] == "relu.epsilon", c.json


def test_a_one_norm_certificate_does_not_pass_as_a_sup_norm_one(tmp_path):
    """The checker reads the norm from the claim: the 1-norm tree proves Σ|d_k| ≤ ε, and the same
    witness certificate relabelled 'inf' is refused (its sup-norm difference is not above ε)."""
    cert = tmp_path / "one.json"
    r = run("equiv", A, B, "--box", "0,1", "--eps", "1/500", "--norm", "1", "--json", "--certificate", cert)
    assert r.code == 1
    obj = json.loads(cert.read_text())
    obj["claim"]["norm"] = "inf"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(obj))
    c = run("check", forged, "--json")
    assert c.code == 1 and c.json["valid"] is False


def test_norm_option_errors():
    run("equiv", A, B, "--box", "0,1", "--norm", "1").assert_error("--norm", "--eps")
    run("equiv", A, B, "--box", "0,1", "--top1", "--norm", "1").assert_error("--norm", "--eps")
    r = run("equiv", A, B, "--box", "0,1", "--eps", "1", "--norm", "2")
    assert r.code == 2 and "Traceback" not in r.err and "'2'" in r.err


def test_help_names_the_norm():
    h = run("equiv", "--help")
    assert h.code == 0 and "--norm" in h.out and "Σ_k |A_k − B_k|" in h.out


def test_batch_norm_key(tmp_path):
    import shutil

    for p in (A, B):
        shutil.copy(p, tmp_path / p.name)
    manifest = tmp_path / "m.jsonl"
    items = [{"id": "one", "command": "equiv", "networks": [A.name, B.name], "box": "0,1", "eps": "1/500",
              "norm": "1"},
             {"id": "sup", "command": "equiv", "networks": [A.name, B.name], "box": "0,1", "eps": "1/500"},
             {"id": "bad", "command": "equiv", "networks": [A.name, B.name], "box": "0,1", "norm": "1"}]
    manifest.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    out = tmp_path / "r.jsonl"
    r = run("batch", manifest, "-o", out, cwd=tmp_path)
    assert r.code in (0, 1, 2), r.err
    lines = {obj["id"]: obj for obj in map(json.loads, out.read_text().splitlines())}
    assert lines["one"]["exit"] == 1 and lines["one"]["answer"]["norm"] == "1"
    assert lines["sup"]["exit"] == 0 and lines["sup"]["answer"]["norm"] == "inf"
    assert lines["bad"]["exit"] == 2 and "'norm' applies to 'eps'" in lines["bad"]["error"]
    c = run("check", tmp_path / lines["one"]["certificate"], "--json")
    assert c.code == 0 and c.json["valid"] is True


# ---------------------------------------------------------------------------------------------
# boxes with lower = upper in some coordinates
# ---------------------------------------------------------------------------------------------


def _segment_maximum():
    """max over x0 ∈ [0, 1] of ‖A − B‖∞ at (x0, 1/2), by the breakpoints of the piecewise-linear
    difference on the segment: every unit's preactivation is affine in x0, so the maximum is at
    x0 = 0, 1 or a zero of some hidden preactivation (one hidden layer)."""
    a, b = load_network(A), load_network(B)
    cands = {fmpq(0), fmpq(1)}
    for net in (a, b):
        L = net.layers[0]
        for row, bias in zip(L.weight, L.bias):
            if row[0] != 0:
                t = -(row[1] * fmpq(1, 2) + bias) / row[0]
                if 0 <= t <= 1:
                    cands.add(t)
    return max(max(abs(v) for v in _diff_at([t, fmpq(1, 2)])) for t in cands)


def test_flat_json_box_is_decided_on_its_affine_hull(tmp_path):
    assert len(load_network(A).layers) == 2  # one hidden layer: _segment_maximum is exact
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"lower": [0, "1/2"], "upper": [1, "0.5"]}))
    vnn = tmp_path / "flat.vnnlib"
    vnn.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (<= 0 X_0 1))\n"
                   "(assert (= X_1 0.5))\n")
    truth = _segment_maximum()
    certs = []
    r = run("diff", A, B, "--domain", flat, "--json", "--certificate", tmp_path / "d.json")
    assert r.code == 0, r.err
    assert fmpq(r.json["max_abs_difference"]) == truth and r.json["stats"]["domain_dim"] == 1
    x = _point(r.json["argmax"])
    assert x[1] == fmpq(1, 2) and 0 <= x[0] <= 1 and max(abs(v) for v in _diff_at(x)) == truth
    assert run("diff", A, B, "--domain", vnn, "--json").json["max_abs_difference"] == r.json["max_abs_difference"]
    certs.append(tmp_path / "d.json")
    yes = run("equiv", A, B, "--domain", flat, "--eps", str(truth), "--json", "--certificate", tmp_path / "y.json")
    no = run("equiv", A, B, "--domain", flat, "--eps", str(truth * fmpq(255, 256)), "--json",
             "--certificate", tmp_path / "n.json")
    assert yes.code == 0 and no.code == 1, (yes.err, no.err)
    w = _point(no.json["witness"])
    assert w[1] == fmpq(1, 2) and max(abs(v) for v in _diff_at(w)) > truth * fmpq(255, 256)
    certs += [tmp_path / "y.json", tmp_path / "n.json"]
    top = run("equiv", A, B, "--domain", flat, "--top1", "--json", "--certificate", tmp_path / "t.json")
    assert top.code in (0, 1), top.err
    if top.code == 1:
        w = _point(top.json["witness"])
        ya, yb = forward_exact(load_network(A), w), forward_exact(load_network(B), w)
        assert w[1] == fmpq(1, 2) and ya.index(max(ya)) != yb.index(max(yb))
    certs.append(tmp_path / "t.json")
    for cert in certs:
        c = run("check", cert, "--json")
        assert c.code == 0 and c.json["valid"] is True, (cert, c.json)


@pytest.mark.parametrize("value", ["1/2", "1/3"])
def test_box_option_with_equal_bounds_is_one_point(value):
    r = run("diff", A, B, f"--box={value},{value}", "--json")
    assert r.code == 0 and r.json["method"] == "single_point", r.err
    x = [fmpq(value)] * 2
    assert _point(r.json["argmax"]) == x
    assert fmpq(r.json["max_abs_difference"]) == max(abs(v) for v in _diff_at(x))
    e = run("equiv", A, B, f"--box={value},{value}", "--eps", r.json["max_abs_difference"], "--json")
    assert e.code == 0 and e.json["equivalent"] is True


def test_empty_and_flat_boxes_elsewhere_are_one_line_errors(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"lower": [0, "1/2"], "upper": [1, "1/4"]}))
    run("diff", A, B, "--domain", empty).assert_error("coordinate 2", "lower 1/2 > upper 1/4", "empty")
    run("equiv", A, B, "--domain", empty, "--eps", "1").assert_error("empty")
    run("diff", A, B, "--box", "1,0").assert_error("LO must not exceed HI", "empty")
    scalar = tmp_path / "scalar.json"
    scalar.write_text(json.dumps({"lower": 1, "upper": 0}))
    run("diff", A, B, "--domain", scalar).assert_error("empty")
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"lower": [0, "1/2"], "upper": [1, "1/2"]}))
    run("regions", A, "--domain", flat).assert_error("empty interior")
    run("regions", A, "--box", "0.5,0.5").assert_error("empty interior")
    run("equiv", A, B, "--box", "0.5,0.5").assert_error("empty interior")
    union = tmp_path / "union.json"
    union.write_text(json.dumps({"union": [{"lower": [0, "1/2"], "upper": [1, "1/2"]},
                                           {"lower": [0, 0], "upper": [1, 1]}]}))
    run("diff", A, B, "--domain", union).assert_error("union", "empty interior")


# ---------------------------------------------------------------------------------------------
# the "Bad input" list
# ---------------------------------------------------------------------------------------------

HEAD = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n"


@pytest.mark.parametrize("body, needles", [
    ("(assert (<= (* X_0 X_1) 1))", ["line 3", "non-linear"]),
    ("(assert (<= (/ 1 X_0) 1))", ["line 3"]),
    ("(assert (<= (exp X_0) 1))", ["line 3", "exp"]),
    ("(declare-const Y_0 Real)\n(assert (<= Y_0 1))", ["line 4", "output"]),
    ("(assert (<= X_2 1))", ["line 3", "X_2"]),
    ("(assert (<= Z 1))", ["line 3", "Z"]),
    ("(assert (< X_0 1))", ["line 3"]),
    ("(assert (<= X_0 1)", ["line 3", "never closed"]),
])
def test_malformed_vnnlib_is_one_line(tmp_path, body, needles):
    path = tmp_path / "bad.vnnlib"
    path.write_text(HEAD + body + "\n")
    for args in (("diff", A, B), ("equiv", A, B, "--eps", "1/10"), ("equiv", A, B, "--top1")):
        run(*args, "--domain", path).assert_error(str(path.name), *needles)


def test_unbounded_and_empty_domains_for_every_difference_question(tmp_path):
    ray = tmp_path / "ray.vnnlib"
    ray.write_text(HEAD + "(assert (>= X_0 0))\n(assert (<= 0 X_1 1))\n")
    contradiction = tmp_path / "none.vnnlib"
    contradiction.write_text(HEAD + "(assert (= X_0 0.25))\n(assert (= X_0 0.5))\n(assert (<= 0 X_1 1))\n")
    for args in (("diff", A, B), ("diff", A, B, "--norm", "1"), ("equiv", A, B, "--eps", "1"),
                 ("equiv", A, B, "--top1")):
        run(*args, "--domain", ray, timeout=60).assert_error("unbounded", "direction")
        run(*args, "--domain", contradiction, timeout=60).assert_error("empty")


@pytest.mark.parametrize("eps", ["-1", "-1/1000", "-0.0001", "-1e-9"])
def test_negative_eps_is_one_line(eps):
    run("equiv", A, B, "--box", "0,1", f"--eps={eps}").assert_error("--eps", "≥ 0")


def test_top1_on_single_output_networks_is_one_line(tmp_path):
    one = EXAMPLES / "relu_small.json"
    run("equiv", one, one, "--box", "0,1", "--top1").assert_error("at least 2 outputs")
    bits = tmp_path / "bits.json"
    bits.write_text(json.dumps({"finite": [0, 1]}))
    run("equiv", one, one, "--domain", bits, "--top1").assert_error("at least 2 outputs")
