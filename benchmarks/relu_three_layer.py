"""Three-layer bottleneck ReLU equivalence: the structural tier against the complete tier and Z3.

Instances: ``A`` with float32 Gaussian weights (exact dyadic rationals; ``exactnet.relu.sampling``),
widths ``(n0, n1, n2, 1)`` from ``(4, 3, 6)`` to ``(128, 96, 128)``; for each ``A`` two partners:

* ``planted``: both hidden layers permuted and rescaled (powers of two), one second-layer neuron
  split in two, a dead neuron added, a mixed neuron flipped with identity neurons absorbing its
  linear part (M0, M1, M2, M5 of docs/relu-three-layer.md) — equivalent;
* ``near-miss``: the planted partner with one second-layer weight changed by 1/1000 — not equivalent.

Deciders, each from networks in memory, wall-clock seconds:

* ``structural``: :func:`exactnet.relu.three_layer.equivalence.equivalent` (canonical forms, the move
  chain re-verified exactly for ``True``, an exact witness for ``False``);
* ``+cert``: the product path ``exactnet.relu.equivalence.equivalent(a, b, certificate=True)`` (tier s
  runs first) followed by the independent checker ``exactnet.check.check_certificate`` — what
  ``exactnet equiv --certificate`` and ``exactnet check`` do, minus reading files;
* ``complete``: ``exactnet.relu.equivalence.equivalent(a, b, tiers="d")`` (region refinement), cap
  ``--cap`` seconds; once it times out on a pair kind it is skipped for that kind at larger widths;
* ``z3``: Z3 over the reals (``exists x: A(x) != B(x)``, ReLU as ``If(z > 0, z, 0)``), same cap.

Printed: verdicts, times, ratios against ``+cert`` (lower bounds after a timeout), and the fitted
exponents ``e`` of ``time ≈ c·n2^e`` for the structural tier and for ``+cert`` (least squares on
log–log, widths ≥ 16).

    python benchmarks/relu_three_layer.py            # full (cap 60 s)
    python benchmarks/relu_three_layer.py --quick    # widths up to (32, 24, 32), cap 10 s
"""

from __future__ import annotations

import argparse
import math
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

    t0 = time.perf_counter()
    s = z3.Solver()
    s.set("timeout", int(cap * 1000))
    s.add(z3.Or([x != y for x, y in zip(enc(a), enc(b))]))
    ans = s.check()
    t = time.perf_counter() - t0
    return (True if ans == z3.unsat else False if ans == z3.sat else None, t)


def timed(fn, *args):
    """Wall-clock seconds; the median of up to 5 runs for decisions under a second."""
    times = []
    while True:
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
        if len(times) == 5 or sum(times) > 1.0:
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cap = args.cap or (10.0 if args.quick else 60.0)
    widths = WIDTHS[:6] if args.quick else WIDTHS
    rng = np.random.default_rng(args.seed)
    rnd = random.Random(args.seed)
    alive = {(name, kind): True for name in ("complete", "z3") for kind in ("planted", "near-miss")}
    fit = {(kind, what): [] for kind in ("planted", "near-miss") for what in ("structural", "+cert")}
    print(f"three-layer bottleneck equivalence: structural vs complete tier (d) vs Z3 (cap {cap:g} s);"
          " ratios against +cert (tier s with certificate and check)")
    print(f"{'widths':>16} {'pair':>9} | {'struct':>6} {'time':>8} {'moves':>5} | {'+cert':>6} {'tier':>4} {'time':>8} |"
          f" {'complete':>8} {'time':>8} {'ratio':>9} | {'z3':>5} {'time':>8} {'ratio':>9}")
    for n0, n1, n2 in widths:
        while True:
            a = ThreeLayer.from_network(gaussian_network((n0, n1, n2, 1), rng))
            if a.w1_matrix.rank() == n1:
                break
        b = planted(a, rnd)
        for kind, bb in (("planted", b), ("near-miss", near_miss(b, rnd))):
            res, t_s = timed(structural, a, bb)
            A, B = a.to_network(), bb.to_network()
            (prod, valid), t_c = timed(with_certificate, A, B)
            if prod.equivalent is not res.verdict or not valid:
                print("PRODUCT PATH DISAGREES OR ITS CERTIFICATE FAILS", prod.tier, prod.equivalent, valid)
                return 1
            cells = [f"{str((n0, n1, n2)):>16} {kind:>9} | {str(res.verdict):>6} {t_s:8.3f} {len(res.moves):5d} |"
                     f" {'ok':>6} {prod.tier:>4} {t_c:8.3f} |"]
            for name, fn in (("complete", lambda: complete(a.to_network(), bb.to_network(), tiers="d", timeout=cap)),
                             ("z3", lambda: run_z3(a, bb, cap))):
                if not alive[(name, kind)]:
                    cells.append(f" {'skip':>8} {'':>8} {'':>9} |" if name == "complete" else f" {'skip':>5}")
                    continue
                out, t_o = timed(fn)
                verdict = out.equivalent if name == "complete" else out[0]
                if name == "z3":
                    t_o = out[1]
                timed_out = verdict is None
                if timed_out:
                    alive[(name, kind)] = False
                ratio = t_o / t_c if t_c > 0 else float("inf")
                mark = ">=" if timed_out else ""
                if verdict is not None and verdict != res.verdict and res.verdict is not None:
                    print("DISAGREEMENT", name, verdict, res.verdict)
                    return 1
                w = 8 if name == "complete" else 5
                cells.append(f" {str(verdict) if not timed_out else 'timeout':>{w}} {t_o:8.2f} {mark + f'{ratio:.0f}x':>9}"
                             + (" |" if name == "complete" else ""))
            print("".join(cells))
            sys.stdout.flush()
            if n2 >= 16:
                fit[(kind, "structural")].append((n2, t_s))
                fit[(kind, "+cert")].append((n2, t_c))
    for (kind, what), pts in fit.items():
        if len(pts) >= 2:
            e = fit_exponent([x for x, _ in pts], [y for _, y in pts])
            print(f"{what}, {kind}: time ~ n2^{e:.2f} (least squares, n2 = {pts[0][0]}..{pts[-1][0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
