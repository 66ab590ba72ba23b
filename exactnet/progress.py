"""Progress reporting for long computations (region enumeration, solvers, reproduction).

Algorithms take an optional ``progress`` argument implementing :class:`Progress` and call
``progress.advance()`` as work completes; they never print. :func:`null_progress` does nothing;
the command line passes a stage of its command's progress report
(:func:`exactnet.cli.progress.console_progress`), shown on standard error only — a Rich line on a
terminal, plain periodic lines otherwise (``docs/cli.md``, "Progress") — so ``--json`` output on
standard output stays clean.
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
