"""Stable neurons of a ReLU network on a bounded input domain (docs/relu.md § Stable neurons).

For every hidden unit ``j`` of layer ``ℓ`` with preactivation ``z_j(x)`` the verdict on the domain
``D`` is one of

* ``"active"``: ``z_j(x) ≥ 0`` for every ``x ∈ D`` (proved by an exact lower bound ``≥ 0``), so
  ``relu(z_j) = z_j`` on ``D``;
* ``"inactive"``: ``z_j(x) ≤ 0`` on ``D`` (an exact upper bound ``≤ 0``), so ``relu(z_j) = 0``;
* ``"both"``: two exact witness points of ``D``, one with ``z_j > 0`` and one with ``z_j < 0``
  (checked by exact evaluation);
* ``"undecided"``: neither (the bounds are not tight enough and no witness was found, or the time
  limit stopped the analysis).

Method, layer by layer:

1. **Bounds.** The first layer's preactivation is affine in ``x``: its exact minimum and maximum
   over a box are attained at vertices (over a polyhedron: an exact LP), and the optimal points
   are witnesses. A deeper unit is bounded by *symbolic back-substitution* (CROWN, Zhang et al.
   2018; DeepPoly, Singh et al. 2019): every unstable earlier unit with proved bounds ``l < 0 < u``
   is enclosed by two lines ``λ z ≤ relu(z) ≤ a z + c`` (``λ ∈ {0, 1}``, ``a`` a dyadic rounding
   of ``u/(u−l)`` and ``c`` rounded up so the line stays above ``relu`` at ``l`` and ``u``, hence on
   ``[l, u]`` by convexity); substituting backwards gives an affine function of ``x`` that bounds
   ``z_j`` above (below) on ``D``, maximised (minimised) exactly over ``D``. The plain interval
   bound (``relu`` is monotone: ``h ∈ [relu(l), relu(u)]``) is also computed and the tighter of the
   two kept (with ``λ = 1`` the symbolic bound allows ``relu(z) = z < 0``). All arithmetic is exact
   (FLINT ``fmpq_mat``); the dyadic rounding only keeps denominators small and never loses
   soundness.
2. **Witnesses.** Candidate points (box corners, random vertices, the optimal points of the
   bounds, and points found by a local ascent on the exact linear pieces, proposed in floating
   point) are evaluated *exactly*; a point with ``z_j > 0`` and one with ``z_j < 0`` settle
   ``"both"``. Floats only propose points; every verdict rests on exact bounds or exact values.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError, UnsupportedError
from ..network import Network
from ..network.domain import Box, Polyhedron
from ..progress import Progress, null_progress

ACTIVE, INACTIVE, BOTH, UNDECIDED = "active", "inactive", "both", "undecided"
#: Bits of the dyadic slopes of the relaxation lines (soundness does not depend on it).
SLOPE_BITS = 32
#: Random box vertices and interior points tried as witnesses before any search.
RANDOM_POINTS = 24
#: Steps of the local ascent that proposes a witness.
ASCENT_STEPS = 12


@dataclass(frozen=True)
class UnitVerdict:
    """The verdict on one hidden unit (``layer``, ``unit`` 0-based).

    ``lower``/``upper`` are proved bounds of the preactivation on the domain (``None`` when not
    computed); ``positive``/``negative`` index :attr:`StableAnalysis.points` (a domain point where
    the preactivation is ``> 0`` / ``< 0``); ``method`` names what decided it.
    """

    layer: int
    unit: int
    verdict: str
    lower: fmpq | None
    upper: fmpq | None
    positive: int | None
    negative: int | None
    method: str
    slopes: tuple[fmpq, ...] | None = None  # the per-unit lower slopes λ of an optimised bound


@dataclass(frozen=True)
class StableAnalysis:
    """Per-unit verdicts (layer by layer) and the witness points they refer to."""

    units: tuple[UnitVerdict, ...]
    points: tuple[tuple[fmpq, ...], ...]
    complete: bool
    note: str

    def counts(self) -> dict[str, int]:
        out = {ACTIVE: 0, INACTIVE: 0, BOTH: 0, UNDECIDED: 0}
        for u in self.units:
            out[u.verdict] += 1
        return out

    def verdict(self, layer: int, unit: int) -> UnitVerdict:
        return next(u for u in self.units if u.layer == layer and u.unit == unit)

    def by_layer(self) -> list[list[UnitVerdict]]:
        layers: dict[int, list[UnitVerdict]] = {}
        for u in self.units:
            layers.setdefault(u.layer, []).append(u)
        return [sorted(layers[k], key=lambda v: v.unit) for k in sorted(layers)]


# ---------------------------------------------------------------------------------------------
# the domain: exact linear optimisation
# ---------------------------------------------------------------------------------------------


class _LinearDomain:
    """Exact ``max c·x`` over a bounded domain, with an optimal point (a box: closed form)."""

    def __init__(self, domain: Polyhedron):
        self.domain = domain
        self.n = domain.dim
        self.box = isinstance(domain, Box)
        if self.box:
            self.lower, self.upper = list(domain.lower), list(domain.upper)
        else:
            from ..polyhedra.domains import require_nonempty_bounded
            from .regions import domain_rows

            require_nonempty_bounded(domain, "the domain of the stable-neuron analysis")
            self.rows = domain_rows(domain, self.n)

    def maximize(self, c: Sequence[fmpq]) -> tuple[fmpq, tuple[fmpq, ...]]:
        if self.box:
            point = tuple(hi if v > 0 else lo for v, lo, hi in zip(c, self.lower, self.upper))
            return _dot(c, point), point
        from ..polyhedra import maximize
        from ..polyhedra.rows import Optimum

        den = 1
        for v in c:
            den = den * int(v.q) // _gcd(den, int(v.q))
        objective = [int(v.p) * (den // int(v.q)) for v in c]
        ans = maximize(objective, self.rows, self.n)
        if not isinstance(ans, Optimum):  # pragma: no cover - the domain was checked bounded
            raise InputError("the domain must be non-empty and bounded")
        point = tuple(ans.point)
        return _dot(c, point), point

    def clamp(self, x: Sequence[fmpq]) -> tuple[fmpq, ...] | None:
        """``x`` moved into the box coordinatewise; for a polyhedron ``x`` if it lies in it."""
        if self.box:
            return tuple(min(max(v, lo), hi) for v, lo, hi in zip(x, self.lower, self.upper))
        x = tuple(x)
        return x if self.domain.contains(x) else None

    def float_vertex(self, g, np):
        """A box vertex maximising ``g·x`` (floats: a proposal only)."""
        return np.where(g > 0, self.hi_f, self.lo_f)

    def starting_points(self, rnd: random.Random, interior: tuple[fmpq, ...]) -> list[tuple[fmpq, ...]]:
        points = [interior]
        if not self.box:
            return points
        lo, hi = self.lower, self.upper
        points += [tuple(lo), tuple(hi)]
        for _ in range(RANDOM_POINTS // 2):
            points.append(tuple(h if rnd.random() < 0.5 else l for l, h in zip(lo, hi)))
            points.append(tuple(l + (h - l) * fmpq(rnd.randrange(1, 16), 16) for l, h in zip(lo, hi)))
        return points


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _dot(c, x) -> fmpq:
    acc = fmpq(0)
    for a, v in zip(c, x):
        if a != 0 and v != 0:
            acc += a * v
    return acc


# ---------------------------------------------------------------------------------------------
# relaxations and symbolic bounds
# ---------------------------------------------------------------------------------------------


def _round_down(v: fmpq, bits: int) -> fmpq:
    scale = 1 << bits
    return fmpq((v * scale).floor(), scale)


def _round_up(v: fmpq, bits: int) -> fmpq:
    scale = 1 << bits
    return fmpq((v * scale).ceil(), scale)


@dataclass(frozen=True)
class _Relaxation:
    """``lo_a·z + lo_c ≤ relu(z) ≤ up_a·z + up_c`` for ``z ∈ [l, u]`` (per unit of one layer)."""

    lo_a: tuple[fmpq, ...]
    lo_c: tuple[fmpq, ...]
    up_a: tuple[fmpq, ...]
    up_c: tuple[fmpq, ...]


def relaxation(lower: Sequence[fmpq], upper: Sequence[fmpq]) -> _Relaxation:
    """The linear enclosures of ``relu`` on ``[l_j, u_j]`` (module docstring, step 1)."""
    zero, one = fmpq(0), fmpq(1)
    lo_a, lo_c, up_a, up_c = [], [], [], []
    for l, u in zip(lower, upper):
        if u <= 0:
            lo_a.append(zero); lo_c.append(zero); up_a.append(zero); up_c.append(zero)
        elif l >= 0:
            lo_a.append(one); lo_c.append(zero); up_a.append(one); up_c.append(zero)
        else:
            a = _round_down(u / (u - l), SLOPE_BITS)
            c = _round_up(max(-a * l, u - a * u), SLOPE_BITS)
            up_a.append(a); up_c.append(c)
            lo_a.append(one if u >= -l else zero); lo_c.append(zero)
    return _Relaxation(tuple(lo_a), tuple(lo_c), tuple(up_a), tuple(up_c))


def _matrix(rows: Sequence[Sequence[fmpq]], ncols: int) -> fmpq_mat:
    return fmpq_mat(len(rows), ncols, [v for r in rows for v in r])


def _rows(m: fmpq_mat) -> list[list[fmpq]]:
    entries = m.entries()
    c = m.ncols()
    return [entries[i * c:(i + 1) * c] for i in range(m.nrows())]


def symbolic_bound(net: Network, layer: int, units: Sequence[int], relax: Sequence[_Relaxation],
                   upper: bool, deadline: Deadline = NO_DEADLINE) -> tuple[list[list[fmpq]], list[fmpq]]:
    """``(C, d)`` with ``z_j(x) ≤ C_j·x + d_j`` (``upper``) or ``≥`` (lower) for every ``x`` where the
    earlier layers' preactivations lie in the bounds behind ``relax`` (one relaxation per earlier
    hidden layer)."""
    W = net.layers[layer].weight
    lam = [list(W[j]) for j in units]
    d = [net.layers[layer].bias[j] for j in units]
    for m in range(layer - 1, -1, -1):
        deadline.check("the stable-neuron analysis")
        r = relax[m]
        for i, row in enumerate(lam):
            acc = d[i]
            for k, v in enumerate(row):
                if v == 0:
                    continue
                if (v > 0) == upper:
                    a, c = r.up_a[k], r.up_c[k]
                else:
                    a, c = r.lo_a[k], r.lo_c[k]
                row[k] = v * a
                if c != 0:
                    acc += v * c
            d[i] = acc
        prev = net.layers[m]
        L = _matrix(lam, len(prev.weight))
        lam = _rows(L * prev.weight_matrix)
        shift = L * fmpq_mat(len(prev.bias), 1, list(prev.bias))
        d = [d[i] + shift[i, 0] for i in range(len(d))]
    return lam, d


def interval_bound(net: Network, layer: int, lower: Sequence[fmpq], upper: Sequence[fmpq]):
    """Exact interval bounds of layer ``layer``'s preactivations from the previous layer's proved
    bounds ``[l, u]``: ``relu`` is monotone, so ``h ∈ [relu(l), relu(u)]`` and ``W h + b`` ranges
    in ``[W⁺ relu(l) + W⁻ relu(u) + b, W⁺ relu(u) + W⁻ relu(l) + b]``."""
    zero = fmpq(0)
    hl = [max(v, zero) for v in lower]
    hu = [max(v, zero) for v in upper]
    lo, up = [], []
    for row, b in zip(net.layers[layer].weight, net.layers[layer].bias):
        a, c = b, b
        for w, x, y in zip(row, hl, hu):
            if w > 0:
                a += w * x
                c += w * y
            elif w < 0:
                a += w * y
                c += w * x
        lo.append(a)
        up.append(c)
    return lo, up


#: Bits of the optimised lower slopes λ ∈ [0, 1] and iterations of the float search proposing them.
LAMBDA_BITS = 20
SLOPE_ITERATIONS = 300


def optimised_bound(net: Network, unit: int, relax: _Relaxation, dom, fnet, np,
                    upper: bool) -> tuple[fmpq, tuple[fmpq, ...]]:
    """A proved bound of second-hidden-layer unit ``unit`` with the lower lines' slopes
    ``λ_j ∈ [0, 1]`` of the first layer's unstable units chosen for this unit (α-CROWN, Xu et al.
    2021): a projected subgradient search in floating point proposes ``λ``, rounded to dyadic
    numbers in ``[0, 1]``; every such choice gives a valid enclosure, and the bound is computed
    exactly from it. The best ``λ`` makes the bound equal to the triangle-relaxation LP's.
    Returns the bound and the slopes (one per first-layer unit; stable units keep their line).
    """
    W, b = fnet.W[0], fnet.b[0]
    lam_row = fnet.W[1][unit]
    up_a = np.array([float(v) for v in relax.up_a])
    up_c = np.array([float(v) for v in relax.up_c])
    lo_a = np.array([float(v) for v in relax.lo_a])
    unstable = np.array([a != c for a, c in zip(relax.lo_a, relax.up_a)]) | \
        np.array([a == 0 and c > 0 for a, c in zip(relax.up_a, relax.up_c)])
    stable_coef = np.where(unstable, 0.0, lam_row * lo_a)  # active: Λ_j, inactive: 0
    free = unstable & ((lam_row < 0) if upper else (lam_row > 0))  # units using the λ line
    fixed = unstable & ~free  # units using the upper line a z + c
    sign = 1.0 if upper else -1.0
    lam = np.where(free, lo_a, 0.0)
    best, best_lam = None, lam.copy()
    for t in range(SLOPE_ITERATIONS):
        coef = stable_coef + np.where(fixed, lam_row * up_a, 0.0) + np.where(free, lam_row * lam, 0.0)
        g = coef @ W
        x = np.where(sign * g > 0, dom.hi_f, dom.lo_f)
        value = g @ x + coef @ b + np.sum(np.where(fixed, lam_row * up_c, 0.0))
        if best is None or sign * value < sign * best:
            best, best_lam = value, lam.copy()
        z = W @ x + b
        grad = np.where(free, lam_row * z, 0.0) * sign  # d(sign·bound)/dλ
        scale = np.max(np.abs(grad))
        if scale == 0:
            break
        lam = np.clip(lam - grad * (0.5 / np.sqrt(t + 1.0) / scale), 0.0, 1.0)
    den = 1 << LAMBDA_BITS
    slopes = [fmpq(int(round(float(v) * den)), den) if f else a
              for v, f, a in zip(best_lam, free, relax.lo_a)]
    custom = _Relaxation(tuple(slopes), relax.lo_c, relax.up_a, relax.up_c)
    rows, d = symbolic_bound(net, 1, [unit], [custom], upper=upper)
    if upper:
        v, _ = dom.maximize(rows[0])
        return v + d[0], tuple(slopes)
    v, _ = dom.maximize([-c for c in rows[0]])
    return -v + d[0], tuple(slopes)


# ---------------------------------------------------------------------------------------------
# exact and floating evaluation
# ---------------------------------------------------------------------------------------------


def preactivations_batch(net: Network, points: Sequence[Sequence[fmpq]], upto: int) -> list[list[list[fmpq]]]:
    """Exact preactivations ``Z[ℓ][j][p]`` of hidden layers ``0..upto`` at every point (columns)."""
    n = net.input_dim
    X = fmpq_mat(n, len(points), [points[p][i] for i in range(n) for p in range(len(points))])
    out = []
    for k in range(upto + 1):
        layer = net.layers[k]
        Z = layer.weight_matrix * X
        rows = _rows(Z)
        for j, b in enumerate(layer.bias):
            if b != 0:
                rows[j] = [v + b for v in rows[j]]
        out.append(rows)
        if k < upto:
            X = fmpq_mat(len(rows), len(points), [v if v > 0 else fmpq(0) for r in rows for v in r])
    return out


class _FloatNet:
    """Float64 copies of the weights, to propose witness points (never to decide)."""

    def __init__(self, net: Network, np):
        self.np = np
        self.W = [np.array([[float(v) for v in row] for row in layer.weight]) for layer in net.layers]
        self.b = [np.array([float(v) for v in layer.bias]) for layer in net.layers]

    def value_and_gradient(self, x, layer: int, unit: int):
        np = self.np
        h = x
        masks = []
        for k in range(layer):
            z = self.W[k] @ h + self.b[k]
            masks.append(z > 0)
            h = np.maximum(z, 0)
        value = self.W[layer][unit] @ h + self.b[layer][unit]
        g = self.W[layer][unit].copy()
        for k in range(layer - 1, -1, -1):
            g = (g * masks[k]) @ self.W[k]
        return value, g


def _ascend(fnet: _FloatNet, dom: _LinearDomain, x0, layer: int, unit: int, sign: int, deadline: Deadline):
    """Local search for a point where ``sign·z > 0``: move towards the box vertex that maximises
    the current linear piece of ``sign·z`` (halving the step until it improves)."""
    np = fnet.np
    x = x0
    value, g = fnet.value_and_gradient(x, layer, unit)
    best = sign * value
    for _ in range(ASCENT_STEPS):
        if best > 0 or deadline.expired():
            break
        v = dom.float_vertex(sign * g, np)
        moved = False
        t = 1.0
        for _ in range(6):
            y = x + t * (v - x)
            val, gy = fnet.value_and_gradient(y, layer, unit)
            if sign * val > best:
                x, best, g, moved = y, sign * val, gy, True
                break
            t /= 2
        if not moved:
            break
    return x


# ---------------------------------------------------------------------------------------------
# the analysis
# ---------------------------------------------------------------------------------------------


def stable_neurons(net: Network, domain: Polyhedron, *, deadline: Deadline = NO_DEADLINE,
                   progress: Progress | None = None, seed: int = 0) -> StableAnalysis:
    """The per-unit verdicts of a rational ReLU network on a bounded domain (module docstring).

    When ``deadline`` expires the verdicts so far are returned (the rest ``"undecided"``,
    ``complete`` false). The answer is deterministic for a given ``seed``.
    """
    if net.activation != "relu":
        raise UnsupportedError(f"stable-neuron analysis needs a ReLU network, got {net.activation}")
    if not net.is_rational:
        raise UnsupportedError("stable-neuron analysis needs rational weights")
    if domain is None:
        raise InputError("stable-neuron analysis needs a bounded domain (--domain or --box)")
    if domain.dim != net.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the network takes {net.input_dim} inputs")
    from ..linalg.lazy_numpy import np
    from .regions import domain_interior_point

    progress = progress or null_progress()
    progress.set_total(sum(net.hidden_widths))
    dom = _LinearDomain(domain)
    if dom.box:
        dom.lo_f = np.array([float(v) for v in dom.lower])
        dom.hi_f = np.array([float(v) for v in dom.upper])
    rnd = random.Random(seed)
    points: list[tuple[fmpq, ...]] = []
    index: dict[str, int] = {}

    def add(p) -> int:
        p = tuple(p)
        key = " ".join(map(str, p))  # hashing fmpq tuples is slow (Fraction-compatible hashes)
        if key not in index:
            index[key] = len(points)
            points.append(p)
        return index[key]

    centre = tuple((lo + hi) / 2 for lo, hi in zip(dom.lower, dom.upper)) if dom.box \
        else domain_interior_point(domain, net.input_dim)
    for p in dom.starting_points(rnd, centre):
        add(p)
    fnet = _FloatNet(net, np)
    relax: list[_Relaxation] = []
    bounds: tuple = ((), ())
    verdicts: list[UnitVerdict] = []
    complete, note = True, ""
    for layer, width in enumerate(net.hidden_widths):
        if not complete:
            verdicts.extend(UnitVerdict(layer, j, UNDECIDED, None, None, None, None, "time limit")
                            for j in range(width))
            continue
        progress.describe(f"stable neurons: layer {layer + 1}")
        verdicts_layer, lower, upper, stopped = _layer(net, layer, width, dom, relax, bounds, points, add, fnet,
                                                       np, deadline)
        verdicts.extend(verdicts_layer)
        if stopped:
            complete = False
            note = "time limit reached: the remaining units are undecided"
        else:
            relax.append(relaxation(lower, upper))
            bounds = (lower, upper)
        progress.advance(width)
    if complete and any(u.verdict == UNDECIDED for u in verdicts):
        note = "some units are undecided: their bounds straddle 0 and no witness of one sign was found"
    return StableAnalysis(tuple(verdicts), tuple(points), complete, note)


def _layer(net, layer, width, dom, relax, bounds, points, add, fnet, np, deadline):
    """Verdicts and proved bounds ``(lower, upper)`` for every unit of one hidden layer, and
    whether the time limit stopped it (then the verdicts are those decided so far)."""
    units = list(range(width))
    upper: list = [None] * width
    lower: list = [None] * width
    pos: list[int | None] = [None] * width
    neg: list[int | None] = [None] * width
    arg_up: list = [None] * width
    arg_lo: list = [None] * width
    tightened: dict[int, tuple] = {}
    stopped = False
    try:
        if layer == 0:
            W, b = net.layers[0].weight, net.layers[0].bias
            up_rows, up_d = [list(W[j]) for j in units], [b[j] for j in units]
            lo_rows, lo_d = up_rows, up_d
        else:
            up_rows, up_d = symbolic_bound(net, layer, units, relax, upper=True, deadline=deadline)
            lo_rows, lo_d = symbolic_bound(net, layer, units, relax, upper=False, deadline=deadline)
        for j in units:
            deadline.check("the stable-neuron analysis")
            v, p = dom.maximize(up_rows[j])
            arg_up[j] = add(p)
            upper[j] = v + up_d[j]
            v, p = dom.maximize([-c for c in lo_rows[j]])
            arg_lo[j] = add(p)
            lower[j] = -v + lo_d[j]
            if layer == 0:  # exact optima: the optimal points are witnesses
                pos[j] = arg_up[j] if upper[j] > 0 else None
                neg[j] = arg_lo[j] if lower[j] < 0 else None
        if layer > 0:  # the interval bound is sometimes tighter (a lower line λ = 1 allows relu < 0)
            ilo, iup = interval_bound(net, layer, bounds[0], bounds[1])
            lower = [max(a, b) for a, b in zip(lower, ilo)]
            upper = [min(a, b) for a, b in zip(upper, iup)]
        if layer > 0:
            _witnesses(net, layer, units, dom, points, add, fnet, np, deadline, lower, upper, arg_up, arg_lo,
                       pos, neg)
        if layer == 1 and dom.box:
            for j in units:
                if lower[j] < 0 < upper[j] and (pos[j] is None or neg[j] is None):
                    deadline.check("the stable-neuron analysis")
                    want_upper = pos[j] is None
                    value, slopes = optimised_bound(net, j, relax[0], dom, fnet, np, upper=want_upper)
                    if want_upper and value < upper[j]:
                        upper[j] = value
                        tightened[j] = slopes
                    elif not want_upper and value > lower[j]:
                        lower[j] = value
                        tightened[j] = slopes
    except TimeLimitReached:
        stopped = True
    out = []
    for j in units:
        lo, up = lower[j], upper[j]
        if lo is None:
            v = UnitVerdict(layer, j, UNDECIDED, None, None, None, None, "time limit")
        elif up <= 0:  # first: a unit that is identically 0 is removed, not kept as active
            v = UnitVerdict(layer, j, INACTIVE, lo, up, None, neg[j],
                            "optimised-slope upper bound" if j in tightened else _method(layer, "upper"))
        elif lo >= 0:
            v = UnitVerdict(layer, j, ACTIVE, lo, up, pos[j], None,
                            "optimised-slope lower bound" if j in tightened else _method(layer, "lower"))
        elif pos[j] is not None and neg[j] is not None:
            v = UnitVerdict(layer, j, BOTH, lo, up, pos[j], neg[j], "exact optima" if layer == 0 else "witnesses")
        else:
            v = UnitVerdict(layer, j, UNDECIDED, lo, up, pos[j], neg[j],
                            "time limit" if stopped else "bounds straddle 0")
        if j in tightened:  # the slopes behind the bound go into certificates
            v = UnitVerdict(v.layer, v.unit, v.verdict, v.lower, v.upper, v.positive, v.negative, v.method,
                            tightened[j])
        out.append(v)
    return out, lower, upper, stopped


def _witnesses(net, layer, units, dom, points, add, fnet, np, deadline, lower, upper, arg_up, arg_lo, pos, neg):
    """Exact witnesses of both signs for the units of a deeper layer whose bounds straddle 0:
    every candidate point so far, then a local ascent from the bounds' optimal points."""

    def record(vals, offset=0):
        for j in units:
            row = vals[j]
            if pos[j] is None:
                pos[j] = next((offset + p for p, v in enumerate(row) if v > 0), None)
            if neg[j] is None:
                neg[j] = next((offset + p for p, v in enumerate(row) if v < 0), None)

    record(preactivations_batch(net, points, layer)[layer])
    if not dom.box:
        return
    extra = []
    for j in units:
        if lower[j] >= 0 or upper[j] <= 0:
            continue
        for sign, have, start in ((1, pos[j], arg_up[j]), (-1, neg[j], arg_lo[j])):
            if have is not None:
                continue
            deadline.check("the stable-neuron analysis")
            x0 = np.array([float(v) for v in points[start]])
            x = _ascend(fnet, dom, x0, layer, j, sign, deadline)
            cand = dom.clamp([fmpq(*float(v).as_integer_ratio()) for v in x])
            if cand is not None:
                extra.append(cand)
    offset = len(points)
    for p in extra:
        add(p)
    if len(points) > offset:
        record(preactivations_batch(net, points[offset:], layer)[layer], offset)


def _method(layer: int, side: str) -> str:
    return f"exact {side} bound" if layer == 0 else f"symbolic {side} bound"


__all__ = ["ACTIVE", "BOTH", "INACTIVE", "UNDECIDED", "StableAnalysis", "UnitVerdict", "preactivations_batch",
           "relaxation", "stable_neurons", "symbolic_bound"]
