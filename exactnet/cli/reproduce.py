"""``exactnet reproduce``: the registered claims as a table (running: :mod:`exactnet.reproduce.runner`)."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from .progress import console_progress
from .report import Report


def reproduce_report(names: list[str], list_only: bool = False, quick: bool = False) -> Report:
    from ..reproduce.registry import select
    from ..reproduce.runner import run_claims

    chosen = select(names)
    if list_only:
        rows = [{"name": e.claim.name, "source": e.claim.source, "statement": e.claim.statement} for e in chosen]

        def render_list(console: Console):
            table = Table("name", "source", "statement", show_lines=False)
            for r in rows:
                table.add_row(r["name"], r["source"], r["statement"])
            console.print(table)

        return Report({"claims": rows}, 0, render_list)

    with console_progress("reproducing", total=len(chosen)) as progress:
        @contextmanager
        def around(entry):
            progress.describe(f"reproducing {entry.claim.name}")
            yield
            progress.advance()

        rows = [run.to_json() for run in run_claims(chosen, quick=quick, around=around)]
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


__all__ = ["reproduce_report"]
