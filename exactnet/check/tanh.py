"""Independent checker of ``tanh.*`` certificates (``exactnet check``).

Shares only parsing and number types with the deciding code: it imports
:mod:`exactnet.numbers`, :mod:`exactnet.network` and the pure number module
:mod:`exactnet.numbers.tanh_scalar` (the ``r_0 + Σ r_q·tanh(q)`` scalar), never the compression,
move or equivalence modules. Everything is re-verified with exact arithmetic (``arb`` balls
only where a transcendental value is compared, and only rigorously). The certificate's shape
(every key) was validated before (:mod:`exactnet.certificates.schema`).

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
:mod:`exactnet.check.tanh_path`; ``tanh.proximate_rank`` by
:mod:`exactnet.check.tanh_proximity`.

Semantic failures (a wrong number anywhere) give ``valid = False``; a structurally broken
certificate raises :class:`~exactnet.certificates.MalformedCertificate`.
"""

from __future__ import annotations

from flint import fmpq

from ..numbers.budget import NumberLimitError
from ..errors import InputError
from ..network import evaluate
from ..network.domain import Box, domain_from_obj
from ..numbers import sign
from ..numbers.algebraic import ball_bounds
from ..numbers.tanh_scalar import vector_from_json
from ..network.literals import bind_literals, table_parser
from ..certificates import MalformedCertificate, certificate_networks
from .result import CheckResult, Invalid
from .tanh_moves import add_tanh, apply_move, as_int, as_list, as_vector, move_literals, parameter_state

_ZERO = fmpq(0)
MAX_PRECISION = 1 << 14


def check(obj: dict) -> CheckResult:
    kind = obj.get("kind")
    if kind == "tanh.path":  # paths: exactnet.check.tanh_path (same independence rules)
        from .tanh_path import check_path

        return check_path(obj)
    if kind == "tanh.proximate_rank":  # prank upper bounds: exactnet.check.tanh_proximity
        from .tanh_proximity import check as check_proximity

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
                raise Invalid(f"network {i} is not a one-hidden-layer tanh network")
        if nets[0].input_dim != nets[1].input_dim or nets[0].output_dim != nets[1].output_dim:
            raise Invalid("the two networks have different input or output dimensions")
        domain = _claimed_box(claim, nets[0].input_dim)
        nets, table = bind_literals(nets, move_literals(evidence))
        num = table_parser(table)
        if equivalent and etype == "moves":
            return _check_moves(nets, evidence, num)
        if not equivalent and etype == "witness":
            return _check_witness(nets, evidence, domain, num)
        if not equivalent and etype == "constant_difference":
            return _check_constant_difference(nets, evidence, num)
        raise Invalid(f"evidence of type {etype!r} cannot support the claim equivalent={equivalent}")
    except Invalid as exc:
        return CheckResult(False, str(exc))


def _claimed_box(claim: dict, n: int):
    """The claimed domain: ``None`` (``R^n``) or a rational box ``lower < upper`` of dimension ``n``."""
    if "domain" not in claim:
        return None
    try:
        box = domain_from_obj(claim["domain"], "claim.domain")
    except NumberLimitError:
        raise  # over the number budget: refused (exit 2)
    except InputError as exc:
        raise Invalid(f"the claimed domain is not a nonempty box: {exc}") from None
    if not isinstance(box, Box):
        raise MalformedCertificate("certificate: claim.domain must be a box {lower, upper}")
    if box.dim != n:
        raise Invalid(f"the claimed domain has dimension {box.dim}, the networks take {n} inputs")
    return box


def _check_moves(nets, evidence: dict, num) -> CheckResult:
    moves = as_list(evidence.get("moves"), "evidence.moves")
    st = parameter_state(nets[0])
    for t, rec in enumerate(moves):
        apply_move(st, rec, num, t)
    target = parameter_state(nets[1])
    for key, name in (("c", "hidden biases"), ("b", "incoming weights"), ("a", "outgoing weights")):
        if len(st[key]) != len(target[key]):
            raise Invalid(f"after the moves the width is {len(st[key])}, network B has width {len(target[key])}")
        if st[key] != target[key]:
            raise Invalid(f"after the moves the {name} differ from network B")
    if st["d"] != target["d"]:
        raise Invalid("after the moves the output bias differs from network B's")
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
    x = as_vector(evidence.get("x"), n, num, "evidence.x")
    if any(not isinstance(v, fmpq) for v in x):
        raise Invalid("the witness x must be rational")
    k = as_int(evidence.get("output"), "evidence.output")
    if not 0 <= k < m:
        raise Invalid(f"evidence.output = {k} is not an output index (the networks have {m} outputs)")
    p = as_int(evidence.get("precision"), "evidence.precision")
    if not 64 <= p <= MAX_PRECISION or p & (p - 1):
        raise Invalid(f"evidence.precision = {p} is not a power of two in [64, {MAX_PRECISION}]")
    recorded = []
    for key in ("enclosure_a", "enclosure_b"):
        lo, hi = as_vector(evidence.get(key), 2, num, f"evidence.{key}")
        if not (isinstance(lo, fmpq) and isinstance(hi, fmpq)) or lo > hi:
            raise Invalid(f"evidence.{key} is not a rational interval")
        recorded.append((lo, hi))
    if domain is not None and not domain.contains(x):
        raise Invalid("the witness x lies outside the claimed domain")
    for net, rec, name in zip(nets, recorded, "AB"):
        got = _grid(evaluate(net, list(x), prec=p).enclosures[k], p)
        if got != rec:
            raise Invalid(f"the recorded enclosure of network {name}'s output {k} at x does not match its recomputation")
    (la, ha), (lb, hb) = recorded
    if not (ha < lb or hb < la):
        raise Invalid("the two enclosures overlap: the witness does not separate the networks")
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
    st = parameter_state(net)
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
    add_tanh(st, constant, +1)
    return {k: v for k, v in merged.items() if any(x != 0 for x in v)}, st["d"]


def _check_constant_difference(nets, evidence: dict, num) -> CheckResult:
    m = nets[0].output_dim
    try:
        diff = vector_from_json(evidence.get("difference"), m, num, "evidence.difference")
    except MalformedCertificate:
        raise
    except NumberLimitError:
        raise  # over the number budget: refused (exit 2)
    except Exception as exc:  # a FormatError from a tampered shape
        raise Invalid(str(exc)) from None
    units_a, bias_a = _parts(nets[0])
    units_b, bias_b = _parts(nets[1])
    if units_a != units_b:
        raise Invalid("the non-constant parts of the two networks differ, so f_A − f_B is not constant")
    actual = [x - y for x, y in zip(bias_a, bias_b)]
    if list(diff) != actual:
        raise Invalid("the recorded constant difference is not δ_A − δ_B")
    if all(s.is_zero() for s in diff):
        raise Invalid("the recorded difference is zero")
    return CheckResult(True, "f_A − f_B is the nonzero constant recorded (exact, coefficientwise)")


__all__ = ["check"]

