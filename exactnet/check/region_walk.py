"""The walk of a region tree (Theorem T, ``docs/certificates.md``), shared by the region-tree checkers
of ``check/relu.py`` (equivalence), ``check/relu_difference.py`` (maximum difference, ε, top-1) and
``check/relu_field_difference.py`` (the same over a real number field).

A node may fix the signs of units (``"fix": [[net, layer, unit, label, proof], ...]``: the
preactivation ``g·x + h`` of the unit, an affine function on the node's cell, has the sign ``label``
there, by a Farkas proof that ``−label·(g·x + h) > 0`` has no solution in the cell, or is a
constant of that sign) and splits on one unit (``"split": [net, layer, unit]`` and two children:
the cell cut by ``g·x + h ≥ 0`` and ``≤ 0``). Units are decided layer by layer, each once; a leaf has
every unit of both networks decided, so both are affine on its cell. Every node is reached exactly
once from the roots, so the leaves' cells cover the roots' cells.

What differs between the checkers is passed in: ``primitive(g, h)`` the normal form of a row (a
primitive integer row over ``Q``, a canonical scaling over a number field), ``farkas(cell, target,
proof)`` the Farkas check in the checker's arithmetic, ``visit`` the node kinds of a checker beyond
fixes and unit splits (run after the fixes), and ``at_leaf`` what a node without a split proves.
"""

from __future__ import annotations

from typing import Callable

from ..certificates import MalformedCertificate
from .result import CheckResult


def flipped(row) -> tuple:
    """The row of the opposite half-space: ``(−g, −h)``."""
    return tuple(-v for v in row[0]), -row[1]


def decision_target(nets, k, layer, unit) -> str | None:
    """Why unit ``unit`` of layer ``layer`` of network ``k`` cannot be decided now (``None``: it can)."""
    if not (isinstance(k, int) and isinstance(layer, int) and isinstance(unit, int)) or k not in (0, 1):
        return "a decision names an unknown network"
    st = nets[k]
    if st.out is not None:
        return "a decision on a network whose units are all decided"
    if layer != st.layer:
        return f"units of layer {layer} decided before layer {st.layer} is complete"
    if not (0 <= unit < len(st.layers[layer][0])) or unit in st.labels:
        return f"unit {unit} of layer {layer} is unknown or decided twice"
    return None


def fix_units(idx: int, node: dict, cell: list, nets: list, primitive: Callable, farkas: Callable):
    """Verify and apply the node's ``fix`` entries (module docstring); a :class:`CheckResult` when one
    fails, else ``None``."""
    for entry in node.get("fix", []):
        if not (isinstance(entry, list) and len(entry) == 5):
            raise MalformedCertificate(f"certificate: node {idx}: a fix entry is [net, layer, unit, label, proof]")
        k, layer, unit, label, proof = entry
        bad = decision_target(nets, k, layer, unit)
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
            row = primitive(g, h)
            if not farkas(cell, row if label < 0 else flipped(row), proof):
                return CheckResult(False, f"node {idx}: the Farkas proof of a fixed sign does not verify")
        nets[k].decide(unit, label, (g, h))
    return None


def walk(nodes, starts, primitive: Callable, farkas: Callable, at_leaf: Callable, visit: Callable | None = None):
    """Replay the trees rooted at ``starts`` (``[(root node, cell rows, [net A, net B], state)]``).

    Per node: the fixes; then ``visit(idx, node, cell, nets, state, claim)`` if given, which returns a
    :class:`CheckResult` (a failure), a list of children ``(node, cell, nets, state)`` to walk instead of
    the node's own split (``claim(idx, child)`` checks and marks a child reference, returning a failure
    or ``None``), or the node's new ``state``; then the unit split, or else
    ``at_leaf(idx, node, cell, nets, state)``, which returns a failure, ``None`` (a leaf) or the name
    under which to count the node. Returns a failure, or the counts ``{"leaves": .., name: ..}``."""
    if not isinstance(nodes, list) or not nodes:
        raise MalformedCertificate("certificate: 'nodes' must be a non-empty list")
    visited = [False] * len(nodes)

    def claim(idx, child):
        if not isinstance(child, int) or isinstance(child, bool) or not (idx < child < len(nodes)) or visited[child]:
            return CheckResult(False, f"node {idx}: bad child reference {child!r}")
        visited[child] = True
        return None

    stack = []
    for root, rows, nets, state in reversed(starts):
        if not (isinstance(root, int) and 0 <= root < len(nodes)) or visited[root]:
            return CheckResult(False, f"bad root reference {root!r}")
        visited[root] = True
        stack.append((root, list(rows), nets, state))
    counts = {"leaves": 0}
    while stack:
        idx, cell, nets, state = stack.pop()
        node = nodes[idx]
        if not isinstance(node, dict) or not isinstance(node.get("fix", []), list):
            raise MalformedCertificate(f"certificate: node {idx} is malformed")
        bad = fix_units(idx, node, cell, nets, primitive, farkas)
        if bad is not None:
            return bad
        if visit is not None:
            got = visit(idx, node, cell, nets, state, claim)
            if isinstance(got, CheckResult):
                return got
            if isinstance(got, list):
                stack.extend(got)
                continue
            state = got
        if "split" in node:
            split, children = node.get("split"), node.get("children")
            if not (isinstance(split, list) and len(split) == 3 and isinstance(children, list) and len(children) == 2):
                raise MalformedCertificate(f"certificate: node {idx}: a split needs [net, layer, unit] and two children")
            k, layer, unit = split
            bad = decision_target(nets, k, layer, unit)
            if bad:
                return CheckResult(False, f"node {idx}: {bad}")
            g, h = nets[k].form(unit)
            if not any(v != 0 for v in g):
                return CheckResult(False, f"node {idx}: a split on a constant preactivation")
            row = primitive(g, h)
            for child, side in zip(children, (1, -1)):
                bad = claim(idx, child)
                if bad is not None:
                    return bad
                copies = [s.copy() for s in nets]
                copies[k].decide(unit, side, (g, h))
                stack.append((child, cell + [row if side > 0 else flipped(row)], copies, state))
            continue
        got = at_leaf(idx, node, cell, nets, state)
        if isinstance(got, CheckResult):
            return got
        name = got or "leaves"
        counts[name] = counts.get(name, 0) + 1
    if not all(visited):
        return CheckResult(False, "the tree has unreachable nodes")
    return counts


def undecided(idx: int, nets) -> CheckResult | None:
    """The failure of a leaf where some unit of either network is undecided."""
    if any(s.out is None for s in nets):
        return CheckResult(False, f"node {idx}: a leaf where some unit is undecided")
    return None


__all__ = ["decision_target", "fix_units", "flipped", "undecided", "walk"]
