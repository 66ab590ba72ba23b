"""A Rich progress line on standard error for long computations (the :class:`~exactnet.progress.Progress`
protocol that the deciding code reports to)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from ..progress import Progress, null_progress


class _RichProgress:
    def __init__(self, bar, task):
        self._bar, self._task = bar, task

    def advance(self, amount: int = 1) -> None:
        self._bar.advance(self._task, amount)

    def set_total(self, total: int | None) -> None:
        self._bar.update(self._task, total=total)

    def describe(self, text: str) -> None:
        self._bar.update(self._task, description=text)


@contextmanager
def console_progress(description: str, total: int | None = None, force: bool = False) -> Iterator[Progress]:
    """A progress line on stderr while the block runs (a no-op when stderr is not a terminal)."""
    if not (force or sys.stderr.isatty()):
        yield null_progress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn, TextColumn, \
        TimeElapsedColumn

    bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(description, total=total)
        yield _RichProgress(bar, task)


__all__ = ["console_progress"]
