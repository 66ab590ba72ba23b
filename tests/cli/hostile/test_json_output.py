"""``--json`` prints exactly one JSON object on standard output, for every command, through the real
process with every optional dependency installed.

Before the fix, with ``highspy`` installed, ReLU ``info``, ``compress``, ``fdim`` and
``regions --domain`` printed HiGHS's two-line banner on file descriptor 1 before the JSON. The fix
redirects file descriptors 1 and 2 during the computation, so it holds for any library; the
injected misbehaviour below (text on fd 1 and 2, a buffered C ``printf``, Python ``print`` and a
``UserWarning``) checks that independently of which libraries happen to print today.
"""

from __future__ import annotations

import pytest

from .clirun import EXAMPLES, run
from .inject import injected

E = EXAMPLES

#: (arguments, expected exit code, principal key). ``{tmp}`` is a scratch directory.
CASES = [
    (["info", E / "relu_small.json"], 0, "widths"),
    (["info", E / "relu_deep.json", "--symmetries"], 0, "symmetries"),
    (["info", E / "tanh_reducible.json"], 0, "reducible"),
    (["eval", E / "relu_small.json", "-1", "2/3"], 0, "output"),
    (["eval", E / "tanh_algebraic.json", "1/2"], 0, "output"),
    (["convert", E / "relu_small.json", "{tmp}/a.onnx"], 0, "format"),
    (["convert", E / "relu_small.json", "{tmp}/a.pt"], 0, "format"),
    (["convert", E / "relu_small.json", "{tmp}/a.safetensors"], 0, "format"),
    (["convert", E / "relu_small.json", "{tmp}/a.npz"], 0, "format"),
    (["equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", "{tmp}/eq.json"], 0, "equivalent"),
    (["equiv", E / "relu_small.json", E / "relu_small_b.json", "--domain", E / "box.json"], 0, "equivalent"),
    (["equiv", E / "tanh_reducible.json", E / "tanh_reducible_b.json"], 0, "equivalent"),
    (["equiv", E / "relu_diff_a.json", E / "relu_diff_b.json", "--box", "0,1", "--eps", "1/100",
      "--certificate", "{tmp}/eps.json"], 0, "equivalent"),
    (["equiv", E / "relu_diff_a.json", E / "relu_diff_b.json", "--box", "0,1", "--top1"], 1, "equivalent"),
    (["equiv", E / "relu_diff_a.json", E / "relu_diff_b.json", "--box", "0,1", "--eps", "1/500", "--norm", "1"], 1,
     "equivalent"),
    (["diff", E / "relu_diff_a.json", E / "relu_diff_b.json", "--box", "0,1", "--certificate", "{tmp}/d.json"], 0,
     "max_abs_difference"),
    (["equiv", E / "relu_three_layer.json", E / "relu_three_layer_b.json", "--certificate", "{tmp}/s.json"], 0,
     "equivalent"),
    (["compress", E / "relu_small.json"], 0, "width_after"),
    (["compress", E / "relu_deep.json", "-o", "{tmp}/c.json", "--certificate", "{tmp}/cc.json"], 0, "width_after"),
    (["compress", E / "tanh_reducible.json"], 0, "width_after"),
    (["compress", E / "relu_deep.json", "--box", "-1,1"], 0, "stable_neurons"),
    (["rank", E / "tanh_reducible.json"], 0, "rank"),
    (["prank", E / "tanh_near_reducible.json", "--eps", "1/10"], 0, "proximate_rank"),
    (["path", E / "tanh_path_a.json", E / "tanh_path_b.json", "-o", "{tmp}/p.json"], 0, "path_exists"),
    (["fiber", E / "relu_small.json", "--sample", "2", "--seed", "1"], 0, "piece_count"),
    (["fiber", E / "tanh_reducible.json", "--sample", "1", "--seed", "1"], 0, "piece_count"),
    (["fiber", E / "relu_three_layer.json", "--member", E / "relu_three_layer_t.json", "--sample", "2"], 0,
     "piece_count"),
    (["laws", E / "relu_three_layer.json"], 0, "count"),
    (["regions", E / "relu_deep.json"], 0, "count"),
    (["regions", E / "relu_small.json", "--domain", E / "box.json"], 0, "count"),
    (["regions", E / "relu_small.json", E / "relu_small_b.json"], 0, "count"),
    (["fdim", E / "relu_deep.json"], 0, "functional_dimension"),
    (["batch", E / "batch_manifest.jsonl", "-o", "{tmp}/results.jsonl"], 0, "complete"),
    (["fdim", E / "relu_small.json", "--domain", E / "box.json"], 0, "functional_dimension"),
    (["reproduce", "--list"], 0, "claims"),
    (["reproduce", "float32-weights-exact", "--quick"], 0, "holds"),
    (["symmetry", E / "relu_deep.json", "-o", "{tmp}/canon.json"], 0, "orbit_size"),
    (["symmetry", E / "tanh_reducible.json"], 0, "orbit_size"),
    (["covering", "--activation", "relu", "--widths", "2,3,1", "--eps", "1/2", "--bound", "1"], 0, "reduction_factor"),
]


def test_every_command_is_covered():
    from exactnet.cli.main import cli

    assert set(cli.commands) - {"check"} <= {str(c[0][0]) for c in CASES}


def _args(args, tmp):
    return [str(a).replace("{tmp}", str(tmp)) for a in args]


@pytest.mark.parametrize("args, code, key", CASES, ids=[" ".join(str(a).split("/")[-1] for a in c[0]) for c in CASES])
def test_one_json_object_and_nothing_else(args, code, key, tmp_path):
    r = run(*_args(args, tmp_path), "--json", "--timeout", "300")
    assert r.code == code, (r.code, r.out, r.err)
    assert key in r.json
    # no library noise on standard error either: only exactnet's own warnings (convert's rounding)
    # and, in a slow run, progress lines
    assert all(line.startswith("exactnet: warning: ") for line in r.messages), r.err


def test_check_prints_one_json_object(tmp_path):
    cert = tmp_path / "eq.json"
    made = run("equiv", E / "relu_small.json", E / "relu_small_b.json", "--certificate", cert, "--json")
    assert made.code == 0 and made.json["certificate"] == str(cert)
    r = run("check", cert, "--json", "--timeout", "300")
    assert r.code == 0 and r.json["valid"] is True and r.err == ""


def test_text_output_has_no_solver_banner():
    r = run("regions", E / "relu_small.json", "--domain", E / "box.json")
    assert r.code == 0 and "4 activation regions" in r.out
    assert "HiGHS" not in r.out and "HiGHS" not in r.err


def test_highspy_is_installed_so_the_banner_case_is_exercised():
    pytest.importorskip("highspy")
    r = run("regions", E / "relu_small.json", "--domain", E / "box.json", "--json")
    assert r.code == 0 and r.json["count"] == 4


@pytest.mark.parametrize("limit", [[], ["--timeout", "300"]], ids=["no-limit", "limit"])
@pytest.mark.parametrize("mode", ["json", "text"])
def test_whatever_a_library_prints_stays_out_of_the_answer(tmp_path, mode, limit):
    env = injected(tmp_path, "noise")
    flags = ["--json"] if mode == "json" else []
    r = run("info", E / "relu_small.json", *flags, *limit, env=env)
    assert r.code == 0 and r.err == ""
    if mode == "json":
        assert r.json["parameters"] == 9
    else:
        assert "FakeSolver" not in r.out and "printf" not in r.out and "print" not in r.out
        assert "parameters" in r.out


def test_library_noise_is_shown_with_exactnet_debug(tmp_path):
    env = dict(injected(tmp_path, "noise"), EXACTNET_DEBUG="1")
    r = run("info", E / "relu_small.json", "--json", env=env)
    assert r.code == 0 and r.json["parameters"] == 9
    for text in ("FakeSolver", "C++ warning", "buffered C printf", "python print on stdout", "UserWarning"):
        assert text in r.err, text
