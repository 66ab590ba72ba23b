"""What a checker answers: valid or invalid, with the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``valid`` (every hypothesis of the certificate's theorem was
    verified exactly) and the ``reason``, which names the failed hypothesis when invalid."""

    valid: bool
    reason: str


class Invalid(Exception):
    """Raised inside a checker when a number of the certificate does not support its claim
    (caught by the checker and turned into ``CheckResult(False, reason)``)."""


__all__ = ["CheckResult", "Invalid"]
