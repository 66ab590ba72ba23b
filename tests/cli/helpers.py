"""Run the CLI in-process (fast) and capture exit code, stdout and stderr."""

from __future__ import annotations

import json
from dataclasses import dataclass

from exactnet.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def run_cli(capsys, *args) -> Result:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
