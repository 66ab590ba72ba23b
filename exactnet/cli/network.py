"""The activation-independent commands of the CLI: the ``info`` keys of every network and ``eval``."""

from __future__ import annotations

from flint import arb
from rich.console import Console
from rich.table import Table

from ..network import Network, evaluate
from ..numbers import format_number
from ..numbers.algebraic import ball_bounds
from . import display
from .report import Report, key_value_table


def describe(net: Network) -> dict:
    """The ``info`` keys of the interface contract, plus a few more."""
    data = {
        "activation": net.activation,
        "widths": list(net.widths),
        "parameters": net.num_parameters,
        "hidden_layers": net.depth,
        "exact_field": "Q" if net.field is None else f"Q({net.field.generator_expr})",
    }
    return data


def ball_json(ball: arb, digits: int) -> dict:
    lo, hi = ball_bounds(ball)
    return {"ball": ball.str(digits, radius=True), "lower": format_number(lo), "upper": format_number(hi)}


def evaluation_report(net: Network, x: list, prec: int) -> Report:
    ev = evaluate(net, x, prec=prec)
    digits = max(5, int(prec * 0.30103))
    if net.activation == "relu":
        data = {"output": [format_number(v) for v in ev.exact]}
    else:
        data = {
            "output": [
                {**ball_json(b, digits), "exact": format_number(e) if ev.exact is not None else None}
                for b, e in zip(ev.enclosures, ev.exact or [None] * len(ev.enclosures))
            ],
            "precision_bits": prec,
        }

    def render(console: Console):
        if ev.exact is not None:
            table = Table("output", "exact", "decimal", box=None)
            for i, e in enumerate(ev.exact, start=1):
                table.add_row(str(i), format_number(e), display.decimal_beside(format_number(e)))
        else:
            table = Table("output", "value (ball: midpoint +/- radius)", box=None)
            for i, b in enumerate(ev.enclosures, start=1):
                table.add_row(str(i), b.str(digits, radius=True))
        console.print(table)

    return Report(data, 0, render)


__all__ = ["describe", "evaluation_report", "key_value_table"]
