"""The conservation-law computation as it was before the FLINT rewrite (SymPy polynomials, one exact rank per
candidate): kept only as the reference that ``test_laws_reference.py`` compares the production module
with (the checks of the input, the data and the result types are the production ones). Not imported by
the package."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.deadline import NO_DEADLINE, Deadline, TimeLimitReached
from exactnet.network import Network
from exactnet.linalg import rank
from exactnet.relu.three_layer.laws import WHAT, Law, Laws, NoLaw, _pattern, _visited
from exactnet.relu.three_layer.structure import renamed


def _names(widths) -> list[str]:
    from exactnet.relu.three_layer.fiber import parameter_names

    return parameter_names(widths)


def _R(v):
    import sympy

    return sympy.Rational(int(v.p), int(v.q))


def _symbolic(net: Network):
    import sympy

    names = _names(net.widths)
    syms = [sympy.Symbol(n) for n in names]
    it = iter(syms)
    layers = []
    for L in net.layers:
        W = [[next(it) for _ in range(L.in_dim)] for _ in range(L.out_dim)]
        b = [next(it) for _ in range(L.out_dim)]
        layers.append((W, b))
    return syms, layers


def _affine(layers, pattern, n0):
    """``(A, c)`` of the network on the activation pattern (one 0/1 tuple per hidden layer)."""
    import sympy

    M = [[sympy.Integer(1) if i == k else sympy.Integer(0) for k in range(n0)] for i in range(n0)]
    v = [sympy.Integer(0)] * n0
    for li, (W, b) in enumerate(layers):
        M2 = [[sympy.expand(sum(W[r][m] * M[m][k] for m in range(len(M)))) for k in range(n0)] for r in range(len(W))]
        v2 = [sympy.expand(sum(W[r][m] * v[m] for m in range(len(v))) + b[r]) for r in range(len(W))]
        if li < len(layers) - 1:
            mask = pattern[li]
            M2 = [row if mask[r] else [sympy.Integer(0)] * n0 for r, row in enumerate(M2)]
            v2 = [x if mask[r] else sympy.Integer(0) for r, x in enumerate(v2)]
        M, v = M2, v2
    return M, v


def _values(fields, sub) -> list[list[fmpq]]:
    out = []
    for F in fields:
        row = []
        for e in F:
            v = e.xreplace(sub)
            row.append(fmpq(int(v.p), int(v.q)))
        out.append(row)
    return out


def _bracket(X, Y, syms, cache):
    import sympy

    def jac(F):
        key = id(F)
        if key not in cache:
            cache[key] = (F, sympy.Matrix(F).jacobian(syms))
        return cache[key][1]

    Z = jac(Y) * sympy.Matrix(X) - jac(X) * sympy.Matrix(Y)
    return [sympy.expand(z) for z in Z]


def _dot(a, b):
    import sympy

    return sympy.expand(sum(x * y for x, y in zip(a, b)))


def laws(net: Network, data=None, *, max_depth: int = 4, seed: int = 0, deadline: Deadline = NO_DEADLINE) -> Laws:
    """The reference computation (the production signature and time-limit handling)."""
    try:
        return _laws(net, data, max_depth, seed, deadline)
    except TimeLimitReached as exc:
        raise renamed(exc, WHAT) from exc


def _laws(net: Network, data, max_depth: int, seed: int, deadline: Deadline) -> Laws:
    import sympy

    check = deadline.check

    data, patterns, complete_data = _visited(net, data, deadline)
    n0 = net.input_dim
    syms, layers = _symbolic(net)
    theta = list(net.parameter_vector())
    sub = {s: _R(v) for s, v in zip(syms, theta)}
    D = len(syms)
    # generating fields: gradients of the entries of A_π, c_π
    gens = []
    for pat in patterns:
        check(WHAT)
        A, c = _affine(layers, pat, n0)
        for e in [x for row in A for x in row] + list(c):
            check(WHAT)
            if e != 0:
                gens.append([sympy.diff(e, s) for s in syms])
    rnd = random.Random(seed)
    probes = [sub] + [{s: v + sympy.Rational(rnd.randint(-9, 9), 997) for s, v in sub.items()} for _ in range(2)]

    basis, rows = [], []
    for F in gens:  # prune to fields independent as functions (tested at θ and nearby points)
        check(WHAT)
        cand = rows + [tuple(v for pr in probes for v in _values([F], pr)[0])]
        if rank(cand, D * len(probes)) > len(rows):
            basis.append(F)
            rows = cand
    # explicit laws
    found = []

    def verify(Q):
        grad = [sympy.diff(Q, s) for s in syms]
        for F in gens:
            check(WHAT)
            if _dot(grad, F) != 0:
                return False
        return True

    hidden_layers = len(layers) - 1
    for li in range(hidden_layers):
        W, b = layers[li]
        Wn, _ = layers[li + 1]
        for j in range(len(W)):
            Q = sympy.expand(sum(v ** 2 for v in W[j]) + b[j] ** 2 - sum(row[j] ** 2 for row in Wn))
            found.append(Law(f"neuron {li + 1}.{j + 1}", "neuron", str(Q), "everywhere (positive homogeneity)",
                             verify(Q), _exact(Q, sub), Q))
    no_laws = []
    if hidden_layers == 2:
        W2, b2 = layers[1]
        W3, _ = layers[2]
        L2 = net.layers[1]
        active = [j for j in range(L2.out_dim) if all(v >= 0 for v in L2.weight[j]) and L2.bias[j] >= 0]
        for a_ in range(len(active)):
            for b_ in range(a_ + 1, len(active)):
                j, k = active[a_], active[b_]
                Q = sympy.expand(sum(x * y for x, y in zip(W2[j], W2[k])) + b2[j] * b2[k]
                                 - sum(row[j] * row[k] for row in W3))
                region = (f"W2[{j + 1},:] >= 0, b2[{j + 1}] >= 0, W2[{k + 1},:] >= 0, b2[{k + 1}] >= 0"
                          " (both always active on the orthant)")
                found.append(Law(f"block {j + 1},{k + 1}", "block", str(Q), region, verify(Q), _exact(Q, sub), Q))
    field_rank = rank(_values(basis, sub), D)
    law_rank = rank([[_exact(sympy.diff(l.expr, x), sub) for x in syms]
                      for l in found if l.verified], D)
    algebra, frontier = list(basis), list(basis)
    depth = 0
    rank_theta = field_rank
    if field_rank == D - law_rank:
        max_depth = 0
    cache: dict = {}
    at_theta = _values(algebra, sub)
    done = False
    for depth in range(1, max_depth + 1):
        new = []
        for a, X in enumerate(basis):
            for b, Y in enumerate(frontier):
                check(WHAT)
                if depth == 1 and b <= a:
                    continue  # [X, Y] = −[Y, X]
                Z = _bracket(X, Y, syms, cache)
                if all(z == 0 for z in Z):
                    continue
                cand = rows + [tuple(v for pr in probes for v in _values([Z], pr)[0])]
                if rank(cand, D * len(probes)) > len(rows):
                    new.append(Z)
                    rows = cand
                    at_theta.append(_values([Z], sub)[0])
                    if rank(at_theta, D) == D - law_rank:
                        done = True
                        break
            if done:
                break
        algebra += new
        r = rank(_values(algebra, sub), D)
        if r == D - law_rank:  # dim Lie <= D - (independent laws): the count is determined
            rank_theta = r
            break
        if not new or r == rank_theta:
            rank_theta = r
            break
        rank_theta = r
        frontier = new
    count = D - rank_theta
    if hidden_layers == 2:
        no_laws = _no_laws(net, layers, syms, sub, data, gens, deadline)
    return Laws(count, D, rank_theta, field_rank, depth, tuple(found), tuple(no_laws), len(patterns), len(data),
                complete_data, tuple(str(s) for s in syms))


def _exact(Q, sub):
    v = Q.xreplace(sub)
    return fmpq(int(v.p), int(v.q))


def _no_laws(net, layers, syms, sub, data, gens, deadline: Deadline = NO_DEADLINE) -> list:
    """The hide transfer of each first-layer neuron and the bias trade of each second-layer neuron."""
    import sympy

    check = deadline.check
    W1, b1 = layers[0]
    W2, b2 = layers[1]
    W3, b3 = layers[2]
    idx = {s: k for k, s in enumerate(syms)}
    D = len(syms)
    out = []
    gens_list = []
    for i in range(len(b1)):
        X = [sympy.Integer(0)] * D
        X[idx[b1[i]]] = sympy.Integer(1)
        for j in range(len(b2)):
            X[idx[b2[j]]] = -W2[j][i]
        gens_list.append((f"hide transfer of first-layer neuron {i + 1} (M3)",
                          f"d b1[{i + 1}] - sum_j W2[j,{i + 1}] d b2[j]", X))
    for j in range(len(b2)):
        X = [sympy.Integer(0)] * D
        X[idx[b2[j]]] = sympy.Integer(1)
        for s in range(len(b3)):
            X[idx[b3[s]]] = -W3[s][j]
        gens_list.append((f"bias trade of second-layer neuron {j + 1} (M4b)",
                          f"d b2[{j + 1}] - sum_s W3[s,{j + 1}] d b3[s]", X))
    # squared loss with zero targets: dQ/dt = -sum_x f(x) . <grad Q, grad f(x)>
    fvals = []
    per_pattern: dict = {}
    for x in data:
        check(WHAT)
        pat = _pattern(net, x)
        if pat is None:
            continue
        if pat not in per_pattern:
            per_pattern[pat] = _pattern_numeric(layers, pat, net.input_dim, syms, sub)
        fvals.append(_at(per_pattern[pat], x))
    for name, gen_text, X in gens_list:
        check(WHAT)
        # Noether candidate for an affine generator X = E θ + c: Q = ½⟨θ, E_sym θ⟩ + ⟨c, θ⟩
        E = sympy.Matrix([[sympy.diff(X[r], s) for s in syms] for r in range(D)])
        c = [X[r].xreplace({s: 0 for s in syms}) for r in range(D)]
        th = sympy.Matrix(syms)
        Q = sympy.expand((th.T * (E + E.T) * th)[0, 0] / 4 + sum(ci * s for ci, s in zip(c, syms)))
        grad = [sympy.diff(Q, s) for s in syms]
        dQ = sympy.Integer(0)
        sym_ok = True
        for (fx, gradf) in fvals:
            check(WHAT)
            for s_ in range(len(fx)):
                dQ -= fx[s_] * sum(gq.xreplace(sub) * gf for gq, gf in zip(grad, gradf[s_]))
                if sum(xv.xreplace(sub) * gf for xv, gf in zip(X, gradf[s_])) != 0:
                    sym_ok = False
        # ω = Σ X_k dθ_k; ω ∧ dω ≠ 0 iff some X_a(∂_b X_c − ∂_c X_b) + cyclic ≠ 0 at θ
        Xv = [x.xreplace(sub) for x in X]
        Jv = [[sympy.diff(X[r], s).xreplace(sub) for s in syms] for r in range(D)]
        nonint = False
        support = sorted({k for k in range(D) if Xv[k] != 0} | {m for k in range(D) for m in range(D) if Jv[k][m] != 0}
                         | {k for k in range(D) for m in range(D) if Jv[k][m] != 0})
        for a in support:
            check(WHAT)
            for b in support:
                for cc in support:
                    if a < b < cc:
                        val = (Xv[a] * (Jv[cc][b] - Jv[b][cc]) + Xv[b] * (Jv[a][cc] - Jv[cc][a])
                               + Xv[cc] * (Jv[b][a] - Jv[a][b]))
                        if val != 0:
                            nonint = True
                            break
                if nonint:
                    break
            if nonint:
                break
        out.append(NoLaw(name, gen_text, str(Q), fmpq(int(dQ.p), int(dQ.q)), nonint, sym_ok))
    return out


def _pattern_numeric(layers, pat, n0, syms, sub):
    """Exact values at θ of ``A_π, c_π`` and of their gradients."""
    import sympy

    A, c = _affine(layers, pat, n0)
    Av = [[e.xreplace(sub) for e in row] for row in A]
    cv = [e.xreplace(sub) for e in c]
    dA = [[[sympy.diff(e, s).xreplace(sub) for s in syms] for e in row] for row in A]
    dc = [[sympy.diff(e, s).xreplace(sub) for s in syms] for e in c]
    return Av, cv, dA, dc


def _at(data, x):
    Av, cv, dA, dc = data
    xs = [_R(v) for v in x]
    fx = [sum((a * v for a, v in zip(row, xs)), cc) for row, cc in zip(Av, cv)]
    grads = []
    for s_ in range(len(cv)):
        g = list(dc[s_])
        for k, v in enumerate(xs):
            if v != 0:
                g = [gg + v * d for gg, d in zip(g, dA[s_][k])]
        grads.append(g)
    return fx, grads


__all__ = ["laws"]
