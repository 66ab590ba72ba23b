"""Independent tasks in this process or on a Dask distributed cluster (docs/distributed.md)."""

from .executors import CONNECT_TIMEOUT, DaskExecutor, Executor, LazyExecutor, SerialExecutor, WorkerError, open_executor

__all__ = ["CONNECT_TIMEOUT", "DaskExecutor", "Executor", "LazyExecutor", "SerialExecutor", "WorkerError", "open_executor"]
