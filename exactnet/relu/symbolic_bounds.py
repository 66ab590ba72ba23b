"""Exact symbolic interval bounds of a ReLU network on a box, with some units' labels fixed.

Every unit carries two affine functions of the input, ``L(x) ≤ value(x) ≤ U(x)`` on the box
``[lower, upper]`` (rational coefficients, a ``w×(n+1)`` ``fmpq_mat`` per layer, the last column the
constant). A preactivation ``z = W h + b`` gets ``L_z = W⁺L_h + W⁻U_h + b`` and
``U_z = W⁺U_h + W⁻L_h + b``; its concrete range ``[l, u]`` is the exact minimum of ``L_z`` and
maximum of ``U_z`` over the box. Then, for the ReLU:

* a fixed label ``+1`` (``z ≥ 0`` on the cell) or ``l ≥ 0``: ``h = z``;
* a fixed label ``−1``/``0`` or ``u ≤ 0``: ``h = 0``;
* otherwise (``l < 0 < u``) the triangle relaxation: ``h ≤ a·(U_z − l)`` with ``a = u/(u − l)``
  (the chord of ReLU over ``[l, u]``, increasing in ``z``), and ``h ≥ L_z`` if ``u ≥ −l``, else
  ``h ≥ 0`` (Singh et al., "An abstract domain for certifying neural networks", POPL 2019).
  ``l`` is rounded down and ``u`` and ``a`` up to dyadic numbers of :data:`BITS` significant bits
  first, which keeps the chord above ReLU on ``[l, u]`` (so the bound stays valid) and keeps the
  denominators small.

A fixed label is valid only on the *cell* where it holds, so the bounds are bounds on the cell
(any subset of the box on which the labels hold). See ``docs/difference.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz

from ..network import Network

#: Significant bits kept when rounding relaxation constants outward.
BITS = 40

Labels = tuple[tuple[int | None, ...], ...]  # per hidden layer: +1, −1, 0 (fixed) or None (free)


def _floor_dyadic(q: fmpq, bits: int = BITS) -> fmpq:
    if q == 0:
        return q
    e = bits - int(abs(q).p.bit_length() - abs(q).q.bit_length())
    scale = fmpz(2) ** e if e >= 0 else None
    if scale is not None:
        return fmpq((q * scale).floor(), scale)
    div = fmpz(2) ** (-e)
    return fmpq((q / div).floor() * div)


def _ceil_dyadic(q: fmpq, bits: int = BITS) -> fmpq:
    return -_floor_dyadic(-q, bits)


@dataclass(frozen=True)
class CompiledNet:
    """A rational ReLU network as homogeneous layer matrices ``[W | b]`` and their signed parts."""

    hat: tuple[fmpq_mat, ...]       # (w × (in+1)) [W | b]
    pos: tuple[fmpq_mat, ...]       # (w × (in+1)) [W⁺ | b]
    neg: tuple[fmpq_mat, ...]       # (w × (in+1)) [W⁻ | 0]
    widths: tuple[int, ...]

    @classmethod
    def of(cls, net: Network) -> "CompiledNet":
        hat, pos, neg = [], [], []
        for layer in net.layers:
            w, k = layer.out_dim, layer.in_dim
            flat = []
            for r, b in zip(layer.weight, layer.bias):
                flat.extend(r)
                flat.append(b)
            hat.append(fmpq_mat(w, k + 1, flat))
            plus = [v if v.p > 0 else 0 for v in hat[-1].entries()]  # (sign of the numerator: cheap)
            plus[k::k + 1] = layer.bias  # the bias column whatever its sign
            pos.append(fmpq_mat(w, k + 1, plus))
            neg.append(hat[-1] - pos[-1])  # [W − W⁺ | b − b] = [W⁻ | 0]
        return cls(tuple(hat), tuple(pos), tuple(neg), net.widths)

    @property
    def hidden(self) -> tuple[int, ...]:
        return self.widths[1:-1]

    def free_labels(self) -> Labels:
        return tuple((None,) * w for w in self.hidden)


def _homogeneous(forms: fmpq_mat, n: int) -> fmpq_mat:
    """``forms`` (w×(n+1)) with the row ``(0, …, 0, 1)`` appended: the homogeneous input of a layer."""
    w = forms.nrows()
    return fmpq_mat(w + 1, n + 1, forms.entries() + [0] * n + [1])



def forward_batch(net: CompiledNet, points: Sequence[Sequence[fmpq]]) -> list[list[fmpq]]:
    """Exact outputs of ``net`` at the points (the points as the columns of one matrix: one product
    per layer). The ReLU tests the sign of each numerator (an ``fmpq`` is in lowest terms with a
    positive denominator)."""
    p = len(points)
    n = len(points[0])
    v = fmpq_mat(n + 1, p, [x[j] for j in range(n) for x in points] + [1] * p)
    depth = len(net.hat)
    for idx, hat in enumerate(net.hat):
        z = hat * v
        e = z.entries()
        if idx == depth - 1:
            rows = z.nrows()
            return [[e[r * p + c] for r in range(rows)] for c in range(p)]
        v = fmpq_mat(z.nrows() + 1, p, [t if t.p > 0 else 0 for t in e] + [1] * p)
    raise AssertionError("unreachable")  # pragma: no cover


def concretize(entries: Sequence[fmpq], n: int, lower, upper, upper_side: bool) -> fmpq:
    """``max`` (``upper_side``) or ``min`` of the affine form ``entries`` (n coefficients, constant) over the box."""
    acc = entries[n]
    for j in range(n):
        c = entries[j]
        if c:
            acc += c * (upper[j] if (c > 0) == upper_side else lower[j])
    return acc


@dataclass
class LayerBounds:
    """One hidden layer on the cell: preactivation forms, concrete ranges, and whether the forms
    are exact (every earlier unit fixed)."""

    low: fmpq_mat
    up: fmpq_mat
    lo: list
    hi: list
    exact: bool


@dataclass
class Propagation:
    layers: list[LayerBounds]
    out_low: fmpq_mat
    out_up: fmpq_mat
    exact: bool  # every hidden unit fixed or stable: the output forms are the exact affine map


def propagate(net: CompiledNet, labels: Labels, lower, upper) -> Propagation:
    """The bounds of the module docstring on the box ``[lower, upper]`` with ``labels`` fixed."""
    n = len(lower)
    ident = fmpq_mat(n + 1, n + 1, [1 if i == j else 0 for i in range(n + 1) for j in range(n + 1)])
    low = up = ident  # homogeneous (k+1)×(n+1) forms of the current layer's inputs
    exact = True
    layers: list[LayerBounds] = []
    depth = len(net.hat)
    for idx in range(depth):
        if exact:
            zl = zu = net.hat[idx] * low
        else:
            zl = net.pos[idx] * low + net.neg[idx] * up
            zu = net.pos[idx] * up + net.neg[idx] * low
        if idx == depth - 1:
            return Propagation(layers, zl, zu, exact)
        w = zl.nrows()
        el, eu = zl.entries(), zu.entries() if not exact else None
        eu = el if exact else zu.entries()
        lo, hi = [], []
        dl, du, shift = [], [], []
        all_exact = exact
        for i in range(w):
            rl, ru = el[i * (n + 1):(i + 1) * (n + 1)], eu[i * (n + 1):(i + 1) * (n + 1)]
            label = labels[idx][i]
            li = concretize(rl, n, lower, upper, False)
            ui = li if (exact and not any(rl[:n])) else concretize(ru, n, lower, upper, True)
            lo.append(li)
            hi.append(ui)
            if label == 1 or (label is None and li >= 0):
                dl.append(1), du.append(1), shift.append(0)
            elif label in (-1, 0) or ui <= 0:
                dl.append(0), du.append(0), shift.append(0)
            else:
                all_exact = False
                lq, uq = _floor_dyadic(li), _ceil_dyadic(ui)
                a = _ceil_dyadic(uq / (uq - lq))
                dl.append(1 if uq >= -lq else 0)
                du.append(a)
                shift.append(-a * lq)
        layers.append(LayerBounds(zl, zu, lo, hi, exact))
        Dl = fmpq_mat(w, w, [dl[i] if i == j else 0 for i in range(w) for j in range(w)])
        Du = fmpq_mat(w, w, [du[i] if i == j else 0 for i in range(w) for j in range(w)])
        S = fmpq_mat(w, n + 1, [shift[i] if j == n else 0 for i in range(w) for j in range(n + 1)])
        hl = Dl * zl
        hu = Du * zu + S
        exact = all_exact
        low, up = _homogeneous(hl, n), _homogeneous(hu, n)
    raise AssertionError("unreachable")  # pragma: no cover


def difference_intervals(a: CompiledNet, b: CompiledNet, pa: Propagation, pb: Propagation, labels_a: Labels,
                         labels_b: Labels, lower, upper) -> list[tuple[fmpq, fmpq]] | None:
    """Intervals ``[lo_k, hi_k] ∋ A_k(x) − B_k(x)`` on the cell, for two networks of the same widths
    (``None`` otherwise), propagated on the differences themselves (as ReluDiff does, Paulsen et al.,
    ICSE 2020): with ``δ = h^A − h^B`` of the previous layer,
    ``z^A − z^B = W^A δ + (W^A − W^B) h^B + (b^A − b^B)``, evaluated in exact interval arithmetic
    with ``h^B`` in its concrete range. ReLU is monotone and 1-Lipschitz, so
    ``relu(z^A) − relu(z^B)`` lies between 0 and ``z^A − z^B``; it equals ``z^A − z^B`` where both
    units are active and 0 where both are inactive (fixed labels or signs proved by the ranges)."""
    if a.widths != b.widths:
        return None
    n = len(lower)
    d_lo = [fmpq(0)] * n
    d_hi = [fmpq(0)] * n
    h_lo, h_hi = list(lower), list(upper)
    depth = len(a.hat)
    for idx in range(depth):
        WA, WB = a.hat[idx], b.hat[idx]
        ea, eb = WA.entries(), WB.entries()
        k = WA.ncols()
        w = WA.nrows()
        z_lo, z_hi = [], []
        for i in range(w):
            lo_i = hi_i = ea[i * k + k - 1] - eb[i * k + k - 1]
            for j in range(k - 1):
                wa = ea[i * k + j]
                if wa:
                    if wa > 0:
                        lo_i += wa * d_lo[j]
                        hi_i += wa * d_hi[j]
                    else:
                        lo_i += wa * d_hi[j]
                        hi_i += wa * d_lo[j]
                dw = wa - eb[i * k + j]
                if dw:
                    if dw > 0:
                        lo_i += dw * h_lo[j]
                        hi_i += dw * h_hi[j]
                    else:
                        lo_i += dw * h_hi[j]
                        hi_i += dw * h_lo[j]
            z_lo.append(lo_i)
            z_hi.append(hi_i)
        if idx == depth - 1:
            return list(zip(z_lo, z_hi))
        la, lb = pa.layers[idx], pb.layers[idx]
        d_lo, d_hi, h_lo, h_hi = [], [], [], []
        for i in range(w):
            act_a = labels_a[idx][i] == 1 or (labels_a[idx][i] is None and la.lo[i] >= 0)
            act_b = labels_b[idx][i] == 1 or (labels_b[idx][i] is None and lb.lo[i] >= 0)
            off_a = labels_a[idx][i] in (-1, 0) or (labels_a[idx][i] is None and la.hi[i] <= 0)
            off_b = labels_b[idx][i] in (-1, 0) or (labels_b[idx][i] is None and lb.hi[i] <= 0)
            if act_a and act_b:
                d_lo.append(z_lo[i])
                d_hi.append(z_hi[i])
            elif off_a and off_b:
                d_lo.append(fmpq(0))
                d_hi.append(fmpq(0))
            else:
                d_lo.append(min(fmpq(0), z_lo[i]))
                d_hi.append(max(fmpq(0), z_hi[i]))
            if off_b:
                h_lo.append(fmpq(0))
                h_hi.append(fmpq(0))
            elif act_b:
                h_lo.append(max(fmpq(0), lb.lo[i]))
                h_hi.append(max(fmpq(0), lb.hi[i]))
            else:
                h_lo.append(fmpq(0))
                h_hi.append(max(fmpq(0), lb.hi[i]))
    raise AssertionError("unreachable")  # pragma: no cover


def frontier(labels: Labels) -> int | None:
    """The first hidden layer with a free unit (``None`` when every unit is fixed)."""
    for idx, layer in enumerate(labels):
        if any(v is None for v in layer):
            return idx
    return None


def with_label(labels: Labels, layer: int, unit: int, label: int) -> Labels:
    row = list(labels[layer])
    row[unit] = label
    return labels[:layer] + (tuple(row),) + labels[layer + 1:]


def form_row(m: fmpq_mat, i: int) -> tuple[list[fmpq], fmpq]:
    """Row ``i`` of a forms matrix as ``(coefficients, constant)``."""
    k = m.ncols()
    e = [m[i, j] for j in range(k)]
    return e[:-1], e[-1]


__all__ = ["BITS", "CompiledNet", "Labels", "LayerBounds", "Propagation", "concretize", "difference_intervals", "form_row",
           "forward_batch", "frontier", "propagate", "with_label"]
