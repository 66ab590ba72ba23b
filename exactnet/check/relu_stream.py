"""Independent, streaming checker of streamed ``relu.equivalence`` region trees
(``exactnet.certificate/2``, evidence ``region_tree_stream``; ``docs/certificates.md``, "Streamed
region trees").

The header carries the claim (equivalent, tier ``d``), the two networks and the reducing moves
(replayed with every precondition, Theorem M, by :mod:`exactnet.check.relu`). Then one record per
tree node in preorder (a split node is followed by its positive subtree, then its negative one):
``[proofs, segments, split]``. The checker keeps only the current path (a stack of pending
negative children), so its memory is bounded by the depth of the tree, never by its size.

**Theorem T′ (closed cells).** Let the *closed cell* of a node be the domain ``D`` intersected with
the closed half-spaces ``e ≥ 0`` / ``e ≤ 0`` of the splits on its path. Along every path every hidden
unit of both networks is decided exactly once, layer by layer, its preactivation ``e`` recomputed
exactly from the labels above it. If every decision's label ``s`` satisfies ``s·e ≥ 0`` on the
closed cell (``s = 0`` only for ``e ≡ 0``), then on the closed cell of a leaf each network equals its
affine map computed from the labels (``relu(e) = e`` where ``e ≥ 0``, ``= 0`` where ``e ≤ 0``). Every
``x ∈ D`` lies in the closed cell of some leaf (follow the sign of each split form at ``x``; at
``e(x) = 0`` either child), so equal maps at every leaf give ``A = B`` on all of ``D``. No interior
point and no stated map is needed: the maps are recomputed and compared, and a leaf whose cell is
empty proves nothing and needs nothing.

The sign of a fixed unit is proved by Lemma F on the closed cell whose rows are the primitive
integer domain rows, then the split rows of the path (``r ≥ 0``; the split row of the negative child
is negated). A proof is an entry of the node's table:

* a *support* ``[i_1, …, i_s]`` (``1 ≤ s ≤ n`` distinct rows with linearly independent gradients
  ``G``): ``z`` is the unique solution of ``G z = g_e`` (the checker solves it exactly and verifies
  it), and ``e(x) = Σ z_k r_{i_k}(x) + v`` with ``v = h_e − Σ z_k h_{i_k}``. If ``z ≥ 0`` and
  ``v ≥ 0`` then ``e ≥ 0`` on the closed cell (label ``+1``); if ``z ≤ 0`` and ``v ≤ 0``, ``e ≤ 0``
  (label ``−1``). This is Lemma F with ``t = 1`` and ``y = ±z``;
* an explicit ``{"y": [[i, y_i], ...], "t": t}`` over the primitive row ``(g, h)`` of ``e``: Lemma F
  for ``−e`` (label ``+1``) or for ``e`` (label ``−1``), whichever identity holds.

``proof = −1`` marks a constant preactivation (``g_e = 0``), whose label is the sign of ``h_e``.
Forms are kept as integer matrices times a positive denominator (positive scalings never change
a sign), so a check is integer arithmetic except for supports smaller than ``n``.
"""

from __future__ import annotations

import math
from operator import mul
from pathlib import Path

from flint import fmpq, fmpq_mat, fmpz_mat

from ..certificates import MalformedCertificate
from ..certificates.format import certificate_networks
from ..certificates.schema import validate_stream_header
from ..certificates.stream import StreamReader
from ..errors import InputError
from ..network.domain import domain_from_obj
from .relu import BadMove, domain_rows, rational, replay_both
from .result import CheckResult, Invalid


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, str)


def _malformed(what: str):
    raise MalformedCertificate(f"certificate: {what}")


# ---------------------------------------------------------------------------------------------
# one network along a path: integer forms
# ---------------------------------------------------------------------------------------------


class _Compiled:
    """Layers as integer homogeneous matrices ``L·[[W, b], [0, 1]]`` (``L > 0`` clears denominators)."""

    __slots__ = ("hat", "scale", "widths", "n")

    def __init__(self, layers, n: int):
        self.n = n
        self.widths = [len(W) for W, _ in layers]
        self.hat, self.scale = [], []
        for W, b in layers:
            rows = [list(r) + [bv] for r, bv in zip(W, b)]
            rows.append([fmpq(0)] * len(W[0]) + [fmpq(1)])
            den = 1
            for r in rows:
                for v in r:
                    q = int(v.q)
                    if q != 1:
                        den = den * q // math.gcd(den, q)
            self.hat.append(fmpz_mat(len(rows), len(rows[0]), [int(v.p) * (den // int(v.q)) for r in rows for v in r]))
            self.scale.append(den)


class _State:
    """One network on the current cell: ``F`` (integer, ``D`` times the forms of the current
    layer, last row ``(0, …, 0, D)``), its rows as Python ints, this layer's labels; ``out`` the
    final ``(F, D)`` once every hidden unit is decided."""

    __slots__ = ("net", "layer", "F", "D", "ints", "labels", "left", "out")

    def __init__(self, net, layer, F, D, ints, labels, left, out):
        self.net, self.layer, self.F, self.D = net, layer, F, D
        self.ints, self.labels, self.left, self.out = ints, labels, left, out

    @classmethod
    def start(cls, net: _Compiled) -> "_State":
        F, D = net.hat[0], net.scale[0]
        if len(net.hat) == 1:
            return cls(net, 0, None, D, None, None, 0, (F, D))
        return cls(net, 0, F, D, [[int(v) for v in row] for row in F.tolist()], [None] * net.widths[0],
                   net.widths[0], None)

    def copy(self) -> "_State":
        if self.out is not None:
            return self
        return _State(self.net, self.layer, self.F, self.D, self.ints, list(self.labels), self.left, None)

    def form(self, unit: int) -> list[int]:
        return self.ints[unit]

    def decide(self, unit: int, label: int) -> None:
        self.labels[unit] = label
        self.left -= 1
        if self.left:
            return
        net, n = self.net, self.net.n
        zero = [0] * (n + 1)
        masked = [v for j, lab in enumerate(self.labels) for v in (self.ints[j] if lab == 1 else zero)]
        masked += self.ints[-1]
        nxt = self.layer + 1
        F = net.hat[nxt] * fmpz_mat(len(self.ints), n + 1, masked)
        D = self.D * net.scale[nxt]
        if nxt == len(net.hat) - 1:
            self.layer, self.F, self.D, self.ints, self.labels, self.left, self.out = nxt, None, D, None, None, 0, (F, D)
            return
        self.layer, self.F, self.D = nxt, F, D
        self.ints = [[int(v) for v in row] for row in F.tolist()]
        self.labels = [None] * net.widths[nxt]
        self.left = net.widths[nxt]


def _primitive(ints, n: int):
    div = 0
    for a in ints:
        div = math.gcd(div, a)
    if div > 1:
        ints = [a // div for a in ints]
    return tuple(ints[:n]), ints[n]


# ---------------------------------------------------------------------------------------------
# sign proofs
# ---------------------------------------------------------------------------------------------


class _Support:
    """A support ``S`` of ``s`` rows: solves ``G z = g`` exactly (``s = n``: the integer adjugate)."""

    __slots__ = ("rows", "adj", "det", "pinv", "cols")

    def __init__(self, cell, support, n: int):
        if not (isinstance(support, list) and 1 <= len(support) <= n and all(_int(i) for i in support)):
            _malformed("a proof support is a list of 1..n row indices")
        if len(set(support)) != len(support) or not all(0 <= i < len(cell) for i in support):
            raise Invalid("a proof names a row the cell does not have (or one twice)")
        self.rows = [cell[i] for i in support]
        s = len(support)
        G = fmpz_mat(n, s, [self.rows[k][0][r] for r in range(n) for k in range(s)])
        if s == n:
            if n == 2:  # the common case, in Python integers
                (a, c), (b, d_) = self.rows[0][0], self.rows[1][0]  # G = [[a, b], [c, d_]]
                d = a * d_ - b * c
                adj = [[d_, -b], [-c, a]]
            else:
                d = int(G.det())
                adj = None
            if d == 0:
                raise Invalid("a proof support has linearly dependent rows")
            if adj is None:
                inv = G.inv()  # fmpq_mat; d·G⁻¹ is the integer adjugate
                adj = [[int((inv[i, j] * d).p) for j in range(n)] for i in range(s)]
            sgn = 1 if d > 0 else -1
            self.det = abs(d)
            self.adj = adj if sgn > 0 else [[-v for v in row] for row in adj]
            self.pinv = None
        else:
            Gq = fmpq_mat(G)
            M = Gq.transpose() * Gq
            if M.det() == 0:
                raise Invalid("a proof support has linearly dependent rows")
            self.pinv = M.inv() * Gq.transpose()
            self.cols = [[fmpq(self.rows[k][0][r]) for r in range(n)] for k in range(s)]
            self.adj = self.det = None

    def label(self, g, h) -> int | None:
        """``+1`` / ``−1`` if the support proves ``e ≥ 0`` / ``e ≤ 0`` on the closed cell, else ``None``."""
        rows = self.rows
        if self.adj is not None:
            z = [sum(map(mul, arow, g)) for arow in self.adj]  # det·z
            v = self.det * h
            for zk, r in zip(z, rows):
                v -= zk * r[1]  # det·v
        else:
            n = len(g)
            z = [sum(self.pinv[k, r] * g[r] for r in range(n)) for k in range(len(rows))]
            for r in range(n):
                if sum(z[k] * self.cols[k][r] for k in range(len(rows))) != g[r]:
                    return None  # g is not in the span of the support
            v = h - sum(zk * r[1] for zk, r in zip(z, rows))
        if v >= 0 and min(z) >= 0:
            return 1
        if v <= 0 and max(z) <= 0:
            return -1
        return None


class _Explicit:
    """An explicit Farkas proof ``{"y": [[i, y_i], ...], "t": t}`` (Lemma F, ``t > 0``)."""

    __slots__ = ("sg", "sh", "t")

    def __init__(self, cell, proof, n: int):
        if set(proof) != {"y", "t"} or not isinstance(proof["y"], list):
            _malformed('an explicit proof is {"y": [[i, y_i], ...], "t": t}')
        if not all(_number(v) for v in [proof["t"]] + [item[1] for item in proof["y"]
                                                        if isinstance(item, list) and len(item) == 2]):
            _malformed("Farkas numbers are JSON integers or strings")
        self.t = rational(proof["t"], "Farkas t")
        if self.t <= 0:
            raise Invalid("a Farkas proof needs t > 0")
        sg, sh = [fmpq(0)] * n, fmpq(0)
        for item in proof["y"]:
            if not (isinstance(item, list) and len(item) == 2 and _int(item[0])):
                _malformed("Farkas entries are [index, value]")
            i, y = item[0], rational(item[1], "Farkas multiplier")
            if not (0 <= i < len(cell)) or y < 0:
                raise Invalid("a Farkas multiplier is negative or names a row the cell does not have")
            g, h = cell[i]
            for k in range(n):
                if g[k]:
                    sg[k] += y * g[k]
            sh += y * h
        self.sg, self.sh = sg, sh

    def label(self, g, h) -> int | None:
        t, sg, sh = self.t, self.sg, self.sh
        if all(a == t * b for a, b in zip(sg, g)) and sh - t * h <= 0:
            return 1  # Σ y r − t·e ≡ c ≤ 0: −e ≤ 0
        if all(a == -t * b for a, b in zip(sg, g)) and sh + t * h <= 0:
            return -1
        return None


# ---------------------------------------------------------------------------------------------
# the walk over the records
# ---------------------------------------------------------------------------------------------


def _target(states, k, unit, where: str):
    if type(k) is not int or type(unit) is not int or k not in (0, 1):
        raise Invalid(f"{where}: a decision names an unknown network")
    st = states[k]
    if st.out is not None:
        raise Invalid(f"{where}: a decision on a network whose units are all decided")
    if not (0 <= unit < len(st.labels)) or st.labels[unit] is not None:
        raise Invalid(f"{where}: unit {unit} of layer {st.layer} is unknown or decided twice")
    return st


def _node(record, index: int, cell, states, n: int):
    """Apply one record to the path state; returns the split ``(k, unit, row)`` or ``None``."""
    where = f"node {index}"
    if not (isinstance(record, list) and len(record) == 3 and isinstance(record[0], list)
            and isinstance(record[1], list)):
        _malformed(f"{where}: a record is [proofs, segments, split]")
    table, segments, split = record
    proofs = []
    for entry in table:
        if isinstance(entry, list):
            proofs.append(_Support(cell, entry, n))
        elif isinstance(entry, dict):
            proofs.append(_Explicit(cell, entry, n))
        else:
            _malformed(f"{where}: a proof is a list of row indices or an object")
    for seg in segments:
        if not (type(seg) is list and len(seg) % 2 == 1 and len(seg) >= 3 and all(type(v) is int for v in seg)):
            _malformed(f"{where}: a segment is [net, unit, proof, unit, proof, ...]")
        k = seg[0]
        for pos in range(1, len(seg), 2):
            unit, ref = seg[pos], seg[pos + 1]
            st = _target(states, k, unit, where)
            row = st.ints[unit]
            g, h = row[:n], row[n]
            constant = not any(g)
            if ref == -1:
                if not constant:
                    raise Invalid(f"{where}: a non-constant preactivation needs a sign proof")
                label = 1 if h > 0 else -1 if h < 0 else 0
            else:
                if constant:
                    raise Invalid(f"{where}: a constant preactivation carries its own sign, not a proof")
                if not (0 <= ref < len(proofs)):
                    raise Invalid(f"{where}: a decision names a proof the node does not have")
                proof = proofs[ref]
                if isinstance(proof, _Explicit):
                    g, h = _primitive(row, n)
                label = proof.label(g, h)
                if label is None:
                    raise Invalid(f"{where}: the proof of a fixed sign does not verify")
            st.decide(unit, label)
    if split is None:
        return None
    if not (isinstance(split, list) and len(split) == 2 and all(type(v) is int for v in split)):
        _malformed(f"{where}: a split is [net, unit] or null")
    k, unit = split
    st = _target(states, k, unit, where)
    row = st.form(unit)
    if not any(row[:n]):
        raise Invalid(f"{where}: a split on a constant preactivation")
    return k, unit, _primitive(row, n)


def _same_map(states) -> bool:
    (fa, da), (fb, db) = states[0].out, states[1].out
    return fa * db == fb * da


def _walk(reader: StreamReader, la, lb, rows, n: int) -> CheckResult:
    compiled = [_Compiled(la, n), _Compiled(lb, n)]
    current = (list(rows), [_State.start(c) for c in compiled])
    pending: list = []
    index = leaves = 0
    for record in reader:
        if current is None:
            raise Invalid(f"node {index}: the tree is already complete (extra records)")
        cell, states = current
        split = _node(record, index, cell, states, n)
        if split is None:
            if any(s.out is None for s in states):
                raise Invalid(f"node {index}: a leaf where some unit is undecided")
            if not _same_map(states):
                raise Invalid(f"node {index}: the networks' affine maps differ on a leaf cell")
            leaves += 1
            current = pending.pop() if pending else None
        else:
            k, unit, (g, h) = split
            neg = [s.copy() for s in states]
            neg[k].decide(unit, -1)
            pending.append((cell + [(tuple(-a for a in g), -h)], neg))
            states[k].decide(unit, 1)
            cell.append((g, h))
            current = (cell, states)
        index += 1
    if current is not None:
        raise Invalid("the tree is incomplete (records end before every subtree has its leaves)")
    return CheckResult(True, f"equal affine maps on all {leaves} leaf cells of a verified streamed region tree"
                             " (Theorem T', docs/certificates.md)")


def check(reader: StreamReader) -> CheckResult:
    """Verify a streamed ``relu.equivalence`` certificate from its open reader (header validated);
    malformed records raise :class:`MalformedCertificate`. The digest is compared at the trailer
    and a mismatch makes the answer invalid whatever the mathematics said."""
    try:
        result = _check(reader, reader.header)
    except Invalid as exc:
        result = CheckResult(False, str(exc))
    except MalformedCertificate:
        raise
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    if reader.digest_ok is None:  # stopped early: read on to the trailer (malformed if truncated)
        reader.drain()
    if not reader.digest_ok:
        return CheckResult(False, "the certificate was modified after it was written (its SHA-256 digest does"
                                  " not match the lines before its trailer)")
    return result


def check_stream(path: str | Path) -> CheckResult:
    """Verify a streamed certificate file (``exactnet.certificate/2``); malformed ones raise."""
    with StreamReader(path) as reader:
        validate_stream_header(reader.header)
        return check(reader)


def _check(reader: StreamReader, header: dict) -> CheckResult:
    a, b = certificate_networks(header)
    if a.activation != "relu" or b.activation != "relu":
        return CheckResult(False, "both networks must be ReLU networks")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    from ..network import common_field

    a, b = common_field(a, b)
    claim = header["claim"]
    if claim.get("equivalent") is not True:
        return CheckResult(False, "a region tree certifies equivalence, but the claim is 'not equivalent'")
    if claim.get("tier") != "d":
        return CheckResult(False, f"evidence 'region_tree_stream' belongs to tier 'd', the claim says {claim.get('tier')!r}")
    dom_obj = claim.get("domain")
    domain = None if dom_obj is None else domain_from_obj(dom_obj, "certificate domain")
    if domain is not None and domain.dim != a.input_dim:
        return CheckResult(False, "the domain's dimension differs from the networks' input dimension")
    rows = domain_rows(domain)
    if rows is None:
        return CheckResult(False, "the domain is empty")
    if not (a.is_rational and b.is_rational):
        return CheckResult(False, "region-tree proofs need rational networks")
    try:
        la, lb = replay_both(a, b, rows, header["evidence"])
    except BadMove as exc:
        return CheckResult(False, f"invalid move: {exc}")
    rows = [(tuple(int(v) for v in g), int(h)) for g, h in rows]
    return _walk(reader, la, lb, rows, a.input_dim)


__all__ = ["check", "check_stream"]
