"""Lossless compression of ReLU networks (docs/relu.md § One hidden layer: canonical form and fiber, § Hidden symmetries; docs/relu-three-layer.md).

The returned network computes exactly the same function on the domain (``R^n`` by default) and
has no more units in any hidden layer:

1. units with zero outgoing weights are removed;
2. zero-input units (constant output ``σ(b)``) are folded into the next layer's bias;
3. positively proportional units of a layer (``(w_j, b_j) = λ(w_i, b_i)``, ``λ > 0``) are merged;
4. units that are never active on the domain are removed, decided exactly: a sign test for
   deeper layers (non-positive weights on non-negative inputs), an exact LP with a Farkas
   certificate for the first layer on a domain, and for every remaining unit of a deeper layer
   the exact region enumeration (a unit is never active iff no activation region of the layers
   before it gives it label ``+1``; docs/relu.md § Activation regions, § Exactness pitfalls) —
   with real algebraic weights too (cells over the weights' number field, docs/algebraic-lp.md).

On a bounded domain a **stable-neuron analysis** runs first (:mod:`exactnet.relu.stable_neurons`,
docs/relu.md § Stable neurons): every unit gets a verdict (stably active, stably inactive, both
signs with witnesses, undecided); inactive units are removed and active ones folded
(:mod:`exactnet.relu.stable_fold`), and the region enumeration of step 4 only runs when some unit
is left undecided.

Steps 1–3 and the first two tests of step 4 are moves (:mod:`exactnet.relu.moves`); the
certificate replays them. After a stable-neuron analysis on a box the certificate is a
``relu.stable_compression`` (the proved bounds, the merges and the moves). When step 4 needed the
enumeration (or the domain is not a box), the certificate is a complete ``relu.equivalence``
proof between the input and the output instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import UnsupportedError
from ..network import Network
from ..network.domain import Box, Polyhedron
from ..progress import Progress
from .certificates import equivalence_certificate, stable_compression_certificate, symmetry_evidence
from .equivalence import equivalent
from .moves import EditableNetwork
from .normal_form import normal_form
from .regions import domain_interior_point, domain_rows, regions
from .stable_fold import StableFold, fold_stable
from .stable_neurons import UNDECIDED, StableAnalysis, stable_neurons


#: After a stable-neuron analysis that leaves units undecided, the exact region enumeration (whose
#: cost grows like the number of activation regions) runs only up to this input dimension.
MAX_ENUMERATION_INPUTS = 12


@dataclass(frozen=True)
class Compression:
    """``network`` ≡ ``original`` on the domain; ``exact_dead`` tells whether step 4 ran to the end."""

    original: Network
    network: Network
    removed_never_active: tuple[tuple[int, int], ...]  # (hidden layer, unit) in the step-3 network
    exact_dead: bool
    note: str
    certificate: dict | None
    stable: StableAnalysis | None = None  # the per-unit verdicts on a bounded domain
    fold: StableFold | None = None  # what the verdicts removed and folded
    #: the streamed ``exactnet.certificate/2`` file of a region-tree proof (``certificate_stream=``)
    certificate_file: str | None = None

    @property
    def width_before(self) -> tuple[int, ...]:
        return self.original.hidden_widths

    @property
    def width_after(self) -> tuple[int, ...]:
        return self.network.hidden_widths


def never_active_units(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
                       progress: Progress | None = None) -> set[tuple[int, int]]:
    """Hidden units ``(layer, unit)`` whose preactivation is never positive on the domain.

    Exact: a unit is active somewhere iff some activation region labels it ``+1`` (its
    preactivation is continuous, so ``≤ 0`` on a dense set means ``≤ 0`` everywhere). The
    enumeration stops as soon as every unit has been seen active.
    """
    pending = {(layer, j) for layer, w in enumerate(net.hidden_widths) for j in range(w)}
    for region in regions(net, domain, deadline=deadline, progress=progress, points=False):
        for layer, labels in enumerate(region.pattern):
            for j, lab in enumerate(labels):
                if lab == 1:
                    pending.discard((layer, j))
        if not pending:
            break
    return pending


def compress(net: Network, domain: Polyhedron | None = None, *, certificate: bool = False,
             deadline: Deadline = NO_DEADLINE, timeout: float | None = None, exact_dead: bool = True,
             progress: Progress | None = None, stable: bool = True,
             stable_deadline: Deadline | None = None, certificate_stream: str | None = None) -> Compression:
    """Losslessly compress a ReLU network (see the module docstring).

    ``exact_dead=False`` skips the region enumeration of step 4; ``timeout``/``deadline`` bound it
    (the result is then still a valid, possibly less compressed network, and says so).
    ``stable=False`` skips the stable-neuron analysis; ``stable_deadline`` (default ``deadline``)
    bounds it: when it expires the verdicts so far are used and ``stable.complete`` is false.
    ``certificate_stream`` (a path): a certificate that needs the region tree (tier d) is written
    there as ``exactnet.certificate/2`` (``certificate_file``; ``certificate`` is then ``None``).
    """
    if net.activation != "relu":
        raise UnsupportedError(f"ReLU compression needs a ReLU network, got {net.activation}")
    if timeout is not None:
        deadline = Deadline.after(timeout)
    n = net.input_dim
    rows = domain_rows(domain, n)
    if domain is not None:
        domain_interior_point(domain, n)
    rational = net.is_rational
    analysis = fold = None
    work = net
    if stable and domain is not None and rational and _bounded(domain):
        analysis = stable_neurons(net, domain, deadline=stable_deadline or deadline, progress=progress)
        fold = fold_stable(net, analysis)
        work = fold.network
    local = normal_form(work, rows if analysis is None else None, scale=False, sort=False)
    reduced = local.network
    dead: set = set()
    note = analysis.note if analysis is not None else ""
    done = True
    settled = analysis is not None and analysis.complete and all(u.verdict != UNDECIDED for u in analysis.units)
    if settled:
        pass  # every remaining unit takes both signs on the domain: none is never active
    elif analysis is not None and not analysis.complete:
        done = False  # the time limit stopped the analysis: no time is left for the enumeration
    elif analysis is not None and n > MAX_ENUMERATION_INPUTS:
        done = False
        note = (f"{analysis.counts()['undecided']} units are undecided and kept; the exact region enumeration"
                f" that would settle them is not attempted above {MAX_ENUMERATION_INPUTS} inputs")
    elif exact_dead and reduced.depth >= 2:
        try:
            dead = never_active_units(reduced, domain, deadline=stable_deadline or deadline, progress=progress)
        except TimeLimitReached:
            done = False
            note = "time limit reached while deciding never-active units exactly; those were kept"
    elif not exact_dead:
        done = False
        note = "the exact never-active test of deeper layers was skipped"
    final, moves = reduced, list(local.moves)
    if dead:
        ed = EditableNetwork.of(reduced)
        for layer, j in dead:
            ed.set_outgoing_zero(layer, j)
        second = normal_form(ed.network(), rows, scale=False, sort=False)
        final = second.network
    cert = cert_file = None
    if certificate:
        if not dead and work is net:
            cert = equivalence_certificate(net, final, True, domain, "b", symmetry_evidence(moves, ()))
        elif not dead and analysis.complete and isinstance(domain, Box):
            cert = stable_compression_certificate(net, final, domain, analysis, fold, moves)
        else:
            res = equivalent(net, final, domain, certificate=True, certificate_stream=certificate_stream)
            if res.equivalent is not True:  # pragma: no cover - would be a bug
                raise AssertionError("internal error: compression changed the function")
            cert, cert_file = res.certificate, res.certificate_file
    return Compression(net, final, tuple(sorted(dead)), done, note, cert, analysis, fold, cert_file)


def _bounded(domain: Polyhedron) -> bool:
    from ..polyhedra.domains import is_bounded

    return is_bounded(domain)


__all__ = ["Compression", "compress", "never_active_units"]
