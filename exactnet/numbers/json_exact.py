"""Exact JSON reading: number literals kept exact, NaN/Infinity and duplicate keys refused.

* A JSON number with a fraction or exponent (``0.1``, ``1e-3``) is kept as its text, a
  :class:`DecimalLiteral`, and later means the decimal it spells (never a binary float).
* A JSON integer too long for Python's integer-string limit (4,300 digits by default) is kept as
  its text, an :class:`IntegerLiteral`; both are exact numbers for every exactnet reader.
* ``NaN``, ``Infinity`` and ``-Infinity`` are errors.
* An object with the same key twice is an error (:class:`DuplicateKeyError`): JSON readers differ
  on which value they keep, so a duplicated key would let two readers see two documents.
"""

from __future__ import annotations

import json
import sys

from ..errors import FormatError, NumberError
from .budget import shown


class DecimalLiteral(str):
    """The text of a JSON number literal with a fraction or exponent (kept exact, never a float)."""

    __slots__ = ()


class IntegerLiteral(str):
    """The text of a JSON integer literal with more digits than Python converts from text."""

    __slots__ = ()


class DuplicateKeyError(FormatError):
    """A JSON object with a repeated key."""


def _reject_constant(name: str):
    raise NumberError(f"{name} is not a finite number (NaN and infinities are not allowed)")


def _unique_object(pairs: list) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise DuplicateKeyError(
                    f"duplicate key {shown(key)} in a JSON object (JSON readers disagree on which value"
                    " counts, so exactnet refuses repeated keys)"
                )
            seen.add(key)
    return obj


def _integer(text: str):
    limit = sys.get_int_max_str_digits()
    if limit == 0 or len(text) - text.startswith("-") <= limit:
        return int(text)
    return IntegerLiteral(text)


def json_loads_exact(text: str):
    """``json.loads`` with the exact number reading and the checks of the module docstring."""
    options = dict(parse_float=DecimalLiteral, parse_constant=_reject_constant, object_pairs_hook=_unique_object)
    try:
        return json.loads(text, **options)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # an integer literal over Python's int-string limit: keep it as text
        if "integer string conversion" not in str(exc):
            raise
    return json.loads(text, parse_int=_integer, **options)
