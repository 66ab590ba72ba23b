"""The checker's own exact difference-form bound of ``A − B`` on a box (the ``box_difference_forms``
bound method of ``box_split`` certificates; docs/certificates.md "Box-split evidence").

Independent of the decider (checkers do not import deciders): the mathematics is restated here
and in docs/difference.md "Box splitting", and every quantity is an exact rational (FLINT
``fmpq_mat`` products). On the box ``x = mid + rad·t``, ``t ∈ [−1, 1]^n``, a quantity ``q`` is
enclosed by two affine forms of ``t``: rows ``[c | c₀]`` with ``L(t) ≤ q(t) ≤ U(t)``; the largest
value of a row over the cube is ``c₀ + Σ|c_j|``, the smallest ``c₀ − Σ|c_j|``.

* **Affine layer.** ``z = W h + b``: ``W⁺L + W⁻U + b ≤ z ≤ W⁺U + W⁻L + b`` (``W⁺``, ``W⁻`` the positive
  and negative parts of ``W``).
* **ReLU** on a unit with form range ``[l, u]``: the identity when ``l ≥ 0``, zero when ``u ≤ 0``;
  otherwise ``l`` is rounded down and ``u`` up to ``bits`` significant bits (``l̃ ≤ l``, ``ũ ≥ u``), the
  slope ``a`` is ``ũ/(ũ − l̃)`` rounded up, and ``relu(z) ≤ a·(U_z − l̃)`` (the chord over the wider
  interval ``[l̃, ũ]``, which lies above ``relu`` there since ``a ≥ ũ/(ũ − l̃)``); below, ``L_z`` when
  ``ũ ≥ −l̃`` (``relu(z) ≥ z``), else ``0``.
* **Difference** (networks of the same widths): ``δ = h^A − h^B`` is 0 on the inputs;
  ``z^A − z^B = W^A δ + (W^A − W^B) h^B + (b^A − b^B)``, with forms from ``δ``'s and ``h^B``'s. Through
  the ReLU, ``δ' = relu(z^A) − relu(z^B)``: ``z^A − z^B`` where both units are active (``l ≥ 0``), 0
  where both are off (``u ≤ 0``), ``z^A`` where only ``A``'s is active and ``B``'s off, ``−z^B`` in the
  opposite case; otherwise ``min(0, d) ≤ δ' ≤ max(0, d)`` for ``d = z^A − z^B`` (ReLU is monotone and
  1-Lipschitz). With ``d``'s form range ``[d_l, d_u]``: ``d_l ≥ 0`` gives ``0 ≤ δ' ≤ U_d``; ``d_u ≤ 0``
  gives ``L_d ≤ δ' ≤ 0``; else, with ``d̃_l ≤ d_l``, ``d̃_u ≥ d_u`` rounded as above,
  ``a ≥ d̃_u/(d̃_u − d̃_l)`` and ``c ≥ −d̃_l/(d̃_u − d̃_l)`` rounded up,
  ``c·(L_d − d̃_u) ≤ δ' ≤ a·(U_d − d̃_l)`` (the chords of the convex ``max(0, ·)`` and the concave
  ``min(0, ·)`` over ``[d̃_l, d̃_u]``).
* **Outputs.** ``A_k − B_k ≤ max(U^A_k − L^B_k)`` and ``B_k − A_k ≤ max(U^B_k − L^A_k)``; for the same
  widths also ``≤ max U^δ_k`` and ``≤ −min L^δ_k``; the smaller is the bound. Class ``i`` cannot be
  picked anywhere on the box (lowest index among the maxima) when some ``k`` has
  ``max(U_i − L_k) < 0``, or ``≤ 0`` with ``k < i``.

Rounding to ``bits`` significant bits: ``q ≠ 0`` with ``e = bits − (len(|p|) − len(q))`` binary digits
after the point (``len`` the bit length of numerator and denominator) is rounded to
``⌊q·2^e⌋/2^e`` (down) or ``⌈q·2^e⌉/2^e`` (up). Any rounding direction-correct is sound; this one is
stated so the checker's bound equals the prover's, which the certificate's ``bits`` names.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq, fmpq_mat, fmpz

_ZERO = fmpq(0)
#: The ``bits`` a certificate may ask for (a small number is sound but loose; a huge one slow).
MIN_BITS, MAX_BITS = 2, 1024


def round_down(q: fmpq, bits: int) -> fmpq:
    """The largest dyadic ``⌊q·2^e⌋/2^e ≤ q`` (module docstring)."""
    if q == 0:
        return q
    aq = abs(q)
    e = bits - (int(aq.p.bit_length()) - int(aq.q.bit_length()))
    if e >= 0:
        s = fmpz(2) ** e
        return fmpq((q * s).floor(), s)
    d = fmpz(2) ** (-e)
    return fmpq((q / d).floor() * d)


def round_up(q: fmpq, bits: int) -> fmpq:
    return -round_down(-q, bits)


@dataclass(frozen=True)
class FormBounds:
    """``upper[2k]`` bounds ``A_k − B_k`` and ``upper[2k + 1]`` bounds ``B_k − A_k`` on the box;
    ``classes_a``/``classes_b``: the classes each network may pick somewhere on it."""

    upper: tuple
    classes_a: tuple
    classes_b: tuple


def _mat(rows) -> fmpq_mat:
    return fmpq_mat(len(rows), len(rows[0]), [v for r in rows for v in r])


def _parts(W):
    pos = [[w if w > 0 else _ZERO for w in r] for r in W]
    neg = [[w if w < 0 else _ZERO for w in r] for r in W]
    return _mat(pos), _mat(neg)


class PairForms:
    """Both networks' layers (``[(W rows, b), ...]`` of exact rationals) prepared once per check."""

    def __init__(self, layers_a, layers_b):
        self.a = [(*_parts(W), list(b)) for W, b in layers_a]
        self.b = [(*_parts(W), list(b)) for W, b in layers_b]
        self.same = [(len(W), len(W[0])) for W, _ in layers_a] == [(len(W), len(W[0])) for W, _ in layers_b]
        if self.same:
            self.delta = []
            for (WA, bA), (WB, bB) in zip(layers_a, layers_b):
                dW = [[p - q for p, q in zip(ra, rb)] for ra, rb in zip(WA, WB)]
                self.delta.append((*_parts(dW), [p - q for p, q in zip(bA, bB)]))


def _low(row):
    return row[-1] - sum((abs(v) for v in row[:-1]), _ZERO)


def _high(row):
    return row[-1] + sum((abs(v) for v in row[:-1]), _ZERO)


def _affine(Wp, Wn, bias, L, U):
    """Rows of the lower and upper forms of ``W h + b`` from ``h``'s forms (``fmpq_mat``)."""
    lo = (Wp * L + Wn * U).table()
    hi = (Wp * U + Wn * L).table()
    if bias is not None:
        for r, c in zip(lo, bias):
            r[-1] += c
        for r, c in zip(hi, bias):
            r[-1] += c
    return lo, hi


def _relu(zL, zU, bits):
    """The ReLU enclosure (module docstring): new forms, and per unit ``+1`` (active), ``−1`` (off)
    or ``0`` (undecided)."""
    L, U, sign = [], [], []
    for rl, ru in zip(zL, zU):
        lo, hi = _low(rl), _high(ru)
        if lo >= 0:
            L.append(rl)
            U.append(ru)
            sign.append(1)
        elif hi <= 0:
            zero = [_ZERO] * len(rl)
            L.append(zero)
            U.append(list(zero))
            sign.append(-1)
        else:
            l, u = round_down(lo, bits), round_up(hi, bits)
            a = round_up(u / (u - l), bits)
            up = [a * v for v in ru]
            up[-1] -= a * l
            U.append(up)
            L.append(rl if u >= -l else [_ZERO] * len(rl))
            sign.append(0)
    return L, U, sign


def _relu_difference(dL, dU, zLA, zUA, zLB, zUB, sa, sb, bits):
    L, U = [], []
    for i, (rl, ru) in enumerate(zip(dL, dU)):
        zero = [_ZERO] * len(rl)
        if sa[i] == 1 and sb[i] == 1:
            L.append(rl)
            U.append(ru)
        elif sa[i] == -1 and sb[i] == -1:
            L.append(zero)
            U.append(list(zero))
        elif sa[i] == 1 and sb[i] == -1:
            L.append(zLA[i])
            U.append(zUA[i])
        elif sa[i] == -1 and sb[i] == 1:
            L.append([-v for v in zUB[i]])
            U.append([-v for v in zLB[i]])
        else:
            lo, hi = _low(rl), _high(ru)
            if lo >= 0:
                L.append(zero)
                U.append(ru)
            elif hi <= 0:
                L.append(rl)
                U.append(zero)
            else:
                l, u = round_down(lo, bits), round_up(hi, bits)
                a = round_up(u / (u - l), bits)
                c = round_up(-l / (u - l), bits)
                up = [a * v for v in ru]
                up[-1] -= a * l
                down = [c * v for v in rl]
                down[-1] -= c * u
                L.append(down)
                U.append(up)
    return L, U


def _classes(zL, zU) -> tuple:
    m = len(zL)
    out = []
    for i in range(m):
        excluded = False
        for k in range(m):
            if k == i:
                continue
            top = _high([p - q for p, q in zip(zU[i], zL[k])])
            if top < 0 or (k < i and top <= 0):
                excluded = True
                break
        if not excluded:
            out.append(i)
    return tuple(out)


def _network(layers, X, bits):
    """Per layer ``(lower rows, upper rows, signs)`` of one network's preactivations (the last
    layer: the outputs, signs ``None``), and the activations' forms fed to each layer."""
    L = U = X
    trace = []
    for idx, (Wp, Wn, bias) in enumerate(layers):
        zL, zU = _affine(Wp, Wn, bias, L, U)
        if idx == len(layers) - 1:
            trace.append((zL, zU, None, L, U))
            break
        rL, rU, sign = _relu(zL, zU, bits)
        trace.append((zL, zU, sign, L, U))
        L, U = _mat(rL), _mat(rU)
    return trace


def form_bounds(pair: PairForms, lower, upper, bits: int) -> FormBounds:
    """The bounds of the module docstring on the box ``[lower, upper]``."""
    n = len(lower)
    X = _mat([[(hi - lo) / 2 if j == i else _ZERO for j in range(n)] + [(lo + hi) / 2]
              for i, (lo, hi) in enumerate(zip(lower, upper))])
    ta, tb = _network(pair.a, X, bits), _network(pair.b, X, bits)
    zLA, zUA = ta[-1][0], ta[-1][1]
    zLB, zUB = tb[-1][0], tb[-1][1]
    plus = [_high([p - q for p, q in zip(ra, rb)]) for ra, rb in zip(zUA, zLB)]
    minus = [_high([p - q for p, q in zip(rb, ra)]) for ra, rb in zip(zLA, zUB)]
    if pair.same:
        dL = dU = None
        for idx, (WAp, WAn, _) in enumerate(pair.a):
            dWp, dWn, db = pair.delta[idx]
            hLB, hUB = tb[idx][3], tb[idx][4]
            zdL, zdU = _affine(dWp, dWn, db, hLB, hUB)  # (W^A − W^B) h^B + (b^A − b^B)
            if dL is not None:  # + W^A δ (δ = 0 on the inputs)
                wL, wU = _affine(WAp, WAn, None, dL, dU)
                zdL = [[p + q for p, q in zip(r, s)] for r, s in zip(wL, zdL)]
                zdU = [[p + q for p, q in zip(r, s)] for r, s in zip(wU, zdU)]
            if idx == len(pair.a) - 1:
                break
            (aL, aU, sa, _, _), (bL, bU, sb, _, _) = ta[idx], tb[idx]
            nL, nU = _relu_difference(zdL, zdU, aL, aU, bL, bU, sa, sb, bits)
            dL, dU = _mat(nL), _mat(nU)
        plus = [min(p, _high(r)) for p, r in zip(plus, zdU)]
        minus = [min(q, -_low(r)) for q, r in zip(minus, zdL)]
    upper_t = []
    for p, q in zip(plus, minus):
        upper_t += [p, q]
    return FormBounds(tuple(upper_t), _classes(zLA, zUA), _classes(zLB, zUB))


__all__ = ["FormBounds", "MAX_BITS", "MIN_BITS", "PairForms", "form_bounds", "round_down", "round_up"]
