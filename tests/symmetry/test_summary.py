"""The data of ``exactnet symmetry`` and ``exactnet covering``: exact and consistent."""

from __future__ import annotations

from flint import fmpq
from hypothesis import given, settings

from exactnet.symmetry import brute
from exactnet.symmetry.groups import SymmetryGroup
from exactnet.symmetry.summary import covering_summary, symmetry_summary

from .strategies import tied_networks


@settings(max_examples=20, deadline=None)
@given(tied_networks())
def test_orbit_times_stabilizer_is_the_group_order(net):
    data, canon = symmetry_summary(net)
    assert data["stabilizer_order"] == brute.stabilizer_order(net)
    assert data["orbit_size"] * data["stabilizer_order"] == data["group_order"]
    assert data["group_order"] == SymmetryGroup(net.activation, net.widths).order
    assert canon.activation == net.activation and canon.widths == net.widths


def test_the_reduced_cover_is_never_larger():
    data = covering_summary("relu", (2, 3, 1), fmpq(1, 10), fmpq(1))
    assert data["reduced_cover"] <= data["plain_cover"] and data["parameters"] == 13
