"""The tanh reproduce entries hold (quick runs) and are registered."""

from __future__ import annotations

import pytest

from exactnet.reproduce.registry import entries

NAMES = ["tanh-irreducible-orbit", "tanh-rank-optimal-compression", "tanh-reference-vectors", "tanh-prank-reference",
         "tanh-prank-square-cover"]


@pytest.mark.parametrize("name", NAMES)
def test_claim_holds_quick(name):
    by_name = {e.claim.name: e for e in entries()}
    outcome = by_name[name].run(quick=True)
    assert outcome.holds, outcome.details
