"""The tanh commands of the CLI for one-hidden-layer networks (``equiv``, ``compress``, ``rank``,
``info``; ``path``, ``fiber`` and ``prank`` are documented at their functions). Each handler calls
the deciding code of :mod:`exactnet.tanh`, turns its plain result object into the JSON keys below
and a Rich rendering, and writes the files asked for.

JSON keys (``docs/cli.md``); unit indices are 0-based (row of the layer-1 weight):

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
    ``{"const": ..., "tanh": [[q, coeff], ...]}``, see :mod:`exactnet.numbers.tanh_scalar`);
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

from ..certificates import write_certificate
from ..errors import UnsupportedError
from ..network import Network, network_to_obj
from ..network.domain import Box
from ..numbers import format_number
from ..numbers.tanh_scalar import vector_text, vector_to_json
from . import display
from .report import EXIT_NO, EXIT_UNKNOWN, EXIT_YES, Report, key_value_table, verdict_exit


def _box_only(domain, command: str) -> None:
    if domain is not None and not isinstance(domain, Box):
        raise UnsupportedError(
            f"'exactnet {command}' for tanh networks accepts a box domain only (on any full-dimensional box the"
            " answer equals the one on R^n, tanh networks being real-analytic)"
        )


# ---------------------------------------------------------------------------------------------
# equiv
# ---------------------------------------------------------------------------------------------


def equiv(budget, net_a: Network, net_b: Network, certificate: str | None = None, domain=None) -> Report:
    """Decide ``f_A = f_B`` exactly (exit 0 yes, 1 no); ``--certificate`` writes a checkable proof.
    The decision: :func:`exactnet.tanh.equivalence.equivalent`."""
    from ..tanh.equivalence import equivalent

    _box_only(domain, "equiv")
    result = equivalent(net_a, net_b, deadline=budget.deadline, domain=domain)
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
        from ..tanh.certificates import equivalence_certificate

        write_certificate(equivalence_certificate(result), certificate)
        data["certificate"] = certificate

    def render(console: Console):
        verdict = "[green]equivalent[/green]" if result.equivalent else "[red]not equivalent[/red]"
        console.print(verdict)
        console.print(result.reason)
        if w is not None:
            x = display.point(format_number(v) for v in w.x)
            mid = (w.lower + w.upper) / 2
            try:
                approx = f"{int(mid.p) / int(mid.q):.6g}"
            except OverflowError:
                approx = "+huge" if mid > 0 else "-huge"
            console.print(f"witness: x = {x}; output {w.output} of A minus B is ≈ {approx}"
                          " (rigorous bounds with --json)")
        elif "witness_note" in data:
            console.print(data["witness_note"])
        if certificate:
            console.print(f"certificate written to {certificate}")

    return Report(data, verdict_exit(result.equivalent), render)


# ---------------------------------------------------------------------------------------------
# compress
# ---------------------------------------------------------------------------------------------


def compress(budget, net: Network, output: str | None = None, certificate: str | None = None, domain=None) -> Report:
    """Optimal lossless compression (see the module docstring for the file representation)."""
    from ..tanh.compression import compress as compress_parameter
    from ..tanh.parameter import TanhParameter

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
        from ..tanh.certificates import compression_certificate

        write_certificate(compression_certificate(net, out_net), certificate)
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


def rank(budget, net: Network) -> Report:
    """``rank``: the fewest hidden units of any network computing the same function."""
    from ..tanh.compression import rank as rank_of
    from ..tanh.parameter import TanhParameter

    p = TanhParameter.from_network(net, "exactnet rank")
    r = rank_of(p)
    data = {"rank": r, "width": p.width, "reducible": r < p.width}
    return Report(data, EXIT_YES, lambda console: console.print(key_value_table(data)))


def info(budget, net: Network) -> Report:
    """Reducibility report (only for one-hidden-layer tanh networks; otherwise no extra keys)."""
    from ..tanh.compression import reducibility
    from ..tanh.parameter import TanhParameter

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


# ---------------------------------------------------------------------------------------------
# path
# ---------------------------------------------------------------------------------------------


def path(budget, net_a: Network, net_b: Network, output: str | None = None, plot: str | None = None) -> Report:
    """A piecewise-linear path from A to B inside their functional-equivalence class.

    Exit codes (diff-like): 0 a path was found (``segments`` is its length; 0 when A = B);
    1 no path exists — A and B are not equivalent (``equivalent: false``, with the
    ``witness``), or they are equivalent but irreducible, so their class is the finite set of
    ``2^h·h!`` orbit points (``finite_class: true``); 2 bad input (e.g. different widths: a
    path stays inside one parameter space ``W_h``).

    JSON keys: ``segments`` (count, or null), ``path_exists``, ``equivalent``, ``reason``,
    ``rank``, ``width``, ``bound`` (the guaranteed maximum: 7 when ``2·rank ≤ width``, else
    ``4·rank + 3``), ``rounds``, ``segment_kinds`` (per segment, sub-lists of ``dead``,
    ``transfer``, ``const``), ``changed_units`` (per segment), ``finite_class``,
    ``class_size`` (``2^h·h!`` for a finite class), ``witness``/``witness_output`` (not
    equivalent), ``certificate`` (``-o``: a ``tanh.path`` certificate, or the
    ``tanh.equivalence`` certificate of non-equivalence), ``plot``.
    """
    from math import factorial

    from ..tanh.certificates import path_certificate
    from ..tanh.paths import path as find_path

    result = find_path(net_a, net_b)
    data: dict = {
        "segments": len(result.segments) if result.exists else None,
        "path_exists": result.exists,
        "equivalent": result.equivalent,
        "reason": result.reason,
        "rank": result.rank,
        "width": result.width,
        "bound": result.bound,
        "rounds": result.rounds,
        "segment_kinds": [list(s.kinds) for s in result.segments],
        "changed_units": [list(s.changed_units()) for s in result.segments],
        "finite_class": result.finite_class,
    }
    if result.finite_class:
        data["class_size"] = (1 << result.width) * factorial(result.width)
    eq = result.equivalence
    if eq is not None:
        w = eq.witness
        data["witness"] = [format_number(v) for v in w.x] if w is not None else None
        data["witness_output"] = w.output if w is not None else None
        if w is None and eq.witness_note:
            data["witness_note"] = eq.witness_note
    if output:
        write_certificate(path_certificate(result), output)
        data["certificate"] = output
    if plot:
        if result.exists:
            from ..tanh.path_plot import plot_path

            plot_path(result, plot)
            data["plot"] = plot
        else:
            data["plot"] = None
            data["plot_note"] = "no path exists, nothing was drawn"

    def render(console: Console):
        if result.exists:
            console.print(f"[green]path found[/green]: {len(result.segments)} linear segment(s)"
                          f" (guaranteed at most {result.bound}; rank {result.rank}, width {result.width})")
        else:
            console.print("[red]no path[/red]")
        console.print(result.reason)
        if result.segments:
            table = Table("segment", "kind", "units that change", box=None)
            for k, seg in enumerate(result.segments, start=1):
                units = seg.changed_units()
                shown = ", ".join(str(i) for i in units[:12]) + (f", … ({len(units)} in all)" if len(units) > 12 else "")
                table.add_row(str(k), " + ".join(seg.kinds) or "—", shown)
            console.print(table)
            console.print("dead: a unit with zero outgoing weight moves its (b, c); transfer: outgoing weight moves"
                          " between units of one key (up to sign); const: a constant unit's a·tanh(c) moves into d")
        if eq is not None and eq.witness is not None:
            x = display.point(format_number(v) for v in eq.witness.x)
            console.print(f"witness: the networks differ at x = {x}, output {eq.witness.output}")
        if output:
            console.print(f"certificate written to {output} (verify with: exactnet check {output})")
        if plot and result.exists:
            console.print(f"plot written to {plot}")

    return Report(data, EXIT_YES if result.exists else EXIT_NO, render)


# ---------------------------------------------------------------------------------------------
# fiber
# ---------------------------------------------------------------------------------------------

#: Pieces listed by ``exactnet fiber`` when ``--limit`` is not given.
DEFAULT_PIECE_LIMIT = 10

PIECE_RULE = (
    "a piece fixes which units are constant (b = 0), which are attached to each canonical unit j with a sign s"
    " ((b, c) = s·(β_j, γ_j), signed weights summing to α_j), and a set partition of the other units into cancelling"
    " groups with signs modulo the group's global sign ((b, c) = s·κ for a free key κ, signed weights summing to 0);"
    " the output bias is then d = δ − Σ_{constant i} a_i·tanh(c_i)"
)


def fiber(budget, net: Network, sample: int | None = None, seed: int | None = None, limit: int | None = None) -> Report:
    """The functional-equivalence class of NET (in ``W_h``) as a union of pieces.

    JSON keys: ``width``, ``rank``, ``reducible``, ``finite`` (irreducible: the ``2^h·h!``
    orbit points), ``input_dim``, ``output_dim``, ``dimension`` (largest piece dimension,
    ``(h − r)·(max(n, m) + 1)``), ``canonical`` (the compressed parameter,
    ``exactnet.tanh-parameter/1``), ``output_bias`` (``δ``), ``piece_count`` (the exact number
    of pieces, an integer), ``piece_rule``, ``pieces`` (the first ``--limit`` pieces, default
    10, in enumeration order: ``constant``, ``attached``, ``groups``, ``dimension``,
    ``equations``), ``pieces_truncated``, ``numeric_members`` (whether members with an exact
    output bias exist), and with ``--sample N``: ``samples`` (each ``piece``, ``parameter`` in
    the ``exactnet.tanh-parameter/1`` form, and ``network`` — an ``exactnet.network/1`` object
    when the member's output bias is exact, else null) and ``seed`` (the seed used; drawn at
    random and reported when not given). Samples have an exact output bias whenever the class
    has such members (constant units then get ``c = 0``, ``a = 0``, cancelling pairs, or realise
    the tanh terms of ``δ``).
    """
    import itertools

    from ..tanh.fiber import fiber as fiber_of
    from ..tanh.parameter import TanhParameter

    fe = fiber_of(TanhParameter.from_network(net, "exactnet fiber"))
    lim = DEFAULT_PIECE_LIMIT if limit is None else limit
    listed = list(itertools.islice(fe.pieces(), lim + 1))
    truncated = len(listed) > lim
    listed = listed[:lim]
    count = fe.count_pieces()

    def piece_json(piece) -> dict:
        out = piece.to_json()
        out["dimension"] = fe.piece_dimension(piece)
        out["equations"] = [e.text for e in fe.equations(piece)]
        return out

    data: dict = {
        "width": fe.width,
        "rank": fe.rank,
        "reducible": not fe.finite,
        "finite": fe.finite,
        "input_dim": fe.input_dim,
        "output_dim": fe.output_dim,
        "dimension": fe.dimension,
        "canonical": fe.compression.compressed().to_json(),
        "output_bias": vector_to_json(fe.bias),
        "piece_count": count,
        "piece_rule": PIECE_RULE,
        "pieces": [piece_json(p) for p in listed],
        "pieces_truncated": truncated,
        "numeric_members": fe.has_numeric_members,
    }
    samples = []
    if sample:
        data["seed"], samples = fe.samples(sample, seed)
        data["samples"] = [
            {"piece": piece.to_json(), "parameter": member.to_json(),
             "network": network_to_obj(member.to_network()) if member.has_numeric_bias else None}
            for piece, member in samples
        ]

    def render(console: Console):
        if fe.finite:
            console.print(f"irreducible: rank {fe.rank} = width {fe.width}. The class is finite: the {count} points"
                          f" (2^{fe.width}·{fe.width}!) of the orbit under unit permutations and negations.")
        else:
            console.print(f"reducible: rank {fe.rank} < width {fe.width}. The class is a union of {count} pieces;"
                          f" its dimension is {fe.dimension}.")
        console.print(f"output bias of the compressed form δ = {vector_text(fe.bias)}")
        table = Table("canonical unit", "α (outgoing)", "β (incoming)", "γ (bias)", box=None)
        for j, (alpha, beta, gamma) in enumerate(fe.canonical_units()):
            if j >= 20:
                table.add_row("…", f"({fe.rank - 20} more)", "", "")
                break
            table.add_row(str(j), _vec(alpha), _vec(beta), format_number(gamma))
        if fe.rank:
            console.print(table)
        console.print(f"A piece: {PIECE_RULE}.")
        for t, piece in enumerate(listed, start=1):
            console.print(f"[bold]piece {t}[/bold] (dimension {fe.piece_dimension(piece)})")
            for e in fe.equations(piece):
                console.print(f"    {e.text}", markup=False)
        if truncated:
            console.print(f"… {count - len(listed)} more pieces (--limit N to list more)")
        for t, (piece, member) in enumerate(samples, start=1):
            units = "; ".join(f"({_vec(a)}, {_vec(b)}, {format_number(c)})" for a, b, c in member.units())
            console.print(f"sample {t}: units (a, b, c): {units}; d = {vector_text(member.d)}")
        if samples:
            console.print(f"(seed {data['seed']}; --json gives the samples as networks)")

    return Report(data, EXIT_YES, render)


# ---------------------------------------------------------------------------------------------
# prank
# ---------------------------------------------------------------------------------------------


def prank(budget, net: Network, eps, method: str = "exact", output: str | None = None,
          certificate: str | None = None, solver: str | None = None) -> Report:
    """Proximate rank within the closed L∞ ball of radius ``ε``
    (:func:`exactnet.tanh.proximate_rank.proximate_rank`).

    JSON keys: ``method``; ``eps``; exact: ``proximate_rank`` (null when the time limit was
    reached), ``lower_bound``, ``upper_bound``, ``optimality`` (``"exhaustive-search"`` or
    ``"cp-sat-proof"``; ``"unknown"`` on a time limit), ``solver``; greedy: ``upper_bound``,
    ``optimality: "none"``; both: ``rank`` and ``width`` of the input, ``witness`` (a network
    within ε whose rank is the (upper) bound), ``witness_rank``, ``witness_distance``
    (``‖w − w'‖_∞``, exact), ``partition`` (``labels`` per unit: 0 constant, +k kept group k,
    −k cancelled group k; ``signs``; ``groups`` with ``units``, ``signs``, ``kept`` and the
    ``key`` the witness uses), ``reason``, ``stats``, ``output``/``certificate`` when written.
    ``solver`` (exact method): ``"auto"``, ``"search"`` or ``"cp-sat"`` (an error naming the
    ``exactnet[cpsat]`` extra when OR-Tools is missing).
    Exit 0 when decided (greedy: always), 3 when the time limit left the exact value unknown.
    """
    from ..tanh.compression import rank as rank_of
    from ..tanh.parameter import TanhParameter
    from ..tanh.proximate_rank import proximate_rank

    p = TanhParameter.from_network(net, "exactnet prank")
    result = proximate_rank(p, eps, method=method, deadline=budget.deadline, solver=solver or "auto")
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
        from ..tanh.certificates import proximate_rank_certificate

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


__all__ = ["compress", "equiv", "fiber", "info", "path", "prank", "rank"]
