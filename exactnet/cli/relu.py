"""The ReLU commands of the CLI: ``exactnet equiv``, ``compress``, ``regions``, ``fdim``, ``fiber`` and
the extra ``info`` keys. Each handler calls the deciding code of :mod:`exactnet.relu`, turns its
plain result object into the JSON keys below and a Rich rendering, and writes the files asked for.

JSON keys (``--json``; exact numbers as ``"p/q"`` strings):

* ``equiv A B``: ``equivalent`` (``true``/``false``/``null``), ``reason``, ``tier`` (``"s"`` three-layer
  structural canonical form, ``"a"`` canonical form, ``"b"`` symmetry normal form, ``"c"`` probe
  points, ``"d"`` region refinement, ``null`` when unknown), ``method`` (the tier's name, e.g.
  ``"three_layer_structural"``; ``null`` when unknown), ``notes`` (why earlier tiers did not decide,
  e.g. the structural tier's failed hypothesis), ``witness`` (an input where the outputs differ, or ``null``), ``outputs`` (both
  networks' outputs at the witness), ``certificate`` (the file written, if any). Exit 0 / 1 / 3.
* ``compress NET``: ``width_before``, ``width_after`` (the hidden width as an integer for networks
  with one hidden layer; for deeper networks the list of hidden widths), ``hidden_widths_before``,
  ``hidden_widths_after`` (always lists), ``network`` (the compressed network object),
  ``exact_dead`` (whether never-active units were decided exactly to the end), ``note``; with a
  bounded ``--domain``/``--box`` also ``stable_neurons``: ``complete``, ``counts`` (``active``,
  ``inactive``, ``both``, ``undecided``), ``units`` (per hidden unit, 0-based ``layer``/``unit``,
  ``verdict``, proved ``lower``/``upper`` bounds of the preactivation on the domain, indices
  ``positive_witness``/``negative_witness`` into ``points`` where it is ``> 0``/``< 0``, ``method``),
  ``points`` (exact domain points), ``removed_inactive``, ``merged_active``, ``folded_layers``.
  Exit 3 (with the verdicts so far, and a lossless network built from them) when the time limit
  stops the stable-neuron analysis.
* ``regions NET [OTHER]``: ``count`` (regions; with OTHER the cells of the common refinement),
  ``complete``, ``input_dim``, ``degenerate`` (regions where some preactivation is identically
  zero), ``listed`` and ``regions`` (at most 1000, each with ``pattern`` — labels per hidden
  layer, ``+1`` active, ``−1`` inactive, ``0`` identically zero — or ``patterns`` with OTHER,
  an interior ``point`` and the exact affine ``map``), ``plot`` (the file written). ``--limit``
  stops early (``count`` is then ``null`` and ``complete`` false); ``--timeout`` gives exit 3.
* ``fdim NET [--domain BOX]``: ``functional_dimension`` (``null`` after ``--timeout``,
  exit 3), ``upper_bound`` (``D − N_hid``), ``attained``, ``lower_bound`` (certified),
  ``certified_by`` (``"modular rank meets the bound D - N_hid"``, ``"exact kernel verified on every
  region"``, ``"exact integer elimination over all regions"`` or ``"no smooth points"``),
  ``parameters``, ``hidden_neurons``, ``local_fiber_dimension`` (``D − dim_fun``), ``regions_used``,
  ``regions_in_basis``, ``regions_enumerated``, ``enumeration_complete``, ``degenerate_regions``,
  ``prime``, ``reason``, ``kernel_directions`` (exact extra kernel vectors as ``{parameter: value}``,
  parameters named ``W1[i,j]``/``b1[i]``), ``decisive_points`` (a batch that attains the value) and
  ``decisive_points_count``.
* ``fdim NET --batch FILE``: only the batch rank, the functional dimension on the batch:
  ``functional_dimension`` and ``batch_functional_dimension`` (``null`` when the time limit stops
  it, exit 3), ``lower_bound``/``upper_bound`` and ``batch_lower_bound``/``batch_upper_bound`` (the
  certified interval), ``domain: "batch"``, ``batch_points``, ``batch_certified_by``, ``batch_kernel_vectors``,
  ``batch_kernel_rank``, ``batch_distinct_patterns``, ``parameters``, ``reason``. With
  ``--with-functional-dimension`` also the keys above and ``batch_attains_functional_dimension``
  (exit 0 once the batch rank is decided, even if the limit stops the functional dimension). A batch
  point on a bent hyperplane is an error (exit 2) naming the point and the neuron.
* ``fiber NET [--sample K --seed S] [--limit N]`` (two hidden layers: see
  :mod:`exactnet.cli.relu_three_layer`; one hidden layer): ``width``, ``canonical_form``,
  ``piece_count``, ``pieces`` (each: per canonical key the numbers of positively/negatively
  oriented units, ``inert`` units, ``free_groups``, ``dimension``, ``description``),
  ``network_piece``, ``dimension``, ``components`` (``null`` = unknown), ``components_up_to_permutation``,
  ``components_reason``, ``component_representatives``, ``orbit_is_fiber`` and ``samples``.
* ``info NET --symmetries`` adds ``symmetries`` (the report of :mod:`exactnet.relu.symmetries`),
  ``functional_dimension`` and ``upper_bound``; exit 3 when the time limit left the report incomplete.
* ``info NET`` of a network with two hidden layers adds ``three_layer`` (:func:`three_layer_info`:
  ``analysed``, ``bottleneck``, ``applicable``, ``reason``, ``checks``, ``layer2``, ``layer2_counts``,
  ``layer2_exact``, ``layer1``, ``layer1_counts``, ``layer1_reason``; docs/cli.md).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..certificates import write_certificate
from .cluster import executor_for, work_deadline
from ..network import forward_exact, network_to_obj
from ..numbers import format_number
from . import display
from .progress import console_progress
from .report import EXIT_UNKNOWN, EXIT_YES, Report, key_value_table, verdict_exit

MAX_LISTED = 1000


def _fmt(xs) -> list[str]:
    return [format_number(v) for v in xs]


def equiv(budget, a, b, certificate=None, domain=None, workers=None, scheduler=None,
          certificate_format=None, certificate_networks=None) -> Report:
    """``exactnet equiv A B``: :func:`exactnet.relu.equivalence.equivalent` (the tiers decide;
    ``--workers``/``--scheduler``: tier (d) as subtree tasks on a Dask cluster). A tier (d) proof is
    written to ``certificate`` as ``exactnet.certificate/1`` (one JSON object, the interface's format)
    unless ``certificate_format == "2"`` (the streamed JSON lines of ``docs/certificates.md``);
    ``certificate_networks == "digest"``: an ``/1`` certificate refers to the networks by digest."""
    from ..relu.equivalence import TIER_METHODS, equivalent

    stream = certificate if certificate is not None and certificate_format == "2" else None
    with console_progress("ReLU equivalence") as progress, executor_for(workers, scheduler) as executor:
        res = equivalent(a, b, domain, certificate=certificate is not None,
                         deadline=work_deadline(budget.deadline, executor), progress=progress, executor=executor,
                         certificate_stream=stream)
    data = {
        "equivalent": res.equivalent,
        "reason": res.reason,
        "tier": res.tier,
        "method": TIER_METHODS.get(res.tier),
        "notes": list(res.notes),
        "witness": _fmt(res.witness) if res.witness is not None else None,
    }
    if res.witness is not None:
        data["outputs"] = [_fmt(forward_exact(a, res.witness)), _fmt(forward_exact(b, res.witness))]
    if res.stats:
        data["stats"] = res.stats
    if certificate is not None:
        if res.certificate is not None:
            cert = res.certificate
            if certificate_networks == "digest":
                from ..certificates.networks import by_reference

                cert = by_reference(cert, [a, b])
            write_certificate(cert, certificate)
            data["certificate"] = certificate
        else:
            data["certificate"] = res.certificate_file
        data["certificate_format"] = 1 if res.certificate is not None else (2 if res.certificate_file else None)

    def render(console: Console):
        verdict = {True: "[green]equivalent[/]", False: "[red]not equivalent[/]", None: "[yellow]unknown[/]"}
        console.print(verdict[res.equivalent] + (f" (tier {res.tier})" if res.tier else ""))
        console.print(res.reason)
        if res.witness is not None:
            console.print(f"witness x = {display.point(data['witness'])}")
            console.print(f"  first:  {display.point(data['outputs'][0])}")
            console.print(f"  second: {display.point(data['outputs'][1])}")
            note = display.rounding_note(data["witness"] + data["outputs"][0] + data["outputs"][1])
            if note:
                console.print(note)
        if data.get("certificate"):
            console.print(f"certificate written to {certificate}")

    return Report(data, verdict_exit(res.equivalent), render)


def compress(budget, net, output=None, certificate=None, domain=None, certificate_format=None) -> Report:
    """``exactnet compress NET``: :func:`exactnet.relu.compression.compress` (a certificate that
    needs the region tree is written as ``exactnet.certificate/2`` when ``certificate_format == "2"``)."""
    from ..io import save_network
    from ..relu.compression import compress as run

    stream = certificate if certificate is not None and certificate_format == "2" else None
    with console_progress("deciding never-active units") as progress:
        res = run(net, domain, certificate=certificate is not None, deadline=budget.deadline, progress=progress,
                  stable_deadline=_reserve(budget.deadline, net), certificate_stream=stream)
    before, after = list(res.width_before), list(res.width_after)
    one = net.depth == 1
    data = {
        "width_before": before[0] if one else before,
        "width_after": after[0] if one else after,
        "hidden_widths_before": before,
        "hidden_widths_after": after,
        "exact_dead": res.exact_dead,
        "note": res.note,
        "network": network_to_obj(res.network),
    }
    code = EXIT_YES
    if res.stable is not None:
        data["stable_neurons"] = _stable_obj(res.stable, res.fold)
        if not res.stable.complete:
            code = EXIT_UNKNOWN
            data["reason"] = res.stable.note
    if output is not None:
        save_network(res.network, output)
        data["output"] = output
    if certificate is not None and res.certificate is not None:
        write_certificate(res.certificate, certificate)
        data["certificate"] = certificate
    elif certificate is not None and res.certificate_file is not None:
        data["certificate"] = res.certificate_file

    def render(console: Console):
        console.print(key_value_table({"hidden widths before": before, "hidden widths after": after,
                                       "never-active units decided exactly": res.exact_dead}))
        if res.stable is not None:
            counts = res.stable.counts()
            console.print("stable neurons on the domain: " + ", ".join(f"{v} {k}" for k, v in counts.items())
                          + ("" if res.stable.complete else " (time limit: partial)"))
        if res.note:
            console.print(res.note)
        if output:
            console.print(f"compressed network written to {output}")
        if data.get("certificate"):
            console.print(f"certificate written to {certificate}")

    return Report(data, code, render)


def _reserve(deadline, net):
    """The deadline of the stable-neuron analysis: before the command's, leaving time to fold the
    verdicts found so far and print the network (about 3 s per 100 000 parameters on a loaded
    machine, at most half of the time left)."""
    from ..deadline import Deadline

    left = deadline.remaining()
    if left is None:
        return deadline
    params = sum(layer.out_dim * (layer.in_dim + 1) for layer in net.layers)
    return Deadline(deadline.at - min(0.5 * left, 1.0 + 3e-5 * params))


def _stable_obj(analysis, fold) -> dict:
    def q(v):
        return None if v is None else format_number(v)

    return {
        "complete": analysis.complete,
        "counts": analysis.counts(),
        "units": [{"layer": u.layer, "unit": u.unit, "verdict": u.verdict, "lower": q(u.lower), "upper": q(u.upper),
                   "positive_witness": u.positive, "negative_witness": u.negative, "method": u.method}
                  for u in analysis.units],
        "points": [_fmt(p) for p in analysis.points],
        "removed_inactive": [list(x) for x in fold.removed_inactive],
        "merged_active": [list(x) for x in fold.merged_active],
        "folded_layers": list(fold.folded_layers),
    }


def _map_obj(m) -> dict:
    return {"weight": [_fmt(row) for row, _ in m.rows()], "bias": [format_number(b) for _, b in m.rows()]}


def regions(budget, net, other=None, domain=None, plot=None, limit=None, workers=None, scheduler=None) -> Report:
    """``exactnet regions NET [OTHER]``: :func:`exactnet.relu.regions.list_regions` (with
    ``--workers``/``--scheduler``: :func:`exactnet.relu.subtrees.list_regions_on`)."""
    from ..relu.regions import list_regions

    nets = [net] if other is None else [net, other]
    if plot is not None:
        from ..errors import InputError, MissingDependencyError

        if any(x.input_dim != 2 for x in nets):
            raise InputError("--plot draws networks with exactly 2 inputs")
        if not all(x.is_rational for x in nets):
            raise InputError("--plot draws regions of networks with rational weights (the drawn polygons are PPL"
                             " polyhedra); this network has real algebraic entries (count and list without --plot)")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise MissingDependencyError("matplotlib", "plot", "--plot") from None
    keep = None if plot is not None else MAX_LISTED
    with console_progress("enumerating regions") as progress, executor_for(workers, scheduler) as executor:
        if executor is None:
            found = list_regions(nets, domain, limit=limit, keep=keep, deadline=budget.deadline, progress=progress)
        else:
            from ..relu.subtrees import list_regions_on

            found = list_regions_on(executor, nets, domain, limit=limit, keep=keep,
                                    deadline=work_deadline(budget.deadline, executor), progress=progress)
    count, degenerate, complete, cut_off = found.count, found.degenerate, found.complete, found.reason
    listed = []
    for r in found.regions[:MAX_LISTED]:
        entry = {"point": _fmt(r.point)}
        if other is None:
            entry["pattern"] = [list(layer) for layer in r.pattern]
            entry["map"] = _map_obj(r.map)
        else:
            entry["patterns"] = [[list(layer) for layer in p] for p in r.patterns]
            entry["maps"] = [_map_obj(m) for m in r.maps]
        listed.append(entry)
    data = {
        "count": count if complete else None,
        "complete": complete,
        "input_dim": net.input_dim,
        "degenerate": degenerate,
        "listed": len(listed),
        "regions": listed,
    }
    if not complete:
        data["count_at_least"] = count
    if cut_off:
        data["reason"] = cut_off
    if plot is not None and found.regions:
        from ..relu.plot import plot_regions

        plot_regions(found.regions, plot, nets, domain)
        data["plot"] = plot

    def render(console: Console):
        label = "cells of the common refinement" if other is not None else "activation regions"
        if complete:
            console.print(f"{count} {label}" + (f" ({degenerate} degenerate)" if degenerate else ""))
        else:
            console.print(f"at least {count} {label} ({cut_off or 'stopped at --limit'})")
        table = Table("pattern", "interior point", box=None)
        for entry in listed[:20]:
            pat = entry.get("pattern") or entry.get("patterns")
            table.add_row(str(pat), display.point(entry["point"]))
        console.print(table)
        note = display.rounding_note(x for entry in listed[:20] for x in entry["point"])
        if note:
            console.print(note)
        if len(listed) > 20:
            console.print(f"... {len(listed) - 20} more (use --json for all listed regions)")
        if data.get("plot"):
            console.print(f"plot written to {plot}")

    return Report(data, EXIT_UNKNOWN if cut_off else EXIT_YES, render)


# ---------------------------------------------------------------------------------------------
# functional dimension, fibers, symmetries
# ---------------------------------------------------------------------------------------------

#: Decisive points listed in ``fdim --json`` at most (the count is always given).
MAX_DECISIVE_POINTS = 2000


def _sparse(vec, names) -> dict:
    return {names[i]: format_number(v) for i, v in enumerate(vec) if v != 0}


def _read_batch(path: str, n: int):
    from pathlib import Path

    from ..errors import FormatError, InputError
    from ..numbers import json_loads_exact
    from ..relu.functional_dimension import parse_batch

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    import json

    try:
        obj = json_loads_exact(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    try:
        return parse_batch(obj, n)
    except InputError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def fdim(budget, net, domain=None, batch=None, workers=None, scheduler=None,
         with_functional_dimension=False) -> Report:
    """``exactnet fdim``: exact functional dimension; with ``--batch`` only the batch functional
    dimension (exit 0 when decided, 3 with the certified interval when the time limit stops it);
    ``--with-functional-dimension`` adds the functional dimension after the batch answer (the batch
    answer is handed to ``budget.provisional`` first, so that it stands if the limit ends the rest)."""
    from ..errors import InputError
    from ..relu.functional_dimension import batch_functional_dimension, functional_dimension
    from ..relu.jacobian import parameter_names
    from ..relu.regions import require_rational_relu, require_relu

    deadline, provisional = budget.deadline, budget.provisional
    require_relu(net, "functional dimension")
    if with_functional_dimension and batch is None:
        raise InputError("--with-functional-dimension goes with --batch (plain 'exactnet fdim NET' computes the"
                         " functional dimension)")
    if batch is not None:  # the batch rank is modular (integer data)
        require_rational_relu(net, "batch functional dimension (--batch)")
    points = _read_batch(batch, net.input_dim) if batch is not None else None
    bres = None
    if points is not None:
        def interim(partial):
            provisional(_batch_report(partial))

        bres = batch_functional_dimension(net, points, deadline=deadline, interim=interim)
        if not with_functional_dimension or bres.value is None:
            return _batch_report(bres)
        done = bres
        provisional(Report(
            {"functional_dimension": None, "reason": "the time limit stopped the functional dimension",
             **_batch_keys(done, None)}, EXIT_YES,
            lambda console: console.print(f"batch functional dimension {done.value} on {done.points} points"
                                          f" ({done.certified_by}); functional dimension: unknown (time limit)")))
    with console_progress("functional dimension: regions") as progress, executor_for(workers, scheduler) as executor:
        res = functional_dimension(net, domain, deadline=work_deadline(deadline, executor), progress=progress,
                                   executor=executor)
    names = parameter_names(net)
    data = {
        "functional_dimension": res.value,
        "upper_bound": res.upper_bound,
        "attained": res.attained,
        "lower_bound": res.lower_bound,
        "certified_by": res.certified_by,
        "parameters": res.parameters,
        "hidden_neurons": res.hidden_neurons,
        "local_fiber_dimension": res.fiber_dimension,
        "regions_used": res.regions_used,
        "regions_in_basis": res.regions_in_basis,
        "regions_enumerated": res.regions_enumerated,
        "enumeration_complete": res.enumeration_complete,
        "degenerate_regions": res.degenerate_regions,
        "prime": res.prime,
        "domain": None if domain is None else domain.to_obj(),
        "reason": res.reason,
        "kernel_directions": [_sparse(v, names) for v in res.kernel],
        "decisive_points_count": sum(len(s) for s in res.decisive_points),
    }
    pts = [p for simplex in res.decisive_points for p in simplex]
    if len(pts) <= MAX_DECISIVE_POINTS:
        data["decisive_points"] = [_fmt(p) for p in pts]
    if bres is not None:
        data.update(_batch_keys(bres, res.value))

    def render(console: Console):
        if res.value is None:
            console.print(f"functional dimension: [yellow]unknown[/] (at least {res.lower_bound}; {res.reason})")
        else:
            tag = "[green]attains[/]" if res.attained else "[yellow]below[/]"
            console.print(f"functional dimension {res.value} ({tag} the bound D - N_hid = {res.upper_bound})")
        rows = {"parameters D": res.parameters, "hidden neurons N_hid": res.hidden_neurons,
                "local fiber dimension D - dim_fun": res.fiber_dimension, "certified by": res.certified_by,
                "regions used": res.regions_used, "regions enumerated": res.regions_enumerated,
                "enumeration complete": res.enumeration_complete}
        if res.degenerate_regions:
            rows["degenerate regions (excluded)"] = res.degenerate_regions
        console.print(key_value_table(rows))
        if res.kernel:
            console.print(f"{len(res.kernel)} exact kernel direction(s) beyond the scalings (gauge-fixed), e.g.:")
            console.print("  " + ", ".join(f"{k} = {v}" for k, v in list(data["kernel_directions"][0].items())[:12]))
        if res.reason and res.value is not None:
            console.print(res.reason)
        if bres is not None:
            console.print(f"batch functional dimension {bres.value} on {bres.points} points"
                          f" ({bres.certified_by})")

    known = res.value is not None or bres is not None
    return Report(data, EXIT_YES if known else EXIT_UNKNOWN, render)


def _batch_keys(bres, value=None, with_attains=True) -> dict:
    keys = {"batch_functional_dimension": bres.value, "batch_lower_bound": bres.lower,
            "batch_upper_bound": bres.upper, "batch_points": bres.points, "batch_certified_by": bres.certified_by,
            "batch_kernel_vectors": bres.kernel_vectors, "batch_kernel_rank": bres.kernel_rank,
            "batch_distinct_patterns": bres.patterns, "parameters": bres.parameters}
    if with_attains:
        keys["batch_attains_functional_dimension"] = (None if value is None or bres.value is None
                                                      else bres.value == value)
    return keys


def _batch_report(bres) -> Report:
    """The answer of ``fdim --batch``: the batch rank (exit 0), or the certified interval (exit 3).

    The batch is the domain the question is asked on, so ``functional_dimension`` /
    ``lower_bound`` / ``upper_bound`` (the interface's keys of ``fdim``) carry the batch functional
    dimension and its certified interval, equal to the ``batch_*`` keys."""
    data = {"functional_dimension": bres.value, "lower_bound": bres.lower, "upper_bound": bres.upper,
            "domain": "batch", **_batch_keys(bres, with_attains=False), "reason": bres.reason}

    def render(console: Console):
        if bres.value is None:
            console.print(f"batch functional dimension: [yellow]unknown[/], between {bres.lower} and {bres.upper}"
                          f" ({bres.reason})")
        else:
            console.print(f"batch functional dimension {bres.value} on {bres.points} points ({bres.certified_by})")
        console.print(key_value_table({"parameters D": bres.parameters, "distinct activation patterns": bres.patterns,
                                       "verified kernel vectors": bres.kernel_vectors,
                                       "columns they remove": bres.kernel_rank}))

    return Report(data, EXIT_YES if bres.value is not None else EXIT_UNKNOWN, render)


def fiber(budget, net, sample=None, seed=None, limit=None, domain=None, member=None) -> Report:
    """``exactnet fiber``: the fiber of a one-hidden-layer network as a union of pieces
    (:func:`exactnet.relu.fiber.fiber`); two hidden layers: :func:`exactnet.cli.relu_three_layer.fiber`."""
    from ..errors import UnsupportedError
    from ..relu.fiber import fiber as fiber_of

    if domain is not None:
        raise UnsupportedError("'exactnet fiber' describes fibers on R^n; --domain is not supported yet")
    if net.activation == "relu" and net.depth == 2:
        from .relu_three_layer import fiber as two_hidden

        return two_hidden(budget, net, sample=sample, seed=seed, limit=limit, member=member)
    if net.activation == "relu" and net.depth != 1:
        raise UnsupportedError(f"'exactnet fiber' describes fibers of ReLU networks with one or two hidden layers;"
                               f" this network has {net.depth}")
    if member is not None:
        raise UnsupportedError("--member is supported for networks with two hidden layers")
    fib = fiber_of(net)
    pieces = fib.pieces
    shown = pieces if limit is None else pieces[:limit]
    comps = fib.components()
    own = fib.piece_of(net)
    data = {
        "width": fib.width,
        "canonical_form": fib.form.to_obj(),
        "piece_count": len(pieces),
        "pieces_complete": not fib.truncated,
        "listed": len(shown),
        "pieces": [p.to_obj(fib.form) for p in shown],
        "network_piece": pieces.index(own) if own is not None else None,
        "dimension": fib.dimension,
        "components": comps.count,
        "components_up_to_permutation": comps.up_to_permutation,
        "components_reason": comps.reason,
        "component_representatives": [network_to_obj(r) for r in comps.representatives[:50]],
        "orbit_is_fiber": fib.orbit_is_fiber(),
    }
    if sample:
        data["samples"] = [network_to_obj(x) for x in fib.sample(sample, seed)]

    def render(console: Console):
        console.print(f"fiber of a width-{fib.width} network: {len(pieces)} piece(s) up to permutation"
                      + ("" if not fib.truncated else " (listing truncated)"))
        table = Table("#", "units", "dimension", box=None)
        for i, p in enumerate(shown):
            mark = " (this network)" if p == own else ""
            table.add_row(str(i + 1), p.describe(fib.form) + mark, str(p.dimension))
        console.print(table)
        if comps.count is None:
            console.print(f"connected components: unknown ({comps.reason})")
        else:
            console.print(f"connected components: {comps.count} ({comps.up_to_permutation} up to permutation of the"
                          " units)")
        console.print({True: "no hidden symmetries (the fiber is the orbit)",
                       False: "hidden symmetries: the fiber is larger than the orbit of permutations and scalings",
                       None: "hidden symmetries: unknown (too many pieces to list)"}[data["orbit_is_fiber"]])
        if sample:
            console.print(f"{len(data['samples'])} exact random member(s) in the JSON output (--json)")

    return Report(data, EXIT_YES, render)


def laws(budget, net, data=None) -> Report:
    """``exactnet laws NET [--data FILE]`` (:mod:`exactnet.cli.relu_three_layer`); ``--data`` is a JSON
    list of input points, read like ``fdim --batch``."""
    from .relu_three_layer import laws as run

    points = _read_batch(data, net.input_dim) if data is not None else None
    return run(budget, net, points)


#: ``info`` analyses the three-layer structure of networks with at most this many parameters
#: (about 2 µs each: ``info`` stays fast); larger ones get ``three_layer.analysed: false``.
INFO_STRUCTURE_MAX_PARAMETERS = 250_000


def three_layer_info(budget, net) -> Report:
    """``info`` of a two-hidden-layer ReLU network: the exact structure of docs/relu-three-layer.md §2
    (bottleneck, the genericity checks, the neuron classification), bounded in size and under the
    command's deadline."""
    from ..relu.three_layer.structure import summary

    count = net.num_parameters
    if count > INFO_STRUCTURE_MAX_PARAMETERS:
        data = {"three_layer": {"analysed": False, "reason": f"{count} parameters > {INFO_STRUCTURE_MAX_PARAMETERS}:"
                                                             " not analysed so that info stays fast"}}
        return Report(data, EXIT_YES, lambda console: console.print(
            f"three-layer structure: {data['three_layer']['reason']}"))
    obj = {"analysed": True, **summary(net, budget.deadline).to_obj()}

    def render(console: Console):
        console.print("three-layer structure (two hidden layers; docs/relu-three-layer.md):")
        for c in obj["checks"]:
            mark = "[green]yes[/]" if c["holds"] else "[red]no[/]"
            role = "" if c["needed"] else ", reported only"
            console.print(f"  {c['condition']} {c['name']}: {mark} ({c['reason']}{role})")
        if obj["layer2"] is not None:
            where = "on the orthant" + ("" if obj["layer2_exact"] else " (not the image of the first layer: sufficient"
                                                                      " conditions only)")
            counts = ", ".join(f"{v} {k}" for k, v in obj["layer2_counts"].items())
            console.print(f"  second layer {where}: {counts}: {' '.join(obj['layer2'])}")
        if obj["layer1"] is not None:
            counts = ", ".join(f"{v} {k}" for k, v in obj["layer1_counts"].items())
            console.print(f"  first layer: {counts}: {' '.join(obj['layer1'])}")
        elif obj.get("layer1_reason"):
            console.print(f"  first layer: {obj['layer1_reason']}")
        console.print("  structural tier (s) of equiv: " + ("applies" if obj["applicable"] else
                                                           f"does not apply ({obj['reason']})"))

    return Report({"three_layer": obj}, EXIT_YES, render)


def info(budget, net, symmetries: bool = False) -> Report:
    """Extra ``exactnet info`` keys for ReLU networks: for two hidden layers the three-layer structure
    (:func:`three_layer_info`, fast); with ``symmetries`` (``--symmetries``) the hidden-symmetry
    report, under the command's deadline (exit 3 when it is incomplete); otherwise nothing, so that
    ``info`` stays an instant architecture summary."""
    structure = three_layer_info(budget, net) if net.depth == 2 else None
    if not symmetries:
        return structure or Report({}, EXIT_YES, lambda console: None)
    report = _symmetry_info(budget, net)
    if structure is None:
        return report

    def render(console: Console):
        structure.show(console)
        report.show(console)

    return Report({**structure.data, **report.data}, report.exit_code, render)


def _symmetry_info(budget, net) -> Report:
    from ..relu.symmetries import format_report, symmetries as symmetry_report

    if not net.is_rational:
        return Report({"symmetries": None, "symmetries_reason": "the symmetry report needs rational weights"},
                      EXIT_YES, lambda console: console.print("hidden symmetries: not analysed (algebraic weights)"))
    rep = symmetry_report(net, deadline=budget.deadline)
    data = {"symmetries": rep.to_obj(), "functional_dimension": rep.functional_dimension.value,
            "upper_bound": rep.functional_dimension.upper_bound}

    def render(console: Console):
        for line in format_report(rep):
            console.print(line)

    return Report(data, EXIT_YES if rep.complete else EXIT_UNKNOWN, render)


__all__ = ["compress", "equiv", "fdim", "fiber", "info", "laws", "regions"]
