"""Run the real ``exactnet`` CLI in a subprocess and check the file-descriptor-level contract.

Every hostile test goes through :func:`run`: a fresh interpreter (``python -m exactnet``), stdout
and stderr captured as bytes at the file-descriptor level, and a wall-clock limit so that a hang
is a test failure, not a stuck suite.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: A progress line on stderr (``exactnet regions: enumerating regions 12/40 (3.0 s)``).
PROGRESS_LINE = re.compile(r"exactnet [a-z][a-z-]*: ")
EXAMPLES = ROOT / "examples"


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def json(self):
        """The one JSON object on stdout (fails the test if stdout holds anything else)."""
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, f"stdout is not exactly one JSON line: {self.out!r}"
        obj = json.loads(lines[0])
        assert isinstance(obj, dict)
        return obj

    @property
    def messages(self) -> list[str]:
        """The lines of stderr other than progress lines (``exactnet CMD: ...``, which a slow run
        prints off a terminal; exactnet/cli/progress.py)."""
        return [line for line in self.err.splitlines() if not PROGRESS_LINE.match(line)]

    def assert_error(self, *needles: str) -> None:
        """Exit 2 with exactly one ``exactnet: error:`` line on stderr (besides progress lines),
        nothing on stdout, and every needle (case-insensitive) in the message."""
        assert self.code == 2, (self.code, self.out, self.err)
        lines = self.messages
        assert len(lines) == 1 and lines[0].startswith("exactnet: error: "), self.err
        assert "Traceback" not in self.err and "internal error" not in self.err, self.err
        assert self.out == "", self.out
        for needle in needles:
            assert needle.lower() in lines[0].lower(), (needle, lines[0])


def run(*args, timeout: float = 120, cwd=None, env=None, stdin: str | None = None) -> Run:
    """``exactnet ARGS`` in a subprocess; a run past ``timeout`` seconds fails the test."""
    environ = dict(os.environ, COLUMNS="100", TERM="dumb")
    environ.pop("EXACTNET_DEBUG", None)
    if env:
        environ.update(env)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "exactnet", *map(str, args)], cwd=cwd, env=environ,
                          capture_output=True, timeout=timeout, input=None if stdin is None else stdin.encode())
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
               time.monotonic() - start)
