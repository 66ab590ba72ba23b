"""Stable neurons on a domain and their folding (docs/relu.md § Stable neurons): every verdict is
checked against exact evaluation, and the folded network equals the original on the domain."""

import itertools
import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline
from exactnet.network import Network, forward_exact, preactivations
from exactnet.network.domain import Box, Polyhedron
from exactnet.relu.compression import compress, never_active_units
from exactnet.relu.stable_fold import fold_stable
from exactnet.relu.stable_neurons import (ACTIVE, BOTH, INACTIVE, UNDECIDED, preactivations_batch, relaxation,
                                          stable_neurons)

from .nets import random_net

SQUARE = Box.from_bounds([-1, -1], [1, 1])


def sample_points(domain: Box, rnd: random.Random, k: int = 40):
    """Vertices (when few) and random rational points of a box."""
    lo, hi = domain.lower, domain.upper
    pts = []
    if len(lo) <= 6:
        pts += [tuple(c) for c in itertools.product(*zip(lo, hi))]
    for _ in range(k):
        pts.append(tuple(l + (h - l) * fmpq(rnd.randint(0, 97), 97) for l, h in zip(lo, hi)))
    return pts


def assert_sound(net: Network, domain, analysis, points):
    """Each verdict against exact preactivations: bounds hold at every point, stable signs hold,
    witnesses lie in the domain with the stated sign."""
    values = [preactivations(net, p) for p in points]
    for u in analysis.units:
        zs = [v[u.layer][u.unit] for v in values]
        if u.lower is not None:
            assert all(u.lower <= z <= u.upper for z in zs), u
        if u.verdict == ACTIVE:
            assert all(z >= 0 for z in zs)
        if u.verdict == INACTIVE:
            assert all(z <= 0 for z in zs)
        if u.positive is not None:
            p = analysis.points[u.positive]
            assert domain.contains(p) and preactivations(net, p)[u.layer][u.unit] > 0
        if u.negative is not None:
            p = analysis.points[u.negative]
            assert domain.contains(p) and preactivations(net, p)[u.layer][u.unit] < 0
        if u.verdict == BOTH:
            assert u.positive is not None and u.negative is not None


def test_hand_example_each_verdict():
    # layer 1 on [-1,1]^2: x1 + 2 ≥ 1 (active), x2 − 5 ≤ −4 (inactive), x1 − x2 (both signs)
    # layer 2: h1 + 1/2 ≥ 1/2 (active, through an active unit), −h3 − 1 (inactive), h3 − 1 (≤ 1: both)
    net = Network.from_lists("relu", [([[1, 0], [0, 1], [1, -1]], [2, -5, 0]),
                                      ([[1, 0, 0], [0, 0, -1], [0, 0, 1]], ["1/2", -1, -1]),
                                      ([[1, 1, 1]], [0])])
    res = stable_neurons(net, SQUARE)
    kinds = [[u.verdict for u in layer] for layer in res.by_layer()]
    assert kinds == [[ACTIVE, INACTIVE, BOTH], [ACTIVE, INACTIVE, BOTH]]
    assert res.complete and res.counts() == {ACTIVE: 2, INACTIVE: 2, BOTH: 2, UNDECIDED: 0}
    first = res.by_layer()[0]
    assert (first[0].lower, first[0].upper) == (fmpq(1), fmpq(3))  # exact on the first layer
    assert (first[2].lower, first[2].upper) == (fmpq(-2), fmpq(2))
    assert_sound(net, SQUARE, res, sample_points(SQUARE, random.Random(0)))


def test_relaxation_lines_enclose_relu():
    rnd = random.Random(3)
    for _ in range(200):
        l = fmpq(rnd.randint(-50, -1), rnd.randint(1, 9))
        u = fmpq(rnd.randint(1, 50), rnd.randint(1, 9))
        r = relaxation([l], [u])
        for k in range(41):
            z = l + (u - l) * fmpq(k, 40)
            relu = max(z, fmpq(0))
            assert r.lo_a[0] * z + r.lo_c[0] <= relu <= r.up_a[0] * z + r.up_c[0]
        assert r.up_a[0].q & (r.up_a[0].q - 1) == 0  # dyadic slopes


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_verdicts_are_sound_and_folding_is_exact_on_the_box(seed, n, hidden):
    rnd = random.Random(seed)
    net = random_net(rnd, [n] + hidden + [2])
    lo = [fmpq(rnd.randint(-4, 0), 2) for _ in range(n)]
    box = Box.from_bounds(lo, [v + fmpq(rnd.randint(1, 4), 3) for v in lo])
    res = stable_neurons(net, box, seed=seed)
    pts = sample_points(box, rnd)
    assert_sound(net, box, res, pts)
    folded = fold_stable(net, res).network
    assert all(x <= y for x, y in zip(folded.hidden_widths, net.hidden_widths)) or folded.depth < net.depth
    for p in pts + list(res.points):
        assert forward_exact(folded, p) == forward_exact(net, p)
    # cross-check with the exact region enumeration: every inactive unit is never active, and when
    # no unit is undecided a never-active unit is inactive or (identically 0 there) active
    never = never_active_units(net, box)
    inactive = {(u.layer, u.unit) for u in res.units if u.verdict == INACTIVE}
    assert inactive <= never
    if all(u.verdict != UNDECIDED for u in res.units):
        assert all(res.verdict(*name).verdict == ACTIVE for name in never - inactive)


def test_polyhedron_domain():
    # the triangle x ≥ 0, y ≥ 0, x + y ≤ 1
    tri = Polyhedron(A=((fmpq(-1), fmpq(0)), (fmpq(0), fmpq(-1)), (fmpq(1), fmpq(1))),
                     b=(fmpq(0), fmpq(0), fmpq(1)), dim=2)
    net = Network.from_lists("relu", [([[1, 1], [1, -1], [-1, -1]], [0, 0, "-1/10"]), ([[1, 1, 1]], [0])])
    res = stable_neurons(net, tri)
    kinds = [u.verdict for u in res.units]
    assert kinds == [ACTIVE, BOTH, INACTIVE]
    assert res.units[0].upper == 1 and res.units[2].upper == fmpq(-1, 10)
    out = fold_stable(net, res).network
    assert out.hidden_widths == (2,)
    rnd = random.Random(1)
    for _ in range(30):
        a, b = fmpq(rnd.randint(0, 50), 100), fmpq(rnd.randint(0, 50), 100)
        assert forward_exact(out, (a, b)) == forward_exact(net, (a, b))


def test_a_fully_active_layer_folds_into_the_next():
    net = Network.from_lists("relu", [([[1, 0], [0, 1], [1, 1]], [2, 2, 3]),
                                      ([[1, -1, 1], [-1, 1, 0]], [0, 0]), ([[1, 2]], [1])])
    res = stable_neurons(net, SQUARE)
    assert [u.verdict for u in res.by_layer()[0]] == [ACTIVE] * 3
    fold = fold_stable(net, res)
    assert fold.folded_layers == (0,) and fold.network.depth == 1
    # layer 2 composed with layer 1: W2 W1 = [[2, 0], [-1, 1]], W2 b1 + b2 = [3, 0]
    assert fold.network.layers[0].weight == ((2, 0), (-1, 1)) and fold.network.layers[0].bias == (3, 0)
    for p in sample_points(SQUARE, random.Random(2)):
        assert forward_exact(fold.network, p) == forward_exact(net, p)


def test_dependent_active_units_merge():
    # on [-1,1]^2 the units x1+3, x2+3, x1+x2+7 and x1+5 (inactive partner: −x1−5) are active; the
    # third row is the sum of the first two: it merges (β = 7 − 3 − 3 = 1 goes to the next bias)
    net = Network.from_lists("relu", [([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0]], [3, 3, 7, 0, -5]),
                                      ([[1, 2, 5, 1, 4]], [0])])
    res = stable_neurons(net, SQUARE)
    assert [u.verdict for u in res.units] == [ACTIVE, ACTIVE, ACTIVE, BOTH, INACTIVE]
    fold = fold_stable(net, res)
    assert fold.removed_inactive == ((0, 4),) and fold.merged_active == ((0, 2),)
    assert fold.network.hidden_widths == (3,)
    assert fold.network.layers[1].weight == ((6, 7, 1),) and fold.network.layers[1].bias == (5,)
    for p in sample_points(SQUARE, random.Random(4)):
        assert forward_exact(fold.network, p) == forward_exact(net, p)


def test_every_unit_inactive_keeps_a_blank_unit():
    net = Network.from_lists("relu", [([[1, 0], [0, 1]], [-5, -5]), ([[1, 1]], [2]), ([[3]], [1])])
    res = stable_neurons(net, SQUARE)
    fold = fold_stable(net, res)
    for p in sample_points(SQUARE, random.Random(5)):
        assert forward_exact(fold.network, p) == forward_exact(net, p) == (fmpq(7),)


def test_time_limit_gives_undecided_units_and_a_lossless_network():
    rnd = random.Random(7)
    net = random_net(rnd, [3, 4, 4, 1])
    box = Box.from_bounds([-1] * 3, [1] * 3)
    res = stable_neurons(net, box, deadline=Deadline.after(0))
    assert not res.complete and all(u.verdict == UNDECIDED for u in res.units) and "time limit" in res.note
    comp = compress(net, box, stable_deadline=Deadline.after(0))
    assert comp.stable is not None and not comp.stable.complete and not comp.exact_dead
    for p in sample_points(box, rnd):
        assert forward_exact(comp.network, p) == forward_exact(net, p)


def test_compress_on_a_box_reports_and_skips_the_enumeration():
    net = Network.from_lists("relu", [([[1, 0], [0, 1], [1, -1]], [2, -5, 0]),
                                      ([[1, 0, 0], [0, 0, -1], [0, 0, 1]], ["1/2", -1, -1]),
                                      ([[1, 1, 1]], [0])])
    comp = compress(net, SQUARE)
    assert comp.exact_dead and comp.stable.complete
    assert comp.width_after == (2, 2) and comp.fold.removed_inactive == ((0, 1), (1, 1))
    for p in sample_points(SQUARE, random.Random(6)):
        assert forward_exact(comp.network, p) == forward_exact(net, p)


def test_batch_preactivations_match_pointwise_evaluation():
    rnd = random.Random(8)
    net = random_net(rnd, [3, 5, 4, 2])
    pts = sample_points(Box.from_bounds([-1] * 3, [2] * 3), rnd, 10)
    Z = preactivations_batch(net, pts, 1)
    for p, x in enumerate(pts):
        exact = preactivations(net, x)
        for layer in (0, 1):
            assert [Z[layer][j][p] for j in range(len(Z[layer]))] == list(exact[layer])


def test_constant_active_units_merge_away_and_leave_a_blank_unit():
    # layer 1 is the constant 9/2 (active) and folds into layer 2, whose units become constants:
    # 2 and 7/2 (active, merged into the output bias with empty combinations) and −15 (inactive)
    net = Network.from_lists("relu", [([[0]], ["9/2"]), ([["2/3"], [-3], ["1/3"]], [-1, "-3/2", 2]),
                                      ([["7/3", 1, "4/3"]], ["5/4"])])
    box = Box.from_bounds([-2], [-1])
    fold = fold_stable(net, stable_neurons(net, box))
    assert fold.folded_layers == (0,) and fold.network.hidden_widths == (1,)
    assert fold.network.layers[0].weight == ((0,),) and fold.network.layers[1].weight == ((0,),)
    assert fold.network.layers[1].bias == (fmpq(7, 3) * 2 + fmpq(4, 3) * fmpq(7, 2) + fmpq(5, 4),)
    for p in sample_points(box, random.Random(9)):
        assert forward_exact(fold.network, p) == forward_exact(net, p)
