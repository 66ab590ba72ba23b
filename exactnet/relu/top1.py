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
from .max_difference import _check, _Part, _Search, _splits, certificate_evidence, lower_dimensional
from .symbolic_bounds import forward_batch

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
    #: box splitting with a certificate: the split tree of the box (``certificate_nodes`` is ``None``)
    certificate_boxes: list | None = None
    #: after a time limit (``equivalent is None``): what was proved so far (:class:`Top1Progress`)
    progress: "Top1Progress | None" = None


@dataclass(frozen=True)
class Top1Progress:
    """What a top-1 search stopped by the time limit has proved (``docs/difference.md``).

    ``agreed_fraction``: an exact rational lower bound on the share of the domain where both networks
    are proved to pick the same class — by volume (``measure == "volume"``: a box searched by input
    splitting, ``1 − vol(open sub-boxes)/vol(box)``; every sub-box that left the queue was proved to
    have one common class, or was searched completely by the region search) or by points
    (``"points"``: a finite domain, points evaluated / points); ``None`` when the search has no exact
    measure of what it closed (the region search on a polyhedron: its regions are polytopes whose
    volume is not computed). ``open_boxes``: sub-boxes of the input splitting still open;
    ``open_regions``: nodes of the region search still open (in the part or sub-box being searched);
    ``closed_regions``: regions (leaves) of the common refinement proved; ``parts_done`` of
    ``parts`` for a union."""

    agreed_fraction: object | None
    measure: str | None
    open_boxes: int = 0
    open_regions: int = 0
    closed_regions: int = 0
    parts_done: int = 0
    parts: int = 1

    def to_json(self) -> dict:
        from ..numbers import format_number

        return {"agreed_fraction": None if self.agreed_fraction is None else format_number(self.agreed_fraction),
                "agreed_measure": self.measure, "open_boxes": self.open_boxes, "open_regions": self.open_regions,
                "closed_regions": self.closed_regions, "parts_done": self.parts_done, "parts": self.parts}


def _volume(lower, upper):
    from flint import fmpq

    v = fmpq(1)
    for lo, hi in zip(lower, upper):
        v *= hi - lo
    return v


def _box_progress(search, part, parts_done: int, parts: int) -> Top1Progress:
    """The proof so far of a search stopped on ``part`` (module docstring of :class:`Top1Progress`)."""
    from ..network.domain import Box

    from flint import fmpq

    open_boxes = {e[1]: e for e in getattr(search, "box_open", [])}  # an entry may be queued twice
    regions = len(search.heap)
    fraction = None
    # a volume only while the input splitting runs on a single box: its queue is then never empty
    # (the sub-box being worked on is queued again when the time limit interrupts it)
    if isinstance(part, Box) and parts == 1 and open_boxes and _splits(search, part) \
            and not search.stats.get("splitting_abandoned"):
        open_volume = sum((_volume(e[2], e[3]) for e in open_boxes.values()), fmpq(0))
        fraction = 1 - open_volume / _volume(part.lower, part.upper)
    return Top1Progress(fraction, "volume" if fraction is not None else None, len(open_boxes), regions,
                        search.stats.get("leaves", 0), parts_done, parts)


def top1_equivalent(a: Network, b: Network, domain, *, certificate: bool = False, deadline: Deadline = NO_DEADLINE,
                    progress: Progress | None = None, box_splitting: bool = True) -> Top1Result:
    """Decide top-1 equivalence on ``domain`` exactly (module docstring). ``certificate`` (boxes
    and polyhedra): record the region tree with a Motzkin proof for every pair of classes on every leaf
    (no pruning); on boxes of few inputs, unless ``box_splitting`` is false, the split tree of
    :mod:`.box_splitting` (``certificate_boxes``) whose leaves are such region trees."""
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
                              hull.reduced, certificate=certificate, deadline=deadline, progress=progress,
                              box_splitting=box_splitting and not certificate)  # (hull certificates: a region tree)
        return replace(res, witness=None if res.witness is None else hull.embed(res.witness), affine_hull=hull)
    certificate = certificate and isinstance(domain, (Polyhedron, PolyhedronUnion))
    current = None  # (the part being searched, parts done before it), for a time limit's report
    parts = ()
    search = _Search(a, b, "inf", None, certificate, deadline, progress or null_progress())
    search.top1 = True
    search.split_boxes = box_splitting
    try:
        if isinstance(domain, FiniteDomain):
            import itertools

            points = domain.points()
            checked = 0
            while True:
                chunk = list(itertools.islice(points, 256))
                if not chunk:
                    break
                try:
                    deadline.check()
                except TimeLimitReached as exc:
                    from flint import fmpq

                    done = Top1Progress(fmpq(checked, domain.size), "points", parts_done=0)
                    return Top1Result(None, None, None, f"{exc}; the classes agree at {checked} of the {domain.size}"
                                      " points (exact enumeration so far)", search.stats, progress=done)
                for x, ya, yb in zip(chunk, forward_batch(search.na, chunk), forward_batch(search.nb, chunk)):
                    ca, cb = exact_argmax(ya)[0], exact_argmax(yb)[0]
                    if ca != cb:
                        return Top1Result(False, tuple(x), (ca, cb), "the networks pick different classes at a point"
                                          " of the domain (exact evaluation)", search.stats)
                checked += len(chunk)
            return Top1Result(True, None, None, f"same class at all {domain.size} points (exact enumeration)",
                              search.stats)
        parts = domain.parts if isinstance(domain, PolyhedronUnion) else (domain,)
        from ..polyhedra.domains import is_empty

        if any(is_empty(part) for part in parts):
            certificate = search.cert = False  # an empty part has no tree (and no emptiness proof yet)
        for done, part in enumerate(parts):
            current = (part, done)
            if is_empty(part):
                continue
            union_tree = search.cert and isinstance(domain, PolyhedronUnion)  # (one region tree per part)
            if _splits(search, part) and not union_tree:  # input splitting first (few inputs)
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
        progress = _box_progress(search, current[0], current[1], len(parts)) if current is not None else None
        return Top1Result(None, None, None, str(exc) + _known(progress), search.stats, progress=progress)
    nodes, boxes = certificate_evidence(search) if certificate else (None, None)
    return Top1Result(True, None, None, "the same class on every region of the common refinement (exact bounds and"
                      " exact LPs)", search.stats, nodes, certificate_boxes=boxes,
                      certificate_roots=tuple(search.roots) if certificate and isinstance(domain, PolyhedronUnion)
                      else None)


def _known(progress: Top1Progress | None) -> str:
    """The sentence that says what a stopped search has proved."""
    if progress is None:
        return ""
    from ..numbers import format_number

    said = []
    if progress.agreed_fraction is not None:
        said.append(f"the classes are proved to agree on a share {format_number(progress.agreed_fraction)} of the"
                    f" domain's {progress.measure}")
    if progress.open_boxes:
        said.append(f"{progress.open_boxes} sub-boxes open")
    if progress.open_regions or progress.closed_regions:
        said.append(f"{progress.closed_regions} regions proved, {progress.open_regions} open")
    if progress.parts > 1:
        said.append(f"{progress.parts_done} of {progress.parts} parts done")
    return "; " + ", ".join(said) if said else ""


__all__ = ["TIE_RULE", "Top1Progress", "Top1Result", "top1_equivalent"]
