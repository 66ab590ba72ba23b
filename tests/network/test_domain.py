import pytest
from flint import fmpq

from exactnet.errors import FormatError, InputError
from exactnet.network.domain import Box, domain_from_obj


def test_box():
    box = domain_from_obj({"lower": [0, "-1/2"], "upper": ["1", 0.5]})
    assert isinstance(box, Box) and box.dim == 2
    assert box.contains([fmpq(1), fmpq(-1, 2)]) and not box.contains([fmpq(2), fmpq(0)])
    assert len(box.constraints()) == 4
    # the constraint form agrees with the box form
    assert all(sum(a * v for a, v in zip(row, [fmpq(1, 2), fmpq(0)])) <= beta for row, beta in box.constraints())


def test_polyhedron():
    poly = domain_from_obj({"A": [[1, 1], [-1, 0], [0, -1]], "b": [1, 0, 0]})
    assert poly.contains([fmpq(1, 3), fmpq(1, 3)]) and not poly.contains([fmpq(1), fmpq(1)])


@pytest.mark.parametrize(
    "obj, fragment",
    [
        ({"lower": [0]}, "both 'lower' and 'upper'"),
        ({"lower": [1], "upper": [1]}, "full-dimensional"),
        ({"lower": [0, 0], "upper": [1]}, "lower has 2 entries"),
        ({"lower": ["sqrt(2)"], "upper": [2]}, "must be rational"),
        ({"A": [[1, 2]], "b": [1, 2]}, "A has 1 rows but b has 2"),
        ({"foo": 1}, "expected 'lower' and 'upper'"),
    ],
)
def test_bad_domains(obj, fragment):
    with pytest.raises((InputError, FormatError), match=fragment):
        domain_from_obj(obj)


def test_flat_boxes_are_polyhedra_for_users_and_refused_in_certificates():
    """``closed_box``: ``lower_i = upper_i`` gives the polyhedron of the same rows (the pair of rows
    of a flat coordinate states its equality); ``lower_i > upper_i`` is an empty box; certificate
    domains (``domain_from_obj`` without ``flat_boxes``) keep needing ``lower < upper``."""
    from exactnet.network.domain import Polyhedron, closed_box
    from exactnet.network.domain_spec import domain_from_json

    flat = closed_box([0, fmpq(1, 2)], [1, fmpq(1, 2)])
    assert type(flat) is Polyhedron and flat.dim == 2 and len(flat.constraints()) == 4
    for x0 in (fmpq(0), fmpq(1, 3), fmpq(1)):
        assert flat.contains([x0, fmpq(1, 2)])
        assert not flat.contains([x0, fmpq(1, 2) + fmpq(1, 2 ** 60)])
        assert not flat.contains([x0, fmpq(1, 2) - fmpq(1, 2 ** 60)])
    assert not flat.contains([fmpq(-1, 2 ** 60), fmpq(1, 2)])
    assert isinstance(closed_box([0, 0], [1, 1]), Box)
    with pytest.raises(InputError, match="coordinate 2 has lower 1/2 > upper 1/4"):
        closed_box([0, fmpq(1, 2)], [1, fmpq(1, 4)])
    assert domain_from_json({"lower": [0, "1/2"], "upper": [1, "0.5"]}) == flat
    assert domain_from_json({"lower": "1/2", "upper": "1/2"}, dim=3).contains([fmpq(1, 2)] * 3)
    with pytest.raises(InputError, match="full-dimensional"):
        domain_from_obj({"lower": [0, "1/2"], "upper": [1, "1/2"]})
