"""Top-1 equivalence of two ReLU networks with real algebraic weights (docs/difference.md § Algebraic
weights): do they pick the same class (lowest index among the maxima) at every point of the domain?

Both networks are moved into one real number field ``K``. On a finite domain every point is
evaluated exactly. On a box, polyhedron or union of full-dimensional polyhedra, the common
refinement is enumerated with cells over ``K`` (:func:`~exactnet.relu.regions.common_refinement`);
on a closed cell ``P`` both networks are affine, and for every pair ``i ≠ j`` the question "is there
``x ∈ P`` with ``class A(x) = i`` and ``class B(x) = j``?" is the mixed system ``P ≥ 0``, ``N ≥ 0``,
``S > 0`` of the class rows (``y_i − y_k ≥ 0`` for ``k > i``, ``> 0`` for ``k < i``, for both networks).
Two exact LPs in ``(x, t)`` decide it:

* **LP1** ``max t`` on ``P ≥ 0, N ≥ t, S ≥ t, t ≤ 1``. ``t₁ > 0``: the optimal ``x`` is a witness.
  ``t₁ < 0``: no point has ``N ≥ 0`` and ``S ≥ 0``; the dual multipliers (``y ≥ 0`` on the rows tight
  at the optimum with ``e_t = −Σ y_l ∇R_l``) give ``Σ y g = 0`` on the x-part and
  ``Σ_{P,N,S} y h = t₁ − y_z < 0``: a Motzkin proof.
* **LP2** (when ``t₁ = 0``) ``max t`` on ``P ≥ 0, N ≥ 0, S ≥ t, t ≤ 1`` (feasible: LP1's point).
  ``t₂ > 0``: a witness. ``t₂ = 0``: the dual gives ``Σ_S y + y_z = 1`` and ``Σ_{P,N,S} y h = −y_z``:
  either ``y_z > 0`` (the sum is negative) or the strict rows carry weight — a Motzkin proof.

Each LP's optimum is a vertex (the polyhedron is pointed: ``x`` is bounded), proposed by HiGHS and
verified in ``K`` (:func:`~.field_difference` helpers), else found by exact vertex enumeration with
the multipliers solved exactly by phase one of the field simplex. Certificates record the region
tree and, per leaf and pair, the Motzkin multipliers (docs/certificates.md), or the witness.
"""

from __future__ import annotations

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError, UnsupportedError
from ..network import Network, common_field
from ..network.argmax import exact_argmax
from ..network.domain import Polyhedron
from ..network.domain_union import PolyhedronUnion
from ..polyhedra.field_backend import field_value, phase_one
from .field_difference import _check, _forward, _LeafRecorder, _proposed_optimum, _vertices
from .regions import common_refinement


def class_rows(out, c: int, m: int) -> list:
    """``(g, h, strict)`` for ``class(y) = c`` under the lowest-index rule: ``y_c − y_k ≥ 0`` for
    ``k > c`` and ``> 0`` for ``k < c`` (``out[k] = (g_k, h_k)``, the outputs as affine maps)."""
    rows = []
    for k in range(m):
        if k != c:
            rows.append((tuple(p - q for p, q in zip(out[c][0], out[k][0])), out[c][1] - out[k][1], k < c))
    return rows


def _lp_optimum(rows: list, n: int, deadline: Deadline):
    """``max t`` over the rows in ``(x, t)`` (a pointed polyhedron, ``t ≤ 1``): ``(t*, vertex, y)`` with
    ``y = [(l, y_l)] ≥ 0`` on the rows tight at the vertex and ``e_t = −Σ y_l ∇R_l`` (exact)."""
    c = (tuple([fmpq(0)] * n + [fmpq(1)]), fmpq(0))
    got = _proposed_optimum(rows, c, n + 1)
    if got is not None:
        v, y = got
        return v[n], v, y
    best = None
    for v in _vertices(rows, n + 1, deadline):
        if best is None or v[n] > best[n]:
            best = v
    if best is None:  # pragma: no cover - LP1 is feasible (P is non-empty), LP2 when LP1's t ≥ 0
        raise AssertionError("internal error: an infeasible class LP")
    tight = [i for i, r in enumerate(rows) if field_value(r, best) == 0]
    z = phase_one([[-rows[i][0][k] for i in tight] for k in range(n + 1)], list(c[0]), len(tight), deadline)
    if z is None:  # pragma: no cover - an optimal vertex has dual multipliers (LP duality)
        raise AssertionError("internal error: an optimal vertex without dual multipliers")
    return best[n], best, [(i, v) for i, v in zip(tight, z) if v != 0]


def _pair(cell_rows: list, cls: list, n: int, deadline: Deadline):
    """``("witness", x)`` or ``("proof", {"y", "c", "w"})`` for one pair of classes (module docstring);
    ``cls``: the class rows of both networks (:func:`class_rows`, the first network's first)."""
    zero = fmpq(0)
    cell = [(tuple(g) + (zero,), h) for g, h in cell_rows]
    top = [(tuple([zero] * n + [fmpq(-1)]), fmpq(1))]  # 1 − t ≥ 0
    for relax_nonstrict in (True, False):  # LP1, then LP2
        lp = cell + [(tuple(g) + (fmpq(-1) if strict or relax_nonstrict else zero,), h) for g, h, strict in cls] + top
        t, v, y = _lp_optimum(lp, n, deadline)
        if t > 0:
            return "witness", tuple(v[:n])
        if t < 0 or not relax_nonstrict:
            proof = {"y": [], "c": [], "w": []}
            for i, val in y:
                if i < len(cell):
                    proof["y"].append((i, val))
                elif i < len(cell) + len(cls):
                    r = i - len(cell)
                    proof["w" if cls[r][2] else "c"].append((r, val))
            return "proof", proof
    raise AssertionError("unreachable")  # pragma: no cover


def field_top1(a: Network, b: Network, domain, *, result, certificate: bool = False,
               deadline: Deadline = NO_DEADLINE, progress=None):
    """Top-1 equivalence for networks with real algebraic weights (module docstring). ``result``: the
    result class (:class:`~exactnet.relu.top1.Top1Result`, passed in by :mod:`.top1`)."""
    from .tree_record import field_number_json as num

    Top1Result = result
    _check(a, b, "inf", domain, "top-1 equivalence")
    a, b = common_field(a, b)
    n, m = a.input_dim, a.output_dim
    stats: dict = {}
    try:
        if not isinstance(domain, (Polyhedron, PolyhedronUnion)):  # a finite domain
            stats["points"] = 0
            for x in domain.points():
                deadline.check("top-1 equivalence over the finite domain")
                stats["points"] += 1
                ca, cb = exact_argmax(_forward(a, x))[0], exact_argmax(_forward(b, x))[0]
                if ca != cb:
                    return Top1Result(False, tuple(x), (ca, cb), "the networks pick different classes at a point of"
                                      " the domain (exact evaluation over the number field)", stats)
            return Top1Result(True, None, None, f"same class at all {stats['points']} points (exact evaluation over"
                              " the number field)", stats)
        recorder = _LeafRecorder() if certificate else None
        parts = domain.parts if isinstance(domain, PolyhedronUnion) else (domain,)
        roots = []
        stats["regions"] = 0
        for part in parts:
            roots.append(len(recorder.nodes) if recorder is not None else None)
            for region in _regions(a, b, part, deadline, progress, recorder, len(roots) if len(parts) > 1 else 0):
                stats["regions"] += 1
                cls_a = [class_rows(region.maps[0].rows(), i, m) for i in range(m)]
                cls_b = [class_rows(region.maps[1].rows(), j, m) for j in range(m)]
                pairs = []
                for i in range(m):
                    for j in range(m):
                        if i == j:
                            continue
                        deadline.check("top-1 equivalence over the number field")
                        kind, found = _pair(list(region.rows), cls_a[i] + cls_b[j], n, deadline)
                        if kind == "witness":
                            ca, cb = exact_argmax(_forward(a, found))[0], exact_argmax(_forward(b, found))[0]
                            if (ca, cb) != (i, j):  # pragma: no cover - the LP point satisfies the class rows
                                raise AssertionError("internal error: a class witness with other classes")
                            return Top1Result(False, found, (ca, cb), "the networks pick different classes at a"
                                              " point of the domain (exact LP over the number field, exact"
                                              " evaluation)", stats)
                        if recorder is not None:
                            pairs.append({"pair": [i, j], **{key: [[r, num(v)] for r, v in found[key]]
                                                            for key in ("y", "c", "w")}})
                if recorder is not None:
                    recorder.nodes[region.leaf]["leaf"] = {"pairs": pairs}
    except TimeLimitReached as exc:
        return Top1Result(None, None, None, str(exc), stats)
    return Top1Result(True, None, None, "the same class on every cell of the common refinement (exact LPs over the"
                      " number field)", stats, recorder.nodes if recorder is not None else None,
                      certificate_roots=tuple(roots) if recorder is not None and isinstance(domain, PolyhedronUnion)
                      else None)


class _Region:
    __slots__ = ("rows", "maps", "leaf")

    def __init__(self, rows, maps, leaf):
        self.rows, self.maps, self.leaf = rows, maps, leaf


def _regions(a, b, part, deadline, progress, recorder, index: int):
    """The cells of one part (``index``: its 1-based number in a union, 0 for a single domain), each
    with the recorder's leaf node (``-1`` without a recorder)."""
    cells = common_refinement([a, b], part, deadline=deadline, progress=progress, points=False, recorder=recorder)
    while True:
        try:
            region = next(cells)
        except StopIteration:
            return
        except InputError as exc:  # a part without interior
            if not index:
                raise
            raise UnsupportedError(f"part {index} of the union: {exc} (with algebraic weights every part must have"
                                   " interior points)") from None
        yield _Region(region.rows, region.maps, recorder.last if recorder is not None else -1)


__all__ = ["class_rows", "field_top1"]
