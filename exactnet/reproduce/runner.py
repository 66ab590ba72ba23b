"""Running claims and reporting them (the ``exactnet reproduce`` command)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from ..cli.report import Report
from .registry import select


def reproduce_report(names: list[str], list_only: bool = False, quick: bool = False,
                     show_progress: bool = True) -> Report:
    chosen = select(names)
    if list_only:
        rows = [{"name": e.claim.name, "source": e.claim.source, "statement": e.claim.statement} for e in chosen]

        def render_list(console: Console):
            table = Table("name", "source", "statement", show_lines=False)
            for r in rows:
                table.add_row(r["name"], r["source"], r["statement"])
            console.print(table)

        return Report({"claims": rows}, 0, render_list)

    err = Console(stderr=True, highlight=False)
    rows = []
    for entry in chosen:
        start = time.perf_counter()
        if show_progress:
            with err.status(f"reproducing {entry.claim.name} …"):
                outcome = entry.run(quick=quick)
        else:
            outcome = entry.run(quick=quick)
        rows.append({
            "name": entry.claim.name,
            "source": entry.claim.source,
            "statement": entry.claim.statement,
            "holds": bool(outcome.holds),
            "details": outcome.details,
            "seconds": round(time.perf_counter() - start, 3),
            **({"data": outcome.data} if outcome.data else {}),
        })
    all_hold = all(r["holds"] for r in rows)

    def render(console: Console):
        table = Table(show_lines=True)
        table.add_column("claim", no_wrap=True, style="bold")
        table.add_column("source", ratio=2)
        table.add_column("holds", no_wrap=True)
        table.add_column("details", ratio=3)
        table.add_column("s", no_wrap=True, justify="right")
        for r in rows:
            mark = "[green]yes[/green]" if r["holds"] else "[red]NO[/red]"
            table.add_row(r["name"], r["source"], mark, r["details"], f"{r['seconds']:.2f}")
        console.print(table)
        console.print(f"{sum(r['holds'] for r in rows)} of {len(rows)} claims hold")

    return Report({"claims": rows, "holds": all_hold}, 0 if all_hold else 1, render)
