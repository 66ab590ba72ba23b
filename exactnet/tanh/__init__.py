"""Single-hidden-layer tanh networks (Farrugia-Roberts, "Functional equivalence and path
connectivity of reducible hyperbolic tangent networks", NeurIPS 2023; ``docs/tanh.md``):
reducibility, compression, canonical form, rank, functional equivalence, fibers, paths and
proximate rank.

The public API is re-exported here (``from exactnet.tanh import equivalent``):

* :class:`TanhParameter` (:mod:`.parameter`) — the ``((a_i, b_i, c_i), d)`` view of a network;
* :func:`compress`, :func:`rank`, :func:`canonical_form`, :func:`reducibility` (:mod:`.compression`);
* :class:`Move` and the move chains (:mod:`.moves`) — elementary function-preserving moves;
* :func:`equivalent` (:mod:`.equivalence`) — exact verdict, difference and witness;
* :func:`fiber` (:mod:`.fiber`) — the functional-equivalence class as a union of pieces;
* :func:`path` (:mod:`.paths`) — a piecewise-linear path inside the class;
* :func:`proximate_rank`, :func:`prank` (:mod:`.proximate_rank`) — exact proximate rank;
  :func:`bound_prank` (:mod:`.greedy_bound`) — the greedy upper bound;
* :mod:`.certificates` — ``tanh.equivalence``, ``tanh.path`` and ``tanh.proximate_rank``
  certificates built from results.

The symbolic output bias ``r_0 + Σ r_q tanh(q)`` is :class:`exactnet.numbers.tanh_scalar.TanhScalar`.
"""

from .compression import Compression, canonical_form, compress, rank, reducibility
from .equivalence import EquivalenceResult, equivalent
from .fiber import Fiber, fiber
from .greedy_bound import bound_prank
from .moves import Move
from .parameter import TanhParameter
from .paths import TanhPath, path
from .proximate_rank import prank, proximate_rank
from .proximity import ProximateRankResult

__all__ = [
    "Compression", "EquivalenceResult", "Fiber", "Move", "ProximateRankResult", "TanhParameter", "TanhPath",
    "bound_prank", "canonical_form", "compress", "equivalent", "fiber", "path", "prank", "proximate_rank", "rank",
    "reducibility",
]
