"""Adaptive chunks (exactnet/distributed/chunks.py) without a cluster: every item answered exactly
once at its own index whatever order the chunks finish in, chunk sizes from measured times
(one item at first, about ``target / t`` later, shrinking towards the end), lazy loading."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import NO_DEADLINE
from exactnet.distributed import SerialExecutor
from exactnet.distributed.chunks import IN_FLIGHT, ChunkFeeder, run_chunk, run_in_chunks


def _cube(x):
    return x ** 3


class ShuffledExecutor:
    """A stand-in for a cluster of ``workers``: keeps what the feeder hands out in flight and
    finishes a random one of them each time (so chunks finish in any order)."""

    def __init__(self, workers: int, seed: int):
        self.workers, self.rnd = workers, random.Random(seed)
        self.most_in_flight = 0

    def stream(self, fn, feeder, deadline=NO_DEADLINE):
        flight = list(feeder.take(0))
        while flight:
            self.most_in_flight = max(self.most_in_flight, len(flight))
            task = flight.pop(self.rnd.randrange(len(flight)))
            yield task, fn(task)
            flight += feeder.take(len(flight))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 120), workers=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_every_item_once_at_its_index_whatever_the_finishing_order(n, workers, seed):
    items = [k - n // 2 for k in range(n)]
    ex = ShuffledExecutor(workers, seed)
    got = list(run_in_chunks(ex, _cube, items, target=1e-4))
    assert sorted(i for i, _ in got) == list(range(n))
    assert all(r == items[i] ** 3 for i, r in got)
    assert ex.most_in_flight <= IN_FLIGHT * workers


def test_sizes_follow_the_measured_time_and_shrink_at_the_end():
    workers, n = 2, 200
    feeder = ChunkFeeder(_cube, range(n), workers, target=0.5)
    first = feeder.take(0)
    assert [len(c.indices) for c in first] == [1] * (IN_FLIGHT * workers)  # nothing measured yet
    for c in first:
        feeder.record(c, 0.025 * len(c.indices))  # 25 ms per item
    sizes = [len(c.indices) for c in feeder.take(0)]
    assert sizes[0] == math.floor(0.5 / 0.025) == 20  # target / measured time per item
    while True:
        more = feeder.take(0)
        if not more:
            break
        sizes += [len(c.indices) for c in more]
    left = n - IN_FLIGHT * workers
    assert sum(sizes) == left
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1  # guided: shrinking towards the end
    assert all(s <= math.ceil((left - sum(sizes[:k])) / (IN_FLIGHT * workers)) for k, s in enumerate(sizes))


def test_one_worker_is_one_item_per_chunk_and_in_order():
    ex = SerialExecutor()
    assert list(run_in_chunks(ex, _cube, [3, 1, 2])) == [(0, 27), (1, 1), (2, 8)]
    feeder = ChunkFeeder(_cube, range(10), 1)
    feeder.record(feeder.take(0)[0], 1e-9)
    assert all(len(c.indices) == 1 for c in feeder.take(0))


def test_lazy_loading_skips_items_without_a_task_and_keeps_indices():
    loaded = []

    def load(x):
        loaded.append(x)
        return None if x % 3 == 0 else x

    ex = ShuffledExecutor(3, 0)
    got = dict(run_in_chunks(ex, _cube, list(range(30)), load=load, target=1e-4))
    assert got == {i: i ** 3 for i in range(30) if i % 3}
    assert sorted(loaded) == list(range(30))  # each item read once


def test_a_chunk_times_itself():
    feeder = ChunkFeeder(_cube, [2, 3], 2)
    [a, b] = feeder.take(0)
    results, seconds = run_chunk(a)
    assert results == (8,) and seconds >= 0 and b.indices == (1,)
