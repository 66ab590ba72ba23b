"""Human output is readable: no Python ``None`` anywhere, tables fit the width (``COLUMNS``), and
points are short decimals unless ``--exact`` (exactnet/cli/display.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactnet.cli import display
from tests.cli.hostile.clirun import EXAMPLES, run
from tests.cli.hostile.test_json_output import CASES, _args

E = EXAMPLES
WIDTH = 100  # clirun.run sets COLUMNS=100


@pytest.mark.parametrize("args, code, key", CASES, ids=[" ".join(str(a).split("/")[-1] for a in c[0]) for c in CASES])
def test_human_output_has_no_none_and_tables_fit_the_width(args, code, key, tmp_path):
    r = run(*_args(args, tmp_path), "--timeout", "300")
    assert r.code == code, (r.code, r.out, r.err)
    assert r.out.strip(), "no human output"
    assert "None" not in r.out and "None" not in r.err, r.out
    # tables fit the width; a line of prose (no column gap) is left for the terminal to wrap
    wide = [line for line in r.out.splitlines() if len(line) > WIDTH and "  " in line.strip()]
    assert not wide, wide


def test_check_human_output_has_no_none(tmp_path):
    cert = tmp_path / "eq.json"
    assert run("equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", cert).code == 0
    r = run("check", cert)
    assert r.code == 0 and "None" not in r.out and r.out.strip()


def test_regions_points_are_decimals_and_exact_on_request():
    short = run("regions", E / "relu_deep.json")
    exact = run("regions", E / "relu_deep.json", "--exact")
    assert "(0.333333, 0.333333)" in short.out and "1/3" not in short.out and "--exact" in short.out
    assert "(1/3, 1/3)" in exact.out and "0.333333" not in exact.out
    assert run("regions", E / "relu_deep.json", "--json").json["regions"][1]["point"] == ["1/3", "1/3"]


def test_eval_shows_exact_and_decimal():
    r = run("eval", E / "relu_small.json", "1/3", "2")
    row = [line.split() for line in r.out.splitlines() if line.split()[:1] == ["1"]][0]
    exact, dec = Fraction(row[1]), row[2]
    assert abs(Fraction(dec.lstrip("≈")) - exact) <= abs(exact) / 10**5
    assert dec.startswith("≈") == (Fraction(dec.lstrip("≈")) != exact)


@pytest.mark.parametrize("value", ["1/3", "-2/3", "121/4", "0", "7", "1/1024", "123456789", "-1/10000000000",
                                   "22/7", "999999999/1000"])
def test_short_decimal_is_the_correctly_rounded_value(value):
    text, exact = display.short_decimal(value)
    q, d = Fraction(value), Fraction(text)
    assert exact == (q == d)
    # six significant digits: the error is at most half a unit in the sixth digit
    if q:
        assert abs(d - q) <= abs(q) * Fraction(1, 2 * 10**5)
    assert len(text.lstrip("-").replace(".", "").replace("e", "")) <= 12


def test_non_rationals_are_shown_exactly():
    assert display.short_decimal("sqrt(2)") == ("sqrt(2)", True)


def test_fit_cuts_to_the_width():
    assert display.fit("a  b\nc", 10) == "a b c"
    cut = display.fit("x" * 50, 10)
    assert len(cut) == 10 and cut.endswith("…")


@pytest.mark.parametrize("suffix", ["onnx", "pt", "safetensors", "npz"])
def test_info_of_every_format_has_no_none(suffix, tmp_path):
    path = tmp_path / f"net.{suffix}"
    assert run("convert", E / "relu_small.json", path).code == 0
    r = run("info", path, "--activation", "relu")
    assert r.code == 0 and "None" not in r.out and "widths" in r.out
