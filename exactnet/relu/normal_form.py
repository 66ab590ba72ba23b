"""Tier (b): a symmetry normal form for ReLU networks of any depth (docs/relu.md § Definitions, § Hidden symmetries; docs/relu-three-layer.md).

Moves (:mod:`exactnet.relu.moves`) are applied until none applies, hidden layer by hidden layer:

1. zero-input units are folded into the next bias (``fold_constant``);
2. units that are provably never active are silenced: layers ≥ 1 with non-positive incoming
   weights and bias (their inputs are ``≥ 0``); with a domain, first-layer units whose
   preactivation is ``≤ 0`` on it (exact Farkas certificate);
3. units with zero outgoing weights are removed (a layer that would become empty keeps one
   blank unit);
4. every unit is scaled so that the first non-zero incoming weight has absolute value 1;
5. units with equal (hence, before scaling, positively proportional) incoming rows are merged
   (this undoes split units);
6. the units are sorted by their incoming rows (permutations).

**Cost.** Each step is one sweep over a layer's weights: liveness of all units from one pass over
the next layer's columns, the normalizations of a layer applied together
(:func:`exactnet.relu.moves.normalize_units`), merge classes found by hashing a short key of each
scaled row and comparing full rows exactly only within a bucket, one sort for the permutation. A
pass is therefore near-linear in the number of parameters (the quadratic pairwise search for
proportional units took 12.6 s on a 3-512-512-1 pair; ``benchmarks/relu_wide.py``).

Equal normal forms prove equivalence (each move preserves the function), and the recorded
moves are the certificate. Different normal forms prove nothing (hidden symmetries,
docs/relu.md § Hidden symmetries, are not quotiented out): then the complete tier (d) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq

from ..network import Network
from ..numbers import sign
from ..polyhedra import primitive_row
from .moves import EditableNetwork, Move, apply, normalize_units, proportional
from ..polyhedra import Farkas, decide

#: Safety cap on normalisation passes (each pass strictly simplifies; never reached in practice).
MAX_PASSES = 200


@dataclass(frozen=True)
class NormalForm:
    network: Network
    moves: tuple[Move, ...]


def _farkas_json(f: Farkas, nrows: int) -> dict:
    y = [[i, _q(v)] for i, v in f.multipliers if i < nrows]
    t = next((v for i, v in f.multipliers if i == nrows), fmpq(0))
    return {"y": y, "t": _q(t)}


def _q(x):
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def _dead_on_domain(w, b, rows) -> dict | None:
    if not all(isinstance(v, fmpq) for v in w) or not isinstance(b, fmpq):
        return None
    row = primitive_row(list(w), b)
    if not any(row[0]):
        return None
    ans = decide(list(rows) + [row], len(w))
    if isinstance(ans, Farkas) and any(i == len(rows) and v > 0 for i, v in ans.multipliers):
        # t > 0: w·x + b ≤ 0 on the closed domain (with t = 0 it would only show an empty interior)
        return {"kind": "farkas", **_farkas_json(ans, len(rows))}
    return None




def _live_units(ed: EditableNetwork, layer: int) -> list[bool]:
    """``live[j]``: unit ``j`` of hidden layer ``layer`` has a non-zero outgoing weight (a sweep
    over the next layer's rows that keeps only the units still all-zero: one row when dense)."""
    pending = range(ed.width(layer))
    for row in ed.W[layer + 1]:
        pending = [j for j in pending if not row[j]]
        if not pending:
            break
    live = [True] * ed.width(layer)
    for j in pending:
        live[j] = False
    return live


_FMPQ = frozenset({fmpq})

#: Entries of the scaled row (after the lead) in the hash key of a merge class.
KEY_ENTRIES = 4


def _merge_pairs(ed: EditableNetwork, layer: int, live: list[bool], rational: bool | None = None) -> list[tuple[int, int]]:
    """``(i, j)`` with ``i < j``: live unit ``j`` is positively proportional to live unit ``i``, ``i``
    the first unit of its class. Rational rows (``rational``: every entry an ``fmpq``) are bucketed by
    a short hash key (the lead position and the next :data:`KEY_ENTRIES` scaled entries, as integer
    pairs, since hashing ``fmpq`` is slow) and compared exactly in full only within a bucket: linear
    in the layer size unless many rows share their first entries. Algebraic rows are compared
    pairwise."""
    pairs = []
    W, B = ed.W[layer], ed.b[layer]
    if rational is None:
        rational = all(set(map(type, w)) <= _FMPQ and type(b) is fmpq for w, b in zip(W, B))
    if rational:
        buckets: dict = {}
        for j in range(ed.width(layer)):
            if not live[j]:
                continue
            w, bj = W[j], B[j]
            p = next((k for k, v in enumerate(w) if v), None)
            lead = bj if p is None else w[p]  # the first non-zero entry of the row (w, b)
            if not lead:
                continue
            c = 1 / abs(lead)
            head = [] if p is None else (w[p + 1:p + 1 + KEY_ENTRIES] + [bj])[:KEY_ENTRIES]
            key = (len(w) if p is None else p, lead > 0) + tuple((int(u.p), int(u.q)) for u in (c * v for v in head))
            bucket = buckets.setdefault(key, [])
            full = (w, bj) if c == 1 else ([c * v for v in w], c * bj)  # the row scaled to a lead of ±1
            for i, other in bucket:
                if other == full:
                    pairs.append((i, j))
                    break
            else:
                bucket.append((j, full))
        return pairs
    rows = [list(ed.W[layer][j]) + [ed.b[layer][j]] for j in range(ed.width(layer))]
    taken = set()
    for i in range(len(rows)):
        if not live[i] or i in taken or all(v == 0 for v in rows[i]):
            continue
        for j in range(i + 1, len(rows)):
            if live[j] and j not in taken and proportional(rows[i], rows[j]) is not None:
                pairs.append((i, j))
                taken.add(j)
    return pairs


def _reduce_layer(ed: EditableNetwork, layer: int, do, domain_rows, scale: bool, sort: bool,
                  rational: bool = False) -> bool:
    """One sweep of moves 1–6 (module docstring) over hidden layer ``layer``; ``True`` if a move
    was applied. Every step is one pass over the layer's weights (near-linear in its size)."""
    changed = False
    live = _live_units(ed, layer)
    for j in range(ed.width(layer)):
        if not live[j]:
            continue
        w, b = ed.incoming(layer, j)
        if all(v == 0 for v in w):
            do(Move("fold_constant", layer=layer, unit=j))
            live[j], changed = False, True
        elif layer > 0 and all(sign(v) <= 0 for v in w) and sign(b) <= 0:
            do(Move("silence", layer=layer, unit=j, proof={"kind": "nonpositive"}))
            live[j], changed = False, True
        elif layer == 0 and domain_rows:
            proof = _dead_on_domain(w, b, domain_rows)
            if proof is not None:
                do(Move("silence", layer=layer, unit=j, proof=proof))
                live[j], changed = False, True
    for j in reversed(range(ed.width(layer))):
        if live[j]:
            continue
        if ed.width(layer) > 1:
            do(Move("remove", layer=layer, unit=j))
            del live[j]
            changed = True
        else:
            w, b = ed.incoming(layer, j)
            if any(v != 0 for v in w) or b != 0:
                do(Move("blank", layer=layer, unit=j))
                changed = True
    if scale:
        units = []
        for j in range(ed.width(layer)):
            lead = next((v for v in ed.W[layer][j] if v), None)
            if lead is not None and abs(lead) != 1:
                units.append(j)
        if units:  # applied together: one pass over the next layer's rows
            do([Move("normalize", layer=layer, unit=j) for j in units])
            changed = True
    pairs = _merge_pairs(ed, layer, live, rational)
    for i, j in pairs:  # merges first (indices unchanged), then removals from the right
        do(Move("merge", layer=layer, into=i, unit=j))
    for _i, j in sorted(pairs, key=lambda p: -p[1]):
        do(Move("remove", layer=layer, unit=j))
        changed = True
    if sort and ed.width(layer) > 1:
        W, B = ed.W[layer], ed.b[layer]  # rows of one length: (w, b) orders like the tuple w + (b,)
        order = sorted(range(len(W)), key=lambda j: (W[j], B[j]))
        if order != list(range(len(W))):
            do(Move("permute", layer=layer, order=tuple(order)))
            changed = True
    return changed


def normal_form(net: Network, domain_rows: Sequence | None = None, *, scale: bool = True,
                sort: bool = True) -> NormalForm:
    """The tier-(b) normal form of a ReLU network and the moves that produce it.

    ``domain_rows`` (primitive rows of a domain) enables the exact first-layer dead-unit test on
    the domain. ``scale=False, sort=False`` keeps the units' scale and order (used by
    compression).
    """
    ed = EditableNetwork.of(net)
    rational = net.is_rational  # the moves keep rational entries rational
    moves: list[Move] = []

    def do(move: Move | list[Move]):
        if isinstance(move, list):
            normalize_units(ed, move[0].layer, [m.unit for m in move])
            moves.extend(move)
            return
        apply(ed, move)
        moves.append(move)

    for _ in range(MAX_PASSES):
        changed = False
        for layer in range(ed.hidden):
            changed |= _reduce_layer(ed, layer, do, domain_rows, scale, sort, rational)
        if not changed:
            break
    return NormalForm(ed.network(), tuple(moves))


__all__ = ["NormalForm", "normal_form"]
