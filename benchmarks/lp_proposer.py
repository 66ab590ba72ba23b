"""The LP proposer in the default install: ReLU region enumeration with HiGHS proposals (the
default since highspy is a dependency) vs the exact PPL backend alone (what an install without
highspy runs), side by side.

Both paths give the same exact answer (every HiGHS proposal is verified exactly; the benchmark
asserts equal region counts). Networks: ReLU ``n-h-1`` with weights and biases i.i.d. uniform
on ``[-1, 1]`` rounded to float32 (exact dyadic rationals), ``numpy.random.default_rng(seed)``;
inputs ``n ≥ 7`` so that cells are held by LPs (``exactnet.polyhedra.cell_method``). Times are
wall-clock seconds (median over the networks); ``ratio`` = PPL-only / with HiGHS. Example::

    python benchmarks/lp_proposer.py --nets 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from unittest import mock

import numpy as np

from exactnet.network import Network
from exactnet.polyhedra import choose
from exactnet.relu.regions import regions


def random_network(n: int, h: int, seed: int) -> Network:
    rng = np.random.default_rng(seed)
    layers = [(rng.uniform(-1, 1, (h, n)), rng.uniform(-1, 1, h)), (rng.uniform(-1, 1, (1, h)), rng.uniform(-1, 1, 1))]
    return Network.from_lists("relu", [(W.astype(np.float32).astype(float).tolist(),
                                        b.astype(np.float32).astype(float).tolist()) for W, b in layers])


def count_regions(net: Network) -> int:
    return sum(1 for _ in regions(net))


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", type=int, default=3)
    ap.add_argument("--archs", default="7x10,8x12", help="comma-separated n x h")
    args = ap.parse_args()
    print(f"{'arch':>8} {'regions':>8} {'highs s':>9} {'ppl s':>9} {'ratio':>7}")
    for arch in args.archs.split(","):
        n, h = (int(x) for x in arch.split("x"))
        t_highs, t_ppl, counts = [], [], []
        for seed in range(args.nets):
            net = random_network(n, h, seed)
            c1, a = timed(count_regions, net)
            with mock.patch.object(choose, "highs_available", lambda: False):
                c2, b = timed(count_regions, net)
            assert c1 == c2, (c1, c2)
            counts.append(c1)
            t_highs.append(a)
            t_ppl.append(b)
        mh, mp = statistics.median(t_highs), statistics.median(t_ppl)
        print(f"{arch:>8} {statistics.median(counts):>8.0f} {mh:>9.2f} {mp:>9.2f} {mp / mh:>7.1f}")


if __name__ == "__main__":
    main()
