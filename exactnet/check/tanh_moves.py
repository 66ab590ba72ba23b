"""Replaying tanh move records exactly (shared by the ``tanh.equivalence`` and
``tanh.proximate_rank`` checkers).

Each record is one elementary function-preserving move of a one-hidden-layer tanh network
(``docs/certificates.md``): ``permute``, ``negate`` (tanh is odd), ``absorb``/``emit`` (a constant
unit ``b = 0`` is the number ``a·tanh(c)``, moved into or out of the symbolic output bias),
``remove_dead``/``insert_dead`` (``a = 0``), ``merge``/``split`` (units with identical ``(b, c)``).
:func:`apply_move` checks the record's precondition with exact arithmetic before applying it.
"""

from __future__ import annotations

from flint import fmpq

from ..certificates import MalformedCertificate, number_literals
from ..numbers.tanh_scalar import TanhScalar
from .result import Invalid

_ZERO = fmpq(0)
#: Keys whose values are names, not numbers.
NON_NUMERIC_KEYS = frozenset({"move", "type"})


def move_literals(obj) -> list:
    """The number literals of evidence with move records (names skipped)."""
    return number_literals(obj, NON_NUMERIC_KEYS)




def parameter_state(net) -> dict:
    """The parameter of a one-hidden-layer tanh network as lists of units ``(a_i, b_i, c_i)`` and
    the output bias ``d`` as tanh scalars (the state the move records act on)."""
    first, second = net.layers
    return {
        "a": [tuple(col) for col in zip(*second.weight)],
        "b": [tuple(row) for row in first.weight],
        "c": list(first.bias),
        "d": [TanhScalar.of(v) for v in second.bias],
        "n": net.input_dim,
        "m": net.output_dim,
    }


def as_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{what} must be an integer, got {value!r}")
    return value


def _index(value, width: int, what: str) -> int:
    i = as_int(value, what)
    if not 0 <= i < width:
        raise Invalid(f"{what} = {i} is not a unit index (width {width})")
    return i


def as_list(value, what: str) -> list:
    """``value`` when it is a JSON list (else the certificate is malformed)."""
    if not isinstance(value, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    return value


def as_vector(value, length: int, num, what: str) -> tuple:
    vals = as_list(value, what)
    if len(vals) != length:
        raise Invalid(f"{what} has {len(vals)} entries, expected {length}")
    return tuple(num(v) for v in vals)


def _distinct_indices(values, width: int, what: str) -> list:
    out = [_index(v, width, what) for v in as_list(values, what)]
    if len(set(out)) != len(out):
        raise Invalid(f"{what} repeats a unit")
    return out


def _remove(st: dict, remove: set) -> None:
    keep = [i for i in range(len(st["c"])) if i not in remove]
    for key in ("a", "b", "c"):
        st[key] = [st[key][i] for i in keep]


def _insert(st: dict, at: list, units: list, what: str) -> None:
    width = len(st["c"]) + len(at)
    placed = {}
    for pos, unit in zip(at, units):
        p = as_int(pos, f"{what} position")
        if not 0 <= p < width or p in placed:
            raise Invalid(f"{what}: insertion positions must be distinct and inside the new list")
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


def add_tanh(st: dict, units: list, factor: int) -> None:
    """``d += factor·Σ a·tanh(c)`` over ``units = [(a, c), ...]`` (one normalisation per output)."""
    if not units:
        return
    for k in range(st["m"]):
        pairs = [(c, a[k] if factor > 0 else -a[k]) for a, c in units]
        st["d"][k] = st["d"][k] + TanhScalar.build(_ZERO, pairs)


def apply_move(st: dict, rec: dict, num, t: int) -> None:
    """Replay move record ``t`` on the state ``st`` after checking its precondition exactly
    (Theorem M of :mod:`exactnet.check.tanh`); a failed precondition raises :class:`Invalid`."""
    if not isinstance(rec, dict) or not isinstance(rec.get("move"), str):
        raise MalformedCertificate(f"certificate: move {t} must be an object with a 'move' name")
    kind = rec["move"]
    where = f"move {t} ({kind})"
    h, n, m = len(st["c"]), st["n"], st["m"]
    if kind == "permute":
        order = _distinct_indices(rec.get("order"), h, f"{where}: order")
        if len(order) != h:
            raise Invalid(f"{where}: order is not a permutation of the {h} units")
        for key in ("a", "b", "c"):
            st[key] = [st[key][i] for i in order]
    elif kind == "negate":
        for i in _distinct_indices(rec.get("units"), h, f"{where}: units"):
            st["a"][i] = tuple(-v for v in st["a"][i])
            st["b"][i] = tuple(-v for v in st["b"][i])
            st["c"][i] = -st["c"][i]
    elif kind == "absorb":
        units = _distinct_indices(rec.get("units"), h, f"{where}: units")
        avs, cs = as_list(rec.get("a"), where), as_list(rec.get("c"), where)
        if not len(units) == len(avs) == len(cs):
            raise Invalid(f"{where}: units, a and c must have equal lengths")
        for i, av, cv in zip(units, avs, cs):
            if any(v != 0 for v in st["b"][i]):
                raise Invalid(f"{where}: unit {i} has b ≠ 0, it is not constant")
            if as_vector(av, m, num, f"{where}: a") != st["a"][i] or num(cv) != st["c"][i]:
                raise Invalid(f"{where}: the recorded a, c of unit {i} differ from the unit's")
        add_tanh(st, [(st["a"][i], st["c"][i]) for i in units], +1)
        _remove(st, set(units))
    elif kind == "emit":
        at, avs, cs = as_list(rec.get("at"), where), as_list(rec.get("a"), where), as_list(rec.get("c"), where)
        if not len(at) == len(avs) == len(cs):
            raise Invalid(f"{where}: at, a and c must have equal lengths")
        zero_b = tuple(_ZERO for _ in range(n))
        units = [(as_vector(av, m, num, f"{where}: a"), zero_b, num(cv)) for av, cv in zip(avs, cs)]
        add_tanh(st, [(a, c) for a, _b, c in units], -1)
        _insert(st, at, units, where)
    elif kind == "remove_dead":
        units = _distinct_indices(rec.get("units"), h, f"{where}: units")
        bvs, cs = as_list(rec.get("b"), where), as_list(rec.get("c"), where)
        if not len(units) == len(bvs) == len(cs):
            raise Invalid(f"{where}: units, b and c must have equal lengths")
        for i, bv, cv in zip(units, bvs, cs):
            if any(v != 0 for v in st["a"][i]):
                raise Invalid(f"{where}: unit {i} has a ≠ 0, it is not dead")
            if as_vector(bv, n, num, f"{where}: b") != st["b"][i] or num(cv) != st["c"][i]:
                raise Invalid(f"{where}: the recorded b, c of unit {i} differ from the unit's")
        _remove(st, set(units))
    elif kind == "insert_dead":
        at, bvs, cs = as_list(rec.get("at"), where), as_list(rec.get("b"), where), as_list(rec.get("c"), where)
        if not len(at) == len(bvs) == len(cs):
            raise Invalid(f"{where}: at, b and c must have equal lengths")
        zero_a = tuple(_ZERO for _ in range(m))
        units = [(zero_a, as_vector(bv, n, num, f"{where}: b"), num(cv)) for bv, cv in zip(bvs, cs)]
        _insert(st, at, units, where)
    elif kind == "merge":
        groups = as_list(rec.get("groups"), where)
        used: set = set()
        removed: set = set()
        for g in groups:
            idx = _distinct_indices(g, h, f"{where}: group")
            if not idx:
                raise Invalid(f"{where}: empty group")
            if used & set(idx):
                raise Invalid(f"{where}: a unit appears in two groups")
            used |= set(idx)
            i = idx[0]
            acc = list(st["a"][i])
            for j in idx[1:]:
                if st["b"][j] != st["b"][i] or st["c"][j] != st["c"][i]:
                    raise Invalid(f"{where}: units {i} and {j} have different (b, c)")
                acc = [x + y for x, y in zip(acc, st["a"][j])]
                removed.add(j)
            st["a"][i] = tuple(acc)
        _remove(st, removed)
    elif kind == "split":
        groups = as_list(rec.get("groups"), where)
        at_all, units, seen = [], [], set()
        for g in groups:
            if not isinstance(g, dict):
                raise MalformedCertificate(f"certificate: {where}: each group must be an object")
            i = _index(g.get("unit"), h, f"{where}: unit")
            if i in seen:
                raise Invalid(f"{where}: unit {i} is split twice")
            seen.add(i)
            at, parts = as_list(g.get("at"), where), as_list(g.get("a"), where)
            if len(at) != len(parts):
                raise Invalid(f"{where}: at and a must have equal lengths")
            acc = list(st["a"][i])
            for pos, part in zip(at, parts):
                a = as_vector(part, m, num, f"{where}: a")
                acc = [x - y for x, y in zip(acc, a)]
                at_all.append(pos)
                units.append((a, st["b"][i], st["c"][i]))
            st["a"][i] = tuple(acc)
        _insert(st, at_all, units, where)
    else:
        raise Invalid(f"{where}: unknown move name {kind!r}")


__all__ = ["NON_NUMERIC_KEYS", "add_tanh", "apply_move", "as_int", "as_list", "as_vector", "move_literals", "parameter_state"]
