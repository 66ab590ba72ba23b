"""The checkers' batched exact forward pass agrees with the point-by-point one."""

from hypothesis import given, settings, strategies as st
from flint import fmpq

from exactnet.check.relu import evaluate, evaluate_many

rat = st.builds(fmpq, st.integers(-20, 20), st.integers(1, 9))


@st.composite
def network_and_points(draw):
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    layers = [([[draw(rat) for _ in range(n)] for _ in range(m)], [draw(rat) for _ in range(m)])
              for n, m in zip(widths, widths[1:])]
    points = draw(st.lists(st.lists(rat, min_size=widths[0], max_size=widths[0]), min_size=1, max_size=12))
    return layers, points


@settings(max_examples=60, deadline=None)
@given(network_and_points(), st.integers(1, 5))
def test_batched_pass_is_the_pointwise_pass(case, chunk):
    layers, points = case
    got = list(evaluate_many(layers, points, chunk=chunk))
    assert [tuple(x) for x, _ in got] == [tuple(p) for p in points]
    assert [y for _, y in got] == [evaluate(layers, p) for p in points]


def test_hidden_units_are_rectified_and_the_output_is_not():
    # h = relu(x - 1), y = -h - 1: at x = 0 the unit is off (y = -1), at x = 3 on (y = -3).
    layers = [([[fmpq(1)]], [fmpq(-1)]), ([[fmpq(-1)]], [fmpq(-1)])]
    assert [y for _, y in evaluate_many(layers, [[fmpq(0)], [fmpq(3)]])] == [[fmpq(-1)], [fmpq(-3)]]
