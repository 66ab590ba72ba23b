"""Certified ranks of integer matrices: modular lower bounds and exact kernels (docs/relu-functional-dimension.md § Performance).

* :func:`random_prime` draws a random 62-bit prime. For an integer matrix ``M`` and any prime
  ``p``, ``rank_p(M mod p) ≤ rank_Q(M)`` (a non-zero minor mod ``p`` is a non-zero integer), so a
  modular rank is a **certified lower bound**; when it meets a proven upper bound the rank is
  exact without rational elimination.
* :class:`ModularSpan` accumulates integer rows (residues, ``int64`` arrays) and keeps a set of
  *original* rows that are independent mod ``p`` (hence over ``Q``): the greedy choice, by the
  pivots of the reduced row echelon form of the transposed stack. For ``p < 2^31`` it also keeps
  the echelon form of its basis and screens each batch with exact float64 products
  (:func:`mulmod`), so that only rows that may leave the span reach FLINT.
* :func:`kernel_candidates` proposes the kernel of such an independent set: ``p``-adic (Dixon)
  lifting of ``B_P^{-1} B_F`` and vector rational reconstruction. Candidates are only
  proposals: callers verify ``M·v = 0`` with exact integer products. ``r`` independent rows and ``c − r`` verified independent kernel vectors prove
  ``rank_Q = r`` exactly.
"""

from __future__ import annotations

import math
import random
from typing import Iterable, Sequence

from .lazy_numpy import np
from flint import fmpq, fmpz, fmpz_mat, nmod_mat


def random_prime(rnd: random.Random, bits: int = 62) -> int:
    """A random prime in ``[2^(bits−1), 2^bits)`` (fits a machine word for ``nmod_mat``)."""
    while True:
        p = rnd.randrange(1 << (bits - 1), 1 << bits) | 1
        if fmpz(p).is_prime():
            return p


def modular_rank_array(rows, p: int) -> int:
    """The rank modulo ``p`` of an ``int64`` array of residues (FLINT's ``nmod_mat``); a certified lower
    bound on the rational rank of integer rows with these residues."""
    if not rows.size:
        return 0
    return nmod_mat(rows.shape[0], rows.shape[1], rows.ravel().tolist(), p).rank()


def modular_rank(rows: Sequence[Sequence[int]], ncols: int, p: int) -> int:
    """``rank`` of the integer rows modulo ``p`` (a lower bound on the rational rank)."""
    if not rows:
        return 0
    return nmod_mat(len(rows), ncols, [v for r in rows for v in r], p).rank()


class ModularSpan:
    """Rows (residues mod ``p``) fed in batches; ``basis`` holds rows independent mod ``p``.

    ``rank`` (after :meth:`flush`) is the number of basis rows, a certified lower bound on the
    rational rank of everything added (when the rows are the residues of integer rows). ``tags``
    records, for each basis row, the tag given with it (:meth:`add`: ``(tag, index)``), so that
    callers can recompute the exact rows. Rows are kept as ``int64`` arrays (``p < 2^63``).

    The basis is the greedy (first-come) maximal independent subset of all rows added. For
    ``p < 2^31`` the span also keeps the reduced row echelon form ``E`` of the basis (pivot
    columns ``P``, ``E[:, P] = I``): a pending row ``x`` is in the span iff its residual
    ``x − x[P]·E`` is zero. A whole batch is screened by the products of the residuals with two
    random vectors (exact float64 matrix products, :func:`mulmod`); the exact residuals of the rows
    that survive go to FLINT's elimination. The greedy choice among them is the same as among the
    rows themselves (the residuals vanish on ``P``). A row wrongly screened out (probability at
    most ``1/p²``) could only make the rank smaller: it stays a certified lower bound.
    """

    def __init__(self, ncols: int, p: int):
        if p >= 1 << 63:
            raise ValueError("ModularSpan needs a prime below 2^63")
        self.ncols, self.p = ncols, p
        self.basis = np.zeros((0, ncols), dtype=np.int64)
        self.tags: list = []
        self.pending: list = []  # int64 arrays of non-zero rows
        self.pending_tags: list = []
        self.pending_rows = 0
        self.rows_seen = 0
        self._echelon = p < 1 << MULMOD_BITS and ncols < 1 << 21
        self._E = np.zeros((0, ncols), dtype=np.int64)
        self._P: list[int] = []
        self._rng = np.random.default_rng(p)

    @property
    def rank(self) -> int:
        return self.basis.shape[0]

    def certified_rank(self) -> int:
        """The rank of the basis rows modulo ``p`` computed by FLINT alone (independent of the
        screening's floating-point products): the lower bound to report."""
        if not self.rank:
            return 0
        return nmod_mat(fmpz_mat(self.rank, self.ncols, self.basis.ravel().tolist()), self.p).rank()

    def add(self, rows: Iterable[Sequence[int]], tag=None) -> None:
        """Add rows (residues mod ``p``); row ``i`` is remembered with the tag ``(tag, i)``."""
        rows = list(rows)
        self.add_array(np.array(rows, dtype=np.int64).reshape(len(rows), self.ncols),
                       [(tag, i) for i in range(len(rows))])

    def add_array(self, rows, tags: Sequence) -> None:
        """Add the rows of an ``int64`` array of residues, ``tags[i]`` naming row ``i``."""
        self.rows_seen += rows.shape[0]
        keep = rows.any(axis=1)
        if not keep.all():
            rows = rows[keep]
            tags = [t for t, k in zip(tags, keep.tolist()) if k]
        if rows.shape[0]:
            self.pending.append(rows)
            self.pending_tags.extend(tags)
            self.pending_rows += rows.shape[0]

    def flush(self) -> int:
        """Fold the pending rows into the basis; returns the new rank."""
        if not self.pending:
            return self.rank
        pending, tags = self.pending, self.pending_tags
        self.pending, self.pending_tags, self.pending_rows = [], [], 0
        if self.rank == self.ncols:
            return self.rank
        if not self._echelon:
            stack = np.concatenate([self.basis] + pending)
            tags = self.tags + tags
            pivots = independent_rows(stack, self.ncols, self.p)
            self.basis = stack[pivots]
            self.tags = [tags[j] for j in pivots]
            return self.rank
        rows = np.concatenate(pending) if len(pending) > 1 else pending[0]
        residual = rows
        if self._P:
            p, P = self.p, self._P
            # filter: residual·V for two random columns V (a non-zero residual survives unless it
            # is orthogonal to both, probability ≤ 1/p²; a lost row could only lower the rank,
            # which is still a certified lower bound)
            V = self._rng.integers(0, p, (self.ncols, 2))
            proj = (mulmod(rows, V, p) - mulmod(rows[:, P], mulmod(self._E, V, p), p)) % p
            live = np.flatnonzero(proj.any(axis=1))
            if not len(live):
                return self.rank
            rows, tags = rows[live], [tags[i] for i in live.tolist()]
            residual = (rows - mulmod(rows[:, P], self._E, p)) % p  # exact, for the survivors only
        chosen = independent_rows(residual, self.ncols, self.p)
        if chosen:
            self.basis = np.concatenate([self.basis, rows[chosen]])
            self.tags += [tags[j] for j in chosen]
            self._extend_echelon(residual[chosen])
        return self.rank

    def _extend_echelon(self, new) -> None:
        """Add rows ``new`` (independent, zero on the pivot columns) to the echelon form."""
        p, c = self.p, self.ncols
        red, rank = nmod_mat(fmpz_mat(new.shape[0], c, new.ravel().tolist()), p).rref()
        Pn = _pivots(red, rank)
        En = np.zeros((rank, c), dtype=np.int64)
        En[np.arange(rank), Pn] = 1
        taken = set(self._P) | set(Pn)  # the new rows vanish on the old pivots (and are I on Pn)
        free = [j for j in range(c) if j not in taken]
        if free:  # read back only these columns (reading FLINT entries is slow): red · selection
            sel = [0] * (c * len(free))
            for k, j in enumerate(free):
                sel[j * len(free) + k] = 1
            part = red * nmod_mat(fmpz_mat(c, len(free), sel), p)
            En[:, free] = np.fromiter(map(int, part.entries()), dtype=np.int64,
                                      count=red.nrows() * len(free)).reshape(red.nrows(), len(free))[:rank]
        if self._P:
            self._E = (self._E - mulmod(self._E[:, Pn], En, p)) % p
        self._E = np.concatenate([self._E, En])
        self._P = self._P + Pn


#: Primes below ``2^MULMOD_BITS`` allow :func:`mulmod`.
MULMOD_BITS = 31


def mulmod(A, B, p: int):
    """``A @ B mod p`` for ``int64`` arrays with entries in ``[0, p)``, ``p < 2^31``, inner dimension
    below ``2^21``, by exact float64 (BLAS) products: both factors are split into 16-bit halves, so
    each of the four products has integer entries below ``2^32·2^21 = 2^53`` (exact in float64, and
    exactly converted to ``int64``)."""
    Ah, Al = (A >> 16).astype(np.float64), (A & 0xFFFF).astype(np.float64)
    Bh, Bl = (B >> 16).astype(np.float64), (B & 0xFFFF).astype(np.float64)
    hh = (Ah @ Bh).astype(np.int64) % p
    mid = (Ah @ Bl).astype(np.int64) + (Al @ Bh).astype(np.int64)  # < 2^54
    x = ((hh << 16) + mid % p) % p  # hh·2^16 + mid
    return ((x << 16) + (Al @ Bl).astype(np.int64)) % p  # (hh·2^16 + mid)·2^16 + ll


def _pivots(red, rank: int) -> list[int]:
    """Pivot columns of a matrix in reduced row echelon form with ``rank`` non-zero rows."""
    pivots, col = [], 0
    for i in range(rank):
        while int(red[i, col]) == 0:
            col += 1
        pivots.append(col)
        col += 1
    return pivots


def independent_rows(rows, ncols: int, p: int) -> list[int]:
    """Indices of the greedy (first-come) maximal set of rows independent modulo ``p``: the pivot
    columns of the reduced echelon form of the transpose. ``rows``: lists or an ``int64`` array."""
    if len(rows) == 0:
        return []
    flat = rows.ravel().tolist() if isinstance(rows, np.ndarray) else [v for r in rows for v in r]
    # small Python ints convert faster into an fmpz_mat than into an nmod_mat
    mt = nmod_mat(fmpz_mat(len(rows), ncols, flat), p).transpose()
    red, rank = mt.rref()
    return _pivots(red, rank)


# ---------------------------------------------------------------------------------------------
# exact kernels from modular proposals
# ---------------------------------------------------------------------------------------------


def rational_reconstruction(a: int, m: int) -> fmpq | None:
    """The fraction ``n/d`` with ``n ≡ a·d (mod m)``, ``|n|, d ≤ sqrt(m/2)``, or ``None``."""
    a %= m
    bound = math.isqrt(m // 2)
    r0, r1 = m, a
    t0, t1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        t0, t1 = t1, t0 - q * t1
    if t1 == 0 or abs(t1) > bound or math.gcd(r1, abs(t1)) != 1:
        return None
    return fmpq(r1, t1) if t1 > 0 else fmpq(-r1, -t1)


def reconstruct_vector(xs: Sequence[int], m: int) -> list[fmpq] | None:
    """Rational reconstruction of residues modulo ``m`` with a running common denominator."""
    bound = math.isqrt(m // 2)
    half = m // 2
    d = 1
    out = []
    for x in xs:
        y = (x * d) % m
        if y > half:
            y -= m
        if abs(y) <= bound:
            out.append(fmpq(y, d))
            continue
        q = rational_reconstruction(y, m)
        if q is None:
            return None
        d *= int(q.q)
        if d > bound:
            return None
        out.append(fmpq(int(q.p), d))
    return out


def kernel_candidates(rows: Sequence[Sequence[int]], ncols: int, rnd: random.Random, max_steps: int = 2000):
    """Proposed rational kernel basis of the integer ``rows`` (independent over ``Q``), or ``None``.

    With pivot columns ``P`` (where ``B_P`` is invertible mod a random prime ``p``) and free columns
    ``F``, the kernel basis is ``v_f = e_f − Σ_i X[i, f] e_{P_i}`` with ``X = B_P^{-1} B_F``. ``X`` is
    computed ``p``-adically (Dixon lifting: ``X ≡ Σ p^s X_s``, each ``X_s`` one modular product with
    the inverse of ``B_P`` mod ``p``, the residual updated with exact integer products) and lifted to
    rationals by vector rational reconstruction at geometrically spaced steps; a lift that
    annihilates ``rows`` exactly is returned, as integer vectors (each scaled by the lcm of its
    denominators). ``None`` if no prime separates the rows or no lift verifies.
    """
    r = len(rows)
    if r == 0:
        return [[1 if i == j else 0 for i in range(ncols)] for j in range(ncols)]
    exact = fmpz_mat(rows)
    for _attempt in range(8):
        p = random_prime(rnd)
        red, rank = nmod_mat(exact, p).rref()
        if rank == r:
            break
    else:
        return None
    pivots = _pivots(red, rank)
    pset = set(pivots)
    free = [j for j in range(ncols) if j not in pset]
    k = len(free)
    if not k:
        return []
    Bp = fmpz_mat(r, r, [row[c] for row in rows for c in pivots])
    inv = nmod_mat(Bp, p).inv()
    remaining = list(range(k))  # free columns still being lifted
    R = fmpz_mat(r, k, [row[c] for row in rows for c in free])
    X = None
    pk = 1
    done: dict = {}
    next_try = 1
    for step in range(1, max_steps + 1):
        w = len(remaining)
        Xs = fmpz_mat(r, w, [int(v) for v in (inv * nmod_mat(R, p)).entries()])
        R = (R - Bp * Xs) / p
        X = Xs if X is None else X + Xs * pk
        pk *= p
        if step < next_try:
            continue
        next_try = step + max(1, step // 3)
        ent = [int(v) for v in X.entries()]
        candidates = []
        for pos, t in enumerate(remaining):  # columns are accepted one by one (early termination)
            lifted = reconstruct_vector(ent[pos::w], pk)
            if lifted is None:
                continue
            v = [fmpq(0)] * ncols
            v[free[t]] = fmpq(1)
            for i, pc in enumerate(pivots):
                v[pc] = -lifted[i]
            den = 1
            for x in v:
                q = int(x.q)
                if q != 1:
                    den = den * q // math.gcd(den, q)
            candidates.append((pos, t, [int(x.p) * (den // int(x.q)) for x in v]))
        accepted = []
        if candidates:  # one exact product checks every candidate of this step
            products = (exact * as_columns([vec for _pos, _t, vec in candidates], ncols)).transpose().tolist()
            for (pos, t, vec), col in zip(candidates, products):
                if not any(col):
                    done[t] = vec
                    accepted.append(pos)
        if accepted:
            keep = [pos for pos in range(w) if pos not in set(accepted)]
            remaining = [remaining[pos] for pos in keep]
            if not remaining:
                return [done[t] for t in range(k)]
            R = _columns(R, keep)
            X = _columns(X, keep)
    return None


def _columns(M, keep: Sequence[int]):
    """The ``fmpz_mat`` of the columns ``keep`` of ``M``."""
    rows = M.tolist()
    return fmpz_mat(len(rows), len(keep), [row[j] for row in rows for j in keep])


def annihilates(rows: Sequence[Sequence[int]], K) -> bool:
    """Exact check ``rows · K = 0`` (``K`` an ``fmpz_mat`` with one kernel vector per column, or a
    list of such blocks: see :func:`size_blocks`)."""
    if not rows:
        return True
    M = fmpz_mat(rows)
    blocks = K if isinstance(K, list) else [K]
    return all((M * B).is_zero() for B in blocks)


def size_blocks(vectors: Sequence[Sequence[int]], ncols: int) -> list:
    """The vectors as column blocks of similar bit size (a product costs as much as its largest
    entry: a few long vectors must not slow down the short ones)."""
    buckets: dict = {}
    for v in vectors:
        bits = max((abs(x).bit_length() for x in v), default=0)
        buckets.setdefault(max(0, bits - 1).bit_length(), []).append(v)
    return [as_columns(vs, ncols) for _b, vs in sorted(buckets.items())]


def as_columns(vectors: Sequence[Sequence[int]], ncols: int):
    """The ``fmpz_mat`` with the vectors as columns."""
    return fmpz_mat(ncols, len(vectors), [vectors[k][j] for j in range(ncols) for k in range(len(vectors))])


#: The Mersenne prime ``2^61 − 1`` (fits a machine word for ``nmod_mat``).
MERSENNE_61 = 2305843009213693951


def matrix_rank(M: fmpz_mat) -> int:
    """The rational rank of an integer matrix: its rank modulo ``2^61 − 1`` when that equals
    ``min(rows, columns)`` (a rank modulo a prime never exceeds the rational rank), otherwise FLINT's
    exact integer elimination. Fast for small matrices (no conversion through Python)."""
    if M.nrows() == 0 or M.ncols() == 0:
        return 0
    r = nmod_mat(M, MERSENNE_61).rank()
    return r if r == min(M.nrows(), M.ncols()) else M.rank()


def integer_rank(rows: Sequence[Sequence[int]], ncols: int) -> int:
    """The rational rank of rows of Python integers (each of length ``ncols``), by :func:`matrix_rank`."""
    if not rows or ncols == 0:
        return 0
    return matrix_rank(fmpz_mat(len(rows), ncols, [v for r in rows for v in r]))


def exact_rank(rows: Sequence[Sequence[int]], ncols: int) -> int:
    """The rational rank by FLINT's exact integer elimination (the complete fallback)."""
    if not rows:
        return 0
    return fmpz_mat(rows).rank()


__all__ = [
    "ModularSpan", "annihilates", "as_columns", "size_blocks", "exact_rank", "integer_rank", "matrix_rank", "kernel_candidates", "modular_rank", "modular_rank_array", "random_prime",
    "rational_reconstruction",
]
