"""The number budget (docs/numbers.md): hostile strings are refused by the limit that bounds them,
values within the budget are exact, and the field-degree bound of the parser is a true bound."""

from fractions import Fraction

import pytest
import sympy
from flint import arb, fmpq
from hypothesis import example, given
from hypothesis import strategies as st

from exactnet.errors import NumberError
from exactnet.numbers import (
    BUDGET, NumberBudget, NumberLimitError, RealAlgebraic, enclosure, exact_numbers, format_number, number,
    number_json, parse_expression,
)
from exactnet.numbers.syntax import degree_bound

PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]

HOSTILE = [
    ("10**10**10", "size of the power"),
    ("2**2**2**2**2**2", "bits"),
    ("root(2, 10**9)", "root index"),
    ("CRootOf(x**5000 - 2, 0)", "degree of the polynomial"),
    ("sqrt(" * 50 + "2" + ")" * 50, "degree bound of the number field"),
    ("+".join(f"sqrt({p})" for p in PRIMES), "degree bound"),
    ("sqrt(2)**(10**9)", "exponent"),
    ("2**(-10**9)", "size of the power"),
    ("1e100001", "decimal exponent"),
    ("1e" + "9" * 40, "decimal exponent"),
    ("(" * 200 + "1" + ")" * 200, "nesting depth"),
    ("9" * 100_001, "number of digits"),
    ("1" * 250_001, "length"),
    ("sqrt(" + "7" * 1200 + ")", "data of a radical"),
    ("CRootOf(x**3 - " + "7" * 1200 + ", 0)", "data of a CRootOf"),
    ("(1 + sqrt(2))**1001", "exponent"),
]


@pytest.mark.parametrize("text, limit", HOSTILE, ids=[h[1] + str(i) for i, h in enumerate(HOSTILE)])
def test_hostile_numbers_are_refused_by_the_limit_that_bounds_them(text, limit):
    with pytest.raises(NumberLimitError, match=limit) as info:
        number(text)
    assert "docs/numbers.md" in str(info.value) and "over the limit" in str(info.value)
    assert len(str(info.value)) < 400  # the text is shown cut, never in full


def test_the_limits_are_those_documented():
    b = BUDGET
    assert (b.max_field_degree, b.max_generators, b.max_polynomial_degree, b.max_power_exponent) == (64, 6, 64, 1000)
    assert (b.max_digits, b.max_decimal_exponent, b.max_depth) == (100_000, 100_000, 100)
    assert b.max_integer_bits >= b.max_digits * 3.3219  # 100,000 digits fit


def test_values_just_within_the_budget_are_exact():
    assert number("2**332000") == fmpq(2) ** 332000
    assert number("(1/2)**1000") == fmpq(1, 2**1000)
    assert number("1e100000") == fmpq(10) ** 100000 and number("1e-100000") == fmpq(1, 10**100000)
    r = number("root(3, 64)")
    assert isinstance(r, RealAlgebraic) and r.field.degree == 64 and r**64 == 3
    s = number("+".join(f"sqrt({p})" for p in PRIMES[:6]))
    assert isinstance(s, RealAlgebraic) and s.field.degree == 64
    t = number("(1 + sqrt(2))**1000")
    assert t == number("1 + sqrt(2)") ** 1000


def test_trivial_powers_of_huge_exponents_are_exact():
    assert number("1**(10**100)") == 1 and number("(-1)**(10**100 + 1)") == -1 and number("0**(10**100)") == 0
    assert number("root(2**200, 200)") == 2 and number("sqrt(4)/2") == 1


def test_a_smaller_budget_is_honoured():
    small = NumberBudget(max_field_degree=4)
    assert number("sqrt(2) + sqrt(3)", small).field.degree == 4
    with pytest.raises(NumberLimitError, match="degree bound"):
        number("sqrt(2) + sqrt(3) + sqrt(5)", small)
    with pytest.raises(NumberLimitError, match="degree bound of their common number field"):
        exact_numbers(["sqrt(2)", "sqrt(3)", "sqrt(5)"], small)


def test_generator_limit_counts_numbers_read_together():
    with pytest.raises(NumberLimitError, match="degree bound of their common number field is 128"):
        exact_numbers([f"sqrt({p})" for p in PRIMES[:7]])
    with pytest.raises(NumberLimitError, match="field generators"):  # (redundant with degree ≤ 64 = 2^6)
        exact_numbers([f"sqrt({p})" for p in PRIMES[:7]], NumberBudget(max_field_degree=256))
    values = exact_numbers([f"sqrt({p})" for p in PRIMES[:6]])
    assert all(v * v == p for v, p in zip(values, PRIMES))


@pytest.mark.parametrize("digits", [4301, 5000, 20000])
def test_integers_beyond_pythons_string_limit(digits):
    n = int("9" * 1000) * 0  # keep Python ints out of the conversion under test
    big = number("9" * digits)
    assert big + 1 == fmpq(10) ** digits
    frac = number(f"1/{'7' * digits}")
    assert frac * number("7" * digits) == 1
    assert format_number(big) == "9" * digits
    j = number_json(big)
    assert isinstance(j, str) and number(j) == big  # too long for json: written as digits
    assert number_json(fmpq(10) ** 100) == 10**100  # short ones stay JSON integers
    assert n == 0


@pytest.mark.parametrize("text", ["١٢", "１２", "1/２", "0.５", "1e٣", "sqrt(２)", "\u00a012"])
def test_non_ascii_digits_are_refused(text):
    with pytest.raises(NumberError, match="non-ASCII"):
        number(text)


@pytest.mark.parametrize("text, why", [("pi", "transcendental"), ("E", "transcendental"), ("exp(1)", "transcendental"),
                                       ("2*pi", "transcendental"), ("log(2)", "transcendental"),
                                       ("2**sqrt(2)", "not algebraic")])
def test_transcendental_constants_are_refused_with_the_reason(text, why):
    with pytest.raises(NumberError, match=why):
        number(text)


# ---------------------------------------------------------------------------------------------
# the parser's arithmetic agrees with an independent oracle
# ---------------------------------------------------------------------------------------------

small_fractions = st.fractions(min_value=-20, max_value=20, max_denominator=12)


def _lit(f: Fraction) -> str:
    return f"({f.numerator}/{f.denominator})"


@st.composite
def rational_expressions(draw, depth=3):
    """(text, exact value) of random rational expressions with + - * / and small powers."""
    if depth == 0 or draw(st.booleans()):
        f = draw(small_fractions)
        return _lit(f), f
    a, va = draw(rational_expressions(depth=depth - 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", "**"]))
    if op == "**":
        n = draw(st.integers(-3, 3))
        if va == 0 and n < 0:
            n = -n
        return f"({a})**{n}" if n >= 0 else f"({a})**({n})", va**n
    b, vb = draw(rational_expressions(depth=depth - 1))
    if op == "/" and vb == 0:
        op = "*"
    value = va + vb if op == "+" else va - vb if op == "-" else va * vb if op == "*" else va / vb
    return f"({a}) {op} ({b})", value


@given(rational_expressions())
def test_rational_arithmetic_matches_fractions(expr):
    text, value = expr
    assert number(text) == fmpq(value.numerator, value.denominator)


RADICALS = ["sqrt(2)", "sqrt(3)", "cbrt(2)", "root(5, 4)", "real_root(-3, 3)", "CRootOf(x**3 - x - 1, 0)",
            "sqrt(2 + sqrt(3))", "2**(2/3)", "sqrt(1 + sqrt(2))", "real_root(1 - sqrt(3), 3)",
            "CRootOf(x**4 - 10*x**2 + 1, 3)", "sqrt(CRootOf(x**3 - x - 1, 0))", "CRootOf((x**2 - 2)**2*(x - 3), 1)"]


@st.composite
def algebraic_expressions(draw, depth=2):
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(RADICALS))
        return _lit(draw(small_fractions))
    a = draw(algebraic_expressions(depth=depth - 1))
    b = draw(algebraic_expressions(depth=depth - 1))
    op = draw(st.sampled_from(["+", "-", "*"]))
    if draw(st.booleans()):
        return f"({a}) {op} ({b})"
    return f"({a})**{draw(st.integers(0, 4))}"


@given(algebraic_expressions())
@example("(cbrt(2)) + ((sqrt(1 + sqrt(2))) + (real_root(1 - sqrt(3), 3)))")  # bound 72 > 64: refused
def test_algebraic_values_match_sympy_and_respect_the_degree_bound(text):
    """The exact value lies in SymPy's high-precision evaluation of the same text, and the field
    it lives in has degree at most the parser's bound (the tower law, docs/numbers.md). A text
    whose bound exceeds the field-degree budget is refused, and only then."""
    node = parse_expression(text, NumberBudget(max_field_degree=10**6))
    if hasattr(node, "atoms") and degree_bound(node.atoms) > BUDGET.max_field_degree:
        with pytest.raises(NumberLimitError, match="degree bound"):
            number(text)
        return
    value = number(text)
    oracle = sympy.sympify(text.replace("CRootOf", "CRootOf"), locals={"x": sympy.Symbol("x")})
    approx = sympy.N(oracle, 60)
    assert abs(sympy.im(approx)) < sympy.Float("1e-50")
    ball = enclosure(value, 200)
    mid = arb(str(sympy.re(approx)))
    assert ball.overlaps(mid + arb(0, 1e-45))
    node = parse_expression(text)
    if isinstance(value, RealAlgebraic):
        assert value.field.degree <= degree_bound(node.atoms)
        assert number(str(value)) == value  # the written form reads back to the same number


def _oracle_check(text, value):
    oracle = sympy.sympify(text, locals={"x": sympy.Symbol("x")})
    approx = sympy.N(oracle, 60)
    assert abs(sympy.im(approx)) < sympy.Float("1e-50")
    assert enclosure(value, 200).overlaps(arb(str(sympy.re(approx))) + arb(0, 1e-45))


@given(st.lists(algebraic_expressions(), min_size=2, max_size=4))
def test_numbers_read_together_share_one_field_and_keep_their_values(texts):
    try:
        values = exact_numbers(texts)
    except NumberLimitError:
        return  # several atoms together may exceed the degree budget; refused, never wrong
    fields = {v.field for v in values if isinstance(v, RealAlgebraic)}
    assert len(fields) <= 1
    for text, value in zip(texts, values):
        _oracle_check(text, value)
    a, b = values[0], values[1]  # arithmetic across the entries is defined and agrees with the balls
    assert enclosure(a * b, 200).overlaps(enclosure(a, 200) * enclosure(b, 200))
    assert (a - b) + b == a


def test_display_of_parsed_values_reads_back():
    for text in ["sqrt(2)/2", "-sqrt(2)/3", "1 + sqrt(2)/1073741824", "CRootOf(x**3 - 2, 0)", "real_root(-3, 3)",
                 "(1 + sqrt(2))**(-3)", "root(5, 4)*2**(2/3)"]:
        v = number(text)
        assert number(format_number(v)) == v
    assert format_number(number("sqrt(2)/2")) == "sqrt(2)/2"


def test_many_entries_in_one_field_cost_one_field():
    texts = [f"{i} + sqrt(2)/{i + 1}" for i in range(300)]
    values = exact_numbers(texts)
    assert len({v.field for v in values}) == 1
    assert all(v - i == number("sqrt(2)") / (i + 1) for i, v in enumerate(values))
