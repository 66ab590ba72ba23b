"""Conservation laws of gradient flow at a ReLU parameter (docs/relu-three-layer.md §7).

Gradient flow ``θ' = −∇L(θ)``, ``L = Σ_x ℓ(f_θ(x), y_x)`` for any differentiable loss, moves ``θ``
along the span of the fields ``X(θ) = ∇_θ f_θ(x)_s``. On a neighbourhood of ``θ`` where the
activation pattern of every data point is fixed, ``f_θ(x) = A_π(θ) x + c_π(θ)`` with polynomial
``A_π, c_π``, so the fields are spanned by the gradients of the entries of ``A_π`` and ``c_π`` over the
patterns ``π`` visited by the data. A function ``Q`` is conserved iff ``⟨∇Q, X⟩ = 0`` for every such
field; the number of independent laws is ``D − dim Lie(V)(θ)`` (Marcotte–Gribonval–Peyré).

* per-neuron laws (any depth): ``‖W_l[j,:]‖² + b_l[j]² − ‖W_{l+1}[:,j]‖²`` (positive homogeneity);
* three-layer block laws: for second-layer neurons ``j ≠ k`` both always active on the orthant
  (``W2[j,:], b2[j], W2[k,:], b2[k] ≥ 0``): ``W2[j,:]·W2[k,:] + b2[j] b2[k] − W3[:,j]·W3[:,k]``
  (the symmetric part of the GL mixing generator, M4a);
* frozen parameters: a parameter that no generating field moves (``X_i ≡ 0`` for every field, e.g. the
  weights of a neuron dead on every data point) is itself conserved;
* no law from the hide transfer (M3) and the bias trades (M4b): their generators are affine, the
  Noether candidate ``Q = ½⟨θ, E_sym θ⟩ + ⟨c, θ⟩`` has a non-zero exact time derivative under squared
  loss on the data, and the dual 1-form ``ω`` has ``ω ∧ dω ≠ 0`` (not integrable: no function has a
  gradient parallel to the generator).

Every law is verified exactly: ``⟨∇Q, X⟩`` expands to the zero polynomial for every generating field.
The count: the rank ``k`` of the verified laws' gradients at ``θ`` (exact) and the rank ``r`` at ``θ``
of the fields and of iterated brackets (exact) satisfy ``k ≤ D − dim Lie ≤ D − r``; when ``r = D − k``
the count is exactly ``k`` (``count_exact``), otherwise ``count = D − r`` is an upper bound after a
documented stopping rule.

Polynomials are FLINT's ``fmpq_mpoly`` (integer coefficients in the parameters); which fields and
brackets enter the algebra is screened modulo a prime (a row independent modulo ``p`` is independent
over ``Q``, so a screen can only miss a field, never add a dependent one), and every rank reported is
computed exactly. SymPy is imported lazily, only to print polynomials with the parameters' names.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Sequence

from flint import fmpq, fmpq_mpoly_ctx

from ...deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ...errors import InputError, UnsupportedError
from ...linalg import rank
from ...linalg.lazy_numpy import np
from ...linalg.modular import random_prime
from ...network import Network
from ...network.evaluate import preactivations
from ...numbers import number_json
from .structure import renamed


@dataclass(frozen=True)
class Law:
    """A conserved polynomial, the region (activation conditions) where it holds, and its check."""

    name: str
    kind: str  # "neuron" | "block" | "frozen"
    polynomial: str
    region: str
    verified: bool
    value: object = None
    expr: object = field(default=None, repr=False, compare=False)  # the fmpq_mpoly

    def to_obj(self) -> dict:
        return {"name": self.name, "kind": self.kind, "polynomial": self.polynomial, "region": self.region,
                "verified": self.verified, "value": number_json(self.value) if self.value is not None else None}


@dataclass(frozen=True)
class NoLaw:
    """A continuous symmetry that induces no law, with its exact proof."""

    symmetry: str
    generator: str
    candidate: str
    derivative: object  # exact dQ/dt of the candidate under squared loss (non-zero)
    non_integrable: bool  # ω ∧ dω ≠ 0 at θ
    is_symmetry: bool  # ⟨X, ∇L⟩ = 0 exactly at θ for every data point (the generator preserves f)

    def to_obj(self) -> dict:
        return {"symmetry": self.symmetry, "generator": self.generator, "candidate": self.candidate,
                "candidate_derivative": number_json(self.derivative), "non_integrable": self.non_integrable,
                "preserves_function": self.is_symmetry}


@dataclass(frozen=True)
class Laws:
    """``count`` independent laws (``D − lie_rank``), the explicit ``laws``, the symmetries without law.

    ``count_exact``: the rank ``law_rank`` of the verified laws' gradients equals ``D − lie_rank``, so
    the count is proved; otherwise the true count lies in ``[law_rank, count]``."""

    count: int
    parameters: int
    lie_rank: int
    field_rank: int
    bracket_depth: int
    laws: tuple
    no_laws: tuple
    patterns: int
    data_points: int
    visits_all_patterns: bool | None
    names: tuple = field(repr=False, default=())
    law_rank: int = 0
    count_exact: bool = False

    def to_obj(self) -> dict:
        return {"count": self.count, "count_exact": self.count_exact, "count_bounds": [self.law_rank, self.count],
                "parameters": self.parameters, "lie_rank": self.lie_rank,
                "field_rank": self.field_rank, "bracket_depth": self.bracket_depth,
                "laws": [x.to_obj() for x in self.laws], "no_laws": [x.to_obj() for x in self.no_laws],
                "patterns": self.patterns, "data_points": self.data_points,
                "visits_all_patterns": self.visits_all_patterns}


def _names(widths) -> list[str]:
    from .fiber import parameter_names

    return parameter_names(widths)


def _symbolic(net: Network):
    """The polynomial ring in the ``D`` parameters and the layers ``(W, b)`` as its generators."""
    ctx = fmpq_mpoly_ctx.get(("t", net.num_parameters), "lex")
    it = iter(ctx.gens())
    layers = []
    for L in net.layers:
        W = [[next(it) for _ in range(L.in_dim)] for _ in range(L.out_dim)]
        b = [next(it) for _ in range(L.out_dim)]
        layers.append((W, b))
    return ctx, layers


def _combination(coeffs, polys, zero):
    out = zero
    for a, b in zip(coeffs, polys):
        if not a.is_zero() and not b.is_zero():
            out = out + a * b
    return out


def _affine(ctx, layers, pattern, n0):
    """``(A, c)`` of the network on the activation pattern (one 0/1 tuple per hidden layer), polynomials."""
    one, zero = ctx.constant(1), ctx.constant(0)
    M = [[one if i == k else zero for k in range(n0)] for i in range(n0)]
    v = [zero] * n0
    last = len(layers) - 1
    for li, (W, b) in enumerate(layers):
        cols = [[M[m][k] for m in range(len(M))] for k in range(n0)]
        M2, v2 = [], []
        for r in range(len(W)):
            if li < last and not pattern[li][r]:
                M2.append([zero] * n0)
                v2.append(zero)
                continue
            M2.append([_combination(W[r], col, zero) for col in cols])
            v2.append(_combination(W[r], v, zero) + b[r])
        M, v = M2, v2
    return M, v


def _sympy_text(q, names) -> str:
    """``q`` printed by SymPy with the parameters' names (the same text as SymPy's expansion)."""
    import sympy

    syms = [sympy.Symbol(n) for n in names]
    terms = []
    for exps, c in q.terms():
        t = sympy.Rational(int(c.p), int(c.q))
        for s, e in zip(syms, exps):
            if e:
                t = t * s ** e
        terms.append(t)
    return str(sympy.Add(*terms))


#: What a cooperative time-limit checkpoint of :func:`laws` names.
WHAT = "the conservation laws"


def _pattern(net: Network, x) -> tuple | None:
    pre = preactivations(net, x)
    if any(z == 0 for layer in pre for z in layer):
        return None
    return tuple(tuple(1 if z > 0 else 0 for z in layer) for layer in pre)


def default_data(net: Network, limit: int = 512, deadline: Deadline = NO_DEADLINE) -> list:
    """``n0 + 1`` exact interior points of every activation region (all realised patterns); the region
    enumeration checks ``deadline``."""
    from ..regions import regions

    pts = []
    for reg in regions(net, deadline=deadline):
        if reg.is_degenerate:
            continue
        pts.extend(reg.simplex_points())
        if len(pts) >= limit:
            break
    return pts


class _Fields:
    """Vector fields (sparse: tuples of ``(i, F_i)`` for the non-zero components, ``i`` increasing) with their values at the probe points ``θ = P₀, P₁, P₂``:
    exact at ``θ`` on demand, modulo ``p`` at every probe (for the screens), and the Jacobians modulo ``p``.

    ``p`` is chosen so that ``3D·p²`` fits a signed 64-bit integer (exact NumPy products modulo ``p``;
    the Jacobians are kept sparse)
    and no probe coordinate has a denominator divisible by ``p``."""

    def __init__(self, D: int, theta, probes, seed: int):
        self.D = D
        self.theta = theta
        bits = max(8, min(31, (62 - math.ceil(math.log2(len(probes) * D + 1))) // 2))
        rnd = random.Random(seed)
        while True:
            p = random_prime(rnd, bits)
            if all(int(v.q) % p for pr in probes for v in pr):
                break
        self.p = p
        self.points = [[int(v.p) * pow(int(v.q), -1, p) % p for v in pr] for pr in probes]
        self._res: dict = {}
        self._theta: dict = {}
        self._jac: dict = {}
        self._gradients: dict = {}
        self._term_cache: dict = {}

    def gradient(self, e) -> tuple:
        """The field ``∇e``, registered as a gradient (its Jacobian is symmetric: half the derivatives)."""
        F = tuple((i, e.derivative(i)) for i, deg in enumerate(e.degrees()) if deg)
        self._gradients[id(F)] = (F, e)
        return F

    def forget(self, F) -> None:
        """Drop what is cached for ``F`` (a field that is not kept)."""
        entry = self._gradients.get(id(F))
        if entry is not None:
            self._term_cache.pop(id(entry[1]), None)
        for cache in (self._res, self._theta, self._jac, self._gradients):
            cache.pop(id(F), None)

    def _mod(self, v) -> int:
        return int(v.p) * pow(int(v.q), -1, self.p) % self.p if v.q != 1 else int(v.p) % self.p

    def at_theta(self, F) -> list:
        """``F(θ)``, exact (probe ``P₀ = θ``: computed with the residues)."""
        self.residues(F)
        return self._theta[id(F)][1]

    def residues(self, F):
        """``F`` at the probes modulo ``p``: one int64 array per probe (the values at ``θ`` are computed
        exactly and kept for :meth:`at_theta`)."""
        key = id(F)
        if key not in self._res and key in self._gradients:
            out, exact = self._gradient_values(self._gradients[key][1])
            self._res[key], self._theta[key] = (F, out), (F, exact)
        if key not in self._res:
            out = np.zeros((len(self.points), self.D), dtype=np.int64)
            exact = [fmpq(0)] * self.D
            for i, e in F:
                exact[i] = e(*self.theta)
                out[0, i] = self._mod(exact[i])
                for k in range(1, len(self.points)):
                    out[k, i] = self._mod(e(*self.points[k]))
            self._res[key] = (F, out)
            self._theta[key] = (F, exact)
        return self._res[key][1]

    def jacobian(self, F):
        """The Jacobian of ``F`` modulo ``p`` at the probes, sparse: rows ``I``, columns ``J`` and the values
        ``V`` (one row per probe), with the exact values at ``θ``; for a gradient field the Hessian
        (:meth:`_hessian`). The polynomials ``∂_j F_i`` are not kept (:meth:`bracket` forms them again
        for the few brackets that are kept)."""
        key = id(F)
        if key not in self._jac and key in self._gradients:
            self._jac[key] = (F, *self._hessian(self._gradients[key][1]))
        if key not in self._jac:  # a bracket: entry by entry
            I, J, values, exact = [], [], [], []
            for i, e in F:
                for j, deg in enumerate(e.degrees()):
                    if deg:
                        d = e.derivative(j)
                        x = d(*self.theta)
                        I.append(i)
                        J.append(j)
                        values.append([self._mod(x)] + [self._mod(d(*pt)) for pt in self.points[1:]])
                        exact.append(x)
            V = np.array(values, dtype=np.int64).reshape(len(values), len(self.points)).T
            self._jac[key] = (F, (np.array(I, dtype=np.int64), np.array(J, dtype=np.int64), V), exact)
        return self._jac[key][1]

    def _terms(self, e) -> list:
        """The terms of ``e`` as ``(c, [(v, a_v), …])`` (non-zero exponents only), read once per ``e``."""
        key = id(e)
        if key not in self._term_cache:
            self._term_cache[key] = (e, [(c, [(v, a) for v, a in enumerate(exps) if a]) for exps, c in e.terms()])
        return self._term_cache[key][1]

    def _monomial(self, c, rest):
        """``c·Π θ_v^{a_v}`` exactly at ``θ`` and modulo ``p`` at the other probes."""
        p, theta = self.p, self.theta
        value = c
        for v, a in rest:
            if a:
                value *= theta[v] ** a
        cm = self._mod(c)
        res = []
        for pt in self.points[1:]:
            r = cm
            for v, a in rest:
                if a:
                    r = r * pow(pt[v], a, p) % p
            res.append(r)
        return value, res

    def _gradient_values(self, e):
        """``∇e`` modulo ``p`` at the probes and exactly at ``θ``, from the terms of ``e``."""
        p = self.p
        exact = [fmpq(0)] * self.D
        out = np.zeros((len(self.points), self.D), dtype=np.int64)
        acc: dict = {}
        for c, factors in self._terms(e):
            for i, ai in factors:
                value, res = self._monomial(c * ai, [(v, a - (v == i)) for v, a in factors])
                old = acc.get(i)
                acc[i] = (value, res) if old is None else (old[0] + value, [(u + w) % p for u, w in zip(old[1], res)])
        for i, (value, res) in acc.items():
            exact[i] = value
            out[0, i] = self._mod(value)
            out[1:, i] = res
        return out, exact

    def _hessian(self, e):
        """The Jacobian of ``∇e`` (the Hessian of ``e``) from the terms of ``e`` (read once): each term
        ``c·Π θ_v^{a_v}`` adds ``c·∂_i∂_j Π θ_v^{a_v}`` to entry ``(i, j)``, evaluated exactly at ``θ`` and
        modulo ``p`` at the probes. One pass over the terms instead of one evaluation, converting all
        ``D`` coordinates, per entry."""
        p = self.p
        acc: dict = {}
        for c, factors in self._terms(e):
            for x, (i, ai) in enumerate(factors):
                for (j, aj) in factors[x:]:
                    if i == j and ai < 2:
                        continue
                    mult = ai * (ai - 1) if i == j else ai * aj
                    value, res = self._monomial(c * mult, [(v, a - (v == i) - (v == j)) for v, a in factors])
                    old = acc.get((i, j))
                    acc[(i, j)] = (value, res) if old is None else (old[0] + value,
                                                                    [(u + w) % p for u, w in zip(old[1], res)])
        I, J, values, exact = [], [], [], []
        for (i, j), (x, res) in acc.items():
            if x == 0 and not any(res):
                continue
            v = [self._mod(x)] + res
            for r, c in ((i, j), (j, i)) if j != i else ((i, j),):
                I.append(r)
                J.append(c)
                values.append(v)
                exact.append(x)
        V = np.array(values, dtype=np.int64).reshape(len(values), len(self.points)).T
        return (np.array(I, dtype=np.int64), np.array(J, dtype=np.int64), V), exact

    def bracket_at_theta(self, X, Y) -> list:
        """``[X, Y](θ) = DY(θ)·X(θ) − DX(θ)·Y(θ)``, exact, from the Jacobians' exact values at ``θ``."""
        out = [fmpq(0)] * self.D
        for A, B, sign in ((Y, X, 1), (X, Y, -1)):
            (I, J, _), exact = self.jacobian(A), self._jac[id(A)][2]
            b = self.at_theta(B)
            for i, j, x in zip(I.tolist(), J.tolist(), exact):
                if b[j]:
                    out[i] = out[i] + x * b[j] if sign > 0 else out[i] - x * b[j]
        return out

    def adopt(self, Z, residues, exact) -> None:
        """Record the known values of a field formed from a kept bracket."""
        self._res[id(Z)] = (Z, residues)
        self._theta[id(Z)] = (Z, exact)

    def _times(self, jac, R):
        """``J(P_k)·R_k`` modulo ``p`` for every probe ``k`` (``R``: one row per probe)."""
        I, J, V = jac
        out = np.zeros(R.shape, dtype=np.int64)
        if I.size:
            terms = V * R[:, J] % self.p  # each < p, so the sums stay below D·p
            offsets = (np.arange(R.shape[0], dtype=np.int64) * R.shape[1])[:, None]
            np.add.at(out.reshape(-1), (I[None, :] + offsets).reshape(-1), terms.reshape(-1))
        return out % self.p

    def bracket_residues(self, X, Y):
        """``[X, Y] = DY·X − DX·Y`` at the probes modulo ``p`` (exact int64 arithmetic)."""
        rx, ry = self.residues(X), self.residues(Y)
        return (self._times(self.jacobian(Y), rx) - self._times(self.jacobian(X), ry)) % self.p

    @staticmethod
    def bracket(X, Y, zero):
        """``[X, Y]_i = Σ_j ∂_j Y_i X_j − ∂_j X_i Y_j`` as polynomials (sparse)."""
        Z: dict = {}
        for (A, B, sign) in ((Y, dict(X), 1), (X, dict(Y), -1)):
            for i, e in A:
                for j, deg in enumerate(e.degrees()):
                    if deg and j in B:
                        term = e.derivative(j) * B[j]
                        Z[i] = Z.get(i, zero) + term if sign > 0 else Z.get(i, zero) - term
        return tuple((i, Z[i]) for i in sorted(Z) if not Z[i].is_zero())


class _ModSpan:
    """Rows modulo a prime ``p`` in reduced row echelon form ``E`` (pivot columns ``P``, ``E[:, P] = I``).

    :meth:`add_many` takes rows in order and accepts each row that is independent, modulo ``p``, of the
    rows accepted before it (the greedy choice). A row independent modulo ``p`` is independent over
    ``Q`` (its entries are residues of exact values whose denominators are prime to ``p``: a minor
    non-zero modulo ``p`` is non-zero). Products are exact in int64 because ``ncols·p² < 2^62``."""

    def __init__(self, p: int, ncols: int):
        self.p = p
        self.E = np.zeros((0, ncols), dtype=np.int64)
        self.P: list = []

    def __len__(self) -> int:
        return len(self.P)

    def add_many(self, V) -> list:
        p = self.p
        V = np.atleast_2d(np.asarray(V, dtype=np.int64)) % p
        R = (V - (V[:, self.P] @ self.E) % p) % p if self.P else V
        added, flags = [], []
        for r in R:
            for q, row in added:
                c = int(r[q])
                if c:
                    r = (r - c * row) % p
            nz = np.flatnonzero(r)
            if not nz.size:
                flags.append(False)
                continue
            q = int(nz[0])
            added.append((q, r * pow(int(r[q]), -1, p) % p))
            flags.append(True)
        for q, row in added:  # keep E reduced: clear the new pivot column in every row, then append
            self.E = (self.E - (self.E[:, q:q + 1] * row) % p) % p
            self.E = np.vstack([self.E, row[None, :]])
            self.P.append(q)
        return flags


def laws(net: Network, data: Sequence | None = None, *, max_depth: int = 4, seed: int = 0,
         deadline: Deadline = NO_DEADLINE) -> Laws:
    """The conservation laws at ``net`` (see the module docstring). ``data``: exact input points
    (default: ``n0 + 1`` points in every activation region, so every realised pattern is visited).
    ``deadline``: cooperative checkpoints in every loop (the region enumeration of the default data,
    per data point, per pattern, per generating field, per law and field verified, per bracket, per
    generator without a law); when it passes :class:`~exactnet.deadline.TimeLimitReached` is raised
    ("time limit reached during the conservation laws", naming the inner step when it passed there)."""
    try:
        return _laws(net, data, max_depth, seed, deadline)
    except TimeLimitReached as exc:
        raise renamed(exc, WHAT) from exc


def _parse_data(net: Network, data, deadline):
    n0 = net.input_dim
    if data is None:
        return default_data(net, deadline=deadline), True
    from ...numbers import exact_numbers

    parsed = []
    for x in data:
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__") or len(x) != n0:
            raise InputError(f"every data point must be a list of {n0} numbers")
        vals = exact_numbers(list(x))
        if not all(isinstance(v, fmpq) for v in vals):
            raise InputError("data points must be rational")
        parsed.append(tuple(vals))
    return parsed, None


def _visited(net: Network, data, deadline: Deadline):
    """The checked input: ``(data points, their activation patterns in order of appearance (points on a
    bent hyperplane skipped), whether they visit every realised pattern)``."""
    check = deadline.check
    if not isinstance(net, Network):
        raise InputError("laws need a network")
    if net.activation != "relu":
        raise UnsupportedError(f"conservation laws are computed for ReLU networks; this network is {net.activation}")
    if not net.is_rational:
        raise UnsupportedError("conservation laws need rational weights")
    data, complete_data = _parse_data(net, data, deadline)
    patterns = []
    for x in data:
        check(WHAT)
        pat = _pattern(net, x)
        if pat is not None and pat not in patterns:
            patterns.append(pat)
    if not patterns:
        raise InputError("no data point has all hidden preactivations non-zero (every point lies on a bent hyperplane)")
    if complete_data is None:
        realised = {_pattern(net, x) for x in default_data(net, deadline=deadline)} - {None}
        complete_data = realised <= set(patterns)
    return data, patterns, complete_data


def _laws(net: Network, data, max_depth: int, seed: int, deadline: Deadline) -> Laws:
    check = deadline.check
    data, patterns, complete_data = _visited(net, data, deadline)
    n0 = net.input_dim
    names = _names(net.widths)
    ctx, layers = _symbolic(net)
    zero = ctx.constant(0)
    theta = list(net.parameter_vector())
    D = len(theta)
    rnd = random.Random(seed)
    probes = [theta] + [[v + fmpq(rnd.randint(-9, 9), 997) for v in theta] for _ in range(2)]
    fields = _Fields(D, theta, probes, seed)
    p = fields.p
    hidden_layers = len(layers) - 1
    candidates = []  # (name, kind, Q, region), verified against every generating field as it is formed
    for li in range(hidden_layers):
        W, b = layers[li]
        Wn, _ = layers[li + 1]
        for j in range(len(W)):
            Q = _combination(W[j] + [b[j]], W[j] + [b[j]], zero) - _combination([r[j] for r in Wn], [r[j] for r in Wn], zero)
            candidates.append((f"neuron {li + 1}.{j + 1}", "neuron", Q, "everywhere (positive homogeneity)"))
    for li in range(hidden_layers):  # blocks of neurons active at every data point: the GL mixing's symmetric part
        W, b = layers[li]
        Wn, _ = layers[li + 1]
        L = net.layers[li]
        active = [j for j in range(len(W)) if all(pat[li][j] for pat in patterns)]
        for a_ in range(len(active)):
            for b_ in range(a_ + 1, len(active)):
                j, k = active[a_], active[b_]
                check(WHAT)
                Q = (_combination(W[j] + [b[j]], W[k] + [b[k]], zero)
                     - _combination([r[j] for r in Wn], [r[k] for r in Wn], zero))
                w, n = f"W{li + 1}", f"b{li + 1}"
                if li == 1 and hidden_layers == 2 and all(v >= 0 for v in L.weight[j] + L.weight[k]) \
                        and L.bias[j] >= 0 and L.bias[k] >= 0:
                    region = (f"{w}[{j + 1},:] >= 0, {n}[{j + 1}] >= 0, {w}[{k + 1},:] >= 0, {n}[{k + 1}] >= 0"
                              " (both always active on the orthant)")
                else:
                    region = (f"neurons {j + 1} and {k + 1} of hidden layer {li + 1} active at every data point"
                              " (on the visited activation patterns)")
                candidates.append((f"block {li + 1}.{j + 1},{k + 1}", "block", Q, region))
    grads = [[(i, Q.derivative(i)) for i, deg in enumerate(Q.degrees()) if deg] for _, _, Q, _ in candidates]
    verified = [True] * len(candidates)

    # generating fields: gradients of the entries of A_π, c_π (each distinct entry once), formed one at
    # a time: each is checked against every candidate law and screened, and only the basis is kept
    # (the fields of a network with a few hundred parameters take gigabytes together)
    screen = _ModSpan(p, 3 * D)  # independence as functions: the values at the three probes
    basis, seen, moved, numerics, at_entry = [], set(), set(), {}, {}
    for pat in patterns:
        check(WHAT)
        A, c = _affine(ctx, layers, pat, n0)
        entries = [x for row in A for x in row] + list(c)
        keys = [None if e.is_zero() else str(e) for e in entries]
        for e, key in zip(entries, keys):
            check(WHAT)
            if key is None or key in seen:
                continue
            seen.add(key)
            F = fields.gradient(e)
            Fd = dict(F)
            moved.update(Fd)
            for t, grad in enumerate(grads):
                if verified[t] and not _combination([d for i, d in grad if i in Fd], [Fd[i] for i, _ in grad if i in Fd],
                                                    zero).is_zero():
                    verified[t] = False
            if hidden_layers == 2:
                at_entry[key] = (e(*theta), fields.at_theta(F))
            if screen.add_many([fields.residues(F).ravel()])[0]:
                basis.append(F)
            else:
                fields.forget(F)
        if hidden_layers == 2:  # A_π(θ), c_π(θ) and their gradients, for the symmetries without law
            nothing = (fmpq(0), [fmpq(0)] * D)
            value = [nothing if key is None else at_entry[key] for key in keys]
            numerics[pat] = ([[value[r * n0 + k][0] for k in range(n0)] for r in range(len(A))],
                             [v for v, _ in value[len(A) * n0:]],
                             [[value[r * n0 + k][1] for k in range(n0)] for r in range(len(A))],
                             [g for _, g in value[len(A) * n0:]])

    found = [Law(name, kind, _sympy_text(Q, names), region, ok, Q(*theta), Q)
             for (name, kind, Q, region), ok in zip(candidates, verified)]
    for i in range(D):  # parameters that no field moves are conserved themselves (dead neurons' weights):
        check(WHAT)     # ⟨∇θ_i, X⟩ = X_i ≡ 0 for every field, which is what `moved` records
        if i not in moved:
            Q = ctx.gens()[i]
            found.append(Law(f"frozen {names[i]}", "frozen", names[i],
                             "every visited activation pattern (no generating field moves this parameter)", True,
                             theta[i], Q))
    law_rank = rank([[l.expr.derivative(i)(*theta) for i in range(D)] for l in found if l.verified], D)
    at_theta = [fields.at_theta(F) for F in basis]
    field_rank = rank(at_theta, D)
    target = D - law_rank  # dim Lie(V)(θ) ≤ D − law_rank: reaching it proves the count
    rank_theta = field_rank
    if field_rank == target:
        max_depth = 0
    span_theta = _ModSpan(p, D)  # the rank at θ, screened modulo p (a certified lower bound)
    if basis:
        span_theta.add_many([fields.residues(F)[0] for F in basis])
    frontier = list(basis)
    depth = 0
    for depth in range(1, max_depth + 1):
        new = []
        done = False
        for a, X in enumerate(basis):
            pairs = []
            for b, Y in enumerate(frontier):
                check(WHAT)
                if depth == 1 and b <= a:
                    continue  # [X, Y] = −[Y, X]
                pairs.append((Y, fields.bracket_residues(X, Y)))
            if not pairs:
                continue
            for (Y, z), keep in zip(pairs, screen.add_many([z.ravel() for _, z in pairs])):
                if not keep:
                    continue
                check(WHAT)
                new.append((X, Y, z, fields.bracket_at_theta(X, Y)))
                at_theta.append(new[-1][3])
                if span_theta.add_many([z[0]])[0] and len(span_theta) == target:
                    done = True
                    break
            if done:
                break
        r = rank(at_theta, D)
        if r == target or not new or r == rank_theta:
            rank_theta = r
            break
        rank_theta = r
        frontier = []  # the kept brackets as polynomials, only now that the next depth needs them
        for X, Y, z, exact in new:
            check(WHAT)
            Z = fields.bracket(X, Y, zero)
            fields.adopt(Z, z, exact)
            frontier.append(Z)
    count = D - rank_theta
    no_laws = _no_laws(net, ctx, layers, names, theta, data, numerics, deadline) if hidden_layers == 2 else []
    return Laws(count, D, rank_theta, field_rank, depth, tuple(found), tuple(no_laws), len(patterns), len(data),
                complete_data, tuple(names), law_rank, rank_theta == target)


def _no_laws(net, ctx, layers, names, theta, data, numerics, deadline: Deadline = NO_DEADLINE) -> list:
    """The hide transfer of each first-layer neuron and the bias trade of each second-layer neuron."""
    check = deadline.check
    W1, b1 = layers[0]
    W2, b2 = layers[1]
    W3, b3 = layers[2]
    D = len(theta)
    gens = ctx.gens()
    index = {str(g): k for k, g in enumerate(gens)}
    zero, one = ctx.constant(0), ctx.constant(1)
    out = []
    gens_list = []
    for i in range(len(b1)):
        X = [zero] * D
        X[index[str(b1[i])]] = one
        for j in range(len(b2)):
            X[index[str(b2[j])]] = -W2[j][i]
        gens_list.append((f"hide transfer of first-layer neuron {i + 1} (M3)",
                          f"d b1[{i + 1}] - sum_j W2[j,{i + 1}] d b2[j]", X))
    for j in range(len(b2)):
        X = [zero] * D
        X[index[str(b2[j])]] = one
        for s in range(len(b3)):
            X[index[str(b3[s])]] = -W3[s][j]
        gens_list.append((f"bias trade of second-layer neuron {j + 1} (M4b)",
                          f"d b2[{j + 1}] - sum_s W3[s,{j + 1}] d b3[s]", X))
    # squared loss with zero targets: dQ/dt = -sum_x f(x) . <grad Q, grad f(x)>
    fvals = []
    for x in data:
        check(WHAT)
        pat = _pattern(net, x)
        if pat is None:
            continue
        fvals.append(_at(numerics[pat], x))
    origin = [0] * D
    for name, gen_text, X in gens_list:
        check(WHAT)
        # Noether candidate for an affine generator X = E θ + c: Q = ½⟨θ, E_sym θ⟩ + ⟨c, θ⟩
        E = {(r, s): X[r].derivative(s)(*origin) for r in range(D) if not X[r].is_zero()
             for s, deg in enumerate(X[r].degrees()) if deg}
        c = [X[r](*origin) if not X[r].is_zero() else fmpq(0) for r in range(D)]
        Q = zero
        for (r, s), v in E.items():  # θ^T (E + E^T) θ / 4 = Σ E[r,s] θ_r θ_s / 2
            Q = Q + gens[r] * gens[s] * (v / 2)
        for r in range(D):
            if c[r]:
                Q = Q + gens[r] * c[r]
        gq = [Q.derivative(k)(*theta) for k in range(D)]
        Xv = [X[r](*theta) if not X[r].is_zero() else fmpq(0) for r in range(D)]
        dQ = fmpq(0)
        sym_ok = True
        for (fx, gradf) in fvals:
            check(WHAT)
            for s_ in range(len(fx)):
                dQ -= fx[s_] * sum((g * h for g, h in zip(gq, gradf[s_]) if g), fmpq(0))
                if sum((g * h for g, h in zip(Xv, gradf[s_]) if g), fmpq(0)) != 0:
                    sym_ok = False
        # ω = Σ X_k dθ_k; ω ∧ dω ≠ 0 iff some X_a(∂_b X_c − ∂_c X_b) + cyclic ≠ 0 at θ (J = E: X is affine)
        J = lambda r, s: E.get((r, s), 0)  # noqa: E731
        support = sorted({k for k in range(D) if Xv[k] != 0} | {k for k, _ in E} | {m for _, m in E})
        nonint = False
        for a in support:
            check(WHAT)
            for b in support:
                for cc in support:
                    if a < b < cc:
                        val = (Xv[a] * (J(cc, b) - J(b, cc)) + Xv[b] * (J(a, cc) - J(cc, a))
                               + Xv[cc] * (J(b, a) - J(a, b)))
                        if val != 0:
                            nonint = True
                            break
                if nonint:
                    break
            if nonint:
                break
        out.append(NoLaw(name, gen_text, _sympy_text(Q, names), dQ, nonint, sym_ok))
    return out


def _at(data, x):
    Av, cv, dA, dc = data
    xs = [fmpq(v) for v in x]
    fx = [sum((a * v for a, v in zip(row, xs)), cc) for row, cc in zip(Av, cv)]
    grads = []
    for s_ in range(len(cv)):
        g = list(dc[s_])
        for k, v in enumerate(xs):
            if v != 0:
                g = [gg + v * d for gg, d in zip(g, dA[s_][k])]
        grads.append(g)
    return fx, grads


__all__ = ["Law", "Laws", "NoLaw", "default_data", "laws"]
