"""``tanh.proximate_rank`` certificates: a checkable proof of ``prank_ε(A) ≤ r``, checked by
:mod:`exactnet.check.tanh_proximity` independently of the deciding code.

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
``prank_ε ≤ r`` is NP-complete, reference §7.4, so no short certificate of optimality is
expected in general).
"""

from __future__ import annotations

from ..certificates import certificate
from ..numbers import format_number
from .moves import reduction_chain
from .proximity import ProximateRankResult

KIND = "tanh.proximate_rank"


def proximate_rank_certificate(result: ProximateRankResult) -> dict:
    """The certificate of ``prank_ε ≤ result.upper`` for a result with a witness."""
    if result.witness is None:  # pragma: no cover - every result carries a witness
        raise ValueError("no witness: nothing to certify")
    wp = result.witness.parameter
    moves = reduction_chain(wp)
    claim = {"eps": format_number(result.eps), "proximate_rank_at_most": result.witness.rank}
    evidence = {"type": "compression", "moves": [m.to_json() for m in moves]}
    return certificate(KIND, claim, [result.parameter.to_network(), wp.to_network()], evidence)


__all__ = ["KIND", "proximate_rank_certificate"]
