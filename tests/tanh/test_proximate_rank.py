"""Proximate rank (docs/tanh.md § Proximate rank, § Test cases): exact solver, greedy bound,
witnesses, certificates, square-cover reduction.

The brute force below is written independently of exactnet.tanh: it enumerates every set
partition of the units, and for every block every sign pattern (a singleton block may also be
"made constant" if ‖b‖∞ ≤ ε), scoring a block 0 if it is cancellable, 1 if kept, and rejecting
blocks whose signed points do not fit a ball of radius ε.
"""

from __future__ import annotations

import itertools
import random

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.deadline import Deadline
from exactnet.errors import InputError
from exactnet.network import Layer, Network
from exactnet.tanh.compression import rank
from exactnet.tanh.greedy_bound import bound_prank
from exactnet.tanh.proximate_rank import prank
from exactnet.tanh.proximity import ProximityGroup, ProximityPlan, witness_parameter
from exactnet.tanh.certificates import proximate_rank_certificate

from tests.tanh.tanh_strategies import rationals, to_net

F = fmpq


# ---------------------------------------------------------------------------------------------
# independent helpers
# ---------------------------------------------------------------------------------------------


def _partitions(xs):
    if not xs:
        yield []
        return
    first, rest = xs[0], xs[1:]
    for part in _partitions(rest):
        for k in range(len(part)):
            yield part[:k] + [[first] + part[k]] + part[k + 1:]
        yield [[first]] + part


def brute_prank(units, eps) -> int:
    """Independent brute force over all partitions, signs and constant choices."""
    h = len(units)
    best = h
    for part in _partitions(list(range(h))):
        total = 0
        for block in part:
            cost = None
            a0, b0, _ = units[block[0]]
            if len(block) == 1 and all(abs(x) <= eps for x in b0):
                cost = 0
            for rest in itertools.product((1, -1), repeat=len(block) - 1):
                signs = (1,) + rest
                pts = [[s * x for x in list(units[i][1]) + [units[i][2]]] for i, s in zip(block, signs)]
                if any(max(col) - min(col) > 2 * eps for col in zip(*pts)):
                    continue
                sums = [sum((s * units[i][0][k] for i, s in zip(block, signs)), F(0)) for k in range(len(a0))]
                c = 0 if all(abs(v) <= eps * len(block) for v in sums) else 1
                cost = c if cost is None else min(cost, c)
            if cost is None:
                total = None
                break
            total += cost
        if total is not None and total < best:
            best = total
    return best


def params_of(net: Network):
    (w1, b1), (w2, d) = [(layer.weight, layer.bias) for layer in net.layers]
    return w1, b1, w2, d


def linf(net_a: Network, net_b: Network):
    """Independent ‖A − B‖∞ over all weights and biases."""
    best = F(0)
    for la, lb in zip(net_a.layers, net_b.layers):
        for ra, rb in zip(la.weight, lb.weight):
            for x, y in zip(ra, rb):
                best = max(best, abs(x - y))
        for x, y in zip(la.bias, lb.bias):
            best = max(best, abs(x - y))
    return best


def scalar_net(a, b, c, d=0):
    return Network.from_lists("tanh", [([[x] for x in b], list(c)), ([list(a)], [d])])


EPS_VALUES = [F(0), F(1, 10), F(1, 4), F(1, 2), F(1), F(3, 2)]


@st.composite
def small_params(draw, max_h: int = 5):
    n, m = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h = draw(st.integers(1, max_h))
    small = rationals(2, 4)
    units = [(tuple(draw(st.one_of(rationals(), small)) for _ in range(m)),
              tuple(draw(st.one_of(rationals(), small)) for _ in range(n)),
              draw(rationals())) for _ in range(h)]
    d = tuple(draw(rationals()) for _ in range(m))
    return units, d, n, m


# ---------------------------------------------------------------------------------------------
# the reference values (docs/tanh.md § Test cases)
# ---------------------------------------------------------------------------------------------

W_REPO = scalar_net(["-0.8704732", "-0.09269352", "0.3384626"], ["-0.952935", "-0.32022476", "0.9650079"],
                    ["-0.4964598", "1.8577402", "-1.4160455"], "-1.2973489")


@pytest.mark.parametrize("eps, expected", [(F(0), 3), (F(1, 10), 2), ("0.1", 2), (F(1), 0)])
def test_w_repo(eps, expected):
    assert rank(W_REPO) == 3
    assert bound_prank(W_REPO, eps).value == expected
    result = prank(W_REPO, eps)
    assert result.value == expected and result.lower == result.upper == expected
    assert result.optimality in ("exhaustive-search", "cp-sat-proof")


def test_w_repo_greedy_labels():
    # unit 2's signed weight 0.09269352 ≤ 0.1 is cancelled (label −2); all |b| ≤ 1 at ε = 1
    assert bound_prank(W_REPO, F(1, 10)).plan.labels() == [1, -2, 3]
    assert bound_prank(W_REPO, F(1)).plan.labels() == [0, 0, 0]


@pytest.mark.parametrize("b, bound", [([2, 3, 4], 2), ([3, 2, 4], 1)])
def test_order_dependence(b, bound):
    net = scalar_net([5, 5, 5], b, [0, 0, 0])
    assert bound_prank(net, 1).value == bound
    assert prank(net, 1).value == 1
    assert rank(net) == 3


# ---------------------------------------------------------------------------------------------
# exact boundaries |x − y| = ε with a decimal ε
# ---------------------------------------------------------------------------------------------


def test_boundary_merge_is_closed():
    # 1.1 − 1 = 0.1 exactly (in floats 1.1 - 1.0 > 0.1): the closed ball merges them
    eps = "0.1"
    assert bound_prank(scalar_net([1, 1], ["1", "1.1"], [0, 0]), eps).value == 1
    assert bound_prank(scalar_net([1, 1], ["1", "1.1000001"], [0, 0]), eps).value == 2
    # the exact solver merges within 2ε = 0.2 (a common key at the midpoint) but not beyond
    assert prank(scalar_net([1, 1], ["1", "1.2"], [0, 0]), eps).value == 1
    assert prank(scalar_net([1, 1], ["1", "1.2000001"], [0, 0]), eps).value == 2
    # the c coordinate too
    assert prank(scalar_net([1, 1], [1, 1], ["0.3", "0.5"]), eps).value == 1
    assert prank(scalar_net([1, 1], [1, 1], ["0.3", "0.50001"]), eps).value == 2


def test_boundary_cancellation_scales_with_group_size():
    # |1 − 0.8| = 0.2 = ε·|G| with ε = 0.1, |G| = 2: cancellable (pitfall 9), not with 0.79
    assert prank(scalar_net(["1", "-0.8"], [1, 1], [0, 0]), "0.1").value == 0
    assert prank(scalar_net(["1", "-0.79"], [1, 1], [0, 0]), "0.1").value == 1
    # a singleton with |a| = ε is dead-able; a bit more is not
    assert prank(scalar_net(["0.1"], [5], [0]), "0.1").value == 0
    assert prank(scalar_net(["0.1000001"], [5], [0]), "0.1").value == 1


def test_boundary_constant_unit():
    # ‖b‖∞ = ε exactly: the unit can be made constant
    assert prank(scalar_net([7], ["0.1"], [3]), "0.1").value == 0
    assert prank(scalar_net([7], ["0.1000001"], [3]), "0.1").value == 1


def test_small_b_unit_can_absorb_weight():
    # greedy stage 1 drops the small-b unit; grouping it instead gives budget 2ε and cancels
    net = scalar_net(["0.15", "0"], ["0.2", "0.05"], [0, 0])
    assert bound_prank(net, "0.1").value == 1
    assert prank(net, "0.1").value == 0


# ---------------------------------------------------------------------------------------------
# multi-input / multi-output
# ---------------------------------------------------------------------------------------------


def test_vector_output_needs_every_coordinate():
    # two units with a common key; output 1 cancels, output 2 does not (pitfall 13)
    net = Network.from_lists("tanh", [([[1, 2], [1, 2]], [0, 0]), ([[1, -1], [1, 1]], [0, 0])])
    assert prank(net, "0.1").value == 1
    net2 = Network.from_lists("tanh", [([[1, 2], [1, 2]], [0, 0]), ([[1, -1], ["0.1", "0.1"]], [0, 0])])
    assert prank(net2, "0.1").value == 0


def test_vector_input_sign_choice():
    # (b, c) = (1, −2, 1) and (−1, 2.1, −1) are negatives up to 0.1: one group with opposite signs
    net = Network.from_lists("tanh", [([[1, -2], [-1, "2.1"]], [1, -1]), ([[1, 1]], [0])])
    result = prank(net, "0.05")
    assert result.value == 0
    assert sorted(result.plan.groups[0].signs) == [-1, 1]


# ---------------------------------------------------------------------------------------------
# random properties
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_params(), st.sampled_from(EPS_VALUES))
def test_exact_matches_brute_force_and_bounds(param, eps):
    units, d, n, m = param
    net = to_net(units, d, n, m)
    result = prank(net, eps)
    greedy = bound_prank(net, eps)
    r = rank(net)
    assert result.value == brute_prank(units, eps)
    assert prank(net, eps, solver="cp-sat").value == result.value
    assert result.value <= greedy.value <= r
    if eps == 0:
        assert result.value == greedy.value == r
    for res in (result, greedy):
        wnet = res.witness.parameter.to_network()
        assert linf(net, wnet) <= eps
        assert rank(wnet) == res.value == res.witness.rank


@settings(max_examples=40, deadline=None)
@given(small_params(max_h=7))
def test_monotone_in_eps(param):
    units, d, n, m = param
    net = to_net(units, d, n, m)
    values = [prank(net, e).value for e in EPS_VALUES]
    assert values[0] == rank(net)
    assert all(x >= y for x, y in zip(values, values[1:]))


def _random_net(rng, h, n, m, spread=2, den=20):
    def q(lim):
        return F(rng.randint(-lim * den, lim * den), den)

    units = [(tuple(q(1) for _ in range(m)), tuple(q(spread) for _ in range(n)), q(spread)) for _ in range(h)]
    return to_net(units, tuple(F(0) for _ in range(m)), n, m)


@pytest.mark.parametrize("seed", range(6))
def test_solvers_agree(seed):
    rng = random.Random(seed)
    net = _random_net(rng, 14, rng.randint(1, 2), rng.randint(1, 2))
    eps = F(rng.randint(1, 4), 10)
    values = {s: prank(net, eps, solver=s) for s in ("search", "cp-sat", "auto")}
    assert len({r.value for r in values.values()}) == 1
    assert values["cp-sat"].optimality == "cp-sat-proof"
    assert values["search"].optimality == "exhaustive-search"
    assert values["search"].value <= bound_prank(net, eps).value <= rank(net)


def test_algebraic_parameters():
    net = Network.from_lists("tanh", [([["sqrt(2)"], ["sqrt(2) + 1/10"]], [0, 0]), ([[1, "-0.9"]], [0])])
    assert prank(net, "0.1").value == 0  # |1 − 0.9| ≤ 0.2
    assert prank(net, "0.04").value == 2  # keys 0.1 apart > 2·0.04
    assert bound_prank(net, "0.1").value == 0


# ---------------------------------------------------------------------------------------------
# deadline, certificates, errors
# ---------------------------------------------------------------------------------------------


def test_deadline_gives_honest_bounds():
    rng = random.Random(7)
    net = _random_net(rng, 30, 1, 1)
    result = prank(net, F(1, 5), deadline=Deadline(at=0.0), solver="search")
    assert result.value is None and result.optimality == "unknown"
    assert result.lower <= prank(net, F(1, 5)).value <= result.upper
    assert linf(net, result.witness.parameter.to_network()) <= F(1, 5)
    assert result.witness.rank <= result.upper


def test_certificate_checks_and_detects_tampering():
    result = prank(W_REPO, "0.1")
    cert = proximate_rank_certificate(result)
    assert check_certificate(cert).valid
    import copy

    bad = copy.deepcopy(cert)
    bad["claim"]["proximate_rank_at_most"] = 1
    assert not check_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["claim"]["eps"] = "1/100"
    assert not check_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["networks"][1]["layers"][0]["weight"][0][0] = "5"
    assert not check_certificate(bad).valid
    for t, rec in enumerate(cert["evidence"]["moves"]):
        for key, value in rec.items():
            if key != "move" and isinstance(value, list) and value and isinstance(value[0], list):
                bad = copy.deepcopy(cert)
                bad["evidence"]["moves"][t][key][0] = [str(F(17, 3))] * len(value[0])
                assert not check_certificate(bad).valid


@settings(max_examples=15, deadline=None)
@given(small_params(), st.sampled_from(EPS_VALUES))
def test_certificates_of_random_results(param, eps):
    units, d, n, m = param
    net = to_net(units, d, n, m)
    for res in (prank(net, eps), bound_prank(net, eps)):
        check = check_certificate(proximate_rank_certificate(res))
        assert check.valid, check.reason


@pytest.mark.parametrize("eps", ["-1/10", "abc", "sqrt(2)", None, [1]])
def test_bad_eps(eps):
    with pytest.raises(InputError):
        prank(W_REPO, eps)
    with pytest.raises(InputError):
        bound_prank(W_REPO, eps)


def test_plan_witness_rejects_inadmissible_group():
    from exactnet.tanh.parameter import TanhParameter

    p = TanhParameter.from_network(scalar_net([1, 1], [1, 2], [0, 0]))
    plan = ProximityPlan(width=2, constant=(), groups=(ProximityGroup((0, 1), (1, 1), False),))
    with pytest.raises(InputError):
        witness_parameter(p, F(1, 10), plan)
    assert witness_parameter(p, F(1, 2), plan).b == ((F(3, 2),), (F(3, 2),))


# ---------------------------------------------------------------------------------------------
# hardness reduction
# ---------------------------------------------------------------------------------------------


def test_cpsat_in_a_subprocess_agrees(monkeypatch):
    """When OR-Tools cannot be loaded next to highspy, CP-SAT runs in a worker process and the
    (exactly re-verified) answer is the same as in-process / by exhaustive search."""
    import exactnet.tanh.prank_cpsat as cpsat

    rnd = random.Random(5)
    units = [(fmpq(rnd.randint(-6, 6), 2), fmpq(rnd.randint(1, 8), 4), fmpq(rnd.randint(-8, 8), 4)) for _ in range(14)]
    net = Network("tanh", (Layer(tuple((b,) for _, b, _ in units), tuple(c for _, _, c in units)),
                           Layer((tuple(a for a, _, _ in units),), (fmpq(0),))))
    eps = fmpq(1, 4)
    reference = prank(net, eps, solver="search")
    monkeypatch.setattr(cpsat, "_load_cp_model", lambda: None)
    calls = []
    real = cpsat._solve_in_subprocess
    monkeypatch.setattr(cpsat, "_solve_in_subprocess", lambda *a: calls.append(1) or real(*a))
    remote = prank(net, eps, solver="cp-sat")
    assert calls, "the subprocess path was not taken"
    assert remote.value == reference.value
    assert remote.witness.distance <= eps and remote.witness.rank == remote.value
