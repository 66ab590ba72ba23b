"""Proximity plans and witnesses: admissible groups, exact distances, verified witness ranks."""

from __future__ import annotations

import pytest
from flint import fmpq

from exactnet.errors import InputError
from exactnet.network import Network
from exactnet.tanh.parameter import TanhParameter
from exactnet.tanh.proximity import cancellable, distance, exact_eps, group_box, verify_witness

P = TanhParameter.from_network(Network.from_lists("tanh", [([[1], ["11/10"], [-1]], [0, 0, 0]),
                                                          ([[1, 1, "1/20"]], [0])]))


def test_groups_fit_a_ball_and_cancellation_scales_with_size():
    assert group_box(P, fmpq(1, 20), (0, 1), (1, 1)) is not None     # |1 − 11/10| = 2ε
    assert group_box(P, fmpq(1, 30), (0, 1), (1, 1)) is None
    assert cancellable((fmpq(1, 10),), 2, fmpq(1, 20)) and not cancellable((fmpq(1, 10),), 1, fmpq(1, 20))


def test_distance_and_witness_verification():
    assert distance(P, P) == 0
    w = verify_witness(P, fmpq(0), P)
    assert w.distance == 0 and w.rank == 2           # units 0 and 2 are negated copies
    with pytest.raises(InputError):
        exact_eps("-1")
