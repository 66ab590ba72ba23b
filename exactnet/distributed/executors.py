"""Executors: run independent tasks in this process or on a Dask distributed cluster (docs/distributed.md).

One small interface, :class:`Executor`: ``executor.prepare(setup)`` runs ``setup()`` once in the
main thread of every worker; ``executor.run(fn, tasks, deadline, shared=None)`` calls ``fn(task)``
(``fn(task, shared)`` when ``shared`` is given) for every task and yields ``(index, result)`` pairs
*as the tasks finish* (in any order; callers that need determinism merge by index);
``executor.stream(fn, feeder, deadline)`` does the same for tasks that ``feeder.take(in_flight)``
hands out while earlier ones run (adaptive chunks, :mod:`exactnet.distributed.chunks`). ``fn`` must
be a module-level function and the tasks and results picklable: a worker imports ``fn``'s module
by name. ``shared`` (the networks of a region enumeration) is sent to every worker once, not with
every task.

* :class:`SerialExecutor` — in this process, in order. Never imports Dask.
* :class:`DaskExecutor` — a ``dask.distributed`` client: on a :class:`LocalCluster` of ``workers``
  single-threaded processes that it starts (and stops), or attached to a running scheduler at
  ``address`` (``dask scheduler`` / ``dask worker``). A task whose worker dies is re-run by the
  scheduler on another worker (Dask's ``allowed-failures``); a task that raises is retried
  ``retries`` times and then its exception is raised here. So every yielded result is the
  complete result of its task, exactly once.

:func:`open_executor` chooses from the command-line style options (``workers``, ``scheduler``).
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Iterator, Protocol, Sequence

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import ExactnetError, InputError, MissingDependencyError

#: Seconds the one-socket check of a scheduler address may take (a refused or unroutable address
#: fails at once; the Dask handshake then gets :func:`handshake_timeout`).
CONNECT_TIMEOUT = 10.0
#: Seconds each step of closing a client or a local cluster may take.
CLOSE_TIMEOUT = 2.0
#: How often a task that *raised* is retried (a worker that dies is handled by the scheduler).
RETRIES = 1
#: Dask settings of the local clusters started here (they share the cores with the work): no
#: statistical profiler on the workers (it samples the task thread's stack every 10 ms: measured at
#: 10-20% of the CPU time of region work), and slower housekeeping ticks (event-loop watchdog,
#: system monitor: an idle 2-worker cluster used 7% of a core, 3% with these).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                        "distributed.admin.tick.interval": "200ms",
                        "distributed.admin.system-monitor.interval": "2s",
                        "distributed.admin.system-monitor.gil.enabled": False}


class WorkerError(ExactnetError):
    """A task failed on a worker (it could not import exactnet, ran out of memory, kept dying)."""


class Executor(Protocol):
    """Runs independent tasks; ``workers`` is how many run at the same time."""

    workers: int

    def prepare(self, setup: Callable[[], Any]) -> None:
        """Run ``setup()`` once in the main thread of every worker (module-level function)."""
        ...  # pragma: no cover

    def run(self, fn: Callable[..., Any], tasks: Sequence[Any], deadline: Deadline = NO_DEADLINE,
            shared: Any = None) -> Iterator[tuple[int, Any]]:
        """``(index, fn(tasks[index][, shared]))`` for every task, in the order they finish."""
        ...  # pragma: no cover

    def stream(self, fn: Callable[[Any], Any], feeder: "Feeder",
               deadline: Deadline = NO_DEADLINE) -> Iterator[tuple[Any, Any]]:
        """``(task, fn(task))`` for every task that ``feeder.take(in_flight)`` hands out (asked
        again after every finished task), in the order they finish."""
        ...  # pragma: no cover

    def close(self) -> None:
        ...  # pragma: no cover


class Feeder(Protocol):
    def take(self, in_flight: int) -> list:
        """The tasks to start now, given how many are running or queued (``[]``: none yet, or no
        more: the stream ends when nothing is in flight and ``take`` gives nothing)."""
        ...  # pragma: no cover


def _call(fn, shared):
    return fn if shared is None else (lambda task: fn(task, shared))


class SerialExecutor:
    """Every task in this process, one after the other (the default; no Dask import)."""

    workers = 1

    def prepare(self, setup: Callable[[], Any]) -> None:
        setup()

    def run(self, fn, tasks, deadline: Deadline = NO_DEADLINE, shared=None):
        call = _call(fn, shared)
        for i, task in enumerate(tasks):
            deadline.check("the tasks")
            yield i, call(task)

    def stream(self, fn, feeder, deadline: Deadline = NO_DEADLINE):
        while True:
            tasks = feeder.take(0)
            if not tasks:
                return
            for task in tasks:
                deadline.check("the tasks")
                yield task, fn(task)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("dask[distributed]", "distributed", "--workers/--scheduler") from None
    return distributed


_ADDRESS = re.compile(r"^(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})/?$")


def handshake_timeout() -> float:
    """Seconds Dask's handshake with a scheduler may take: Dask's own setting
    ``distributed.comm.timeouts.connect`` (30 s unless configured, e.g. by the environment variable
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=60s``), at least :data:`CONNECT_TIMEOUT`. A fixed
    short limit failed on a loaded machine, where a new client's first messages wait for a core."""
    import dask
    from dask.utils import parse_timedelta

    configured = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect", "30s"), default="seconds")
    return max(CONNECT_TIMEOUT, float(configured or 0))


def reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """A clear :class:`~exactnet.errors.InputError` unless ``address`` is ``[tcp|tls://]host:port``
    and something accepts connections there (checked with one socket, so a refused or unroutable
    address fails at once instead of after Dask's retries)."""
    import socket

    m = _ADDRESS.match(address.strip())
    if m is None:
        raise InputError(f"not a scheduler address: {address!r} (expected tcp://HOST:PORT)")
    host, port = m.group(2).strip("[]"), int(m.group(3))
    if not 0 < port < 65536:
        raise InputError(f"not a scheduler address: {address!r} (port {port} out of range)")
    try:
        with socket.create_connection((host, port), timeout=min(timeout, 5.0)):
            pass
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address!r}: "
                         f"{exc.strerror or type(exc).__name__}") from None


def _connect(distributed, address: str, timeout: float):
    """A client of the scheduler at ``address``, or a clear error within about ``timeout`` seconds
    (a half-made client is closed quickly and quietly, not at garbage collection)."""
    made = []

    class _Client(distributed.Client):
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

    try:
        return _Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, a garbled handshake
        # a peer that is not a Dask scheduler can announce an absurd message size (MemoryError)
        reason = "the peer does not speak the Dask protocol" if isinstance(exc, MemoryError) else type(exc).__name__
    for client in made:
        try:
            client._Client__loop = None  # nothing to close: __del__ then skips the 20 s shutdown
        except Exception:  # pragma: no cover
            pass
    raise InputError(f"cannot connect to a Dask scheduler at {address!r} within {timeout:g} s ({reason})")


class DaskExecutor:
    """Tasks on a Dask distributed cluster (see the module docstring).

    ``DaskExecutor(workers=N)`` starts a local cluster of ``N`` single-threaded worker processes;
    ``DaskExecutor(address="tcp://host:8786")`` attaches to a running scheduler (a clear
    :class:`~exactnet.errors.InputError` when it cannot be reached within ``connect_timeout``
    seconds, by default :func:`handshake_timeout`).
    """

    def __init__(self, workers: int | None = None, address: str | None = None, *,
                 connect_timeout: float | None = None, retries: int = RETRIES):
        if (workers is None) == (address is None):
            raise InputError("give either a number of workers or a scheduler address")
        if workers is not None and workers < 1:
            raise InputError(f"the number of workers must be at least 1, got {workers}")
        distributed = _import_distributed()
        self.retries = retries
        self.cluster = None
        self._prepared: list = []
        if address is None:
            import dask

            with dask.config.set(LOCAL_CLUSTER_CONFIG):  # the nannies pass it to the worker processes
                self.cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                    silence_logs=50, worker_dashboard_address=None)
                try:
                    self.client = distributed.Client(self.cluster, set_as_default=False)
                except BaseException:
                    self.cluster.close()
                    raise
        else:
            reachable(address, CONNECT_TIMEOUT)
            self.client = _connect(distributed, address, connect_timeout or handshake_timeout())
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or (workers or 1))
        self.address = address

    def worker_pids(self) -> dict[str, int]:
        """The process id of every worker (address → pid), e.g. to show that a killed worker's
        tasks are re-run."""
        return self.client.run(os.getpid)

    def prepare(self, setup: Callable[[], Any]) -> None:
        """Run ``setup()`` on every worker's main thread, now and on workers that join later
        (a worker that cannot run it, e.g. cannot import exactnet, is a clear error)."""
        if setup in self._prepared:
            return
        from .worker_plugin import Setup

        try:
            self.client.register_plugin(Setup(setup))
        except Exception as exc:
            raise WorkerError(f"the workers could not be set up ({type(exc).__name__}: {exc});"
                              " is exactnet installed where the workers run?") from None
        self._prepared.append(setup)

    def run(self, fn, tasks, deadline: Deadline = NO_DEADLINE, shared=None):
        tasks = list(tasks)
        if not tasks:
            return
        args: list = [tasks]
        if shared is not None:  # to every worker once (keyed by its hash), not pickled into each task
            [data] = self.client.scatter([shared], broadcast=True, hash=True)
            args.append([data] * len(tasks))
        futures = self.client.map(fn, *args, pure=False, retries=self.retries)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut, result in self._finished(futures, deadline):
            yield index[fut.key], result

    def stream(self, fn, feeder, deadline: Deadline = NO_DEADLINE):
        of: dict = {}

        def submit(in_flight: int) -> list:
            new = []
            for task in feeder.take(in_flight):
                fut = self.client.submit(fn, task, pure=False, retries=self.retries)
                of[fut.key] = task
                new.append(fut)
            return new

        for fut, result in self._finished(submit(0), deadline, more=submit):
            yield of.pop(fut.key), result

    def _finished(self, futures: list, deadline: Deadline, more=None):
        """``(future, result)`` as the futures finish (blocking waits, no polling); ``more(in_flight)``
        adds futures after each one finishes. A task's exception is raised here; at the deadline
        :class:`TimeLimitReached`; unfinished futures are cancelled on the way out."""
        distributed = _import_distributed()
        pending = set(futures)
        if not pending:
            return
        remaining = deadline.remaining()
        done_iter = distributed.as_completed(futures, with_results=False, loop=self.client.loop,
                                             timeout=None if remaining is None else max(remaining, 0.0))
        try:
            while pending:
                try:
                    fut = next(done_iter)
                except StopIteration:  # pragma: no cover - the set empties first
                    break
                except TimeoutError:
                    raise TimeLimitReached("time limit reached while waiting for the workers") from None
                pending.discard(fut)
                if fut.status == "error":
                    exc = fut.exception()
                    if isinstance(exc, ExactnetError):
                        raise exc
                    raise WorkerError(f"a task failed on a worker: {type(exc).__name__}: {exc}")
                if fut.status == "cancelled":  # pragma: no cover - only we cancel
                    raise WorkerError("a task was cancelled by the cluster")
                result = fut.result()
                yield fut, result
                if more is not None:
                    for new in more(len(pending)):
                        pending.add(new)
                        done_iter.add(new)
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        """Disconnect; stop the local cluster (bounded waits: a local worker also ends by itself
        when this process ends)."""
        try:
            self.client.close(timeout=CLOSE_TIMEOUT)
        except Exception:  # pragma: no cover - a slow or gone scheduler
            pass
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=CLOSE_TIMEOUT)
            except Exception:  # pragma: no cover
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LazyExecutor:
    """An executor made by ``factory()`` on first use (a cluster is started or attached only when
    some work is actually split into tasks), closed by :meth:`close` if it was made."""

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self._executor = None

    @property
    def executor(self):
        if self._executor is None:
            self._executor = self._factory()
        return self._executor

    @property
    def workers(self) -> int:
        return self.executor.workers

    def prepare(self, setup: Callable[[], Any]) -> None:
        self.executor.prepare(setup)

    def run(self, fn, tasks, deadline: Deadline = NO_DEADLINE, shared=None):
        return self.executor.run(fn, tasks, deadline, shared)

    def stream(self, fn, feeder, deadline: Deadline = NO_DEADLINE):
        return self.executor.stream(fn, feeder, deadline)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
            self._executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_executor(workers: int | None = None, scheduler: str | None = None, *, lazy: bool = False):
    """The executor for ``--workers N`` / ``--scheduler ADDRESS`` (neither, or one worker:
    :class:`SerialExecutor`); ``lazy``: the cluster is started or attached on first use."""
    if workers is not None and scheduler is not None:
        raise InputError("give --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if scheduler is not None:
        factory = lambda: DaskExecutor(address=scheduler)  # noqa: E731
    elif workers is not None and workers > 1:
        factory = lambda: DaskExecutor(workers=workers)  # noqa: E731
    else:
        return SerialExecutor()
    return LazyExecutor(factory) if lazy else factory()


__all__ = ["CONNECT_TIMEOUT", "DaskExecutor", "Executor", "LazyExecutor", "SerialExecutor", "WorkerError", "open_executor"]
