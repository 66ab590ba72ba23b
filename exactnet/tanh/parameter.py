"""The parameter view ``w = ((a_i, b_i, c_i)_{i<h}, d)`` of a one-hidden-layer tanh network.

``f_w(x) = d + Σ_i a_i·tanh(b_i·x + c_i)`` with ``x ∈ R^n``, outgoing vectors ``a_i ∈ R^m``,
incoming vectors ``b_i ∈ R^n``, hidden biases ``c_i`` and output bias ``d ∈ R^m``
(Farrugia-Roberts 2023, docs/tanh.md § Parameters). In an ``exactnet.network/1`` file the rows
of layer 1 are the ``b_i``, the layer-1 bias entries the ``c_i``, the columns of layer 2 the
``a_i`` and the layer-2 bias ``d``.

The output bias is a vector of :class:`~exactnet.numbers.tanh_scalar.TanhScalar` so that compressed and
canonical parameters (whose bias absorbs ``a_i·tanh(c_i)`` of constant units) are parameters
too; a parameter read from a network has a plain-number bias. Units are indexed from 0 (the
row index of the layer-1 weight matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, Sequence

from flint import fmpq

from ..errors import FormatError, InputError, NetworkError, UnsupportedError
from ..network import Layer, Network
from ..numbers import format_number
from ..numbers.tanh_scalar import (
    TanhScalar, bias_vector, scalar_literals, vector_from_json, vector_is_numbers, vector_to_json,
)
from ..network.literals import bind_literals, table_parser

#: Format name of the JSON form of a (possibly symbolic-bias) tanh parameter.
PARAMETER_FORMAT = "exactnet.tanh-parameter/1"

_ZERO = fmpq(0)


def check_one_hidden_layer_tanh(net: Network, what: str = "this operation") -> None:
    """Raise a one-line :class:`InputError` unless ``net`` is a one-hidden-layer tanh network."""
    if not isinstance(net, Network):
        raise InputError(f"{what} needs a Network, got {type(net).__name__}")
    if net.activation != "tanh":
        raise NetworkError(f"{what} needs a tanh network; this is a {net.activation} network")
    if net.depth != 1:
        hidden = "no hidden layer" if net.depth == 0 else f"{net.depth} hidden layers"
        raise UnsupportedError(
            f"{what} is implemented for tanh networks with exactly one hidden layer; this one has {hidden}"
        )


@dataclass(frozen=True)
class TanhParameter:
    """A one-hidden-layer tanh parameter (see the module docstring).

    ``a``, ``b`` are tuples of ``h`` vectors (lengths ``output_dim``, ``input_dim``), ``c`` a
    tuple of ``h`` numbers, ``d`` a tuple of ``output_dim`` :class:`TanhScalar`. All numbers are
    exact (``fmpq``, or real algebraic numbers of one field). Width 0 is allowed.
    """

    a: tuple
    b: tuple
    c: tuple
    d: tuple
    input_dim: int
    output_dim: int

    def __post_init__(self):
        h = len(self.c)
        if len(self.a) != h or len(self.b) != h:
            raise InputError(f"parameter: a, b, c must have one entry per unit ({len(self.a)}, {len(self.b)}, {h})")
        if len(self.d) != self.output_dim:
            raise InputError(f"parameter: d has {len(self.d)} entries, expected {self.output_dim}")
        if any(not isinstance(s, TanhScalar) for s in self.d):
            object.__setattr__(self, "d", bias_vector(self.d))

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_network(cls, net: Network, what: str = "this operation") -> "TanhParameter":
        """The parameter of a one-hidden-layer tanh network (clear InputError otherwise)."""
        check_one_hidden_layer_tanh(net, what)
        first, second = net.layers
        a = tuple(zip(*second.weight))  # columns of W_2
        return cls(a=a, b=first.weight, c=first.bias, d=bias_vector(second.bias),
                   input_dim=net.input_dim, output_dim=net.output_dim)

    @classmethod
    def from_units(cls, units: Sequence[tuple], d: Sequence, input_dim: int, output_dim: int) -> "TanhParameter":
        """From ``[(a_i, b_i, c_i), …]`` (vectors as sequences) and ``d``."""
        a = tuple(tuple(u[0]) for u in units)
        b = tuple(tuple(u[1]) for u in units)
        c = tuple(u[2] for u in units)
        return cls(a=a, b=b, c=c, d=bias_vector(d), input_dim=input_dim, output_dim=output_dim)

    # -- shape and units -----------------------------------------------------------------------
    @property
    def width(self) -> int:
        return len(self.c)

    def unit(self, i: int) -> tuple:
        """``(a_i, b_i, c_i)``."""
        return self.a[i], self.b[i], self.c[i]

    def units(self) -> Iterator[tuple]:
        return zip(self.a, self.b, self.c)

    @cached_property
    def is_rational(self) -> bool:
        """All weights and the numeric bias parts are rationals (the hashing fast path applies)."""
        return (
            all(type(v) is fmpq for vec in self.b for v in vec)
            and all(type(v) is fmpq for v in self.c)
            and all(type(v) is fmpq for vec in self.a for v in vec)
            and all(type(s.const) is fmpq and all(type(q) is fmpq and type(k) is fmpq for q, k in s.terms)
                    for s in self.d)
        )

    @property
    def has_numeric_bias(self) -> bool:
        """True when ``d`` has no tanh terms (the parameter is an ordinary network)."""
        return vector_is_numbers(self.d)

    # -- conversion ----------------------------------------------------------------------------
    def to_network(self) -> Network:
        """The ``exactnet.network/1`` network of this parameter.

        Needs a numeric bias (otherwise see :meth:`realised`) and width ≥ 1 (the file format
        has no width-0 hidden layer; a width-0 parameter is written with one blank unit
        ``(0, 0, 0)``, which changes nothing).
        """
        if not self.has_numeric_bias:
            raise InputError(
                "this parameter's output bias has tanh terms (it is transcendental); use realised() to write it"
                " as a network with constant units carrying those terms"
            )
        p = self if self.width else self.with_blank_units(1)
        d = tuple(s.const for s in p.d)
        w1 = p.b
        w2 = tuple(tuple(col[k] for col in p.a) for k in range(p.output_dim))
        return Network("tanh", (Layer(w1, p.c), Layer(w2, d)))

    def realised(self) -> "TanhParameter":
        """An equivalent parameter with a numeric bias: one constant unit ``(r_q·e, 0, q)`` per
        argument ``q`` of the tanh terms of ``d`` (appended after the live units, ``q``
        ascending), ``e`` collecting the coefficients of ``tanh(q)`` over the outputs."""
        if self.has_numeric_bias:
            return self
        args: dict = {}
        order: list = []
        for k, s in enumerate(self.d):
            for q, coeff in s.terms:
                if q not in args:
                    args[q] = [_ZERO] * self.output_dim
                    order.append(q)
                args[q][k] = coeff
        from ..numbers.ordering import sort_exact

        order = sort_exact(order, key=lambda q: (q,))
        zero_b = tuple(_ZERO for _ in range(self.input_dim))
        extra_a = tuple(tuple(args[q]) for q in order)
        return TanhParameter(
            a=self.a + extra_a,
            b=self.b + tuple(zero_b for _ in order),
            c=self.c + tuple(order),
            d=tuple(TanhScalar.of(s.const) for s in self.d),
            input_dim=self.input_dim,
            output_dim=self.output_dim,
        )

    def with_blank_units(self, count: int) -> "TanhParameter":
        """Append ``count`` blank units ``(0, 0, 0)`` (the padding of the canonical form)."""
        zero_a = tuple(_ZERO for _ in range(self.output_dim))
        zero_b = tuple(_ZERO for _ in range(self.input_dim))
        return TanhParameter(
            a=self.a + (zero_a,) * count, b=self.b + (zero_b,) * count, c=self.c + (_ZERO,) * count,
            d=self.d, input_dim=self.input_dim, output_dim=self.output_dim,
        )

    # -- JSON ----------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """The ``exactnet.tanh-parameter/1`` object: exact strings, bias in the scalar JSON form.

        ``{"format": "exactnet.tanh-parameter/1", "input_dim": n, "output_dim": m,
        "units": [{"a": [...], "b": [...], "c": "..."}, ...], "output_bias": [scalar, ...]}``;
        it can hold a symbolic (transcendental) output bias, unlike ``exactnet.network/1``.
        """
        return {
            "format": PARAMETER_FORMAT,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "units": [
                {"a": [format_number(v) for v in a], "b": [format_number(v) for v in b], "c": format_number(c)}
                for a, b, c in self.units()
            ],
            "output_bias": vector_to_json(self.d),
        }

    @classmethod
    def from_json(cls, obj, source: str = "parameter") -> "TanhParameter":
        """Read :meth:`to_json`'s form (all algebraic literals are placed in one field)."""
        if not isinstance(obj, dict) or obj.get("format") != PARAMETER_FORMAT:
            raise FormatError(f"{source}: expected an object with \"format\": \"{PARAMETER_FORMAT}\"")
        try:
            n, m, units = int(obj["input_dim"]), int(obj["output_dim"]), obj["units"]
            bias = obj["output_bias"]
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"{source}: needs integer input_dim, output_dim, a units list and output_bias") from None
        if not isinstance(units, list) or n < 1 or m < 1:
            raise FormatError(f"{source}: 'units' must be a list and the dimensions positive")
        literals = []
        for u in units:
            if not isinstance(u, dict) or not {"a", "b", "c"} <= set(u):
                raise FormatError(f"{source}: each unit needs 'a', 'b' and 'c'")
            if not isinstance(u["a"], list) or not isinstance(u["b"], list) or len(u["a"]) != m or len(u["b"]) != n:
                raise FormatError(f"{source}: unit vectors must have {m} (a) and {n} (b) entries")
            literals += list(u["a"]) + list(u["b"]) + [u["c"]]
        literals += scalar_literals(bias)
        _, table = bind_literals((), literals)
        num = table_parser(table)
        parsed = [(tuple(num(v) for v in u["a"]), tuple(num(v) for v in u["b"]), num(u["c"])) for u in units]
        d = vector_from_json(bias, m, num, f"{source}.output_bias")
        return cls.from_units(parsed, d, n, m)

    def __repr__(self) -> str:
        return f"TanhParameter(n={self.input_dim}, h={self.width}, m={self.output_dim})"


__all__ = ["PARAMETER_FORMAT", "TanhParameter", "check_one_hidden_layer_tanh"]
