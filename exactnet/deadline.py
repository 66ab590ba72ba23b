"""Time limits for complete-but-expensive procedures.

A :class:`Deadline` is passed down explicitly; long loops call :meth:`Deadline.check`, which
raises :class:`TimeLimitReached`. Callers turn that into an honest ``unknown`` verdict
(CLI exit 3, ``equivalent: null``) with the reason.

Cooperative checks cannot interrupt a long call into C (FLINT, PPL) or a loop without a check.
The command line therefore backs every deadline with an alarm that raises
:class:`TimeLimitInterrupt` in Python code shortly after the deadline, and with a supervising
process that ends the computation if it still runs after that (``docs/cli.md``, "Time limits").
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from .errors import ExactnetError


class TimeLimitReached(ExactnetError):
    """The time limit ran out before the procedure finished (raised by :meth:`Deadline.check`)."""


class TimeLimitInterrupt(BaseException):
    """The time limit ran out and the computation was interrupted asynchronously (by an alarm).

    Derived from ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception``
    on the way (a file reader's error translation, a decider's partial-answer handler) can turn
    it into an error message or keep computing: it reaches the command line, which answers
    ``unknown``.
    """


def is_time_limit_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is the asynchronous time-limit interrupt: :class:`TimeLimitInterrupt`, or
    ``cysignals``' ``AlarmInterrupt`` (pplpy's signal handling turns the alarm into it, even inside
    PPL's C code)."""
    return isinstance(exc, TimeLimitInterrupt) or (
        type(exc).__name__ == "AlarmInterrupt" and type(exc).__module__.startswith("cysignals"))


@dataclass(frozen=True)
class Deadline:
    """An absolute point in ``time.monotonic()`` time (``None``: no limit)."""

    at: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> "Deadline":
        if seconds is not None and (math.isnan(seconds) or seconds < 0):
            raise ValueError(f"a time limit is a number of seconds >= 0, got {seconds!r}")
        return cls(None if seconds is None else time.monotonic() + float(seconds))

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def check(self, what: str = "the computation") -> None:
        if self.expired():
            raise TimeLimitReached(f"time limit reached during {what}")


NO_DEADLINE = Deadline()
