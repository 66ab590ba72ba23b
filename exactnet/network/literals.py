"""Number literals of a certificate or file, parsed exactly into the number field of given networks.

Algebraic literals (``"sqrt(2)"``) only compare exactly with the entries of a network when both
live in one number field; :func:`bind_literals` builds that common field once for all literals
and all networks. Rational literals never touch SymPy.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from flint import fmpq

from ..errors import FormatError, NumberError
from ..numbers import exact_numbers, parse_scalar
from ..numbers.tanh_scalar import NumberParser
from .model import Layer, Network, common_field

_ZERO = fmpq(0)


def _is_literal(x) -> bool:
    return isinstance(x, (str, int)) and not isinstance(x, bool)


def bind_literals(networks: Sequence, literals: Sequence) -> tuple[tuple, dict]:
    """Parse ``literals`` exactly into the common number field of ``networks``.

    Returns the networks (moved into that field if needed) and a map from each literal's text
    to its number, usable as a :data:`NumberParser` via ``lambda lit: table[literal_key(lit)]``
    (see :func:`table_parser`). Rational literals never touch SymPy.
    """
    keys = []
    seen = set()
    for lit in literals:
        if not _is_literal(lit):
            continue
        k = literal_key(lit)
        if k not in seen:
            seen.add(k)
            keys.append((k, lit))
    parsed = []
    algebraic = False
    for _k, lit in keys:
        try:
            v = parse_scalar(lit)
        except NumberError as exc:
            raise FormatError(f"{lit!r}: {exc}") from None
        algebraic = algebraic or not isinstance(v, fmpq)
        parsed.append(v)
    nets = tuple(networks)
    if not algebraic:
        return nets, {k: v for (k, _lit), v in zip(keys, parsed)}
    values = exact_numbers([lit for _k, lit in keys])
    probe = Network("tanh", (Layer((tuple(values),), (_ZERO,)),))
    *nets_out, probe = common_field(*nets, probe)
    return tuple(nets_out), {k: v for (k, _lit), v in zip(keys, probe.layers[0].weight[0])}


def literal_key(lit) -> tuple:
    return ("int", int(lit)) if isinstance(lit, int) else ("str", str(lit).strip())


def table_parser(table: Mapping) -> NumberParser:
    """A :data:`NumberParser` that looks literals up in a :func:`bind_literals` table."""

    def parse(lit):
        try:
            return table[literal_key(lit)]
        except KeyError:
            raise FormatError(f"internal: literal {lit!r} was not bound") from None

    return parse


__all__ = ["bind_literals", "literal_key", "table_parser"]
