"""What a CLI command returns: JSON data, an exit code, and an optional human rendering.

Backends (``exactnet/<family>/commands.py``) return a :class:`Report`; the CLI prints
``data`` as one JSON object with ``--json``, or calls ``render`` (Rich) otherwise.

Exit codes (``docs/cli.md``): ``0`` yes/holds/valid, ``1`` no/does not hold/invalid,
``2`` bad input or usage, ``3`` unknown (time limit, or a question the procedure cannot
decide, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # Rich is imported only when an answer is rendered (start-up: docs/dependencies.md)
    from rich.console import Console
    from rich.table import Table

EXIT_YES = 0
EXIT_NO = 1
EXIT_ERROR = 2
EXIT_UNKNOWN = 3


def verdict_exit(value: bool | None) -> int:
    """Diff-like exit code of a verdict: ``True`` → 0, ``False`` → 1, ``None`` (unknown) → 3."""
    return EXIT_UNKNOWN if value is None else (EXIT_YES if value else EXIT_NO)


@dataclass(frozen=True)
class Report:
    data: dict
    exit_code: int = EXIT_YES
    render: Callable[[Console], None] | None = field(default=None, compare=False)

    def show(self, console: Console) -> None:
        if self.render is not None:
            self.render(console)
        else:
            console.print(key_value_table(self.data))


def key_value_table(data: dict, title: str | None = None) -> Table:
    """A two-column table of the scalar entries of ``data`` (nested values summarised)."""
    from rich.table import Table

    table = Table(show_header=False, title=title, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in data.items():
        table.add_row(str(key), summarize(value))
    return table


def summarize(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "unknown"}[value]
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (list, dict)) for v in value) and len(value) <= 12:
            return "[" + ", ".join(summarize(v) for v in value) + "]"
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return "{" + ", ".join(value.keys()) + "}" if len(value) <= 6 else f"{{{len(value)} keys}}"
    return str(value)
