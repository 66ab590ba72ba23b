"""Compression, rank, canonical form and the reducibility report (docs/tanh.md § Irreducible parameters, § Compression and the canonical form, § Test cases)."""

from __future__ import annotations

import itertools

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.tanh.tanh_strategies import ZERO, irreducible, moved, normalised_key, to_net

from exactnet.errors import InputError, NetworkError, UnsupportedError
from exactnet.network import Network, evaluate
from exactnet.numbers import working_precision
from exactnet.numbers.tanh_scalar import TanhScalar
from exactnet.tanh.compression import canonical_form, compress, rank, reducibility
from exactnet.tanh.moves import equivalence_chain, invert_chain, reduction_chain, replay_chain
from exactnet.tanh.parameter import TanhParameter

Q = fmpq


def scalar_net(a, b, c, d=0):
    return Network.from_lists("tanh", [([[x] for x in b], c), ([a], [d])])


def live_units(p: TanhParameter):
    return [(p.a[i][0], p.b[i][0], p.c[i]) for i in range(p.width)]


# -- the canonicalisation vectors (docs/tanh.md § Test cases) -------------------------------------------------------------------

def test_irreducible_orbit_of_the_reference_parameter():
    base = [(k, k, k) for k in range(1, 6)]
    canon_expected = [(Q(k), Q(k), Q(k)) for k in range(1, 6)]
    seen = set()
    for perm in itertools.permutations(range(5)):
        for signs in itertools.product((1, -1), repeat=5):
            units = [(s * base[i][0], s * base[i][1], s * base[i][2]) for i, s in zip(perm, signs)]
            seen.add(tuple(units))
            if len(seen) % 97 == 0 or len(seen) < 40:
                net = scalar_net(*zip(*units))
                can = canonical_form(net)
                assert live_units(can) == canon_expected
                assert can.d == (TanhScalar.of(Q(0)),)
    assert len(seen) == 2**5 * 120 == 3840


SET_A = [
    ([1, 2, 0], [1, 2, 0], [1, 2, 0]),
    ([1, 2, 0], [1, 2, 1], [1, 2, 0]),
    ([1, 2, 3], [1, 2, 0], [1, 2, 0]),
    ([1, 1, 1], [1, 2, 2], [1, 2, 2]),
    ([1, -1, 1], [1, -2, 2], [1, -2, 2]),
    ([1, 1, 1], [2, 1, 2], [2, 1, 2]),
    ([-1, 1, 1], [-2, 2, 1], [-2, 2, 1]),
]


@pytest.mark.parametrize("a,b,c", SET_A)
def test_set_a(a, b, c):
    net = scalar_net(a, b, c)
    comp = compress(net)
    assert comp.rank == 2 == rank(net)
    can = comp.canonical()
    assert live_units(can) == [(Q(1), Q(1), Q(1)), (Q(2), Q(2), Q(2)), (Q(0), Q(0), Q(0))]
    assert can.d == (TanhScalar.of(Q(0)),)


def test_set_b():
    ref = compress(scalar_net([1, 2, 3, 0, 0, 0], [1, 2, 3, 0, 0, 0], [1, 2, 3, 0, 0, 0]))
    other = compress(scalar_net([0, 0, -1, 2, 3, 2], [1, 2, 1, 2, 3, 1], [1, 2, 1, 2, 3, 1]))
    expected = [(Q(k), Q(k), Q(k)) for k in (1, 2, 3)] + [(Q(0), Q(0), Q(0))] * 3
    assert live_units(ref.canonical()) == expected == live_units(other.canonical())
    assert ref.rank == other.rank == 3
    groups = {g.key: (g.members, g.alpha) for g in other.kept}
    assert groups[(Q(1), Q(1))] == ((0, 2, 5), (Q(1),))
    assert groups[(Q(2), Q(2))] == ((1, 3), (Q(2),))


# -- stages and pitfalls -----------------------------------------------------------------------

def test_constant_unit_folds_into_a_symbolic_bias():
    comp = compress(scalar_net([1, 2, 3], [0, 0, 1], ["1/2", "-1/3", 1], "1/7"))
    assert comp.constant == (0, 1)
    assert comp.rank == 1
    (delta,) = comp.bias
    assert delta == TanhScalar.build(Q(1, 7), [(Q(1, 2), Q(1)), (Q(1, 3), Q(-2))])
    assert str(delta) == "1/7 - 2*tanh(1/3) + tanh(1/2)"


def test_merge_before_dropping_zero_weights():
    comp = compress(scalar_net([1, -1, 1], [2, 2, -2], [1, 1, -1]))
    # (1,2,1) + (−1,2,1) cancel; then (1,−2,−1) is a negated duplicate: α = 1 − 1 + (−1) = −1
    assert comp.rank == 1
    assert comp.kept[0].alpha == (Q(-1),)
    comp2 = compress(scalar_net([1, 1], [2, -2], [1, -1]))
    assert comp2.rank == 0 and len(comp2.cancelled) == 1


def test_keys_b_c_and_b_minus_c_are_different():
    assert rank(scalar_net([1, 1], [1, 1], [1, -1])) == 2


def test_vector_outputs_drop_only_zero_vectors():
    net = Network.from_lists("tanh", [([[1], [1]], [0, 0]), ([[1, -1], [0, 1]], [0, 0])])
    comp = compress(net)
    assert comp.rank == 1 and comp.kept[0].alpha == (Q(0), Q(1))


def test_sign_of_first_nonzero_coordinate_and_lexicographic_order():
    net = Network.from_lists("tanh", [
        ([[0, -1], [1, 0], [0, 1], [-1, 5]], [3, 0, -2, 0]),
        ([[1, 1, 1, 1]], [0]),
    ])
    can = canonical_form(net)
    # unit 0: (0,−1;3) → sign −1 → (0,1;−3); unit 2: (0,1;−2); unit 1: (1,0;0); unit 3 → (1,−5;0)
    assert [(tuple(b), c) for b, c in zip(can.b, can.c)] == [
        ((Q(0), Q(1)), Q(-3)), ((Q(0), Q(1)), Q(-2)), ((Q(1), Q(-5)), Q(0)), ((Q(1), Q(0)), Q(0))]
    assert [a for a in can.a] == [(Q(-1),), (Q(1),), (Q(-1),), (Q(1),)]


def test_blank_units_at_the_end():
    can = canonical_form(scalar_net([0, 5, 0, 1], [1, 3, 0, 1], [1, 0, 0, 2]))
    assert live_units(can) == [(Q(1), Q(1), Q(2)), (Q(5), Q(3), Q(0)), (Q(0), Q(0), Q(0)), (Q(0), Q(0), Q(0))]


def test_roles_cover_every_unit():
    comp = compress(scalar_net([1, 2, 0, 4, -4], [1, 0, 1, 3, 3], [0, 1, 5, 1, 1]))
    roles = comp.roles()
    assert roles[1] == ("constant",)
    assert roles[0] == ("kept", 0, 1)
    assert roles[2][0] == "cancelled" and roles[3][0] == roles[4][0] == "cancelled"


def test_reducibility_report_names_reasons():
    rep = reducibility(scalar_net([0, 1, 2, 3, 4], [1, 0, 2, 2, -2], [1, 1, 1, 1, -1]))
    assert rep.dead == (0,) and rep.constant == (1,)
    assert rep.duplicates == ((3, 2),) and rep.negated_duplicates == ((4, 2),)
    assert rep.reducible and rep.rank == 1
    assert rep.reasons()[:2] == [(0, "dead", None), (1, "constant", None)]
    irr = reducibility(scalar_net([1, 2], [1, 2], [0, 0]))
    assert not irr.reducible and irr.rank == irr.width == 2


# -- properties ----------------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_compression_is_optimal_and_irreducible(data):
    base = data.draw(irreducible())
    (units, d, n, m), names = data.draw(moved(base))
    net = to_net(units, d, n, m)
    comp = compress(net)
    assert comp.rank == len(base[0])  # planted rank
    rep = reducibility(net)
    assert rep.reducible == (comp.rank < comp.width)
    small = comp.compressed()
    assert not reducibility(small).reducible
    assert small.width == comp.rank
    # irreducible: nonzero α, nonzero β, distinct keys; ascending exact lexicographic order
    assert all(any(v != 0 for v in g.alpha) for g in comp.kept)
    keys = [normalised_key(g.beta, g.gamma) for g in comp.kept]
    assert None not in keys and len(set(keys)) == len(keys)
    assert [g.key for g in comp.kept] == sorted(g.key for g in comp.kept)
    # the compressed (canonical) form depends on the function only
    assert compress(to_net(*base)).compressed() == small


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_reduction_chain_replays_and_inverts(data):
    base = data.draw(irreducible())
    (units, d, n, m), _ = data.draw(moved(base))
    p = TanhParameter.from_network(to_net(units, d, n, m))
    comp = compress(p)
    chain = reduction_chain(p, comp)
    assert replay_chain(p, chain) == comp.compressed()
    assert replay_chain(comp.compressed(), invert_chain(p, chain)) == p


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_move_record_preserves_the_function_numerically(data):
    """Independent of the algebra: each intermediate state evaluates to the same enclosures."""
    base = data.draw(irreducible(max_h=3))
    (pa, _), (pb, _) = data.draw(moved(base, 3)), data.draw(moved(base, 3))
    a = TanhParameter.from_network(to_net(*pa))
    b = TanhParameter.from_network(to_net(*pb))
    x = [fmpq(data.draw(st.integers(-9, 9)), 4) for _ in range(a.input_dim)]
    state = a
    ref = _eval(a, x)
    for move in equivalence_chain(a, b):
        from exactnet.tanh.moves import replay

        state = replay(state, move)
        got = _eval(state, x)
        assert all(u.overlaps(v) for u, v in zip(ref, got))
    assert state == b


def _eval(p: TanhParameter, x):
    with working_precision(200):
        from flint import arb

        out = []
        for k in range(p.output_dim):
            acc = p.d[k].enclosure(200)
            for a, b, c in p.units():
                z = c + sum((bi * xi for bi, xi in zip(b, x)), ZERO)
                acc += arb(a[k]) * arb(z).tanh()
            out.append(acc)
        return out


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_realised_network_is_equivalent_and_recompresses_to_itself(data):
    base = data.draw(irreducible(max_h=3))
    (units, d, n, m), _ = data.draw(moved(base))
    units = units + [(tuple(Q(1) for _ in range(m)), tuple(ZERO for _ in range(n)), Q(1, 3))]
    net = to_net(units, d, n, m)
    comp = compress(net)
    real = comp.compressed().realised().to_network()
    x = [Q(1, 3)] * n
    ea, eb = evaluate(net, x, prec=100), evaluate(real, x, prec=100)
    assert all(u.overlaps(v) for u, v in zip(ea.enclosures, eb.enclosures))
    again = compress(real).compressed().realised().to_network()
    assert again == real


def test_parameter_json_round_trip_with_symbolic_bias():
    comp = compress(Network.from_lists("tanh", [([[0, 0], [1, "sqrt(2)"]], ["1/2", 1]), ([[3, 1], [0, 2]], [0, 1])]))
    p = comp.compressed()
    back = TanhParameter.from_json(p.to_json())
    assert back.to_json() == p.to_json()
    assert str(back.d[0]) == "3*tanh(1/2)"


# -- bad input -----------------------------------------------------------------------------------

def test_non_tanh_and_wrong_depth_are_input_errors():
    relu = Network.from_lists("relu", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(NetworkError, match="needs a tanh network"):
        compress(relu)
    deep = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError, match="exactly one hidden layer"):
        rank(deep)
    linear = Network.from_lists("tanh", [([[1]], [0])])
    with pytest.raises(UnsupportedError, match="no hidden layer"):
        reducibility(linear)
    assert issubclass(UnsupportedError, InputError)
