"""The fiber of a generic bottleneck three-layer parameter as a finite union of explicit
semi-algebraic pieces (docs/relu-three-layer.md §6).

Let ``θ*`` be the canonical form (:mod:`.canonical`) with first-layer keys ``(w*_i, b*_i)``
(``|w*_i[p_i]| = 1``), orthant form ``Σ_κ α_κ σ(u_κ·h + β_κ) + C* h + c0*`` and, possibly, a
transferable first-layer neuron ``t``. A parameter ``θ`` of the same widths lies in the fiber iff,
after permuting both hidden layers, it has the form described by one *piece*:

* first layer: ``(W1[i,:], b1[i]) = λ_i (w*_i, b*_i)`` with ``λ_i = w*_i[p_i]·W1[i,p_i] > 0``; for
  ``t`` the bias is ``λ_t (b*_t + δ)`` with ``δ ≥ 0`` (M3); ``δ > 0`` turns the identity part
  ``C*[:,t] h_t`` into the key ``σ(h_t − δ)`` (M6) — pieces with ``branch = "transfer"``;
* each second-layer slot has a *role*: a key ``κ`` with orientation ``±`` (its row is a positive
  multiple of ``±(u_κ, β_κ − δ u_κ,t)`` in the scaled coordinates), ``active`` (row, bias ``≥ 0``),
  ``dead`` (row, bias ``≤ 0``) or ``silent`` (zero outgoing column);
* the output equations: every key's ``α``, the linear part ``C*`` and the constant ``c0*`` are
  reproduced (degree ≤ 3 polynomial equations in the named parameters).

The pieces are listed for one ordering of the slots (the group ``S_{n1} × S_{n2}`` of permutations
acts; the full fiber is the union of the permuted copies). Each piece reports its equalities and
inequalities (printable, JSON-able), an exact sample (verified equivalent by the decider), its
dimension (``D − rank`` of the Jacobian of its equalities at the sample) and whether ``θ`` itself
lies in it; the piece of ``θ`` is cross-checked against ``D − dim_fun(θ)``.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from dataclasses import dataclass, field

from flint import fmpq, fmpq_mat

from ...deadline import NO_DEADLINE, Deadline, TimeLimitReached
from .structure import renamed
from .canonical import NotApplicable, canonicalize
from .params import ZERO, ThreeLayer, as_params


#: What a cooperative time-limit checkpoint of the fiber procedures names.
WHAT = "the fiber description (two hidden layers)"


def _named(fn):
    """Time limits reached inside a fiber procedure name it, also when the deadline passed in a
    procedure it calls (the canonical form, the structural decider)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TimeLimitReached as exc:
            raise renamed(exc, WHAT) from exc

    return wrapper


def parameter_names(widths) -> list[str]:
    """``W1[i,j]``, ``b1[i]``, … (1-based) in the library order (layer by layer, weights row by row,
    then biases)."""
    names = []
    for li in range(1, len(widths)):
        for i in range(widths[li]):
            for j in range(widths[li - 1]):
                names.append(f"W{li}[{i + 1},{j + 1}]")
        for i in range(widths[li]):
            names.append(f"b{li}[{i + 1}]")
    return names


def flat(p: ThreeLayer) -> list:
    out = []
    for W, b in ((p.W1, p.b1), (p.W2, p.b2), (p.W3, p.b3)):
        for r in W:
            out.extend(r)
        out.extend(b)
    return out


@dataclass(frozen=True)
class Piece:
    """One semi-algebraic piece: ``equalities == 0`` and ``(expr, op)`` inequalities (``op`` is ``>``
    or ``>=``) in the named parameters; roles of the slots; sample and dimension."""

    roles1: tuple
    roles2: tuple
    branch: str
    equalities: tuple
    inequalities: tuple
    dimension: int | None
    sample: ThreeLayer | None
    sample_equivalent: bool | None
    contains_parameter: bool
    empty: bool | None = None  # True: proved empty; False: has a sample; None: undecided


    def to_obj(self, deadline: Deadline = NO_DEADLINE) -> dict:
        """The JSON form; printing large polynomials takes a while, so ``deadline`` is checked per
        equation (raising :class:`~exactnet.deadline.TimeLimitReached` naming :data:`WHAT`)."""

        def text(e, tail):
            deadline.check(WHAT)
            return f"{e} {tail}"

        return {"roles": {"layer1": list(self.roles1), "layer2": list(self.roles2)}, "branch": self.branch,
                "equalities": [text(e, "= 0") for e in self.equalities],
                "inequalities": [text(e, f"{op} 0") for e, op in self.inequalities],
                "dimension": self.dimension,
                "sample": None if self.sample is None else self.sample.to_obj(),
                "sample_equivalent": self.sample_equivalent, "contains_parameter": self.contains_parameter,
                "empty": self.empty}


@dataclass(frozen=True)
class Fiber:
    """The pieces (up to permutations of each hidden layer), the parameter's own fiber dimension and its
    cross-check, and the number of connected components when the mathematics determines it."""

    widths: tuple
    pieces: tuple
    complete: bool
    reason: str
    dimension: int | None
    functional_dimension: int | None
    components: int | None
    components_reason: str
    canonical: object = field(repr=False, default=None)

    def to_obj(self, deadline: Deadline = NO_DEADLINE) -> dict:
        """The JSON form (``deadline``: see :meth:`Piece.to_obj`)."""
        return {"widths": list(self.widths), "parameters": parameter_names(self.widths),
                "symmetry": "the pieces are listed up to permutations of each hidden layer (S_n1 x S_n2 acts)",
                "pieces": [p.to_obj(deadline) for p in self.pieces], "complete": self.complete, "reason": self.reason,
                "dimension": self.dimension, "functional_dimension": self.functional_dimension,
                "components": self.components, "components_reason": self.components_reason}

    def contains(self, other) -> bool:
        """Exact membership: ``other`` (same widths) computes the same function (canonical forms)."""
        q = as_params(other)
        if q.widths != tuple(self.widths):
            return False
        c = canonicalize(q)
        if c.form is None:
            from .equivalence import equivalent

            return bool(equivalent(self.canonical.params, q).verdict)
        return c.form == self.canonical


# ---------------------------------------------------------------------------------------------


def _sym(widths):
    import sympy

    names = parameter_names(widths)
    syms = [sympy.Symbol(n) for n in names]
    it = iter(syms)
    n0, n1, n2, n3 = widths
    W1 = [[next(it) for _ in range(n0)] for _ in range(n1)]
    b1 = [next(it) for _ in range(n1)]
    W2 = [[next(it) for _ in range(n1)] for _ in range(n2)]
    b2 = [next(it) for _ in range(n2)]
    W3 = [[next(it) for _ in range(n2)] for _ in range(n3)]
    b3 = [next(it) for _ in range(n3)]
    return syms, W1, b1, W2, b2, W3, b3


def _R(v):
    import sympy

    return sympy.Rational(int(v.p), int(v.q))


def _lead(v):
    return next(k for k, x in enumerate(v) if x != 0)


def _keys_for_branch(star: ThreeLayer, t, transfer: bool):
    """Keys ``(u, β, α)``, ``C``, ``c0`` of the canonical orthant form; on the transfer branch of a
    transferable neuron with ``C[:,t] ≠ 0`` the identity part becomes the key ``e_t`` (β = 0 at δ = 0)."""
    from .structure import orthant_form

    form = orthant_form(star, hidden=t)
    keys = [(u, b, a) for u, b, a in form.keys]
    C = [list(r) for r in form.C]
    if transfer and t is not None and any(r[t] != 0 for r in C):
        keys.append((tuple(fmpq(1) if k == t else ZERO for k in range(star.n1)), ZERO, tuple(r[t] for r in C)))
        for r in C:
            r[t] = ZERO
    return keys, C, list(form.c0)


def _constraints(star, t, transfer, keys, C, c0, roles2, widths, deadline: Deadline = NO_DEADLINE):
    import sympy

    check = deadline.check
    syms, W1, b1, W2, b2, W3, b3 = _sym(widths)
    n0, n1, n2, n3 = widths
    eqs, ineqs = [], []
    lam = []
    for i in range(n1):
        w, b = star.W1[i], star.b1[i]
        p = _lead(w)
        li = _R(w[p]) * W1[i][p]
        lam.append(li)
        ineqs.append((li, ">"))
        for k in range(n0):
            if k != p:
                eqs.append(W1[i][k] - _R(w[k]) * li)
        if i != t:
            eqs.append(b1[i] - _R(b) * li)
    Delta = None
    if t is not None:
        Delta = b1[t] - _R(star.b1[t]) * lam[t]  # = λ_t δ
        # δ > 0 on the transfer branch of a visible transferable neuron (δ = 0 is its canonical
        # branch); δ ≥ 0 for a hidden neuron, whose only branch contains the canonical parameter
        visible = transfer and any(r[t] != 0 for r in _keys_for_branch(star, t, False)[1])
        ineqs.append((Delta, ">" if visible else ">="))
        if not transfer:
            eqs.append(Delta)
            Delta = sympy.Integer(0)
    alpha_acc = [[sympy.Integer(0)] * n3 for _ in keys]
    C_acc = [[sympy.Integer(0)] * n1 for _ in range(n3)]
    c_acc = [b3[s] for s in range(n3)]
    for j, role in enumerate(roles2):
        check(WHAT)
        if role[0] == "key":
            _, kk, sgn = role
            u, beta, _al = keys[kk]
            q = _lead(u)
            uq = _R(u[q])
            mu = sgn * uq * W2[j][q] * lam[q]
            ineqs.append((sgn * uq * W2[j][q], ">"))
            for i in range(n1):
                if i != q:
                    eqs.append(sympy.expand(W2[j][i] * lam[i] * uq - W2[j][q] * lam[q] * _R(u[i])))
            if t is None:
                eqs.append(sympy.expand(b2[j] * uq - W2[j][q] * lam[q] * _R(beta)))
            else:
                eqs.append(sympy.expand(b2[j] * uq * lam[t] - W2[j][q] * lam[q] * (_R(beta) * lam[t] - Delta * _R(u[t]))))
            for s in range(n3):
                alpha_acc[kk][s] += mu * W3[s][j]
                if sgn < 0:
                    for i in range(n1):
                        if u[i] != 0:
                            C_acc[s][i] -= mu * W3[s][j] * _R(u[i])
                    shifted = _R(beta) if t is None else _R(beta) - Delta * _R(u[t]) / lam[t]
                    c_acc[s] -= mu * W3[s][j] * shifted
        elif role == ("active",):
            for i in range(n1):
                ineqs.append((W2[j][i], ">="))
            ineqs.append((b2[j], ">="))
            for s in range(n3):
                for i in range(n1):
                    C_acc[s][i] += W3[s][j] * W2[j][i] * lam[i]
                c_acc[s] += W3[s][j] * b2[j]
        elif role == ("dead",):
            for i in range(n1):
                ineqs.append((-W2[j][i], ">="))
            ineqs.append((-b2[j], ">="))
        else:  # silent
            for s in range(n3):
                eqs.append(W3[s][j])
    for kk, (_u, _b, al) in enumerate(keys):
        check(WHAT)
        for s in range(n3):
            eqs.append(sympy.expand(alpha_acc[kk][s] - _R(al[s])))
    for s in range(n3):
        check(WHAT)
        for i in range(n1):
            eqs.append(sympy.expand(C_acc[s][i] - _R(C[s][i])))
        eqs.append(sympy.fraction(sympy.together(sympy.expand(c_acc[s] - _R(c0[s]))))[0])  # clear λ_t > 0
    check(WHAT)
    eqs = [sympy.expand(e) for e in eqs]
    eqs = [e for e in eqs if e != 0]
    return syms, eqs, ineqs


def _role_lists(nkeys: int, n2: int, need_block: bool, limit: int, deadline: Deadline = NO_DEADLINE):
    """Role assignments up to permutation: counts per key (≥ 1) and flips, then active/dead/silent
    (``deadline`` checked per candidate count vector: most of them can be skipped ones)."""
    out = []
    extra = n2 - nkeys
    if extra < 0:
        return out, True
    for add in itertools.product(range(extra + 1), repeat=nkeys) if nkeys else [()]:
        deadline.check(WHAT)
        used = sum(add)
        if used > extra:
            continue
        rest = extra - used
        counts = [1 + a for a in add]
        for flips in itertools.product(*[range(c + 1) for c in counts]):
            for na in range(rest + 1):
                for nd in range(rest - na + 1):
                    ns = rest - na - nd
                    roles = []
                    for k, (c, f) in enumerate(zip(counts, flips)):
                        roles += [("key", k, 1)] * (c - f) + [("key", k, -1)] * f
                    roles += [("active",)] * na + [("dead",)] * nd + [("silent",)] * ns
                    out.append(tuple(roles))
                    if len(out) >= limit:
                        return out, False
    return out, True


def _sample(star, t, transfer, keys, C, c0, roles2, rnd: random.Random) -> ThreeLayer | None:
    """An exact point of the piece built from its parametrisation (``None`` when the block cannot be built)."""
    n0, n1, n2, n3 = star.widths[0], star.n1, len(roles2), star.n3
    lam = [fmpq(rnd.randint(1, 6), rnd.randint(1, 6)) for _ in range(n1)]
    delta = fmpq(rnd.randint(1, 6), rnd.randint(1, 6)) if transfer else ZERO
    W1 = [tuple(lam[i] * v for v in star.W1[i]) for i in range(n1)]
    b1 = [lam[i] * (star.b1[i] + (delta if i == t else 0)) for i in range(n1)]
    rows, outs = [None] * n2, [None] * n2
    Cn = [list(r) for r in C]
    cn = list(c0)
    by_key: dict = {}
    for j, role in enumerate(roles2):
        if role[0] == "key":
            by_key.setdefault(role[1], []).append(j)
    for kk, slots in by_key.items():
        u, beta, al = keys[kk]
        bt = beta - (delta * u[t] if t is not None else 0)
        shares = [fmpq(rnd.randint(-3, 3), 2) for _ in slots[:-1]]
        shares.append(1 - sum(shares, ZERO))
        for j, sh in zip(slots, shares):
            sgn = roles2[j][2]
            mu = fmpq(rnd.randint(1, 6), rnd.randint(1, 6))
            rows[j] = (tuple(sgn * mu * u[i] / lam[i] for i in range(n1)), sgn * mu * bt)
            outs[j] = tuple(sh * al[s] / mu for s in range(n3))
            if sgn < 0:  # σ(−ℓ) = σ(ℓ) − ℓ: the block must add μ a ℓ
                for s in range(n3):
                    for i in range(n1):
                        Cn[s][i] += mu * outs[j][s] * u[i]
                    cn[s] += mu * outs[j][s] * bt
    active = [j for j, r in enumerate(roles2) if r == ("active",)]
    cols = [i for i in range(n1) if any(Cn[s][i] != 0 for s in range(n3))]
    if cols and not active:
        return None
    if len(cols) > len(active):
        # a single active neuron realises C only if C = a rᵀ with r ≥ 0 (rank one, one-signed)
        if len(active) == 0:
            return None
        ref = next(s for s in range(n3) if any(Cn[s][i] != 0 for i in range(n1)))
        r = [Cn[ref][i] for i in range(n1)]
        if all(v <= 0 for v in r):
            r = [-v for v in r]
        if any(v < 0 for v in r):
            return None
        piv = next(i for i in range(n1) if r[i] != 0)
        a = [Cn[s][piv] / r[piv] for s in range(n3)]
        if any(Cn[s][i] != a[s] * r[i] for s in range(n3) for i in range(n1)):
            return None
        assign = {active[0]: (r, a)}
    else:
        assign = {}
        for j, i in zip(active, cols):
            assign[j] = ([fmpq(1) if m == i else ZERO for m in range(n1)], [Cn[s][i] for s in range(n3)])
    for j in active:
        r, a = assign.get(j, ([ZERO] * n1, [ZERO] * n3))
        c = fmpq(rnd.randint(1, 4), rnd.randint(1, 4))
        bias = fmpq(rnd.randint(0, 4), rnd.randint(1, 4))
        rows[j] = (tuple(c * r[i] / lam[i] for i in range(n1)), bias)
        outs[j] = tuple(v / c for v in a) if any(v != 0 for v in a) else tuple(fmpq(rnd.randint(-3, 3)) for _ in range(n3))
        if not any(v != 0 for v in a):  # an extra active neuron: its contribution goes to the constant only
            if any(v != 0 for v in rows[j][0]):
                rows[j] = (tuple(ZERO for _ in range(n1)), bias)
        for s in range(n3):
            cn[s] -= outs[j][s] * rows[j][1]
    for j, role in enumerate(roles2):
        if role == ("dead",):
            rows[j] = (tuple(-fmpq(rnd.randint(0, 4)) for _ in range(n1)), -fmpq(rnd.randint(0, 4)))
            outs[j] = tuple(fmpq(rnd.randint(-5, 5)) for _ in range(n3))
        elif role == ("silent",):
            rows[j] = (tuple(fmpq(rnd.randint(-5, 5)) for _ in range(n1)), fmpq(rnd.randint(-5, 5)))
            outs[j] = tuple(ZERO for _ in range(n3))
    W2 = [r for r, _b in rows]
    b2 = [b for _r, b in rows]
    W3 = [[outs[j][s] for j in range(n2)] for s in range(n3)]
    return ThreeLayer.make(n0, W1, b1, W2, b2, W3, cn)


def _holds(syms, eqs, ineqs, values, deadline: Deadline = NO_DEADLINE) -> bool:
    sub = {s: _R(v) for s, v in zip(syms, values)}
    for e in eqs:
        deadline.check(WHAT)
        if e.xreplace(sub) != 0:
            return False
    for e, op in ineqs:
        v = e.xreplace(sub)
        if (op == ">" and not v > 0) or (op == ">=" and not v >= 0):
            return False
    return True


def _jacobian_rank(syms, eqs, values) -> int:
    if not eqs:
        return 0
    import sympy

    sub = {s: _R(v) for s, v in zip(syms, values)}
    J = sympy.Matrix(eqs).jacobian(syms).xreplace(sub)
    M = fmpq_mat(J.rows, J.cols, [fmpq(int(x.p), int(x.q)) for x in J])
    return M.rank()


def _roles_of(p: ThreeLayer, star: ThreeLayer, t, keys):
    """The roles of ``p``'s second-layer slots relative to ``star``'s keys (``p`` in the fiber, same
    first-layer order): matched by the normalised key in the canonical coordinates."""
    from .structure import neuron_kind

    lam = [p.W1[i][_lead(star.W1[i])] * star.W1[i][_lead(star.W1[i])] for i in range(p.n1)]
    delta = (p.b1[t] / lam[t] - star.b1[t]) if t is not None else ZERO
    table = {}
    for kk, (u, beta, _a) in enumerate(keys):
        bt = beta - (delta * u[t] if t is not None else 0)
        q = _lead(u)
        table[(tuple(v / u[q] * 1 for v in u), bt / u[q])] = kk
    roles = []
    for j in range(p.n2):
        if all(v == 0 for v in p.out2(j)):
            roles.append(("silent",))
            continue
        r = [p.W2[j][i] * lam[i] for i in range(p.n1)]
        kind = neuron_kind(r, p.b2[j])
        if kind in ("dead", "active"):
            roles.append((kind,))
            continue
        matched = None
        for sgn in (1, -1):
            for kk, (u, beta, _a) in enumerate(keys):
                q = _lead(u)
                if r[q] != 0 and (r[q] > 0) == (sgn * u[q] > 0):
                    c = r[q] / u[q]
                    bt = beta - (delta * u[t] if t is not None else 0)
                    if all(r[i] == c * u[i] for i in range(p.n1)) and p.b2[j] == c * bt:
                        matched = ("key", kk, sgn)
        roles.append(matched or ("unmatched",))
    return roles


@_named
def fiber(net, *, limit: int = 64, seed: int = 0, check_fdim: bool = True,
          deadline: Deadline = NO_DEADLINE) -> Fiber:
    """The fiber of ``net`` (same widths) as pieces; raises :class:`NotApplicable` outside the generic
    bottleneck case or when the parameter has unused first-layer neurons. ``deadline``: cooperative
    checkpoints in every loop (the canonical form, the enumeration of role assignments, each piece's
    constraints, sample, membership and dimension, the functional dimension); when it passes
    :class:`~exactnet.deadline.TimeLimitReached` is raised naming :data:`WHAT`."""
    check = deadline.check
    p = as_params(net)
    c = canonicalize(p, deadline=deadline)
    if c.form is None:
        raise NotApplicable(f"the fiber description needs a generic bottleneck parameter: {c.reason}")
    star = c.form.params
    if star.n1 != p.n1:
        raise NotApplicable("the parameter has unused first-layer neurons; their fiber is not described")
    t = c.form.hidden
    widths = p.widths
    D = p.num_parameters
    rnd = random.Random(seed)
    # the parameter itself, brought into the canonical slot order of the first layer
    order1 = _match_first(p, star)
    pperm = _perm1(p, order1)
    from .equivalence import equivalent

    pieces = []
    complete = True
    for transfer, keys, C, c0, role_lists, done in _branches(star, t, p.n2, limit, deadline):
        complete = complete and done
        own = None
        if order1 is not None:
            own_roles = _roles_of(pperm, star, t, keys)
            if ("unmatched",) not in own_roles:
                own = own_roles
        for roles2 in role_lists:
            check(WHAT)
            syms, eqs, ineqs = _constraints(star, t, transfer, keys, C, c0, roles2, widths, deadline)
            sample = _sample(star, t, transfer, keys, C, c0, roles2, rnd)
            dim, verified = None, None
            if sample is not None and _holds(syms, eqs, ineqs, flat(sample), deadline):
                check(WHAT)
                dim = D - _jacobian_rank(syms, eqs, flat(sample))
                verified = equivalent(star, sample, deadline=deadline).verdict
            else:
                sample = None
            contains = False
            if own is not None and sorted(own) == sorted(roles2):
                perm2 = _perm2_to(own, roles2)
                q = _perm2(pperm, perm2)
                contains = _holds(syms, eqs, ineqs, flat(q), deadline)
            if sample is not None:
                empty = False
            elif any(e.is_number for e in eqs):  # an equation "non-zero constant = 0"
                empty = True
            else:
                empty = _keys_only_empty(keys, C, roles2)
            pieces.append(Piece((("visible",) * p.n1 if t is None else
                                 tuple("transferable" if i == t else "visible" for i in range(p.n1))),
                                tuple(_role_name(r) for r in roles2), "transfer" if transfer else "canonical",
                                tuple(eqs), tuple(ineqs), dim, sample, verified, contains, empty))
    own_piece = [x for x in pieces if x.contains_parameter]
    dim = max((x.dimension for x in own_piece if x.dimension is not None), default=None)
    fd = None
    if check_fdim:
        from ..functional_dimension import functional_dimension

        fd = functional_dimension(p.to_network(), deadline=deadline).value
        check(WHAT)  # a partial answer of the functional dimension when the deadline passed inside it
    comps, why = _components(pieces, p, t) if complete else (None, "not determined (the enumeration is incomplete)")
    reason = "all role assignments enumerated" if complete else f"enumeration truncated (limit {limit})"
    return Fiber(widths, tuple(pieces), complete, reason, dim, fd, comps, why, c.form)


def _branches(star: ThreeLayer, t, n2: int, limit: int, deadline: Deadline = NO_DEADLINE):
    """``(transfer, keys, C, c0, role lists, complete)`` for each branch, in the order of the pieces."""
    branches = [False]
    if t is not None:
        _keys0, C0, _ = _keys_for_branch(star, t, False)
        branches = [False, True] if any(r[t] != 0 for r in C0) else [True]
    for transfer in branches:
        keys, C, c0 = _keys_for_branch(star, t, transfer)
        need_block = any(v != 0 for r in C for v in r)
        role_lists, done = _role_lists(len(keys), n2, need_block, limit, deadline)
        yield transfer, keys, C, c0, role_lists, done


@_named
def piece_index(fib: Fiber, other, *, limit: int = 64, deadline: Deadline = NO_DEADLINE) -> int | None:
    """The index (in ``fib.pieces``) of a piece containing ``other`` after permuting its hidden layers,
    checked exactly on the piece's equalities and inequalities; ``None`` when no listed piece contains
    it (then ``other`` is not in the fiber, or the enumeration was truncated)."""
    q = as_params(other)
    if q.widths != tuple(fib.widths) or fib.canonical is None:
        return None
    star, t = fib.canonical.params, fib.canonical.hidden
    order1 = _match_first(q, star)
    if order1 is None:
        return None
    qperm = _perm1(q, order1)
    index = 0
    for transfer, keys, C, c0, role_lists, _done in _branches(star, t, q.n2, limit, deadline):
        own = _roles_of(qperm, star, t, keys)
        for roles2 in role_lists:
            deadline.check(WHAT)
            if ("unmatched",) not in own and sorted(own) == sorted(roles2):
                syms, eqs, ineqs = _constraints(star, t, transfer, keys, C, c0, roles2, q.widths, deadline)
                if _holds(syms, eqs, ineqs, flat(_perm2(qperm, _perm2_to(own, roles2))), deadline):
                    return index
            index += 1
    return None


@_named
def samples(net, count: int, *, seed: int = 0, limit: int = 64, tries: int = 8,
            deadline: Deadline = NO_DEADLINE) -> list:
    """``count`` exact members of the fiber of ``net`` (same widths), drawn from the pieces' explicit
    parametrisations in turn: ``[(piece index, parameter), ...]``. Each sample satisfies its piece's
    equalities and inequalities exactly and is proved equivalent to ``net`` by the structural decider
    (a verified move chain); a draw that fails either test is discarded. Fewer than ``count`` samples
    are returned only when no piece yields one."""
    from .equivalence import equivalent

    p = as_params(net)
    c = canonicalize(p, deadline=deadline)
    if c.form is None:
        raise NotApplicable(f"the fiber description needs a generic bottleneck parameter: {c.reason}")
    star, t = c.form.params, c.form.hidden
    rnd = random.Random(seed)
    specs = []
    for transfer, keys, C, c0, role_lists, _done in _branches(star, t, p.n2, limit, deadline):
        specs += [(transfer, keys, C, c0, roles2) for roles2 in role_lists]
    out: list = []
    live = list(range(len(specs)))
    while len(out) < count and live:
        for index in list(live):
            if len(out) >= count:
                break
            transfer, keys, C, c0, roles2 = specs[index]
            got = None
            for _ in range(tries):
                deadline.check(WHAT)
                q = _sample(star, t, transfer, keys, C, c0, roles2, rnd)
                if q is None:
                    break
                syms, eqs, ineqs = _constraints(star, t, transfer, keys, C, c0, roles2, p.widths, deadline)
                if _holds(syms, eqs, ineqs, flat(q), deadline) and equivalent(p, q, deadline=deadline).verdict is True:
                    got = q
                    break
            if got is None:
                live.remove(index)
            else:
                out.append((index, got))
    return out


def _keys_only_empty(keys, C, roles2) -> bool | None:
    """A piece whose slots are the keys, once each, is empty iff the flipped keys' linear parts
    ``Σ α_κ u_κᵀ`` differ from ``−C*`` (each ``μ_j a_j = α_κ`` is forced; the constant is free via b3)."""
    idx = [r[1] for r in roles2 if r[0] == "key"]
    if len(idx) != len(roles2) or sorted(idx) != list(range(len(keys))):
        return None
    n3, n1 = len(C), len(C[0]) if C else 0
    Cn = [list(r) for r in C]
    for r in roles2:
        if r[2] < 0:
            u, _b, al = keys[r[1]]
            for s_ in range(n3):
                for i in range(n1):
                    Cn[s_][i] += al[s_] * u[i]
    return any(v != 0 for row in Cn for v in row)


def _role_name(r) -> str:
    if r[0] == "key":
        return f"key{r[1] + 1}{'+' if r[2] > 0 else '-'}"
    return r[0]


def _match_first(p: ThreeLayer, star: ThreeLayer):
    """``order[i]`` = the slot of ``p`` holding canonical first-layer neuron ``i`` (hyperplane direction)."""
    order = []
    for i in range(star.n1):
        w = star.W1[i]
        q = _lead(w)
        hit = None
        for k in range(p.n1):
            c = p.W1[k][q] * w[q]
            if c > 0 and all(p.W1[k][m] == c * w[m] for m in range(p.n0)) and k not in order:
                hit = k
                break
        if hit is None:
            return None
        order.append(hit)
    return order


def _perm1(p, order):
    from .moves import Permute

    return p if order is None else Permute(1, tuple(order)).apply(p)


def _perm2(p, order):
    from .moves import Permute

    return Permute(2, tuple(order)).apply(p)


def _perm2_to(own, roles2):
    """An order taking slots with roles ``own`` to the slot order ``roles2``."""
    pool: dict = {}
    for j, r in enumerate(own):
        pool.setdefault(r, []).append(j)
    return [pool[r].pop(0) for r in roles2]


def _components(pieces, p: ThreeLayer, t) -> tuple[int | None, str]:
    """Connected components, when determined: a single piece whose roles are keys ``+`` only is the
    orbit of the positive scalings (and of the transfer half-line) — connected — so the fiber has one
    component per element of ``S_n1 × S_n2`` (all canonical neurons are distinct); the M6 pattern (a
    canonical branch with one active neuron and a transfer branch whose key tends to it as δ → 0)
    is connected too."""
    if any(x.empty is None for x in pieces):
        return None, "not determined (a piece without a sample is not proved empty)"
    real = [x for x in pieces if not x.empty]
    perms = math.factorial(p.n1) * math.factorial(p.n2)
    if len(real) == 1 and all(r.startswith("key") for r in real[0].roles2) and \
            len(set(r[:-1] for r in real[0].roles2)) == len(real[0].roles2):
        return perms, "one piece: the orbit of the positive scalings (and the transfer half-line), connected;" \
                      " one component per permutation of the hidden layers"
    if (len(real) == 2 and p.n2 == 1 and {x.branch for x in real} == {"canonical", "transfer"}
            and {x.roles2 for x in real} == {("active",), ("key1+",)}):
        return perms, "the transfer branch's key σ(h − δ) tends to the active neuron σ(h) as δ → 0: the two" \
                      " pieces are glued (M6)"
    return None, "not determined"


__all__ = ["Fiber", "Piece", "fiber", "flat", "parameter_names", "piece_index", "samples"]
