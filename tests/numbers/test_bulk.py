"""The bulk paths of the number JSON reader and writer are optimisations only.

* :func:`exactnet.numbers.numbers_json` (writing a list of numbers; a C-level pass for rationals of
  moderate size) gives ``[number_json(v) for v in values]``, and reading it back
  (:func:`exact_numbers`, after a JSON round trip) gives the same numbers;
* ``exactnet.numbers._plain_bulk`` (reading a list of JSON integers and ``"p"``/``"p/q"``
  strings at once) gives the values the general one-literal parser (:func:`parse_scalar`)
  gives, and refuses (hands to the general path) every other text, so malformed input gets the
  general path's clear error.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import ExactnetError, NumberError
from exactnet.numbers import (
    RealAlgebraic, _plain_bulk, exact_numbers, json_loads_exact, number_json, numbers_json, parse_scalar,
)


def _fmpq(p: int, q: int) -> fmpq:
    return fmpq(p, q)


#: Integers of every size: small, around the 64-bit and bulk (4096-bit) limits, and huge.
integers = st.one_of(
    st.integers(-10, 10),
    st.integers(-(2**70), 2**70),
    st.integers(2**4090, 2**4100).map(lambda n: n if n % 2 else -n),
    st.integers(-(2**6000), 2**6000),
)
rationals = st.builds(_fmpq, integers, st.one_of(st.integers(1, 10**6), st.integers(1, 2**4100)))


@given(st.lists(rationals, max_size=30))
def test_numbers_json_is_number_json_of_each(values):
    assert numbers_json(values) == [number_json(v) for v in values]


@given(st.lists(rationals, max_size=30))
def test_numbers_json_round_trips_through_json(values):
    text = json.dumps(numbers_json(values))
    back = exact_numbers(json_loads_exact(text))
    assert back == values and all(type(b) is fmpq for b in back)
    assert [Fraction(int(b.p), int(b.q)) for b in back] == [Fraction(int(v.p), int(v.q)) for v in values]


@given(st.lists(st.builds(_fmpq, st.integers(-(2**40), 2**40), st.just(1)), min_size=1, max_size=10))
def test_integers_are_written_as_json_integers(values):
    out = numbers_json(values)
    assert all(type(o) is int for o in out) and out == [int(v.p) for v in values]


def test_numbers_json_of_mixed_and_algebraic_values():
    values = exact_numbers(["sqrt(2)", "1/3", "-2*sqrt(2) + 1/5", 7])
    assert isinstance(values[0], RealAlgebraic)
    out = numbers_json(values)
    assert out == ["sqrt(2)", "1/3", "-2*sqrt(2) + 1/5", 7]
    assert exact_numbers(json_loads_exact(json.dumps(out))) == values


def test_numbers_json_of_zero_and_negative_values():
    assert numbers_json([fmpq(0), fmpq(-3, 6), fmpq(-5), fmpq(0, 7)]) == [0, "-1/2", -5, 0]
    assert numbers_json([]) == []


# ---------------------------------------------------------------------------------------------
# reading: _plain_bulk
# ---------------------------------------------------------------------------------------------

plain_texts = st.builds(
    lambda p, q: f"{p}/{q}" if q is not None else str(p),
    st.integers(-(10**18) + 1, 10**18 - 1), st.one_of(st.none(), st.integers(1, 10**18 - 1)),
)


@given(st.lists(st.one_of(st.integers(-(2**80), 2**80), plain_texts), max_size=30))
def test_plain_lists_read_exactly(values):
    expected = [Fraction(v) for v in values]
    bulk = _plain_bulk(values)
    assert bulk is not None
    assert [Fraction(int(b.p), int(b.q)) for b in bulk] == expected
    assert exact_numbers(values) == bulk


def _general(text):
    """The general one-literal parser's answer: a rational, or the type of its error."""
    try:
        value = parse_scalar(text)
    except ExactnetError as exc:
        return type(exc)
    return value if type(value) is fmpq else "not rational"


#: Texts near the plain form: signs, slashes, Unicode digits, spaces, underscores, points.
near_plain = st.text(alphabet="0123456789-/+ ._\u0661\u0662", max_size=8)


@given(st.lists(st.one_of(st.integers(-5, 5), near_plain), min_size=1, max_size=8))
def test_bulk_reading_agrees_with_the_general_parser(values):
    bulk = _plain_bulk(values)
    general = [_general(v) if type(v) is str else fmpq(v) for v in values]
    if bulk is not None:  # accepted: exactly the general parser's values
        assert bulk == general
        for v in values:
            if type(v) is str:
                p, _, q = v.partition("/")
                assert p.lstrip("-").isascii() and p.lstrip("-").isdigit() and (not q or q.isdigit())
    errors = [g for g in general if isinstance(g, type)]
    if errors:  # malformed input: the clear error of the general path, never a value
        with pytest.raises(errors[0]):
            exact_numbers(values)
    elif "not rational" not in general:
        assert exact_numbers(values) == general


@pytest.mark.parametrize("bad", ["1/0", "-1/0", "", "-", "/", "1/", "/2", "1_0", "\u0661\u0662", " 1", "1 ", "1.5",
                                 "+1", "1/-2", "--1", "1-2", "1/2/3", "9" * 39])
def test_texts_outside_the_plain_form_take_the_general_path(bad):
    assert _plain_bulk([1, bad]) is None


@pytest.mark.parametrize("bad, message", [("1/0", "zero denominator"), ("", "empty"), ("1_0", "cannot parse"),
                                          ("\u0661\u0662", "non-ASCII")])
def test_malformed_texts_in_a_list_are_clear_errors(bad, message):
    with pytest.raises(NumberError, match=message):
        exact_numbers([1, "1/2", bad])
