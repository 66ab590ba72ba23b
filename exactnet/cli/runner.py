"""Running one command: its time limit, quiet library output, and exactly one answer.

:func:`run_command` is the single place where a command's work is done and its answer printed.
The work (``body``) gets the command's :class:`~exactnet.deadline.Deadline`, which was set when
the command line started, and returns a :class:`~exactnet.cli.report.Report`; the answer is
serialised (``--json``) or rendered before it is written, so that writing cannot be interrupted
half-way by the time limit. See :mod:`exactnet.cli.limits` for the three stages of the limit and
:mod:`exactnet.cli.streams` for what happens to text that libraries print.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from rich.console import Console

from ..deadline import Deadline, TimeLimitReached, is_time_limit_interrupt
from .limits import ALARM_GRACE, HARD_GRACE, Supervised, alarm, supervise
from .report import EXIT_UNKNOWN, Report
from .streams import quiet_streams


@dataclass(frozen=True)
class Invocation:
    """How the command line was started: when (``time.monotonic()``), whether it owns the process
    (``process``: it may fork a supervisor and install signal handlers for the whole process; false
    when :func:`~exactnet.cli.main.main` is called from other Python code), and ``debug``."""

    started: float = field(default_factory=time.monotonic)
    process: bool = False
    debug: bool = False


def seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


def time_limit_report(command: str, key: str, seconds: float | None, reason: str) -> Report:
    """The honest answer when the time limit ends a command: its principal key is ``null``."""
    data = {key: None, "reason": reason, "time_limit_reached": True, "timeout": seconds}

    def render(console: Console):
        console.print(f"[yellow]unknown[/]: {reason}")

    return Report(data, EXIT_UNKNOWN, render)


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def rendered(report: Report, as_json: bool) -> str:
    """The text the answer consists of (one JSON line with ``as_json``)."""
    if as_json:
        return json.dumps(report.data) + "\n"
    out = console()
    with out.capture() as captured:
        report.show(out)
    return captured.get()


def run_command(command: str, key: str, body: Callable[[Deadline], Report], *, timeout: float | None,
                as_json: bool, invocation: Invocation) -> int:
    """Run ``body`` under the command's time limit, print the one answer, return the exit code.

    Errors (:class:`~exactnet.errors.InputError`, ...) propagate to the caller, which prints the
    one-line message; text printed by libraries meanwhile is not shown (:func:`quiet_streams`).
    """
    deadline = Deadline(None if timeout is None else invocation.started + timeout)
    limit = seconds_text(timeout) if timeout is not None else ""

    def unknown(reason: str) -> Report:
        return time_limit_report(command, key, timeout, reason)

    supervised: Supervised | None = None
    if deadline.at is not None and invocation.process:
        def give_up() -> int:
            report = unknown(f"time limit of {limit} reached; the computation did not stop by itself and was ended")
            sys.stdout.write(rendered(report, as_json))
            sys.stdout.flush()
            return report.exit_code

        supervised = supervise(deadline.at + HARD_GRACE, give_up)
    try:
        with quiet_streams(debug=invocation.debug):
            try:
                with alarm(None if deadline.at is None else deadline.at + ALARM_GRACE,
                           f"time limit of {limit} reached (the computation was interrupted)"):
                    report = body(deadline)
                    text = rendered(report, True) if as_json else None
            except TimeLimitReached as exc:
                report = unknown(_with_limit(str(exc), limit))
                text = None
            except BaseException as exc:
                if not is_time_limit_interrupt(exc):
                    raise
                report = unknown(f"time limit of {limit} reached (the computation was interrupted)")
                text = None
        if text is None:
            text = rendered(report, as_json)
    except BaseException:
        if supervised is not None:
            supervised.commit()
        raise
    if supervised is not None:
        supervised.commit()
    sys.stdout.write(text)
    sys.stdout.flush()
    return report.exit_code


def _with_limit(reason: str, limit: str) -> str:
    prefix = "time limit reached"
    if limit and reason.startswith(prefix):
        return f"time limit of {limit} reached" + reason[len(prefix):]
    return reason


__all__ = ["Invocation", "rendered", "run_command", "time_limit_report"]
