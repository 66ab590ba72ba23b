"""tanh move records: every chain replays exactly, the reduction reaches the compressed form, and
an equivalence chain joins equivalent parameters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from exactnet.tanh.compression import compress
from exactnet.tanh.moves import equivalence_chain, invert_chain, reduction_chain, replay_chain
from exactnet.tanh.parameter import TanhParameter

from tests.tanh.tanh_strategies import irreducible, moved, to_net


def _param(spec) -> TanhParameter:
    return TanhParameter.from_network(to_net(*spec))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(irreducible().flatmap(lambda p: moved(p)))
def test_reduction_and_its_inverse_replay_exactly(spec_names):
    p = _param(spec_names[0])
    chain = reduction_chain(p)
    assert replay_chain(p, chain) == compress(p).compressed()
    assert replay_chain(compress(p).compressed(), invert_chain(p, chain)) == p


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(irreducible().flatmap(lambda p: moved(p).map(lambda q: (p, q[0]))))
def test_equivalence_chains_join_equivalent_parameters(pair):
    a, b = _param(pair[0]), _param(pair[1])
    assert replay_chain(a, equivalence_chain(a, b)) == b
