"""Maximum difference of a tanh network and its float16-quantised copy on [-1, 1]^n
(docs/tanh.md § Maximum difference on a box): the rigorous enclosure's time and sub-box count.

Networks ``n-h-m`` with float32 Gaussian weights (seed 0), the copy with every weight rounded to
float16 (exact rationals on both sides). For each width the enclosure ``[lower, upper]`` of
``max ‖A − B‖_∞`` is printed with the number of sub-boxes and the wall-clock time. Float
sampling (the usual practice) only gives a lower estimate; printed beside it, with the ratio of
exactnet's time to sampling's.

    python benchmarks/tanh_max_difference.py           # widths 1e-3 and 1e-6
    python benchmarks/tanh_max_difference.py --quick   # width 1e-3 only

Measured on the shared 2-core machine (load ≈ 10), 2026-12-04:

=======  ==========  ===========================  ======  =======
shape    width       enclosure                    boxes   seconds
=======  ==========  ===========================  ======  =======
2-16-1   1e-6        [0.000306632, 0.000307535]      169     1.9
2-32-3   1e-6        [0.000340299, 0.000341298]      607    15.7
3-16-2   1e-6        [0.000598054, 0.000599053]     2769    46.3
4-8-2    1e-6        [0.000583680, 0.000584677]    13823   117.6
=======  ==========  ===========================  ======  =======

(width 1e-3: 3–51 boxes, under 1 s each).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from flint import fmpq

from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.tanh.max_difference import max_difference_enclosure


def pair(n: int, h: int, m: int, rng):
    W1 = rng.standard_normal((h, n)).astype(np.float32)
    b1 = rng.standard_normal(h).astype(np.float32)
    W2 = (rng.standard_normal((m, h)) / np.sqrt(h)).astype(np.float32)
    b2 = np.zeros(m, np.float32)
    a = Network.from_lists("tanh", [(W1.tolist(), b1.tolist()), (W2.tolist(), b2.tolist())])

    def f16(x):
        return x.astype(np.float16).astype(np.float32).tolist()

    q = Network.from_lists("tanh", [(f16(W1), f16(b1)), (f16(W2), b2.tolist())])
    return a, q, (W1, b1, W2), (np.array(f16(W1)), np.array(f16(b1)), np.array(f16(W2)))


def sampled(fa, fq, n: int, k: int = 100_000, seed: int = 1) -> float:
    x = np.random.default_rng(seed).uniform(-1, 1, (k, n))
    ya = np.tanh(x @ fa[0].T.astype(np.float64) + fa[1]) @ fa[2].T.astype(np.float64)
    yq = np.tanh(x @ fq[0].T + fq[1]) @ fq[2].T
    return float(np.abs(ya - yq).max())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    widths = [fmpq(1, 10**3)] if args.quick else [fmpq(1, 10**3), fmpq(1, 10**6)]
    for n, h, m in [(2, 16, 1), (2, 32, 3), (3, 16, 2), (4, 8, 2)]:
        a, q, fa, fq = pair(n, h, m, rng)
        t = time.perf_counter()
        est = sampled(fa, fq, n)
        t_s = time.perf_counter() - t
        for w in widths:
            t = time.perf_counter()
            r = max_difference_enclosure(a, q, Box.from_bounds([-1] * n, [1] * n), w)
            secs = time.perf_counter() - t
            print(f"{n}-{h}-{m} width {float(w):.0e}: [{float(r.lower):.9g}, {float(r.upper):.9g}]"
                  f" reached={r.width_reached} boxes={r.boxes} {secs:.2f}s | sampling (1e5 points, float64):"
                  f" {est:.9g} in {t_s:.2f}s, ratio {secs / t_s:.0f}x", flush=True)


if __name__ == "__main__":
    main()
