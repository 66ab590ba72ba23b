"""A Dask worker plugin that runs a setup function once on every worker, in the worker's main
thread (imported only by :class:`~exactnet.distributed.executors.DaskExecutor`).

Why: some extension modules may only be first imported in a process's main thread (``ppl``
loads ``cysignals``, which installs signal handlers), while Dask runs tasks in a thread pool.
"""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class Setup(WorkerPlugin):
    """Calls ``fn()`` when a worker starts (and on workers that join later)."""

    def __init__(self, fn):
        self.fn = fn
        self.name = f"exactnet-setup:{fn.__module__}.{fn.__qualname__}"

    def setup(self, worker):
        self.fn()
