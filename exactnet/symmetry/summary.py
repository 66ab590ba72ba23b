"""The data of ``exactnet symmetry`` and ``exactnet covering`` as plain JSON-ready dictionaries.

Exact integers stay Python ints (written as JSON integers, however large, up to
:data:`~.covering.MAX_EXACT_DIGITS` digits; beyond that the entry is ``null`` and the exact
logarithm bounds are given, with a note).
"""

from __future__ import annotations

from flint import arb, ctx

from ..deadline import NO_DEADLINE, Deadline
from ..network import Network
from .analysis import analyse
from .canonical import canonical_form_of
from .covering import MAX_EXACT_DIGITS, LogBounds, covering
from .groups import HOMOGENEOUS_ACTIVATIONS, group_of
from .orbits import scaling_orbit_dimension, stabilizer_of

FUNDAMENTAL_DOMAIN = {
    "relu": "hidden units of every layer in canonical order: biases non-increasing; ties broken by twin"
            " collapse, colour refinement and the largest leaf of the symmetry search (docs/symmetry.md §3)",
    "tanh": "every hidden unit negated so its bias is ≥ 0 (further ties: lexicographically largest signs), units"
            " ordered with biases non-increasing; ties broken as for ReLU (docs/symmetry.md §3)",
}

ORBIT_NOTE = ("the functional-equivalence class can be larger than the orbit (dead, constant or mergeable units;"
              " hidden symmetries of ReLU networks)")


def _digits_ok(bounds: LogBounds) -> bool:
    return bounds.log10_upper() < MAX_EXACT_DIGITS - 1


def group_data(net: Network) -> dict:
    group = group_of(net)
    old = ctx.prec
    ctx.prec = 128
    try:
        log_g = LogBounds.of(group.log_order())
    finally:
        ctx.prec = old
    return {
        "activation": net.activation,
        "widths": list(net.widths),
        "group": group.describe(),
        "group_order": group.order if _digits_ok(log_g) else None,
        "log_group_order": log_g.to_obj(),
        "continuous_dimension": group.continuous_dimension,
    }


def symmetry_summary(net: Network, deadline: Deadline = NO_DEADLINE):
    """``(data, canonical network)``: group, stabilizer, orbit and the canonical representative.

    Raises :class:`~exactnet.deadline.TimeLimitReached` when the deadline passes."""
    data = group_data(net)
    group = group_of(net)
    a = analyse(net, deadline)
    stab = stabilizer_of(a)
    canon = canonical_form_of(a)
    old = ctx.prec
    ctx.prec = 128
    try:
        log_stab = LogBounds.of(arb(stab.order).log())
        log_orbit = LogBounds.of(group.log_order() - arb(stab.order).log())
    finally:
        ctx.prec = old
    data.update({
        "stabilizer_order": stab.order if _digits_ok(log_stab) else None,
        "log_stabilizer_order": log_stab.to_obj(),
        "orbit_size": stab.orbit_size if data["group_order"] is not None else None,
        "log_orbit_size": log_orbit.to_obj(),
        "continuous_orbit_dimension": scaling_orbit_dimension(net) if net.activation in HOMOGENEOUS_ACTIVATIONS else 0,
        "stabilizer_generators": stab.generators_obj(),
        "twin_classes": [sum(1 for m in layer if m > 1) for layer in stab.twin_classes],
        "search_nodes": stab.search_nodes,
        "in_fundamental_domain": canon.network == net,
        "canonical_element": canon.element.to_obj(),
        "fundamental_domain": FUNDAMENTAL_DOMAIN[net.activation],
        "note": ORBIT_NOTE,
    })
    if data["group_order"] is None or data["stabilizer_order"] is None:
        data["note"] += (f"; integers with more than {MAX_EXACT_DIGITS} digits are not written (null): see"
                         " log_group_order, log_stabilizer_order and log_orbit_size (natural logarithms, exact bounds)")
    return data, canon.network


def covering_summary(activation: str, widths, eps, bound, input_radius=1) -> dict:
    return covering(activation, widths, eps, bound, input_radius).to_obj()


__all__ = ["FUNDAMENTAL_DOMAIN", "covering_summary", "group_data", "symmetry_summary"]
