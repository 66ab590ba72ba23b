"""Conservation laws: counts at the MIXED, HIDDEN and PRESERVE points, exact verification, no-law proofs."""

import pytest
from flint import fmpq

from exactnet.errors import InputError, UnsupportedError
from exactnet.network import Network
from exactnet.relu.three_layer.laws import laws

from .vectors import E1, E3, E4, net


@pytest.fixture(scope="module")
def results():
    return {"MIXED": laws(E3), "HIDDEN": laws(E4), "PRESERVE": laws(E1)}


@pytest.mark.parametrize("point,count", [("MIXED", 4), ("HIDDEN", 4), ("PRESERVE", 5)])
def test_law_counts(results, point, count):
    L = results[point]
    assert L.count == count == L.parameters - L.lie_rank
    assert L.count_exact and L.law_rank == count  # proved: the verified laws' gradients have rank count
    assert len([x for x in L.laws if x.verified]) >= count
    assert L.visits_all_patterns


def test_preserve_point_has_the_block_law(results):
    block = [x for x in results["PRESERVE"].laws if x.kind == "block"]
    assert len(block) == 1 and block[0].verified
    assert block[0].polynomial == "W2[1,1]*W2[2,1] + W2[1,2]*W2[2,2] - W3[1,1]*W3[1,2] + b2[1]*b2[2]"


def test_transfer_and_bias_trades_induce_no_law(results):
    for L in results.values():
        for x in L.no_laws:
            assert x.derivative != 0 and x.non_integrable
    hidden = [x for x in results["HIDDEN"].no_laws if "first-layer neuron 1" in x.symmetry][0]
    assert hidden.is_symmetry  # the transfer preserves f exactly, yet conserves nothing
    trades = [x for x in results["PRESERVE"].no_laws if "bias trade" in x.symmetry]
    assert all(x.is_symmetry for x in trades)


def test_block_law_is_not_conserved_off_its_region():
    # MIXED point: no neuron is always active, so no block law is reported and the count stays 4
    assert not [x for x in laws(E3).laws if x.kind == "block"]


def test_any_depth_per_neuron_laws():
    deep = net(([[1, -1]], [1]), ([[2]], [-1]), ([[1]], [1]), ([[-1]], [0]))
    L = laws(deep)
    assert len(L.laws) == 3 and all(x.verified for x in L.laws)


def test_bad_input():
    tanh = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError):
        laws(tanh)
    with pytest.raises(InputError):
        laws(E3, [(fmpq(1),)])


def test_user_data_and_the_pattern_artefact():
    """Data from one activation pattern give fewer fields, so more quantities look conserved (the count
    is then only an upper bound); the report says that the data miss realised patterns."""
    L = laws(E3, [["5", "1/2"], [6, "1/3"], ["11/2", "2/5"]], max_depth=1)
    assert L.visits_all_patterns is False and L.count >= 4
    with pytest.raises(InputError):
        laws(E3, [["a", 1]])
