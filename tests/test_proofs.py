"""Every registered claim of ``exactnet reproduce`` holds (quick mode)."""

import pytest

from exactnet.reproduce.registry import entries

ENTRIES = entries()


def test_registry_is_not_empty():
    assert len(ENTRIES) >= 2


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.claim.name for e in ENTRIES])
def test_claim_holds(entry):
    outcome = entry.run(quick=True)
    assert outcome.holds, f"{entry.claim.name}: {outcome.details}"
    assert entry.claim.source and entry.claim.statement
