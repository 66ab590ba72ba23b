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
entry. Every layer's ``6w`` interval rows and the target rows are carried level by level down to
the input; each claimed end ``p/q`` is compared with its row's bound ``u/D`` as ``u·q ≤ p·D``. The
bounds are exactly those of the unit-by-unit computation described above.
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
    """A hidden layer's verified relaxations as integer matrices over one denominator ``den``:
    ``lower`` (``(2w + 1)²``: rows ``α, β, 1`` to columns ``d, z, 1``), the columns ``S`` (of ``[α | β]``)
    whose two sides differ, and ``diff`` (``|S| × (2w + 1)``: upper minus lower side)."""

    __slots__ = ("lower", "cols", "diff", "den")

    def __init__(self, c: dict, w: int):
        units = [_unit(c, i) for i in range(w)]
        size = 2 * w + 1
        lo = [_ZERO] * (size * size)
        up_rows, cols = [], []
        for i, (lam, hu, hc, pl, ql, rl, pu, qu, ru) in enumerate(units):
            a, b = i * size, (w + i) * size  # rows α_i and β_i
            lo[a + i], lo[a + w + i], lo[a + 2 * w] = pl, ql, rl
            lo[b + w + i] = lam
            if pu != pl or qu != ql or ru != rl:
                row = [_ZERO] * size
                row[i], row[w + i], row[2 * w] = pu - pl, qu - ql, ru - rl
                up_rows.append(row)
                cols.append(i)
        for i, (lam, hu, hc, *_rest) in enumerate(units):
            if hu != lam or hc != 0:
                row = [_ZERO] * size
                row[w + i], row[2 * w] = hu - lam, hc
                up_rows.append(row)
                cols.append(w + i)
        lo[size * size - 1] = _ONE
        lower, den = fmpq_mat(size, size, lo).numer_denom()
        self.cols = cols
        if cols:
            diff, dd = fmpq_mat(len(cols), size, [v for r in up_rows for v in r]).numer_denom()
            common = _lcm(den, dd)
            lower, diff = lower * (common // den), diff * (common // dd)
            den = common
            self.diff = diff
        else:
            self.diff = None
        self.lower, self.den = lower, fmpz(den)


class BacksubChecker:
    """Both networks (same widths) compiled once for a certificate: per layer the cleared block
    matrix ``N_j`` (module docstring) and its entries; :meth:`output_bounds` checks one payload."""

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
            cols = 2 * prev + 1
            vals = [_ZERO] * ((2 * m + 1) * cols)
            for i in range(m):
                d, z = i * cols, (m + i) * cols
                for j in range(prev):
                    vals[d + j] = WA[i][j]
                    vals[d + prev + j] = WA[i][j] - WB[i][j]
                    vals[z + prev + j] = WB[i][j]
                vals[d + 2 * prev] = bA[i] - bB[i]
                vals[z + 2 * prev] = bB[i]
            vals[-1] = _ONE
            N, D = fmpq_mat(2 * m + 1, cols, vals).numer_denom()
            self.layers.append((N, fmpz(D), N.entries(), cols))
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
        relax, blocks = [], []  # blocks: (level, integer rows, claimed upper ends or None)
        for k, claim in enumerate(claims):
            w = widths[k]
            if not isinstance(claim, dict) or any(not isinstance(claim.get(key), (list, tuple))
                                                  or len(claim[key]) != w for key in KEYS):
                raise _Invalid("a payload layer of the wrong shape")
            c = {key: [_q(v) for v in claim[key]] for key in KEYS}
            relax.append(_Relaxation(c, w))
            ends = c["du"] + [-v for v in c["dl"]] + c["zu"] + [-v for v in c["zl"]] + c["au"] + \
                [-v for v in c["al"]]
            blocks.append((k, _interval_rows(w), ends))
        out_block = None
        if rows:
            vals = [v for cd, cz in rows for v in (*cd, *cz, _ZERO)]
            X, den = fmpq_mat(len(rows), 2 * m + 1, vals).numer_denom()
            out_block = (len(widths) - 1, X, fmpz(den))
        bounds = self._backsubstitute(relax, blocks, out_block, lo, hi)
        return bounds

    def _backsubstitute(self, relax, blocks, out_block, lo, hi):
        """Back-substitute every block level by level; verify the interval blocks, return the
        bounds of the output block (``[]`` without one). A live block is a triple (integer rows over
        the ``(δ, h, 1)`` of the layer below, their denominator, the claimed ends or ``None``)."""
        top = len(self.widths) - 1
        live = []
        if out_block is not None:
            N, D = self.layers[top][:2]
            live.append((out_block[1] * N, out_block[2] * D, None))
        for j in range(top, 0, -1):
            live += [(X * self.layers[k][0], self.layers[k][1], ends) for k, X, ends in blocks if k == j]
            r, (N, D) = relax[j - 1], self.layers[j - 1][:2]
            lower, den = r.lower * N, r.den * D
            if not r.cols:
                live = [(Y * lower, d * den, ends) for Y, d, ends in live]
                continue
            # [Y | Y⁺_S]·[R^lo N; U N]: one product (fewer, larger products are faster than two)
            both = fmpz_mat(lower.nrows() + len(r.cols), lower.ncols(), lower.entries() + (r.diff * N).entries())
            get = itemgetter(*r.cols) if len(r.cols) > 1 else (lambda row, s=r.cols: tuple(row[i] for i in s))
            step = []
            for Y, d, ends in live:
                ent, w = Y.entries(), Y.ncols()
                out = []
                for i in range(Y.nrows()):
                    row = ent[i * w:(i + 1) * w]
                    out += row
                    out += [v if v > 0 else _ZZ for v in get(row)]
                step.append((fmpz_mat(Y.nrows(), w + len(r.cols), out) * both, d * den, ends))
            live = step
        live += [(X * self.layers[0][0], self.layers[0][1], ends) for k, X, ends in blocks if k == 0]
        return _evaluate(live, lo, hi)


def _interval_rows(w: int) -> fmpz_mat:
    """The ``6w`` rows ``±d, ±z, ±(d + z)`` of a hidden layer, as integer rows over ``(d, z, 1)``."""
    X = fmpz_mat(6 * w, 2 * w + 1)
    for i in range(w):
        X[i, i], X[w + i, i] = 1, -1
        X[2 * w + i, w + i], X[3 * w + i, w + i] = 1, -1
        X[4 * w + i, i] = X[4 * w + i, w + i] = 1
        X[5 * w + i, i] = X[5 * w + i, w + i] = -1
    return X


def _evaluate(blocks, lo, hi) -> list:
    """The maxima over the box of the input rows ``[α | β | c]`` (over their denominators): claimed
    ends checked by cross-multiplication; the bounds of the block without claims returned."""
    n = len(lo)
    box, E = fmpq_mat(2, n, lo + hi).numer_denom() if n else (None, fmpz(1))
    E = fmpz(E)
    L, H = (box.entries()[:n], box.entries()[n:]) if n else ([], [])
    out = []
    for Y, D, ends in blocks:
        ent, w = Y.entries(), 2 * n + 1
        DE = D * E
        nums = []
        for r in range(Y.nrows()):
            row = ent[r * w:(r + 1) * w]
            u = E * row[2 * n]
            for b, x, y in zip(row[n:2 * n], L, H):
                u += b * (y if b > 0 else x)
            nums.append(u)
        if ends is None:
            out = [fmpq(u, DE) for u in nums]
        elif any(u * e.q > e.p * DE for u, e in zip(nums, ends)):
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
