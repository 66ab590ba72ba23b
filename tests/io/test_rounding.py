"""Correct rounding of exact rationals and algebraic numbers to float16/32/64."""

from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import NumberError
from exactnet.io.rounding import FLOAT_FORMATS, RoundingTally, float_format, round_number, round_rational
from exactnet.numbers import exact_numbers, number

F16, F32, F64 = (FLOAT_FORMATS[n] for n in ("float16", "float32", "float64"))


def q(text) -> fmpq:
    return number(text)


def as_fmpq(x) -> fmpq:
    p, d = float(x).as_integer_ratio()
    return fmpq(p, d)


def ulp_neighbours(value: float, dtype):
    v = getattr(np, dtype)(value)
    return (np.nextafter(v, getattr(np, dtype)(-np.inf)), np.nextafter(v, getattr(np, dtype)(np.inf)))


def check_nearest(x: fmpq, fmt):
    """The result is representable, no neighbour is closer, and ties go to an even significand."""
    res = round_rational(x, fmt)
    assert res is not None
    as_float, value = res
    stored = getattr(np, fmt.name)(as_float)
    assert as_fmpq(stored) == value == as_fmpq(as_float)  # representable in the format, float exact
    err = abs(x - value)
    for nb in ulp_neighbours(as_float, fmt.name):
        if np.isfinite(nb):
            other = abs(x - as_fmpq(nb))
            assert err <= other
            if err == other and value != as_fmpq(nb):  # a tie: the even significand wins
                bits = stored.view({"float16": np.uint16, "float32": np.uint32, "float64": np.uint64}[fmt.name])
                assert int(bits) % 2 == 0
    return value


@given(st.integers(-10**30, 10**30), st.integers(1, 10**30))
def test_float64_rounding_matches_correctly_rounded_int_division(p, d):
    # CPython's int / int is correctly rounded (ties to even): an independent oracle
    x = fmpq(p, d)
    as_float, value = round_rational(x, F64)
    assert as_float == p / d
    assert value == as_fmpq(p / d)


@given(st.integers(-10**12, 10**12), st.integers(1, 10**12), st.sampled_from(["float16", "float32", "float64"]))
def test_result_is_the_nearest_representable_value(p, d, dtype):
    fmt = FLOAT_FORMATS[dtype]
    x = fmpq(p, d)
    if abs(x) > fmt.max_finite:
        assert round_rational(x, fmt) is None or abs(round_rational(x, fmt)[1]) <= fmt.max_finite
        return
    check_nearest(x, fmt)


@given(st.integers(1, 2**40), st.integers(-170, 20), st.sampled_from(["float16", "float32"]))
def test_tiny_and_subnormal_values_round_to_nearest(m, e, dtype):
    fmt = FLOAT_FORMATS[dtype]
    x = fmpq(m) * fmpq(2) ** e
    if x <= fmt.max_finite:
        check_nearest(x, fmt)


def test_known_values():
    assert round_rational(q("1/10"), F32)[1] == fmpq(13421773, 134217728)
    assert round_rational(q("1/10"), F64)[1] == fmpq(3602879701896397, 36028797018963968)
    assert round_rational(q("1/3"), F16)[1] == fmpq(1365, 4096)
    # ties to even: 1 + 2^-24 lies halfway between 1 and 1 + 2^-23 in float32
    assert round_rational(1 + fmpq(1, 2**24), F32)[1] == 1
    assert round_rational(1 + fmpq(3, 2**24), F32)[1] == 1 + fmpq(1, 2**22)
    # subnormals: 2^-149 is the least positive float32; 2^-150 is a tie with 0 (even)
    assert round_rational(fmpq(1, 2**149), F32)[1] == fmpq(1, 2**149)
    assert round_rational(fmpq(1, 2**150), F32)[1] == 0
    assert round_rational(fmpq(3, 2**151), F32)[1] == fmpq(1, 2**149)
    assert round_rational(-fmpq(1, 2**150), F32)[0] == 0.0
    # float16 range: 65504 is the largest finite value; 65520 is the tie with "infinity"
    assert round_rational(fmpq(65519), F16)[1] == 65504
    assert round_rational(fmpq(65520), F16) is None
    assert round_rational(fmpq(-70000), F16) is None
    assert round_rational(F32.max_finite, F32)[1] == F32.max_finite


def test_huge_numerator_and_denominator_are_rounded_exactly():
    # float(p) would overflow: p/q must not go through a Python float of the numerator
    p, d = 10**400 + 1, 10**400
    assert round_rational(fmpq(p, d), F64) == (1.0, fmpq(1))
    x = fmpq(10**400 + 10**384, 10**400)  # 1 + 1e-16 → rounds to 1 (half-ulp is 1.1e-16)
    assert round_rational(x, F64)[1] == 1
    x = fmpq(3 * 10**500 + 1, 10**500)
    assert round_rational(x, F64)[0] == 3.0


def test_algebraic_rounding():
    r2 = number("sqrt(2)")
    assert round_number(r2, F64)[1] == fmpq(6369051672525773, 4503599627370496)
    assert round_number(r2, F32)[1] == fmpq(11863283, 8388608)
    assert round_number(r2, F16)[1] == fmpq(181, 128)
    assert round_number(-r2, F32)[1] == -fmpq(11863283, 8388608)


@pytest.mark.parametrize("text", ["CRootOf(x**3 - 2, 0)", "sqrt(3)/1000", "1 + sqrt(2)/2**30", "-sqrt(5)*2**100"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_algebraic_result_is_within_half_an_ulp(text, dtype):
    fmt = FLOAT_FORMATS[dtype]
    x = number(text)
    res = round_number(x, fmt)
    if res is None:
        assert abs(x) > fmt.max_finite
        return
    as_float, value = res
    for nb in ulp_neighbours(as_float, dtype):
        if np.isfinite(nb):
            # exact comparison of irrational x against the midpoints to both neighbours
            mid = (value + as_fmpq(nb)) / 2
            assert (x < mid) if as_fmpq(nb) > value else (x > mid)


def test_tally_reports_count_and_exact_largest_error():
    tally = RoundingTally(float_format("float32"))
    arr = tally.array([[q("1/3"), q("1/2")], [q("1/10"), q("3")]], "W")
    assert arr.dtype == np.float32
    assert tally.total == 4 and tally.rounded == 2
    e3 = abs(q("1/3") - as_fmpq(np.float32(1 / 3)))
    e10 = abs(q("1/10") - fmpq(13421773, 134217728))
    assert tally.report_fields()["max_abs_error"] == str(max(e3, e10))
    assert [ex[0] for ex in tally.examples] == ["W[0, 0]", "W[1, 0]"]
    assert tally.examples[1][1:] == ("1/10", "13421773/134217728")


def test_tally_with_algebraic_error():
    tally = RoundingTally(float_format("float64"))
    tally.array([q("1/4"), number("sqrt(2)")], "b")
    fields = tally.report_fields()
    assert fields["rounded"] == 1
    err, r2 = exact_numbers([fields["max_abs_error"], "sqrt(2)"])  # one common field
    assert err == abs(r2 - fmpq(6369051672525773, 4503599627370496))


def test_overflow_is_an_error_naming_the_entry():
    tally = RoundingTally(float_format("float16"))
    with pytest.raises(NumberError, match=r"W\[0, 1\].*float16 range"):
        tally.array([[q(1), q(10**6)]], "W")


def test_unknown_dtype():
    with pytest.raises(NumberError, match="unsupported dtype"):
        float_format("int8")


def test_round_rational_agrees_with_fraction_float():
    for text in ["1/7", "-22/7", "123456789/1000", "1/1000000000000"]:
        x = q(text)
        f = Fraction(text)
        assert round_rational(x, F64)[0] == float(f)


mixed_values = st.one_of(
    st.builds(lambda p, q: fmpq(p, q), st.integers(-10**20, 10**20), st.integers(1, 10**20)),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(as_fmpq),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(as_fmpq),
    st.floats(allow_nan=False, allow_infinity=False, width=16).map(as_fmpq),
)


@given(st.lists(mixed_values, min_size=1, max_size=12), st.sampled_from(["float16", "float32", "float64"]))
def test_tally_array_fast_path_agrees_with_exact_rounding(values, dtype):
    fmt = FLOAT_FORMATS[dtype]
    expected = [round_rational(v, fmt) for v in values]
    tally = RoundingTally(fmt)
    if any(e is None for e in expected):
        with pytest.raises(NumberError, match="outside the"):
            tally.array(values, "b")
        return
    arr = tally.array(values, "b")
    assert arr.dtype == np.dtype(dtype)
    assert [as_fmpq(v) for v in arr.tolist()] == [e[1] for e in expected]
    assert tally.total == len(values)
    assert tally.rounded == sum(e[1] != v for e, v in zip(expected, values))
