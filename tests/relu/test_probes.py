"""Tier (c) probes: exact batch outputs equal exact evaluation, and a probe witness separates."""

from __future__ import annotations

import random

from flint import fmpq

from exactnet.network import forward_exact
from exactnet.polyhedra import is_interior
from exactnet.relu.probes import batch_outputs, find_witness, probe_points

from .nets import net_from, random_net


def test_batch_outputs_are_exact_evaluations():
    rnd = random.Random(5)
    net = random_net(rnd, (3, 4, 2, 2))
    pts = probe_points(3, 20)
    assert batch_outputs(net, pts) == [tuple(forward_exact(net, p)) for p in pts]


def test_probes_inside_a_domain_and_witnesses():
    rows = [((1, 0), 0), ((0, 1), 0), ((-1, -1), 1)]        # the open triangle x, y > 0, x + y < 1
    point = (fmpq(1, 4), fmpq(1, 4))
    assert all(is_interior(rows, p) for p in probe_points(2, 30, rows, point))
    a = net_from([([[1, 0]], [0]), ([[1]], [0])])
    b = net_from([([[1, 0]], [0]), ([[1]], [fmpq(1, 10**6)])])
    x = find_witness(a, b, probe_points(2, 5))
    assert x is not None and forward_exact(a, x) != forward_exact(b, x)
    assert find_witness(a, a, probe_points(2, 5)) is None
