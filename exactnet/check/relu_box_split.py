"""Checker of ``box_split`` evidence (``relu.max_difference``, ``relu.epsilon``, ``relu.top1`` on a box;
docs/certificates.md "Box-split evidence").

**Tiling.** ``boxes`` is a tree whose node 0 is the domain box ``D = [lo, hi]``. A node with
``"split": [j, c]`` and ``lo_j < c < hi_j`` has two children, the boxes with ``x_j ∈ [lo_j, c]`` and
``x_j ∈ [c, hi_j]`` (other coordinates unchanged): their union is the parent. By induction the leaves'
closed boxes cover ``D`` (they overlap only on cut faces, which does not matter for upper bounds).
Every node must be reached exactly once from the root.

**Targets.** For the difference kinds, target ``t = 2k`` is ``A_k − B_k ≤ B_k`` and ``2k + 1`` is
``B_k − A_k ≤ B_k``, with ``B_k`` the claimed per-output maximum or ``ε``. A target proved on a box is
proved on every box below it. For ``relu.top1`` there is one target: both networks pick the same
class at every point of the box.

**Bound methods** (``"bound"`` on any node; :data:`BOUND_METHODS`): ``box_difference_forms`` recomputes
the exact difference-form bound of :mod:`.relu_box_forms` on the node's box and proves every target
whose bound is at most its ``B_k`` (top-1: the box is proved when both networks can pick only the same
single class on it).

``backsub`` (the rest of the object is the payload ``{"layers": [...]}`` of
:mod:`exactnet.relu.backsub_bounds`) recomputes the back-substituted bound with :mod:`.relu_backsub`,
which verifies every claimed interval and slope; it proves the targets whose bound is at most ``B_k``
(top-1: the box is proved when the class bounds leave both networks the same single class). A payload
that does not verify makes the certificate invalid. ``"bound"`` may be a list of such objects (every
bound computed on that box).

**Leaf methods** (``"leaf"``; :data:`LEAF_METHODS`): ``regions`` is a region tree of the sub-box (the
same payload as a ``region_tree`` certificate of the domain ``[lo, hi]``: its root cell is the
sub-box's rows), checked by the region-tree checker, where the targets already proved on the path
need no proof. A node with neither split nor leaf must have every target proved on its path.

**Another bound method** plugs in as ``BOUND_METHODS[name] = f`` with
``f(ctx, idx, spec, lower, upper)`` returning the set of targets proved on the box (``ctx.net_a``,
``ctx.net_b``: the networks; ``ctx.bounds[k]``: ``B_k``, ``None`` for top-1; ``spec``: the node's
``"bound"`` object, its payload) or a :class:`CheckResult` naming a malformed payload; its shape goes
into ``_BOX_BOUND`` of :mod:`exactnet.certificates.schema`.
"""

from __future__ import annotations

from typing import Callable

from ..certificates import MalformedCertificate
from .relu import layer_lists
from .relu import rational as _rat
from .relu_backsub import backsub_checker, backsub_classes, backsub_difference_bounds
from .relu_box_forms import MAX_BITS, MIN_BITS, PairForms, form_bounds
from .result import CheckResult


class _Context:
    """What the methods need: the networks (and their layers as lists), the claimed bounds (``None``
    for top-1), and the region-tree checker of a sub-box ``region_check(lower, upper, nodes, proven)``."""

    def __init__(self, net_a, net_b, layers_a, layers_b, bounds, region_check: Callable):
        self.net_a, self.net_b = net_a, net_b
        self.layers_a, self.layers_b = layers_a, layers_b
        self.bounds, self.region_check = bounds, region_check
        self._pair = self._backsub = None
        self.bound_count = self.backsub_count = 0

    @property
    def pair(self) -> PairForms:
        if self._pair is None:
            self._pair = PairForms(self.layers_a, self.layers_b)
        return self._pair

    @property
    def backsub(self):
        """The pair compiled once for the back-substituted bounds (``None``: not the same widths)."""
        if self._backsub is None:
            self._backsub = backsub_checker(self.layers_a, self.layers_b) or False
        return self._backsub or None

    @property
    def targets(self) -> frozenset:
        return frozenset(range(2 * len(self.bounds))) if self.bounds is not None else frozenset({0})


def _forms(ctx: _Context, idx: int, spec: dict, lower, upper):
    bits = spec.get("bits")
    if not isinstance(bits, int) or isinstance(bits, bool) or not MIN_BITS <= bits <= MAX_BITS:
        return CheckResult(False, f"sub-box {idx}: 'bits' must be an integer from {MIN_BITS} to {MAX_BITS}")
    ctx.bound_count += 1
    fb = form_bounds(ctx.pair, lower, upper, bits)
    if ctx.bounds is None:
        same = len(fb.classes_a) == 1 and fb.classes_a == fb.classes_b
        return frozenset({0}) if same else frozenset()
    return frozenset(t for t, u in enumerate(fb.upper) if u <= ctx.bounds[t // 2])


def _backsub(ctx: _Context, idx: int, spec: dict, lower, upper):
    payload = {"layers": spec.get("layers")}
    ctx.backsub_count += 1
    if ctx.bounds is None:
        got = backsub_classes(ctx.backsub, None, lower, upper, payload) if ctx.backsub else None
        if got is None:
            return CheckResult(False, f"sub-box {idx}: the back-substituted bound does not verify")
        ca, cb = got
        return frozenset({0}) if len(ca) == 1 and ca == cb else frozenset()
    got = backsub_difference_bounds(ctx.backsub, None, lower, upper, payload) if ctx.backsub else None
    if got is None:
        return CheckResult(False, f"sub-box {idx}: the back-substituted bound does not verify")
    return frozenset(t for t, u in enumerate(got) if u <= ctx.bounds[t // 2])


def _regions(ctx: _Context, idx: int, leaf: dict, lower, upper, proven):
    res = ctx.region_check(lower, upper, leaf.get("nodes"), proven)
    return None if res.valid else CheckResult(False, f"sub-box {idx}: {res.reason}")


#: method → ``f(ctx, node index, spec, lower, upper)``: the targets it proves on the box (or an error)
BOUND_METHODS: dict[str, Callable] = {"box_difference_forms": _forms, "backsub": _backsub}
#: method → ``f(ctx, node index, leaf, lower, upper, proven)``: ``None`` when the leaf's targets are proved
LEAF_METHODS: dict[str, Callable] = {"regions": _regions}


def check_box_split(net_a, net_b, lower, upper, boxes, bounds, region_check, what: str) -> CheckResult:
    """Walk the split tree ``boxes`` of the box ``[lower, upper]`` (module docstring). ``bounds``:
    the claimed ``B_k`` per output, or ``None`` for top-1."""
    if not isinstance(boxes, list) or not boxes:
        raise MalformedCertificate("certificate: 'boxes' must be a non-empty list")
    ctx = _Context(net_a, net_b, layer_lists(net_a), layer_lists(net_b), bounds, region_check)
    n, everything = len(lower), ctx.targets
    visited = [False] * len(boxes)
    visited[0] = True
    stack = [(0, tuple(lower), tuple(upper), frozenset())]
    leaves = closed = 0
    while stack:
        idx, lo, hi, proven = stack.pop()
        node = boxes[idx]
        specs = node.get("bound", [])
        for spec in [specs] if isinstance(specs, dict) else specs:
            method = BOUND_METHODS.get(spec.get("method"))
            if method is None:
                return CheckResult(False, f"sub-box {idx}: unknown bound method {spec.get('method')!r}")
            got = method(ctx, idx, spec, lo, hi)
            if isinstance(got, CheckResult):
                return got
            proven = proven | got
        if "split" in node:
            j, cut = node["split"]
            cut = _rat(cut, "cut")
            children = node["children"]
            if not (isinstance(j, int) and 0 <= j < n) or not lo[j] < cut < hi[j]:
                return CheckResult(False, f"sub-box {idx}: the cut must lie strictly inside the box on an input")
            for child, (a, b) in zip(children, ((lo[j], cut), (cut, hi[j]))):
                if not (isinstance(child, int) and idx < child < len(boxes)) or visited[child]:
                    return CheckResult(False, f"sub-box {idx}: bad child reference {child!r}")
                visited[child] = True
                clo, chi = list(lo), list(hi)
                clo[j], chi[j] = a, b
                stack.append((child, tuple(clo), tuple(chi), proven))
            continue
        if "leaf" in node:
            method = LEAF_METHODS.get(node["leaf"].get("method"))
            if method is None:
                return CheckResult(False, f"sub-box {idx}: unknown leaf method {node['leaf'].get('method')!r}")
            bad = method(ctx, idx, node["leaf"], lo, hi, proven)
            if bad is not None:
                return bad
            leaves += 1
            continue
        if proven != everything:
            return CheckResult(False, f"sub-box {idx}: a sub-box without split or leaf leaves a target unproved")
        closed += 1
    if not all(visited):
        return CheckResult(False, "the split tree has unreachable sub-boxes")
    return CheckResult(True, f"{what} ({closed} sub-boxes closed by bounds, {leaves} by region trees;"
                             f" {ctx.bound_count} exact form bounds, {ctx.backsub_count} back-substituted)")


__all__ = ["BOUND_METHODS", "LEAF_METHODS", "check_box_split"]
