"""The fiber of a one-hidden-layer ReLU network as a finite union of pieces (docs/relu.md § One hidden layer: canonical form and fiber).

Fix ``f`` with canonical form ``Σ_{κ∈K} α_κ σ(u_κ·x + β_κ) + L x + C`` (docs/relu.md § One hidden layer: canonical form and fiber) and width
``n``; the fiber is the set of all parameters ``θ' = (w_i, b_i, a_i)_{i≤n}, c`` with the same
canonical form. Every unit of ``θ'`` is of one of these *types*:

* **inert**: ``a_i = 0`` (``w_i, b_i`` free), or ``w_i = 0`` (a constant unit; ``b_i ≤ 0``: it
  contributes nothing; ``b_i > 0``: it adds ``ν_i = a_i b_i`` to the constant);
* **on a key** ``κ ∈ K`` with orientation ``s = ±1``: ``(w_i, b_i) = s λ_i (u_κ, β_κ)``, ``λ_i > 0``;
  write ``μ_i = λ_i a_i``;
* **in a free group**: the same on a hyperplane ``g ∉ K`` shared by ``≥ 2`` units whose ``μ``
  cancel (``Σ μ_i = 0``); *pure* if all its units have one orientation, *mixed* otherwise.

**Constraints** (linear in ``μ``, ``ν``, ``c`` once the keys are fixed): ``Σ_{i on κ} μ_i = α_κ``
(``κ ∈ K``), ``Σ_{i in g} μ_i = 0``, ``−Σ_{s_i = −1} μ_i u_{κ_i}^T = L``, and
``c + Σ ν_i − Σ_{s_i=−1} μ_i β_{κ_i} = C`` (which only determines ``c``).

**Pieces** (:class:`Piece`, up to permutation of the units): per key ``κ ∈ K`` the numbers ``(p_κ, q_κ)``
of positively/negatively oriented units (``p + q ≥ 1``), the number of inert units and the free
groups ``(p_g, q_g)``. With ``L_0 = L + Σ_{κ: p_κ = 0} α_κ u_κ^T`` (keys with only negative units
fix their ``Σ μ``), ``V = span{u_κ : κ mixed}`` (their negative part ``A_κ`` is free) and ``G`` the
number of mixed free groups (each adds an arbitrary rank-one term ``M_g u_g^T``), the L-equation
``L_0 = −Σ_{κ mixed} A_κ u_κ^T − Σ_g M_g u_g^T`` is solvable iff

    r := rank(rows of L_0 modulo V) = rank[V; L_0] − rank V  ≤  G,

so feasibility is an exact rank computation. A piece is a semi-algebraic set: positive orthants
in the ``λ``, an affine space of ``μ``, inert factors and (for free groups) the keys.

**Membership** (:meth:`Fiber.contains`) classifies the units of ``θ'`` and checks the
constraints exactly; it agrees with the equivalence decision (the canonical-form theorem).

**Connected components** (:meth:`Fiber.components`), decided exactly when no feasible piece
has an *essential* mixed free group (``G ≥ 2``, or ``G = 1`` with ``r = 1``); otherwise the answer is
``unknown`` with that reason. Proof sketch: call a *labelled assignment* ``σ`` a map from the units
to ``{inert} ∪ K × {±}``, feasible when its piece is (the constraints only depend on the counts).

1. ``P_σ`` (all ``θ'`` of type ``σ``) is connected: it is the continuous image of
   ``(λ > 0) × (affine μ-space)`` times inert factors, and the inert types of one unit
   (``a = 0``; ``w = 0, b ≤ 0``; ``w = 0, b > 0``) pairwise meet (at ``a = 0, w = 0``).
2. Pure free groups add nothing new: scaling their ``μ`` to 0 stays in the fiber and ends in
   ``P_σ`` with those units inert; mixed groups that are not essential have ``M_g = 0`` and are pure
   pairs.
3. ``P_σ`` and ``P_σ'`` touch (one meets the closure of the other) iff they differ at a single unit
   that is inert in one of them and both are feasible: a limit of ``P_σ`` can only leave ``P_σ`` by
   some ``λ_i → 0`` with ``μ_i → 0`` (the unit becomes ``w = 0, b = 0``: inert), and conversely a unit
   on ``κ`` with ``μ_i = 0`` is a ``z``-type inert unit; the constraints of ``σ`` with ``μ_i = 0`` are
   exactly those of ``σ'``.

Hence the components are the connected components of the graph on feasible labelled
assignments with those edges (union-find; ``unknown`` beyond :data:`MAX_ASSIGNMENTS`).
Example (docs/relu.md § Test cases: T6): ``|x| = σ(x) + σ(−x)`` as ``(1,2,1)`` has one key with ``α = 2``,
``L = −1``; the only feasible piece has one unit of each orientation and no inert unit, so the two
labelled assignments are isolated: exactly two components.

**Hidden symmetries** (:meth:`Fiber.orbit_is_fiber`): the fiber equals the orbit of ``θ``
under permutations and positive scalings iff the only feasible piece is ``θ``'s own, it has no
inert unit and no free group, and its ``μ``-space is a point (then every labelled assignment is a
permutation of ``θ``'s and the ``λ`` are the scalings).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..errors import InputError, UnsupportedError
from ..network import Layer, Network
from ..numbers import format_number, number_json, sign
from ..linalg import independent_subset, rank, rref, solve_rows
from .canonical import Key, ShallowForm, canonical_form

#: Labelled assignments beyond which components are not decided (``unknown``).
MAX_ASSIGNMENTS = 200_000
#: Pieces (profiles) beyond which the enumeration stops (the fiber is then listed partially).
MAX_PIECES = 20_000
#: Candidate profiles examined at most (each costs an exact rank test).
MAX_CANDIDATES = 100_000


# ---------------------------------------------------------------------------------------------
# exact linear algebra helpers
# ---------------------------------------------------------------------------------------------


def _outer(a: Sequence, u: Sequence) -> list[list]:
    return [[x * y for y in u] for x in a]


def _add(A, B, s=1):
    return [[x + s * y for x, y in zip(ra, rb)] for ra, rb in zip(A, B)]


def _normalize_key(w: Sequence, b) -> tuple[Key, int, fmpq]:
    """``(key, orientation s, λ)`` with ``(w, b) = s λ (u, β)`` and ``u`` 1 at its first non-zero."""
    p = next(k for k, v in enumerate(w) if v != 0)
    lam = abs(w[p])
    s = sign(w[p])
    return Key(tuple(s * v / lam for v in w), s * b / lam), s, lam


# ---------------------------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A piece of the fiber up to permutation (see the module docstring).

    ``keys[k] = (p, q)``: positively/negatively oriented units on the ``k``-th canonical key;
    ``inert``: inert units; ``groups``: ``(p, q)`` per free group. ``dimension``: the dimension of
    the piece as a semi-algebraic set (``None`` for pieces with mixed free groups). ``essential``:
    it has an essential mixed free group (then components are not decided).
    """

    keys: tuple[tuple[int, int], ...]
    inert: int
    groups: tuple[tuple[int, int], ...]
    rank_excess: int
    dimension: int | None
    essential: bool

    @property
    def units(self) -> int:
        return sum(p + q for p, q in self.keys) + self.inert + sum(p + q for p, q in self.groups)

    def to_obj(self, form: ShallowForm) -> dict:
        keys = []
        for ((u, beta), alpha), (p, q) in zip(form.terms, self.keys):
            keys.append({"u": [number_json(v) for v in u], "beta": number_json(beta),
                         "alpha": [number_json(v) for v in alpha], "positive": p, "negative": q})
        return {
            "keys": keys,
            "inert": self.inert,
            "free_groups": [{"positive": p, "negative": q, "mixed": p > 0 and q > 0} for p, q in self.groups],
            "dimension": self.dimension,
            "description": self.describe(form),
        }

    def describe(self, form: ShallowForm) -> str:
        parts = []
        for k, (p, q) in enumerate(self.keys):
            orient = "+" * p + "-" * q
            parts.append(f"key {k + 1}: {orient}")
        if self.inert:
            parts.append(f"{self.inert} inert")
        for p, q in self.groups:
            parts.append("free group " + "+" * p + "-" * q)
        return ", ".join(parts) if parts else "no units"


@dataclass(frozen=True)
class Components:
    """``count`` (``None`` = unknown, with ``reason``); ``representatives``: one member per component
    (when decided); ``assignments``: the number of feasible labelled assignments;
    ``up_to_permutation``: the number of components modulo permutations of the hidden units (two
    components are identified when a permutation maps one onto the other, i.e. when they contain
    labelled assignments with the same multiset of types)."""

    count: int | None
    reason: str
    representatives: tuple = ()
    assignments: int = 0
    up_to_permutation: int | None = None


def _piece_data(form: ShallowForm, keys, groups, d: int, m: int):
    """``(feasible, r, dimension)`` of a profile (see the module docstring)."""
    U = [list(u) for (u, _beta), _al in form.terms]
    alphas = [list(al) for _k, al in form.terms]
    L0 = [list(r) for r in form.linear]
    V = []
    for k, (p, q) in enumerate(keys):
        if p == 0 and q > 0:
            L0 = _add(L0, _outer(alphas[k], U[k]))
        elif p > 0 and q > 0:
            V.append(U[k])
    G = sum(1 for p, q in groups if p > 0 and q > 0)
    rv = rank(V, d)
    r = rank(V + L0, d) - rv
    if r > G:
        return False, r, None
    dim = None
    if G == 0:
        dim = sum(p + q for p, q in keys) + m * (sum(p + q - 1 for p, q in keys) - rv)
        for p, q in groups:
            dim += d + (p + q) + (p + q - 1) * m
    return True, r, dim


def _compositions(total: int, parts: int, minimum: int):
    """Tuples of ``parts`` numbers ``≥ minimum`` summing to at most ``total`` (as (tuple, used))."""
    if parts == 0:
        yield (), 0
        return
    for first in range(minimum, total + 1):
        for rest, used in _compositions(total - first, parts - 1, minimum):
            yield (first,) + rest, first + used


def _key_profiles(nkeys: int, budget: int):
    """Per key ``(p, q)`` with ``p + q ≥ 1``, total ``≤ budget`` (every later key keeps one unit)."""
    if nkeys == 0:
        yield (), 0
        return
    for size in range(1, budget - (nkeys - 1) + 1):
        for p in range(0, size + 1):
            for rest, used in _key_profiles(nkeys - 1, budget - size):
                yield ((p, size - p),) + rest, size + used


def _group_profiles(budget: int, smallest=(0, 0)):
    """Multisets of groups ``(p, q)`` with ``p + q ≥ 2`` (non-decreasing), total ``≤ budget``."""
    yield (), 0
    for size in range(2, budget + 1):
        for p in range(0, size + 1):
            g = (p, size - p)
            if (size, g) < (smallest[0] + smallest[1], smallest):
                continue
            for rest, used in _group_profiles(budget - size, g):
                yield (g,) + rest, size + used


# ---------------------------------------------------------------------------------------------
# the fiber
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    """The result of :meth:`Fiber.classify`: ``member`` and, if so, the unit types."""

    member: bool
    reason: str
    assignment: tuple = ()  # per unit: "inert" or (key index, ±1) or ("free", group index, ±1)


class Fiber:
    """The fiber of a rational ReLU network with one hidden layer (see the module docstring)."""

    def __init__(self, net: Network, width: int | None = None):
        if net.activation != "relu":
            raise UnsupportedError(f"fibers here are for ReLU networks, got a {net.activation} network")
        if net.depth != 1:
            raise UnsupportedError("the fiber is described for networks with exactly one hidden layer"
                                   f" (this network has {net.depth}); deeper fibers are not supported")
        if not net.is_rational:
            raise UnsupportedError("fibers need rational weights (exact ranks over Q)")
        self.network = net
        self.form = canonical_form(net)
        self.width = net.hidden_widths[0] if width is None else width
        self.d, self.m = net.input_dim, net.output_dim
        self.truncated = False

    # -- pieces ----------------------------------------------------------------------------------
    @cached_property
    def pieces(self) -> tuple[Piece, ...]:
        """All feasible pieces (profiles up to permutation), at most :data:`MAX_PIECES`."""
        out = []
        n = self.width
        nk = len(self.form.terms)
        examined = 0
        for keys, used in _key_profiles(nk, n):
            for groups, gused in _group_profiles(n - used):
                examined += 1
                if examined > MAX_CANDIDATES:
                    self.truncated = True
                    return tuple(out)
                inert = n - used - gused
                ok, r, dim = _piece_data(self.form, keys, groups, self.d, self.m)
                if not ok:
                    continue
                if dim is not None:
                    dim += inert * max(self.d + 1, self.m + 1)
                G = sum(1 for p, q in groups if p > 0 and q > 0)
                essential = G >= 2 or (G == 1 and r == 1)
                out.append(Piece(keys, inert, groups, r, dim, essential))
                if len(out) >= MAX_PIECES:
                    self.truncated = True
                    return tuple(out)
        return tuple(out)

    @property
    def dimension(self) -> int | None:
        """The largest piece dimension (``None`` if a piece with mixed free groups is feasible)."""
        dims = [p.dimension for p in self.pieces]
        if not dims or any(v is None for v in dims):
            return None
        return max(dims)

    # -- membership ------------------------------------------------------------------------------
    def classify(self, other: Network) -> Membership:
        """Whether ``other`` (same architecture) is in the fiber, by the unit types and constraints."""
        if other.activation != "relu" or other.depth != 1:
            raise InputError("fiber membership needs a ReLU network with one hidden layer")
        if other.input_dim != self.d or other.output_dim != self.m:
            raise InputError("fiber membership needs a network with the same input and output dimensions")
        if other.hidden_widths[0] != self.width:
            return Membership(False, f"width {other.hidden_widths[0]} ≠ {self.width}")
        hidden, out = other.layers
        index = {key: k for k, (key, _al) in enumerate(self.form.terms)}
        sums: dict = {}
        free: dict = {}
        L = [[fmpq(0)] * self.d for _ in range(self.m)]
        C = list(out.bias)
        assignment = []
        for i in range(self.width):
            a = out.column(i)
            w, b = hidden.weight[i], hidden.bias[i]
            if all(v == 0 for v in a):
                assignment.append("inert")
                continue
            if all(v == 0 for v in w):
                assignment.append("inert")
                if sign(b) > 0:
                    C = [cv + av * b for cv, av in zip(C, a)]
                continue
            key, s, lam = _normalize_key(w, b)
            mu = [lam * v for v in a]
            if key in index:
                assignment.append((index[key], s))
            else:
                g = free.setdefault(key, len(free))
                assignment.append(("free", g, s))
            prev = sums.get(key)
            sums[key] = mu if prev is None else [x + y for x, y in zip(prev, mu)]
            if s < 0:
                u, beta = key
                L = _add(L, _outer(mu, u), -1)
                C = [cv - mv * beta for cv, mv in zip(C, mu)]
        for key, (_k, alpha) in zip(index, self.form.terms):
            if list(sums.get(key, [fmpq(0)] * self.m)) != list(alpha):
                return Membership(False, "the output weights on a kink hyperplane of the function do not add up")
        for key in free:
            if any(v != 0 for v in sums[key]):
                return Membership(False, "a kink on a hyperplane where the function has none")
        if [list(r) for r in self.form.linear] != L:
            return Membership(False, "the linear part differs")
        if list(self.form.constant) != C:
            return Membership(False, "the constant differs")
        return Membership(True, "all constraints hold", tuple(assignment))

    def contains(self, other: Network) -> bool:
        return self.classify(other).member

    def piece_of(self, other: Network) -> Piece | None:
        """The piece (profile) of a member, ``None`` for a non-member."""
        res = self.classify(other)
        if not res.member:
            return None
        nk = len(self.form.terms)
        keys = [[0, 0] for _ in range(nk)]
        groups: dict = {}
        inert = 0
        for t in res.assignment:
            if t == "inert":
                inert += 1
            elif t[0] == "free":
                g = groups.setdefault(t[1], [0, 0])
                g[0 if t[2] > 0 else 1] += 1
            else:
                keys[t[0]][0 if t[1] > 0 else 1] += 1
        gs = tuple(sorted((p, q) for p, q in groups.values()))
        for piece in self.pieces:
            if piece.keys == tuple(map(tuple, keys)) and piece.inert == inert and piece.groups == gs:
                return piece
        if self.truncated:
            return None
        raise AssertionError("a member outside every piece")  # pragma: no cover

    # -- symmetries ------------------------------------------------------------------------------
    def orbit_is_fiber(self) -> bool | None:
        """Whether the fiber is the orbit of the network under permutations and positive scalings
        (no hidden symmetries; see the module docstring); ``None`` if the pieces were truncated."""
        own = self.piece_of(self.network)
        if own is not None and (own.inert or own.groups or own.dimension != sum(p + q for p, q in own.keys)):
            return False
        if self.truncated:
            return False if len(self.pieces) > 1 else None
        return len(self.pieces) == 1

    # -- components ------------------------------------------------------------------------------
    def components(self) -> Components:
        """The connected components of the fiber (see the module docstring for the proof and for
        when the answer is unknown)."""
        if self.truncated or len(self.pieces) >= MAX_PIECES:
            return Components(None, f"more than {MAX_PIECES} pieces")
        for piece in self.pieces:
            if piece.essential:
                return Components(None, "a piece has an essential mixed free group (a cancelling pair of opposite"
                                        " orientations on a hyperplane outside the kinks carrying a rank-one part of"
                                        f" the linear term: {piece.describe(self.form)}); its connectivity is not"
                                        " decided")
        nk, n = len(self.form.terms), self.width
        labels = ["inert"] + [(k, s) for k in range(nk) for s in (1, -1)]
        if len(labels) ** n > MAX_ASSIGNMENTS:
            return Components(None, f"{len(labels)}^{n} labelled assignments exceed the limit {MAX_ASSIGNMENTS}")
        feasible_profiles: dict = {}

        def feasible(sigma) -> bool:
            keys = [[0, 0] for _ in range(nk)]
            for t in sigma:
                if t != "inert":
                    keys[t[0]][0 if t[1] > 0 else 1] += 1
            prof = tuple(map(tuple, keys))
            if prof not in feasible_profiles:
                ok = all(p + q >= 1 for p, q in prof) and _piece_data(self.form, prof, (), self.d, self.m)[0]
                feasible_profiles[prof] = ok
            return feasible_profiles[prof]

        nodes = [sigma for sigma in itertools.product(labels, repeat=n) if feasible(sigma)]
        parent = {s: s for s in nodes}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for sigma in nodes:
            for i, t in enumerate(sigma):
                if t == "inert":
                    continue
                other = sigma[:i] + ("inert",) + sigma[i + 1:]
                if other in parent:
                    ra, rb = find(sigma), find(other)
                    if ra != rb:
                        parent[ra] = rb
        roots: dict = {}
        for sigma in nodes:
            roots.setdefault(find(sigma), sigma)
        # components modulo permutations: identify components sharing a sorted type multiset
        owner: dict = {}
        quotient = {r: r for r in roots}

        def qfind(x):
            while quotient[x] != x:
                quotient[x] = quotient[quotient[x]]
                x = quotient[x]
            return x

        for sigma in nodes:
            prof = tuple(sorted(map(str, sigma)))
            r = find(sigma)
            if prof in owner:
                ra, rb = qfind(owner[prof]), qfind(r)
                if ra != rb:
                    quotient[ra] = rb
            else:
                owner[prof] = r
        classes = len({qfind(r) for r in roots})
        reps = []
        rnd = random.Random(0)
        for sigma in roots.values():
            reps.append(self._sample_assignment(sigma, (), rnd))
        return Components(len(roots), "decided exactly (no essential mixed free group)", tuple(reps), len(nodes),
                          classes)

    # -- sampling --------------------------------------------------------------------------------
    def sample(self, count: int = 1, seed: int | None = None, piece: Piece | None = None) -> list[Network]:
        """``count`` exact random members (a random piece each unless ``piece`` is given)."""
        rnd = random.Random(seed)
        pieces = [piece] if piece is not None else list(self.pieces)
        if not pieces:
            return []
        out = []
        while len(out) < count:
            pc = rnd.choice(pieces)
            sigma = []
            for k, (p, q) in enumerate(pc.keys):
                sigma += [(k, 1)] * p + [(k, -1)] * q
            sigma += ["inert"] * pc.inert
            groups = []
            for g, (p, q) in enumerate(pc.groups):
                sigma += [("free", g, 1)] * p + [("free", g, -1)] * q
                groups.append((p, q))
            rnd.shuffle(sigma)
            out.append(self._sample_assignment(tuple(sigma), tuple(groups), rnd))
        return out

    def _sample_assignment(self, sigma, groups, rnd: random.Random) -> Network:
        for _attempt in range(50):
            net = self._try_sample(sigma, groups, rnd)
            if net is not None and canonical_form(net) == self.form:
                return net
        raise AssertionError("could not sample a member of a feasible piece")  # pragma: no cover

    def _try_sample(self, sigma, groups, rnd: random.Random) -> Network | None:
        d, m = self.d, self.m
        terms = self.form.terms
        nk = len(terms)

        def q(lo=-5, hi=5):
            return fmpq(rnd.randint(lo, hi), rnd.randint(1, 4))

        def pos():
            return fmpq(rnd.randint(1, 8), rnd.randint(1, 4))

        counts = [[0, 0] for _ in range(nk)]
        for t in sigma:
            if t != "inert" and t[0] != "free":
                counts[t[0]][0 if t[1] > 0 else 1] += 1
        U = [list(u) for (u, _b), _a in terms]
        alphas = [list(a) for _k, a in terms]
        L0 = [list(r) for r in self.form.linear]
        mixed = [k for k, (p, qq) in enumerate(counts) if p > 0 and qq > 0]
        for k, (p, qq) in enumerate(counts):
            if p == 0 and qq > 0:
                L0 = _add(L0, _outer(alphas[k], U[k]))
        # split L0 into its part in V = span{u_k : k mixed} and the rest (rows modulo V)
        Vrows, _piv = rref([U[k] for k in mixed], d)
        L0V, Lperp = _project(L0, Vrows, d)
        # negative parts A_k of mixed keys: −Σ A_k u_k^T = L0V
        A = {}
        basis, rest = independent_subset([U[k] for k in mixed], d)
        target = [list(r) for r in L0V]
        for idx in rest:
            k = mixed[idx]
            A[k] = [q() for _ in range(m)]
            target = _add(target, _outer(A[k], U[k]))  # −A u^T moved to the other side
        if basis:
            B = [U[mixed[i]] for i in basis]
            coeff = solve_rows(target, B, d)  # target = Σ c_j B_j  (per output row)
            if coeff is None:
                return None
            for j, i in enumerate(basis):
                A[mixed[i]] = [-coeff[r][j] for r in range(m)]
        # free groups: mixed ones carry −M_g u_g^T summing to Lperp
        Y, piv = rref(Lperp, d)
        X = [[Lperp[r][c] for c in piv] for r in range(m)]
        mixed_groups = [g for g, (p, qq) in enumerate(groups) if p > 0 and qq > 0]
        if len(Y) > len(mixed_groups):
            return None
        gkeys, gneg = {}, {}
        used_keys = {key for key, _ in terms}
        for t, g in enumerate(mixed_groups):
            if t < len(Y):
                u = Y[t]
                gneg[g] = [-X[r][t] for r in range(m)]
            elif (len(mixed_groups) - t) % 2 == 0 and t + 1 < len(mixed_groups):
                u = [q() for _ in range(d)]
                gneg[g] = [q() for _ in range(m)]
            elif t > len(Y) and (len(mixed_groups) - t) % 2 == 1 and gkeys.get(mixed_groups[t - 1]) is not None \
                    and t - 1 >= len(Y):
                prev = mixed_groups[t - 1]
                u = list(gkeys[prev][0])
                gneg[g] = [-v for v in gneg[prev]]
            else:
                u = [q() for _ in range(d)]
                gneg[g] = [fmpq(0)] * m
            if all(v == 0 for v in u):
                return None
            p0 = next(k for k, v in enumerate(u) if v != 0)
            c0 = u[p0]
            u = [v / c0 for v in u]
            gneg[g] = [v * c0 for v in gneg[g]]
            key = Key(tuple(u), q())
            if key in used_keys:
                return None
            used_keys.add(key)
            gkeys[g] = key
        for g, (p, qq) in enumerate(groups):
            if g not in gkeys:
                u = [q() for _ in range(d)]
                if all(v == 0 for v in u):
                    return None
                p0 = next(k for k, v in enumerate(u) if v != 0)
                key = Key(tuple(v / u[p0] for v in u), q())
                if key in used_keys:
                    return None
                used_keys.add(key)
                gkeys[g] = key
                gneg[g] = [fmpq(0)] * m
        # totals per (key, orientation)
        totals = {}
        for k, (p, qq) in enumerate(counts):
            neg = alphas[k] if p == 0 else (A[k] if qq > 0 else [fmpq(0)] * m)
            totals[(k, 1)] = [x - y for x, y in zip(alphas[k], neg)]
            totals[(k, -1)] = list(neg)
        for g in range(len(groups)):
            totals[("free", g, -1)] = gneg[g]
            totals[("free", g, 1)] = [-v for v in gneg[g]]
        members: dict = {}
        for i, t in enumerate(sigma):
            if t != "inert":
                members.setdefault(t, []).append(i)
        mus = {}
        for t, idx in members.items():
            total = totals[t]
            acc = [fmpq(0)] * m
            for i in idx[:-1]:
                mu = [q() for _ in range(m)]
                mus[i] = mu
                acc = [x + y for x, y in zip(acc, mu)]
            mus[idx[-1]] = [x - y for x, y in zip(total, acc)]
        W, b, a_cols = [], [], []
        c = list(self.form.constant)
        for i, t in enumerate(sigma):
            if t == "inert":
                kind = rnd.choice(("z", "dead", "live"))
                if kind == "z":
                    w = [q() for _ in range(d)]
                    W.append(w)
                    b.append(q())
                    a_cols.append([fmpq(0)] * m)
                elif kind == "dead":
                    W.append([fmpq(0)] * d)
                    b.append(-pos() if rnd.random() < 0.8 else fmpq(0))
                    a_cols.append([q() for _ in range(m)])
                else:
                    bb = pos()
                    av = [q() for _ in range(m)]
                    W.append([fmpq(0)] * d)
                    b.append(bb)
                    a_cols.append(av)
                    c = [cv - x * bb for cv, x in zip(c, av)]
                continue
            if t[0] == "free":
                (u, beta), s = gkeys[t[1]], t[2]
            else:
                (u, beta), s = terms[t[0]][0], t[1]
            lam = pos()
            W.append([s * lam * v for v in u])
            b.append(s * lam * beta)
            a_cols.append([v / lam for v in mus[i]])
            if s < 0:
                c = [cv + x * beta for cv, x in zip(c, mus[i])]
        A2 = [[a_cols[i][r] for i in range(len(sigma))] for r in range(m)]
        return Network("relu", (Layer(tuple(map(tuple, W)), tuple(b)), Layer(tuple(map(tuple, A2)), tuple(c))))

    # -- output ----------------------------------------------------------------------------------
    def to_obj(self, limit: int | None = None) -> dict:
        pieces = self.pieces if limit is None else self.pieces[:limit]
        return {"form": self.form.to_obj(), "width": self.width,
                "pieces": [p.to_obj(self.form) for p in pieces]}


def _project(L0, Vrows, d: int):
    """``(L0V, Lperp)``: ``L0 = L0V + Lperp`` with the rows of ``L0V`` in ``span(Vrows)`` and those of
    ``Lperp`` orthogonal to it (exact orthogonal projection)."""
    if not Vrows:
        return [[fmpq(0)] * d for _ in L0], [list(r) for r in L0]
    k = len(Vrows)
    B = fmpq_mat(k, d, [v for r in Vrows for v in r])
    G = B * B.transpose()
    Ginv = G.inv()
    L0V = []
    for row in L0:
        t = fmpq_mat(d, 1, list(row))
        coeff = Ginv * (B * t)
        proj = B.transpose() * coeff
        L0V.append([proj[i, 0] for i in range(d)])
    return L0V, [[x - y for x, y in zip(r, p)] for r, p in zip(L0, L0V)]


def fiber(net: Network) -> Fiber:
    """The fiber of ``net`` (one hidden layer, rational weights) on ``R^n``."""
    return Fiber(net)


def format_key(key: Key) -> str:
    u, beta = key
    terms = [f"{format_number(v)}*x{k + 1}" for k, v in enumerate(u) if v != 0]
    return " + ".join(terms) + f" + {format_number(beta)}"


__all__ = ["Components", "Membership", "Piece", "Fiber", "fiber"]
