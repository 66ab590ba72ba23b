"""Gradient descent commutes with the symmetry group (docs/symmetry.md §6).

For the squared loss ``L(θ) = (1/N) Σ_i ‖f_θ(x_i) − y_i‖²`` and any ``g`` of the discrete group
(a signed permutation of coordinates, hence orthogonal), ``L(g·θ) = L(θ)`` gives
``∇L(g·θ) = g·∇L(θ)`` and so the gradient step ``Φ(θ) = θ − η∇L(θ)`` satisfies

    Φ(g·θ) = g·Φ(θ).

For ReLU networks on rational data this is checked here in exact rational arithmetic
(:func:`gradient` is an exact back-propagation; ``σ'(0) = 0`` — any fixed convention works, since
permuting units permutes preactivations). A positive scaling ``D`` (unit ``j`` of layer ``l``: incoming
row and bias times ``c``, outgoing column divided by ``c``) also preserves ``L``, but it is not
orthogonal: ``∇L(D·θ) = D^{−1}·∇L(θ)`` coordinatewise, so ``Φ(D·θ) ≠ D·Φ(θ)`` in general
(:func:`scaling_failure` returns an exact counterexample and checks the transformation law).

tanh gradients are transcendental. The sign-flip part of the identity is checked exactly with an
odd piecewise-linear activation instead: ``activation="hardtanh"`` (``σ(z) = max(−1, min(1, z))``,
``σ'(z) = 1`` for ``|z| < 1``, else 0 — an even derivative, as oddness of σ requires).

Consequence (the initialization identity): for a ``G``-invariant initialization law and a limit
point ``θ*`` with basin ``A``, the basins of the points of the orbit are the disjoint images ``g·A``, so
``P(converge into G·θ*) = |G·θ*| · P(A)``; see ``examples/init_orbit_experiment.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


from flint import fmpq

from ..errors import InputError, UnsupportedError
from ..network import Layer, Network
from .groups import GroupElement, act

GRADIENT_ACTIVATIONS = ("relu", "hardtanh")


def _sigma(activation: str, z):
    if activation == "relu":
        return z if z > 0 else fmpq(0)
    return fmpq(1) if z > 1 else (fmpq(-1) if z < -1 else z)


def _dsigma(activation: str, z):
    if activation == "relu":
        return fmpq(1) if z > 0 else fmpq(0)
    return fmpq(1) if -1 < z < 1 else fmpq(0)


def _resolve(net: Network, activation: str | None) -> str:
    act_name = activation or net.activation
    if act_name == "tanh":
        raise UnsupportedError(
            "exact gradients of tanh networks are transcendental; pass activation='hardtanh' (odd, piecewise"
            " linear) to check the sign-flip equivariance exactly"
        )
    if act_name not in GRADIENT_ACTIVATIONS:
        raise InputError(f"unknown activation {act_name!r} for exact gradients; supported: {', '.join(GRADIENT_ACTIVATIONS)}")
    if not net.is_rational:
        raise UnsupportedError("exact gradients are implemented for rational parameters")
    return act_name


def _data(net: Network, data) -> list[tuple[tuple, tuple]]:
    out = []
    for x, y in data:
        x, y = tuple(fmpq(v) for v in x), tuple(fmpq(v) for v in y)
        if len(x) != net.input_dim or len(y) != net.output_dim:
            raise InputError("data points must match the network's input and output dimensions")
        out.append((x, y))
    if not out:
        raise InputError("at least one data point is needed")
    return out


def loss(net: Network, data, activation: str | None = None) -> fmpq:
    """``(1/N) Σ ‖f_θ(x_i) − y_i‖²`` exactly."""
    a = _resolve(net, activation)
    pts = _data(net, data)
    total = fmpq(0)
    for x, y in pts:
        out = _forward(net, a, x)[0][-1]
        total += sum(((o - t) ** 2 for o, t in zip(out, y)), fmpq(0))
    return total / len(pts)


def _forward(net: Network, a: str, x: tuple):
    hs, zs = [x], []
    h = x
    for k, layer in enumerate(net.layers):
        z = tuple(b + sum((w * v for w, v in zip(row, h)), fmpq(0)) for row, b in zip(layer.weight, layer.bias))
        zs.append(z)
        h = tuple(_sigma(a, v) for v in z) if k < net.depth else z
        hs.append(h)
    return hs, zs


def gradient(net: Network, data, activation: str | None = None) -> Network:
    """``∇L(θ)`` exactly, shaped like ``net`` (so a group element acts on it with :func:`act`)."""
    a = _resolve(net, activation)
    pts = _data(net, data)
    gw = [[[fmpq(0)] * layer.in_dim for _ in range(layer.out_dim)] for layer in net.layers]
    gb = [[fmpq(0)] * layer.out_dim for layer in net.layers]
    scale = fmpq(2, len(pts))
    for x, y in pts:
        hs, zs = _forward(net, a, x)
        delta = [scale * (o - t) for o, t in zip(hs[-1], y)]
        for k in range(len(net.layers) - 1, -1, -1):
            layer = net.layers[k]
            h = hs[k]
            for i, d in enumerate(delta):
                if d != 0:
                    gb[k][i] += d
                    row = gw[k][i]
                    for j, v in enumerate(h):
                        if v != 0:
                            row[j] += d * v
            if k == 0:
                break
            back = [sum((layer.weight[i][j] * delta[i] for i in range(layer.out_dim)), fmpq(0))
                    for j in range(layer.in_dim)]
            delta = [bk * _dsigma(a, z) for bk, z in zip(back, zs[k - 1])]
    layers = tuple(Layer(tuple(tuple(r) for r in w), tuple(b)) for w, b in zip(gw, gb))
    return Network(net.activation, layers)


def step(net: Network, data, lr, activation: str | None = None) -> Network:
    """One gradient-descent step ``θ − η∇L(θ)`` (exact)."""
    eta = fmpq(lr)
    g = gradient(net, data, activation)
    layers = tuple(
        Layer(tuple(tuple(w - eta * d for w, d in zip(r, dr)) for r, dr in zip(L.weight, G.weight)),
              tuple(b - eta * d for b, d in zip(L.bias, G.bias)))
        for L, G in zip(net.layers, g.layers)
    )
    return Network(net.activation, layers)


def commutes(net: Network, data, lr, g: GroupElement, steps: int = 1, activation: str | None = None) -> bool:
    """Whether ``Φ^k(g·θ) = g·Φ^k(θ)`` exactly (``k = steps``)."""
    a, b = act(g, net), net
    for _ in range(steps):
        a, b = step(a, data, lr, activation), step(b, data, lr, activation)
    return a == act(g, b)


def scale_unit(net: Network, layer: int, unit: int, c) -> Network:
    """Positive scaling of hidden unit ``unit`` (0-based) of hidden layer ``layer`` (1-based) by ``c > 0``."""
    c = fmpq(c)
    if c <= 0:
        raise InputError("a positive scaling needs c > 0")
    if not 1 <= layer <= net.depth:
        raise InputError(f"hidden layer {layer} does not exist")
    inc, out = net.layers[layer - 1], net.layers[layer]
    w = [list(r) for r in inc.weight]
    b = list(inc.bias)
    w[unit] = [c * v for v in w[unit]]
    b[unit] = c * b[unit]
    w2 = [list(r) for r in out.weight]
    for r in w2:
        r[unit] = r[unit] / c
    layers = list(net.layers)
    layers[layer - 1] = Layer(tuple(map(tuple, w)), tuple(b))
    layers[layer] = Layer(tuple(map(tuple, w2)), out.bias)
    return Network(net.activation, tuple(layers))


def _scale_gradient_law(grad: Network, layer: int, unit: int, c: fmpq) -> Network:
    """``D^{−1}·∇``: the gradient's incoming entries of the unit divided by ``c``, outgoing times ``c``."""
    return scale_unit(grad, layer, unit, 1 / c)


@dataclass(frozen=True)
class ScalingFailure:
    """``Φ(D·θ)`` against ``D·Φ(θ)``; ``law_holds``: ``∇L(D·θ) = D^{−1}·∇L(θ)`` exactly."""

    commutes: bool
    law_holds: bool
    loss_invariant: bool
    difference: fmpq      # max |Φ(D·θ) − D·Φ(θ)| over the coordinates


def scaling_failure(net: Network, data, lr, layer: int, unit: int, c) -> ScalingFailure:
    c = fmpq(c)
    if net.activation != "relu":
        raise UnsupportedError("positive scaling is a symmetry of ReLU networks only")
    scaled = scale_unit(net, layer, unit, c)
    left = step(scaled, data, lr)
    right = scale_unit(step(net, data, lr), layer, unit, c)
    law = gradient(scaled, data) == _scale_gradient_law(gradient(net, data), layer, unit, c)
    diff = max(abs(u - v) for u, v in zip(left.parameter_vector(), right.parameter_vector()))
    return ScalingFailure(left == right, law, loss(scaled, data) == loss(net, data), diff)


__all__ = [
    "GRADIENT_ACTIVATIONS", "ScalingFailure", "commutes", "gradient", "loss", "scale_unit", "scaling_failure", "step",
]


