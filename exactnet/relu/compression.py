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

Steps 1–3 and the first two tests of step 4 are moves (:mod:`exactnet.relu.moves`); the
certificate replays them. When step 4 needed the enumeration, the certificate is a complete
``relu.equivalence`` proof between the input and the output instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import UnsupportedError
from ..network import Network
from ..network.domain import Polyhedron
from ..progress import Progress
from .certificates import equivalence_certificate, symmetry_evidence
from .equivalence import equivalent
from .moves import EditableNetwork
from .normal_form import normal_form
from .regions import domain_interior_point, domain_rows, regions


@dataclass(frozen=True)
class Compression:
    """``network`` ≡ ``original`` on the domain; ``exact_dead`` tells whether step 4 ran to the end."""

    original: Network
    network: Network
    removed_never_active: tuple[tuple[int, int], ...]  # (hidden layer, unit) in the step-3 network
    exact_dead: bool
    note: str
    certificate: dict | None

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
             progress: Progress | None = None) -> Compression:
    """Losslessly compress a ReLU network (see the module docstring).

    ``exact_dead=False`` skips the region enumeration of step 4; ``timeout``/``deadline`` bound it
    (the result is then still a valid, possibly less compressed network, and says so).
    """
    if net.activation != "relu":
        raise UnsupportedError(f"ReLU compression needs a ReLU network, got {net.activation}")
    if timeout is not None:
        deadline = Deadline.after(timeout)
    n = net.input_dim
    rows = domain_rows(domain, n)
    if domain is not None:
        domain_interior_point(domain, n)
    local = normal_form(net, rows, scale=False, sort=False)
    reduced = local.network
    dead: set = set()
    note = ""
    done = True
    if exact_dead and reduced.depth >= 2:
        try:
            dead = never_active_units(reduced, domain, deadline=deadline, progress=progress)
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
    cert = None
    if certificate:
        if not dead:
            cert = equivalence_certificate(net, final, True, domain, "b", symmetry_evidence(moves, ()))
        else:
            res = equivalent(net, final, domain, certificate=True)
            if res.equivalent is not True:  # pragma: no cover - would be a bug
                raise AssertionError("internal error: compression changed the function")
            cert = res.certificate
    return Compression(net, final, tuple(sorted(dead)), done, note, cert)


__all__ = ["Compression", "compress", "never_active_units"]
