"""``tanh.max_difference_enclosure`` certificates: ``lower ≤ max_X ‖A − B‖_∞ ≤ upper`` on a box.

Built after :func:`exactnet.tanh.max_difference.max_difference_enclosure` has found the interval
(docs/certificates.md; checked by :mod:`exactnet.check.tanh_difference`):

* the **witness** is the enclosure's witness point (its difference is enclosed by Arb);
* the **cover** is a bisection tree of the box, in preorder (``-1`` a leaf, ``i`` a midpoint split of
  coordinate ``i``, lower half first), refined until on every leaf each output's difference
  ``d_o = A_o − B_o`` is provably within ``[−upper, upper]`` by the natural enclosure (``tanh`` of
  the exact preactivation ranges) or the mean-value form ``d_o(c) + Σ_i J_oi [−r_i, r_i]``
  (``J`` encloses the Jacobian of ``d`` through ``sech²`` on those ranges). Nearly equal units of
  ``A`` and ``B`` are **paired** (:func:`pair_units`, listed in the evidence) and enclosed through
  ``tanh u − tanh v = sinh(u − v)/(cosh u cosh v)``, so a small change of weights stays small. The test here is made
  against ``upper`` minus a margin of ``2^-(p−24)·(1 + |upper|)`` at precision ``p``, with every
  enclosure's radius widened by ``2^-16`` of itself (:data:`RADIUS_SLACK`: Arb rounds radii to 30
  bits), so that the checker, recomputing the same enclosures at ``2p`` bits, finds them inside
  ``[−upper, upper]``.
  The box to split next is the coordinate with the largest ``r_i · max_o |J_oi|``.

The cover is computed from the two networks as given (not the simplified difference the search
uses), because that is what the checker evaluates; near the maximiser the mean-value form
converges quadratically, so the refinement ends once its error is below ``upper − max``.
"""

from __future__ import annotations

from flint import arb, fmpq

from ..certificates import certificate
from ..deadline import NO_DEADLINE, Deadline
from ..network import Network
from ..network.domain import Box
from ..numbers import number_json
from ..numbers.algebraic import working_precision

KIND = "tanh.max_difference_enclosure"
#: Boxes in a cover at most (beyond it no certificate is written).
MAX_COVER = 1 << 16


def _span(row, g, c, r):
    mid = g + sum((w * x for w, x in zip(row, c) if w != 0), fmpq(0))
    rad = sum((abs(w) * s for w, s in zip(row, r) if w != 0), fmpq(0))
    return mid - rad, mid + rad


def _th(lo, hi):
    return arb(lo).tanh().union(arb(hi).tanh())


def _sech_sq(lo, hi):
    near = fmpq(0) if lo <= 0 <= hi else min(abs(lo), abs(hi))
    return (1 - arb(max(abs(lo), abs(hi))).tanh() ** 2).union(1 - arb(near).tanh() ** 2)


def _ch(lo, hi):
    near = fmpq(0) if lo <= 0 <= hi else min(abs(lo), abs(hi))
    return arb(near).cosh().union(arb(max(abs(lo), abs(hi))).cosh())


class _Pair:
    """The two networks as lists, and the pairs of nearly equal units (``A``'s unit, ``B``'s unit)."""

    def __init__(self, a: Network, b: Network):
        (self.bA, self.gA), (self.aA, self.dA) = ((list(map(list, L.weight)), list(L.bias)) for L in a.layers)
        (self.bB, self.gB), (self.aB, self.dB) = ((list(map(list, L.weight)), list(L.bias)) for L in b.layers)
        self.pairs = pair_units(a, b)

    def at(self, c) -> list:
        def value(beta, gamma, alpha, delta):
            t = [arb(g + sum((w * x for w, x in zip(row, c) if w != 0), fmpq(0))).tanh() for row, g in zip(beta, gamma)]
            return [arb(d) + sum((arb(x) * y for x, y in zip(arow, t) if x != 0), arb(0)) for arow, d in zip(alpha, delta)]

        return [x - y for x, y in zip(value(self.bA, self.gA, self.aA, self.dA), value(self.bB, self.gB, self.aB, self.dB))]

    def enclose(self, c, r):
        """(natural enclosures of ``d_o``, Jacobian enclosures) on the box (module docstring)."""
        m, n = len(self.dA), len(c)
        nat = [arb(x - y) for x, y in zip(self.dA, self.dB)]
        J = [[arb(0)] * n for _ in range(m)]
        used_a, used_b = {i for i, _ in self.pairs}, {j for _, j in self.pairs}
        for beta, gamma, alpha, used, sign in ((self.bA, self.gA, self.aA, used_a, 1),
                                              (self.bB, self.gB, self.aB, used_b, -1)):
            for k, (row, g) in enumerate(zip(beta, gamma)):
                if k in used:
                    continue
                lo, hi = _span(row, g, c, r)
                t, s2 = _th(lo, hi), _sech_sq(lo, hi)
                for o in range(m):
                    if alpha[o][k] != 0:
                        w = sign * arb(alpha[o][k])
                        nat[o] += w * t
                        J[o] = [J[o][i] + w * s2 * arb(row[i]) if row[i] != 0 else J[o][i] for i in range(n)]
        for i, j in self.pairs:
            u, v = _span(self.bA[i], self.gA[i], c, r), _span(self.bB[j], self.gB[j], c, r)
            db = [x - y for x, y in zip(self.bA[i], self.bB[j])]
            w = _span(db, self.gA[i] - self.gB[j], c, r)
            T = arb(w[0]).sinh().union(arb(w[1]).sinh()) / (_ch(*u) * _ch(*v))
            tu, tv = _th(*u), _th(*v)
            su, sv = _sech_sq(*u), _sech_sq(*v)
            ds = -T * (tu + tv)
            for o in range(m):
                a1, a2 = self.aA[o][i], self.aB[o][j]
                nat[o] += arb(a1) * T + arb(a1 - a2) * tv
                J[o] = [J[o][k] + arb(a1) * (su * arb(db[k]) + ds * arb(self.bB[j][k]))
                        + arb(a1 - a2) * sv * arb(self.bB[j][k]) for k in range(n)]
        return nat, J


#: Units of ``A`` and ``B`` are paired when their ``(β, γ)`` differ by at most this fraction of the
#: larger (sup norms): the pair's contribution is then enclosed through its small difference.
PAIR_DISTANCE = fmpq(1, 64)


def pair_units(a: Network, b: Network) -> list[tuple[int, int]]:
    """Greedy pairs ``(i, j)``: ``A``'s unit ``i`` with the nearest unused unit ``j`` of ``B``
    within :data:`PAIR_DISTANCE` (any pairing gives valid enclosures; close pairs give tight ones)."""
    ka = [list(r) + [g] for r, g in zip(a.layers[0].weight, a.layers[0].bias)]
    kb = [list(r) + [g] for r, g in zip(b.layers[0].weight, b.layers[0].bias)]
    free = set(range(len(kb)))
    pairs = []
    for i, u in enumerate(ka):
        best = None
        for j in free:
            d = max(abs(x - y) for x, y in zip(u, kb[j]))
            scale = max([fmpq(1)] + [abs(x) for x in u] + [abs(x) for x in kb[j]])
            if d <= PAIR_DISTANCE * scale and (best is None or d < best[0]):
                best = (d, j)
        if best is not None:
            free.discard(best[1])
            pairs.append((i, best[1]))
    return pairs


#: The prover widens the radius of every enclosure by this fraction before it accepts a leaf. The
#: checker recomputes the same enclosures at twice the precision, but Arb's radii are 30-bit magnitudes
#: rounded up at every operation (and at every union), so a ball there can come out wider by a few
#: parts in 2^30 of its radius, which a margin relative to ``upper`` alone does not cover (a leaf at
#: the maximiser accepted at 128 bits was refused at 256: its mean-value enclosure ended 1e-39 below
#: ``−upper``). A leaf accepted with this slack is accepted by the checker.
RADIUS_SLACK = fmpq(1, 1 << 16)


def _within(v: arb, limit: fmpq) -> bool:
    """``v``, its radius widened by :data:`RADIUS_SLACK`, lies in ``[−limit, limit]``."""
    if not v.is_finite():
        return False
    return abs(v.mid()) + v.rad() * (1 + arb(RADIUS_SLACK)) <= limit


def _leaf(P: _Pair, c, r, limit: fmpq):
    """``(True, None)`` when every output is provably within ``±limit`` on the box, else
    ``(False, coordinate to split)``."""
    nat, J = P.enclose(c, r)
    mid = P.at(c)
    balls = [arb(0, v) for v in r]
    ok = True
    score = [0.0] * len(r)  # only chooses the coordinate to split (a heuristic, floats are fine)
    for o in range(len(nat)):
        mean = mid[o] + sum((J[o][i] * balls[i] for i in range(len(r))), arb(0))
        if not any(_within(v, limit) for v in (nat[o], mean)):
            ok = False
        for i in range(len(r)):
            mag = float(abs(J[o][i]).upper()) if J[o][i].is_finite() else float("inf")
            score[i] = max(score[i], mag * float(r[i]))
    if ok:
        return True, None
    best = max(range(len(r)), key=lambda i: (score[i], r[i]))
    if score[best] == 0:
        best = max(range(len(r)), key=lambda i: r[i])
    return False, best


def enclosure_cover(a: Network, b: Network, box: Box, upper: fmpq, *, prec: int = 128,
                    deadline: Deadline = NO_DEADLINE, max_boxes: int = MAX_COVER) -> tuple[list[int], fmpq] | None:
    """``(splits, certified upper bound)``: the bisection tree of the module docstring in preorder
    for ``upper``, or — when ``upper`` is within rounding of the maximum (a constant difference, a
    width of ``2^-100``) and a sixteenth of the budget does not suffice — for ``upper`` widened by
    ``(1 + |upper|)·2^-(prec−32)``; ``None`` when even that needs more than ``max_boxes`` boxes or
    the deadline passes."""
    first = _cover(a, b, box, upper, prec, deadline, max(max_boxes // 16, 1))
    if first is not None:
        return first, upper
    wider = upper + (1 + abs(upper)) * fmpq(1, 1 << (prec - 32))
    splits = _cover(a, b, box, wider, prec, deadline, max_boxes)
    return None if splits is None else (splits, wider)


def _cover(a, b, box, upper, prec, deadline, max_boxes) -> list[int] | None:
    P = _Pair(a, b)
    if upper < 0:
        return None
    limit = max(upper - (1 + abs(upper)) * fmpq(1, 1 << (prec - 24)), fmpq(0))  # 0: exact zeros only
    out: list[int] = []
    centre = [(lo + hi) / 2 for lo, hi in zip(box.lower, box.upper)]
    radius = [(hi - lo) / 2 for lo, hi in zip(box.lower, box.upper)]
    stack = [(centre, radius)]
    boxes = 0
    with working_precision(prec):
        while stack:
            if deadline.expired() or boxes >= max_boxes:
                return None
            c, r = stack.pop()
            boxes += 1
            ok, i = _leaf(P, c, r, limit)
            if ok:
                out.append(-1)
                continue
            out.append(i)
            half = r[i] / 2
            rr = [half if k == i else v for k, v in enumerate(r)]
            stack.append(([v + half if k == i else v for k, v in enumerate(c)], rr))
            stack.append(([v - half if k == i else v for k, v in enumerate(c)], rr))
    return out


def enclosure_certificate(a: Network, b: Network, box: Box, result, cover, prec: int = 128) -> dict:
    """The certificate of an enclosure ``result`` (:class:`~.max_difference.MaxDifferenceEnclosure`)
    with ``cover = (splits, upper)`` from :func:`enclosure_cover`."""
    splits, upper = cover
    claim = {"norm": "inf", "lower": number_json(result.lower), "upper": number_json(upper),
             "domain": box.to_obj()}
    evidence = {"witness": [number_json(v) for v in result.witness], "precision": prec, "splits": splits,
                "pairs": [list(p) for p in pair_units(a, b)]}
    return certificate(KIND, claim, [a, b], evidence)


__all__ = ["KIND", "MAX_COVER", "PAIR_DISTANCE", "enclosure_certificate", "enclosure_cover", "pair_units"]
