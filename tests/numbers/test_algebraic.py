import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import FieldMismatchError, NumberError
from exactnet.numbers import RealAlgebraic, exact_numbers, format_number, number, sign, unify_fields
from exactnet.numbers.algebraic import embed


def test_sqrt2_arithmetic_is_exact():
    r = number("sqrt(2)/2")
    assert isinstance(r, RealAlgebraic)
    assert r * r == fmpq(1, 2) and isinstance(r * r, fmpq)
    assert 1 / r == 2 * r
    assert r - r == 0 and isinstance(r - r, fmpq)
    assert (r + 1) ** 2 == fmpq(3, 2) + 2 * r
    assert r ** -2 == 2
    assert format_number(r) == "sqrt(2)/2"


def test_rational_valued_expressions_become_fmpq():
    assert number("sqrt(4)") == 2 and isinstance(number("sqrt(4)"), fmpq)
    assert number("(sqrt(2)+sqrt(3))**2 - 2*sqrt(6)") == 5
    assert number("real_root(-8, 3)") == -2


def test_cube_root_and_order():
    a, b = exact_numbers(["CRootOf(x**3 - 2, 0)", "sqrt(2)"])
    assert a ** 3 == 2
    assert b ** 2 == 2
    # 2^(1/3) ≈ 1.2599 < sqrt(2) ≈ 1.4142
    assert a < b and b > a and a != b
    assert sign(a - b) == -1
    assert fmpq(5, 4) < a < fmpq(127, 100)
    assert sorted([b, fmpq(1), a, fmpq(3, 2)]) == [fmpq(1), a, b, fmpq(3, 2)]


def test_sign_of_tiny_difference():
    # sqrt(2) - 665857/470832 ≈ -1.6e-12: decided exactly by refining enclosures
    r = number("sqrt(2)")
    assert sign(r - fmpq(665857, 470832)) == -1
    assert sign(r - fmpq(665857, 470832) + fmpq(1, 10**11)) == 1


def test_different_fields_must_be_unified():
    a = number("sqrt(2)")
    b = number("sqrt(3)")
    with pytest.raises(FieldMismatchError):
        _ = a + b
    common, images = unify_fields([a.field, b.field])
    a2, b2 = embed(a, common, images[0]), embed(b, common, images[1])
    assert a2 * a2 == 2 and b2 * b2 == 3
    assert (a2 * b2) ** 2 == 6
    assert a2 < b2


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("sqrt(-2)", "not real"), ("CRootOf(x**2 + 1, 0)", "not real"), ("(-2)**(1/3)", "not real"),
        ("pi", "not algebraic"), ("2**sqrt(2)", "not algebraic"), ("exp(1)", "not algebraic"),
        ("I", "not real"), ("x + 1", "free symbols"), ("sqrt(2", "cannot parse"), ("__import__('os')", "cannot parse"),
        ("sqrt(2).func", "cannot parse"), ("foo(2)", "unknown name"), ("oo", "not finite"), ("zoo", "not finite"),
    ],
)
def test_bad_algebraic_input(bad, fragment):
    with pytest.raises(NumberError, match=fragment.replace("(", r"\(")):
        number(bad)


small = st.fractions(min_value=-50, max_value=50, max_denominator=50)


@given(small, small, small, small)
def test_quadratic_field_matches_closed_form(a, b, c, d):
    """(a + b√2)(c + d√2) = (ac + 2bd) + (ad + bc)√2, and the sign agrees with the closed form."""
    s = number("sqrt(2)")
    q = lambda f: fmpq(f.numerator, f.denominator)  # noqa: E731
    x = q(a) + q(b) * s
    y = q(c) + q(d) * s
    prod = x * y
    expected = (q(a) * q(c) + 2 * q(b) * q(d)) + (q(a) * q(d) + q(b) * q(c)) * s
    assert prod == expected
    # sign(a + b√2): compare a^2 with 2 b^2 exactly
    sgn = lambda v: (v > 0) - (v < 0)  # noqa: E731
    if b == 0:
        want = sgn(a)
    elif a == 0 or sgn(a) == sgn(b):
        want = sgn(b)
    else:
        want = sgn(b) if 2 * b * b > a * a else sgn(a)
    assert sign(x) == want
    if y != 0:
        assert (x / y) * y == x
