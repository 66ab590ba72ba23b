"""Bounds of ``A − B`` on a box by symbolic propagation of the difference, in float64 or exactly.

One algorithm, two number types: ``exact=False`` computes in float64 (a *proposal*: which boxes a
bound can settle, which coordinate to split), ``exact=True`` computes the same quantities in exact
rationals (FLINT ``fmpq_mat`` products, relaxation constants rounded outward to dyadic numbers),
and only the exact bound decides anything (``docs/difference.md``, "Box splitting").

On the box ``x = mid + rad·t``, ``t ∈ [−1, 1]^n``, every quantity is enclosed by two affine forms of
``t``, ``L(t) ≤ q(t) ≤ U(t)`` (rows ``[c | c_0]``; ``max_t c·t + c_0 = c_0 + Σ|c_j|``).

* **Each network** (symbolic intervals, Wang et al., "Formal security analysis of neural networks
  using symbolic intervals", USENIX Security 2018): ``z = W h + b`` has
  ``W⁺L_h + W⁻U_h + b ≤ z ≤ W⁺U_h + W⁻L_h + b``; with the range ``[l, u]`` of ``z``: ``h = z`` if
  ``l ≥ 0``, ``h = 0`` if ``u ≤ 0``, else ``λ·L_z ≤ h ≤ a·(U_z − l)`` with ``a ≥ u/(u − l)`` (the chord,
  valid on ``[l, u]``) and ``λ = 1`` if ``u ≥ −l`` else 0.
* **The difference** of two networks of the same widths (as ReluDiff and NeuroDiff do; Paulsen et
  al., ICSE 2020 and ASE 2020): ``δ = h^A − h^B`` satisfies
  ``z^A − z^B = W^A δ + (W^A − W^B) h^B + (b^A − b^B)``, bounded from the forms of ``δ`` and of
  ``h^B``. Through the ReLU, per unit: both active, ``δ' = z^A − z^B``; both inactive, ``δ' = 0``; only
  ``A`` active, ``δ' = z^A``; only ``B`` active, ``δ' = −z^B``; otherwise ``relu`` is monotone and
  1-Lipschitz, so ``δ'`` lies between ``min(0, d)`` and ``max(0, d)`` for ``d = z^A − z^B ∈ [d_l, d_u]``:
  ``δ' ≤ a(U_d − d_l)`` with ``a ≥ d_u/(d_u − d_l)`` and ``δ' ≥ c(L_d − d_u)`` with
  ``c ≥ −d_l/(d_u − d_l)`` (chords of the convex ``max(0, ·)`` and the concave ``min(0, ·)``), or the
  one-sided forms when ``d_l ≥ 0`` or ``d_u ≤ 0``. At the output, ``A_k − B_k = z^A_k − z^B_k``.

For networks of other widths only ``U^A_k − L^B_k ≥ A_k − B_k`` (and the other sign) is used.
Rounding ``l``, ``d_l`` down and ``u``, ``d_u``, ``a``, ``c`` up keeps every enclosure valid (each
line stays on its side of ``relu``/``min(0, ·)`` at both ends of the wider interval, hence between).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz

#: Significant bits kept when rounding relaxation constants outward (exact mode).
BITS = 40


def _down(q):
    if q == 0:
        return q
    e = BITS - int(abs(q).p.bit_length() - abs(q).q.bit_length())
    if e >= 0:
        s = fmpz(2) ** e
        return fmpq((q * s).floor(), s)
    d = fmpz(2) ** (-e)
    return fmpq((q / d).floor() * d)


def _up(q):
    return -_down(-q)


@dataclass(frozen=True)
class BoxBounds:
    """``upper[t]``: an upper bound of ``s·(A_k − B_k)`` on the box for target ``t = 2k`` (``s = 1``)
    and ``2k + 1`` (``s = −1``); ``unstable``: units of both networks whose sign is not fixed by the
    bounds; ``spread[j]``: how much input ``j`` contributes to the width of the output bounds (the
    coordinate to split); ``classes_a``/``classes_b``: the classes each network may pick somewhere on
    the box (lowest index among the maxima): ``i`` is excluded when some ``max(U_i − L_k) < 0``, or
    ``≤ 0`` for ``k < i``, where a tie already goes to ``k``."""

    upper: tuple
    unstable: int
    spread: tuple
    classes_a: tuple = ()
    classes_b: tuple = ()


class _Num:
    """The arithmetic of one mode: float64 numpy arrays, or exact rationals (object arrays of
    ``fmpq``, matrix products by FLINT)."""

    def __init__(self, exact: bool):
        import numpy as np

        self.np, self.exact = np, exact

    def array(self, rows):
        np = self.np
        if self.exact:
            return np.array([[fmpq(v) for v in r] for r in rows], dtype=object)
        return np.array([[float(v) for v in r] for r in rows], dtype=np.float64)

    def matmul(self, A, B):
        np = self.np
        if not self.exact:
            return A @ B
        r, k = A.shape
        c = B.shape[1]
        M = fmpq_mat(r, k, list(A.ravel())) * fmpq_mat(k, c, list(B.ravel()))
        return np.array(M.entries(), dtype=object).reshape(r, c)

    def down(self, v):
        return _down(v) if self.exact else v

    def up(self, v):
        return _up(v) if self.exact else v

    def zero(self):
        return fmpq(0) if self.exact else 0.0


class CompiledPair:
    """Both networks' layers in one mode (built once per search)."""

    def __init__(self, hat_a, hat_b, exact: bool):
        self.num = num = _Num(exact)
        np = num.np

        def split(hat):
            out = []
            for M in hat:
                full = num.array(M.tolist())
                W, b = full[:, :-1], full[:, -1]
                zero = num.zero()
                Wp = np.where(W > 0, W, zero)
                Wn = np.where(W < 0, W, zero)
                out.append((W, b, Wp, Wn))
            return out

        self.a, self.b = split(hat_a), split(hat_b)
        self.same = [W.shape for W, *_ in self.a] == [W.shape for W, *_ in self.b]
        if self.same:
            self.delta = []
            for (WA, bA, *_), (WB, bB, *_) in zip(self.a, self.b):
                dW = WA - WB
                zero = num.zero()
                self.delta.append((np.where(dW > 0, dW, zero), np.where(dW < 0, dW, zero), bA - bB))


def _conc(num, F):
    """``(min, max)`` over ``t ∈ [−1, 1]^n`` of every row of the forms ``F``."""
    np = num.np
    s = np.abs(F[:, :-1]).sum(axis=1)
    return F[:, -1] - s, F[:, -1] + s


def _affine(num, Wp, Wn, b, L, U):
    zL = num.matmul(Wp, L) + num.matmul(Wn, U)
    zU = num.matmul(Wp, U) + num.matmul(Wn, L)
    zL[:, -1] = zL[:, -1] + b
    zU[:, -1] = zU[:, -1] + b
    return zL, zU


def _relu(num, zL, zU):
    """The enclosure of ``relu`` of the module docstring; returns forms and the sign masks."""
    np = num.np
    lo, _ = _conc(num, zL)
    _, hi = _conc(num, zU)
    act = np.array([v >= 0 for v in lo], dtype=bool)
    off = np.array([v <= 0 for v in hi], dtype=bool)
    L, U = zL.copy(), zU.copy()
    for i in range(len(lo)):
        if act[i]:
            continue
        if off[i]:
            L[i, :] = num.zero()
            U[i, :] = num.zero()
            continue
        lq, uq = num.down(lo[i]), num.up(hi[i])
        a = num.up(uq / (uq - lq))
        U[i, :] = a * zU[i, :]
        U[i, -1] = U[i, -1] - a * lq
        if not uq >= -lq:
            L[i, :] = num.zero()
    return L, U, act, off, int(np.count_nonzero(~(act | off)))


def _single(num, layers, X):
    """One network's output forms on the box and its number of unstable units."""
    L = U = X
    unstable = 0
    for idx, (W, b, Wp, Wn) in enumerate(layers):
        zL, zU = _affine(num, Wp, Wn, b, L, U)
        if idx == len(layers) - 1:
            return zL, zU, unstable
        L, U, _, _, k = _relu(num, zL, zU)
        unstable += k
    raise AssertionError("unreachable")  # pragma: no cover


def _relu_difference(num, zLd, zUd, zLA, zUA, zLB, zUB, actA, offA, actB, offB):
    """The forms of ``δ' = relu(z^A) − relu(z^B)`` per unit (module docstring)."""
    zero = num.zero()
    dl, _ = _conc(num, zLd)
    _, du = _conc(num, zUd)
    Ln, Un = zLd.copy(), zUd.copy()
    for i in range(len(dl)):
        if actA[i] and actB[i]:
            continue
        if offA[i] and offB[i]:
            Ln[i, :] = zero
            Un[i, :] = zero
        elif actA[i] and offB[i]:
            Ln[i, :], Un[i, :] = zLA[i, :], zUA[i, :]
        elif offA[i] and actB[i]:
            Ln[i, :], Un[i, :] = -zUB[i, :], -zLB[i, :]
        elif dl[i] >= 0:
            Ln[i, :] = zero
        elif du[i] <= 0:
            Un[i, :] = zero
        else:
            lq, uq = num.down(dl[i]), num.up(du[i])
            a = num.up(uq / (uq - lq))
            c = num.up(-lq / (uq - lq))
            Un[i, :] = a * zUd[i, :]
            Un[i, -1] = Un[i, -1] - a * lq
            Ln[i, :] = c * zLd[i, :]
            Ln[i, -1] = Ln[i, -1] - c * uq
    return Ln, Un


def box_bounds(pair: CompiledPair, lower: Sequence, upper: Sequence) -> BoxBounds:
    """The bounds of the module docstring on the box ``[lower, upper]`` (rationals; converted to
    floats in float mode)."""
    num = pair.num
    np = num.np
    n = len(lower)
    if num.exact:
        mid = [(fmpq(lo) + fmpq(hi)) / 2 for lo, hi in zip(lower, upper)]
        rad = [(fmpq(hi) - fmpq(lo)) / 2 for lo, hi in zip(lower, upper)]
    else:
        mid = [(float(lo) + float(hi)) / 2 for lo, hi in zip(lower, upper)]
        rad = [(float(hi) - float(lo)) / 2 for lo, hi in zip(lower, upper)]
    zero = num.zero()
    X = num.array([[rad[i] if j == i else zero for j in range(n)] + [mid[i]] for i in range(n)])
    if not pair.same:
        (zLA, zUA, ua), (zLB, zUB, ub) = _single(num, pair.a, X), _single(num, pair.b, X)
        unstable = ua + ub
    else:
        LA = UA = LB = UB = X
        Ld = Ud = None
        unstable = 0
        depth = len(pair.a)
        for idx in range(depth):
            WA, bA, WAp, WAn = pair.a[idx]
            _, bB, WBp, WBn = pair.b[idx]
            zLA, zUA = _affine(num, WAp, WAn, bA, LA, UA)
            zLB, zUB = _affine(num, WBp, WBn, bB, LB, UB)
            dWp, dWn, db = pair.delta[idx]
            if Ld is None:  # δ = 0 on the inputs
                zLd, zUd = _affine(num, dWp, dWn, db, LB, UB)
            else:
                zLd, zUd = _affine(num, WAp, WAn, np.array([zero] * WA.shape[0], dtype=zLA.dtype), Ld, Ud)
                eL, eU = _affine(num, dWp, dWn, db, LB, UB)
                zLd, zUd = zLd + eL, zUd + eU
            if idx == depth - 1:
                break
            LA, UA, actA, offA, ua = _relu(num, zLA, zUA)
            LB, UB, actB, offB, ub = _relu(num, zLB, zUB)
            unstable += ua + ub
            Ld, Ud = _relu_difference(num, zLd, zUd, zLA, zUA, zLB, zUB, actA, offA, actB, offB)
    _, up_plus = _conc(num, zUA - zLB)
    _, up_minus = _conc(num, zUB - zLA)
    spread = np.abs((zUA - zLB)[:, :-1]).sum(axis=0) + np.abs((zUB - zLA)[:, :-1]).sum(axis=0)
    if pair.same:
        dl, _ = _conc(num, zLd)
        _, du = _conc(num, zUd)
        up_plus = [min(p, q) for p, q in zip(up_plus, du)]
        up_minus = [min(p, -q) for p, q in zip(up_minus, dl)]
        spread = np.abs(zUd[:, :-1]).sum(axis=0) + np.abs(zLd[:, :-1]).sum(axis=0)
    upper_t = []
    for p, q in zip(up_plus, up_minus):
        upper_t += [p, q]
    return BoxBounds(tuple(upper_t), unstable, tuple(float(v) for v in spread), _classes(num, zLA, zUA),
                     _classes(num, zLB, zUB))


def _classes(num, zL, zU) -> tuple:
    m = zL.shape[0]
    out = []
    for i in range(m):
        _, tops = _conc(num, zU[i:i + 1, :] - zL)
        if not any(tops[k] < 0 or (k < i and tops[k] <= 0) for k in range(m) if k != i):
            out.append(i)
    return tuple(out)


__all__ = ["BoxBounds", "CompiledPair", "box_bounds"]
