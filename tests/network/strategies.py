"""Hypothesis strategies for exact networks (shared by tests)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from exactnet.network import Network

rationals = st.fractions(min_value=-20, max_value=20, max_denominator=30)


def literal(q: Fraction) -> str:
    return f"{q.numerator}/{q.denominator}"


@st.composite
def network_literals(draw, activation=None, algebraic=False, max_width=4, max_layers=4):
    """(activation, [(W, b), ...]) with literal entries; a few algebraic ones if asked."""
    act = activation or draw(st.sampled_from(["relu", "tanh"]))
    widths = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers + 1))
    alg = ["sqrt(2)", "-sqrt(2)/3", "1 + sqrt(2)", "CRootOf(x**3 - 2, 0)"] if algebraic else []
    entry = st.one_of(rationals.map(literal), st.sampled_from(alg)) if alg else rationals.map(literal)
    layers = []
    for i in range(len(widths) - 1):
        w = [[draw(entry) for _ in range(widths[i])] for _ in range(widths[i + 1])]
        b = [draw(entry) for _ in range(widths[i + 1])]
        layers.append((w, b))
    return act, layers


@st.composite
def networks(draw, activation=None, algebraic=False, **kw):
    act, layers = draw(network_literals(activation=activation, algebraic=algebraic, **kw))
    return Network.from_lists(act, layers)
