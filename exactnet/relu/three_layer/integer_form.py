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
   ``D = d·e·f3`` (``f3``: the common denominator of ``[W3 | b3]``); keys with ``α_κ = 0`` are
   dropped and so are first-layer neurons that no remaining key and no column of ``C`` uses (M2).

:func:`integer_form` returns that expression (the first-layer rows, the keys with their ``α``,
``C``, ``c``, ``D``), a function of the parameter alone up to the common scale of ``(α, C, c, D)``.
Two parameters whose forms are the same expression (:meth:`IntegerForm.same`: equal first-layer rows
and keys, numerators in the ratio of the denominators) compute the same function. The converse needs the genericity
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


@dataclass(frozen=True, eq=False)
class IntegerForm:
    """``f(x) = (Σ_κ α_κ σ(κ·(h', 1)) + C h' + c) / den`` with ``h'_i = σ(first[i]·(x, 1))``:
    ``first`` the primitive integer first-layer rows (sorted, used neurons only), ``keys`` the sorted
    pairs ``(κ, α_κ)`` (``κ`` primitive over ``(h', 1)``, first non-zero entry over ``h'`` positive,
    ``α_κ`` a tuple of ``n3`` integers, not all zero), ``C`` ``n3`` integer rows, ``c`` ``n3``
    integers, ``den > 0``. The numerators are not reduced against ``den``; :meth:`same` compares two
    forms as expressions."""

    first: tuple
    keys: tuple
    C: tuple
    c: tuple
    den: int

    def value(self, x) -> tuple:
        """The expression at a rational input ``x`` (exact ``fmpq``): ``f(x)`` of every parameter whose
        form this is."""
        from flint import fmpq

        xs = [fmpq(v) for v in x]
        h = []
        for row in self.first:
            z = sum((w * v for w, v in zip(row, xs)), fmpq(row[-1]))
            h.append(z if z > 0 else fmpq(0))
        out = list(self.c)
        for key, al in self.keys:
            z = sum((k * v for k, v in zip(key, h)), fmpq(key[-1]))
            if z > 0:
                out = [o + a * z for o, a in zip(out, al)]
        out = [o + sum((cc * v for cc, v in zip(row, h)), fmpq(0)) for o, row in zip(out, self.C)]
        return tuple(o / self.den for o in out)

    def numerators(self) -> list:
        """``α`` of every key, then ``C`` row by row, then ``c`` (one list)."""
        return [x for _k, al in self.keys for x in al] + [x for row in self.C for x in row] + list(self.c)

    def same(self, other: "IntegerForm") -> bool:
        """The two forms are the same expression of ``x`` (equal first layers and keys, and numerators
        proportional to the denominators), so they define the same function."""
        if self.first != other.first or len(self.keys) != len(other.keys) or len(self.C) != len(other.C):
            return False
        if any(k1 != k2 for (k1, _a1), (k2, _a2) in zip(self.keys, other.keys)):
            return False
        d1, d2 = self.den, other.den
        return all(x * d2 == y * d1 for x, y in zip(self.numerators(), other.numerators()))


def integer_form(p: ThreeLayer, deadline: Deadline = NO_DEADLINE) -> IntegerForm | None:
    """The integer orthant form of ``p`` (module docstring), or ``None`` where it is not defined here:
    an empty hidden layer, a first-layer row that is identically zero, or two first-layer neurons with
    the same primitive row (then the sort order would not be a function of the parameter).
    ``deadline``: checked per second-layer neuron."""
    return _form(p, deadline, None)


def common_integer_form(a: ThreeLayer, b: ThreeLayer, deadline: Deadline = NO_DEADLINE) -> IntegerForm | None:
    """``a``'s integer orthant form when ``b`` has the same one (:meth:`IntegerForm.same`), which
    proves ``f_a = f_b``; otherwise ``None``. ``b``'s form is abandoned as soon as it cannot be
    ``a``'s: a row of ``a``'s form is not a first-layer row of ``b``, or, when ``b``'s sorted
    first-layer rows are exactly ``a``'s, a second-layer key of ``b`` is not a key of ``a``'s form.
    (The latter could still cancel against another neuron of ``b`` with the same key — then ``None``
    is a missed proof, never a wrong answer: the caller runs the full procedure, as for any ``None``.)"""
    fa = _form(a, deadline, None)
    if fa is None:
        return None
    fb = _form(b, deadline, fa)
    return fa if fb is not None and fa.same(fb) else None


def _form(p: ThreeLayer, deadline: Deadline, like: IntegerForm | None) -> IntegerForm | None:
    """:func:`integer_form`; with ``like``, ``None`` as soon as the form cannot be ``like``
    (:func:`common_integer_form`)."""
    n1, n2, n3 = p.n1, p.n2, p.n3
    if n1 == 0 or n2 == 0 or n3 == 0:
        return None
    gcd = math.gcd
    (N1, d), (N2, e), (N3, f3) = p.integer_layers
    prim1 = []
    g1 = []
    for row in N1:
        g = gcd(*row)
        if g == 0:
            return None
        g1.append(g)
        prim1.append(tuple([x // g for x in row]))
    order = sorted(range(n1), key=prim1.__getitem__)
    first = [prim1[i] for i in order]
    if any(first[k] == first[k + 1] for k in range(n1 - 1)):
        return None
    known = None  # with ``like``: the keys a form equal to ``like`` may have
    if like is not None:
        if not set(like.first) <= set(first):
            return None
        if len(like.first) == n1:  # the same coordinates h': every key must be one of like's
            known = {key for key, _al in like.keys}
    # v_j = (N2[j, i]·g_i …, N2[j, n1]·d) over the sorted first-layer neurons, then the bias
    scaled = [(i, g1[i]) for i in order]
    scaled.append((n1, d))
    outs = list(zip(*N3))  # outs[j]: the outgoing column of neuron j; outs[n2]: b3
    C = [[0] * (n1 + 1) for _ in range(n3)]  # C with c as its last column (before the output bias)
    cols = range(n1 + 1)
    alpha: dict = {}
    check = deadline.check
    for row, a in zip(N2, outs):
        check(WHAT)
        if max(row) <= 0 or not any(a):  # dead on the orthant (v_j has the signs of the row), or silent
            continue
        v = [row[i] * g for i, g in scaled]
        if min(row) >= 0:  # always active: affine on the orthant
            for s, as_ in enumerate(a):
                if as_:
                    Cs = C[s]
                    for k in cols:
                        Cs[k] += as_ * v[k]
            continue
        G = gcd(*v)
        for x in v:  # mixed: orient by the first non-zero entry over h'
            if x:
                break
        key = tuple([y // G for y in v]) if x > 0 else tuple([-y // G for y in v])
        if known is not None and key not in known:
            return None
        prev = alpha.get(key)
        if x > 0:
            alpha[key] = [y * G for y in a] if prev is None else [z + y * G for z, y in zip(prev, a)]
        else:  # a·σ(−G ℓ) = aG σ(ℓ) − aG ℓ
            mu = [y * G for y in a]
            alpha[key] = mu if prev is None else [z + y for z, y in zip(prev, mu)]
            for s, ms in enumerate(mu):
                if ms:
                    Cs = C[s]
                    for k in cols:
                        Cs[k] -= ms * key[k]
    de = d * e
    c = tuple([row.pop() + x * de for row, x in zip(C, outs[n2])])
    keys = sorted([(key, tuple(al)) for key, al in alpha.items() if any(al)])
    unused = [k for k, col in enumerate(zip(*[key for key, _al in keys], *C)) if not any(col)]
    if unused:  # drop them (M2): they are zero in every key and column
        live = [k for k in range(n1) if k not in unused]
        keys = sorted([(tuple([key[k] for k in live]) + (key[n1],), al) for key, al in keys])
        C = [[row[k] for k in live] for row in C]
        first = [first[k] for k in live]
    return IntegerForm(tuple(first), tuple(keys), tuple(map(tuple, C)), c, d * e * f3)


__all__ = ["IntegerForm", "integer_form", "common_integer_form"]
