"""Three-layer bottleneck ReLU equivalence: the structural tier against the complete tier and Z3.

Instances: ``A`` with float32 Gaussian weights (exact dyadic rationals; ``exactnet.relu.sampling``),
widths ``(n0, n1, n2, 1)`` from ``(4, 3, 6)`` to ``(128, 96, 128)``; for each ``A`` two partners:

* ``planted``: both hidden layers permuted and rescaled (powers of two), one second-layer neuron
  split in two, a dead neuron added, a mixed neuron flipped with identity neurons absorbing its
  linear part (M0, M1, M2, M5 of docs/relu-three-layer.md) — equivalent;
* ``near-miss``: the planted partner with one second-layer weight changed by 1/1000 — not equivalent.

Deciders, each from networks in memory, CPU seconds of this process (``time.process_time``: the
machine is shared, so wall time would measure the other jobs; no decider here starts processes),
for decisions under a second the median of at least 5 runs (up to 201, until 0.25 s of CPU) after
one untimed run (printed in ms; the complete tier and Z3 in s):

* ``s``: the decision of ``exactnet equiv`` without a certificate,
  ``exactnet.relu.equivalence.equivalent(a, b)`` (tier s runs first: equal integer orthant forms for
  ``True`` — docs/relu-three-layer.md §5.2 —, an exact witness for ``False``);
* ``+cert``: the product path ``exactnet.relu.equivalence.equivalent(a, b, certificate=True)`` (tier s
  runs first) followed by the independent checker ``exactnet.check.check_certificate`` — what
  ``exactnet equiv --certificate`` and ``exactnet check`` do, minus reading files;
* ``complete``: ``exactnet.relu.equivalence.equivalent(a, b, tiers="d")`` (region refinement), cap
  ``--cap`` seconds; once it times out on a pair kind it is skipped for that kind at larger widths;
* ``z3``: Z3 over the reals (``exists x: A(x) != B(x)``, ReLU as ``If(z > 0, z, 0)``), same cap.

Printed per instance: verdicts, CPU times, two ratios against the complete tier — ``d/s`` (decision
against decision) and ``d/+cert`` (the complete tier's decision against tier s with certificate
and check, the stricter one) — each a lower bound (``>=``) when the complete tier timed out, and the
issue's target as a verdict per row: ``100x: yes`` when both ratios are at least 100, ``dec`` when
only the decision ratio is, ``no`` otherwise, ``(lower bound)`` after a timeout; the ratio against Z3;
the load average before and after; and the fitted exponents ``e`` of ``time ≈ c·n2^e`` for the
decision (``s``) and for ``+cert`` (least squares on log–log, widths ≥ 16).

    python benchmarks/relu_three_layer.py            # full (cap 60 s)
    python benchmarks/relu_three_layer.py --quick    # widths up to (32, 24, 32), cap 10 s
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time

import numpy as np
from flint import fmpq

from exactnet.relu.equivalence import equivalent as complete
from exactnet.relu.sampling import gaussian_network
from exactnet.relu.three_layer.equivalence import equivalent as structural
from exactnet.check import check_certificate
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import near_miss, plant_chain as planted

WIDTHS = [(4, 3, 6), (6, 4, 8), (8, 6, 12), (16, 12, 18), (24, 18, 24), (32, 24, 32), (48, 36, 48), (64, 48, 64),
          (96, 72, 96), (128, 96, 128)]


def _z3_val(z3, v):
    return z3.RealVal(f"{int(v.p)}/{int(v.q)}")


def run_z3(a: ThreeLayer, b: ThreeLayer, cap: float):
    import z3

    xs = [z3.Real(f"x{i}") for i in range(a.n0)]

    def enc(p):
        h = []
        for r, bb in zip(p.W1, p.b1):
            z = z3.Sum([_z3_val(z3, w) * x for w, x in zip(r, xs) if w != 0] + [_z3_val(z3, bb)])
            h.append(z3.If(z > 0, z, z3.RealVal(0)))
        u = []
        for r, bb in zip(p.W2, p.b2):
            z = z3.Sum([_z3_val(z3, w) * x for w, x in zip(r, h) if w != 0] + [_z3_val(z3, bb)])
            u.append(z3.If(z > 0, z, z3.RealVal(0)))
        return [z3.Sum([_z3_val(z3, w) * x for w, x in zip(r, u) if w != 0] + [_z3_val(z3, bb)]) for r, bb in zip(p.W3, p.b3)]

    s = z3.Solver()
    s.set("timeout", int(cap * 1000))
    s.add(z3.Or([x != y for x, y in zip(enc(a), enc(b))]))
    ans = s.check()
    return True if ans == z3.unsat else False if ans == z3.sat else None


def timed(fn, *args):
    """CPU seconds of this process: for decisions under a second, the median of at least 5 runs — more
    for fast ones, until 0.25 s of CPU or 201 runs (a sub-millisecond median over 5 runs moves by
    tens of percent on a shared machine) — after one untimed run (steady state: modules imported,
    caches of pure functions filled, for every decider alike); slower decisions are timed once."""
    t0 = time.process_time()
    out = fn(*args)
    if time.process_time() - t0 > 1.0:
        return out, time.process_time() - t0
    times = []
    while True:
        t0 = time.process_time()
        out = fn(*args)
        times.append(time.process_time() - t0)
        if len(times) >= 5 and (sum(times) > 0.25 or len(times) == 201) or sum(times) > 1.0:
            break
    times.sort()
    return out, times[len(times) // 2]


def fit_exponent(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def with_certificate(A, B):
    """The product path: tier s with a certificate, then the independent checker."""
    res = complete(A, B, certificate=True)
    return res, check_certificate(res.certificate).valid


def target(dec: float, cert: float, lower: bool) -> str:
    """The issue's "at least 100x faster than the complete tier" for one row."""
    met = "yes" if dec >= 100 and cert >= 100 else "dec" if dec >= 100 else "no"
    return met + (" (lower bound)" if lower else "")


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--small", action="store_true", help="only widths (4,3,6), (6,4,8), (8,6,12)")
    ap.add_argument("--cap", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cap = args.cap or (10.0 if args.quick or args.small else 60.0)
    widths = WIDTHS[:3] if args.small else WIDTHS[:6] if args.quick else WIDTHS
    rng = np.random.default_rng(args.seed)
    rnd = random.Random(args.seed)
    alive = {(name, kind): True for name in ("complete", "z3") for kind in ("planted", "near-miss")}
    fit = {(kind, what): [] for kind in ("planted", "near-miss") for what in ("s", "+cert")}
    print(f"three-layer bottleneck equivalence: structural (s) vs complete tier (d) vs Z3, CPU seconds (cap {cap:g} s);"
          f" {load()}")
    print(f"{'widths':>14} {'pair':>9} | {'s':>5} {'cpu ms':>8} {'moves':>5} | {'+cert ms':>8} | {'d':>7} {'cpu s':>8}"
          f" {'d/s':>8} {'d/+cert':>8}  {'100x':<16} | {'z3':>7} {'cpu s':>7} {'z3/s':>8}")
    for n0, n1, n2 in widths:
        while True:
            a = ThreeLayer.from_network(gaussian_network((n0, n1, n2, 1), rng))
            if a.w1_matrix.rank() == n1:
                break
        b = planted(a, rnd)
        for kind, bb in (("planted", b), ("near-miss", near_miss(b, rnd))):
            A, B = a.to_network(), bb.to_network()
            dec, t_s = timed(lambda: complete(A, B))
            (prod, valid), t_c = timed(with_certificate, A, B)
            if dec.tier != "s" or prod.equivalent is not dec.equivalent or not valid:
                print("TIER S DID NOT DECIDE, THE PATHS DISAGREE OR THE CERTIFICATE FAILS", dec.tier, prod.tier,
                      dec.equivalent, prod.equivalent, valid)
                return 1
            res = structural(a, bb)  # the move count (the same chain as the certificate's)
            if res.verdict is not dec.equivalent:
                print("DISAGREEMENT structural", res.verdict, dec.equivalent)
                return 1
            cells = f"{str((n0, n1, n2)):>14} {kind:>9} | {str(res.verdict):>5} {t_s * 1e3:8.3f} {len(res.moves):5d} | {t_c * 1e3:8.3f} |"
            if alive[("complete", kind)]:
                out, t_d = timed(lambda: complete(A, B, tiers="d", timeout=cap))
                lower = out.equivalent is None
                if lower:
                    alive[("complete", kind)] = False
                elif out.equivalent != res.verdict:
                    print("DISAGREEMENT complete", out.equivalent, res.verdict)
                    return 1
                mark = ">=" if lower else ""
                cells += (f" {'timeout' if lower else str(out.equivalent):>7} {t_d:8.3f} {mark + f'{t_d / t_s:.0f}x':>8}"
                          f" {mark + f'{t_d / t_c:.0f}x':>8}  {target(t_d / t_s, t_d / t_c, lower):<16} |")
            else:
                cells += f" {'skip':>7} {'':>8} {'':>8} {'':>8}  {'':<16} |"
            if alive[("z3", kind)]:
                z, t_z = timed(lambda: run_z3(a, bb, cap))
                if z is None:
                    alive[("z3", kind)] = False
                elif z != res.verdict:
                    print("DISAGREEMENT z3", z, res.verdict)
                    return 1
                mark = ">=" if z is None else ""
                cells += f" {'timeout' if z is None else str(z):>7} {t_z:7.2f} {mark + f'{t_z / t_s:.0f}x':>8}"
            else:
                cells += f" {'skip':>7}"
            print(cells)
            sys.stdout.flush()
            if n2 >= 16:
                fit[(kind, "s")].append((n2, t_s))
                fit[(kind, "+cert")].append((n2, t_c))
    for (kind, what), pts in fit.items():
        if len(pts) >= 2:
            e = fit_exponent([x for x, _ in pts], [y for _, y in pts])
            print(f"{what}, {kind}: time ~ n2^{e:.2f} (least squares, n2 = {pts[0][0]}..{pts[-1][0]})")
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
