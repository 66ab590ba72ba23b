"""``exactnet reproduce``: the registered claims as a table (running: :mod:`exactnet.reproduce.runner`)."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console

from .display import fit
from .progress import console_progress
from .report import Report


def reproduce_report(names: list[str], list_only: bool = False, quick: bool = False) -> Report:
    from ..reproduce.registry import select
    from ..reproduce.runner import run_claims

    chosen = select(names)
    if list_only:
        rows = [{"name": e.claim.name, "source": e.claim.source, "statement": e.claim.statement} for e in chosen]

        def render_list(console: Console):
            wide = max((len(r["name"]) for r in rows), default=0)
            for r in rows:
                head = f"{r['name']:<{wide}}  "
                console.print(head + fit(f"{r['statement']} ({r['source']})", max(console.width - len(head), 10)),
                              markup=False, highlight=False, crop=False)

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
        """One line per claim (``holds``, name, seconds, details cut to the width; all in --json)."""
        wide = max((len(r["name"]) for r in rows), default=0)
        for r in rows:
            mark = "yes" if r["holds"] else "NO "
            head = f"{mark}  {r['name']:<{wide}}  {r['seconds']:7.2f} s  "
            line = head + fit(r["details"], max(console.width - len(head), 10))
            console.print(line, markup=False, highlight=False, crop=False,
                          style=None if r["holds"] else "red")
        console.print(f"{sum(r['holds'] for r in rows)} of {len(rows)} claims hold")

    return Report({"claims": rows, "holds": all_hold}, 0 if all_hold else 1, render)


__all__ = ["reproduce_report"]
