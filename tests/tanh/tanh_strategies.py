"""Shared hypothesis strategies and helpers for the tanh tests (not a test module).

Parameters are plain data here: ``units = [(a, b, c), ...]`` with tuples ``a`` (length m),
``b`` (length n), and ``d`` (length m), all ``fmpq``. The function-preserving moves and the
perturbations are written independently of ``exactnet.tanh.moves``.
"""

from __future__ import annotations

from flint import fmpq
from hypothesis import strategies as st

from exactnet.network import Layer, Network, evaluate

ZERO = fmpq(0)


def rationals(max_num: int = 5, max_den: int = 3):
    return st.tuples(st.integers(-max_num, max_num), st.integers(1, max_den)).map(lambda t: fmpq(*t))


def nonzero_rationals(max_num: int = 5, max_den: int = 3):
    return rationals(max_num, max_den).filter(lambda x: x != 0)


def vectors(length: int, elements=None):
    return st.tuples(*([elements or rationals()] * length))


def nonzero_vectors(length: int, elements=None):
    return vectors(length, elements).filter(lambda v: any(x != 0 for x in v))


def normalised_key(b, c):
    """Independent re-statement of the key rule: sign of the first nonzero coordinate of b."""
    for x in b:
        if x != 0:
            s = 1 if x > 0 else -1
            break
    else:
        return None
    return (tuple(s * x for x in b), s * c)


def to_net(units, d, n: int, m: int) -> Network:
    """The network of a parameter (width ≥ 1; a width-0 parameter gets one blank unit)."""
    if not units:
        units = [(tuple(ZERO for _ in range(m)), tuple(ZERO for _ in range(n)), ZERO)]
    w1 = tuple(tuple(u[1]) for u in units)
    b1 = tuple(u[2] for u in units)
    w2 = tuple(tuple(u[0][k] for u in units) for k in range(m))
    return Network("tanh", (Layer(w1, b1), Layer(w2, tuple(d))))


@st.composite
def dims(draw, max_n: int = 3, max_m: int = 2):
    return draw(st.integers(1, max_n)), draw(st.integers(1, max_m))


def _pair_key(bc):
    return normalised_key(bc[0], bc[1])


@st.composite
def irreducible(draw, n: int | None = None, m: int | None = None, min_h: int = 1, max_h: int = 5):
    """An irreducible parameter: nonzero a, nonzero b, keys distinct up to sign."""
    if n is None or m is None:
        n, m = draw(dims())
    keys = draw(
        st.lists(st.tuples(nonzero_vectors(n), rationals()), min_size=min_h, max_size=max_h,
                 unique_by=_pair_key)
    )
    units = [(draw(nonzero_vectors(m)), b, c) for b, c in keys]
    d = draw(vectors(m))
    return units, d, n, m


MOVE_KINDS = ("permute", "negate", "split", "split_negated", "dead", "zero_constant", "cancelling_constants",
              "cancelling_pair", "cancelling_negated_pair")


@st.composite
def moved(draw, param, max_moves: int = 5):
    """Apply random function-preserving moves; returns the new parameter and the move names."""
    units, d, n, m = param
    units = list(units)
    names = draw(st.lists(st.sampled_from(MOVE_KINDS), max_size=max_moves))
    for name in names:
        h = len(units)
        if name == "permute" and h > 1:
            order = draw(st.permutations(range(h)))
            units = [units[i] for i in order]
        elif name == "negate" and h:
            i = draw(st.integers(0, h - 1))
            a, b, c = units[i]
            units[i] = (tuple(-x for x in a), tuple(-x for x in b), -c)
        elif name in ("split", "split_negated") and h:
            i = draw(st.integers(0, h - 1))
            a, b, c = units[i]
            t = draw(vectors(m))
            units[i] = (tuple(x - y for x, y in zip(a, t)), b, c)
            if name == "split":
                units.insert(draw(st.integers(0, h)), (t, b, c))
            else:
                units.insert(draw(st.integers(0, h)), (tuple(-x for x in t), tuple(-x for x in b), -c))
        elif name == "dead":
            units.insert(draw(st.integers(0, h)), (tuple(ZERO for _ in range(m)), draw(vectors(n)), draw(rationals())))
        elif name == "zero_constant":  # a constant unit with c = 0 contributes tanh(0) = 0
            units.insert(draw(st.integers(0, h)), (draw(vectors(m)), tuple(ZERO for _ in range(n)), ZERO))
        elif name == "cancelling_constants":  # a·tanh(c) + a·tanh(−c) = 0
            a, c = draw(vectors(m)), draw(rationals())
            units.insert(draw(st.integers(0, h)), (a, tuple(ZERO for _ in range(n)), c))
            units.insert(draw(st.integers(0, h + 1)), (a, tuple(ZERO for _ in range(n)), -c))
        elif name in ("cancelling_pair", "cancelling_negated_pair"):
            t, b, c = draw(vectors(m)), draw(vectors(n)), draw(rationals())
            units.insert(draw(st.integers(0, h)), (t, b, c))
            if name == "cancelling_pair":
                units.insert(draw(st.integers(0, h + 1)), (tuple(-x for x in t), b, c))
            else:
                units.insert(draw(st.integers(0, h + 1)), (t, tuple(-x for x in b), -c))
    return (units, d, n, m), names


def disjoint_at(net_a: Network, net_b: Network, x, output: int, prec: int = 128) -> bool:
    """Independent witness check: rigorous enclosures of the two outputs at x are disjoint."""
    ea = evaluate(net_a, list(x), prec=prec).enclosures[output]
    eb = evaluate(net_b, list(x), prec=prec).enclosures[output]
    return not ea.overlaps(eb)
