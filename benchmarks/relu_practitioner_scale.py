"""ε- and top-1 equivalence at the sizes practitioners compare: ACAS-Xu-size, MNIST 8×8 and 784-input pairs.

Every instance is synthesised deterministically (scikit-learn, fixed seeds; no downloads):

* **acas**: a "trained-like" 5-50×6-5 network (``MLPRegressor``, 6 hidden layers of 50, fitted to
  five smooth ACAS-style advisory scores of five inputs on ``[-0.5, 0.5]^5``, the normalised ACAS
  input range), against (a) a *retrained* copy (every weight and bias multiplied by
  ``1 + 0.001·N(0, 1)``), (b) a *pruned* copy (the 20 % smallest weights of every layer set to 0),
  (c) a 5-100-100-5 *student* fitted to the teacher's outputs on samples (least squares by
  ``MLPRegressor``). Questions: ``equiv --eps 0.05`` and ``--top1`` on ``[-0.5, 0.5]^5`` and on the
  input boxes of ACAS Xu properties φ1 and φ3 (normalised inputs, as in the VNN-COMP files).
* **digits**: the 64-32-16-10 classifier of ``relu_epsilon_equivalence.py`` (scikit-learn digits,
  inputs scaled to ``[0, 1]``) against its float16 and bfloat16 copies and a 64-16-10 student
  distilled on its logits. Questions: the exact maximum difference and ``--top1`` on the box of
  radius 0.01 around the first image, and ``--top1`` on radius 0.05 and on ``[0, 1]^64``.
* **mnist784**: a 784-100-100-10 classifier of the digits upscaled to 28×28 (bilinear, values in
  ``[0, 1]``), against its bfloat16 copy and a pruned copy. Questions: ``--eps 0.05``, the maximum
  difference and ``--top1`` on the box of radius 0.01 around the first image; ``--eps 0.05``,
  ``--eps 1`` and ``--top1`` on ``[0, 1]^784``.

Peers (capped at ``--peer-cap`` seconds): the float64 big-M MILP (HiGHS) maximum of
``relu_epsilon_equivalence.py`` for ε questions (its ε verdict is ``max ≤ ε``), and Z3 with exact
rational weights. Printed per question: exactnet's verdict (``yes``/``no``/``unknown``), the exact
interval for the maximum difference (``[lower, upper]``; a witness value only for ``no``), CPU time
(process time, this process; the caps are wall clock), and the peers' answers and CPU times; the load average is printed with
the run, since the machine is shared.

    python benchmarks/relu_practitioner_scale.py --cap 600 --peer-cap 120
    python benchmarks/relu_practitioner_scale.py --only acas --cap 60
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
from flint import fmpq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from relu_epsilon_equivalence import (bfloat16, box_around, milp_max, to_network, trained,  # noqa: E402
                                      z3_exceeds)

from exactnet.deadline import Deadline  # noqa: E402
from exactnet.network.domain import Box  # noqa: E402
from exactnet.numbers import from_float  # noqa: E402
from exactnet.relu.max_difference import max_difference, within_epsilon  # noqa: E402
from exactnet.relu.top1 import top1_equivalent  # noqa: E402


# ---------------------------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------------------------


def _weights(model):
    return [(np.asarray(W, np.float32).T, np.asarray(b, np.float32)) for W, b in zip(model.coefs_, model.intercepts_)]


def float_forward(weights, X):
    X = np.asarray(X, np.float64)
    for i, (W, b) in enumerate(weights):
        X = X @ W.T.astype(np.float64) + b
        if i < len(weights) - 1:
            X = np.maximum(X, 0)
    return X


def _regressor(hidden, X, Y, seed=0, iters=200):
    from sklearn.neural_network import MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _weights(MLPRegressor(hidden_layer_sizes=hidden, max_iter=iters, random_state=seed).fit(X, Y))


def acas_teacher(seed: int = 0):
    """The 5-50×6-5 teacher and its training inputs (module docstring)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-0.5, 0.5, (3000, 5))
    r, th, ps, vo, vi = X.T
    Y = np.stack([np.sin(3 * r) + th * ps, np.cos(2 * th) * r, vo - vi + 0.5 * r * r, np.tanh(4 * ps) * 0.5 + vi,
                  th * th - ps * r], 1)
    return _regressor((50,) * 6, X, Y, seed), X


def retrained(weights, rel: float = 0.001, seed: int = 1):
    rng = np.random.default_rng(seed)
    return [((W * (1 + rel * rng.standard_normal(W.shape))).astype(np.float32),
             (b * (1 + rel * rng.standard_normal(b.shape))).astype(np.float32)) for W, b in weights]


def pruned(weights, fraction: float = 0.2):
    out = []
    for W, b in weights:
        W = W.copy()
        W[np.abs(W) < np.quantile(np.abs(W), fraction)] = 0
        out.append((W, b))
    return out


def student(weights, X, hidden, seed: int = 0):
    """A smaller network fitted (least squares) to the teacher's outputs on the samples ``X``."""
    return _regressor(hidden, X, float_forward(weights, X), seed, iters=300)


def rounded(weights, kind: str):
    if kind == "float16":
        return [(W.astype(np.float16).astype(np.float32), b.astype(np.float16).astype(np.float32)) for W, b in weights]
    return [(bfloat16(W), bfloat16(b)) for W, b in weights]


def digits_28():
    """The scikit-learn digits, upscaled bilinearly to 28×28, values in [0, 1]."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    imgs = X.reshape(-1, 8, 8) / 16.0
    pos = (np.arange(28) + 0.5) * 8 / 28 - 0.5
    i0 = np.clip(np.floor(pos).astype(int), 0, 7)
    i1 = np.clip(i0 + 1, 0, 7)
    f = np.clip(pos - np.floor(pos), 0, 1)
    rows = imgs[:, i0, :] * (1 - f)[None, :, None] + imgs[:, i1, :] * f[None, :, None]
    out = rows[:, :, i0] * (1 - f)[None, None, :] + rows[:, :, i1] * f[None, None, :]
    return np.clip(out.reshape(len(X), 784), 0, 1), y


def mnist784(seed: int = 0):
    from sklearn.neural_network import MLPClassifier

    X, y = digits_28()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(100, 100), max_iter=60, random_state=seed).fit(X, y)
    return _weights(clf), X


def _decimal_box(lower, upper) -> Box:
    return Box.from_bounds([fmpq(*_ratio(v)) for v in lower], [fmpq(*_ratio(v)) for v in upper])


def _ratio(text: str):
    """The exact value of a decimal string as ``(numerator, denominator)``."""
    from fractions import Fraction

    f = Fraction(text)
    return f.numerator, f.denominator


#: The input boxes of ACAS Xu properties 1 and 3 (normalised inputs, as in the VNN-COMP VNN-LIB files).
ACAS_PHI1 = _decimal_box(["0.6", "-0.5", "-0.5", "0.45", "-0.5"], ["0.6798577687", "0.5", "0.5", "0.5", "-0.45"])
ACAS_PHI3 = _decimal_box(["-0.3035311561", "-0.0095492966", "0.4933803236", "0.3", "0.3"],
                         ["-0.2985528119", "0.0095492966", "0.5", "0.5", "0.5"])


def cube(n: int, lo: float, hi: float) -> Box:
    return Box.from_bounds([from_float(lo)] * n, [from_float(hi)] * n)


def instances(only=None):
    """``(family, pair, teacher, partner, [(question, domain name, domain, ε)])`` in order."""
    out = []
    if only in (None, "acas"):
        T, X = acas_teacher()
        box = cube(5, -0.5, 0.5)
        qs = []
        for dname, dom in (("[-0.5,0.5]^5", box), ("ACAS phi1 box", ACAS_PHI1), ("ACAS phi3 box", ACAS_PHI3)):
            qs += [("eps", dname, dom, fmpq(1, 20)), ("top1", dname, dom, None)]
        for name, W in (("retrained", retrained(T)), ("pruned", pruned(T)), ("student 5-100-100-5",
                                                                             student(T, X, (100, 100)))):
            out.append(("acas 5-50x6-5", name, T, W, qs))
    if only in (None, "digits"):
        T, X = trained("digits", (32, 16))
        small, wide = box_around(X[0], 0.01), box_around(X[0], 0.05)
        unit = cube(64, 0.0, 1.0)
        qs = [("max", "r=0.01", small, None), ("top1", "r=0.01", small, None), ("top1", "r=0.05", wide, None),
              ("top1", "[0,1]^64", unit, None)]
        for name, W in (("float16", rounded(T, "float16")), ("bfloat16", rounded(T, "bfloat16")),
                        ("student 64-16-10", student(T, X, (16,)))):
            out.append(("digits 64-32-16-10", name, T, W, qs))
    if only in (None, "mnist784"):
        T, X = mnist784()
        small, full = box_around(X[0], 0.01), cube(784, 0.0, 1.0)
        qs = [("eps", "r=0.01", small, fmpq(1, 20)), ("max", "r=0.01", small, None), ("top1", "r=0.01", small, None),
              ("eps", "[0,1]^784", full, fmpq(1, 20)), ("eps", "[0,1]^784", full, fmpq(1)),
              ("top1", "[0,1]^784", full, None)]
        for name, W in (("bfloat16", rounded(T, "bfloat16")), ("pruned", pruned(T))):
            out.append(("mnist 784-100-100-10", name, T, W, qs))
    return out


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------


def _dec(v) -> str:
    return "-" if v is None else f"{float(v):.4g}"


def exactnet_answer(question, a, b, domain, eps, cap):
    """``(verdict, lower, upper, cpu seconds)``."""
    t = time.process_time()
    deadline = Deadline.after(cap)
    if question == "top1":
        r = top1_equivalent(a, b, domain, deadline=deadline)
        verdict = {True: "yes", False: "no", None: "unknown"}[r.equivalent]
        return verdict, None, None, time.process_time() - t
    if question == "max":
        r = max_difference(a, b, domain, deadline=deadline)
        verdict = "exact" if r.complete else "unknown"
    else:
        r = within_epsilon(a, b, domain, eps, deadline=deadline)
        verdict = {True: "yes", False: "no", None: "unknown"}[r.within]
    return verdict, r.lower_bound, r.upper_bound, time.process_time() - t


def peers(question, a, b, domain, eps, cap):
    """The MILP maximum and Z3's ε verdict (``'-'`` when not run, ``'cap'`` at the cap)."""
    if question == "top1" or (a.input_dim > 64 and question != "eps"):
        return "-", "-"
    t = time.process_time()
    try:
        milp = milp_max(a, b, domain, cap / (2 * a.output_dim))
    except Exception as exc:  # a peer's failure is a result
        milp = f"failed ({type(exc).__name__})"
    t_milp = time.process_time() - t
    if milp is None:
        m_txt = f"cap ({t_milp:.0f}s)"
    elif isinstance(milp, str):
        m_txt = milp
    else:
        verdict = "" if eps is None else (" yes" if milp <= float(eps) else " no")
        m_txt = f"{milp:.4g}{verdict} ({t_milp:.1f}s)"
    if eps is None:
        return m_txt, "-"
    t = time.process_time()
    try:
        z = z3_exceeds(a, b, domain, eps, cap)
    except Exception as exc:
        return m_txt, f"failed ({type(exc).__name__})"
    t_z3 = time.process_time() - t
    z_txt = f"cap ({t_z3:.0f}s)" if z is None else f"{'no' if z else 'yes'} ({t_z3:.1f}s)"
    return m_txt, z_txt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=float, default=600.0, help="seconds per exactnet question (wall clock)")
    ap.add_argument("--peer-cap", type=float, default=120.0, help="seconds per peer question")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--only", choices=("acas", "digits", "mnist784"), default=None)
    args = ap.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{'family':22} {'pair':20} {'question':18} {'verdict':8} {'lower':>10} {'upper':>10} {'cpu s':>7}"
          f" {'load':>5}  MILP max | Z3")
    for family, name, T, W, questions in instances(args.only):
        a, b = to_network(T), to_network(W)
        for question, dname, domain, eps in questions:
            verdict, lo, up, cpu = exactnet_answer(question, a, b, domain, eps, args.cap)
            q = f"{question}{'' if eps is None else ' ' + _dec(eps)} {dname}"
            m_txt, z_txt = ("-", "-") if args.no_peers else peers(question, a, b, domain, eps, args.peer_cap)
            print(f"{family:22} {name:20} {q:18} {verdict:8} {_dec(lo):>10} {_dec(up):>10} {cpu:7.2f}"
                  f" {os.getloadavg()[0]:5.2f}  {m_txt} | {z_txt}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
