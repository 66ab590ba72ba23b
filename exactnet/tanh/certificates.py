"""Certificates of the tanh family (``exactnet.certificate/1``), built from results, checked by
:mod:`exactnet.check` independently of the deciding code (``docs/certificates.md``).

* ``tanh.equivalence`` (:func:`equivalence_certificate`, :func:`compression_certificate`),
  checked by :mod:`exactnet.check.tanh`;
* ``tanh.path`` (:func:`path_certificate`), checked by :mod:`exactnet.check.tanh_path`;
* ``tanh.proximate_rank`` (:func:`proximate_rank_certificate`), checked by
  :mod:`exactnet.check.tanh_proximity`.

**tanh.equivalence.** ``claim``: ``{"equivalent": true}`` or ``{"equivalent": false}``, optionally with
``"domain": {"lower": [...], "upper": [...]}`` (a box; the witness must lie in it).
``networks``: ``[A, B]`` inline. ``evidence`` is one of:

* ``{"type": "moves", "moves": [...]}`` — a chain of records (:mod:`exactnet.tanh.moves`)
  taking ``A`` (with its output bias as a :class:`~exactnet.numbers.tanh_scalar.TanhScalar` vector) to
  ``B`` exactly; every record preserves the function, so ``f_A = f_B``.
* ``{"type": "witness", "x": [...], "output": k, "precision": p, "enclosure_a": [lo, hi],
  "enclosure_b": [lo, hi]}`` — a rational input ``x`` and a precision ``p``, a power of two
  in ``[64, 2^14]``; ``[lo, hi]`` is the ball
  ``exactnet.network.evaluate(net, x, prec=p).enclosures[k]`` rounded *outward* to the grid
  ``2^-g``, ``g = p // 2`` (so the checker's recomputation reproduces the numbers exactly,
  and any change to them is detected). The two intervals are disjoint, so ``f_A(x) ≠ f_B(x)``.
* ``{"type": "constant_difference", "difference": [scalar, ...]}`` — ``f_A − f_B`` is the
  given constant vector (JSON form of :mod:`exactnet.numbers.tanh_scalar`), nonzero coefficientwise.

**tanh.path** (:func:`path_certificate`; paths of :func:`exactnet.tanh.paths.path`):

* a path: kind ``tanh.path``, claim ``{"path_exists": true, "segments": K}``, evidence
  ``{"type": "segments", "segments": [{"kinds": [...], "start": P, "end": P}, ...]}`` with
  ``P`` the ``exactnet.tanh-parameter/1`` form of each endpoint (a symbolic output bias where a
  constant-unit segment needs one);
* no path because the class is finite: kind ``tanh.path``, claim ``{"path_exists": false}``,
  evidence ``{"type": "finite_class", "normal_forms": [N_A, N_B]}`` where ``N`` lists every unit
  sign-normalised (``s·(a, b, c)`` with ``s`` the sign of the first nonzero coordinate of ``b``)
  as ``[a..., b..., c]``, then the output bias. The checker recomputes both: every number of
  both networks appears, so changing any number makes the check fail;
* no path because the inputs are not equivalent: the ``tanh.equivalence`` certificate of
  :mod:`exactnet.tanh.certificates` (``equivalent: false`` with a witness).

**tanh.proximate_rank** (:func:`proximate_rank_certificate`): a checkable proof of ``prank_ε(A) ≤ r``.

::

    {"format": "exactnet.certificate/1", "kind": "tanh.proximate_rank",
     "claim": {"eps": "1/10", "proximate_rank_at_most": r},
     "networks": [A, W],
     "evidence": {"type": "compression", "moves": [...]}}

* ``W`` (the witness) has the shape of ``A`` and ``‖A − W‖_∞ ≤ ε`` in every coordinate;
* ``moves`` is the core's chain of function-preserving records (:mod:`exactnet.tanh.moves`)
  taking ``W`` to its compressed form, which has ``r`` units and is *irreducible* (every
  outgoing vector nonzero, every incoming vector nonzero, keys ``(b, c)`` pairwise distinct up
  to sign). By Sussmann (1992) an irreducible parameter is minimal, so ``rank(W) = r`` and
  therefore ``prank_ε(A) ≤ r``.

The certificate proves the upper bound (and that the witness has rank exactly ``r``). The
matching lower bound of an exact answer rests on the exhaustive search or the solver's proof
named in the result (``optimality``); it is not part of the certificate (deciding
``prank_ε ≤ r`` is NP-complete, docs/tanh.md § Proximate rank, so no short certificate of optimality is
expected in general).
"""

from __future__ import annotations

from flint import fmpq

from ..certificates import certificate
from ..errors import InputError
from ..network import Network, evaluate
from ..numbers import format_number, number_json
from ..numbers.algebraic import ball_bounds
from ..numbers.tanh_scalar import vector_to_json
from .compression import compress
from .equivalence import EquivalenceResult
from .moves import equivalence_chain, reduction_chain
from .paths import TanhPath
from .proximity import ProximateRankResult

KIND = "tanh.equivalence"
PATH_KIND = "tanh.path"
PROXIMATE_RANK_KIND = "tanh.proximate_rank"


def grid_interval(ball, precision: int) -> tuple[fmpq, fmpq]:
    """The ball's exact bounds rounded outward to multiples of ``2^-(precision // 2)``."""
    lo, hi = ball_bounds(ball)
    scale = 1 << (precision // 2)
    lo_n = (lo * scale).floor()
    hi_n = -((-hi * scale).floor())
    return fmpq(lo_n, scale), fmpq(hi_n, scale)


def witness_evidence(net_a, net_b, x: tuple, output: int, start_precision: int = 64,
                     max_precision: int = 1 << 14) -> dict | None:
    """Evidence of type ``witness`` at the least precision (doubling) whose intervals are disjoint."""
    prec = start_precision
    while prec <= max_precision:
        ia = grid_interval(evaluate(net_a, list(x), prec=prec).enclosures[output], prec)
        ib = grid_interval(evaluate(net_b, list(x), prec=prec).enclosures[output], prec)
        if ia[1] < ib[0] or ib[1] < ia[0]:
            return {
                "type": "witness", "x": [format_number(v) for v in x], "output": output, "precision": prec,
                "enclosure_a": [format_number(v) for v in ia], "enclosure_b": [format_number(v) for v in ib],
            }
        prec *= 2
    return None


def equivalence_certificate(result: EquivalenceResult) -> dict:
    """The certificate of a decided equivalence question (see the module docstring)."""
    net_a, net_b = result.networks
    claim: dict = {"equivalent": result.equivalent}
    if result.domain is not None:
        claim["domain"] = {"lower": [format_number(v) for v in result.domain.lower],
                           "upper": [format_number(v) for v in result.domain.upper]}
    if result.equivalent:
        pa, pb = result.parameters
        moves = equivalence_chain(pa, pb, compress(pa), compress(pb))
        evidence = {"type": "moves", "moves": [m.to_json() for m in moves]}
    elif result.difference is not None and result.difference.is_constant:
        evidence = {"type": "constant_difference", "difference": vector_to_json(result.difference.bias)}
    else:
        if result.witness is None:
            raise InputError(f"no certificate: {result.witness_note or 'no witness was found'}")
        evidence = witness_evidence(net_a, net_b, result.witness.x, result.witness.output)
        if evidence is None:  # pragma: no cover - the difference is provably nonzero at x
            raise InputError("no certificate: the enclosures did not separate within the precision limit")
    return certificate(KIND, claim, [net_a, net_b], evidence)


def compression_certificate(net: Network, compressed: Network) -> dict:
    """The ``tanh.equivalence`` certificate that ``compressed`` computes the same function as ``net``
    (``exactnet compress --certificate``)."""
    from .equivalence import equivalent

    return equivalence_certificate(equivalent(net, compressed, find_witness=False))


def path_certificate(result: TanhPath) -> dict:
    """The certificate of a path answer (see the module docstring)."""
    if not result.exists and not result.equivalent:
        return equivalence_certificate(result.equivalence)
    nets = result.networks
    if nets is None:
        if not (result.start.has_numeric_bias and result.end.has_numeric_bias):
            raise InputError("a certificate needs endpoints that are networks (an exact output bias)")
        nets = (result.start.to_network(), result.end.to_network())
    if not result.exists:
        return certificate(PATH_KIND, {"path_exists": False}, list(nets),
                           {"type": "finite_class", "normal_forms": [_normal_form(n) for n in nets]})
    segments = [{"kinds": list(s.kinds), "start": s.start.to_json(), "end": s.end.to_json()} for s in result.segments]
    return certificate(PATH_KIND, {"path_exists": True, "segments": len(segments)}, list(nets),
                       {"type": "segments", "segments": segments})


def _normal_form(net) -> dict:
    """Each unit as ``s·(a, b, c)`` (``s`` = sign of the first nonzero coordinate of ``b``) and ``d``."""
    first, second = net.layers
    units = []
    for i, (row, c) in enumerate(zip(first.weight, first.bias)):
        s = next((1 if v > 0 else -1 for v in row if v != 0), 1)
        a = [second.weight[k][i] for k in range(net.output_dim)]
        units.append([number_json(s * v) for v in (*a, *row, c)])
    return {"units": units, "output_bias": [number_json(v) for v in second.bias]}


def proximate_rank_certificate(result: ProximateRankResult) -> dict:
    """The certificate of ``prank_ε ≤ result.upper`` for a result with a witness."""
    if result.witness is None:  # pragma: no cover - every result carries a witness
        raise ValueError("no witness: nothing to certify")
    wp = result.witness.parameter
    moves = reduction_chain(wp)
    claim = {"eps": format_number(result.eps), "proximate_rank_at_most": result.witness.rank}
    evidence = {"type": "compression", "moves": [m.to_json() for m in moves]}
    return certificate(PROXIMATE_RANK_KIND, claim, [result.parameter.to_network(), wp.to_network()], evidence)


__all__ = [
    "KIND", "PATH_KIND", "PROXIMATE_RANK_KIND", "compression_certificate", "equivalence_certificate", "grid_interval",
    "path_certificate", "proximate_rank_certificate", "witness_evidence",
]
