"""Time limits for complete-but-expensive procedures.

A :class:`Deadline` is passed down explicitly; long loops call :meth:`Deadline.check`, which
raises :class:`TimeLimitReached`. Callers turn that into an honest ``unknown`` verdict
(CLI exit 3, ``equivalent: null``) with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import ExactnetError


class TimeLimitReached(ExactnetError):
    """The time limit ran out before the procedure finished."""


@dataclass(frozen=True)
class Deadline:
    """An absolute point in ``time.monotonic()`` time (``None``: no limit)."""

    at: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> "Deadline":
        return cls(None if seconds is None else time.monotonic() + float(seconds))

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def check(self, what: str = "the computation") -> None:
        if self.expired():
            raise TimeLimitReached(f"time limit reached during {what}")


NO_DEADLINE = Deadline()
