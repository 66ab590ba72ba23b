"""Region enumeration split into independent subtree tasks (docs/distributed.md).

The enumeration of :func:`~exactnet.relu.regions.walk` is a deterministic binary tree: a node is
named by its *path*, the branch choices (``+1`` positive side, ``−1`` negative side) of the splits
above it. :func:`plan` expands the top of the tree in this process, breadth by breadth (depth
``d = 1, 2, …``), until there are at least ``per_worker × workers`` open subtrees (or the tree is
exhausted); each open subtree is one task, run by any :class:`~exactnet.distributed.Executor`
(in-process or on Dask workers). A worker recomputes the path from the root (a few splits) and
enumerates the subtree below it.

Merging is by path, never by finishing order: the serial walk visits the positive side first,
so the plan's items (regions found above depth ``d`` and open subtrees, in serial order) with
every open subtree replaced by its task's result *are* the serial enumeration. Hence the same
count, the same first regions, the same first witness and — after the recorded trees are stitched
and renumbered in the serial allocation order (:func:`stitch`) — byte-identical region-tree
certificates, whatever the number of workers.

Task functions (module level, picklable arguments and results; the networks and the domain, a
:class:`SubtreeInputs`, reach every worker once, not with each task):

* :func:`count_subtree` — the number of regions, which are degenerate, and the first few (packed);
* :func:`compare_subtree` — tier (d) of equivalence on a subtree: cells, the first cell where the
  two networks' affine maps differ (an exact witness), the recorded certificate tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..network import Network
from ..network.domain import Polyhedron
from ..progress import Progress, null_progress
from .certificates import TreeRecorder
from .regions import AffineMap, OpenSubtree, Region, walk

#: Open subtrees per worker that :func:`plan` aims for (dynamic load balancing of uneven subtrees:
#: on the 22,554-region benchmark, 8 per worker left the longest subtree at 18% of the regions and
#: 2 workers at 96% of the ideal balance; 16 per worker: 10% and 99%).
PER_WORKER = 16
#: The deepest the plan expands in this process.
MAX_DEPTH = 20


# ---------------------------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The top of the enumeration tree: ``items`` in serial order, each a :class:`Region` found
    above the cut or an :class:`OpenSubtree` (a task); ``nodes`` the recorded top tree (or ``None``)."""

    items: tuple
    nodes: list | None
    depth: int

    @property
    def open(self) -> list[OpenSubtree]:
        return [it for it in self.items if isinstance(it, OpenSubtree)]


def plan(nets: Sequence[Network], domain: Polyhedron | None, *, workers: int, method: str = "auto",
         record: bool = False, per_worker: int = PER_WORKER, max_depth: int = MAX_DEPTH,
         deadline: Deadline = NO_DEADLINE) -> Plan:
    """Expand the top of the tree until ``per_worker × workers`` subtrees are open (or none is, or
    they are ``max_depth`` splits deep). Every node is computed once: the open subtrees of one
    round are continued in this process (``walk(resume=...)``), the cut moving down by about the
    number of levels still needed (``log2`` of the missing factor) per round."""
    target = max(1, per_worker * workers)
    recorder = TreeRecorder() if record else None
    nets = list(nets)
    depth = 1
    items = list(walk(nets, domain, method=method, deadline=deadline, recorder=recorder, open_depth=depth))
    while True:
        opened = sum(isinstance(it, OpenSubtree) for it in items)
        if opened == 0 or opened >= target or depth >= max_depth:
            break
        depth = min(max_depth, depth + max(1, math.ceil(math.log2(target / opened))))
        grown: list = []
        for it in items:
            if isinstance(it, OpenSubtree):
                grown.extend(walk(nets, domain, method=method, deadline=deadline, recorder=recorder,
                                  open_depth=depth, resume=[it]))
            else:
                grown.append(it)
        items = grown
    return Plan(tuple(items), recorder.nodes if recorder else None, depth)


# ---------------------------------------------------------------------------------------------
# packing regions (flint matrices do not pickle)
# ---------------------------------------------------------------------------------------------


def _pack_map(m: AffineMap):
    w, b = m.weight, m.bias
    return (w.nrows(), w.ncols(), tuple(str(w[i, j]) for i in range(w.nrows()) for j in range(w.ncols())),
            tuple(str(b[i, 0]) for i in range(b.nrows())))


def _unpack_map(packed) -> AffineMap:
    rows, cols, w, b = packed
    return AffineMap(fmpq_mat(rows, cols, [fmpq(*_parts(v)) for v in w]),
                     fmpq_mat(rows, 1, [fmpq(*_parts(v)) for v in b]))


def _parts(text: str) -> tuple[int, int]:
    p, _, q = text.partition("/")
    return int(p), int(q or 1)


def pack_region(r: Region, point: bool = True):
    """A picklable form of a region (with ``point``: its interior point, computed if needed)."""
    return (r.patterns, tuple(_pack_map(m) for m in r.maps), r.rows, r.dim,
            tuple(r.point) if point else r.known_point)


def unpack_region(packed) -> Region:
    patterns, maps, rows, dim, point = packed
    return Region(patterns, tuple(_unpack_map(m) for m in maps), rows, dim, point)


# ---------------------------------------------------------------------------------------------
# tasks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubtreeInputs:
    """What every subtree task of one enumeration shares: sent to each worker once
    (``executor.run(..., shared=inputs)``), not with every task."""

    nets: tuple
    domain: object


@dataclass(frozen=True)
class SubtreeTask:
    """Enumerate the subtree below ``path`` of the walk of the shared :class:`SubtreeInputs`
    (``seconds``: the time the worker may spend; ``keep``: regions to return; ``limit``: stop after
    so many regions; ``record``: record the certificate tree)."""

    path: tuple[int, ...]
    method: str = "auto"
    seconds: float | None = None
    keep: int = 0
    limit: int | None = None
    record: bool = False
    points: bool = True


@dataclass(frozen=True)
class SubtreeCount:
    count: int
    degenerate: tuple[int, ...]   # indices (in the subtree's order) of the degenerate regions
    kept: tuple                   # the first ``keep`` regions, packed
    complete: bool                # False when the task stopped at its ``limit``


def count_subtree(task: SubtreeTask, inputs: SubtreeInputs) -> SubtreeCount:
    """The regions of one subtree (a worker's task for ``regions``)."""
    deadline = Deadline.after(task.seconds)
    count, degenerate, kept = 0, [], []
    for r in walk(list(inputs.nets), inputs.domain, method=task.method, deadline=deadline, prefix=task.path,
                  points=task.points):
        if r.is_degenerate:
            degenerate.append(count)
        if len(kept) < task.keep:
            kept.append(pack_region(r, task.points))
        count += 1
        if task.limit is not None and count >= task.limit:
            return SubtreeCount(count, tuple(degenerate), tuple(kept), False)
    return SubtreeCount(count, tuple(degenerate), tuple(kept), True)


@dataclass(frozen=True)
class SubtreeComparison:
    cells: int                    # cells enumerated (up to and including the witness's)
    witness: tuple | None         # the first point (serial order) where the maps differ
    nodes: list | None            # the recorded tree, from the root (the path's siblings empty)


def compare_subtree(task: SubtreeTask, inputs: SubtreeInputs) -> SubtreeComparison:
    """Tier (d) of equivalence on one subtree (a worker's task for ``equiv``)."""
    deadline = Deadline.after(task.seconds)
    recorder = TreeRecorder() if task.record else None
    cells = 0
    for region in walk(list(inputs.nets), inputs.domain, method=task.method, deadline=deadline,
                       recorder=recorder, prefix=task.path):
        cells += 1
        witness = differing_point(region)
        if witness is not None:
            return SubtreeComparison(cells, witness, None)
    return SubtreeComparison(cells, None, recorder.nodes if recorder else None)


def differing_point(region: Region) -> tuple | None:
    """A point of the region where the two networks' affine maps differ, or ``None`` if they agree."""
    ma, mb = region.maps
    if ma == mb:
        return None
    for x in region.simplex_points():
        if ma(x) != mb(x):
            return tuple(x)
    raise AssertionError("internal error: differing affine maps agree on a simplex")  # pragma: no cover


def worker_setup() -> None:
    """Load the exact polyhedra library on a worker's main thread (it installs signal handlers,
    which Python allows only there; tasks run in a worker's thread pool)."""
    from ..polyhedra import ClosedPolyhedron

    ClosedPolyhedron(1, ())


def tasks_for(p: Plan, *, method: str, deadline: Deadline, **options) -> list[SubtreeTask]:
    seconds = deadline.remaining()
    return [SubtreeTask(o.path, method, seconds, **options) for o in p.open]


def run_tasks(executor, fn, tasks: list, inputs: SubtreeInputs, deadline: Deadline, progress: Progress,
              out: dict | None = None, enough=None) -> dict:
    """``{path: result}`` for every task (whatever the finishing order), filled into ``out`` as
    results arrive (so a caller that catches the time limit keeps the finished ones); stops early
    (cancelling the rest) once ``enough(out)`` is true."""
    out = {} if out is None else out
    if tasks:
        executor.prepare(worker_setup)
    for i, result in executor.run(fn, tasks, deadline, shared=inputs):
        out[tasks[i].path] = result
        progress.advance()
        if enough is not None and enough(out):
            break
    return out


# ---------------------------------------------------------------------------------------------
# stitching recorded trees
# ---------------------------------------------------------------------------------------------


def _node_at(nodes: list, path: tuple[int, ...]) -> int:
    v = 0
    for side in path:
        v = nodes[v]["children"][0 if side > 0 else 1]
    return v


def stitch(top: list, subtrees: dict) -> list:
    """The recorded tree of the whole enumeration: the ``top`` tree of the plan with the node at
    every open ``path`` replaced by the subtree below ``path`` in ``subtrees[path]`` (each recorded
    from the root), renumbered in the order the serial walk allocates node ids (depth first,
    positive side first, both children numbered when their parent splits)."""
    merged: list = [dict(node) for node in top]
    for path, nodes in subtrees.items():
        target = _node_at(merged, path)
        source = _node_at(nodes, path)
        ids = {source: target}
        todo = [source]
        while todo:
            v = todo.pop()
            node = dict(nodes[v])
            if "children" in node:
                kids = []
                for c in node["children"]:
                    ids[c] = len(merged)
                    merged.append(None)
                    kids.append(ids[c])
                    todo.append(c)
                node["children"] = kids
            merged[ids[v]] = node
    return renumber(merged)


def renumber(nodes: list) -> list:
    """The tree with node ids in serial allocation order (see :func:`stitch`)."""
    new = {0: 0}
    order = [0]
    stack = [0]
    while stack:
        v = stack.pop()
        kids = nodes[v].get("children")
        if kids:
            for c in kids:
                new[c] = len(order)
                order.append(c)
            stack.append(kids[1])
            stack.append(kids[0])
    out = []
    for v in order:
        node = dict(nodes[v])
        if "children" in node:
            node["children"] = [new[c] for c in node["children"]]
        out.append(node)
    return out


# ---------------------------------------------------------------------------------------------
# the two consumers
# ---------------------------------------------------------------------------------------------


def list_regions_on(executor, nets: Sequence[Network], domain: Polyhedron | None = None, *,
                    limit: int | None = None, keep: int | None = None, deadline: Deadline = NO_DEADLINE,
                    progress: Progress | None = None, method: str = "auto"):
    """:func:`~exactnet.relu.regions.list_regions` with the subtrees run by ``executor``: the same
    listing (count, completeness, degenerate count, the first ``keep`` regions) as the serial one;
    at the time limit, the regions of the finished subtrees (a lower bound)."""
    from .regions import RegionListing, list_regions

    if not all(net.is_rational for net in nets):  # algebraic weights are not split (yet): in this process
        return list_regions(nets, domain, limit=limit, keep=keep, deadline=deadline, progress=progress)
    progress = progress or null_progress()
    keep_n = 10**9 if keep is None else keep
    results: dict = {}
    try:
        p = plan(nets, domain, workers=executor.workers, method=method, deadline=deadline)
    except TimeLimitReached as exc:
        return RegionListing(0, False, 0, (), str(exc))
    try:
        tasks = tasks_for(p, method=method, deadline=deadline, keep=keep_n, limit=limit)
        progress.describe(f"enumerating regions in {len(tasks)} subtrees on {executor.workers} worker(s)")
        run_tasks(executor, count_subtree, tasks, SubtreeInputs(tuple(nets), domain), deadline, progress, results)
    except TimeLimitReached as exc:  # the finished subtrees and the regions above them: a lower bound
        found = [r for r in p.items if isinstance(r, Region)]
        count = len(found) + sum(r.count for r in results.values())
        degenerate = sum(r.is_degenerate for r in found) + sum(len(r.degenerate) for r in results.values())
        return RegionListing(count, False, degenerate, (), str(exc))
    kept: list = []
    count = degenerate = 0
    for item in p.items:
        if isinstance(item, Region):
            part = SubtreeCount(1, (0,) if item.is_degenerate else (), (pack_region(item),), True)
        else:
            part = results[item.path]
        take = part.count if limit is None else min(part.count, limit - count)
        count += take
        degenerate += sum(1 for i in part.degenerate if i < take)
        for packed in part.kept[:max(0, min(take, keep_n - len(kept)))]:
            kept.append(unpack_region(packed))
        if limit is not None and count >= limit:
            return RegionListing(count, False, degenerate, tuple(kept), None)
    return RegionListing(count, True, degenerate, tuple(kept), None)


def regions_on(executor, nets: Sequence[Network], domain: Polyhedron | None = None, *, method: str = "auto",
               deadline: Deadline = NO_DEADLINE, progress: Progress | None = None, points: bool = True):
    """The regions of :func:`~exactnet.relu.regions.walk`, in the serial order, with the subtrees
    enumerated by ``executor``: a subtree's regions are yielded as soon as it and every subtree
    before it have finished; closing the iterator early cancels the remaining tasks."""
    if not all(net.is_rational for net in nets):  # algebraic weights are not split (yet): in this process
        yield from walk(list(nets), domain, method=method, deadline=deadline, progress=progress, points=points)
        return
    progress = progress or null_progress()
    p = plan(nets, domain, workers=executor.workers, method=method, deadline=deadline)
    tasks = tasks_for(p, method=method, deadline=deadline, keep=10**9, points=points)
    if tasks:
        executor.prepare(worker_setup)
    finished: dict = {}
    running = executor.run(count_subtree, tasks, deadline, shared=SubtreeInputs(tuple(nets), domain))
    try:
        for item in p.items:
            if isinstance(item, Region):
                progress.advance()
                yield item
                continue
            while item.path not in finished:
                i, result = next(running)
                finished[tasks[i].path] = result
            for packed in finished.pop(item.path).kept:
                progress.advance()
                yield unpack_region(packed)
    finally:
        running.close()


def enumerator(executor):
    """A function with the signature of :func:`~exactnet.relu.regions.regions` (one network) that
    enumerates on ``executor``: the hook for deciders that consume regions one by one."""

    def regions(net: Network, domain: Polyhedron | None = None, **kwargs):
        return regions_on(executor, [net], domain, **kwargs)

    return regions


@dataclass(frozen=True)
class TierD:
    witness: tuple | None
    nodes: list | None
    stats: dict
    field: object = None  # rational networks only: no number field


def compare_on(executor, a: Network, b: Network, domain: Polyhedron | None, *, method: str = "auto",
               record: bool = False, deadline: Deadline = NO_DEADLINE, progress: Progress | None = None) -> TierD:
    """Tier (d) of equivalence with the subtrees run by ``executor``: the same witness, cell count
    and certificate tree as the serial procedure. Raises
    :class:`~exactnet.deadline.TimeLimitReached` at the time limit."""
    progress = progress or null_progress()
    p = plan([a, b], domain, workers=executor.workers, method=method, record=record, deadline=deadline)
    tasks = tasks_for(p, method=method, deadline=deadline, record=record)
    progress.describe(f"comparing affine maps in {len(tasks)} subtrees on {executor.workers} worker(s)")

    def first_witness_known(done: dict) -> bool:
        """Whether every subtree before the first finished witness (serial order) has finished."""
        for item in p.items:
            if isinstance(item, OpenSubtree):
                if item.path not in done:
                    return False
                if done[item.path].witness is not None:
                    return True
            elif item.maps[0] != item.maps[1]:
                return True
        return False

    if first_witness_known({}):  # a region above the cut differs before any subtree: no tasks
        tasks = []
    results = run_tasks(executor, compare_subtree, tasks, SubtreeInputs((a, b), domain), deadline, progress,
                        enough=first_witness_known)
    cells = 0
    for item in p.items:
        if isinstance(item, Region):
            cells += 1
            x = differing_point(item)
            if x is not None:
                return TierD(x, None, {"cells": cells})
            continue
        part = results[item.path]
        cells += part.cells
        if part.witness is not None:
            return TierD(part.witness, None, {"cells": cells})
    nodes = stitch(p.nodes, {path: r.nodes for path, r in results.items()}) if record else None
    return TierD(None, nodes, {"cells": cells})


__all__ = [
    "PER_WORKER", "Plan", "SubtreeComparison", "SubtreeCount", "SubtreeInputs", "SubtreeTask", "TierD", "compare_on",
    "compare_subtree", "count_subtree", "differing_point", "enumerator", "list_regions_on", "regions_on", "pack_region", "plan", "renumber",
    "stitch", "unpack_region", "worker_setup",
]
