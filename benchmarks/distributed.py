"""Region work and batches of questions: serial vs a local Dask cluster, with projections.

Two measurements, each serially (in this process, the default code path) and on a local Dask
cluster of ``--workers`` processes (``exactnet ... --workers N``), with the speed-up:

* **enumeration**: the activation regions of one random rational ReLU network (default
  ``4-13-13-1``, seed 0: more than 20,000 regions), counted through
  :func:`exactnet.relu.regions.list_regions` (serial) and
  :func:`exactnet.relu.subtrees.list_regions_on` (subtree tasks); the counts must agree;
* **questions**: ``exactnet batch`` on a manifest of ``--questions`` equivalence questions
  (default 200; pairs of random ``2-6-4-1`` networks, half of them equivalent through shifted
  opposite pairs of units — which the symmetry normal form does not remove, so the complete
  tier (d) decides them — and half differing only on a slab of width 1/500, which random
  probe points miss); the answers must agree item by item.

The speed-up is serial time / distributed time, the cluster already running (its start-up,
measured separately, is printed too: a local cluster is started once per command).

**Projection to 8, 64 and 512 workers.** The enumeration is re-planned for 64 workers
(``8 × 64`` subtrees), every subtree task is timed in this process (CPU seconds, so that other
load on the machine does not count), and the time on ``W`` workers is projected as: plan time
(serial, in the coordinator) + the makespan of greedy list
scheduling of the measured task times in plan order on ``W`` workers (what Dask's dynamic
assignment approximates) + ``SCHEDULER_OVERHEAD`` seconds per task (scheduling and the result
transfer through the scheduler, serial). Questions: the measured per-item CPU times (the
``cpu_seconds`` of the results lines), list-scheduled the same way, after the coordinator's own
work (reading the inputs, writing the lines), with the same per-task overhead. The model is also
printed for the measured worker count, next to the measured wall-clock speed-up.
On 512 workers the same 512 subtrees are one task per worker (a finer plan would recompute more
paths). Assumptions: workers as fast as one core of this machine, no other load, network transfer of a
task and its result negligible next to the per-task overhead (tasks carry only the networks and
a path; results are counts or a recorded certificate tree), the coordinator's merge negligible.

Example::

    python benchmarks/distributed.py                 # the full run (a few minutes on 2 cores)
    python benchmarks/distributed.py --widths 3,10,8,1 --questions 40   # quick
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file is named like the Dask package: keep its folder off the import path
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import heapq  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from flint import fmpq  # noqa: E402

from exactnet.deadline import NO_DEADLINE  # noqa: E402
from exactnet.distributed import DaskExecutor  # noqa: E402
from exactnet.io import save_network  # noqa: E402
from exactnet.network import Layer, Network  # noqa: E402
from exactnet.relu.regions import list_regions  # noqa: E402
from exactnet.relu.subtrees import SubtreeInputs, count_subtree, list_regions_on, plan, tasks_for, worker_setup  # noqa: E402

#: Assumed seconds of scheduler work per task (Dask's documented order of magnitude is ~1 ms).
SCHEDULER_OVERHEAD = 0.001
PROJECTED = (8, 64, 512)


# ---------------------------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------------------------


def _q(rnd: random.Random, scale: int = 9) -> fmpq:
    return fmpq(rnd.randint(-scale, scale), rnd.choice((1, 2, 3, 4)))


def random_network(widths, rnd: random.Random) -> Network:
    return Network("relu", tuple(
        Layer(tuple(tuple(_q(rnd) for _ in range(widths[i])) for _ in range(widths[i + 1])),
              tuple(_q(rnd) for _ in range(widths[i + 1])))
        for i in range(len(widths) - 1)))


def _rows(net: Network):
    return [([list(r) for r in layer.weight], list(layer.bias)) for layer in net.layers]


def _net(rows) -> Network:
    return Network("relu", tuple(Layer(tuple(tuple(r) for r in W), tuple(b)) for W, b in rows))


def with_opposite_pairs(net: Network, rnd: random.Random) -> Network:
    """The same function: first-layer units ``±(u·x + β − s)`` for two shifts ``s1, s2`` with
    output weights ``±c`` cancel up to the constant ``c(s2 − s1)``, paid back in the next bias
    (``relu(t) − relu(−t) = t``)."""
    layers = _rows(net)
    W, b = layers[0]
    W2, b2 = layers[1]
    n = len(W[0])
    u = [_q(rnd, 4) for _ in range(n)]
    if not any(u):
        u[0] = fmpq(1)
    beta = _q(rnd, 4)
    s1, s2 = fmpq(rnd.randint(-6, 6), 2), fmpq(rnd.randint(-6, 6), 2)
    c = [_q(rnd, 5) for _ in range(len(W2))]
    for s, sign in ((s1, 1), (s2, -1)):
        for flip in (1, -1):
            W.append([flip * v for v in u])
            b.append(flip * (beta - s))
            for r, cv in zip(W2, c):
                r.append(flip * sign * cv)
    for i, cv in enumerate(c):
        b2[i] -= cv * (s2 - s1)
    return _net(layers)


def with_thin_bump(net: Network, rnd: random.Random) -> Network:
    """A different function: ``a`` plus the bump ``relu(t) − 2 relu(t − ε) + relu(t − 2ε)``,
    ``t = x_1 − s``, ``ε = 1/1000``, non-zero only on a slab of width ``2ε`` (where random probe
    points almost never fall). Three new first-layer units, carried to the output by one new
    unit per deeper hidden layer (the bump is ``≥ 0``, so a ReLU passes it unchanged)."""
    layers = _rows(net)
    n = len(layers[0][0][0])
    s, eps = fmpq(rnd.randint(-20, 20), 7), fmpq(1, 1000)
    e1 = [fmpq(1)] + [fmpq(0)] * (n - 1)
    for shift, weight in ((0, 1), (1, -2), (2, 1)):
        layers[0][0].append(list(e1))
        layers[0][1].append(-s - shift * eps)
    coeffs = [fmpq(1), fmpq(-2), fmpq(1)]
    for li in range(1, len(layers)):
        W, b = layers[li]
        last = li == len(layers) - 1
        for k, r in enumerate(W):  # the existing units ignore the new ones (the output adds the bump)
            r.extend(coeffs if (last and k == 0) else [fmpq(0)] * len(coeffs))
        if not last:
            W.append([fmpq(0)] * (len(W[0]) - len(coeffs)) + coeffs)
            b.append(fmpq(0))
            coeffs = [fmpq(1)]
    return _net(layers)


# ---------------------------------------------------------------------------------------------
# projection
# ---------------------------------------------------------------------------------------------


def list_schedule(times, workers: int) -> float:
    """The makespan of assigning tasks in order, each to the worker that is free first."""
    free = [0.0] * workers
    for t in times:
        heapq.heappush(free, heapq.heappop(free) + t)
    return max(free)


def project(times, serial_prefix: float, workers: int) -> float:
    return serial_prefix + list_schedule(times, workers) + SCHEDULER_OVERHEAD * len(times)


# ---------------------------------------------------------------------------------------------
# the two measurements
# ---------------------------------------------------------------------------------------------


def timed_tasks(net: Network, workers: int, expected: int) -> tuple[float, list[float]]:
    """The plan's CPU time and every subtree task's CPU time, run in this process."""
    c = time.process_time()
    p = plan([net], None, workers=workers)
    c_plan = time.process_time() - c
    times, total = [], sum(1 for it in p.items if not hasattr(it, "path"))
    inputs = SubtreeInputs((net,), None)
    for task in tasks_for(p, method="auto", deadline=NO_DEADLINE):
        c = time.process_time()
        total += count_subtree(task, inputs).count
        times.append(time.process_time() - c)
    assert total == expected
    return c_plan, times


def enumeration(widths, seed: int, ex: DaskExecutor, workers: int) -> dict:
    net = random_network(widths, random.Random(seed))
    t, c = time.perf_counter(), time.process_time()
    serial = list_regions([net], keep=0)
    t_serial, serial_cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    dist = list_regions_on(ex, [net], keep=0)
    t_dist = time.perf_counter() - t
    assert (dist.count, dist.complete, dist.degenerate) == (serial.count, serial.complete, serial.degenerate)
    print(f"enumeration {'-'.join(map(str, widths))} (seed {seed}): {serial.count} regions")
    print(f"  serial {t_serial:8.2f} s   {workers} workers {t_dist:8.2f} s   speed-up {t_serial / t_dist:5.2f}x"
          f"   ({8 * workers} subtrees)")

    # projection: plans timed task by task in this process, in CPU seconds (the machine may be
    # shared; a dedicated core runs a task in about its CPU time)
    print(f"  CPU seconds: serial {serial_cpu:.2f} s (wall {t_serial:.2f} s: this process had"
          f" {100 * serial_cpu / t_serial:.0f}% of a core)")
    for planned, targets in ((workers, (workers,)), (64, PROJECTED)):
        c_plan, times = timed_tasks(net, planned, serial.count)
        work = sum(times)
        print(f"  plan for {planned} workers: {len(times)} subtrees, plan {c_plan:.2f} s, tasks {work:.2f} s"
              f" (x{(work + c_plan) / serial_cpu:.2f} of serial: the recomputed paths), longest task"
              f" {max(times, default=0):.3f} s")
        for w in targets:
            p = project(times, c_plan, w)
            print(f"  projected on {w:4d} workers: {p:8.2f} s   speed-up {serial_cpu / p:7.2f}x")
    return {"regions": serial.count, "serial": t_serial, "distributed": t_dist}


def questions(count: int, widths, seed: int, workers: int) -> dict:
    from exactnet.cli.batch import run_batch
    from exactnet.cli.runner import Budget

    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lines = []
        for i in range(count):
            a = random_network(widths, rnd)
            b = with_opposite_pairs(a, rnd) if i % 2 == 0 else with_thin_bump(a, rnd)
            save_network(a, tmp / f"a{i}.json")
            save_network(b, tmp / f"b{i}.json")
            lines.append(json.dumps({"id": f"q{i}", "command": "equiv", "networks": [f"a{i}.json", f"b{i}.json"]}))
        (tmp / "m.jsonl").write_text("\n".join(lines) + "\n")
        t, c = time.perf_counter(), time.process_time()
        rs = run_batch(Budget(), str(tmp / "m.jsonl"), str(tmp / "serial.jsonl"))
        t_serial, serial_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        rd = run_batch(Budget(), str(tmp / "m.jsonl"), str(tmp / "dist.jsonl"), workers=workers)
        t_dist = time.perf_counter() - t
        assert rs.data["complete"] and rd.data["complete"]

        def answers(name):
            out = {}
            for line in (tmp / name).read_text().splitlines():
                obj = json.loads(line)
                out[obj["id"]] = (obj["exit"], obj.get("answer"), obj.get("cpu_seconds"))
            return out

        sa, da = answers("serial.jsonl"), answers("dist.jsonl")
        assert {k: v[:2] for k, v in sa.items()} == {k: v[:2] for k, v in da.items()}
        tiers = {}
        for code, ans, _s in sa.values():
            tiers[(ans or {}).get("tier"), code] = tiers.get(((ans or {}).get("tier"), code), 0) + 1
        times = [v[2] for v in sa.values()]
        dist_times = [v[2] for v in da.values()]
    print(f"questions: {count} equivalence pairs {'-'.join(map(str, widths))} (tier, exit): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(tiers.items(), key=str)))
    print(f"  serial {t_serial:8.2f} s   {workers} workers {t_dist:8.2f} s (cluster start included)"
          f"   speed-up {t_serial / t_dist:5.2f}x")
    prefix = serial_cpu - sum(times)  # reading the inputs and writing the lines, in the coordinator
    print(f"  CPU seconds: serial {serial_cpu:.2f} s (items {sum(times):.2f} s, coordinator {prefix:.2f} s);"
          f" items on the workers {sum(dist_times):.2f} s; longest item {max(times):.2f} s")
    for w in (workers,) + PROJECTED:
        p = project(times, prefix, w)
        print(f"  projected on {w:4d} workers: {p:8.2f} s   speed-up {serial_cpu / p:7.2f}x")
    return {"serial": t_serial, "distributed": t_dist}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--widths", default="4,13,13,1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--question-widths", default="2,6,4,1")
    args = ap.parse_args(argv)
    widths = tuple(int(w) for w in args.widths.split(","))
    qwidths = tuple(int(w) for w in args.question_widths.split(","))
    t = time.perf_counter()
    with DaskExecutor(workers=args.workers) as ex:
        ex.prepare(worker_setup)
        list(ex.run(abs, [-1, -2]))
        print(f"local cluster of {args.workers} workers started in {time.perf_counter() - t:.2f} s")
        enumeration(widths, args.seed, ex, args.workers)
    questions(args.questions, qwidths, args.seed, args.workers)
    print(f"assumed scheduler overhead {SCHEDULER_OVERHEAD * 1000:g} ms per task; workers = cores of this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
