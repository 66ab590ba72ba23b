"""Exact functional dimension vs the numerical rank used in public code, side by side.

For random ReLU networks of small architectures this prints, per architecture:

* **exact**: :func:`exactnet.relu.functional_dimension.functional_dimension` on ``R^n`` (exact
  regions, exact/modular ranks; the ground truth), its time and how it was certified;
* **numerical** (docs/relu.md § Exactness pitfalls; the approach of ``JoachimBP/Functional-dimension``): the
  Jacobian of the outputs with respect to all parameters on a batch of ``--batch`` inputs drawn
  from ``N(0, I)``, and its rank by ``numpy.linalg.matrix_rank`` with its default tolerance
  ``σ_max·max(m, n)·eps`` — in three variants:

  - ``f64``: float64 Jacobian, float64 SVD and tolerance;
  - ``f32``: float32 Jacobian, float32 SVD and tolerance (``eps`` of float32);
  - ``f32>64``: float32 Jacobian cast to float64, float64 tolerance (what a float32 Keras/PyTorch
    model gives when the Jacobian is stacked into a float64 array, docs/relu.md § Exactness pitfalls).

  and how often each is wrong: ``low`` (below the exact value), ``high`` (above it; ``>bound``
  counts ranks above ``D − N_hid``, which no parameter can have).

Sampling law: every weight and bias i.i.d. ``N(0, 1)`` (``--init gauss``) or the PyTorch
``nn.Linear`` default ``U(−1/√fan_in, 1/√fan_in)`` (``--init torch``), drawn with NumPy's
``default_rng(seed)`` and rounded to float32; the exact computation uses those float32 values
exactly (dyadic rationals). Inputs for the numerical rank: ``N(0, I)``, ``default_rng(seed + 10^6)``.

Times are wall-clock seconds on this machine (median and max over the networks); ``ratio`` is
median exact time / median f64 time. Example::

    python benchmarks/relu_functional_dimension.py --nets 10
    python benchmarks/relu_functional_dimension.py --exact-batch 1000   # fdim --batch at data scale
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from exactnet.network import Network
from exactnet.relu.functional_dimension import functional_dimension

DEFAULT_ARCHS = ["2,4,4,1", "3,8,8,1", "2,16,16,16,1"]


def random_layers(widths, seed: int, init: str):
    rng = np.random.default_rng(seed)
    layers = []
    for i in range(len(widths) - 1):
        fan_in, fan_out = widths[i], widths[i + 1]
        if init == "torch":
            k = 1.0 / np.sqrt(fan_in)
            W = rng.uniform(-k, k, (fan_out, fan_in))
            b = rng.uniform(-k, k, fan_out)
        else:
            W = rng.standard_normal((fan_out, fan_in))
            b = rng.standard_normal(fan_out)
        layers.append((W.astype(np.float32), b.astype(np.float32)))
    return layers


def numeric_jacobian(layers, X, dtype):
    """Rows ``∂F_o(x)/∂θ`` (library parameter order) for every ``x`` in ``X`` (autodiff convention
    ``ReLU'(0) = 0``), as an ``(N·n_d) × D`` array of ``dtype``."""
    Ws = [W.astype(dtype) for W, _ in layers]
    bs = [b.astype(dtype) for _, b in layers]
    a = [X.astype(dtype)]
    masks = []
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = a[-1] @ W.T + b
        m = (z > 0).astype(dtype)
        masks.append(m)
        a.append(z * m)
    N, nd = X.shape[0], Ws[-1].shape[0]
    blocks = []
    for o in range(nd):
        delta = np.broadcast_to(np.eye(nd, dtype=dtype)[o], (N, nd))
        per_layer = [None] * len(Ws)
        for li in range(len(Ws) - 1, -1, -1):
            gw = (delta[:, :, None] * a[li][:, None, :]).reshape(N, -1)
            per_layer[li] = np.concatenate([gw, delta], axis=1)
            if li > 0:
                delta = (delta @ Ws[li]) * masks[li - 1]
        blocks.append(np.concatenate(per_layer, axis=1))
    return np.stack(blocks, axis=1).reshape(N * nd, -1)


def numeric_ranks(layers, n0: int, batch: int, seed: int):
    """``({variant: rank}, seconds of the f64 variant)``."""
    X = np.random.default_rng(seed + 10**6).standard_normal((batch, n0))
    out = {}
    t0 = time.perf_counter()
    out["f64"] = int(np.linalg.matrix_rank(numeric_jacobian(layers, X, np.float64)))
    t64 = time.perf_counter() - t0
    J32 = numeric_jacobian(layers, X, np.float32)
    out["f32"] = int(np.linalg.matrix_rank(J32))
    out["f32>64"] = int(np.linalg.matrix_rank(J32.astype(np.float64)))
    return out, t64


def exact_network(layers) -> Network:
    return Network.from_lists("relu", [(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in layers])


def run(archs, nets: int, batch: int, init: str, seed0: int):
    print(f"law: {init} (float32), {nets} networks per architecture, numerical batch {batch} x N(0, I)")
    head = (f"{'arch':>14} {'D':>4} {'bound':>5} {'exact: values':>16} {'attained':>8} {'regions':>8} "
            f"{'t_exact med/max':>16} {'t_f64 med':>9} {'ratio':>6} | wrong: f64 low/high  f32 low/high"
            f"  f32>64 low/high(>bound)")
    print(head)
    summary = []
    for arch in archs:
        widths = tuple(int(v) for v in arch.split(","))
        texact, tnum, values, regions = [], [], [], []
        wrong = {k: [0, 0, 0] for k in ("f64", "f32", "f32>64")}
        attained = 0
        bound = D = None
        for k in range(nets):
            seed = seed0 + 1000 * k + sum(widths)
            layers = random_layers(widths, seed, init)
            t0 = time.perf_counter()
            net = exact_network(layers)
            res = functional_dimension(net, seed=seed, decisive=False)
            texact.append(time.perf_counter() - t0)
            bound, D = res.upper_bound, res.parameters
            values.append(res.value)
            regions.append(res.regions_enumerated or res.regions_used)
            attained += res.attained
            ranks, t64 = numeric_ranks(layers, widths[0], batch, seed)
            tnum.append(t64)
            for key, r in ranks.items():
                if r < res.value:
                    wrong[key][0] += 1
                elif r > res.value:
                    wrong[key][1] += 1
                if r > bound:
                    wrong[key][2] += 1
        med_e, med_n = statistics.median(texact), statistics.median(tnum)
        vals = f"{min(values)}..{max(values)}"
        print(f"{arch:>14} {D:>4} {bound:>5} {vals:>16} {attained:>4}/{nets:<3} {max(regions):>8} "
              f"{med_e:>7.2f}/{max(texact):<8.2f} {med_n:>9.3f} {med_e / med_n:>6.1f} | "
              f"{wrong['f64'][0]:>8}/{wrong['f64'][1]:<4} {wrong['f32'][0]:>6}/{wrong['f32'][1]:<4} "
              f"{wrong['f32>64'][0]:>8}/{wrong['f32>64'][1]}({wrong['f32>64'][2]})")
        sys.stdout.flush()
        summary.append((arch, max(texact), max(regions)))
    slow = [(a, t, r) for a, t, r in summary if t > 60]
    if slow:
        for a, t, r in slow:
            print(f"exact took more than a minute on {a} ({t:.0f} s; up to {r} regions)")
    else:
        print("exact took less than a minute on every network")


def digits_model(seed: int):
    """A 64-32-16-10 ReLU classifier of scikit-learn's digits (``MLPClassifier``, Adam,
    ``random_state=seed``, 200 iterations on all 1,797 images), weights rounded to float32, and the
    images (integer intensities 0..16) as exact inputs."""
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warning after 200 iterations
        clf = MLPClassifier(hidden_layer_sizes=(32, 16), random_state=seed, max_iter=200).fit(X, y)
    layers = [(W.T.astype(np.float32).astype(float).tolist(), b.astype(np.float32).astype(float).tolist())
              for W, b in zip(clf.coefs_, clf.intercepts_)]
    return Network.from_lists("relu", layers), X.astype(int), clf.score(X, y)


def exact_batch(points: int, seed: int, cap: float) -> None:
    """``fdim --batch`` at data scale (issue 16 item 5): the exact batch rank at ``points`` inputs,
    with a time limit of ``cap`` seconds, for

    * **digits**: the first ``points`` images of scikit-learn's digits on a 64-32-16-10 classifier
      trained on them (:func:`digits_model`): rank-deficient (always-zero and rarely lit pixels,
      neurons dead or rarely active on the batch), certified by verified kernel vectors;
    * **gaussian**: ``round(1024·4·g)/1024`` inputs on a 64-32-16-10 network with PyTorch's default
      initialisation (float32), where the rank is ``D − N_hid``.

    Printed: the value (or the certified interval), how it was certified, the verified kernel
    vectors, CPU seconds (this process; the computation is single-process), wall-clock seconds and
    the load average (the machine is shared).

    Measured (shared 2-core machine, load average 7.6–9.2, seed 0, 1000 points): digits 2127, certified
    by 782 verified kernel vectors, 13.1 s CPU (before: unknown after 40 s CPU, the exact fallback
    not finishing); gaussian 2730 = D − N_hid, 14.1 s CPU (before: 11.9 s)."""
    import os

    from flint import fmpq

    from exactnet.deadline import Deadline
    from exactnet.relu.functional_dimension import batch_functional_dimension

    widths = (64, 32, 16, 10)
    t0 = time.process_time()
    digits_net, images, accuracy = digits_model(seed)
    print(f"digits model trained in {time.process_time() - t0:.1f} s CPU (training accuracy {accuracy:.3f})")
    gauss_net = Network.from_lists("relu", [(W.astype(float).tolist(), b.astype(float).tolist())
                                            for W, b in random_layers(widths, seed, "torch")])
    rng = np.random.default_rng(seed + 1)
    gauss = [tuple(fmpq(int(round(v * 1024)), 1024) for v in rng.standard_normal(64) * 4) for _ in range(points)]
    digits = [tuple(fmpq(int(v)) for v in row) for row in images[:points]]
    print(f"exact batch rank, {'-'.join(map(str, widths))} (D = 2778, D - N_hid = 2730), {points} points,"
          f" limit {cap:g} s")
    for name, net, pts in (("digits", digits_net, digits), ("gaussian", gauss_net, gauss)):
        load = os.getloadavg()[0]
        t0, w0 = time.process_time(), time.perf_counter()
        res = batch_functional_dimension(net, pts, seed=seed, deadline=Deadline.after(cap))
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        what = (f"{res.value} ({res.certified_by})" if res.value is not None
                else f"unknown in [{res.lower}, {res.upper}] ({res.reason})")
        print(f"  {name:>9}: {what}; {res.kernel_vectors} verified kernel vectors removing {res.kernel_rank}"
              f" columns; {res.patterns} distinct patterns; cpu {cpu:.1f} s, wall {wall:.1f} s,"
              f" load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
        sys.stdout.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", nargs="*", default=DEFAULT_ARCHS, help="architectures like 2,4,4,1")
    ap.add_argument("--nets", type=int, default=10, help="random networks per architecture")
    ap.add_argument("--batch", type=int, default=1000, help="numerical batch size")
    ap.add_argument("--init", choices=("gauss", "torch"), default="gauss")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exact-batch", type=int, default=0, metavar="N",
                    help="instead: the exact batch rank at N points of a 64-32-16-10 model (fdim --batch)")
    ap.add_argument("--cap", type=float, default=60.0, help="time limit (s) for --exact-batch")
    args = ap.parse_args(argv)
    if args.exact_batch:
        exact_batch(args.exact_batch, args.seed, args.cap)
        return
    run(args.archs, args.nets, args.batch, args.init, args.seed)


if __name__ == "__main__":
    main()
