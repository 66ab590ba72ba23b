"""Checker of ``relu.max_difference`` and ``relu.epsilon`` certificates for ReLU networks with real
algebraic weights: evidence ``field_region_tree`` and ``field_witness`` (docs/certificates.md).

Every number of the proof lies in the networks' common real number field ``K = Q(θ)`` (``θ`` the
real root number ``root_index`` of the defining polynomial, which the evidence must state exactly
as the networks' field); it is written by its rational coordinates in the power basis of ``K``
and all tests run in ``K`` (exact zero tests, signs from rigorous enclosures, :mod:`exactnet.numbers`).
The domain ``D`` is a box or a polyhedron (or a union of them: one tree per part, rooted at
``roots[i]``, so the leaves of all trees cover the union); ``d = A − B``.

**Cover.** The tree is a tree of sign splits of the hidden units of both networks, replayed here
exactly as the ``region_tree`` of ``relu.equivalence`` (:mod:`.relu`, Theorem T): every unit is
decided once per path, layer by layer, by a split (each child adds the closed half-space of its
side) or by a label with a Farkas proof (over ``K``) that its sign holds on the whole closed cell.
So the closed leaf cells cover ``D`` (every point of ``D`` satisfies one side of every split), and
on a closed leaf cell ``P`` both networks are exactly the affine maps computed from the labels (a
preactivation ``≥ 0`` labelled active or ``≤ 0`` labelled inactive gives ``relu(e)`` exactly).

**Per leaf (LP optimality).** For every output ``k`` and ``s = ±1`` the leaf states ``v``, a point
``x`` and multipliers ``(y, t)``. Checked: ``x ∈ P`` (every row ``≥ 0``: primal feasibility, hence
``x ∈ D``); ``s·d_k(x) = v`` (objective attained); ``y ≥ 0``, ``t > 0``, ``Σ y_i g_i + t·s·∇d_k = 0``
and ``Σ y_i h_i + t·(s·d_k(0) − v) ≤ 0`` (dual feasibility; the affine Farkas lemma of
:func:`.relu.farkas_ok` gives ``s·d_k ≤ v`` on ``P``: weak duality). So ``v = max_P s·d_k``.

**1-norm** (``norm: "1"``). ``Σ_k |d_k| = max_s Σ_k s_k d_k`` over the ``2^m`` sign vectors ``s``
(``s_k = −1`` exactly when bit ``k`` of the index is set), so a leaf lists ``sum_optima``: for every
``s`` in that order one optimum of ``Σ_k s_k d_k`` over ``P``, checked as above; ``M`` is the largest
value over every leaf and sign vector, claimed with ``per_output: null`` and one ``argmax`` point
where ``Σ_k |d_k| = M`` exactly; ``ε`` claims compare ``ε`` with every value, witnesses ``Σ_k |d_k|``.

**Top-1** (``relu.top1``): the same tree; a leaf lists, for every pair ``i ≠ j`` of classes, Motzkin
multipliers over ``K`` (cell rows ``y``, non-strict class rows ``c``, strict ones ``w``, all ``≥ 0``)
with ``Σ y g + Σ c g + Σ w g = 0`` and ``Σ y h + Σ c h + Σ w h ≤ 0``, and ``w ≠ 0`` or the sum
``< 0``: then no point of the closed cell has ``class A = i`` and ``class B = j`` (lowest-index tie
rule), as for rational networks (:mod:`.relu_difference`). Finite domains: every point evaluated;
``field_witness``: the classes differ at the point.

**Claims.** ``relu.max_difference``: ``M_k`` is the largest ``v`` over every leaf and ``s`` (the
maximum of ``|d_k|`` over the cover, hence over ``D``); the claimed per-output maxima must equal
the ``M_k`` and the claimed maximum ``max_k M_k``, exactly; each ``argmax`` point must lie in ``D``
with ``|d_k| = M_k`` by exact evaluation of both networks. ``relu.epsilon`` with ``within: true``:
every ``v ≤ ε``. ``field_witness`` (``within: false``): a point of ``D`` (field coordinates) where
``max_k |d_k| > ε`` by exact evaluation.
"""

from __future__ import annotations

from flint import fmpq

from ..certificates import MalformedCertificate, certificate_networks
from ..errors import InputError
from ..network import common_field
from ..network.domain import Polyhedron
from ..network.domain_spec import domain_from_json
from ..network.domain_union import PolyhedronUnion
from ..network.finite_domain import FiniteDomain
from ..numbers import RealAlgebraic, sign
from .relu import RegionNet, domain_rows, evaluate, farkas_ok, field_number, layer_lists
from .relu import normal_form, rational, same_number
from .region_walk import undecided, walk
from .result import CheckResult

METHODS = ("field_region_tree", "field_enumeration", "field_witness")
#: The most points an enumeration certificate may ask the checker to evaluate.
MAX_ENUMERATION = 1 << 16
#: 1-norm leaves list ``2^m`` optima: at most this many outputs (the producer's limit too).
MAX_SIGN_OUTPUTS = 8


def check(obj: dict) -> CheckResult:
    kind, claim, evidence = obj["kind"], obj["claim"], obj["evidence"]
    a, b = certificate_networks(obj)
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    a, b = common_field(a, b)
    la, lb = layer_lists(a), layer_lists(b)
    field = next((v.field for layers in (la, lb) for W, B in layers for row in W + [B] for v in row
                  if isinstance(v, RealAlgebraic)), None)
    if field is None:
        return CheckResult(False, "field evidence belongs to networks with real algebraic weights")
    stated = evidence["field"]
    if [int(c) for c in field.root.poly.coeffs()] != stated["polynomial"] or stated["root_index"] != field.root.index:
        return CheckResult(False, "the stated number field is not the networks' common number field")
    if kind not in ("relu.max_difference", "relu.epsilon", "relu.top1"):
        return CheckResult(False, f"field evidence does not certify {kind}")
    if kind == "relu.top1" and a.output_dim < 2:
        return CheckResult(False, "top-1 equivalence needs at least 2 outputs")
    norm = claim.get("norm", "inf")
    n, m = a.input_dim, a.output_dim
    if norm == "1" and m > MAX_SIGN_OUTPUTS:
        return CheckResult(False, f"1-norm field evidence is checked for at most {MAX_SIGN_OUTPUTS} outputs")
    try:
        domain = domain_from_json(claim["domain"], "certificate domain", n)
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    method = evidence["method"]
    finite = isinstance(domain, FiniteDomain)
    union = isinstance(domain, PolyhedronUnion)
    if domain.dim != n or not (isinstance(domain, Polyhedron) or finite or union):
        return CheckResult(False, "field evidence certifies a box, polyhedron, union or finite set of the networks'"
                                  " input dimension")
    if ("roots" in evidence) != union:
        return CheckResult(False, "a union needs one region tree root per part (and only a union has roots)")
    if finite != (method == "field_enumeration") and method != "field_witness":
        return CheckResult(False, "a finite domain is certified by enumeration, a box or polyhedron by a region tree")
    if finite and not 0 < domain.size <= MAX_ENUMERATION:
        return CheckResult(False, f"enumeration certificates are checked for 1 to {MAX_ENUMERATION} points")
    if union:
        roots = evidence["roots"]
        if len(roots) != len(domain.parts):
            return CheckResult(False, "a union needs one region tree root per part")
        starts = [(root, domain_rows(part)) for root, part in zip(roots, domain.parts)]
    else:
        starts = [(0, [] if finite else domain_rows(domain))]
    if any(rows is None for _, rows in starts):
        return CheckResult(False, "the domain (or a part of the union) is empty")

    def difference(x):
        return [p - q for p, q in zip(evaluate(la, x), evaluate(lb, x))]

    def size(d):
        if norm == "1":
            return sum((abs(v) for v in d), fmpq(0))
        return max(abs(v) for v in d)

    def point(vs, what):
        x = [field_number(v, field, what) for v in vs]
        if finite and any(isinstance(v, RealAlgebraic) for v in x):
            return None  # the points of a finite domain are rational
        if len(x) != n or not domain.contains(x):
            return None
        return x

    if kind == "relu.top1":
        return _check_top1(claim, evidence, domain, field, la, lb, n, m, starts, point, method)
    if kind == "relu.epsilon":
        eps = rational(claim["eps"], "eps")
        if eps < 0:
            return CheckResult(False, "ε must be ≥ 0")
        if not claim["within"]:
            if method != "field_witness":
                return CheckResult(False, "a claim 'not within ε' needs a witness point")
            x = point(evidence["point"], "witness point")
            if x is None:
                return CheckResult(False, "the witness is not a point of the domain")
            if size(difference(x)) <= eps:
                return CheckResult(False, "the difference at the witness is not above ε")
            return CheckResult(True, "the difference at the witness exceeds ε (exact evaluation in the number field)")
        if method == "field_enumeration":
            count = 0
            for x in domain.points():
                count += 1
                if size(difference(x)) > eps:
                    return CheckResult(False, "a point of the domain has a difference above ε")
            return CheckResult(True, f"‖A − B‖ ≤ ε at every point of the finite domain ({count} points, exact"
                                     " evaluation in the number field)")
        if method != "field_region_tree":
            return CheckResult(False, "a claim 'within ε' needs a region tree")
        maxima = _walk(la, lb, n, m, starts, evidence["nodes"], field, norm)
        if isinstance(maxima, CheckResult):
            return maxima
        if any(v > eps for v in maxima):
            return CheckResult(False, "a cell's maximum exceeds ε")
        what = "Σ_k |A_k − B_k|" if norm == "1" else "|A_k − B_k|"
        return CheckResult(True, f"{what} ≤ {claim['eps']} on D: {maxima.leaves} cells of a verified region"
                                 " tree, each maximized exactly over the number field (point and LP dual proof)")
    if method not in ("field_region_tree", "field_enumeration"):
        return CheckResult(False, "a maximum needs a region tree or an enumeration")
    per = claim["per_output"]
    points = evidence["argmax"]
    if method == "field_enumeration":
        return _check_enumeration(claim, evidence, domain, field, norm, m, difference, size, point)
    if norm == "1":
        if per is not None or len(points) != 1:
            return CheckResult(False, "a 1-norm maximum has no per-output maxima and one argmax point")
        total = _walk(la, lb, n, m, starts, evidence["nodes"], field, norm)
        if isinstance(total, CheckResult):
            return total
        if not same_number(claim["max_abs_difference"], total[0]):
            return CheckResult(False, "the claimed maximum is not the largest over the cells")
        x = point(points[0], "argmax point")
        if x is None or size(difference(x)) != total[0]:
            return CheckResult(False, "Σ_k |A_k − B_k| at the argmax point is not the maximum (or it is not in D)")
        return CheckResult(True, f"1-norm maximum attained and bounded on every cell ({total.leaves} cells of a"
                                 " verified region tree, every sign vector maximized exactly over the number field)")
    if per is None or len(per) != m:
        return CheckResult(False, f"a sup-norm maximum needs its {m} per-output maxima")
    if len(points) != m:
        return CheckResult(False, "argmax needs one point per output")
    maxima = _walk(la, lb, n, m, starts, evidence["nodes"], field, norm)
    if isinstance(maxima, CheckResult):
        return maxima
    for k in range(m):
        if not same_number(per[k], maxima[k]):
            return CheckResult(False, f"the claimed maximum of output {k} is not the largest over the cells")
    top = max(maxima)
    if not same_number(claim["max_abs_difference"], top):
        return CheckResult(False, "max_abs_difference is not the largest per-output maximum")
    for k, p in enumerate(points):
        x = point(p, "argmax point")
        if x is None:
            return CheckResult(False, f"the point of output {k} is not in the domain")
        if abs(difference(x)[k]) != maxima[k]:
            return CheckResult(False, f"|A_{k} − B_{k}| at its point is not the maximum")
    return CheckResult(True, f"maximum attained and bounded on every cell ({maxima.leaves} cells of a verified region"
                             " tree, each maximized exactly over the number field: point and LP dual proof)")


def _check_enumeration(claim, evidence, domain, field, norm, m, difference, size, point) -> CheckResult:
    """A finite domain: the stated maxima (field numbers, one per output or the 1-norm's one) equal
    the claimed ones, bound the difference at every point and are attained at the argmax points."""
    maxima = [field_number(v, field, "maximum") for v in evidence["maxima"]]
    points = evidence["argmax"]
    per = claim["per_output"]
    want = 1 if norm == "1" else m
    if len(maxima) != want or len(points) != want or (per is None) != (norm == "1"):
        return CheckResult(False, f"an enumeration states {want} maxima and argmax points"
                                  + (" and no per-output maxima" if norm == "1" else " and the per-output maxima"))
    if norm == "inf" and (len(per) != m or not all(same_number(c, v) for c, v in zip(per, maxima))):
        return CheckResult(False, "the claimed per-output maxima are not the stated ones")
    if not same_number(claim["max_abs_difference"], max(maxima)):
        return CheckResult(False, "max_abs_difference is not the largest stated maximum")
    for k, p in enumerate(points):
        x = point(p, "argmax point")
        d = None if x is None else difference(x)
        if d is None or (size(d) if norm == "1" else abs(d[k])) != maxima[k]:
            return CheckResult(False, f"argmax point {k} is not in the domain or does not attain its maximum")
    count = 0
    for x in domain.points():
        count += 1
        d = difference(x)
        if (size(d) > maxima[0]) if norm == "1" else any(abs(v) > bound for v, bound in zip(d, maxima)):
            return CheckResult(False, "a point of the domain exceeds a stated maximum")
    return CheckResult(True, f"the maximum is attained and not exceeded at every point of the finite domain ({count}"
                             " points, exact evaluation in the number field)")


def _lowest_argmax(y) -> int:
    best = 0
    for k in range(1, len(y)):
        if y[k] > y[best]:
            best = k
    return best


def _class_rows(out, c: int, m: int) -> list:
    """``(g, h, strict)``: ``y_c − y_k ≥ 0`` for ``k > c``, ``> 0`` for ``k < c`` (the lowest-index rule)."""
    rows = []
    for k in range(m):
        if k != c:
            rows.append(([p - q for p, q in zip(out[c][0], out[k][0])], out[c][1] - out[k][1], k < c))
    return rows


def _check_top1(claim, evidence, domain, field, la, lb, n, m, starts, point, method) -> CheckResult:
    """``relu.top1``: a witness where the classes differ; every point of a finite domain; or the
    tree, every leaf and pair ``i ≠ j`` with a Motzkin proof over ``K`` (as for rational networks,
    :mod:`.relu_difference`) that no point of the closed cell has ``class A = i`` and ``class B = j``."""
    if not claim["top1_equivalent"]:
        if method != "field_witness":
            return CheckResult(False, "a claim that the classes differ needs a witness point")
        x = point(evidence["point"], "witness point")
        if x is None:
            return CheckResult(False, "the witness is not a point of the domain")
        if _lowest_argmax(evaluate(la, x)) == _lowest_argmax(evaluate(lb, x)):
            return CheckResult(False, "both networks pick the same class at the witness")
        return CheckResult(True, "the networks pick different classes at the witness (exact evaluation in the"
                                 " number field, lowest index among the maxima)")
    if method == "field_enumeration":
        count = 0
        for x in domain.points():
            count += 1
            if _lowest_argmax(evaluate(la, x)) != _lowest_argmax(evaluate(lb, x)):
                return CheckResult(False, "the networks pick different classes at a point of the domain")
        return CheckResult(True, f"the same class at every point of the finite domain ({count} points, exact"
                                 " evaluation in the number field)")
    if method != "field_region_tree":
        return CheckResult(False, "a claim of top-1 equivalence needs a region tree or an enumeration")
    want = {(i, j) for i in range(m) for j in range(m) if i != j}

    def leaf(idx, cell, nets, node_leaf):
        got = {}
        for p in node_leaf.get("pairs", []):
            key = tuple(p["pair"])
            if key not in want or key in got:
                return CheckResult(False, f"node {idx}: an unknown or repeated pair of classes {list(key)}")
            got[key] = p
        if set(got) != want:
            return CheckResult(False, f"node {idx}: a pair of classes without a proof")
        for (i, j), p in got.items():
            cls = _class_rows(nets[0].out, i, m) + _class_rows(nets[1].out, j, m)
            total_g, total_h, strict = [fmpq(0)] * n, fmpq(0), fmpq(0)
            for entries, pick in ((p["y"], "cell"), (p["c"], "closed"), (p["w"], "strict")):
                for r, value in entries:
                    v = field_number(value, field, "Motzkin multiplier")
                    if sign(v) < 0:
                        return CheckResult(False, f"node {idx}: a negative Motzkin multiplier")
                    if pick == "cell":
                        if not 0 <= r < len(cell):
                            return CheckResult(False, f"node {idx}: a multiplier names an unknown row")
                        g, h = cell[r]
                    else:
                        if not 0 <= r < len(cls) or cls[r][2] != (pick == "strict"):
                            return CheckResult(False, f"node {idx}: a multiplier names a wrong class row")
                        g, h = cls[r][0], cls[r][1]
                        if pick == "strict":
                            strict = strict + v
                    if v == 0:
                        continue
                    total_g = [t + v * gk if gk != 0 else t for t, gk in zip(total_g, g)]
                    total_h = total_h + v * h
            if any(t != 0 for t in total_g) or sign(total_h) > 0 or (strict == 0 and total_h == 0):
                return CheckResult(False, f"node {idx}: the Motzkin proof for classes ({i}, {j}) does not verify")
        return None

    walked = _walk(la, lb, n, m, starts, evidence["nodes"], field, leaf_check=leaf)
    if isinstance(walked, CheckResult):
        return walked
    return CheckResult(True, f"the same class (lowest index among the maxima) on every cell ({walked.leaves} cells of"
                             " a verified region tree, a Motzkin proof over the number field for every pair of"
                             " classes)")


class _Maxima(list):
    """Per output, the largest cell value ``M_k``; ``leaves``: the number of cells."""

    leaves = 0


def _value(row, x):
    g, h = row
    acc = h
    for a, v in zip(g, x):
        if a != 0 and v != 0:
            acc = acc + a * v
    return acc


def _optimum_ok(idx, cell, g, h, opt, field, n, what) -> tuple[CheckResult | None, object]:
    """One stated optimum of ``g·x + h`` over the closed cell: ``(failure or None, its value)``."""
    v = field_number(opt["value"], field, "cell maximum")
    x = [field_number(t, field, "cell point") for t in opt["point"]]
    if len(x) != n or not all(sign(_value(r, x)) >= 0 for r in cell):
        return CheckResult(False, f"node {idx}: the point of the maximum of {what} is not in its closed cell"), v
    if _value((g, h), x) != v:
        return CheckResult(False, f"node {idx}: {what} at the stated point is not the stated maximum"), v
    if not farkas_ok(cell, (g, h - v), {"y": opt["y"], "t": opt["t"]}, n, field):
        return CheckResult(False, f"node {idx}: the LP dual proof of max {what} does not verify"), v
    return None, v


def _leaf(idx, cell, nets, leaf, field, n, m, maxima, norm) -> CheckResult | None:
    (out_a, out_b) = nets[0].out, nets[1].out
    diffs = [([p - q for p, q in zip(out_a[k][0], out_b[k][0])], out_a[k][1] - out_b[k][1]) for k in range(m)]
    if norm == "1":
        optima = leaf.get("sum_optima")
        if not isinstance(optima, list) or len(optima) != 1 << m:
            return CheckResult(False, f"node {idx}: a 1-norm leaf needs the optima of all {1 << m} sign vectors")
        for i, opt in enumerate(optima):
            s = [-1 if (i >> k) & 1 else 1 for k in range(m)]
            g = [sum(((d[0][j] if sk > 0 else -d[0][j]) for sk, d in zip(s, diffs)), fmpq(0)) for j in range(n)]
            h = sum(((d[1] if sk > 0 else -d[1]) for sk, d in zip(s, diffs)), fmpq(0))
            bad, v = _optimum_ok(idx, cell, g, h, opt, field, n, f"Σ s_k (A_k − B_k) for sign vector {i}")
            if bad is not None:
                return bad
            if maxima[0] is None or v > maxima[0]:
                maxima[0] = v
        return None
    optima = leaf.get("optima")
    if not isinstance(optima, list) or len(optima) != m:
        return CheckResult(False, f"node {idx}: a leaf needs the optima of all {m} outputs")
    for k in range(m):
        gd, hd = diffs[k]
        for s, opt in zip((1, -1), optima[k]):
            g = gd if s > 0 else [-v for v in gd]
            h = hd if s > 0 else -hd
            bad, v = _optimum_ok(idx, cell, g, h, opt, field, n, f"{'' if s > 0 else '−'}(A_{k} − B_{k})")
            if bad is not None:
                return bad
            if maxima[k] is None or v > maxima[k]:
                maxima[k] = v
    return None


def _walk(la, lb, n, m, starts, nodes, field, norm="inf", leaf_check=None):
    """Replay the trees rooted at ``starts`` (``[(root node, domain rows)]``: one tree, or one per part
    of a union; module docstring; :func:`.region_walk.walk`); the per-output maxima over the leaves,
    or the failure. ``leaf_check(idx, cell, nets, leaf)`` replaces the optima check of a leaf
    (``relu.top1``)."""
    if not nodes:
        raise MalformedCertificate("certificate: 'nodes' must be a non-empty list")
    starts = [(root, [normal_form(g, h) for g, h in rows], [RegionNet(la, n, field), RegionNet(lb, n, field)], None)
              for root, rows in starts]
    maxima = _Maxima([None] * (1 if norm == "1" else m))

    def farkas(cell, target, proof):
        return farkas_ok(cell, target, proof, n, field)

    def at_leaf(idx, node, cell, nets, state):
        bad = undecided(idx, nets)
        if bad is None:
            if leaf_check is not None:
                bad = leaf_check(idx, cell, nets, node["leaf"])
            else:
                bad = _leaf(idx, cell, nets, node["leaf"], field, n, m, maxima, norm)
        return bad

    got = walk(nodes, starts, normal_form, farkas, at_leaf)
    if isinstance(got, CheckResult):
        return got
    maxima.leaves = got["leaves"]
    if leaf_check is None and any(v is None for v in maxima):  # pragma: no cover - a visited tree has a leaf
        return CheckResult(False, "the tree has no leaf")
    return maxima


__all__ = ["METHODS", "check"]
