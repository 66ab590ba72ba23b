"""ε-equivalence and the maximum difference of ReLU networks: exactnet against a float MILP and Z3.

Peers, side by side in one run:

* **MILP** (the method of the MILP-based equivalence checkers): ``max s·(A_k(x) − B_k(x))`` over the
  box, every ReLU ``h = max(z, 0)`` encoded with a binary ``δ`` and big-M constants from float
  interval bounds (``h ≥ z``, ``h ≥ 0``, ``h ≤ z − l(1 − δ)``, ``h ≤ u·δ``), solved by HiGHS in
  float64 with its default tolerances; the float maximum over ``k`` and ``s`` is compared with ε.
* **Z3** with exact rational weights: ``∃x ∈ box: ⋁_{k,s} s·(A_k(x) − B_k(x)) > ε`` with
  ``If(z > 0, z, 0)`` ReLUs (``sat``: not within ε; ``unsat``: within). Decides ε only.

Instances (``--quick`` runs a few): small MLPs trained with scikit-learn on data that ships with it
(iris 4-8-3, wine 13-12-3, digits 8×8 64-32-16-10, inputs scaled to [0, 1]); partners:

* ``float16`` / ``bfloat16``: every weight rounded to that format and back;
* ``pruned``: the 20 % smallest weights of every layer set to 0;
* ``near-zero 2^-k``: one first-layer weight changed by ``2^-k`` (k = 20, 30, 40), so the true
  maximum difference is tiny.

Domain: the box ``[x0 − r, x0 + r] ∩ [0, 1]`` around a training point. ε is set on both sides of
the exact maximum ``M`` (``M·(1 ± 2^-8)``, and ``M/2``/``2M``), so the right verdict is known; a
float verdict that differs is counted as wrong. Printed: exact ``M`` (decimal), the MILP's float
maximum, both ε verdicts of each tool, times (exactnet's for the exact maximum and for the ε
question), and ratios.

    python benchmarks/relu_epsilon_equivalence.py --quick
    python benchmarks/relu_epsilon_equivalence.py            # all instances (minutes)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from flint import fmpq

from exactnet.network import Layer, Network
from exactnet.network.domain import Box
from exactnet.numbers import from_float
from exactnet.relu.max_difference import max_difference, within_epsilon


# ---------------------------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------------------------


def trained(name: str, hidden, seed: int = 0):
    from sklearn.datasets import load_digits, load_iris, load_wine
    from sklearn.neural_network import MLPClassifier

    X, y = {"iris": load_iris, "wine": load_wine, "digits": load_digits}[name](return_X_y=True)
    X = (X - X.min(axis=0)) / np.maximum(X.max(axis=0) - X.min(axis=0), 1e-12)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden, max_iter=400, random_state=seed).fit(X, y)
    weights = [(np.asarray(W, np.float32).T, np.asarray(b, np.float32)) for W, b in zip(clf.coefs_, clf.intercepts_)]
    return weights, X


def to_network(weights) -> Network:
    return Network("relu", tuple(Layer(tuple(tuple(from_float(float(v)) for v in row) for row in W),
                                       tuple(from_float(float(v)) for v in b)) for W, b in weights))


def bfloat16(a):
    a = np.asarray(a, np.float32).copy()
    bits = a.view(np.uint32)
    bits &= np.uint32(0xFFFF0000)
    return bits.view(np.float32)


def partners(weights):
    out = {
        "float16": [(W.astype(np.float16).astype(np.float32), b.astype(np.float16).astype(np.float32))
                    for W, b in weights],
        "bfloat16": [(bfloat16(W), bfloat16(b)) for W, b in weights],
    }
    pruned = []
    for W, b in weights:
        W = W.copy()
        cut = np.quantile(np.abs(W), 0.2)
        W[np.abs(W) < cut] = 0
        pruned.append((W, b))
    out["pruned"] = pruned
    return out


def near_zero(net: Network, k: int) -> Network:
    layers = list(net.layers)
    first = layers[0]
    weight = [list(r) for r in first.weight]
    weight[0][0] = weight[0][0] + fmpq(1, 2 ** k)
    layers[0] = Layer(tuple(tuple(r) for r in weight), first.bias)
    return Network("relu", tuple(layers))


def box_around(x0, r: float) -> Box:
    lo = [max(0.0, float(v) - r) for v in x0]
    hi = [min(1.0, float(v) + r) for v in x0]
    hi = [h if h > l else l + r for l, h in zip(lo, hi)]
    return Box.from_bounds([from_float(v) for v in lo], [from_float(v) for v in hi])


# ---------------------------------------------------------------------------------------------
# peers
# ---------------------------------------------------------------------------------------------


def _float_layers(net: Network):
    return [(np.array([[float(v) for v in r] for r in L.weight]), np.array([float(v) for v in L.bias]))
            for L in net.layers]


def milp_max(a: Network, b: Network, box: Box, time_limit: float = 60.0, binary: bool = False) -> float | None:
    """Float64 big-M MILP maximum of ``max_{k,s} s·(A_k − B_k)`` over the box (HiGHS); ``binary``:
    over the integer points of the box (``{0,1}^n`` for ``[0,1]^n``: integer input variables)."""
    import highspy

    lo0 = np.array([float(v) for v in box.lower])
    hi0 = np.array([float(v) for v in box.upper])
    best = -np.inf
    nets = [_float_layers(a), _float_layers(b)]
    m = a.output_dim
    for k in range(m):
        for s in (1.0, -1.0):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("time_limit", time_limit)
            inf = highspy.kHighsInf
            x = [h.addVariable(lb=lo0[j], ub=hi0[j], type=highspy.HighsVarType.kInteger) if binary else
                 h.addVariable(lb=lo0[j], ub=hi0[j]) for j in range(len(lo0))]
            outs = []
            for layers in nets:
                cur, lo, hi = x, lo0, hi0
                for idx, (W, bias) in enumerate(layers):
                    zl = np.maximum(W, 0) @ lo + np.minimum(W, 0) @ hi + bias
                    zu = np.maximum(W, 0) @ hi + np.minimum(W, 0) @ lo + bias
                    zs = []
                    for i in range(W.shape[0]):
                        z = h.addVariable(lb=-inf, ub=inf)
                        # HiGHS refuses coefficients below its small_matrix_value (1e-9): dropped, as a
                        # float model does
                        h.addConstr(sum(float(W[i, j]) * cur[j] for j in range(W.shape[1]) if abs(W[i, j]) > 1e-9)
                                    - z == -float(bias[i]))
                        zs.append(z)
                    if idx == len(layers) - 1:
                        outs.append(zs)
                        break
                    hs = []
                    for i, z in enumerate(zs):
                        l_, u_ = zl[i], zu[i]
                        if l_ >= 0:
                            hs.append(z)
                        elif u_ <= 0:
                            hs.append(h.addVariable(lb=0, ub=0))
                        else:
                            v = h.addVariable(lb=0, ub=u_)
                            d = h.addVariable(lb=0, ub=1, type=highspy.HighsVarType.kInteger)
                            h.addConstr(v - z >= 0)
                            h.addConstr(v - z - l_ * d <= -l_)  # h ≤ z − l(1 − δ)
                            h.addConstr(v - u_ * d <= 0)
                            hs.append(v)
                    cur = hs
                    lo, hi = np.maximum(zl, 0), np.maximum(zu, 0)
            h.maximize(s * (outs[0][k] - outs[1][k]))
            if h.getModelStatus() not in (highspy.HighsModelStatus.kOptimal,):
                return None
            best = max(best, h.getInfo().objective_function_value)
    return best


def z3_network(net: Network, x):
    """The outputs of ``net`` at the Z3 terms ``x`` (exact rational weights, ``If(z > 0, z, 0)``)."""
    import z3

    def q(v):
        return z3.RealVal(f"{v.p}/{v.q}")

    cur = x
    for idx, L in enumerate(net.layers):
        z = [z3.Sum([q(w) * c for w, c in zip(row, cur) if w != 0] + [q(bb)]) for row, bb in zip(L.weight, L.bias)]
        if idx == len(net.layers) - 1:
            return z
        cur = [z3.If(t > 0, t, 0) for t in z]


def z3_exceeds(a: Network, b: Network, box: Box, eps: fmpq, timeout: float = 60.0,
               binary: bool = False) -> bool | None:
    """``True`` if Z3 finds ``x`` in the box with some ``|A_k − B_k| > ε``, ``False`` if unsat,
    ``None`` on timeout. ``binary``: ``x ∈ {0,1}^n`` (the box must be ``[0,1]^n``)."""
    import z3

    def q(v):
        return z3.RealVal(f"{v.p}/{v.q}")

    x = [z3.Real(f"x{j}") for j in range(a.input_dim)]
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))
    for j, v in enumerate(x):
        s.add(v >= q(box.lower[j]), v <= q(box.upper[j]))
        if binary:
            s.add(z3.Or(v == 0, v == 1))
    ya, yb = z3_network(a, x), z3_network(b, x)
    s.add(z3.Or([d > q(eps) for k in range(a.output_dim) for d in (ya[k] - yb[k], yb[k] - ya[k])]))
    r = s.check()
    return True if r == z3.sat else False if r == z3.unsat else None


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------


def _guarded(fn, *args):
    """The peer's answer, or ``None`` when it fails (reported as '-')."""
    try:
        return fn(*args)
    except Exception as exc:  # a peer's failure is a result, not a crash of the benchmark
        print(f"  ({fn.__name__} failed: {type(exc).__name__}: {exc})")
        return None


def cpu() -> float:
    """CPU seconds of this process and its children (user + system). Z3 and HiGHS run in-process:
    their time counts."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, repeat: bool = False):
    """``(fn(), CPU seconds)``. The garbage of earlier work is collected first (outside the timing),
    so a collection that earlier runs made due is not charged to the next tool's few milliseconds.

    ``repeat`` (used for every tool's decisions alike): a call under 0.5 s is the first of a series,
    and the time is the median of up to 7 further calls (at most about 1 s of CPU in all), back to
    back without a forced collection in between (steady state, as ``timeit`` measures) — one call
    of a few milliseconds measures cold caches and timer noise, not the method, and a full
    collection before each call makes the next one page its freed memory back in (measured: the
    iris near-zero ε question 1.7 ms after ``gc.collect()``, 0.9 ms back to back)."""
    import gc

    gc.collect()
    t = cpu()
    out = fn()
    first = cpu() - t
    if not repeat or first >= 0.5:
        return out, first
    times, spent = [], 0.0
    while len(times) < 7 and spent < 1.0:
        t = cpu()
        fn()
        times.append(cpu() - t)
        spent += times[-1]
    return out, float(np.median(times))


def certified_epsilon(a, b, box, eps, cap):
    """A certified ε verdict: ``(within, t_certify, t_check)`` — the certified search with the
    certificate built, and the independent checker on the JSON text, each in CPU seconds."""
    import json

    from exactnet.check import check_certificate
    from exactnet.deadline import Deadline
    from exactnet.relu.certificates import epsilon_certificate

    def certify():
        res = within_epsilon(a, b, box, eps, certificate=True, deadline=Deadline.after(cap))
        if res.within is None:
            return None, None
        if res.within:
            cert = epsilon_certificate(a, b, box, res.epsilon, True, nodes=res.certificate_nodes,
                                       affine_hull=res.affine_hull, roots=res.certificate_roots)
        else:
            cert = epsilon_certificate(a, b, box, res.epsilon, False, witness=res.argmax)
        return res.within, json.dumps(cert)

    (within, text), t_cert = timed(certify)
    if text is None:
        return None, t_cert, 0.0
    result, t_check = timed(lambda: check_certificate(json.loads(text)))
    assert result.valid, result.reason
    return within, t_cert, t_check


def certified_maximum(a, b, box, cap):
    """The certified maximum: ``(value, t_certify, t_check)`` (``relu.max_difference``)."""
    import json

    from exactnet.check import check_certificate
    from exactnet.deadline import Deadline
    from exactnet.relu.certificates import max_difference_certificate

    def certify():
        res = max_difference(a, b, box, certificate=True, deadline=Deadline.after(cap))
        if not res.complete:
            return None, None
        return res.value, json.dumps(max_difference_certificate(
            a, b, box, res.value, res.per_output, res.per_output_argmax, res.certificate_nodes, argmax=res.argmax,
            affine_hull=res.affine_hull, roots=res.certificate_roots))

    (value, text), t_cert = timed(certify)
    if text is None:
        return None, t_cert, 0.0
    result, t_check = timed(lambda: check_certificate(json.loads(text)))
    assert result.valid, result.reason
    return value, t_cert, t_check


def _t(seconds: float) -> str:
    """A CPU time for the table: seconds from 1 s on, milliseconds below (``"1.45ms"``)."""
    return f"{seconds:.2f}" if seconds >= 1 else f"{seconds * 1000:.3g}ms"


def _load() -> str:
    import os

    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap", type=float, default=60.0, help="seconds per peer run (and exactnet question)")
    ap.add_argument("--only", default=None, help="run only this data set (iris, wine, digits)")
    ap.add_argument("--no-certificates", action="store_true", help="skip the certified runs and their checks")
    args = ap.parse_args(argv)
    from exactnet.deadline import Deadline

    models = [("iris", (8,), 0.1), ("wine", (12,), 0.05), ("digits", (32, 16), 0.01)]
    kinds = ["float16", "bfloat16", "pruned", "near-zero 2^-20", "near-zero 2^-30", "near-zero 2^-40"]
    if args.only:
        models = [m for m in models if m[0] == args.only]
    if args.quick:
        models = models[:2]
        kinds = ["float16", "pruned", "near-zero 2^-30"]
    print(f"CPU seconds (process + children; Z3 and HiGHS in-process). Load average at start: {_load()}")
    print("Times in seconds, or in ms where marked. t_max: exactnet's exact maximum; t_eps: its two ε questions;"
          " t_cert/t_chk: the same three verdicts"
          " certified (search + certificate) and independently checked; MILP/ex = t_MILP / t_max;"
          " Z3/ex = t_Z3 / t_eps (both ε questions).")
    print(f"{'instance':30} {'exact M':>11} {'MILP max':>11} {'t_max':>6} {'t_eps':>6} {'t_cert':>7} {'t_chk':>6}"
          f" {'t_MILP':>7} {'t_Z3':>7} {'MILP/ex':>8} {'Z3/ex':>7}  verdicts ex|MILP|Z3 at M(1-2^-8), M(1+2^-8)"
          "   load")
    wrong_milp = wrong_z3 = total = 0
    rows = []
    for name, hidden, r in models:
        weights, X = trained(name, hidden)
        a = to_network(weights)
        box = box_around(X[0], r)
        partner_weights = partners(weights)
        for kind in kinds:
            if kind.startswith("near-zero"):
                b = near_zero(a, int(kind.split("^-")[1]))
            else:
                b = to_network(partner_weights[kind])
            label = f"{name} {'-'.join(map(str, a.widths))} {kind}"
            res, t_exact = timed(lambda: max_difference(a, b, box, deadline=Deadline.after(args.cap)), repeat=True)
            if res.value is None:
                print(f"{label:30} exact search stopped at the cap: M in [{float(res.lower_bound):.3e},"
                      f" {res.upper_bound if res.upper_bound is None else float(res.upper_bound):.3e}]")
                continue
            M = res.value
            t_cert = t_check = 0.0
            if not args.no_certificates:
                value, tc, tk = certified_maximum(a, b, box, args.cap)
                assert value is None or value == M, (label, value, M)
                t_cert, t_check = t_cert + tc, t_check + tk
            milp, t_milp = timed(lambda: _guarded(milp_max, a, b, box, args.cap), repeat=True)
            verdicts = []
            t_eps = t_z3 = 0.0
            for eps, truth in ((M * (1 - fmpq(1, 256)), False), (M * (1 + fmpq(1, 256)), True)):
                if M == 0 and not truth:
                    continue
                ex, te = timed(lambda: within_epsilon(a, b, box, eps, deadline=Deadline.after(args.cap)).within,
                               repeat=True)
                t_eps += te
                if not args.no_certificates:
                    cw, tc, tk = certified_epsilon(a, b, box, eps, args.cap)
                    assert cw is None or cw == truth, (label, eps, cw)
                    t_cert, t_check = t_cert + tc, t_check + tk
                fl = None if milp is None else milp <= float(eps)
                z, tz = timed(lambda: z3_exceeds(a, b, box, eps, args.cap), repeat=True)
                t_z3 += tz
                zv = None if z is None else (not z)
                total += 1
                wrong_milp += fl is not None and fl != truth
                wrong_z3 += zv is not None and zv != truth
                assert ex == truth, (label, eps, ex)
                verdicts.append(f"{'Y' if ex else 'N'}|{'?' if fl is None else 'Y' if fl else 'N'}|"
                                f"{'?' if zv is None else 'Y' if zv else 'N'}")
            rows.append((label, t_exact, t_eps, t_milp if milp is not None else None, t_z3, t_cert, t_check))
            r_milp = "-" if milp is None else f"{t_milp / max(t_exact, 1e-9):.2f}"
            print(f"{label:30} {float(M):11.4e} {'-' if milp is None else f'{milp:11.4e}':>11} {_t(t_exact):>6}"
                  f" {_t(t_eps):>6} {_t(t_cert):>7} {_t(t_check):>6} {_t(t_milp):>7} {_t(t_z3):>7} {r_milp:>8}"
                  f" {t_z3 / max(t_eps, 1e-9):7.1f}  {'  '.join(verdicts):42} {_load()}")
            sys.stdout.flush()
    print()
    print(f"ε questions: {total}; wrong float MILP verdicts: {wrong_milp}; wrong Z3 verdicts: {wrong_z3}"
          " (exactnet: 0 by construction, asserted; every exactnet verdict certified and checked"
          f"{' — skipped: --no-certificates' if args.no_certificates else ''})")
    milp_rows = [r for r in rows if r[3] is not None]
    if milp_rows:
        ratios = [r[1] / max(r[3], 1e-9) for r in milp_rows]
        within = sum(q <= 10 for q in ratios)
        print(f"target 'exactnet within 10x of the MILP' (t_max / t_MILP ≤ 10): {within} of {len(ratios)} instances"
              f" (worst {max(ratios):.2f}x, median {np.median(ratios):.2f}x)"
              f" -> {'met' if within == len(ratios) else 'NOT met'}")
        ratios_c = [(r[5] + r[6]) / max(r[3], 1e-9) for r in milp_rows]
        print(f"  with certificates and checks counted (t_cert + t_chk covers the maximum and both ε verdicts):"
              f" worst {max(ratios_c):.2f}x, median {np.median(ratios_c):.2f}x the MILP's time")
    if rows:
        ratios = [r[4] / max(r[2], 1e-9) for r in rows]
        met = sum(q >= 10 for q in ratios)
        print(f"target 'Z3 ≥ 10x slower than exactnet' (t_Z3 / t_eps ≥ 10): {met} of {len(ratios)} instances"
              f" (min {min(ratios):.1f}x, median {np.median(ratios):.1f}x)"
              f" -> {'met' if met == len(ratios) else 'NOT met'}")
        slow = [r for r in rows if r[4] / max(r[2], 1e-9) < 10]
        for r in slow:
            print(f"  not met: {r[0]}: Z3 {_t(r[4])}, exactnet {_t(r[2])}")
    print(f"load average at the end: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
