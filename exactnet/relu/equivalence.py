"""Complete, exact functional equivalence of ReLU networks of any depth, in four tiers.

``equivalent(A, B, domain=None)`` decides ``A(x) = B(x)`` for every ``x ∈ R^n`` (or every ``x`` of a
full-dimensional polyhedral domain); depths and widths may differ.

* **(s)** both networks have exactly two hidden layers, rational weights, and no domain is given:
  the structural tier of :mod:`exactnet.relu.three_layer` (docs/relu-three-layer.md §5) runs first.
  ``True`` comes with fact-checked chains of mechanism moves to a common canonical parameter (the
  chain from ``A`` to ``B`` re-verified when a certificate is written), ``False`` with an
  exact witness; when a hypothesis fails (not bottleneck, an unclassified neuron, ...) or no witness
  is found, the reason is recorded in ``notes`` and the tiers below decide.

* **(a)** both networks have at most one hidden layer: the exact canonical form (docs/relu.md § One hidden layer: canonical form and fiber,
  on domains) decides; a differing form yields a witness (the kink of ``A − B``).
* **(b)** any depth: equal symmetry normal forms (:mod:`exactnet.relu.normal_form`) prove
  equivalence (fast, sufficient only).
* **(c)** exact evaluation at rational probe points (:mod:`exactnet.relu.probes`): a differing
  probe is a witness (fast, sufficient only).
* **(d)** the complete procedure (docs/relu.md § Activation regions): enumerate the common refinement of the regions
  of both (normal-form-reduced) networks and compare the exact affine maps on every
  full-dimensional cell. ``A ≡ B`` iff they agree on every cell (the cells are dense and
  ``A − B`` is continuous); a cell where they differ contains an exact witness.

The result says which tier decided. Certificates (``exactnet check``): ``relu.equivalence`` with
evidence ``witness`` (not equivalent), ``canonical_form`` (a), ``symmetry_moves`` (b) or
``three_layer_moves`` (s), ``region_tree`` (d: the moves to the reduced networks, then the enumeration tree with a Farkas
certificate for every sign fixed without a split and an interior point and the common affine
map at every leaf; checkable with rational arithmetic alone — field arithmetic for real
algebraic weights — see :mod:`exactnet.check.relu`).

Real algebraic weights (all moved into one common number field) go through every tier; tier (d)
then enumerates cells whose rows live in that field (exact LPs over the field,
docs/algebraic-lp.md) and its certificate states every field number by its coordinates in the
field's power basis (docs/certificates.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError, NetworkError, UnsupportedError
from ..network import Network, common_field, forward_exact
from ..network.domain import Polyhedron
from ..progress import Progress, null_progress
from .canonical import compare_shallow, separating_point
from .certificates import (
    StreamTreeRecorder, TreeRecorder, canonical_evidence, equivalence_certificate, region_tree_evidence,
    region_tree_stream_header, stream_records, symmetry_evidence, three_layer_evidence, witness_evidence,
)
from .normal_form import NormalForm, normal_form
from .probes import find_witness, probe_points
from .regions import domain_interior_point, domain_rows, walk
from .subtrees import compare_on

KIND = "relu.equivalence"

#: What each tier does (the ``method`` key of ``exactnet equiv --json``).
TIER_METHODS = {"s": "three_layer_structural", "a": "one_hidden_layer_canonical_form", "b": "symmetry_normal_form",
                "c": "probe_points", "d": "region_refinement"}


def _cert(a, b, value, domain, tier, evidence, wanted):
    """The certificate when one is wanted (``evidence`` may be a thunk, evaluated only then); built
    by :mod:`exactnet.relu.certificates`."""
    if not wanted:
        return None
    if callable(evidence):
        evidence = evidence()
    return equivalence_certificate(a, b, value, domain, tier, evidence)


@dataclass(frozen=True)
class EquivalenceResult:
    """``equivalent``: ``True``/``False``/``None`` (unknown); ``tier`` that decided (``"s"``, ``"a"``–``"d"``);
    ``notes``: why an earlier tier did not decide (e.g. the structural tier's reason); ``certificate``
    (an ``exactnet.certificate/1`` object) or ``certificate_file`` (a streamed ``exactnet.certificate/2``
    file) when a certificate was asked for."""

    equivalent: bool | None
    tier: str | None
    reason: str
    witness: tuple | None = None
    certificate: dict | None = None
    stats: dict = field(default_factory=dict)
    notes: tuple = ()
    #: the streamed certificate file written for a tier (d) proof (``certificate_stream=``), if any
    certificate_file: str | None = None

    @property
    def verdict(self) -> bool | None:
        """The answer, as every family's result names it (``True``/``False``/``None`` = unknown)."""
        return self.equivalent


def check_inputs(a: Network, b: Network, domain: Polyhedron | None) -> None:
    for name, net in (("first", a), ("second", b)):
        if not isinstance(net, Network):
            raise NetworkError(f"the {name} argument is not a Network")
        if net.activation != "relu":
            raise UnsupportedError(f"ReLU equivalence needs ReLU networks; the {name} network is {net.activation}")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        raise InputError(
            f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
            f" the second R^{b.input_dim} → R^{b.output_dim}"
        )
    if domain is not None and domain.dim != a.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the networks take {a.input_dim} inputs")


def equivalent(a: Network, b: Network, domain: Polyhedron | None = None, *, certificate: bool = False,
               deadline: Deadline = NO_DEADLINE, timeout: float | None = None, progress: Progress | None = None,
               method: str = "auto", tiers: str = "sabcd", executor=None,
               certificate_stream: str | None = None) -> EquivalenceResult:
    """Decide whether ``a`` and ``b`` compute the same function (on ``R^n`` or on ``domain``).

    ``certificate=True`` attaches a ``relu.equivalence`` certificate. ``timeout`` (seconds) or
    ``deadline`` bound tier (d); when reached the answer is unknown (``equivalent is None``).
    ``tiers`` selects the tiers that may run (default all; e.g. ``"d"`` runs only the complete
    procedure, which is how the tiers are cross-checked). ``executor``
    (:mod:`exactnet.distributed`): tier (d) runs as subtree tasks on it, with the same answer and
    certificate (docs/distributed.md). ``certificate_stream`` (a path, with ``certificate=True``): a
    tier (d) proof of equivalence for rational networks is written there in the streamed format
    ``exactnet.certificate/2`` (gzip when the path ends with ``.gz``; serially as it is found, with
    bounded memory; with an executor from the merged tree); ``result.certificate_file`` names it and
    ``result.certificate`` is ``None``. Every other certificate is an ``exactnet.certificate/1`` object.
    """
    notes: list = []
    res = _equivalent(a, b, domain, certificate, deadline, timeout, progress, method, tiers, notes, executor,
                      certificate_stream)
    if not notes:
        return res
    reason = res.reason
    missing = [x for x in notes if x not in reason]
    if missing:
        reason += " (" + "; ".join(missing) + ")"
    return replace(res, reason=reason, notes=tuple(notes))


def _equivalent(a, b, domain, certificate, deadline, timeout, progress, method, tiers, notes,
                executor=None, certificate_stream=None) -> EquivalenceResult:
    check_inputs(a, b, domain)
    if timeout is not None:
        deadline = Deadline.after(timeout)
    progress = progress or null_progress()
    orig_a, orig_b = a, b
    a, b = common_field(a, b)
    n = a.input_dim
    rational = a.is_rational and b.is_rational
    rows = domain_rows(domain, n)
    point = domain_interior_point(domain, n) if domain is not None else None

    # (s) two hidden layers each: the structural tier (docs/relu-three-layer.md §5)
    if "s" in tiers and (a.depth == 2 or b.depth == 2):
        decided = _tier_s(a, b, orig_a, orig_b, domain, rational, certificate, notes, deadline, progress)
        if decided is not None:
            return decided

    # (a) at most one hidden layer: canonical forms decide
    if "a" in tiers and a.depth <= 1 and b.depth <= 1:
        try:
            comparison = compare_shallow(a, b, rows)
        except UnsupportedError as exc:
            notes.append(f"tier (a) skipped: {exc}")
        else:
            if comparison.equivalent:
                evidence = lambda: canonical_evidence(comparison, rows, point)  # noqa: E731
                return EquivalenceResult(True, "a", "equal canonical forms (one hidden layer)",
                                         certificate=_cert(orig_a, orig_b, True, domain, "a", evidence, certificate))
            x = separating_point(a, b, comparison, rows, point)
            if x is None:
                x = find_witness(a, b, probe_points(n, 64, rows, point))
            if x is None:
                try:
                    x = _tier_d(a, b, domain, rows, (), (), deadline, progress, method, False).witness
                except TimeLimitReached:
                    x = None
            if x is not None:
                return EquivalenceResult(False, "a", "the canonical forms differ", x,
                                         _cert(orig_a, orig_b, False, domain, "a",
                                               lambda: witness_evidence(a, b, x), certificate))
            # the theorem (docs/relu.md § One hidden layer: canonical form and fiber) decides; only the witness is missing
            return EquivalenceResult(False, "a", "the canonical forms differ (no rational witness was constructed,"
                                                 " so no certificate)")

    # (b) symmetry normal form (its reduced networks also feed tier (d))
    if "b" in tiers:
        nf_a = normal_form(a, rows if rational else None)
        nf_b = normal_form(b, rows if rational else None)
    else:  # without tier (b), tier (d) runs on the networks as given (an independent cross-check)
        nf_a, nf_b = NormalForm(a, ()), NormalForm(b, ())
    if "b" in tiers and nf_a.network == nf_b.network:
        evidence = lambda: symmetry_evidence(nf_a.moves, nf_b.moves)  # noqa: E731
        return EquivalenceResult(True, "b", "equal symmetry normal forms",
                                 certificate=_cert(orig_a, orig_b, True, domain, "b", evidence, certificate))

    # (c) probes
    # on the given networks: their weights keep small common denominators (trained float32 weights are
    # dyadic), while the normal form's rescaled rows have large ones; the function is the same
    x = find_witness(a, b, probe_points(n, 24, rows, point)) if "c" in tiers else None
    if x is not None and forward_exact(a, x) != forward_exact(b, x):
        return EquivalenceResult(False, "c", "the outputs differ at a probe point", x,
                                 _cert(orig_a, orig_b, False, domain, "c", lambda: witness_evidence(a, b, x), certificate))

    # (d) complete, on the networks reduced by the removing moves only (rescaling would inflate the
    # denominators of the exact forms)
    if "b" in tiers:
        nf_a = normal_form(a, rows if rational else None, scale=False, sort=False)
        nf_b = normal_form(b, rows if rational else None, scale=False, sort=False)
    if "d" not in tiers:
        return EquivalenceResult(None, None, "undecided by the selected tiers " + ", ".join(tiers))
    try:
        stream = None
        if certificate and certificate_stream is not None and rational:  # algebraic trees: /1 (field numbers)
            stream = (certificate_stream, region_tree_stream_header(orig_a, orig_b, domain, nf_a.moves, nf_b.moves))
        if executor is not None and rational:  # algebraic weights: in this process (docs/distributed.md)
            res = compare_on(executor, nf_a.network, nf_b.network, domain, method=method, record=certificate,
                             deadline=deadline, progress=progress)
            if stream is not None and res.witness is None and res.nodes is not None:
                res = _TierD(None, None, res.stats, certificate_file=_stream_tree(stream, res.nodes))
        else:
            res = _tier_d(nf_a.network, nf_b.network, domain, rows, nf_a.moves, nf_b.moves, deadline, progress,
                          method, certificate, stream)
    except TimeLimitReached as exc:
        return EquivalenceResult(None, None, f"{exc} (the complete tier (d) was cut off)")
    if res.witness is not None:
        x = res.witness
        if forward_exact(a, x) == forward_exact(b, x):  # pragma: no cover - would be a bug
            raise AssertionError("internal error: tier (d) witness does not separate the networks")
        return EquivalenceResult(False, "d", "the affine maps differ on a common region", x,
                                 _cert(orig_a, orig_b, False, domain, "d", lambda: witness_evidence(a, b, x), certificate),
                                 res.stats)
    reason = f"equal affine maps on all {res.stats['cells']} common regions"
    if getattr(res, "certificate_file", None) is not None:
        return EquivalenceResult(True, "d", reason, stats=res.stats, certificate_file=res.certificate_file)
    evidence = lambda: region_tree_evidence(nf_a.moves, nf_b.moves, res.nodes, res.field)  # noqa: E731
    return EquivalenceResult(True, "d", reason,
                             certificate=_cert(orig_a, orig_b, True, domain, "d", evidence, certificate),
                             stats=res.stats)


def _tier_s(a, b, orig_a, orig_b, domain, rational, certificate, notes, deadline, progress) -> EquivalenceResult | None:
    """The structural tier, or ``None`` (with a note saying why) when it does not decide. It is
    polynomial, with cooperative deadline checkpoints in its loops; when the deadline passes inside
    it the answer is unknown (the complete tier would not finish either)."""
    if a.depth != 2 or b.depth != 2:
        notes.append("tier (s) not applicable: both networks need exactly two hidden layers")
        return None
    if domain is not None:
        notes.append("tier (s) not applicable: the structural tier decides on R^n only (a domain is given)")
        return None
    if not rational:
        notes.append("tier (s) not applicable: the structural tier needs rational weights")
        return None
    for name, net in (("first", a), ("second", b)):  # the cheap half of the bottleneck test, before any probe
        n1, n0 = net.hidden_widths[0], net.input_dim
        if n1 > n0:
            notes.append(f"tier (s) not applicable: the {name} network: n1 = {n1} > n0 = {n0}: the first layer is"
                         " wider than the input (not a bottleneck)")
            return None
    from .three_layer.equivalence import equivalent as structural

    deadline.check()
    progress.describe("two hidden layers: structural canonical forms (tier s)")
    try:
        res = structural(a, b, deadline=deadline, verify=certificate)
    except UnsupportedError as exc:  # pragma: no cover - the tier reports its hypotheses as None
        notes.append(f"tier (s) not applicable: {exc}")
        return None
    except TimeLimitReached as exc:
        return EquivalenceResult(None, None, f"{exc}; no tier decided")
    deadline.check()
    if res.verdict is True:
        moves = res.moves
        if res.proof == "integer_forms":  # no certificate asked: equal integer orthant forms prove it
            return EquivalenceResult(True, "s", f"{res.reason} (two hidden layers, bottleneck)",
                                     stats={"proof": "integer_orthant_forms"})
        how = "the move chain is verified" if certificate else "both chains to it are checked move by move"
        return EquivalenceResult(True, "s", f"equal structural canonical forms (two hidden layers, bottleneck); {how}",
                                 certificate=_cert(orig_a, orig_b, True, None, "s",
                                                   lambda: three_layer_evidence(moves), certificate),
                                 stats={"moves": len(moves)})
    if res.verdict is False:
        x = res.witness  # its outputs were computed by forward_exact on these two networks
        if res.outputs is None or res.outputs[0] == res.outputs[1]:  # pragma: no cover - would be a bug
            raise AssertionError("internal error: the structural tier's witness does not separate the networks")
        return EquivalenceResult(False, "s", res.reason, x,
                                 _cert(orig_a, orig_b, False, None, "s", lambda: witness_evidence(a, b, x, res.outputs),
                                       certificate))
    why = res.reason
    notes.append(f"tier (s) {why}" if why.startswith("not applicable") else f"tier (s) undecided: {why}")
    return None


@dataclass(frozen=True)
class _TierD:
    witness: tuple | None
    nodes: list | None
    stats: dict
    field: object = None  # the number field of the recorded tree's algebraic numbers
    certificate_file: str | None = None


def _stream_tree(stream, nodes: list) -> str:
    """Write an in-memory region tree (``/1`` nodes) as a streamed certificate; returns the path."""
    from ..certificates.stream import StreamWriter

    writer = StreamWriter(stream[0], stream[1])
    try:
        stream_records(nodes, writer.record)
    except BaseException:
        writer.abort()
        raise
    return str(writer.close())


def _tier_d(a, b, domain, rows, moves_a, moves_b, deadline, progress, method, record, stream=None) -> _TierD:
    """The complete comparison; ``record`` keeps the tree in memory, ``stream = (path, header)``
    writes it to ``path`` as it is found (removed again unless the networks prove equivalent)."""
    recorder = writer = None
    if record and stream is not None:
        from ..certificates.stream import StreamWriter

        writer = StreamWriter(stream[0], stream[1])
        recorder = StreamTreeRecorder(writer.record)
    elif record:
        recorder = TreeRecorder()
    cells = 0
    progress.describe("comparing affine maps on common regions")
    try:
        for region in walk([a, b], domain, method=method, deadline=deadline, progress=progress, recorder=recorder):
            cells += 1
            ma, mb = region.maps
            if ma != mb:
                for x in region.simplex_points():
                    if ma(x) != mb(x):
                        if writer is not None:
                            writer.abort()
                        return _TierD(x, None, {"cells": cells})
                raise AssertionError("internal error: differing affine maps agree on a simplex")  # pragma: no cover
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        return _TierD(None, None, {"cells": cells}, certificate_file=str(writer.close()))
    return _TierD(None, recorder.nodes if recorder else None, {"cells": cells}, recorder.field if recorder else None)


__all__ = ["EquivalenceResult", "KIND", "TIER_METHODS", "check_inputs", "equivalent"]
