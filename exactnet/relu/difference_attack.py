"""Float proposals of strong witnesses for the maximum difference and top-1 questions on a box.

Nothing here decides anything: the functions return candidate points of the box as exact dyadic
rationals, and the caller evaluates each one exactly (``docs/difference.md``, "Witnesses"). A poor
proposal only delays the answer, never changes it.

* **Difference.** Projected sign-gradient ascent (PGD, Madry et al., ICLR 2018) on
  ``s·(A_k(x) − B_k(x))`` in float64 from random starting points of the box, one target ``(k, s)``
  per start (round robin). ReLU networks are piecewise linear, so the gradient at ``x`` is the
  product of the weight matrices masked by the active units at ``x``.
* **Top-1.** The class maps of ``A`` and ``B`` differ near a decision boundary that the two networks
  place differently. From random points (and points pushed across ``A``'s boundary by ascent on
  ``A_j − A_c``) pairs of points with different classes are joined by segments; along a segment each
  network's first class change is located by bisection, and the points between the two change
  points (where one network has changed class and the other not yet) are proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq

#: Starting points of the ascent, its steps, and random points sampled for top-1 segments.
STARTS = 48
STEPS = 40
SAMPLES = 512
SEGMENTS = 48
BISECTIONS = 40


@dataclass(frozen=True)
class FloatNet:
    """A ReLU network's layers as float64 arrays (weights ``W_i`` and biases ``b_i``)."""

    weights: tuple
    biases: tuple

    @classmethod
    def of(cls, hat_matrices) -> "FloatNet":
        """From homogeneous ``[W | b]`` rational matrices (``fmpq_mat``)."""
        import numpy as np

        ws, bs = [], []
        for hat in hat_matrices:
            arr = np.array([float(v) for v in hat.entries()], dtype=np.float64).reshape(hat.nrows(), hat.ncols())
            ws.append(arr[:, :-1])
            bs.append(arr[:, -1])
        return cls(tuple(ws), tuple(bs))

    def forward(self, X, masks: bool = False):
        import numpy as np

        kept = []
        depth = len(self.weights)
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            X = X @ W.T + b
            if i < depth - 1:
                on = X > 0
                kept.append(on)
                X = np.where(on, X, 0.0)
        return (X, kept) if masks else X

    def gradient(self, rows, kept):
        """``∂(rows·output)/∂x`` per point: ``rows`` (points × outputs) back through the masks."""
        g = rows
        for i in range(len(self.weights) - 1, -1, -1):
            g = g @ self.weights[i]
            if i > 0:
                g = g * kept[i - 1]
        return g


def _exact(point, lower, upper) -> tuple[fmpq, ...]:
    """The float point as exact dyadic rationals, clamped into the exact box."""
    out = []
    for v, lo, hi in zip(point, lower, upper):
        q = fmpq(*float(v).as_integer_ratio()) if v == v else lo
        out.append(lo if q < lo else hi if q > hi else q)
    return tuple(out)


def _box(lower, upper):
    import numpy as np

    return np.array([float(v) for v in lower]), np.array([float(v) for v in upper])


def difference_candidates(fa: FloatNet, fb: FloatNet, lower: Sequence[fmpq], upper: Sequence[fmpq], norm: str = "inf",
                          seed: int = 0, starts: int = STARTS, steps: int = STEPS, keep: int = 16) -> list[tuple]:
    """Up to ``keep`` points of the box ``[lower, upper]`` where ``‖A − B‖`` (``norm``) is large in
    float64 (module docstring), as exact rationals."""
    import numpy as np

    lo, hi = _box(lower, upper)
    rng = np.random.default_rng(seed)
    n = len(lo)
    m = fa.weights[-1].shape[0]
    X = lo + (hi - lo) * rng.random((starts, n))
    X[0] = (lo + hi) / 2
    targets = np.arange(starts) % (2 * m)
    k, s = targets // 2, np.where(targets % 2 == 0, 1.0, -1.0)
    rows = np.zeros((starts, m))
    rows[np.arange(starts), k] = s
    found = [X.copy()]
    width = hi - lo
    with np.errstate(all="ignore"):
        for t in range(steps):
            ya, ka = fa.forward(X, masks=True)
            yb, kb = fb.forward(X, masks=True)
            if norm == "1":
                rows = np.sign(ya - yb)
            g = fa.gradient(rows, ka) - fb.gradient(rows, kb)
            step = width * (0.25 * (1 - t / steps) + 0.002)
            X = np.clip(X + step * np.sign(g), lo, hi)
            found.append(X.copy())
        P = np.vstack(found + [lo + (hi - lo) * rng.random((4 * starts, n))])
        d = np.abs(fa.forward(P) - fb.forward(P))
        score = d.sum(axis=1) if norm == "1" else d.max(axis=1)
        score = np.nan_to_num(score, nan=-1.0)
    order = np.argsort(-score)
    out, seen = [], set()
    for i in order:
        key = P[i].tobytes()
        if key in seen:
            continue
        seen.add(key)
        out.append(_exact(P[i], lower, upper))
        if len(out) >= keep:
            break
    return out


def top1_candidates(fa: FloatNet, fb: FloatNet, lower: Sequence[fmpq], upper: Sequence[fmpq], seed: int = 0,
                    samples: int = SAMPLES, segments: int = SEGMENTS, keep: int = 32) -> list[tuple]:
    """Points of the box where the float64 classes of ``A`` and ``B`` may differ (module docstring),
    as exact rationals (at most ``keep``)."""
    import numpy as np

    lo, hi = _box(lower, upper)
    rng = np.random.default_rng(seed)
    n = len(lo)
    with np.errstate(all="ignore"):
        P = lo + (hi - lo) * rng.random((samples, n))
        P[0] = (lo + hi) / 2
        ca = np.argmax(fa.forward(P), axis=1)
        if len(set(ca.tolist())) == 1:  # push points across A's boundaries by ascent on A_j − A_c
            P = np.vstack([P, _cross(fa, P[: STARTS], ca[: STARTS], lo, hi, rng)])
            ca = np.argmax(fa.forward(P), axis=1)
        cb = np.argmax(fb.forward(P), axis=1)
        direct = [P[i] for i in np.flatnonzero(ca != cb)[:keep]]
        cands = list(direct)
        pairs = []
        for _ in range(segments * 4):
            i, j = rng.integers(0, len(P), 2)
            if ca[i] != ca[j] or cb[i] != cb[j]:
                pairs.append((P[i], P[j]))
            if len(pairs) >= segments:
                break
        for p, q in pairs:
            ta = _first_change(fa, p, q)
            tb = _first_change(fb, p, q)
            for t in {ta, tb}:
                if t is None:
                    continue
                for u in ((ta if ta is not None else t) + (tb if tb is not None else t)) / 2, t:
                    cands.append(p + u * (q - p))
    out, seen = [], set()
    for x in cands:
        key = np.asarray(x).tobytes()
        if key not in seen:
            seen.add(key)
            out.append(_exact(x, lower, upper))
        if len(out) >= keep:
            break
    return out


def _first_change(net: FloatNet, p, q):
    """A parameter ``t ∈ (0, 1]`` near the first class change of ``net`` on the segment ``p → q``
    (bisection on ``argmax``; ``None`` when both ends have the same class)."""
    import numpy as np

    c0 = int(np.argmax(net.forward(p[None])[0]))
    if int(np.argmax(net.forward(q[None])[0])) == c0:
        return None
    a, b = 0.0, 1.0
    for _ in range(BISECTIONS):
        mid = (a + b) / 2
        if int(np.argmax(net.forward((p + mid * (q - p))[None])[0])) == c0:
            a = mid
        else:
            b = mid
    return (a + b) / 2


def _cross(net: FloatNet, X, classes, lo, hi, rng):
    """Points pushed by sign-gradient ascent on ``A_j − A_c`` (``c`` the start's class, ``j`` random)."""
    import numpy as np

    m = net.weights[-1].shape[0]
    j = (classes + rng.integers(1, m, len(classes))) % m
    rows = np.zeros((len(classes), m))
    rows[np.arange(len(classes)), j] = 1.0
    rows[np.arange(len(classes)), classes] -= 1.0
    out = []
    width = hi - lo
    X = X.copy()
    for t in range(STEPS):
        _, kept = net.forward(X, masks=True)
        X = np.clip(X + width * (0.25 * (1 - t / STEPS) + 0.002) * np.sign(net.gradient(rows, kept)), lo, hi)
        out.append(X.copy())
    return np.vstack(out)


__all__ = ["FloatNet", "difference_candidates", "top1_candidates"]
