"""The hidden-symmetry report (docs/relu.md § Hidden symmetries): mechanisms on the reference cases with exact
witnesses, verified fiber members outside the orbit, layerwise genericity."""

import random

import pytest
from flint import fmpq

from exactnet.network import forward_exact, network_from_obj
from exactnet.relu.equivalence import equivalent
from exactnet.relu.orbits import same_orbit
from exactnet.relu.symmetries import directional_pattern, generic_layerwise, symmetries

from .nets import random_net
from .test_functional_dimension import theta_net

CASES = [  # docs/relu.md § Test cases, § Hidden symmetries: (θ, architecture, mechanism kinds, hidden symmetry)
    ("T1", (1, 1, 1), (1, "1/2", 2, 3), set(), False),
    ("T2a", (1, 1, 1), (1, 0, 0, 0), {"zero-outgoing-weights"}, True),
    ("T2b", (1, 1, 1), (0, -1, 1, 0), {"stably-unactivated"}, True),
    ("T3a", (1, 1, 1, 1), (1, "1/3", -1, -1, 1, 0), {"stably-unactivated", "hidden-kink"}, True),
    ("T3b", (1, 1, 1, 1), (1, "1/3", 1, 1, 1, 0), {"stably-activated"}, True),
    ("T3c", (1, 1, 1, 1), (1, "1/3", -1, 1, 1, 0), set(), None),
    ("T3d", (1, 1, 1, 1), (1, "1/3", 1, -1, 1, 0), {"hidden-kink", "kernel-direction-move"}, True),
    ("T5", (1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"), {"cancelling-coincident-kinks"}, True),
    ("T6", (1, 2, 1), (1, -1, 0, 0, 1, 1, 0), set(), False),
    ("T7", (1, 1, 1, 1, 1), (1, 0, -1, 1, "1/2", "-1/4", 1, 0), {"hidden-kink", "width-one-chain"}, True),
]


@pytest.mark.parametrize("name,widths,theta,kinds,hidden", CASES, ids=[c[0] for c in CASES])
def test_reference_mechanisms(name, widths, theta, kinds, hidden):
    net = theta_net(widths, theta)
    rep = symmetries(net)
    assert kinds <= set(rep.kinds())
    assert "narrow-layer" not in rep.kinds()
    assert rep.hidden_symmetry is hidden
    assert rep.fiber_dimension == net.num_parameters - rep.functional_dimension.value
    for m in rep.mechanisms:
        member = m.witness.get("fiber_member_outside_orbit")
        if member is not None:  # re-check the witness independently
            other = network_from_obj(member)
            assert equivalent(net, other).equivalent and same_orbit(net, other) is False
        if m.kind in ("hidden-kink", "cancelling-coincident-kinks"):
            y = [fmpq(v) for v in m.witness["point"]]
            # the witness point is on the bent hyperplane, and the two sides' maps agree (checked
            # here by evaluating the network at points on both sides along the pattern's normal)
            assert m.witness["pattern_on_active_side"] != m.witness["pattern_on_other_side"]
            _sides_agree(net, y)
    data = rep.to_obj()
    assert data["functional_dimension"] == rep.functional_dimension.value and "mechanisms" in data


def _sides_agree(net, y):
    """F is affine along a short segment through y in every direction e_k (checked exactly on
    three collinear points per direction)."""
    for k in range(len(y)):
        for eps in (fmpq(1, 10**6),):
            pts = [[v + t * eps if i == k else v for i, v in enumerate(y)] for t in (-1, 0, 1)]
            fa, f0, fb = (forward_exact(net, p) for p in pts)
            assert all(a + b == 2 * c for a, b, c in zip(fa, fb, f0))


def test_narrow_layer_and_directional_patterns():
    net = theta_net((3, 2, 1), (1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0))
    assert "narrow-layer" in symmetries(net).kinds()
    t5 = theta_net((1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"))
    y = [fmpq(1, 2)]
    assert directional_pattern(t5, y, [fmpq(1)]) == ((1, -1),)
    assert directional_pattern(t5, y, [fmpq(-1)]) == ((-1, 1),)


def test_generic_layerwise():
    assert generic_layerwise(theta_net((2, 3, 1), (1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0))) is False  # 3 lines meet
    assert generic_layerwise(theta_net((2, 3, 1), (1, 0, 0, 1, 1, 1, 0, 0, 5, 1, 1, 1, 0))) is True
    assert generic_layerwise(theta_net((1, 2, 1), (1, 2, 0, 0, 1, 1, 0))) is False  # parallel: both through 0


@pytest.mark.parametrize("seed", range(4))
def test_random_reports_are_consistent(seed):
    rnd = random.Random(seed)
    net = random_net(rnd, rnd.choice([(2, 3, 3, 1), (1, 3, 3, 1), (2, 2, 2, 1)]))
    rep = symmetries(net)
    fd = rep.functional_dimension
    assert fd.value <= fd.upper_bound and rep.complete
    if rep.hidden_symmetry is False:
        assert fd.attained
    for m in rep.mechanisms:
        member = m.witness.get("fiber_member_outside_orbit")
        if member is not None:
            other = network_from_obj(member)
            assert equivalent(net, other).equivalent and same_orbit(net, other) is False


def test_format_report_of_an_incomplete_report_says_unknown_not_none():
    """A report cut short by the time limit (functional dimension unknown) prints ``unknown``."""
    from dataclasses import replace

    from exactnet.io import load_network
    from exactnet.relu.symmetries import format_report, symmetries

    from pathlib import Path

    rep = symmetries(load_network(Path(__file__).resolve().parents[2] / "examples" / "relu_deep.json"))
    assert "functional dimension 10 " in format_report(rep)[0]
    cut = replace(rep, functional_dimension=replace(rep.functional_dimension, value=None), complete=False,
                  hidden_symmetry=None)
    text = "\n".join(format_report(cut))
    assert "None" not in text and "functional dimension unknown" in text
