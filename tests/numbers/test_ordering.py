"""`numbers/ordering.py`: the float-first sort key realises the exact lexicographic order."""

from __future__ import annotations

from fractions import Fraction

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.numbers import exact_numbers
from exactnet.numbers.ordering import order_key, sort_exact

# rationals that collide in float64: p/q and p/q ± 1/2^k with k beyond the 53-bit mantissa
_near = st.tuples(st.integers(-5, 5), st.integers(1, 7), st.integers(0, 2), st.integers(60, 80)).map(
    lambda t: fmpq(t[0], t[1]) + fmpq(t[2] - 1, 2 ** t[3]))
_huge = st.integers(-3, 3).map(lambda s: fmpq(s * 10 ** 400 + 1, 3))  # overflows float64
_rat = st.one_of(_near, _huge, st.fractions(max_denominator=50).map(lambda f: fmpq(f.numerator, f.denominator)))


def _frac(v):
    return Fraction(int(v.p), int(v.q))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_rat, min_size=2, max_size=2), min_size=1, max_size=12))
def test_rational_keys_sort_like_exact_fractions(vectors):
    got = sorted(vectors, key=order_key)
    want = sorted(vectors, key=lambda v: [_frac(x) for x in v])
    assert [[_frac(x) for x in v] for v in got] == [[_frac(x) for x in v] for v in want]


@settings(max_examples=100, deadline=None)
@given(_rat, _rat)
def test_a_key_is_equal_exactly_when_the_numbers_are(a, b):
    assert (order_key([a]) == order_key([b])) == (a == b)
    assert (order_key([a]) < order_key([b])) == (a < b)


def test_algebraic_entries_compare_by_exact_sign():
    # sqrt(2) vs 1414213562373095/10^15 ... the rational is below sqrt(2); 99/70 is above it
    r2, below, above = exact_numbers(["sqrt(2)", "1414213562373095/1000000000000000", "99/70"])
    items = [("above", [above]), ("r2", [r2]), ("below", [below])]
    assert [name for name, _ in sort_exact(items, key=lambda it: it[1])] == ["below", "r2", "above"]


def test_sort_exact_separates_numbers_that_are_equal_as_floats():
    x = fmpq(1, 3)
    eps = fmpq(1, 2 ** 70)
    items = [x + eps, x - eps, x]
    assert len({int(v.p) / int(v.q) for v in items}) == 1  # one float for all three
    assert sort_exact(items, key=lambda v: [v]) == [x - eps, x, x + eps]
