"""Progress reporting for long computations (region enumeration, solvers, reproduction).

Algorithms take an optional ``progress`` argument implementing :class:`Progress` and call
``progress.advance()`` as work completes; they never print. :func:`null_progress` does nothing;
the command line passes :func:`exactnet.cli.progress.console_progress`, a Rich progress line on
standard error (only on a terminal), so ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def set_total(self, total: int | None) -> None: ...

    def describe(self, text: str) -> None: ...


class _Null:
    def advance(self, amount: int = 1) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass

    def describe(self, text: str) -> None:
        pass


def null_progress() -> Progress:
    return _Null()


__all__ = ["Progress", "null_progress"]
