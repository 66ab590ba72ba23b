"""Independent check of ``three_layer_moves`` evidence (``relu.equivalence``, tier s).

The evidence ``{"method": "three_layer_moves", "moves": [...]}`` claims that the listed mechanism
moves take the first network ``A`` to the second ``B``, both ReLU networks with exactly two hidden
layers and rational weights. This module re-implements every move and its precondition from the
mathematics (docs/certificates.md, "three_layer_moves"; docs/relu-three-layer.md §3); it imports
nothing from :mod:`exactnet.relu`.

Write ``f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3``, ``h = σ(W1 x + b1) ≥ 0``, and for a second-layer
neuron ``j``: ``r_j = W2[j,:]``, ``β_j = b2[j]``, ``a_j = W3[:,j]``, ``z_j = r_j·h + β_j``. Every
precondition below is a sign condition that holds for *every* ``h ≥ 0``, so it needs nothing about
the first layer (**Theorem S**: if every move's precondition holds and the chain ends exactly at
``B``, then ``f_A = f_B`` on ``R^n``, hence on every domain). Intermediate states may have empty
hidden layers.

=================  ==========================================================================
move               precondition (why the function is unchanged)
=================  ==========================================================================
``permute``        ``order`` is a permutation of the layer (sums are reordered)
``scale``          distinct units, factors ``c > 0``: row, bias ``× c``, out ``÷ c``
                   (``σ(ct) = cσ(t)``)
``remove`` dead    layer 2, ``r_j ≤ 0``, ``β_j ≤ 0``: ``z_j ≤ 0`` for ``h ≥ 0``, output 0
``remove`` silent  zero outgoing column (``W2[:,i]`` for layer 1, ``a_j`` for layer 2)
``insert``         the inserted neurons satisfy the ``remove`` condition of their reason
``reweight``       ``j ≠ k``, ``λ > 0``, ``(r_j, β_j) = λ(r_k, β_k)``: ``σ(z_j) = λσ(z_k)``, so
                   ``a_j −= c``, ``a_k += λc`` keeps ``a_jσ(z_j) + a_kσ(z_k)``
``active_block``   removed and added neurons have ``r ≥ 0``, ``β ≥ 0`` (``σ(z) = z`` on
                   ``h ≥ 0``); equal ``Σ a rᵀ`` and ``Σ aβ + b3`` before and after
``flip``           ``(r, β) ← −(r, β)`` for ``units`` (not in the block): ``σ(z) = σ(−z) + z``;
                   the block (``≥ 0`` before and after) grows by exactly the flipped neurons'
                   ``Σ a rᵀ`` and ``Σ aβ`` (with ``b3``)
``hide_transfer``  unit ``i``, ``δ``: every neuron with ``a_j ≠ 0`` is dead (``r_j ≤ 0``,
                   ``β_j ≤ 0``) or has ``r_ji > 0``, ``r_jk ≤ 0`` (``k ≠ i``), ``β_j ≤ 0``,
                   ``β_j ≤ δ r_ji``; then ``b1_i += δ`` and ``β_j −= δ r_ji`` for the latter
=================  ==========================================================================

Each move's ``mechanism`` label must be the one of its kind (``M0``–``M5``) so that no unverified
text travels with the certificate.
"""

from __future__ import annotations

import re

from flint import fmpq

from ..certificates import MalformedCertificate
from ..numbers import parse_scalar
from .result import CheckResult

MECHANISM = {"permute": "M0", "scale": "M1", "remove": "M2", "insert": "M2", "reweight": "M1",
             "active_block": "M4", "flip": "M5", "hide_transfer": "M3"}


class BadMove(Exception):
    """A move whose precondition fails (the certificate is invalid, not malformed)."""


#: A short plain fraction ``p/q`` in ASCII digits (the common form of certificate numbers).
_FRACTION = re.compile(r"(-?[0-9]{1,30})/([0-9]{1,30})")


def _q(v, what: str) -> fmpq:
    if type(v) is int:
        return fmpq(v)
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise MalformedCertificate(f"certificate: {what} must be a number")
    m = _FRACTION.fullmatch(v) if type(v) is str else None
    if m and m.group(2).strip("0"):  # a zero denominator goes to the general parser's error
        return fmpq(int(m.group(1)), int(m.group(2)))
    x = parse_scalar(v)
    if not isinstance(x, fmpq):
        raise MalformedCertificate(f"certificate: {what} must be rational, got {v!r}")
    return x


def _qs(vs, what: str) -> list:
    if not isinstance(vs, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    return [_q(v, what) for v in vs]


def _int(v, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise MalformedCertificate(f"certificate: {what} must be an integer")
    return v


class State:
    """``(W1, b1, W2, b2, W3, b3)`` as lists of lists of ``fmpq`` with ``n0``, ``n3`` kept."""

    def __init__(self, n0, W1, b1, W2, b2, W3, b3):
        self.n0, self.n3 = n0, len(b3)
        self.W1, self.b1 = [list(r) for r in W1], list(b1)
        self.W2, self.b2 = [list(r) for r in W2], list(b2)
        self.W3, self.b3 = [list(r) for r in W3], list(b3)

    @property
    def n1(self) -> int:
        return len(self.b1)

    @property
    def n2(self) -> int:
        return len(self.b2)

    def key(self) -> tuple:
        return (self.n0, self.n3, self.W1, self.b1, self.W2, self.b2, self.W3, self.b3)

    # neurons as (incoming row, bias, outgoing column)
    def units(self, layer: int) -> list:
        if layer == 1:
            return [(self.W1[i], self.b1[i], [r[i] for r in self.W2]) for i in range(self.n1)]
        return [(self.W2[j], self.b2[j], [r[j] for r in self.W3]) for j in range(self.n2)]

    def set_units(self, layer: int, units: list) -> None:
        if layer == 1:
            self.W1 = [list(u[0]) for u in units]
            self.b1 = [u[1] for u in units]
            self.W2 = [[u[2][j] for u in units] for j in range(self.n2)]
        else:
            self.W2 = [list(u[0]) for u in units]
            self.b2 = [u[1] for u in units]
            self.W3 = [[u[2][s] for u in units] for s in range(self.n3)]


def _state(net) -> State:
    (L1, L2, L3) = net.layers
    return State(net.input_dim, L1.weight, L1.bias, L2.weight, L2.bias, L3.weight, L3.bias)


def _layer(mv) -> int:
    layer = _int(mv.get("layer"), "move layer")
    if layer not in (1, 2):
        raise BadMove(f"no hidden layer {layer} (the layers are 1 and 2)")
    return layer


def _distinct(units, width: int, what: str) -> None:
    if len(set(units)) != len(units) or any(not 0 <= u < width for u in units):
        raise BadMove(f"{what}: unit indices {list(units)} are not distinct units of a layer of width {width}")


def _neurons(items, nin: int, nout: int, what: str) -> list:
    if not isinstance(items, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    out = []
    for d in items:
        if not isinstance(d, dict):
            raise MalformedCertificate(f"certificate: {what}: a neuron must be an object")
        pos = _int(d.get("position"), f"{what} position")
        row, bias, col = _qs(d.get("row"), f"{what} row"), _q(d.get("bias"), f"{what} bias"), _qs(d.get("out"), f"{what} out")
        if len(row) != nin or len(col) != nout:
            raise BadMove(f"{what}: a neuron has the wrong shape")
        out.append((pos, (row, bias, col)))
    return out


def _splice(items: list, removed, inserted) -> list:
    gone = set(removed)
    out = [x for k, x in enumerate(items) if k not in gone]
    for pos, item in sorted(inserted, key=lambda t: t[0]):
        if not 0 <= pos <= len(out):
            raise BadMove(f"insertion position {pos} out of range")
        out.insert(pos, item)
    return out


def _nonneg(r, beta) -> bool:
    return all(v >= 0 for v in r) and beta >= 0


def _nonpos(r, beta) -> bool:
    return all(v <= 0 for v in r) and beta <= 0


def _affine_sum(units, n1: int, n3: int):
    """``(Σ a rᵀ, Σ a β)`` over neurons ``(r, β, a)``."""
    C = [[fmpq(0)] * n1 for _ in range(n3)]
    c = [fmpq(0)] * n3
    for r, beta, a in units:
        for s in range(n3):
            if a[s] != 0:
                for k in range(n1):
                    C[s][k] += a[s] * r[k]
                c[s] += a[s] * beta
    return C, c


def _b3(mv, st: State) -> list:
    b3 = _qs(mv.get("b3"), "b3")
    if len(b3) != st.n3:
        raise BadMove("b3 has the wrong length")
    return b3


def _block_change(st: State, mv, name: str):
    """Parse ``remove``/``add``/``b3`` of an ``active_block``/``flip`` move and check both blocks are
    ``≥ 0``; returns (old units, added (pos, unit), their affine sums, new b3)."""
    remove = [_int(j, f"{name} remove") for j in (mv.get("remove") if isinstance(mv.get("remove"), list) else [None])]
    _distinct(remove, st.n2, name)
    units = st.units(2)
    old = [units[j] for j in remove]
    add = _neurons(mv.get("add"), st.n1, st.n3, f"{name} add")
    for r, beta, _a in old + [u for _p, u in add]:
        if not _nonneg(r, beta):
            raise BadMove(f"{name}: a block neuron has a negative weight or bias (it is not always active)")
    C0, c0 = _affine_sum(old, st.n1, st.n3)
    C1, c1 = _affine_sum([u for _p, u in add], st.n1, st.n3)
    return remove, add, (C0, c0), (C1, c1), _b3(mv, st)


def apply_move(st: State, mv) -> None:
    """Apply one move to ``st`` in place after checking its precondition (raises :class:`BadMove`)."""
    if not isinstance(mv, dict):
        raise MalformedCertificate("certificate: a move must be an object")
    kind = mv.get("move")
    if kind not in MECHANISM:
        raise MalformedCertificate(f"certificate: unknown three-layer move {kind!r}")
    if mv.get("mechanism") != MECHANISM[kind]:
        raise BadMove(f"{kind}: the mechanism label must be {MECHANISM[kind]!r}")
    if kind == "permute":
        layer = _layer(mv)
        units = st.units(layer)
        order = mv.get("order")
        if not isinstance(order, list) or sorted(o for o in order if isinstance(o, int)) != list(range(len(units))) \
                or any(isinstance(o, bool) for o in order):
            raise BadMove("permute: the order is not a permutation of the layer")
        st.set_units(layer, [units[k] for k in order])
    elif kind == "scale":
        layer = _layer(mv)
        units = st.units(layer)
        factors = mv.get("factors")
        if not isinstance(factors, list):
            raise MalformedCertificate("certificate: scale factors must be a list")
        pairs = [(_int(d.get("unit"), "scale unit"), _q(d.get("factor"), "scale factor")) for d in factors]
        _distinct([u for u, _c in pairs], len(units), "scale")
        for j, c in pairs:
            if not c > 0:
                raise BadMove("scale: a factor is not positive")
            r, beta, a = units[j]
            units[j] = ([c * v for v in r], c * beta, [v / c for v in a])
        st.set_units(layer, units)
    elif kind in ("remove", "insert"):
        layer = _layer(mv)
        reason = mv.get("reason")
        if reason not in ("dead", "silent"):
            raise BadMove(f"{kind}: the reason must be 'dead' or 'silent'")
        if reason == "dead" and layer != 2:
            raise BadMove(f"{kind}: only second-layer neurons are removed as dead")
        units = st.units(layer)

        def allowed(u) -> bool:
            return _nonpos(u[0], u[1]) if reason == "dead" else all(v == 0 for v in u[2])

        if kind == "remove":
            gone = [_int(j, "remove unit") for j in (mv.get("units") if isinstance(mv.get("units"), list) else [None])]
            _distinct(gone, len(units), "remove")
            if not all(allowed(units[j]) for j in gone):
                raise BadMove(f"remove: a neuron is not {reason} ({'row and bias <= 0' if reason == 'dead' else 'its outgoing column is not zero'})")
            st.set_units(layer, _splice(units, gone, ()))
        else:
            nin, nout = (st.n0, st.n2) if layer == 1 else (st.n1, st.n3)
            new = _neurons(mv.get("neurons"), nin, nout, "insert")
            if not all(allowed(u) for _p, u in new):
                raise BadMove(f"insert: an inserted neuron is not {reason}")
            st.set_units(layer, _splice(units, (), new))
    elif kind == "reweight":
        units = [list(u) for u in st.units(2)]
        pairs = mv.get("pairs")
        if not isinstance(pairs, list):
            raise MalformedCertificate("certificate: reweight pairs must be a list")
        for d in pairs:
            if not isinstance(d, dict):
                raise MalformedCertificate("certificate: a reweight pair must be an object")
            j, k = _int(d.get("from"), "reweight from"), _int(d.get("to"), "reweight to")
            lam, c = _q(d.get("lambda"), "reweight lambda"), _qs(d.get("amount"), "reweight amount")
            _distinct([j, k], len(units), "reweight")
            if len(c) != st.n3:
                raise BadMove("reweight: the amount has the wrong length")
            if not lam > 0:
                raise BadMove("reweight: lambda is not positive")
            (rj, bj, _), (rk, bk, _) = units[j], units[k]
            if bj != lam * bk or any(x != lam * y for x, y in zip(rj, rk)):
                raise BadMove(f"reweight: neuron {j} is not lambda times neuron {k}")
            units[j][2] = [a - x for a, x in zip(units[j][2], c)]
            units[k][2] = [a + lam * x for a, x in zip(units[k][2], c)]
        st.set_units(2, [tuple(u) for u in units])
    elif kind == "active_block":
        remove, add, (C0, c0), (C1, c1), b3 = _block_change(st, mv, "active_block")
        if C0 != C1:
            raise BadMove("active_block: the block's linear part sum a r^T changes")
        if [x + y for x, y in zip(c0, st.b3)] != [x + y for x, y in zip(c1, b3)]:
            raise BadMove("active_block: the block's constant sum a beta + b3 changes")
        st.set_units(2, _splice(st.units(2), remove, add))
        st.b3 = b3
    elif kind == "flip":
        flipped = [_int(j, "flip unit") for j in (mv.get("units") if isinstance(mv.get("units"), list) else [None])]
        _distinct(flipped, st.n2, "flip")
        remove, add, (C0, c0), (C1, c1), b3 = _block_change(st, mv, "flip")
        if set(flipped) & set(remove):
            raise BadMove("flip: a flipped neuron is also in the block")
        units = st.units(2)
        L, ell = _affine_sum([units[j] for j in flipped], st.n1, st.n3)
        if any(C1[s][k] - C0[s][k] != L[s][k] for s in range(st.n3) for k in range(st.n1)):
            raise BadMove("flip: the block's linear part does not grow by the flipped neurons' sum a r^T")
        if any(c1[s] + b3[s] - c0[s] - st.b3[s] != ell[s] for s in range(st.n3)):
            raise BadMove("flip: the block's constant does not grow by the flipped neurons' sum a beta")
        for j in flipped:
            r, beta, a = units[j]
            units[j] = ([-v for v in r], -beta, a)
        st.set_units(2, _splice(units, remove, add))
        st.b3 = b3
    else:  # hide_transfer
        i = _int(mv.get("unit"), "hide_transfer unit")
        d = _q(mv.get("delta"), "hide_transfer delta")
        if not 0 <= i < st.n1:
            raise BadMove(f"hide_transfer: no first-layer neuron {i}")
        new_b2 = list(st.b2)
        for j in range(st.n2):
            r, beta = st.W2[j], st.b2[j]
            if all(row[j] == 0 for row in st.W3) or _nonpos(r, beta):
                continue
            if not r[i] > 0 or any(v > 0 for k, v in enumerate(r) if k != i) or beta > 0:
                raise BadMove(f"hide_transfer: live neuron {j} does not have W2[j,i] > 0, W2[j,k] <= 0 (k != i),"
                              " b2[j] <= 0")
            if beta > d * r[i]:
                raise BadMove(f"hide_transfer: b2[{j}] > delta W2[{j},{i}]")
            new_b2[j] = beta - d * r[i]
        st.b2 = new_b2
        st.b1[i] = st.b1[i] + d


def check_three_layer_moves(a, b, evidence) -> CheckResult:
    """Theorem S (module docstring): replay the moves from ``a`` and compare the end with ``b``."""
    for name, net in (("first", a), ("second", b)):
        if net.depth != 2:
            return CheckResult(False, f"three_layer_moves needs two hidden layers; the {name} network has {net.depth}")
        if not net.is_rational:
            return CheckResult(False, "three_layer_moves needs rational weights")
    moves = evidence.get("moves")
    if not isinstance(moves, list):
        raise MalformedCertificate("certificate: 'moves' must be a list")
    st = _state(a)
    for k, mv in enumerate(moves):
        try:
            apply_move(st, mv)
        except BadMove as exc:
            return CheckResult(False, f"invalid move {k + 1} ({mv.get('move')}): {exc}")
    if st.key() != _state(b).key():
        return CheckResult(False, "the moves do not take the first network to the second")
    return CheckResult(True, f"{len(moves)} function-preserving mechanism moves take the first network to the second"
                             " (Theorem S)")


__all__ = ["BadMove", "MECHANISM", "State", "apply_move", "check_three_layer_moves"]
