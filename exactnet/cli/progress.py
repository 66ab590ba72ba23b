"""Progress of a command on standard error (never on standard output, where ``--json`` promises
exactly one JSON object; contract in ``docs/cli.md``).

Every command runs inside :func:`command_progress` (started by
:func:`exactnet.cli.runner.run_command`), which reports the command's name and elapsed time; the
deciding code reports finer steps through the :class:`~exactnet.progress.Progress` protocol, which
handlers obtain with :func:`console_progress` (a stage of the running command's report). How it
is shown (``--progress``/``--no-progress``, default automatic):

* ``"rich"``: a Rich progress line, drawn once the command has run :data:`RICH_AFTER` seconds and
  cleared at the end (automatic mode on a terminal);
* ``"lines"``: plain one-line updates ``exactnet CMD: stage 12/40 (3.0 s)``. With ``--progress``
  a line at the start, one every :data:`LINE_EVERY` seconds and one at the end; in automatic mode
  when standard error is not a terminal (pipes, notebooks, CI logs) the first line comes after
  :data:`QUIET_FIRST` seconds and then every :data:`QUIET_EVERY` seconds, so quick commands print
  nothing;
* ``"off"``: nothing.

Lines are written to a duplicate of file descriptor 2 taken at the start, so they reach the real
standard error while :func:`~exactnet.cli.streams.quiet_streams` holds the descriptors.
"""

from __future__ import annotations

import contextvars
import io
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from ..progress import Progress, null_progress

#: Seconds before the Rich line appears on a terminal.
RICH_AFTER = 0.5
#: Seconds between lines with ``--progress``.
LINE_EVERY = 1.0
#: Automatic mode off a terminal: the first line after this many seconds, then one every
#: :data:`QUIET_EVERY` seconds.
QUIET_FIRST = 10.0
QUIET_EVERY = 30.0


def progress_mode(flag: bool | None, stderr_is_terminal: bool) -> str:
    """``"rich"``, ``"lines"``, ``"quiet-lines"`` or ``"off"`` for ``--progress`` (``True``),
    ``--no-progress`` (``False``) or neither (``None``)."""
    if flag is False:
        return "off"
    if flag is True:
        return "lines"
    return "rich" if stderr_is_terminal else "quiet-lines"


class CommandProgress:
    """The progress of one command (implements :class:`~exactnet.progress.Progress`); shown by a
    background thread according to ``mode`` (module docstring)."""

    def __init__(self, command: str, mode: str, stream):
        self.command, self.mode, self._stream = command, mode, stream
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._description, self._total, self._completed = "working", None, 0
        self._rich = None
        self._thread: threading.Thread | None = None

    # -- the Progress protocol (called by the deciding code) -----------------------------------
    def advance(self, amount: int = 1) -> None:
        with self._lock:
            self._completed += amount
            self._update_rich()

    def set_total(self, total: int | None) -> None:
        with self._lock:
            self._total = total
            self._update_rich()

    def describe(self, text: str) -> None:
        with self._lock:
            self._description = text
            self._update_rich()

    # -- stages --------------------------------------------------------------------------------
    def stage(self, description: str, total: int | None) -> tuple:
        """Start a stage; returns what :meth:`restore` needs to go back to the enclosing one."""
        with self._lock:
            saved = (self._description, self._total, self._completed)
            self._description, self._total, self._completed = description, total, 0
            self._update_rich()
        return saved

    def restore(self, saved: tuple) -> None:
        with self._lock:
            self._description, self._total, self._completed = saved
            self._update_rich()

    # -- showing -------------------------------------------------------------------------------
    def line(self, final: bool = False) -> str:
        """The one-line report of the current state."""
        with self._lock:
            desc, total, done = self._description, self._total, self._completed
        seconds = time.monotonic() - self._started
        if final:
            return f"exactnet {self.command}: done ({seconds:.1f} s)"
        count = "" if not done and total is None else (f" {done}/{total}" if total is not None else f" {done}")
        return f"exactnet {self.command}: {desc}{count} ({seconds:.1f} s)"

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # standard error closed: progress is not worth an error
            pass

    def _update_rich(self) -> None:
        if self._rich is not None:
            bar, task = self._rich
            bar.update(task, description=f"{self.command}: {self._description}", total=self._total,
                       completed=self._completed)

    def _run(self) -> None:
        if self.mode == "rich":
            if self._stop.wait(RICH_AFTER):
                return
            self._start_rich()
            return
        first, every = (0.0, LINE_EVERY) if self.mode == "lines" else (QUIET_FIRST, QUIET_EVERY)
        if self.mode == "lines":
            self._write(self.line())
        elif self._stop.wait(first):
            return
        else:
            self._write(self.line())
        while not self._stop.wait(every):
            self._write(self.line())

    def _start_rich(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self._stream, stderr=True, force_terminal=True, highlight=False)
        bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=console, transient=True, redirect_stdout=False,
                           redirect_stderr=False)
        with self._lock:
            if self._stop.is_set():
                return
            task = bar.add_task(f"{self.command}: {self._description}", total=self._total,
                                completed=self._completed)
            bar.start()
            self._rich = (bar, task)

    def start(self) -> None:
        if self.mode == "off":
            return
        self._thread = threading.Thread(target=self._run, name="exactnet-progress", daemon=True)
        self._thread.start()

    def finish(self, completed: bool = True) -> None:
        """Stop showing; the last line (``done``) only when the command ``completed`` (an error
        line follows instead otherwise)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            rich, self._rich = self._rich, None
        if rich is not None:
            rich[0].stop()
        if completed and (self.mode == "lines" or
                          (self.mode == "quiet-lines" and time.monotonic() - self._started >= QUIET_FIRST)):
            self._write(self.line(final=True))


#: The progress of the command running in this context (set by :func:`command_progress` for the
#: duration of one command; :func:`console_progress` reports to it).
_CURRENT: contextvars.ContextVar[CommandProgress | None] = contextvars.ContextVar("exactnet_progress", default=None)


def _real_stderr():
    """A text stream on a duplicate of file descriptor 2 (``None`` without one)."""
    try:
        fd = os.dup(2)
    except OSError:
        return None
    return io.TextIOWrapper(io.FileIO(fd, "w"), encoding="utf-8", errors="replace", line_buffering=True)


@contextmanager
def command_progress(command: str, flag: bool | None = None) -> Iterator[Progress]:
    """Report the progress of ``command`` on standard error while the block runs (module
    docstring; ``flag``: ``--progress``/``--no-progress``/neither)."""
    stream = _real_stderr()
    mode = progress_mode(flag, bool(stream is not None and stream.isatty()))
    if stream is None or mode == "off":
        token = _CURRENT.set(None)
        try:
            yield null_progress()
        finally:
            _CURRENT.reset(token)
            if stream is not None:
                stream.close()
        return
    progress = CommandProgress(command, mode, stream)
    token = _CURRENT.set(progress)
    progress.start()
    completed = False
    try:
        yield progress
        completed = True
    finally:
        _CURRENT.reset(token)
        progress.finish(completed)
        stream.close()


@contextmanager
def console_progress(description: str, total: int | None = None, force: bool = False) -> Iterator[Progress]:
    """A stage ``description`` of the running command's progress report (see the module docstring);
    outside a command, a no-op (``force`` is accepted for compatibility and ignored)."""
    current = _CURRENT.get()
    if current is None:
        yield null_progress()
        return
    saved = current.stage(description, total)
    try:
        yield current
    finally:
        current.restore(saved)


__all__ = ["command_progress", "console_progress", "progress_mode"]
