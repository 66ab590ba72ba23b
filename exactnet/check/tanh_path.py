"""Independent checker of ``tanh.path`` certificates (called by :mod:`exactnet.check.tanh`).

Like the rest of the tanh checker it shares only parsing and number types with the deciding
code (:mod:`exactnet.numbers`, :mod:`exactnet.network`, the pure scalar module
:mod:`exactnet.numbers.tanh_scalar`); it never imports the path construction, compression or
equivalence modules.

**Certificate** (written by :func:`exactnet.tanh.certificates.path_certificate`)::

    {"kind": "tanh.path", "claim": {"path_exists": true, "segments": K},
     "networks": [A, B],
     "evidence": {"type": "segments",
                  "segments": [{"kinds": ["dead", "transfer", "const"],   (a sub-list, in this order)
                                "start": P, "end": P}, ...]}}

``P`` is the ``exactnet.tanh-parameter/1`` form of a parameter (units ``a, b, c`` and the output
bias as tanh scalars ``{"const": ..., "tanh": [[q, coeff], ...]}``). The check:

1. every endpoint has the networks' dimensions and width; the first start is network A, the
   last end is network B, and each end equals the next start (exactly, bias coefficientwise);
   ``K`` is the number of segments (``K = 0`` requires ``A = B``);
2. each segment ``w(t) = (1 − t)·start + t·end`` keeps ``f_{w(t)}`` constant on ``[0, 1]``:
   units are grouped by their key ``(b(t), c(t))`` *as a polynomial in t* up to sign (the
   polynomial is determined by its values at ``t = 0`` and ``t = 1``; sign of the first nonzero
   coefficient of ``(b(0), c(0), b(1), c(1))``). Moving groups need net outgoing weight ``≡ 0``
   (zero at both ends); fixed keys with ``b ≠ 0`` need the same net weight at both ends; the
   constant part ``d + Σ_{b ≡ 0, c fixed} a·tanh(c)`` must be equal at both ends,
   coefficientwise. Soundness: within a polynomial-key group ``a_i(t)·tanh(s_i P(t)·(x, 1)) =
   s_i a_i(t)·tanh(P(t)·(x, 1))`` for every real ``t`` (tanh is odd), so under these conditions
   ``f_{w(t)}(x) = f_{w(0)}(x)`` identically in ``(t, x)``; isolated ``t`` where a moving key
   meets another key or has ``b = 0`` need no separate treatment because the identity holds
   for every ``t``, not only generic ones. (The conditions are also necessary; see
   :mod:`exactnet.tanh.paths`.)
3. the recorded ``kinds`` equal the computed ones: ``dead`` iff some unit's ``(b, c)`` moves,
   ``transfer`` iff some weight moves on a fixed key with ``b ≠ 0``, ``const`` iff a constant
   unit's weight or the output bias moves.

Items 1–2 are **Theorem S** (a chain of linear segments, each keeping ``f`` constant, from A
to B is a path inside the class); item 3 only labels the segments.

``{"claim": {"path_exists": false}, "evidence": {"type": "finite_class"}}``. **Theorem F**
(Sussmann 1992, stated for vector outputs): if A is irreducible — no unit with ``a = 0``
(vector) or ``b = 0``, normalised keys ``±(b, c)`` pairwise distinct — then every ``w`` in
``W_h`` with ``f_w = f_A`` is a sign-flip and permutation of A: the functions ``1`` and
``tanh(b·x + c)`` over keys distinct up to sign with ``b ≠ 0`` are linearly independent, so
each of A's ``h`` keys needs a unit of ``w`` and ``w`` has only ``h`` units. The class is the
finite set of ``2^h·h!`` points, a continuous path in it from A is constant, and B ≠ A
(exactly, as parameters of any width) is not reached. Checked: both networks one-hidden-layer
tanh with equal dimensions, A irreducible (exactly), B ≠ A, and the recorded normal forms
(which make every number binding).
"""

from __future__ import annotations

from flint import fmpq

from ..errors import InputError
from ..numbers import sign
from ..numbers.tanh_scalar import TanhScalar, scalar_from_json
from ..network.literals import bind_literals, table_parser
from ..certificates import MalformedCertificate, certificate_networks, number_literals
from .result import CheckResult, Invalid

KIND = "tanh.path"
PARAMETER_FORMAT = "exactnet.tanh-parameter/1"
KINDS = ("dead", "transfer", "const")
_ZERO = fmpq(0)
_NON_NUMERIC_KEYS = {"type", "kinds", "format"}


def check(obj: dict) -> CheckResult:
    nets = certificate_networks(obj)
    if len(nets) != 2:
        raise MalformedCertificate("certificate: a tanh.path certificate has exactly two networks")
    claim, evidence = obj["claim"], obj["evidence"]
    exists = claim.get("path_exists")
    if not isinstance(exists, bool):
        raise MalformedCertificate("certificate: claim.path_exists must be true or false")
    etype = evidence.get("type")
    if etype not in ("segments", "finite_class"):
        raise MalformedCertificate(f"certificate: unknown evidence type {etype!r}")
    try:
        for i, net in enumerate(nets, start=1):
            if net.activation != "tanh" or net.depth != 1:
                raise Invalid(f"network {i} is not a one-hidden-layer tanh network")
        if nets[0].input_dim != nets[1].input_dim or nets[0].output_dim != nets[1].output_dim:
            raise Invalid("the two networks have different input or output dimensions")
        if exists and etype == "segments":
            nets, table = bind_literals(nets, _literals(evidence) + _literals(claim))
            return _check_segments(nets, claim, evidence, table_parser(table))
        if not exists and etype == "finite_class":
            nets, table = bind_literals(nets, _literals(evidence))
            return _check_finite(nets, evidence, table_parser(table))
        raise Invalid(f"evidence of type {etype!r} cannot support the claim path_exists={exists}")
    except Invalid as exc:
        return CheckResult(False, str(exc))


def _literals(obj) -> list:
    return number_literals(obj, _NON_NUMERIC_KEYS)


# ---------------------------------------------------------------------------------------------
# states
# ---------------------------------------------------------------------------------------------


def _network_state(net) -> tuple:
    first, second = net.layers
    a = tuple(tuple(col) for col in zip(*second.weight))
    return a, tuple(tuple(row) for row in first.weight), tuple(first.bias), tuple(TanhScalar.of(v) for v in second.bias)


def _int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedCertificate(f"certificate: {what} must be an integer")
    return value


def _vector(value, length: int, num, what: str) -> tuple:
    if not isinstance(value, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    if len(value) != length:
        raise Invalid(f"{what} has {len(value)} entries, expected {length}")
    return tuple(num(v) for v in value)


def _parameter_state(obj, n: int, m: int, num, where: str) -> tuple:
    if not isinstance(obj, dict) or obj.get("format") != PARAMETER_FORMAT:
        raise MalformedCertificate(f"certificate: {where} must be an {PARAMETER_FORMAT} object")
    if _int(obj.get("input_dim"), f"{where}.input_dim") != n or _int(obj.get("output_dim"), f"{where}.output_dim") != m:
        raise Invalid(f"{where} does not have the networks' input and output dimensions ({n}, {m})")
    units = obj.get("units")
    if not isinstance(units, list):
        raise MalformedCertificate(f"certificate: {where}.units must be a list")
    a, b, c = [], [], []
    for k, u in enumerate(units):
        if not isinstance(u, dict):
            raise MalformedCertificate(f"certificate: {where}.units[{k}] must be an object")
        a.append(_vector(u.get("a"), m, num, f"{where}.units[{k}].a"))
        b.append(_vector(u.get("b"), n, num, f"{where}.units[{k}].b"))
        c.append(num(u.get("c")))
    bias = obj.get("output_bias")
    if not isinstance(bias, list):
        raise MalformedCertificate(f"certificate: {where}.output_bias must be a list")
    if len(bias) != m:
        raise Invalid(f"{where}.output_bias has {len(bias)} entries, expected {m}")
    try:
        d = tuple(scalar_from_json(s, num, f"{where}.output_bias[{k}]") for k, s in enumerate(bias))
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    return tuple(a), tuple(b), tuple(c), d


# ---------------------------------------------------------------------------------------------
# one segment
# ---------------------------------------------------------------------------------------------


def _first_sign(values) -> int:
    for v in values:
        if v != 0:
            return sign(v)
    return 0


def _exact_key(values: tuple) -> tuple:
    """Hash key of a vector of exact numbers: ``(numerator, denominator)`` pairs when all are
    rational (fast to hash); an irrational algebraic entry never equals a rational one."""
    if all(type(v) is fmpq for v in values):
        return tuple(z for v in values for z in (v.p, v.q))
    return values


def _accumulate(table: dict, key, s: int, a0: tuple, a1: tuple) -> None:
    key = _exact_key(key)
    if s < 0:
        a0, a1 = tuple(-x for x in a0), tuple(-x for x in a1)
    prev = table.get(key)
    if prev is None:
        table[key] = (a0, a1)
    else:
        table[key] = (tuple(x + y for x, y in zip(prev[0], a0)), tuple(x + y for x, y in zip(prev[1], a1)))


def segment_kinds_checked(u: tuple, v: tuple, m: int) -> tuple:
    """The kinds of segment ``u → v`` (states ``(a, b, c, d)``); raises ``Invalid`` when
    ``f_{w(t)}`` is not constant in t (module docstring, item 2)."""
    fixed: dict = {}
    moving: dict = {}
    const_u = list(u[3])
    const_v = list(v[3])
    kinds = set()
    for i, (au, bu, cu, av, bv, cv) in enumerate(zip(u[0], u[1], u[2], v[0], v[1], v[2])):
        if bu == bv and cu == cv:
            s = _first_sign(bu)
            if s == 0:
                if au != av:
                    kinds.add("const")
                for k in range(m):
                    if au[k] != 0:
                        const_u[k] = const_u[k] + TanhScalar.build(_ZERO, [(cu, au[k])])
                    if av[k] != 0:
                        const_v[k] = const_v[k] + TanhScalar.build(_ZERO, [(cu, av[k])])
                continue
            if au != av:
                kinds.add("transfer")
            _accumulate(fixed, tuple(bu) + (cu,) if s > 0 else tuple(-x for x in bu) + (-cu,), s, au, av)
        else:
            kinds.add("dead")
            poly = tuple(bu) + (cu,) + tuple(bv) + (cv,)
            s = _first_sign(poly)
            _accumulate(moving, poly if s > 0 else tuple(-x for x in poly), s, au, av)
    for w0, w1 in fixed.values():
        if w0 != w1:
            raise Invalid("the net outgoing weight on a fixed key (b, c) changes along the segment, so the function"
                           " changes")
    for _poly, (w0, w1) in moving.items():
        if any(x != 0 for x in w0) or any(x != 0 for x in w1):
            raise Invalid("a unit whose (b, c) moves along the segment carries nonzero net outgoing weight, so the"
                           " function changes")
    if const_u != const_v:
        raise Invalid("the constant part d + Σ a·tanh(c) over constant units differs at the two ends of the segment")
    if u[3] != v[3]:
        kinds.add("const")
    return tuple(k for k in KINDS if k in kinds)


# ---------------------------------------------------------------------------------------------
# the two evidence types
# ---------------------------------------------------------------------------------------------


def _check_segments(nets, claim: dict, evidence: dict, num) -> CheckResult:
    n, m = nets[0].input_dim, nets[0].output_dim
    segments = evidence.get("segments")
    if not isinstance(segments, list):
        raise MalformedCertificate("certificate: evidence.segments must be a list")
    count = claim.get("segments")
    if isinstance(count, bool) or not isinstance(count, int):
        raise MalformedCertificate("certificate: claim.segments must be an integer")
    if count != len(segments):
        raise Invalid(f"the claim states {count} segments but the evidence has {len(segments)}")
    start, end = _network_state(nets[0]), _network_state(nets[1])
    if len(start[2]) != len(end[2]):
        raise Invalid(f"the networks have widths {len(start[2])} and {len(end[2])}; a path stays in one W_h")
    if not segments:
        if start != end:
            raise Invalid("an empty path needs network A = network B")
        return CheckResult(True, "the networks are equal: the empty path")
    current = start
    for k, seg in enumerate(segments):
        if not isinstance(seg, dict):
            raise MalformedCertificate(f"certificate: segment {k} must be an object")
        u = _parameter_state(seg.get("start"), n, m, num, f"segment {k} start")
        v = _parameter_state(seg.get("end"), n, m, num, f"segment {k} end")
        if len(u[2]) != len(start[2]) or len(v[2]) != len(start[2]):
            raise Invalid(f"segment {k} has an endpoint of another width than the networks")
        if u != current:
            where = "network A" if k == 0 else f"the end of segment {k - 1}"
            raise Invalid(f"segment {k} does not start at {where}")
        kinds = seg.get("kinds")
        if not isinstance(kinds, list) or any(not isinstance(x, str) for x in kinds):
            raise MalformedCertificate(f"certificate: segment {k} kinds must be a list of names")
        try:
            actual = segment_kinds_checked(u, v, m)
        except Invalid as exc:
            raise Invalid(f"segment {k}: {exc}") from None
        if list(actual) != kinds:
            raise Invalid(f"segment {k} is recorded as {kinds} but is of kind(s) {list(actual)}")
        current = v
    if current != end:
        raise Invalid("the last segment does not end at network B")
    return CheckResult(True, f"{len(segments)} linear segment(s) from network A to network B, each keeping the network"
                             " function constant (exact polynomial-key check)")


def _normal_form_matches(net, claimed, num) -> bool:
    """Does ``claimed`` list every unit of ``net`` as ``s·(a, b, c)`` (s = first nonzero sign of b) and d?"""
    if not isinstance(claimed, dict) or not isinstance(claimed.get("units"), list):
        raise MalformedCertificate("certificate: each normal form needs 'units' and 'output_bias'")
    a, b, c, _d = _network_state(net)
    if len(claimed["units"]) != len(c) or not isinstance(claimed.get("output_bias"), list):
        return False
    for av, bv, cv, row in zip(a, b, c, claimed["units"]):
        s = _first_sign(bv) or 1
        want = [s * v for v in (*av, *bv, cv)]
        if not isinstance(row, list) or len(row) != len(want):
            return False
        if [num(x) for x in row] != want:
            return False
    return [num(x) for x in claimed["output_bias"]] == list(net.layers[1].bias)


def _check_finite(nets, evidence: dict, num) -> CheckResult:
    forms = evidence.get("normal_forms")
    if not isinstance(forms, list) or len(forms) != 2:
        raise MalformedCertificate("certificate: finite_class evidence needs 'normal_forms' for both networks")
    for i, (net, form) in enumerate(zip(nets, forms), start=1):
        if not _normal_form_matches(net, form, num):
            raise Invalid(f"the recorded normal form of network {i} does not match the network")
    a, b, c, _d = _network_state(nets[0])
    keys = set()
    for i, (av, bv, cv) in enumerate(zip(a, b, c)):
        if all(x == 0 for x in av):
            raise Invalid(f"network A is reducible: unit {i} has zero outgoing weight")
        s = _first_sign(bv)
        if s == 0:
            raise Invalid(f"network A is reducible: unit {i} is constant (b = 0)")
        key = (bv, cv) if s > 0 else (tuple(-x for x in bv), -cv)
        if key in keys:
            raise Invalid(f"network A is reducible: unit {i} repeats a key (up to sign)")
        keys.add(key)
    if _network_state(nets[0]) == _network_state(nets[1]) and nets[0].widths == nets[1].widths:
        raise Invalid("the networks are equal: the empty path joins them")
    h = len(c)
    return CheckResult(True, f"network A is irreducible, so its functional-equivalence class is a finite set of 2^{h}·{h}!"
                             " points; a continuous path from A is constant, and B ≠ A")


__all__ = ["KIND", "check", "segment_kinds_checked"]
