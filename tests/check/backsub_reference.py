"""The back-substitution checker as it was first written (unit by unit, ``fmpq`` arithmetic): the
reference that ``tests/check/test_relu_backsub.py`` compares the batched integer checker of
``exactnet/check/relu_backsub.py`` with (the mathematics is in that module's docstring)."""

from __future__ import annotations

from fractions import Fraction

from flint import fmpq, fmpq_mat

_ZERO = fmpq(0)
_ONE = fmpq(1)
#: The keys of a payload layer.
KEYS = ("dl", "du", "zl", "zu", "al", "au", "lam", "sb", "su", "sl")


class _Invalid(Exception):
    pass


def _q(v) -> fmpq:
    if isinstance(v, fmpq):
        return v
    if isinstance(v, bool):
        raise _Invalid("a boolean is not a number")
    if isinstance(v, int):
        return fmpq(v)
    if isinstance(v, str):
        try:
            f = Fraction(v.strip())
        except (ValueError, ZeroDivisionError):
            raise _Invalid(f"not a rational number: {v!r}") from None
        return fmpq(f.numerator, f.denominator)
    if hasattr(v, "p") and hasattr(v, "q"):
        return fmpq(int(v.p), int(v.q))
    raise _Invalid(f"not a rational number: {v!r}")


def _layers(net) -> list:
    """``[(W rows, b)]`` of exact rationals, from a :class:`~exactnet.network.Network` or such a list."""
    layers = net.layers if hasattr(net, "layers") else net
    out = []
    for layer in layers:
        W, b = (layer.weight, layer.bias) if hasattr(layer, "weight") else layer
        out.append(([[_q(v) for v in row] for row in W], [_q(v) for v in b]))
    return out


def _mat(rows, ncols) -> fmpq_mat:
    return fmpq_mat(len(rows), ncols, [v for r in rows for v in r])


class _Unit:
    """One unit's verified relaxation: ``h ∈ [lam·z, hu·z + hc]`` and
    ``δ ∈ [pl·d + ql·z + rl, pu·d + qu·z + ru]``."""

    __slots__ = ("lam", "hu", "hc", "pl", "ql", "rl", "pu", "qu", "ru")

    def __init__(self, c: dict, i: int):
        dl, du, zl, zu, al, au = (c[k][i] for k in KEYS[:6])
        if dl > du or zl > zu or al > au:
            raise _Invalid("an empty interval")
        self.lam = self.hu = self.hc = self.pl = self.ql = self.rl = self.pu = self.qu = self.ru = _ZERO
        act_a, off_a, act_b, off_b = al >= 0, au <= 0, zl >= 0, zu <= 0
        if act_b:
            self.lam = self.hu = _ONE
        elif not off_b:
            lam, sb = c["lam"][i], c["sb"][i]
            if not (0 <= lam <= 1) or sb * (zu - zl) < zu:
                raise _Invalid("a slope of h^B is not valid on its interval")
            self.lam, self.hu, self.hc = lam, sb, -sb * zl
        if act_a and act_b:
            self.pl = self.pu = _ONE
        elif off_a and off_b:
            pass
        elif act_a and off_b:
            self.pl = self.pu = self.ql = self.qu = _ONE
        elif off_a and act_b:
            self.ql = self.qu = -_ONE
        elif dl >= 0:
            self.pu = _ONE
        elif du <= 0:
            self.pl = _ONE
        else:
            su, sl = c["su"][i], c["sl"][i]
            if su * (du - dl) < du or sl * (du - dl) < -dl:
                raise _Invalid("a slope of δ is not valid on its interval")
            self.pu, self.ru = su, -su * dl
            self.pl, self.rl = sl, -sl * du


def _upper_bounds(layers, units, k, rows, lo, hi) -> list:
    """Exact upper bounds of the rows ``(c_d, c_z)`` (lists over the units of layer ``k``); ``layers``
    the pairs ``((W^A, b^A), (W^B, b^B))``, ``units[j]`` the verified relaxations of hidden layer ``j``."""
    Cd = [list(r[0]) for r in rows]
    Cz = [list(r[1]) for r in rows]
    const = [_ZERO] * len(rows)
    for j in range(k, -1, -1):
        (WA, bA), (WB, bB) = layers[j]
        width, prev = len(WA), len(WA[0])
        mA, mB = _mat(WA, prev), _mat(WB, prev)
        MD, MZ = _mat(Cd, width), _mat(Cz, width)
        alpha = (MD * mA).entries()
        beta = (MD * (mA - mB) + MZ * mB).entries()
        db = [x - y for x, y in zip(bA, bB)]
        for r in range(len(rows)):
            const[r] += sum((u * v for u, v in zip(Cd[r], db)), _ZERO) + sum((u * v for u, v in zip(Cz[r], bB)), _ZERO)
        if j == 0:
            out = []
            for r in range(len(rows)):
                b = beta[r * prev:(r + 1) * prev]
                out.append(const[r] + sum((max(v * x, v * y) for v, x, y in zip(b, lo, hi)), _ZERO))
            return out
        us = units[j - 1]
        Cd, Cz = [], []
        for r in range(len(rows)):
            a, b = alpha[r * prev:(r + 1) * prev], beta[r * prev:(r + 1) * prev]
            cd, cz = [], []
            c = const[r]
            for ai, bi, u in zip(a, b, us):
                if ai >= 0:
                    cd.append(ai * u.pu)
                    zc = ai * u.qu
                    c += ai * u.ru
                else:
                    cd.append(ai * u.pl)
                    zc = ai * u.ql
                    c += ai * u.rl
                if bi >= 0:
                    zc += bi * u.hu
                    c += bi * u.hc
                else:
                    zc += bi * u.lam
                cz.append(zc)
            Cd.append(cd)
            Cz.append(cz)
            const[r] = c
    raise AssertionError("unreachable")  # pragma: no cover


def backsub_output_bounds(net_a, net_b, lo, hi, payload, rows):
    """Exact upper bounds of the output rows ``c_d·(A − B) + c_z·B`` (``rows``: pairs ``(c_d, c_z)`` of
    rational lists over the outputs) on the box ``[lo, hi]``, from ``payload`` (see
    :func:`backsub_difference_bounds`), or ``None`` when the payload does not verify."""
    try:
        A, B = _layers(net_a), _layers(net_b)
        if [(len(W), len(W[0])) for W, _ in A] != [(len(W), len(W[0])) for W, _ in B] or not A:
            return None
        lo, hi = [_q(v) for v in lo], [_q(v) for v in hi]
        n = len(A[0][0][0])
        if len(lo) != n or len(hi) != n or any(x > y for x, y in zip(lo, hi)):
            return None
        m = len(A[-1][0])
        rows = [([_q(v) for v in cd], [_q(v) for v in cz]) for cd, cz in rows]
        if any(len(cd) != m or len(cz) != m for cd, cz in rows):
            return None
        claims = payload.get("layers") if isinstance(payload, dict) else None
        if not isinstance(claims, (list, tuple)) or len(claims) != len(A) - 1:
            return None
        pairs, units = list(zip(A, B)), []
        for k, claim in enumerate(claims):
            w = len(A[k][0])
            if not isinstance(claim, dict) or any(not isinstance(claim.get(key), (list, tuple))
                                                  or len(claim[key]) != w for key in KEYS):
                return None
            c = {key: [_q(v) for v in claim[key]] for key in KEYS}
            e = [[_ONE if i == j else _ZERO for j in range(w)] for i in range(w)]
            zero = [[_ZERO] * w for _ in range(w)]
            neg = [[-v for v in r] for r in e]
            checks = [(r, s) for r, s in zip(e, zero)] + [(r, s) for r, s in zip(neg, zero)] + \
                [(s, r) for r, s in zip(e, zero)] + [(s, r) for r, s in zip(neg, zero)] + \
                [(r, r) for r in e] + [(r, r) for r in neg]
            ub = _upper_bounds(pairs, units, k, checks, lo, hi)
            claimed = c["du"] + [-v for v in c["dl"]] + c["zu"] + [-v for v in c["zl"]] + c["au"] + \
                [-v for v in c["al"]]
            if any(u > v for u, v in zip(ub, claimed)):
                return None
            units.append([_Unit(c, i) for i in range(w)])
        return _upper_bounds(pairs, units, len(A) - 1, rows, lo, hi) if rows else []
    except (_Invalid, TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None


__all__ = ["backsub_output_bounds"]
