"""The CLI of two-hidden-layer ReLU networks (docs/relu-three-layer.md): ``exactnet fiber NET`` for a
bottleneck network with two hidden layers, and ``exactnet laws NET``.

JSON keys (``--json``):

* ``fiber NET`` (two hidden layers): ``widths``, ``parameters`` (the names ``W1[i,j]``, ``b1[i]``, …
  used in the pieces), ``canonical_form``, ``piece_count``, ``pieces_complete``, ``listed``,
  ``pieces`` (each: ``roles`` per layer, ``branch``, ``equalities`` and ``inequalities`` as text,
  ``dimension``, ``sample``, ``sample_equivalent``, ``contains_parameter``, ``empty``),
  ``network_piece``, ``dimension`` (of the piece holding NET), ``functional_dimension``,
  ``expected_dimension`` (``D − fdim``), ``dimension_matches`` (``null`` when either is unknown),
  ``components`` (``null`` = not determined), ``components_reason``, ``symmetry``; with
  ``--member OTHER``: ``member`` (``true``/``false``/``null``), ``member_reason``,
  ``member_witness``, ``member_same_function`` (``f_OTHER = f_NET``, decided also when the widths
  differ: then OTHER is never a member), ``member_widths``, ``member_piece`` (the index of a listed piece that contains OTHER after
  permuting its hidden layers, checked exactly; ``null`` when not a member); with ``--sample K``: ``samples`` (each ``{"piece", "network"}``, verified
  equivalent).
* ``laws NET [--data FILE]``: ``count``, ``count_exact`` (proved: the laws' gradients have rank
  ``count``), ``count_bounds`` (``[proved lower bound, count]``), ``parameters``, ``lie_rank``, ``field_rank``,
  ``bracket_depth``, ``laws`` (each ``name``, ``kind``, ``polynomial``, ``region``, ``verified``,
  ``value`` at NET), ``no_laws`` (each ``symmetry``, ``generator``, ``candidate``,
  ``candidate_derivative``, ``non_integrable``, ``preserves_function``), ``patterns``,
  ``data_points``, ``visits_all_patterns``.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..network import network_to_obj
from ..numbers import format_number
from .report import EXIT_YES, Report

#: Pieces printed in the human output at most (all listed pieces are in the JSON).
SHOWN_PIECES = 12


def fiber(budget, net, sample=None, seed=None, limit=None, member=None) -> Report:
    """``exactnet fiber NET`` for a network with two hidden layers (:func:`exactnet.relu.three_layer.fiber`)."""
    from ..errors import InputError
    from ..relu.three_layer.fiber import fiber as fiber_of, piece_index, samples

    if not net.is_rational:
        raise InputError("'exactnet fiber' of a two-hidden-layer network needs rational weights")
    enumerate_at_most = limit or 64
    fib = fiber_of(net, limit=enumerate_at_most, seed=seed or 0, deadline=budget.deadline)
    pieces = fib.pieces
    shown = pieces if limit is None else pieces[:limit]
    obj = fib.to_obj(budget.deadline)  # printing the polynomials is checkpointed too
    D = len(obj["parameters"])
    expected = None if fib.functional_dimension is None else D - fib.functional_dimension
    own = next((i for i, p in enumerate(pieces) if p.contains_parameter), None)
    data = {
        "widths": obj["widths"],
        "parameters": obj["parameters"],
        "canonical_form": fib.canonical.to_obj(),
        "piece_count": len(pieces),
        "pieces_complete": fib.complete,
        "listed": len(shown),
        "pieces": obj["pieces"][:len(shown)],
        "network_piece": own,
        "dimension": fib.dimension,
        "functional_dimension": fib.functional_dimension,
        "expected_dimension": expected,
        "dimension_matches": None if fib.dimension is None or expected is None else fib.dimension == expected,
        "components": fib.components,
        "components_reason": fib.components_reason,
        "symmetry": obj["symmetry"],
    }
    verdict = None
    if member is not None:
        verdict, why, witness, same_function = _membership(net, member, budget.deadline)
        data.update(member=verdict, member_reason=why, member_same_function=same_function,
                    member_widths=list(member.widths),
                    member_witness=None if witness is None else [format_number(v) for v in witness],
                    member_piece=piece_index(fib, member, limit=enumerate_at_most,
                                             deadline=budget.deadline) if verdict else None)
    if sample:
        drawn = samples(net, sample, seed=seed or 0, limit=enumerate_at_most, deadline=budget.deadline)
        data["samples"] = [{"piece": i, "network": network_to_obj(q.to_network())} for i, q in drawn]

    def render(console: Console):
        console.print(f"fiber of a {'-'.join(map(str, fib.widths))} network: {len(pieces)} piece(s) up to"
                      " permutations of each hidden layer" + ("" if fib.complete else " (enumeration truncated)"))
        for i, p in enumerate(shown[:SHOWN_PIECES]):
            tags = [p.branch, "roles " + " ".join(p.roles2)]
            if p.contains_parameter:
                tags.append("contains NET")
            state = ("empty (proved)" if p.empty else f"dimension {p.dimension}" if p.dimension is not None
                     else "not decided")
            console.print(f"piece {i + 1} ({', '.join(tags)}): {state}")
            if p.empty:
                continue
            table = Table(box=None, show_header=False, padding=(0, 2))
            for e in p.equalities:
                table.add_row(f"{e} = 0")
            for e, op in p.inequalities:
                table.add_row(f"{e} {op} 0")
            console.print(table)
        if len(shown) > SHOWN_PIECES:
            console.print(f"... {len(shown) - SHOWN_PIECES} more piece(s) (use --json)")
        check = data["dimension_matches"]
        console.print(f"dimension {fib.dimension} (D - fdim = {expected}"
                      + ({True: ", matches", False: ", DIFFERS", None: ""}[check]) + ")")
        console.print("connected components: " + ("not determined" if fib.components is None else str(fib.components))
                      + f" ({fib.components_reason})")
        if member is not None:
            where = f" in piece {data['member_piece'] + 1}" if data.get("member_piece") is not None else ""
            console.print({True: "OTHER is a member", False: "OTHER is not a member", None: "membership unknown"}[verdict]
                          + where + f" ({data['member_reason']})")
        if sample:
            console.print(f"{len(data['samples'])} exact member(s), each verified equivalent (in the JSON output)")

    return Report(data, EXIT_YES, render)


def _membership(net, other, deadline=None):
    """``(member, reason, witness, same_function)``: ``other`` lies in the fiber of ``net`` iff it has
    the same architecture (activation and widths: the fiber's parameter space) and computes the same
    function. The function is compared with the equivalence decider (all tiers, tier s first) even
    when the widths differ, so the answer says which of the two conditions fails."""
    from ..deadline import NO_DEADLINE
    from ..relu.equivalence import equivalent

    if other.activation != "relu":
        return False, f"OTHER is a {other.activation} network; the fiber lies in ReLU parameters", None, None
    if (other.input_dim, other.output_dim) != (net.input_dim, net.output_dim):
        return (False, f"OTHER maps R^{other.input_dim} -> R^{other.output_dim}, NET maps R^{net.input_dim} ->"
                       f" R^{net.output_dim}: another function space", None, False)
    res = equivalent(net, other, deadline=deadline or NO_DEADLINE)
    how = f"equivalence tier {res.tier}: {res.reason}"
    same = tuple(other.widths) == tuple(net.widths)
    if same:
        return res.equivalent, how, res.witness, res.equivalent
    arch = (f"OTHER has widths {'-'.join(map(str, other.widths))}, the fiber lies in widths"
            f" {'-'.join(map(str, net.widths))}")
    function = {True: "it computes the same function", False: "it computes another function",
                None: "whether it computes the same function is unknown"}[res.equivalent]
    return False, f"{arch} (another parameter space); {function} ({how})", res.witness, res.equivalent


def laws(budget, net, data=None) -> Report:
    """``exactnet laws NET [--data FILE]``: :func:`exactnet.relu.three_layer.laws.laws`."""
    from ..relu.three_layer.laws import laws as laws_of

    res = laws_of(net, data, deadline=budget.deadline)
    obj = res.to_obj()

    def render(console: Console):
        if res.count_exact:
            console.print(f"{res.count} independent conservation law(s) of gradient flow (D = {res.parameters},"
                          f" Lie rank {res.lie_rank}; exact: the laws below have {res.law_rank} independent"
                          " gradients)")
        else:
            console.print(f"at most {res.count} independent conservation law(s) of gradient flow (D = {res.parameters},"
                          f" Lie rank at least {res.lie_rank}); the laws below prove at least {res.law_rank}:"
                          f" brackets up to depth {res.bracket_depth} did not close the gap")
        for law in res.laws:
            mark = "verified" if law.verified else "NOT verified"
            console.print(f"  {law.name} ({law.kind}, {mark}): {law.polynomial}")
            console.print(f"      holds: {law.region}")
        for nl in res.no_laws:
            console.print(f"no law from {nl.symmetry}: dQ/dt = {format_number(nl.derivative)} for the candidate"
                          f" {nl.candidate}; " + ("not integrable (ω ∧ dω ≠ 0)" if nl.non_integrable
                                                  else "integrability not refuted"))
        visits = {True: "every activation pattern", False: "NOT every activation pattern",
                  None: "unknown patterns"}[res.visits_all_patterns]
        console.print(f"data: {res.data_points} points in {res.patterns} patterns ({visits})")

    return Report(obj, EXIT_YES, render)


__all__ = ["fiber", "laws"]
