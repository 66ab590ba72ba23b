"""Many small independent items as a few tasks per worker, sized from measured item times
(docs/distributed.md § Chunks).

A cluster spends a roughly constant time on every task (the client sends it to the scheduler,
the scheduler to a worker, the result comes back the same way: milliseconds of CPU on the same
cores that do the work, on a small machine). Two hundred questions of 25 ms each are therefore
sent as chunks of several questions. How many is measured, not guessed (guided self-scheduling):

* the first ``2 × workers`` chunks hold one item each (every worker has one running and one
  queued, so no worker waits for the coordinator);
* every later chunk holds ``⌊target / t⌋`` items, ``t`` the mean seconds per item measured on
  the workers so far (each chunk times itself), at most ``⌈r / (2 × workers)⌉`` when ``r`` items
  are left (the chunks shrink towards the end, so the workers finish at about the same time), at
  least one;
* ``2 × workers`` chunks are kept in flight (queued on the workers or running).

With one worker (in-process) every chunk is one item. Results come back per item, merged by the
item's index, so the chunking never changes what is computed, only how it is shipped.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from ..deadline import NO_DEADLINE, Deadline

#: Seconds of work a chunk aims at (per-task overhead is a few milliseconds).
TARGET_SECONDS = 0.5
#: Chunks in flight per worker.
IN_FLIGHT = 2


@dataclass(frozen=True)
class Chunk:
    """Items ``indices`` of one run, to be passed one by one to ``fn`` on a worker."""

    fn: Callable[[Any], Any]
    indices: tuple[int, ...]
    items: tuple


def run_chunk(chunk: Chunk) -> tuple[tuple, float]:
    """``fn`` of every item of the chunk, and the wall-clock seconds it took (a worker's task)."""
    start = time.perf_counter()
    results = tuple(chunk.fn(item) for item in chunk.items)
    return results, time.perf_counter() - start


class ChunkFeeder:
    """Hands out the chunks of ``items`` (see the module docstring); :meth:`record` is told how
    long each finished chunk took. With ``load``, ``items`` are descriptions and ``load(item)``
    makes the task when its chunk is handed out (``None``: no task, the item is skipped), so the
    coordinator reads inputs while the workers already work."""

    def __init__(self, fn, items: Sequence[Any], workers: int, target: float = TARGET_SECONDS,
                 load: Callable[[Any], Any] | None = None):
        self.fn, self.items, self.workers, self.target = fn, list(items), max(1, workers), target
        self.load = load
        self.next = 0
        self.measured_items = 0
        self.measured_seconds = 0.0
        self.sizes: list[int] = []

    def size(self) -> int:
        left = len(self.items) - self.next
        if self.workers == 1 or self.measured_items == 0:
            return min(1, left)
        per_item = self.measured_seconds / self.measured_items
        wanted = math.inf if per_item <= 0 else math.floor(self.target / per_item)
        guided = math.ceil(left / (IN_FLIGHT * self.workers))
        return max(1, min(wanted, guided, left))

    def take(self, in_flight: int) -> list[Chunk]:
        out = []
        while self.next < len(self.items) and in_flight + len(out) < IN_FLIGHT * self.workers:
            n = self.size()
            idx, tasks = [], []
            while len(tasks) < n and self.next < len(self.items):
                task = self.items[self.next] if self.load is None else self.load(self.items[self.next])
                if task is not None:
                    idx.append(self.next)
                    tasks.append(task)
                self.next += 1
            if tasks:
                out.append(Chunk(self.fn, tuple(idx), tuple(tasks)))
                self.sizes.append(len(tasks))
        return out

    def record(self, chunk: Chunk, seconds: float) -> None:
        self.measured_items += len(chunk.indices)
        self.measured_seconds += seconds


def run_in_chunks(executor, fn, items: Sequence[Any], deadline: Deadline = NO_DEADLINE, *,
                  target: float = TARGET_SECONDS, load: Callable[[Any], Any] | None = None,
                  feeder: ChunkFeeder | None = None) -> Iterator[tuple[int, Any]]:
    """``(index, fn(items[index]))`` (``fn(load(items[index]))`` with ``load``) for every item, as the
    chunks holding them finish."""
    feeder = feeder or ChunkFeeder(fn, items, executor.workers, target, load)
    for chunk, (results, seconds) in executor.stream(run_chunk, feeder, deadline):
        feeder.record(chunk, seconds)
        yield from zip(chunk.indices, results)


__all__ = ["Chunk", "ChunkFeeder", "IN_FLIGHT", "TARGET_SECONDS", "run_chunk", "run_in_chunks"]
