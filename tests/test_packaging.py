"""Packaging guards: every package directory is installed, heavy frameworks stay optional."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "exactnet").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    found.add("exactnet.proofs")
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_import_does_not_load_heavy_frameworks():
    code = "import sys, exactnet, exactnet.network, exactnet.io, exactnet.cli.main; " \
           "print(sorted(m for m in ('torch', 'onnx', 'safetensors', 'matplotlib', 'z3', 'sympy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
