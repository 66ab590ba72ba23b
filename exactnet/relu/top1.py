"""Top-1 equivalence of two ReLU networks on a domain: do they pick the same class everywhere?

Certificates (``relu.top1``, box domains): the region tree of the common refinement; on every leaf and
for every pair ``i ≠ j`` a Motzkin proof that no point of the closed leaf has ``class(A) = i`` and
``class(B) = j`` (``docs/certificates.md``); or the witness point.

**Tie rule.** The class of an output vector ``y`` is the *lowest* index among its maxima
(:func:`exactnet.network.argmax.exact_argmax`, the rule of ``numpy.argmax``/``torch.argmax``). So
``argmax y = i`` iff ``y_i ≥ y_k`` for ``k > i`` and ``y_i > y_k`` for ``k < i``.

**Method** (``docs/difference.md``): the branch and bound of :mod:`.max_difference` over the
common activation refinement. On a node, exact symbolic bounds of ``A_i − A_k`` exclude classes
that cannot win anywhere on it; a node where both networks can only pick the same single class
is done. On a region where both networks are affine, for every pair ``i ≠ j`` of possible classes
one exact LP decides whether some point has ``argmax A = i`` and ``argmax B = j`` (the mixed
system of strict and non-strict inequalities, by maximising a common slack ``t``); a feasible
pair gives an exact witness, checked by exact evaluation. A trailing Softmax/LogSoftmax does not
change the class, so the importer's logits are compared (:mod:`exactnet.io.imported`). Networks
with real algebraic weights are decided by :mod:`.field_top1` (exact LPs over their number field).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError
from ..network import Network
from ..network.domain_union import PolyhedronUnion
from ..network.finite_domain import FiniteDomain
from ..progress import Progress, null_progress
from .max_difference import _check, _forward_batch, _Part, _Search, _splits, lower_dimensional

TIE_RULE = "lowest index among the maxima (numpy.argmax / torch.argmax)"


@dataclass(frozen=True)
class Top1Result:
    """``equivalent``: ``True`` (same class at every point), ``False`` (``witness`` with the two
    classes ``classes``), ``None`` (time limit; ``reason``)."""

    equivalent: bool | None
    witness: tuple | None
    classes: tuple[int, int] | None
    reason: str
    stats: dict = field(default_factory=dict)
    certificate_nodes: list | None = None
    #: a domain without interior: its affine hull (the search ran on the composed networks)
    affine_hull: object | None = None
    #: a union: the root node of each part's tree in ``certificate_nodes``
    certificate_roots: tuple | None = None


def top1_equivalent(a: Network, b: Network, domain, *, certificate: bool = False, deadline: Deadline = NO_DEADLINE,
                    progress: Progress | None = None) -> Top1Result:
    """Decide top-1 equivalence on ``domain`` exactly (module docstring). ``certificate`` (boxes
    and polyhedra): record the region tree with a Motzkin proof for every pair of classes on every leaf
    (no pruning)."""
    from ..network.domain import Polyhedron

    from ..network.argmax import exact_argmax

    from .regions import require_rational_relu

    if not (a.is_rational and b.is_rational):  # real algebraic weights: exact LPs over their field
        from .field_top1 import field_top1

        if a.output_dim < 2:
            raise InputError("top-1 equivalence needs networks with at least 2 outputs (one output is always class 0)")
        return field_top1(a, b, domain, result=Top1Result, certificate=certificate, deadline=deadline,
                          progress=progress)
    for net in (a, b):
        require_rational_relu(net, "top-1 equivalence (--top1)")
    _check(a, b, "inf", domain)
    if a.output_dim < 2:
        raise InputError("top-1 equivalence needs networks with at least 2 outputs (one output is always class 0)")
    hull = lower_dimensional(domain)
    if hull is not None:  # decided on the affine hull: t ↦ p + M t (docs/difference.md)
        from dataclasses import replace

        from ..network.precompose import precompose

        if hull.dim == 0:
            res = top1_equivalent(a, b, FiniteDomain.product([[v] for v in hull.point]), deadline=deadline,
                                  progress=progress)
            return replace(res, affine_hull=hull)
        res = top1_equivalent(precompose(a, hull.point, hull.basis), precompose(b, hull.point, hull.basis),
                              hull.reduced, certificate=certificate, deadline=deadline, progress=progress)
        return replace(res, witness=None if res.witness is None else hull.embed(res.witness), affine_hull=hull)
    certificate = certificate and isinstance(domain, (Polyhedron, PolyhedronUnion))
    search = _Search(a, b, "inf", None, certificate, deadline, progress or null_progress())
    search.top1 = True
    try:
        if isinstance(domain, FiniteDomain):
            import itertools

            points = domain.points()
            while True:
                chunk = list(itertools.islice(points, 256))
                if not chunk:
                    break
                deadline.check()
                for x, ya, yb in zip(chunk, _forward_batch(search.na, chunk), _forward_batch(search.nb, chunk)):
                    ca, cb = exact_argmax(ya)[0], exact_argmax(yb)[0]
                    if ca != cb:
                        return Top1Result(False, tuple(x), (ca, cb), "the networks pick different classes at a point"
                                          " of the domain (exact evaluation)", search.stats)
            return Top1Result(True, None, None, f"same class at all {domain.size} points (exact enumeration)",
                              search.stats)
        parts = domain.parts if isinstance(domain, PolyhedronUnion) else (domain,)
        from ..polyhedra.domains import is_empty

        if any(is_empty(part) for part in parts):
            certificate = search.cert = False  # an empty part has no tree (and no emptiness proof yet)
        for part in parts:
            if is_empty(part):
                continue
            if _splits(search, part):  # input splitting first (few inputs)
                from .box_splitting import split_boxes

                search.propose(_Part(tuple(part.lower), tuple(part.upper), 0), part.contains)
                if not search.settled:
                    split_boxes(search, part)
            else:
                search.run_polyhedron(part)
            if search.top1_witness is not None:
                x, ca, cb = search.top1_witness
                return Top1Result(False, x, (ca, cb), "the networks pick different classes at a point of the domain"
                                  " (exact LP on a region, exact evaluation)", search.stats)
    except TimeLimitReached as exc:
        return Top1Result(None, None, None, str(exc), search.stats)
    return Top1Result(True, None, None, "the same class on every region of the common refinement (exact bounds and"
                      " exact LPs)", search.stats, search.tree if certificate else None,
                      certificate_roots=tuple(search.roots) if certificate and isinstance(domain, PolyhedronUnion)
                      else None)


__all__ = ["TIE_RULE", "Top1Result", "top1_equivalent"]
