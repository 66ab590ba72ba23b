"""Region work and batches of questions: serial vs a local Dask cluster, with projections.

Two measurements, each serially (in this process, the default code path) and on a local Dask
cluster of ``--workers`` processes (``exactnet ... --workers N``), with the speed-up. The cluster's
start-up (processes, imports, the worker set-up) is measured separately from the steady state
(the same cluster then runs both measurements). For every measurement the script prints the wall
time, the CPU seconds of every process (this one, which also runs the Dask scheduler and the
nannies, and each worker), the machine's load average, and two speed-ups: the wall-clock one
(meaningful on an otherwise idle machine only: with Linux autogroup scheduling, the processes of
one session share one CPU share, so while other sessions load the machine the workers together get
what the serial run got) and a CPU bound for an idle machine, serial CPU /
max(busiest worker's CPU, all processes' CPU / cores) (what the wall-clock ratio would be if every
process had a core whenever it was runnable).

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
(``PER_WORKER × 64`` subtrees), every subtree task is timed in this process (CPU seconds, so that other
load on the machine does not count), and the time on ``W`` workers is projected as: plan time
(serial, in the coordinator) + the makespan of greedy list
scheduling of the measured task times in plan order on ``W`` workers (what Dask's dynamic
assignment approximates) + ``SCHEDULER_OVERHEAD`` seconds per task (scheduling and the result
transfer through the scheduler, serial). Questions: the measured per-item CPU times (the
``cpu_seconds`` of the results lines), list-scheduled the same way, after the coordinator's own
work (reading the inputs, writing the lines), with the same per-task overhead. The model is also
printed for the measured worker count, next to the measured wall-clock speed-up.
On 512 workers the same subtrees of the 64-worker plan are used (about two per worker; a finer
plan would recompute more paths). Assumptions: workers as fast as one core of this machine, no
other load, network transfer of a task and its result negligible next to the per-task overhead
(tasks carry a path; the networks reach each worker once; results are counts or a recorded
certificate tree), the coordinator's merge negligible; questions are projected one task per item
(chunks only lower the per-task overhead).

Example::

    python benchmarks/distributed.py --quick         # one run of each (about a minute on 2 idle cores)
    python benchmarks/distributed.py                 # best of 3 runs, and the 2-worker plan timed too
    python benchmarks/distributed.py --widths 3,10,8,1 --questions 40   # a small check
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
import os  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from flint import fmpq  # noqa: E402

from exactnet.deadline import NO_DEADLINE  # noqa: E402
from exactnet.distributed import DaskExecutor  # noqa: E402
from exactnet.io import save_network  # noqa: E402
from exactnet.network import Layer, Network  # noqa: E402
from exactnet.relu.regions import list_regions  # noqa: E402
from exactnet.cli.batch import run_batch, warm_up  # noqa: E402
from exactnet.cli.runner import Budget  # noqa: E402
from exactnet.relu.subtrees import PER_WORKER, SubtreeInputs, count_subtree, list_regions_on, plan, tasks_for, worker_setup  # noqa: E402

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
# measuring: wall, CPU of every process, load
# ---------------------------------------------------------------------------------------------


def _cpu_of_processes() -> dict:
    """CPU seconds (user + system) of this process and of each of its live descendants."""
    import psutil  # a dependency of dask.distributed

    me = psutil.Process()
    out = {"coordinator": sum(me.cpu_times()[:2])}
    for child in me.children(recursive=True):
        try:
            t = child.cpu_times()
            out[child.pid] = t.user + t.system
        except psutil.Error:  # pragma: no cover - gone in between
            pass
    return out


class Measured:
    """Wall seconds, CPU seconds per process and the load average around a block of work."""

    def __init__(self, worker_pids=()):
        self.worker_pids = set(worker_pids)

    def __enter__(self):
        self.load0 = os.getloadavg()[0]
        self.cpu0 = _cpu_of_processes()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        cpu1 = _cpu_of_processes()
        self.load = max(self.load0, os.getloadavg()[0])
        self.cpu = {k: v - self.cpu0.get(k, 0.0) for k, v in cpu1.items()}
        self.coordinator = self.cpu.get("coordinator", 0.0)
        self.workers = [v for k, v in self.cpu.items() if k in self.worker_pids]
        self.others = sum(v for k, v in self.cpu.items() if k != "coordinator" and k not in self.worker_pids)
        self.total = sum(self.cpu.values())

    def describe(self) -> str:
        parts = f"coordinator {self.coordinator:.2f}"
        if self.workers:
            parts += ", workers " + " + ".join(f"{w:.2f}" for w in self.workers)
        if self.others > 0.005:
            parts += f", other processes {self.others:.2f}"
        return f"{self.wall:7.2f} s wall, CPU {self.total:.2f} s ({parts}), load {self.load:.1f}"


def idle_bound(dist: Measured, cores: int) -> float:
    """The wall time of a distributed run on an idle machine if no process ever waited for a core:
    at least the busiest worker's CPU, and all processes' CPU shared by the cores."""
    return max(max(dist.workers, default=0.0), dist.total / cores)


def _autogroup_note() -> str:
    """Linux autogroup scheduling gives each terminal session one share of the CPU: this script's
    workers (children of this session) then share the serial run's share on a machine that other
    sessions keep busy, and no local parallelism can show a wall-clock speed-up there."""
    try:
        enabled = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return ""
    return ("; Linux autogroup scheduling is on: under other sessions' load the wall-clock speed-up stays"
            " near 1 (this session's processes share one CPU share)") if enabled else ""


def speedups(serial: list, dist: list, cores: int) -> str:
    """Wall-clock: fastest serial run / fastest distributed run; CPU bound: least serial CPU / least
    idle-machine bound (under load the CPU time of the same work varies between runs)."""
    wall = min(m.wall for m in serial) / min(m.wall for m in dist)
    bound = min(m.total for m in serial) / min(idle_bound(m, cores) for m in dist)
    return f"speed-up: wall {wall:5.2f}x, CPU bound for an idle machine {bound:5.2f}x"


def best(runs: list) -> Measured:
    return min(runs, key=lambda m: m.wall)


# ---------------------------------------------------------------------------------------------
# the two measurements
# ---------------------------------------------------------------------------------------------


def timed_tasks(net: Network, workers: int, expected: int) -> tuple[float, float, list[float]]:
    """The serial enumeration's CPU time, then (right after it, under the same load) the plan's CPU
    time and every subtree task's CPU time, all run in this process."""
    c = time.process_time()
    assert list_regions([net], keep=0).count == expected
    c_serial = time.process_time() - c
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
    return c_serial, c_plan, times


def run_enumeration(net, ex, pids, repeat: int) -> tuple[list, object]:
    """``repeat`` measured runs, serial (``ex`` is ``None``) or on the executor; the last listing."""
    runs = []
    for _ in range(repeat):
        with Measured(pids) as m:
            listing = list_regions([net], keep=0) if ex is None else list_regions_on(ex, [net], keep=0)
        runs.append(m)
    return runs, listing


def report_enumeration(widths, seed, net, workers: int, serial, dist, repeat: int, quick: bool) -> dict:
    (s_runs, s_listing), (d_runs, d_listing) = serial, dist
    assert (d_listing.count, d_listing.complete, d_listing.degenerate) == \
        (s_listing.count, s_listing.complete, s_listing.degenerate)
    s, d = best(s_runs), best(d_runs)
    cores = os.cpu_count() or 1
    print(f"\nENUMERATION {'-'.join(map(str, widths))} (seed {seed}): {s_listing.count} regions,"
          f" {PER_WORKER * workers} subtrees wanted; best of {repeat}")
    print(f"  serial      {s.describe()}")
    print(f"  {workers} workers   {d.describe()}")
    print(f"  {speedups(s_runs, d_runs, cores)}")
    out = {"regions": s_listing.count, "serial": s_runs, "distributed": d_runs}

    # projection: plans timed task by task in this process, in CPU seconds (the machine may be
    # shared; a dedicated core runs a task in about its CPU time)
    plans = ((64, PROJECTED),) if quick else ((workers, (workers,)), (64, PROJECTED))
    for planned, targets in plans:
        c_serial, c_plan, times = timed_tasks(net, planned, s_listing.count)
        work = sum(times)
        print(f"  plan for {planned} workers: {len(times)} subtrees, plan {c_plan:.2f} s CPU, tasks {work:.2f} s CPU"
              f" (x{(work + c_plan) / c_serial:.2f} of the serial {c_serial:.2f} s CPU measured just before),"
              f" longest task {max(times, default=0):.3f} s")
        for w in targets:
            p = project(times, c_plan, w)
            print(f"  projected on {w:4d} workers: {p:8.2f} s   speed-up {c_serial / p:7.2f}x")
            out[f"projected_{w}"] = c_serial / p
    return out


def _manifest(tmp: Path, count: int, widths, seed: int) -> Path:
    rnd = random.Random(seed)
    lines = []
    for i in range(count):
        a = random_network(widths, rnd)
        b = with_opposite_pairs(a, rnd) if i % 2 == 0 else with_thin_bump(a, rnd)
        save_network(a, tmp / f"a{i}.json")
        save_network(b, tmp / f"b{i}.json")
        lines.append(json.dumps({"id": f"q{i}", "command": "equiv", "networks": [f"a{i}.json", f"b{i}.json"]}))
    (tmp / "m.jsonl").write_text("\n".join(lines) + "\n")
    return tmp / "m.jsonl"


def _answers(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        out[obj["id"]] = (obj["exit"], obj.get("answer"), obj.get("cpu_seconds"))
    return out


def run_questions(manifest: Path, ex, pids, repeat: int, name: str) -> tuple[list, dict]:
    runs = []
    for k in range(repeat):
        out = manifest.with_name(f"{name}{k}.jsonl")
        with Measured(pids) as m:
            r = run_batch(Budget(), str(manifest), str(out), executor=ex)
        runs.append(m)
        assert r.data["complete"]
    return runs, _answers(out)


def report_questions(count: int, widths, workers: int, serial, dist, repeat: int) -> dict:
    (s_runs, sa), (d_runs, da) = serial, dist
    s_last = s_runs[-1]  # the run whose item times are in ``sa``
    assert {i: v[:2] for i, v in sa.items()} == {i: v[:2] for i, v in da.items()}
    tiers: dict = {}
    for code, ans, _s in sa.values():
        tiers[(ans or {}).get("tier"), code] = tiers.get(((ans or {}).get("tier"), code), 0) + 1
    times = [v[2] for v in sa.values()]
    s, d = best(s_runs), best(d_runs)
    cores = os.cpu_count() or 1
    print(f"\nQUESTIONS: {count} equivalence pairs {'-'.join(map(str, widths))}, best of {repeat}; (tier, exit): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(tiers.items(), key=str)))
    print(f"  serial      {s.describe()}")
    print(f"  {workers} workers   {d.describe()}   (cluster already running)")
    print(f"  {speedups(s_runs, d_runs, cores)}")
    prefix = max(0.0, s_last.total - sum(times))  # reading the inputs and writing the lines, in the coordinator
    print(f"  items {sum(times):.2f} s CPU (longest {max(times):.3f} s), coordinator's own work {prefix:.2f} s CPU")
    out = {"serial": s_runs, "distributed": d_runs}
    for w in (workers,) + PROJECTED:
        p = project(times, prefix, w)
        print(f"  projected on {w:4d} workers: {p:8.2f} s   speed-up {s_last.total / p:7.2f}x")
        out[f"projected_{w}"] = s_last.total / p
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one run of each measurement (the lead's check)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--widths", default="4,13,13,1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--question-widths", default="2,6,4,1")
    ap.add_argument("--repeat", type=int, default=None, help="runs of each measurement (best wall time kept)")
    args = ap.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    widths = tuple(int(w) for w in args.widths.split(","))
    qwidths = tuple(int(w) for w in args.question_widths.split(","))
    t_all = time.perf_counter()
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}{_autogroup_note()}")
    net = random_network(widths, random.Random(args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        manifest = _manifest(Path(tmp), args.questions, qwidths, args.seed)
        # serial first: an idle cluster's processes would add their own ticks to the serial CPU
        s_enum = run_enumeration(net, None, (), repeat)
        s_ques = run_questions(manifest, None, (), repeat, "serial")
        with Measured() as start:
            ex = DaskExecutor(workers=args.workers)
        try:
            pids = set(ex.worker_pids().values())
            with Measured(pids) as warm:
                ex.prepare(worker_setup)
                ex.prepare(warm_up)
                list(ex.run(abs, [-1] * args.workers))
            d_enum = run_enumeration(net, ex, pids, repeat)
            d_ques = run_questions(manifest, ex, pids, repeat, "dist")
        finally:
            ex.close()
    print(f"START-UP of a local cluster of {args.workers} workers: {start.describe()}")
    print(f"  worker set-up (imports, exact polyhedra library): {warm.describe()}")
    enum = report_enumeration(widths, args.seed, net, args.workers, s_enum, d_enum, repeat, args.quick)
    ques = report_questions(args.questions, qwidths, args.workers, s_ques, d_ques, repeat)
    cores = os.cpu_count() or 1
    print(f"\nSUMMARY ({args.workers} local workers on {cores} cores; load average now"
          f" {os.getloadavg()[0]:.1f}; total {time.perf_counter() - t_all:.0f} s)")
    for name, r in (("enumeration", enum), ("questions", ques)):
        s, d = best(r["serial"]), best(r["distributed"])
        print(f"  {name:12s} serial {s.wall:6.2f} s, {args.workers} workers {d.wall:6.2f} s:"
              f" {speedups(r['serial'], r['distributed'], cores)};"
              f" projected 8/64/512 workers {r['projected_8']:.1f}x / {r['projected_64']:.1f}x /"
              f" {r['projected_512']:.1f}x")
    print(f"  start-up (paid once per command): cluster {start.wall:.2f} s + worker set-up {warm.wall:.2f} s")
    print(f"  projections: CPU seconds measured here, greedy list scheduling of the measured tasks, plus"
          f" {SCHEDULER_OVERHEAD * 1000:g} ms of scheduler work per task; workers as fast as one core of this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
