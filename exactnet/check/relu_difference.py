"""Checker of ``relu.max_difference`` and ``relu.epsilon`` certificates (docs/certificates.md).

Both kinds concern ``d(x) = A(x) − B(x)`` on a box ``D`` (``claim.domain``; a box is non-empty and
bounded by construction, so a maximum exists) in the sup norm.

**Upper bounds (region tree).** The nodes form a tree of sign splits exactly as the
``region_tree`` evidence of ``relu.equivalence`` (:mod:`.relu`): every hidden unit of both
networks is decided once per path, layer by layer, either by a split (each child adds the
closed half-space of its side to the cell) or by a fixed label with a Farkas proof that the
label's sign holds on the whole closed cell. So the closed leaf cells cover ``D``, and on each
leaf cell ``d`` is the affine map computed here from the labels (ReLU is continuous: where a
preactivation is 0 both labels give the same value). A leaf gives, for every output ``k``, two
multiplier lists ``y ≥ 0`` over the cell's rows (domain rows, then the split rows of the path):
with ``ℓ_{k,s}(x) = s·d_k(x) − B_k`` they must satisfy ``Σ y_i g_i + ∇ℓ = 0`` and
``Σ y_i h_i + ℓ(0) ≤ 0`` — the affine Farkas lemma with ``t = 1`` (:func:`.relu._farkas_ok`) —
so ``s·d_k ≤ B_k`` on the closed cell, for ``s = ±1``. ``B_k`` is the claimed per-output maximum
(``relu.max_difference``) or ``ε`` (``relu.epsilon``). Hence ``|d_k| ≤ B_k`` on ``D``.

**Attainment.** ``relu.max_difference`` also lists one point per output: it must lie in ``D``
(exact membership) with ``|d_k(x_k)| = M_k`` exactly, and the claimed maximum must be
``max_k M_k``. Together: ``max_D |d_k| = M_k`` and ``max_D ‖d‖_∞ = max_k M_k``.

**Witness.** ``relu.epsilon`` with ``within: false``: a point of ``D`` where some ``|d_k| > ε``.
"""

from __future__ import annotations

from ..certificates import MalformedCertificate, certificate_networks
from ..network.domain import Box, domain_from_obj
from .relu import RegionNet as _Net
from .relu import decision_target as _decision_target
from .relu import domain_rows as _domain_rows
from .relu import evaluate as _evaluate
from .relu import farkas_ok as _farkas_ok
from .relu import layer_lists as _layers
from .relu import primitive as _primitive
from .relu import rational as _rat
from .relu import rational_list as _rat_list
from .result import CheckResult

KINDS = ("relu.max_difference", "relu.epsilon")


def check(obj: dict) -> CheckResult:
    kind = obj["kind"]
    a, b = certificate_networks(obj)
    if a.activation != "relu" or b.activation != "relu":
        return CheckResult(False, "both networks must be ReLU networks")
    if not (a.is_rational and b.is_rational):
        return CheckResult(False, "maximum-difference proofs need rational networks")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    claim, evidence = obj["claim"], obj["evidence"]
    domain = domain_from_obj(claim["domain"], "certificate domain")
    if not isinstance(domain, Box):
        return CheckResult(False, "maximum-difference certificates are about a box domain")
    if domain.dim != a.input_dim:
        return CheckResult(False, "the domain's dimension differs from the networks' input dimension")
    rows = _domain_rows(domain)
    if rows is None:
        return CheckResult(False, "the domain is empty")
    m = a.output_dim
    if kind == "relu.epsilon":
        eps = _rat(claim["eps"], "eps")
        if eps < 0:
            return CheckResult(False, "ε must be ≥ 0")
        if claim["within"]:
            if evidence["method"] != "region_tree":
                return CheckResult(False, "a claim 'within ε' needs a region tree")
            return _check_tree(a, b, rows, evidence["nodes"], [eps] * m, f"|A_k − B_k| ≤ {claim['eps']} on D")
        if evidence["method"] != "witness":
            return CheckResult(False, "a claim 'not within ε' needs a witness point")
        x = _rat_list(evidence["point"], "witness point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, "the witness is not a point of the domain")
        d = _difference(a, b, x)
        if max(abs(v) for v in d) <= eps:
            return CheckResult(False, "the difference at the witness is not above ε")
        return CheckResult(True, "the difference at the witness exceeds ε (exact evaluation)")
    bounds = _rat_list(claim["per_output"], "per_output")
    if len(bounds) != m:
        return CheckResult(False, f"per_output has {len(bounds)} entries, the networks have {m} outputs")
    value = _rat(claim["max_abs_difference"], "max_abs_difference")
    if value != max(bounds):
        return CheckResult(False, "max_abs_difference is not the largest per-output maximum")
    points = evidence["argmax"]
    if len(points) != m:
        return CheckResult(False, "argmax needs one point per output")
    for k, p in enumerate(points):
        x = _rat_list(p, "argmax point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, f"the point of output {k} is not in the domain")
        if abs(_difference(a, b, x)[k]) != bounds[k]:
            return CheckResult(False, f"|A_{k} − B_{k}| at its point is not the claimed maximum")
    return _check_tree(a, b, rows, evidence["nodes"], bounds, "maximum attained and bounded on every region")


def _difference(a, b, x) -> list:
    return [p - q for p, q in zip(_evaluate(_layers(a), x), _evaluate(_layers(b), x))]


def _check_tree(a, b, rows, nodes, bounds, what: str) -> CheckResult:
    if not isinstance(nodes, list) or not nodes:
        raise MalformedCertificate("certificate: 'nodes' must be a non-empty list")
    n, m = a.input_dim, a.output_dim
    visited = [False] * len(nodes)
    visited[0] = True
    stack = [(0, list(rows), [_Net(_layers(a), n), _Net(_layers(b), n)])]
    leaves = 0
    while stack:
        idx, cell, nets = stack.pop()
        node = nodes[idx]
        for entry in node.get("fix", []):
            k, layer, unit, label, proof = entry
            bad = _decision_target(nets, k, layer, unit)
            if bad:
                return CheckResult(False, f"node {idx}: {bad}")
            g, h = nets[k].form(unit)
            if not any(v != 0 for v in g):
                expected = 1 if h > 0 else -1 if h < 0 else 0
                if label != expected or proof is not None:
                    return CheckResult(False, f"node {idx}: wrong label for a constant preactivation")
            else:
                if label not in (1, -1):
                    return CheckResult(False, f"node {idx}: a non-constant preactivation needs label ±1")
                row = _primitive(g, h)
                target = row if label < 0 else (tuple(-v for v in row[0]), -row[1])
                if not _farkas_ok(cell, target, proof, n):
                    return CheckResult(False, f"node {idx}: the Farkas proof of a fixed sign does not verify")
            nets[k].decide(unit, label, (g, h))
        if "split" in node:
            (k, layer, unit), children = node["split"], node["children"]
            bad = _decision_target(nets, k, layer, unit)
            if bad:
                return CheckResult(False, f"node {idx}: {bad}")
            g, h = nets[k].form(unit)
            if not any(v != 0 for v in g):
                return CheckResult(False, f"node {idx}: a split on a constant preactivation")
            row = _primitive(g, h)
            for child, side in zip(children, (1, -1)):
                if not (idx < child < len(nodes)) or visited[child]:
                    return CheckResult(False, f"node {idx}: bad child reference {child!r}")
                visited[child] = True
                copies = [s.copy() for s in nets]
                copies[k].decide(unit, side, (g, h))
                crow = row if side > 0 else (tuple(-v for v in row[0]), -row[1])
                stack.append((child, cell + [crow], copies))
            continue
        if any(s.out is None for s in nets):
            return CheckResult(False, f"node {idx}: a leaf where some unit is undecided")
        proofs = node["leaf"]["bounds"]
        if len(proofs) != m:
            return CheckResult(False, f"node {idx}: a leaf needs bound proofs for all {m} outputs")
        (out_a, out_b) = nets[0].out, nets[1].out
        for k in range(m):
            gd = [p - q for p, q in zip(out_a[k][0], out_b[k][0])]
            hd = out_a[k][1] - out_b[k][1]
            for s, proof in zip((1, -1), proofs[k]):
                target = ([s * v for v in gd], s * hd - bounds[k])
                ys = [[i, _rat(v, "bound multiplier")] for i, v in proof["y"]]
                if not _farkas_ok(cell, target, {"y": ys, "t": "1"}, n):
                    sign = "" if s > 0 else "−"
                    return CheckResult(False, f"node {idx}: the LP proof of {sign}(A_{k} − B_{k}) ≤ bound does not"
                                              " verify")
        leaves += 1
    if not all(visited):
        return CheckResult(False, "the tree has unreachable nodes")
    return CheckResult(True, f"{what} ({leaves} regions, each bounded by an exact LP dual proof)")


__all__ = ["KINDS", "check"]
