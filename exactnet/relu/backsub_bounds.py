"""Back-substituted bounds of ``A − B`` on a box (DeepPoly/CROWN style, on the ReluDiff difference).

Two networks of the same widths, layers ``z_k = W_k h_{k−1} + b_k``, ``h_k = relu(z_k)``,
``h_0 = x`` in the box. The variables of the pair at hidden layer ``k`` are ``z = z^B_k`` and
``d = z^A_k − z^B_k``, and after the ReLU ``h = h^B_k`` and ``δ = h^A_k − h^B_k``; they satisfy

    d_k = W^A_k δ_{k−1} + (W^A_k − W^B_k) h_{k−1} + (b^A_k − b^B_k),   z_k = W^B_k h_{k−1} + b^B_k,

with ``δ_0 = 0`` and ``h_0 = x`` (ReluDiff, Paulsen et al., ICSE 2020). Each unit gets linear
relaxations that hold on its interval ``z ∈ [zl, zu]``, ``d ∈ [dl, du]``, ``z + d ∈ [al, au]``:

* ``h``: ``h = z`` if ``zl ≥ 0``; ``h = 0`` if ``zu ≤ 0``; else ``λ z ≤ h ≤ a (z − zl)`` with
  ``a ≥ zu/(zu − zl)`` (the chord) and ``λ ∈ {0, 1}`` (1 iff ``zu ≥ −zl``);
* ``δ``: ``d`` if both units are active (``al ≥ 0``, ``zl ≥ 0``); 0 if both are inactive; ``d + z`` if
  only A's is active; ``−z`` if only B's is; otherwise ``min(0, d) ≤ δ ≤ max(0, d)`` (ReLU is monotone
  and 1-Lipschitz), relaxed by ``0``/``d`` when ``d`` has a fixed sign and else by the chords
  ``c (d − du) ≤ δ ≤ a (d − dl)``, ``a ≥ du/(du − dl)``, ``c ≥ −dl/(du − dl)``.

**Back-substitution** (Singh et al., "An abstract domain for certifying neural networks", POPL
2019; Zhang et al., CROWN, NeurIPS 2018): an upper bound of a row ``C_d·d_k + C_z·z_k + c`` is
found by writing it with the equations above as ``α·δ_{k−1} + β·h_{k−1} + c'``, replacing every
``α_i δ_i`` and ``β_i h_i`` by the relaxation of the side given by the sign of the coefficient, which
gives a row in ``(d_{k−1}, z_{k−1})`` again, and so on down to the input, where
``max_{x ∈ box} β·x = β·mid + |β|·rad``. Unlike forward symbolic intervals (:mod:`.box_bounds`),
which concretise at every layer, the signs and cancellations of the products of the weight
matrices are kept, so the bound of the difference of two nearby networks stays of the size of
the difference. The intervals of layer ``k`` are the bounds of its ``6·w_k`` rows
``±d, ±z, ±(d + z)`` by back-substitution through the relaxations of layers ``< k``.

**Exactness.** The same algorithm runs in float64 (:func:`float_bounds`, a proposal: a few ms on an
ACAS-size box) and in exact rationals (:func:`exact_bounds`): every interval end is rounded outward
to a dyadic number of :data:`BITS` significant bits and every slope up (which keeps each relaxation
valid on the wider interval), so the exact result is an upper bound whatever rounding the float
run did; only the exact bound drops a box. The exact run also returns its intervals and ``λ``
choices (:class:`BacksubPayload`), from which ``exactnet.check.relu_backsub`` recomputes the same
bound independently. See ``docs/difference.md`` ("Back-substituted bounds").

**Computation** (exact run). The layers are cleared to integer matrices once per pair. A level's
relaxation is applied as its lower side plus ``a·(upper − lower)`` on the positive part of the
sign-dependent coefficients only (:class:`_ExactLevel`); so a row at level ``j`` is a fixed
combination of the layer's ``2w_k`` rows times the lower sides, plus the correction rows. Only a
few columns of it are read at each level (the sign-dependent coefficients and the constant), so
the products can be taken from the right, through chains ``lo_t···lo_{j+1}·V_j`` of ``|S| + 1``
columns shared by every layer of the box (:func:`_chain`, :func:`_thin_backsub`); with many
unstable units (a large box) the rows are instead carried level by level (:func:`_direct_backsub`),
whichever multiplies less. Constants are carried apart over their own denominators, and the box
is applied by integer arithmetic. The result is the same rational numbers as the previous
computation (one product per level of all rows, each split by sign), which the tests keep as their
reference (``tests/relu/backsub_reference.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

#: Significant bits kept when rounding interval ends and slopes outward (exact mode).
BITS = 32


def _down(q: fmpq, bits: int = BITS) -> fmpq:
    """The largest dyadic number of ``bits`` significant bits ``≤ q``."""
    if q == 0:
        return q
    e = bits - int(abs(q).p.bit_length() - abs(q).q.bit_length())
    if e >= 0:
        s = fmpz(2) ** e
        return fmpq((q * s).floor(), s)
    d = fmpz(2) ** (-e)
    return fmpq((q / d).floor() * d)


def _up(q: fmpq, bits: int = BITS) -> fmpq:
    return -_down(-q, bits)


@dataclass(frozen=True)
class BacksubPayload:
    """What the exact run used, per hidden layer: a dict of tuples over the layer's units, the
    intervals ``dl, du`` (of ``d = z^A − z^B``), ``zl, zu`` (of ``z^B``), ``al, au`` (of ``z^A``), the lower
    slopes ``lam`` of ``h^B`` and the chord slopes ``sb`` (``h^B``), ``su``/``sl`` (``δ``, upper/lower;
    ``0`` where unused). Enough for ``exactnet.check.relu_backsub`` to recompute the bound, which
    verifies every interval and slope again."""

    layers: tuple

    def as_json(self) -> dict:
        """``{"layers": [{key: [numbers as "p/q" strings or integers]}]}``."""
        def q(x):
            return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"

        return {"layers": [{k: [q(fmpq(v)) for v in vals] for k, vals in layer.items()} for layer in self.layers]}


#: The keys of a payload layer, in order.
PAYLOAD_KEYS = ("dl", "du", "zl", "zu", "al", "au", "lam", "sb", "su", "sl")


@dataclass(frozen=True)
class BacksubBounds:
    """``upper[t]``: an upper bound of ``s·(A_k − B_k)`` on the box for ``t = 2k`` (``s = 1``) and
    ``2k + 1`` (``s = −1``); ``unstable``: units of both networks with an undecided sign; ``corners[t]``:
    the vertex of the box that maximises the final linear form of target ``t`` (a candidate witness),
    per input ``1`` for the upper end and ``0`` for the lower end;
    ``spread[j]``: input ``j``'s share ``Σ_t |β_{t,j}|·rad_j`` of the bounds (the coordinate to split);
    ``payload``: the exact run's intervals (``None`` in float mode); ``classes_a``/``classes_b``: the
    classes each network may pick somewhere on the box (lowest index among the maxima): ``i`` is
    excluded when the back-substituted bound of some ``A_i − A_k`` (rows ``d + z`` and ``z`` of the
    output layer) is ``< 0``, or ``≤ 0`` for ``k < i``, where a tie already goes to ``k``."""

    upper: tuple
    unstable: int
    corners: tuple
    spread: tuple
    payload: BacksubPayload | None = None
    classes_a: tuple = ()
    classes_b: tuple = ()


class _FloatPair:
    """Both networks' layers in float64."""

    def __init__(self, hat_a, hat_b):
        self.WA, self.bA, self.WB, self.bB = [], [], [], []
        for MA, MB in zip(hat_a, hat_b):
            A = np.array([[float(v) for v in r] for r in MA.tolist()])
            B = np.array([[float(v) for v in r] for r in MB.tolist()])
            self.WA.append(A[:, :-1])
            self.bA.append(A[:, -1])
            self.WB.append(B[:, :-1])
            self.bB.append(B[:, -1])
        self.dW = [a - b for a, b in zip(self.WA, self.WB)]
        self.db = [a - b for a, b in zip(self.bA, self.bB)]
        self.widths = [W.shape[0] for W in self.WA]


@dataclass
class _Relax:
    lam: np.ndarray   # h ≥ lam·z
    uB: np.ndarray    # h ≤ uB·z + cB
    cB: np.ndarray
    pL: np.ndarray    # δ ≥ pL·d + qL·z + rL
    qL: np.ndarray
    rL: np.ndarray
    pU: np.ndarray    # δ ≤ pU·d + qU·z + rU
    qU: np.ndarray
    rU: np.ndarray


def _float_backsub(F, relax, k, Cd, Cz, const, mid, rad):
    """Upper bounds of the rows ``Cd·d_k + Cz·z_k + const`` on the box, and the rows' input
    coefficients ``β`` (module docstring), in float64."""
    for j in range(k, -1, -1):
        alpha = Cd @ F.WA[j]
        beta = Cd @ F.dW[j] + Cz @ F.WB[j]
        const = const + Cd @ F.db[j] + Cz @ F.bB[j]
        if j == 0:
            return const + beta @ mid + np.abs(beta) @ rad, beta
        R = relax[j - 1]
        ap, an, bp, bn = np.maximum(alpha, 0), np.minimum(alpha, 0), np.maximum(beta, 0), np.minimum(beta, 0)
        Cd = ap * R.pU + an * R.pL
        Cz = ap * R.qU + an * R.qL + bp * R.uB + bn * R.lam
        const = const + ap @ R.rU + an @ R.rL + bp @ R.cB
    raise AssertionError("unreachable")  # pragma: no cover


def _float_relax(dl, du, zl, zu, al, au) -> _Relax:
    """The relaxations of the module docstring from one layer's intervals (float64)."""
    m = len(dl)
    R = _Relax(*[np.zeros(m) for _ in range(9)])
    actA, offA, actB, offB = al >= 0, au <= 0, zl >= 0, zu <= 0
    unsB = ~(actB | offB)
    den = np.where(unsB, zu - zl, 1.0)
    R.uB[:] = np.where(actB, 1.0, np.where(unsB, zu / den, 0.0))
    R.cB[:] = np.where(unsB, -R.uB * zl, 0.0)
    R.lam[:] = np.where(actB | (unsB & (zu >= -zl)), 1.0, 0.0)
    both = actA & actB  # the cases in the order of the exact run (a unit may be in two)
    off = offA & offB & ~both
    ab = actA & offB & ~both & ~off
    ba = offA & actB & ~both & ~off & ~ab
    gen = ~(both | off | ab | ba)
    pos = gen & (dl >= 0)
    neg = gen & (du <= 0) & ~pos
    mix = gen & ~pos & ~neg
    R.pL[both | ab | neg] = 1.0
    R.pU[both | ab | pos] = 1.0
    R.qL[ab] = R.qU[ab] = 1.0
    R.qL[ba] = R.qU[ba] = -1.0
    w = np.where(mix, du - dl, 1.0)
    a, c = du / w, -dl / w
    R.pU[mix], R.rU[mix] = a[mix], -(a * dl)[mix]
    R.pL[mix], R.rL[mix] = c[mix], -(c * du)[mix]
    return R


def _class_rows(m: int) -> list:
    """``(network, i, k, c_d, c_z)`` for the rows ``A_i − A_k = (d + z)_i − (d + z)_k`` and
    ``B_i − B_k = z_i − z_k`` of the output layer, ``i ≠ k``."""
    out = []
    for net in (0, 1):
        for i in range(m):
            for k in range(m):
                if i != k:
                    e = [0] * m
                    e[i], e[k] = 1, -1
                    out.append((net, i, k, e if net == 0 else [0] * m, e))
    return out


def _classes(m: int, rows, bounds) -> tuple:
    """The possible classes of each network from the bounds of :func:`_class_rows`."""
    out = []
    for net in (0, 1):
        excluded = {i for (nn, i, k, _, _), u in zip(rows, bounds) if nn == net and (u < 0 or (k < i and u <= 0))}
        out.append(tuple(i for i in range(m) if i not in excluded))
    return tuple(out)


def _float_compute(F, lower, upper) -> BacksubBounds:
    lo, hi = np.asarray(lower, float), np.asarray(upper, float)
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    relax, unstable = [], 0
    depth = len(F.widths)
    for k in range(depth - 1):
        m = F.widths[k]
        I, Z = np.eye(m), np.zeros((m, m))
        Cd = np.vstack([I, -I, Z, Z, I, -I])
        Cz = np.vstack([Z, Z, I, -I, I, -I])
        ub, _ = _float_backsub(F, relax, k, Cd, Cz, np.zeros(6 * m), mid, rad)
        du, dl, zu, zl, au, al = ub[:m], -ub[m:2 * m], ub[2 * m:3 * m], -ub[3 * m:4 * m], ub[4 * m:5 * m], -ub[5 * m:]
        unstable += int(np.count_nonzero((al < 0) & (au > 0)) + np.count_nonzero((zl < 0) & (zu > 0)))
        relax.append(_float_relax(dl, du, zl, zu, al, au))
    m = F.widths[-1]
    I, Z = np.eye(m), np.zeros((m, m))
    crows = _class_rows(m)
    Cd = np.vstack([I, -I] + ([np.array([r[3] for r in crows], float)] if crows else []))
    Cz = np.vstack([Z, Z] + ([np.array([r[4] for r in crows], float)] if crows else []))
    ub, beta = _float_backsub(F, relax, depth - 1, Cd, Cz, np.zeros(len(Cd)), mid, rad)
    order = [r for k in range(m) for r in (k, m + k)]
    spread = (np.abs(beta[:2 * m]) * rad).sum(axis=0)
    ca, cb = _classes(m, crows, ub[2 * m:])
    return BacksubBounds(tuple(float(ub[r]) for r in order), unstable,
                         tuple(tuple(1 if v > 0 else 0 for v in beta[r]) for r in order),
                         tuple(float(v) for v in spread), None, ca, cb)


class BacksubPair:
    """Both networks (same widths) compiled once for a search: ``float_bounds`` and
    ``exact_bounds`` on any sub-box."""

    def __init__(self, hat_a, hat_b):
        self._float = _FloatPair(hat_a, hat_b)
        self._exact = _exact_pair(hat_a, hat_b)

    @staticmethod
    def applies(hat_a, hat_b) -> bool:
        """Back-substitution of the difference needs two networks of the same widths."""
        return [(M.nrows(), M.ncols()) for M in hat_a] == [(M.nrows(), M.ncols()) for M in hat_b]

    def float_bounds(self, lower: Sequence, upper: Sequence) -> BacksubBounds:
        """The bounds in float64: a proposal, never a proof."""
        return _float_compute(self._float, [float(v) for v in lower], [float(v) for v in upper])

    def exact_bounds(self, lower: Sequence, upper: Sequence) -> BacksubBounds:
        """The bounds in exact rationals (valid upper bounds), with their payload."""
        return _exact_compute(self._exact, [fmpq(v) for v in lower], [fmpq(v) for v in upper])


def _lcm(a: fmpz, b: fmpz) -> fmpz:
    return a * b // a.gcd(b)


def _cleared(M: fmpq_mat) -> tuple:
    """``M = N / D``: an integer matrix ``N`` and a positive integer ``D``."""
    N, D = M.numer_denom()
    return N, D


@dataclass(frozen=True)
class _ExactLayer:
    """Layer ``k`` of the pair (width ``m``, ``p`` inputs): the map of a row ``[C_d | C_z]`` over
    ``(d_k, z_k)`` to ``[α | β]`` over ``(δ_{k−1}, h_{k−1})``, ``L = [[W^A, W^A − W^B], [0, W^B]] = coef /
    coef_den`` (``2m × 2p``), and of its constant, ``c' = c + [C_d | C_z]·b`` with ``b = [b^A − b^B; b^B] =
    bias / bias_den`` (``bq``: the same as a rational column)."""

    width: int
    coef: fmpz_mat
    coef_den: fmpz
    bias: fmpz_mat
    bias_den: fmpz
    bq: fmpq_mat


@dataclass(frozen=True)
class _ExactPair:
    """Both networks' layers (:class:`_ExactLayer`), cleared to integer matrices once per pair."""

    layers: tuple


def _exact_pair(hat_a, hat_b) -> _ExactPair:
    """The pair's layers from the affine matrices ``[W | b]`` of both networks."""
    layers = []
    for MA, MB in zip(hat_a, hat_b):
        m, p = MA.nrows(), MA.ncols() - 1
        A, B = MA.tolist(), MB.tolist()
        coef = fmpq_mat(2 * m, 2 * p)
        bias = fmpq_mat(2 * m, 1)
        for i in range(m):
            for j in range(p):
                coef[i, j] = A[i][j]
                coef[i, p + j] = A[i][j] - B[i][j]
                coef[m + i, p + j] = B[i][j]
            bias[i, 0] = A[i][p] - B[i][p]
            bias[m + i, 0] = B[i][p]
        layers.append(_ExactLayer(m, *_cleared(coef), *_cleared(bias), bias))
    return _ExactPair(tuple(layers))


@dataclass(frozen=True)
class _ExactLevel:
    """The relaxation of hidden layer ``j`` (width ``m``) composed with layer ``j``: a row ``Y = [α | β]``
    over ``(δ_j, h_j)`` becomes the row ``Y·lo/lo_den + Y⁺_S·up/up_den`` over ``(δ_{j−1}, h_{j−1})`` plus
    the constant ``(Y·klo + Y⁺_S·kup)/kden``, where ``Y⁺_S = max(Y, 0)·pick`` are the positive parts of
    the ``s`` coefficients ``S`` whose two relaxation sides differ (``pick``: the ``2m × s`` 0/1 matrix
    selecting them; ``thin = [pick | klo]``, all that is read from a row at this level). With ``R^lo``
    the lower sides (``α_i → pl·d_i + ql·z_i + rl``, ``β_i → λ·z_i``), ``U`` the rows ``upper − lower``
    of ``S`` and ``L``, ``b`` layer ``j``: ``lo/lo_den = R^lo L``, ``up/up_den = U L``, ``klo/kden = r^lo +
    R^lo b``, ``kup/kden = r^U + U b``. Since ``a·upper = a·lower + a·(upper − lower)`` for ``a ≥ 0``,
    this is the relaxation of the side given by each coefficient's sign (module docstring). ``lo``
    has its own denominator: its entries are mostly ``0``, ``±1`` or ``λ`` times the weights, while
    the chord slopes in ``up`` have ``BITS``-bit denominators."""

    lo: fmpz_mat
    lo_den: fmpz
    up: fmpz_mat
    up_den: fmpz
    kup: fmpz_mat
    kden: fmpz
    thin: fmpz_mat
    s: int


def _unit_relax(dl, du, zl, zu, al, au) -> tuple:
    """One unit's relaxation (module docstring; slopes rounded up): ``((lam, hu, hc), (pl, ql, rl),
    (pu, qu, ru), (sb, su, sl))`` with ``lam·z ≤ h ≤ hu·z + hc`` and ``pl·d + ql·z + rl ≤ δ ≤ pu·d + qu·z +
    ru``, and the payload's slopes (``0`` where unused)."""
    zero, one = fmpq(0), fmpq(1)
    actA, offA, actB, offB = al >= 0, au <= 0, zl >= 0, zu <= 0
    lam = hu = hc = sb = su = sl = zero
    if actB:
        lam = hu = one
    elif not offB:
        hu = sb = _up(zu / (zu - zl))
        hc = -sb * zl
        lam = one if zu >= -zl else zero
    pl = ql = rl = pu = qu = ru = zero
    if actA and actB:
        pl = pu = one
    elif offA and offB:
        pass
    elif actA and offB:
        pl = pu = ql = qu = one
    elif offA and actB:
        ql = qu = -one
    elif dl >= 0:
        pu = one
    elif du <= 0:
        pl = one
    else:
        w = du - dl
        su, sl = _up(du / w), _up(-dl / w)
        pu, ru = su, -su * dl
        pl, rl = sl, -sl * du
    return (lam, hu, hc), (pl, ql, rl), (pu, qu, ru), (sb, su, sl)


def _exact_relax(layer: _ExactLayer, dl, du, zl, zu, al, au) -> tuple:
    """The :class:`_ExactLevel` of one hidden layer from its intervals, and the payload's slopes
    ``(lam, sb, su, sl)``."""
    m = layer.width
    units = [_unit_relax(*v) for v in zip(dl, du, zl, zu, al, au)]
    lo, klo = fmpq_mat(2 * m, 2 * m), fmpq_mat(2 * m, 1)
    diff = []  # rows upper − lower: (column in [α | β], coefficient of d, of z, constant)
    for i, ((lam, hu, hc), (pl, ql, rl), (pu, qu, ru), _) in enumerate(units):
        lo[i, i], lo[i, m + i], klo[i, 0] = pl, ql, rl
        lo[m + i, m + i] = lam
        if pu != pl or qu != ql or ru != rl:
            diff.append((i, pu - pl, qu - ql, ru - rl))
    for i, ((lam, hu, hc), *_rest) in enumerate(units):
        if hu != lam or hc != 0:
            diff.append((m + i, fmpq(0), hu - lam, hc))
    s = len(diff)
    U, kU = fmpq_mat(s, 2 * m), fmpq_mat(s, 1)
    for r, (col, cd, cz, c) in enumerate(diff):
        i = col % m
        U[r, i], U[r, m + i], kU[r, 0] = cd, cz, c
    (loN, loD), (UN, UD) = _cleared(lo), _cleared(U)
    (kloN, kloD), (kupN, kupD) = _cleared(lo * layer.bq + klo), _cleared(U * layer.bq + kU)
    kden = _lcm(kloD, kupD)
    kloN = kloN * (kden // kloD)
    thin = fmpz_mat(2 * m, s + 1)
    for r, (col, *_rest) in enumerate(diff):
        thin[col, r] = 1
    for i in range(2 * m):
        thin[i, s] = kloN[i, 0]
    level = _ExactLevel(loN * layer.coef, loD * layer.coef_den, UN * layer.coef, UD * layer.coef_den,
                        kupN * (kden // kupD), kden, thin, s)
    slopes = (tuple(u[0][0] for u in units),) + tuple(tuple(u[3][t] for u in units) for t in range(3))
    return level, slopes


def _input_chain(n: int) -> dict:
    """The chains before the first level: ``Q[−1, −1]`` selects ``β`` from ``[α | β]`` over
    ``(δ_{−1}, x)``."""
    sel = fmpz_mat(2 * n, n)
    for i in range(n):
        sel[n + i, i] = 1
    return {(-1, -1): (sel, fmpz(1))}


def _chain(Q: dict, levels, t: int, j: int) -> tuple:
    """``Q[t, j] = (N, d)`` with ``N/d = lo_t·lo_{t−1}···lo_{j+1}·V_j`` (the levels' lower sides, from row
    space ``(δ_t, h_t)`` down to ``(δ_j, h_j)``, times what is read there: ``V_j = thin_j``, or at the
    input ``j = −1`` the selection of ``β``), for ``−1 ≤ j ≤ t``: ``Q[j, j] = (thin_j, 1)``, ``Q[t, j] =
    lo_t·Q[t − 1, j]``. Every product has the few columns of ``V_j``. Memoised in ``Q`` (one dict per
    box, shared by its layers)."""
    if (t, j) not in Q:
        if t == j:
            Q[t, j] = (levels[t].thin, fmpz(1))
        else:
            N, d = _chain(Q, levels, t - 1, j)
            Q[t, j] = (levels[t].lo * N, levels[t].lo_den * d)
    return Q[t, j]


def _sparse(rows: fmpz_mat) -> list:
    """The nonzero entries ``[(column, value), ...]`` of each row (the rows of interest have at most
    four, ``±1``)."""
    w, ent = rows.ncols(), rows.entries()
    return [[(c, v) for c, v in enumerate(ent[i * w:(i + 1) * w]) if v != 0] for i in range(rows.nrows())]


#: From this many columns read at a level on, the rows' product is taken entry by entry
#: (:func:`_read`): ``±1`` combinations in Python beat FLINT's dense product of the sparse rows.
SPARSE_FROM = 12


def _read(rows: fmpz_mat, sparse, blocks, Q: dict, levels, j: int) -> tuple:
    """``(entries, D)``: the rows ``Y_j = rows·S_0·lo_{k−1}···lo_{j+1} / d_0 + Σ_{i ≥ 1} G_i·S_i·lo_{t_i−1}···
    lo_{j+1} / d_i`` at level ``j`` (over ``(δ_j, h_j)``) times ``V_j`` (:func:`_chain`), as the row-major
    integer entries over ``D``, the least common multiple of the blocks' denominators; a block ``(G,
    S, d, t)`` starts at row space ``(δ_{t−1}, h_{t−1})``, and the first block's ``G`` is ``rows`` (with
    at least :data:`SPARSE_FROM` columns and ``sparse`` given, :func:`_sparse`, its product is taken
    entry by entry)."""
    terms = []
    for G, S, d, t in blocks:
        N, q = _chain(Q, levels, t - 1, j)
        terms.append((G, S * N, d * q))
    D = terms[0][2]
    for _, _, d in terms[1:]:
        D = _lcm(D, d)
    T0, d0 = terms[0][1], terms[0][2]
    if d0 != D:
        T0 = T0 * (D // d0)
    c = T0.ncols()
    by_entry = sparse is not None and c >= SPARSE_FROM
    acc = None if by_entry else rows * T0
    for G, T, d in terms[1:]:
        T = G * T
        if d != D:
            T = T * (D // d)
        acc = T if acc is None else acc + T
    if not by_entry:
        return acc.entries(), D
    base, out = T0.entries(), []
    for row in sparse:
        val = None
        for col, a in row:
            seg = base[col * c:(col + 1) * c]
            seg = seg if a == 1 else [-v for v in seg] if a == -1 else [a * v for v in seg]
            val = seg if val is None else [x + y for x, y in zip(val, seg)]
        out += val if val is not None else [fmpz(0)] * c
    if acc is not None:
        out = [x + y for x, y in zip(out, acc.entries())]
    return out, D


def _split(ent: list, r: int, s: int) -> tuple:
    """The row-major entries of ``[Y·pick | Y·klo]`` (``r`` rows) → ``(max(Y·pick, 0), Y·klo)``."""
    w, zero = s + 1, fmpz(0)
    P = fmpz_mat(r, s, [v if v > 0 else zero for i in range(r) for v in ent[i * w:i * w + s]]) if s else None
    return P, fmpz_mat(r, 1, ent[s::w])


def _thin_is_cheaper(E: _ExactPair, Q: dict, levels, k: int, r: int, n: int) -> bool:
    """Whether :func:`_thin_backsub` of ``r`` rows of layer ``k`` takes fewer multiplications than
    :func:`_direct_backsub` (chains already in ``Q`` count as free). The thin products have
    ``|S_j| + 1`` columns and the correction blocks add up, so with many unstable units (a large box)
    the direct products are cheaper."""
    def width(j):
        return 2 * E.layers[j].width if j >= 0 else 2 * n

    def cols(j):
        return levels[j].s + 1 if j >= 0 else n

    direct = thin = 0
    for j in range(k - 1, -1, -1):
        s = levels[j].s
        direct += r * width(j) * (s + 1) + r * width(j) * width(j - 1) + r * s * width(j - 1)
    for j in range(k - 1, -2, -1):
        c = cols(j)
        thin += (width(k) * width(k - 1) + r * width(k)) * c
        for t in range(j + 1, k):
            if (t, j) not in Q:
                thin += width(t) * width(t - 1) * c
            thin += (levels[t].s * width(t - 1) + r * levels[t].s) * c
        if thin >= direct:
            return False
    return True


def _thin_backsub(E: _ExactPair, Q: dict, levels, k: int, rows: fmpz_mat) -> tuple:
    """The rows ``[C_d | C_z]`` over ``(d_k, z_k)`` back-substituted to the input: ``(β, D, c, Dc)``, their
    input coefficients (row-major integer entries over ``D``) and constants (an integer column over
    ``Dc``).

    A level (:class:`_ExactLevel`) is linear except for the positive parts ``P = (Y·pick)⁺``, so the
    rows at level ``j`` are ``Y_j = rows·L_k·lo_{k−1}···lo_{j+1} + Σ_{t > j} P_t·up_t·lo_{t−1}···
    lo_{j+1}`` (each term over its own denominator), and only ``Y_j·V_j`` (the coefficients ``S`` and the
    constant ``Y_j·klo``) is read at level ``j``. It is computed from the right with the chains of
    :func:`_chain`, shared by all layers of the box, so every product has the ``|S| + 1`` columns of
    ``V_j`` (or the ``n`` of ``β``)."""
    L = E.layers[k]
    r = rows.nrows()
    sparse = _sparse(rows) if any(levels[j].s + 1 >= SPARSE_FROM for j in range(k)) else None
    blocks = [(None, L.coef, L.coef_den, k)]
    c, Dc = rows * L.bias, L.bias_den
    for j in range(k - 1, -1, -1):
        lev = levels[j]
        T, D = _read(rows, sparse, blocks, Q, levels, j)
        P, kc = _split(T, r, lev.s)  # over D, and Y·klo over D·kden
        if P is not None:
            kc = kc + P * lev.kup
            blocks.append((P, lev.up, D * lev.up_den, j))
        c, Dc = _add_constants(c, Dc, kc, D * lev.kden)
    beta, D = _read(rows, sparse, blocks, Q, levels, -1)
    return beta, D, c, Dc


def _direct_backsub(E: _ExactPair, Q: dict, levels, k: int, rows: fmpz_mat) -> tuple:
    """As :func:`_thin_backsub`, level by level on the whole rows: ``Y ← Y·lo + P·up`` (over a common
    denominator; ``lo`` alone when no coefficient is sign-dependent)."""
    L = E.layers[k]
    Y, D = rows * L.coef, L.coef_den
    c, Dc = rows * L.bias, L.bias_den
    for j in range(k - 1, -1, -1):
        lev = levels[j]
        P, kc = _split((Y * lev.thin).entries(), Y.nrows(), lev.s)
        if P is not None:
            kc = kc + P * lev.kup
        c, Dc = _add_constants(c, Dc, kc, D * lev.kden)
        new = Y * lev.lo
        if P is None:
            Y, D = new, D * lev.lo_den
        else:
            den = _lcm(lev.lo_den, lev.up_den)
            up = P * lev.up
            if den != lev.lo_den:
                new = new * (den // lev.lo_den)
            if den != lev.up_den:
                up = up * (den // lev.up_den)
            Y, D = new + up, D * den
    sel, _ = Q[-1, -1]
    return (Y * sel).entries(), D, c, Dc


def _add_constants(c: fmpz_mat, Dc: fmpz, kc: fmpz_mat, Dk: fmpz) -> tuple:
    """``c/Dc + kc/Dk`` over the least common multiple of the denominators."""
    common = _lcm(Dc, Dk)
    if Dc != common:
        c = c * (common // Dc)
    return c + kc * (common // Dk) if Dk != common else c + kc, common


def _exact_backsub(E: _ExactPair, Q: dict, levels, k: int, rows: fmpz_mat, lo_box, hi_box, box_den) -> tuple:
    """Exact upper bounds of the integer rows ``[C_d | C_z]`` over ``(d_k, z_k)`` on the box (its
    ends ``lo_box/box_den``, ``hi_box/box_den``), as numerators over one common denominator, and
    their input coefficients ``β`` (integer rows over ``D``): ``(numerators, denominator, β rows,
    D)``. The rows go down by :func:`_thin_backsub` or :func:`_direct_backsub`, whichever
    multiplies less (:func:`_thin_is_cheaper`; the same numbers either way). The constants are
    carried apart, an integer column over their own denominator (the relaxations' constants
    ``−s·zl`` have larger denominators than the slopes, and a constant never feeds a coefficient).
    At the input (``δ_0 = 0``), ``max_{x ∈ box} β·x = Σ_i β_i·(hi_i if β_i > 0 else lo_i)``."""
    n, r = len(lo_box), rows.nrows()
    run = _thin_backsub if _thin_is_cheaper(E, Q, levels, k, r, n) else _direct_backsub
    ent, D, c, Dc = run(E, Q, levels, k, rows)
    consts = c.entries()
    DE = D * box_den
    common = _lcm(Dc, DE)
    fc, fu = common // Dc, common // DE
    nums, betas, zero = [], [], fmpz(0)
    for i in range(r):
        beta = ent[i * n:(i + 1) * n]
        u = zero
        for b, x, y in zip(beta, lo_box, hi_box):
            u += b * (y if b > 0 else x)
        nums.append(consts[i] * fc + u * fu)
        betas.append(beta)
    return nums, common, betas, D


def _exact_compute(E: _ExactPair, lower, upper) -> BacksubBounds:
    rad = [(hi - lo) / 2 for lo, hi in zip(lower, upper)]
    n = len(lower)
    box, box_den = _cleared(fmpq_mat(2, n, list(lower) + list(upper)))
    bent = box.entries()
    lo_box, hi_box = bent[:n], bent[n:]
    levels, layers, unstable = [], [], 0
    Q = _input_chain(n)
    depth = len(E.layers)
    for k in range(depth - 1):
        m = E.layers[k].width
        rows = fmpz_mat(6 * m, 2 * m)
        for i in range(m):  # ±d, ±z, ±(d + z)
            rows[i, i], rows[m + i, i] = 1, -1
            rows[2 * m + i, m + i], rows[3 * m + i, m + i] = 1, -1
            rows[4 * m + i, i] = rows[4 * m + i, m + i] = 1
            rows[5 * m + i, i] = rows[5 * m + i, m + i] = -1
        nums, den, _, _ = _exact_backsub(E, Q, levels, k, rows, lo_box, hi_box, box_den)
        ub = [_up(fmpq(v, den)) for v in nums]
        du, dl = ub[:m], [-v for v in ub[m:2 * m]]
        zu, zl = ub[2 * m:3 * m], [-v for v in ub[3 * m:4 * m]]
        au, al = ub[4 * m:5 * m], [-v for v in ub[5 * m:]]
        unstable += sum(1 for i in range(m) if al[i] < 0 < au[i]) + sum(1 for i in range(m) if zl[i] < 0 < zu[i])
        level, slopes = _exact_relax(E.layers[k], dl, du, zl, zu, al, au)
        levels.append(level)
        layers.append(dict(zip(PAYLOAD_KEYS, (tuple(dl), tuple(du), tuple(zl), tuple(zu), tuple(al), tuple(au))
                               + slopes)))
    m = E.layers[-1].width
    crows = _class_rows(m)
    rows = fmpz_mat(2 * m + len(crows), 2 * m)
    for i in range(m):
        rows[i, i], rows[m + i, i] = 1, -1
    for r, (_, _, _, cd, cz) in enumerate(crows):
        for i in range(m):
            rows[2 * m + r, i], rows[2 * m + r, m + i] = cd[i], cz[i]
    nums, den, betas, bden = _exact_backsub(E, Q, levels, depth - 1, rows, lo_box, hi_box, box_den)
    ub = [fmpq(v, den) for v in nums]
    ca, cb = _classes(m, crows, ub[2 * m:])
    upper_t, corners, spread = [], [], [0.0] * len(lower)
    for k in range(m):
        for row in (k, m + k):
            upper_t.append(ub[row])
            corners.append(tuple(1 if b > 0 else 0 for b in betas[row]))
            spread = [s + abs(float(fmpq(b, bden))) * float(r) for s, b, r in zip(spread, betas[row], rad)]
    return BacksubBounds(tuple(upper_t), unstable, tuple(corners), tuple(spread), BacksubPayload(tuple(layers)),
                         ca, cb)


__all__ = ["BITS", "PAYLOAD_KEYS", "BacksubBounds", "BacksubPair", "BacksubPayload"]
