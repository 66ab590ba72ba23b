"""`numbers/fields.py`: number fields built from the atoms of parsed numbers."""

from __future__ import annotations

import pytest
from flint import fmpq

from exactnet.numbers import exact_numbers
from exactnet.numbers.algebraic import sign
from exactnet.numbers.budget import NumberLimitError
from exactnet.numbers.fields import build_field, parse_algebraic, unify_fields


def test_rational_values_come_back_as_rationals():
    assert parse_algebraic("sqrt(4)") == fmpq(2)
    assert parse_algebraic("sqrt(2)*sqrt(2)") == fmpq(2)
    assert parse_algebraic("sqrt(8) - 2*sqrt(2)") == fmpq(0)


def test_one_field_holds_every_number_and_its_arithmetic_is_exact():
    specs = [parse_algebraic(t) for t in ("sqrt(2)", "sqrt(3)", "sqrt(6)")]
    field, (a, b, c) = build_field(specs)
    assert field.degree == 4
    assert a * b - c == 0                # sqrt(2)·sqrt(3) = sqrt(6) in the common field
    assert sign(a + b - fmpq(3146, 1000)) > 0 and sign(a + b - fmpq(3147, 1000)) < 0  # 3.14626…


def test_the_real_root_is_the_positive_one():
    (x,) = exact_numbers(["root(2, 3)"])
    assert x * x * x == 2 and sign(x) > 0


def test_unify_fields_maps_generators_consistently():
    (a,) = exact_numbers(["sqrt(2)"])
    (b,) = exact_numbers(["sqrt(3)"])
    common, images = unify_fields([a.field, b.field])
    assert common.degree == 4 and len(images) == 2
    # unifying a field with itself is the identity
    same, imgs = unify_fields([a.field, a.field])
    assert same == a.field and all(str(p) == str(imgs[0]) for p in imgs)


def test_the_degree_budget_is_checked_before_building():
    texts = [f"sqrt({p})" for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)]
    with pytest.raises(NumberLimitError, match="limit"):
        build_field([parse_algebraic(t) for t in texts])
