"""docs/tutorial.md is real, with or without torch.

* :func:`test_tutorial_on_the_bundled_model` (no torch; what CI runs with ``pip install -e ".[test]"``):
  in a scratch directory holding the bundled ``examples/iris.pt`` and ``examples/iris-pruned.pt``
  (the files the page's ``cp`` line names), every Python block not marked ``<!-- needs torch -->``
  passes as one doctest session and every ``$ exactnet ...`` command prints what the page shows.
* :func:`test_training_step` (only where torch is installed): the marked blocks train and prune
  the model; the pruned copy is equivalent on the data box (whatever weights this torch version
  trains), and with the torch version that wrote the bundled files the training reproduces them.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
TORCH_MARK = "<!-- needs torch -->"
#: The torch version that wrote ``examples/iris.pt`` and ``examples/iris-pruned.pt``.
BUNDLED_WITH = "2.13."
#: The data box of the tutorial (the ``--domain`` file its Python block writes for its commands).
BOX = {"lower": ["1", "1/10"], "upper": ["69/10", "5/2"]}


def _python_blocks() -> list[tuple[bool, str]]:
    """``(needs_torch, code)`` for every ``python`` block of the page, in order."""
    return [(bool(mark), code) for mark, code in
            re.findall(r"(<!-- needs torch -->\n)?```python\n(.*?)```", TUTORIAL, re.S)]


def _bundled_files() -> list[str]:
    """The files the page tells users without torch to copy: ``cp examples/A examples/B .``."""
    lines = [line for block in re.findall(r"```sh\n(.*?)```", TUTORIAL, re.S) for line in block.splitlines()
             if line.startswith("cp examples/")]
    assert len(lines) == 1, lines
    words = shlex.split(lines[0])
    assert words[0] == "cp" and words[-1] == "." and all(w.startswith("examples/") for w in words[1:-1]), words
    return words[1:-1]


def _commands():
    for block in re.findall(r"```console\n(.*?)```", TUTORIAL, re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            yield command, output.rstrip("\n")


def _normalise(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def _doctest(code: str, globs: dict, name: str) -> doctest.TestResults:
    """Run ``code`` as a doctest in ``globs`` (kept for the next block: one session)."""
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    test = doctest.DocTestParser().get_doctest(code, globs, name, "docs/tutorial.md", 0)  # runs in a copy
    runner.run(test, clear_globs=False)
    globs.update(test.globs)
    return runner.summarize(verbose=False)


def test_the_page_marks_every_torch_block():
    """Blocks that use torch are marked (so the test without torch can run the rest), and there are
    both kinds."""
    blocks = _python_blocks()
    assert any(needs for needs, _ in blocks) and sum(not needs for needs, _ in blocks) >= 4
    for needs, code in blocks:
        assert needs == ("torch" in re.sub(r"#.*", "", code).replace("without torch", "")), code


def test_the_bundled_files_exist_and_load_without_torch():
    names = _bundled_files()
    assert {Path(n).name for n in names} == {"iris.pt", "iris-pruned.pt"}
    code = ("import sys, exactnet\n"
            "a = exactnet.load_network('examples/iris.pt', activation='relu')\n"
            "b = exactnet.load_network('examples/iris-pruned.pt')\n"
            "print(a.widths, b.widths, b.activation, 'torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(2,", "16,", "3)", "(2,", "6,", "3)", "relu", "False"]


def test_tutorial_on_the_bundled_model(tmp_path, monkeypatch):
    for name in ("safetensors", "onnx", "matplotlib"):  # the [test] extra; torch is not needed
        pytest.importorskip(name)
    for name in _bundled_files():
        shutil.copy(ROOT / name, tmp_path / Path(name).name)
    monkeypatch.chdir(tmp_path)
    session = "\n".join(code for needs, code in _python_blocks() if not needs)
    result = _doctest(session, {}, "docs/tutorial.md")
    assert result.attempted > 10 and result.failed == 0
    assert json.loads((tmp_path / "box.json").read_text()) == BOX  # the page writes the commands' --domain file
    commands = list(_commands())
    assert len(commands) >= 3
    env = dict(os.environ, COLUMNS="100", TERM="dumb")
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "exactnet"
        proc = subprocess.run([sys.executable, "-m", "exactnet", *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (command, proc.stderr)
        assert _normalise(proc.stdout) == _normalise(expected), (command, proc.stdout)
    assert (tmp_path / "iris-regions.png").stat().st_size > 1000


def test_training_step(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch", reason="the training step of docs/tutorial.md needs torch (optional)")
    pytest.importorskip("sklearn")
    from exactnet import load_network, relu
    from exactnet.network.domain import Box
    from exactnet.relu.compression import never_active_units

    monkeypatch.chdir(tmp_path)
    train, prune = [code for needs, code in _python_blocks() if needs]
    session: dict = {}
    result = _doctest(train, session, "docs/tutorial.md (training)")
    assert result.attempted >= 5 and result.failed == 0
    net = load_network("iris.pt", activation="relu")
    box = Box.from_bounds(BOX["lower"], BOX["upper"])
    session["dead"] = sorted(unit for _layer, unit in never_active_units(net, box))
    assert session["dead"]  # the pruning step has something to prune
    result = _doctest(prune, session, "docs/tutorial.md (pruning)")
    assert result.failed == 0
    small = load_network("iris-pruned.pt")
    assert small.widths == (2, 16 - len(session["dead"]), 3)
    assert relu.equivalent(net, small, box).equivalent is True
    if torch.__version__.startswith(BUNDLED_WITH):
        # not the same weights bit for bit: CPUs with other floating-point kernels round differently
        # over the 300 Adam steps (measured: up to 0.005 apart on one machine with the same torch);
        # the units the page names as dead must be the bundled network's
        bundled = load_network(ROOT / "examples" / "iris.pt", activation="relu")
        assert session["dead"] == sorted(unit for _layer, unit in never_active_units(bundled, box))
