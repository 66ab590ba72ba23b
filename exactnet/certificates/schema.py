"""The allowed shape of every certificate kind: every object's keys are listed here, and a
key that is not listed anywhere is a malformed certificate (exit 2).

Why: what the digest seals and what the checker reads must be the same object. A key the
checker does not read (``"digest": {"sha256": …, "note": …}``, a second ``"claim2"``, an
``"extra"`` entry in a move) would be carried along unverified, and another reader could
show it. So each kind has an explicit schema, and :func:`validate` rejects anything else
before the mathematics is checked. Number leaves are JSON integers or strings (the exact
number syntax); which strings are numbers is decided by the checkers.

The schemas mirror the writers: :mod:`exactnet.relu.certificates` (equivalence and compression),
:mod:`exactnet.tanh.certificates`
(every tanh kind); ``docs/certificates.md`` describes them.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .format import FORMAT, MalformedCertificate

Spec = Callable[[Any, str], None]

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _fail(where: str, what: str):
    raise MalformedCertificate(f"certificate: {where or 'the top level'}: {what}")


def _at(where: str, key) -> str:
    return f"{where}.{key}" if where else str(key)


# ---------------------------------------------------------------------------------------------
# combinators
# ---------------------------------------------------------------------------------------------


def number(value, where: str) -> None:
    """A number literal: a JSON integer or a string (never a boolean, object or list)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        _fail(where, f"expected a number (integer or string), got {_describe(value)}")


def integer(value, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, f"expected an integer, got {_describe(value)}")


def boolean(value, where: str) -> None:
    if not isinstance(value, bool):
        _fail(where, f"expected true or false, got {_describe(value)}")


def text(value, where: str) -> None:
    if not isinstance(value, str):
        _fail(where, f"expected a string, got {_describe(value)}")


def const(*values) -> Spec:
    def check(value, where):
        if not isinstance(value, (str, int)) or isinstance(value, bool) or value not in values:
            _fail(where, f"expected one of {', '.join(repr(v) for v in values)}, got {_describe(value)}")
    return check


def nullable(spec: Spec) -> Spec:
    def check(value, where):
        if value is not None:
            spec(value, where)
    return check


def list_of(spec: Spec, length: int | None = None) -> Spec:
    def check(value, where):
        if not isinstance(value, (list, tuple)):
            _fail(where, f"expected a list, got {_describe(value)}")
        if length is not None and len(value) != length:
            _fail(where, f"expected a list of {length} entries, got {len(value)}")
        for i, item in enumerate(value):
            spec(item, f"{where}[{i}]")
    return check


def tuple_of(*specs: Spec) -> Spec:
    def check(value, where):
        if not isinstance(value, (list, tuple)) or len(value) != len(specs):
            _fail(where, f"expected a list of {len(specs)} entries")
        for i, (item, spec) in enumerate(zip(value, specs)):
            spec(item, f"{where}[{i}]")
    return check


def obj(required: dict | None = None, optional: dict | None = None) -> Spec:
    """An object with exactly the ``required`` keys and a subset of the ``optional`` ones."""
    required, optional = required or {}, optional or {}

    def check(value, where):
        if not isinstance(value, dict):
            _fail(where, f"expected an object, got {_describe(value)}")
        unknown = [k for k in value if k not in required and k not in optional]
        if unknown:
            names = [_short(k) for k in sorted(unknown, key=str)]
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            _fail(where, f"unknown key(s) {', '.join(names[:5])}{more}")
        missing = [k for k in required if k not in value]
        if missing:
            _fail(where, f"missing key(s) {', '.join(repr(k) for k in missing)}")
        for k, v in value.items():
            (required.get(k) or optional[k])(v, _at(where, k))
    return check


def tagged(tag: str, variants: dict) -> Spec:
    """An object whose ``tag`` value selects its schema among ``variants``."""
    def check(value, where):
        if not isinstance(value, dict):
            _fail(where, f"expected an object, got {_describe(value)}")
        key = value.get(tag)
        if not isinstance(key, str) or key not in variants:
            _fail(where, f"unknown {tag} {_short(key)} (expected one of {', '.join(map(repr, variants))})")
        variants[key](value, where)
    return check


def by_keys(choices: list) -> Spec:
    """An object whose schema is the first of ``choices = [(key, spec), ...]`` whose key it has."""
    def check(value, where):
        if not isinstance(value, dict):
            _fail(where, f"expected an object, got {_describe(value)}")
        for key, spec in choices:
            if key in value:
                return spec(value, where)
        _fail(where, f"expected one of the keys {', '.join(repr(k) for k, _ in choices)}")
    return check


def either(first: Spec, second: Spec, when: Callable[[Any], bool]) -> Spec:
    """``first`` when ``when(value)``, else ``second``."""
    def check(value, where):
        (first if when(value) else second)(value, where)
    return check


def _short(key) -> str:
    text = repr(key)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value) if len(repr(value)) <= 40 else type(value).__name__


# ---------------------------------------------------------------------------------------------
# shared parts
# ---------------------------------------------------------------------------------------------

_number_items = list_of(number)
_NUMBER_TYPES = frozenset({int, str})


def numbers(value, where: str) -> None:
    """A list of number literals (one C-level type scan for the common case; the per-item check
    names the first bad entry)."""
    if isinstance(value, list) and set(map(type, value)) <= _NUMBER_TYPES:
        return
    _number_items(value, where)


matrix = list_of(numbers)
indices = list_of(integer)

#: An inline network: plain, or compact (``denominator``: integer entries over it; the reader
#: requires every layer or none to be compact, :mod:`exactnet.certificates.networks`).
_INLINE_NETWORK = obj({"format": text, "activation": text,
                       "layers": list_of(obj({"weight": matrix, "bias": numbers}, {"denominator": integer}))})


#: ... or a digest entry ``{"sha256": hex}`` naming a network the checker is given (the digest of its
#: canonical certificate object, :func:`exactnet.certificates.networks.network_digest`).
def NETWORK(value, where: str) -> None:
    if isinstance(value, dict) and "sha256" in value:
        digest(value, where)
    else:
        _INLINE_NETWORK(value, where)

BOX = obj({"lower": numbers, "upper": numbers})
DOMAIN = by_keys([("lower", BOX), ("upper", BOX),
                  ("A", obj({"A": matrix, "b": numbers}, {"format": const("exactnet.domain/1")}))])

DIGEST = obj({"sha256": text})


def digest(value, where: str) -> None:
    """``{"sha256": "<64 lowercase hex digits>"}`` and nothing else."""
    DIGEST(value, where)
    if not _HEX64.fullmatch(value["sha256"]):
        _fail(_at(where, "sha256"), "expected 64 lowercase hexadecimal digits")


# ---------------------------------------------------------------------------------------------
# relu.equivalence
# ---------------------------------------------------------------------------------------------

#: A number of a region tree: a rational literal, or (networks with real algebraic weights) the
#: list of its rational coordinates in the power basis of the evidence's number field.
FIELD_NUMBER = either(list_of(number), number, lambda v: isinstance(v, list))
FIELD_NUMBERS = list_of(FIELD_NUMBER)
#: The number field of a region tree: ``Q(θ)``, ``θ`` the real root number ``root_index`` (in
#: increasing order) of the irreducible integer polynomial ``polynomial`` (coefficients from x^0).
FIELD = obj({"polynomial": list_of(integer), "root_index": integer}, {"generator": text})

FARKAS = by_keys([("basis", obj({"basis": indices})),
                  ("y", obj({"y": list_of(tuple_of(integer, FIELD_NUMBER))}, {"t": FIELD_NUMBER}))])

_SILENCE_PROOF = tagged("kind", {
    "nonpositive": obj({"kind": text}),
    "farkas": by_keys([("basis", obj({"kind": text, "basis": indices})),
                       ("y", obj({"kind": text, "y": list_of(tuple_of(integer, number))}, {"t": number}))]),
})

_UNIT_MOVE = obj({"op": text, "layer": integer, "unit": integer})
RELU_MOVE = tagged("op", {
    "permute": obj({"op": text, "layer": integer, "order": indices}),
    "scale": obj({"op": text, "layer": integer, "unit": integer, "factor": number}),
    "normalize": _UNIT_MOVE,
    "fold_constant": _UNIT_MOVE,
    "silence": obj({"op": text, "layer": integer, "unit": integer, "proof": _SILENCE_PROOF}),
    "merge": obj({"op": text, "layer": integer, "unit": integer, "into": integer}),
    "remove": _UNIT_MOVE,
    "blank": _UNIT_MOVE,
})
RELU_MOVES = list_of(list_of(RELU_MOVE), 2)

_FIX = tuple_of(integer, integer, integer, integer, nullable(FARKAS))
_LEAF = obj({"point": numbers, "map": obj({"weight": list_of(FIELD_NUMBERS), "bias": FIELD_NUMBERS})})
NODE = by_keys([
    ("leaf", obj({"leaf": _LEAF}, {"fix": list_of(_FIX)})),
    ("split", obj({"split": tuple_of(integer, integer, integer), "children": tuple_of(integer, integer)},
                  {"fix": list_of(_FIX)})),
])

_DOMAIN_KEY = tagged("class", {
    "cut": obj({"u": numbers, "beta": number, "class": text, "points": list_of(numbers, 2)}),
    "nonneg": obj({"u": numbers, "beta": number, "class": text, "farkas": FARKAS}),
    "nonpos": obj({"u": numbers, "beta": number, "class": text, "farkas": FARKAS}),
})
CANONICAL_FORM = obj({"keys": list_of(obj({"u": numbers, "beta": number, "alpha": numbers})),
                      "linear": matrix, "constant": numbers})

_NEURON = obj({"position": integer, "row": numbers, "bias": number, "out": numbers})
_MECH = {"move": text, "mechanism": text}
THREE_LAYER_MOVE = tagged("move", {
    "permute": obj({**_MECH, "layer": integer, "order": indices}),
    "scale": obj({**_MECH, "layer": integer, "factors": list_of(obj({"unit": integer, "factor": number}))}),
    "remove": obj({**_MECH, "layer": integer, "units": indices, "reason": text}),
    "insert": obj({**_MECH, "layer": integer, "reason": text, "neurons": list_of(_NEURON)}),
    "reweight": obj({**_MECH, "pairs": list_of(obj({"from": integer, "to": integer, "lambda": number,
                                                    "amount": numbers}))}),
    "active_block": obj({**_MECH, "remove": indices, "add": list_of(_NEURON), "b3": numbers}),
    "flip": obj({**_MECH, "units": indices, "remove": indices, "add": list_of(_NEURON), "b3": numbers}),
    "hide_transfer": obj({**_MECH, "unit": integer, "delta": number}),
})

RELU_EQUIVALENCE_CLAIM = obj({"equivalent": boolean},
                             {"domain": nullable(DOMAIN), "tier": nullable(const("s", "a", "b", "c", "d"))})
RELU_EQUIVALENCE_EVIDENCE = tagged("method", {
    "witness": obj({"method": text, "point": numbers}, {"outputs": list_of(numbers, 2)}),
    "canonical_form": obj({"method": text, "form": CANONICAL_FORM},
                          {"domain_keys": list_of(_DOMAIN_KEY), "domain_point": numbers}),
    "symmetry_moves": obj({"method": text, "moves": RELU_MOVES}),
    "region_tree": obj({"method": text, "moves": RELU_MOVES, "nodes": list_of(NODE)}, {"field": FIELD}),
    "three_layer_moves": obj({"method": text, "moves": list_of(THREE_LAYER_MOVE)}),
})


# relu.stable_compression (docs/certificates.md, kind relu.stable_compression)
RELU_STABLE_CLAIM = obj({"equal_on_domain": boolean, "domain": BOX})
RELU_STABLE_EVIDENCE = obj({
    "bounds": list_of(list_of(tuple_of(number, number))),
    "slopes": list_of(obj({"layer": integer, "unit": integer, "lambda": numbers})),
    "merged": list_of(obj({"layer": integer, "unit": integer, "basis": list_of(tuple_of(integer, number))})),
    "moves": list_of(RELU_MOVE),
})


# ---------------------------------------------------------------------------------------------
# relu.max_difference, relu.epsilon
# ---------------------------------------------------------------------------------------------

_BOUND_PROOF = obj({"y": list_of(tuple_of(integer, number))})
#: targets ``t = 2k`` (``A_k − B_k``) and ``2k + 1`` (``B_k − A_k``) closed on a node by its interval bound
_BOUNDED = list_of(integer)
#: 1-norm trees: the sign of an output's difference fixed on the cell, ``[k, ±1, Farkas | null]``
_SIGN_FIX = list_of(tuple_of(integer, integer, nullable(FARKAS)))
_DIFFERENCE_LEAF = by_keys([("bounds", obj({"bounds": list_of(list_of(nullable(_BOUND_PROOF), 2))})),
                            ("sum", obj({"sum": _BOUND_PROOF}))])
DIFFERENCE_NODE = by_keys([
    ("leaf", obj({"leaf": _DIFFERENCE_LEAF}, {"fix": list_of(_FIX), "bounded": _BOUNDED, "sign_fix": _SIGN_FIX})),
    ("split", obj({"split": tuple_of(integer, integer, integer), "children": tuple_of(integer, integer)},
                  {"fix": list_of(_FIX), "bounded": _BOUNDED})),
    ("sign_split", obj({"sign_split": integer, "children": tuple_of(integer, integer)},
                       {"fix": list_of(_FIX), "sign_fix": _SIGN_FIX})),
    ("bounded", obj({"bounded": _BOUNDED}, {"fix": list_of(_FIX)})),
])
#: The domains of the difference kinds: a box or polyhedron, or a finite product of sets
#: (``{"finite": [0, 1], "dim": n}`` or ``{"finite": [[...], ...]}``).
FINITE_DOMAIN = obj({"finite": either(list_of(numbers), numbers,
                                      lambda v: isinstance(v, list) and bool(v) and isinstance(v[0], list))},
                    {"dim": integer})
DIFFERENCE_DOMAIN = by_keys([("lower", BOX), ("upper", BOX),
                             ("A", obj({"A": matrix, "b": numbers}, {"format": const("exactnet.domain/1")})),
                             ("finite", FINITE_DOMAIN), ("union", obj({"union": list_of(DOMAIN)}))])
#: A polyhedron without interior lies in ``point + span(basis)`` (region trees then run on ``T``).
AFFINE_HULL = obj({"point": numbers, "basis": list_of(numbers)})
RELU_MAX_DIFFERENCE_CLAIM = obj({"norm": const("inf", "1"), "max_abs_difference": number,
                                 "per_output": nullable(numbers), "domain": DIFFERENCE_DOMAIN})
#: A back-substituted bound's payload (``exactnet.relu.backsub_bounds.BacksubPayload.as_json``): per hidden
#: layer, a list over its units for each of the keys.
_BACKSUB_LAYER = obj({key: list_of(number) for key in ("dl", "du", "zl", "zu", "al", "au", "lam", "sb", "su", "sl")})
_BOX_BOUND = tagged("method", {"box_difference_forms": obj({"method": text, "bits": integer}),
                               "backsub": obj({"method": text, "layers": list_of(_BACKSUB_LAYER)})})
_BOX_BOUNDS = either(list_of(_BOX_BOUND), _BOX_BOUND, lambda v: isinstance(v, list))


def _box_node(region_node: Spec) -> Spec:
    """A node of ``box_split`` evidence: an optional exact bound on its box, then a split into two
    halves, a leaf with a region tree of the box, or nothing (every target proved on the path)."""
    leaf = tagged("method", {"regions": obj({"method": text, "nodes": list_of(region_node)})})
    bound = {"bound": _BOX_BOUNDS}
    split = obj({"split": tuple_of(integer, number), "children": tuple_of(integer, integer)}, bound)
    closed = obj({}, bound)

    def check(value, where):
        if isinstance(value, dict) and "split" in value:
            return split(value, where)
        if isinstance(value, dict) and "leaf" in value:
            return obj({"leaf": leaf}, bound)(value, where)
        return closed(value, where)
    return check


#: Real algebraic weights: per leaf, per output, the maximum of ``+d_k`` and of ``−d_k`` over the closed
#: cell: its value, a point attaining it and the Farkas proof ``(y, t)`` that nothing exceeds it.
_FIELD_OPTIMUM = obj({"value": FIELD_NUMBER, "point": FIELD_NUMBERS, "y": list_of(tuple_of(integer, FIELD_NUMBER)),
                      "t": FIELD_NUMBER})
FIELD_DIFFERENCE_NODE = by_keys([
    ("leaf", obj({"leaf": by_keys([("optima", obj({"optima": list_of(list_of(_FIELD_OPTIMUM, 2))})),
                                   ("sum_optima", obj({"sum_optima": list_of(_FIELD_OPTIMUM)}))])},
                 {"fix": list_of(_FIX)})),
    ("split", obj({"split": tuple_of(integer, integer, integer), "children": tuple_of(integer, integer)},
                  {"fix": list_of(_FIX)})),
])
RELU_MAX_DIFFERENCE_EVIDENCE = tagged("method", {
    "field_region_tree": obj({"method": text, "field": FIELD, "argmax": list_of(FIELD_NUMBERS),
                              "nodes": list_of(FIELD_DIFFERENCE_NODE)}, {"roots": list_of(integer)}),
    "field_enumeration": obj({"method": text, "field": FIELD, "argmax": list_of(FIELD_NUMBERS),
                              "maxima": FIELD_NUMBERS}),
    "region_tree": obj({"method": text, "argmax": list_of(numbers), "nodes": list_of(DIFFERENCE_NODE)},
                       {"affine_hull": AFFINE_HULL, "roots": list_of(integer)}),
    "box_split": obj({"method": text, "argmax": list_of(numbers), "boxes": list_of(_box_node(DIFFERENCE_NODE))}),
    "enumeration": obj({"method": text, "argmax": list_of(numbers)}),
})
_MULTIPLIERS = list_of(tuple_of(integer, number))
TOP1_NODE = by_keys([
    ("leaf", obj({"leaf": obj({"pairs": list_of(obj({"pair": tuple_of(integer, integer), "y": _MULTIPLIERS,
                                                      "c": _MULTIPLIERS, "w": _MULTIPLIERS}))})},
                 {"fix": list_of(_FIX)})),
    ("split", obj({"split": tuple_of(integer, integer, integer), "children": tuple_of(integer, integer)},
                  {"fix": list_of(_FIX)})),
])
RELU_TOP1_CLAIM = obj({"top1_equivalent": boolean, "tie_rule": const("lowest_index"), "domain": DIFFERENCE_DOMAIN})
_FIELD_MULTIPLIERS = list_of(tuple_of(integer, FIELD_NUMBER))
FIELD_TOP1_NODE = by_keys([
    ("leaf", obj({"leaf": obj({"pairs": list_of(obj({"pair": tuple_of(integer, integer), "y": _FIELD_MULTIPLIERS,
                                                      "c": _FIELD_MULTIPLIERS, "w": _FIELD_MULTIPLIERS}))})},
                 {"fix": list_of(_FIX)})),
    ("split", obj({"split": tuple_of(integer, integer, integer), "children": tuple_of(integer, integer)},
                  {"fix": list_of(_FIX)})),
])
RELU_TOP1_EVIDENCE = tagged("method", {
    "field_region_tree": obj({"method": text, "field": FIELD, "nodes": list_of(FIELD_TOP1_NODE)},
                             {"roots": list_of(integer)}),
    "field_enumeration": obj({"method": text, "field": FIELD}),
    "field_witness": obj({"method": text, "field": FIELD, "point": FIELD_NUMBERS}),
    "region_tree": obj({"method": text, "nodes": list_of(TOP1_NODE)}, {"affine_hull": AFFINE_HULL,
                                                                       "roots": list_of(integer)}),
    "box_split": obj({"method": text, "boxes": list_of(_box_node(TOP1_NODE))}),
    "enumeration": obj({"method": text}),
    "witness": obj({"method": text, "point": numbers}),
})
RELU_EPSILON_CLAIM = obj({"norm": const("inf", "1"), "eps": number, "within": boolean, "domain": DIFFERENCE_DOMAIN})
RELU_EPSILON_EVIDENCE = tagged("method", {
    "field_region_tree": obj({"method": text, "field": FIELD, "nodes": list_of(FIELD_DIFFERENCE_NODE)},
                             {"roots": list_of(integer)}),
    "field_enumeration": obj({"method": text, "field": FIELD}),
    "field_witness": obj({"method": text, "field": FIELD, "point": FIELD_NUMBERS}),
    "region_tree": obj({"method": text, "nodes": list_of(DIFFERENCE_NODE)}, {"affine_hull": AFFINE_HULL,
                                                                             "roots": list_of(integer)}),
    "box_split": obj({"method": text, "boxes": list_of(_box_node(DIFFERENCE_NODE))}),
    "enumeration": obj({"method": text}),
    "witness": obj({"method": text, "point": numbers}),
})


# ---------------------------------------------------------------------------------------------
# tanh.*
# ---------------------------------------------------------------------------------------------

SCALAR = either(obj({}, {"const": number, "tanh": list_of(tuple_of(number, number))}), number,
                lambda v: isinstance(v, dict))
TANH_MOVE = tagged("move", {
    "permute": obj({"move": text, "order": indices}),
    "negate": obj({"move": text, "units": indices}),
    "absorb": obj({"move": text, "units": indices, "a": matrix, "c": numbers}),
    "emit": obj({"move": text, "at": indices, "a": matrix, "c": numbers}),
    "remove_dead": obj({"move": text, "units": indices, "b": matrix, "c": numbers}),
    "insert_dead": obj({"move": text, "at": indices, "b": matrix, "c": numbers}),
    "merge": obj({"move": text, "groups": list_of(indices)}),
    "split": obj({"move": text, "groups": list_of(obj({"unit": integer, "at": indices, "a": matrix}))}),
})

TANH_EQUIVALENCE_CLAIM = obj({"equivalent": boolean}, {"domain": BOX})
TANH_EQUIVALENCE_EVIDENCE = tagged("type", {
    "moves": obj({"type": text, "moves": list_of(TANH_MOVE)}),
    "witness": obj({"type": text, "x": numbers, "output": integer, "precision": integer,
                    "enclosure_a": list_of(number, 2), "enclosure_b": list_of(number, 2)}),
    "constant_difference": obj({"type": text, "difference": list_of(SCALAR)}),
})

TANH_PARAMETER = obj({"format": const("exactnet.tanh-parameter/1"), "input_dim": integer, "output_dim": integer,
                      "units": list_of(obj({"a": numbers, "b": numbers, "c": number})),
                      "output_bias": list_of(SCALAR)})
TANH_PATH_CLAIM = either(obj({"path_exists": boolean, "segments": integer}), obj({"path_exists": boolean}),
                         lambda v: isinstance(v, dict) and v.get("path_exists") is True)
TANH_PATH_EVIDENCE = tagged("type", {
    "segments": obj({"type": text, "segments": list_of(obj({"kinds": list_of(text), "start": TANH_PARAMETER,
                                                             "end": TANH_PARAMETER}))}),
    "finite_class": obj({"type": text, "normal_forms": list_of(obj({"units": matrix, "output_bias": numbers}), 2)}),
})

TANH_ENCLOSURE_CLAIM = obj({"norm": const("inf"), "lower": number, "upper": number, "domain": BOX})
TANH_ENCLOSURE_EVIDENCE = obj({"witness": numbers, "precision": integer, "splits": list_of(integer)},
                              {"pairs": list_of(tuple_of(integer, integer))})

TANH_PRANK_CLAIM = obj({"eps": number, "proximate_rank_at_most": integer})
TANH_PRANK_EVIDENCE = tagged("type", {"compression": obj({"type": text, "moves": list_of(TANH_MOVE)})})


# ---------------------------------------------------------------------------------------------
# the kinds
# ---------------------------------------------------------------------------------------------

#: kind → (claim schema, evidence schema, number of inline networks)
KINDS: dict[str, tuple[Spec, Spec, int]] = {
    "relu.equivalence": (RELU_EQUIVALENCE_CLAIM, RELU_EQUIVALENCE_EVIDENCE, 2),
    "relu.max_difference": (RELU_MAX_DIFFERENCE_CLAIM, RELU_MAX_DIFFERENCE_EVIDENCE, 2),
    "relu.epsilon": (RELU_EPSILON_CLAIM, RELU_EPSILON_EVIDENCE, 2),
    "relu.top1": (RELU_TOP1_CLAIM, RELU_TOP1_EVIDENCE, 2),
    "relu.stable_compression": (RELU_STABLE_CLAIM, RELU_STABLE_EVIDENCE, 2),
    "tanh.equivalence": (TANH_EQUIVALENCE_CLAIM, TANH_EQUIVALENCE_EVIDENCE, 2),
    "tanh.path": (TANH_PATH_CLAIM, TANH_PATH_EVIDENCE, 2),
    "tanh.proximate_rank": (TANH_PRANK_CLAIM, TANH_PRANK_EVIDENCE, 2),
    "tanh.max_difference_enclosure": (TANH_ENCLOSURE_CLAIM, TANH_ENCLOSURE_EVIDENCE, 2),
}


#: kind → (claim schema, header evidence schema, number of inline networks) of the streamed format
#: ``exactnet.certificate/2`` (:mod:`exactnet.certificates.stream`; the records are read and checked
#: one at a time by the kind's checker)
STREAM_KINDS: dict[str, tuple[Spec, Spec, int]] = {
    "relu.equivalence": (RELU_EQUIVALENCE_CLAIM,
                         obj({"method": const("region_tree_stream"), "moves": RELU_MOVES}), 2),
}


def validate_stream_header(header) -> None:
    """The header line of a streamed certificate: exactly the envelope keys (no digest: the
    trailer holds it), a known kind, its claim and header evidence; else malformed."""
    if not isinstance(header, dict):
        raise MalformedCertificate("certificate: the header must be a JSON object")
    kind = header.get("kind")
    if not isinstance(kind, str) or kind not in STREAM_KINDS:
        raise MalformedCertificate(f"certificate: unknown streamed kind {_short(kind)} (known: {', '.join(STREAM_KINDS)})")
    claim, evidence, count = STREAM_KINDS[kind]
    obj({"format": text, "kind": text, "claim": claim, "networks": list_of(NETWORK, count),
         "evidence": evidence})(header, "header")


def validate(cert: dict) -> None:
    """Raise :class:`MalformedCertificate` unless ``cert`` has exactly the shape of its kind."""
    if not isinstance(cert, dict):
        raise MalformedCertificate("certificate: expected a JSON object")
    kind = cert.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise MalformedCertificate(f"certificate: unknown kind {_short(kind)} (known: {', '.join(KINDS)})")
    claim, evidence, count = KINDS[kind]
    obj({"format": text, "kind": text, "claim": claim, "networks": list_of(NETWORK, count), "evidence": evidence},
        {"digest": digest})(cert, "")


def validate_shape(obj) -> None:
    """The envelope and the kind's schema (:func:`exactnet.certificates.schema.validate`: the
    kind's keys and nothing else, ``digest`` exactly ``{"sha256": hex}``); else malformed."""
    if not isinstance(obj, dict):
        raise MalformedCertificate("certificate: expected a JSON object")
    if obj.get("format") != FORMAT:
        raise MalformedCertificate(f"certificate: 'format' must be {FORMAT!r}")
    validate(obj)  # also: the kind is one of schema.KINDS


__all__ = ["KINDS", "STREAM_KINDS", "validate", "validate_shape", "validate_stream_header"]
