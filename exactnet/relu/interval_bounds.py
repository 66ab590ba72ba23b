"""The checkable interval bound of ``±(A_k − B_k)`` on a node (certified pruning).

A certified search may close a subtree only with a bound the independent checker recomputes from
the node's labels alone (``exactnet/check/relu_interval.py``; ``docs/certificates.md``, "Pruned
subtrees"). This module computes the same bound on the search's side, from the compiled networks
and the node's labels (written separately from the checker, as the product's other deciders are):

* ``L`` is the first hidden layer with a free unit (the output layer when every unit is fixed);
  the preactivations of layer ``L`` are exact affine forms on the cell (earlier layers linear by
  their labels) and get their exact range over the box; a unit is *active* (label ``+1`` or range
  ``≥ 0``), *off* (label ``−1``/``0`` or range ``≤ 0``) or free; ``relu`` of a range ``[l, u]`` is
  ``[max(l, 0), max(u, 0)]`` (``[0, 0]`` when off);
* later layers: exact interval arithmetic; ``A_k − B_k ≤ u^A_k − l^B_k``;
* same widths and the same ``L``: the differences ``δz = z^A − z^B`` (exact at layer ``L``, then
  ``W^A δv + (W^A − W^B) v^B + (c^A − c^B)``), with ``δv = δz`` when both units are active, ``0``
  when both are off, else between 0 and ``δz`` (ReLU is monotone and 1-Lipschitz; ReluDiff).
"""

from __future__ import annotations

from flint import fmpq, fmpq_mat

from .symbolic_bounds import CompiledNet, Labels, frontier

_Z = fmpq(0)


def _rows(m: fmpq_mat) -> list[list[fmpq]]:
    e, c = m.entries(), m.ncols()
    return [e[i * c:(i + 1) * c] for i in range(m.nrows())]


def _state(net: CompiledNet, labels: Labels, n: int):
    """``(L, forms of layer L as rows [g | h], labels of layer L or None for the output layer)``."""
    depth = len(net.hat)
    stop = frontier(labels)
    stop = depth - 1 if stop is None else stop
    forms = net.hat[0]  # affine in x: (w × (n+1))
    for idx in range(stop):
        rows = _rows(forms)
        kept = [r if labels[idx][i] == 1 else [_Z] * (n + 1) for i, r in enumerate(rows)]
        prev = fmpq_mat(len(kept) + 1, n + 1, [v for r in kept for v in r] + [_Z] * n + [fmpq(1)])
        forms = net.hat[idx + 1] * prev
    labs = labels[stop] if stop < depth - 1 else None
    return stop, _rows(forms), labs


def _box_range(row, n, lower, upper):
    lo = hi = row[n]
    for j in range(n):
        a = row[j]
        if a > 0:
            lo += a * lower[j]
            hi += a * upper[j]
        elif a < 0:
            lo += a * upper[j]
            hi += a * lower[j]
    return lo, hi


def _activity(zs, labs):
    out = []
    for i, (lo, hi) in enumerate(zs):
        lab = None if labs is None else labs[i]
        if lab in (-1, 0) or (lab is None and hi <= 0):
            out.append(-1)
        elif lab == 1 or lo >= 0:
            out.append(1)
        else:
            out.append(0)
    return out


def _relu(z, act):
    return (_Z, _Z) if act == -1 else (max(z[0], _Z), max(z[1], _Z))


def _through(W, vs):
    out = []
    for row in W:
        lo = hi = row[-1]
        for w, (a, b) in zip(row, vs):
            if w > 0:
                lo += w * a
                hi += w * b
            elif w < 0:
                lo += w * b
                hi += w * a
        out.append((lo, hi))
    return out


def _trace(net: CompiledNet, labels: Labels, lower, upper):
    n = len(lower)
    L, forms, labs = _state(net, labels, n)
    zs = [_box_range(r, n, lower, upper) for r in forms]
    act = _activity(zs, labs)
    trace = [(zs, act)]
    for idx in range(L + 1, len(net.hat)):
        zs = _through(_rows(net.hat[idx]), [_relu(z, a) for z, a in zip(zs, act)])
        act = _activity(zs, None)
        trace.append((zs, act))
    return L, forms, trace


def interval_bounds(a: CompiledNet, b: CompiledNet, labels_a: Labels, labels_b: Labels, lower,
                    upper) -> list[tuple[fmpq, fmpq]]:
    """``[(U⁺_k, U⁻_k)]``: exact upper bounds of ``A_k − B_k`` and ``B_k − A_k`` on any cell of the
    box where the labels hold (module docstring)."""
    n = len(lower)
    La, fa, ta = _trace(a, labels_a, lower, upper)
    Lb, fb, tb = _trace(b, labels_b, lower, upper)
    bounds = [(ua - lb, ub - la) for (la, ua), (lb, ub) in zip(ta[-1][0], tb[-1][0])]
    if La != Lb or a.widths != b.widths:
        return bounds
    dz = [_box_range([p - q for p, q in zip(ra, rb)], n, lower, upper) for ra, rb in zip(fa, fb)]
    for step in range(1, len(ta)):
        (_, aa), (zb, ab) = ta[step - 1], tb[step - 1]
        dv = []
        for d, x, y in zip(dz, aa, ab):
            if x == 1 and y == 1:
                dv.append(d)
            elif x == -1 and y == -1:
                dv.append((_Z, _Z))
            else:
                dv.append((min(_Z, d[0]), max(_Z, d[1])))
        vb = [_relu(z, act) for z, act in zip(zb, ab)]
        WA, WB = _rows(a.hat[La + step]), _rows(b.hat[Lb + step])
        dz = []
        for ra, rb in zip(WA, WB):
            lo = hi = ra[-1] - rb[-1]
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


__all__ = ["interval_bounds"]
