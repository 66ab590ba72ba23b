"""Checker of ``relu.stable_compression`` certificates (docs/certificates.md,
kind relu.stable_compression): a compressed ReLU network equals the original on a box because of
proved bounds on every hidden unit's preactivation.

The checker re-derives everything from the certificate's numbers with its own code:

1. **Bounds** (Theorem S1). Layer by layer, the stated ``[l_j, u_j]`` must be implied by bounds the
   checker computes itself from the box and the earlier layers' stated (already verified)
   bounds: the exact extremes of the first layer's affine preactivations over the box; for deeper
   layers the interval bound and the symbolic bound obtained by substituting, for every earlier
   unit, the lines ``λ z ≤ relu(z) ≤ a z + c`` on ``[l, u]`` (the documented rule fixes ``a``,
   ``c``, ``λ``; the checker verifies each line lies above/below ``relu`` at ``l`` and ``u``, hence
   on ``[l, u]`` by convexity), maximised exactly over the box. A second-layer unit may come with
   its own slopes ``λ ∈ [0, 1]`` (``slopes``), also re-verified.
2. **Folding** (Theorem S2). With ``u ≤ 0`` inactive and otherwise ``l ≥ 0`` active, the checker
   deletes inactive units, composes fully active layers with the next one, and merges each listed
   active unit into listed active basis units after verifying ``w_j = Σ α_i w_i`` exactly.
3. **Moves** (Theorem M): the listed function-preserving moves, replayed with their
   preconditions by :func:`exactnet.check.relu.replay_moves`, must turn the folded network into the
   certificate's second network exactly.
"""

from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..certificates import MalformedCertificate, certificate_networks
from ..network import Layer, Network
from ..network.domain import Box, domain_from_obj
from .relu import BadMove, network_layers, rational, replay_moves
from .result import CheckResult, Invalid

KIND = "relu.stable_compression"
#: The rule of the upper lines: ``a = ⌊2^32·u/(u − l)⌋/2^32``, ``c = ⌈2^32·max(−a·l, u − a·u)⌉/2^32``.
SLOPE_BITS = 32


def check(obj: dict) -> CheckResult:
    if obj.get("kind") != KIND:
        raise MalformedCertificate(f"certificate: not a {KIND} certificate")
    nets = certificate_networks(obj)
    if len(nets) != 2:
        raise MalformedCertificate(f"certificate: {KIND} needs exactly two networks")
    a, b = nets
    if a.activation != "relu" or b.activation != "relu":
        return CheckResult(False, "both networks must be ReLU networks")
    if not (a.is_rational and b.is_rational):
        return CheckResult(False, "this kind needs rational weights")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    claim, evidence = obj["claim"], obj["evidence"]
    if claim.get("equal_on_domain") is not True:
        return CheckResult(False, "this kind only certifies equality on the domain")
    box = domain_from_obj(claim["domain"], "certificate domain")
    if not isinstance(box, Box) or box.dim != a.input_dim:
        return CheckResult(False, "the domain must be a box of the networks' input dimension")
    try:
        bounds = _parse_bounds(a, evidence["bounds"])
        slopes = {(s["layer"], s["unit"]): [rational(v, "slope") for v in s["lambda"]] for s in evidence["slopes"]}
        _verify_bounds(a, box, bounds, slopes)
        folded = _fold(a, bounds, evidence["merged"])
        replayed = replay_moves(folded, evidence["moves"], [])
    except Invalid as exc:
        return CheckResult(False, str(exc))
    except BadMove as exc:
        return CheckResult(False, f"invalid move: {exc}")
    if replayed != network_layers(b):
        return CheckResult(False, "folding and the moves do not lead to the second network")
    return CheckResult(True, "proved bounds fold the network into the second one on the box (Theorems S1, S2, M)")


# ---------------------------------------------------------------------------------------------
# bounds
# ---------------------------------------------------------------------------------------------


def _parse_bounds(net: Network, stated) -> list[tuple[list[fmpq], list[fmpq]]]:
    widths = net.hidden_widths
    if len(stated) != len(widths) or any(len(layer) != w for layer, w in zip(stated, widths)):
        raise Invalid("the bounds do not give one interval per hidden unit")
    out = []
    for layer in stated:
        lo = [rational(p[0], "bound") for p in layer]
        up = [rational(p[1], "bound") for p in layer]
        out.append((lo, up))
    return out


def _box_max(c, box: Box) -> fmpq:
    acc = fmpq(0)
    for v, lo, hi in zip(c, box.lower, box.upper):
        if v > 0:
            acc += v * hi
        elif v < 0:
            acc += v * lo
    return acc


def _lines(lo: list[fmpq], up: list[fmpq]):
    """Per unit ``(λ, a, c, stable)`` by the documented rule; each line verified."""
    scale = 1 << SLOPE_BITS
    out = []
    for l, u in zip(lo, up):
        if u <= 0:
            out.append((fmpq(0), fmpq(0), fmpq(0), True))
        elif l >= 0:
            out.append((fmpq(1), fmpq(1), fmpq(0), True))
        else:
            a = fmpq((u / (u - l) * scale).floor(), scale)
            c = fmpq((max(-a * l, u - a * u) * scale).ceil(), scale)
            if not (0 <= a <= 1 and a * l + c >= 0 and a * u + c >= u):  # pragma: no cover - the rule
                raise Invalid("an upper line is not above relu")
            out.append((fmpq(1) if u >= -l else fmpq(0), a, c, False))
    return out


def _substitute(net: Network, layer: int, lines: list, upper: bool, own: list | None = None):
    """Rows ``C`` and constants ``d`` with ``z ≤ C x + d`` (``upper``) or ``≥`` on the box, for every
    unit of ``layer`` (``own``: one unit's slopes for the previous layer, replacing the rule's λ)."""
    lam = [list(r) for r in net.layers[layer].weight]
    d = list(net.layers[layer].bias)
    if own is not None:
        lam, d = [lam[own[0]]], [d[own[0]]]
    for m in range(layer - 1, -1, -1):
        for i, row in enumerate(lam):
            for k, v in enumerate(row):
                if v == 0:
                    continue
                slope, a, c, stable = lines[m][k]
                if own is not None and m == layer - 1 and not stable:
                    slope = own[1][k]
                if (v > 0) == upper:
                    row[k] = v * a
                    d[i] += v * c
                else:
                    row[k] = v * slope
        prev = net.layers[m]
        L = fmpq_mat(len(lam), len(prev.weight), [v for r in lam for v in r])
        P = L * prev.weight_matrix
        shift = L * fmpq_mat(len(prev.bias), 1, list(prev.bias))
        entries = P.entries()
        cols = P.ncols()
        lam = [list(entries[i * cols:(i + 1) * cols]) for i in range(len(lam))]
        d = [d[i] + shift[i, 0] for i in range(len(d))]
    return lam, d


def _verify_bounds(net: Network, box: Box, bounds, slopes: dict) -> None:
    lines: list = []
    for k, (lo, up) in enumerate(bounds):
        W, bias = net.layers[k].weight, net.layers[k].bias
        if k == 0:
            best_lo = [b - _box_max([-w for w in row], box) for row, b in zip(W, bias)]
            best_up = [b + _box_max(row, box) for row, b in zip(W, bias)]
        else:
            plo, pup = bounds[k - 1]
            hl = [max(v, fmpq(0)) for v in plo]
            hu = [max(v, fmpq(0)) for v in pup]
            best_lo, best_up = [], []
            for row, b in zip(W, bias):
                ilo = b + sum((w * (x if w > 0 else y) for w, x, y in zip(row, hl, hu) if w != 0), fmpq(0))
                iup = b + sum((w * (y if w > 0 else x) for w, x, y in zip(row, hl, hu) if w != 0), fmpq(0))
                best_lo.append(ilo)
                best_up.append(iup)
            rows, d = _substitute(net, k, lines, upper=True)
            for j, (r, dj) in enumerate(zip(rows, d)):
                best_up[j] = min(best_up[j], dj + _box_max(r, box))
            rows, d = _substitute(net, k, lines, upper=False)
            for j, (r, dj) in enumerate(zip(rows, d)):
                best_lo[j] = max(best_lo[j], dj - _box_max([-v for v in r], box))
        for j in range(len(W)):
            if lo[j] <= best_lo[j] and up[j] >= best_up[j]:
                continue
            own = slopes.get((k, j))
            if own is None or k != 1:
                raise Invalid(f"the stated bounds of unit {j} of hidden layer {k} are not implied")
            if len(own) != len(bounds[0][0]) or any(not (0 <= v <= 1) for v in own):
                raise Invalid(f"the slopes of unit {j} of hidden layer {k} are not in [0, 1]")
            (r,), (dj,) = _substitute(net, k, lines, upper=True, own=(j, own))
            u2 = dj + _box_max(r, box)
            (r,), (dj,) = _substitute(net, k, lines, upper=False, own=(j, own))
            l2 = dj - _box_max([-v for v in r], box)
            if not (lo[j] <= max(best_lo[j], l2) and up[j] >= min(best_up[j], u2)):
                raise Invalid(f"the stated bounds of unit {j} of hidden layer {k} are not implied")
        lines.append(_lines(lo, up))


# ---------------------------------------------------------------------------------------------
# folding
# ---------------------------------------------------------------------------------------------


def _fold(net: Network, bounds, merged) -> Network:
    kind = {}
    for k, (lo, up) in enumerate(bounds):
        for j, (l, u) in enumerate(zip(lo, up)):
            kind[(k, j)] = "inactive" if u <= 0 else "active" if l >= 0 else None
    merges: dict = {}
    for m in merged:
        merges.setdefault(m["layer"], []).append((m["unit"], [(int(u), rational(a, "merge coefficient"))
                                                              for u, a in m["basis"]]))
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    names = [[(k, j) for j in range(w)] for k, w in enumerate(net.hidden_widths)]
    h = 0
    while h < len(layers) - 1:
        W, b = layers[h]
        V, c = layers[h + 1]
        for j in reversed(range(len(W))):
            if kind.get(names[h][j]) == "inactive":
                del W[j], b[j], names[h][j]
                for row in V:
                    del row[j]
        if not W:
            _blank(layers, h, net.input_dim, names[h])
            h += 1
            continue
        original = names[h][0][0]
        if all(kind.get(nm) == "active" for nm in names[h]) and len(layers) > 2:
            if original in merges:
                raise Invalid(f"merges listed for hidden layer {original}, which folds into the next layer")
            P = fmpq_mat(len(V), len(W), [v for r in V for v in r]) * fmpq_mat(len(W), len(W[0]),
                                                                               [v for r in W for v in r])
            shift = fmpq_mat(len(V), len(W), [v for r in V for v in r]) * fmpq_mat(len(b), 1, b)
            entries, cols = P.entries(), P.ncols()
            layers[h + 1] = ([list(entries[i * cols:(i + 1) * cols]) for i in range(len(V))],
                             [c[i] + shift[i, 0] for i in range(len(c))])
            del layers[h], names[h]
            continue
        _merge(layers, h, names[h], kind, merges.pop(original, []))
        if not W:  # constant active units all merged into the next bias
            _blank(layers, h, net.input_dim, names[h])
        h += 1
    if merges:
        raise Invalid("merges listed for layers that have none")
    return Network("relu", tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))


def _blank(layers, h: int, input_dim: int, names: list) -> None:
    """An emptied hidden layer keeps one unit with zero weights, bias and outgoing column."""
    n_in = len(layers[h - 1][0]) if h > 0 else input_dim
    layers[h][0].append([fmpq(0)] * n_in)
    layers[h][1].append(fmpq(0))
    for row in layers[h + 1][0]:
        row.append(fmpq(0))
    names.append(None)


def _merge(layers, h: int, names: list, kind: dict, listed) -> None:
    """Theorem S2's merge: ``w_j = Σ α_i w_i`` over active units ⇒ on the box
    ``relu(z_j) = Σ α_i relu(z_i) + (b_j − Σ α_i b_i)``."""
    W, b = layers[h]
    V, c = layers[h + 1]
    layer = names[0][0]
    merged = {unit for unit, _ in listed}
    gone = []
    for unit, basis in listed:
        name = (layer, unit)
        if name not in names or kind.get(name) != "active":
            raise Invalid(f"merged unit {unit} of hidden layer {layer} is not an active unit of the layer")
        j = names.index(name)
        cols = []
        for u, alpha in basis:
            if (layer, u) not in names or kind.get((layer, u)) != "active" or u in merged:
                raise Invalid(f"basis unit {u} of hidden layer {layer} is not an active, kept unit")
            cols.append((names.index((layer, u)), alpha))
        combo = [sum((alpha * W[i][x] for i, alpha in cols), fmpq(0)) for x in range(len(W[j]))]
        if combo != W[j]:
            raise Invalid(f"unit {unit} of hidden layer {layer} is not the stated combination")
        beta = b[j] - sum((alpha * b[i] for i, alpha in cols), fmpq(0))
        for o, row in enumerate(V):
            col = row[j]
            for i, alpha in cols:
                row[i] += alpha * col
            c[o] += beta * col
            row[j] = fmpq(0)
        gone.append(j)
    for j in sorted(gone, reverse=True):
        del W[j], b[j], names[j]
        for row in V:
            del row[j]


__all__ = ["KIND", "check"]
