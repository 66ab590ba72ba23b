"""Checker of ``relu.max_difference``, ``relu.epsilon`` and ``relu.top1`` certificates
(docs/certificates.md; ``relu.top1``: :func:`_check_top1_tree`).

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

**Witness.** ``relu.epsilon`` with ``within: false``: a point of ``D`` where ``‖d‖ > ε`` (in the
claimed norm, ``inf`` or ``1``).

**Domains.** ``D`` is a box or a polyhedron ``A x ≤ b`` (region trees: the domain's rows are the
root cell's rows; nothing in the argument above needs a box), or a finite product of sets
``S_1 × … × S_n`` (evidence ``enumeration``, at most :data:`MAX_ENUMERATION` points): the checker
evaluates both networks exactly at every point and compares with the claim — ``|d_k| ≤ M_k``
everywhere and attained at the listed points (sup norm), ``Σ_k |d_k| ≤ M`` everywhere and attained
at the listed point (1-norm), ``‖d‖ ≤ ε`` everywhere, or the same class everywhere. Region trees
are for the sup norm; the 1-norm is certified on finite domains (and by witnesses).
"""

from __future__ import annotations

from flint import fmpq

from ..certificates import MalformedCertificate, certificate_networks
from ..errors import InputError
from ..network.domain import Box, Polyhedron
from ..network.domain_spec import domain_from_json
from ..network.domain_union import PolyhedronUnion
from ..network.finite_domain import FiniteDomain
from .relu import RegionNet as _Net
from .relu import domain_rows as _domain_rows
from .relu import evaluate as _evaluate
from .relu import evaluate_many as _evaluate_many
from .relu import farkas_ok as _farkas_ok
from .relu import layer_lists as _layers
from .relu import primitive as _primitive
from .relu import rational as _rat
from .relu import rational_list as _rat_list
from .region_walk import flipped, undecided, walk
from .result import CheckResult

KINDS = ("relu.max_difference", "relu.epsilon", "relu.top1")
#: The most points an ``enumeration`` certificate may ask the checker to evaluate.
MAX_ENUMERATION = 1 << 16


def check(obj: dict) -> CheckResult:
    kind = obj["kind"]
    a, b = certificate_networks(obj)
    if a.activation != "relu" or b.activation != "relu":
        return CheckResult(False, "both networks must be ReLU networks")
    if obj["evidence"]["method"] in ("field_region_tree", "field_enumeration", "field_witness"):  # algebraic
        from .relu_field_difference import check as check_field

        return check_field(obj)
    if not (a.is_rational and b.is_rational):
        return CheckResult(False, "maximum-difference proofs need rational networks (or field evidence)")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    claim, evidence = obj["claim"], obj["evidence"]
    try:
        domain = domain_from_json(claim["domain"], "certificate domain", a.input_dim)
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    if domain.dim != a.input_dim:
        return CheckResult(False, "the domain's dimension differs from the networks' input dimension")
    finite = isinstance(domain, FiniteDomain)
    if finite:
        if domain.size == 0:
            return CheckResult(False, "the domain is empty")
        rows = None
    elif isinstance(domain, Polyhedron):
        rows = _domain_rows(domain)
        if rows is None:
            return CheckResult(False, "the domain is empty")
    elif isinstance(domain, PolyhedronUnion):
        rows = _union_roots(domain, evidence)
        if isinstance(rows, CheckResult):
            return rows
    else:  # pragma: no cover - the shape admits boxes, polyhedra, unions and finite domains only
        return CheckResult(False, "maximum-difference certificates are about a box, polyhedron or finite domain")
    method = evidence["method"]
    if method == "enumeration" and not finite:
        return CheckResult(False, "an enumeration certificate needs a finite domain")
    if method == "box_split" and not isinstance(domain, Box):
        return CheckResult(False, "box-split evidence needs a box domain")
    if method == "box_split" and norm_of(claim) != "inf":
        return CheckResult(False, "box-split evidence certifies the sup norm")
    if method in ("region_tree",) and finite:
        return CheckResult(False, "a region tree certifies a box or polyhedron, not a finite domain")
    if method == "enumeration" and domain.size > MAX_ENUMERATION:
        return CheckResult(False, f"the finite domain has {domain.size} points; enumeration certificates are"
                                  f" checked for at most {MAX_ENUMERATION}")
    norm = claim.get("norm", "inf")
    tree_space = (a, b, rows)  # the networks and root rows a region tree is about
    box = (domain.lower, domain.upper) if isinstance(domain, Box) else None  # for interval bounds
    if method == "region_tree" and "roots" in evidence and not isinstance(domain, PolyhedronUnion):
        return CheckResult(False, "several roots belong to a union domain")
    if method == "region_tree" and "affine_hull" in evidence and isinstance(domain, PolyhedronUnion):
        return CheckResult(False, "an affine hull belongs to a single polyhedron")
    if method == "region_tree" and "affine_hull" in evidence:
        tree_space = _on_affine_hull(a, b, domain, evidence["affine_hull"])
        if isinstance(tree_space, CheckResult):
            return tree_space
        box = None
    m = a.output_dim
    if kind == "relu.top1":
        if m < 2:
            return CheckResult(False, "top-1 equivalence needs at least 2 outputs")
        if claim["top1_equivalent"]:
            if method == "enumeration":
                return _check_top1_enumeration(a, b, domain)
            if method == "box_split":
                return _box_split(a, b, domain, evidence, None, "the same class (lowest index among the maxima)"
                                  " on every sub-box")
            if method != "region_tree":
                return CheckResult(False, "a claim of top-1 equivalence needs a region tree or an enumeration")
            return _check_top1_tree(*tree_space, evidence["nodes"])
        if evidence["method"] != "witness":
            return CheckResult(False, "a claim that the classes differ needs a witness point")
        x = _rat_list(evidence["point"], "witness point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, "the witness is not a point of the domain")
        ya, yb = _evaluate(_layers(a), x), _evaluate(_layers(b), x)
        if _lowest_argmax(ya) == _lowest_argmax(yb):
            return CheckResult(False, "both networks pick the same class at the witness")
        return CheckResult(True, "the networks pick different classes at the witness (exact evaluation,"
                                 " lowest index among the maxima)")
    if kind == "relu.epsilon":
        eps = _rat(claim["eps"], "eps")
        if eps < 0:
            return CheckResult(False, "ε must be ≥ 0")
        if claim["within"]:
            if method == "enumeration":
                return _check_enumeration(a, b, domain, norm, None, eps, [])
            if method == "box_split":
                return _box_split(a, b, domain, evidence, [eps] * m, f"|A_k − B_k| ≤ {claim['eps']} on D")
            if method != "region_tree":
                return CheckResult(False, "a claim 'within ε' needs a region tree or an enumeration")
            if norm == "1":
                return _check_sum_tree(*tree_space, evidence["nodes"], eps, f"Σ_k |A_k − B_k| ≤ {claim['eps']} on D")
            return _check_tree(*tree_space, evidence["nodes"], [eps] * m, f"|A_k − B_k| ≤ {claim['eps']} on D",
                               box=box)
        if method != "witness":
            return CheckResult(False, "a claim 'not within ε' needs a witness point")
        x = _rat_list(evidence["point"], "witness point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, "the witness is not a point of the domain")
        if _norm(_difference(a, b, x), norm) <= eps:
            return CheckResult(False, "the difference at the witness is not above ε")
        return CheckResult(True, "the difference at the witness exceeds ε (exact evaluation)")
    value = _rat(claim["max_abs_difference"], "max_abs_difference")
    if norm == "1":
        if claim["per_output"] is not None:
            return CheckResult(False, "per-output maxima belong to the sup norm")
        points = evidence["argmax"]
        if len(points) != 1:
            return CheckResult(False, "a 1-norm maximum needs exactly one argmax point")
        if method == "enumeration":
            return _check_enumeration(a, b, domain, "1", [value], None, points)
        x = _rat_list(points[0], "argmax point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, "the argmax point is not in the domain")
        if _norm(_difference(a, b, x), "1") != value:
            return CheckResult(False, "Σ_k |A_k − B_k| at the argmax point is not the claimed maximum")
        return _check_sum_tree(*tree_space, evidence["nodes"], value, "1-norm maximum attained and bounded on every"
                               " region")
    if claim["per_output"] is None:
        return CheckResult(False, "a sup-norm maximum needs its per-output maxima")
    bounds = _rat_list(claim["per_output"], "per_output")
    if len(bounds) != m:
        return CheckResult(False, f"per_output has {len(bounds)} entries, the networks have {m} outputs")
    if value != max(bounds):
        return CheckResult(False, "max_abs_difference is not the largest per-output maximum")
    points = evidence["argmax"]
    if len(points) != m:
        return CheckResult(False, "argmax needs one point per output")
    if method == "enumeration":
        return _check_enumeration(a, b, domain, "inf", bounds, None, points)
    for k, p in enumerate(points):
        x = _rat_list(p, "argmax point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, f"the point of output {k} is not in the domain")
        if abs(_difference(a, b, x)[k]) != bounds[k]:
            return CheckResult(False, f"|A_{k} − B_{k}| at its point is not the claimed maximum")
    if method == "box_split":
        return _box_split(a, b, domain, evidence, bounds, "maximum attained and bounded on every sub-box")
    return _check_tree(*tree_space, evidence["nodes"], bounds, "maximum attained and bounded on every region",
                       box=box)


def norm_of(claim) -> str:
    return claim.get("norm", "inf")


def _box_split(a, b, domain, evidence, bounds, what: str) -> CheckResult:
    """``box_split`` evidence (:mod:`.relu_box_split`): the split tree of the box; a ``regions`` leaf is
    a region tree of its sub-box (``bounds``: ``B_k`` per output; ``None`` for top-1)."""
    from .relu_box_split import check_box_split

    def region_check(lower, upper, nodes, proven):
        sub = Box.from_bounds(list(lower), list(upper))
        rows = _domain_rows(sub)
        if bounds is None:
            return _check_top1_tree(a, b, rows, nodes)
        return _check_tree(a, b, rows, nodes, bounds, what, box=(sub.lower, sub.upper), proven=proven)

    return check_box_split(a, b, domain.lower, domain.upper, evidence["boxes"], bounds, region_check, what)


class _Forest(list):
    """The roots of a union's region trees: ``[(root node, rows of the part), ...]``."""


def _union_roots(domain, evidence):
    """A union ``P_1 ∪ … ∪ P_p`` is covered by one region tree per part, rooted at
    ``evidence["roots"][i]`` with ``P_i``'s rows; witnesses and argmax points need only lie in the
    union. Every part must have its tree (an empty part included: its rows are refused if a
    constant row is negative, and otherwise its tree must still verify)."""
    roots = evidence.get("roots")
    if evidence.get("method") != "region_tree":
        return _Forest()
    if not isinstance(roots, list) or len(roots) != len(domain.parts):
        return CheckResult(False, "a union needs one region tree root per part")
    forest = _Forest()
    for root, part in zip(roots, domain.parts):
        rows = _domain_rows(part)
        if rows is None:
            return CheckResult(False, "a part of the union is empty (constant rows)")
        forest.append((root, rows))
    return forest


def _on_affine_hull(a, b, domain, hull):
    """A region tree for a domain without interior: ``(A∘e, B∘e, rows of T)`` for ``e(t) = p + M t``
    and ``T = {t : e(t) ∈ D}``, after checking that ``e`` maps ``T`` onto ``D``: ``p ∈ D``; the ``k``
    columns of ``M`` are independent; ``D``'s own pairs of opposite rows (``g·x + h ≥ 0`` and
    ``−g·x − h ≥ 0``, i.e. ``g·x + h = 0`` on ``D``) have normals ``g`` of rank ``n − k`` with
    ``g·M = 0``. Then ``D ⊆ p + ker G`` and ``span M = ker G`` (dimension ``k``), so every ``x ∈ D`` is
    ``e(t)`` for exactly one ``t ∈ T``, and a bound proved for ``d ∘ e`` on ``T`` holds for ``d`` on ``D``."""
    from flint import fmpq_mat

    from ..network.precompose import precompose

    n = a.input_dim
    p = _rat_list(hull["point"], "affine hull point")
    M = [_rat_list(col, "affine hull basis") for col in hull["basis"]]
    k = len(M)
    if len(p) != n or any(len(col) != n for col in M) or not 0 < k < n:
        return CheckResult(False, "the affine hull needs a point of R^n and between 1 and n − 1 directions")
    if not domain.contains(p):
        return CheckResult(False, "the affine hull's point is not in the domain")
    if fmpq_mat(k, n, [v for col in M for v in col]).rank() != k:
        return CheckResult(False, "the affine hull's directions are not independent")
    rows = _domain_rows(domain)
    present = set(rows)
    normals = [g for g, h in rows if (tuple(-v for v in g), -h) in present]
    if any(sum((gi * v for gi, v in zip(g, col)), fmpq(0)) != 0 for g in normals for col in M):
        return CheckResult(False, "a direction of the affine hull leaves an equality of the domain")
    if not normals or fmpq_mat(len(normals), n, [fmpq(v) for g in normals for v in g]).rank() != n - k:
        return CheckResult(False, "the domain's stated equalities do not confine it to the affine hull")
    ta, tb = precompose(a, p, M), precompose(b, p, M)
    reduced = Polyhedron(A=tuple(tuple(sum((ai * col[i] for i, ai in enumerate(row)), fmpq(0)) for col in M)
                                 for row in domain.A),
                         b=tuple(beta - sum((ai * pi for ai, pi in zip(row, p)), fmpq(0))
                                 for row, beta in zip(domain.A, domain.b)), dim=k)
    trows = _domain_rows(reduced)
    if trows is None:  # pragma: no cover - p ∈ D gives t = 0 ∈ T
        return CheckResult(False, "the reduced domain is empty")
    return ta, tb, trows


def _norm(d, norm: str):
    return sum((abs(v) for v in d), fmpq(0)) if norm == "1" else max(abs(v) for v in d)


def _differences(a, b, domain):
    """``(x, A(x) − B(x))`` at every point of the finite domain (exact evaluation)."""
    for (x, ya), (_, yb) in zip(_evaluate_many(_layers(a), domain.points()), _evaluate_many(_layers(b), domain.points())):
        yield x, [p - q for p, q in zip(ya, yb)]


def _check_enumeration(a, b, domain, norm: str, maxima, eps, points) -> CheckResult:
    """Finite domain, every point evaluated: ``|d_k| ≤ M_k`` (sup norm, ``maxima`` per output) or
    ``Σ|d_k| ≤ M`` (1-norm, ``maxima = [M]``), each attained at its listed point; or ``‖d‖ ≤ ε``."""
    for k, p in enumerate(points):
        x = _rat_list(p, "argmax point")
        if len(x) != a.input_dim or not domain.contains(x):
            return CheckResult(False, f"argmax point {k} is not in the domain")
        d = _difference(a, b, x)
        attained = _norm(d, "1") if norm == "1" else abs(d[k])
        if attained != maxima[k]:
            return CheckResult(False, f"the difference at argmax point {k} is not the claimed maximum")
    count = 0
    for x, d in _differences(a, b, domain):
        count += 1
        if eps is not None:
            if _norm(d, norm) > eps:
                return CheckResult(False, "a point of the domain has a difference above ε")
        elif norm == "1":
            if _norm(d, "1") > maxima[0]:
                return CheckResult(False, "a point of the domain exceeds the claimed 1-norm maximum")
        elif any(abs(v) > bound for v, bound in zip(d, maxima)):
            return CheckResult(False, "a point of the domain exceeds a claimed per-output maximum")
    what = "‖A − B‖ ≤ ε" if eps is not None else "the maximum is attained and not exceeded"
    return CheckResult(True, f"{what} at every point of the finite domain ({count} points, exact evaluation)")


def _check_top1_enumeration(a, b, domain) -> CheckResult:
    count = 0
    for (_, ya), (_, yb) in zip(_evaluate_many(_layers(a), domain.points()), _evaluate_many(_layers(b), domain.points())):
        count += 1
        if _lowest_argmax(ya) != _lowest_argmax(yb):
            return CheckResult(False, "the networks pick different classes at a point of the domain")
    return CheckResult(True, f"the same class (lowest index among the maxima) at every point of the finite domain"
                             f" ({count} points, exact evaluation)")


def _lowest_argmax(y) -> int:
    best = 0
    for k in range(1, len(y)):
        if y[k] > y[best]:
            best = k
    return best


def _difference(a, b, x) -> list:
    return [p - q for p, q in zip(_evaluate(_layers(a), x), _evaluate(_layers(b), x))]


def _check_tree(a, b, rows, nodes, bounds, what: str, box=None, proven=frozenset()) -> CheckResult:
    """The region tree proves ``|d_k| ≤ bounds[k]`` on the root cell. A target ``t`` (``2k``:
    ``d_k ≤ B_k``, ``2k + 1``: ``−d_k ≤ B_k``) listed in a node's ``bounded`` is proved on that node's
    whole closed cell by the interval bound (:func:`.relu_interval.node_bounds`, box domains), and
    so on every cell below it; a node with neither split nor leaf must have every target proved on
    its path (a pruned subtree). ``proven``: targets already proved on the whole root cell (a
    sub-box of ``box_split`` evidence)."""
    m = a.output_dim

    def closed(idx, nets, listed, proven):
        if box is None:
            return CheckResult(False, f"node {idx}: interval bounds close subtrees of box domains only"), proven
        from .relu_interval import node_bounds

        if not all(isinstance(t, int) and not isinstance(t, bool) and 0 <= t < 2 * m for t in listed):
            return CheckResult(False, f"node {idx}: 'bounded' names an unknown target"), proven
        ub = node_bounds(nets[0], nets[1], box[0], box[1])
        for t in listed:
            if ub[t // 2][t % 2] > bounds[t // 2]:
                sign = "" if t % 2 == 0 else "−"
                return CheckResult(False, f"node {idx}: the interval bound of {sign}(A_{t // 2} − B_{t // 2}) exceeds"
                                          " the claimed bound"), proven
        return None, proven | frozenset(listed)

    def leaf(idx, cell, nets, node, proven=frozenset()):
        proofs = node["leaf"]["bounds"]
        if len(proofs) != m:
            return CheckResult(False, f"node {idx}: a leaf needs bound proofs for all {m} outputs")
        (out_a, out_b) = nets[0].out, nets[1].out
        for k in range(m):
            gd = [p - q for p, q in zip(out_a[k][0], out_b[k][0])]
            hd = out_a[k][1] - out_b[k][1]
            for s, proof in zip((1, -1), proofs[k]):
                if proof is None:
                    if 2 * k + (0 if s > 0 else 1) not in proven:
                        return CheckResult(False, f"node {idx}: a leaf target without a proof")
                    continue
                target = ([s * v for v in gd], s * hd - bounds[k])
                ys = [[i, _rat(v, "bound multiplier")] for i, v in proof["y"]]
                if not _farkas_ok(cell, target, {"y": ys, "t": "1"}, len(gd)):
                    sign = "" if s > 0 else "−"
                    return CheckResult(False, f"node {idx}: the LP proof of {sign}(A_{k} − B_{k}) ≤ bound does not"
                                              " verify")
        return None

    return _walk(a, b, rows, nodes, leaf, what, "each bounded by an exact LP dual proof or an interval bound",
                 closed=closed, targets=2 * m, proven=proven)


def _check_sum_tree(a, b, rows, nodes, bound, what: str) -> CheckResult:
    """1-norm: below the units, a leaf's cell is cut further by the signs ``s_k`` of the outputs'
    differences (``sign_fix`` with a Farkas proof that ``s_k·d_k ≥ 0`` on the cell, or
    ``sign_split``), so ``Σ_k |d_k| = Σ_k s_k d_k`` there: one affine function, bounded by the leaf's
    LP multipliers ``sum`` (``Σ_k s_k d_k ≤ bound`` on the closed leaf, Farkas with ``t = 1``). The
    closed leaves cover ``D``, so ``‖d‖_1 ≤ bound`` on ``D``."""
    m = a.output_dim

    def leaf(idx, cell, nets, node, signs):
        if len(signs) != m or "sum" not in node["leaf"]:
            return CheckResult(False, f"node {idx}: a 1-norm leaf needs the sign of every output's difference"
                                      " and its LP proof")
        out_a, out_b = nets[0].out, nets[1].out
        g = [sum((signs[k] * (out_a[k][0][j] - out_b[k][0][j]) for k in range(m)), fmpq(0))
             for j in range(a.input_dim)]
        h = sum((signs[k] * (out_a[k][1] - out_b[k][1]) for k in range(m)), fmpq(0))
        ys = [[i, _rat(v, "bound multiplier")] for i, v in node["leaf"]["sum"]["y"]]
        if not _farkas_ok(cell, (g, h - bound), {"y": ys, "t": "1"}, a.input_dim):
            return CheckResult(False, f"node {idx}: the LP proof of Σ s_k(A_k − B_k) ≤ bound does not verify")
        return None

    return _walk(a, b, rows, nodes, leaf, what, "each bounded by an exact LP dual proof for its output signs",
                 sums=True)


def _output_difference(nets, k):
    (ga, ha), (gb, hb) = nets[0].out[k], nets[1].out[k]
    return [p - q for p, q in zip(ga, gb)], ha - hb


def _walk(a, b, rows, nodes, leaf_check, what: str, per_leaf: str, closed=None, targets: int = 0,
          sums: bool = False, proven=frozenset()) -> CheckResult:
    """Walk the tree of sign splits (:func:`.region_walk.walk`); ``closed(idx, nets, listed, proven)``
    checks a node's ``bounded`` targets (difference certificates) and returns ``(error, proven)``; the
    state carried down a path is ``(targets proven, output signs)``."""
    n, m = a.input_dim, a.output_dim
    starts = rows if isinstance(rows, _Forest) else [(0, rows)]
    starts = [(root, part, [_Net(_layers(a), n), _Net(_layers(b), n)], (frozenset(proven), {}))
              for root, part in starts]

    def farkas(cell, target, proof):
        return _farkas_ok(cell, target, proof, n)

    def visit(idx, node, cell, nets, state, claim):
        proven, signs = state
        if ("sign_fix" in node or "sign_split" in node) and not sums:
            return CheckResult(False, f"node {idx}: output signs belong to 1-norm certificates")
        if "sign_fix" in node or "sign_split" in node:
            if any(s.out is None for s in nets):
                return CheckResult(False, f"node {idx}: output signs before every unit is decided")
            signs = dict(signs)
            for entry in node.get("sign_fix", []):
                k, label, proof = entry
                if not (isinstance(k, int) and 0 <= k < m) or k in signs or label not in (1, -1):
                    return CheckResult(False, f"node {idx}: a bad output sign")
                g, h = _output_difference(nets, k)
                if not any(v != 0 for v in g):
                    if proof is not None or label * h < 0:
                        return CheckResult(False, f"node {idx}: a wrong sign for a constant difference")
                else:
                    row = _primitive(g, h)
                    if not farkas(cell, row if label < 0 else flipped(row), proof):
                        return CheckResult(False, f"node {idx}: the Farkas proof of an output sign does not verify")
                signs[k] = label
        if "sign_split" in node:
            k, children = node["sign_split"], node["children"]
            if not (isinstance(k, int) and 0 <= k < m) or k in signs:
                return CheckResult(False, f"node {idx}: a bad output-sign split")
            g, h = _output_difference(nets, k)
            if not any(v != 0 for v in g):
                return CheckResult(False, f"node {idx}: a split on a constant difference")
            row = _primitive(g, h)
            out = []
            for child, side in zip(children, (1, -1)):
                bad = claim(idx, child)
                if bad is not None:
                    return bad
                crow = row if side > 0 else flipped(row)
                out.append((child, cell + [crow], [s.copy() for s in nets], (proven, {**signs, k: side})))
            return out
        if "bounded" in node:
            if closed is None:
                return CheckResult(False, f"node {idx}: interval bounds belong to difference certificates")
            bad, proven = closed(idx, nets, node["bounded"], proven)
            if bad is not None:
                return bad
        return proven, signs

    def at_leaf(idx, node, cell, nets, state):
        proven, signs = state
        if "leaf" not in node:  # a pruned subtree: every target proved on the path
            if closed is None or len(proven) != targets:
                return CheckResult(False, f"node {idx}: a node without split or leaf leaves a target unproved")
            return "pruned"
        bad = undecided(idx, nets)
        if bad is not None:
            return bad
        if sums:
            return leaf_check(idx, cell, nets, node, signs)
        if closed is not None:
            return leaf_check(idx, cell, nets, node, proven)
        return leaf_check(idx, cell, nets, node)

    got = walk(nodes, starts, _primitive, farkas, at_leaf, visit)
    if isinstance(got, CheckResult):
        return got
    pruned = got.get("pruned", 0)
    closed_text = f", {pruned} subtrees closed by interval bounds" if pruned else ""
    return CheckResult(True, f"{what} ({got['leaves']} regions{closed_text}, {per_leaf})")


def _class_rows(out, c: int, m: int):
    """``(row, strict)`` for ``class(y) = c`` under the lowest-index rule: ``y_c − y_k ≥ 0`` for
    ``k > c`` and ``> 0`` for ``k < c``, as exact affine rows ``(g, h)`` of the input."""
    rows = []
    for k in range(m):
        if k != c:
            rows.append(([p - q for p, q in zip(out[c][0], out[k][0])], out[c][1] - out[k][1], k < c))
    return rows


def _check_top1_tree(a, b, rows, nodes) -> CheckResult:
    """Every leaf, every pair ``i ≠ j``: a Motzkin proof that the closed cell has no point with
    ``class(A) = i`` and ``class(B) = j``: multipliers ``y ≥ 0`` (cell rows), ``c ≥ 0`` (non-strict
    class rows), ``w ≥ 0`` (strict class rows) with ``Σ y g + Σ c g + Σ w g = 0`` and
    ``Σ y h + Σ c h + Σ w h ≤ 0``, and ``w ≠ 0`` or the sum ``< 0``. At such a point every row is
    ``≥ 0`` and the strict ones ``> 0``, so the combination (a constant, by the first equation)
    would be ``> 0`` (some ``w > 0``) or ``≥ 0 >`` the constant: impossible."""
    m = a.output_dim

    def leaf(idx, cell, nets, node):
        pairs = node["leaf"]["pairs"]
        want = {(i, j) for i in range(m) for j in range(m) if i != j}
        got = {}
        for p in pairs:
            key = tuple(p["pair"])
            if key not in want or key in got:
                return CheckResult(False, f"node {idx}: an unknown or repeated pair of classes {list(key)}")
            got[key] = p
        if set(got) != want:
            return CheckResult(False, f"node {idx}: a pair of classes without a proof")
        n = a.input_dim
        for (i, j), p in got.items():
            cls = _class_rows(nets[0].out, i, m) + _class_rows(nets[1].out, j, m)
            total_g = [0] * n
            total_h = 0
            strict_weight = 0
            for entries, pick in ((p["y"], "cell"), (p["c"], "closed"), (p["w"], "strict")):
                for item in entries:
                    r, v = item[0], _rat(item[1], "Motzkin multiplier")
                    if v < 0:
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
                            strict_weight += v
                    total_g = [t + v * gk for t, gk in zip(total_g, g)]
                    total_h += v * h
            if any(t != 0 for t in total_g) or total_h > 0 or (strict_weight == 0 and total_h == 0):
                return CheckResult(False, f"node {idx}: the Motzkin proof for classes ({i}, {j}) does not verify")
        return None

    return _walk(a, b, rows, nodes, leaf, "the same class (lowest index among the maxima) on every region",
                 "each with a Motzkin proof for every pair of classes")


__all__ = ["KINDS", "check"]
