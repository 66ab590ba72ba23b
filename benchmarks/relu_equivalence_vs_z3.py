"""Exact ReLU equivalence: exactnet against Z3, side by side in one run.

Peer: Z3 (``z3-solver``), exact over the reals: "exists x with A(x) ≠ B(x)" with every ReLU encoded as
``If(z > 0, z, 0)``; ``unsat`` means equivalent, ``sat`` not equivalent (Z3's model is a witness).

Instances (float32 He-initialised weights, taken exactly as dyadic rationals):

* one hidden layer, ``n0 ∈ {2, 5, 10}``, widths 8 … 256; deep, ``n0 = 2``, 2–4 hidden layers of
  width 8 … 32; one output;
* for each network ``A`` three partners ``B``:
  - ``symmetry``: every hidden layer permuted, every unit rescaled by a power of two, one unit per
    hidden layer split in two;
  - ``hidden``: the symmetry partner plus hidden (non permutation/scaling) symmetries: two
    shifted opposite pairs ``c(σ(ℓ−s₁) − σ(s₁−ℓ)) − c(σ(ℓ−s₂) − σ(s₂−ℓ)) = c(s₂ − s₁)`` (compensated
    in the next bias), a zero-input unit and a dead unit;
  - ``near-miss``: the symmetry partner with one weight changed by 1/1000 (a weight that changes the
    output at some sample point, checked by exact evaluation).

Printed per instance: exactnet's verdict, deciding tier and time; Z3's verdict and time (timeouts at
the cap, default 60 s); the ratio Z3/exactnet (a lower bound when Z3 timed out); verdict agreement.
Times are wall-clock seconds of one decision from networks in memory (formula construction
included for Z3); instances decided in well under a second are timed as the median of a few runs.
The summary checks the targets of issue 6: ≥ 100× on symmetry pairs of width ≥ 64, ≥ 10× on
near-miss pairs, and the same verdict wherever Z3 decides.

    python benchmarks/relu_equivalence_vs_z3.py            # full run (tens of minutes: Z3 timeouts)
    python benchmarks/relu_equivalence_vs_z3.py --quick    # a few instances, 10 s cap
    python benchmarks/relu_equivalence_vs_z3.py --certificates   # also time certificate + check
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
from flint import fmpq

from exactnet.network import Layer, Network, forward_exact
from exactnet.numbers import from_float


# ---------------------------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------------------------


def he_network(rng: np.random.Generator, widths) -> Network:
    layers = []
    for i in range(len(widths) - 1):
        W = (rng.standard_normal((widths[i + 1], widths[i])) * np.sqrt(2.0 / widths[i])).astype(np.float32)
        b = (rng.standard_normal(widths[i + 1]) * 0.1).astype(np.float32)
        layers.append(Layer(tuple(tuple(from_float(v) for v in row) for row in W), tuple(from_float(v) for v in b)))
    return Network("relu", tuple(layers))


def _lists(net: Network):
    return [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]


def _net(layers) -> Network:
    return Network("relu", tuple(Layer(tuple(tuple(r) for r in W), tuple(b)) for W, b in layers))


def _add_unit(layers, li, w, bias, out):
    layers[li][0].append(list(w))
    layers[li][1].append(bias)
    for row, o in zip(layers[li + 1][0], out):
        row.append(o)


def symmetry_partner(net: Network, rnd: random.Random) -> Network:
    layers = _lists(net)
    for li in range(len(layers) - 1):
        W, b = layers[li]
        order = list(range(len(W)))
        rnd.shuffle(order)
        W, b = [W[k] for k in order], [b[k] for k in order]
        nxt = [[row[k] for k in order] for row in layers[li + 1][0]]
        for j in range(len(W)):
            c = fmpq(2) ** rnd.randint(-2, 2)
            W[j], b[j] = [c * v for v in W[j]], c * b[j]
            for row in nxt:
                row[j] = row[j] / c
        layers[li], layers[li + 1] = (W, b), (nxt, layers[li + 1][1])
        j = rnd.randrange(len(W))  # split unit j: (w, b) with half its output, (2w, 2b) with a quarter
        col = [row[j] for row in nxt]
        for row in nxt:
            row[j] = row[j] / 2
        _add_unit(layers, li, [2 * v for v in W[j]], 2 * b[j], [v / 4 for v in col])
    return _net(layers)


def hidden_partner(net: Network, rnd: random.Random) -> Network:
    layers = _lists(symmetry_partner(net, rnd))
    li = 0
    n_in = len(layers[li][0][0])
    m = len(layers[li + 1][0])
    u = [fmpq(rnd.randint(-8, 8), 8) for _ in range(n_in)]
    u[0] = u[0] or fmpq(1)
    beta = fmpq(rnd.randint(-8, 8), 16)
    s1, s2 = fmpq(rnd.randint(-8, 8), 16), fmpq(rnd.randint(-8, 8), 16)
    c = [fmpq(rnd.randint(-8, 8), 8) for _ in range(m)]
    for s, sg in ((s1, 1), (s2, -1)):  # shifted opposite pairs: their sum is the constant c(s2 − s1)
        _add_unit(layers, li, u, beta - s, [sg * v for v in c])
        _add_unit(layers, li, [-v for v in u], s - beta, [-sg * v for v in c])
    layers[li + 1] = (layers[li + 1][0], [bv - cv * (s2 - s1) for bv, cv in zip(layers[li + 1][1], c)])
    last = len(layers) - 2  # a zero-input unit (folded constant) and a dead unit in the last hidden layer
    n_last, m_last = len(layers[last][0][0]), len(layers[last + 1][0])
    k = fmpq(rnd.randint(1, 8), 4)
    out = [fmpq(rnd.randint(-8, 8), 8) for _ in range(m_last)]
    _add_unit(layers, last, [fmpq(0)] * n_last, k, out)
    layers[last + 1] = (layers[last + 1][0], [bv - o * k for bv, o in zip(layers[last + 1][1], out)])
    if last > 0:
        _add_unit(layers, last, [fmpq(-rnd.randint(0, 4), 4) for _ in range(n_last)], fmpq(-1, 2),
                  [fmpq(rnd.randint(-8, 8), 8) for _ in range(m_last)])
    else:
        _add_unit(layers, last, [fmpq(rnd.randint(-8, 8), 8) for _ in range(n_last)], fmpq(1), [fmpq(0)] * m_last)
    return _net(layers)


def near_miss_partner(net: Network, rnd: random.Random) -> Network:
    base = symmetry_partner(net, rnd)
    samples = [[fmpq(rnd.randint(-64, 64), 16) for _ in range(net.input_dim)] for _ in range(64)]
    ref = [forward_exact(base, x) for x in samples]
    for _ in range(500):
        layers = _lists(base)
        li = rnd.randrange(len(layers))
        W = layers[li][0]
        r, c = rnd.randrange(len(W)), rnd.randrange(len(W[0]))
        W[r][c] += fmpq(1, 1000)
        cand = _net(layers)
        if any(forward_exact(cand, x) != y for x, y in zip(samples, ref)):
            return cand
    raise RuntimeError("no live weight found")


# ---------------------------------------------------------------------------------------------
# the two solvers
# ---------------------------------------------------------------------------------------------


def run_exactnet(a: Network, b: Network, certificates: bool):
    from exactnet.relu.equivalence import equivalent

    times = []
    while True:  # fast instances are timed as the median of up to 5 runs (less noise)
        start = time.perf_counter()
        res = equivalent(a, b)
        times.append(time.perf_counter() - start)
        if len(times) == 5 or sum(times) > 0.2:
            break
    seconds = statistics.median(times)
    cert_seconds = None
    if certificates:
        from exactnet.check import check_certificate
        from exactnet.numbers import json_loads_exact

        start = time.perf_counter()
        full = equivalent(a, b, certificate=True)
        ok = check_certificate(json_loads_exact(json.dumps(full.certificate))).valid
        cert_seconds = time.perf_counter() - start
        if not ok:
            raise AssertionError("an exactnet certificate did not check")
    return res, seconds, cert_seconds


def _z3_value(z3, v: fmpq):
    return z3.RealVal(f"{int(v.p)}/{int(v.q)}") if v.q != 1 else z3.RealVal(int(v.p))


def _z3_network(z3, net: Network, xs):
    vals = xs
    last = len(net.layers) - 1
    for idx, layer in enumerate(net.layers):
        out = []
        for row, bias in zip(layer.weight, layer.bias):
            terms = [_z3_value(z3, w) * v for w, v in zip(row, vals) if w != 0]
            out.append(z3.Sum(terms + [_z3_value(z3, bias)]) if terms else _z3_value(z3, bias))
        vals = [z3.If(e > 0, e, z3.RealVal(0)) for e in out] if idx < last else out
    return vals


def run_z3(a: Network, b: Network, cap: float):
    import z3

    times = []
    while True:  # fast instances are timed as the median of up to 3 runs, like exactnet's
        start = time.perf_counter()
        xs = [z3.Real(f"x{i}") for i in range(a.input_dim)]
        ya, yb = _z3_network(z3, a, xs), _z3_network(z3, b, xs)
        solver = z3.Solver()
        solver.set("timeout", int(cap * 1000))
        solver.add(z3.Or([p != q for p, q in zip(ya, yb)]))
        answer = solver.check()
        times.append(time.perf_counter() - start)
        if len(times) == 3 or sum(times) > 1.0 or answer not in (z3.sat, z3.unsat):
            break
    seconds = statistics.median(times)
    if answer == z3.unsat:
        return True, seconds
    if answer == z3.sat:
        return False, seconds
    return None, seconds


# ---------------------------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    family: str
    n0: int
    hidden: list
    kind: str
    exactnet: bool | None
    tier: str | None
    exactnet_s: float
    z3: bool | None
    z3_s: float
    ratio: float
    ratio_is_lower_bound: bool
    agree: bool | None
    cert_s: float | None = None


def instances(quick: bool, widths_override=None):
    if quick:
        shallow = [(2, 8), (2, 64), (5, 64), (10, 256)]
        deep = [(2, (8, 8)), (2, (16, 16, 16))]
    else:
        widths = widths_override or (8, 16, 64, 256)
        shallow = [(n0, w) for n0 in (2, 5, 10) for w in widths]
        deep = [(2, (w,) * d) for d in (2, 3, 4) for w in (8, 16, 32)]
    for n0, w in shallow:
        yield "shallow", n0, (w,)
    for n0, hidden in deep:
        yield "deep", n0, hidden


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few instances with a 10 s Z3 cap")
    parser.add_argument("--z3-timeout", type=float, default=None, help="Z3 cap in seconds (default 60; quick 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--widths", type=int, nargs="*", default=None, help="one-hidden-layer widths (full run)")
    parser.add_argument("--certificates", action="store_true", help="also time certificate generation + check")
    parser.add_argument("--json", default=None, help="write all rows to this JSON file")
    args = parser.parse_args(argv)
    cap = args.z3_timeout or (10.0 if args.quick else 60.0)
    rows: list[Row] = []
    header = (f"{'family':8} {'n0':>3} {'hidden':14} {'kind':10} {'exactnet':>9} {'tier':>4} {'time':>9} "
              f"{'z3':>8} {'z3 time':>9} {'z3/exactnet':>12} agree" + ("   cert+check" if args.certificates else ""))
    print(f"exact ReLU equivalence, exactnet vs Z3 {__import__('z3').get_version_string()} (cap {cap:g} s)")
    print(header)
    print("-" * len(header))
    for index, (family, n0, hidden) in enumerate(instances(args.quick, args.widths)):
        rng = np.random.default_rng(args.seed * 1000 + index)
        rnd = random.Random(args.seed * 1000 + index)
        a = he_network(rng, (n0,) + tuple(hidden) + (1,))
        for kind, make in (("symmetry", symmetry_partner), ("hidden", hidden_partner), ("near-miss", near_miss_partner)):
            b = make(a, rnd)
            res, t_ex, t_cert = run_exactnet(a, b, args.certificates)
            z3_verdict, t_z3 = run_z3(a, b, cap)
            timed_out = z3_verdict is None
            ratio = t_z3 / t_ex if t_ex > 0 else float("inf")
            agree = None if z3_verdict is None else (z3_verdict == res.equivalent)
            row = Row(family, n0, list(hidden), kind, res.equivalent, res.tier, t_ex, z3_verdict, t_z3, ratio,
                      timed_out, agree, t_cert)
            rows.append(row)
            verdict = {True: "equiv", False: "differ", None: "unknown"}
            z3_text = "timeout" if timed_out else verdict[z3_verdict]
            ratio_text = (">" if timed_out else "") + f"{ratio:,.0f}x"
            print(f"{family:8} {n0:>3} {str(list(hidden)):14} {kind:10} {verdict[res.equivalent]:>9} "
                  f"{res.tier or '-':>4} {t_ex:>8.4f}s {z3_text:>8} {t_z3:>8.2f}s {ratio_text:>12} "
                  f"{'-' if agree is None else ('yes' if agree else 'NO')}"
                  + (f"   {t_cert:.3f}s" if t_cert is not None else ""), flush=True)
    print()
    summarize(rows, cap)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([asdict(r) for r in rows], fh, indent=1)
    return 0 if all(r.agree is not False for r in rows) else 1


def summarize(rows: list[Row], cap: float) -> None:
    def line(title, sel):
        if not sel:
            return
        ratios = [r.ratio for r in sel]
        lower = sum(r.ratio_is_lower_bound for r in sel)
        print(f"{title:44} n={len(sel):3}  min {min(ratios):>10,.0f}x  median {statistics.median(ratios):>10,.0f}x"
              f"  Z3 timeouts {lower}")

    print("summary (ratios are lower bounds where Z3 timed out)")
    for kind in ("symmetry", "hidden", "near-miss"):
        for family in ("shallow", "deep"):
            line(f"{kind} / {family}", [r for r in rows if r.kind == kind and r.family == family])
    wide = [r for r in rows if r.kind == "symmetry" and max(r.hidden) >= 64]
    near = [r for r in rows if r.kind == "near-miss"]
    decided = [r for r in rows if r.z3 is not None]
    disagree = [r for r in decided if not r.agree]
    unknown = [r for r in rows if r.exactnet is None]
    print()
    if wide:
        print(f"target ≥100x on symmetry pairs of width ≥64: min {min(r.ratio for r in wide):,.0f}x "
              f"-> {'met' if min(r.ratio for r in wide) >= 100 else 'NOT met'}")
    if near:
        print(f"target ≥10x on near-miss pairs: min {min(r.ratio for r in near):,.0f}x "
              f"-> {'met' if min(r.ratio for r in near) >= 10 else 'NOT met'}")
    print(f"verdicts: Z3 decided {len(decided)} of {len(rows)}; disagreements: {len(disagree)}; "
          f"exactnet unknown: {len(unknown)}; Z3 timeouts ({cap:g} s): {len(rows) - len(decided)}")
    total_ex = sum(r.exactnet_s for r in rows)
    total_z3 = sum(r.z3_s for r in rows)
    print(f"total time: exactnet {total_ex:.2f} s, Z3 {total_z3:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
