"""The ``exactnet.network/1`` JSON format (``docs/numbers.md`` § Network files), with an exact round trip.

Reading: JSON integers, and strings holding an integer, ``"p/q"``, a decimal, scientific
notation or a real algebraic number in SymPy syntax; a JSON number literal with a fraction or
exponent means the decimal it spells (``0.1`` is ``1/10``). NaN and infinities are errors.

Writing: integers as JSON integers, other rationals as ``"p/q"`` strings, algebraic numbers in
SymPy syntax; reading the output back gives the same network.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import FormatError, InputError, NetworkError
from ..numbers import numbers_json
from .model import ACTIVATIONS, Network

FORMAT = "exactnet.network/1"


def network_from_obj(obj, source: str = "network") -> Network:
    """Build a :class:`Network` from a parsed ``exactnet.network/1`` object."""
    if not isinstance(obj, dict):
        raise FormatError(f"{source}: expected a JSON object with 'format', 'activation' and 'layers'")
    fmt = obj.get("format")
    if fmt != FORMAT:
        if fmt is None:
            raise FormatError(f"{source}: missing \"format\": \"{FORMAT}\"")
        raise FormatError(f"{source}: unsupported format {fmt!r} (expected {FORMAT!r})")
    activation = obj.get("activation")
    if not isinstance(activation, str):
        raise FormatError(f"{source}: missing or non-string 'activation' (one of {', '.join(ACTIVATIONS)})")
    if activation not in ACTIVATIONS:
        raise NetworkError(f"{source}: unknown activation {activation!r}; supported: {', '.join(ACTIVATIONS)}")
    layers = obj.get("layers")
    if not isinstance(layers, list) or not layers:
        raise FormatError(f"{source}: 'layers' must be a non-empty list")
    pairs = []
    count = 0
    for k, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict):
            raise FormatError(f"{source}: layer {k} must be an object with 'weight' and 'bias'")
        missing = [key for key in ("weight", "bias") if key not in layer]
        if missing:
            raise FormatError(f"{source}: layer {k} is missing {' and '.join(repr(m) for m in missing)}")
        weight, bias = layer["weight"], layer["bias"]
        if not isinstance(weight, list) or not all(isinstance(r, list) for r in weight):
            raise FormatError(f"{source}: layer {k}: 'weight' must be a list of rows (lists)")
        if not isinstance(bias, list):
            raise FormatError(f"{source}: layer {k}: 'bias' must be a list")
        pairs.append((weight, bias))
        count += sum(map(len, weight)) + len(bias)
    _check_count(count, source)
    try:
        return Network.from_lists(activation, pairs)
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from None


def _check_count(count: int, source: str) -> None:
    from .limits import MAX_ELEMENTS

    if count > MAX_ELEMENTS:
        raise FormatError(
            f"{source}: the network has {count:,} weights and biases, over the limit of {MAX_ELEMENTS:,} numbers"
            " per network file (see docs/numbers.md)"
        )


def network_to_obj(net: Network) -> dict:
    """The ``exactnet.network/1`` object of ``net`` (exact: integers and ``"p/q"`` strings)."""
    return {
        "format": FORMAT,
        "activation": net.activation,
        "layers": [
            {
                "weight": [numbers_json(row) for row in layer.weight],
                "bias": numbers_json(layer.bias),
            }
            for layer in net.layers
        ],
    }


def loads(text: str, source: str = "network") -> Network:
    from ..numbers.jsonfile import parse_json

    return network_from_obj(parse_json(text, source), source)


def dumps(net: Network, indent: int | None = 1) -> str:
    obj = network_to_obj(net)
    if indent is None:
        return json.dumps(obj)
    # one layer matrix row per line keeps files readable and diffable
    return json.dumps(obj, indent=indent)


def read_network(path: str | Path) -> Network:
    from ..numbers.jsonfile import read_text

    return loads(read_text(path, "network file"), str(path))


def write_network(net: Network, path: str | Path) -> None:
    Path(path).write_text(dumps(net) + "\n", encoding="utf-8")
