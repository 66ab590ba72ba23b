"""Independent checker of ``tanh.proximate_rank`` certificates (format:
:func:`exactnet.tanh.certificates.proximate_rank_certificate`).

Checks, with exact arithmetic and without the deciding code (it shares the move replay of
:mod:`exactnet.check.tanh` and the number types only):

1. ``eps`` is a non-negative rational and ``proximate_rank_at_most`` a non-negative integer;
2. both networks are one-hidden-layer tanh networks of the same shape and every coordinate
   (all weights and biases) differs by at most ``ε``;
3. replaying the move records from the witness (network 2) gives a parameter with exactly
   ``r`` units that is irreducible — nonzero outgoing vectors, nonzero incoming vectors, keys
   pairwise distinct up to sign — hence of rank ``r`` (Sussmann 1992), and the moves preserve
   the function, so ``rank(W) = r`` and ``prank_ε(A) ≤ r``.

**Theorem P:** ``prank_ε(A) = min {rank(u) : u ∈ W_h, ‖u − A‖_∞ ≤ ε}`` (all weights and
biases), so any ``W`` of A's shape within ``ε`` and of rank ``≤ r`` proves ``prank_ε(A) ≤ r``;
``rank(W) ≤ r`` because function-preserving moves (Theorem M of
:mod:`exactnet.check.tanh`, replayed with every precondition) take ``W`` to width ``r``.
Items 1–3 check exactly these hypotheses (irreducibility of the end state is checked too, so
the witness's rank is exactly ``r``, though the bound needs only ``≤``).
"""

from __future__ import annotations

from flint import fmpq

from ..numbers.budget import NumberLimitError
from ..errors import InputError
from ..numbers import format_number, parse_scalar
from ..network.literals import bind_literals, table_parser
from ..certificates import MalformedCertificate, certificate_networks
from .result import CheckResult, Invalid
from .tanh_moves import apply_move, as_list, move_literals, parameter_state


def check(obj: dict) -> CheckResult:
    nets = certificate_networks(obj)
    if len(nets) != 2:
        raise MalformedCertificate("certificate: a tanh.proximate_rank certificate has exactly two networks")
    claim, evidence = obj["claim"], obj["evidence"]
    if evidence.get("type") != "compression":
        raise MalformedCertificate(f"certificate: unknown evidence type {evidence.get('type')!r}")
    moves = as_list(evidence.get("moves"), "evidence.moves")
    try:
        try:
            eps = parse_scalar(claim.get("eps"))
        except NumberLimitError:
            raise  # over the number budget: refused (exit 2)
        except InputError:
            raise Invalid("claim.eps is not a number") from None
        if not isinstance(eps, fmpq) or eps < 0:
            raise Invalid("claim.eps must be a non-negative rational")
        r = claim.get("proximate_rank_at_most")
        if isinstance(r, bool) or not isinstance(r, int) or r < 0:
            raise Invalid("claim.proximate_rank_at_most must be a non-negative integer")
        for i, net in enumerate(nets, start=1):
            if net.activation != "tanh" or net.depth != 1:
                raise Invalid(f"network {i} is not a one-hidden-layer tanh network")
        if nets[0].widths != nets[1].widths:
            raise Invalid(f"the witness has widths {nets[1].widths}, the network {nets[0].widths}")
        nets, table = bind_literals(nets, move_literals(evidence))
        num = table_parser(table)
        far = _farthest(nets[0], nets[1])
        if far > eps:
            raise Invalid(f"the witness differs from the network by {format_number(far)} > ε in some coordinate")
        st = parameter_state(nets[1])
        for t, rec in enumerate(moves):
            apply_move(st, rec, num, t)
        if len(st["c"]) != r:
            raise Invalid(f"the moves end at width {len(st['c'])}, not at the claimed rank {r}")
        _irreducible(st)
    except Invalid as exc:
        return CheckResult(False, str(exc))
    return CheckResult(True, f"the witness is within ε = {format_number(eps)} of the network and the function-"
                             f"preserving moves reduce it to an irreducible parameter of width {r}: "
                             f"prank_ε ≤ {r}")


def _farthest(net_a, net_b):
    best = fmpq(0)
    for la, lb in zip(net_a.layers, net_b.layers):
        for ra, rb in zip(la.weight, lb.weight):
            for x, y in zip(ra, rb):
                best = max(best, abs(x - y))
        for x, y in zip(la.bias, lb.bias):
            best = max(best, abs(x - y))
    return best


def _irreducible(st: dict) -> None:
    keys = set()
    for i, (a, b, c) in enumerate(zip(st["a"], st["b"], st["c"])):
        if all(v == 0 for v in a):
            raise Invalid(f"after the moves unit {i} has zero outgoing weight (reducible)")
        first = next((v for v in b if v != 0), None)
        if first is None:
            raise Invalid(f"after the moves unit {i} is constant (reducible)")
        key = (tuple(b), c) if first > 0 else (tuple(-v for v in b), -c)
        if key in keys:
            raise Invalid(f"after the moves unit {i} repeats another unit's key up to sign (reducible)")
        keys.add(key)


__all__ = ["check"]
