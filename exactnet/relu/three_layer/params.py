"""Exact parameters of a network with two hidden layers (three affine layers), zero widths allowed.

``f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3`` with ``W1 ∈ Q^{n1×n0}``, ``W2 ∈ Q^{n2×n1}``,
``W3 ∈ Q^{n3×n2}`` (docs/relu-three-layer.md §1). Unlike :class:`~exactnet.network.Network`, a
hidden width may be 0 here: the mechanism moves remove neurons, and a constant function has an
empty canonical form. Entries are ``flint.fmpq``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import index
from typing import Sequence

from flint import fmpq, fmpq_mat

from ...errors import UnsupportedError
from ...network import Layer, Network
from ...numbers import number_json

ZERO = fmpq(0)


def qkey(values) -> tuple:
    """A fast hashable key of a vector of ``fmpq`` (hashing ``fmpq`` itself goes through ``Fraction``)."""
    return tuple((int(v.p), int(v.q)) for v in values)


def _row(values) -> tuple:
    return tuple(v if type(v) is fmpq else fmpq(v) for v in values)


def _integer_rows(W, bias, n_in: int) -> tuple[list, int]:
    """The rows ``(W[k], bias[k])`` of ``fmpq`` as integer rows over their common denominator."""
    n, m = len(bias), n_in + 1
    if n == 0:
        return [], 1
    num, den = fmpq_mat(n, m, [v for r, b in zip(W, bias) for v in (*r, b)]).numer_denom()
    flat = list(map(index, num.entries()))
    return [flat[k:k + m] for k in range(0, n * m, m)], index(den)


def _integer_network(layers, widths) -> tuple:
    """The three layers ``[W_k | b_k]`` as rows of Python integers over ONE common denominator ``D``
    of all entries (one FLINT conversion: the entries in one ``1 × N`` ``fmpq_mat``, then
    ``numer_denom``): ``((N1, D), (N2, D), (N3, D))``; an empty layer gives ``[]``."""
    flat = []
    for W, bias in layers:
        for r, b in zip(W, bias):
            flat += r
            flat.append(b)
    if not flat:
        return tuple(([], 1) for _ in layers)
    num, den = fmpq_mat(1, len(flat), flat).numer_denom()
    ints = list(map(index, num.entries()))
    D = index(den)
    out, pos = [], 0
    for (W, bias), n_in in zip(layers, widths):
        m = n_in + 1
        end = pos + len(bias) * m
        out.append(([ints[k:k + m] for k in range(pos, end, m)], D))
        pos = end
    return tuple(out)


@dataclass(frozen=True)
class ThreeLayer:
    """``(W1, b1, W2, b2, W3, b3)`` as tuples of rows of ``fmpq`` (``n0`` kept for ``n1 = 0``)."""

    n0: int
    W1: tuple
    b1: tuple
    W2: tuple
    b2: tuple
    W3: tuple
    b3: tuple

    @classmethod
    def make(cls, n0, W1, b1, W2, b2, W3, b3) -> "ThreeLayer":
        n3 = len(b3)
        W3 = tuple(_row(r) for r in W3) if W3 else tuple(() for _ in range(n3))
        return cls(n0, tuple(_row(r) for r in W1), _row(b1), tuple(_row(r) for r in W2), _row(b2), W3, _row(b3))

    @classmethod
    def from_network(cls, net: Network) -> "ThreeLayer":
        if net.activation != "relu" or net.depth != 2:
            raise UnsupportedError("a three-layer parameter needs a ReLU network with exactly two hidden layers")
        if not net.is_rational:
            raise UnsupportedError("the three-layer procedures need rational weights")
        (L1, L2, L3) = net.layers
        return cls(net.input_dim, L1.weight, L1.bias, L2.weight, L2.bias, L3.weight, L3.bias)

    def to_network(self) -> Network:
        """The :class:`Network` (empty hidden layers get one silent neuron, which changes nothing)."""
        p = self
        if p.n1 == 0:
            p = ThreeLayer(p.n0, ((ZERO,) * p.n0,), (ZERO,), tuple(r + (ZERO,) for r in p.W2), p.b2, p.W3, p.b3)
        if p.n2 == 0:
            p = ThreeLayer(p.n0, p.W1, p.b1, ((ZERO,) * p.n1,), (ZERO,), tuple(r + (ZERO,) for r in p.W3), p.b3)
        return Network("relu", (Layer(p.W1, p.b1), Layer(p.W2, p.b2), Layer(p.W3, p.b3)))

    @property
    def n1(self) -> int:
        return len(self.b1)

    @property
    def n2(self) -> int:
        return len(self.b2)

    @property
    def n3(self) -> int:
        return len(self.b3)

    @property
    def widths(self) -> tuple[int, int, int, int]:
        return (self.n0, self.n1, self.n2, self.n3)

    @property
    def num_parameters(self) -> int:
        return self.n1 * (self.n0 + 1) + self.n2 * (self.n1 + 1) + self.n3 * (self.n2 + 1)

    def out2(self, j: int) -> tuple:
        """Column ``j`` of ``W3`` (the outgoing weights of second-layer neuron ``j``)."""
        return self.columns3[j]

    @cached_property
    def columns3(self) -> tuple:
        return tuple(zip(*self.W3)) if self.n2 else ()

    def out1(self, i: int) -> tuple:
        """Column ``i`` of ``W2``."""
        return tuple(r[i] for r in self.W2)

    @cached_property
    def integer_layers(self) -> tuple:
        """``((N1, D), (N2, D), (N3, D))``: each layer ``[W_k | b_k] = N_k / D`` as rows of Python
        integers over one common denominator ``D > 0`` of all entries of the parameter (one FLINT
        conversion for the three layers; an empty layer gives ``([], D)``). Computed once per
        parameter object."""
        return _integer_network(((self.W1, self.b1), (self.W2, self.b2), (self.W3, self.b3)),
                                (self.n0, self.n1, self.n2))

    @cached_property
    def integer_layer1(self) -> tuple:
        """``(N1, d1)``: ``[W1 | b1] = N1 / d1`` over an integer ``d1 > 0`` — the first entry of
        :attr:`integer_layers` when that is already computed, otherwise the first layer alone (the
        rank test needs only the first layer)."""
        done = self.__dict__.get("integer_layers")
        return done[0] if done is not None else _integer_rows(self.W1, self.b1, self.n0)

    @cached_property
    def w1_matrix(self) -> fmpq_mat:
        return fmpq_mat(self.n1, self.n0, [v for r in self.W1 for v in r])

    def hidden1(self, x: Sequence) -> tuple:
        return tuple(v if v > 0 else ZERO for v in self.pre1(x))

    def pre1(self, x: Sequence) -> tuple:
        return tuple(sum((w * v for w, v in zip(r, x) if w != 0), b) for r, b in zip(self.W1, self.b1))

    def second(self, h: Sequence) -> tuple:
        """``G(h) = W3 σ(W2 h + b2) + b3``: the part of the network after the first layer."""
        z = [sum((w * v for w, v in zip(r, h) if w != 0 and v != 0), b) for r, b in zip(self.W2, self.b2)]
        u = [v if v > 0 else ZERO for v in z]
        return tuple(sum((w * v for w, v in zip(r, u) if v != 0), b) for r, b in zip(self.W3, self.b3))

    def __call__(self, x: Sequence) -> tuple:
        """The exact output at a rational input."""
        return self.second(self.hidden1([v if type(v) is fmpq else fmpq(v) for v in x]))

    def to_obj(self) -> dict:
        def m(rows):
            return [[number_json(v) for v in r] for r in rows]

        return {"widths": list(self.widths), "W1": m(self.W1), "b1": [number_json(v) for v in self.b1],
                "W2": m(self.W2), "b2": [number_json(v) for v in self.b2], "W3": m(self.W3),
                "b3": [number_json(v) for v in self.b3]}


def as_params(net) -> ThreeLayer:
    return net if isinstance(net, ThreeLayer) else ThreeLayer.from_network(net)


__all__ = ["ThreeLayer", "as_params", "qkey"]
