"""Keep the command line's output contract whatever the libraries underneath print.

During a command, file descriptors 1 and 2 point to a private spool file, so that anything a
library writes there — from C (HiGHS's banner, C++ runtime warnings) or from Python (``print``,
``logging``) — never reaches standard output (where ``--json`` promises exactly one JSON object)
or standard error (where an error is exactly one line). Python warnings (e.g. torch's
``UserWarning``) are recorded instead of printed. exactnet's own messages (progress lines,
``exactnet: warning: ...``) still reach the real standard error: for the duration ``sys.stderr``
is a stream that sends writes made by exactnet, Rich and click code to the real standard error
and everybody else's to the spool.

With ``EXACTNET_DEBUG`` set, the spooled output and the recorded warnings are replayed on
standard error afterwards.
"""

from __future__ import annotations

import io
import os
import sys
import warnings
from contextlib import contextmanager
from typing import Iterator


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _flush_c_streams() -> None:
    """Flush the C library's ``stdout``/``stderr`` buffers (``fflush(NULL)``), so that text a C
    library buffered is written to where the descriptors point now."""
    import ctypes

    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no C library handle
        pass


def _flush(*streams) -> None:
    for s in streams:
        try:
            s.flush()
        except (OSError, ValueError, AttributeError):
            pass


#: Top-level packages whose writes to ``sys.stderr`` are exactnet's own messages.
OWN_PACKAGES = frozenset({"exactnet", "rich", "click"})


class _SortingStderr(io.TextIOBase):
    """``sys.stderr`` during a command: writes from :data:`OWN_PACKAGES` go to the real standard
    error (``real``), all others to the spool (file descriptor ``spool``)."""

    def __init__(self, real, spool: int):
        self._real, self._spool = real, spool

    def write(self, text: str) -> int:
        caller = sys._getframe(1).f_globals.get("__name__") or ""
        if caller.partition(".")[0] in OWN_PACKAGES:
            return self._real.write(text)
        os.write(self._spool, text.encode("utf-8", "replace"))
        return len(text)

    def flush(self) -> None:
        self._real.flush()

    def isatty(self) -> bool:
        return self._real.isatty()

    def fileno(self) -> int:
        return self._real.fileno()

    @property
    def encoding(self):
        return self._real.encoding

    def writable(self) -> bool:
        return True


@contextmanager
def quiet_streams(debug: bool = False) -> Iterator[None]:
    """Redirect file descriptors 1 and 2 to a spool for the duration (see the module docstring)."""
    import tempfile

    _flush(sys.stdout, sys.stderr)
    _flush_c_streams()
    saved_out, saved_err = os.dup(1), os.dup(2)
    spool = tempfile.TemporaryFile()
    real_stderr = None
    old_stderr = sys.stderr
    caught: list = []
    try:
        os.dup2(spool.fileno(), 1)
        os.dup2(spool.fileno(), 2)
        if _fileno(sys.stderr) == 2:  # the process's standard error object: keep our messages visible
            real_stderr = io.TextIOWrapper(io.FileIO(os.dup(saved_err), "w"), encoding=sys.stderr.encoding,
                                           errors="backslashreplace", line_buffering=True)
            sys.stderr = _SortingStderr(real_stderr, spool.fileno())
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("default")
            caught = recorded
            try:
                yield
            finally:
                _flush(sys.stdout, sys.stderr)
                _flush_c_streams()
    finally:
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        os.close(saved_out)
        os.close(saved_err)
        if real_stderr is not None:
            sys.stderr = old_stderr
            real_stderr.close()
        if debug:
            spool.seek(0)
            text = spool.read().decode("utf-8", "replace")
            for w in caught:
                text += f"{w.category.__name__}: {w.message}\n"
            if text:
                sys.stderr.write(text)
                sys.stderr.flush()
        spool.close()


__all__ = ["OWN_PACKAGES", "quiet_streams"]
