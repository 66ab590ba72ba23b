"""A quick exact screen of the ε question ``max_{x ∈ box} ‖A(x) − B(x)‖ ≤ ε`` before the search.

Exact steps, cheapest first (``docs/difference.md``, "The quick screen of an ε question on a box");
each either settles the question or passes it on, and the last hands it over to the branch and
bound of :mod:`.max_difference`:

1. **Ranges.** Exact interval ranges of every unit of both networks on the box, in centre/radius
   form: ``z = W h + b`` has centre ``W c + b`` and radius ``|W| r``. On the first layer they are the
   exact ranges; a unit is *stable* when its range does not contain an interior 0.
2. **Closed form.** When the difference is affine on the whole box it is decided exactly: unit
   ``i`` of the last hidden layer contributes ``c^A_i h^A_i − c^B_i h^B_i`` to the outputs; it is
   affine when both units are stable and every earlier unit of its network is stable (then
   ``h = z`` or ``h = 0`` with ``z`` an exact affine form), and it vanishes when the two units
   compute the same function (the same weights, bias and earlier layers in both networks: *shared*)
   and ``c^A_i = c^B_i``. If every unit is affine or vanishes, ``A_k − B_k = g_k·x + h_k`` on the
   box; its maximum modulus there is ``max(U_k, −L_k)`` with ``U_k = h_k + Σ_j max(g_kj l_j, g_kj u_j)``
   (``L_k`` likewise), attained at the corner that the signs of ``g_k`` select. That is the exact
   maximum ``M`` with a maximiser; the 1-norm is left to the search.
3. **Bound.** Networks of the same widths: the difference interval propagated on the differences
   themselves (Paulsen et al., ReluDiff, ICSE 2020): with ``δ = h^A − h^B``,
   ``z^A − z^B = W^A δ + (W^A − W^B) h^B + (b^A − b^B)`` in exact interval arithmetic, and
   ``relu(z^A) − relu(z^B)`` between 0 and ``z^A − z^B`` (equal to it when both units are active, 0
   when both are inactive: ReLU is monotone and 1-Lipschitz). Every output difference then lies in
   an exact interval; if the resulting bound on the norm is ``≤ ε`` the answer is yes.
4. **Witnesses.** Candidate points, each evaluated exactly: the centre and float64 proposals (for
   every target ``s·(A_k − B_k)`` the corner that the sign of its gradient selects, at the centre
   and at points spread over the box, and, only when the centre and these corners do not already
   answer, a short projected sign-gradient ascent). A point whose exact difference exceeds ``ε``
   answers no.
5. **Input splitting** (:func:`split_bound`; one hidden layer, same widths, few inputs): sub-boxes
   closed by steps 2–3 or by the exact back-substituted bound of :mod:`.backsub_bounds`.
6. **Region LPs** (:func:`polish_many`; few inputs): on the closed region where every unstable unit
   keeps its sign at a proposal, the target is one affine function; its exact maximiser there
   (PPL) is a point at least as good, and crossing a wall through it may improve it further.

Floats only propose points and choose splits; every verdict rests on exact arithmetic. The screen
is complete only in the cases it recognises and otherwise hands over (with its best point, a lower
bound) to the search. It builds no certificate: a certificate is requested from the search.
``docs/difference.md`` ("The quick screen of an ε question on a box") states the limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flint import fmpq, fmpq_mat

from .symbolic_bounds import CompiledNet, concretize, forward_batch


@dataclass(frozen=True)
class ScreenAnswer:
    """The screen's answer: ``within`` (``True``: ``M ≤ ε``; ``None``: handed over), the best exact
    difference found (``lower``, at ``point``, a point of the box), a proven upper bound ``upper``
    of ``M`` when within, ``how`` (``"closed_form"``, ``"interval_bound"``, ``"input_splitting"``,
    ``"witness"``, ``"handed_over"``) and ``exact_maximum``, ``M`` itself when the closed form
    found it."""

    within: bool | None
    lower: fmpq | None
    point: tuple | None
    upper: fmpq | None
    how: str
    exact_maximum: fmpq | None = None


@dataclass(frozen=True)
class _Ranges:
    """Per hidden layer of one network: the exact interval ``[lo_i, hi_i]`` of every preactivation
    on the box (centre/radius interval arithmetic)."""

    lo: tuple[tuple[fmpq, ...], ...]
    hi: tuple[tuple[fmpq, ...], ...]


#: Constants of the exact steps. Signs are tested on numerators (``v.p > 0``): an ``fmpq`` is kept in
#: lowest terms with a positive denominator, so its sign is its numerator's, and the test costs a
#: third of a comparison of ``fmpq`` values; halving multiplies by ``_HALF``.
_ZERO, _ONE, _HALF = fmpq(0), fmpq(1), fmpq(1, 2)


def _column(values) -> fmpq_mat:
    values = list(values)
    return fmpq_mat(len(values), 1, values)


def _abs_weights(net: CompiledNet) -> tuple[fmpq_mat, ...]:
    """``[|W| | 0]`` per layer (``pos − neg = [|W| | b]``; the radius column carries 0 for the bias)."""
    return tuple(p - q for p, q in zip(net.pos, net.neg))


def ranges(net: CompiledNet, absw, lower, upper) -> _Ranges:
    """Exact interval ranges of every hidden preactivation of ``net`` on the box."""
    c = [(l + u) * _HALF for l, u in zip(lower, upper)] + [_ONE]
    r = [(u - l) * _HALF for l, u in zip(lower, upper)] + [_ZERO]
    los, his = [], []
    for hat, aw in zip(net.hat[:-1], absw[:-1]):
        zc = (hat * _column(c)).entries()
        zr = (aw * _column(r)).entries()
        lo = tuple(a - b for a, b in zip(zc, zr))
        hi = tuple(a + b for a, b in zip(zc, zr))
        los.append(lo)
        his.append(hi)
        hl = [v if v.p > 0 else _ZERO for v in lo]
        hh = [v if v.p > 0 else _ZERO for v in hi]
        c = [(a + b) * _HALF for a, b in zip(hl, hh)] + [_ONE]
        r = [(b - a) * _HALF for a, b in zip(hl, hh)] + [_ZERO]
    return _Ranges(tuple(los), tuple(his))


def shared_units(a: CompiledNet, b: CompiledNet) -> list[list[bool]]:
    """Per hidden layer: does unit ``i`` compute the same function of ``x`` in both networks? (its
    row of ``[W | b]`` is equal in both and every unit of the layer before is shared)."""
    out: list[list[bool]] = []
    if a.widths != b.widths:
        return [[False] * w for w in a.hidden]
    prefix = True
    for ha, hb in zip(a.hat[:-1], b.hat[:-1]):
        k = ha.ncols()
        ea, eb = ha.entries(), hb.entries()
        row = [prefix and ea[i * k:(i + 1) * k] == eb[i * k:(i + 1) * k] for i in range(ha.nrows())]
        out.append(row)
        prefix = all(row)
    return out


def _unit_forms(net: CompiledNet, rng: _Ranges, n: int) -> list[list | None]:
    """The homogeneous affine forms (``n + 1`` entries) of the *values* of the last hidden layer's
    units, ``None`` for a unit that is not affine on the box (it or an earlier unit unstable)."""
    ident = fmpq_mat(n + 1, n + 1, [1 if i == j else 0 for i in range(n + 1) for j in range(n + 1)])
    H = ident
    depth = len(net.hat)
    forms: list[list | None] = []
    for idx in range(depth - 1):
        z = net.hat[idx] * H
        w = z.nrows()
        e = z.entries()
        lo, hi = rng.lo[idx], rng.hi[idx]
        forms = []
        for i in range(w):
            if lo[i].p >= 0:
                forms.append(e[i * (n + 1):(i + 1) * (n + 1)])
            elif hi[i].p <= 0:
                forms.append([fmpq(0)] * (n + 1))
            else:
                forms.append(None)
        if idx == depth - 2:
            return forms
        if any(f is None for f in forms):
            return [None] * net.widths[-2]
        H = fmpq_mat(w + 1, n + 1, [v for f in forms for v in f] + [0] * n + [1])
    # no hidden layer: the network is affine (not a case of this module's callers)
    return []


def _stable(rng: _Ranges, idx: int, i: int) -> bool:
    return rng.lo[idx][i].p >= 0 or rng.hi[idx][i].p <= 0


def _may_be_affine(a: CompiledNet, b: CompiledNet, ra: _Ranges, rb: _Ranges, shared) -> bool:
    """The test of :func:`affine_difference` from the ranges alone (no forms built): every unit of
    the last hidden layer with an outgoing weight is affine (it and every earlier unit stable) or
    vanishes with its shared partner."""
    ka, kb = a.widths[-2] + 1, b.widths[-2] + 1
    oa, ob = a.hat[-1].entries(), b.hat[-1].entries()
    cols_a = [oa[i::ka] for i in range(ka - 1)]  # the outgoing weights of each last hidden unit
    cols_b = [ob[i::kb] for i in range(kb - 1)]
    for net, rng, cols in ((a, ra, cols_a), (b, rb, cols_b)):
        last = len(net.hidden) - 1
        earlier = all(_stable(rng, idx, i) for idx in range(last) for i in range(net.hidden[idx]))
        lo, hi = rng.lo[last], rng.hi[last]
        for i, col in enumerate(cols):
            if earlier and (lo[i].p >= 0 or hi[i].p <= 0):
                continue
            if not any(col):
                continue
            if shared is None or not shared[i] or cols_a[i] != cols_b[i]:
                return False
    return True


def affine_difference(a: CompiledNet, b: CompiledNet, ra: _Ranges, rb: _Ranges, n: int):
    """The forms ``(g_k, h_k)`` with ``A_k − B_k = g_k·x + h_k`` on the whole box, or ``None`` when
    the screen cannot show the difference affine (module docstring, step 2)."""
    if not a.hidden or not b.hidden:
        return None
    shared = shared_units(a, b)[-1] if a.widths == b.widths else None
    if not _may_be_affine(a, b, ra, rb, shared):
        return None
    fa, fb = _unit_forms(a, ra, n), _unit_forms(b, rb, n)
    oa, ob = a.hat[-1], b.hat[-1]
    m = oa.nrows()
    ka, kb = oa.ncols(), ob.ncols()
    ea, eb = oa.entries(), ob.entries()
    # A_k − B_k = Σ_i c^A_ki h^A_i − Σ_i c^B_ki h^B_i + (b^A_k − b^B_k), as C_A F_A − C_B F_B + Δb
    ca, cb = list(ea), list(eb)
    for net_e, cols, forms, coeffs in ((ea, ka, fa, ca), (eb, kb, fb, cb)):
        for i in range(cols - 1):
            if forms[i] is not None or not any(net_e[k * cols + i] for k in range(m)):
                continue
            # not affine: it must vanish with its partner (shared unit, equal outgoing weights)
            if shared is None or not shared[i] or any(ea[k * ka + i] != eb[k * kb + i] for k in range(m)):
                return None
            for k in range(m):
                coeffs[k * cols + i] = 0
    zero = [fmpq(0)] * (n + 1)
    FA = fmpq_mat(ka, n + 1, [v for f in fa for v in (f if f is not None else zero)] + [0] * n + [1])
    FB = fmpq_mat(kb, n + 1, [v for f in fb for v in (f if f is not None else zero)] + [0] * n + [1])
    D = (fmpq_mat(m, ka, ca) * FA - fmpq_mat(m, kb, cb) * FB).entries()
    return [D[k * (n + 1):(k + 1) * (n + 1)] for k in range(m)]


def closed_form_maximum(forms, lower, upper):
    """``(M, point)``: the exact maximum over the box of ``max_k |g_k·x + h_k|`` and a corner (with
    coordinates of zero coefficient at the lower bound) where it is attained."""
    n = len(lower)
    best, point = None, None
    for e in forms:
        for s in (1, -1):
            v = s * concretize(e, n, lower, upper, s > 0)
            if best is None or v > best:
                best = v
                point = tuple((upper[j] if s * e[j] > 0 else lower[j]) for j in range(n))
    return best, point


def weight_differences(a: CompiledNet, b: CompiledNet) -> tuple:
    """Per layer ``([ΔW | Δb], [|ΔW| | |Δb|])`` of two networks of the same widths (the second only
    ever multiplies radius columns, whose last entry is 0: its bias column adds nothing)."""
    out = []
    for ha, hb in zip(a.hat, b.hat):
        dw = ha - hb
        out.append((dw, fmpq_mat(dw.nrows(), dw.ncols(), [abs(v) for v in dw.entries()])))
    return tuple(out)


def difference_bounds(a: CompiledNet, b: CompiledNet, absa, ra: _Ranges, rb: _Ranges, lower, upper, deltas=None):
    """Intervals ``[lo_k, hi_k] ∋ A_k(x) − B_k(x)`` on the box for two networks of the same widths
    (module docstring, step 3), ``None`` otherwise (``deltas``: :func:`weight_differences`)."""
    if a.widths != b.widths:
        return None
    if deltas is None:
        deltas = weight_differences(a, b)
    n = len(lower)
    dc = [fmpq(0)] * n + [fmpq(0)]
    dr = [fmpq(0)] * n + [fmpq(0)]
    hc = [(l + u) * _HALF for l, u in zip(lower, upper)] + [_ONE]
    hr = [(u - l) * _HALF for l, u in zip(lower, upper)] + [_ZERO]
    depth = len(a.hat)
    for idx in range(depth):
        dw, adw = deltas[idx]          # [ΔW | Δb], [|ΔW| | |Δb|] (times a radius: last entry 0)
        # centre: W^A δc (δ's constant entry is 0, so the bias column of W^A adds nothing) + [ΔW|Δb]·[hc;1]
        zc = (a.hat[idx] * _column(dc) + dw * _column(hc)).entries()
        zr = (absa[idx] * _column(dr) + adw * _column(hr)).entries()
        lo = [p - q for p, q in zip(zc, zr)]
        hi = [p + q for p, q in zip(zc, zr)]
        if idx == depth - 1:
            return list(zip(lo, hi))
        la, ua, lb, ub = ra.lo[idx], ra.hi[idx], rb.lo[idx], rb.hi[idx]
        dc, dr, hc, hr = [], [], [], []
        zero = _ZERO  # (sign tests on numerators: cheaper than comparing fmpq values)
        for i in range(len(lo)):
            if la[i].p >= 0 and lb[i].p >= 0:
                dlo, dhi = lo[i], hi[i]
            elif ua[i].p <= 0 and ub[i].p <= 0:
                dlo = dhi = zero
            else:
                dlo = lo[i] if lo[i].p < 0 else zero
                dhi = hi[i] if hi[i].p > 0 else zero
            hlo, hhi = (lb[i] if lb[i].p > 0 else zero), (ub[i] if ub[i].p > 0 else zero)
            dc.append((dlo + dhi) * _HALF)
            dr.append((dhi - dlo) * _HALF)
            hc.append((hlo + hhi) * _HALF)
            hr.append((hhi - hlo) * _HALF)
        dc.append(zero)
        dr.append(zero)
        hc.append(_ONE)
        hr.append(zero)
    raise AssertionError("unreachable")  # pragma: no cover


def _norm(d, norm: str) -> fmpq:
    if norm == "1":
        return sum((abs(v) for v in d), fmpq(0))
    return max(abs(v) for v in d)


#: The screen's input splitting (:func:`split_bound`): at most this many inputs (the sub-boxes
#: needed grow like ``2^n`` per halving of the widths), sub-boxes examined, and sub-boxes open above ε
#: at once (more: the bounds are not closing in; hand over).
SPLIT_INPUTS, SPLIT_BOXES, SPLIT_OPEN = 6, 48, 3


def _box_bound(a: CompiledNet, b: CompiledNet, absa, absb, lower, upper, norm: str, deltas=None):
    """``(bound, exact)`` on one box: the closed-form maximum (``exact``, with its corner) when the
    difference is affine there, else the difference-interval bound (``None`` for networks of
    different widths)."""
    n = len(lower)
    ra, rb = ranges(a, absa, lower, upper), ranges(b, absb, lower, upper)
    if norm == "inf":
        forms = affine_difference(a, b, ra, rb, n)
        if forms is not None:
            M, x = closed_form_maximum(forms, lower, upper)
            return M, x
    bounds = difference_bounds(a, b, absa, ra, rb, lower, upper, deltas)
    if bounds is None:
        return None, None
    mods = [max(hi, -lo) for lo, hi in bounds]
    return (max(mods) if norm == "inf" else sum(mods, fmpq(0))), None


def split_bound(a: CompiledNet, b: CompiledNet, lower, upper, epsilon: fmpq, norm: str,
                budget: int = SPLIT_BOXES, root_bound: fmpq | None = None):
    """Input splitting with the screen's exact bounds, for pairs of the same widths with one hidden
    layer and at most :data:`SPLIT_INPUTS` inputs (where the search itself does not split the
    input: :func:`.max_difference._splits`). ``(True, bound)`` when every sub-box of a partition of
    the box is shown ``≤ ε`` — by the closed form where the difference is affine on the sub-box,
    else by the difference intervals, else by the exact back-substituted bound of
    :mod:`.backsub_bounds` (computed where its float run proposes that it closes the sub-box);
    ``(False, (value, point))`` when a sub-box's closed form exceeds ``ε`` at a corner (a witness);
    ``(None, None)`` when ``budget`` sub-boxes did not settle it or more than :data:`SPLIT_OPEN`
    sub-boxes are open above ``ε`` at once. Best first (largest bound); a sub-box is halved across
    the input with the largest share of the float back-substituted bound (else of largest
    ``width_j · Σ_i (|W^A_ij| + |W^B_ij|)``). Floats only choose; every closed sub-box has an exact
    bound ``≤ ε``. ``root_bound``: the whole box's difference-interval bound when the caller has
    it already (the difference is then not affine on the whole box)."""
    import heapq

    if a.widths != b.widths or len(lower) > SPLIT_INPUTS or len(a.hidden) != 1:
        return None, None  # (deeper networks: the search's own input splitting, :mod:`.box_splitting`)
    absa, absb = _abs_weights(a), _abs_weights(b)
    deltas = weight_differences(a, b)
    n = len(lower)
    wa, wb = absa[0].entries(), absb[0].entries()
    influence = [sum((wa[i * (n + 1) + j] for i in range(a.widths[1])), fmpq(0))
                 + sum((wb[i * (n + 1) + j] for i in range(b.widths[1])), fmpq(0)) for j in range(n)]
    pair = None
    if norm == "inf":
        from .backsub_bounds import BacksubPair

        pair = BacksubPair(a.hat, b.hat)
    heap, pending, count, top = [], [(tuple(lower), tuple(upper))], 0, fmpq(0)
    while pending or heap:
        if pending:
            lo, up = pending.pop()
            if count >= budget:
                return None, None
            count += 1
            if count == 1 and root_bound is not None:
                bound, corner = root_bound, None
            else:
                bound, corner = _box_bound(a, b, absa, absb, lo, up, norm, deltas)
            if bound is None:
                return None, None
            if bound <= epsilon:
                top = max(top, bound)
                continue
            if corner is not None:
                return False, (bound, corner)
            spread = None
            if pair is not None:
                proposal = pair.float_bounds(lo, up)  # floats propose which boxes to bound exactly
                spread = proposal.spread
                if max(proposal.upper) <= float(epsilon):
                    exact = max(pair.exact_bounds(lo, up).upper)
                    if exact <= epsilon:
                        top = max(top, exact)
                        continue
                    bound = min(bound, exact)
            heapq.heappush(heap, (-float(bound), count, (lo, up, spread)))
            if len(heap) > SPLIT_OPEN:
                return None, None
            continue
        _, _, (lo, up, spread) = heapq.heappop(heap)
        if spread is not None and max(spread) > 0:
            j = max(range(n), key=lambda i: spread[i])
        else:
            j = max(range(n), key=lambda i: (up[i] - lo[i]) * influence[i])
        mid = (lo[j] + up[j]) / 2
        pending.append((lo[:j] + (mid,) + lo[j + 1:], up))
        pending.append((lo, up[:j] + (mid,) + up[j + 1:]))
    return True, top


def screen(a: CompiledNet, b: CompiledNet, lower, upper, epsilon: fmpq, norm: str = "inf") -> ScreenAnswer | None:
    """Settle ``max_{x ∈ [lower, upper]} ‖A(x) − B(x)‖ ≤ ε`` by the module's exact steps, or
    ``None`` (hand over to the search)."""
    n = len(lower)
    absa, absb = _abs_weights(a), _abs_weights(b)
    ra, rb = ranges(a, absa, lower, upper), ranges(b, absb, lower, upper)
    if norm == "inf":
        forms = affine_difference(a, b, ra, rb, n)
        if forms is not None:
            M, x = closed_form_maximum(forms, lower, upper)
            d = [p - q for p, q in zip(forward_batch(a, [x])[0], forward_batch(b, [x])[0])]
            if _norm(d, norm) != M:  # pragma: no cover - the forms are the exact difference on the box
                raise AssertionError("internal error: the closed-form maximum is not attained at its corner")
            return ScreenAnswer(M <= epsilon, M, x, M, "closed_form", M)
    bounds, bound = difference_bounds(a, b, absa, ra, rb, lower, upper), None
    if bounds is not None:
        mods = [max(hi, -lo) for lo, hi in bounds]
        bound = max(mods) if norm == "inf" else sum(mods, fmpq(0))
        if bound <= epsilon:  # within; the centre's exact difference as the lower bound
            centre = tuple((l + u) / 2 for l, u in zip(lower, upper))
            v = _norm([p - q for p, q in zip(forward_batch(a, [centre])[0], forward_batch(b, [centre])[0])], norm)
            return ScreenAnswer(True, v, centre, bound, "interval_bound")
    from .difference_attack import FloatNet

    fa, fb = FloatNet.of(a.hat), FloatNet.of(b.hat)
    cands = [tuple((l + u) / 2 for l, u in zip(lower, upper))]
    if norm == "inf":
        cands += gradient_corners(fa, fb, lower, upper)
    best, point, _ = _best_of(a, b, cands, norm)
    if best > epsilon:  # the centre or a corner already answers: no ascent needed
        return ScreenAnswer(False, best, point, None, "witness")
    first = ascent_candidates(fa, fb, lower, upper, norm)
    if first:
        v, y, _ = _best_of(a, b, first, norm)
        if v > best:
            best, point = v, y
    cands += first
    if best > epsilon:
        return ScreenAnswer(False, best, point, None, "witness")
    proved, found = split_bound(a, b, lower, upper, epsilon, norm, root_bound=bound)
    if proved:
        return ScreenAnswer(True, best, point, found, "input_splitting")
    if proved is False:
        return ScreenAnswer(False, found[0], found[1], None, "witness")
    if norm == "inf" and len(lower) <= POLISH_INPUTS:
        # (the same ascent again, more points kept: converting them all to exact points up front
        # would cost more than the rare repetition)
        rest = ascent_candidates(fa, fb, lower, upper, norm, keep=FLOAT_KEEP + POLISH_STARTS)[FLOAT_KEEP:]
        v, y = polish_many(a, b, ra, rb, lower, upper, cands + rest, epsilon)
        if v is not None and v > best:
            best, point = v, y
        if best > epsilon:
            return ScreenAnswer(False, best, point, None, "witness")
    return ScreenAnswer(None, best, point, None, "handed_over")


def _best_of(a: CompiledNet, b: CompiledNet, points, norm: str):
    """``(value, point, target)``: the largest exact difference norm among ``points`` (``target``:
    ``(k, s)`` of the sup norm's maximising output and sign)."""
    ya, yb = forward_batch(a, points), forward_batch(b, points)
    best, point, target = None, None, None
    for x, p, q in zip(points, ya, yb):
        d = [s - t for s, t in zip(p, q)]
        v = _norm(d, norm)
        if best is None or v > best:
            best, point = v, x
            if norm == "inf":
                k = max(range(len(d)), key=lambda i: abs(d[i]))
                target = (k, 1 if d[k] >= 0 else -1)
    return best, point, target


#: The screen's float ascent: starting points, steps and points kept (a small version of
#: :func:`.difference_attack.difference_candidates`; the search runs the full one when it takes over).
FLOAT_STARTS, FLOAT_STEPS, FLOAT_KEEP = 8, 5, 2


def _spread(count: int, n: int):
    """``count`` points of ``[0, 1]^n``: the centre, then the additive recurrence ``frac(i·α)`` with
    ``α_j = φ^-(j+1)``, ``φ`` the real root > 1 of ``x^(n+1) = x + 1`` (Roberts' ``R_n`` sequence, a
    low-discrepancy Kronecker sequence: spread evenly, deterministic, cheaper than a seeded
    generator)."""
    import numpy as np

    phi = 2.0
    for _ in range(30):  # the fixed point of x ↦ (1 + x)^(1/(n+1)), a contraction on [1, 2]
        phi = (1.0 + phi) ** (1.0 / (n + 1))
    alpha = (1.0 / phi) ** np.arange(1, n + 1)
    out = np.outer(np.arange(count), alpha) % 1.0
    out[0] = 0.5
    return out


def gradient_corners(fa, fb, lower, upper) -> list[tuple]:
    """Float64 proposals for the sup norm, as exact points of the box (only proposals: the caller
    evaluates each one exactly). From the centre and :data:`FLOAT_STARTS` − 1 points spread over the
    box (:func:`_spread`) and for every target ``s·(A_k − B_k)``: the point pushed
    to the bounds by the sign of the target's gradient there, coordinates with a zero gradient kept
    (the centre's are exact). Several starting points matter when the two networks differ only in
    units inactive at the centre, where every gradient of the difference is zero. The best
    :data:`FLOAT_KEEP` distinct ones by their float differences, other than the centre.
    ``fa``, ``fb``: :class:`.difference_attack.FloatNet`."""
    import numpy as np

    from .difference_attack import _exact

    lo = np.array([float(v) for v in lower])
    hi = np.array([float(v) for v in upper])
    n = len(lo)
    m = fa.weights[-1].shape[0]
    starts = lo + (hi - lo) * _spread(FLOAT_STARTS, n)
    X = np.repeat(starts, 2 * m, axis=0)           # every start, once per target
    E = np.eye(m)
    rows = np.vstack([E, -E] * FLOAT_STARTS)
    _, ka = fa.forward(X, masks=True)
    _, kb = fb.forward(X, masks=True)
    S = np.sign(fa.gradient(rows, ka) - fb.gradient(rows, kb)) + 0.0  # (+ 0.0: no −0.0 in the keys)
    C = np.where(S > 0, hi, np.where(S < 0, lo, X))
    with np.errstate(all="ignore"):
        score = np.abs(fa.forward(C) - fb.forward(C)).max(axis=1)
    score = np.where(score == score, score, -1.0)  # (NaN: last)
    exact_centre = tuple((l + u) * _HALF for l, u in zip(lower, upper))
    out, seen = [], set()
    for r in np.argsort(-score, kind="stable"):  # the corners with the largest float differences first
        g, key = S[r], C[r].tobytes()
        if key in seen or (r < 2 * m and not g.any()):  # (the centre itself: the caller's first point)
            continue
        seen.add(key)
        # pushed coordinates at the exact bounds; the others at the exact centre or the start (as a
        # dyadic rational in the box)
        kept = exact_centre if r < 2 * m else _exact(X[r], lower, upper)
        out.append(tuple(upper[j] if g[j] > 0 else lower[j] if g[j] < 0 else kept[j] for j in range(n)))
        if len(out) >= FLOAT_KEEP:
            break
    return out


def ascent_candidates(fa, fb, lower, upper, norm: str, keep: int = FLOAT_KEEP) -> list[tuple]:
    """Float64 proposals, as exact points of the box: the best ``keep`` points of a short projected
    sign-gradient ascent (:func:`.difference_attack.difference_candidates` with :data:`FLOAT_STARTS`
    starts and :data:`FLOAT_STEPS` steps), best first; the screen checks the first
    :data:`FLOAT_KEEP` exactly and hands the others to :func:`polish_many` as starting points."""
    from .difference_attack import difference_candidates

    return difference_candidates(fa, fb, lower, upper, norm, seed=1, starts=FLOAT_STARTS, steps=FLOAT_STEPS,
                                 keep=keep)


#: Polishing is skipped when the region at the point has more sign rows than this (the LP would
#: cost more than the search's own first steps).
POLISH_ROWS = 48


#: Exact LPs the polish may spend on neighbouring regions (:func:`polish`).
POLISH_LPS = 4


def _target_value(a: CompiledNet, b: CompiledNet, x, target) -> fmpq:
    k, s = target
    return s * (forward_batch(a, [x])[0][k] - forward_batch(b, [x])[0][k])


def region_maximiser(a: CompiledNet, b: CompiledNet, ra: _Ranges, rb: _Ranges, lower, upper, x, target,
                     flip=frozenset()):
    """``(y, tight)``: one exact LP. The region: the box and, for every unit not stable on the box,
    its sign at ``x`` (active iff ``z(x) > 0``), reversed for the units in ``flip`` (keys
    ``(network, layer, unit)``); there ``s·(A_k − B_k)`` is one affine function, and ``y`` is its
    exact maximiser (PPL). ``tight``: the unstable units with ``z(y) = 0`` (the walls of the region
    through ``y``). ``(None, ())`` when the region is empty or has too many rows."""
    from ..polyhedra import primitive_row
    from ..polyhedra.ppl_backend import PPLExact

    n = len(lower)
    k, s = target
    rows = []
    for j in range(n):
        e = [0] * n
        e[j] = 1
        rows.append(primitive_row(e, -lower[j]))
        e = [0] * n
        e[j] = -1
        rows.append(primitive_row(e, upper[j]))
    outs, walls = [], []
    for which, (net, rng) in enumerate(((a, ra), (b, rb))):
        H = fmpq_mat(n + 1, n + 1, [1 if i == j else 0 for i in range(n + 1) for j in range(n + 1)])
        v = _column(list(x) + [fmpq(1)])
        depth = len(net.hat)
        for idx, hat in enumerate(net.hat):
            Z = hat * H
            if idx == depth - 1:
                outs.append(Z.entries()[k * (n + 1):(k + 1) * (n + 1)])
                break
            z = (hat * v).entries()
            e = Z.entries()
            keep, vals = [], []
            for i, t in enumerate(z):
                form = e[i * (n + 1):(i + 1) * (n + 1)]
                on = t > 0
                if not (rng.lo[idx][i] >= 0 or rng.hi[idx][i] <= 0):
                    on = on != ((which, idx, i) in flip)
                    sign = 1 if on else -1
                    rows.append(primitive_row([sign * c for c in form[:n]], sign * form[n]))
                    walls.append(((which, idx, i), form))
                keep.append(form if on else [0] * (n + 1))
                vals.append(t if on else 0)
            if len(rows) > 2 * n + POLISH_ROWS:
                return None, ()
            H = fmpq_mat(len(keep) + 1, n + 1, [c for f in keep for c in f] + [0] * n + [1])
            v = _column(vals + [1])
    g = [s * (p - q) for p, q in zip(outs[0][:n], outs[1][:n])]
    den = 1
    for c in g:
        den = den * int(c.q) // math.gcd(den, int(c.q))
    objective = [-int(c.p) * (den // int(c.q)) for c in g]  # minimise −g·x
    if not any(objective):
        return None, ()
    status, y = PPLExact().minimize_point(objective, [r for r in rows if any(r[0]) or r[1] < 0], n)
    if status != "optimized":
        return None, ()
    tight = tuple(key for key, form in walls
                  if form[n] + sum((c * t for c, t in zip(form[:n], y) if c), fmpq(0)) == 0)
    return y, tight


#: Float proposals kept as starting points of the region LPs, the distinct regions tried, and the
#: most inputs for which the screen runs them (an exact LP in many dimensions costs more than it
#: saves when the question is handed over: 64 inputs, digits pairs, ~0.4 s; 13 inputs, wine, ~5 ms).
POLISH_STARTS, POLISH_REGIONS, POLISH_INPUTS = 14, 3, 6


def _pattern(net: CompiledNet, rng: _Ranges, x) -> tuple:
    """The signs at ``x`` of the units that are not stable on the box (active iff ``z(x) > 0``)."""
    v = _column(list(x) + [fmpq(1)])
    out = []
    for idx, hat in enumerate(net.hat[:-1]):
        z = (hat * v).entries()
        out.extend(t > 0 for i, t in enumerate(z) if not (rng.lo[idx][i] >= 0 or rng.hi[idx][i] <= 0))
        v = _column([t if t > 0 else 0 for t in z] + [1])
    return tuple(out)


def polish_many(a: CompiledNet, b: CompiledNet, ra: _Ranges, rb: _Ranges, lower, upper, points, epsilon):
    """``(value, point)``: the best exact sup-norm difference reached by region LPs from ``points``
    (best exact value first; one LP per distinct region, at most :data:`POLISH_REGIONS`; for each
    point its own maximising target), then :func:`polish` from the best; stops as soon as a value
    exceeds ``epsilon``. ``(None, None)`` when no LP ran."""
    ya, yb = forward_batch(a, points), forward_batch(b, points)
    ranked = []
    for x, p, q in zip(points, ya, yb):
        d = [s - t for s, t in zip(p, q)]
        k = max(range(len(d)), key=lambda i: abs(d[i]))
        ranked.append((abs(d[k]), x, (k, 1 if d[k] >= 0 else -1)))
    ranked.sort(key=lambda r: r[0], reverse=True)
    seen, tried = set(), 0
    best, point, target = None, None, None
    for _, x, t in ranked:
        if tried >= POLISH_REGIONS:
            break
        key = (t, _pattern(a, ra, x), _pattern(b, rb, x))
        if key in seen:
            continue
        seen.add(key)
        tried += 1
        y, _ = region_maximiser(a, b, ra, rb, lower, upper, x, t)
        if y is None:
            continue
        v = _target_value(a, b, y, t)
        if best is None or v > best:
            best, point, target = v, y, t
            if best > epsilon:
                return best, point
    if point is None:
        return None, None
    y = polish(a, b, ra, rb, lower, upper, point, target)
    if y is not None:
        v = _target_value(a, b, y, target)
        if v > best:
            best, point = v, y
    return best, point


def polish(a: CompiledNet, b: CompiledNet, ra: _Ranges, rb: _Ranges, lower, upper, x, target) -> tuple | None:
    """Exact LPs from ``x`` (at most :data:`POLISH_LPS`): the maximiser of ``s·(A_k − B_k)`` on the
    region of ``x`` (:func:`region_maximiser`; the region contains ``x``, so it is at least as good),
    then, while that improves it, on the regions across the walls through the current maximiser
    (one unit's sign reversed). Every point returned is a point of the box; only its exact value
    counts. ``None`` when no LP ran."""
    y, tight = region_maximiser(a, b, ra, rb, lower, upper, x, target)
    if y is None:
        return None
    best, value = y, _target_value(a, b, y, target)
    budget = POLISH_LPS - 1
    while tight and budget > 0:
        step = None
        for key in tight:
            if budget <= 0:
                break
            budget -= 1
            z, walls = region_maximiser(a, b, ra, rb, lower, upper, best, target, frozenset([key]))
            if z is None:
                continue
            v = _target_value(a, b, z, target)
            if v > value and (step is None or v > step[1]):
                step = (z, v, walls)
        if step is None:
            break
        best, value, tight = step
    return best


__all__ = ["ScreenAnswer", "affine_difference", "ascent_candidates", "closed_form_maximum", "difference_bounds",
           "forward_batch", "gradient_corners", "polish", "polish_many", "ranges", "region_maximiser", "screen", "shared_units"]
