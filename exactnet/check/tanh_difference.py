"""Checker of ``tanh.max_difference_enclosure`` certificates (docs/certificates.md).

Claim ``{"norm": "inf", "lower": L, "upper": U, "domain": X}`` about two rational one-hidden-layer
tanh networks ``A, B : R^n → R^m`` and a box ``X``: ``L ≤ max_{x ∈ X} ‖A(x) − B(x)‖_∞ ≤ U``.
Evidence ``{"witness": w, "precision": p, "splits": [...], "pairs": [[i, j], ...]}``. With
``d = A − B``:

* **Lower.** ``w ∈ X`` and some ``|d_o(w)| ≥ L``, decided on ``arb`` balls at ``2p`` bits (a ball
  comparison holds only when it holds for every point of the balls).
* **Upper.** ``splits`` is a bisection tree of ``X`` in preorder: ``-1`` a leaf, ``i`` a split of
  the current box at the midpoint of coordinate ``i`` (the lower half first). The leaves cover ``X``.
  On a leaf ``Y`` (centre ``c``, radii ``r``, exact rationals) every output must satisfy
  ``|d_o| ≤ U`` on ``Y`` by one of two enclosures (``arb`` balls at ``2p`` bits):

  - natural: ``d_o(Y) ⊆ δ^A_o − δ^B_o + Σ_j ±α_oj tanh(Z_j)``, ``Z_j = [min_Y z_j, max_Y z_j]`` the
    exact range of the unit's preactivation ``z_j = β_j·x + γ_j`` and ``tanh`` increasing; a pair
    ``(i, j)`` of units of ``A`` and ``B`` (any pairing is valid; nearly equal units keep their
    small difference small) through ``tanh u − tanh v = sinh(u − v)/(cosh u cosh v)``
    (:func:`_enclose`);
  - mean value: ``d_o(x) = d_o(c) + ∇d_o(ξ)·(x − c)`` for some ``ξ ∈ Y``, so
    ``d_o(Y) ⊆ d_o(c) + Σ_i J_oi · [−r_i, r_i]`` with ``J_oi ⊇ {∂_i d_o(ξ) : ξ ∈ Y}``:
    ``∂_i N_o = Σ_j α_oj sech²(z_j) β_ji`` and ``sech²`` on ``Z_j`` lies between its values at the
    point of ``Z_j`` farthest from 0 and nearest to 0 (even, decreasing in ``|z|``).

  Then ``max_X ‖d‖_∞ ≤ U``. Nothing of the producer's search is trusted but the tree's shape.
"""

from __future__ import annotations

from flint import arb, ctx, fmpq

from ..certificates import MalformedCertificate, certificate_networks
from ..network.domain import Box, domain_from_obj
from .relu import rational as _rat
from .relu import rational_list as _rat_list
from .result import CheckResult

KINDS = ("tanh.max_difference_enclosure",)
#: Precision bounds accepted from a certificate (bits).
MIN_PRECISION, MAX_PRECISION = 53, 4096
#: The most boxes a certificate may ask the checker to bound.
MAX_LEAVES = 1 << 20


def _units(net):
    """``(rows β_j, biases γ_j, outgoing α (m × h), output bias δ)`` of a one-hidden-layer net."""
    first, second = net.layers
    return first.weight, first.bias, second.weight, second.bias


def _hull(x: arb, y: arb) -> arb:
    return x.union(y)


def _value(net, x) -> list:
    beta, gamma, alpha, delta = _units(net)
    t = [arb(sum((b * v for b, v in zip(row, x)), fmpq(0)) + g).tanh() for row, g in zip(beta, gamma)]
    return [arb(d) + sum((arb(a) * tj for a, tj in zip(arow, t) if a != 0), arb(0)) for arow, d in zip(alpha, delta)]


def _range(row, g, centre, radius):
    """The exact range ``[lo, hi]`` of ``row·x + g`` on the box."""
    mid = sum((b * c for b, c in zip(row, centre)), fmpq(0)) + g
    spread = sum((abs(b) * r for b, r in zip(row, radius)), fmpq(0))
    return mid - spread, mid + spread


def _tanh(lo, hi) -> arb:
    return _hull(arb(lo).tanh(), arb(hi).tanh())


def _sech2(lo, hi) -> arb:
    near = fmpq(0) if lo <= 0 <= hi else min(abs(lo), abs(hi))
    far = max(abs(lo), abs(hi))
    return _hull(1 - arb(far).tanh() ** 2, 1 - arb(near).tanh() ** 2)


def _cosh(lo, hi) -> arb:
    near = fmpq(0) if lo <= 0 <= hi else min(abs(lo), abs(hi))
    return _hull(arb(near).cosh(), arb(max(abs(lo), abs(hi))).cosh())


def _enclose(a, b, pairs, centre, radius):
    """Enclosures of ``d_o`` (natural) and of ``∂_i d_o`` on the box. Units ``i`` of ``A`` and ``j`` of
    ``B`` listed as a pair contribute ``α^A_i (tanh u − tanh v) + (α^A_i − α^B_j) tanh v`` with
    ``tanh u − tanh v = sinh(u − v) / (cosh u · cosh v)`` (``u − v`` has an exact range), and to the
    derivative ``α^A_i (sech²u (β_u − β_v) + (sech²u − sech²v) β_v) + (α^A_i − α^B_j) sech²v β_v``
    with ``sech²u − sech²v = −(tanh u − tanh v)(tanh u + tanh v)``; the other units one by one."""
    bA, gA, aA, dA = _units(a)
    bB, gB, aB, dB = _units(b)
    m, n = len(dA), len(centre)
    nat = [arb(x - y) for x, y in zip(dA, dB)]
    J = [[arb(0)] * n for _ in range(m)]
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for beta, gamma, alpha, skip, sgn in ((bA, gA, aA, paired_a, 1), (bB, gB, aB, paired_b, -1)):
        for k, (row, g) in enumerate(zip(beta, gamma)):
            if k in skip:
                continue
            lo, hi = _range(row, g, centre, radius)
            t, s2 = _tanh(lo, hi), _sech2(lo, hi)
            for o in range(m):
                a_ = alpha[o][k]
                if a_ != 0:
                    nat[o] += sgn * arb(a_) * t
                    J[o] = [J[o][i] + sgn * arb(a_) * s2 * arb(row[i]) if row[i] != 0 else J[o][i] for i in range(n)]
    for i, j in pairs:
        ul, uh = _range(bA[i], gA[i], centre, radius)
        vl, vh = _range(bB[j], gB[j], centre, radius)
        dbeta = [x - y for x, y in zip(bA[i], bB[j])]
        wl, wh = _range(dbeta, gA[i] - gB[j], centre, radius)
        T = _hull(arb(wl).sinh(), arb(wh).sinh()) / (_cosh(ul, uh) * _cosh(vl, vh))
        tu, tv = _tanh(ul, uh), _tanh(vl, vh)
        su, sv = _sech2(ul, uh), _sech2(vl, vh)
        ds = -T * (tu + tv)
        for o in range(m):
            a1, a2 = aA[o][i], aB[o][j]
            nat[o] += arb(a1) * T + arb(a1 - a2) * tv
            J[o] = [J[o][k] + arb(a1) * (su * arb(dbeta[k]) + ds * arb(bB[j][k])) + arb(a1 - a2) * sv * arb(bB[j][k])
                    for k in range(n)]
    return nat, J


def _leaf_ok(a, b, pairs, centre, radius, bound: fmpq) -> bool:
    nat, J = _enclose(a, b, pairs, centre, radius)
    at_c = [x - y for x, y in zip(_value(a, centre), _value(b, centre))]
    balls = [arb(0, r) for r in radius]
    for o, (v, c) in enumerate(zip(nat, at_c)):
        mean = c + sum((J[o][i] * balls[i] for i in range(len(radius))), arb(0))
        if not any(w <= bound and w >= -bound for w in (v, mean)):
            return False
    return True


def _pairs(evidence, a, b) -> list:
    pairs = evidence.get("pairs", [])
    ha, hb = len(a.layers[0].bias), len(b.layers[0].bias)
    seen_a, seen_b = set(), set()
    for p in pairs:
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in p)):
            raise MalformedCertificate("certificate: a pair is [unit of A, unit of B]")
        i, j = p
        if not (0 <= i < ha and 0 <= j < hb) or i in seen_a or j in seen_b:
            raise MalformedCertificate("certificate: pairs name units out of range or twice")
        seen_a.add(i)
        seen_b.add(j)
    return [tuple(p) for p in pairs]


def check(obj: dict) -> CheckResult:
    a, b = certificate_networks(obj)
    for net in (a, b):
        if net.activation != "tanh" or net.depth != 1:
            return CheckResult(False, "both networks must be one-hidden-layer tanh networks")
        if not net.is_rational:
            return CheckResult(False, "enclosure certificates need rational networks")
    if (a.input_dim, a.output_dim) != (b.input_dim, b.output_dim):
        return CheckResult(False, "the networks have different input or output dimensions")
    claim, evidence = obj["claim"], obj["evidence"]
    domain = domain_from_obj(claim["domain"], "certificate domain")
    if not isinstance(domain, Box) or domain.dim != a.input_dim:
        return CheckResult(False, "the domain must be a box of the networks' input dimension")
    lower, upper = _rat(claim["lower"], "lower"), _rat(claim["upper"], "upper")
    if lower > upper:
        return CheckResult(False, "the claimed interval is empty")
    prec = evidence["precision"]
    if not (isinstance(prec, int) and MIN_PRECISION <= prec <= MAX_PRECISION):
        raise MalformedCertificate(f"certificate: precision must be an integer in [{MIN_PRECISION}, {MAX_PRECISION}]")
    w = _rat_list(evidence["witness"], "witness")
    if len(w) != a.input_dim or not domain.contains(w):
        return CheckResult(False, "the witness is not a point of the box")
    splits = evidence["splits"]
    pairs = _pairs(evidence, a, b)
    old = ctx.prec
    ctx.prec = 2 * prec
    try:
        if lower > 0:
            d = [x - y for x, y in zip(_value(a, w), _value(b, w))]
            if not any(v >= lower or v <= -lower for v in d):
                return CheckResult(False, "the difference at the witness is not provably ≥ the claimed lower bound")
        n = a.input_dim
        centre = [(lo + hi) / 2 for lo, hi in zip(domain.lower, domain.upper)]
        radius = [(hi - lo) / 2 for lo, hi in zip(domain.lower, domain.upper)]
        stack = [(centre, radius)]
        pos = leaves = 0
        while stack:
            c, r = stack.pop()
            if pos >= len(splits):
                return CheckResult(False, "the bisection tree ends before every box is a leaf")
            tok = splits[pos]
            pos += 1
            if not isinstance(tok, int) or isinstance(tok, bool) or not -1 <= tok < n:
                return CheckResult(False, f"bisection entry {pos - 1} is not -1 or a coordinate")
            if tok == -1:
                leaves += 1
                if leaves > MAX_LEAVES:
                    return CheckResult(False, f"more than {MAX_LEAVES} leaves")
                if not _leaf_ok(a, b, pairs, c, r, upper):
                    return CheckResult(False, f"leaf {leaves}: |A − B| is not provably ≤ the claimed upper bound")
                continue
            half = r[tok] / 2
            rr = [half if k == tok else v for k, v in enumerate(r)]
            upper_child = [v + half if k == tok else v for k, v in enumerate(c)]
            lower_child = [v - half if k == tok else v for k, v in enumerate(c)]
            stack.append((upper_child, rr))
            stack.append((lower_child, rr))
        if pos != len(splits):
            return CheckResult(False, "the bisection tree has entries after its last leaf")
    finally:
        ctx.prec = old
    return CheckResult(True, f"lower ≤ max ‖A − B‖_∞ ≤ upper on the box (witness enclosed; {leaves} boxes, each"
                             " bounded by a natural or mean-value Arb enclosure)")


__all__ = ["KINDS", "check"]
