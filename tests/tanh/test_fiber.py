"""FE class of a tanh parameter: exact piece count, enumeration, dimensions, membership
(agreeing with the equivalence decision) and sampling across pieces."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from flint import fmpq, fmpq_mat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tanh.tanh_strategies import ZERO, irreducible, nonzero_rationals, to_net

from exactnet.errors import InputError  # noqa: E402
from exactnet.network import Network  # noqa: E402
from exactnet.numbers.tanh_scalar import TanhScalar  # noqa: E402
from exactnet.tanh.equivalence import equivalent  # noqa: E402
from exactnet.tanh.fiber import Piece, count_pieces, fiber  # noqa: E402
from exactnet.tanh.parameter import TanhParameter  # noqa: E402


def padded(units, d, n, m, h):
    """The parameter of ``units`` padded with blank units (0, 0, 0) to width h."""
    blank = (tuple(ZERO for _ in range(m)), tuple(ZERO for _ in range(n)), ZERO)
    return to_net(list(units) + [blank] * (h - len(units)), d, n, m)


def stirling2(k, r):
    return sum((-1) ** (r - i) * math.comb(r, i) * i**k for i in range(r + 1)) // math.factorial(r)


def brute_count(h, r):
    """Σ over (constant, attached, free) splits: multinomial · r!S(k,r)2^k · Σ_partitions 2^{f−blocks}."""
    total = 0
    for k in range(r, h + 1):
        for f in range(h - k + 1):
            c = h - k - f
            multi = math.factorial(h) // (math.factorial(c) * math.factorial(k) * math.factorial(f))
            free = sum(stirling2(f, b) * 2 ** (f - b) for b in range(f + 1)) if f else 1
            total += multi * math.factorial(r) * stirling2(k, r) * 2**k * free
    return total


# ---------------------------------------------------------------------------------------------
# counting and enumeration
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", range(0, 6))
def test_count_equals_enumeration_and_brute_formula(h):
    for r in range(0, h + 1):
        pieces = list(fe_pieces(h, r))
        assert len(pieces) == len(set(pieces)) == count_pieces(h, r) == brute_count(h, r)
        for p in pieces:
            labels = p.labels()
            assert all(lab is not None for lab in labels)
            assert all(members for members in p.attached)
            assert all(members[0][1] == 1 for members in p.groups)  # signs modulo the global sign
            assert Piece.from_labels(labels) == p


def fe_pieces(h, r):
    from exactnet.tanh.fiber import _enumerate_pieces

    return _enumerate_pieces(h, r)


def test_count_large_width_matches_brute_formula():
    assert count_pieces(40, 7) == brute_count(40, 7)
    assert count_pieces(12, 12) == 2**12 * math.factorial(12)
    assert count_pieces(3, 4) == 0


def test_irreducible_class_is_the_finite_orbit():
    net = Network.from_lists("tanh", [([[1], [2], [-3]], [1, 0, "1/2"]), ([[1, -2, "1/3"]], [5])])
    fe = fiber(net)
    assert fe.finite and fe.rank == fe.width == 3 and fe.dimension == 0
    assert fe.count_pieces() == 2**3 * math.factorial(3)
    points = set()
    for piece in fe.pieces():
        assert fe.piece_dimension(piece) == 0
        p = fe.sample_point(piece, random.Random(0))
        assert fe.contains(p) and fe.in_piece(piece, p)
        points.add(p)
    assert len(points) == 48  # the 2^h·h! orbit points are distinct


def rank_of_rows(rows, coords):
    index = {c: t for t, c in enumerate(coords)}
    mat = fmpq_mat(len(rows), len(coords))
    for t, (row, _rhs) in enumerate(rows):
        for coord, coef in row.items():
            mat[t, index[coord]] = coef
    return mat.rank()


@pytest.mark.parametrize("n,m", [(1, 1), (2, 1), (1, 3), (2, 2)])
def test_piece_dimension_is_the_number_of_free_coordinates(n, m):
    units = [(tuple(fmpq(j + 1) for _ in range(m)), tuple(fmpq(j + 1 + l) for l in range(n)), fmpq(j))
             for j in range(2)]
    fe = fiber(padded(units, [fmpq(1, 2)] * m, n, m, 5))
    h = fe.width
    coords = ([("a", i, k) for i in range(h) for k in range(m)] + [("b", i, l) for i in range(h) for l in range(n)]
              + [("c", i) for i in range(h)] + [("d", k) for k in range(m)])
    total = (n + m + 1) * h + m
    assert len(coords) == total
    best = 0
    for piece in list(fe.pieces())[::37]:
        rows = fe.linear_rows(piece)
        rank = rank_of_rows(rows, coords)
        assert rank == len(rows)  # independent rows
        expected = total - rank - (m if piece.constant else 0)
        assert fe.piece_dimension(piece) == expected
        best = max(best, expected)
    assert best <= fe.dimension == (h - 2) * (max(n, m) + 1)


# ---------------------------------------------------------------------------------------------
# membership agrees with the equivalence decision
# ---------------------------------------------------------------------------------------------


@st.composite
def classes(draw, max_rank=3, max_h=6):
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    units, d, n, m = draw(irreducible(n=n, m=m, min_h=0, max_h=max_rank)) if max_rank else ([], None, n, m)
    h = draw(st.integers(max(len(units), 1), max_h))
    with_const = h > len(units) and draw(st.booleans())
    extra = []
    if with_const:  # a constant unit with c ≠ 0: δ becomes transcendental
        extra = [(tuple(fmpq(1) for _ in range(m)), tuple(ZERO for _ in range(n)), draw(nonzero_rationals()))]
    return padded(units + extra, d, n, m, h)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_membership_agrees_with_decide(data):
    net = data.draw(classes())
    fe = fiber(net)
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    member = fe.sample(rng, numeric_bias=True)
    assert member.has_numeric_bias
    other = member.to_network()
    assert fe.contains(other) and equivalent(net, other, find_witness=False).equivalent
    # a perturbation of one number: membership and the decision still agree
    units = [list(u) for u in member.units()]
    i = rng.randrange(len(units))
    field = rng.randrange(3)
    delta = data.draw(nonzero_rationals())
    if field == 2:
        units[i][2] = units[i][2] + delta
    else:
        vec = list(units[i][field])
        k = rng.randrange(len(vec))
        vec[k] += delta
        units[i][field] = tuple(vec)
    d = [s.const for s in member.d]
    bad = to_net([tuple(u) for u in units], d, fe.input_dim, fe.output_dim)
    verdict = equivalent(net, bad, find_witness=False).equivalent
    assert fe.contains(bad) == verdict
    assert fe.contains(TanhParameter.from_network(bad)) == verdict


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_samples_lie_in_their_piece_and_in_their_natural_piece(data):
    net = data.draw(classes())
    fe = fiber(net)
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    piece, member = fe.sample_with_piece(rng)
    assert fe.in_piece(piece, member) and fe.contains(member)
    natural = fe.piece_of(member)
    assert fe.in_piece(natural, member)
    assert fe.piece_dimension(piece) <= fe.dimension
    # symbolic-bias members are members too (the output bias absorbs a'·tanh(c'))
    realised = member.realised()
    assert equivalent(net, realised.to_network(), find_witness=False).equivalent


def test_sample_hits_every_piece_type():
    net = to_net([((fmpq(2),), (fmpq(1),), fmpq(1, 2))], [fmpq(1)], 1, 1)
    fe = fiber(padded([((fmpq(2),), (fmpq(1),), fmpq(1, 2))], [fmpq(1)], 1, 1, 5))
    rng = random.Random(11)
    kinds = set()
    sizes = set()
    numeric = 0
    for _ in range(150):
        piece, member = fe.sample_with_piece(rng, numeric_bias=rng.random() < 0.5)
        assert fe.contains(member) and fe.in_piece(piece, member)
        assert equivalent(net, member.realised().to_network(), find_witness=False).equivalent
        kinds |= piece.kinds
        sizes |= {len(g) for g in piece.groups}
        numeric += member.has_numeric_bias
    assert kinds == {"constant", "attached", "negated", "dead", "cancelling"}
    assert {1, 2, 3} <= sizes and numeric >= 50


def test_transcendental_bias_numeric_members():
    # δ = 1/7 + 2·tanh(1/2) (from the constant unit): numeric members realise tanh(1/2) by a constant unit
    net = Network.from_lists("tanh", [([[1], [0], [0]], [0, "1/2", 0]), ([[1, 2, 0]], ["1/7"])])
    fe = fiber(net)
    assert fe.tanh_arguments == ((fmpq(1, 2), (fmpq(2),)),) and fe.has_numeric_members
    rng = random.Random(3)
    for _ in range(20):
        p = fe.sample(rng, numeric_bias=True)
        assert p.has_numeric_bias and fe.contains(p)
        assert any(all(v == 0 for v in b) and abs(c) == fmpq(1, 2) and a[0] != 0 for a, b, c in p.units())
    # the compressed parameter (width = rank, symbolic δ) has no member with an exact bias
    small = fiber(fe.compression.compressed())
    assert not small.has_numeric_members
    with pytest.raises(InputError, match="no member"):
        small.sample(rng, numeric_bias=True)
    assert not small.sample(rng).has_numeric_bias


def test_membership_input_errors():
    fe = fiber(Network.from_lists("tanh", [([[1], [0]], [0, 0]), ([[1, 0]], [0])]))
    with pytest.raises(InputError, match="width"):
        fe.contains(Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])]))
    with pytest.raises(InputError, match="dimension"):
        fe.contains(Network.from_lists("tanh", [([[1, 1], [0, 0]], [0, 0]), ([[1, 0]], [0])]))
    assert fe.contains(Network.from_lists("tanh", [([[0], [-1]], [3, 0]), ([[0, -1]], [0])]))
    assert not fe.contains(Network.from_lists("tanh", [([[0], [-1]], [3, 0]), ([[0, 1]], [0])]))
    with pytest.raises(InputError):
        fe.piece_of(Network.from_lists("tanh", [([[0], [-1]], [3, 0]), ([[0, 1]], [0])]))


def test_equations_text_and_bias_equation():
    fe = fiber(Network.from_lists("tanh", [([[1], [0], [2]], [0, "1/2", 1]), ([[1, 2, 0]], [0])]))
    piece = fe.piece_of(fe.parameter)
    texts = [e.text for e in fe.equations(piece)]
    assert "b_1 = 0" in texts
    assert any(t.startswith("(b_0, c_0) = (1, 0)") for t in texts)
    assert "a_0 = 1" in texts and "a_2 = 0" in texts
    assert texts[-1] == "d + a_1·tanh(c_1) = 2*tanh(1/2)"
    assert fe.bias == (TanhScalar.tanh_of(fmpq(1, 2), fmpq(2)),)
