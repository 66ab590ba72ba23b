"""Finite domains, unions, the --box/--domain spec reader, and exact emptiness/boundedness."""

import itertools
import math

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import InputError
from exactnet.network.domain import Box, Polyhedron
from exactnet.polyhedra.domains import (
    feasible_point, is_bounded, is_empty, recession_direction, require_nonempty_bounded,
)
from exactnet.network.domain_spec import domain_from_json, parse_box_option, read_domain_spec
from exactnet.network.domain_union import PolyhedronUnion
from exactnet.network.finite_domain import FiniteDomain

# ---------------------------------------------------------------------------------------------
# finite domains
# ---------------------------------------------------------------------------------------------


def test_binary_cube_size_is_exact_and_enumeration_is_lexicographic():
    assert FiniteDomain.cube([0, 1], 784).size == 2 ** 784
    d = FiniteDomain.cube([1, 0, 1], 3)
    pts = list(d.points())
    assert pts == sorted(pts) and len(pts) == d.size == 8 and len(set(pts)) == 8
    assert pts[1] == (0, 0, 1)  # the last coordinate varies fastest
    assert all(d.contains(p) for p in pts) and not d.contains((0, 0, fmpq(1, 2)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.fractions(-5, 5, max_denominator=6), min_size=0, max_size=3), min_size=1, max_size=4))
def test_product_domains(sets):
    d = FiniteDomain.product(sets)
    expected = set(itertools.product(*[sorted({fmpq(f.numerator, f.denominator) for f in s}) for s in sets]))
    assert d.size == len(expected) and set(d.points()) == expected
    assert is_empty(d) == (len(expected) == 0) and is_bounded(d)
    if expected:
        lo, hi = d.hull_bounds()
        assert all(all(a <= v <= b for a, v, b in zip(lo, p, hi)) for p in expected)
        assert feasible_point(d) in expected


def test_restrict_and_describe():
    d = FiniteDomain.cube([0, 1], 3)
    r = d.restrict(1, [1])
    assert r.size == 4 and all(p[1] == 1 for p in r.points())
    assert d.describe() == "{0, 1}^3" and "4 points" in r.describe()
    assert d.to_obj() == {"finite": [0, 1], "dim": 3}


# ---------------------------------------------------------------------------------------------
# the spec reader
# ---------------------------------------------------------------------------------------------


def test_box_option_is_exact():
    b = parse_box_option("-1/2,0.1", 3)
    assert b.lower == (fmpq(-1, 2),) * 3 and b.upper == (fmpq(1, 10),) * 3
    point = parse_box_option("1/2,0.5", 2)  # LO = HI: one point, a polyhedron without interior
    assert not isinstance(point, Box) and point.contains([fmpq(1, 2)] * 2)
    assert not point.contains([fmpq(1, 2), fmpq(1, 2) + fmpq(1, 10 ** 9)])
    for bad, match in [("1,0", "must not exceed"), ("0", "LO,HI"), ("0,1,2", "LO,HI"),
                       ("a,1", "LO"), ("0,sqrt(2)", "rational")]:
        with pytest.raises(InputError, match=match):
            parse_box_option(bad, 2)
    with pytest.raises(InputError, match="number of inputs"):
        parse_box_option("0,1", None)


def test_json_forms():
    assert domain_from_json({"lower": 0, "upper": "1/2"}, dim=2).upper == (fmpq(1, 2),) * 2
    assert domain_from_json({"lower": [0, 0], "upper": [1, 1], "format": "exactnet.domain/1"}).dim == 2
    assert domain_from_json({"finite": [0, 1]}, dim=4).size == 16
    assert domain_from_json({"finite": [0, 1], "dim": 3}).size == 8
    assert domain_from_json({"finite": [[0, 1], [0, "1/2", 1]]}).size == 6
    u = domain_from_json({"union": [{"lower": [0], "upper": [1]}, {"A": [[1]], "b": [5]}]})
    assert isinstance(u, PolyhedronUnion) and u.contains((fmpq(3),))
    for obj, match in [
        ({"finite": [0, 1]}, "number of inputs"),
        ({"finite": [[0], 1]}, "mixes"),
        ({"finite": [0, 1], "dim": 0}, "positive integer"),
        ({"finite": [[0], [1]], "dim": 3}, "'dim' is 3"),
        ({"union": []}, "non-empty"),
        ({"union": [{"finite": [0]}]}, "boxes or polyhedra"),
        ({"lower": [0], "upper": [1], "finite": [0]}, "one kind"),
        ({"lower": [0], "upper": [1], "extra": 1}, "unknown keys"),
        ({"lower": [0], "upper": [1], "format": "other/1"}, "unknown format"),
        ({"lower": [0, 0], "upper": [1, 1], "dim": 3}, "'dim' is 3"),
        ({"union": [{"lower": [0], "upper": [1]}, {"lower": [0, 0], "upper": [1, 1]}]}, "dimension"),
    ]:
        with pytest.raises(InputError, match=match):
            domain_from_json(obj)


def test_read_domain_spec(tmp_path):
    assert read_domain_spec() is None
    assert read_domain_spec(box="0,1", input_dim=3).dim == 3
    with pytest.raises(InputError, match="not both"):
        read_domain_spec(domain="d.json", box="0,1")
    v = tmp_path / "p.vnnlib"
    v.write_text("(declare-const X_0 Real)(declare-const X_1 Real)(assert (<= X_0 1))(assert (>= X_0 0))"
                 "(assert (<= X_1 1))(assert (>= X_1 0))")
    assert isinstance(read_domain_spec(v, input_dim=2), Box)
    with pytest.raises(InputError, match="dimension 2 but the network takes 3"):
        read_domain_spec(v, input_dim=3)
    j = tmp_path / "d.json"
    j.write_text('{"finite": [0, 1]}')
    assert read_domain_spec(j, input_dim=5).size == 32


# ---------------------------------------------------------------------------------------------
# emptiness and boundedness (exact; checked against PPL's double description)
# ---------------------------------------------------------------------------------------------


def _ppl_poly(P):
    import ppl

    poly = ppl.C_Polyhedron(P.dim, "universe")
    for a, beta in P.constraints():
        d = math.lcm(*(int(v.q) for v in list(a) + [beta]))
        e = ppl.Linear_Expression(int(beta * d))
        for i, v in enumerate(a):
            if v:
                e -= int(v * d) * ppl.Variable(i)
        poly.add_constraint(e >= 0)
    return poly


small = st.integers(-4, 4)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.lists(small, min_size=n, max_size=n), small), min_size=0, max_size=6))))
def test_emptiness_and_boundedness_agree_with_double_description(case):
    n, rows = case
    P = Polyhedron(A=tuple(tuple(fmpq(v) for v in a) for a, _ in rows), b=tuple(fmpq(b) for _, b in rows), dim=n)
    ref = _ppl_poly(P)
    assert is_empty(P) == ref.is_empty()
    x = feasible_point(P)
    if x is not None:
        assert P.contains(x)
    assert is_bounded(P) == ref.is_bounded()
    if not ref.is_empty():
        d = recession_direction(P)
        if ref.is_bounded():
            assert d is None
        else:
            assert d is not None and any(d)
            assert all(sum((ai * di for ai, di in zip(a, d)), fmpq(0)) <= 0 for a, _ in P.constraints())
            far = tuple(xi + 10**6 * di for xi, di in zip(x, d))
            assert P.contains(far)


def test_require_nonempty_bounded_messages():
    box = Box.from_bounds([0, 0], [1, 1])
    require_nonempty_bounded(box)
    half_plane = Polyhedron(A=((fmpq(1), fmpq(0)),), b=(fmpq(1),), dim=2)
    with pytest.raises(InputError, match="unbounded: it contains a ray in the direction"):
        require_nonempty_bounded(half_plane, "--domain d.json")
    empty = Polyhedron(A=((fmpq(1),), (fmpq(-1),)), b=(fmpq(0), fmpq(-1)), dim=1)
    with pytest.raises(InputError, match="is empty"):
        require_nonempty_bounded(empty)
    with pytest.raises(InputError, match="part 2 of the union"):
        require_nonempty_bounded(PolyhedronUnion((box, half_plane)))
    require_nonempty_bounded(PolyhedronUnion((box, Polyhedron(A=((fmpq(0), fmpq(0)),), b=(fmpq(-1),), dim=2))))
    with pytest.raises(InputError, match="is empty"):
        require_nonempty_bounded(FiniteDomain(((fmpq(0),), ())))
    everything = Polyhedron(A=(), b=(), dim=3)
    assert not is_bounded(everything) and feasible_point(everything) is not None


def test_high_dimensional_boxes_and_bound_systems_are_instant():
    n = 784
    box = Box.from_bounds([0] * n, [1] * n)
    assert not is_empty(box) and is_bounded(box)
    bounds = Polyhedron(A=box.A + ((fmpq(0),) * n,), b=box.b + (fmpq(0),), dim=n)  # not a Box instance
    assert not is_empty(bounds) and is_bounded(bounds)
