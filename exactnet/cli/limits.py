"""The command line's time limit: one deadline for the whole command, enforced in three stages.

``--timeout T`` starts counting when the command line starts (before any file is read) and
covers reading, parsing, field construction, computing, writing files and rendering:

1. **Cooperative** (at ``T``): the deciders receive the :class:`~exactnet.deadline.Deadline` and
   call ``check`` in their loops; they return an honest partial answer (exit 3, e.g. a certified
   lower bound) or raise :class:`~exactnet.deadline.TimeLimitReached`.
2. **Alarm** (at ``T + ALARM_GRACE``): a ``SIGALRM`` handler raises
   :class:`~exactnet.deadline.TimeLimitInterrupt` in whatever Python code is running (parsing,
   an unchecked loop, a partial answer taking too long); the command answers ``unknown``.
3. **Supervisor** (at ``T + HARD_GRACE``): Python signal handlers do not run during a long call
   into C (FLINT, PPL) that holds the interpreter, so the command runs in a forked child process;
   the parent waits, and if the child has neither finished nor begun writing its answer by then,
   the parent kills it, prints the child's latest provisional answer (e.g. ``fdim --batch``: the
   batch dimension) or else the same honest ``unknown`` answer (one JSON object with ``--json``),
   and exits with that answer's code (3 for unknown).

The measured wall-clock overshoot of a whole ``exactnet ... --timeout T`` process is documented
in ``docs/cli.md`` ("Time limits").
"""

from __future__ import annotations

import math
import os
import select
import signal
import struct
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import click

from ..deadline import TimeLimitInterrupt

#: Seconds after the deadline at which the alarm interrupts Python code.
ALARM_GRACE = 0.5
#: Seconds after the deadline at which the supervising process ends the computation.
HARD_GRACE = 1.0
#: The largest accepted ``--timeout`` (seconds; about 11.6 days).
MAX_TIMEOUT = 1_000_000.0


class Seconds(click.ParamType):
    """A time limit: a finite number of seconds, ``0 < T ≤ MAX_TIMEOUT`` (``nan``, ``inf``,
    zero and negative values are refused; omit the option for no limit)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if math.isnan(seconds) or math.isinf(seconds) or not 0 < seconds <= MAX_TIMEOUT:
            self.fail(f"{value!r} is not a time limit: give a finite number of seconds > 0 and at most"
                      f" {MAX_TIMEOUT:.0f} (omit --timeout for no limit)", param, ctx)
        return seconds


SECONDS = Seconds()


# ---------------------------------------------------------------------------------------------
# stage 2: the alarm
# ---------------------------------------------------------------------------------------------


@contextmanager
def alarm(at: float | None, reason: str) -> Iterator[None]:
    """Interrupt the running code at monotonic time ``at`` (a no-op without a limit, off the main
    thread, or where ``SIGALRM`` does not exist).

    When ``cysignals`` is installed (pplpy depends on it) its ``SIGALRM`` handler is used: it also
    interrupts PPL's C code and raises ``AlarmInterrupt``. Otherwise a Python handler raises
    :class:`TimeLimitInterrupt` (``reason``). :func:`~exactnet.deadline.is_time_limit_interrupt`
    recognises both.
    """
    usable = (at is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    try:
        import cysignals.signals  # noqa: F401 - installs its handlers (once per process)
    except ImportError:
        own_handler = True
    else:
        own_handler = False
    armed = [True]

    def interrupt(signum, frame):
        if armed[0]:
            armed[0] = False
            raise TimeLimitInterrupt(reason)

    previous = signal.signal(signal.SIGALRM, interrupt) if own_handler else None
    try:
        signal.setitimer(signal.ITIMER_REAL, max(at - time.monotonic(), 1e-4))
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if own_handler:
            signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------------------------
# stage 3: the supervising process
# ---------------------------------------------------------------------------------------------


class Supervised:
    """The child's side of the supervision. :meth:`provisional` hands the parent an answer to print
    if it has to end the child (the latest one counts); :meth:`commit` tells it that the final
    answer is being written, after which the parent no longer interrupts (the answer is already
    computed and rendered; writing it is bounded)."""

    def __init__(self, fd: int | None, event: threading.Event | None = None):
        self._fd, self._event = fd, event
        self.latest: tuple[str, int] | None = None  # for the watchdog thread

    def provisional(self, text: str, code: int) -> None:
        self.latest = (text, code)
        if self._fd is not None:
            data = text.encode("utf-8")
            self._send(b"P" + struct.pack("<iQ", code, len(data)) + data)

    def commit(self) -> None:
        if self._event is not None:
            self._event.set()
        if self._fd is not None:
            self._send(b"C")
            os.close(self._fd)
            self._fd = None

    def _send(self, message: bytes) -> None:
        try:
            view = memoryview(message)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError:  # the parent is gone: nobody to tell
            pass


_HEADER = struct.calcsize("<iQ")


def supervise(kill_at: float, give_up: Callable[[], int]) -> Supervised:
    """Continue in a child process that is ended at monotonic time ``kill_at`` unless it has
    committed its answer by then; the parent then prints the child's latest provisional answer, or
    calls ``give_up()`` (which prints the unknown answer and returns the exit code), and exits. The
    parent never returns from this call.

    Without ``os.fork`` a watchdog thread takes the parent's place; it runs only when the
    computation releases the interpreter, which a long C call may not do.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - non-POSIX systems
        return _watchdog_thread(kill_at, give_up)
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        return Supervised(write_end)
    os.close(write_end)
    code = _wait_for(pid, read_end, kill_at, give_up)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class _Messages:
    """The parent's reading of the child's messages: ``C`` (commit) and ``P`` + header + text."""

    def __init__(self):
        self.buffer = b""
        self.committed = False
        self.latest: tuple[str, int] | None = None

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        while self.buffer:
            kind = self.buffer[:1]
            if kind == b"C":
                self.committed = True
                self.buffer = self.buffer[1:]
            elif kind == b"P":
                if len(self.buffer) < 1 + _HEADER:
                    return
                code, size = struct.unpack("<iQ", self.buffer[1:1 + _HEADER])
                end = 1 + _HEADER + size
                if len(self.buffer) < end:
                    return
                self.latest = (self.buffer[1 + _HEADER:end].decode("utf-8"), code)
                self.buffer = self.buffer[end:]
            else:  # pragma: no cover - only this module writes to the pipe
                self.buffer = b""


def _wait_for(pid: int, read_end: int, kill_at: float, give_up: Callable[[], int]) -> int:
    """The parent: wait for the child, end it at ``kill_at`` unless committed; its exit code."""
    messages = _Messages()
    forwarded = {}

    def forward(signum, frame):  # SIGTERM / SIGHUP to the parent end the child too
        _kill(pid, signal.SIGKILL)
        forwarded["signal"] = signum

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    try:
        while True:
            wait = None if messages.committed else max(0.0, kill_at - time.monotonic())
            try:
                ready, _, _ = select.select([read_end], [], [], wait)
            except KeyboardInterrupt:
                _kill(pid, signal.SIGINT)  # the child reports "interrupted" itself
                try:
                    _reap(pid, timeout=1.0)
                finally:
                    _kill(pid, signal.SIGKILL)
                return 130
            if ready:
                chunk = os.read(read_end, 1 << 16)
                if not chunk:  # the child closed the pipe: it has exited (or is exiting)
                    break
                messages.feed(chunk)
                continue
            if "signal" in forwarded:
                break
            if not messages.committed and time.monotonic() >= kill_at:
                _kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                if messages.latest is not None:
                    text, code = messages.latest
                    sys.stdout.write(text)
                    sys.stdout.flush()
                    return code
                return give_up()
        status = os.waitpid(pid, 0)[1]
    finally:
        os.close(read_end)
    if "signal" in forwarded:
        return 128 + forwarded["signal"]
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return code
    name = signal.Signals(-code).name
    if not messages.committed:
        sys.stderr.write(f"exactnet: error: the computation was ended by signal {name}"
                         f"{' (out of memory?)' if -code == signal.SIGKILL else ''}\n")
    return 2


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _reap(pid: int, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.02)


def _watchdog_thread(kill_at: float, give_up: Callable[[], int]) -> Supervised:  # pragma: no cover
    event = threading.Event()
    out, err = os.dup(1), os.dup(2)  # the real streams, whatever is redirected later

    handle = Supervised(None, event)

    def watch():
        if not event.wait(max(0.0, kill_at - time.monotonic())):
            os.dup2(out, 1)
            os.dup2(err, 2)
            if handle.latest is not None:
                sys.stdout.write(handle.latest[0])
                code = handle.latest[1]
            else:
                code = give_up()
            sys.stdout.flush()
            os._exit(code)

    threading.Thread(target=watch, daemon=True, name="exactnet-time-limit").start()
    return handle


__all__ = ["ALARM_GRACE", "HARD_GRACE", "MAX_TIMEOUT", "SECONDS", "Seconds", "Supervised", "alarm", "supervise"]
