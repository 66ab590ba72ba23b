"""Running registered claims (``exactnet reproduce``; rendering in :mod:`exactnet.cli.reproduce`)."""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, ContextManager

from .registry import Entry


@dataclass(frozen=True)
class ClaimRun:
    """One claim, run: whether it ``holds``, the ``details`` the check reported, the time taken."""

    name: str
    source: str
    statement: str
    holds: bool
    details: str
    seconds: float
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"name": self.name, "source": self.source, "statement": self.statement, "holds": self.holds,
               "details": self.details, "seconds": self.seconds}
        if self.data:
            out["data"] = self.data
        return out


def run_claims(entries: list[Entry], quick: bool = False,
               around: Callable[[Entry], ContextManager] | None = None) -> list[ClaimRun]:
    """Run each claim (``quick``: the smaller instances); ``around(entry)`` is entered while the
    claim runs (the CLI shows a status line with it)."""
    runs = []
    for entry in entries:
        start = time.perf_counter()
        with (around(entry) if around is not None else nullcontext()):
            outcome = entry.run(quick=quick)
        runs.append(ClaimRun(entry.claim.name, entry.claim.source, entry.claim.statement, bool(outcome.holds),
                             outcome.details, round(time.perf_counter() - start, 3), dict(outcome.data or {})))
    return runs


__all__ = ["ClaimRun", "run_claims"]
