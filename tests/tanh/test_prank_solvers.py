"""The proximate-rank instance and its two exact component solvers (exhaustive branch and bound,
CP-SAT): both find the same optimum on every component, and the search is honest when stopped."""

from __future__ import annotations

import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline
from exactnet.network import Layer, Network
from exactnet.tanh.parameter import TanhParameter
from exactnet.tanh.prank_instance import build_instance
from exactnet.tanh.prank_search import solve_component


def _param(seed: int, h: int) -> TanhParameter:
    rng = random.Random(seed)
    q = lambda lim: fmpq(rng.randint(-10 * lim, 10 * lim), 10)  # noqa: E731
    units = [(q(1), q(2), q(2)) for _ in range(h)]
    return TanhParameter.from_network(Network("tanh", (Layer(tuple((u[1],) for u in units), tuple(u[2] for u in units)),
                                                        Layer((tuple(u[0] for u in units),), (fmpq(0),)))))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 8))
def test_components_partition_the_units_and_both_solvers_agree(seed, h):
    pytest.importorskip("ortools")
    from exactnet.tanh.prank_cpsat import solve_component as cpsat_component

    inst = build_instance(_param(seed, h), fmpq(1, 4))
    assert sorted(u for comp in inst.components for u in comp.units) == list(range(h))
    for comp in inst.components:
        trivial = [(i, 1) for i in range(comp.size)]  # every unit its own group: a feasible solution
        search = solve_component(comp, inst.budget, comp.size, trivial)
        cpsat = cpsat_component(comp, inst.budget, comp.size, trivial)
        assert search.optimal and cpsat.optimal and search.value == cpsat.value <= comp.size


def test_a_stopped_search_keeps_a_valid_bound():
    inst = build_instance(_param(7, 12), fmpq(1))
    comp = max(inst.components, key=lambda c: c.size)
    out = solve_component(comp, inst.budget, comp.size, [(i, 1) for i in range(comp.size)], deadline=Deadline(at=0.0))
    assert out.lower <= out.value <= comp.size


def test_auto_without_ortools_says_how_to_get_cpsat(monkeypatch):
    """``solver="auto"`` without OR-Tools searches large components exhaustively (same exact value)
    and says so, naming the extra; with small components it says nothing."""
    import importlib

    pr = importlib.import_module("exactnet.tanh.proximate_rank")  # the module (the package exports a function of that name)

    p = _param(7, 12)
    monkeypatch.setattr(pr, "_cpsat_available", lambda: False)
    big = pr.prank(p, fmpq(1), solver="auto")
    assert big.stats["largest_component"] > pr.AUTO_SEARCH_MAX
    assert big.stats["cpsat"] == "not installed" and 'exactnet[cpsat]' in big.reason
    assert big.value == pr.prank(p, fmpq(1), solver="search").value
    small = pr.prank(_param(7, 4), fmpq(1, 4), solver="auto")
    assert "cpsat" not in small.stats and "exactnet[cpsat]" not in small.reason
