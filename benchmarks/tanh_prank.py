"""Benchmark: exact proximate rank of tanh networks (issue 5).

Runs, side by side on the same instances:

* exact ``prank`` with the default ``auto`` solver, exactnet's own exhaustive branch and bound
  (``search``) and OR-Tools CP-SAT (``cp-sat``), each with a per-instance time limit (60 s);
* the greedy ``Bound`` (docs/tanh.md § Proximate rank), on the same instances and alone up to ``h = 10^4``.

Instance families (exact rationals, fixed seeds):

* ``random``: ``n = m = 1``, ``a ∈ [−1, 1]``, ``b, c ∈ [−2, 2]`` on a grid of ``1/100``, ``ε = 1/5``
  (dense: components of up to ``h`` units, much cancellation) and ``ε = 1/20`` (sparser);
* ``square``: the square-cover reduction (``from_square_cover``) of ``h`` random points in a
  ``(1 + h/8)``-sided square, ``ε = 1/2`` (pure clique partition, no cancellation).

Prints per width: max/mean time per solver, how many instances were decided, the ratio
``search / cp-sat`` of the mean times, and the average gap ``greedy − exact``; then the largest
width every instance was solved exactly within the limit, and the greedy timings.

Usage: ``python benchmarks/tanh_prank.py [--quick] [--timeout 60] [--seeds 3]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from flint import fmpq

from exactnet.deadline import Deadline
from exactnet.network import Layer, Network
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank
from exactnet.tanh.square_cover import from_square_cover

SOLVERS = ("auto", "cp-sat", "search")


def random_net(seed: int, h: int) -> Network:
    rng = random.Random(seed)

    def q(lim):
        return fmpq(rng.randint(-100 * lim, 100 * lim), 100)

    units = [(q(1), q(2), q(2)) for _ in range(h)]
    return Network("tanh", (Layer(tuple((u[1],) for u in units), tuple(u[2] for u in units)),
                            Layer((tuple(u[0] for u in units),), (fmpq(0),))))


def square_net(seed: int, h: int):
    rng = random.Random(seed)
    side = 1 + h // 8
    pts = [(fmpq(rng.randint(0, 100 * side), 100), fmpq(rng.randint(0, 100 * side), 100)) for _ in range(h)]
    eps = fmpq(1, 2)
    return from_square_cover(pts, eps), eps


def family_instances(family: str, h: int, seeds: int):
    for s in range(seeds):
        seed = 7919 * h + s
        if family == "random eps=1/5":
            yield random_net(seed, h), fmpq(1, 5)
        elif family == "random eps=1/20":
            yield random_net(seed, h), fmpq(1, 20)
        else:
            yield square_net(seed, h)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="widths up to 20, 2 s limit, greedy up to 10^3")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    widths = (5, 10, 20) if args.quick else (5, 10, 20, 40, 80)
    limit = 2.0 if args.quick else args.timeout
    import ortools.sat.python.cp_model  # noqa: F401  (import once, outside the timings)
    print(f"exact proximate rank, {args.seeds} instances per width, time limit {limit:g} s per instance")
    largest: dict = {}
    gaps_all: dict = {}
    for family in ("random eps=1/5", "random eps=1/20", "square cover"):
        print(f"\n== {family} ==")
        print(f"{'h':>4} | " + " | ".join(f"{s:>22}" for s in SOLVERS) + " | search/cp-sat | greedy−exact")
        dead = set()
        for h in widths:
            cells, means, gaps = [], {}, []
            for solver in SOLVERS:
                if solver in dead:
                    cells.append(f"{'skipped':>22}")
                    continue
                times, decided, values = [], 0, []
                for net, eps in family_instances(family, h, args.seeds):
                    t0 = time.perf_counter()
                    res = prank(net, eps, deadline=Deadline.after(limit), solver=solver)
                    times.append(time.perf_counter() - t0)
                    decided += res.value is not None
                    values.append(res.value)
                    if solver == "auto" and res.value is not None:
                        gaps.append(bound_prank(net, eps).value - res.value)
                means[solver] = statistics.mean(times)
                cells.append(f"{max(times):8.3f}s max {decided}/{args.seeds} ok".rjust(22))
                if decided == args.seeds:
                    largest[(family, solver)] = h
                else:
                    dead.add(solver)  # larger widths would only time out too
            ratio = (f"{means['search'] / means['cp-sat']:10.1f}×" if "search" in means and "cp-sat" in means
                     and means["cp-sat"] > 0 else f"{'—':>11}")
            gap = f"{statistics.mean(gaps):.2f}" if gaps else "—"
            gaps_all.setdefault(family, []).extend(gaps)
            print(f"{h:>4} | " + " | ".join(cells) + f" | {ratio:>13} | {gap}")
    print("\nlargest width with every instance solved exactly within the limit:")
    for family in ("random eps=1/5", "random eps=1/20", "square cover"):
        row = ", ".join(f"{s}: {largest.get((family, s), '<5')}" for s in SOLVERS)
        g = gaps_all.get(family)
        print(f"  {family:<16} {row};  mean greedy − exact gap {statistics.mean(g):.2f}" if g else f"  {family}: {row}")
    print("\ngreedy Bound alone (random, eps=1/5 and 1/20):")
    for h in ((100, 1000) if args.quick else (100, 1000, 10000)):
        for eps in (fmpq(1, 5), fmpq(1, 20)):
            net = random_net(h, h)
            t0 = time.perf_counter()
            res = bound_prank(net, eps)
            dt = time.perf_counter() - t0
            print(f"  h = {h:>6}, eps = {str(eps):>5}: {dt:8.3f} s (bound {res.value}, witness verified)")


if __name__ == "__main__":
    main()
