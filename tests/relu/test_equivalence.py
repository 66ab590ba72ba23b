"""Tiered exact equivalence (docs/relu.md § One hidden layer: canonical form and fiber, § Activation regions, § Test cases): reference vectors S1–S6, E1–E5; random
function-preserving moves stay equivalent with checking certificates; live perturbations are
never equivalent and the witness separates exactly; tier (d) agrees with tiers (a)/(b)."""

import json
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.errors import InputError, UnsupportedError
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.numbers import json_loads_exact
from exactnet.relu.equivalence import equivalent

from .nets import lists, net_from, random_moves, random_net, same_on_points


def shallow(W, b, A, c):
    return Network.from_lists("relu", [(W, b), (A, c)])


def deep(*layers):
    return Network.from_lists("relu", list(layers))


I2 = [[1, 0], [0, 1]]
S1A = shallow([[1, 2], [-1, 1]], [1, 0], [[3, -2]], [5])
SHALLOW = {  # docs/relu.md § Test cases
    "S1": (S1A, shallow([[-2, 2], [2, 4]], [0, 2], [[-1, "3/2"]], [5]), True),
    "S2": (shallow([[1], [-1]], [0, 0], [[1, -1]], [0]), shallow([[2], [-2]], [1, -1], [["1/2", "-1/2"]], ["-1/2"]), True),
    "S3": (shallow([[1], [0], [0]], [0, 3, -7], [[1, 2, 123]], [0]), shallow([[1], [5], [0]], [0, 9, 0], [[1, 0, 0]], [6]),
           True),
    "S4": (shallow([[1, 1], [0, 1], [0, 0]], [1, 0, 0], [[3, 1, 0]], [0]),
           shallow([[1, 1], [2, 2], [0, 1]], [1, 2, 0], [[1, 1, 1]], [0]), True),
    "S5": (shallow([[1, 0], [-1, 0]], [0, 0], [[1, 1]], [0]), shallow([[1, 0], [-1, 0]], [0, 0], [[2, 0]], [0]), False),
    "S6": (S1A, shallow([[1, 2], [-1, 1]], ["1001/1000", 0], [[3, -2]], [5]), False),
}
E1 = deep((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
E3 = deep(([[1, 0], [1, 1]], [0, -1]), ([[1, -1], [-1, 2]], ["1/2", "-1/2"]), ([[1, -2]], [1]))
DEEP = {  # docs/relu.md § Test cases
    "E1-mix": (E1, deep((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0])), True),
    "E1-trade": (E1, deep((I2, [0, 0]), ([[1, 2], [3, 1]], [6, 2]), ([[1, -1]], [-5])), True),
    "E1-positivity": (E1, deep((I2, [0, 0]), ([[-2, 1], [3, 1]], [-1, 2]), ([[1, 0]], [0])), False),
    "E1-flip": (E1, deep(([[-1, 0], [0, 1]], [0, 0]), ([[-1, 2], [-3, 1]], [1, 2]), ([[1, -1]], [0])), False),
    "E2": (deep((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0])),
           deep((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0])), True),
    "E2-broken": (deep((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0])),
                  deep((I2, [0, 0]), ([[1, -1], [-1, "1/10"]], ["1/2", -1]), ([[1, 7]], [0])), False),
    "E4": (deep(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0])),
           deep(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0])), True),
    "E5": (deep(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])),
           deep(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0])), True),
}


def certified(res):
    """The result's certificate survives a JSON round trip and checks."""
    obj = json_loads_exact(json.dumps(res.certificate))
    out = check_certificate(obj)
    assert out.valid, out.reason
    return obj


def assert_witness(a, b, res):
    assert res.witness is not None and all(type(v) is fmpq for v in res.witness)
    assert forward_exact(a, res.witness) != forward_exact(b, res.witness)


@pytest.mark.parametrize("name", sorted(SHALLOW) + sorted(DEEP))
def test_reference_vectors(name):
    a, b, expected = {**SHALLOW, **DEEP}[name]
    for x, y in ((a, b), (b, a)):
        res = equivalent(x, y, certificate=True)
        assert res.equivalent is expected
        certified(res)
        if not expected:
            assert_witness(x, y, res)
    if name in SHALLOW:
        assert equivalent(a, b).tier == "a"
    # the complete procedure alone agrees
    assert equivalent(a, b, tiers="d").equivalent is expected


def e3_image():
    """E3 under: layer-1 permutation (1 0) with scales (2, 1/3); layer-2 permutation (1 0) with
    scales (3, 5/7) (docs/relu.md § Test cases)."""
    layers = lists(E3)
    for li, scales in ((0, (2, fmpq(1, 3))), (1, (3, fmpq(5, 7)))):
        W, b = layers[li]
        layers[li] = ([W[1], W[0]], [b[1], b[0]])
        layers[li + 1] = ([[r[1], r[0]] for r in layers[li + 1][0]], layers[li + 1][1])
        for j, c in enumerate(scales):
            layers[li][0][j] = [c * v for v in layers[li][0][j]]
            layers[li][1][j] = c * layers[li][1][j]
            for r in layers[li + 1][0]:
                r[j] = r[j] / c
    return net_from(layers)


def test_e3_permutation_and_scaling():
    b = e3_image()
    assert b != E3
    res = equivalent(E3, b, certificate=True)
    assert res.equivalent is True and res.tier == "s"  # two hidden layers, bottleneck: the structural tier
    certified(res)
    res = equivalent(E3, b, certificate=True, tiers="abcd")
    assert res.equivalent is True and res.tier == "b"
    certified(res)
    assert equivalent(E3, b, tiers="d").equivalent is True


def test_e3_single_entry_perturbations_are_not_equivalent():
    layers = lists(E3)
    count = 0
    for li, (W, b) in enumerate(layers):
        for r in range(len(W)):
            for c in range(len(W[r]) + 1):
                pert = [([list(row) for row in WW], list(bb)) for WW, bb in layers]
                if c < len(W[r]):
                    pert[li][0][r][c] += fmpq(1, 100)
                else:
                    pert[li][1][r] += fmpq(1, 100)
                other = net_from(pert)
                res = equivalent(E3, other, certificate=True)
                assert res.equivalent is False
                assert_witness(E3, other, res)
                certified(res)
                count += 1
    assert count == 6 + 6 + 3


def test_s2_hyperplanes_differ_but_functions_agree():
    a, b, _ = SHALLOW["S2"]
    res = equivalent(a, b, certificate=True)
    assert res.equivalent and res.tier == "a"
    form = certified(res)["evidence"]["form"]
    assert form["keys"] == [] and form["linear"] == [[1]] and form["constant"] == [0]


# ---------------------------------------------------------------------------------------------
# random moves and perturbations
# ---------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.integers(1, 4))
def test_shallow_random_moves_stay_equivalent(seed, n, width):
    rnd = random.Random(seed)
    a = random_net(rnd, (n, width, rnd.randint(1, 2)))
    b = random_moves(a, rnd, rnd.randint(1, 5))
    assert same_on_points(a, b, rnd)
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "a"
    certified(res)
    if b.hidden_widths[0] <= 8:  # tier (d) agrees with tier (a)
        assert equivalent(a, b, tiers="d").equivalent is True


def _perturb_live(net, rnd):
    """A copy with one live parameter changed: the output bias, a last-layer weight of a unit
    active at a known point, or (one hidden layer) a first-layer entry of a unit with w ≠ 0, a ≠ 0."""
    layers = lists(net)
    delta = fmpq(rnd.choice((1, -1)), rnd.choice((1, 7, 1000)))
    kind = rnd.randrange(3)
    if kind == 1:
        x = [fmpq(rnd.randint(-9, 9), rnd.randint(1, 3)) for _ in range(net.input_dim)]
        sub = net_from(layers[:-1] + [([[fmpq(1) if i == j else fmpq(0) for i in range(len(layers[-1][0][0]))]
                                         for j in range(len(layers[-1][0][0]))], [fmpq(0)] * len(layers[-1][0][0]))])
        h = forward_exact(sub, x)
        active = [j for j, v in enumerate(h) if v > 0]
        if active:
            layers[-1][0][rnd.randrange(len(layers[-1][0]))][rnd.choice(active)] += delta
            return net_from(layers)
    if kind == 2 and len(layers) == 2:
        units = [j for j in range(len(layers[0][0])) if any(v != 0 for v in layers[0][0][j])
                 and any(r[j] != 0 for r in layers[1][0])]
        if units:
            j = rnd.choice(units)
            c = rnd.randrange(len(layers[0][0][j]) + 1)
            if c < len(layers[0][0][j]):
                layers[0][0][j][c] += delta
            else:
                layers[0][1][j] += delta
            return net_from(layers)
    layers[-1][1][rnd.randrange(len(layers[-1][1]))] += delta
    return net_from(layers)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.integers(1, 4))
def test_shallow_perturbations_are_never_equivalent(seed, n, width):
    rnd = random.Random(seed)
    a = random_net(rnd, (n, width, rnd.randint(1, 2)))
    b = random_moves(_perturb_live(a, rnd), rnd, rnd.randint(0, 3))
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is False
    assert_witness(a, b, res)
    certified(res)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=2, max_size=3))
def test_deep_random_moves_stay_equivalent(seed, n, hidden):
    rnd = random.Random(seed)
    a = random_net(rnd, [n] + hidden + [1])
    b = random_moves(a, rnd, rnd.randint(1, 4))
    assert same_on_points(a, b, rnd)
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier in ("s", "b", "d")
    certified(res)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=2, max_size=3))
def test_deep_symmetries_decided_by_tier_b_and_confirmed_by_tier_d(seed, n, hidden):
    rnd = random.Random(seed)
    a = random_net(rnd, [n] + hidden + [1])
    b = random_moves(a, rnd, rnd.randint(1, 4), kinds=("permute", "scale", "dead", "zero_input", "split"))
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier in ("s", "b")
    certified(res)
    res = equivalent(a, b, certificate=True, tiers="abcd")
    assert res.equivalent is True and res.tier == "b"
    certified(res)
    full = equivalent(a, b, tiers="d", certificate=True)
    assert full.equivalent is True and full.tier == "d"
    certified(full)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 3), st.lists(st.integers(1, 4), min_size=2, max_size=3))
def test_deep_perturbations_are_never_equivalent(seed, n, hidden):
    rnd = random.Random(seed)
    a = random_net(rnd, [n] + hidden + [1])
    b = random_moves(_perturb_live(a, rnd), rnd, rnd.randint(0, 2))
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is False
    assert_witness(a, b, res)
    certified(res)
    assert equivalent(a, b, tiers="d").equivalent is False


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**9))
def test_domain_equivalence_agrees_with_the_complete_procedure(seed):
    rnd = random.Random(seed)
    box = Box.from_bounds([-1, 0], [1, 2])
    a = random_net(rnd, (2, rnd.randint(1, 4), 1), scale=4)
    layers = lists(a)
    # a unit that is dead on the box but not on R^2: x2 − 3 ≤ −1 there
    layers[0][0].append([fmpq(0), fmpq(1)])
    layers[0][1].append(fmpq(-3))
    layers[1][0][0].append(fmpq(rnd.randint(1, 5)))
    b = net_from(layers)
    on_box = equivalent(a, b, box, certificate=True)
    assert on_box.equivalent is True and on_box.tier == "a"
    certified(on_box)
    assert equivalent(a, b, box, tiers="d").equivalent is True
    off = equivalent(a, b, certificate=True)
    assert off.equivalent is False
    assert_witness(a, b, off)
    assert not box.contains(off.witness)


def test_domain_witness_lies_in_the_domain():
    a = shallow([[1]], [0], [[1]], [0])
    b = shallow([[1]], ["-1/2"], [[1]], [0])
    box = Box.from_bounds([0], [1])
    res = equivalent(a, b, box, certificate=True)
    assert res.equivalent is False and box.contains(res.witness)
    certified(res)


def test_algebraic_weights_tier_a_and_tier_d():
    a = shallow([["sqrt(2)"], [1]], [1, 0], [[1, 1]], [0])
    b = shallow([[1], ["2*sqrt(2)"]], [0, 2], [[1, "1/2"]], [0])
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "a"
    certified(res)
    c = shallow([["sqrt(2)"], [1]], ["1001/1000", 0], [[1, 1]], [0])
    res = equivalent(a, c, certificate=True)
    assert res.equivalent is False and res.tier == "a"
    assert_witness(a, c, res)
    certified(res)
    # deep algebraic with a hidden symmetry: tiers (b), (c) cannot decide; (d) runs over Q(sqrt(2)).
    # The second unit of layer 2 is relu(−relu(√2·x) + relu(x − 1)) = 0 (for x > 1, x − 1 < √2·x),
    # so its outgoing weight does not matter.
    d1 = deep(([["sqrt(2)"], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0]))
    d2 = deep(([["sqrt(2)"], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0]))
    res = equivalent(d1, d2, certificate=True)
    assert res.equivalent is True and res.tier == "d"
    certified(res)
    # here the second unit of layer 2 is relu(relu(−√2·x) − relu(x − 1)) = −√2·x > 0 for x < 0,
    # so the outgoing weights 5 and −9 give different functions (tier (d) finds the witness)
    d3 = deep(([["-sqrt(2)"], [1]], [0, -1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 5]], [0]))
    d4 = deep(([["-sqrt(2)"], [1]], [0, -1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, -9]], [0]))
    res = equivalent(d3, d4, tiers="d", certificate=True)
    assert res.equivalent is False and res.tier == "d"
    assert_witness(d3, d4, res)
    certified(res)


def test_bad_input():
    a = shallow([[1, 2]], [0], [[1]], [0])
    with pytest.raises(InputError, match="dimension"):
        equivalent(a, shallow([[1]], [0], [[1]], [0]))
    tanh = Network.from_lists("tanh", [([[1, 2]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError):
        equivalent(a, tanh)
    with pytest.raises(InputError, match="dimension"):
        equivalent(a, a, Box.from_bounds([0], [1]))


def test_timeout_gives_unknown():
    rnd = random.Random(3)
    a = random_net(rnd, (2, 10, 10, 10, 1))
    b = random_moves(a, rnd, 3, kinds=("pairs",))
    res = equivalent(a, b, timeout=1e-9)
    assert res.equivalent is None and "time limit" in res.reason


@pytest.mark.parametrize("method", ["generators", "lp"])
def test_region_tree_certificates_from_both_engines(method):
    for name in ("E1-mix", "E1-trade", "E4", "E5"):
        a, b, _ = DEEP[name]
        res = equivalent(a, b, tiers="d", method=method, certificate=True)
        assert res.equivalent is True and res.tier == "d"
        obj = certified(res)
        assert obj["evidence"]["method"] == "region_tree"
    box = Box.from_bounds([-1, -1], [2, 1])
    a, b, _ = DEEP["E1-mix"]
    res = equivalent(a, b, box, tiers="d", method=method, certificate=True)
    assert res.equivalent is True
    certified(res)


def test_algebraic_weights_from_two_fields():
    a = shallow([["sqrt(2)"], [1]], [1, 0], [[1, 1]], [0])
    b = shallow([[1], ["sqrt(3)"]], ["sqrt(2)/2", 0], [["sqrt(2)", "sqrt(3)/3"]], [0])
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "a"
    certified(res)
    c = shallow([[1], ["sqrt(3)"]], ["sqrt(2)/3", 0], [["sqrt(2)", "sqrt(3)/3"]], [0])
    res = equivalent(a, c, certificate=True)
    assert res.equivalent is False
    assert_witness(a, c, res)
    certified(res)
