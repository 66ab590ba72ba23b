"""``relu.equivalence`` certificates, built from what the deciders found (checked independently by
:mod:`exactnet.check.relu`; ``docs/certificates.md`` describes the kind and every evidence method).

* :func:`equivalence_certificate` — the envelope: claim ``{"equivalent", "domain", "tier"}``, the two
  networks inline, and one of the evidences below;
* :func:`witness_evidence` — a rational input where the exact outputs differ;
* :func:`canonical_evidence` — equal canonical forms of one-hidden-layer networks (tier a);
* :func:`symmetry_evidence` — chains of function-preserving moves to a common network (tier b);
* :func:`three_layer_evidence` — a chain of mechanism moves of two-hidden-layer networks taking the
  first network to the second (tier s, :mod:`exactnet.relu.three_layer.moves`);
* :func:`stable_compression_certificate` — kind ``relu.stable_compression``: the proved bounds of
  every hidden unit on a box, the merges of dependent active units and the moves after folding
  (checked by :mod:`exactnet.check.relu_stable`);
* :func:`region_tree_evidence` — the region tree recorded by :class:`TreeRecorder` during the
  complete enumeration (tier d), with exact Farkas multipliers for every sign fixed without a split.
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from ..certificates import certificate
from ..network import Network, forward_exact
from ..network.domain import Polyhedron
from ..numbers import RealAlgebraic, number_json
from ..polyhedra import Farkas
from .tree_record import TreeRecorder, field_number_json

KIND = "relu.equivalence"


def _q(x) -> str | int:
    x = fmpq(x)
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def equivalence_certificate(a: Network, b: Network, value: bool, domain: Polyhedron | None, tier: str,
                            evidence: dict) -> dict:
    """A ``relu.equivalence`` certificate that ``a`` and ``b`` are (``value``) equivalent on ``domain``."""
    claim = {"equivalent": value, "domain": None if domain is None else domain.to_obj(), "tier": tier}
    return certificate(KIND, claim, [a, b], evidence)


def witness_evidence(a: Network, b: Network, x, outputs=None) -> dict:
    """Evidence ``witness``: the point ``x`` and both exact outputs there (they differ);
    ``outputs``: ``(f_a(x), f_b(x))`` when the caller already evaluated them with
    :func:`~exactnet.network.forward_exact` (the checker re-evaluates them either way)."""
    ya, yb = outputs if outputs is not None else (forward_exact(a, x), forward_exact(b, x))
    return {
        "method": "witness",
        "point": [number_json(v) for v in x],
        "outputs": [[number_json(v) for v in ya], [number_json(v) for v in yb]],
    }


def moves_json(moves) -> list:
    return [m.to_json() for m in moves]


def symmetry_evidence(moves_a, moves_b) -> dict:
    """Evidence ``symmetry_moves``: move chains taking each network to one common network."""
    return {"method": "symmetry_moves", "moves": [moves_json(moves_a), moves_json(moves_b)]}


def three_layer_evidence(moves) -> dict:
    """Evidence ``three_layer_moves``: the mechanism moves (M0–M5) taking the first network to the
    second, each in its JSON form (:meth:`to_obj` of :mod:`exactnet.relu.three_layer.moves`)."""
    return {"method": "three_layer_moves", "moves": [m.to_obj() for m in moves]}


def region_tree_evidence(moves_a, moves_b, nodes: list, field=None) -> dict:
    """Evidence ``region_tree``: the reducing moves and the recorded enumeration tree; ``field``
    (a :class:`~exactnet.numbers.NumberField`, when the tree holds real algebraic numbers) is
    stated by its defining polynomial and root index, and the tree's field numbers by their
    coordinates in its power basis (:func:`field_number_json`)."""
    evidence = {"method": "region_tree", "moves": [moves_json(moves_a), moves_json(moves_b)], "nodes": nodes}
    if field is not None:
        evidence["field"] = {"polynomial": [int(c) for c in field.root.poly.coeffs()],
                             "root_index": int(field.root.index), "generator": field.generator_text}
    return evidence


def canonical_evidence(comparison, rows, point) -> dict:
    """Evidence ``canonical_form`` of a tier (a) comparison (:func:`exactnet.relu.canonical.compare_shallow`)."""
    keys = []
    for key, cls in comparison.classes.items():
        u, beta = key
        entry = {"u": [number_json(v) for v in u], "beta": number_json(beta), "class": cls.kind}
        if cls.kind == "cut":
            entry["points"] = [[_q(v) for v in p] for p in cls.points]
        else:
            nrows = len(rows)
            entry["farkas"] = {"y": [[i, _q(v)] for i, v in cls.farkas.multipliers if i < nrows],
                               "t": _q(next((v for i, v in cls.farkas.multipliers if i == nrows), 0))}
        keys.append(entry)
    evidence = {"method": "canonical_form", "form": comparison.forms[0].to_obj(), "domain_keys": keys}
    if point is not None:
        evidence["domain_point"] = [_q(v) for v in point]
    return evidence




STABLE_KIND = "relu.stable_compression"


def stable_compression_certificate(original: Network, compressed: Network, box, analysis, fold, moves) -> dict:
    """A ``relu.stable_compression`` certificate that ``compressed`` equals ``original`` on ``box``:
    the bounds of every hidden unit (``analysis``, complete), the per-unit optimised slopes, the
    coefficients of every merged active unit (``fold``), and the moves from the folded network to
    ``compressed``."""
    bounds = [[[number_json(u.lower), number_json(u.upper)] for u in layer] for layer in analysis.by_layer()]
    slopes = [{"layer": u.layer, "unit": u.unit, "lambda": [number_json(v) for v in u.slopes]}
              for u in analysis.units if u.slopes is not None]
    merged = [{"layer": name[0], "unit": name[1], "basis": [[basis[1], number_json(a)] for basis, a in combo]}
              for name, combo in fold.merges]
    evidence = {"bounds": bounds, "slopes": slopes, "merged": merged, "moves": moves_json(moves)}
    claim = {"equal_on_domain": True, "domain": box.to_obj()}
    return certificate(STABLE_KIND, claim, [original, compressed], evidence)


class StreamTreeRecorder:
    """Records the enumeration tree as ``region_tree_stream`` records, one per node in preorder,
    handed to ``sink`` (a :class:`exactnet.certificates.StreamWriter`'s ``record``) as soon as a node
    is complete: memory stays bounded by one node (``docs/certificates.md``, "Streamed region trees").

    A record is ``[proofs, segments, split]``: ``proofs`` the node's table of sign proofs — a list of
    row indices (the *support*: ``y`` is the unique solution on those rows, ``t = 1``) or an explicit
    ``{"y": [[i, y_i], ...], "t": t}``; ``segments`` a list of ``[net, unit, proof, unit, proof, ...]``
    (each unit in the current layer of ``net``; ``proof`` an index into the table, ``-1`` for a
    constant preactivation; the label is implied by the proof); ``split`` ``[net, unit]`` or ``null``
    for a leaf. Children follow their parent in preorder, the positive one first. Nothing else is
    stored: the checker recomputes every preactivation, row and affine map.
    """

    def __init__(self, sink):
        self.sink = sink
        self._next = 0
        self._expected: list[int] = []
        self._node = -1
        self._proofs: dict = {}
        self._table: list = []
        self._segments: list[list] = []
        self.leaves = 0

    def new(self) -> int:
        node = self._next
        self._next += 1
        if node == 0:
            self._expected.append(0)
        return node

    def _at(self, node: int) -> None:
        if node != self._node:
            if not self._expected or self._expected[-1] != node:  # pragma: no cover - the walk is preorder
                raise AssertionError("internal error: the enumeration is not in preorder")
            self._expected.pop()
            self._node = node

    def fix(self, node: int, k: int, layer: int, unit: int, label: int, farkas: Farkas | None, nrows: int):
        self._at(node)
        if farkas is None:
            ref = -1
        else:
            key = self._proof_key(farkas, nrows)
            ref = self._proofs.get(key)
            if ref is None:
                ref = self._proofs[key] = len(self._table)
                self._table.append(list(key) if key[0] != "y" else {"y": [[i, _q(v)] for i, v in key[1]],
                                                                   "t": _q(key[2])})
        if self._segments and self._segments[-1][0] == k:
            self._segments[-1].extend((unit, ref))
        else:
            self._segments.append([k, unit, ref])

    @staticmethod
    def _proof_key(farkas: Farkas, nrows: int) -> tuple:
        if farkas.basis is not None:
            return tuple(farkas.basis)
        y = tuple((i, v) for i, v in farkas.multipliers if i < nrows and v != 0)
        t = next((v for i, v in farkas.multipliers if i == nrows), fmpq(0))
        if len(y) == 1 and t > 0:  # one row: y/t is the unique solution on it
            return (y[0][0],)
        return ("y", y, t)

    def _emit(self, split) -> None:
        self.sink([self._table, self._segments, split])
        self._proofs, self._table, self._segments = {}, [], []
        self._node = -1

    def split(self, node: int, k: int, layer: int, unit: int, pos: int, neg: int):
        self._at(node)
        self._expected.extend((neg, pos))
        self._emit([k, unit])

    def leaf(self, node: int, point, maps: Sequence):
        self._at(node)
        self.leaves += 1
        self._emit(None)


def stream_records(nodes: list, sink) -> None:
    """Hand the ``region_tree_stream`` records of a ``/1`` region tree (:class:`TreeRecorder` nodes,
    rational) to ``sink`` in preorder: the same encoding as :class:`StreamTreeRecorder`."""
    stack = [0]
    while stack:
        node = nodes[stack.pop()]
        table: list = []
        refs: dict = {}
        segments: list[list] = []
        for k, _layer, unit, _label, proof in node.get("fix", []):
            if proof is None:
                ref = -1
            else:
                if "basis" in proof:
                    key, entry = tuple(proof["basis"]), list(proof["basis"])
                else:
                    y = [(i, v) for i, v in proof["y"] if fmpq(*map(int, str(v).split("/"))) != 0]
                    t = fmpq(*map(int, str(proof["t"]).split("/")))
                    if len(y) == 1 and t > 0:
                        key, entry = (y[0][0],), [y[0][0]]
                    else:
                        key = ("y", tuple(map(tuple, proof["y"])), proof["t"])
                        entry = {"y": proof["y"], "t": proof["t"]}
                ref = refs.get(key)
                if ref is None:
                    ref = refs[key] = len(table)
                    table.append(entry)
            if segments and segments[-1][0] == k:
                segments[-1].extend((unit, ref))
            else:
                segments.append([k, unit, ref])
        if "split" in node:
            k, _layer, unit = node["split"]
            pos, neg = node["children"]
            stack.extend((neg, pos))
            sink([table, segments, [k, unit]])
        else:
            sink([table, segments, None])


def region_tree_stream_header(a: Network, b: Network, domain: Polyhedron | None, moves_a, moves_b) -> dict:
    """The header line of a streamed ``relu.equivalence`` certificate (claim: equivalent, tier d)."""
    header = equivalence_certificate(a, b, True, domain, "d", {"method": "region_tree_stream",
                                                               "moves": [moves_json(moves_a), moves_json(moves_b)]})
    return header


__all__ = [
    "KIND", "STABLE_KIND", "StreamTreeRecorder", "TreeRecorder", "canonical_evidence",
    "equivalence_certificate", "field_number_json", "moves_json", "region_tree_evidence",
    "region_tree_stream_header", "stable_compression_certificate", "stream_records", "symmetry_evidence",
    "three_layer_evidence", "witness_evidence",
]


# ---------------------------------------------------------------------------------------------
# relu.max_difference and relu.epsilon (docs/certificates.md)
# ---------------------------------------------------------------------------------------------

MAX_DIFFERENCE_KIND = "relu.max_difference"
EPSILON_KIND = "relu.epsilon"


#: Finite domains with at most this many points get an ``enumeration`` certificate (the checker
#: evaluates every point; ``exactnet.check.relu_difference.MAX_ENUMERATION`` is the same number).
MAX_ENUMERATION = 1 << 16


def difference_certificate_note(domain, norm: str = "inf") -> str | None:
    """Why no ``relu.max_difference``/``relu.epsilon``/``relu.top1`` certificate can be written for
    ``domain`` and ``norm`` (``None`` when one can)."""
    from ..network.domain_union import PolyhedronUnion
    from ..network.finite_domain import FiniteDomain

    if isinstance(domain, FiniteDomain):
        if domain.size > MAX_ENUMERATION:
            return (f"no certificate: finite domains are certified by enumeration, for at most {MAX_ENUMERATION}"
                    f" points (this one has {domain.size})")
        return None
    if isinstance(domain, PolyhedronUnion):
        from ..polyhedra.domains import is_empty

        if any(is_empty(p) for p in domain.parts):
            return "no certificate: a part of the union is empty (drop it: empty parts are not certified yet)"
        return None
    from .max_difference import lower_dimensional

    hull = lower_dimensional(domain)
    if hull is not None and hull.dim == 0:
        return "no certificate: the domain is a single point (evaluate both networks there)"
    if hull is not None and not equalities_stated(domain, hull):
        return ("no certificate: the domain has no interior, but its equalities are implied by inequalities"
                " rather than stated (state each as a pair: a·x ≤ β and a·x ≥ β, or = in VNN-LIB)")
    return None


def equalities_stated(domain, hull) -> bool:
    """Do the domain's own pairs of opposite rows (``a·x ≤ β`` and ``−a·x ≤ −β``) cut out its affine
    hull, i.e. have rank ``n − k``? The checker accepts an ``affine_hull`` only then: those pairs
    confine ``D`` to ``p + ker(E)``, and ``M``'s ``k`` independent columns span ``ker(E)``."""
    from ..linalg.exact import rank
    from .regions import domain_rows

    rows = domain_rows(domain, domain.dim)
    present = set((tuple(g), h) for g, h in rows)
    normals = [list(g) for g, h in rows if (tuple(-v for v in g), -h) in present]
    return rank([[fmpq(v) for v in g] for g in normals], domain.dim) == domain.dim - hull.dim


def max_difference_certificate(a: Network, b: Network, domain, value, per_output, per_output_argmax,
                               nodes: list | None, *, norm: str = "inf", argmax=None, affine_hull=None,
                               roots=None, boxes=None) -> dict:
    """A ``relu.max_difference`` certificate: ``max_D ‖A − B‖ = value``. Sup norm: the per-output
    maxima and a point attaining each; 1-norm (finite domains): the point ``argmax`` attaining it.
    Evidence: the region tree with an LP dual proof of every leaf's bounds (boxes, polyhedra;
    ``nodes``), the split tree of the box (``box_split``; ``boxes``), or ``enumeration`` (finite
    domains, ``nodes`` and ``boxes`` ``None``)."""
    claim = {"norm": norm, "max_abs_difference": number_json(value),
             "per_output": None if norm == "1" else [number_json(v) for v in per_output], "domain": domain.to_obj()}
    points = [argmax] if norm == "1" else per_output_argmax
    evidence = {"method": "region_tree" if nodes is not None else "enumeration",
                "argmax": [[_q(v) for v in x] for x in points]}
    if boxes is not None:
        evidence = {"method": "box_split", "argmax": evidence["argmax"], "boxes": boxes}
    elif nodes is not None:
        evidence["nodes"] = nodes
        _with_hull(evidence, affine_hull, roots)
    return certificate(MAX_DIFFERENCE_KIND, claim, [a, b], evidence)


def _with_hull(evidence: dict, affine_hull, roots=None) -> None:
    """A region tree of a domain without interior runs on ``T`` for the networks composed with
    ``t ↦ p + M t``: the evidence states ``p`` and ``M`` (the checker verifies them). A union has
    one tree per part: ``roots`` lists each part's root node."""
    if affine_hull is not None:
        evidence["affine_hull"] = affine_hull.to_obj()
    if roots is not None:
        evidence["roots"] = list(roots)


def epsilon_certificate(a: Network, b: Network, domain, epsilon, within: bool, *, nodes: list | None = None,
                        witness=None, norm: str = "inf", affine_hull=None, roots=None, boxes=None) -> dict:
    """A ``relu.epsilon`` certificate: ``max_D ‖A − B‖ ≤ ε`` (the region tree, every leaf bounded
    by ``ε``; on a finite domain an ``enumeration``) or not (a point of ``D`` where the difference
    exceeds ``ε``)."""
    claim = {"norm": norm, "eps": number_json(epsilon), "within": within, "domain": domain.to_obj()}
    if within and boxes is not None:
        evidence = {"method": "box_split", "boxes": boxes}
    elif within:
        evidence = {"method": "region_tree", "nodes": nodes} if nodes is not None else {"method": "enumeration"}
        if nodes is not None:
            _with_hull(evidence, affine_hull, roots)
    else:
        evidence = {"method": "witness", "point": [_q(v) for v in witness]}
    return certificate(EPSILON_KIND, claim, [a, b], evidence)


__all__ += ["EPSILON_KIND", "MAX_DIFFERENCE_KIND", "MAX_ENUMERATION", "difference_certificate_note", "equalities_stated",
            "epsilon_certificate", "max_difference_certificate"]


TOP1_KIND = "relu.top1"


def top1_certificate(a: Network, b: Network, domain, same: bool, *, nodes: list | None = None,
                     witness=None, affine_hull=None, roots=None, boxes=None) -> dict:
    """A ``relu.top1`` certificate: the networks pick the same class (lowest index among the maxima)
    at every point of the domain (the region tree with a Motzkin proof per leaf and pair of classes;
    on a finite domain an ``enumeration``), or not (a witness point)."""
    claim = {"top1_equivalent": same, "tie_rule": "lowest_index", "domain": domain.to_obj()}
    if same and boxes is not None:
        evidence = {"method": "box_split", "boxes": boxes}
    elif same:
        evidence = {"method": "region_tree", "nodes": nodes} if nodes is not None else {"method": "enumeration"}
        if nodes is not None:
            _with_hull(evidence, affine_hull, roots)
    else:
        evidence = {"method": "witness", "point": [_q(v) for v in witness]}
    return certificate(TOP1_KIND, claim, [a, b], evidence)


__all__ += ["TOP1_KIND", "top1_certificate"]


# ---------------------------------------------------------------------------------------------
# relu.max_difference and relu.epsilon for real algebraic weights (docs/certificates.md,
# evidence field_region_tree and field_witness)
# ---------------------------------------------------------------------------------------------


def network_field(a: Network, b: Network):
    """The common number field of two networks' real algebraic weights (``None``: all rational)."""
    from ..network import common_field

    for net in common_field(a, b):
        for layer in net.layers:
            for v in [x for row in layer.weight for x in row] + list(layer.bias):
                if isinstance(v, RealAlgebraic):
                    return v.field
    return None


def field_json(field) -> dict:
    """A number field ``Q(θ)`` as stated in evidence: defining polynomial, root index, generator."""
    return {"polynomial": [int(c) for c in field.root.poly.coeffs()], "root_index": int(field.root.index),
            "generator": field.generator_text}


def field_max_difference_certificate(a: Network, b: Network, domain, value, per_output, per_output_argmax,
                                     nodes: list, *, norm: str = "inf", argmax=None, roots=None) -> dict:
    """A ``relu.max_difference`` certificate for networks with real algebraic weights: the claim
    states the maxima as exact numbers; the evidence ``field_region_tree`` is the region tree with,
    on every leaf, each output's maximum and minimum over the closed cell (sup norm) or the maximum
    of ``Σ s_k d_k`` for every sign vector ``s`` (1-norm), each with a point attaining it and its LP
    dual proof, numbers as power-basis coordinates of the networks' field. ``argmax``: the 1-norm's
    one point (the sup norm lists ``per_output_argmax``). A finite domain (``nodes`` is ``None``):
    evidence ``field_enumeration``, the maxima as field numbers."""
    claim = {"norm": norm, "max_abs_difference": number_json(value),
             "per_output": None if norm == "1" else [number_json(v) for v in per_output], "domain": domain.to_obj()}
    points = [argmax] if norm == "1" else per_output_argmax
    evidence = {"method": "field_region_tree" if nodes is not None else "field_enumeration",
                "field": field_json(network_field(a, b)), "argmax": [[field_number_json(v) for v in x] for x in points]}
    if nodes is not None:
        evidence["nodes"] = nodes
        if roots is not None:  # a union: one tree per part
            evidence["roots"] = list(roots)
    else:  # a finite domain: the maxima in the field, compared with every point's difference
        evidence["maxima"] = [field_number_json(value)] if norm == "1" else [field_number_json(v) for v in per_output]
    return certificate(MAX_DIFFERENCE_KIND, claim, [a, b], evidence)


def field_epsilon_certificate(a: Network, b: Network, domain, epsilon, within: bool, *, nodes: list | None = None,
                              witness=None, norm: str = "inf", roots=None) -> dict:
    """A ``relu.epsilon`` certificate for networks with real algebraic weights: ``within`` by the
    ``field_region_tree`` (every leaf's optima at most ``ε``), or not by a ``field_witness`` point
    (coordinates in the networks' field) where the difference exceeds ``ε``."""
    claim = {"norm": norm, "eps": number_json(epsilon), "within": within, "domain": domain.to_obj()}
    field = field_json(network_field(a, b))
    if within and nodes is None:  # a finite domain: every point evaluated
        evidence = {"method": "field_enumeration", "field": field}
    elif within:
        evidence = {"method": "field_region_tree", "field": field, "nodes": nodes}
        if roots is not None:
            evidence["roots"] = list(roots)
    else:
        evidence = {"method": "field_witness", "field": field, "point": [field_number_json(v) for v in witness]}
    return certificate(EPSILON_KIND, claim, [a, b], evidence)


__all__ += ["field_epsilon_certificate", "field_json", "field_max_difference_certificate", "network_field"]


def field_top1_certificate(a: Network, b: Network, domain, same: bool, *, nodes: list | None = None, witness=None,
                           roots=None) -> dict:
    """A ``relu.top1`` certificate for networks with real algebraic weights: the same class everywhere
    (``field_region_tree``: per leaf and pair of classes the Motzkin multipliers in the field;
    ``field_enumeration`` on a finite domain) or not (``field_witness``, a point in field coordinates)."""
    claim = {"top1_equivalent": same, "tie_rule": "lowest_index", "domain": domain.to_obj()}
    field = field_json(network_field(a, b))
    if not same:
        evidence = {"method": "field_witness", "field": field, "point": [field_number_json(v) for v in witness]}
    elif nodes is None:
        evidence = {"method": "field_enumeration", "field": field}
    else:
        evidence = {"method": "field_region_tree", "field": field, "nodes": nodes}
        if roots is not None:
            evidence["roots"] = list(roots)
    return certificate(TOP1_KIND, claim, [a, b], evidence)


__all__ += ["field_top1_certificate"]
