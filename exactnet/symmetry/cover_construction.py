"""The symmetry-reduced grid cover built explicitly and verified exactly (docs/symmetry.md §5.3).

For a tiny architecture (one input), :func:`reduced_cover` lists ``Γ_sorted`` point by point and
:func:`verify_cover` checks, for every parameter of a fine exact sample of ``Θ = [−B, B]^S`` (random
points of a fine rational grid, plus boundary points, ties between biases and rounding ties), each
step of the proof in :mod:`.covering`:

1. a group element ``g`` moves ``θ`` into the domain ``D`` (``D_±``): ``g·θ = θ'`` with sorted biases;
2. ``θ'`` computes the same function as ``θ`` — decided by an exact equivalence decider passed
   in by the caller (:func:`exactnet.relu.equivalence.equivalent`, :func:`exactnet.tanh.equivalence.equivalent`);
3. the nearest-point rounding ``γ`` of ``θ'`` lies in the explicit set ``Γ_sorted`` and
   ``‖γ − θ'‖_∞ ≤ B/m``;
4. ``Λ · ‖γ − θ'‖_∞ ≤ ε``;
5. the actual distance ``sup_{x∈[−R,R]} |f_θ(x) − f_γ(x)|`` is ``≤ Λ‖γ − θ'‖_∞ ≤ ε``: computed exactly for
   ReLU (the difference is piecewise linear; its maximum is attained at a breakpoint of one of the
   networks or an end point, and all breakpoints are found exactly layer by layer), and bounded
   rigorously with ``arb`` interval arithmetic on a subdivision for tanh.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from flint import arb, fmpq

from ..errors import InputError
from ..network import Layer, Network, forward_exact
from ..numbers.algebraic import ball_bounds, working_precision
from .covering import grid_points, lipschitz_constant, positive_rational, sorted_values
from .groups import GroupElement, LayerAction, SymmetryGroup, act
from .volumes import bias_coordinates

#: Refuse to list covers larger than this.
MAX_COVER = 200_000


def grid(m: int, bound: fmpq) -> tuple[fmpq, ...]:
    """The ``m`` cell centres of ``[−B, B]``, increasing."""
    return tuple(-bound + fmpq(2 * i + 1, m) * bound for i in range(m))


def round_to_grid(x: fmpq, m: int, bound: fmpq) -> fmpq:
    """The nearest grid point (ties upwards): the centre of the cell ``⌊(x + B)·m/(2B)⌋``, clamped."""
    t = (x + bound) * m / (2 * bound)
    i = min(max(int(t.p) // int(t.q), 0), m - 1)
    return -bound + fmpq(2 * i + 1, m) * bound


def reduced_cover(group: SymmetryGroup, m: int, bound) -> Iterator[tuple]:
    """Every point of ``Γ_sorted`` as a parameter vector (``Network.parameter_vector`` order)."""
    B = fmpq(bound)
    G = grid(m, B)
    S = group.num_parameters
    bias_idx = bias_coordinates(group.widths)
    in_bias = {i for idx in bias_idx for i in idx}
    free = [i for i in range(S) if i not in in_bias]
    allowed = G[len(G) - sorted_values(m, group.signed):]  # the non-negative points for odd σ
    per_layer = [list(itertools.combinations_with_replacement(reversed(allowed), len(idx))) for idx in bias_idx]
    for rest in itertools.product(G, repeat=len(free)):
        for biases in itertools.product(*per_layer):
            v = [None] * S
            for i, x in zip(free, rest):
                v[i] = x
            for idx, seq in zip(bias_idx, biases):
                for i, x in zip(idx, seq):
                    v[i] = x
            yield tuple(v)


def network_from_vector(group: SymmetryGroup, vec: Sequence) -> Network:
    w, pos, layers = group.widths, 0, []
    for k in range(len(w) - 1):
        weight = []
        for _ in range(w[k + 1]):
            weight.append(tuple(vec[pos:pos + w[k]]))
            pos += w[k]
        bias = tuple(vec[pos:pos + w[k + 1]])
        pos += w[k + 1]
        layers.append(Layer(tuple(weight), bias))
    return Network(group.activation, tuple(layers))


def into_domain(net: Network) -> GroupElement:
    """A group element moving ``net`` into ``D`` (``D_±``): negate units with negative bias (odd σ),
    then sort every hidden layer by decreasing bias."""
    signed = SymmetryGroup(net.activation, net.widths).signed
    layers = []
    for layer in net.layers[:-1]:
        b = layer.bias
        signs = [(-1 if (signed and b[i] < 0) else 1) for i in range(len(b))]
        keys = [s * b[i] for i, s in enumerate(signs)]
        perm = sorted(range(len(b)), key=lambda i: keys[i], reverse=True)
        layers.append(LayerAction(tuple(perm), tuple(signs[p] for p in perm)))
    return GroupElement(tuple(layers))


# -- sup distances on [−R, R] -----------------------------------------------------------------

def _breakpoints_relu(net: Network, lo: fmpq, hi: fmpq) -> list[fmpq]:
    """Points of ``[lo, hi]`` between which every preactivation of the 1-input ReLU ``net`` is affine."""
    pts = [lo, hi] if lo < hi else [lo]
    for depth in range(net.depth):
        sub = Network("relu", net.layers[:depth + 1])
        new = set(pts)
        vals = [forward_exact(sub, (p,)) for p in pts]  # the last layer of sub is read linearly
        for (p, vp), (q, vq) in zip(zip(pts, vals), zip(pts[1:], vals[1:])):
            for zp, zq in zip(vp, vq):
                if (zp > 0 and zq < 0) or (zp < 0 and zq > 0):
                    new.add(p + (q - p) * zp / (zp - zq))
        pts = sorted(new)
    return pts


def sup_distance_relu(a: Network, b: Network, radius: fmpq) -> fmpq:
    """``max_{x∈[−R,R]} max_o |a(x)_o − b(x)_o|`` exactly (1-input ReLU networks)."""
    if a.input_dim != 1 or b.input_dim != 1:
        raise InputError("the exact sup distance is implemented for one input")
    pts = sorted(set(_breakpoints_relu(a, -radius, radius)) | set(_breakpoints_relu(b, -radius, radius)))
    best = fmpq(0)
    for p in pts:
        for u, v in zip(forward_exact(a, (p,)), forward_exact(b, (p,))):
            best = max(best, abs(u - v))
    return best


def _eval_ball(net: Network, x: arb) -> list[arb]:
    h = [x]
    for k, layer in enumerate(net.layers):
        z = []
        for row, bias in zip(layer.weight, layer.bias):
            acc = arb(bias)
            for w, v in zip(row, h):
                acc += arb(w) * v
            z.append(acc)
        if k < net.depth:
            if net.activation == "tanh":
                z = [_tanh_ball(v) for v in z]
            else:
                z = [_relu_ball(v) for v in z]
        h = z
    return h


def _tanh_ball(v: arb) -> arb:
    """tanh of a ball through its exact endpoints (tanh is increasing). Arb's own ``tanh`` of a wide
    ball is far from tight and can even be ``nan``: ``tanh([-3, 3])`` came back as ``[+/- 288]``."""
    lo, hi = ball_bounds(v)
    return arb(lo).tanh().union(arb(hi).tanh())


def _relu_ball(v: arb) -> arb:
    lo, hi = ball_bounds(v)
    return arb(max(lo, fmpq(0))).union(arb(max(hi, fmpq(0))))


def sup_distance_upper(a: Network, b: Network, radius: fmpq, target: fmpq, max_pieces: int = 4096) -> fmpq:
    """A rigorous upper bound on ``sup_{x∈[−R,R]} |a(x) − b(x)|`` (1 input; ``arb`` enclosures on a
    subdivision refined until the bound is ``≤ target`` or ``max_pieces`` pieces are used)."""
    with working_precision(128):
        pieces = [(-radius, radius)]
        while True:
            bounds = []
            for lo, hi in pieces:
                x = arb(lo).union(arb(hi))
                worst = fmpq(0)
                for u, v in zip(_eval_ball(a, x), _eval_ball(b, x)):
                    ulo, uhi = ball_bounds(u)
                    vlo, vhi = ball_bounds(v)
                    worst = max(worst, uhi - vlo, vhi - ulo)
                bounds.append(worst)
            top = max(bounds)
            if top <= target or len(pieces) >= max_pieces:
                return top
            nxt = []
            for (lo, hi), bd in zip(pieces, bounds):
                if bd > target:
                    mid = (lo + hi) / 2
                    nxt.extend([(lo, mid), (mid, hi)])
                else:
                    nxt.append((lo, hi))
            pieces = nxt


# -- the verification -------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverVerification:
    activation: str
    widths: tuple[int, ...]
    eps: fmpq
    bound: fmpq
    input_radius: fmpq
    lipschitz: fmpq
    grid_points: int
    cover_size: int               # |Γ_sorted| listed explicitly
    formula_size: int             # m^{S−Σd} Π C(m'+d−1, d)
    plain_size: int
    samples: int
    failures: tuple = field(default_factory=tuple)   # (sample index, step, detail)
    max_rounding_error: fmpq = fmpq(0)
    max_distance: fmpq = fmpq(0)  # largest sup distance seen (exact for ReLU, rigorous upper bound for tanh)
    distance_exact: bool = True

    @property
    def holds(self) -> bool:
        return not self.failures and self.cover_size == self.formula_size


def _sample_value(rng: random.Random, m: int, B: fmpq) -> fmpq:
    kind = rng.random()
    if kind < 0.15:
        return rng.choice([-B, B, fmpq(0)])
    if kind < 0.35:  # a rounding tie: a cell boundary
        return -B + fmpq(2 * rng.randint(0, m), m) * B
    fine = 8 * m
    return -B + fmpq(rng.randint(0, 2 * fine), fine) * B


def verify_cover(activation: str, widths: Sequence[int], eps, bound, input_radius=1, samples: int = 50,
                 seed: int = 0, equivalent: Callable[[Network, Network], bool] | None = None,
                 grid_points_override: int | None = None) -> CoverVerification:
    """Build ``Γ_sorted`` and check the ε-cover property step by step (module docstring).

    ``equivalent(θ, θ')`` is an exact equivalence decision used for step 2 (the families'
    deciders: ``exactnet.relu.equivalence.equivalent`` or ``exactnet.tanh.equivalence.equivalent``,
    passed in by the caller so that this family imports no other); ``None`` skips step 2.
    ``grid_points_override`` replaces ``m`` (to see the check fail when the grid is too coarse)."""
    import math

    group = SymmetryGroup(activation, tuple(widths))
    if group.widths[0] != 1:
        raise InputError("the explicit cover check supports one input")
    E, B = positive_rational("ε", eps), positive_rational("the bound B", bound)
    R = positive_rational("the input radius R", input_radius, allow_zero=True)
    lip = lipschitz_constant(activation, group.widths, B, R)
    m = grid_points(lip, B, E) if grid_points_override is None else int(grid_points_override)
    S, hidden = group.num_parameters, group.hidden_widths
    mp = sorted_values(m, group.signed)
    formula = m ** (S - sum(hidden)) * math.prod(math.comb(mp + d - 1, d) for d in hidden)
    if formula > MAX_COVER:
        raise InputError(f"the reduced cover has {formula} points; the explicit check is limited to {MAX_COVER}")
    cover = set(reduced_cover(group, m, B))
    rng = random.Random(seed)
    failures, max_round, max_dist = [], fmpq(0), fmpq(0)
    bias_idx = [i for idx in bias_coordinates(group.widths) for i in idx]
    for s in range(samples):
        vec = [_sample_value(rng, m, B) for _ in range(S)]
        if s % 3 == 1 and bias_idx:  # plant ties between biases
            v = vec[bias_idx[0]]
            for i in bias_idx[: rng.randint(1, len(bias_idx))]:
                vec[i] = v if rng.random() < 0.7 else -v
        theta = network_from_vector(group, vec)
        g = into_domain(theta)
        moved = act(g, theta)
        if not _in_domain(moved, group.signed):
            failures.append((s, 1, "the moved parameter is not in D"))
            continue
        if equivalent is not None and not equivalent(theta, moved):
            failures.append((s, 2, "the moved parameter is not functionally equivalent"))
            continue
        gamma = tuple(round_to_grid(x, m, B) for x in moved.parameter_vector())
        err = max(abs(x - y) for x, y in zip(gamma, moved.parameter_vector()))
        max_round = max(max_round, err)
        if gamma not in cover:
            failures.append((s, 3, "the rounded parameter is not in the reduced cover"))
            continue
        if err > B / m:
            failures.append((s, 3, f"rounding error {err} > B/m"))
            continue
        if lip * err > E:
            failures.append((s, 4, "Λ·‖γ − θ'‖ > ε"))
            continue
        net_gamma = network_from_vector(group, gamma)
        if activation == "relu":
            dist = sup_distance_relu(theta, net_gamma, R)
        else:
            dist = sup_distance_upper(theta, net_gamma, R, lip * err)
        max_dist = max(max_dist, dist)
        if dist > lip * err or dist > E:
            failures.append((s, 5, f"sup distance {dist} exceeds Λ·‖γ − θ'‖ = {lip * err}"))
    return CoverVerification(activation, group.widths, E, B, R, lip, m, len(cover), formula, m ** S, samples,
                             tuple(failures), max_round, max_dist, activation == "relu")


def _in_domain(net: Network, signed: bool) -> bool:
    for layer in net.layers[:-1]:
        b = layer.bias
        if any(b[i] < b[i + 1] for i in range(len(b) - 1)):
            return False
        if signed and b[-1] < 0:
            return False
    return True


__all__ = [
    "CoverVerification", "MAX_COVER", "grid", "into_domain", "network_from_vector", "reduced_cover",
    "round_to_grid", "sup_distance_relu", "sup_distance_upper", "verify_cover",
]
