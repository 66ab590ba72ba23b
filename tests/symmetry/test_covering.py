"""Covering numbers: Lipschitz constant (checked against exact sup distances), counts, explicit covers."""

import itertools
import math
import random

import pytest
from flint import fmpq
from hypothesis import given, settings, example
from hypothesis import strategies as st

from exactnet.errors import InputError
from exactnet.network import Network
from exactnet.symmetry.cover_construction import (
    network_from_vector, reduced_cover, round_to_grid, sup_distance_relu, sup_distance_upper, verify_cover,
)
from exactnet.symmetry.covering import (
    MAX_EXACT_DIGITS, covering, grid_points, lipschitz_constant, sorted_values,
)
from exactnet.symmetry.groups import SymmetryGroup


def test_lipschitz_by_hand():
    # (4,8,8,1), B = R = 1: M = (1, 5, 41); Λ = 5·64 + 41·8 + 329 = 977
    assert lipschitz_constant("relu", (4, 8, 8, 1), 1, 1) == 977
    # tanh caps M_l at 1: M = (1, 1, 1); Λ = 5·64 + 9·8 + 9
    assert lipschitz_constant("tanh", (4, 8, 8, 1), 1, 1) == 5 * 64 + 9 * 8 + 9
    assert lipschitz_constant("relu", (1, 2, 1), 1, 1) == 9


@given(st.fractions(min_value="1/50", max_value=50, max_denominator=50),
       st.fractions(min_value="1/20", max_value=5, max_denominator=20), st.integers(1, 100))
def test_grid_points_is_the_least_sufficient(eps, B, lam):
    e, b, lip = fmpq(eps.numerator, eps.denominator), fmpq(B.numerator, B.denominator), fmpq(lam)
    m = grid_points(lip, b, e)
    assert lip * b / m <= e
    assert m == 1 or lip * b / (m - 1) > e


def _random_vector(rng, S, B):
    return [fmpq(rng.randint(-12, 12), 12) * B for _ in range(S)]


@settings(max_examples=40)
@given(st.sampled_from([("relu", (1, 2, 1)), ("relu", (1, 2, 2, 1)), ("relu", (1, 3, 2)), ("tanh", (1, 2, 1)),
                        ("tanh", (1, 2, 2, 1))]), st.integers(0, 10**6))
@example(("tanh", (1, 2, 2, 1)), 35583)  # Arb's tanh of a wide ball was nan here
def test_lipschitz_bound_holds_on_random_pairs(case, seed):
    activation, widths = case
    rng = random.Random(seed)
    g = SymmetryGroup(activation, widths)
    B, R = fmpq(rng.randint(1, 4), 2), fmpq(rng.randint(1, 3), 2)
    lip = lipschitz_constant(activation, widths, B, R)
    v = _random_vector(rng, g.num_parameters, B)
    w = [min(B, max(-B, x + fmpq(rng.randint(-3, 3), 50))) for x in v]
    delta = max(abs(x - y) for x, y in zip(v, w))
    a, b = network_from_vector(g, v), network_from_vector(g, w)
    if activation == "relu":
        assert sup_distance_relu(a, b, R) <= lip * delta
    else:
        # a rigorous upper bound on the sup distance that is already below Λδ
        assert sup_distance_upper(a, b, R, lip * delta) <= lip * delta


def test_sup_distance_relu_is_exact():
    a = Network.from_lists("relu", [([[1]], [0]), ([[1]], [0])])          # relu(x)
    b = Network.from_lists("relu", [([[-1]], [0]), ([[1]], [0])])         # relu(−x)
    assert sup_distance_relu(a, b, fmpq(3, 2)) == fmpq(3, 2)
    c = Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, -2]], [0])])  # relu(x) − 2 relu(x − 1)
    assert sup_distance_relu(c, a, 2) == 2


@given(st.integers(1, 9), st.fractions(min_value=-2, max_value=2, max_denominator=40),
       st.fractions(min_value=-2, max_value=2, max_denominator=40))
def test_rounding_is_monotone_and_close(m, x, y):
    B = fmpq(2)
    x, y = fmpq(x.numerator, x.denominator), fmpq(y.numerator, y.denominator)
    rx, ry = round_to_grid(x, m, B), round_to_grid(y, m, B)
    assert abs(rx - x) <= B / m and abs(ry - y) <= B / m
    if x <= y:
        assert rx <= ry


@pytest.mark.parametrize("activation, widths, m", [("relu", (1, 2, 1), 2), ("relu", (1, 3, 1), 2),
                                                   ("tanh", (1, 2, 1), 3), ("tanh", (1, 2, 1), 4),
                                                   ("relu", (1, 2, 2, 1), 2)])
def test_cover_count_formula(activation, widths, m):
    g = SymmetryGroup(activation, widths)
    pts = list(reduced_cover(g, m, 1))
    assert len(pts) == len(set(pts))
    mp = sorted_values(m, g.signed)
    S, hidden = g.num_parameters, g.hidden_widths
    assert len(pts) == m ** (S - sum(hidden)) * math.prod(math.comb(mp + d - 1, d) for d in hidden)


def test_counts_match_enumeration_formula():
    c = covering("relu", (1, 3, 1), fmpq(13, 2), 1)
    assert c.grid_points == 2 and c.plain.exact == 2**10 and c.reduced.exact == 2**7 * math.comb(4, 3)
    assert c.group_order.exact == 6 and c.exact_ratio == fmpq(8, 4)
    t = covering("tanh", (1, 3, 1), fmpq(10, 3), 1)
    assert t.grid_points == 3 and t.reduced.exact == 3**7 * math.comb(2 + 2, 3)


def test_paper_form_limit():
    # as m → ∞ the exact ratio tends to |G| from below
    prev = fmpq(0)
    for e in (1, fmpq(1, 10), fmpq(1, 1000), fmpq(1, 10**6)):
        r = covering("relu", (2, 3, 3, 1), e, 1).exact_ratio
        assert prev < r < 36
        prev = r


def test_huge_counts_give_log_bounds():
    c = covering("relu", (10, 1000, 1000, 1), fmpq(1, 100), 1)
    obj = c.to_obj()
    assert obj["plain_cover"] is None and obj["reduced_cover"] is None and "note" in obj
    lo, hi = float(c.plain.log.lower), float(c.plain.log.upper)
    assert lo <= c.parameters * math.log(c.grid_points) <= hi
    assert isinstance(obj["reduction_factor"], int)
    assert obj["reduction_factor"] == math.factorial(1000) ** 2
    assert obj["reduction_factor"].bit_length() < MAX_EXACT_DIGITS * 3.33


@pytest.mark.parametrize("kwargs, needle", [
    (dict(activation="sigmoid"), "unknown activation"),
    (dict(widths=(4, 0, 1)), "positive integers"),
    (dict(widths=(4,)), "at least"),
    (dict(eps=0), "positive"),
    (dict(eps=fmpq(-1)), "positive"),
    (dict(eps=0.1), "rational"),
    (dict(bound=fmpq(10) ** 2000), "absurdly large"),
    (dict(widths=(4, 10**10, 1)), "absurdly large"),
])
def test_bad_inputs(kwargs, needle):
    args = dict(activation="relu", widths=(4, 8, 1), eps=fmpq(1, 10), bound=1)
    args.update(kwargs)
    with pytest.raises(InputError, match=needle):
        covering(args["activation"], args["widths"], args["eps"], args["bound"])


@pytest.mark.parametrize("activation, widths, eps", [("relu", (1, 2, 1), fmpq(9, 4)), ("tanh", (1, 2, 1), fmpq(7, 4)),
                                                     ("relu", (1, 2, 2, 1), fmpq(29, 2))])
def test_explicit_cover_verifies(activation, widths, eps):
    from exactnet.proofs.symmetry_tiny_cover import same_function

    r = verify_cover(activation, widths, eps, 1, 1, samples=10, seed=3, equivalent=same_function)
    assert r.holds and r.cover_size == r.formula_size < r.plain_size
    assert r.max_rounding_error <= r.bound / r.grid_points and r.max_distance <= eps


def test_explicit_cover_fails_for_a_coarse_grid():
    r = verify_cover("relu", (1, 2, 1), fmpq(9, 4), 1, 1, samples=20, seed=3, grid_points_override=3)
    assert not r.holds and any(step == 4 for _, step, _ in r.failures)


def test_sorted_grid_without_the_symmetry_is_not_a_cover():
    # the sorted set alone (no group move) misses parameters with unsorted biases: it is the move into D
    # that makes Γ_sorted a cover — check that a far unsorted parameter is not near any cover point in Θ
    g = SymmetryGroup("relu", (1, 2, 1))
    pts = set(reduced_cover(g, 2, 1))
    theta = (fmpq(0), fmpq(0), fmpq(-1), fmpq(1), fmpq(0), fmpq(0), fmpq(0))  # biases −1 < 1
    nearest = tuple(round_to_grid(x, 2, fmpq(1)) for x in theta)
    assert nearest not in pts
    assert list(itertools.islice(pts, 1))
