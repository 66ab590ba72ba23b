"""Independent checker of ``tanh.*`` certificates (``exactnet check``).

Shares only parsing and number types with the deciding code: it imports
:mod:`exactnet.numbers`, :mod:`exactnet.network` and the pure number module
:mod:`exactnet.numbers.tanh_scalar` (the ``r_0 + Σ r_q·tanh(q)`` scalar), never the compression,
move or equivalence modules. Everything is re-verified with exact arithmetic (``arb`` balls
only where a transcendental value is compared, and only rigorously). The certificate's shape
(every key) was validated before (:mod:`exactnet.certify.schema`).

Kind ``tanh.equivalence`` (format described in :mod:`exactnet.tanh.certificates`): claim
``{"equivalent": bool, "domain"?: box}`` about the inline networks ``A``, ``B``. Common
hypotheses, checked first: both are one-hidden-layer tanh networks with equal input and
output dimensions; a claimed domain is a rational box ``lower < upper`` of dimension ``n``
(nonempty, full-dimensional; anything else is invalid). One theorem per evidence type:

* ``moves`` (claim true). **Theorem M:** every record (:mod:`exactnet.tanh.moves`) preserves
  ``f`` on ``R^n`` when its precondition holds: ``permute`` (a permutation), ``negate``
  (``tanh`` is odd), ``absorb`` (``b = 0``: the unit is the constant ``a·tanh(c)``, added to the
  symbolic output bias; the recorded ``a, c`` must equal the unit's), ``emit`` (its inverse),
  ``remove_dead``/``insert_dead`` (``a = 0``), ``merge`` (identical ``(b, c)``), ``split`` (its
  inverse), insertion positions distinct and inside the new list. If the records take ``A``
  exactly to ``B`` (output bias compared coefficientwise as tanh scalars) then ``f_A = f_B``
  on ``R^n``, hence on any domain.
* ``witness`` (claim false). **Theorem W:** if ``x`` lies in the domain and rigorous enclosures
  of ``f_A(x)_k`` and ``f_B(x)_k`` are disjoint, then ``f_A ≠ f_B`` there. Checked: ``x``
  rational with ``n`` coordinates, in the closed box when one is claimed; ``k`` an output
  index; ``precision`` a power of two in ``[64, 2^14]``; both enclosures recomputed with
  :func:`exactnet.network.evaluate`, rounded outward to the ``2^-(p//2)`` grid, equal to the
  recorded intervals, and disjoint.
* ``constant_difference`` (claim false). **Theorem D:** if the non-constant units of ``A`` and
  ``B`` (grouped by normalised key, sign of the first nonzero coordinate of ``b``) carry equal
  merged weights, then ``f_A − f_B`` is the constant vector ``δ_A − δ_B`` (output bias plus
  constant units, as tanh scalars); a scalar that is nonzero coefficientwise is a nonzero real
  number (linear independence of ``1, tanh(q_1), …``; :mod:`exactnet.numbers.tanh_scalar`), so the
  networks differ at *every* point — of a nonempty domain. Checked: the merged weights, the
  recorded difference equal to ``δ_A − δ_B`` and nonzero, and the domain nonempty (above).

Kind ``tanh.path`` (piecewise-linear paths inside a class) is checked by
:mod:`exactnet.certify.tanh_path_check`; ``tanh.proximate_rank`` by
:mod:`exactnet.certify.check_tanh_proximity`.

Semantic failures (a wrong number anywhere) give ``valid = False``; a structurally broken
certificate raises :class:`~exactnet.certify.MalformedCertificate`.
"""

from __future__ import annotations

from flint import fmpq

from ..errors import InputError
from ..network import evaluate
from ..network.domain import Box, domain_from_obj
from ..numbers import sign
from ..numbers.algebraic import ball_bounds
from ..numbers.tanh_scalar import TanhScalar, vector_from_json
from ..network.literals import bind_literals, table_parser
from . import CheckResult, MalformedCertificate, certificate_networks, number_literals

_ZERO = fmpq(0)
MAX_PRECISION = 1 << 14
_NON_NUMERIC_KEYS = {"move", "type"}


class _Invalid(Exception):
    """A certificate whose numbers do not support its claim."""


def check(obj: dict) -> CheckResult:
    kind = obj.get("kind")
    if kind == "tanh.path":  # paths: exactnet.certify.tanh_path_check (same independence rules)
        from .tanh_path_check import check_path

        return check_path(obj)
    if kind == "tanh.proximate_rank":  # prank upper bounds: exactnet.certify.check_tanh_proximity
        from .check_tanh_proximity import check as check_proximity

        return check_proximity(obj)
    if kind != "tanh.equivalence":
        raise MalformedCertificate(f"certificate: unknown kind {kind!r}"
                                   " (expected 'tanh.equivalence', 'tanh.path' or 'tanh.proximate_rank')")
    nets = certificate_networks(obj)
    if len(nets) != 2:
        raise MalformedCertificate("certificate: a tanh.equivalence certificate has exactly two networks")
    claim, evidence = obj["claim"], obj["evidence"]
    equivalent = claim.get("equivalent")
    if not isinstance(equivalent, bool):
        raise MalformedCertificate("certificate: claim.equivalent must be true or false")
    etype = evidence.get("type")
    if etype not in ("moves", "witness", "constant_difference"):
        raise MalformedCertificate(f"certificate: unknown evidence type {etype!r}")
    try:
        for i, net in enumerate(nets, start=1):
            if net.activation != "tanh" or net.depth != 1:
                raise _Invalid(f"network {i} is not a one-hidden-layer tanh network")
        if nets[0].input_dim != nets[1].input_dim or nets[0].output_dim != nets[1].output_dim:
            raise _Invalid("the two networks have different input or output dimensions")
        domain = _claimed_box(claim, nets[0].input_dim)
        nets, table = bind_literals(nets, _literals(evidence))
        num = table_parser(table)
        if equivalent and etype == "moves":
            return _check_moves(nets, evidence, num)
        if not equivalent and etype == "witness":
            return _check_witness(nets, evidence, domain, num)
        if not equivalent and etype == "constant_difference":
            return _check_constant_difference(nets, evidence, num)
        raise _Invalid(f"evidence of type {etype!r} cannot support the claim equivalent={equivalent}")
    except _Invalid as exc:
        return CheckResult(False, str(exc))


def _literals(obj) -> list:
    return number_literals(obj, _NON_NUMERIC_KEYS)


def _claimed_box(claim: dict, n: int):
    """The claimed domain: ``None`` (``R^n``) or a rational box ``lower < upper`` of dimension ``n``."""
    if "domain" not in claim:
        return None
    try:
        box = domain_from_obj(claim["domain"], "claim.domain")
    except InputError as exc:
        raise _Invalid(f"the claimed domain is not a nonempty box: {exc}") from None
    if not isinstance(box, Box):
        raise MalformedCertificate("certificate: claim.domain must be a box {lower, upper}")
    if box.dim != n:
        raise _Invalid(f"the claimed domain has dimension {box.dim}, the networks take {n} inputs")
    return box


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _state(net) -> dict:
    first, second = net.layers
    return {
        "a": [tuple(col) for col in zip(*second.weight)],
        "b": [tuple(row) for row in first.weight],
        "c": list(first.bias),
        "d": [TanhScalar.of(v) for v in second.bias],
        "n": net.input_dim,
        "m": net.output_dim,
    }


def _int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{what} must be an integer, got {value!r}")
    return value


def _index(value, width: int, what: str) -> int:
    i = _int(value, what)
    if not 0 <= i < width:
        raise _Invalid(f"{what} = {i} is not a unit index (width {width})")
    return i


def _list(value, what: str) -> list:
    if not isinstance(value, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    return value


def _vector(value, length: int, num, what: str) -> tuple:
    vals = _list(value, what)
    if len(vals) != length:
        raise _Invalid(f"{what} has {len(vals)} entries, expected {length}")
    return tuple(num(v) for v in vals)


def _distinct_indices(values, width: int, what: str) -> list:
    out = [_index(v, width, what) for v in _list(values, what)]
    if len(set(out)) != len(out):
        raise _Invalid(f"{what} repeats a unit")
    return out


def _remove(st: dict, remove: set) -> None:
    keep = [i for i in range(len(st["c"])) if i not in remove]
    for key in ("a", "b", "c"):
        st[key] = [st[key][i] for i in keep]


def _insert(st: dict, at: list, units: list, what: str) -> None:
    width = len(st["c"]) + len(at)
    placed = {}
    for pos, unit in zip(at, units):
        p = _int(pos, f"{what} position")
        if not 0 <= p < width or p in placed:
            raise _Invalid(f"{what}: insertion positions must be distinct and inside the new list")
        placed[p] = unit
    old = iter(range(len(st["c"])))
    new = {"a": [], "b": [], "c": []}
    for k in range(width):
        if k in placed:
            ua, ub, uc = placed[k]
        else:
            i = next(old)
            ua, ub, uc = st["a"][i], st["b"][i], st["c"][i]
        new["a"].append(ua)
        new["b"].append(ub)
        new["c"].append(uc)
    st.update(new)


def _add_tanh(st: dict, units: list, factor: int) -> None:
    """``d += factor·Σ a·tanh(c)`` over ``units = [(a, c), ...]`` (one normalisation per output)."""
    if not units:
        return
    for k in range(st["m"]):
        pairs = [(c, a[k] if factor > 0 else -a[k]) for a, c in units]
        st["d"][k] = st["d"][k] + TanhScalar.build(_ZERO, pairs)


# ---------------------------------------------------------------------------------------------
# moves
# ---------------------------------------------------------------------------------------------


def _apply(st: dict, rec: dict, num, t: int) -> None:
    if not isinstance(rec, dict) or not isinstance(rec.get("move"), str):
        raise MalformedCertificate(f"certificate: move {t} must be an object with a 'move' name")
    kind = rec["move"]
    where = f"move {t} ({kind})"
    h, n, m = len(st["c"]), st["n"], st["m"]
    if kind == "permute":
        order = _distinct_indices(rec.get("order"), h, f"{where}: order")
        if len(order) != h:
            raise _Invalid(f"{where}: order is not a permutation of the {h} units")
        for key in ("a", "b", "c"):
            st[key] = [st[key][i] for i in order]
    elif kind == "negate":
        for i in _distinct_indices(rec.get("units"), h, f"{where}: units"):
            st["a"][i] = tuple(-v for v in st["a"][i])
            st["b"][i] = tuple(-v for v in st["b"][i])
            st["c"][i] = -st["c"][i]
    elif kind == "absorb":
        units = _distinct_indices(rec.get("units"), h, f"{where}: units")
        avs, cs = _list(rec.get("a"), where), _list(rec.get("c"), where)
        if not len(units) == len(avs) == len(cs):
            raise _Invalid(f"{where}: units, a and c must have equal lengths")
        for i, av, cv in zip(units, avs, cs):
            if any(v != 0 for v in st["b"][i]):
                raise _Invalid(f"{where}: unit {i} has b ≠ 0, it is not constant")
            if _vector(av, m, num, f"{where}: a") != st["a"][i] or num(cv) != st["c"][i]:
                raise _Invalid(f"{where}: the recorded a, c of unit {i} differ from the unit's")
        _add_tanh(st, [(st["a"][i], st["c"][i]) for i in units], +1)
        _remove(st, set(units))
    elif kind == "emit":
        at, avs, cs = _list(rec.get("at"), where), _list(rec.get("a"), where), _list(rec.get("c"), where)
        if not len(at) == len(avs) == len(cs):
            raise _Invalid(f"{where}: at, a and c must have equal lengths")
        zero_b = tuple(_ZERO for _ in range(n))
        units = [(_vector(av, m, num, f"{where}: a"), zero_b, num(cv)) for av, cv in zip(avs, cs)]
        _add_tanh(st, [(a, c) for a, _b, c in units], -1)
        _insert(st, at, units, where)
    elif kind == "remove_dead":
        units = _distinct_indices(rec.get("units"), h, f"{where}: units")
        bvs, cs = _list(rec.get("b"), where), _list(rec.get("c"), where)
        if not len(units) == len(bvs) == len(cs):
            raise _Invalid(f"{where}: units, b and c must have equal lengths")
        for i, bv, cv in zip(units, bvs, cs):
            if any(v != 0 for v in st["a"][i]):
                raise _Invalid(f"{where}: unit {i} has a ≠ 0, it is not dead")
            if _vector(bv, n, num, f"{where}: b") != st["b"][i] or num(cv) != st["c"][i]:
                raise _Invalid(f"{where}: the recorded b, c of unit {i} differ from the unit's")
        _remove(st, set(units))
    elif kind == "insert_dead":
        at, bvs, cs = _list(rec.get("at"), where), _list(rec.get("b"), where), _list(rec.get("c"), where)
        if not len(at) == len(bvs) == len(cs):
            raise _Invalid(f"{where}: at, b and c must have equal lengths")
        zero_a = tuple(_ZERO for _ in range(m))
        units = [(zero_a, _vector(bv, n, num, f"{where}: b"), num(cv)) for bv, cv in zip(bvs, cs)]
        _insert(st, at, units, where)
    elif kind == "merge":
        groups = _list(rec.get("groups"), where)
        used: set = set()
        removed: set = set()
        for g in groups:
            idx = _distinct_indices(g, h, f"{where}: group")
            if not idx:
                raise _Invalid(f"{where}: empty group")
            if used & set(idx):
                raise _Invalid(f"{where}: a unit appears in two groups")
            used |= set(idx)
            i = idx[0]
            acc = list(st["a"][i])
            for j in idx[1:]:
                if st["b"][j] != st["b"][i] or st["c"][j] != st["c"][i]:
                    raise _Invalid(f"{where}: units {i} and {j} have different (b, c)")
                acc = [x + y for x, y in zip(acc, st["a"][j])]
                removed.add(j)
            st["a"][i] = tuple(acc)
        _remove(st, removed)
    elif kind == "split":
        groups = _list(rec.get("groups"), where)
        at_all, units, seen = [], [], set()
        for g in groups:
            if not isinstance(g, dict):
                raise MalformedCertificate(f"certificate: {where}: each group must be an object")
            i = _index(g.get("unit"), h, f"{where}: unit")
            if i in seen:
                raise _Invalid(f"{where}: unit {i} is split twice")
            seen.add(i)
            at, parts = _list(g.get("at"), where), _list(g.get("a"), where)
            if len(at) != len(parts):
                raise _Invalid(f"{where}: at and a must have equal lengths")
            acc = list(st["a"][i])
            for pos, part in zip(at, parts):
                a = _vector(part, m, num, f"{where}: a")
                acc = [x - y for x, y in zip(acc, a)]
                at_all.append(pos)
                units.append((a, st["b"][i], st["c"][i]))
            st["a"][i] = tuple(acc)
        _insert(st, at_all, units, where)
    else:
        raise _Invalid(f"{where}: unknown move name {kind!r}")


def _check_moves(nets, evidence: dict, num) -> CheckResult:
    moves = _list(evidence.get("moves"), "evidence.moves")
    st = _state(nets[0])
    for t, rec in enumerate(moves):
        _apply(st, rec, num, t)
    target = _state(nets[1])
    for key, name in (("c", "hidden biases"), ("b", "incoming weights"), ("a", "outgoing weights")):
        if len(st[key]) != len(target[key]):
            raise _Invalid(f"after the moves the width is {len(st[key])}, network B has width {len(target[key])}")
        if st[key] != target[key]:
            raise _Invalid(f"after the moves the {name} differ from network B")
    if st["d"] != target["d"]:
        raise _Invalid("after the moves the output bias differs from network B's")
    return CheckResult(True, f"{len(moves)} function-preserving move records take network A exactly to network B")


# ---------------------------------------------------------------------------------------------
# witness
# ---------------------------------------------------------------------------------------------


def _grid(ball, precision: int) -> tuple:
    lo, hi = ball_bounds(ball)
    scale = 1 << (precision // 2)
    return fmpq((lo * scale).floor(), scale), fmpq(-((-hi * scale).floor()), scale)


def _check_witness(nets, evidence: dict, domain, num) -> CheckResult:
    n, m = nets[0].input_dim, nets[0].output_dim
    x = _vector(evidence.get("x"), n, num, "evidence.x")
    if any(not isinstance(v, fmpq) for v in x):
        raise _Invalid("the witness x must be rational")
    k = _int(evidence.get("output"), "evidence.output")
    if not 0 <= k < m:
        raise _Invalid(f"evidence.output = {k} is not an output index (the networks have {m} outputs)")
    p = _int(evidence.get("precision"), "evidence.precision")
    if not 64 <= p <= MAX_PRECISION or p & (p - 1):
        raise _Invalid(f"evidence.precision = {p} is not a power of two in [64, {MAX_PRECISION}]")
    recorded = []
    for key in ("enclosure_a", "enclosure_b"):
        lo, hi = _vector(evidence.get(key), 2, num, f"evidence.{key}")
        if not (isinstance(lo, fmpq) and isinstance(hi, fmpq)) or lo > hi:
            raise _Invalid(f"evidence.{key} is not a rational interval")
        recorded.append((lo, hi))
    if domain is not None and not domain.contains(x):
        raise _Invalid("the witness x lies outside the claimed domain")
    for net, rec, name in zip(nets, recorded, "AB"):
        got = _grid(evaluate(net, list(x), prec=p).enclosures[k], p)
        if got != rec:
            raise _Invalid(f"the recorded enclosure of network {name}'s output {k} at x does not match its recomputation")
    (la, ha), (lb, hb) = recorded
    if not (ha < lb or hb < la):
        raise _Invalid("the two enclosures overlap: the witness does not separate the networks")
    return CheckResult(True, f"output {k} of the two networks differs at the rational input x (disjoint enclosures)")


# ---------------------------------------------------------------------------------------------
# constant difference
# ---------------------------------------------------------------------------------------------


def _first_sign(b: tuple) -> int:
    for v in b:
        if v != 0:
            return sign(v)
    return 0


def _parts(net) -> tuple[dict, list]:
    """Merged outgoing weight per normalised key (nonzero ones) and the constant part δ."""
    st = _state(net)
    merged: dict = {}
    constant = []
    for a, b, c in zip(st["a"], st["b"], st["c"]):
        s = _first_sign(b)
        if s == 0:
            constant.append((a, c))
            continue
        key = (tuple(b), c) if s > 0 else (tuple(-v for v in b), -c)
        signed = a if s > 0 else tuple(-v for v in a)
        prev = merged.get(key)
        merged[key] = signed if prev is None else tuple(x + y for x, y in zip(prev, signed))
    _add_tanh(st, constant, +1)
    return {k: v for k, v in merged.items() if any(x != 0 for x in v)}, st["d"]


def _check_constant_difference(nets, evidence: dict, num) -> CheckResult:
    m = nets[0].output_dim
    try:
        diff = vector_from_json(evidence.get("difference"), m, num, "evidence.difference")
    except MalformedCertificate:
        raise
    except Exception as exc:  # a FormatError from a tampered shape
        raise _Invalid(str(exc)) from None
    units_a, bias_a = _parts(nets[0])
    units_b, bias_b = _parts(nets[1])
    if units_a != units_b:
        raise _Invalid("the non-constant parts of the two networks differ, so f_A − f_B is not constant")
    actual = [x - y for x, y in zip(bias_a, bias_b)]
    if list(diff) != actual:
        raise _Invalid("the recorded constant difference is not δ_A − δ_B")
    if all(s.is_zero() for s in diff):
        raise _Invalid("the recorded difference is zero")
    return CheckResult(True, "f_A − f_B is the nonzero constant recorded (exact, coefficientwise)")


__all__ = ["check"]

