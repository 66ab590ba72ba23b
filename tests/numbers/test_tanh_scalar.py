"""The exact output-bias scalar r_0 + Σ r_q·tanh(q)."""

from __future__ import annotations

import json

import pytest
from flint import arb, fmpq
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.tanh.tanh_strategies import nonzero_rationals, rationals

from exactnet.errors import FormatError
from exactnet.numbers import json_loads_exact, number, working_precision
from exactnet.numbers.tanh_scalar import TanhScalar, scalar_from_json, vector_from_json, vector_to_json

Q = fmpq


def test_sign_folding_and_zero_terms():
    s = TanhScalar.build(Q(1, 2), [(Q(-1, 3), Q(2)), (Q(1, 3), Q(5)), (Q(0), Q(7)), (Q(2), Q(0))])
    assert s.const == Q(1, 2)
    assert s.terms == ((Q(1, 3), Q(3)),)
    assert str(s) == "1/2 + 3*tanh(1/3)"


def test_cancellation_to_a_number():
    s = TanhScalar.tanh_of(Q(1, 2), Q(2)) + TanhScalar.tanh_of(Q(-1, 2), Q(2))
    assert s.is_number and s == 0 and s.is_zero()


def test_equality_is_coefficientwise():
    a = TanhScalar.build(0, [(Q(1), Q(1)), (Q(2), Q(1))])
    b = TanhScalar.build(0, [(Q(2), Q(1)), (Q(1), Q(1))])
    assert a == b and hash(a) == hash(b)
    assert a != TanhScalar.build(0, [(Q(1), Q(1)), (Q(3), Q(1))])
    # tanh(2) = 2 tanh(1)/(1 + tanh(1)^2) is not a rational multiple of tanh(1)
    assert TanhScalar.tanh_of(Q(2)) != TanhScalar.tanh_of(Q(1), Q(2))
    assert TanhScalar.of(Q(1)) != TanhScalar.tanh_of(Q(1))


def test_terms_sorted_ascending():
    s = TanhScalar.build(0, {Q(5): Q(1), Q(1, 7): Q(-1), Q(2): Q(3)})
    assert [q for q, _ in s.terms] == [Q(1, 7), Q(2), Q(5)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(rationals(), rationals()), max_size=5), rationals(),
       st.lists(st.tuples(rationals(), rationals()), max_size=5), rationals())
def test_arithmetic_matches_enclosures(p1, c1, p2, c2):
    s, t = TanhScalar.build(c1, p1), TanhScalar.build(c2, p2)
    with working_precision(200):
        for value, ball in ((s + t, s.enclosure(200) + t.enclosure(200)),
                            (s - t, s.enclosure(200) - t.enclosure(200)),
                            (s.scale(Q(-3, 2)), s.enclosure(200) * arb(Q(-3, 2)))):
            assert value.enclosure(200).overlaps(ball)
    assert (s - t) + t == s
    assert s - s == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(nonzero_rationals(), nonzero_rationals()), min_size=1, max_size=4), rationals())
def test_enclosure_is_rigorous_and_tight(pairs, const):
    s = TanhScalar.build(const, pairs)
    ball = s.enclosure(128)
    with working_precision(300):
        ref = arb(const)
        for q, c in pairs:
            ref += arb(c) * arb(q).tanh()
    assert ball.overlaps(ref)
    assert ball.rad() < arb(2) ** -100 * (1 + abs(ball.mid()))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(rationals(), rationals()), max_size=5), rationals())
def test_json_round_trip(pairs, const):
    s = TanhScalar.build(const, pairs)
    text = json.dumps(s.to_json())
    assert scalar_from_json(json_loads_exact(text)) == s
    assert vector_from_json(json_loads_exact(json.dumps(vector_to_json((s, s)))), 2) == (s, s)


def test_json_reading_accepts_numbers_and_unnormalised_pairs():
    assert scalar_from_json("1/3") == TanhScalar.of(Q(1, 3))
    assert scalar_from_json(2) == TanhScalar.of(Q(2))
    s = scalar_from_json({"const": "0.5", "tanh": [["-1/2", 1], ["1/2", 3], [0, 9]]})
    assert s == TanhScalar.build(Q(1, 2), [(Q(1, 2), Q(2))])


@pytest.mark.parametrize("bad", [
    {"const": 1, "tanh": [[1]]}, {"const": 1, "tanh": "x"}, {"konst": 1}, [1], {"const": "nan"},
    {"const": 1, "tanh": [["pi", 1]]},
])
def test_json_errors_are_format_errors(bad):
    with pytest.raises(FormatError):
        scalar_from_json(bad)


def test_vector_length_checked():
    with pytest.raises(FormatError, match="expected 2"):
        vector_from_json([1], 2)


def test_algebraic_arguments():
    r2 = number("sqrt(2)")
    s = TanhScalar.build(Q(1), [(-r2, Q(1)), (r2, Q(3))])
    assert s.terms == ((r2, Q(2)),)
    assert str(s) == "1 + 2*tanh(sqrt(2))"
    with working_precision(100):
        assert s.enclosure(100).overlaps(1 + 2 * arb(2).sqrt().tanh())
    mixed = TanhScalar.build(0, [(r2, Q(1)), (Q(1), Q(1)), (Q(2), Q(1))])
    assert [str(q) for q, _ in mixed.terms] == ["1", "sqrt(2)", "2"]


def test_number_of_transcendental_scalar_is_an_error():
    from exactnet.errors import InputError

    assert TanhScalar.of(Q(3)).number() == 3
    with pytest.raises(InputError, match="transcendental"):
        TanhScalar.tanh_of(Q(1)).number()
