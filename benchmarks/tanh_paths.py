"""Path construction and independent path checking in tanh FE classes, for growing width.

    python benchmarks/tanh_paths.py [--widths 10,30,100,300,1000] [--rank-fraction 0.5]
                                    [--inputs 1] [--outputs 1] [--repeat 3] [--seed 0]

For each width h: a random rational parameter of rank ⌊h·fraction⌋ (≤ h/2 by default, so the
≤ 7-segment construction applies; with a constant unit so that δ is transcendental and the
path has symbolic waypoints), and two random members drawn across the pieces of its class
(``Fiber.sample``, exact output bias). Timed, best of ``--repeat`` runs (the machine may be
shared):

* ``path``  — :func:`exactnet.tanh.paths.path` on the two networks (compression of both,
  schedule, waypoints, the exact constancy check of every segment);
* ``cert``  — building the ``tanh.path`` certificate and serialising it to JSON;
* ``check`` — parsing that JSON and verifying it with the independent checker
  (``exactnet check``'s code path);
* ``decide`` — for scale: the exact equivalence decision on the same pair (no peer library
  computes exact FE-class paths, so the natural yardstick is exactnet's own O(h) decision).

``slope`` is the empirical growth exponent log(t_h / t_prev) / log(h / h_prev) of path+check
(1.0 = linear). No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import Layer, Network
from exactnet.numbers import json_loads_exact
from exactnet.tanh.equivalence import equivalent
from exactnet.tanh.fiber import fiber
from exactnet.tanh.certificates import path_certificate
from exactnet.tanh.paths import path


def timed(fn, repeat: int):
    """Best of ``repeat`` runs (the machine is shared; the minimum is the least noisy)."""
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def rational(rng: random.Random, nonzero: bool = False) -> fmpq:
    while True:
        x = fmpq(rng.randint(-10**4, 10**4), rng.randint(1, 100))
        if x != 0 or not nonzero:
            return x


def random_class_network(rng: random.Random, h: int, r: int, n: int, m: int) -> Network:
    """Rank r, width h: r units with distinct normalised keys (wide random rationals), one
    constant unit (1, 0, q) when h > r (δ gets a tanh term), then blank units (0, 0, 0)."""
    units, keys = [], set()
    while len(units) < r:
        b = tuple(rational(rng) for _ in range(n))
        if all(x == 0 for x in b):
            continue
        c = rational(rng)
        s = 1 if next(x for x in b if x != 0) > 0 else -1
        key = (tuple(s * x for x in b), s * c)
        if key not in keys:
            keys.add(key)
            units.append((tuple(rational(rng, True) for _ in range(m)), b, c))
    zero_a, zero_b = tuple(fmpq(0) for _ in range(m)), tuple(fmpq(0) for _ in range(n))
    if h > r:
        units.append((tuple(fmpq(1) for _ in range(m)), zero_b, rational(rng, True)))
    units += [(zero_a, zero_b, fmpq(0))] * (h - len(units))
    w1 = tuple(u[1] for u in units)
    b1 = tuple(u[2] for u in units)
    w2 = tuple(tuple(u[0][k] for u in units) for k in range(m))
    return Network("tanh", (Layer(w1, b1), Layer(w2, tuple(rational(rng) for _ in range(m)))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", default="10,30,100,300,1000")
    ap.add_argument("--rank-fraction", type=float, default=0.5)
    ap.add_argument("--inputs", type=int, default=1)
    ap.add_argument("--outputs", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    rng = random.Random(args.seed)
    print(f"n = {args.inputs}, m = {args.outputs}, rank = ⌊{args.rank_fraction}·h⌋, best of {args.repeat}")
    header = (f"{'h':>6} {'rank':>5} {'segs':>4} {'path ms':>9} {'cert ms':>9} {'check ms':>9} {'decide ms':>10}"
              f" {'path/decide':>11} {'cert KB':>8} {'slope':>6}")
    print(header)
    print("-" * len(header))
    prev = None
    for h in widths:
        r = int(h * args.rank_fraction)
        net = random_class_network(rng, h, r, args.inputs, args.outputs)
        fe = fiber(net)
        a = fe.sample(rng, numeric_bias=True).to_network()
        b = fe.sample(rng, numeric_bias=True).to_network()
        t_path, result = timed(lambda: path(a, b), args.repeat)
        t_cert, text = timed(lambda: json.dumps(path_certificate(result)), args.repeat)
        t_check, verdict = timed(lambda: check_certificate(json_loads_exact(text)), args.repeat)
        if not verdict.valid or len(result.segments) > result.bound:
            raise SystemExit(f"h = {h}: the path did not check ({verdict.reason})")
        t_dec, _ = timed(lambda: equivalent(a, b, find_witness=False), args.repeat)
        total = t_path + t_check
        slope = "" if prev is None else f"{math.log(total / prev[1]) / math.log(h / prev[0]):6.2f}"
        print(f"{h:>6} {r:>5} {len(result.segments):>4} {1e3 * t_path:>9.2f} {1e3 * t_cert:>9.2f} {1e3 * t_check:>9.2f}"
              f" {1e3 * t_dec:>10.2f} {t_path / t_dec:>11.1f} {len(text) / 1024:>8.0f} {slope:>6}")
        prev = (h, total)


if __name__ == "__main__":
    main()
