"""Smaller breaks of the command-line contract, through the real process.

Before the fix: an unwritable ``--certificate``/``-o``/``convert OUT`` was reported only after the
computation (the verdict was lost); ``eval NET -1 2`` failed with "No such option '-1'";
``check --network a.pt`` told the user to pass ``--activation``, which ``check`` did not have;
bare ``exactnet`` printed the whole help on one standard-error line with exit 2; error lines had
no length limit; library output could add lines to the one-line error.
"""

from __future__ import annotations

import json

import pytest

from exactnet import forward_exact, number, read_network
from exactnet.cli.main import MAX_ERROR_CHARS, MAX_SAMPLES, error_line
from exactnet.numbers import format_number

from .clirun import EXAMPLES, run
from .inject import injected

E = EXAMPLES
PREFIX = "exactnet: error: "


# ---------------------------------------------------------------------------------------------
# output files are checked before anything is read or computed
# ---------------------------------------------------------------------------------------------

OUTPUT_CASES = [
    (["convert", E / "relu_small.json", "/nonexistent/dir/out.onnx"], ["/nonexistent/dir", "does not exist"]),
    (["convert", E / "relu_small.json", "{tmp}/out.xyz"], ["unknown file type"]),
    (["convert", E / "relu_small.json", "{tmp}"], ["directory"]),
    (["equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", "{tmp}/no/c.json"],
     ["--certificate", "does not exist"]),
    (["equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", "{tmp}"], ["directory"]),
    (["equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", "{file}/c.json"],
     ["--certificate", "not a directory"]),
    (["compress", E / "relu_small.json", "-o", "{tmp}/x.xyz"], ["unknown file type"]),
    (["compress", E / "relu_small.json", "-o", "{tmp}/no/x.json"], ["--output", "does not exist"]),
    (["compress", E / "tanh_reducible.json", "--certificate", "{tmp}/no/c.json"], ["--certificate"]),
    (["prank", E / "tanh_near_reducible.json", "--eps", "1/10", "-o", "{tmp}/no/w.json"], ["--output"]),
    (["prank", E / "tanh_near_reducible.json", "--eps", "1/10", "--certificate", "{tmp}/no/c.json"],
     ["--certificate"]),
    (["path", E / "tanh_path_a.json", E / "tanh_path_b.json", "-o", "{tmp}/no/p.json"], ["--output"]),
    (["path", E / "tanh_path_a.json", E / "tanh_path_b.json", "--plot", "{tmp}/no/p.png"], ["--plot"]),
    (["path", E / "tanh_path_a.json", E / "tanh_path_b.json", "--plot", "{tmp}/p.notanimage"], ["--plot"]),
    (["regions", E / "relu_small.json", "--plot", "{tmp}/no/p.png"], ["--plot", "does not exist"]),
]


def _fill(args, tmp):
    (tmp / "file").write_text("x")
    return [str(a).replace("{tmp}", str(tmp)).replace("{file}", str(tmp / "file")) for a in args]


@pytest.mark.parametrize("args, needles", OUTPUT_CASES, ids=[" ".join(map(str, c[0][:1] + c[0][-2:])) for c in OUTPUT_CASES])
def test_unwritable_output_is_an_error_at_once(args, needles, tmp_path):
    argv = _fill(args, tmp_path)
    before = set(tmp_path.rglob("*"))
    r = run(*argv, "--json")
    r.assert_error(*needles)
    assert set(tmp_path.rglob("*")) == before  # nothing created


@pytest.mark.parametrize("args", [
    ["convert", "{tmp}/missing.json", "/nonexistent/out.json"],
    ["equiv", "{tmp}/missing.json", "{tmp}/missing.json", "--certificate", "/nonexistent/c.json"],
    ["compress", "{tmp}/missing.json", "-o", "/nonexistent/x.json"],
])
def test_output_is_checked_before_the_input_is_read(args, tmp_path):
    r = run(*_fill(args, tmp_path))
    r.assert_error("/nonexistent")
    assert "missing.json" not in r.err


def test_the_check_leaves_no_file_behind(tmp_path):
    cert = tmp_path / "c.json"
    r = run("equiv", E / "relu_small.json", tmp_path / "missing.json", "--certificate", cert)
    r.assert_error("no such file")
    assert not cert.exists()


def test_an_existing_output_is_overwritten_only_by_the_answer(tmp_path):
    out = tmp_path / "out.json"
    out.write_text("old")
    r = run("convert", E / "relu_deep.json", out, "--json")
    assert r.code == 0 and read_network(str(out)) == read_network(str(E / "relu_deep.json"))


# ---------------------------------------------------------------------------------------------
# eval: negative numbers are inputs
# ---------------------------------------------------------------------------------------------


def _expected(xs):
    net = read_network(str(E / "relu_small.json"))
    return [format_number(v) for v in forward_exact(net, [number(x) for x in xs])]


@pytest.mark.parametrize("argv, xs", [
    (["-1", "2", "--json"], ["-1", "2"]),
    (["--json", "-1", "-2/3"], ["-1", "-2/3"]),
    (["-1/2", "--timeout", "30", "-0.25", "--json"], ["-1/2", "-0.25"]),
    (["--json", "--", "-3", "-4"], ["-3", "-4"]),
    (["-(1/2)", "-sqrt(2)", "--json"], ["-(1/2)", "-sqrt(2)"]),
])
def test_eval_takes_negative_numbers(argv, xs):
    r = run("eval", E / "relu_small.json", *argv)
    assert r.code == 0, r.err
    assert r.json["output"] == _expected(xs)


def test_eval_still_rejects_unknown_options():
    run("eval", E / "relu_small.json", "-1", "2", "--bogus").assert_error("--bogus")


# ---------------------------------------------------------------------------------------------
# check --network with a file that does not record the activation
# ---------------------------------------------------------------------------------------------


def test_check_takes_the_activation_it_asks_for(tmp_path):
    deep_pt, small_pt, cert = tmp_path / "deep.pt", tmp_path / "small.pt", tmp_path / "cert.json"
    assert run("convert", E / "relu_deep.json", deep_pt).code == 0
    assert run("convert", E / "relu_small.json", small_pt).code == 0
    assert run("equiv", E / "relu_deep.json", E / "relu_deep.json", "--certificate", cert).code == 0
    asked = run("check", cert, "--network", deep_pt)
    asked.assert_error("--activation")
    assert "--activation" in run("check", "--help").out
    ok = run("check", cert, "--network", deep_pt, "--activation", "relu", "--json")
    assert ok.code == 0 and ok.json["valid"] is True
    other = run("check", cert, "--network", small_pt, "--activation", "relu", "--json")
    assert other.code == 1 and other.json["valid"] is False


# ---------------------------------------------------------------------------------------------
# usage, error lines, counts
# ---------------------------------------------------------------------------------------------


def test_bare_exactnet_prints_the_help():
    r = run()
    assert r.code == 0 and r.err == ""
    lines = r.out.splitlines()
    assert len(lines) > 10 and lines[0].startswith("Usage: exactnet")
    assert any(line.strip().startswith("equiv") for line in lines)
    assert r.out == run("--help").out


def test_error_lines_are_capped(tmp_path):
    deep = "/nonexistent/" + "d/" * 1500 + "net.json"
    r = run("info", deep)
    r.assert_error("more characters")
    assert len(r.err.rstrip("\n")) <= len(PREFIX) + MAX_ERROR_CHARS


def test_error_line_cap_keeps_short_messages_and_cuts_long_ones():
    assert error_line("a  b\nc") == PREFIX + "a b c"
    long = error_line("x" * 10_000)
    assert len(long) <= len(PREFIX) + MAX_ERROR_CHARS and long.endswith("more characters)")
    assert str(10_000 - (MAX_ERROR_CHARS - 40)) in long


@pytest.mark.parametrize("limit", [[], ["--timeout", "60"]], ids=["no-limit", "limit"])
def test_library_output_never_adds_lines_to_an_error(tmp_path, limit):
    env = injected(tmp_path, "noise")
    run("info", tmp_path / "missing.json", *limit, env=env).assert_error("no such file")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "exactnet.network/1", "activation": "relu", "layers": []}))
    r = run("equiv", bad, bad, "--json", *limit, env=env)
    r.assert_error()


def test_fiber_sample_is_bounded():
    r = run("fiber", E / "relu_small.json", "--sample", str(MAX_SAMPLES + 1), "--json")
    r.assert_error("--sample", str(MAX_SAMPLES))
    assert str(MAX_SAMPLES) in run("fiber", "--help").out
