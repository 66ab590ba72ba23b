"""Exact interval bounds of ``A_k − B_k`` on a node of a region tree (pruned subtrees of the
``relu.max_difference``/``relu.epsilon`` certificates, docs/certificates.md "Pruned subtrees").

At a node of the walk every network is in a state (:class:`~.relu.RegionNet`): the layers before
``L`` are decided, so the preactivations of layer ``L`` are exact affine forms ``z_j = g_j·x + h_j``
on the cell, some units of layer ``L`` carry a label, and the later layers are undecided. On the
cell ``C ⊆ X`` (``X`` the domain box) the network equals the one whose labelled units are linear
(``+1``: the identity, ``−1``/``0``: zero), so bounds of that network over ``X`` hold on ``C``:

* layer ``L``: ``z_j ∈ [min_X z_j, max_X z_j]`` exactly (the box range of an affine form);
  ``v_j = relu(z_j)`` lies in ``[max(l, 0), max(u, 0)]`` (label ``+1`` or none) or is 0 (label
  ``−1``/``0``);
* later layers: exact interval arithmetic, ``z = W v + c`` and ``v = relu(z)`` (monotone);
* outputs: ``A_k − B_k ≤ u^A_k − l^B_k`` and ``B_k − A_k ≤ u^B_k − l^A_k``.

**Differences** (both networks at the same layer ``L`` with the same widths; ReluDiff, Paulsen et
al., ICSE 2020): ``δz_j = z^A_j − z^B_j`` is an exact affine form at layer ``L`` (its box range);
``relu`` is monotone and 1-Lipschitz, so ``relu(a) − relu(b)`` lies between 0 and ``a − b``: it is
``δz`` when both units are active (``l ≥ 0`` or label ``+1``) and 0 when both are off (``u ≤ 0``
or label ``−1``/``0``). Later, ``z^A − z^B = W^A δv + (W^A − W^B) v^B + (c^A − c^B)`` with ``v^B``
in its interval. The bound of ``s·(A_k − B_k)`` is the smaller of the two.
"""

from __future__ import annotations

from flint import fmpq

_ZERO = fmpq(0)


def _range(g, h, lower, upper):
    lo = hi = h
    for a, l, u in zip(g, lower, upper):
        if a > 0:
            lo += a * l
            hi += a * u
        elif a < 0:
            lo += a * u
            hi += a * l
    return lo, hi


def _layer_ranges(net, lower, upper):
    """``(z intervals, activity)`` of the current layer of a walk state: ``activity[j]`` is ``1``
    (active on the cell), ``-1`` (off) or ``None``."""
    zs, act = [], []
    for j, (g, h) in enumerate(net.forms):
        lo, hi = _range(g, h, lower, upper)
        zs.append((lo, hi))
        label = net.labels.get(j)
        if label in (-1, 0) or (label is None and hi <= 0):
            act.append(-1)
        elif label == 1 or lo >= 0:
            act.append(1)
        else:
            act.append(None)
    return zs, act


def _relu_interval(z, a):
    if a == -1:
        return _ZERO, _ZERO
    return max(z[0], _ZERO), max(z[1], _ZERO)


def _affine(W, c, vs):
    out = []
    for row, bias in zip(W, c):
        lo = hi = bias
        for w, (a, b) in zip(row, vs):
            if w > 0:
                lo += w * a
                hi += w * b
            elif w < 0:
                lo += w * b
                hi += w * a
        out.append((lo, hi))
    return out


def _forward(net, lower, upper):
    """Per layer from the current one: ``(z intervals, activity)``; the last entry is the output."""
    zs, act = _layer_ranges(net, lower, upper)
    trace = [(zs, act)]
    for idx in range(net.layer + 1, len(net.layers)):
        vs = [_relu_interval(z, a) for z, a in zip(zs, act)]
        W, c = net.layers[idx]
        zs = _affine(W, c, vs)
        act = [-1 if hi <= 0 else (1 if lo >= 0 else None) for lo, hi in zs]
        trace.append((zs, act))
    return trace


def node_bounds(na, nb, lower, upper) -> list:
    """``[(U⁺_k, U⁻_k)]``: exact upper bounds of ``A_k − B_k`` and ``B_k − A_k`` on the node's cell
    (module docstring); ``na``/``nb`` the walk states, ``[lower, upper]`` the domain box."""
    ta, tb = _forward(na, lower, upper), _forward(nb, lower, upper)
    oa, ob = ta[-1][0], tb[-1][0]
    bounds = [(ua - lb_, ub - la) for (la, ua), (lb_, ub) in zip(oa, ob)]
    widths_a = [len(W) for W, _ in na.layers]
    widths_b = [len(W) for W, _ in nb.layers]
    if na.layer != nb.layer or widths_a != widths_b:
        return bounds
    dz = [_range([p - q for p, q in zip(ga, gb)], ha - hb, lower, upper)
          for (ga, ha), (gb, hb) in zip(na.forms, nb.forms)]
    for step in range(1, len(ta)):
        (za, aa), (zb, ab) = ta[step - 1], tb[step - 1]
        dv = []
        for d, x, y in zip(dz, aa, ab):
            if x == 1 and y == 1:
                dv.append(d)
            elif x == -1 and y == -1:
                dv.append((_ZERO, _ZERO))
            else:
                dv.append((min(_ZERO, d[0]), max(_ZERO, d[1])))
        vb = [_relu_interval(z, a) for z, a in zip(zb, ab)]
        WA, cA = na.layers[na.layer + step]
        WB, cB = nb.layers[nb.layer + step]
        dz = []
        for ra, rb, ca, cb in zip(WA, WB, cA, cB):
            lo = hi = ca - cb
            for wa, wb, (dl, du), (bl, bu) in zip(ra, rb, dv, vb):
                if wa > 0:
                    lo += wa * dl
                    hi += wa * du
                elif wa < 0:
                    lo += wa * du
                    hi += wa * dl
                dw = wa - wb
                if dw > 0:
                    lo += dw * bl
                    hi += dw * bu
                elif dw < 0:
                    lo += dw * bu
                    hi += dw * bl
            dz.append((lo, hi))
    return [(min(p, d[1]), min(m, -d[0])) for (p, m), d in zip(bounds, dz)]


__all__ = ["node_bounds"]
