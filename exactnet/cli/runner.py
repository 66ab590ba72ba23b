"""Running one command: its time limit, quiet library output, and exactly one answer.

:func:`run_command` is the single place where a command's work is done and its answer printed.
The work (``body``) gets a :class:`Budget`: the command's :class:`~exactnet.deadline.Deadline`,
which was set when the command line started, and a way to record a provisional answer; it returns a :class:`~exactnet.cli.report.Report`; the answer is
serialised (``--json``) or rendered before it is written, so that writing cannot be interrupted
half-way by the time limit. See :mod:`exactnet.cli.limits` for the three stages of the limit and
:mod:`exactnet.cli.streams` for what happens to text that libraries print.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # Rich is imported only when an answer is rendered
    from rich.console import Console

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached, is_time_limit_interrupt
from .limits import ALARM_GRACE, HARD_GRACE, Supervised, alarm, supervise
from .progress import command_progress
from .report import EXIT_UNKNOWN, Report
from .streams import quiet_streams


def process_started() -> float:
    """When this process started, in ``time.monotonic()`` time (Linux: from ``/proc/self/stat``, to
    the clock tick), so that a time limit also covers starting the interpreter and importing
    exactnet; elsewhere (or if the answer looks wrong) the current time."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            stat = f.read()
        ticks = int(stat[stat.rindex(")") + 2:].split()[19])
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - elapsed if 0 <= elapsed < 30 else now


@dataclass(frozen=True)
class Invocation:
    """How the command line was started: when (``time.monotonic()``), whether it owns the process
    (``process``: it may fork a supervisor and install signal handlers for the whole process; false
    when :func:`~exactnet.cli.main.main` is called from other Python code), ``debug``, and the
    process id at the start (``pid``)."""

    started: float = field(default_factory=time.monotonic)
    process: bool = False
    debug: bool = False
    pid: int = field(default_factory=os.getpid)

    def in_supervised_child(self) -> bool:
        """Whether this is the child process forked by the supervisor (:func:`supervise`)."""
        return self.process and os.getpid() != self.pid


def seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


def time_limit_report(command: str, key: str, seconds: float | None, reason: str) -> Report:
    """The honest answer when the time limit ends a command: its principal key is ``null``."""
    data = {key: None, "reason": reason, "time_limit_reached": True, "timeout": seconds}

    def render(console: Console):
        console.print(f"[yellow]unknown[/]: {reason}")

    return Report(data, EXIT_UNKNOWN, render)


@dataclass(frozen=True)
class Budget:
    """What a command's work receives: the :class:`~exactnet.deadline.Deadline` of the whole
    command, and ``provisional(report)``, which records an answer to give if the time limit ends
    the rest of the work (e.g. ``fdim --batch``: the batch dimension, before the optional
    functional dimension). The latest provisional answer replaces the generic unknown one."""

    deadline: Deadline = NO_DEADLINE
    provisional: Callable[[Report], None] = field(default=lambda report: None, compare=False)


def console_factory() -> Callable[[], Console]:
    """Consoles for rendering answers that look at the real standard output as it is now (a
    terminal or not, its width), even when they are created while it is redirected."""
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if tty else None

    def make() -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True, force_terminal=tty or None, width=width)

    return make


def rendered(report: Report, as_json: bool, make_console: Callable[[], Console] | None = None) -> str:
    """The text the answer consists of (one JSON line with ``as_json``)."""
    if as_json:
        return json.dumps(report.data) + "\n"
    out = (make_console or console_factory())()
    with out.capture() as captured:
        report.show(out)
    return captured.get()


def run_command(command: str, key: str, body: Callable[[Budget], Report], *, timeout: float | None,
                as_json: bool, invocation: Invocation, progress: bool | None = None) -> int:
    """Run ``body`` under the command's time limit, print the one answer, return the exit code.

    ``progress`` (``--progress``/``--no-progress``/neither) chooses how the command's progress is
    shown on standard error (:func:`~exactnet.cli.progress.command_progress`).

    Errors (:class:`~exactnet.errors.InputError`, ...) propagate to the caller, which prints the
    one-line message; text printed by libraries meanwhile is not shown (:func:`quiet_streams`).
    """
    deadline = Deadline(None if timeout is None else invocation.started + timeout)
    limit = seconds_text(timeout) if timeout is not None else ""
    make_console = console_factory()
    latest: list[Report] = []  # the latest provisional answer

    def unknown(reason: str) -> Report:
        return latest[-1] if latest else time_limit_report(command, key, timeout, reason)

    supervised: Supervised | None = None
    if deadline.at is not None and invocation.process:
        def give_up() -> int:
            report = time_limit_report(command, key, timeout, f"time limit of {limit} reached; the computation"
                                                              " did not stop by itself and was ended")
            sys.stdout.write(rendered(report, as_json, make_console))
            sys.stdout.flush()
            return report.exit_code

        supervised = supervise(deadline.at + HARD_GRACE, give_up)

    def provisional(report: Report) -> None:
        latest[:] = [report]
        if supervised is not None:
            supervised.provisional(rendered(report, as_json, make_console), report.exit_code)

    try:
        with command_progress(command, progress), quiet_streams(debug=invocation.debug):
            try:
                with alarm(None if deadline.at is None else deadline.at + ALARM_GRACE,
                           f"time limit of {limit} reached (the computation was interrupted)"):
                    report = body(Budget(deadline, provisional))
                    text = rendered(report, as_json, make_console)
            except TimeLimitReached as exc:
                report = unknown(_with_limit(str(exc), limit))
                text = rendered(report, as_json, make_console)
            except BaseException as exc:
                if not is_time_limit_interrupt(exc):
                    raise
                report = unknown(f"time limit of {limit} reached (the computation was interrupted)")
                text = rendered(report, as_json, make_console)
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


__all__ = ["Budget", "Invocation", "console_factory", "rendered", "run_command", "time_limit_report"]
