"""The functional-dimension reproductions hold in their quick form (the full runs are ``exactnet reproduce``)."""

import importlib

import pytest

from exactnet.reproduce import Claim

PROOFS = ["relu_fdim_inhomogeneous", "relu_fdim_nonconstant_fiber", "relu_fiber_nontransitive",
          "relu_fiber_disconnected", "relu_fdim_architecture_maximum", "relu_fdim_attainment_fraction"]


@pytest.mark.parametrize("name", PROOFS)
def test_quick_run_holds(name):
    module = importlib.import_module(f"exactnet.proofs.{name}")
    assert isinstance(module.CLAIM, Claim) and module.CLAIM.name.startswith("relu-")
    outcome = module.run(quick=True)
    assert outcome.holds, outcome.details
