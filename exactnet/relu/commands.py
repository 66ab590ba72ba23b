"""CLI backends for ReLU networks: ``exactnet equiv``, ``compress`` and ``regions``.

JSON keys (``--json``; exact numbers as ``"p/q"`` strings):

* ``equiv A B``: ``equivalent`` (``true``/``false``/``null``), ``reason``, ``tier`` (``"a"`` canonical
  form, ``"b"`` symmetry normal form, ``"c"`` probe points, ``"d"`` region refinement, ``null`` when
  unknown), ``witness`` (an input where the outputs differ, or ``null``), ``outputs`` (both
  networks' outputs at the witness), ``certificate`` (the file written, if any). Exit 0 / 1 / 3.
* ``compress NET``: ``width_before``, ``width_after`` (the hidden width as an integer for networks
  with one hidden layer; for deeper networks the list of hidden widths), ``hidden_widths_before``,
  ``hidden_widths_after`` (always lists), ``network`` (the compressed network object),
  ``exact_dead`` (whether never-active units were decided exactly to the end), ``note``.
* ``regions NET [OTHER]``: ``count`` (regions; with OTHER the cells of the common refinement),
  ``complete``, ``input_dim``, ``degenerate`` (regions where some preactivation is identically
  zero), ``listed`` and ``regions`` (at most 1000, each with ``pattern`` — labels per hidden
  layer, ``+1`` active, ``−1`` inactive, ``0`` identically zero — or ``patterns`` with OTHER,
  an interior ``point`` and the exact affine ``map``), ``plot`` (the file written). ``--limit``
  stops early (``count`` is then ``null`` and ``complete`` false); ``--timeout`` gives exit 3.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..certify import write_certificate
from ..cli.report import EXIT_UNKNOWN, EXIT_YES, Report, key_value_table, verdict_exit
from ..deadline import Deadline, TimeLimitReached
from ..network import forward_exact, network_to_obj
from ..numbers import format_number
from ..progress import console_progress

MAX_LISTED = 1000


def _fmt(xs) -> list[str]:
    return [format_number(v) for v in xs]


def equiv(a, b, certificate=None, timeout=None, domain=None) -> Report:
    from .equivalence import equivalent

    with console_progress("ReLU equivalence") as progress:
        res = equivalent(a, b, domain, certificate=certificate is not None, timeout=timeout, progress=progress)
    data = {
        "equivalent": res.equivalent,
        "reason": res.reason,
        "tier": res.tier,
        "witness": _fmt(res.witness) if res.witness is not None else None,
    }
    if res.witness is not None:
        data["outputs"] = [_fmt(forward_exact(a, res.witness)), _fmt(forward_exact(b, res.witness))]
    if res.stats:
        data["stats"] = res.stats
    if certificate is not None:
        if res.certificate is not None:
            write_certificate(res.certificate, certificate)
            data["certificate"] = certificate
        else:
            data["certificate"] = None

    def render(console: Console):
        verdict = {True: "[green]equivalent[/]", False: "[red]not equivalent[/]", None: "[yellow]unknown[/]"}
        console.print(verdict[res.equivalent] + (f" (tier {res.tier})" if res.tier else ""))
        console.print(res.reason)
        if res.witness is not None:
            console.print(f"witness x = ({', '.join(data['witness'])})")
            console.print(f"  first:  ({', '.join(data['outputs'][0])})")
            console.print(f"  second: ({', '.join(data['outputs'][1])})")
        if data.get("certificate"):
            console.print(f"certificate written to {certificate}")

    return Report(data, verdict_exit(res.equivalent), render)


def compress(net, output=None, certificate=None, domain=None, timeout=None) -> Report:
    from ..io import save_network
    from .compress import compress as run

    with console_progress("deciding never-active units") as progress:
        res = run(net, domain, certificate=certificate is not None, timeout=timeout, progress=progress)
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
    if output is not None:
        save_network(res.network, output)
        data["output"] = output
    if certificate is not None and res.certificate is not None:
        write_certificate(res.certificate, certificate)
        data["certificate"] = certificate

    def render(console: Console):
        console.print(key_value_table({"hidden widths before": before, "hidden widths after": after,
                                       "never-active units decided exactly": res.exact_dead}))
        if res.note:
            console.print(res.note)
        if output:
            console.print(f"compressed network written to {output}")
        if data.get("certificate"):
            console.print(f"certificate written to {certificate}")

    return Report(data, EXIT_YES, render)


def _map_obj(m) -> dict:
    return {"weight": [_fmt(row) for row, _ in m.rows()], "bias": [format_number(b) for _, b in m.rows()]}


def regions(net, other=None, domain=None, plot=None, limit=None, timeout=None) -> Report:
    from .regions import walk

    nets = [net] if other is None else [net, other]
    if plot is not None:
        from ..errors import InputError, MissingDependencyError

        if any(x.input_dim != 2 for x in nets):
            raise InputError("--plot draws networks with exactly 2 inputs")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise MissingDependencyError("matplotlib", "plot", "--plot") from None
    deadline = Deadline.after(timeout)
    cells, listed = [], []
    count, degenerate, complete, cut_off = 0, 0, True, None
    with console_progress("enumerating regions") as progress:
        try:
            for r in walk(nets, domain, deadline=deadline, progress=progress):
                count += 1
                degenerate += r.is_degenerate
                if plot is not None:
                    cells.append(r)
                if len(listed) < MAX_LISTED:
                    entry = {"point": _fmt(r.point)}
                    if other is None:
                        entry["pattern"] = [list(layer) for layer in r.pattern]
                        entry["map"] = _map_obj(r.map)
                    else:
                        entry["patterns"] = [[list(layer) for layer in p] for p in r.patterns]
                        entry["maps"] = [_map_obj(m) for m in r.maps]
                    listed.append(entry)
                if limit is not None and count >= limit:
                    complete = False
                    break
        except TimeLimitReached as exc:
            complete, cut_off = False, str(exc)
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
    if plot is not None and cells:
        from .plot import plot_regions

        plot_regions(cells, plot, nets, domain)
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
            table.add_row(str(pat), "(" + ", ".join(entry["point"]) + ")")
        console.print(table)
        if len(listed) > 20:
            console.print(f"... {len(listed) - 20} more (use --json for all listed regions)")
        if data.get("plot"):
            console.print(f"plot written to {plot}")

    return Report(data, EXIT_UNKNOWN if cut_off else EXIT_YES, render)


__all__ = ["compress", "equiv", "regions"]
