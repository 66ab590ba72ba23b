"""The README's tour is real: every ``$ exactnet ...`` command in a ``console`` block prints what
the README shows, and every ``python`` block passes as a doctest."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _console_commands():
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        parts = re.split(r"^\$ ", block, flags=re.M)
        for part in parts[1:]:
            command, _, output = part.partition("\n")
            yield command, output.rstrip("\n")


COMMANDS = list(_console_commands())


def _normalise(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A scratch directory with the examples, so commands that write files stay out of the repo."""
    d = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", d / "examples")
    return d


def test_readme_has_a_tour():
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("command, expected", COMMANDS, ids=[c for c, _ in COMMANDS])
def test_console_block(command, expected, workdir):
    argv = shlex.split(command)
    assert argv[0] == "exactnet"
    env = dict(os.environ, COLUMNS="100", TERM="dumb")
    proc = subprocess.run([sys.executable, "-m", "exactnet", *argv[1:]], cwd=workdir, env=env,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert _normalise(proc.stdout) == _normalise(expected)


def test_python_blocks(monkeypatch):
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", README, re.S)):
        runner.run(parser.get_doctest(block, {}, f"README python block {i}", "README.md", 0))
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0
