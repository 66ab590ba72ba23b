"""Float64 NumPy baseline: the compression/equivalence algorithm of Farrugia-Roberts (2023) as a
user would write it without exact arithmetic (for ``benchmarks/tanh_equivalence.py``).

Same stages as :mod:`exactnet.tanh.compression`: fold constant units into the bias with
``np.tanh``, sign-normalise by the first nonzero coordinate, group equal keys with
``np.unique`` (rows, lexicographic: the canonical order), sum signed outgoing weights with
``np.add.at``, drop near-zero merged weights, then compare. Two variants of key grouping:

* ``key_decimals=None``: keys must be bitwise equal as float64 (the literal port);
* ``key_decimals=7``: keys rounded to 7 decimals first (what float code needs when keys carry
  rounding noise).

Weights and biases are compared with ``np.allclose`` defaults (``rtol=1e-5, atol=1e-8``), and a
merged weight counts as zero when ``|α| ≤ 1e-8``. A float verdict is not a proof; the benchmark
counts how often it is wrong on planted near-miss pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ZERO_TOL = 1e-8


@dataclass(frozen=True)
class FloatParameter:
    """``a`` (h, m), ``b`` (h, n), ``c`` (h,), ``d`` (m,) as float64 arrays."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray


def from_layers(w1, b1, w2, b2) -> FloatParameter:
    return FloatParameter(a=np.asarray(w2, dtype=np.float64).T.copy(), b=np.asarray(w1, dtype=np.float64),
                          c=np.asarray(b1, dtype=np.float64), d=np.asarray(b2, dtype=np.float64))


def compress_float(p: FloatParameter, key_decimals: int | None = None):
    """``(keys, alphas, delta)``: canonical keys (rows ``(β, γ)``, sorted), merged weights, bias."""
    const = ~np.any(p.b != 0, axis=1)
    delta = p.d + (p.a[const] * np.tanh(p.c[const])[:, None]).sum(axis=0)
    live = ~const
    b, c, a = p.b[live], p.c[live], p.a[live]
    if len(b) == 0:
        return np.zeros((0, p.b.shape[1] + 1)), np.zeros((0, p.a.shape[1])), delta
    first = (b != 0).argmax(axis=1)
    s = np.sign(b[np.arange(len(b)), first])
    keys = np.concatenate([b * s[:, None], (c * s)[:, None]], axis=1)
    if key_decimals is not None:
        keys = np.round(keys, key_decimals) + 0.0  # + 0.0 turns −0.0 into 0.0
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    alphas = np.zeros((len(uniq), a.shape[1]))
    np.add.at(alphas, inverse.ravel(), a * s[:, None])
    keep = np.any(np.abs(alphas) > ZERO_TOL, axis=1)
    return uniq[keep], alphas[keep], delta


def equivalent_float(p: FloatParameter, q: FloatParameter, key_decimals: int | None = None) -> bool:
    """The float verdict: equal compressed keys, allclose merged weights and biases."""
    ka, aa, da = compress_float(p, key_decimals)
    kb, ab, db = compress_float(q, key_decimals)
    if ka.shape != kb.shape:
        return False
    return bool(np.array_equal(ka, kb) and np.allclose(aa, ab) and np.allclose(da, db))
