"""Progress goes to standard error, never to standard output (exactnet/cli/progress.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time

import click
import pytest

from exactnet.cli import progress as prog
from exactnet.cli.main import cli
from tests.cli.hostile.clirun import EXAMPLES, ROOT, run


def _lines(err: str, command: str) -> list[str]:
    lines = err.splitlines()
    assert lines, "no progress on standard error"
    assert all(line.startswith(f"exactnet {command}: ") for line in lines), err
    return lines


def test_progress_lines_with_json():
    r = run("regions", EXAMPLES / "relu_deep.json", "--json", "--progress")
    assert r.code == 0 and r.json["count"] == 7  # stdout: exactly one JSON object
    lines = _lines(r.err, "regions")
    assert lines[0].startswith("exactnet regions: working") and lines[-1].startswith("exactnet regions: done")


def test_progress_lines_in_human_mode_stay_off_stdout():
    r = run("equiv", EXAMPLES / "relu_small.json", EXAMPLES / "relu_small_b.json", "--progress")
    assert "exactnet equiv:" not in r.out
    _lines(r.err, "equiv")


def test_stage_counts_reach_the_lines():
    """A long command reports its stage and count (reproduce: claims done of the total)."""
    r = run("reproduce", "--quick", "relu-fdim-architecture-maximum", "relu-fdim-inhomogeneous", "--progress",
            "--json", timeout=300)
    assert r.code == 0 and r.json["holds"] is True
    lines = _lines(r.err, "reproduce")
    assert lines[-1].startswith("exactnet reproduce: done")
    stages = [line for line in lines if "reproducing" in line]
    assert all("reproducing relu-fdim" in line and "/2" in line for line in stages), lines
    # start-up (imports) may take a second or more under load before the first claim starts; a
    # line printed two seconds in must name the claim being reproduced and the count
    late = [line for line in lines[1:-1] if float(line.rsplit("(", 1)[1].split()[0]) >= 2.0]
    assert all(line in stages for line in late), lines


def test_no_progress_and_quick_commands_print_nothing():
    assert run("regions", EXAMPLES / "relu_deep.json", "--json", "--no-progress").err == ""
    # automatic mode off a terminal: a command shorter than QUIET_FIRST seconds prints nothing
    assert run("eval", EXAMPLES / "relu_small.json", "1", "2").err == ""


def test_every_command_takes_the_progress_flags():
    for name, cmd in cli.commands.items():
        opts = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
        assert {"--progress", "--no-progress"} <= opts, name


def test_progress_mode():
    assert prog.progress_mode(None, True) == "rich"
    assert prog.progress_mode(None, False) == "quiet-lines"
    assert prog.progress_mode(True, True) == "lines"
    assert prog.progress_mode(False, False) == "off"


def test_quiet_lines_wait_then_repeat(monkeypatch):
    monkeypatch.setattr(prog, "QUIET_FIRST", 0.2)
    monkeypatch.setattr(prog, "QUIET_EVERY", 0.1)
    out = io.StringIO()
    p = prog.CommandProgress("fdim", "quiet-lines", out)
    p.start()
    assert out.getvalue() == ""  # nothing at once
    saved = p.stage("regions", 10)
    p.advance(3)
    time.sleep(0.45)
    p.restore(saved)
    p.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3 and lines[0].startswith("exactnet fdim: regions 3/10 (")
    assert lines[-1].startswith("exactnet fdim: done")


def test_quick_quiet_run_prints_no_done_line():
    out = io.StringIO()
    p = prog.CommandProgress("info", "quiet-lines", out)
    p.start()
    p.finish()
    assert out.getvalue() == ""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_rich_on_a_terminal_stderr_only():
    """With standard error on a terminal, a Rich bar is drawn there; stdout (a pipe) gets only JSON."""
    master, slave = os.openpty()
    env = dict(os.environ, COLUMNS="100")
    env.pop("EXACTNET_DEBUG", None)
    # every quick claim (about 3 s): the line appears after RICH_AFTER seconds, and two fdim claims
    # (about 0.25 s on a recent machine) ended before it
    proc = subprocess.Popen([sys.executable, "-m", "exactnet", "reproduce", "--quick", "--json"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=slave)
    chunks: list[bytes] = []

    def drain():  # read the terminal while the command runs (a full pty buffer would block it)
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=300)
    finally:
        proc.kill()
    # the child has exited, but its last writes may still wait in the terminal's buffer: this process
    # holds the slave open until the reader has taken them (on Linux, closing the last slave first can
    # lose unread output, which a loaded machine showed as an empty stderr)
    seen, waited = -1, 0
    while seen != len(chunks) and waited < 40:
        seen = len(chunks)
        time.sleep(0.25)
        waited += 1
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert out.decode().count("\n") == 1 and out.startswith(b"{")
    assert "reproduce:" in err and "\x1b[" in err  # Rich drew (and cleared) its line on the terminal


def test_an_error_ends_with_the_error_line_not_done():
    r = run("regions", EXAMPLES / "relu_small.json", "--box", "1,0", "--progress")
    r.assert_error()
    lines = r.err.splitlines()
    assert lines[-1].startswith("exactnet: error: ") and not any(": done (" in line for line in lines)


from tests.cli.hostile.test_json_output import CASES, _args  # noqa: E402


@pytest.mark.parametrize("args, code, key", CASES, ids=[" ".join(str(a).split("/")[-1] for a in c[0]) for c in CASES])
def test_every_command_reports_progress_and_keeps_stdout_one_json_object(args, code, key, tmp_path):
    r = run(*_args(args, tmp_path), "--json", "--progress", "--timeout", "300")
    assert r.code == code, (r.code, r.out, r.err)
    assert key in r.json  # stdout: exactly one JSON object
    command = str(args[0])
    progress = [line for line in r.err.splitlines() if line.startswith(f"exactnet {command}: ")]
    assert progress and progress[-1].startswith(f"exactnet {command}: done ("), r.err
    assert all(line.startswith("exactnet: warning: ") for line in r.messages), r.err
