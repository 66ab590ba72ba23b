"""Exact volumes: the fraction 1/|G| against exact polytope volumes."""

import math

import pytest
from flint import fmpq

from exactnet.symmetry.groups import SymmetryGroup
from exactnet.symmetry.volumes import (
    check_tiling, domain_volume, polytope, polytope_volume, triangulate, volume_fraction,
)


def _box(n, lo, hi):
    cons = []
    for i in range(n):
        e = [0] * n
        e[i] = 1
        cons.append((tuple(e), -fmpq(lo)))
        cons.append((tuple(-v for v in e), fmpq(hi)))
    return cons


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_known_polytopes(n):
    assert polytope_volume(polytope(_box(n, 0, 1), n)) == 1
    assert polytope_volume(polytope(_box(n, -1, 2), n)) == 3**n
    # the standard simplex x ≥ 0, Σx ≤ 1 has volume 1/n!
    simplex = [(tuple(1 if j == i else 0 for j in range(n)), fmpq(0)) for i in range(n)]
    simplex.append((tuple([-1] * n), fmpq(1)))
    p = polytope(simplex, n)
    assert polytope_volume(p) == fmpq(1, math.factorial(n)) and len(triangulate(p)) == 1
    # a lower-dimensional polytope has volume 0
    flat = _box(n, 0, 1) + [(tuple([-1] + [0] * (n - 1)), fmpq(0))]  # x_0 ≤ 0
    assert polytope_volume(polytope(flat, n)) == 0


def test_a_non_simple_polytope():
    # the square pyramid with apex (1/2, 1/2, 1) over the unit square: volume 1/3
    cons = [((0, 0, 1), fmpq(0)), ((0, 2, -1), fmpq(0)), ((0, -2, -1), fmpq(2)), ((2, 0, -1), fmpq(0)),
            ((-2, 0, -1), fmpq(2))]
    assert polytope_volume(polytope(cons, 3)) == fmpq(1, 3)


@pytest.mark.parametrize("activation, widths", [("relu", (1, 2, 1)), ("tanh", (1, 2, 1)), ("relu", (1, 1, 1, 1))])
def test_full_polytope_fraction(activation, widths):
    g = SymmetryGroup(activation, widths)
    B = fmpq(5, 3)
    assert domain_volume(g, B) / (2 * B) ** g.num_parameters == volume_fraction(g) == fmpq(1, g.order)


@pytest.mark.parametrize("activation, widths", [("relu", (1, 4, 1)), ("tanh", (1, 4, 1)), ("relu", (2, 3, 2, 1)),
                                                ("tanh", (1, 2, 3, 1))])
def test_factor_polytope_fraction(activation, widths):
    g = SymmetryGroup(activation, widths)
    assert domain_volume(g, 1, factor=True) / 2 ** g.num_parameters == fmpq(1, g.order)


def test_tiling():
    t = check_tiling(SymmetryGroup("tanh", (1, 2, 1)), 1)
    assert t.holds and t.pieces == 8 and t.volumes_sum == t.box_volume == 2**7 and t.max_overlap_dimension < 7
