"""The enumeration tree of a region walk as JSON-ready nodes (:class:`TreeRecorder`), the proof of
the region-tree certificates (docs/certificates.md; assembled in :mod:`.certificates`), and the
JSON form of a tree's numbers (:func:`field_number_json`). A module of its own so that the deciders
recording trees (:mod:`.field_difference`, :mod:`.subtrees`) need not import the certificate
builders."""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from ..numbers import RealAlgebraic
from ..polyhedra import Farkas


def _q(x) -> str | int:
    x = fmpq(x)
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def field_number_json(x):
    """A number of a region tree: ``_q`` of a rational, the list of rational power-basis
    coordinates ``[c_0, …, c_{d−1}]`` (``x = Σ c_k θ^k``) of a real algebraic number."""
    if isinstance(x, RealAlgebraic):
        coeffs = list(x.coeffs.coeffs())
        coeffs += [fmpq(0)] * (x.field.degree - len(coeffs))
        return [_q(c) for c in coeffs]
    return _q(x)


class TreeRecorder:
    """Records the enumeration tree as a flat list of JSON-ready nodes.

    Node ``i``: ``{"fix": [[net, layer, unit, label, proof], ...], "split": [net, layer, unit],
    "children": [pos, neg]}`` or ``{"fix": [...], "leaf": {"point": [...], "map": {...}}}``.
    ``net``, ``layer``, ``unit`` are 0-based; ``label ∈ {1, −1, 0}``; ``proof`` is ``null`` for a
    constant preactivation, else a Farkas certificate over the node's rows (domain rows, then the
    split rows of the path) and the row ``−label·e``: explicit ``{"y": [[i, y_i], ...], "t": t}``,
    or ``{"basis": [i_1, …, i_n]}`` (``t = 1`` and ``y`` the unique solution of
    ``Σ_k y_{i_k} g_{i_k} = label·g_e``). A leaf's ``map`` is the common affine map of the
    networks on the cell (the first network's, when the networks disagree there). Numbers are
    written by :func:`field_number_json` (real algebraic ones as power-basis coordinates of
    :attr:`field`).
    """

    def __init__(self):
        self.nodes: list[dict] = []
        self.field = None  # the number field of the first real algebraic number recorded

    def _num(self, v):
        if isinstance(v, RealAlgebraic) and self.field is None:
            self.field = v.field
        return field_number_json(v)

    def new(self) -> int:
        self.nodes.append({"fix": []})
        return len(self.nodes) - 1

    def fix(self, node: int, k: int, layer: int, unit: int, label: int, farkas: Farkas | None, nrows: int):
        proof = None
        if farkas is not None and farkas.basis is not None:
            proof = {"basis": list(farkas.basis)}
        elif farkas is not None:
            y = [[i, self._num(v)] for i, v in farkas.multipliers if i < nrows]
            t = next((v for i, v in farkas.multipliers if i == nrows), fmpq(0))
            proof = {"y": y, "t": self._num(t)}
        self.nodes[node]["fix"].append([k, layer, unit, label, proof])

    def split(self, node: int, k: int, layer: int, unit: int, pos: int, neg: int):
        self.nodes[node]["split"] = [k, layer, unit]
        self.nodes[node]["children"] = [pos, neg]

    def leaf(self, node: int, point, maps: Sequence):
        m = maps[0]
        self.nodes[node]["leaf"] = {
            "point": [_q(v) for v in point],
            "map": {"weight": [[self._num(v) for v in row] for row, _ in m.rows()],
                    "bias": [self._num(b) for _, b in m.rows()]},
        }


__all__ = ["TreeRecorder", "field_number_json"]
