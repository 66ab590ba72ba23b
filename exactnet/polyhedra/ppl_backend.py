"""The exact backend: the Parma Polyhedra Library (the only module that imports ``ppl``).

* :class:`PPLExact` — exact linear programs with PPL's ``MIP_Problem`` over the rationals: the
  open-feasibility question of :func:`exactnet.polyhedra.decide` (an interior point or a Farkas
  vector, from the LP ``max s`` s.t. ``g_i·x + h_i ≥ s·‖g_i‖_∞``, ``s ≤ 1``, and its dual) and
  :meth:`PPLExact.maximize` (an optimum with dual multipliers). Complete: always answers.
* :class:`ClosedPolyhedron` — a closed polyhedron ``{x : g_i·x + h_i ≥ 0}`` in double description
  (PPL ``C_Polyhedron``): minimized generators (vertices, rays, lines) and constraints,
  intersections, dimension. Used for the generator cells of region enumeration, region
  drawings and exact polytope volumes.

Integer coefficients only: PPL cannot hold real algebraic numbers (``capabilities``).
"""

from __future__ import annotations

from typing import Sequence

from flint import fmpq

from .backend import Capabilities
from .rows import Farkas, Infeasible, Interior, Optimum, Row, Unbounded, norm, primitive_row


def _linear(ppl, coeffs: Sequence[int], variables, constant: int = 0):
    expr = ppl.Linear_Expression(constant)
    for a, v in zip(coeffs, variables):
        if a:
            expr += a * v
    return expr


def _point(p, n: int) -> tuple[fmpq, ...]:
    d = int(p.divisor())
    coeffs = p.coefficients()
    return tuple(fmpq(int(coeffs[i]), d) for i in range(n))


class PPLExact:
    """Exact rational LPs (PPL ``MIP_Problem``); see the module docstring."""

    name = "ppl"
    capabilities = Capabilities(exact=True, algebraic=False, optimum=True)

    def open_interior(self, rows: Sequence[Row], n: int, prepared=None) -> Interior | Farkas:
        """An interior point of ``{g_i·x + h_i > 0}`` or a Farkas vector (rows with ``g ≠ 0``)."""
        import ppl

        xs = [ppl.Variable(i) for i in range(n)]
        s = ppl.Variable(n)
        mip = ppl.MIP_Problem(n + 1)
        for g, h in rows:
            mip.add_constraint(_linear(ppl, g, xs, h) - norm(g) * s >= 0)
        mip.add_constraint(s <= 1)
        mip.set_objective_function(ppl.Linear_Expression(s))
        mip.set_optimization_mode("maximization")
        mip.solve()
        if mip.optimal_value() > 0:
            return Interior(_point(mip.optimizing_point(), n))
        # dual: y ≥ 0, Σ y_i g_i = 0, Σ y_i ‖g_i‖ = 1, Σ y_i h_i ≤ 0 (feasible by LP duality)
        m = len(rows)
        ys = [ppl.Variable(i) for i in range(m)]
        dual = ppl.MIP_Problem(m)
        for i in range(m):
            dual.add_constraint(ys[i] >= 0)
        for k in range(n):
            dual.add_constraint(_linear(ppl, [rows[i][0][k] for i in range(m)], ys) == 0)
        dual.add_constraint(_linear(ppl, [norm(rows[i][0]) for i in range(m)], ys) == 1)
        dual.add_constraint(_linear(ppl, [rows[i][1] for i in range(m)], ys) <= 0)
        dual.set_objective_function(_linear(ppl, [rows[i][1] for i in range(m)], ys))
        dual.set_optimization_mode("minimization")
        dual.solve()
        y = _point(dual.optimizing_point(), m)
        return Farkas(tuple((i, v) for i, v in enumerate(y) if v != 0))

    def maximize(self, objective: Sequence[int], rows: Sequence[Row], n: int) -> Optimum | Unbounded | Infeasible:
        """``max c·x`` subject to ``g_i·x + h_i ≥ 0``, exactly: the optimum with dual multipliers
        (``y ≥ 0``, ``Σ y_i g_i = −c``, ``Σ y_i h_i`` = the optimum; the dual LP solved by PPL)."""
        import ppl

        xs = [ppl.Variable(i) for i in range(n)]
        mip = ppl.MIP_Problem(n)
        for g, h in rows:
            mip.add_constraint(_linear(ppl, g, xs, h) >= 0)
        mip.set_objective_function(_linear(ppl, objective, xs))
        mip.set_optimization_mode("maximization")
        status = mip.solve()["status"]
        if status == "unfeasible":
            return Infeasible()
        if status == "unbounded":
            return Unbounded()
        point = _point(mip.optimizing_point(), n)
        value = sum((c * v for c, v in zip(objective, point)), fmpq(0))
        m = len(rows)
        ys = [ppl.Variable(i) for i in range(m)]
        dual = ppl.MIP_Problem(m)
        for i in range(m):
            dual.add_constraint(ys[i] >= 0)
        for k in range(n):
            dual.add_constraint(_linear(ppl, [rows[i][0][k] for i in range(m)], ys, objective[k]) == 0)
        dual.set_objective_function(_linear(ppl, [rows[i][1] for i in range(m)], ys))
        dual.set_optimization_mode("minimization")
        dual.solve()
        y = _point(dual.optimizing_point(), m)
        return Optimum(value, point, tuple((i, v) for i, v in enumerate(y) if v != 0))


    def minimize_point(self, objective: Sequence[int], rows: Sequence[Row], n: int):
        """``min c·x`` subject to ``g_i·x + h_i ≥ 0``: ``(status, point)`` with ``status`` one of
        ``"optimized"`` (``point`` optimal), ``"unfeasible"``, ``"unbounded"`` (``point`` ``None``)."""
        import ppl

        xs = [ppl.Variable(i) for i in range(n)]
        mip = ppl.MIP_Problem(n)
        for g, h in rows:
            mip.add_constraint(_linear(ppl, g, xs, h) >= 0)
        mip.set_objective_function(_linear(ppl, objective, xs))
        mip.set_optimization_mode("minimization")
        status = mip.solve()["status"]
        return status, (_point(mip.optimizing_point(), n) if status == "optimized" else None)


class ClosedPolyhedron:
    """``{x ∈ R^n : g_i·x + h_i ≥ 0}`` held by PPL (double description, minimized on demand)."""

    __slots__ = ("n", "_poly")

    def __init__(self, n: int, rows: Sequence[Row] = (), _poly=None):
        self.n = n
        if _poly is None:
            import ppl

            _poly = ppl.C_Polyhedron(n, "universe")
            for g, h in rows:
                _poly.add_constraint(ppl.Linear_Expression(g, h) >= 0)
        self._poly = _poly

    @classmethod
    def from_rational(cls, n: int, constraints: Sequence[tuple[Sequence, object]]) -> "ClosedPolyhedron":
        """From rational constraints ``(a, c)``: ``a·x + c ≥ 0``."""
        return cls(n, [primitive_row([fmpq(v) for v in a], fmpq(c)) for a, c in constraints])

    def with_row(self, row: Row) -> "ClosedPolyhedron":
        """A copy with one more constraint ``g·x + h ≥ 0``."""
        import ppl

        poly = ppl.C_Polyhedron(self._poly)
        poly.add_constraint(ppl.Linear_Expression(*row) >= 0)
        return ClosedPolyhedron(self.n, _poly=poly)

    def intersection(self, other: "ClosedPolyhedron") -> "ClosedPolyhedron":
        import ppl

        poly = ppl.C_Polyhedron(self._poly)
        poly.intersection_assign(other._poly)
        return ClosedPolyhedron(self.n, _poly=poly)

    def generators(self) -> list[tuple[int, tuple[int, ...], int]]:
        """Minimized generators ``(kind, coefficients, divisor)``: kind 0 a point
        ``coefficients/divisor``, 1 a ray, 2 a line (divisor 0 for rays and lines)."""
        gens = []
        for gen in self._poly.minimized_generators():
            kind = gen.type()
            coeffs = tuple(map(int, gen.coefficients()))
            if kind == "point":
                gens.append((0, coeffs, int(gen.divisor())))
            elif kind == "ray":
                gens.append((1, coeffs, 0))
            else:  # a line (a closed polyhedron has no closure points)
                gens.append((2, coeffs, 0))
        return gens

    def vertices(self) -> tuple[list[tuple[fmpq, ...]], bool]:
        """The exact vertices and whether there are rays or lines (unbounded)."""
        pts, unbounded = [], False
        for kind, c, d in self.generators():
            if kind == 0:
                pts.append(tuple(fmpq(v, d) for v in c))
            else:
                unbounded = True
        return pts, unbounded

    def minimized_constraints(self) -> list[tuple[tuple[int, ...], int, bool]]:
        """A non-redundant system ``(g, h, is_equality)`` of integer constraints."""
        return [(tuple(int(a) for a in c.coefficients()), int(c.inhomogeneous_term()), c.is_equality())
                for c in self._poly.minimized_constraints()]

    def is_empty(self) -> bool:
        return self._poly.is_empty()

    def is_bounded(self) -> bool:
        return self._poly.is_bounded()

    def affine_dimension(self) -> int:
        return self._poly.affine_dimension()


__all__ = ["ClosedPolyhedron", "PPLExact"]
