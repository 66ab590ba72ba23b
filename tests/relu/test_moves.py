"""Function-preserving moves on ReLU networks: every move keeps the function, its precondition is
checked, and its JSON form is what certificates record."""

from __future__ import annotations

import random

import pytest
from flint import fmpq

from exactnet.relu.moves import EditableNetwork, Move, MoveError, apply, proportional

from .nets import net_from, random_net, same_on_points


def _after(net, *moves):
    ed = EditableNetwork.of(net)
    for m in moves:
        apply(ed, m)
    return ed.network()


def test_each_move_preserves_the_function():
    rnd = random.Random(3)
    net = random_net(rnd, (2, 3, 2, 1))
    for move in (Move("scale", 0, unit=1, factor=fmpq(7, 3)), Move("normalize", 1, unit=0),
                 Move("permute", 0, order=(2, 0, 1))):
        assert same_on_points(net, _after(net, move), rnd)
    # a unit with zero incoming weights folds into the next bias, then can be removed
    flat = net_from([([[0, 0], [1, 2]], [3, -1]), ([[5, 1]], [0])])
    folded = _after(flat, Move("fold_constant", 0, unit=0), Move("remove", 0, unit=0))
    assert folded.hidden_widths == (1,) and same_on_points(flat, folded, rnd)


def test_preconditions_are_checked():
    net = net_from([([[1], [2]], [1, 3]), ([[1, 1]], [0])])
    with pytest.raises(MoveError):
        _after(net, Move("scale", 0, unit=0, factor=fmpq(-1)))
    with pytest.raises(MoveError):
        _after(net, Move("remove", 0, unit=0))                      # outgoing weight 1 ≠ 0
    with pytest.raises(MoveError):
        _after(net, Move("merge", 0, into=0, unit=1))               # (1, 1) and (2, 3) are not proportional
    assert proportional([1, 2], [2, 4]) == 2 and proportional([1, 2], [-1, -2]) is None


def test_json_form():
    assert Move("scale", 1, unit=2, factor=fmpq(1, 3)).to_json() == {"op": "scale", "layer": 1, "unit": 2,
                                                                     "factor": "1/3"}
    assert list(Move("merge", 0, into=1, unit=2).to_json()) == ["op", "layer", "into", "unit"]
