"""The prover's exact back-substitution as it was before its optimisation (commit 8d1094f of
``exactnet/relu/backsub_bounds.py``: one block matrix per layer, a relaxation matrix per layer
composed with it, the rows split by sign at every level), kept only as the reference that
``tests/relu/test_backsub_bounds_fast.py`` compares the optimised ``BacksubPair.exact_bounds`` with:
the two must return equal :class:`~exactnet.relu.backsub_bounds.BacksubBounds` (bounds, corners,
spread, classes and the payload's intervals and slopes). The data classes, the class rows and the outward rounding
(unchanged by the optimisation) are the production module's; the mathematics is in its docstring."""

from __future__ import annotations

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

from exactnet.relu.backsub_bounds import PAYLOAD_KEYS, BacksubBounds, BacksubPayload, _class_rows, _classes, _up


class _ExactPair:
    """The exact layers as block matrices ``Mh_j = [[W^A, W^A − W^B, b^A − b^B], [0, W^B, b^B],
    [0, 0, 1]]``, which map a row ``[C_d | C_z | c]`` of layer ``j`` to ``[α | β | c']`` of layer
    ``j − 1`` (module docstring); each stored as an integer matrix and one denominator."""

    def __init__(self, hat_a, hat_b):
        self.Mh, self.widths = [], []
        for MA, MB in zip(hat_a, hat_b):
            m, p = MA.nrows(), MA.ncols() - 1
            A, B = MA.tolist(), MB.tolist()
            M = fmpq_mat(2 * m + 1, 2 * p + 1)
            for i in range(m):
                for j in range(p):
                    M[i, j] = A[i][j]
                    M[i, p + j] = A[i][j] - B[i][j]
                    M[m + i, p + j] = B[i][j]
                M[i, 2 * p] = A[i][p] - B[i][p]
                M[m + i, 2 * p] = B[i][p]
            M[2 * m, 2 * p] = 1
            self.Mh.append(_cleared(M))
            self.widths.append(m)


def _cleared(M: fmpq_mat) -> tuple:
    """``M = N / D``: an integer matrix ``N`` and a positive integer ``D``."""
    N, D = M.numer_denom()
    return N, D


def _split_signs(N: fmpz_mat, m: int) -> tuple:
    """``[α | β | c]`` (integer rows of width ``2m + 1``) → ``[α⁺ | β⁺ | α⁻ | β⁻]`` and the column
    ``c``."""
    zero = fmpz(0)
    ent = N.entries()
    w = 2 * m + 1
    out, consts = [], []
    for i in range(N.nrows()):
        row = ent[i * w:(i + 1) * w - 1]
        out += [v if v > 0 else zero for v in row]
        out += [v if v < 0 else zero for v in row]
        consts.append(ent[(i + 1) * w - 1])
    return fmpz_mat(N.nrows(), 4 * m, out), consts


def _exact_relax(dl, du, zl, zu, al, au) -> tuple:
    """The relaxation matrix ``R`` (``4m × (2m + 1)``: rows ``α⁺, β⁺, α⁻, β⁻`` of every unit, columns
    ``d, z, 1``) of one layer, and the ``λ`` choices (module docstring; slopes rounded up)."""
    m = len(dl)
    R = fmpq_mat(4 * m, 2 * m + 1)
    lams, sb, su, sl = [], [fmpq(0)] * m, [fmpq(0)] * m, [fmpq(0)] * m
    c1 = 2 * m
    for i in range(m):
        actA, offA, actB, offB = al[i] >= 0, au[i] <= 0, zl[i] >= 0, zu[i] <= 0
        lam = 0
        if actB:  # β⁺ row i + m, β⁻ row i + 3m: h = z
            R[m + i, m + i] = 1
            R[3 * m + i, m + i] = 1
            lam = 1
        elif not offB:
            a = sb[i] = _up(zu[i] / (zu[i] - zl[i]))
            R[m + i, m + i] = a
            R[m + i, c1] = -a * zl[i]
            lam = 1 if zu[i] >= -zl[i] else 0
            R[3 * m + i, m + i] = lam
        lams.append(lam)
        up, lo = i, 2 * m + i  # α⁺ (upper relaxation of δ), α⁻ (lower)
        if actA and actB:
            R[up, i] = R[lo, i] = 1
        elif offA and offB:
            pass
        elif actA and offB:
            R[up, i] = R[lo, i] = R[up, m + i] = R[lo, m + i] = 1
        elif offA and actB:
            R[up, m + i] = R[lo, m + i] = -1
        elif dl[i] >= 0:
            R[up, i] = 1
        elif du[i] <= 0:
            R[lo, i] = 1
        else:
            w = du[i] - dl[i]
            a, c = su[i], sl[i] = _up(du[i] / w), _up(-dl[i] / w)
            R[up, i], R[up, c1] = a, -a * dl[i]
            R[lo, i], R[lo, c1] = c, -c * du[i]
    return R, (tuple(fmpq(v) for v in lams), tuple(sb), tuple(su), tuple(sl))


def _exact_backsub(E, Ns, k, rows: fmpz_mat, mid, rad):
    """Exact upper bounds of the integer rows ``[C_d | C_z | c]`` of layer ``k`` and their input
    coefficients. The rows are kept as an integer matrix over one common denominator ``D`` (a
    scalar), so no entry is ever reduced."""
    n = len(mid)
    Mk, D = E.Mh[k]
    X = rows * Mk
    const = [fmpz(0)] * rows.nrows()  # over the denominator D
    for j in range(k - 1, -1, -1):
        S, c = _split_signs(X, E.widths[j])
        Nj, Dj = Ns[j]
        const = [u * Dj + v * Dj for u, v in zip(const, c)]  # the new denominator is D·Dj
        X = S * Nj
        D = D * Dj
    ent = X.entries()
    w = 2 * n + 1
    bounds, betas = [], []
    for i in range(X.nrows()):
        beta = [fmpq(v, D) for v in ent[i * w + n:i * w + 2 * n]]
        bounds.append(fmpq(const[i] + ent[i * w + 2 * n], D)
                      + sum((b * x + abs(b) * r for b, x, r in zip(beta, mid, rad)), fmpq(0)))
        betas.append(beta)
    return bounds, betas


def _exact_compute(E, lower, upper) -> BacksubBounds:
    mid = [(lo + hi) / 2 for lo, hi in zip(lower, upper)]
    rad = [(hi - lo) / 2 for lo, hi in zip(lower, upper)]
    Ns, layers, unstable = [], [], 0
    depth = len(E.widths)
    for k in range(depth - 1):
        m = E.widths[k]
        rows = fmpz_mat(6 * m, 2 * m + 1)
        for i in range(m):  # ±d, ±z, ±(d + z)
            rows[i, i], rows[m + i, i] = 1, -1
            rows[2 * m + i, m + i], rows[3 * m + i, m + i] = 1, -1
            rows[4 * m + i, i] = rows[4 * m + i, m + i] = 1
            rows[5 * m + i, i] = rows[5 * m + i, m + i] = -1
        ub, _ = _exact_backsub(E, Ns, k, rows, mid, rad)
        du, dl = [_up(v) for v in ub[:m]], [-_up(v) for v in ub[m:2 * m]]
        zu, zl = [_up(v) for v in ub[2 * m:3 * m]], [-_up(v) for v in ub[3 * m:4 * m]]
        au, al = [_up(v) for v in ub[4 * m:5 * m]], [-_up(v) for v in ub[5 * m:]]
        unstable += sum(1 for i in range(m) if al[i] < 0 < au[i]) + sum(1 for i in range(m) if zl[i] < 0 < zu[i])
        R, slopes = _exact_relax(dl, du, zl, zu, al, au)
        RN, RD = _cleared(R)
        Ns.append((RN * E.Mh[k][0], RD * E.Mh[k][1]))
        layers.append(dict(zip(PAYLOAD_KEYS, (tuple(dl), tuple(du), tuple(zl), tuple(zu), tuple(al), tuple(au))
                               + slopes)))
    m = E.widths[-1]
    crows = _class_rows(m)
    rows = fmpz_mat(2 * m + len(crows), 2 * m + 1)
    for i in range(m):
        rows[i, i], rows[m + i, i] = 1, -1
    for r, (_, _, _, cd, cz) in enumerate(crows):
        for i in range(m):
            rows[2 * m + r, i], rows[2 * m + r, m + i] = cd[i], cz[i]
    ub, betas = _exact_backsub(E, Ns, depth - 1, rows, mid, rad)
    ca, cb = _classes(m, crows, ub[2 * m:])
    upper_t, corners, spread = [], [], [0.0] * len(lower)
    for k in range(m):
        for row in (k, m + k):
            upper_t.append(ub[row])
            corners.append(tuple(1 if b > 0 else 0 for b in betas[row]))
            spread = [s + abs(float(b)) * float(r) for s, b, r in zip(spread, betas[row], rad)]
    return BacksubBounds(tuple(upper_t), unstable, tuple(corners), tuple(spread), BacksubPayload(tuple(layers)),
                         ca, cb)


def reference_exact_bounds(hat_a, hat_b, lower, upper) -> BacksubBounds:
    """The pre-optimisation ``BacksubPair(hat_a, hat_b).exact_bounds(lower, upper)``."""
    return _exact_compute(_ExactPair(hat_a, hat_b), [fmpq(v) for v in lower], [fmpq(v) for v in upper])
