"""Exact and rigorous evaluation of a :class:`~exactnet.network.model.Network`.

* ReLU networks at exact inputs give exact outputs (rational, or in the network's number field).
* Tanh networks give rigorous ``flint.arb`` enclosures; values that are exactly known (every
  ``tanh`` argument that feeds them is exactly 0, so ``tanh`` gives exactly 0) stay exact.

:func:`evaluate` returns both: ``exact`` (a tuple, or ``None`` if some output is transcendental
or unknown) and ``enclosures`` (one ``arb`` ball per output, radius ``≤ 2^-prec·max(1, |y|)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flint import arb, fmpq, fmpq_mat

from ..errors import InputError
from ..numbers import RealAlgebraic, enclosure, exact_numbers, sign, working_precision
from .model import Layer, Network, common_field

#: Largest working precision (bits) tried before giving up on a requested output accuracy.
MAX_WORKING_PRECISION = 1 << 14


@dataclass(frozen=True)
class Evaluation:
    """The outputs of a network at one input: exact values when known, and rigorous balls."""

    exact: tuple | None
    enclosures: tuple[arb, ...]
    precision: int


def align_input(net: Network, x: Sequence) -> tuple[Network, tuple]:
    """Validate an input vector, convert it exactly, and put it in a common field with ``net``.

    Literals are parsed exactly (``"1/3"``, ``"0.1"``, ``"sqrt(2)"``, floats as dyadics).
    Returns the (possibly re-embedded) network and the input.
    """
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise InputError("an input must be a vector (a list of numbers)")
    if len(x) != net.input_dim:
        raise InputError(f"the network takes {net.input_dim} inputs, got {len(x)}")
    if all(type(v) is fmpq for v in x):
        return net, tuple(x)
    literals = [None if isinstance(v, RealAlgebraic) else v for v in x]
    parsed = exact_numbers([v for v in literals if v is not None])
    it = iter(parsed)
    values = tuple(v if isinstance(v, RealAlgebraic) else next(it) for v in x)
    fields = {v.field for v in values if isinstance(v, RealAlgebraic)}
    if net.field is not None:
        fields.add(net.field)
    if len(fields) <= 1:
        return net, values
    probe = Network("relu", (Layer((values,), (fmpq(0),)),))
    probe, net = common_field(probe, net)
    return net, probe.layers[0].weight[0]


def _affine_exact(layer, x: tuple) -> list:
    if layer.is_rational and all(type(v) is fmpq for v in x):
        col = fmpq_mat(len(x), 1, list(x))
        prod = layer.weight_matrix * col
        return [prod[i, 0] + layer.bias[i] for i in range(layer.out_dim)]
    out = []
    for row, b in zip(layer.weight, layer.bias):
        acc = b
        for w, v in zip(row, x):
            if w != 0 and v != 0:
                acc = acc + w * v
        out.append(acc)
    return out


def relu_exact(z):
    return z if sign(z) > 0 else fmpq(0)


def forward_exact(net: Network, x: Sequence) -> tuple:
    """Exact outputs of a ReLU network (or of a tanh network whose tanh arguments are all 0)."""
    net, values = align_input(net, x)
    for k, layer in enumerate(net.layers):
        z = _affine_exact(layer, values)
        if k < len(net.layers) - 1:
            if net.activation == "relu":
                z = [relu_exact(v) for v in z]
            else:
                if any(v != 0 for v in z):
                    raise InputError("tanh outputs are transcendental here; use enclosures")
        values = tuple(z)
    return values


def preactivations(net: Network, x: Sequence) -> list[tuple]:
    """Exact preactivations of every hidden layer of a ReLU network at ``x``."""
    if net.activation != "relu":
        raise InputError("exact preactivations need a ReLU network")
    net, values = align_input(net, x)
    out = []
    for layer in net.layers[:-1]:
        z = _affine_exact(layer, values)
        out.append(tuple(z))
        values = tuple(relu_exact(v) for v in z)
    return out


def _forward_mixed(net: Network, x: tuple, prec: int) -> tuple[list, list]:
    """Propagate exact values where possible and arb balls elsewhere (working precision prec)."""
    exact: list = list(x)  # entry is an exact number, or None if only a ball is known
    balls: list = [enclosure(v, prec) for v in x]
    for k, layer in enumerate(net.layers):
        new_exact, new_balls = [], []
        for row, b in zip(layer.weight, layer.bias):
            known = True
            acc_exact = b
            acc_ball = enclosure(b, prec)
            for w, e, ball in zip(row, exact, balls):
                if w == 0:
                    continue
                if e is not None:
                    if e != 0:
                        acc_exact = acc_exact + w * e if known else acc_exact
                        acc_ball += enclosure(w, prec) * enclosure(e, prec)
                else:
                    known = False
                    acc_ball += enclosure(w, prec) * ball
            new_exact.append(acc_exact if known else None)
            new_balls.append(enclosure(acc_exact, prec) if known else acc_ball)
        if k < len(net.layers) - 1:
            act_exact, act_balls = [], []
            for e, ball in zip(new_exact, new_balls):
                if net.activation == "relu":
                    if e is not None:
                        r = relu_exact(e)
                        act_exact.append(r)
                        act_balls.append(enclosure(r, prec))
                    else:  # pragma: no cover - ReLU inputs are always exact
                        act_exact.append(None)
                        act_balls.append(ball.nonnegative_part())
                else:
                    if e is not None and e == 0:
                        act_exact.append(fmpq(0))
                        act_balls.append(arb(0))
                    else:
                        act_exact.append(None)
                        act_balls.append(ball.tanh())
            exact, balls = act_exact, act_balls
        else:
            exact, balls = new_exact, new_balls
    return exact, balls


def _accurate(ball: arb, prec: int) -> bool:
    if not ball.is_finite():
        return False
    mag = abs(ball.mid())
    scale = mag if mag > 1 else arb(1)
    return ball.rad() <= scale * arb(2) ** (-prec)


def evaluate(net: Network, x: Sequence, prec: int = 64) -> Evaluation:
    """Evaluate ``net`` at the exact input ``x``.

    Output balls are rigorous and have radius ``≤ 2^-prec·max(1, |y|)``; the working precision
    is raised automatically until that holds.
    """
    if prec < 2:
        raise InputError("precision must be at least 2 bits")
    net, values = align_input(net, x)
    if net.activation == "relu":
        out = forward_exact(net, values)
        with working_precision(prec + 32):
            return Evaluation(exact=out, enclosures=tuple(enclosure(v, prec + 32) for v in out), precision=prec)
    work = prec + 32
    while True:
        with working_precision(work):
            exact, balls = _forward_mixed(net, values, work)
            if all(_accurate(b, prec) for b in balls) or work >= MAX_WORKING_PRECISION:
                done = tuple(exact) if all(e is not None for e in exact) else None
                return Evaluation(exact=done, enclosures=tuple(balls), precision=prec)
        work *= 2
