"""Exact parameter Jacobians of ReLU networks (docs/relu.md § Definitions; docs/relu-functional-dimension.md).

Parameters are ordered as in the library (docs/relu.md § Definitions): layer by layer, ``W^ℓ`` row by row, then
``b^ℓ`` (:meth:`Network.parameter_vector`). ``D`` parameters, ``N_hid`` hidden neurons.

**Region Jacobians.** On an activation region with pattern ``P`` (masks ``D_ℓ`` fixed), the
network is the affine map ``x ↦ M_P(θ) x + v_P(θ)`` whose coefficients are polynomials in ``θ``.
At any ``x`` of the region, ``∂F/∂θ (x) = J_0 + Σ_c x_c J_c`` with ``J_c = ∂M_P[:, c]/∂θ`` and
``J_0 = ∂v_P/∂θ``; since the region is open, the rows ``{∂F/∂θ(x) : x ∈ region}`` span exactly the
rows of ``J_1, …, J_n, J_0`` (docs/relu-functional-dimension.md: the Jacobian is affine in ``x``). So the region
contributes the ``n_d·(n_0+1)`` rows of the Jacobian of its affine map (:func:`region_rows`),
with no sample points at all.

They are computed by the chain rule with fixed masks (docs/relu-functional-dimension.md) in integers: with
``s_ℓ`` the lcm of the denominators of layer ``ℓ`` and ``hat_ℓ = s_ℓ·[[W^ℓ, b^ℓ], [0, 1]]``,

* forward: ``Â_0 = I_{n+1}``, ``Â_ℓ = diag(D_ℓ, 1)·hat_ℓ·Â_{ℓ−1}`` (``= P_ℓ·[A_ℓ; e^T]`` in homogeneous
  input coordinates, ``P_ℓ = s_1⋯s_ℓ``);
* backward: ``Δ_d = I``, ``Δ_{ℓ−1} = Δ_ℓ·(s_ℓ W^ℓ)·D_{ℓ−1}`` (``= (s_ℓ⋯s_d)·δ_{ℓ−1}``);
* the entry of row ``(o, c)`` at parameter ``W^ℓ_{ij}`` (``j = n_{ℓ−1}`` meaning ``b^ℓ_i``) is
  ``s_ℓ·Δ_ℓ[o, i]·Â_{ℓ−1}[j, c]``, which is ``S = s_1⋯s_d`` times the exact derivative.

Every row is the exact Jacobian row times the same positive integer ``S``, so ranks and kernels
are exactly those of the rational Jacobian. :func:`modular_region_rows` computes the same rows
modulo a prime below ``2^31`` for many regions at once (NumPy ``int64``, every product of two
residues fits); :func:`structural_support` proves columns exactly zero on all regions by a
boolean propagation of the possibly non-zero entries through the masked chain.

**Scaling kernel and gauge (docs/relu.md § Definitions; docs/relu-functional-dimension.md).** Scaling neuron ``(ℓ, j)`` by ``e^t`` never
changes ``F``, so at every parametrically smooth point the vector ``v_{ℓ,j}`` (+ the neuron's
incoming weights and bias, − its outgoing weights) is in the kernel of the Jacobian
(:func:`scaling_vectors`). For each hidden neuron pick a *gauge coordinate*: its bias if non-zero,
else its first non-zero incoming weight (:func:`gauge_columns`). The matrix of the ``v``'s on the
gauge coordinates is block-triangular by layer with the non-zero gauge values on the diagonal,
hence invertible; therefore the gauge columns of any Jacobian are combinations of the others and

    rank J = rank J[:, non-gauge columns],

a matrix with exactly ``D − N_hid`` columns: the bound of docs/relu-functional-dimension.md is its column count. A
neuron without a non-zero incoming entry has preactivation ``≡ 0`` on all of ``R^n`` (no point is
then smooth by the rule below) and has no gauge.

**Smoothness rule (docs/relu.md § Definitions).** A point is accepted only if every hidden preactivation is
non-zero there; a point on a bent hyperplane raises :class:`NotSmoothError` naming the neuron.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import mul
from typing import Sequence

from ..linalg.lazy_numpy import np
from flint import fmpq, fmpz, fmpz_mat

from ..errors import InputError, UnsupportedError
from ..network import Network
from ..numbers import format_number

Pattern = tuple[tuple[int, ...], ...]


class NotSmoothError(InputError):
    """A point where some hidden preactivation is exactly zero (docs/relu.md § Definitions, § Exactness pitfalls).

    ``index`` (0-based position in the batch, or ``None``), ``layer`` and ``unit`` (1-based: hidden
    layer 1 is the first hidden layer) name the first such neuron.
    """

    def __init__(self, message: str, index: int | None, layer: int, unit: int):
        super().__init__(message)
        self.index, self.layer, self.unit = index, layer, unit


def _lcm_den(values) -> int:
    den = 1
    for v in values:
        q = int(v.q)
        if q != 1:
            den = den * q // math.gcd(den, q)
    return den


@dataclass(frozen=True)
class IntegerNetwork:
    """A rational ReLU network as integer layer data (see the module docstring).

    ``hats[ℓ]`` is ``s_ℓ·[[W, b], [0, 1]]`` and ``weights[ℓ]`` is ``s_ℓ·W`` (``fmpz_mat``);
    ``offsets[ℓ]`` is the index of the layer's first parameter.
    """

    widths: tuple[int, ...]
    hats: tuple
    weights: tuple
    scales: tuple[int, ...]
    offsets: tuple[int, ...]
    hat_rows: tuple = ()  # the same matrices as tuples of int rows (fast small products)
    weight_rows: tuple = ()

    @property
    def input_dim(self) -> int:
        return self.widths[0]

    @property
    def output_dim(self) -> int:
        return self.widths[-1]

    @property
    def num_parameters(self) -> int:
        return self.offsets[-1]


def compile_network(net: Network) -> IntegerNetwork:
    """The :class:`IntegerNetwork` of a rational network (clear error otherwise)."""
    if net.activation != "relu":
        raise UnsupportedError(f"parameter Jacobians here are for ReLU networks, got a {net.activation} network")
    if not net.is_rational:
        raise UnsupportedError("exact parameter Jacobians need rational weights; this network has real algebraic"
                               " entries")
    hats, weights, scales, offsets = [], [], [], [0]
    for layer in net.layers:
        m, k = layer.out_dim, layer.in_dim
        s = _lcm_den(list(layer.entries()))
        W = [[int(v.p) * (s // int(v.q)) for v in row] for row in layer.weight]
        b = [int(v.p) * (s // int(v.q)) for v in layer.bias]
        hat = [W[i] + [b[i]] for i in range(m)] + [[0] * k + [s]]
        hats.append(fmpz_mat(hat))
        weights.append(fmpz_mat(W))
        scales.append(s)
        offsets.append(offsets[-1] + m * (k + 1))
    hat_rows = tuple(tuple(tuple(r) for r in h.tolist()) for h in hats)  # fmpz entries
    weight_rows = tuple(tuple(tuple(r) for r in w.tolist()) for w in weights)
    return IntegerNetwork(net.widths, tuple(hats), tuple(weights), tuple(scales), tuple(offsets), hat_rows,
                          weight_rows)


def upper_bound(widths: Sequence[int]) -> int:
    """``D − N_hid`` (docs/relu-functional-dimension.md) for the architecture ``(n_0, …, n_d)``."""
    D = sum(widths[i + 1] * (widths[i] + 1) for i in range(len(widths) - 1))
    return D - sum(widths[1:-1])


# ---------------------------------------------------------------------------------------------
# patterns and smoothness
# ---------------------------------------------------------------------------------------------


def _integer_point(x: Sequence[fmpq]) -> tuple[list[int], int]:
    q = _lcm_den(x)
    return [int(v.p) * (q // int(v.q)) for v in x], q


def preactivation_signs(cnet: IntegerNetwork, x: Sequence[fmpq]) -> Pattern:
    """The labels ``sign z^ℓ_j(x) ∈ {+1, −1, 0}`` of every hidden neuron (exact, integer arithmetic)."""
    ints, q = _integer_point(x)
    col = fmpz_mat([[v] for v in ints] + [[q]])  # homogeneous, times a positive integer
    out = []
    for hat in cnet.hats[:-1]:
        z = hat * col
        rows = z.nrows() - 1
        labels = tuple(1 if z[i, 0] > 0 else -1 if z[i, 0] < 0 else 0 for i in range(rows))
        out.append(labels)
        col = fmpz_mat([[z[i, 0] if labels[i] == 1 else 0] for i in range(rows)] + [[z[rows, 0]]])
    return tuple(out)


def preactivation_signs_batch(cnet: IntegerNetwork, points: Sequence[Sequence[fmpq]]) -> list[Pattern]:
    """:func:`preactivation_signs` of many points at once (one ``fmpz_mat`` product per layer).

    Each point is a column of homogeneous integer coordinates (scaled by its own positive
    denominator, which changes no sign).
    """
    if not points:
        return []
    n = cnet.input_dim
    cols = [_integer_point(x) for x in points]
    count = len(cols)
    X = fmpz_mat(n + 1, count, [ints[i] if i < n else q for i in range(n + 1) for ints, q in cols])
    labels_per_layer = []
    for hat in cnet.hats[:-1]:
        Z = (hat * X).tolist()
        rows = len(Z) - 1
        labels = [[1 if v > 0 else -1 if v < 0 else 0 for v in row] for row in Z[:rows]]
        labels_per_layer.append(labels)
        X = fmpz_mat([[v if lab == 1 else 0 for v, lab in zip(row, labs)] for row, labs in zip(Z[:rows], labels)]
                     + [Z[rows]])
    return [tuple(tuple(labels[i][c] for i in range(len(labels))) for labels in labels_per_layer)
            for c in range(count)]


def first_zero(pattern: Pattern) -> tuple[int, int] | None:
    """``(layer, unit)`` (1-based) of the first neuron labelled 0, or ``None``."""
    for li, layer in enumerate(pattern, start=1):
        for j, lab in enumerate(layer, start=1):
            if lab == 0:
                return li, j
    return None


def smooth_pattern(cnet: IntegerNetwork, x: Sequence[fmpq], index: int | None = None) -> Pattern:
    """The activation pattern at ``x``; :class:`NotSmoothError` if ``x`` is on a bent hyperplane."""
    pattern = preactivation_signs(cnet, x)
    zero = first_zero(pattern)
    if zero is not None:
        layer, unit = zero
        where = "the point" if index is None else f"batch point {index + 1} (0-based index {index})"
        pt = "(" + ", ".join(format_number(v) for v in x) + ")"
        raise NotSmoothError(
            f"{where}, x = {pt}, lies on the bent hyperplane of hidden neuron (layer {layer}, unit {unit}) (1-based):"
            " its preactivation is exactly 0, so the network is not parametrically smooth there and no"
            " one-sided derivative is chosen", index, layer, unit)
    return pattern


# ---------------------------------------------------------------------------------------------
# Jacobian rows
# ---------------------------------------------------------------------------------------------


def _mask_rows(M, labels: Sequence[int], keep_last: bool):
    """``diag(labels == +1 [, 1])·M`` for an ``fmpz_mat`` ``M`` (as a new ``fmpz_mat``)."""
    rows = M.tolist()
    out = [r if lab == 1 else [0] * len(r) for r, lab in zip(rows, labels)]
    if keep_last:
        out.append(rows[-1])
    return fmpz_mat(out)


def _chain(cnet: IntegerNetwork, pattern: Pattern):
    """``(Δ_ℓ as row lists, columns of Â_ℓ as lists)`` for every layer (exact ``fmpz`` entries)."""
    depth = len(cnet.hats) - 1
    n, m = cnet.input_dim, cnet.output_dim
    A = [fmpz_mat([[1 if i == j else 0 for j in range(n + 1)] for i in range(n + 1)])]
    for li in range(depth):
        A.append(_mask_rows(cnet.hats[li] * A[-1], pattern[li], keep_last=True))
    deltas = [None] * (depth + 1)
    deltas[depth] = fmpz_mat([[1 if i == j else 0 for j in range(m)] for i in range(m)]).tolist()
    cur = None
    for li in range(depth, 0, -1):
        prod = (cnet.weights[li] if cur is None else cur * cnet.weights[li]).tolist()
        labels = pattern[li - 1]
        masked = [[v if labels[j] == 1 else 0 for j, v in enumerate(r)] for r in prod]
        deltas[li - 1] = fmpz_mat(masked).tolist()
        cur = fmpz_mat(masked)
    return deltas, [a.transpose().tolist() for a in A]


#: Entries kept in a :func:`region_rows` memo (partial forward/backward products) before it is reset.
MEMO_LIMIT = 50_000


def _chain_ints(cnet: IntegerNetwork, pattern: Pattern, p: int | None, tables: tuple | None = None,
                memo: dict | None = None):
    """:func:`_chain` in Python integers (optionally reduced mod ``p``): ``(s_ℓ·Δ_ℓ rows, columns of
    Â_ℓ)`` per layer. ``memo`` (a dict owned by the caller) keeps the forward products of pattern
    prefixes and the backward products of pattern suffixes shared by many regions."""
    n, m = cnet.input_dim, cnet.output_dim
    depth = len(cnet.hat_rows) - 1
    hats, weights = cnet.hat_rows, cnet.weight_rows
    if p is not None:  # small residues: Python integers are fastest
        if tables is None or tables[0] != p:
            tables = modular_tables(cnet, p)
        _p, hats, weights = tables
    if memo is not None and len(memo) > MEMO_LIMIT:
        memo.clear()
    one, zero = (1, 0) if p is not None else (fmpz(1), fmpz(0))
    # forward, kept as columns: cols[c] = column c of Â (length n_ℓ + 1)
    cols = [[one if i == c else zero for i in range(n + 1)] for c in range(n + 1)]
    a_cols = [cols]
    for li in range(depth):
        key = ("f", pattern[:li + 1])
        if memo is not None and key in memo:
            cols = memo[key]
            a_cols.append(cols)
            continue
        H = hats[li]
        labels = pattern[li]
        new = []
        for col in cols:
            out = [sum(map(mul, h, col), zero) if lab == 1 else zero for h, lab in zip(H, labels)]
            out.append(H[-1][-1] * col[-1])
            if p is not None:
                out = [v % p for v in out]
            new.append(out)
        cols = new
        a_cols.append(cols)
        if memo is not None and li < depth - 1:
            memo[key] = cols
    deltas = [None] * (depth + 1)
    cur = [[one if i == j else zero for j in range(m)] for i in range(m)]
    deltas[depth] = [[cnet.scales[depth] * v for v in r] for r in cur]
    for li in range(depth, 0, -1):
        key = ("b", pattern[li - 1:])
        if memo is not None and key in memo:
            cur, deltas[li - 1] = memo[key]
            continue
        W = weights[li]
        labels = pattern[li - 1]
        wcols = list(zip(*W))
        nxt = [[sum(map(mul, row, wc), zero) if lab == 1 else zero for wc, lab in zip(wcols, labels)]
               for row in cur]
        if p is not None:
            nxt = [[v % p for v in r] for r in nxt]
        cur = nxt
        sc = cnet.scales[li - 1]
        deltas[li - 1] = [[sc * v % p for v in r] for r in nxt] if p is not None else [[sc * v for v in r] for r in nxt]
        if memo is not None and li > 1:
            memo[key] = (cur, deltas[li - 1])
    if p is not None:
        deltas[depth] = [[v % p for v in r] for r in deltas[depth]]
    return deltas, a_cols


def modular_tables(cnet: IntegerNetwork, p: int) -> tuple:
    """The layer matrices of ``cnet`` reduced mod ``p`` (pass to :func:`region_rows` to reuse)."""
    hats = tuple(tuple(tuple(int(v) % p for v in r) for r in h) for h in cnet.hat_rows)
    weights = tuple(tuple(tuple(int(v) % p for v in r) for r in w) for w in cnet.weight_rows)
    return p, hats, weights


def region_rows(cnet: IntegerNetwork, pattern: Pattern, columns: Sequence[int] | None = None,
                modulus: int | None = None, tables: tuple | None = None, memo: dict | None = None) -> list[list]:
    """The ``n_d·(n_0+1)`` integer rows ``S·∂(M_P, v_P)/∂θ`` of the region with ``pattern``.

    Row ``o·(n_0+1) + c`` is the derivative of output ``o``'s coefficient of ``x_c`` (``c = n_0``:
    the constant term). ``columns`` selects parameter columns (e.g. the non-gauge ones). Every
    label of ``pattern`` must be ``±1``. Entries are ``fmpz``; with ``modulus`` they are the
    residues (Python ints in ``[0, modulus)``; ``tables`` from :func:`modular_tables` saves reducing
    the layers again; ``memo``, a dict reused across calls with the same ``modulus``, shares partial
    products between regions).
    """
    n, m = cnet.input_dim, cnet.output_dim
    p = modulus
    dl, ac = _chain_ints(cnet, pattern, p, tables, memo)
    rows = []
    if columns is not None and 3 * len(columns) <= cnet.num_parameters:  # few columns: only those
        spec = [_column_position(cnet, q) for q in columns]
        for o in range(m):
            for c in range(n + 1):
                if modulus is None:
                    rows.append([dl[li][o][i] * ac[li][c][j] for li, i, j in spec])
                else:
                    rows.append([dl[li][o][i] * ac[li][c][j] % p for li, i, j in spec])
        return rows
    for o in range(m):
        for c in range(n + 1):
            row: list = []
            for li in range(len(dl)):
                d = dl[li][o]
                a = ac[li][c]
                k = len(a) - 1
                if modulus is None:
                    row.extend([di * aj for di in d for aj in a[:k]])
                    row.extend([di * a[k] for di in d])
                else:
                    row.extend([di * aj % p for di in d for aj in a[:k]])
                    row.extend([di * a[k] % p for di in d])
            rows.append(row if columns is None else [row[i] for i in columns])
    return rows


# ---------------------------------------------------------------------------------------------
# many regions at once, modulo a word-size prime (NumPy)
# ---------------------------------------------------------------------------------------------

#: Primes for :func:`modular_region_rows` have at most this many bits: residues and their pairwise
#: products fit in an ``int64``.
VECTOR_PRIME_BITS = 31


@dataclass(frozen=True)
class ModularNetwork:
    """The integer layer data of an :class:`IntegerNetwork` modulo a prime ``p < 2^31`` (``int64``
    arrays): ``hats[ℓ] = hat_ℓ mod p``, ``weights[ℓ] = s_ℓ·W^ℓ mod p``, ``scales[ℓ] = s_ℓ mod p``."""

    p: int
    widths: tuple[int, ...]
    hats: tuple
    weights: tuple
    scales: tuple[int, ...]


def modular_network(cnet: IntegerNetwork, p: int) -> ModularNetwork:
    """``cnet`` reduced modulo the prime ``p`` (``p < 2^VECTOR_PRIME_BITS``) for
    :func:`modular_region_rows`."""
    if not 2 <= p < 1 << VECTOR_PRIME_BITS:
        raise ValueError(f"modular_network needs a prime below 2^{VECTOR_PRIME_BITS}")

    def reduce(rows):
        return np.array([[int(v) % p for v in r] for r in rows], dtype=np.int64)

    return ModularNetwork(p, tuple(cnet.widths), tuple(reduce(h) for h in cnet.hat_rows),
                          tuple(reduce(w) for w in cnet.weight_rows), tuple(int(s) % p for s in cnet.scales))


_CHUNK = 1 << 15


def _matmul_mod(A, B, p: int):
    """``A @ B mod p`` (NumPy broadcasting) for ``int64`` arrays with entries in ``[0, p)``, ``p < 2^31``.

    Exact: ``B`` is split into 16-bit halves and the inner dimension into chunks of ``2^15``, so
    every partial sum stays below ``2^63`` (``2^15·2^31·2^16 = 2^62``).
    """
    k = A.shape[-1]
    out = None
    for s in range(0, k, _CHUNK):
        a, b = A[..., s:s + _CHUNK], B[..., s:s + _CHUNK, :]
        part = ((((a @ (b >> 16)) % p) << 16) + a @ (b & 0xFFFF)) % p
        out = part if out is None else (out + part) % p
    return out


def modular_region_rows(mnet: ModularNetwork, patterns: Sequence[Pattern],
                        columns: Sequence[int] | None = None):
    """The rows of :func:`region_rows` modulo ``mnet.p`` for many patterns at once (NumPy).

    Returns an ``int64`` array of residues in ``[0, p)`` with ``len(patterns)·n_d·(n_0+1)`` rows:
    row ``t·n_d·(n_0+1) + o·(n_0+1) + c`` is row ``o·(n_0+1) + c`` of pattern ``t``. The same chain
    rule as :func:`region_rows`, one batched product per layer and direction; labels other than
    ``+1`` mask the neuron out.
    """
    p = mnet.p
    widths = mnet.widths
    n, m = widths[0], widths[-1]
    depth = len(widths) - 2  # hidden layers
    count = len(patterns)
    ncols = len(columns) if columns is not None else sum(widths[i + 1] * (widths[i] + 1)
                                                         for i in range(len(widths) - 1))
    if count == 0:
        return np.zeros((0, ncols), dtype=np.int64)
    masks = [(np.array([pat[li] for pat in patterns], dtype=np.int64) == 1).astype(np.int64)
             for li in range(depth)]
    # forward: acts[ℓ] = Â_ℓ, shape (count, n_ℓ + 1, n + 1)
    A = np.broadcast_to(np.eye(n + 1, dtype=np.int64), (count, n + 1, n + 1))
    acts = [A]
    for li in range(depth):
        A = _matmul_mod(mnet.hats[li], A, p)
        A[:, :-1, :] *= masks[li][:, :, None]
        acts.append(A)
    # backward: deltas[ℓ] = s_ℓ·Δ_ℓ, shape (count, m, n_{ℓ+1})
    deltas = [None] * (depth + 1)
    eye = np.eye(m, dtype=np.int64)
    deltas[depth] = np.broadcast_to(eye * mnet.scales[depth] % p, (count, m, m))
    cur = np.broadcast_to(eye, (count, m, m))
    for li in range(depth, 0, -1):
        cur = _matmul_mod(cur, mnet.weights[li], p) * masks[li - 1][:, None, :]
        deltas[li - 1] = cur * mnet.scales[li - 1] % p
    blocks = []
    for li in range(depth + 1):
        d = deltas[li]
        at = acts[li].transpose(0, 2, 1)  # (count, n + 1, n_ℓ + 1): columns of Â_ℓ
        k = at.shape[2] - 1
        weight = d[:, :, None, :, None] * at[:, None, :, None, :k] % p  # (count, m, n+1, n_{ℓ+1}, n_ℓ)
        blocks.append(weight.reshape(count, m, n + 1, -1))
        blocks.append(d[:, :, None, :] * at[:, None, :, k, None] % p)  # biases
    rows = np.concatenate(blocks, axis=3).reshape(count * m * (n + 1), -1)
    return rows if columns is None else np.ascontiguousarray(rows[:, list(columns)])


def modular_point_rows(mnet: ModularNetwork, points: Sequence[tuple[Sequence[int], int]],
                       patterns: Sequence[Pattern], columns: Sequence[int] | None = None):
    """The rows of :func:`point_rows` modulo ``mnet.p`` for many points at once (NumPy).

    ``points`` are homogeneous integer points ``(ints, q)`` (``x = ints/q``, ``q > 0``) and
    ``patterns`` their exact activation patterns (all labels non-zero). With the exact masks, the
    forward pass modulo ``p`` is the reduction of the integer forward pass, and the derivative of
    output ``o`` with respect to ``W^ℓ_{ij}`` (bias: ``j`` = the homogeneous coordinate) is
    ``δ^ℓ_{oi}·a^{ℓ−1}_j`` (the chain rule of :func:`modular_region_rows`, evaluated at the point
    instead of on the ``n_0 + 1`` columns of the identity). Row ``t·n_d + o`` belongs to point
    ``t`` and output ``o``; it is ``q·Π s_ℓ`` times the Jacobian row, reduced modulo ``p``.
    """
    p = mnet.p
    widths = mnet.widths
    n, m = widths[0], widths[-1]
    depth = len(widths) - 2
    count = len(points)
    ncols = len(columns) if columns is not None else sum(widths[i + 1] * (widths[i] + 1)
                                                         for i in range(len(widths) - 1))
    if count == 0:
        return np.zeros((0, ncols), dtype=np.int64)
    masks = [(np.array([pat[li] for pat in patterns], dtype=np.int64) == 1).astype(np.int64)
             for li in range(depth)]
    A = np.array([[v % p for v in ints] + [q % p] for ints, q in points], dtype=np.int64)  # (count, n + 1)
    acts = [A]
    for li in range(depth):
        A = np.ascontiguousarray(_matmul_mod(mnet.hats[li], np.ascontiguousarray(A.T), p).T)
        A[:, :-1] *= masks[li]
        acts.append(A)
    deltas = [None] * (depth + 1)
    eye = np.eye(m, dtype=np.int64)
    deltas[depth] = np.broadcast_to(eye * mnet.scales[depth] % p, (count, m, m))
    cur = np.broadcast_to(eye, (count, m, m))
    for li in range(depth, 0, -1):
        cur = _matmul_mod(cur, mnet.weights[li], p) * masks[li - 1][:, None, :]
        deltas[li - 1] = cur * mnet.scales[li - 1] % p
    blocks = []
    for li in range(depth + 1):
        d, a = deltas[li], acts[li]  # (count, m, n_{ℓ+1}), (count, n_ℓ + 1)
        k = a.shape[1] - 1
        blocks.append((d[:, :, :, None] * a[:, None, None, :k] % p).reshape(count, m, -1))
        blocks.append(d * a[:, None, k, None] % p)
    rows = np.concatenate(blocks, axis=2).reshape(count * m, -1)
    return rows if columns is None else np.ascontiguousarray(rows[:, list(columns)])


def _column_position(cnet: IntegerNetwork, q: int) -> tuple[int, int, int]:
    """``(layer, i, j)`` of parameter ``q`` (library order; ``j = n_in`` is the bias ``b_i``)."""
    li = 0
    while cnet.offsets[li + 1] <= q:
        li += 1
    n_in, n_out = cnet.widths[li], cnet.widths[li + 1]
    r = q - cnet.offsets[li]
    if r < n_out * n_in:
        return li, r // n_in, r % n_in
    return li, r - n_out * n_in, n_in


def structural_support(cnet: IntegerNetwork, patterns: Sequence[Pattern], chunk: int = 512):
    """A ``bool`` array over the parameters (library order): ``False`` only where the column of
    :func:`region_rows` is **exactly** zero for every pattern.

    The entry of row ``(o, c)`` at ``W^ℓ_{ij}`` is ``s_ℓ·Δ_ℓ[o, i]·Â_{ℓ−1}[j, c]``; which entries of
    ``Δ`` and ``Â`` may be non-zero is propagated through the masked chain with booleans (a sum
    may be non-zero only if some term may be: a sound over-approximation, cancellations aside).
    """
    widths = cnet.widths
    n, m = widths[0], widths[-1]
    depth = len(widths) - 2
    hat_nz = [np.array([[v != 0 for v in r] for r in h], dtype=np.int64) for h in cnet.hat_rows]
    w_nz = [np.array([[v != 0 for v in r] for r in w], dtype=np.int64) for w in cnet.weight_rows]
    out = np.zeros(cnet.num_parameters, dtype=bool)
    for start in range(0, len(patterns), chunk):
        part = patterns[start:start + chunk]
        count = len(part)
        masks = [np.array([pat[li] for pat in part], dtype=np.int64) == 1 for li in range(depth)]
        A = np.broadcast_to(np.eye(n + 1, dtype=np.int64), (count, n + 1, n + 1))
        acts = [A]
        for li in range(depth):
            Z = (hat_nz[li] @ A > 0)
            Z[:, :-1, :] &= masks[li][:, :, None]
            A = Z.astype(np.int64)
            acts.append(A)
        deltas = [None] * (depth + 1)
        cur = np.broadcast_to(np.eye(m, dtype=np.int64), (count, m, m))
        deltas[depth] = cur
        for li in range(depth, 0, -1):
            cur = ((cur @ w_nz[li] > 0) & masks[li - 1][:, None, :]).astype(np.int64)
            deltas[li - 1] = cur
        for li in range(depth + 1):
            d_any = deltas[li].any(axis=1)  # (count, n_{ℓ+1}): unit i has a non-zero Δ[o, i]
            a_any = acts[li].any(axis=2)  # (count, n_ℓ + 1): input j has a non-zero Â[j, c]
            nz = (d_any[:, :, None] & a_any[:, None, :]).any(axis=0)
            k, off = widths[li], cnet.offsets[li]
            w = widths[li + 1]
            out[off:off + w * k] |= nz[:, :k].ravel()
            out[off + w * k:off + w * (k + 1)] |= nz[:, k]
    return out


def region_support(cnet: IntegerNetwork, pattern: Pattern) -> list[int]:
    """Per layer ``ℓ`` and unit ``i``, a bitmask of the inputs ``j`` (``j = n_{ℓ−1}``: the bias) such
    that the column of ``W^ℓ_{ij}`` is non-zero in :func:`region_rows` (exactly: some ``Δ_ℓ[o, i]``
    and some ``Â_{ℓ−1}[j, c]`` are non-zero). Flattened as ``[layer 0 units…, layer 1 units…]``."""
    deltas, a_cols = _chain(cnet, pattern)
    out = []
    for li, d in enumerate(deltas):
        cols = a_cols[li]
        jmask = 0
        for j in range(len(cols[0])):
            if any(col[j] != 0 for col in cols):
                jmask |= 1 << j
        n_out = len(d[0])
        for i in range(n_out):
            out.append(jmask if any(r[i] != 0 for r in d) else 0)
    return out


def support_columns(cnet: IntegerNetwork, masks: Sequence[int]) -> list[bool]:
    """Per parameter (library order), whether it is non-zero given OR-ed :func:`region_support` masks."""
    widths = cnet.widths
    flags = [False] * cnet.num_parameters
    u = 0
    for li in range(len(widths) - 1):
        n_in, n_out = widths[li], widths[li + 1]
        for i in range(n_out):
            mask = masks[u]
            u += 1
            for j in range(n_in + 1):
                if mask >> j & 1:
                    flags[_param_index(cnet.offsets, widths, li, i, j)] = True
    return flags


def point_rows(cnet: IntegerNetwork, x: Sequence[fmpq], pattern: Pattern | None = None,
               columns: Sequence[int] | None = None, index: int | None = None) -> list[list]:
    """Integer rows proportional (by a positive integer) to ``∂F_o/∂θ (x)``, ``o = 1 … n_d``.

    Raises :class:`NotSmoothError` at a point on a bent hyperplane.
    """
    if pattern is None:
        pattern = smooth_pattern(cnet, x, index)
    base = region_rows(cnet, pattern, columns)
    ints, q = _integer_point(x)
    n = cnet.input_dim
    out = []
    for o in range(cnet.output_dim):
        block = base[o * (n + 1):(o + 1) * (n + 1)]
        row = [q * v for v in block[n]]
        for c in range(n):
            if ints[c]:
                xc = ints[c]
                row = [r + xc * v for r, v in zip(row, block[c])]
        out.append(row)
    return out


def jacobian_at(net: Network, x: Sequence) -> list[list[fmpq]]:
    """The exact ``n_d × D`` Jacobian ``∂F_θ(x)/∂θ`` (library parameter order) at a smooth point."""
    cnet = compile_network(net)
    xs = [fmpq(v) if not isinstance(v, fmpq) else v for v in x]
    if len(xs) != net.input_dim:
        raise InputError(f"the network takes {net.input_dim} inputs, got {len(xs)}")
    rows = point_rows(cnet, xs)
    scale = math.prod(cnet.scales) * _integer_point(xs)[1]
    return [[fmpq(v, scale) for v in r] for r in rows]


# ---------------------------------------------------------------------------------------------
# scaling kernel and gauge
# ---------------------------------------------------------------------------------------------


def _param_index(offsets, widths, li: int, i: int, j: int) -> int:
    """Index of ``W^{li+1}_{ij}`` (``j = n_in``: the bias ``b_i``) in the library order."""
    n_in, n_out = widths[li], widths[li + 1]
    if j == n_in:
        return offsets[li] + n_out * n_in + i
    return offsets[li] + i * n_in + j


def scaling_vectors(net: Network) -> list[list[fmpq]]:
    """The ``N_hid`` vectors ``v_{ℓ,j}`` (docs/relu-functional-dimension.md): +incoming row, −outgoing column."""
    widths = net.widths
    offsets = [0]
    for layer in net.layers:
        offsets.append(offsets[-1] + layer.out_dim * (layer.in_dim + 1))
    D = offsets[-1]
    out = []
    for li in range(net.depth):
        layer, nxt = net.layers[li], net.layers[li + 1]
        for j in range(layer.out_dim):
            v = [fmpq(0)] * D
            for k, w in enumerate(layer.weight[j]):
                v[_param_index(offsets, widths, li, j, k)] = w
            v[_param_index(offsets, widths, li, j, widths[li])] = layer.bias[j]
            for i in range(nxt.out_dim):
                v[_param_index(offsets, widths, li + 1, i, j)] = -nxt.weight[i][j]
            out.append(v)
    return out


def gauge_columns(net: Network) -> tuple[int, ...] | None:
    """One gauge parameter index per hidden neuron (its bias if non-zero, else its first non-zero
    incoming weight); ``None`` if some hidden neuron has no non-zero incoming entry."""
    widths = net.widths
    offsets = [0]
    for layer in net.layers:
        offsets.append(offsets[-1] + layer.out_dim * (layer.in_dim + 1))
    out = []
    for li in range(net.depth):
        layer = net.layers[li]
        for j in range(layer.out_dim):
            if layer.bias[j] != 0:
                out.append(_param_index(offsets, widths, li, j, widths[li]))
                continue
            k = next((k for k, w in enumerate(layer.weight[j]) if w != 0), None)
            if k is None:
                return None
            out.append(_param_index(offsets, widths, li, j, k))
    return tuple(out)


def free_columns(net: Network) -> tuple[int, ...] | None:
    """The ``D − N_hid`` non-gauge parameter indices (``None`` without a gauge)."""
    gauge = gauge_columns(net)
    if gauge is None:
        return None
    g = set(gauge)
    return tuple(i for i in range(net.num_parameters) if i not in g)


def parameter_names(net: Network) -> list[str]:
    """``W1[i,j]``/``b1[i]`` names (1-based) of the parameters in the library order."""
    names = []
    for li, layer in enumerate(net.layers, start=1):
        for i in range(layer.out_dim):
            for j in range(layer.in_dim):
                names.append(f"W{li}[{i + 1},{j + 1}]")
        for i in range(layer.out_dim):
            names.append(f"b{li}[{i + 1}]")
    return names


__all__ = [
    "IntegerNetwork", "ModularNetwork", "NotSmoothError", "Pattern", "compile_network", "modular_network",
    "modular_point_rows", "modular_region_rows", "first_zero", "free_columns", "gauge_columns",
    "jacobian_at", "parameter_names", "point_rows", "preactivation_signs",
    "preactivation_signs_batch", "region_rows", "structural_support", "scaling_vectors",
    "smooth_pattern", "upper_bound",
]
