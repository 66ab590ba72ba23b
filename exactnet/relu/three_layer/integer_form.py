"""The integer orthant form: a cheap exact sufficient condition for equivalence
(docs/relu-three-layer.md §5.2).

For ``f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3`` with rational entries:

1. every first-layer row ``(w_i, b1_i)`` is the positive multiple ``(g_i/d)·m_i`` of its primitive
   integer vector ``m_i`` (``d``: the common denominator of ``[W1 | b1]``, ``g_i``: the gcd of row
   ``i`` of ``d·[W1 | b1]``); with ``h'_i = σ(m_i·(x, 1)) = (d/g_i)·h_i`` (M1) and the neurons
   sorted by ``m_i`` (M0), ``z_j = r_j·h + β_j = (1/(d e))·v_j·(h', 1)`` for the integer vector
   ``v_j = (N2[j,i]·g_i …, N2[j,n1]·d)`` (``e``, ``N2``: the common denominator and numerators of
   ``[W2 | b2]``);
2. on the orthant ``h' ≥ 0`` (which contains the image of any first layer) a second-layer neuron with
   ``v_j ≤ 0`` is zero (dead), with ``v_j ≥ 0`` affine (always active), and otherwise
   ``σ(z_j) = (G_j/(d e))·σ(κ_j·(h', 1))`` for its primitive vector ``±κ_j`` (``G_j = gcd v_j``),
   oriented so that the first non-zero entry of ``κ_j`` over ``h'`` is positive, using
   ``σ(−ℓ) = σ(ℓ) − ℓ`` for the other orientation (M5);
3. collecting equal keys ``κ`` (M1), the network is, everywhere on ``R^{n0}``,
   ``f(x) = (1/D)·(Σ_κ α_κ σ(κ·(h', 1)) + C h' + c)`` with integers ``α_κ``, ``C``, ``c`` and
   ``D = d·e·f3`` (``f3``: the common denominator of ``[W3 | b3]``), reduced so that the gcd of all
   of them and ``D`` is 1; keys with ``α_κ = 0`` are dropped and so are first-layer neurons that no
   remaining key and no column of ``C`` uses (M2).

:func:`integer_form` returns that expression (the first-layer rows, the keys with their ``α``,
``C``, ``c``, ``D``), a function of the parameter alone. Two parameters with equal integer forms
compute the same function (the two expressions are identical). The converse needs the genericity
hypotheses of §4 and a matching orientation of every first-layer neuron (a hidden neuron shifted
by M3 gives different rows), so unequal forms decide nothing: the caller then runs the full
structural procedure. The arithmetic is on Python integers: no ordering of rationals, no hashing
of ``fmpq``, one conversion of each layer to integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...deadline import NO_DEADLINE, Deadline
from .params import ThreeLayer
from .structure import WHAT


@dataclass(frozen=True)
class IntegerForm:
    """``f(x) = (Σ_κ α_κ σ(κ·(h', 1)) + C h' + c) / den`` with ``h'_i = σ(first[i]·(x, 1))``:
    ``first`` the primitive integer first-layer rows (sorted, used neurons only), ``keys`` the sorted
    pairs ``(κ, α_κ)`` (``κ`` primitive over ``(h', 1)``, first non-zero entry over ``h'`` positive,
    ``α_κ`` a tuple of ``n3`` integers, not all zero), ``C`` ``n3`` integer rows, ``c`` ``n3``
    integers, ``den > 0`` with ``gcd(α, C, c, den) = 1``."""

    first: tuple
    keys: tuple
    C: tuple
    c: tuple
    den: int


def integer_form(p: ThreeLayer, deadline: Deadline = NO_DEADLINE) -> IntegerForm | None:
    """The integer orthant form of ``p`` (module docstring), or ``None`` where it is not defined here:
    an empty hidden layer, a first-layer row that is identically zero, or two first-layer neurons with
    the same primitive row (then the sort order would not be a function of the parameter)."""
    n1, n2, n3 = p.n1, p.n2, p.n3
    if n1 == 0 or n2 == 0 or n3 == 0:
        return None
    (N1, d), (N2, e), (N3, f3) = p.integer_layers
    prim1 = []
    g1 = []
    for row in N1:
        g = math.gcd(*row)
        if g == 0:
            return None
        g1.append(g)
        prim1.append(tuple([x // g for x in row]))
    order = sorted(range(n1), key=prim1.__getitem__)
    if any(prim1[order[k]] == prim1[order[k + 1]] for k in range(n1 - 1)):
        return None
    scaled = [(i, g1[i]) for i in order]
    outs = list(zip(*N3))  # outs[j]: the outgoing column of neuron j; outs[n2]: b3
    C = [[0] * n1 for _ in range(n3)]
    de = d * e
    c = [x * de for x in outs[n2]]
    alpha: dict = {}
    check = deadline.check
    for j in range(n2):
        check(WHAT)
        a = outs[j]
        if not any(a):
            continue  # silent
        row = N2[j]
        v = [row[i] * g for i, g in scaled]
        v.append(row[n1] * d)
        if max(v) <= 0:
            continue  # dead on the orthant
        if min(v) >= 0:  # always active: affine on the orthant
            for s in range(n3):
                if a[s]:
                    Cs, as_ = C[s], a[s]
                    for k in range(n1):
                        Cs[k] += as_ * v[k]
                    c[s] += as_ * v[n1]
            continue
        G = math.gcd(*v)
        if next(x for x in v if x) < 0:  # mixed: some entry over h' is non-zero
            G = -G
        key = tuple([x // G for x in v])
        mu = [x * abs(G) for x in a]
        prev = alpha.get(key)
        alpha[key] = mu if prev is None else [x + y for x, y in zip(prev, mu)]
        if G < 0:  # a·σ(−|G|ℓ) = μ σ(ℓ) − μ ℓ
            for s in range(n3):
                if mu[s]:
                    Cs, ms = C[s], mu[s]
                    for k in range(n1):
                        Cs[k] -= ms * key[k]
                    c[s] -= ms * key[n1]
    live_keys = [(key, al) for key, al in alpha.items() if any(al)]
    used = set()
    for row in C:
        used.update(k for k in range(n1) if row[k])
    for key, _al in live_keys:
        used.update(k for k in range(n1) if key[k])
    live = sorted(used)
    keys = sorted((tuple([key[k] for k in live]) + (key[n1],), tuple(al)) for key, al in live_keys)
    Cl = [[row[k] for k in live] for row in C]
    den = d * e * f3
    g = math.gcd(den, *c, *(x for row in Cl for x in row), *(x for _key, al in keys for x in al))
    if g > 1:
        den //= g
        c = [x // g for x in c]
        Cl = [[x // g for x in row] for row in Cl]
        keys = [(key, tuple([x // g for x in al])) for key, al in keys]
    return IntegerForm(tuple(prim1[order[k]] for k in live), tuple(keys), tuple(tuple(r) for r in Cl), tuple(c), den)


__all__ = ["IntegerForm", "integer_form"]
