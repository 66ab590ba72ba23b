"""Independent exact re-computation of a back-substituted bound of ``s·(A_k − B_k)`` on a box, from
the intervals and slopes its prover used (the payload of ``exactnet.relu.backsub_bounds``; the
mathematics is in ``docs/difference.md``, "Back-substituted bounds").

Two networks of the same widths, ``z_j = W_j h_{j−1} + b_j``, ``h_j = relu(z_j)``, ``h_0 = x``. Per
hidden layer the payload claims intervals for ``d = z^A − z^B`` (``dl, du``), ``z = z^B`` (``zl, zu``)
and ``z^A`` (``al, au``) of every unit, and slopes: ``lam`` (``h^B ≥ lam·z``), ``sb`` (``h^B ≤
sb·(z − zl)``), ``su``/``sl`` (``δ = h^A − h^B ≤ su·(d − dl)``, ``δ ≥ sl·(d − du)``). Nothing is
trusted:

* a slope is used only where it is valid on the claimed interval: ``0 ≤ lam ≤ 1`` (``relu(z) ≥
  lam·z`` for every ``z``); ``sb·(zu − zl) ≥ zu`` with ``zl < 0 < zu`` (the line ``sb·(z − zl)`` is 0 at
  ``zl`` and ``≥ zu`` at ``zu``, so above the convex ``relu`` between); likewise ``su·(du − dl) ≥ du``
  and ``sl·(du − dl) ≥ −dl`` for ``max(0, d)`` and ``min(0, d)`` with ``dl < 0 < du``, which enclose
  ``δ`` because ``relu`` is monotone and 1-Lipschitz;
* the units' cases follow from the intervals (``h = z`` when ``zl ≥ 0``, ``0`` when ``zu ≤ 0``; ``δ = d``,
  ``0``, ``d + z`` or ``−z`` when both signs are fixed, else the enclosure above);
* every claimed interval of layer ``k`` is verified: the exact back-substituted upper bounds of the
  rows ``±d, ±z, ±(d + z)`` through the (already verified) relaxations of layers ``< k`` must not
  exceed the claimed ends.

Back-substitution: a row ``c_d·d_j + c_z·z_j + c`` equals ``α·δ_{j−1} + β·h_{j−1} + c'`` with
``α = c_d W^A_j``, ``β = c_d (W^A_j − W^B_j) + c_z W^B_j``, ``c' = c + c_d (b^A_j − b^B_j) + c_z b^B_j``;
each ``α_i δ_i`` and ``β_i h_i`` is replaced by the relaxation of the side of its sign; at the input
``δ_0 = 0`` and ``max_{x ∈ [lo, hi]} β·x = Σ max(β_i lo_i, β_i hi_i)``.

**Computation** (``docs/difference.md``, "Checking back-substituted bounds"). Rows are integer
matrices over one common denominator per block of rows (``fmpz_mat``, never reduced). A layer is
the block matrix ``N_j = [[W^A, W^A − W^B, b^A − b^B], [0, W^B, b^B], [0, 0, 1]]`` (cleared once per
pair, :class:`BacksubChecker`), mapping ``[c_d | c_z | c]`` to ``[α | β | c']``. The relaxation of a
layer is written as its lower side plus a correction on the positive part: with ``R^lo`` the matrix
of the lower relaxations (``α_i → pl·d_i + ql·z_i + rl``, ``β_i → lam·z_i``) and ``U`` the rows
``upper − lower`` of the coefficients whose two sides differ (the set ``S``), a row ``Y`` over
``(δ, h, 1)`` relaxes to ``Y R^lo + Y⁺_S U`` — the same as choosing each side by the coefficient's
sign, since ``a·up = a·lo + a·(up − lo)`` for ``a ≥ 0``. With the next layer composed in, one level is
the single product ``[Y | Y⁺_S]·[R^lo N; U N]``, and only the columns in ``S`` are read entry by
entry. The constants are carried apart, as a column over their own denominator (the relaxations'
constants ``−s·zl`` have about twice the denominator bits of their slopes, and a constant never
feeds a coefficient): a matrix–vector product per level. Every layer's ``6w`` interval rows and the
target rows are carried level by level down to the input; each claimed end ``p/q`` is compared with
its row's bound ``u/D`` as ``u·q ≤ p·D``. The bounds are exactly those of the unit-by-unit
computation described above.
"""

from __future__ import annotations

import re
from fractions import Fraction
from operator import itemgetter

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

_ZERO = fmpq(0)
_ONE = fmpq(1)
_ZZ = fmpz(0)
#: The keys of a payload layer.
KEYS = ("dl", "du", "zl", "zu", "al", "au", "lam", "sb", "su", "sl")
_RATIO = re.compile(r"(-?[0-9]+)(?:/([0-9]+))?")


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
        m = _RATIO.fullmatch(v)
        if m is not None and m.group(2) != "0":
            return fmpq(int(m.group(1)), int(m.group(2) or 1))
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


def _lcm(a: fmpz, b: fmpz) -> fmpz:
    return a * b // a.gcd(b)


def _unit(c: dict, i: int) -> tuple:
    """One unit's verified relaxation ``(lam, hu, hc, pl, ql, rl, pu, qu, ru)``: ``h ∈ [lam·z, hu·z + hc]``
    and ``δ ∈ [pl·d + ql·z + rl, pu·d + qu·z + ru]`` (module docstring); raises :class:`_Invalid`."""
    dl, du, zl, zu, al, au = (c[k][i] for k in KEYS[:6])
    if dl > du or zl > zu or al > au:
        raise _Invalid("an empty interval")
    lam = hu = hc = pl = ql = rl = pu = qu = ru = _ZERO
    act_a, off_a, act_b, off_b = al >= 0, au <= 0, zl >= 0, zu <= 0
    if act_b:
        lam = hu = _ONE
    elif not off_b:
        lam, sb = c["lam"][i], c["sb"][i]
        if not (0 <= lam <= 1) or sb * (zu - zl) < zu:
            raise _Invalid("a slope of h^B is not valid on its interval")
        hu, hc = sb, -sb * zl
    if act_a and act_b:
        pl = pu = _ONE
    elif off_a and off_b:
        pass
    elif act_a and off_b:
        pl = pu = ql = qu = _ONE
    elif off_a and act_b:
        ql = qu = -_ONE
    elif dl >= 0:
        pu = _ONE
    elif du <= 0:
        pl = _ONE
    else:
        su, sl = c["su"][i], c["sl"][i]
        if su * (du - dl) < du or sl * (du - dl) < -dl:
            raise _Invalid("a slope of δ is not valid on its interval")
        pu, ru = su, -su * dl
        pl, rl = sl, -sl * du
    return lam, hu, hc, pl, ql, rl, pu, qu, ru


class _Relaxation:
    """A hidden layer's verified relaxations as integer matrices: ``coef`` (over ``coef_den``) and
    ``const`` (over ``const_den``), the coefficients and constants of the rows ``α_1..α_w, β_1..β_w``
    of the lower side (to ``d, z`` and ``1``), followed by the rows ``upper − lower`` of the
    coefficients ``cols`` (indices into ``[α | β]``) whose two sides differ."""

    __slots__ = ("coef", "coef_den", "const", "const_den", "cols")

    def __init__(self, c: dict, w: int):
        units = [_unit(c, i) for i in range(w)]
        coef, const = [], []
        for i, (lam, hu, hc, pl, ql, rl, pu, qu, ru) in enumerate(units):  # rows α_i (lower side)
            row = [_ZERO] * (2 * w)
            row[i], row[w + i] = pl, ql
            coef.append(row)
            const.append(rl)
        for i, (lam, *_rest) in enumerate(units):  # rows β_i (lower side: λ·z)
            row = [_ZERO] * (2 * w)
            row[w + i] = lam
            coef.append(row)
            const.append(_ZERO)
        cols = []
        for i, (lam, hu, hc, pl, ql, rl, pu, qu, ru) in enumerate(units):
            if pu != pl or qu != ql or ru != rl:
                row = [_ZERO] * (2 * w)
                row[i], row[w + i] = pu - pl, qu - ql
                coef.append(row)
                const.append(ru - rl)
                cols.append(i)
        for i, (lam, hu, hc, *_rest) in enumerate(units):
            if hu != lam or hc != 0:
                row = [_ZERO] * (2 * w)
                row[w + i] = hu - lam
                coef.append(row)
                const.append(hc)
                cols.append(w + i)
        self.cols = cols
        self.coef, self.coef_den = _cleared(len(coef), 2 * w, [v for r in coef for v in r])
        self.const, self.const_den = _cleared(len(const), 1, const)


def _cleared(rows: int, cols: int, vals: list) -> tuple:
    """The rational matrix of ``vals`` (row-major) as an integer matrix and a positive denominator."""
    N, D = fmpq_mat(rows, cols, vals).numer_denom()
    return N, fmpz(D)


class BacksubChecker:
    """Both networks (same widths) compiled once for a certificate: per layer the block matrix ``N_j``
    (module docstring), its coefficient part (rows ``d, z`` to columns ``α, β``) and its bias column
    (rows ``d, z``), each cleared to an integer matrix and a denominator; :meth:`output_bounds` checks
    one payload."""

    def __init__(self, net_a, net_b):
        A, B = _layers(net_a), _layers(net_b)
        if not A or len(A) != len(B):
            raise _Invalid("the networks do not have the same widths")
        self.n = len(A[0][0][0]) if A[0][0] else 0
        self.widths, self.layers = [], []
        prev = self.n
        for (WA, bA), (WB, bB) in zip(A, B):
            m = len(WA)
            if not m or len(WB) != m or len(bA) != m or len(bB) != m or \
                    any(len(r) != prev for r in WA) or any(len(r) != prev for r in WB):
                raise _Invalid("the networks do not have the same widths")
            zero = [_ZERO] * prev
            coef = [v for i in range(m) for v in (*WA[i], *(x - y for x, y in zip(WA[i], WB[i])))] + \
                [v for i in range(m) for v in (*zero, *WB[i])]
            bias = [x - y for x, y in zip(bA, bB)] + list(bB)
            self.layers.append(_cleared(2 * m, 2 * prev, coef) + _cleared(2 * m, 1, bias))
            self.widths.append(m)
            prev = m

    def output_bounds(self, lo, hi, payload, rows) -> list:
        """Exact upper bounds of the output rows ``c_d·(A − B) + c_z·B`` (pairs ``(c_d, c_z)``) on the box
        ``[lo, hi]`` from ``payload`` (see :func:`backsub_difference_bounds`); raises :class:`_Invalid`
        (or a ``TypeError``/``ValueError``/...) when the payload does not verify."""
        n, widths = self.n, self.widths
        lo, hi = [_q(v) for v in lo], [_q(v) for v in hi]
        if len(lo) != n or len(hi) != n or any(x > y for x, y in zip(lo, hi)):
            raise _Invalid("not a box of the input space")
        m = widths[-1]
        rows = [([_q(v) for v in cd], [_q(v) for v in cz]) for cd, cz in rows]
        if any(len(cd) != m or len(cz) != m for cd, cz in rows):
            raise _Invalid("a row of the wrong length")
        claims = payload.get("layers") if isinstance(payload, dict) else None
        if not isinstance(claims, (list, tuple)) or len(claims) != len(widths) - 1:
            raise _Invalid("one payload layer per hidden layer")
        relax, blocks = [], []  # blocks: (layer, integer rows over (d, z), their denominator, claimed ends)
        for k, claim in enumerate(claims):
            w = widths[k]
            if not isinstance(claim, dict) or any(not isinstance(claim.get(key), (list, tuple))
                                                  or len(claim[key]) != w for key in KEYS):
                raise _Invalid("a payload layer of the wrong shape")
            c = {key: [_q(v) for v in claim[key]] for key in KEYS}
            relax.append(_Relaxation(c, w))
            ends = c["du"] + [-v for v in c["dl"]] + c["zu"] + [-v for v in c["zl"]] + c["au"] + \
                [-v for v in c["al"]]
            blocks.append((k, _interval_rows(w), _ONE_Z, ends))
        if rows:
            X, den = _cleared(len(rows), 2 * m, [v for cd, cz in rows for v in (*cd, *cz)])
            blocks.append((len(widths) - 1, X, den, None))
        return self._backsubstitute(relax, blocks, lo, hi)

    def _enter(self, k, X, den, ends):
        """A block of rows over ``(d_k, z_k)`` written over ``(δ, h)`` of the layer below: (coefficients,
        their denominator, constants, their denominator, claimed ends)."""
        Nc, Dc, Nb, Db = self.layers[k]
        return X * Nc, den * Dc, X * Nb, den * Db, ends

    def _backsubstitute(self, relax, blocks, lo, hi):
        """Back-substitute every block level by level (module docstring): the coefficient rows ``Y``
        (over ``D``) and the constants ``c`` (a column over ``Dc``, kept apart: the relaxations'
        constants have larger denominators than their slopes). Verify the interval blocks, return
        the bounds of the output block (``[]`` without one)."""
        top = len(self.widths) - 1
        live = []
        for j in range(top, 0, -1):
            live += [self._enter(k, X, den, ends) for k, X, den, ends in blocks if k == j]
            r, (Nc, Dc, Nb, Db) = relax[j - 1], self.layers[j - 1]
            coef, coef_den = r.coef * Nc, r.coef_den * Dc
            kd = _lcm(r.const_den, r.coef_den * Db)  # constants of the relaxed rows composed with N
            const = r.const * (kd // r.const_den) + (r.coef * Nb) * (kd // (r.coef_den * Db))
            get = itemgetter(*r.cols) if len(r.cols) > 1 else (lambda row, s=r.cols: tuple(row[i] for i in s))
            step = []
            for Y, D, c, cd, ends in live:
                if r.cols:  # [Y | Y⁺_S]
                    ent, w = Y.entries(), Y.ncols()
                    out = []
                    for i in range(Y.nrows()):
                        row = ent[i * w:(i + 1) * w]
                        out += row
                        out += [v if v > 0 else _ZZ for v in get(row)]
                    Y = fmpz_mat(Y.nrows(), w + len(r.cols), out)
                # constants: c/cd + (Y·const)/(D·kd) over their least common denominator
                common = _lcm(cd, D * kd)
                c = c * (common // cd) + (Y * const) * (common // (D * kd))
                step.append((Y * coef, D * coef_den, c, common, ends))
            live = step
        live += [self._enter(k, X, den, ends) for k, X, den, ends in blocks if k == 0]
        return _evaluate(live, lo, hi)


_ONE_Z = fmpz(1)


def _interval_rows(w: int) -> fmpz_mat:
    """The ``6w`` rows ``±d, ±z, ±(d + z)`` of a hidden layer, as integer rows over ``(d, z)``."""
    X = fmpz_mat(6 * w, 2 * w)
    for i in range(w):
        X[i, i], X[w + i, i] = 1, -1
        X[2 * w + i, w + i], X[3 * w + i, w + i] = 1, -1
        X[4 * w + i, i] = X[4 * w + i, w + i] = 1
        X[5 * w + i, i] = X[5 * w + i, w + i] = -1
    return X


def _evaluate(blocks, lo, hi) -> list:
    """The maxima over the box of the input rows ``(Y, D, c, Dc)`` (``Y = [α | β]``, ``δ_0 = 0``):
    ``c/Dc + Σ_i max(β_i lo_i, β_i hi_i)/D``; claimed ends checked by cross-multiplication, the bounds
    of the block without claims returned."""
    n = len(lo)
    box, E = _cleared(2, n, lo + hi)
    ent = box.entries()
    L, H = ent[:n], ent[n:]
    out = []
    for Y, D, c, cd, ends in blocks:
        ent, consts = Y.entries(), c.entries()
        DE = D * E
        common = _lcm(cd, DE)
        fc, fu = common // cd, common // DE
        nums = []
        for r in range(Y.nrows()):
            u = _ZZ
            for b, x, y in zip(ent[r * 2 * n + n:(r + 1) * 2 * n], L, H):
                u += b * (y if b > 0 else x)
            nums.append(consts[r] * fc + u * fu)
        if ends is None:
            out = [fmpq(u, common) for u in nums]
        elif any(u * e.q > e.p * common for u, e in zip(nums, ends)):
            raise _Invalid("a claimed interval is not confirmed by back-substitution")
    return out


def backsub_difference_bound(net_a, net_b, lo, hi, target, payload):
    """An exact upper bound of ``s·(A_k − B_k)`` on the box ``[lo, hi]`` (``target = 2k`` for ``s = 1``,
    ``2k + 1`` for ``s = −1``), recomputed from ``payload``, or ``None`` (see :func:`backsub_difference_bounds`,
    which computes every target at once, and the module docstring)."""
    if isinstance(target, bool) or not isinstance(target, int):
        return None
    got = backsub_difference_bounds(net_a, net_b, lo, hi, payload, (target,))
    return None if got is None else got[0]


def backsub_difference_bounds(net_a, net_b, lo, hi, payload, targets=None):
    """Exact upper bounds of ``s·(A_k − B_k)`` on the box ``[lo, hi]`` for the ``targets`` (all when
    ``None``; ``t = 2k`` for ``s = 1``, ``2k + 1`` for ``s = −1``), recomputed from ``payload`` (module
    docstring), as a list, or ``None`` when the payload does not prove them (a claimed interval that
    the back-substitution does not confirm, a slope not valid on its interval, a malformed payload
    or pair).

    ``net_a``, ``net_b``: networks (``exactnet.network.Network``) or lists ``[(W rows, b), ...]`` of
    rationals, of the same widths, or instead of ``net_a`` a :class:`BacksubChecker` of the pair (built
    once, for many payloads; ``net_b`` is then ignored). ``lo``, ``hi``: the box (rationals, ``lo ≤ hi``).
    ``payload``: ``{"layers": [layer, ...]}`` with one ``layer`` per hidden layer, a mapping from each key
    of :data:`KEYS` to a list over the layer's units of rationals (``fmpq``, integers or ``"p/q"``
    strings): ``dl, du`` the interval of ``z^A − z^B``, ``zl, zu`` of ``z^B``, ``al, au`` of ``z^A``,
    ``lam`` the lower slope of ``relu(z^B)`` (in ``[0, 1]``), ``sb`` its upper chord slope, ``su``/``sl``
    the chord slopes of ``max(0, d)``/``min(0, d)`` (any value where the unit does not use it). This
    is what ``BacksubPayload.as_json()`` of ``exactnet.relu.backsub_bounds`` writes."""
    try:
        checker = _checker(net_a, net_b)
        if checker is None:
            return None
        m = checker.widths[-1]
        targets = list(range(2 * m)) if targets is None else list(targets)
        if any(isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < 2 * m for t in targets):
            return None
        rows = []
        for t in targets:
            k, sign = divmod(t, 2)
            rows.append(([(-_ONE if sign else _ONE) if i == k else _ZERO for i in range(m)], [_ZERO] * m))
        return backsub_output_bounds(checker, None, lo, hi, payload, rows)
    except (TypeError, ValueError, AttributeError, IndexError):
        return None


def backsub_classes(net_a, net_b, lo, hi, payload):
    """``(classes of A, classes of B)``: the classes each network may pick somewhere on the box
    (lowest index among the maxima), from the payload's bounds of ``A_i − A_k = (d + z)_i − (d + z)_k``
    and ``B_i − B_k = z_i − z_k`` at the output layer: ``i`` is excluded when some bound is ``< 0``, or
    ``≤ 0`` for ``k < i`` (a tie goes to ``k``). ``None`` when the payload does not verify. Both
    networks pick the same class everywhere on the box when both tuples are the same single class.
    ``net_a`` may be a :class:`BacksubChecker` (``net_b`` ignored)."""
    try:
        checker = _checker(net_a, net_b)
        if checker is None:
            return None
        m = checker.widths[-1]
        rows, keys = [], []
        for net in (0, 1):
            for i in range(m):
                for k in range(m):
                    if i != k:
                        e = [_ZERO] * m
                        e[i], e[k] = _ONE, -_ONE
                        rows.append((e if net == 0 else [_ZERO] * m, e))
                        keys.append((net, i, k))
        bounds = backsub_output_bounds(checker, None, lo, hi, payload, rows)
    except (TypeError, ValueError, AttributeError, IndexError):
        return None
    if bounds is None:
        return None
    out = []
    for net in (0, 1):
        gone = {i for (nn, i, k), u in zip(keys, bounds) if nn == net and (u < 0 or (k < i and u <= 0))}
        out.append(tuple(i for i in range(m) if i not in gone))
    return tuple(out)


def _checker(net_a, net_b):
    """``net_a`` itself when it is a :class:`BacksubChecker`, else the pair compiled, or ``None``."""
    if isinstance(net_a, BacksubChecker):
        return net_a
    try:
        return BacksubChecker(net_a, net_b)
    except (_Invalid, TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError):
        return None


def backsub_checker(net_a, net_b):
    """The pair compiled once (:class:`BacksubChecker`) for checking many payloads, or ``None`` when the
    two networks do not have the same widths (or are malformed)."""
    return _checker(net_a, net_b)


def backsub_output_bounds(net_a, net_b, lo, hi, payload, rows):
    """Exact upper bounds of the output rows ``c_d·(A − B) + c_z·B`` (``rows``: pairs ``(c_d, c_z)`` of
    rational lists over the outputs) on the box ``[lo, hi]``, from ``payload`` (see
    :func:`backsub_difference_bounds`), or ``None`` when the payload does not verify. ``net_a`` may be
    a :class:`BacksubChecker` (``net_b`` ignored)."""
    try:
        checker = _checker(net_a, net_b)
        if checker is None:
            return None
        return checker.output_bounds(lo, hi, payload, rows)
    except (_Invalid, TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError):
        return None


__all__ = ["KEYS", "BacksubChecker", "backsub_checker", "backsub_classes", "backsub_difference_bound",
           "backsub_difference_bounds", "backsub_output_bounds"]
