"""Real algebraic weights in the complete ReLU tiers: the cost of working over a number field.

    python benchmarks/relu_algebraic.py [--quick] [--timeout 60]

Two parts, each printed side by side with ratios (no timing is asserted anywhere):

1. **Open feasibility over Q(sqrt(2))** — random systems ``g_i·x + h_i > 0`` with entries
   ``a + b·sqrt(2)`` (``n ∈ {2, 3}``, ``m ∈ {4, 8}``): ``field_decide`` (HiGHS proposal verified in
   the field, exact field simplex fallback), the exact field simplex alone, and the peer Z3
   (``z3-solver``: nonlinear real arithmetic, ``s·s = 2, s > 0`` and the system in ``x`` and ``s``,
   complete for real algebraic questions). Verdicts must agree.
2. **Region enumeration, equivalence tier (d), functional dimension** — a random integer network
   ``R`` and its *planted* algebraic copy ``A`` (first-layer unit ``j`` scaled by a positive
   algebraic ``c_j`` in ``Q(sqrt(2), sqrt(3))``, its outgoing weights divided by ``c_j``: the same
   function and the same regions). Printed: region counts (must be equal) and times for ``R`` with
   generator cells (the default for ``n ≤ 6``), ``R`` with LP cells (the like-for-like method) and
   ``A`` (field cells); tier (d) ``A ≡ R`` with certificate, and the check time; ``fdim`` of both.
3. **Equivalence against a peer** — tier (d) on ``A`` vs ``R`` (equivalent) and vs a near-miss
   (one output weight changed by ``sqrt(2)/1000``), against Z3 with ``sqrt(2)``, ``sqrt(3)`` as
   reals constrained by ``s² = 2, s > 0`` (the ReLUs as ``If``); ``+`` marks a Z3 time-out. (A
   near-miss is still equivalent when the changed weight reads a unit that is never active.)
4. **Maximum difference with its certificate** — ``A`` (planted, algebraic) against ``R`` with its
   output weights changed by ``1/10`` on ``[0, 1]^n``: the exact maximum over the field without and
   with the certificate (``field_region_tree``), the certificate's bytes (per cell) and the
   independent check's time; beside it the rational pair ``R`` vs the same changed ``R`` (branch and
   bound, ``region_tree`` certificate); for two outputs also ``--top1`` of ``A`` against ``2R + 1``
   (same classes). CPU times (``time.process_time``) and the load average.

``--part N`` runs one part only.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flint import fmpq  # noqa: E402

from exactnet.check import check_certificate  # noqa: E402
from exactnet.network import Network  # noqa: E402
from exactnet.numbers import number  # noqa: E402
from exactnet.polyhedra import Interior  # noqa: E402
from exactnet.polyhedra.field_backend import FieldSimplex, field_decide  # noqa: E402
from exactnet.relu import equivalent  # noqa: E402
from exactnet.relu.functional_dimension import functional_dimension  # noqa: E402
from exactnet.relu.regions import count_regions  # noqa: E402

SQRT2 = number("sqrt(2)")
SCALES = ("sqrt(2)", "1+sqrt(3)", "1", "sqrt(2)+sqrt(3)", "3-2*sqrt(2)", "sqrt(3)/5")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def random_system(rnd, n, m):
    rows, ab = [], []
    for _ in range(m):
        g = [(rnd.randint(-3, 3), rnd.randint(-2, 2)) for _ in range(n)]
        if all(a == 0 and b == 0 for a, b in g):
            g[0] = (1, 0)
        h = (rnd.randint(-4, 4), rnd.randint(-2, 2))
        ab.append((g, h))
        rows.append((tuple(fmpq(a) + b * SQRT2 for a, b in g), fmpq(h[0]) + h[1] * SQRT2))
    return rows, ab


def z3_decide(ab, n, timeout):
    import z3

    s = z3.Real("s")
    xs = [z3.Real(f"x{i}") for i in range(n)]
    solver = z3.Solver()
    solver.set("timeout", int(timeout * 1000))
    solver.add(s * s == 2, s > 0)
    for g, (h0, h1) in ab:
        solver.add(z3.Sum([(a + b * s) * x for (a, b), x in zip(g, xs)]) + h0 + h1 * s > 0)
    res = solver.check()
    return None if res == z3.unknown else res == z3.sat


def part_lp(rnd, quick, timeout):
    print("1. open feasibility over Q(sqrt(2)) — times in ms (median over the systems)")
    print(f"{'n':>2} {'m':>2} {'systems':>7} {'nonempty':>8} {'decide':>8} {'simplex':>8} {'z3':>8} "
          f"{'z3/decide':>9} {'agree':>5}")
    for n, m in ((2, 4), (2, 8), (3, 8)):
        count = 10 if quick else 40
        t_dec, t_sim, t_z3, nonempty, agree = [], [], [], 0, True
        for _ in range(count):
            rows, ab = random_system(rnd, n, m)
            ans, t = timed(lambda: field_decide(rows, n))
            t_dec.append(t)
            exact, t = timed(lambda: FieldSimplex().open_interior(rows, n))
            t_sim.append(t)
            peer, t = timed(lambda: z3_decide(ab, n, timeout))
            t_z3.append(t)
            mine = isinstance(ans, Interior)
            nonempty += mine
            agree &= mine == isinstance(exact, Interior) and (peer is None or peer == mine)
        md, ms, mz = (statistics.median(v) * 1e3 for v in (t_dec, t_sim, t_z3))
        print(f"{n:>2} {m:>2} {count:>7} {nonempty:>8} {md:>8.2f} {ms:>8.2f} {mz:>8.2f} {mz / md:>9.1f} "
              f"{'yes' if agree else 'NO':>5}")


def random_net(rnd, widths):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append(([[rnd.randint(-5, 5) for _ in range(a)] for _ in range(b)], [rnd.randint(-5, 5) for _ in range(b)]))
    return Network.from_lists("relu", layers)


def planted(rational: Network) -> Network:
    first, second = rational.layers[0], rational.layers[1]
    c = [SCALES[j % len(SCALES)] for j in range(first.out_dim)]
    w1 = [[f"({c[j]})*({v})" for v in first.weight[j]] for j in range(first.out_dim)]
    b1 = [f"({c[j]})*({first.bias[j]})" for j in range(first.out_dim)]
    w2 = [[f"({second.weight[i][j]})/({c[j]})" for j in range(first.out_dim)] for i in range(second.out_dim)]
    rest = [([[str(v) for v in row] for row in L.weight], [str(v) for v in L.bias]) for L in rational.layers[2:]]
    return Network.from_lists("relu", [(w1, b1), (w2, [str(v) for v in second.bias])] + rest)


def part_regions(rnd, quick):
    print("\n2. planted networks (A = R rescaled by algebraic unit scales) — seconds")
    print(f"{'widths':<12} {'regions':>7} {'R gen':>7} {'R lp':>7} {'A field':>8} {'A/R lp':>7} {'A/R gen':>8}"
          f" {'tier d':>7} {'check':>7} {'fdim R':>7} {'fdim A':>7} {'fdim':>6}")
    cases = [(2, 6, 6, 1), (2, 10, 10, 1)] if quick else [(2, 6, 6, 1), (2, 10, 10, 1), (3, 8, 8, 1), (2, 12, 12, 1)]
    for widths in cases:
        R = random_net(rnd, widths)
        A = planted(R)
        cg, tg = timed(lambda: count_regions(R))
        cl, tl = timed(lambda: count_regions(R, method="lp"))
        ca, ta = timed(lambda: count_regions(A))
        assert cg == cl == ca, (cg, cl, ca)
        res, td = timed(lambda: equivalent(A, R, tiers="d", certificate=True))
        assert res.equivalent is True
        cert = json.loads(json.dumps(res.certificate))
        ok, tc = timed(lambda: check_certificate(cert))
        assert ok.valid
        fr, tfr = timed(lambda: functional_dimension(R))
        fa, tfa = timed(lambda: functional_dimension(A))
        assert fr.value == fa.value
        label = "-".join(map(str, widths))
        print(f"{label:<12} {ca:>7} {tg:>7.2f} {tl:>7.2f} {ta:>8.2f} {ta / tl:>7.1f} {ta / tg:>8.1f}"
              f" {td:>7.2f} {tc:>7.2f} {tfr:>7.2f} {tfa:>7.2f} {fa.value:>6}")


def z3_equivalent(a: Network, b: Network, timeout: float):
    """Z3 on "exists x with a(x) ≠ b(x)" over the reals, the algebraic weights written with the
    generators of their field as Z3 reals with their defining relations (``s·s = 2``, ``t·t = 3``,
    both positive): ``unsat`` is equivalent, ``sat`` not, ``None`` unknown (time limit)."""
    import z3

    s2, s3 = z3.Real("s2"), z3.Real("s3")

    def term(v):
        text = str(v).replace("sqrt(2)", "s2").replace("sqrt(3)", "s3")
        return eval(text, {"s2": s2, "s3": s3, "__builtins__": {}})  # noqa: S307 - our own numbers

    xs = [z3.Real(f"x{i}") for i in range(a.input_dim)]

    def forward(net):
        vals = xs
        for k, layer in enumerate(net.layers):
            out = [z3.Sum([term(w) * v for w, v in zip(row, vals)]) + term(bias)
                   for row, bias in zip(layer.weight, layer.bias)]
            vals = [z3.If(o > 0, o, 0) for o in out] if k < len(net.layers) - 1 else out
        return vals

    solver = z3.Solver()
    solver.set("timeout", int(timeout * 1000))
    solver.add(s2 * s2 == 2, s2 > 0, s3 * s3 == 3, s3 > 0)
    solver.add(z3.Or([ya != yb for ya, yb in zip(forward(a), forward(b))]))
    res = solver.check()
    return None if res == z3.unknown else res == z3.unsat


def part_z3(rnd, quick, timeout):
    print(f"\n3. equivalence of algebraic pairs: tier (d) vs Z3 (nonlinear reals), Z3 capped at {timeout:.0f} s")
    print(f"{'widths':<12} {'pair':<10} {'exactnet':>9} {'time':>7} {'z3':>8} {'time':>7} {'z3/ours':>8}")
    cases = [(2, 4, 4, 1), (2, 6, 6, 1)] if quick else [(2, 4, 4, 1), (2, 6, 6, 1), (2, 8, 8, 1)]
    for widths in cases:
        R = random_net(rnd, widths)
        A = planted(R)
        last = A.layers[-1]
        near = Network.from_lists("relu", [([[str(v) for v in row] for row in L.weight], [str(v) for v in L.bias])
                                           for L in A.layers[:-1]]
                                  + [([[f"{last.weight[0][0]} + sqrt(2)/1000"] + [str(v) for v in last.weight[0][1:]]],
                                      [str(v) for v in last.bias])])
        for name, other in (("planted", R), ("near-miss", near)):
            ours, t_ours = timed(lambda: equivalent(A, other, tiers="d").equivalent)
            peer, t_peer = timed(lambda: z3_equivalent(A, other, timeout))
            shown = "unknown" if peer is None else str(peer)
            label = "-".join(map(str, widths))
            print(f"{label:<12} {name:<10} {str(ours):>9} {t_ours:>7.2f} {shown:>8} {t_peer:>7.2f}"
                  f" {t_peer / t_ours:>7.1f}{'+' if peer is None else ''}")
            assert peer is None or peer == ours


def cpu(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def changed_outputs(net: Network, delta: str) -> Network:
    """``net`` with every output weight raised by ``delta`` (written exactly)."""
    layers = [([[str(v) for v in row] for row in L.weight], [str(v) for v in L.bias]) for L in net.layers]
    w, b = layers[-1]
    layers[-1] = ([[f"({v}) + ({delta})" for v in row] for row in w], b)
    return Network.from_lists("relu", layers)


def part_difference(rnd, quick):
    import os

    from exactnet.network.domain import Box
    from exactnet.relu.certificates import field_max_difference_certificate, max_difference_certificate
    from exactnet.relu.max_difference import max_difference

    print(f"\n4. maximum difference with certificate — CPU seconds (load average {os.getloadavg()[0]:.2f})")
    print(f"{'widths':<12} {'pair':<9} {'leaves':>6} {'plain':>7} {'cert':>7} {'cert/plain':>10} {'bytes':>9}"
          f" {'B/cell':>7} {'check':>7} {'check/cert':>10}")
    cases = [(2, 6, 6, 1), (3, 6, 6, 1)] if quick else [(2, 6, 6, 1), (3, 6, 6, 1), (2, 12, 12, 1), (3, 8, 8, 2),
                                                        (3, 10, 10, 1), (2, 16, 16, 1), (3, 12, 12, 2)]
    warm = planted(random_net(random.Random(1), (2, 3, 1)))
    max_difference(warm, warm, Box.from_bounds([0, 0], [1, 1]), certificate=True)  # imports and caches
    for widths in cases:
        R = random_net(rnd, widths)
        A = planted(R)
        other = changed_outputs(R, "1/10")
        box = Box.from_bounds([0] * widths[0], [1] * widths[0])
        label = "-".join(map(str, widths))
        for name, first in (("algebraic", A), ("rational", R)):
            plain, t_plain = cpu(lambda: max_difference(first, other, box))
            res, t_cert = cpu(lambda: max_difference(first, other, box, certificate=True))
            assert res.value == plain.value
            if name == "algebraic":
                obj = field_max_difference_certificate(first, other, box, res.value, res.per_output,
                                                       res.per_output_argmax, res.certificate_nodes)
                cells = sum("leaf" in nd for nd in res.certificate_nodes)
            else:
                obj = max_difference_certificate(first, other, box, res.value, res.per_output, res.per_output_argmax,
                                                 res.certificate_nodes)
                cells = sum("leaf" in nd for nd in res.certificate_nodes)
            text = json.dumps(obj)
            cert = json.loads(text)
            ok, t_check = cpu(lambda: check_certificate(cert))
            assert ok.valid, ok.reason
            print(f"{label:<12} {name:<9} {cells:>6} {t_plain:>7.2f} {t_cert:>7.2f} {t_cert / t_plain:>10.1f}"
                  f" {len(text):>9} {len(text) / max(cells, 1):>7.0f} {t_check:>7.2f} {t_check / t_cert:>10.2f}")
        print(f"{'':<12} maximum {plain.value} (equal for both pairs: A and R are the same function)")
        if widths[-1] > 1:  # top-1: A against 2·R + 1 (the same classes everywhere, a certificate)
            from exactnet.relu.certificates import field_top1_certificate
            from exactnet.relu.top1 import top1_equivalent

            layers = [([[str(v) for v in row] for row in L.weight], [str(v) for v in L.bias]) for L in R.layers]
            w, b = layers[-1]
            twice = Network.from_lists("relu", layers[:-1] + [([[f"2*({v})" for v in row] for row in w],
                                                               [f"2*({v}) + 1" for v in b])])
            res, t_top = cpu(lambda: top1_equivalent(A, twice, box, certificate=True))
            assert res.equivalent is True
            text = json.dumps(field_top1_certificate(A, twice, box, True, nodes=res.certificate_nodes))
            ok, t_check = cpu(lambda: check_certificate(json.loads(text)))
            assert ok.valid, ok.reason
            print(f"{'':<12} top-1 A vs 2R+1: same classes on {res.stats['regions']} cells, {t_top:.2f} s with"
                  f" certificate ({len(text)} bytes), check {t_check:.2f} s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0, help="Z3 time limit per system (s)")
    parser.add_argument("--part", type=int, choices=(1, 2, 3, 4), help="run this part only")
    args = parser.parse_args(argv)
    rnd = random.Random(20261204)
    parts = [lambda: part_lp(rnd, args.quick, args.timeout), lambda: part_regions(rnd, args.quick),
             lambda: part_z3(rnd, args.quick, args.timeout), lambda: part_difference(random.Random(20261205), args.quick)]
    for i, part in enumerate(parts, 1):
        if args.part in (None, i):
            part()


if __name__ == "__main__":
    main()
