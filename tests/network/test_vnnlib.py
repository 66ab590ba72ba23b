"""VNN-LIB input constraints read exactly (decimals as the rationals they spell)."""

from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import InputError, UnsupportedError
from exactnet.network.domain import Box, Polyhedron
from exactnet.network.domain_union import PolyhedronUnion
from exactnet.network.vnnlib import MAX_PARTS, parse_vnnlib, read_vnnlib


def q(text) -> fmpq:
    f = Fraction(text)
    return fmpq(f.numerator, f.denominator)


def decl(n, outputs=0):
    return "".join(f"(declare-const X_{i} Real)\n" for i in range(n)) + \
        "".join(f"(declare-const Y_{i} Real)\n" for i in range(outputs))


ACAS_LIKE = """; ACAS Xu property 3 style
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const X_2 Real)
(declare-const Y_0 Real)
(declare-const Y_1 Real)

; inputs
(assert (<= X_0 0.679857769))
(assert (>= X_0 -0.303531156))
(assert (<= X_1 0.5))
(assert (>= X_1 (- 0.5)))
(assert (<= X_2 1e-2))
(assert (>= X_2 -3.2E-3))
"""


def test_decimals_are_exact_rationals():
    box = parse_vnnlib(ACAS_LIKE)
    assert isinstance(box, Box)
    assert box.lower == (q("-0.303531156"), q("-0.5"), q("-0.0032"))
    assert box.upper == (q("0.679857769"), fmpq(1, 2), fmpq(1, 100))
    assert parse_vnnlib(decl(1) + "(assert (<= X_0 0.6))(assert (>= X_0 0))").upper == (fmpq(3, 5),)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.decimals(-10**6, 10**6, places=9, allow_nan=False, allow_infinity=False),
                          st.decimals(0, 10**6, places=9, allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)),
                min_size=1, max_size=6))
def test_random_boxes_read_back_exactly(bounds):
    text = decl(len(bounds))
    for i, (lo, width) in enumerate(bounds):
        text += f"(assert (>= X_{i} {lo}))\n(assert (<= X_{i} {lo + width}))\n"
    box = parse_vnnlib(text)
    assert box.lower == tuple(q(str(lo)) for lo, _ in bounds)
    assert box.upper == tuple(q(str(lo + w)) for lo, w in bounds)


def test_linear_combinations_give_a_polyhedron():
    text = decl(2) + """
(assert (<= (+ (* 2 X_0) X_1) 1.5))
(assert (>= (- X_0 (* 0.25 X_1)) (/ 1 3)))
(assert (= (* X_1 -1) (- 0.1 X_0)))
"""
    p = parse_vnnlib(text)
    assert isinstance(p, Polyhedron) and not isinstance(p, Box)
    rows = set(p.constraints())
    half, quarter, third = fmpq(1, 2), fmpq(1, 4), fmpq(1, 3)
    assert ((fmpq(2), fmpq(1)), 3 * half) in rows
    assert ((fmpq(-1), quarter), -third) in rows  # x0 − x1/4 ≥ 1/3
    # −x1 = 0.1 − x0  ⇔  x0 − x1 ≤ 1/10 and −x0 + x1 ≤ −1/10
    assert ((fmpq(1), fmpq(-1)), fmpq(1, 10)) in rows and ((fmpq(-1), fmpq(1)), fmpq(-1, 10)) in rows
    assert p.contains((fmpq(1, 2), fmpq(2, 5)))


def test_chains_and_conjunctions():
    p = parse_vnnlib(decl(1) + "(assert (and (<= 0 X_0 1) (<= X_0 0.5)))")
    assert isinstance(p, Box) and p.lower == (0,) and p.upper == (fmpq(1, 2),)  # tightest bound kept


def test_disjunction_is_a_union_of_polyhedra():
    text = decl(2) + """
(assert (<= X_0 1)) (assert (>= X_0 0))
(assert (or (and (<= X_1 0) (>= X_1 -1))
            (and (<= X_1 3) (>= X_1 2) (<= (+ X_0 X_1) 3.5))))
"""
    u = parse_vnnlib(text)
    assert isinstance(u, PolyhedronUnion) and len(u.parts) == 2
    assert isinstance(u.parts[0], Box) and u.parts[0].lower == (0, -1) and u.parts[0].upper == (1, 0)
    assert u.contains((fmpq(1, 2), fmpq(5, 2))) and not u.contains((fmpq(1), fmpq(3)))
    assert not u.contains((fmpq(1, 2), fmpq(1, 2)))


def test_or_and_distribute():
    text = decl(1) + "(assert (or (<= X_0 0) (>= X_0 1)))(assert (or (>= X_0 -1) (<= X_0 2)))"
    assert len(parse_vnnlib(text).parts) == 4


def test_degenerate_coordinate_is_a_polyhedron_not_a_box():
    p = parse_vnnlib(decl(2) + "(assert (= X_0 0.5))(assert (<= X_1 1))(assert (>= X_1 0))")
    assert not isinstance(p, Box) and p.contains((fmpq(1, 2), fmpq(1, 3)))
    assert not p.contains((fmpq(1, 3), fmpq(1, 3)))


def test_comments_declare_fun_and_ignored_commands():
    text = """(set-logic QF_LRA) ; comment (with parens
(declare-fun X_0 () Real)
(assert (<= X_0 1)) ; (assert (<= X_0 0))
(assert (>= X_0 |0|))
(check-sat)
(get-model)
"""
    with pytest.raises(InputError):  # |0| is a quoted symbol, not a number
        parse_vnnlib(text)
    box = parse_vnnlib(text.replace("|0|", "0"))
    assert box.lower == (0,) and box.upper == (1,)


def test_ignore_outputs_drops_output_asserts():
    text = decl(1, outputs=2) + "(assert (<= X_0 1))(assert (>= X_0 0))(assert (<= Y_0 Y_1))"
    with pytest.raises(UnsupportedError, match="line 4: output constraint on Y_0"):
        parse_vnnlib(text)
    assert parse_vnnlib(text, ignore_outputs=True).upper == (1,)
    mixed = decl(1, outputs=1) + "(assert (<= X_0 1))(assert (or (<= X_0 0) (<= Y_0 0)))"
    with pytest.raises(UnsupportedError, match="mixes input and output"):
        parse_vnnlib(mixed, ignore_outputs=True)


@pytest.mark.parametrize("text,kind,match", [
    (decl(2) + "(assert (<= (* X_0 X_1) 1))", UnsupportedError, "line 3: non-linear term"),
    (decl(1) + "(assert (<= (/ 1 X_0) 1))", UnsupportedError, "division by a variable"),
    (decl(1) + "(assert (<= (exp X_0) 1))", UnsupportedError, "unsupported term"),
    (decl(1, 1) + "\n\n(assert (>= Y_0 0.5))", UnsupportedError, "line 5: output constraint on Y_0"),
    (decl(1) + "(assert (<= X_1 1))", InputError, "X_1 is used but not declared"),
    (decl(1) + "(assert (<= Z 1))", InputError, "unknown variable or symbol 'Z'"),
    (decl(1) + "(declare-const X_0 Real)", InputError, "X_0 is declared twice"),
    ("(declare-const X_1 Real)", InputError, "X_0 is not declared"),
    ("(declare-const X_0 Int)", UnsupportedError, "Real variables only"),
    ("(declare-const foo Real)", InputError, "neither an input"),
    (decl(1) + "(assert (< X_0 1))", UnsupportedError, "strict inequality"),
    (decl(1) + "(assert (not (<= X_0 1)))", UnsupportedError, "'not' is not supported"),
    (decl(1) + "(assert (<= X_0 1)", InputError, "never closed"),
    (decl(1) + "(assert (<= X_0 1)))", InputError, "without a matching"),
    (decl(1) + "(define-fun f () Real 1)", UnsupportedError, "unsupported command"),
    (decl(1) + "(assert (<= X_0 (/ 1 0)))", InputError, "division by zero"),
    ("", InputError, "no input variables"),
    (decl(1) + "(assert (<= X_0 nan))", InputError, "unknown variable or symbol 'nan'"),
])
def test_bad_files_fail_with_one_clear_line(text, kind, match):
    with pytest.raises(kind, match=match) as exc:
        parse_vnnlib(text, "prop.vnnlib")
    assert "\n" not in str(exc.value) and str(exc.value).startswith("prop.vnnlib")


def test_too_many_parts_are_refused():
    text = decl(1) + "(assert (or (<= X_0 0) (>= X_0 1)))" * 13  # 2^13 > MAX_PARTS
    assert 2 ** 13 > MAX_PARTS
    with pytest.raises(UnsupportedError, match="more than"):
        parse_vnnlib(text)


def test_deep_nesting_is_an_error_not_a_crash():
    text = decl(1) + "(assert " + "(and " * 5000 + "(<= X_0 1)" + ")" * 5001
    with pytest.raises(InputError, match="nested more than"):
        parse_vnnlib(text)


def test_read_file(tmp_path):
    path = tmp_path / "p.vnnlib"
    path.write_text(ACAS_LIKE, encoding="utf-8")
    assert read_vnnlib(path).dim == 3
    with pytest.raises(InputError, match="no such file"):
        read_vnnlib(tmp_path / "missing.vnnlib")
    path.write_bytes(b"\xff\xfe(")
    with pytest.raises(InputError, match="UTF-8"):
        read_vnnlib(path)
