"""Covering numbers: the plain grid cover and the symmetry-reduced cover (docs/symmetry.md §5).

Setting: ``Θ = [−B, B]^S`` (sup norm), inputs in ``X = [−R, R]^{d_0}``, σ ∈ {ReLU, tanh} (both
1-Lipschitz with ``|σ(z)| ≤ |z|``; tanh also ``|σ| ≤ 1``), distance ``‖f_θ − f_θ'‖ = sup_{x∈X} max_o |·|``.

**Lipschitz constant of θ ↦ f_θ** (:func:`lipschitz_constant`). With ``h_0 = x`` and ``M_l`` a bound on
``‖h_l‖_∞``: ``M_0 = R``, ``M_{l+1} = B(d_l M_l + 1)`` (tanh: ``min(1, B(d_l M_l + 1))``). For ``θ, θ' ∈ Θ`` with
``‖θ − θ'‖_∞ ≤ δ`` and ``e_l = ‖h_l − h'_l‖_∞``,

    e_{l+1} ≤ ‖(W_l − W'_l)h_l‖ + ‖W'_l(h_l − h'_l)‖ + ‖b_l − b'_l‖ ≤ δ(d_l M_l + 1) + B d_l e_l,

so ``‖f_θ − f_θ'‖ ≤ Λ δ`` with ``Λ = Σ_{l=0}^{L} (d_l M_l + 1) Π_{k=l+1}^{L} B d_k`` (an exact rational).

**Plain grid.** ``Γ`` = the ``m`` cell centres of ``[−B, B]`` (spacing ``2B/m``, every point within ``B/m``
of one), ``m = max(1, ⌈ΛB/ε⌉)``; then ``Γ^S`` is an ε-cover: ``N(ε) ≤ m^S``.

**Symmetry-reduced grid** (rigorous). ``Γ_sorted = {γ ∈ Γ^S : b^{(l)}_1 ≥ ⋯ ≥ b^{(l)}_{d_l}}`` (odd σ: also
``b^{(l)}_{d_l} ≥ 0``) is an ε-cover too: move ``θ`` into the domain ``D`` (``D_±``) by a group element (same
function), then round every coordinate to the nearest point of ``Γ`` (ties upwards). Rounding is
monotone, so the biases stay sorted (and non-negative), and the error is ``≤ B/m``. Counting the
non-increasing sequences,

    |Γ_sorted| = m^{S − Σ d_l} · Π_l C(m' + d_l − 1, d_l),   m' = m (ReLU) or ⌈m/2⌉ (odd σ: the grid points ≥ 0).

``|Γ_sorted| / m^S → 1/|G|`` as ``m → ∞`` but is always larger. We report both comparison forms: the
factor (the exact ratio and ``|G|`` itself, the *reduction factor*) and the relative reduction of the
log-covering number. The bound ``m^S / |G|`` is exactnet's reconstruction of the shape of Shen's
(ICML 2024) bound — the paper's own constants were not available and are not claimed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from flint import arb, ctx, fmpq, fmpz

from ..errors import InputError
from ..numbers.algebraic import ball_bounds
from .groups import SymmetryGroup, check_activation, check_widths

#: Exact counts with at most this many decimal digits are computed and written as integers.
MAX_EXACT_DIGITS = 100_000
#: Limits on the inputs (beyond them the request is refused as absurd).
MAX_NUMBER_DIGITS = 1000
MAX_WIDTH = 10**9
MAX_LAYERS = 10_000
#: Working precision (bits) of the logarithm enclosures.
PREC = 256

LIPSCHITZ_FORMULA = (
    "Λ = Σ_{l=0..L} (d_l·M_l + 1)·Π_{k=l+1..L} B·d_k with M_0 = R, M_{l+1} = B·(d_l·M_l + 1)"
    " (tanh: min(1, B·(d_l·M_l + 1))); ‖f_θ − f_θ'‖_∞ ≤ Λ·‖θ − θ'‖_∞ on [−B,B]^S × [−R,R]^{d_0}"
)


def _decimal(x: fmpq, digits: int, up: bool) -> str:
    """``x`` rounded outward (up or down) to ``digits`` significant decimal digits, as text."""
    if x == 0:
        return "0"
    neg = x < 0
    a = -x if neg else x
    e = len(str(int(a.p) // int(a.q))) - 1 if a >= 1 else -len(str(int(a.q) // int(a.p)))
    shift = digits - 1 - e
    scaled = a * fmpq(10) ** shift if shift >= 0 else a / fmpq(10) ** (-shift)
    round_up = up != neg
    n = int(scaled.p) // int(scaled.q)
    if round_up and n * int(scaled.q) != int(scaled.p):
        n += 1
    text = str(n)
    exp = len(text) - 1 - shift
    mant = text[0] + ("." + text[1:].rstrip("0") if text[1:].rstrip("0") else "")
    if -6 <= exp < 16:
        val = fmpq(n) / fmpq(10) ** shift if shift >= 0 else fmpq(n) * fmpq(10) ** (-shift)
        ip = int(val.p) // int(val.q)
        frac = val - ip
        out = str(ip)
        if frac:
            fd = shift
            fs = str(int(frac * fmpq(10) ** fd)).rjust(fd, "0").rstrip("0")
            out += "." + fs
        return ("-" if neg else "") + out
    return ("-" if neg else "") + f"{mant}e{exp:+d}"


@dataclass(frozen=True)
class LogBounds:
    """Rigorous rational bounds ``lower ≤ ln(N) ≤ upper`` (natural logarithm)."""

    lower: fmpq
    upper: fmpq

    @classmethod
    def of(cls, ball: arb) -> "LogBounds":
        lo, hi = ball_bounds(ball)
        return cls(lo, hi)

    def to_obj(self, digits: int = 15) -> dict:
        return {"lower": _decimal(self.lower, digits, up=False), "upper": _decimal(self.upper, digits, up=True)}

    def log10_upper(self) -> fmpq:
        return self.upper / fmpq(2302585092994045, 10**15)  # ln 10 > 2.302585092994045


@dataclass(frozen=True)
class Count:
    """A (possibly huge) positive integer: exact when it has at most ``MAX_EXACT_DIGITS`` digits."""

    exact: int | None
    log: LogBounds

    def to_obj(self):
        return self.exact


def _count(log_ball: arb, compute) -> Count:
    bounds = LogBounds.of(log_ball)
    if bounds.log10_upper() < MAX_EXACT_DIGITS - 1:
        return Count(int(compute()), bounds)
    return Count(None, bounds)


def _lnbinom(n: int, k: int) -> arb:
    return arb(n + 1).lgamma() - arb(k + 1).lgamma() - arb(n - k + 1).lgamma()


def positive_rational(name: str, value, allow_zero: bool = False) -> fmpq:
    """A positive (or non-negative) rational of reasonable size, else an :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (fmpq, int, fmpz)):
        raise InputError(f"{name} must be a rational number, got {value!r:.60}")
    v = fmpq(value)
    if v < 0 or (v == 0 and not allow_zero):
        raise InputError(f"{name} must be {'non-negative' if allow_zero else 'positive'}, got {v}")
    if len(str(abs(int(v.p)))) > MAX_NUMBER_DIGITS or len(str(int(v.q))) > MAX_NUMBER_DIGITS:
        raise InputError(f"{name} is absurdly large (more than {MAX_NUMBER_DIGITS} digits)")
    return v


def check_architecture(activation: str, widths: Sequence) -> tuple[str, tuple[int, ...]]:
    check_activation(activation)
    ws = check_widths(widths)
    if len(ws) > MAX_LAYERS:
        raise InputError(f"at most {MAX_LAYERS} layers are supported, got {len(ws)}")
    big = [w for w in ws if w > MAX_WIDTH]
    if big:
        raise InputError(f"width {big[0]} is absurdly large (limit {MAX_WIDTH})")
    return activation, ws


def activation_bounds(activation: str, widths: Sequence[int], bound: fmpq, radius: fmpq) -> tuple[fmpq, ...]:
    """``M_0 = R, M_1, …, M_L``: bounds on ``‖h_l‖_∞`` over ``Θ × X`` (see the module docstring)."""
    ms = [radius]
    for l in range(len(widths) - 2):
        nxt = bound * (widths[l] * ms[-1] + 1)
        if activation == "tanh" and nxt > 1:
            nxt = fmpq(1)
        ms.append(nxt)
    return tuple(ms)


def lipschitz_constant(activation: str, widths: Sequence[int], bound, radius=1) -> fmpq:
    """``Λ`` with ``‖f_θ − f_θ'‖_∞ ≤ Λ ‖θ − θ'‖_∞`` on ``[−B,B]^S``, inputs in ``[−R,R]^{d_0}`` (derivation:
    module docstring)."""
    activation, widths = check_architecture(activation, widths)
    B, R = positive_rational("the bound B", bound), positive_rational("the input radius R", radius, allow_zero=True)
    ms = activation_bounds(activation, widths, B, R)
    L = len(widths) - 2
    total = fmpq(0)
    for l in range(L + 1):
        term = widths[l] * ms[l] + 1
        for k in range(l + 1, L + 1):
            term *= B * widths[k]
        total += term
    return total


def grid_points(lipschitz: fmpq, bound: fmpq, eps: fmpq) -> int:
    """``m = max(1, ⌈ΛB/ε⌉)``: then ``Λ · B/m ≤ ε``."""
    x = lipschitz * bound / eps
    m = int(x.p) // int(x.q)
    if m * int(x.q) < int(x.p):
        m += 1
    return max(1, m)


def sorted_values(m: int, signed: bool) -> int:
    """Grid values available to a sorted bias: ``m``, or ``⌈m/2⌉`` non-negative ones for odd σ."""
    return (m + 1) // 2 if signed else m


@dataclass(frozen=True)
class Covering:
    """All quantities of the plain and the symmetry-reduced grid cover (module docstring)."""

    activation: str
    widths: tuple[int, ...]
    eps: fmpq
    bound: fmpq
    input_radius: fmpq
    lipschitz: fmpq
    grid_points: int
    parameters: int
    plain: Count
    reduced: Count
    group_order: Count                  # the reduction factor |G| = Π d_l! (Π 2^{d_l} d_l!)
    exact_ratio: fmpq | None            # m^S / |Γ_sorted| (≤ |G|), when small enough to write
    log_ratio: LogBounds                # ln(m^S / |Γ_sorted|)
    paper_form: LogBounds               # ln(m^S / |G|): the (unverified) shape baseline/Π d_l!
    relative_reduction_paper_form: tuple[fmpq, fmpq] | None   # ln|G| / ln N_plain
    relative_reduction: tuple[fmpq, fmpq] | None              # (ln N_plain − ln N_reduced) / ln N_plain

    @property
    def group(self) -> SymmetryGroup:
        return SymmetryGroup(self.activation, self.widths)

    @property
    def sorted_dimensions(self) -> int:
        return sum(self.widths[1:-1])

    @property
    def too_large(self) -> bool:
        return self.plain.exact is None or self.reduced.exact is None or self.group_order.exact is None

    def to_obj(self) -> dict:
        def rel(pair):
            return None if pair is None else {"lower": _decimal(pair[0], 15, up=False),
                                               "upper": _decimal(pair[1], 15, up=True)}

        data = {
            "activation": self.activation,
            "widths": list(self.widths),
            "parameters": self.parameters,
            "eps": _q(self.eps),
            "bound": _q(self.bound),
            "input_box": _q(self.input_radius),
            "lipschitz": _q(self.lipschitz),
            "lipschitz_formula": LIPSCHITZ_FORMULA,
            "grid_points": self.grid_points,
            "grid_spacing": _q(2 * self.bound / self.grid_points),
            "plain_cover": self.plain.to_obj(),
            "reduced_cover": self.reduced.to_obj(),
            "reduction_factor": self.group_order.to_obj(),
            "exact_ratio": None if self.exact_ratio is None else _q(self.exact_ratio),
            "log_plain_cover": self.plain.log.to_obj(),
            "log_reduced_cover": self.reduced.log.to_obj(),
            "log_reduction_factor": self.group_order.log.to_obj(),
            "log_exact_ratio": self.log_ratio.to_obj(),
            "relative_log_reduction": rel(self.relative_reduction),
            "relative_log_reduction_paper_form": rel(self.relative_reduction_paper_form),
            "log_paper_form_bound": self.paper_form.to_obj(),
            "paper_form_note": "m^S / |G| is exactnet's reconstruction of the shape baseline/Π d_l! of Shen"
                               " (ICML 2024); the paper's constants are unverified. The rigorous count is reduced_cover.",
        }
        if self.too_large:
            data["note"] = (f"counts with more than {MAX_EXACT_DIGITS} decimal digits are not written"
                            " (null); their natural logarithms are bounded exactly in the log_* entries")
        return data


def _q(x: fmpq):
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def covering(activation: str, widths: Sequence, eps, bound, input_radius=1) -> Covering:
    """The plain and symmetry-reduced cover sizes (exact integers, or exact log bounds if huge)."""
    activation, widths = check_architecture(activation, widths)
    eps = positive_rational("ε", eps)
    B = positive_rational("the bound B", bound)
    R = positive_rational("the input radius R", input_radius, allow_zero=True)
    group = SymmetryGroup(activation, widths)
    lip = lipschitz_constant(activation, widths, B, R)
    m = grid_points(lip, B, eps)
    if len(str(m)) > MAX_NUMBER_DIGITS:
        raise InputError(f"ΛB/ε has more than {MAX_NUMBER_DIGITS} digits: absurdly large")
    S = group.num_parameters
    hidden = group.hidden_widths
    mp = sorted_values(m, group.signed)
    old = ctx.prec
    ctx.prec = PREC
    try:
        lnm = arb(m).log()
        ln_plain = S * lnm
        ln_red = (S - sum(hidden)) * lnm
        for d in hidden:
            ln_red += _lnbinom(mp + d - 1, d)
        ln_g = group.log_order()
        plain = _count(ln_plain, lambda: fmpz(m) ** S)
        reduced = _count(ln_red, lambda: fmpz(m) ** (S - sum(hidden)) * math.prod(
            math.comb(mp + d - 1, d) for d in hidden))
        gorder = _count(ln_g, lambda: group.order)
        ln_ratio = ln_plain - ln_red
        ratio_ball_upper = LogBounds.of(sum((d * lnm for d in hidden), arb(0))).log10_upper()
        exact_ratio = None
        if ratio_ball_upper < MAX_EXACT_DIGITS // 2:
            num = fmpz(m) ** sum(hidden)
            den = math.prod(math.comb(mp + d - 1, d) for d in hidden)
            exact_ratio = fmpq(num, den)
        rel_paper = rel = None
        if m > 1:
            rel_paper = ball_bounds(ln_g / ln_plain)
            rel = ball_bounds(ln_ratio / ln_plain)
        result = Covering(
            activation, widths, eps, B, R, lip, m, S, plain, reduced, gorder, exact_ratio,
            LogBounds.of(ln_ratio), LogBounds.of(ln_plain - ln_g), rel_paper, rel,
        )
    finally:
        ctx.prec = old
    return result


__all__ = [
    "Count", "Covering", "LIPSCHITZ_FORMULA", "LogBounds", "MAX_EXACT_DIGITS", "activation_bounds",
    "check_architecture", "covering", "grid_points", "lipschitz_constant", "positive_rational", "sorted_values",
]
