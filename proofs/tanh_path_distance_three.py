"""The distance-3 example of docs/tanh.md § Test cases: in the class of ``f(x) = tanh(x)`` at
width 2 (rank 1 = h/2), ``w = (1,1,0, 0,0,0; 0)`` and ``w' = (0,0,0, 1,1,0; 0)`` (units
``(a, b, c)``, then ``d``) are joined by a path of 3 linear segments and by none of 2.

Proof that 2 segments cannot do, made computational. It uses the necessity half of the segment
criterion (proved in :mod:`exactnet.tanh.paths`): on a function-preserving segment, a unit
whose key ``(b(t), c(t))`` moves lies in a group of units with the same key *polynomial* (up to
sign) whose net outgoing weight vanishes identically. Let ``w → μ → w'`` be a 2-segment path.

1. Segment 1 starts at ``w``, where unit 0 has key ``(1, 0)`` and ``a_0 = 1 ≠ 0``, and unit 1 has
   key ``(0, 0) ≠ ±(1, 0)``; so no other unit can share unit 0's key polynomial, and unit 0's
   key cannot move: ``(b_0, c_0)(μ) = (1, 0)``. Symmetrically (segment 2 ends at ``w'``):
   ``(b_1, c_1)(μ) = (1, 0)``.
2. On segment 1, unit 1's key moves from ``(0, 0)`` to ``(1, 0)`` while unit 0's key polynomial is
   the constant ``(1, 0)``: unit 1 is alone in its group, so ``a_1 ≡ 0`` there and ``a_1(μ) = 0``.
3. ``μ = (a_0, 1, 0, 0, 1, 0; d)`` computes ``d + a_0·tanh(x)``; it is in the class iff
   ``a_0 = 1, d = 0`` (uniqueness of the compressed form). The midpoint is forced:
   ``μ = (1,1,0, 0,1,0; 0)``.
4. The segment ``μ → w'`` changes the function: at ``t = 1/2``, ``x = 1`` the value is
   ``½·tanh(½) + ½·tanh(1)``, whose rigorous enclosure is disjoint from that of ``tanh(1)``.

One segment cannot do either (at ``t = 1/2``, ``x = 1``: ``tanh(½)`` vs ``tanh(1)``), and
``w ≠ w'``. The 3-segment path is built by :func:`exactnet.tanh.paths.path` and certified.
"""

from __future__ import annotations

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import evaluate
from exactnet.reproduce import Claim, Outcome
from exactnet.tanh.compression import unit_sign
from exactnet.tanh.equivalence import equivalent
from exactnet.tanh.fiber import fiber
from exactnet.tanh.parameter import TanhParameter
from exactnet.tanh.certificates import path_certificate
from exactnet.tanh.paths import interpolate, path, segment_kinds

CLAIM = Claim(
    name="tanh-path-distance-three",
    source="docs/tanh.md § Test cases (derived example; Farrugia-Roberts 2023 path connectivity)",
    statement="w = (1,1,0, 0,0,0; 0) and w' = (0,0,0, 1,1,0; 0) (width 2, rank 1, f = tanh) are joined by a certified "
              "3-segment path; any 2-segment path would have the forced midpoint (1,1,0, 0,1,0; 0), and its second "
              "segment changes the function (exact witness t = 1/2, x = 1 with disjoint enclosures)",
)

HALF = fmpq(1, 2)


def _param(units) -> TanhParameter:
    return TanhParameter.from_units([((fmpq(a),), (fmpq(b),), fmpq(c)) for a, b, c in units], [fmpq(0)], 1, 1)


def _key(p: TanhParameter, i: int) -> tuple:
    return tuple(p.b[i]) + (p.c[i],)


def _separated(p: TanhParameter, q: TanhParameter, x: fmpq, prec: int = 128) -> bool:
    """``f_p(x) ≠ f_q(x)``, shown by disjoint rigorous enclosures."""
    ep = evaluate(p.to_network(), [x], prec=prec).enclosures[0]
    eq = evaluate(q.to_network(), [x], prec=prec).enclosures[0]
    return not ep.overlaps(eq)


def _key_pinned(start: TanhParameter, i: int) -> bool:
    """Step 1: unit i carries weight and no other unit's key equals ±its key at this end, so its
    key polynomial is shared by no other unit and (criterion, necessity) cannot move."""
    k = _key(start, i)
    neg = tuple(-v for v in k)
    others = [_key(start, j) for j in range(start.width) if j != i]
    return start.a[i][0] != 0 and all(o != k and o != neg for o in others)


def run(quick: bool = False) -> Outcome:
    w = _param([(1, 1, 0), (0, 0, 0)])
    w2 = _param([(0, 0, 0), (1, 1, 0)])
    facts = []
    # the setting: one class, rank 1 = h/2
    if not equivalent(w.to_network(), w2.to_network(), find_witness=False).equivalent:
        return Outcome(False, "w and w' are not functionally equivalent")
    fe = fiber(w)
    if fe.rank != 1 or fe.width != 2:
        return Outcome(False, f"expected rank 1 and width 2, got {fe.rank} and {fe.width}")
    # an upper bound: the constructed path has 3 segments and is certified
    result = path(w.to_network(), w2.to_network())
    verdict = check_certificate(path_certificate(result))
    if not result.exists or len(result.segments) != 3 or not verdict.valid:
        return Outcome(False, f"expected a certified 3-segment path: {result.reason}; {verdict.reason}")
    facts.append("a certified 3-segment path " + " → ".join("+".join(s.kinds) for s in result.segments))
    # 0 segments: w ≠ w'
    if w == w2:
        return Outcome(False, "w = w'")
    # 1 segment: the direct segment changes the function
    if segment_kinds(w, w2) is not None or not _separated(interpolate(w, w2, HALF), w, fmpq(1)):
        return Outcome(False, "the direct segment w → w' was not shown to change the function")
    facts.append("1 segment fails: f at t = 1/2 is tanh(x/2) (x = 1 separates it from tanh(1))")
    # 2 segments: the forced midpoint
    if not (_key_pinned(w, 0) and _key_pinned(w2, 1)):
        return Outcome(False, "step 1 premises fail")
    # step 2: unit 1's key polynomial on segment 1 is (0,0) → (1,0), unit 0's is the constant (1,0)
    poly1 = (_key(w, 1), (fmpq(1), fmpq(0)))
    poly0 = (_key(w, 0), _key(w, 0))
    if poly1[0] == poly1[1] or poly1 in (poly0, tuple(tuple(-v for v in k) for k in poly0)) or w.a[1][0] != 0:
        return Outcome(False, "step 2 premises fail")
    if unit_sign(w.b[0]) <= 0:
        return Outcome(False, "unexpected sign normalisation")
    # step 3: μ = (a0, 1, 0, 0, 1, 0; d) is in the class iff a0 = 1 and d = 0
    mu = _param([(1, 1, 0), (0, 1, 0)])
    for a0, d in ((fmpq(1), fmpq(0)), (fmpq(2), fmpq(0)), (fmpq(1), fmpq(1)), (fmpq(0), fmpq(0))):
        cand = TanhParameter.from_units([((a0,), (fmpq(1),), fmpq(0)), ((fmpq(0),), (fmpq(1),), fmpq(0))], [d], 1, 1)
        if fe.contains(cand) != (a0 == 1 and d == 0):
            return Outcome(False, "step 3: membership of the candidate midpoints is not as derived")
    if not fe.contains(mu) or segment_kinds(w, mu) is None:
        return Outcome(False, "the forced midpoint is not reachable from w by one segment")
    facts.append("2 segments: the midpoint is forced to (1,1,0, 0,1,0; 0)")
    # step 4: μ → w' changes the function, with an exact witness
    x = fmpq(1)
    if segment_kinds(mu, w2) is not None or not _separated(interpolate(mu, w2, HALF), w, x):
        return Outcome(False, "the second segment μ → w' was not shown to change the function")
    facts.append("and μ → w' fails: at t = 1/2, x = 1 the value ½tanh(½) + ½tanh(1) is separated from tanh(1)")
    return Outcome(True, "distance exactly 3: " + "; ".join(facts),
                   {"distance": 3, "witness_t": "1/2", "witness_x": "1", "forced_midpoint": "(1,1,0, 0,1,0; 0)"})
