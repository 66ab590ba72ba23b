"""Exact emptiness and boundedness of input domains (``docs/domains.md``, "Empty and unbounded").

For a polyhedron ``P = {x : A x ≤ b}``:

* **emptiness** is one exact linear-programming feasibility question (PPL's exact simplex);
  a non-empty ``P`` comes with a rational point of ``P`` (:func:`feasible_point`);
* **boundedness**: a non-empty ``P`` is bounded iff its recession cone ``{d : A d ≤ 0}`` is
  ``{0}``. That fails exactly when ``A`` has a non-zero kernel vector (rank ``< n``), or else
  when the linear program ``min 1ᵀA d`` subject to ``A d ≤ 0``, ``1ᵀA d ≥ −1`` has a negative
  optimum; its optimiser is then a direction ``d ≠ 0`` with ``A d ≤ 0``. If the optimum is 0, Farkas'
  lemma gives ``y ≥ 1`` with ``Aᵀy = 0``; then ``A d ≤ 0`` forces ``yᵀA d = 0``, hence ``A d = 0``
  and, by the rank, ``d = 0``: ``P`` is bounded. Every answer is exact, and an unbounded ``P``
  comes with the rational direction (:func:`recession_direction`).

Boxes (``lower < upper``) are non-empty and bounded without any computation; systems made only
of coordinate bounds are decided by comparing the bounds; a polyhedron whose coordinate-bound
rows already bound every input is bounded, and the corners and centre of that box are tried
(exactly) as points before any linear program. A finite domain is empty iff one of its
sets is, and always bounded; a union is empty iff every part is, bounded iff every non-empty part is.
"""

from __future__ import annotations

from math import lcm
from typing import Sequence

from flint import fmpq, fmpz_mat

from ..errors import InputError
from ..network.domain import Box, Polyhedron
from ..network.domain_spec import Domain
from ..network.domain_union import PolyhedronUnion
from ..network.finite_domain import FiniteDomain
from ..numbers import format_number
from .ppl_backend import PPLExact


# ---------------------------------------------------------------------------------------------
# integer rows and the exact LP (PPL)
# ---------------------------------------------------------------------------------------------


def _integer_row(a: Sequence[fmpq], beta: fmpq) -> tuple[list[int], int]:
    """``a·x ≤ β`` scaled by the positive common denominator: integers ``(g, h)`` with ``g·x ≤ h``."""
    d = lcm(*(int(v.q) for v in a), int(beta.q))
    return [int(v.p) * (d // int(v.q)) for v in a], int(beta.p) * (d // int(beta.q))


def _solve(rows: list[tuple[list[int], int]], n: int, objective: Sequence[int] | None = None, extra=()):
    """Exact LP: minimise ``objective·x`` over ``g·x ≤ h`` and the extra rows ``(g, h)``:
    ``g·x + h ≥ 0`` (:meth:`exactnet.polyhedra.ppl_backend.PPLExact.minimize_point`).
    Returns ``(status, point)``; ``status`` is ``"optimized"``, ``"unfeasible"`` or ``"unbounded"``."""
    ge_rows = [(tuple(-c for c in g), h) for g, h in rows] + [(tuple(g), h) for g, h in extra]
    return PPLExact().minimize_point(list(objective or [0] * n), ge_rows, n)


def _coordinate_bounds(P: Polyhedron):
    """``(lower, upper)`` implied by the rows that bound one coordinate (others ignored; ``None`` =
    no such bound). ``P`` lies inside this box."""
    n = P.dim
    lower: list = [None] * n
    upper: list = [None] * n
    for a, beta in P.constraints():
        nz = [i for i, v in enumerate(a) if v != 0]
        if len(nz) != 1:
            continue
        i = nz[0]
        bound = beta / a[i]
        if a[i] > 0:
            upper[i] = bound if upper[i] is None else min(upper[i], bound)
        else:
            lower[i] = bound if lower[i] is None else max(lower[i], bound)
    return lower, upper


def _bounds_only(P: Polyhedron):
    """``(lower, upper)`` lists (``None`` = no bound) if every row bounds one coordinate, else ``None``.
    Rows without variables are returned separately as constants ``β`` of ``0 ≤ β``."""
    n = P.dim
    lower: list = [None] * n
    upper: list = [None] * n
    constants = []
    for a, beta in P.constraints():
        nz = [i for i, v in enumerate(a) if v != 0]
        if not nz:
            constants.append(beta)
            continue
        if len(nz) > 1:
            return None
        i = nz[0]
        bound = beta / a[i]
        if a[i] > 0:
            upper[i] = bound if upper[i] is None else min(upper[i], bound)
        else:
            lower[i] = bound if lower[i] is None else max(lower[i], bound)
    return lower, upper, constants


# ---------------------------------------------------------------------------------------------
# polyhedra
# ---------------------------------------------------------------------------------------------


def feasible_point(domain: Domain) -> tuple[fmpq, ...] | None:
    """A point of the domain with rational coordinates, or ``None`` if the domain is empty."""
    if isinstance(domain, Box):
        return tuple(domain.lower)
    if isinstance(domain, FiniteDomain):
        return None if any(not s for s in domain.values) else tuple(s[0] for s in domain.values)
    if isinstance(domain, PolyhedronUnion):
        for part in domain.parts:
            x = feasible_point(part)
            if x is not None:
                return x
        return None
    _check_polyhedron(domain)
    simple = _bounds_only(domain)
    if simple is not None:
        lower, upper, constants = simple
        if any(c < 0 for c in constants):
            return None
        x = []
        for lo, hi in zip(lower, upper):
            if lo is not None and hi is not None and lo > hi:
                return None
            x.append(lo if lo is not None else (hi if hi is not None else fmpq(0)))
        return tuple(x)
    lower, upper = _coordinate_bounds(domain)
    if all(lo is not None and hi is not None and lo <= hi for lo, hi in zip(lower, upper)):
        # cheap candidates (corners and centre of the bounding box), each checked exactly
        for x in (tuple(lower), tuple(upper), tuple((lo + hi) / 2 for lo, hi in zip(lower, upper))):
            if domain.contains(x):
                return x
    rows = [_integer_row(a, beta) for a, beta in domain.constraints()]
    status, point = _solve(rows, domain.dim)
    return point if status == "optimized" else None


def is_empty(domain: Domain) -> bool:
    """Exactly whether the domain has no point."""
    return feasible_point(domain) is None


def recession_direction(P: Polyhedron) -> tuple[fmpq, ...] | None:
    """A non-zero rational ``d`` with ``A d ≤ 0`` (so ``x + t·d ∈ P`` for ``x ∈ P``, ``t ≥ 0``), or
    ``None`` when the recession cone is ``{0}`` (see the module doc for the proof)."""
    if isinstance(P, Box):
        return None
    _check_polyhedron(P)
    n = P.dim
    simple = _bounds_only(P)
    if simple is not None:
        lower, upper, _ = simple
        for i, (lo, hi) in enumerate(zip(lower, upper)):
            if lo is None or hi is None:
                d = [fmpq(0)] * n
                d[i] = fmpq(1) if hi is None else fmpq(-1)
                return tuple(d)
        return None
    lower, upper = _coordinate_bounds(P)
    if all(lo is not None and hi is not None for lo, hi in zip(lower, upper)):
        return None  # inside a box
    rows = [_integer_row(a, beta) for a, beta in P.constraints()]
    if not rows:
        return tuple(fmpq(1) if i == 0 else fmpq(0) for i in range(n))
    A = fmpz_mat([g for g, _ in rows])
    if A.rank() < n:
        kernel, nullity = A.nullspace()
        for j in range(nullity):
            d = [fmpq(int(kernel[i, j])) for i in range(n)]
            if any(d):
                return tuple(d)
    total = [sum(g[i] for g, _ in rows) for i in range(n)]
    cone = [(g, 0) for g, _ in rows]
    status, d = _solve(cone, n, objective=total, extra=[(total, 1)])
    if status != "optimized":  # pragma: no cover - the LP is feasible (d = 0) and bounded below by −1
        raise AssertionError(f"recession LP: unexpected status {status}")
    value = sum((fmpq(c) * v for c, v in zip(total, d)), fmpq(0))
    return d if value < 0 else None


def is_bounded(domain: Domain) -> bool:
    """Exactly whether the domain is bounded (an empty domain is bounded)."""
    if isinstance(domain, FiniteDomain) or isinstance(domain, Box):
        return True
    if isinstance(domain, PolyhedronUnion):
        return all(is_bounded(p) for p in domain.parts)
    if is_empty(domain):
        return True
    return recession_direction(domain) is None


def require_nonempty_bounded(domain: Domain, what: str = "the domain") -> None:
    """Raise a one-line :class:`InputError` if ``domain`` is empty or unbounded (for questions, such
    as a maximum difference, that need a non-empty compact domain)."""
    if is_empty(domain):
        raise InputError(f"{what} is empty (its constraints have no common point)")
    parts = domain.parts if isinstance(domain, PolyhedronUnion) else (domain,)
    for k, part in enumerate(parts, start=1):
        if isinstance(part, (Box, FiniteDomain)) or is_empty(part):
            continue
        d = recession_direction(part)
        if d is not None:
            where = f" (part {k} of the union)" if len(parts) > 1 else ""
            shown = ", ".join(format_number(v) for v in d[:8]) + (", …" if len(d) > 8 else "")
            raise InputError(f"{what} is unbounded{where}: it contains a ray in the direction ({shown});"
                             " bound every input")


def _check_polyhedron(P) -> None:
    if not isinstance(P, Polyhedron):
        raise InputError(f"expected a domain (box, polyhedron, finite set or union), got {type(P).__name__}")


__all__ = ["Domain", "feasible_point", "is_bounded", "is_empty", "recession_direction", "require_nonempty_bounded"]
