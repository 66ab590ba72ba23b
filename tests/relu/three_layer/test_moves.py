"""Every mechanism move preserves the function exactly; inverses undo; failed facts are refused."""

import random

import pytest
from flint import fmpq
from hypothesis import given, strategies as st

from exactnet.relu.three_layer.canonical import canonicalize
from exactnet.relu.three_layer.moves import (ActiveBlock, Flip, HideTransfer, MoveError, Remove, Scale, apply_chain,
                                             verify_chain)
from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.planted import PLANTS, random_params

from .vectors import E1, E4


def points(rnd, n0, count=12):
    return [tuple(fmpq(rnd.randint(-40, 40), rnd.randint(1, 5)) for _ in range(n0)) for _ in range(count)]


def same_function(p, q, rnd):
    return all(p(x) == q(x) for x in points(rnd, p.n0))


@given(st.integers(0, 10**6), st.sampled_from(["generic", "hidden", "active"]), st.sampled_from(sorted(PLANTS)))
def test_planted_moves_preserve_the_function(seed, kind, name):
    rnd = random.Random(seed)
    p = random_params(rnd, 3, 2, 3, 1, kind=kind)
    q = PLANTS[name](p, rnd)
    assert same_function(p, q, rnd)


@given(st.integers(0, 10**6), st.sampled_from(["generic", "hidden", "active", "degenerate"]))
def test_chain_and_inverse_chain(seed, kind):
    rnd = random.Random(seed)
    p = random_params(rnd, 3, 2, 4, rnd.choice([1, 2]), kind=kind)
    c = canonicalize(p)
    if c.form is None:
        return
    assert apply_chain(p, c.moves) == c.form.params
    assert apply_chain(c.form.params, c.inverse_moves()) == p
    assert same_function(p, c.form.params, rnd)


def test_failed_facts_are_refused():
    p = ThreeLayer.from_network(E1)
    with pytest.raises(MoveError):
        Scale(1, ((0, fmpq(-1)),)).apply(p)
    with pytest.raises(MoveError):  # neuron 0 is active, not dead
        Remove(2, (0,), "dead").apply(p)
    with pytest.raises(MoveError):  # W3 column is not zero
        Remove(2, (0,), "silent").apply(p)
    with pytest.raises(MoveError):  # a block row with a negative entry (E1 "positivity broken")
        ActiveBlock((0, 1), ((0, (fmpq(-2), fmpq(1)), fmpq(-1), (fmpq(1),)),
                             (1, (fmpq(3), fmpq(1)), fmpq(2), (fmpq(0),))), (fmpq(0),)).apply(p)
    h = ThreeLayer.from_network(E4)
    HideTransfer(0, fmpq(2)).apply(h)  # the E4 transfer of docs/relu-three-layer.md §8
    with pytest.raises(MoveError):  # below δ_min = max(b2[j]/W2[j,0]) = −1
        HideTransfer(0, fmpq(-3, 2)).apply(h)
    with pytest.raises(MoveError):  # neuron 1 is not hidden
        HideTransfer(1, fmpq(1)).apply(h)


@given(st.integers(0, 10**6), st.sampled_from(["generic", "hidden", "active"]))
def test_every_tampered_move_breaks_the_chain(seed, kind):
    from exactnet.relu.three_layer.equivalence import equivalent
    from exactnet.relu.three_layer.planted import planted_pair

    rnd = random.Random(seed)
    a, b = planted_pair(rnd, (3, 2, 4, 1), kind, sorted(PLANTS))
    res = equivalent(a, b)
    if res.verdict is None:
        return
    assert res.verdict is True and verify_chain(a, b, res.moves)
    for k, m in enumerate(res.moves):
        obj = m.to_obj()
        tampered = _tamper(m)
        if tampered is None:
            continue
        chain = res.moves[:k] + (tampered,) + res.moves[k + 1:]
        if verify_chain(a, b, chain):
            # the tampered move happens to be another valid move (e.g. a scale of a unit whose
            # weights a later block move sets anyway): then every step must still preserve the
            # function, which exact evaluation at random rational points confirms
            _assert_every_step_preserves_the_function(a, chain, rnd)


def _assert_every_step_preserves_the_function(a, chain, rnd):
    from exactnet.network.evaluate import forward_exact

    net_a = a.to_network()
    points = [[fmpq(rnd.randint(-60, 60), rnd.randint(1, 7)) for _ in range(net_a.input_dim)] for _ in range(40)]
    want = [forward_exact(net_a, x) for x in points]
    p = a
    for m in chain:
        p = m.apply(p)
        net = p.to_network()
        assert [forward_exact(net, x) for x in points] == want, m.to_obj()


def _tamper(m):
    from dataclasses import replace

    from exactnet.relu.three_layer.moves import Permute, Reweight

    if isinstance(m, Scale):
        j, c = m.factors[0]
        return replace(m, factors=((j, c * 2),) + m.factors[1:])
    if isinstance(m, Permute) and len(m.order) > 1:
        o = list(m.order)
        o[0], o[1] = o[1], o[0]
        return replace(m, order=tuple(o))
    if isinstance(m, (ActiveBlock, Flip)):
        return replace(m, b3=tuple(v + 1 for v in m.b3))
    if isinstance(m, HideTransfer):
        return replace(m, delta=m.delta + 1)
    if isinstance(m, Reweight):
        j, k, lam, c = m.pairs[0]
        return replace(m, pairs=((j, k, lam * 2, c),) + m.pairs[1:])
    if isinstance(m, Remove):
        return replace(m, reason="dead" if m.reason == "silent" else "silent")
    return None


@given(st.integers(0, 10**6), st.sampled_from(["generic", "hidden", "active"]))
def test_chain_json_round_trip(seed, kind):
    import json

    from exactnet.numbers import json_loads_exact
    from exactnet.relu.three_layer.equivalence import equivalent
    from exactnet.relu.three_layer.moves import chain_json, move_from_obj
    from exactnet.relu.three_layer.planted import planted_pair

    rnd = random.Random(seed)
    a, b = planted_pair(rnd, (3, 2, 3, 1), kind, sorted(PLANTS))
    res = equivalent(a, b)
    if res.verdict is not True:
        return
    text = json.dumps(chain_json(res.moves))
    moves = [move_from_obj(o) for o in json_loads_exact(text)]
    assert tuple(moves) == res.moves and verify_chain(a, b, moves)


def test_malformed_move_objects():
    from exactnet.relu.three_layer.moves import move_from_obj

    for bad in ({"move": "teleport"}, {"move": "scale", "layer": 1}, {"move": "hide_transfer", "unit": 0, "delta": "x"},
                {"move": "permute", "layer": 1, "order": "abc"}):
        with pytest.raises(MoveError):
            move_from_obj(bad)
