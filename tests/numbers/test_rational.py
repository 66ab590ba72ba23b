from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import NumberError
from exactnet.numbers import format_number, from_float, number, number_json, parse_rational, to_rational


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", fmpq(3)), ("-7", fmpq(-7)), ("+5", fmpq(5)), ("-7/12", fmpq(-7, 12)), ("6/4", fmpq(3, 2)),
        ("0.1", fmpq(1, 10)), ("-0.125", fmpq(-1, 8)), (".5", fmpq(1, 2)), ("5.", fmpq(5)),
        ("1e-3", fmpq(1, 1000)), ("-2.5E+2", fmpq(-250)), ("  42  ", fmpq(42)), ("0", fmpq(0)),
        ("1.23456789012345678901234567890", fmpq(123456789012345678901234567890, 10**29)),
    ],
)
def test_parse_exact_literals(text, value):
    assert parse_rational(text) == value
    assert number(text) == value


def test_float32_point_one_is_its_dyadic_value():
    assert from_float(np.float32(0.1)) == fmpq(13421773, 134217728)
    assert from_float(0.1) == fmpq(3602879701896397, 36028797018963968)
    assert from_float(np.float16(0.1)) == fmpq(1638, 16384)
    assert to_rational(np.float64(0.5)) == fmpq(1, 2)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float32("nan"), np.float16("inf")])
def test_nonfinite_floats_are_errors(bad):
    with pytest.raises(NumberError, match="finite"):
        from_float(bad)


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-Infinity", "1/0", "1e999999", "", "1.2.3", "abc", "0x10"])
def test_bad_strings_are_errors(bad):
    with pytest.raises(NumberError):
        number(bad)


@pytest.mark.parametrize("bad", [True, None, [1], {"a": 1}, 1 + 2j])
def test_non_numbers_are_errors(bad):
    with pytest.raises(NumberError):
        number(bad)


@given(st.fractions())
def test_format_parse_round_trip(q):
    x = fmpq(q.numerator, q.denominator)
    assert number(format_number(x)) == x
    j = number_json(x)
    assert isinstance(j, int) if q.denominator == 1 else isinstance(j, str)
    assert number(j) == x


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float64_conversion_is_exact(x):
    q = from_float(x)
    assert Fraction(int(q.p), int(q.q)) == Fraction(x)
    assert int(q.q) & (int(q.q) - 1) == 0  # dyadic


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_float32_conversion_is_exact(x):
    q = from_float(np.float32(x))
    assert Fraction(int(q.p), int(q.q)) == Fraction(float(np.float32(x)))


@given(st.integers(min_value=-(10**30), max_value=10**30), st.integers(min_value=-40, max_value=40))
def test_scientific_literals(mantissa, exponent):
    text = f"{mantissa}e{exponent}"
    expected = Fraction(mantissa) * Fraction(10) ** exponent
    q = number(text)
    assert Fraction(int(q.p), int(q.q)) == expected
