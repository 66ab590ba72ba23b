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


def test_importing_the_cli_loads_no_optional_library():
    loaded = _loaded("import exactnet.cli.main")
    assert "exactnet" in loaded and "click" in loaded
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))


def test_importing_the_facade_loads_no_optional_library():
    loaded = _loaded("import exactnet")
    assert not loaded & set(OPTIONAL), sorted(loaded & set(OPTIONAL))


_RUN = """
from exactnet.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


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
