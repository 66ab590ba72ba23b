"""Function-preserving mechanism moves on three-layer parameters (docs/relu-three-layer.md §3).

Each move is a small frozen dataclass. ``move.apply(p)`` checks, exactly, the facts that make the
move function-preserving on ``p`` (raising :class:`MoveError` naming the failed fact) and returns
the moved parameter; ``move.inverse(p)`` is the move taking ``apply(p)`` back to ``p``;
``move.to_obj()`` is its JSON form. Hidden layers are numbered 1 and 2. None of the facts uses the
bottleneck condition: every one is a sign condition on the non-negative orthant ``h ≥ 0``, which
contains the image of any first layer.

==================  ====  =========================================================================
move                mech  facts checked (``r_j = W2[j,:]``, ``β_j = b2[j]``, ``a_j = W3[:,j]``)
==================  ====  =========================================================================
``Permute``         M0    ``order`` is a permutation (new unit ``k`` = old unit ``order[k]``)
``Scale``           M1    every factor ``> 0``, ``≠ 1`` (``σ(ct) = cσ(t)``)
``Remove`` dead     M2    ``r_j ≤ 0`` and ``β_j ≤ 0`` entrywise: ``z_j ≤ 0`` on the orthant
``Remove`` silent   M2    outgoing column zero (layer 1: ``W2[:,i] = 0``; layer 2: ``a_j = 0``)
``Insert``          M2    inverse of ``Remove``: the inserted neuron is dead / silent
``Reweight``        M1    ``(r_j, β_j) = λ(r_k, β_k)``, ``λ > 0``: ``a_j −= c``, ``a_k += λc``
``ActiveBlock``     M4    removed and added neurons have ``r ≥ 0, β ≥ 0`` (identity on the
                          orthant) and the same affine contribution ``Σ a r``, ``Σ aβ + b3``
``Flip``            M5    ``σ(z) = σ(−z) + z``: flipped units' linear parts ``Σ a_j(r_j, β_j)``
                          equal the change of the always-active block (both blocks ``≥ 0``)
``HideTransfer``    M3    every neuron with ``a_j ≠ 0`` is dead, or has ``r_ji > 0``,
                          ``r_jk ≤ 0 (k ≠ i)``, ``β_j ≤ 0``, ``β_j ≤ δ r_ji``; then
                          ``b1_i += δ`` and ``β_j −= δ r_ji`` for those ``j``
==================  ====  =========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import fmpq

from ...deadline import NO_DEADLINE, Deadline
from ...errors import InputError
from ...numbers import number_json
from .params import ZERO, ThreeLayer


class MoveError(InputError):
    """A move whose function-preserving facts fail on the parameter it is applied to."""


def _q(v) -> int | str:
    return number_json(v)


def _vec(v) -> list:
    return [number_json(x) for x in v]


def _nonpos(v) -> bool:
    try:
        return all(x.p <= 0 for x in v)  # the sign of an fmpq is its numerator's (faster than ordering fmpq)
    except AttributeError:  # not fmpq entries
        return all(x <= 0 for x in v)


def _nonneg(v) -> bool:
    try:
        return all(x.p >= 0 for x in v)
    except AttributeError:
        return all(x >= 0 for x in v)


def _splice(items: list, removed: Sequence[int], inserted: Sequence[tuple[int, object]]) -> list:
    gone = set(removed)
    out = [x for k, x in enumerate(items) if k not in gone]
    for pos, item in sorted(inserted, key=lambda t: t[0]):
        if not 0 <= pos <= len(out):
            raise MoveError(f"insertion position {pos} out of range")
        out.insert(pos, item)
    return out


def _check_units(units: Sequence[int], width: int, what: str) -> None:
    if len(set(units)) != len(units) or any(not 0 <= u < width for u in units):
        raise MoveError(f"{what}: bad unit indices {list(units)} (width {width})")


# -- neuron-level list surgery on the second layer --------------------------------------------


def _second_units(p: ThreeLayer) -> list:
    return list(zip(p.W2, p.b2, p.columns3)) if p.n2 else []


def _from_second_units(p: ThreeLayer, units: list, b3=None) -> ThreeLayer:
    n3 = p.n3
    W2 = tuple(u[0] for u in units)
    b2 = tuple(u[1] for u in units)
    W3 = tuple(tuple(u[2][r] for u in units) for r in range(n3))
    return ThreeLayer(p.n0, p.W1, p.b1, W2, b2, W3, p.b3 if b3 is None else tuple(b3))


def _first_units(p: ThreeLayer) -> list:
    cols = list(zip(*p.W2)) if p.n2 else [() for _ in range(p.n1)]
    return [(p.W1[i], p.b1[i], cols[i]) for i in range(p.n1)]


def _from_first_units(p: ThreeLayer, units: list) -> ThreeLayer:
    W1 = tuple(u[0] for u in units)
    b1 = tuple(u[1] for u in units)
    W2 = tuple(tuple(u[2][j] for u in units) for j in range(p.n2))
    return ThreeLayer(p.n0, W1, b1, W2, p.b2, p.W3, p.b3)


def _block_sum(units, n1: int, n3: int):
    """``(Σ a rᵀ, Σ a β)`` over neurons ``(r, β, a)``."""
    C = [[ZERO] * n1 for _ in range(n3)]
    c = [ZERO] * n3
    for r, beta, a in units:
        for s in range(n3):
            if a[s]:
                row = C[s]
                for k in range(n1):
                    if r[k]:
                        row[k] += a[s] * r[k]
                c[s] += a[s] * beta
    return C, c


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Permute:
    """M0: reorder the neurons of hidden layer ``layer``; new unit ``k`` is old unit ``order[k]``."""

    layer: int
    order: tuple[int, ...]
    mechanism = "M0"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        width = p.n1 if self.layer == 1 else p.n2
        if sorted(self.order) != list(range(width)):
            raise MoveError("permute: order is not a permutation of the layer")
        if self.layer == 1:
            units = _first_units(p)
            return _from_first_units(p, [units[k] for k in self.order])
        units = _second_units(p)
        return _from_second_units(p, [units[k] for k in self.order])

    def inverse(self, p: ThreeLayer) -> "Permute":
        inv = [0] * len(self.order)
        for k, o in enumerate(self.order):
            inv[o] = k
        return Permute(self.layer, tuple(inv))

    def to_obj(self) -> dict:
        return {"move": "permute", "mechanism": self.mechanism, "layer": self.layer, "order": list(self.order)}


@dataclass(frozen=True)
class Scale:
    """M1: for each ``(unit, c)`` of ``factors``, neuron ``unit`` of ``layer`` gets incoming row and bias
    ``× c``, outgoing column ``÷ c`` (``c > 0``, ``c ≠ 1``, units distinct)."""

    layer: int
    factors: tuple  # ((unit, factor), ...)
    mechanism = "M1"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        width = p.n1 if self.layer == 1 else p.n2
        _check_units([u for u, _c in self.factors], width, "scale")
        if any(not c > 0 for _u, c in self.factors):
            raise MoveError("scale: fact 'factor > 0' fails")
        if any(c == 1 for _u, c in self.factors):
            raise MoveError("scale: a factor 1 is not a move")
        units = _first_units(p) if self.layer == 1 else _second_units(p)
        new = list(units)
        for j, c in self.factors:
            r, beta, a = units[j]
            inv = 1 / c
            new[j] = (tuple(c * v for v in r), c * beta, tuple(v * inv for v in a))
        return _from_first_units(p, new) if self.layer == 1 else _from_second_units(p, new)

    def inverse(self, p: ThreeLayer) -> "Scale":
        return Scale(self.layer, tuple((j, 1 / c) for j, c in self.factors))

    def to_obj(self) -> dict:
        return {"move": "scale", "mechanism": self.mechanism, "layer": self.layer,
                "factors": [{"unit": j, "factor": _q(c)} for j, c in self.factors]}


@dataclass(frozen=True)
class Remove:
    """M2: delete neurons of ``layer`` that are ``dead`` (layer 2: ``r ≤ 0, β ≤ 0``) or ``silent``
    (zero outgoing column)."""

    layer: int
    units: tuple[int, ...]
    reason: str  # "dead" | "silent"
    mechanism = "M2"

    def _facts(self, p: ThreeLayer) -> None:
        width = p.n1 if self.layer == 1 else p.n2
        _check_units(self.units, width, "remove")
        for j in self.units:
            if self.reason == "dead":
                if self.layer != 2 or not (_nonpos(p.W2[j]) and p.b2[j] <= 0):
                    raise MoveError(f"remove: fact 'W2[{j},:] <= 0 and b2[{j}] <= 0' fails")
            elif self.reason == "silent":
                out = p.out1(j) if self.layer == 1 else p.out2(j)
                if any(v != 0 for v in out):
                    raise MoveError(f"remove: fact 'outgoing column of layer-{self.layer} neuron {j} is 0' fails")
            else:
                raise MoveError(f"remove: unknown reason {self.reason!r}")

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        self._facts(p)
        if self.layer == 1:
            return _from_first_units(p, _splice(_first_units(p), self.units, ()))
        return _from_second_units(p, _splice(_second_units(p), self.units, ()))

    def inverse(self, p: ThreeLayer) -> "Insert":
        units = _first_units(p) if self.layer == 1 else _second_units(p)
        return Insert(self.layer, tuple((j, units[j][0], units[j][1], units[j][2]) for j in sorted(self.units)),
                      self.reason)

    def to_obj(self) -> dict:
        return {"move": "remove", "mechanism": self.mechanism, "layer": self.layer, "units": list(self.units),
                "reason": self.reason}


@dataclass(frozen=True)
class Insert:
    """M2: insert neurons ``(position, incoming row, bias, outgoing column)`` that are dead or silent."""

    layer: int
    neurons: tuple
    reason: str
    mechanism = "M2"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        nin, nout = (p.n0, p.n2) if self.layer == 1 else (p.n1, p.n3)
        for pos, r, beta, a in self.neurons:
            if len(r) != nin or len(a) != nout:
                raise MoveError("insert: neuron has the wrong shape")
            if self.reason == "dead":
                if self.layer != 2 or not (_nonpos(r) and beta <= 0):
                    raise MoveError("insert: fact 'inserted row <= 0 and bias <= 0' fails")
            elif self.reason == "silent":
                if any(v != 0 for v in a):
                    raise MoveError("insert: fact 'inserted neuron has zero outgoing column' fails")
            else:
                raise MoveError(f"insert: unknown reason {self.reason!r}")
        ins = [(pos, (tuple(r), beta, tuple(a))) for pos, r, beta, a in self.neurons]
        if self.layer == 1:
            return _from_first_units(p, _splice(_first_units(p), (), ins))
        return _from_second_units(p, _splice(_second_units(p), (), ins))

    def inverse(self, p: ThreeLayer) -> Remove:
        return Remove(self.layer, tuple(sorted(pos for pos, *_ in self.neurons)), self.reason)

    def to_obj(self) -> dict:
        return {"move": "insert", "mechanism": self.mechanism, "layer": self.layer, "reason": self.reason,
                "neurons": [{"position": pos, "row": _vec(r), "bias": _q(b), "out": _vec(a)}
                            for pos, r, b, a in self.neurons]}


@dataclass(frozen=True)
class Reweight:
    """M1 (merging): for ``(j, k, λ, c)`` with ``(r_j, β_j) = λ(r_k, β_k)``, ``λ > 0``:
    ``a_j ← a_j − c``, ``a_k ← a_k + λc`` (because ``σ(z_j) = λσ(z_k)``)."""

    pairs: tuple
    mechanism = "M1"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        units = [list(u) for u in _second_units(p)]
        for j, k, lam, c in self.pairs:
            _check_units((j, k), p.n2, "reweight")
            if not lam > 0:
                raise MoveError("reweight: fact 'lambda > 0' fails")
            rj, bj, _ = units[j]
            rk, bk, _ = units[k]
            if bj != lam * bk or any(x != lam * y for x, y in zip(rj, rk)):
                raise MoveError(f"reweight: fact '(W2[{j},:], b2[{j}]) = lambda (W2[{k},:], b2[{k}])' fails")
            units[j][2] = tuple(a - x for a, x in zip(units[j][2], c))
            units[k][2] = tuple(a + lam * x for a, x in zip(units[k][2], c))
        return _from_second_units(p, [tuple(u) for u in units])

    def inverse(self, p: ThreeLayer) -> "Reweight":
        return Reweight(tuple((j, k, lam, tuple(-x for x in c)) for j, k, lam, c in reversed(self.pairs)))

    def to_obj(self) -> dict:
        return {"move": "reweight", "mechanism": self.mechanism,
                "pairs": [{"from": j, "to": k, "lambda": _q(lam), "amount": _vec(c)} for j, k, lam, c in self.pairs]}


def _check_block(units, what: str) -> None:
    for r, beta, _a in units:
        if not (_nonneg(r) and beta >= 0):
            raise MoveError(f"{what}: fact 'block neuron row >= 0 and bias >= 0' fails")


@dataclass(frozen=True)
class ActiveBlock:
    """M4: replace always-active second-layer neurons ``remove`` by ``add`` (``(position, row, bias,
    out)``, positions in the result) and the output bias by ``b3``; GL mixing (M4a), bias trades (M4b)
    and whole-component changes (M4c) are all of this form."""

    remove: tuple[int, ...]
    add: tuple
    b3: tuple
    mechanism = "M4"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        _check_units(self.remove, p.n2, "active block")
        units = _second_units(p)
        old = [units[j] for j in self.remove]
        new = [(tuple(r), beta, tuple(a)) for _pos, r, beta, a in self.add]
        _check_block(old, "active block")
        _check_block(new, "active block")
        C0, c0 = _block_sum(old, p.n1, p.n3)
        C1, c1 = _block_sum(new, p.n1, p.n3)
        if C0 != C1:
            raise MoveError("active block: fact 'sum a r^T is unchanged' fails")
        if [x + y for x, y in zip(c0, p.b3)] != [x + y for x, y in zip(c1, self.b3)]:
            raise MoveError("active block: fact 'sum a beta + b3 is unchanged' fails")
        out = _splice(units, self.remove, [(pos, u) for (pos, *_), u in zip(self.add, new)])
        return _from_second_units(p, out, self.b3)

    def inverse(self, p: ThreeLayer) -> "ActiveBlock":
        units = _second_units(p)
        return ActiveBlock(tuple(sorted(pos for pos, *_ in self.add)),
                           tuple((j, *units[j]) for j in sorted(self.remove)), p.b3)

    def to_obj(self) -> dict:
        return {"move": "active_block", "mechanism": self.mechanism, "remove": list(self.remove),
                "add": [{"position": pos, "row": _vec(r), "bias": _q(b), "out": _vec(a)} for pos, r, b, a in self.add],
                "b3": _vec(self.b3)}


@dataclass(frozen=True)
class Flip:
    """M5: flip the orientation of second-layer ``units`` (``(r, β) ← −(r, β)``, ``a`` kept), and
    replace the always-active block ``remove`` by ``add`` and ``b3`` so that the block absorbs the
    linear parts: ``σ(z) = σ(−z) + z``."""

    units: tuple[int, ...]
    remove: tuple[int, ...]
    add: tuple
    b3: tuple
    mechanism = "M5"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        _check_units(self.units, p.n2, "flip")
        _check_units(self.remove, p.n2, "flip")
        if set(self.units) & set(self.remove):
            raise MoveError("flip: a flipped neuron cannot belong to the block")
        units = _second_units(p)
        old = [units[j] for j in self.remove]
        new = [(tuple(r), beta, tuple(a)) for _pos, r, beta, a in self.add]
        _check_block(old, "flip")
        _check_block(new, "flip")
        C0, c0 = _block_sum(old, p.n1, p.n3)
        C1, c1 = _block_sum(new, p.n1, p.n3)
        L, ell = _block_sum([units[j] for j in self.units], p.n1, p.n3)
        if any(C1[s][k] - C0[s][k] != L[s][k] for s in range(p.n3) for k in range(p.n1)):
            raise MoveError("flip: fact 'block change of sum a r^T = sum over flipped a r^T' fails")
        if any(c1[s] + self.b3[s] - c0[s] - p.b3[s] != ell[s] for s in range(p.n3)):
            raise MoveError("flip: fact 'block change of sum a beta + b3 = sum over flipped a beta' fails")
        flipped = list(units)
        for j in self.units:
            r, beta, a = units[j]
            flipped[j] = (tuple(-v for v in r), -beta, a)
        out = _splice(flipped, self.remove, [(pos, u) for (pos, *_), u in zip(self.add, new)])
        return _from_second_units(p, out, self.b3)

    def inverse(self, p: ThreeLayer) -> "Flip":
        units = _second_units(p)
        gone = set(self.remove)
        kept = [k for k in range(p.n2) if k not in gone]
        positions = sorted(pos for pos, *_ in self.add)
        after = list(kept)
        for pos in positions:
            after.insert(pos, None)
        where = {old: new for new, old in enumerate(after) if old is not None}
        return Flip(tuple(where[j] for j in self.units), tuple(positions),
                    tuple((j, *units[j]) for j in sorted(self.remove)), p.b3)

    def to_obj(self) -> dict:
        return {"move": "flip", "mechanism": self.mechanism, "units": list(self.units), "remove": list(self.remove),
                "add": [{"position": pos, "row": _vec(r), "bias": _q(b), "out": _vec(a)} for pos, r, b, a in self.add],
                "b3": _vec(self.b3)}


@dataclass(frozen=True)
class HideTransfer:
    """M3: shift first-layer bias ``b1[unit] += δ`` and ``b2[j] −= δ·W2[j,unit]`` for every neuron
    ``j`` with ``W2[j,unit] > 0`` and non-zero output (see the module table for the facts)."""

    unit: int
    delta: fmpq
    mechanism = "M3"

    def apply(self, p: ThreeLayer) -> ThreeLayer:
        i, d = self.unit, self.delta
        if not 0 <= i < p.n1:
            raise MoveError("hide transfer: no such first-layer neuron")
        b2 = list(p.b2)
        for j in range(p.n2):
            r, beta = p.W2[j], p.b2[j]
            if all(v == 0 for v in p.out2(j)):
                continue
            if _nonpos(r) and beta <= 0:
                continue  # dead on the orthant before and after (its row and bias are unchanged)
            if not r[i] > 0:
                raise MoveError(f"hide transfer: fact 'W2[{j},{i}] > 0' fails for a live neuron")
            if any(v > 0 for k, v in enumerate(r) if k != i) or beta > 0:
                raise MoveError(f"hide transfer: fact 'W2[{j},k] <= 0 (k != {i}) and b2[{j}] <= 0' fails")
            if beta > d * r[i]:
                raise MoveError(f"hide transfer: fact 'b2[{j}] <= delta W2[{j},{i}]' fails")
            b2[j] = beta - d * r[i]
        b1 = list(p.b1)
        b1[i] = b1[i] + d
        return ThreeLayer(p.n0, p.W1, tuple(b1), p.W2, tuple(b2), p.W3, p.b3)

    def inverse(self, p: ThreeLayer) -> "HideTransfer":
        return HideTransfer(self.unit, -self.delta)

    def to_obj(self) -> dict:
        return {"move": "hide_transfer", "mechanism": self.mechanism, "unit": self.unit, "delta": _q(self.delta)}


Move = Permute | Scale | Remove | Insert | Reweight | ActiveBlock | Flip | HideTransfer


def apply_chain(p: ThreeLayer, moves: Sequence, deadline: Deadline = NO_DEADLINE) -> ThreeLayer:
    """Apply the moves in order, checking every move's facts (and ``deadline`` before each move)."""
    for m in moves:
        deadline.check("the structural tier (s)")
        p = m.apply(p)
    return p


def verify_chain(a: ThreeLayer, b: ThreeLayer, moves: Sequence, deadline: Deadline = NO_DEADLINE) -> bool:
    """``True`` iff every move's facts hold along the way and the chain ends exactly at ``b``."""
    try:
        return apply_chain(a, moves, deadline) == b
    except MoveError:
        return False


def chain_json(moves: Sequence) -> list:
    return [m.to_obj() for m in moves]


def _num(v) -> fmpq:
    from ...numbers import number

    x = number(v)
    if not isinstance(x, fmpq):
        raise MoveError("move numbers must be rational")
    return x


def _vec_in(v) -> tuple:
    if not isinstance(v, list):
        raise MoveError("expected a list of numbers in a move")
    return tuple(_num(x) for x in v)


def _neurons_in(items) -> tuple:
    return tuple((int(d["position"]), _vec_in(d["row"]), _num(d["bias"]), _vec_in(d["out"])) for d in items)


def move_from_obj(obj: dict):
    """The move of a :meth:`to_obj` dictionary (numbers as JSON integers or ``"p/q"`` strings);
    malformed input raises :class:`MoveError`."""
    try:
        kind = obj["move"]
        if kind == "permute":
            return Permute(int(obj["layer"]), tuple(int(k) for k in obj["order"]))
        if kind == "scale":
            return Scale(int(obj["layer"]), tuple((int(d["unit"]), _num(d["factor"])) for d in obj["factors"]))
        if kind == "remove":
            return Remove(int(obj["layer"]), tuple(int(k) for k in obj["units"]), str(obj["reason"]))
        if kind == "insert":
            return Insert(int(obj["layer"]), _neurons_in(obj["neurons"]), str(obj["reason"]))
        if kind == "reweight":
            return Reweight(tuple((int(d["from"]), int(d["to"]), _num(d["lambda"]), _vec_in(d["amount"]))
                                  for d in obj["pairs"]))
        if kind == "active_block":
            return ActiveBlock(tuple(int(k) for k in obj["remove"]), _neurons_in(obj["add"]), _vec_in(obj["b3"]))
        if kind == "flip":
            return Flip(tuple(int(k) for k in obj["units"]), tuple(int(k) for k in obj["remove"]),
                        _neurons_in(obj["add"]), _vec_in(obj["b3"]))
        if kind == "hide_transfer":
            return HideTransfer(int(obj["unit"]), _num(obj["delta"]))
    except MoveError:
        raise
    except (KeyError, TypeError, ValueError, InputError) as exc:
        raise MoveError(f"malformed move: {exc}") from None
    raise MoveError(f"unknown move {obj.get('move')!r}" if isinstance(obj, dict) else "a move must be an object")


__all__ = ["ActiveBlock", "Flip", "HideTransfer", "Insert", "Move", "MoveError", "Permute", "Remove", "Reweight",
           "Scale", "apply_chain", "chain_json", "move_from_obj", "verify_chain"]
