"""``exactnet diff/equiv --certificate`` on small boxes writes ``box_split`` evidence (the split tree of
box splitting), and ``exactnet check`` verifies it, or rejects a tampered copy with exit 1."""

from __future__ import annotations

import json

from flint import fmpq

from .hostile.clirun import EXAMPLES, run

A, B = EXAMPLES / "relu_diff_a.json", EXAMPLES / "relu_diff_b.json"


def _unsealed(path) -> dict:
    """The certificate without its digest (so ``check`` judges the mathematics of an edit)."""
    obj = json.loads(path.read_text())
    obj.pop("digest", None)
    return obj


def _evidence(path):
    return json.loads(path.read_text())["evidence"]


def test_diff_epsilon_and_top1_certificates_are_box_splits(tmp_path):
    pa, pb = _split_pair(tmp_path)
    ta, tb = _top1_pair(tmp_path)
    diff, eps, top = tmp_path / "d.json", tmp_path / "e.json", tmp_path / "t.json"
    r = run("diff", pa, pb, "--box=-1,1", "--json", "--certificate", diff)
    assert r.code == 0 and r.json["complete"] is True, r.err
    top_value = r.json["max_abs_difference"]
    r = run("equiv", pa, pb, "--box=-1,1", "--eps", top_value, "--json", "--certificate", eps)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    r = run("equiv", ta, tb, "--box=-1,1", "--top1", "--json", "--certificate", top)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    for path, kind in ((diff, "relu.max_difference"), (eps, "relu.epsilon"), (top, "relu.top1")):
        ev = _evidence(path)
        assert ev["method"] == "box_split", path
        # top-1 on this pair is now closed by back-substituted class bounds alone
        assert any("leaf" in nd for nd in ev["boxes"]) or ("backsub" in json.dumps(ev) and path == top), path
        c = run("check", path, "--json")
        assert c.code == 0 and c.json["valid"] is True and c.json["kind"] == kind, c.out


def test_one_hidden_layer_keeps_its_region_tree(tmp_path):
    """With one hidden layer the region search runs without splitting (docs/difference.md), and its
    certificate is a region tree."""
    cert = tmp_path / "e.json"
    r = run("equiv", A, B, "--box", "0,1", "--eps", "73/40000", "--json", "--certificate", cert)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    assert _evidence(cert)["method"] == "region_tree"
    assert run("check", cert, "--json").json["valid"] is True


def _top1_pair(tmp_path):
    from exactnet.network.jsonio import write_network

    from ..check.box_split_pairs import top1_pair

    a, b = top1_pair(2)
    ta, tb = tmp_path / "ta.json", tmp_path / "tb.json"
    write_network(a, ta)
    write_network(b, tb)
    return ta, tb


def _split_pair(tmp_path):
    """A 2-6-6-3 pair whose ε question at its maximum needs splits and region leaves."""
    from exactnet.network.jsonio import write_network

    from ..check.box_split_pairs import pair

    a, b = pair(0)
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    write_network(a, pa)
    write_network(b, pb)
    return pa, pb


def test_tampered_box_split_certificates_exit_1(tmp_path):
    pa, pb = _split_pair(tmp_path)
    r = run("diff", pa, pb, "--box=-1,1", "--json")
    assert r.code == 0, r.err
    top = fmpq(r.json["max_abs_difference"])
    eps = tmp_path / "e.json"
    r = run("equiv", pa, pb, "--box=-1,1", "--eps", str(top), "--json", "--certificate", eps)
    assert r.code == 0, r.err
    assert run("check", eps, "--json").json["valid"] is True
    obj = _unsealed(eps)
    assert sum("leaf" in nd for nd in obj["evidence"]["boxes"]) >= 1
    low = tmp_path / "low.json"
    obj["claim"]["eps"] = str(top - fmpq(1, 10 ** 9))  # below the maximum: false
    low.write_text(json.dumps(obj))
    c = run("check", low, "--json")
    assert c.code == 1 and c.json["valid"] is False
    obj = _unsealed(eps)
    split = next(nd for nd in obj["evidence"]["boxes"] if "split" in nd)
    split["split"][1] = "2"  # a cut outside its box
    bad = tmp_path / "cut.json"
    bad.write_text(json.dumps(obj))
    c = run("check", bad, "--json")
    assert c.code == 1 and c.json["valid"] is False and "cut" in c.json["reason"]
    obj = _unsealed(eps)
    obj["evidence"]["boxes"][0]["bound"] = {"method": "guess", "bits": 40}
    bad = tmp_path / "method.json"
    bad.write_text(json.dumps(obj))
    run("check", bad).assert_error("method")


def test_backsub_bounds_in_certificates_and_tampered_payloads_exit_1(tmp_path):
    """Same widths: the split tree records back-substituted bounds (``"method": "backsub"``), ``check``
    accepts them, and a payload with a shrunk interval or a slope below its chord is invalid (exit 1)."""
    pa, pb = _split_pair(tmp_path)
    eps = tmp_path / "e.json"
    top = run("diff", pa, pb, "--box=-1,1", "--json").json["max_abs_difference"]
    r = run("equiv", pa, pb, "--box=-1,1", "--eps", top, "--json", "--certificate", eps)
    assert r.code == 0 and r.json["equivalent"] is True, r.err
    obj = _unsealed(eps)
    root = obj["evidence"]["boxes"][0]["bound"]
    spec = next(s for s in ([root] if isinstance(root, dict) else root) if s["method"] == "backsub")
    assert run("check", eps, "--json").json["valid"] is True
    layer = spec["layers"][0]
    i = max(range(len(layer["zu"])), key=lambda u: fmpq(layer["zu"][u]) - fmpq(layer["zl"][u]))
    zl, zu = fmpq(layer["zl"][i]), fmpq(layer["zu"][i])
    for key, value in (("zu", (zl + zu) / 2), ("sb", zu / (zu - zl) - fmpq(1, 10 ** 6) if zl < 0 < zu else None)):
        if value is None:
            continue
        saved = layer[key][i]
        layer[key][i] = str(value)
        bad = tmp_path / f"{key}.json"
        bad.write_text(json.dumps(obj))
        layer[key][i] = saved
        c = run("check", bad, "--json")
        assert c.code == 1 and c.json["valid"] is False and "back-substituted" in c.json["reason"], (key, c.out)
