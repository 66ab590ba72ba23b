"""``tanh.equivalence`` certificates (``exactnet.certificate/1``), checked by
:mod:`exactnet.check.tanh` independently of the deciding code.

``claim``: ``{"equivalent": true}`` or ``{"equivalent": false}``, optionally with
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
"""

from __future__ import annotations

from flint import fmpq

from ..certificates import certificate
from ..errors import InputError
from ..network import evaluate
from ..numbers import format_number
from ..numbers.algebraic import ball_bounds
from ..numbers.tanh_scalar import vector_to_json
from .compression import compress
from .equivalence import EquivalenceResult
from .moves import equivalence_chain

KIND = "tanh.equivalence"


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


__all__ = ["KIND", "equivalence_certificate", "grid_interval", "witness_evidence"]
