"""Function-preserving moves on ReLU networks (docs/relu.md § Definitions, § One hidden layer: canonical form and fiber, § Hidden symmetries; used by tiers (a)/(b)
of equivalence and by compression).

A move acts on hidden layer ``layer`` (0-based: the outputs of network layer ``layer``, whose
outgoing weights are the columns of network layer ``layer + 1``). Every move leaves the network
function unchanged on ``R^n`` (``silence`` with a Farkas proof: on the stated domain):

=====================  ==========================================================================
``scale``              ``(w_j, b_j) ← c·(w_j, b_j)``, outgoing column ``← column / c``; ``c > 0``
                       rational (positive homogeneity ``σ(ct) = cσ(t)``).
``normalize``          ``scale`` with ``c = 1/|first non-zero incoming weight|`` (the factor is
                       implied, so no number appears in the move).
``permute``            reorder the units: new unit ``k`` is old unit ``order[k]``.
``fold_constant``      ``w_j = 0``: the unit outputs the constant ``σ(b_j)``; add
                       ``column·σ(b_j)`` to the next bias, set the column to 0.
``silence``            the unit is never active: set its outgoing column to 0. Proof
                       ``{"kind": "nonpositive"}`` (layer ≥ 1, ``w_j ≤ 0`` and ``b_j ≤ 0`` entrywise:
                       its inputs are ReLU outputs ``≥ 0``) or ``{"kind": "farkas", "y", "t"}`` (layer
                       0, on a domain: multipliers over the domain's primitive rows and the unit's
                       primitive row with ``t > 0``, proving ``w_j·x + b_j ≤ 0`` on the closed Ω;
                       docs/certificates.md, Lemma F).
``merge``              ``(w_j, b_j) = λ(w_i, b_i)`` with ``λ > 0``: column ``i += λ·column j``,
                       column ``j ← 0``.
``remove``             delete a unit whose outgoing column is 0 (the layer keeps ≥ 1 unit).
``blank``              a unit whose outgoing column is 0 gets ``w_j = 0, b_j = 0``.
=====================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Sequence

from flint import fmpq

from ..errors import InputError
from ..network import Layer, Network
from ..numbers import number_json, sign


class MoveError(InputError):
    """A move whose precondition fails."""


@dataclass(frozen=True)
class Move:
    """One function-preserving move (the table above): ``op`` on unit ``unit`` of hidden layer
    ``layer``; ``into`` (merge), ``order`` (permute), ``factor`` (scale) and ``proof`` (silence:
    the JSON-ready proof) where the move needs them."""

    op: str
    layer: int
    unit: int | None = None
    into: int | None = None
    order: tuple[int, ...] | None = None
    factor: fmpq | None = None
    proof: dict | None = None

    def to_json(self) -> dict:
        """The JSON form in certificates (exact numbers as integers / ``"p/q"`` / SymPy strings)."""
        out: dict = {"op": self.op, "layer": self.layer}
        if self.into is not None:
            out["into"] = self.into
        if self.unit is not None:
            out["unit"] = self.unit
        if self.order is not None:
            out["order"] = list(self.order)
        if self.factor is not None:
            out["factor"] = number_json(self.factor)
        if self.proof is not None:
            out["proof"] = self.proof
        return out


@dataclass
class EditableNetwork:
    """Mutable lists of a network's layers (for applying moves)."""

    W: list  # per network layer: list of rows (lists)
    b: list  # per network layer: list

    @classmethod
    def of(cls, net: Network) -> "EditableNetwork":
        return cls([[list(r) for r in layer.weight] for layer in net.layers], [list(layer.bias) for layer in net.layers])

    def network(self) -> Network:
        return Network("relu", tuple(Layer(tuple(tuple(r) for r in W), tuple(b)) for W, b in zip(self.W, self.b)))

    @property
    def hidden(self) -> int:
        return len(self.W) - 1

    def width(self, layer: int) -> int:
        return len(self.W[layer])

    def incoming(self, layer: int, j: int) -> tuple[list, object]:
        return self.W[layer][j], self.b[layer][j]

    def outgoing(self, layer: int, j: int) -> list:
        return [row[j] for row in self.W[layer + 1]]

    def set_outgoing_zero(self, layer: int, j: int) -> None:
        for row in self.W[layer + 1]:
            row[j] = fmpq(0)


def _relu(v):
    return v if sign(v) > 0 else fmpq(0)


def proportional(a: Sequence, b: Sequence):
    """``λ > 0`` with ``b = λ·a`` (``a`` not all zero), else ``None``."""
    lam = None
    for x, y in zip(a, b):
        if x == 0:
            if y != 0:
                return None
            continue
        r = y / x
        if lam is None:
            lam = r
        elif r != lam:
            return None
    if lam is None or sign(lam) <= 0:
        return None
    return lam


def apply(net: EditableNetwork, move: Move) -> None:
    """Apply one move in place, checking its precondition (raises :class:`MoveError`)."""
    op = move.op
    layer = move.layer
    if not (0 <= layer < net.hidden):
        raise MoveError(f"move {op}: no hidden layer {layer}")
    width = net.width(layer)
    if op == "permute":
        order = list(move.order)
        if sorted(order) != list(range(width)):
            raise MoveError("permute: order is not a permutation")
        net.W[layer] = [net.W[layer][k] for k in order]
        net.b[layer] = [net.b[layer][k] for k in order]
        pick = itemgetter(*order) if width > 1 else (lambda row: (row[order[0]],))
        net.W[layer + 1] = [list(pick(row)) for row in net.W[layer + 1]]  # (itemgetter: one C call per row)
        return
    j = move.unit
    if not (0 <= j < width):
        raise MoveError(f"move {op}: no unit {j} in hidden layer {layer}")
    w, b = net.incoming(layer, j)
    if op in ("scale", "normalize"):
        if op == "scale":
            c = move.factor
        else:
            lead = next((v for v in w if v != 0), None)
            if lead is None:
                raise MoveError("normalize: the unit has no non-zero incoming weight")
            c = 1 / abs(lead)
        if sign(c) <= 0:
            raise MoveError("scale: the factor must be positive")
        net.W[layer][j] = [c * v for v in w]
        net.b[layer][j] = c * b
        for row in net.W[layer + 1]:
            row[j] = row[j] / c
    elif op == "fold_constant":
        if any(v != 0 for v in w):
            raise MoveError("fold_constant: the unit has non-zero incoming weights")
        s = _relu(b)
        if s != 0:
            for r, row in enumerate(net.W[layer + 1]):
                net.b[layer + 1][r] = net.b[layer + 1][r] + row[j] * s
        net.set_outgoing_zero(layer, j)
    elif op == "silence":
        proof = move.proof or {}
        if proof.get("kind") == "nonpositive":
            if layer == 0 or any(sign(v) > 0 for v in w) or sign(b) > 0:
                raise MoveError("silence: the unit is not non-positive on non-negative inputs")
        elif proof.get("kind") != "farkas" or layer != 0:  # Farkas proofs are checked by the caller
            raise MoveError("silence: missing or unsupported proof")
        net.set_outgoing_zero(layer, j)
    elif op == "merge":
        i = move.into
        if not (0 <= i < width) or i == j:
            raise MoveError("merge: bad target unit")
        wi, bi = net.incoming(layer, i)
        lam = proportional(list(wi) + [bi], list(w) + [b])
        if lam is None:
            raise MoveError("merge: the units are not positively proportional")
        for row in net.W[layer + 1]:
            row[i] = row[i] + lam * row[j]
            row[j] = fmpq(0)
    elif op == "remove":
        if any(v != 0 for v in net.outgoing(layer, j)):
            raise MoveError("remove: the unit has non-zero outgoing weights")
        if width < 2:
            raise MoveError("remove: a layer keeps at least one unit")
        del net.W[layer][j]
        del net.b[layer][j]
        for row in net.W[layer + 1]:
            del row[j]
    elif op == "blank":
        if any(v != 0 for v in net.outgoing(layer, j)):
            raise MoveError("blank: the unit has non-zero outgoing weights")
        net.W[layer][j] = [fmpq(0) for _ in w]
        net.b[layer][j] = fmpq(0)
    else:
        raise MoveError(f"unknown move {op!r}")


def normalize_units(net: EditableNetwork, layer: int, units: Sequence[int]) -> None:
    """Apply ``normalize`` to the distinct ``units`` of hidden layer ``layer`` at once (the same
    result as one by one: each move changes only its own incoming row and outgoing column); the
    next layer's rows are rescaled in one pass (``column · |lead|`` equals ``column / c``)."""
    if not (0 <= layer < net.hidden):
        raise MoveError(f"move normalize: no hidden layer {layer}")
    if len(set(units)) != len(units):
        raise MoveError("normalize: a unit appears twice in one batch")
    width = net.width(layer)
    mult = {}
    for j in units:
        if not (0 <= j < width):
            raise MoveError(f"move normalize: no unit {j} in hidden layer {layer}")
        w = net.W[layer][j]
        lead = next((v for v in w if v != 0), None)
        if lead is None:
            raise MoveError("normalize: the unit has no non-zero incoming weight")
        size = abs(lead)
        c = 1 / size
        net.W[layer][j] = [c * v for v in w]
        net.b[layer][j] = c * net.b[layer][j]
        mult[j] = size
    factors = [mult.get(j) for j in range(width)]
    net.W[layer + 1] = [[v if f is None else v * f for v, f in zip(row, factors)] for row in net.W[layer + 1]]


__all__ = ["EditableNetwork", "Move", "MoveError", "apply", "normalize_units", "proportional"]
