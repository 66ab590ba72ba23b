"""``--workers N`` / ``--scheduler ADDRESS``: where split region work runs (docs/distributed.md)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import click

from ..deadline import Deadline

#: Seconds of the time limit kept for stopping a cluster (the answer is printed after it stops).
SHUTDOWN_RESERVE = 5.0

WORKERS_HELP = ("Split the region work into subtree tasks and run them on a local Dask cluster of N worker"
                " processes (same answer and certificate as without it).")
SCHEDULER_HELP = "Run the subtree tasks on the Dask cluster whose scheduler listens at ADDRESS (tcp://host:port)."


def cluster_options(fn):
    """``--workers N`` and ``--scheduler ADDRESS``."""
    fn = click.option("--scheduler", default=None, metavar="ADDRESS", help=SCHEDULER_HELP)(fn)
    return click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N", help=WORKERS_HELP)(fn)


@contextmanager
def executor_for(workers: int | None, scheduler: str | None, *, lazy: bool = True) -> Iterator:
    """``None`` when neither option is given (the serial code path, no Dask import); else an
    executor, started on first use and closed on the way out."""
    if workers is None and scheduler is None:
        yield None
        return
    from ..distributed import open_executor

    ex = open_executor(workers, scheduler, lazy=lazy)
    try:
        yield ex
    finally:
        ex.close()


def work_deadline(deadline: Deadline, executor) -> Deadline:
    """The deadline for the work itself: with a cluster, ``SHUTDOWN_RESERVE`` seconds earlier
    (at most half the time left), so that stopping the cluster still fits in the time limit."""
    if executor is None or deadline.at is None:
        return deadline
    left = deadline.remaining() or 0.0
    return Deadline(deadline.at - min(SHUTDOWN_RESERVE, left / 2))
