"""Input splitting in front of the exact region search, for boxes of few inputs (``docs/difference.md``).

On networks with few inputs and many deep units (ACAS-Xu-size, 5 inputs and 300 units) the
bounds of the region search are loose on the whole box, while the symbolic difference bounds of
:mod:`.box_bounds` become tight on small boxes. So a box domain with at most :data:`MAX_INPUTS`
inputs is first split into sub-boxes, best bound first:

* a sub-box is **dropped** for a target ``(k, s)`` when an *exact* bound shows ``s·(A_k − B_k)``
  cannot exceed the threshold there (``ε``, or the best value attained so far for output ``k``).
  The float64 version of the same bound only proposes when to compute the exact one;
* its centre is evaluated exactly (a witness may settle an ε question);
* a sub-box on which at most :data:`HANDOFF_UNSTABLE` units of the two networks have an undecided
  sign (or after :data:`MAX_DEPTH` halvings) is handed to the exact region search, which settles it
  completely (exact LPs on its few regions);
* otherwise it is halved along the input with the largest contribution to the bounds' width.

Every sub-box keeps the smallest exact bound proved for it or an ancestor, so when the time limit
stops the search the open sub-boxes still give an exact upper end of the interval.

**Two bounds** for two networks of the same widths (with or without a certificate): the
forward forms of :mod:`.box_bounds` and the back-substituted ones of :mod:`.backsub_bounds`, much
tighter on deep nearby pairs but about 15× slower exactly. Both run in float on every sub-box; a
sub-box the float bounds can drop is proved by the exact forward forms when they suffice, else by
the exact back-substituted bound; the vertices maximising the back-substituted linear bounds are
evaluated as candidate witnesses; a sub-box with more than :data:`WIDEST_ABOVE` undecided units is
halved along its relatively widest input (its width over the domain's), ties broken by the forward
spread, one with fewer along the largest forward spread. For top-1, a sub-box that the float
back-substituted class bounds call settled is queued last and proved exactly when it comes back
(a witness is searched for first). On the retrained ACAS-size pair on
``[−0.5, 0.5]^5`` (float bounds, ε = 0.05 / 0.03) that takes 147 / 243 sub-boxes, against 207 / 377
along the largest forward spread and 257 along the largest back-substituted one.

**Certificates** (``box_split`` evidence, ``docs/certificates.md``): with ``search.cert`` the
same splitting records its tree in ``search.box_tree`` — node 0 is the domain box, a split is
``[coordinate, cut]`` with the two halves as children, a node where an exact forward bound was
computed carries ``"bound": {"method": "box_difference_forms", "bits": ...}`` (the checker recomputes
it), one where an exact back-substituted bound was computed ``{"method": "backsub", "layers": ...}``
(its payload, which the checker verifies; a list of both when both were computed there), and a
sub-box handed to the region search carries that search's region tree (``"leaf"``, with the targets
the bounds had already closed left out of it). When the splitting is abandoned the whole box gets
one region tree and ``search.box_tree`` is ``None``.
"""

from __future__ import annotations

import heapq
import itertools

from flint import fmpq

from ..network.domain import Box
from .backsub_bounds import BacksubPair
from .box_bounds import BITS, CompiledPair, box_bounds

#: Box domains with at most this many inputs are split before the region search.
MAX_INPUTS = 8
#: A sub-box with at most this many undecided units goes to the exact region search.
HANDOFF_UNSTABLE = 4
#: Halvings after which a sub-box goes to the exact region search whatever its bounds.
MAX_DEPTH = 48
#: At most one sub-box in this many gets an exact bound only to tighten the interval's upper end.
EXACT_EVERY = 25
#: After this many hand-offs to the region search, the splitting stops and the region search runs
#: once on the whole box. A maximum attained along a whole face or segment keeps every sub-box
#: that touches it alive (no bound can drop a box containing a maximiser), so halving would go on
#: producing thin slivers there, each searched on its own; one search of the whole box is then far
#: cheaper, and it is complete.
MAX_HANDOFFS = 64
#: With the back-substituted bounds, a sub-box with more undecided units than this is halved along
#: its relatively widest input, one with fewer along the largest forward spread (which decides
#: units faster on the way to the hand-off).
WIDEST_ABOVE = 32


def split_boxes(search, box: Box) -> None:
    """Run the input splitting of the module docstring on ``box`` for the search ``search`` (a
    :class:`exactnet.relu.max_difference._Search` in sup-norm mode); sub-boxes it cannot drop are
    searched by ``search.run_polyhedron``. On a time limit, ``search.box_open`` holds the exact
    bounds of the sub-boxes still open."""
    na, nb = search.na, search.nb
    fpair = CompiledPair(na.hat, nb.hat, exact=False)
    epair = CompiledPair(na.hat, nb.hat, exact=True)
    # the back-substituted bounds (same widths)
    bpair = BacksubPair(na.hat, nb.hat) if BacksubPair.applies(na.hat, nb.hat) else None
    targets = range(2 * search.m)
    counter = itertools.count()
    root = box_bounds(epair, box.lower, box.upper)
    search.stats["exact_box_bounds"] = 1
    proved = root.upper if not search.top1 else (root.classes_a, root.classes_b)
    search.box_tree = [{}] if search.cert else None
    if search.cert and not search.top1:
        _record_bound(search, 0)
    if bpair is not None and not search.top1:  # the back-substituted bound of the whole box (the first upper end)
        eb = bpair.exact_bounds(box.lower, box.upper)
        proved = tuple(min(p, q) for p, q in zip(proved, eb.upper))
        search.stats["exact_backsub_bounds"] = 1
        _record_backsub(search, 0, eb)
    width = tuple(hi - lo for lo, hi in zip(box.lower, box.upper))
    fpair = (fpair, bpair, width)
    heap = [(0.0, next(counter), tuple(box.lower), tuple(box.upper), proved, 0, 0)]
    search.box_open = heap
    search.rest_unknown = False
    search.more_parts = False

    def threshold(t):
        return search.best.threshold(t, search.epsilon)

    while heap and not search.settled:
        search.deadline.check()
        if search.stats.get("handed_to_regions", 0) >= MAX_HANDOFFS:
            search.stats["splitting_abandoned"] = 1
            search.box_open = []
            search.rest_unknown = True
            search.box_tree = None  # the whole box's region tree is the certificate
            search.run_polyhedron(box)
            return
        entry = heapq.heappop(heap)
        try:
            _one(search, heap, counter, entry, fpair, epair, targets, threshold)
        except BaseException:
            heapq.heappush(heap, entry)
            raise
    search.box_open = []


def _one(search, heap, counter, entry, fpair, epair, targets, threshold) -> None:
    if search.top1:
        return _one_top1(search, heap, counter, entry, fpair, epair)
    _, _, lower, upper, proved, depth, node = entry
    fpair, bpair, width = fpair
    search.stats["boxes"] = search.stats.get("boxes", 0) + 1
    live = [t for t in targets if threshold(t) is None or proved[t] > threshold(t)]
    if not live:
        search.stats["pruned"] += 1
        return
    flo, fhi = [float(v) for v in lower], [float(v) for v in upper]
    fb = box_bounds(fpair, flo, fhi)
    bb = bpair.float_bounds(flo, fhi) if bpair is not None else None
    centre = tuple((lo + hi) / 2 for lo, hi in zip(lower, upper))
    # candidate witnesses: the centre, and the vertices maximising the back-substituted linear bounds
    vertices = [] if bb is None else sorted({bb.corners[t] for t in live})
    search.offer_batch([centre] + [tuple(u if c else lw for lw, u, c in zip(lower, upper, v)) for v in vertices])
    if search.settled:
        return
    fup = fb.upper if bb is None else tuple(min(p, q) for p, q in zip(fb.upper, bb.upper))
    float_live = [t for t in live if threshold(t) is None or fup[t] > float(threshold(t))]
    if float_live and float(max(proved[t] for t in live)) > 2 * max(fb.upper[t] for t in live) and \
            search.stats.get("exact_box_bounds", 0) * EXACT_EVERY < search.stats["boxes"]:
        # now and then an exact bound where the proved one is much looser (the interval's upper end)
        eb = box_bounds(epair, lower, upper)
        search.stats["exact_box_bounds"] = search.stats.get("exact_box_bounds", 0) + 1
        _record_bound(search, node)
        proved = tuple(min(p, q) for p, q in zip(proved, eb.upper))
    if not float_live:  # the float bound says the box cannot matter: prove it exactly
        if bb is None or all(threshold(t) is None or fb.upper[t] <= float(threshold(t)) for t in live):
            eb = box_bounds(epair, lower, upper)  # the forward bound suffices (and is cheaper)
            search.stats["exact_box_bounds"] = search.stats.get("exact_box_bounds", 0) + 1
            _record_bound(search, node)
        else:
            eb = bpair.exact_bounds(lower, upper)
            search.stats["exact_backsub_bounds"] = search.stats.get("exact_backsub_bounds", 0) + 1
            _record_backsub(search, node, eb)
        proved = tuple(min(p, q) for p, q in zip(proved, eb.upper))
        live = [t for t in targets if threshold(t) is None or proved[t] > threshold(t)]
        if not live:
            search.stats["pruned"] += 1
            return
    unstable = fb.unstable if bb is None else min(fb.unstable, bb.unstable)
    if unstable <= HANDOFF_UNSTABLE or depth >= MAX_DEPTH:
        closed = tuple(t for t in targets if threshold(t) is not None and proved[t] <= threshold(t))
        _hand_off(search, heap, entry, lower, upper, node, closed)
        return
    if bpair is None or unstable <= WIDEST_ABOVE:
        j = max(range(len(lower)), key=lambda i: (fb.spread[i], upper[i] - lower[i]))
    else:  # many undecided units: bisect the relatively widest input (measured: fewer sub-boxes)
        j = max(range(len(lower)), key=lambda i: ((upper[i] - lower[i]) / width[i] if width[i] else 0, fb.spread[i]))
    mid = (lower[j] + upper[j]) / 2
    score = -max(fup[t] for t in live)
    for child, (lo_j, hi_j) in zip(_record_split(search, node, j, mid), ((lower[j], mid), (mid, upper[j]))):
        lo, hi = list(lower), list(upper)
        lo[j], hi[j] = fmpq(lo_j), fmpq(hi_j)
        heapq.heappush(heap, (score, next(counter), tuple(lo), tuple(hi), proved, depth + 1, child))


def _record_bound(search, node) -> None:
    """Certificates: an exact difference-form bound was computed on the sub-box ``node``."""
    _record(search, node, {"method": "box_difference_forms", "bits": BITS})


def _record_backsub(search, node, eb) -> None:
    """Certificates: an exact back-substituted bound was computed on the sub-box ``node``; its
    payload (intervals and slopes) lets the checker recompute it."""
    if search.box_tree is not None:
        _record(search, node, {"method": "backsub", **eb.payload.as_json()})


def _record(search, node, spec: dict) -> None:
    """``"bound"`` of a node is one bound object, or a list of them when several were computed there."""
    if search.box_tree is None:
        return
    nd = search.box_tree[node]
    have = nd.get("bound")
    if have is None:
        nd["bound"] = spec
    elif isinstance(have, dict):
        if have != spec:
            nd["bound"] = [have, spec]
    elif spec not in have:
        have.append(spec)


def _record_split(search, node, j: int, cut) -> tuple:
    """Certificates: the sub-box ``node`` is cut at ``x_j = cut``; the children's node numbers."""
    tree = search.box_tree
    if tree is None:
        return (None, None)
    tree.extend([{}, {}])
    children = (len(tree) - 2, len(tree) - 1)
    tree[node]["split"] = [j, _q(cut)]
    tree[node]["children"] = list(children)
    return children


def _q(x) -> str | int:
    return int(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def _hand_off(search, heap, entry, lower, upper, node, closed=()) -> None:
    """The exact region search on the sub-box (open, with its exact bound, while it runs). With a
    certificate, the region tree it records moves from ``search.tree`` into the sub-box's leaf, its
    node numbers counted from the leaf's own root; ``closed`` targets (already proved on the sub-box
    by the bounds of its path) are left out of it."""
    search.stats["handed_to_regions"] = search.stats.get("handed_to_regions", 0) + 1
    heapq.heappush(heap, entry)
    start = len(search.tree)
    search.run_polyhedron(Box.from_bounds(list(lower), list(upper)), subbox=True,
                          closed=closed if search.cert else ())
    heap.remove(entry)
    heapq.heapify(heap)
    if search.box_tree is not None and not search.settled:
        nodes = search.tree[start:]
        del search.tree[start:]
        search.roots.pop()
        for nd in nodes:
            if "children" in nd:
                nd["children"] = [c - start for c in nd["children"]]
        search.box_tree[node]["leaf"] = {"method": "regions", "nodes": nodes}



def _single_class(bounds) -> bool:
    return len(bounds.classes_a) == 1 and bounds.classes_a == bounds.classes_b


def _one_top1(search, heap, counter, entry, fpair, epair) -> None:
    """Top-1: a sub-box is done when an exact bound shows that both networks can pick only the same
    single class on it (the float bound proposes when to compute it)."""
    _, _, lower, upper, deferred, depth, node = entry
    fpair, bpair, _ = fpair
    if deferred == "backsub":  # its float class bounds said settled: now prove it exactly
        eb = bpair.exact_bounds(lower, upper)
        search.stats["exact_backsub_bounds"] = search.stats.get("exact_backsub_bounds", 0) + 1
        if _single_class(eb):
            search.stats["pruned"] += 1
            _record_backsub(search, node, eb)
            return
        bpair = None  # the proposal was wrong: go on with the forward bounds alone
    search.stats["boxes"] = search.stats.get("boxes", 0) + 1
    centre = tuple((lo + hi) / 2 for lo, hi in zip(lower, upper))
    search.offer(centre)
    if search.settled:
        return
    flo, fhi = [float(v) for v in lower], [float(v) for v in upper]
    fb = box_bounds(fpair, flo, fhi)
    bb = bpair.float_bounds(flo, fhi) if bpair is not None else None
    if _single_class(fb):
        eb = box_bounds(epair, lower, upper)
        search.stats["exact_box_bounds"] = search.stats.get("exact_box_bounds", 0) + 1
        if _single_class(eb):
            search.stats["pruned"] += 1
            _record_bound(search, node)
            return
    if bb is not None and _single_class(bb):
        # the back-substituted class bounds say settled: prove it exactly later (last in the
        # queue), so that a witness, if there is one, is searched for first among the open boxes
        heapq.heappush(heap, (1.0, next(counter), lower, upper, "backsub", depth, node))
        return
    unstable = fb.unstable if bb is None else min(fb.unstable, bb.unstable)
    if unstable <= HANDOFF_UNSTABLE or depth >= MAX_DEPTH:
        _hand_off(search, heap, entry, lower, upper, node)
        return
    j = max(range(len(lower)), key=lambda i: (fb.spread[i], upper[i] - lower[i]))
    mid = (lower[j] + upper[j]) / 2
    score = -float(len(fb.classes_a) + len(fb.classes_b))
    for child, (lo_j, hi_j) in zip(_record_split(search, node, j, mid), ((lower[j], mid), (mid, upper[j]))):
        lo, hi = list(lower), list(upper)
        lo[j], hi[j] = fmpq(lo_j), fmpq(hi_j)
        heapq.heappush(heap, (score, next(counter), tuple(lo), tuple(hi), None, depth + 1, child))


def open_bound(search):
    """The largest exact bound of an open sub-box (``None`` when none is open)."""
    if search.top1:
        return None
    tops = [max(e[4]) for e in getattr(search, "box_open", [])]
    return max(tops) if tops else None


__all__ = ["HANDOFF_UNSTABLE", "MAX_DEPTH", "MAX_INPUTS", "open_bound", "split_boxes"]
