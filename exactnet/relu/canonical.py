"""Exact canonical form of networks with at most one hidden layer (docs/relu.md § One hidden layer: canonical form and fiber).

``f(x) = Σ_i a_i σ(w_i·x + b_i) + c`` is rewritten, for **every** parameter, as

    f(x) = Σ_{κ : α_κ ≠ 0} α_κ σ(u_κ·x + β_κ) + L x + C

where the key ``κ = (u, β)`` is ``(w_i, b_i)`` divided by ``|w_i[p]|`` for the first non-zero
coordinate ``p`` (so ``u[p] = +1``; no norms, everything stays in the number field of the
weights), units with opposite orientation use ``σ(−ℓ) = σ(ℓ) − ℓ`` (their linear part goes to
``(L, C)``), zero-input units add ``a_i σ(b_i)`` to ``C``, and zero-output units vanish.

**Theorem (docs/relu.md § One hidden layer: canonical form and fiber).** ``f ≡ f'`` on ``R^n`` iff the canonical forms are equal.

On a full-dimensional polyhedral domain Ω (docs/relu.md § One hidden layer: canonical form and fiber), each key is classified exactly: its hyperplane
meets the interior of Ω (kept), or Ω ⊂ {ℓ ≥ 0} (``α ℓ`` folded into ``(L, C)``), or
Ω ⊂ {ℓ ≤ 0} (dropped). Equality on Ω holds iff the reduced forms are equal. The classification
is proved by two interior points (cut) or a Farkas certificate (one side has empty interior).

When forms differ, :func:`separating_point` constructs an exact rational input where the
networks differ (the kink of ``f − f'`` across a hyperplane whose ``α`` differs, or the affine
difference), verified by exact evaluation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from flint import fmpq

from ..errors import InputError, UnsupportedError
from ..network import Network, common_field, forward_exact
from ..numbers import number_json, sign
from ..numbers.algebraic import ball_bounds, working_precision
from ..polyhedra import Farkas, Interior, decide, negate, primitive_row
from ..polyhedra import value_at as row_value

class Key(tuple):
    """A hyperplane key ``(u, β)`` (``u[p] = 1`` at the first non-zero ``p``) with a fast hash."""

    __slots__ = ()

    def __new__(cls, u, beta):
        return tuple.__new__(cls, (tuple(u), beta))

    def __hash__(self):
        u, beta = self
        return hash(tuple((v.p, v.q) if type(v) is fmpq else v for v in u) + ((beta.p, beta.q) if type(beta) is fmpq
                                                                                else (beta,)))


@dataclass(frozen=True)
class ShallowForm:
    """``Σ_κ α_κ σ(u_κ·x + β_κ) + L x + C`` with distinct keys and every ``α_κ ≠ 0``."""

    terms: tuple[tuple[Key, tuple], ...]  # ((u, β), α) sorted by key
    linear: tuple[tuple, ...]  # L (m rows of n entries)
    constant: tuple  # C (m entries)

    @cached_property
    def alpha(self) -> dict:
        return dict(self.terms)

    def to_obj(self) -> dict:
        return {
            "keys": [{"u": [number_json(v) for v in u], "beta": number_json(beta), "alpha": [number_json(a) for a in al]}
                     for (u, beta), al in self.terms],
            "linear": [[number_json(v) for v in row] for row in self.linear],
            "constant": [number_json(v) for v in self.constant],
        }


def _zero():
    return fmpq(0)


def _is_zero_vector(v) -> bool:
    return all(x == 0 for x in v)


def _sort_key(item):
    (u, beta), _alpha = item
    return (tuple(u), beta)


def _safe_sorted(items):
    try:
        return tuple(sorted(items, key=_sort_key))
    except TypeError:  # pragma: no cover - mixed incomparable types would be a bug
        return tuple(items)


def canonical_form(net: Network) -> ShallowForm:
    """The canonical form of a ReLU network with at most one hidden layer on ``R^n``."""
    if net.activation != "relu":
        raise UnsupportedError(f"the ReLU canonical form needs a ReLU network, got {net.activation}")
    if net.depth > 1:
        raise UnsupportedError("the canonical form applies to networks with at most one hidden layer")
    n, m = net.input_dim, net.output_dim
    if net.depth == 0:
        layer = net.layers[0]
        return ShallowForm((), tuple(tuple(r) for r in layer.weight), tuple(layer.bias))
    hidden, out = net.layers
    L = [[_zero() for _ in range(n)] for _ in range(m)]
    C = list(out.bias)
    alpha: dict = {}
    for i in range(hidden.out_dim):
        a = out.column(i)
        if _is_zero_vector(a):
            continue
        w, b = hidden.weight[i], hidden.bias[i]
        p = next((k for k, v in enumerate(w) if v != 0), None)
        if p is None:  # constant unit: a·σ(b)
            if sign(b) > 0:
                for r in range(m):
                    C[r] = C[r] + a[r] * b
            continue
        lam = abs(w[p])
        s = sign(w[p])
        u = tuple(s * v / lam for v in w)
        beta = s * b / lam
        key = Key(u, beta)
        mu = tuple(lam * ar for ar in a)
        prev = alpha.get(key)
        alpha[key] = mu if prev is None else tuple(x + y for x, y in zip(prev, mu))
        if s < 0:  # a σ(−λℓ) = λ a σ(ℓ) − λ a ℓ
            for r in range(m):
                if mu[r] != 0:
                    for k in range(n):
                        if u[k] != 0:
                            L[r][k] = L[r][k] - mu[r] * u[k]
                    C[r] = C[r] - mu[r] * beta
    terms = [(k, v) for k, v in alpha.items() if not _is_zero_vector(v)]
    return ShallowForm(_safe_sorted(terms), tuple(tuple(r) for r in L), tuple(C))


# ---------------------------------------------------------------------------------------------
# polyhedral domains
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyClass:
    """How a key's hyperplane sits relative to the domain, with its exact proof.

    ``kind``: ``"cut"`` (``points`` = an interior point of Ω on each side: ℓ > 0, then ℓ < 0),
    ``"nonneg"`` (Ω ⊂ {ℓ ≥ 0}; ``farkas`` over domain rows + [−ℓ]) or ``"nonpos"``
    (Ω ⊂ {ℓ ≤ 0}; ``farkas`` over domain rows + [ℓ]). Rows are primitive integer rows.
    """

    kind: str
    points: tuple = ()
    farkas: Farkas | None = None


def classify_key(key: Key, rows: Sequence) -> KeyClass:
    u, beta = key
    if not all(isinstance(v, fmpq) for v in u) or not isinstance(beta, fmpq):
        raise UnsupportedError("canonical forms on a domain need rational weights (exact LPs over Q)")
    row = primitive_row(list(u), beta)
    n = len(u)
    pos = decide(list(rows) + [row], n)
    neg = decide(list(rows) + [negate(row)], n)
    if isinstance(pos, Interior) and isinstance(neg, Interior):
        return KeyClass("cut", (pos.point, neg.point))
    if isinstance(neg, Farkas) and isinstance(pos, Interior):
        return KeyClass("nonneg", (), neg)
    if isinstance(pos, Farkas) and isinstance(neg, Interior):
        return KeyClass("nonpos", (), pos)
    raise InputError("the domain has empty interior (it must be full-dimensional)")


def reduce_on_domain(form: ShallowForm, classes: dict) -> ShallowForm:
    """The reduced form on a domain: keep cut keys, fold ``nonneg`` keys into ``(L, C)``, drop ``nonpos``."""
    L = [list(r) for r in form.linear]
    C = list(form.constant)
    kept = []
    for key, al in form.terms:
        kind = classes[key].kind
        if kind == "cut":
            kept.append((key, al))
        elif kind == "nonneg":
            u, beta = key
            for r in range(len(C)):
                if al[r] != 0:
                    for k in range(len(u)):
                        if u[k] != 0:
                            L[r][k] = L[r][k] + al[r] * u[k]
                    C[r] = C[r] + al[r] * beta
    return ShallowForm(tuple(kept), tuple(tuple(r) for r in L), tuple(C))


@dataclass(frozen=True)
class ShallowComparison:
    """Tier (a): both canonical forms (reduced on the domain if any), with key classifications."""

    equivalent: bool
    forms: tuple[ShallowForm, ShallowForm]
    classes: dict  # key -> KeyClass (domain only)


def compare_shallow(a: Network, b: Network, domain_rows: Sequence | None = None) -> ShallowComparison:
    """Decide ``a ≡ b`` (on ``R^n``, or on the domain given by its primitive rows) by canonical forms."""
    a, b = common_field(a, b)
    fa, fb = canonical_form(a), canonical_form(b)
    classes: dict = {}
    if domain_rows:
        for key, _ in fa.terms + fb.terms:
            if key not in classes:
                classes[key] = classify_key(key, domain_rows)
        fa, fb = reduce_on_domain(fa, classes), reduce_on_domain(fb, classes)
    same = fa.alpha == fb.alpha and fa.linear == fb.linear and fa.constant == fb.constant
    return ShallowComparison(same, (fa, fb), classes)


# ---------------------------------------------------------------------------------------------
# a separating input when the forms differ
# ---------------------------------------------------------------------------------------------


def _rational_near(x, bits: int) -> fmpq:
    if isinstance(x, fmpq):
        return x
    with working_precision(bits + 20):
        lo, hi = ball_bounds(x.enclosure(bits + 20))
    return (lo + hi) / 2


def _lower_bound(x, bits: int = 64) -> fmpq:
    """A rational ``q`` with ``0 < q ≤ x`` for a positive number ``x``."""
    if isinstance(x, fmpq):
        return x
    while True:
        with working_precision(bits + 20):
            lo, _hi = ball_bounds(x.enclosure(bits + 20))
        if lo > 0:
            return lo
        bits *= 2


def _differs(a: Network, b: Network, x) -> bool:
    return forward_exact(a, x) != forward_exact(b, x)


def _kink_candidates(form_keys, key: Key, rows, rnd: random.Random):
    """Rational inputs near the hyperplane of ``key`` (inside the domain, off the other
    hyperplanes) such that ``f − f'`` cannot vanish at all of them (see module doc)."""
    u, beta = key
    n = len(u)
    p = next(k for k, v in enumerate(u) if v != 0)  # u[p] = 1
    others = [k for k in form_keys if k != key]
    for attempt in range(40):
        spread = 1 + attempt
        if rows:
            base = _point_on_hyperplane(u, beta, rows, rnd, spread)
            if base is None:
                return []
        else:
            base = [fmpq(rnd.randint(-4 * spread, 4 * spread), rnd.randint(1, 3)) for _ in range(n)]
        bits = 64
        while True:
            x = list(base)
            # move coordinate p so that x is (nearly, for algebraic keys exactly otherwise) on H
            rest = beta
            for k in range(n):
                if k != p and u[k] != 0:
                    rest = rest + u[k] * x[k]
            x[p] = _rational_near(-rest, bits)
            t_star = -(row_eval(u, beta, x))  # the line x + t e_p crosses H at t*
            crossings = []
            degenerate = False
            for (u2, b2) in others:
                val = row_eval(u2, b2, x)
                if u2[p] != 0:
                    t = -val / u2[p]
                    if t == 0 or t == t_star:
                        degenerate = True
                        break
                    crossings.append(abs(t - t_star) if t_star != 0 else abs(t))
            if degenerate:
                break
            limit = None
            for c in crossings:
                lb = _lower_bound(c)
                limit = lb if limit is None else min(limit, lb)
            for g, h in rows or ():
                slack = row_value((g, h), x)
                if slack <= 0:
                    degenerate = True
                    break
                if g[p]:
                    lb = slack / abs(g[p])
                    limit = lb if limit is None else min(limit, lb)
            if degenerate:
                break
            eps = fmpq(1) if limit is None else limit / 4
            if abs(t_star) * 4 < eps or t_star == 0:
                t0 = _rational_near(t_star, bits) if t_star != 0 else fmpq(0)
                cands = []
                for t in (t0 - 2 * eps, t0 - eps, t0, t0 + eps, t0 + 2 * eps):
                    y = list(x)
                    y[p] = y[p] + t
                    cands.append(tuple(y))
                return cands
            bits *= 2
            if bits > 1 << 14:
                break
    return []


def row_eval(u, beta, x):
    acc = beta
    for a, v in zip(u, x):
        if a != 0 and v != 0:
            acc = acc + a * v
    return acc


def _point_on_hyperplane(u, beta, rows, rnd: random.Random, spread: int):
    """A rational point of ``H ∩ int Ω`` (rational keys), randomly perturbed inside ``H``."""
    row = primitive_row(list(u), beta)
    n = len(u)
    pos = decide(list(rows) + [row], n)
    neg = decide(list(rows) + [negate(row)], n)
    if not (isinstance(pos, Interior) and isinstance(neg, Interior)):
        return None
    lp, ln = row_eval(u, beta, pos.point), row_eval(u, beta, neg.point)
    lam = ln / (ln - lp)
    x0 = [q + lam * (p - q) for p, q in zip(pos.point, neg.point)]
    w = [fmpq(rnd.randint(-spread, spread), rnd.randint(1, 3)) for _ in range(n)]
    uu = sum((a * a for a in u), fmpq(0))
    uw = sum((a * b for a, b in zip(u, w)), fmpq(0))
    w = [b - uw / uu * a for a, b in zip(u, w)]
    step = fmpq(1)
    for g, h in rows:
        slack = row_value((g, h), x0)
        rate = abs(sum((a * b for a, b in zip(g, w)), fmpq(0)))
        if rate:
            step = min(step, slack / (2 * rate))
    return [a + step * b for a, b in zip(x0, w)]


def separating_point(a: Network, b: Network, comparison: ShallowComparison, domain_rows=None,
                     domain_point=None, seed: int = 0) -> tuple | None:
    """An exact rational input (in the domain) where ``a`` and ``b`` differ, given differing forms."""
    a, b = common_field(a, b)
    fa, fb = comparison.forms
    rows = list(domain_rows or [])
    rnd = random.Random(seed)
    aa, ab = fa.alpha, fb.alpha
    all_keys = list(dict.fromkeys(list(aa) + list(ab)))
    n = a.input_dim
    for key in all_keys:
        if aa.get(key) != ab.get(key):
            for x in _kink_candidates(all_keys, key, rows, rnd):
                if _differs(a, b, x):
                    return x
    base = tuple(domain_point) if domain_point is not None else tuple(fmpq(0) for _ in range(n))
    if _differs(a, b, base):
        return base
    for k in range(n):
        step = fmpq(1)
        for g, h in rows:
            if g[k]:
                step = min(step, row_value((g, h), base) / (2 * abs(g[k])))
        x = tuple(v + step if i == k else v for i, v in enumerate(base))
        if _differs(a, b, x):
            return x
    return None


__all__ = [
    "KeyClass", "ShallowComparison", "ShallowForm", "canonical_form", "classify_key", "compare_shallow",
    "reduce_on_domain", "separating_point",
]
