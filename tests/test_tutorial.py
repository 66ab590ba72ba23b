"""docs/tutorial.md is real: its Python blocks pass as one doctest session and every
``$ exactnet ...`` command prints what the page shows, in a scratch directory (needs torch,
scikit-learn, safetensors, onnx and matplotlib: ``pip install -e ".[test]"``)."""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")

for _name in ("torch", "sklearn", "safetensors", "onnx", "matplotlib"):
    pytest.importorskip(_name)


def _commands():
    for block in re.findall(r"```console\n(.*?)```", TUTORIAL, re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            yield command, output.rstrip("\n")


def _normalise(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def test_tutorial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    session = "\n".join(re.findall(r"```python\n(.*?)```", TUTORIAL, re.S))  # one session: later blocks use earlier names
    runner.run(parser.get_doctest(session, {}, "docs/tutorial.md", "docs/tutorial.md", 0))
    result = runner.summarize(verbose=False)
    assert result.attempted > 10 and result.failed == 0
    (tmp_path / "box.json").write_text(json.dumps({"lower": ["1", "1/10"], "upper": ["69/10", "5/2"]}))
    commands = list(_commands())
    assert commands
    env = dict(os.environ, COLUMNS="100", TERM="dumb")
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "exactnet"
        proc = subprocess.run([sys.executable, "-m", "exactnet", *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (command, proc.stderr)
        assert _normalise(proc.stdout) == _normalise(expected), (command, proc.stdout)
    assert (tmp_path / "iris-regions.png").stat().st_size > 1000
