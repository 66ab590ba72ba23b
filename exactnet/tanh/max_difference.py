"""A rigorous enclosure of the maximum difference of two one-hidden-layer tanh networks on a box
(docs/tanh.md § Maximum difference on a box).

For networks ``A, B : R^n → R^m`` and a box ``X``, the quantity is

    ``M = max_{x ∈ X} ‖A(x) − B(x)‖_∞``

(the sup norm over the outputs; ``M`` exists since ``X`` is compact). The values of tanh networks
at rational points are transcendental, so ``M`` is enclosed: :func:`max_difference_enclosure`
returns exact rationals ``lower ≤ M ≤ upper`` with ``upper − lower ≤ width`` unless the deadline or
the box budget stopped it.

Method:

1. **Exact simplification.** ``A − B`` is itself a tanh parameter (``B``'s units with negated
   outgoing weights); its exact compression (docs/tanh.md § Compression and the canonical form)
   merges equal and opposite units and drops cancelled ones, leaving
   ``D(x) = δ + Σ_j α_j tanh(β_j·x + γ_j)``. For functionally equivalent networks no unit is left
   and ``D ≡ δ = 0``, so the answer is exactly ``[0, 0]``; a constant ``D`` is enclosed directly.
2. **Branch and bound** over sub-boxes ``Y`` (best upper bound first). Two enclosures of each output
   ``D_o`` on ``Y`` (``arb`` ball arithmetic, every rounding outward):
   the natural one, ``δ + Σ α_j tanh(β_j·Y + γ_j)`` (``tanh`` is monotone and ``β_j·Y`` is an exact
   interval up to rounding), and the mean-value form
   ``D_o(m) + Σ_i J_oi(Y)·[−r_i, r_i]`` around the centre ``m`` with radii ``r``, where
   ``J(Y) = Σ_j α_j sech²(β_j·Y + γ_j) β_jᵀ`` encloses the Jacobian on ``Y`` (``sech²`` is
   unimodal with its maximum at 0, so its range on an interval comes from the endpoints). The
   smaller of the two bounds ``max_o |D_o|`` on ``Y`` is the box's upper bound. The largest such
   bound over the boxes not yet discarded is ``upper``; boxes whose bound is below ``lower`` are
   discarded.
3. **Witnesses.** ``D`` is enclosed at the centre of every box examined (and at the corners of the
   initial box when there are at most 2^10); the largest lower endpoint of ``max_o |D_o(x)|`` is
   ``lower``, and that ``x`` is the witness. Boxes are split at the midpoint of the coordinate with
   the largest mean-value contribution ``r_i·max_o |J_oi|``.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from typing import Sequence

from flint import arb, fmpq

from ..deadline import NO_DEADLINE, Deadline
from ..errors import InputError
from ..network import Network
from ..network.domain import Box
from ..numbers import enclosure
from ..numbers.algebraic import working_precision
from .compression import compress
from .parameter import TanhParameter

#: Boxes examined at most (a safety net besides the deadline).
MAX_BOXES = 200_000
#: Corners of the initial box tried as witnesses when there are at most this many.
MAX_CORNERS = 1 << 10


@dataclass(frozen=True)
class MaxDifferenceEnclosure:
    """``lower ≤ max_{x ∈ box} ‖A(x) − B(x)‖_∞ ≤ upper`` (exact rationals).

    ``witness`` is a point of the box with ``‖A − B‖_∞ ≥ lower`` there (``witness_difference``
    encloses ``A_o − B_o`` at it); ``width_reached`` tells whether ``upper − lower ≤ width``;
    ``boxes`` counts the sub-boxes examined; ``units`` is the number of units of the simplified
    difference ``A − B``.
    """

    lower: fmpq
    upper: fmpq
    witness: tuple[fmpq, ...]
    witness_difference: tuple[arb, ...]
    width: fmpq
    width_reached: bool
    boxes: int
    units: int
    note: str

    @property
    def interval(self) -> arb:
        """An ``arb`` ball containing ``[lower, upper]``."""
        return _ball(self.lower, self.upper)


def _ball(lo: fmpq, hi: fmpq) -> arb:
    mid = (lo + hi) / 2
    return arb(mid) + arb(0, (hi - lo) / 2 + abs(mid) * fmpq(1, 1 << 100))


def _exact(x: arb) -> fmpq:
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return fmpq(m * (1 << e)) if e >= 0 else fmpq(m, 1 << -e)


def _upper(x: arb) -> fmpq:
    """An exact rational ``≥`` every point of ``x``."""
    return _exact(x.upper())


def _lower(x: arb) -> fmpq:
    """An exact rational ``≤`` every point of ``x``."""
    return _exact(x.lower())


def _abs_upper(x: arb) -> fmpq:
    """An exact rational ``≥ |t|`` for every ``t`` in ``x`` (full precision, unlike ``abs_upper``)."""
    return max(_upper(x), -_lower(x))


def _abs_lower(x: arb) -> fmpq:
    """An exact rational ``≤ |t|`` for every ``t`` in ``x`` (0 when ``x`` contains 0)."""
    return max(_lower(x), -_upper(x), fmpq(0))


def difference_parameter(a: Network, b: Network) -> TanhParameter:
    """The exactly simplified parameter of ``A − B`` (module docstring, step 1)."""
    pa = TanhParameter.from_network(a, "the maximum difference")
    pb = TanhParameter.from_network(b, "the maximum difference")
    if (pa.input_dim, pa.output_dim) != (pb.input_dim, pb.output_dim):
        raise InputError(f"the networks have different shapes ({pa.input_dim}→{pa.output_dim} and"
                         f" {pb.input_dim}→{pb.output_dim})")
    units = list(pa.units()) + [(tuple(-v for v in ai), bi, ci) for ai, bi, ci in pb.units()]
    d = tuple(x - y for x, y in zip(pa.d, pb.d))
    both = TanhParameter.from_units(units, d, pa.input_dim, pa.output_dim)
    return compress(both).compressed()


#: Two units of the difference are paired when their keys ``(β, γ)`` differ by at most this
#: fraction of the larger key (sup norms); a pair is enclosed through the identity
#: ``tanh u − tanh v = sinh(u − v) / (cosh u · cosh v)``, which keeps its small difference small.
PAIR_DISTANCE = fmpq(1, 64)


def _pairs(p: TanhParameter) -> tuple[list[int], list[tuple[int, int]]]:
    """Greedy pairing of nearly equal units (the units of ``A`` and of ``B`` that a small change
    of weights — quantisation, pruning of a few weights — left apart)."""
    keys = [[float(v) for v in b] + [float(c)] for b, c in zip(p.b, p.c)]
    free = set(range(p.width))
    pairs = []
    for i in range(p.width):
        if i not in free:
            continue
        free.discard(i)
        scale = max(1.0, max(abs(v) for v in keys[i]))
        best, best_d = None, None
        for j in free:
            d = max(abs(u - v) for u, v in zip(keys[i], keys[j]))
            if d <= float(PAIR_DISTANCE) * scale and (best_d is None or d < best_d):
                best, best_d = j, d
        if best is not None:
            free.discard(best)
            pairs.append((i, best))
    paired = {k for pair in pairs for k in pair}
    return [i for i in range(p.width) if i not in paired], pairs


class _Difference:
    """``D(x) = δ + Σ_j α_j tanh(β_j·x + γ_j)`` in ``arb`` at precision ``prec``: single units,
    and pairs of nearly equal units enclosed through ``sinh(u − v) / (cosh u · cosh v)``."""

    def __init__(self, p: TanhParameter, prec: int):
        self.prec = prec
        self.n, self.m, self.h = p.input_dim, p.output_dim, p.width
        singles, pairs = _pairs(p)
        with working_precision(prec):
            self.delta = [s.enclosure(prec) for s in p.d]

            def vec(values):
                return [enclosure(v, prec) for v in values]

            self.singles = [(vec(p.a[j]), vec(p.b[j]), enclosure(p.c[j], prec)) for j in singles]
            self.pairs = []
            for i, j in pairs:
                alpha1 = vec(p.a[i])
                alpha_sum = vec([x + y for x, y in zip(p.a[i], p.a[j])])
                d_beta = vec([x - y for x, y in zip(p.b[i], p.b[j])])
                d_gamma = enclosure(p.c[i] - p.c[j], prec)
                self.pairs.append((alpha1, alpha_sum, vec(p.b[i]), enclosure(p.c[i], prec), vec(p.b[j]),
                                   enclosure(p.c[j], prec), d_beta, d_gamma))
        self.pair_count = len(self.pairs)

    @staticmethod
    def _affine(beta, gamma, X):
        acc = gamma
        for w, x in zip(beta, X):
            acc += w * x
        return acc

    def _evaluate(self, X, gradient: bool):
        """``(values, jacobian)`` enclosures on the balls ``X`` (a point or a box)."""
        out = list(self.delta)
        J = [[arb(0)] * self.n for _ in range(self.m)] if gradient else None
        for alpha, beta, gamma in self.singles:
            z = self._affine(beta, gamma, X)
            t = _tanh_range(z)
            for o in range(self.m):
                out[o] += alpha[o] * t
            if gradient:
                s = _sech2_range(z)
                for o in range(self.m):
                    if alpha[o] != 0:
                        g = alpha[o] * s
                        J[o] = [J[o][i] + g * beta[i] for i in range(self.n)]
        for alpha1, alpha_sum, b1, c1, b2, c2, d_beta, d_gamma in self.pairs:
            u = self._affine(b1, c1, X)
            v = self._affine(b2, c2, X)
            diff = self._affine(d_beta, d_gamma, X)  # u − v, computed from the exact differences
            (lu, hu), (lv, hv) = _cosh_bounds(u), _cosh_bounds(v)
            T = _divide_by_positive(_sinh_range(diff), lu * lv, hu * hv)  # tanh u − tanh v
            tv = _tanh_range(v)
            for o in range(self.m):
                out[o] += alpha1[o] * T + alpha_sum[o] * tv
            if gradient:
                su, sv = _sech2_range(u), _sech2_range(v)
                dsech = -T * (_tanh_range(u) + tv)  # sech² u − sech² v
                for o in range(self.m):
                    J[o] = [J[o][i] + alpha1[o] * (su * d_beta[i] + dsech * b2[i]) + alpha_sum[o] * sv * b2[i]
                            for i in range(self.n)]
        return out, J

    def at(self, x: Sequence[fmpq]) -> list[arb]:
        """Enclosures of ``D_o(x)`` at an exact point."""
        with working_precision(self.prec):
            return self._evaluate([arb(v) for v in x], False)[0]

    def box_bound(self, centre: Sequence[fmpq], radius: Sequence[fmpq], at_centre: list[arb]):
        """``(upper bound of max_o |D_o| on the box, split coordinate)``: the smaller of the natural
        and the mean-value enclosure, per output."""
        with working_precision(self.prec):
            X = [arb(c) + arb(0, r) for c, r in zip(centre, radius)]
            natural, J = self._evaluate(X, True)
            R = [arb(0, r) for r in radius]
            bound = None
            for o in range(self.m):
                mean = at_centre[o]
                for i in range(self.n):
                    mean += J[o][i] * R[i]
                u = _abs_upper(natural[o]) if natural[o].is_finite() else None
                v = _abs_upper(mean) if mean.is_finite() else None
                best = min(w for w in (u, v) if w is not None)
                bound = best if bound is None else max(bound, best)
            score = [max(_abs_upper(J[o][i]) for o in range(self.m)) * radius[i] for i in range(self.n)]
        return bound, max(range(self.n), key=lambda i: score[i])


def _hull(low: arb, high: arb) -> arb:
    """A ball containing ``[min low, max high]`` (from exact endpoints)."""
    return _ball(_lower(low), _upper(high))


def _tanh_range(z: arb) -> arb:
    """A ball containing ``tanh`` on the interval ``z`` (monotone: from the endpoints; ``arb``'s own
    ``tanh`` of a wide ball is far wider)."""
    return _hull(z.lower().tanh(), z.upper().tanh())


def _sinh_range(z: arb) -> arb:
    return _hull(z.lower().sinh(), z.upper().sinh())


def _cosh_bounds(z: arb) -> tuple[fmpq, fmpq]:
    """Exact rationals ``1 ≤ lo ≤ cosh ≤ hi`` on ``z`` (even, increasing in ``|t|``)."""
    lo, hi = z.lower(), z.upper()
    far = max(abs(lo), abs(hi))
    near = arb(0) if (lo <= 0 <= hi) else min(abs(lo), abs(hi))
    return max(_lower(near.cosh()), fmpq(1)), _upper(far.cosh())


def _divide_by_positive(num: arb, lo: fmpq, hi: fmpq) -> arb:
    """A ball containing ``{a / p : a ∈ num, p ∈ [lo, hi]}`` for ``0 < lo ≤ hi`` (by endpoints:
    midpoint–radius division of wide balls would lose the sign information)."""
    a, b = _lower(num), _upper(num)
    quotients = [arb(x) / arb(y) for x in (a, b) for y in (lo, hi)]
    return _ball(min(_lower(q) for q in quotients), max(_upper(q) for q in quotients))


def _sech2_range(z: arb) -> arb:
    """A ball containing ``sech²`` on the interval ``z`` (unimodal, maximum 1 at 0)."""
    lo, hi = z.lower(), z.upper()
    far = max(abs(lo), abs(hi))
    near = arb(0) if (lo <= 0 <= hi) else min(abs(lo), abs(hi))
    small = 1 - far.tanh() ** 2
    large = 1 - near.tanh() ** 2
    a, b = _lower(small), _upper(large)
    return _ball(a if a > 0 else fmpq(0), b)


def _norm_lower(values: list[arb]) -> fmpq:
    return max(_abs_lower(v) for v in values)


def max_difference_enclosure(a: Network, b: Network, domain_box: Box, width, *, deadline: Deadline = NO_DEADLINE,
                             prec: int = 128, max_boxes: int = MAX_BOXES) -> MaxDifferenceEnclosure:
    """Enclose ``max_{x ∈ box} ‖A(x) − B(x)‖_∞`` to within ``width`` (module docstring)."""
    width = fmpq(width) if not isinstance(width, fmpq) else width
    if width <= 0:
        raise InputError("the requested width must be positive")
    if not isinstance(domain_box, Box):
        raise InputError("the maximum difference of tanh networks is implemented on boxes")
    p = difference_parameter(a, b)
    if domain_box.dim != p.input_dim:
        raise InputError(f"the box has dimension {domain_box.dim} but the networks take {p.input_dim} inputs")
    if p.width == 0 and all(s.is_number for s in p.d):  # D is a known exact constant
        centre = tuple((l + h) / 2 for l, h in zip(domain_box.lower, domain_box.upper))
        exact = max(abs(s.const) for s in p.d)
        with working_precision(prec):
            balls = tuple(arb(s.const) for s in p.d)
        return MaxDifferenceEnclosure(exact, exact, centre, balls, width, True, 1, 0,
                                      "the difference is a constant" if exact else "the networks are equivalent")
    with working_precision(prec):
        return _branch_and_bound(p, domain_box, width, deadline, prec, max_boxes)


def _branch_and_bound(p: TanhParameter, domain_box: Box, width: fmpq, deadline: Deadline, prec: int,
                      max_boxes: int) -> MaxDifferenceEnclosure:
    D = _Difference(p, prec)
    lo_box, hi_box = list(domain_box.lower), list(domain_box.upper)
    centre = tuple((l + h) / 2 for l, h in zip(lo_box, hi_box))
    radius = tuple((h - l) / 2 for l, h in zip(lo_box, hi_box))
    best_x = centre
    best_vals = D.at(centre)
    lower = _norm_lower(best_vals)
    if p.width == 0:  # D is the constant δ
        upper = max(_abs_upper(v) for v in best_vals)
        return MaxDifferenceEnclosure(lower, upper, best_x, tuple(best_vals), width, upper - lower <= width, 1, 0,
                                      "the difference is constant on R^n" if upper else "the networks are equivalent")
    if 2 ** p.input_dim <= MAX_CORNERS:
        for corner in itertools.product(*zip(lo_box, hi_box)):
            vals = D.at(corner)
            v = _norm_lower(vals)
            if v > lower:
                lower, best_x, best_vals = v, tuple(corner), vals
    counter = itertools.count()
    bound, split = D.box_bound(centre, radius, best_vals if best_x == centre else D.at(centre))
    heap = [(-bound, next(counter), centre, radius, split)]
    boxes = 1
    note = ""
    while True:
        upper = -heap[0][0]
        if upper - lower <= width:
            break
        if deadline.expired():
            note = "time limit reached before the requested width"
            break
        if boxes >= max_boxes:
            note = f"stopped after {max_boxes} boxes before the requested width"
            break
        _, _, c, r, i = heapq.heappop(heap)
        half = r[i] / 2
        for s in (-1, 1):
            cc = tuple(v + s * half if k == i else v for k, v in enumerate(c))
            rr = tuple(half if k == i else v for k, v in enumerate(r))
            vals = D.at(cc)
            v = _norm_lower(vals)
            if v > lower:
                lower, best_x, best_vals = v, cc, vals
            ub, sp = D.box_bound(cc, rr, vals)
            boxes += 1
            if ub >= lower:
                heapq.heappush(heap, (-ub, next(counter), cc, rr, sp))
        if not heap:  # pragma: no cover - the witness's own box always has a bound >= lower
            raise AssertionError("internal error: every box was discarded")
    upper = max(-heap[0][0], lower)
    return MaxDifferenceEnclosure(lower, upper, best_x, tuple(best_vals), width, upper - lower <= width, boxes,
                                  p.width, note)


__all__ = ["MaxDifferenceEnclosure", "difference_parameter", "max_difference_enclosure"]
