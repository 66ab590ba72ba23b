"""CLI backends for one-hidden-layer tanh networks (``equiv``, ``compress``, ``rank``, ``info``).

JSON keys (``interface.md`` plus extras); unit indices are 0-based (row of the layer-1 weight):

* ``equiv``: ``equivalent`` (true/false), ``reason``, ``witness`` (a rational input as exact
  strings, or null), ``witness_output`` (the output index that differs), ``ranks``,
  ``widths``, ``certificate`` (path, when written). Exit 0 equivalent, 1 not.
* ``compress``: ``width_before``, ``width_after`` (= the rank), ``network``, ``compressed``,
  ``output_bias``, ``output_bias_exact``, ``network_width``, ``removed``.

  *Representation of the compressed network.* The compressed parameter has output bias
  ``δ = d + Σ a_i tanh(c_i)`` over the constant units, which is transcendental whenever a
  constant unit with ``c_i ≠ 0`` and ``a_i ≠ 0`` survives; ``exactnet.network/1`` cannot
  hold it as a bias entry. Therefore:

  - ``compressed`` is the exact compressed parameter in canonical unit order, in the
    ``exactnet.tanh-parameter/1`` form (units plus ``output_bias`` scalars
    ``{"const": ..., "tanh": [[q, coeff], ...]}``, see :mod:`exactnet.tanh.bias`);
  - ``network`` (and the file written by ``-o``) is an ordinary ``exactnet.network/1``
    network computing exactly the same function: the ``width_after`` canonical units, then —
    only when ``δ`` has tanh terms — one *constant unit* ``(a = coefficients of tanh(q),
    b = 0, c = q)`` per argument ``q`` (ascending), with the rational part of ``δ`` as the
    layer-2 bias. ``network_width`` is its width; ``output_bias_exact`` says whether ``δ``
    is an exact (algebraic) number, i.e. whether ``network_width == width_after``.
    Compressing that file again returns it unchanged, and any reader (including float
    formats via ``-o model.pt``, rounded as ``exactnet convert`` does) gets the exact function.
  - A rank-0 network (a constant function) is written with one blank unit ``(0, 0, 0)``.
* ``rank``: ``rank``, ``width``, ``reducible``.
* ``info`` (tanh extras): ``reducible``, ``rank``, ``dead_units``, ``constant_units``,
  ``duplicate_units`` and ``negated_duplicate_units`` (pairs ``[i, j]``: unit ``i`` repeats
  the key of the earlier unit ``j``, with the same or the opposite sign).
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from ..certify import write_certificate
from ..cli.report import EXIT_YES, Report, key_value_table, verdict_exit
from ..deadline import Deadline
from ..errors import UnsupportedError
from ..network import Network, network_to_obj
from ..network.domain import Box
from ..numbers import format_number
from .bias import vector_text, vector_to_json
from .compression import compress as compress_parameter
from .compression import reducibility
from .parameter import TanhParameter


def _box_only(domain, command: str) -> None:
    if domain is not None and not isinstance(domain, Box):
        raise UnsupportedError(
            f"'exactnet {command}' for tanh networks accepts a box domain only (on any full-dimensional box the"
            " answer equals the one on R^n, tanh networks being real-analytic)"
        )


# ---------------------------------------------------------------------------------------------
# equiv
# ---------------------------------------------------------------------------------------------


def equiv(net_a: Network, net_b: Network, certificate: str | None = None, timeout: float | None = None,
          domain=None) -> Report:
    """Decide ``f_A = f_B`` exactly (exit 0 yes, 1 no); ``--certificate`` writes a checkable proof."""
    from .equivalence import decide

    _box_only(domain, "equiv")
    result = decide(net_a, net_b, deadline=Deadline.after(timeout), domain=domain)
    w = result.witness
    data = {
        "equivalent": result.equivalent,
        "reason": result.reason,
        "witness": [format_number(v) for v in w.x] if w is not None else None,
        "witness_output": w.output if w is not None else None,
        "ranks": list(result.ranks),
        "widths": [p.width for p in result.parameters],
    }
    if not result.equivalent and w is None and result.witness_note:
        data["witness_note"] = result.witness_note
    if w is not None:
        data["difference_bounds"] = [format_number(w.lower), format_number(w.upper)]
    if result.domain is not None:
        data["domain_note"] = "on a full-dimensional box, equivalence is equivalence on R^n (real-analytic functions)"
    if certificate:
        from .certificates import equivalence_certificate

        write_certificate(equivalence_certificate(result), certificate)
        data["certificate"] = certificate

    def render(console: Console):
        verdict = "[green]equivalent[/green]" if result.equivalent else "[red]not equivalent[/red]"
        console.print(verdict)
        console.print(result.reason)
        if w is not None:
            x = ", ".join(format_number(v) for v in w.x)
            mid = (w.lower + w.upper) / 2
            try:
                approx = f"{int(mid.p) / int(mid.q):.6g}"
            except OverflowError:
                approx = "±huge" if mid > 0 else "-huge"
            console.print(f"witness: x = ({x}); output {w.output} of A minus B is ≈ {approx}"
                          " (rigorous bounds with --json)")
        elif "witness_note" in data:
            console.print(data["witness_note"])
        if certificate:
            console.print(f"certificate written to {certificate}")

    return Report(data, verdict_exit(result.equivalent), render)


# ---------------------------------------------------------------------------------------------
# compress
# ---------------------------------------------------------------------------------------------


def compress(net: Network, output: str | None = None, certificate: str | None = None, domain=None) -> Report:
    """Optimal lossless compression (see the module docstring for the file representation)."""
    _box_only(domain, "compress")
    p = TanhParameter.from_network(net, "exactnet compress")
    comp = compress_parameter(p)
    compressed = comp.compressed()
    realised = compressed.realised()
    out_net = realised.to_network()
    exact_bias = compressed.has_numeric_bias
    data = {
        "width_before": p.width,
        "width_after": comp.rank,
        "network": network_to_obj(out_net),
        "network_width": out_net.widths[1],
        "output_bias": vector_to_json(comp.bias),
        "output_bias_exact": exact_bias,
        "compressed": compressed.to_json(),
        "removed": {
            "constant": list(comp.constant),
            "cancelled": [list(g.members) for g in comp.cancelled],
            "merged": [list(g.members) for g in comp.kept if len(g.members) > 1],
        },
    }
    if output:
        from ..io import save_network

        rep = save_network(out_net, output)
        data["output"] = output
        if not rep.exact:
            sys.stderr.write(
                f"exactnet: warning: {rep.rounded} of {rep.total} values were rounded to {rep.dtype}"
                f" (largest error {rep.max_abs_error})\n"
            )
    if certificate:
        from .certificates import equivalence_certificate
        from .equivalence import decide

        result = decide(net, out_net, find_witness=False)
        write_certificate(equivalence_certificate(result), certificate)
        data["certificate"] = certificate

    def render(console: Console):
        console.print(f"width {p.width} → {comp.rank} (rank {comp.rank})")
        console.print(f"output bias δ = {vector_text(comp.bias)}")
        if not exact_bias:
            console.print(
                f"δ is transcendental: the written network carries it with {out_net.widths[1] - comp.rank}"
                " constant unit(s) after the canonical units"
            )
        table = Table("unit", "a", "b", "c", box=None)
        for j, (a, b, c) in enumerate(compressed.units()):
            if j >= 20:
                table.add_row("…", f"({comp.rank - 20} more)", "", "")
                break
            table.add_row(str(j), _vec(a), _vec(b), format_number(c))
        console.print(table)
        if output:
            console.print(f"written to {output}")
        if certificate:
            console.print(f"certificate written to {certificate}")

    return Report(data, EXIT_YES, render)


def _vec(v) -> str:
    return format_number(v[0]) if len(v) == 1 else "(" + ", ".join(format_number(x) for x in v) + ")"


# ---------------------------------------------------------------------------------------------
# rank, info
# ---------------------------------------------------------------------------------------------


def rank(net: Network) -> Report:
    """``rank``: the fewest hidden units of any network computing the same function."""
    from .compression import rank as rank_of

    p = TanhParameter.from_network(net, "exactnet rank")
    r = rank_of(p)
    data = {"rank": r, "width": p.width, "reducible": r < p.width}
    return Report(data, EXIT_YES, lambda console: console.print(key_value_table(data)))


def info(net: Network) -> Report:
    """Reducibility report (only for one-hidden-layer tanh networks; otherwise no extra keys)."""
    if net.activation != "tanh" or net.depth != 1:
        return Report({}, EXIT_YES, lambda console: None)
    rep = reducibility(TanhParameter.from_network(net, "exactnet info"))
    data = {
        "reducible": rep.reducible,
        "rank": rep.rank,
        "dead_units": list(rep.dead),
        "constant_units": list(rep.constant),
        "duplicate_units": [list(t) for t in rep.duplicates],
        "negated_duplicate_units": [list(t) for t in rep.negated_duplicates],
    }

    def render(console: Console):
        state = "reducible" if rep.reducible else "irreducible"
        console.print(f"{state}: rank {rep.rank} of width {rep.width}")
        reasons = rep.reasons()
        if reasons:
            table = Table("unit", "reason", "of unit", box=None)
            for i, why, j in reasons[:50]:
                table.add_row(str(i), why, "" if j is None else str(j))
            if len(reasons) > 50:
                table.add_row("…", f"{len(reasons) - 50} more", "")
            console.print(table)

    return Report(data, EXIT_YES, render)


__all__ = ["compress", "equiv", "info", "rank"]


# ---------------------------------------------------------------------------------------------
# prank
# ---------------------------------------------------------------------------------------------


def prank(net: Network, eps, method: str = "exact", output: str | None = None, timeout: float | None = None,
          certificate: str | None = None) -> Report:
    """Proximate rank within the closed L∞ ball of radius ``ε`` (:mod:`exactnet.tanh.proximity`).

    JSON keys: ``method``; ``eps``; exact: ``proximate_rank`` (null when the time limit was
    reached), ``lower_bound``, ``upper_bound``, ``optimality`` (``"exhaustive-search"`` or
    ``"cp-sat-proof"``; ``"unknown"`` on a time limit), ``solver``; greedy: ``upper_bound``,
    ``optimality: "none"``; both: ``rank`` and ``width`` of the input, ``witness`` (a network
    within ε whose rank is the (upper) bound), ``witness_rank``, ``witness_distance``
    (``‖w − w'‖_∞``, exact), ``partition`` (``labels`` per unit: 0 constant, +k kept group k,
    −k cancelled group k; ``signs``; ``groups`` with ``units``, ``signs``, ``kept`` and the
    ``key`` the witness uses), ``reason``, ``stats``, ``output``/``certificate`` when written.
    Exit 0 when decided (greedy: always), 3 when the time limit left the exact value unknown.
    """
    from ..cli.report import EXIT_UNKNOWN
    from .compression import rank as rank_of
    from .greedy_bound import bound_prank
    from .proximate_rank import DEFAULT_SOLVER, prank as exact_prank

    p = TanhParameter.from_network(net, "exactnet prank")
    if method == "greedy":
        result = bound_prank(p, eps)
    elif method == "exact":
        result = exact_prank(p, eps, deadline=Deadline.after(timeout), solver=DEFAULT_SOLVER)
    else:
        raise UnsupportedError(f"unknown prank method {method!r} (exact or greedy)")
    wnet = result.witness.parameter.to_network()
    data = {"method": method, "eps": format_number(result.eps)}
    if method == "exact":
        data.update({"proximate_rank": result.value, "lower_bound": result.lower, "upper_bound": result.upper,
                     "optimality": result.optimality, "solver": result.stats.get("solver")})
    else:
        data.update({"upper_bound": result.value, "optimality": "none"})
    data.update({
        "rank": rank_of(p), "width": p.width, "witness": network_to_obj(wnet), "witness_rank": result.witness.rank,
        "witness_distance": format_number(result.witness.distance),
        "partition": result.plan.to_json(p, result.eps), "reason": result.reason, "stats": result.stats,
    })
    if output:
        from ..io import save_network

        rep = save_network(wnet, output)
        data["output"] = output
        if not rep.exact:
            sys.stderr.write(f"exactnet: warning: {rep.rounded} of {rep.total} values were rounded to {rep.dtype}"
                             f" (the written witness may no longer be within ε)\n")
    if certificate:
        from .proximity_certificate import proximate_rank_certificate

        write_certificate(proximate_rank_certificate(result), certificate)
        data["certificate"] = certificate

    def render(console: Console):
        e = format_number(result.eps)
        if method == "greedy":
            console.print(f"greedy upper bound on prank (ε = {e}): {result.value}   (rank {data['rank']}, width {p.width})")
        elif result.value is not None:
            how = "exhaustive search" if result.optimality == "exhaustive-search" else "CP-SAT optimality proof"
            console.print(f"proximate rank (ε = {e}): {result.value}   (optimal: {how}; rank {data['rank']}, "
                          f"width {p.width})")
        else:
            console.print(f"proximate rank (ε = {e}): unknown, {result.lower} ≤ prank ≤ {result.upper}")
        console.print(result.reason)
        table = Table("group", "units (sign)", "kept", box=None)
        for k, g in enumerate(result.plan.groups[:30], start=1):
            units = ", ".join(f"{i}{'+' if s > 0 else '−'}" for i, s in zip(g.members, g.signs))
            table.add_row(str(k), units, "yes" if not g.cancelled else "cancelled")
        if len(result.plan.groups) > 30:
            table.add_row("…", f"{len(result.plan.groups) - 30} more groups", "")
        if result.plan.groups:
            console.print(table)
        if result.plan.constant:
            console.print("made constant: units " + ", ".join(map(str, result.plan.constant[:50]))
                          + (" …" if len(result.plan.constant) > 50 else ""))
        console.print(f"witness: rank {result.witness.rank}, at distance {data['witness_distance']} ≤ ε"
                      + (f", written to {output}" if output else " (--json or -o to get it)"))
        if certificate:
            console.print(f"certificate written to {certificate}")

    exit_code = EXIT_UNKNOWN if (method == "exact" and result.value is None) else EXIT_YES
    return Report(data, exit_code, render)


__all__ += ["prank"]
