"""`exactnet diff` on tanh networks: a rigorous enclosure of the maximum difference on a box."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from flint import fmpq

from exactnet.io import load_network
from tests.cli.hostile.clirun import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _q(text):
    p, _, q = text.partition("/")
    return fmpq(int(p), int(q or 1))


def _float_forward(net, xs):
    h = xs
    for k, layer in enumerate(net.layers):
        w = np.array([[float(v) for v in row] for row in layer.weight])
        b = np.array([float(v) for v in layer.bias])
        h = h @ w.T + b
        if k < len(net.layers) - 1:
            h = np.tanh(h)
    return h


def test_an_equivalent_pair_has_maximum_exactly_zero():
    r = run("diff", EXAMPLES / "tanh_reducible.json", EXAMPLES / "tanh_reducible_b.json", "--box", "-1,1", "--json")
    assert r.code == 0, r.err
    assert r.json["max_abs_difference"] == "0" and r.json["lower_bound"] == r.json["upper_bound"] == "0"


def test_the_enclosure_contains_every_sampled_difference_and_has_the_width():
    a, b = EXAMPLES / "tanh_path_a.json", EXAMPLES / "tanh_near_reducible.json"
    r = run("diff", a, b, "--box", "-1,1", "--width", "1/1000", "--json")
    assert r.code == 0, r.err
    lo, hi = _q(r.json["lower_bound"]), _q(r.json["upper_bound"])
    assert lo <= hi and hi - lo <= fmpq(1, 1000) and r.json["complete"] is True
    xs = np.linspace(-1, 1, 4001).reshape(-1, 1)
    d = np.abs(_float_forward(load_network(a), xs) - _float_forward(load_network(b), xs)).max()
    assert d <= float(hi) + 1e-9                       # no sampled point exceeds the upper bound
    assert d >= float(lo) - 1e-3                       # and the maximum is near the lower bound
    x = _q(r.json["argmax"][0])
    assert -1 <= x <= 1


@pytest.mark.parametrize("extra, words", [
    (["--norm", "1"], "sup norm"),
    (["--width", "0"], "width"),
])
def test_unsupported_requests_are_one_line_errors(extra, words, tmp_path):
    args = [a if a != "c.json" else str(tmp_path / "c.json") for a in extra]
    r = run("diff", EXAMPLES / "tanh_path_a.json", EXAMPLES / "tanh_near_reducible.json", "--box", "-1,1", *args)
    r.assert_error(words)


def test_a_polyhedral_domain_is_refused(tmp_path):
    dom = tmp_path / "dom.json"
    dom.write_text(json.dumps({"A": [[1], [-1]], "b": [1, 1]}))
    r = run("diff", EXAMPLES / "tanh_path_a.json", EXAMPLES / "tanh_near_reducible.json", "--domain", dom)
    r.assert_error("box")


def test_the_enclosure_is_certified(tmp_path):
    """``--certificate`` writes ``tanh.max_difference_enclosure``; ``exactnet check`` verifies it, and
    a certificate whose upper bound is lowered below the witness's difference does not check."""
    a, b = EXAMPLES / "tanh_path_a.json", EXAMPLES / "tanh_near_reducible.json"
    cert = tmp_path / "c.json"
    r = run("diff", a, b, "--box", "-1,1", "--width", "1/1000", "--json", "--certificate", cert)
    assert r.code == 0 and r.json["certificate"] == str(cert), r.err
    c = run("check", cert, "--json")
    assert c.code == 0 and c.json["valid"] is True and c.json["kind"] == "tanh.max_difference_enclosure"
    data = json.loads(cert.read_text())
    assert data["claim"]["lower"] == r.json["lower_bound"] and data["claim"]["upper"] == r.json["upper_bound"]
    data.pop("digest", None)
    data["claim"]["upper"] = data["claim"]["lower"]
    data["claim"]["lower"] = "0"
    tampered = tmp_path / "t.json"
    tampered.write_text(json.dumps(data))
    assert run("check", tampered, "--json").code == 1
