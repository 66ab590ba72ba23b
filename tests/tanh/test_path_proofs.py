"""The tanh path reproduce entries hold (quick runs) and are registered."""

from __future__ import annotations

import pytest

from exactnet.reproduce.registry import entries

NAMES = ["tanh-path-distance-three", "tanh-path-reducible-connected", "tanh-path-seven-segments"]


@pytest.mark.parametrize("name", NAMES)
def test_claim_holds_quick(name):
    by_name = {e.claim.name: e for e in entries()}
    outcome = by_name[name].run(quick=True)
    assert outcome.holds, outcome.details


def test_seven_segment_claim_reports_the_longest_path():
    by_name = {e.claim.name: e for e in entries()}
    outcome = by_name["tanh-path-seven-segments"].run(quick=True)
    assert 1 <= outcome.data["max_segments"] <= 7
    assert set(outcome.data["segment_kinds"]) == {"dead", "transfer", "const"}
