"""Exact activation regions (docs/relu.md § Activation regions, § Test cases): hand-checkable counts, both cell methods, exact data."""

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline, TimeLimitReached
from exactnet.errors import InputError, UnsupportedError
from exactnet.network import Network, forward_exact, preactivations
from exactnet.network.domain import Box, Polyhedron
from exactnet.relu.regions import common_refinement, count_regions, regions

from .nets import random_net


def net_theta(widths, theta):
    it = iter(theta)
    layers = []
    for i in range(len(widths) - 1):
        W = [[next(it) for _ in range(widths[i])] for _ in range(widths[i + 1])]
        b = [next(it) for _ in range(widths[i + 1])]
        layers.append((W, b))
    return Network.from_lists("relu", layers)


# docs/relu.md § Test cases: θ in the library order and the region counts found by exact enumeration
T_CASES = {
    "T1": ((1, 1, 1), (1, "1/2", 2, 3), 2),
    "T2a": ((1, 1, 1), (1, 0, 0, 0), 2),
    "T2b": ((1, 1, 1), (0, -1, 1, 0), 1),
    "T3a": ((1, 1, 1, 1), (1, "1/3", -1, -1, 1, 0), 2),
    "T3b": ((1, 1, 1, 1), (1, "1/3", 1, 1, 1, 0), 2),
    "T3c": ((1, 1, 1, 1), (1, "1/3", -1, 1, 1, 0), 3),
    "T3d": ((1, 1, 1, 1), (1, "1/3", 1, -1, 1, 0), 3),
    "T4": ((1, 1, 1, 1), (1, 0, 1, 1, 0, 0), 2),
    "T5": ((1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"), 2),
    "T6": ((1, 2, 1), (1, -1, 0, 0, 1, 1, 0), 2),
    "T7": ((1, 1, 1, 1, 1), (1, 0, -1, 1, "1/2", "-1/4", 1, 0), 4),
}


@pytest.mark.parametrize("name", sorted(T_CASES))
@pytest.mark.parametrize("method", ["generators", "lp"])
def test_reference_region_counts(name, method):
    widths, theta, expected = T_CASES[name]
    assert count_regions(net_theta(widths, theta), method=method) == expected


def test_t7_regions_exactly():
    net = net_theta(*T_CASES["T7"][:2])
    got = {r.pattern: r for r in regions(net)}
    # h1 = σ(x), h2 = σ(1 − h1), h3 = σ(h2/2 − 1/4): breakpoints 0, 1/2, 1
    assert set(got) == {((-1,), (1,), (1,)), ((1,), (1,), (1,)), ((1,), (1,), (-1,)), ((1,), (-1,), (-1,))}
    r = got[((1,), (1,), (1,))]
    assert r.contains([fmpq(1, 4)]) and not r.contains([fmpq(1, 2)]) and not r.contains([fmpq(-1, 8)])
    assert r.map([fmpq(0)]) == (fmpq(1, 4),) and r.map([fmpq(1)]) == (fmpq(-1, 4),)  # y = 1/4 − x/2


def test_square_grid_arrangement():
    # four lines x = ±1, y = ±1 in one layer: 9 regions; on the box [0, 3]^2 only x = 1, y = 1 cut: 4
    net = Network.from_lists("relu", [([[1, 0], [1, 0], [0, 1], [0, 1]], [1, -1, 1, -1]), ([[1, 1, 1, 1]], [0])])
    assert count_regions(net) == 9
    assert count_regions(net, Box.from_bounds([0, 0], [3, 3])) == 4
    assert count_regions(net, Box.from_bounds([2, 2], [3, 3])) == 1


def test_fixed_sign_neurons_do_not_split():
    # layer 2 neuron σ(h1 + h2 + 1) is always active: the 4 first-layer regions are not split further
    net = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [-1, -1]], [1, -1]), ([[1, 1]], [0])])
    rs = list(regions(net))
    assert len(rs) == 4
    assert all(r.pattern[1] == (1, -1) for r in rs)
    # each region's rows are just its two first-layer half-planes (no redundant split rows)
    assert all(len(r.rows) == 2 for r in rs)


def test_degenerate_identically_zero_preactivation():
    # zero biases: layer-2 neuron w·h with h ≡ 0 on the negative quadrant is identically 0 there
    net = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, -1]], [0]), ([[1]], [0])])
    rs = list(regions(net))
    degenerate = [r for r in rs if r.is_degenerate]
    assert len(degenerate) == 1 and degenerate[0].pattern == ((-1, -1), (0,))
    assert len(rs) == 5  # quadrants, the (+,+) quadrant cut by h1 = h2


def test_lazy_iteration_and_progress():
    class Counter:
        n = 0

        def advance(self, amount=1):
            self.n += amount

        def set_total(self, total):
            pass

        def describe(self, text):
            pass

    net = random_net(random.Random(1), (2, 6, 6, 1))
    counter = Counter()
    it = regions(net, progress=counter)
    first = next(it)
    assert counter.n == 1 and first.contains(first.point)
    assert counter.n + sum(1 for _ in it) == count_regions(net)


def test_deadline_raises():
    net = random_net(random.Random(2), (2, 12, 12, 1))
    with pytest.raises(TimeLimitReached):
        list(regions(net, deadline=Deadline(0.0)))


def test_bad_inputs():
    tanh = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError):
        list(regions(tanh))
    alg = Network.from_lists("relu", [([["sqrt(2)"]], ["-1"]), ([[1]], [0])])
    found = list(regions(alg))  # real algebraic weights: cells over Q(sqrt(2)) (the kink at 1/sqrt(2))
    assert sorted(r.pattern for r in found) == [((-1,),), ((1,),)]
    with pytest.raises(UnsupportedError, match="algebraic"):  # but PPL cannot hold the cell
        found[0].polyhedron()
    net = Network.from_lists("relu", [([[1, 1]], [0]), ([[1]], [0])])
    with pytest.raises(InputError, match="dimension"):
        list(regions(net, Box.from_bounds([0], [1])))
    flat = Polyhedron(A=((fmpq(1), fmpq(0)), (fmpq(-1), fmpq(0))), b=(fmpq(0), fmpq(0)), dim=2)  # x1 = 0
    with pytest.raises(InputError, match="interior"):
        list(regions(net, flat))


def _pattern_at(net, x):
    return tuple(tuple(1 if v > 0 else -1 if v < 0 else 0 for v in layer) for layer in preactivations(net, x))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_regions_are_exact(seed, n, hidden):
    """Both cell methods find the same patterns; every region's point, pattern and map are exact; and
    every random input with non-zero preactivations falls in an enumerated pattern."""
    rnd = random.Random(seed)
    net = random_net(rnd, [n] + hidden + [rnd.randint(1, 2)])
    gen = list(regions(net, method="generators"))
    lp = list(regions(net, method="lp"))
    assert {r.pattern for r in gen} == {r.pattern for r in lp}
    assert len({r.pattern for r in gen}) == len(gen)
    for r in gen + lp:
        assert r.contains(r.point)
        if not r.is_degenerate:
            assert _pattern_at(net, r.point) == r.pattern
        for p in r.simplex_points():
            assert r.contains(p)
            assert r.map(p) == tuple(forward_exact(net, p))
    patterns = {r.pattern for r in gen}
    for _ in range(40):
        x = [fmpq(rnd.randint(-200, 200), rnd.randint(1, 9)) for _ in range(n)]
        pat = _pattern_at(net, x)
        if all(v != 0 for layer in pat for v in layer):
            assert pat in patterns


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.sampled_from(["generators", "lp"]), st.booleans())
def test_regions_without_points_are_the_same_regions(seed, n, hidden, method, boxed):
    """``points=False`` enumerates the same regions in the same order (same rows and maps); the
    interior point computed on demand lies in the region (and the box) and has the region's
    pattern."""
    rnd = random.Random(seed)
    net = random_net(rnd, [n] + hidden + [1])
    box = Box.from_bounds([-1] * n, [fmpq(1, 2)] * n) if boxed else None
    eager = list(regions(net, box, method=method))
    lazy = list(regions(net, box, method=method, points=False))
    assert [r.pattern for r in lazy] == [r.pattern for r in eager]
    assert [r.rows for r in lazy] == [r.rows for r in eager]
    assert [r.maps for r in lazy] == [r.maps for r in eager]
    assert count_regions(net, box, method=method) == len(eager)
    for r in lazy:
        assert r.dim == n and r.contains(r.point)
        if box is not None:
            assert box.contains(r.point)
        if not r.is_degenerate:
            assert _pattern_at(net, r.point) == r.pattern


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_domain_regions_are_the_regions_meeting_the_box(seed):
    rnd = random.Random(seed)
    net = random_net(rnd, (2, 3, 3, 1), scale=4)
    box = Box.from_bounds([-1, -2], [2, 1])
    inside = list(regions(net, box))
    full = {r.pattern for r in regions(net)}
    assert {r.pattern for r in inside} <= full
    for r in inside:
        assert box.contains(r.point) and all(lo < v < hi for lo, v, hi in zip(box.lower, r.point, box.upper))


def test_minimized_rows_and_polyhedron():
    net = Network.from_lists("relu", [([[1, 0], [1, 0], [0, 1]], [0, -1, 0]), ([[1, 1, 1]], [0])])
    for r in regions(net):
        poly = r.polyhedron()
        assert poly.affine_dimension() == 2
        assert len(r.minimized_rows) <= len(r.rows)
        # the minimized system describes the same open cell at the interior point
        assert all(sum(a * v for a, v in zip(g, r.point)) + h > 0 for g, h in r.minimized_rows)


def test_common_refinement_of_two_networks():
    a = Network.from_lists("relu", [([[1, 0]], [0]), ([[1]], [0])])
    b = Network.from_lists("relu", [([[0, 1]], [0]), ([[1]], [0])])
    cells = list(common_refinement([a, b]))
    assert len(cells) == 4
    for c in cells:
        assert c.maps[0](c.point) == tuple(forward_exact(a, c.point))
        assert c.maps[1](c.point) == tuple(forward_exact(b, c.point))


def test_exact_without_highspy(monkeypatch):
    """The LP cell method stays exact and complete when HiGHS is unavailable (PPL MIP fallback)."""
    import exactnet.polyhedra.highs_backend as hb

    net = random_net(random.Random(4), (2, 4, 3, 1))
    expected = {r.pattern for r in regions(net, method="lp")}
    monkeypatch.setattr(hb, "_highs", lambda: None)
    got = list(regions(net, method="lp"))
    assert {r.pattern for r in got} == expected
    assert all(r.map(r.point) == tuple(forward_exact(net, r.point)) for r in got)
