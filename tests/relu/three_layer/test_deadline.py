"""Tier s stops cooperatively: its loops check the deadline (exactnet/deadline.py), so a time limit
that passes anywhere inside it gives an honest unknown naming the structural tier — never a wrong
verdict, never a traceback — and a deadline that does not pass changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from exactnet.deadline import Deadline, TimeLimitReached
from exactnet.relu.equivalence import equivalent
from exactnet.relu.three_layer.equivalence import equivalent as structural
from exactnet.relu.three_layer.planted import near_miss, plant_chain, random_params


@dataclass(frozen=True)
class AfterChecks(Deadline):
    """A deadline that passes at its ``limit``-th check (``None``: never); ``seen`` counts the checks."""

    limit: int | None = None
    seen: list = field(default_factory=lambda: [0], compare=False)

    def expired(self) -> bool:
        self.seen[0] += 1
        return self.limit is not None and self.seen[0] >= self.limit


def _pair(seed: int, widths=(8, 6, 12), near: bool = False):
    rnd = random.Random(seed)
    a = random_params(rnd, *widths)
    b = plant_chain(a, rnd)
    if near:
        b = near_miss(b, rnd)
    return a, b


@pytest.mark.parametrize("near", [False, True])
def test_checkpoints_throughout_the_structural_tier(near):
    a, b = _pair(3, near=near)
    counting = AfterChecks()
    res = structural(a, b, deadline=counting)
    assert res.verdict is (not near)
    total = counting.seen[0]
    if not near:  # the structure, every move of both chains and the verification are checkpointed
        assert total >= 2 * (6 + 12) + len(res.moves)
    for k in range(1, total + 1):
        with pytest.raises(TimeLimitReached, match="during the structural tier"):
            structural(a, b, deadline=AfterChecks(limit=k))
    assert structural(a, b, deadline=AfterChecks(limit=total + 1)).verdict is (not near)


def test_the_product_path_answers_unknown_when_the_deadline_passes_inside_tier_s():
    a, b = _pair(4)
    A, B = a.to_network(), b.to_network()
    counting = AfterChecks()
    assert equivalent(A, B, deadline=counting, certificate=True).tier == "s"
    total = counting.seen[0]
    rnd = random.Random(0)
    for k in sorted(rnd.sample(range(2, total), 12)):  # check 1 is the one before the tier starts
        res = equivalent(A, B, deadline=AfterChecks(limit=k), certificate=True)
        assert res.equivalent is None and res.tier is None and res.certificate is None
        assert res.reason == "time limit reached during the structural tier (s); no tier decided"


def _spread(total: int, count: int = 10) -> list[int]:
    """``count`` checkpoint indices spread over ``1..total`` (the first and the last included)."""
    return sorted({1, total} | {1 + (total - 1) * k // (count - 1) for k in range(count)})


@pytest.mark.parametrize("procedure", ["fiber", "samples", "laws"])
def test_fiber_and_laws_check_the_deadline_throughout(procedure):
    """``fiber``, ``samples`` and ``laws`` check the deadline in their loops: wherever it passes the
    procedure raises TimeLimitReached naming itself (also inside the canonical form and the structural
    decider it calls), and a deadline that does not pass changes nothing."""
    from pathlib import Path

    from exactnet.io import load_network
    from exactnet.relu.three_layer.fiber import fiber, samples
    from exactnet.relu.three_layer.laws import laws

    net = load_network(Path(__file__).parents[3] / "examples" / "relu_three_layer.json")
    run, what = {"fiber": (lambda d: fiber(net, deadline=d).to_obj(d), "the fiber description"),
                 "samples": (lambda d: samples(net, 2, deadline=d), "the fiber description"),
                 "laws": (lambda d: laws(net, deadline=d).to_obj(), "the conservation laws")}[procedure]
    counting = AfterChecks()
    full = run(counting)
    total = counting.seen[0]
    assert total >= 20
    for k in _spread(total):
        with pytest.raises(TimeLimitReached, match=f"during {what}"):
            run(AfterChecks(limit=k))
    assert run(AfterChecks(limit=total + 1)) == full
