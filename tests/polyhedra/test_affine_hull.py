"""The exact affine hull of a polyhedron: ``P = {p + M t : t ∈ T}`` with ``M`` of full column rank."""

from __future__ import annotations

from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.network.domain import Polyhedron
from exactnet.polyhedra import ClosedPolyhedron, primitive_row
from exactnet.polyhedra.affine_hull import affine_hull


def _rank(vectors, n):
    vectors = [v for v in vectors if any(v)]
    return fmpq_mat(len(vectors), n, [x for v in vectors for x in v]).rank() if vectors else 0


@st.composite
def _polyhedra(draw):
    """A box ``[−1, 1]^n`` cut by up to two random equalities (each as two inequalities)."""
    n = draw(st.integers(1, 4))
    small = st.integers(-2, 2).map(fmpq)
    A, b = [], []
    for i in range(n):
        e = [fmpq(0)] * n
        e[i] = fmpq(1)
        A += [tuple(e), tuple(-v for v in e)]
        b += [fmpq(1), fmpq(1)]
    for _ in range(draw(st.integers(0, 2))):
        a = tuple(draw(small) for _ in range(n))
        beta = draw(st.sampled_from([fmpq(0), fmpq(1, 2), fmpq(-1, 3)]))
        A += [a, tuple(-v for v in a)]
        b += [beta, -beta]
    return Polyhedron(A=tuple(A), b=tuple(b), dim=n)


@settings(max_examples=60, deadline=None)
@given(_polyhedra())
def test_hull_contains_the_polyhedron_and_has_its_dimension(P):
    n = P.dim
    rows = [primitive_row([-v for v in a], beta) for a, beta in P.constraints()]
    poly = ClosedPolyhedron(n, [r for r in rows if any(r[0]) or r[1] < 0])
    hull = affine_hull(P)
    if poly.is_empty():
        assert hull is None
        return
    assert P.contains(hull.point)
    assert hull.dim == poly.affine_dimension() == _rank(hull.basis, n)
    vertices, _ = poly.vertices()
    span = [list(v) for v in hull.basis]
    for v in vertices:  # every vertex is p + M t: v − p lies in span M
        assert _rank(span + [[a - b for a, b in zip(v, hull.point)]], n) == hull.dim
    if hull.dim:
        # T maps onto P: the embedding of T's vertices are points of P, and T has interior
        T = ClosedPolyhedron(hull.dim, [primitive_row([-v for v in a], beta) for a, beta in hull.reduced.constraints()
                                        if any(a) or beta < 0])
        assert T.affine_dimension() == hull.dim
        for t in T.vertices()[0]:
            assert P.contains(hull.embed(t))
