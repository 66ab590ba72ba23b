"""Issue 10 §2 (parser side) through the real CLI: a JSON object with a repeated key is refused
in every JSON input — networks, domains, certificates, batch point files — with exit 2 naming
the key, so two readers can never see two different documents."""

import json

import pytest

from .clirun import EXAMPLES, run

BOUND = 10

NET = '{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[1, 1]], "bias": [0]}]}'


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, key", [
    (NET.replace('"activation": "relu"', '"activation": "relu", "activation": "tanh"'), "activation"),
    (NET.replace('"bias": [0]', '"bias": [0], "weight": [[2, 2]]'), "weight"),
    (NET.replace('"format"', '"layers": [], "format"'), "layers"),
])
def test_networks_with_repeated_keys_are_refused(tmp_path, text, key):
    r = run("info", _write(tmp_path, "n.json", text))
    r.assert_error(f"duplicate key '{key}'")
    assert r.seconds < BOUND


def test_domains_with_repeated_keys_are_refused(tmp_path):
    dom = _write(tmp_path, "d.json", '{"lower": [-1, -1], "upper": [1, 1], "upper": [100, 100]}')
    r = run("regions", EXAMPLES / "relu_small.json", "--domain", dom)
    r.assert_error("duplicate key 'upper'", "d.json")


def test_batch_files_with_repeated_keys_are_refused(tmp_path):
    batch = _write(tmp_path, "b.json", '{"points": [[1, 2]], "points": [[3, 4], [5, 6]]}')
    r = run("fdim", EXAMPLES / "relu_small.json", "--batch", batch)
    r.assert_error("duplicate key 'points'")


def test_a_certificate_with_a_false_claim_shadowed_by_a_true_one_is_refused(tmp_path):
    """``claim`` twice, the first false and the last true: Python's json keeps the last (valid),
    another reader the first — exactnet reads neither and exits 2."""
    cert = tmp_path / "c.json"
    made = run("equiv", EXAMPLES / "relu_small.json", EXAMPLES / "relu_small_b.json", "--certificate", cert, "--json")
    assert made.code == 0, made.err
    obj = json.loads(cert.read_text())
    assert run("check", cert).code == 0
    claim = json.dumps(obj["claim"])
    false_claim = json.dumps({**obj["claim"], "equivalent": False})
    text = cert.read_text()
    body = json.dumps(obj)
    hostile = body.replace(f'"claim": {claim}', f'"claim": {false_claim}, "claim": {claim}', 1)
    assert hostile != body and text
    r = run("check", _write(tmp_path, "dup.json", hostile))
    r.assert_error("duplicate key 'claim'")
    assert r.seconds < BOUND


@pytest.mark.parametrize("text, needle", [
    (NET.replace("[[1, 1]]", "[[NaN, 1]]"), "not a finite number"),
    (NET.replace("[[1, 1]]", "[[Infinity, 1]]"), "not a finite number"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
], ids=["nan", "infinity", "deep"])
def test_other_malformed_json_is_a_clear_error(tmp_path, text, needle):
    run("info", _write(tmp_path, "n.json", text)).assert_error(needle)


def test_json_decimal_and_long_integer_literals_are_exact(tmp_path):
    text = NET.replace("[[1, 1]]", "[[0.1, " + "9" * 5000 + "]]")
    r = run("eval", _write(tmp_path, "n.json", text), "10", "0", "--json")
    assert r.code == 0, r.err
    assert r.json["output"] == ["1"]  # relu(0.1·10 + big·0) with 0.1 read as exactly 1/10
