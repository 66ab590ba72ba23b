"""Binary-input pairs of the equivalence literature: 10-h-2 against 10-h-h-2 networks on {0,1}^10.

The MILP-based equivalence checkers were measured on networks with 10 binary inputs, a 10-h-2
network against a 10-h-h-2 network that computes nearly the same function, h up to 300; their
published times run to minutes, with time-outs and memory-outs on the larger pairs. Here the pairs
are built deterministically:

* ``A`` (10-h-2): an MLP trained with scikit-learn (one hidden layer of ``h`` ReLUs, logistic
  output ``z``) on a boolean task over ``{0,1}^10`` (label 1 iff ``x0 + x1 + 2·x2 − x3 + x4·x5 ≥ 2``);
  its two outputs are ``(−z/2, z/2)``, so the class (lowest index among the maxima) is 1 iff
  ``z > 0``, the classifier's own prediction;
* ``B`` (10-h-h-2): the same first layer, then a hidden layer ``I + P`` (bias 0) — near-identity on
  the first layer's activations, which are ``≥ 0`` — with a small float32 perturbation ``P`` scaled
  so that the float maximum difference over ``{0,1}^10`` is about ``target`` (0.06 or 0.04,
  alternately), then ``A``'s output layer.

Questions on the finite domain ``{0,1}^10`` (1024 points; exactnet enumerates it exactly): the
exact maximum ``M`` of ``‖A − B‖∞``, ε-equivalence at ε = 0.05 and at a near tie (ε = ``M(1 − 2^-30)``:
no; ε = ``M``: yes), and top-1 equivalence. Every exactnet verdict gets a certificate
(``enumeration``) that the independent checker verifies; search+certificate and check are timed
separately (CPU seconds). Peers on the same finite domain: a float64 big-M MILP with integer input
variables (HiGHS; its maximum gives both ε verdicts) and Z3 with exact rational weights and
``x_j ∈ {0, 1}`` (ε questions, and top-1: ``(A_0 ≥ A_1) ≠ (B_0 ≥ B_1)``).

    python benchmarks/relu_binary_inputs.py [--sizes 10,50,100,300] [--cap 120]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

import numpy as np
from flint import fmpq

sys.path.insert(0, os.path.dirname(__file__))

from relu_epsilon_equivalence import _guarded, _load, milp_max, timed, to_network, z3_exceeds, z3_network  # noqa: E402

from exactnet.check import check_certificate  # noqa: E402
from exactnet.deadline import Deadline  # noqa: E402
from exactnet.network.domain import Box  # noqa: E402
from exactnet.network.finite_domain import FiniteDomain  # noqa: E402
from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate, top1_certificate  # noqa: E402
from exactnet.relu.max_difference import max_difference, within_epsilon  # noqa: E402
from exactnet.relu.top1 import top1_equivalent  # noqa: E402

N = 10


def boolean_task():
    X = np.array([[(i >> (N - 1 - j)) & 1 for j in range(N)] for i in range(1 << N)], dtype=np.float64)
    y = (X[:, 0] + X[:, 1] + 2 * X[:, 2] - X[:, 3] + X[:, 4] * X[:, 5] >= 2).astype(int)
    return X, y


def pair(h: int, target: float, seed: int = 0):
    """``(A, B)`` as float32 weight lists ``[(W, b), ...]`` (module docstring)."""
    from sklearn.neural_network import MLPClassifier

    X, y = boolean_task()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier((h,), max_iter=300, random_state=seed).fit(X, y)
    W1 = np.asarray(clf.coefs_[0].T, np.float32)
    b1 = np.asarray(clf.intercepts_[0], np.float32)
    w = np.asarray(clf.coefs_[1][:, 0], np.float32)
    c = np.float32(clf.intercepts_[1][0])
    out = (np.stack([-w / 2, w / 2]).astype(np.float32), np.array([-c / 2, c / 2], np.float32))
    A = [(W1, b1), out]
    P0 = np.random.default_rng(seed + h).normal(0.0, 1.0, (h, h))

    def float_max(P):
        H = np.maximum(X @ W1.T.astype(np.float64) + b1, 0)
        H2 = np.maximum(H @ (np.eye(h) + P).T, 0)
        ya = H @ out[0].T.astype(np.float64) + out[1]
        yb = H2 @ out[0].T.astype(np.float64) + out[1]
        return float(np.max(np.abs(ya - yb)))

    scale = target / max(float_max(P0 * 1e-6) / 1e-6, 1e-30)  # linear in P while the ReLUs stay put
    P = np.asarray(P0 * scale, np.float32)
    B = [(W1, b1), (np.asarray(np.eye(h) + P, np.float32), np.zeros(h, np.float32)), out]
    return A, B, clf.score(X, y)


def checked(cert) -> float:
    """Check ``cert`` (from its JSON text) independently; returns the checker's CPU seconds."""
    text = json.dumps(cert)
    result, t = timed(lambda: check_certificate(json.loads(text)))
    assert result.valid, result.reason
    return t


def z3_top1_differs(a, b, timeout: float):
    """Z3: is there ``x ∈ {0,1}^n`` where the classes of the two 2-output networks differ?"""
    import z3

    x = [z3.Real(f"x{j}") for j in range(a.input_dim)]
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))
    for v in x:
        s.add(z3.Or(v == 0, v == 1))
    ya, yb = z3_network(a, x), z3_network(b, x)
    s.add((ya[0] >= ya[1]) != (yb[0] >= yb[1]))
    r = s.check()
    return True if r == z3.sat else False if r == z3.unsat else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,25,50,100,200,300")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds per peer call and exactnet question")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(v) for v in args.sizes.split(",")]
    dom = FiniteDomain.cube([fmpq(0), fmpq(1)], N)
    box = Box.from_bounds([0] * N, [1] * N)
    print(f"{{0,1}}^{N} ({dom.size} points). CPU seconds (process + children). Load average at start: {_load()}")
    print("exactnet: q = the question's search, +c = certificate built, chk = independent check;"
          " MILP: float64 big-M, integer inputs ('-': no optimum within the cap); Z3: exact weights, x_j ∈ {0,1}"
          " ('?': unknown at the cap). Caps are wall-clock seconds per call; times are CPU seconds.")
    for i, h in enumerate(sizes):
        target = 0.06 if i % 2 == 0 else 0.04
        (wa, wb, acc), t_train = timed(lambda: pair(h, target))
        a, b = to_network(wa), to_network(wb)
        print(f"\n10-{h}-2 vs 10-{h}-{h}-2 (training accuracy {acc:.3f}, built in {t_train:.1f} s; load {_load()})")

        def deadline():
            return Deadline.after(args.cap)

        res, t_q = timed(lambda: max_difference(a, b, dom, deadline=deadline()))
        M = res.value
        cert, t_c = timed(lambda: max_difference_certificate(a, b, dom, res.value, res.per_output,
                                                             res.per_output_argmax, None, argmax=res.argmax))
        t_k = checked(cert)
        milp, t_m = (None, 0.0) if args.no_peers else timed(lambda: _guarded(milp_max, a, b, box, args.cap, True))
        gap = "" if milp is None else f"; MILP max {milp:.10g} (float − exact = {milp - float(M):.2e})"
        print(f"  exact max  M = {float(M):.10g} ({res.method})   q {t_q:6.2f}  +c {t_c:5.2f}  chk {t_k:6.2f}"
              f"   MILP {t_m:7.2f}{gap}")
        for label, eps in (("ε = 0.05", fmpq(1, 20)), ("ε = M(1-2^-30)", M * (1 - fmpq(1, 2 ** 30))), ("ε = M", M)):
            r, t_q = timed(lambda: within_epsilon(a, b, dom, eps, deadline=deadline()))
            truth = M <= eps
            assert r.within == truth, (h, label, r.within)
            cert, t_c = timed(lambda: epsilon_certificate(a, b, dom, eps, r.within, witness=r.argmax)
                              if not r.within else epsilon_certificate(a, b, dom, eps, True))
            t_k = checked(cert)
            fl = "-" if milp is None else ("Y" if milp <= float(eps) else "N")
            fl += "" if milp is None or (milp <= float(eps)) == truth else " (wrong)"
            if args.no_peers:
                z, t_z = None, 0.0
            else:
                z, t_z = timed(lambda: z3_exceeds(a, b, box, eps, args.cap, binary=True))
            zv = "?" if z is None else ("N" if z else "Y")
            print(f"  {label:15} {'Y' if r.within else 'N'}   q {t_q:6.2f}  +c {t_c:5.2f}  chk {t_k:6.2f}"
                  f"   MILP {fl:9}   Z3 {zv} {t_z:7.2f}")
        r, t_q = timed(lambda: top1_equivalent(a, b, dom, deadline=deadline()))
        cert, t_c = timed(lambda: top1_certificate(a, b, dom, r.equivalent, witness=r.witness)
                          if r.equivalent is False else top1_certificate(a, b, dom, True))
        t_k = checked(cert)
        if args.no_peers:
            z, t_z = None, 0.0
        else:
            z, t_z = timed(lambda: z3_top1_differs(a, b, args.cap))
        zv = "?" if z is None else ("N" if z else "Y")
        if z is not None:
            assert (not z) == r.equivalent, (h, z, r.equivalent)
        print(f"  {'top-1':15} {'Y' if r.equivalent else 'N'}   q {t_q:6.2f}  +c {t_c:5.2f}  chk {t_k:6.2f}"
              f"   {'':14} Z3 {zv} {t_z:7.2f}")
        sys.stdout.flush()
    print(f"\nload average at the end: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
