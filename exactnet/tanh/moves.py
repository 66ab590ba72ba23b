"""Elementary function-preserving moves on tanh parameters, as replayable data.

Each record below is a batch of elementary moves of one kind on distinct units, applied to the
state *before* the record (unit indices from 0; ``h`` is the current width). Every record
preserves ``f_w`` exactly (docs/tanh.md § Irreducible parameters, § Paths inside a class):

=================  ===================================================================================
``permute``        ``order``: a permutation of ``0..h−1``; new unit ``k`` is old unit ``order[k]``
                   (unit exchange).
``negate``         ``units``: ``(a, b, c) ↦ (−a, −b, −c)`` (tanh is odd).
``absorb``         ``units`` with ``b = 0`` are removed and ``d += a·tanh(c)`` (constant units);
                   the record repeats their ``a`` and ``c`` (which must match the state).
``emit``           inverse of ``absorb``: constant units ``(a_t, 0, c_t)`` are inserted so that they
                   sit at positions ``at`` (ascending) of the new list; ``d −= a_t·tanh(c_t)``.
``remove_dead``    ``units`` with ``a = 0`` are removed; the record repeats their ``b`` and ``c``.
``insert_dead``    dead units ``(0, b_t, c_t)`` are inserted at positions ``at`` of the new list.
``merge``          ``groups``: lists ``[i, j_1, …]`` of units with *identical* ``(b, c)``; ``a_i``
                   becomes ``a_i + Σ a_j`` and the ``j``'s are removed.
``split``          inverse of ``merge``: for each ``{"unit": i, "at": [...], "a": [...]}``, copies
                   of unit ``i``'s ``(b, c)`` with outgoing weights ``a_t`` are inserted at
                   positions ``at`` of the new list, and ``a_i`` decreases by ``Σ a_t``.
=================  ===================================================================================

Removal keeps the relative order of the remaining units; "positions of the new list" make
insertion the exact inverse of removal. Removal records repeat the numbers they delete, so
that every number of the start parameter is either carried to the end state or recorded:
changing any number of a certificate breaks its replay. A chain of records from ``A`` to ``B`` is an
equivalence certificate (``tanh.equivalence``, checked by :mod:`exactnet.check.tanh`,
which replays it independently of this module).

:func:`reduction_chain` takes a parameter to its compressed canonical form;
:func:`equivalence_chain` joins the chain of ``A`` with the inverted chain of ``B``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..errors import InputError
from ..numbers import format_number
from ..numbers.tanh_scalar import TanhScalar
from .compression import Compression, compress
from .parameter import TanhParameter

_ZERO = fmpq(0)


@dataclass(frozen=True)
class Move:
    """One record: ``kind`` (see the module table) and its operands (JSON-like, exact numbers)."""

    kind: str
    operands: dict

    def to_json(self) -> dict:
        out = {"move": self.kind}
        for key, value in self.operands.items():
            out[key] = _json(value)
        return out


def _json(value):
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, int):
        return value
    return format_number(value)


# ---------------------------------------------------------------------------------------------
# replay (the deciding side's own; the certificate checker has an independent one)
# ---------------------------------------------------------------------------------------------


def _removed(p: TanhParameter, remove: set) -> tuple:
    keep = [i for i in range(p.width) if i not in remove]
    return (tuple(p.a[i] for i in keep), tuple(p.b[i] for i in keep), tuple(p.c[i] for i in keep))


def _inserted(p: TanhParameter, at, new_units) -> tuple:
    """Units of ``p`` with ``new_units[t]`` placed at position ``at[t]`` of the result."""
    width = p.width + len(at)
    placed = dict(zip(at, new_units))
    if len(placed) != len(at) or any(not 0 <= k < width for k in at):
        raise InputError("move: insertion positions must be distinct and inside the new list")
    a, b, c = [], [], []
    it = iter(range(p.width))
    for k in range(width):
        if k in placed:
            ua, ub, uc = placed[k]
        else:
            i = next(it)
            ua, ub, uc = p.a[i], p.b[i], p.c[i]
        a.append(ua)
        b.append(ub)
        c.append(uc)
    return tuple(a), tuple(b), tuple(c)


def _with(p: TanhParameter, a, b, c, d=None) -> TanhParameter:
    return TanhParameter(a=a, b=b, c=c, d=p.d if d is None else d, input_dim=p.input_dim, output_dim=p.output_dim)


def _tanh_terms(p: TanhParameter, a_vectors, cs) -> tuple:
    """``Σ_t a_t·tanh(c_t)`` as a bias vector."""
    out = []
    for k in range(p.output_dim):
        out.append(TanhScalar.build(_ZERO, [(c, a[k]) for a, c in zip(a_vectors, cs)]))
    return tuple(out)


def replay(p: TanhParameter, move: Move) -> TanhParameter:
    """Apply one record (preconditions are checked exactly; violations raise InputError)."""
    kind, op = move.kind, move.operands
    if kind == "permute":
        order = op["order"]
        if sorted(order) != list(range(p.width)):
            raise InputError("permute: not a permutation of the units")
        return _with(p, tuple(p.a[i] for i in order), tuple(p.b[i] for i in order), tuple(p.c[i] for i in order))
    if kind == "negate":
        units = set(op["units"])
        a = tuple(tuple(-v for v in p.a[i]) if i in units else p.a[i] for i in range(p.width))
        b = tuple(tuple(-v for v in p.b[i]) if i in units else p.b[i] for i in range(p.width))
        c = tuple(-p.c[i] if i in units else p.c[i] for i in range(p.width))
        return _with(p, a, b, c)
    if kind == "absorb":
        units = list(op["units"])
        if any(v != 0 for i in units for v in p.b[i]):
            raise InputError("absorb: a unit with b ≠ 0 is not constant")
        if [tuple(p.a[i]) for i in units] != [tuple(v) for v in op["a"]] or [p.c[i] for i in units] != list(op["c"]):
            raise InputError("absorb: the recorded a, c differ from the units'")
        extra = _tanh_terms(p, [p.a[i] for i in units], [p.c[i] for i in units])
        d = tuple(x + y for x, y in zip(p.d, extra))
        return _with(p, *_removed(p, set(units)), d=d)
    if kind == "emit":
        zero_b = tuple(_ZERO for _ in range(p.input_dim))
        extra = _tanh_terms(p, op["a"], op["c"])
        d = tuple(x - y for x, y in zip(p.d, extra))
        units = [(tuple(a), zero_b, c) for a, c in zip(op["a"], op["c"])]
        return _with(p, *_inserted(p, op["at"], units), d=d)
    if kind == "remove_dead":
        units = list(op["units"])
        if any(v != 0 for i in units for v in p.a[i]):
            raise InputError("remove_dead: a unit with a ≠ 0 is not dead")
        if [tuple(p.b[i]) for i in units] != [tuple(v) for v in op["b"]] or [p.c[i] for i in units] != list(op["c"]):
            raise InputError("remove_dead: the recorded b, c differ from the units'")
        return _with(p, *_removed(p, set(units)))
    if kind == "insert_dead":
        zero_a = tuple(_ZERO for _ in range(p.output_dim))
        units = [(zero_a, tuple(b), c) for b, c in zip(op["b"], op["c"])]
        return _with(p, *_inserted(p, op["at"], units))
    if kind == "merge":
        a = list(p.a)
        removed = set()
        for group in op["groups"]:
            i, rest = group[0], group[1:]
            acc = list(a[i])
            for j in rest:
                if p.b[j] != p.b[i] or p.c[j] != p.c[i]:
                    raise InputError("merge: units with different (b, c)")
                acc = [x + y for x, y in zip(acc, a[j])]
                removed.add(j)
            a[i] = tuple(acc)
        q = _with(p, tuple(a), p.b, p.c)
        return _with(p, *_removed(q, removed))
    if kind == "split":
        a = list(p.a)
        at, units = [], []
        for group in op["groups"]:
            i = group["unit"]
            acc = list(a[i])
            for pos, part in zip(group["at"], group["a"]):
                acc = [x - y for x, y in zip(acc, part)]
                at.append(pos)
                units.append((tuple(part), p.b[i], p.c[i]))
            a[i] = tuple(acc)
        q = _with(p, tuple(a), p.b, p.c)
        return _with(p, *_inserted(q, at, units))
    raise InputError(f"unknown move {kind!r}")


def replay_chain(p: TanhParameter, moves) -> TanhParameter:
    for move in moves:
        p = replay(p, move)
    return p


# ---------------------------------------------------------------------------------------------
# inverses
# ---------------------------------------------------------------------------------------------


def _position_map(width: int, removed: set) -> list:
    """Old index → index after removing ``removed`` (−1 for removed units)."""
    out, k = [], 0
    for i in range(width):
        if i in removed:
            out.append(-1)
        else:
            out.append(k)
            k += 1
    return out


def inverse(move: Move, before: TanhParameter) -> Move:
    """The record undoing ``move``, which was applied to the state ``before``."""
    kind, op = move.kind, move.operands
    if kind == "permute":
        inv = [0] * len(op["order"])
        for k, i in enumerate(op["order"]):
            inv[i] = k
        return Move("permute", {"order": inv})
    if kind == "negate":
        return move
    if kind in ("absorb", "remove_dead"):
        units = sorted(op["units"])
        if kind == "absorb":
            return Move("emit", {"at": units, "a": [before.a[i] for i in units], "c": [before.c[i] for i in units]})
        return Move("insert_dead", {"at": units, "b": [before.b[i] for i in units], "c": [before.c[i] for i in units]})
    if kind in ("emit", "insert_dead"):
        order = sorted(range(len(op["at"])), key=lambda t: op["at"][t])
        units = [op["at"][t] for t in order]
        if kind == "emit":
            return Move("absorb", {"units": units, "a": [op["a"][t] for t in order], "c": [op["c"][t] for t in order]})
        return Move("remove_dead", {"units": units, "b": [op["b"][t] for t in order], "c": [op["c"][t] for t in order]})
    if kind == "merge":
        removed = {j for g in op["groups"] for j in g[1:]}
        pos = _position_map(before.width, removed)
        groups = []
        for g in op["groups"]:
            rest = sorted(g[1:])
            groups.append({"unit": pos[g[0]], "at": rest, "a": [before.a[j] for j in rest]})
        return Move("split", {"groups": groups})
    if kind == "split":
        inserted = sorted(k for g in op["groups"] for k in g["at"])
        width = before.width + len(inserted)
        ins = set(inserted)
        new_index, it = {}, iter(range(before.width))
        for k in range(width):
            if k not in ins:
                new_index[next(it)] = k
        return Move("merge", {"groups": [[new_index[g["unit"]]] + list(g["at"]) for g in op["groups"]]})
    raise InputError(f"unknown move {kind!r}")


# ---------------------------------------------------------------------------------------------
# chains
# ---------------------------------------------------------------------------------------------


def reduction_chain(p: TanhParameter, comp: Compression | None = None) -> list:
    """Records taking ``p`` to its compressed canonical form ``compress(p).compressed()``.

    Order: absorb constant units; negate units with sign −1; merge each group into its first
    member; remove the now-dead representatives of cancelled groups; permute into canonical
    order. Empty records are omitted.
    """
    comp = comp if comp is not None else compress(p)
    moves = []
    h = p.width
    # 1. absorb constant units
    const = set(comp.constant)
    if const:
        units = sorted(const)
        moves.append(Move("absorb", {"units": units, "a": [p.a[i] for i in units], "c": [p.c[i] for i in units]}))
    pos1 = _position_map(h, const)
    groups = list(comp.kept) + list(comp.cancelled)
    # 2. negate
    neg = sorted(pos1[i] for g in groups for i, s in zip(g.members, g.signs) if s < 0)
    if neg:
        moves.append(Move("negate", {"units": neg}))
    # 3. merge into the first member
    merges = [[pos1[i] for i in g.members] for g in groups if len(g.members) > 1]
    if merges:
        moves.append(Move("merge", {"groups": merges}))
    merged_away = {pos1[i] for g in groups for i in g.members[1:]}
    pos2 = _position_map(h - len(const), merged_away)
    rep = {id(g): pos2[pos1[g.members[0]]] for g in groups}
    # 4. remove cancelled representatives (now dead)
    cancelled = sorted(comp.cancelled, key=lambda g: rep[id(g)])
    dead = [rep[id(g)] for g in cancelled]
    if dead:  # after negation a representative's (b, c) is its group's key (β, γ)
        moves.append(Move("remove_dead", {"units": dead, "b": [g.beta for g in cancelled],
                                          "c": [g.gamma for g in cancelled]}))
    pos3 = _position_map(h - len(const) - len(merged_away), set(dead))
    # 5. canonical order
    order = [pos3[rep[id(g)]] for g in comp.kept]
    if order != sorted(order):
        moves.append(Move("permute", {"order": order}))
    return moves


def invert_chain(p: TanhParameter, moves) -> list:
    """The records undoing ``moves`` (applied from ``p``), in order."""
    states = [p]
    for m in moves:
        states.append(replay(states[-1], m))
    return [inverse(m, before) for m, before in zip(reversed(moves), reversed(states[:-1]))]


def equivalence_chain(pa: TanhParameter, pb: TanhParameter, ca: Compression | None = None,
                      cb: Compression | None = None) -> list:
    """A chain of records from ``pa`` to ``pb`` (they must be functionally equivalent)."""
    ca = ca if ca is not None else compress(pa)
    cb = cb if cb is not None else compress(pb)
    if ca.compressed() != cb.compressed():
        raise InputError("the parameters are not functionally equivalent; there is no chain of moves")
    return reduction_chain(pa, ca) + invert_chain(pb, reduction_chain(pb, cb))


__all__ = ["Move", "equivalence_chain", "inverse", "invert_chain", "reduction_chain", "replay", "replay_chain"]
