"""Stable-neuron analysis and compression on a domain (docs/relu.md § Stable neurons).

Networks (float32 weights, read exactly as dyadic rationals):

* ``trained``: 784-100-100-10 trained with PyTorch (Adam, 20 epochs) on the scikit-learn digits,
  8×8 images upscaled bilinearly to 28×28 with values in ``[0, 1]`` (needs ``torch`` and
  ``scikit-learn``);
* ``he-init``: 784-100-100-10 with He-normal float32 weights (NumPy, seed 0).

Domains: ``[0,1]^784`` and L∞ balls of radius ε around digit images (clipped to ``[0, 1]``).

Deciders, wall-clock seconds:

* ``exactnet``: :func:`exactnet.relu.stable_neurons.stable_neurons` then
  :func:`exactnet.relu.stable_fold.fold_stable`; the folded network is checked to agree exactly
  with the original at the witness points and at 20 random domain points;
* ``before``: the previous ``compress --domain`` path (domain LPs for the first layer, then the
  exact region enumeration), capped at ``--cap`` seconds: units decided when stopped;
* ``sampling`` (the usual float practice): 10 000 random domain points in float32, a unit is called
  stable if its sign never changes on them. Printed: how many units sampling calls stable that
  exactnet proves take both signs (wrong float verdicts), and the time ratio.

    python benchmarks/relu_stable_neurons.py            # everything (cap 120 s for "before")
    python benchmarks/relu_stable_neurons.py --quick    # trained net, [0,1]^784 and ε = 0.05 only

Measured on the shared 2-core machine (load ≈ 8, other jobs running), 2026-12-04. Times are
wall-clock seconds; "wrong" counts units sampling calls stable that exactnet proves take both signs:

==========  ===========  ======  ========  ====  =========  ========  ==========  ====================
network     domain       active  inactive  both  undecided  analysis  widths      sampling: stable/wrong
==========  ===========  ======  ========  ====  =========  ========  ==========  ====================
trained     [0,1]^784         0         0   200          0     3.8 s  (100, 100)  161 / 161
trained     x0 ± 1/100      115        72    13          0     6.3 s  (60, 68)    199 / 12
trained     x0 ± 1/20        87        49    61          3     8.0 s  (71, 80)    194 / 55
trained     x0 ± 1/10        59        41    96          4     6.2 s  (78, 81)    189 / 85
trained     x0 ± 1/5          5         0   174         21     7.6 s  (100, 100)  175 / 149
he-init     [0,1]^784         0         0   200          0     4.4 s  (100, 100)  5 / 5
he-init     x0 ± 1/20         1         1   196          2     5.5 s  (99, 100)   163 / 159
==========  ===========  ======  ========  ====  =========  ========  ==========  ====================

The previous path (``before``) on ``[0,1]^784``: stopped by the 120 s cap after 138 s with no unit
decided (the issue reports 613 s and zero of 200 with ``--timeout 600``). The folded network agreed
exactly with the original at every probe in every row. Sampling (10 000 points) takes 0.4–1.2 s,
so exactnet is 3–18× slower than the float heuristic, which is wrong on up to 161 of 200 units.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from flint import fmpq

from exactnet.deadline import Deadline
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu.stable_fold import fold_stable
from exactnet.relu.stable_neurons import BOTH, stable_neurons


def digits_28():
    from sklearn.datasets import load_digits
    import torch

    d = load_digits()
    X = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    X = torch.nn.functional.interpolate(X, size=(28, 28), mode="bilinear", align_corners=False)
    return X.reshape(len(X), -1).clamp(0, 1), torch.tensor(d.target)


def trained(epochs: int = 20, seed: int = 0) -> tuple[Network, float]:
    import torch

    torch.manual_seed(seed)
    X, y = digits_28()
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 100),
                                torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), 128):
            idx = perm[i:i + 128]
            loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    acc = (model(X).argmax(1) == y).float().mean().item()
    layers = [(m.weight.detach().numpy().astype(np.float32).tolist(), m.bias.detach().numpy().astype(np.float32).tolist())
              for m in model if isinstance(m, torch.nn.Linear)]
    return Network.from_lists("relu", layers), acc


def he_init(seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    layers = []
    for a, b in ((784, 100), (100, 100), (100, 10)):
        W = (rng.standard_normal((b, a)) * np.sqrt(2.0 / a)).astype(np.float32)
        layers.append((W.tolist(), np.zeros(b, dtype=np.float32).tolist()))
    return Network.from_lists("relu", layers)


def ball(image, eps: fmpq) -> Box:
    x0 = [fmpq(*float(v).as_integer_ratio()) for v in image]
    return Box.from_bounds([max(v - eps, fmpq(0)) for v in x0], [min(v + eps, fmpq(1)) for v in x0])


def sampling_stable(net: Network, box: Box, k: int = 10000, seed: int = 0):
    """Units whose sign never changes on ``k`` random float32 points: the float practice."""
    rng = np.random.default_rng(seed)
    lo = np.array([float(v) for v in box.lower], dtype=np.float32)
    hi = np.array([float(v) for v in box.upper], dtype=np.float32)
    X = (lo + (hi - lo) * rng.random((k, len(lo)), dtype=np.float32)).T
    stable = set()
    h = X
    for layer_index, layer in enumerate(net.layers[:-1]):
        W = np.array([[float(v) for v in r] for r in layer.weight], dtype=np.float32)
        b = np.array([float(v) for v in layer.bias], dtype=np.float32)[:, None]
        Z = W @ h + b
        for j in range(Z.shape[0]):
            if (Z[j] > 0).all() or (Z[j] <= 0).all():
                stable.add((layer_index, j))
        h = np.maximum(Z, 0)
    return stable


def before(net: Network, box: Box, cap: float):
    """The previous ``compress --domain`` path under a cap: units decided when it stops."""
    from exactnet.relu.compression import compress

    t = time.perf_counter()
    res = compress(net, box, deadline=Deadline.after(cap), stable=False)
    return time.perf_counter() - t, res.exact_dead, len(res.removed_never_active)


def one(name: str, net: Network, dom_name: str, box: Box, cap: float | None):
    t = time.perf_counter()
    res = stable_neurons(net, box)
    t_analysis = time.perf_counter() - t
    t = time.perf_counter()
    fold = fold_stable(net, res)
    t_fold = time.perf_counter() - t
    rnd = random.Random(0)
    probes = list(res.points[:40]) + [tuple(l + (h - l) * fmpq(rnd.randrange(0, 1024), 1024)
                                            for l, h in zip(box.lower, box.upper)) for _ in range(20)]
    agree = all(forward_exact(fold.network, p) == forward_exact(net, p) for p in probes)
    t = time.perf_counter()
    sampled = sampling_stable(net, box)
    t_sampling = time.perf_counter() - t
    both = {(u.layer, u.unit) for u in res.units if u.verdict == BOTH}
    wrong = len(sampled & both)
    c = res.counts()
    print(f"{name:8s} {dom_name:9s} {c['active']:6d} {c['inactive']:6d} {c['both']:6d} {c['undecided']:5d}"
          f" {t_analysis:8.1f}s {t_fold:5.2f}s {str(fold.network.hidden_widths):12s} agree={agree}"
          f"  sampling: {len(sampled):3d} stable, {wrong:3d} wrong, {t_sampling:5.2f}s"
          f" (exactnet/sampling = {t_analysis / max(t_sampling, 1e-9):5.1f}x)", flush=True)
    if cap:
        secs, done, removed = before(net, box, cap)
        print(f"{'':18s} before: {'finished' if done else 'stopped'} after {secs:.1f}s,"
              f" {removed} never-active units removed (cap {cap:.0f} s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds for the previous path ('before'); 0 skips it")
    args = ap.parse_args()
    t = time.perf_counter()
    net, acc = trained()
    print(f"trained 784-100-100-10 on digits 28x28 in {time.perf_counter() - t:.1f}s, train accuracy {acc:.3f}")
    images, _ = digits_28()
    print("network  domain    active inact.   both undec analysis  fold  widths after")
    unit = Box.from_bounds([0] * 784, [1] * 784)
    one("trained", net, "[0,1]^784", unit, args.cap or None)
    epsilons = ["1/20"] if args.quick else ["1/100", "1/20", "1/10", "1/5"]
    for eps in epsilons:
        for k in ([0] if args.quick else [0, 1, 2]):
            one("trained", net, f"x{k}±{eps}", ball(images[k], fmpq(eps)), None)
    if not args.quick:
        he = he_init()
        one("he-init", he, "[0,1]^784", unit, None)
        one("he-init", he, "x0±1/20", ball(images[0], fmpq(1, 20)), None)


if __name__ == "__main__":
    main()
