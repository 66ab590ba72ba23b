"""The immutable :class:`Network`: affine layers with an activation between them.

``f(x) = L_k ∘ σ ∘ L_{k-1} ∘ … ∘ σ ∘ L_1 (x)`` with ``L_i(x) = W_i x + b_i``; ``σ`` (``relu`` or
``tanh``) acts after every layer but the last, which is linear. ``W_i`` has shape
``(out, in)`` (the PyTorch ``nn.Linear`` convention).  Entries are exact numbers
(:mod:`exactnet.numbers`): ``fmpq``, or real algebraic numbers that all live in one field.

For a one-hidden-layer tanh network the notation of Farrugia-Roberts (2023) is: rows of
``W_1`` are the incoming vectors ``b_i``, entries of ``b_1`` the hidden biases ``c_i``, columns of
``W_2`` the outgoing vectors ``a_i``, and ``b_2`` the output bias ``d``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Iterable, Sequence

from flint import fmpq, fmpq_mat

from ..errors import FieldMismatchError, NetworkError
from ..numbers import NumberField, RealAlgebraic, embed, exact_numbers, to_rational, unify_fields

ACTIVATIONS = ("relu", "tanh")


def _exact(v):
    """Entries stay as they are if exact; ints, Fractions and binary floats convert exactly."""
    if type(v) is fmpq or isinstance(v, RealAlgebraic):
        return v
    if isinstance(v, (list, tuple, dict, str)) or v is None:
        raise NetworkError(f"layer entries must be numbers, found {type(v).__name__} {v!r:.40}")
    return to_rational(v)


def _exact_row(row) -> tuple:
    """A row of entries as a tuple of exact numbers (one type test per distinct type: fast)."""
    row = tuple(row)
    kinds = set(map(type, row))
    if kinds <= {fmpq}:
        return row
    if kinds <= {int, fmpq}:
        return tuple(map(fmpq, row))
    return tuple(map(_exact, row))


def _check_entry(x, where: str) -> None:
    if not isinstance(x, (fmpq, RealAlgebraic)):
        raise NetworkError(f"{where}: expected an exact number (fmpq or RealAlgebraic), got {type(x).__name__}")


@dataclass(frozen=True)
class Layer:
    """An affine map ``x ↦ W x + b`` with ``W`` of shape ``(out, in)``."""

    weight: tuple[tuple, ...]
    bias: tuple

    def __post_init__(self):
        try:
            weight = tuple(_exact_row(row) for row in self.weight)
            bias = _exact_row(self.bias)
        except TypeError:
            raise NetworkError("a layer needs a weight matrix (list of rows) and a bias vector") from None
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "bias", bias)

    @property
    def out_dim(self) -> int:
        return len(self.weight)

    @property
    def in_dim(self) -> int:
        return len(self.weight[0]) if self.weight else 0

    @cached_property
    def is_rational(self) -> bool:
        return all(set(map(type, row)) <= {fmpq} for row in self.weight) and set(map(type, self.bias)) <= {fmpq}

    def __getstate__(self):
        """Pickle the entries only (cached FLINT matrices do not pickle; they are rebuilt on use)."""
        return {"weight": self.weight, "bias": self.bias}

    @cached_property
    def weight_matrix(self) -> fmpq_mat:
        """``W`` as an ``fmpq_mat`` (rational layers only)."""
        if not self.is_rational:
            raise NetworkError("this layer has algebraic entries; it has no fmpq_mat form")
        return fmpq_mat(self.out_dim, self.in_dim, [v for row in self.weight for v in row])

    def column(self, j: int) -> tuple:
        return tuple(row[j] for row in self.weight)

    def entries(self) -> Iterable:
        for row in self.weight:
            yield from row
        yield from self.bias


@dataclass(frozen=True)
class Network:
    """An exact feed-forward network; see the module docstring for the convention.

    Construct with exact entries directly, or from literals with :meth:`from_lists`.
    Validation errors (:class:`~exactnet.errors.NetworkError`) name the layer and the problem.
    """

    activation: str
    layers: tuple[Layer, ...]
    field: NumberField | None = dc_field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.activation not in ACTIVATIONS:
            raise NetworkError(
                f"unknown activation {self.activation!r}; supported: {', '.join(ACTIVATIONS)}"
            )
        layers = tuple(self.layers)
        object.__setattr__(self, "layers", layers)
        if not layers:
            raise NetworkError("a network needs at least one layer")
        fields: set[NumberField] = set()
        prev_out = None
        for k, layer in enumerate(layers, start=1):
            if not isinstance(layer, Layer):
                raise NetworkError(f"layer {k}: expected a Layer, got {type(layer).__name__}")
            if layer.out_dim == 0:
                raise NetworkError(f"layer {k}: weight has no rows (a layer needs at least one unit)")
            width = len(layer.weight[0])
            if width == 0:
                raise NetworkError(f"layer {k}: weight rows are empty (a layer needs at least one input)")
            for r, row in enumerate(layer.weight, start=1):
                if len(row) != width:
                    raise NetworkError(
                        f"layer {k}: weight row {r} has {len(row)} entries but row 1 has {width} (ragged matrix)"
                    )
            if len(layer.bias) != layer.out_dim:
                raise NetworkError(
                    f"layer {k}: bias has {len(layer.bias)} entries but weight has {layer.out_dim} rows"
                )
            if prev_out is not None and width != prev_out:
                raise NetworkError(
                    f"layer {k}: weight has {width} columns but layer {k - 1} has {prev_out} outputs"
                )
            prev_out = layer.out_dim
            if not layer.is_rational:
                for r, row in enumerate(layer.weight, start=1):
                    for c, v in enumerate(row, start=1):
                        _check_entry(v, f"layer {k}: weight[{r}][{c}]")
                        if isinstance(v, RealAlgebraic):
                            fields.add(v.field)
                for r, v in enumerate(layer.bias, start=1):
                    _check_entry(v, f"layer {k}: bias[{r}]")
                    if isinstance(v, RealAlgebraic):
                        fields.add(v.field)
        if len(fields) > 1:
            raise FieldMismatchError(
                "all algebraic entries of a network must live in one number field; build it with"
                " Network.from_lists or unify the fields"
            )
        object.__setattr__(self, "field", next(iter(fields)) if fields else None)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_lists(cls, activation: str, layers: Sequence[tuple[Sequence[Sequence], Sequence]]) -> "Network":
        """Build from ``[(weight_rows, bias), ...]`` of literals (ints, ``"p/q"``, decimals,
        SymPy strings, floats converted exactly); all algebraic entries share one field."""
        layer_rows = []
        for k, pair in enumerate(layers, start=1):
            try:
                weight, bias = pair
            except (TypeError, ValueError):
                raise NetworkError(f"layer {k}: expected a (weight, bias) pair") from None
            rows = [r if isinstance(r, (list, tuple)) else _not_row(k, r) for r in weight]
            bias = bias if isinstance(bias, (list, tuple)) else _not_vector(k, bias)
            layer_rows.append((rows, bias))
        kinds = set()
        for rows, bias in layer_rows:
            for r in rows:
                kinds.update(map(type, r))
            kinds.update(map(type, bias))
        if kinds <= {int, fmpq}:  # the common case (integer weights): no literal parsing at all
            return cls(activation, tuple(Layer(tuple(tuple(map(fmpq, r)) for r in rows), tuple(map(fmpq, bias)))
                                         for rows, bias in layer_rows))
        flat = []
        for rows, bias in layer_rows:
            for r in rows:
                flat.extend(r)
            flat.extend(bias)
        values = exact_numbers(flat)
        built, pos = [], 0
        for rows, bias in layer_rows:
            weight = []
            for r in rows:
                weight.append(tuple(values[pos:pos + len(r)]))
                pos += len(r)
            built.append(Layer(tuple(weight), tuple(values[pos:pos + len(bias)])))
            pos += len(bias)
        return cls(activation, tuple(built))

    # -- shape ---------------------------------------------------------------------------------
    @property
    def widths(self) -> tuple[int, ...]:
        """``(n_0, n_1, …, n_L)``: input dimension, hidden widths, output dimension."""
        return (self.layers[0].in_dim,) + tuple(layer.out_dim for layer in self.layers)

    @property
    def input_dim(self) -> int:
        return self.layers[0].in_dim

    @property
    def output_dim(self) -> int:
        return self.layers[-1].out_dim

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return self.widths[1:-1]

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.layers) - 1

    @property
    def num_parameters(self) -> int:
        return sum(layer.out_dim * (layer.in_dim + 1) for layer in self.layers)

    @cached_property
    def is_rational(self) -> bool:
        return all(layer.is_rational for layer in self.layers)

    def entries(self) -> Iterable:
        for layer in self.layers:
            yield from layer.entries()

    def parameter_vector(self) -> tuple:
        """All parameters in order: layer by layer, weight row by row, then bias."""
        return tuple(self.entries())

    def replace_layers(self, layers: Sequence[Layer]) -> "Network":
        return Network(self.activation, tuple(layers))

    def map_entries(self, fn) -> "Network":
        """A new network with ``fn`` applied to every entry."""
        return Network(
            self.activation,
            tuple(
                Layer(tuple(tuple(fn(v) for v in row) for row in layer.weight), tuple(fn(v) for v in layer.bias))
                for layer in self.layers
            ),
        )

    def __repr__(self) -> str:
        return f"Network({self.activation}, widths={list(self.widths)})"


def _not_row(k, r):
    raise NetworkError(f"layer {k}: weight must be a list of rows, found {type(r).__name__}")


def _not_vector(k, b):
    raise NetworkError(f"layer {k}: bias must be a list, found {type(b).__name__}")


def common_field(*networks: Network) -> tuple[Network, ...]:
    """The networks with all algebraic entries moved into one common number field.

    Rational networks are returned unchanged; so are networks already sharing a field.
    """
    fields = [n.field for n in networks if n.field is not None]
    if len(set(fields)) <= 1:
        return networks
    target, images = unify_fields(fields)
    image_of = dict(zip(fields, images))
    out = []
    for n in networks:
        if n.field is None or n.field == target:
            out.append(n)
        else:
            img = image_of[n.field]
            out.append(n.map_entries(lambda v, img=img: embed(v, target, img)))
    return tuple(out)
