"""CLI plumbing for inputs as users write them: ``--domain``/``--box``, ``eval --input`` batches,
models with an output transform, and network outputs written with a chosen dtype."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..errors import UnsupportedError
from .report import Report

if TYPE_CHECKING:  # Rich and the numbers are imported when a command runs, not at start-up
    from rich.console import Console

DOMAIN_HELP = (
    "Input domain file: .vnnlib (its input constraints: bounds and linear constraints on X_i, decimals read"
    " exactly; 'or' gives a union) or JSON: a box {\"lower\": [..], \"upper\": [..]}, a polyhedron"
    " {\"A\": [[..], ..], \"b\": [..]} meaning A x <= b, a finite set {\"finite\": [0, 1]} (= {0,1}^n) or"
    " {\"finite\": [[..], ..]} (one set per input), a union {\"union\": [..]}. See docs/domains.md."
)
BOX_HELP = "The box [LO, HI]^n: the same exact bounds for every input (e.g. --box 0,1 or --box=-1/2,1/2)."


def describe_domain(dom) -> str:
    from ..network.domain import Box

    if hasattr(dom, "describe"):
        return dom.describe()
    if isinstance(dom, Box):
        return f"a box in R^{dom.dim}"
    return f"a polyhedron in R^{dom.dim} ({len(dom.b)} constraints)"


def read_domain_option(command: str, path: str | None, box: str | None, net=None):
    """``--domain``/``--box`` of a command whose backend decides on boxes and polyhedra only."""
    from ..network.domain import Polyhedron
    from ..network.domain_spec import read_domain_spec

    dom = read_domain_spec(path, box, None if net is None else net.input_dim)
    if dom is not None and not isinstance(dom, Polyhedron):
        raise UnsupportedError(f"'exactnet {command}' decides on a box or a polyhedron; the domain"
                               f" {path} is {describe_domain(dom)}")
    return dom


def domain_options(fn):
    """``--domain FILE`` and ``--box LO,HI`` (documented in ``docs/domains.md``)."""
    fn = click.option("--box", default=None, metavar="LO,HI", help=BOX_HELP)(fn)
    return click.option("--domain", type=click.Path(dir_okay=False), default=None, help=DOMAIN_HELP)(fn)


# ---------------------------------------------------------------------------------------------
# eval --input FILE
# ---------------------------------------------------------------------------------------------

APPROX_DIGITS = 10


def approx(value) -> str:
    """A decimal approximation of an exact number (``APPROX_DIGITS`` significant digits)."""
    from ..numbers import enclosure, working_precision

    with working_precision(128):
        ball = enclosure(value, 128)
    return ball.str(APPROX_DIGITS, radius=False)


def batch_evaluation_report(model, batch: str, prec: int) -> Report:
    """Evaluate ``model`` (an :class:`~exactnet.io.imported.ImportedNetwork`) at every point of
    ``batch``: exact outputs (ReLU) or rigorous balls (tanh), decimal approximations, and the
    argmax (0-based, first index of the maximum; ties listed)."""
    from ..io.batch import read_batch
    from ..network import evaluate
    from ..network.argmax import ball_argmax, exact_argmax
    from ..numbers import format_number
    from .network import ball_json

    net = model.network
    points = read_batch(batch)
    digits = max(5, int(prec * 0.30103))
    outputs, approxes, argmaxes, ties = [], [], [], {}
    for k, x in enumerate(points):
        if len(x) != net.input_dim:
            raise UnsupportedError(f"{batch}: point {k + 1} has {len(x)} numbers but the network takes"
                                   f" {net.input_dim} inputs")
        ev = evaluate(net, x, prec=prec)
        if ev.exact is not None:
            outputs.append([format_number(v) for v in ev.exact] if net.activation == "relu" else
                           [{**ball_json(b, digits), "exact": format_number(e)} for b, e in zip(ev.enclosures, ev.exact)])
            approxes.append([approx(v) for v in ev.exact])
            first, all_max = exact_argmax(ev.exact)
            argmaxes.append(first)
            if len(all_max) > 1:
                ties[k] = list(all_max)
        else:
            outputs.append([{**ball_json(b, digits), "exact": None} for b in ev.enclosures])
            approxes.append([b.str(APPROX_DIGITS, radius=False) for b in ev.enclosures])
            argmaxes.append(ball_argmax(ev.enclosures))
    data = {"input": batch, "points": len(points), "output": outputs, "approx": approxes, "argmax": argmaxes}
    if ties:
        data["argmax_ties"] = {str(k): v for k, v in ties.items()}
    undecided = [k for k, a in enumerate(argmaxes) if a is None]
    if undecided:
        data["argmax_note"] = (f"the enclosures at {prec} bits do not separate the largest output at"
                               f" {len(undecided)} point(s) (argmax null): raise --prec")
    if model.output_transform is not None:
        data["output_transform"] = model.output_transform
        data["note"] = (f"outputs are the logits before the final {model.output_transform}; the argmax is the"
                        " model's (the transform keeps the order of the outputs)")
    if net.activation != "relu":
        data["precision_bits"] = prec

    def render(console: Console):
        from rich.table import Table

        table = Table("point", "outputs (exact ≈ decimal)", "argmax", box=None)
        for k, (out, ap, am) in enumerate(zip(outputs, approxes, argmaxes), start=1):
            cells = []
            for o, a in zip(out, ap):
                exact = o if isinstance(o, str) else (o.get("exact") or o["ball"])
                cells.append(exact if exact == a else f"{exact} ≈ {a}")
            shown = "undecided" if am is None else str(am)
            if (k - 1) in ties:
                shown += f" (tie: {', '.join(map(str, ties[k - 1]))})"
            table.add_row(str(k), "; ".join(cells), shown)
        console.print(table)
        for key in ("note", "argmax_note"):
            if key in data:
                console.print(data[key])

    return Report(data, 0, render)


def transform_note(model) -> str | None:
    """A one-line note for a model whose outputs are logits before Softmax/LogSoftmax."""
    if model.output_transform is None:
        return None
    return (f"outputs are the logits before the final {model.output_transform} (the argmax is the same);"
            " exact and ε questions refuse this model")


# ---------------------------------------------------------------------------------------------
# compress -o FILE --dtype
# ---------------------------------------------------------------------------------------------


def write_network_output(report: Report, output: str, dtype: str | None) -> Report:
    """Write the network of a backend's report (``data["network"]``) to ``output`` rounded to
    ``dtype``; like ``convert``, say how many values were rounded and the largest error."""
    from ..io import save_network
    from ..network import network_from_obj

    net = network_from_obj(report.data["network"], "compressed network")
    rep = save_network(net, output, dtype=dtype)
    data = dict(report.data)
    data.update({"output": output, "dtype": rep.dtype, "exact": rep.exact, "rounded": rep.rounded,
                 "max_abs_error": rep.max_abs_error})
    if not rep.exact:
        click.echo(f"exactnet: warning: {rep.rounded} of {rep.total} values were rounded to {rep.dtype}"
                   f" (largest error {rep.max_abs_error})", err=True)

    def render(console: Console):
        report.show(console)
        console.print(f"compressed network written to {output}" + (f" ({rep.dtype})" if rep.dtype else ""))

    return Report(data, report.exit_code, render)


__all__ = ["BOX_HELP", "DOMAIN_HELP", "batch_evaluation_report", "describe_domain", "domain_options",
           "read_domain_option", "transform_note", "write_network_output"]
