"""The default install is the fast path (docs/dependencies.md): highspy, the LP proposer, is a
default dependency and the ReLU deciders use it; OR-Tools is the ``cpsat`` extra, and asking for
CP-SAT without it is a one-line error naming the extra."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.cli.hostile.clirun import EXAMPLES, run

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements) -> set[str]:
    return {re.split(r"[<>=\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def _extra(name: str) -> set[str]:
    """The distributions an extra installs, with ``exactnet[a,b]`` self-references expanded."""
    out: set[str] = set()
    for req in PROJECT["optional-dependencies"][name]:
        m = re.fullmatch(r"exactnet\[(.*)\]", req)
        if m:
            for sub in m.group(1).split(","):
                out |= _extra(sub.strip())
        else:
            out |= _names([req])
    return out


def test_default_dependencies_hold_the_lp_proposer_and_not_ortools():
    default = _names(PROJECT["dependencies"])
    assert "highspy" in default
    assert "ortools" not in default and "pandas" not in default
    assert "ortools" in _extra("cpsat")


def test_test_and_all_extras_install_every_optional_package():
    optional = set().union(*(_extra(name) for name in PROJECT["optional-dependencies"]))
    assert _extra("all") == optional
    assert {"ortools", "matplotlib", "onnx", "safetensors", "h5py", "hypothesis", "pytest"} <= _extra("test")


def test_default_backends_start_with_the_highs_proposer():
    """In a fresh interpreter of this install, ``backends()`` is HiGHS proposals then PPL."""
    code = ("from exactnet.polyhedra.choose import backends;"
            "print(','.join(type(b).__name__ for b in backends()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "HighsProposer,PPLExact", out.stderr


def test_a_relu_decision_uses_the_proposer(monkeypatch):
    """Region enumeration in 7 inputs (LP cells) asks HiGHS, and the answer equals the exact-only one."""
    from exactnet.polyhedra import choose
    from exactnet.polyhedra.highs_backend import HighsProposer
    from exactnet.relu.regions import regions
    from exactnet.network import Network

    weights = [[(i * 7 + j * 3) % 5 - 2 for j in range(7)] for i in range(6)]
    net = Network.from_lists("relu", [(weights, [(i % 3) - 1 for i in range(6)]), ([[1, -1, 2, 1, -2, 1]], [0])])
    calls = []
    real = HighsProposer.open_interior

    def spy(self, *args, **kwargs):
        answer = real(self, *args, **kwargs)
        calls.append(answer is not None)
        return answer

    monkeypatch.setattr(HighsProposer, "open_interior", spy)
    with_highs = sorted(r.pattern for r in regions(net))
    assert calls and any(calls), "the HiGHS proposer was not asked (or never gave a verified answer)"
    monkeypatch.setattr(choose, "highs_available", lambda: False)
    calls.clear()
    exact_only = sorted(r.pattern for r in regions(net))
    assert not calls
    assert with_highs == exact_only


_NO_ORTOOLS = "import sys\nsys.modules['ortools'] = None  # as if OR-Tools were not installed\n"


@pytest.fixture
def without_ortools(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(_NO_ORTOOLS, encoding="utf-8")
    return {"PYTHONPATH": str(tmp_path)}


def test_cpsat_without_ortools_is_a_clear_error(without_ortools):
    r = run("prank", EXAMPLES / "tanh_near_reducible.json", "--eps", "1/10", "--solver", "cp-sat",
            env=without_ortools)
    r.assert_error("ortools", "exactnet[cpsat]")


def test_prank_without_ortools_still_decides_by_search(without_ortools):
    r = run("prank", EXAMPLES / "tanh_near_reducible.json", "--eps", "1/10", "--json", env=without_ortools)
    assert r.code == 0, r.err
    assert r.json["proximate_rank"] == 2 and r.json["optimality"] == "exhaustive-search"


def test_prank_solver_cp_sat_with_ortools_agrees():
    pytest.importorskip("ortools")
    a = run("prank", EXAMPLES / "tanh_near_reducible.json", "--eps", "1/10", "--solver", "cp-sat", "--json").json
    b = run("prank", EXAMPLES / "tanh_near_reducible.json", "--eps", "1/10", "--solver", "search", "--json").json
    assert a["proximate_rank"] == b["proximate_rank"] == 2
    assert a["optimality"] == "cp-sat-proof" and b["optimality"] == "exhaustive-search"


def test_the_proposer_prints_nothing_in_python():
    """HiGHS's banner does not reach a Python user's standard output (file-descriptor level)."""
    code = ("from exactnet.polyhedra.highs_backend import HighsProposer;"
            "out = HighsProposer().open_interior([((1, 0), 0), ((0, 1), 0), ((-1, -1), 1)], 2);"
            "print(type(out).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout == "Interior\n" and "HiGHS" not in out.stderr, (out.stdout, out.stderr)


_BOTH = """
import sys
def cpsat():
    from ortools.sat.python import cp_model
    m = cp_model.CpModel(); x = m.NewIntVar(0, 5, "x"); m.Maximize(x); s = cp_model.CpSolver()
    assert s.Solve(m) == cp_model.OPTIMAL and s.Value(x) == 5
def highs():
    from exactnet.polyhedra.highs_backend import HighsProposer
    out = HighsProposer().open_interior([((1, 0), 0), ((0, 1), 0), ((-1, -1), 1)], 2)
    assert type(out).__name__ == "Interior", out
for f in ([cpsat, highs] if sys.argv[1] == "ortools-first" else [highs, cpsat]):
    f()
from exactnet.tanh.prank_cpsat import _load_cp_model
assert _load_cp_model() is not None
"""


@pytest.mark.parametrize("order", ["ortools-first", "highs-first"])
def test_ortools_and_highspy_share_a_process(order):
    """With the installed versions OR-Tools and highspy (each bundling a libhighs) load and solve in
    one process in either order, so CP-SAT runs in-process (the worker-process fallback of
    exactnet/tanh/prank_cpsat.py is for version pairs that clash)."""
    pytest.importorskip("ortools")
    out = subprocess.run([sys.executable, "-c", _BOTH, order], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
