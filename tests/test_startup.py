"""Start-up stays small: importing the command line, and the commands that do not need them, load
no optional or heavy library (checked on the module set of a fresh interpreter, not on time;
docs/dependencies.md gives the measured times)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Libraries that only some commands need; none may be loaded by importing the CLI.
OPTIONAL = ("torch", "onnx", "ortools", "pandas", "dask", "distributed", "matplotlib", "highspy", "ppl", "sympy",
            "safetensors", "h5py", "scipy", "sklearn", "z3")

_PROBE = r"""
import json, sys
{body}
print(json.dumps(sorted({{m.partition(".")[0] for m in sys.modules}})))
"""


def _loaded(body: str, *args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(body=body), *args], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_probe_sees_a_loaded_library():
    """The check can fail: importing a module under test is seen."""
    assert "fractions" in _loaded("import fractions")


#: Libraries every command that computes needs, but that starting the command line does not:
#: FLINT (exact numbers), Rich (rendering an answer), NumPy (file formats, LP proposals).
DEFERRED = ("flint", "rich", "numpy")


def test_importing_the_cli_loads_no_optional_library():
    loaded = _loaded("import exactnet.cli.main")
    assert "exactnet" in loaded and "click" in loaded
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))


def test_importing_the_facade_loads_no_optional_library():
    loaded = _loaded("import exactnet")
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))


def test_importing_the_cli_defers_the_libraries_of_the_commands():
    """Only click and exactnet's own plumbing: FLINT, Rich and NumPy come with the command that
    uses them (docs/dependencies.md, "Start-up")."""
    loaded = _loaded("import exactnet.cli.main")
    assert not loaded & set(DEFERRED), sorted(loaded & set(DEFERRED))


@pytest.mark.parametrize("body", ["import exactnet", "import exactnet.cli.main"])
def test_no_deciding_or_format_code_is_loaded_at_start_up(body):
    code = body + "\nmods = sorted(m for m in sys.modules if m.startswith('exactnet.'))\n"
    out = subprocess.run([sys.executable, "-c", "import json, sys\n" + code + "print(json.dumps(mods))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    mods = json.loads(out.stdout)
    heavy = [m for m in mods if m.split(".")[1] in {"numbers", "network", "io", "relu", "tanh", "symmetry", "check",
                                                     "polyhedra", "linalg", "certificates", "reproduce"}]
    assert not heavy, heavy


def test_the_facade_is_complete_and_discoverable():
    """``from exactnet import ...`` works for every public name, ``dir(exactnet)`` lists them, and a
    name loads its module on first use only."""
    import exactnet

    code = ("import sys, exactnet\n"
            "before = 'exactnet.io' in sys.modules\n"
            "from exactnet import load_network\n"
            "print(before, 'exactnet.io' in sys.modules, load_network.__module__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "exactnet.io"]
    for name in exactnet.__all__:
        assert name in dir(exactnet)
        assert getattr(exactnet, name) is not None
    from exactnet.io import load_network
    from exactnet.network import Network, evaluate

    assert exactnet.load_network is load_network and exactnet.Network is Network and exactnet.evaluate is evaluate
    code = "import exactnet\nprint(exactnet.io.load_network.__name__, exactnet.numbers.number.__name__, exactnet.network.Network.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["load_network", "number", "Network"], out.stderr  # subpackages as attributes
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        exactnet.no_such_name  # noqa: B018


_RUN = """
from exactnet.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["equiv", "--help"]])
def test_version_and_help_load_no_command_library(args):
    loaded = _loaded(_RUN, *args)
    assert not loaded & set(OPTIONAL + DEFERRED), (args, sorted(loaded & set(OPTIONAL + DEFERRED)))


@pytest.mark.parametrize("args", [
    ["--version"],
    ["info", "examples/relu_small.json"],
    ["eval", "examples/relu_small.json", "1", "2"],
    ["info", "examples/tanh_reducible.json"],
])
def test_quick_commands_load_no_optional_library(args):
    loaded = _loaded(_RUN, *args)
    assert not loaded & set(OPTIONAL), (args, sorted(loaded & set(OPTIONAL)))


def test_reading_a_state_dict_does_not_import_torch(tmp_path):
    """A ``.pt`` state dict is read by the restricted reader; torch is not imported for it."""
    pt = tmp_path / "net.pt"
    subprocess.run([sys.executable, "-m", "exactnet", "convert", "examples/relu_small.json", str(pt)], cwd=ROOT,
                   capture_output=True, check=True, timeout=120)
    loaded = _loaded(_RUN, "info", str(pt))
    assert "torch" not in loaded
