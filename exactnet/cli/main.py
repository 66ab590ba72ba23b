"""The ``exactnet`` command line (see ``interface.md`` for the contract).

Commands that depend on the activation dispatch to ``exactnet/<activation>/commands.py``, which
returns a :class:`~exactnet.cli.report.Report`. Every command takes ``--json`` (exactly one JSON
object on standard output). Exit codes: 0 yes/holds, 1 no, 2 bad input or usage (one line on
standard error, never a traceback), 3 unknown.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys

import click
from rich.console import Console

from .. import __version__
from ..errors import ExactnetError, InputError, UnsupportedError
from .report import EXIT_ERROR, EXIT_NO, EXIT_YES, Report, key_value_table

FAMILIES = ("relu", "tanh")


# ---------------------------------------------------------------------------------------------
# plumbing
# ---------------------------------------------------------------------------------------------


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def emit(report: Report, as_json: bool) -> None:
    """Print a report and exit with its code."""
    if as_json:
        sys.stdout.write(json.dumps(report.data) + "\n")
        sys.stdout.flush()
    else:
        report.show(_stdout())
    raise SystemExit(report.exit_code)


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")(fn)


def activation_option(fn):
    return click.option(
        "--activation",
        type=click.Choice(FAMILIES),
        default=None,
        help="Activation for file formats that do not record it (state dicts, safetensors, npz).",
    )(fn)


def load(path: str, activation: str | None = None):
    from ..io import load_network

    return load_network(path, activation=activation)


def backend(command: str, activation: str):
    """The backend function ``exactnet.<activation>.commands.<command>``."""
    try:
        module = importlib.import_module(f"exactnet.{activation}.commands")
    except ModuleNotFoundError as exc:
        if exc.name != f"exactnet.{activation}.commands":
            raise
        module = None
    fn = getattr(module, command, None) if module is not None else None
    if fn is None:
        raise UnsupportedError(f"'exactnet {command}' is not available for {activation} networks")
    return fn


def call_backend(command: str, activation: str, *args, **options) -> Report:
    """Call a backend, passing only the options it declares; others given by the user are errors."""
    fn = backend(command, activation)
    params = inspect.signature(fn).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    passed = {}
    for name, value in options.items():
        if name in params or accepts_any:
            passed[name] = value
        elif value not in (None, False, ()):
            flag = "--" + name.replace("_", "-")
            raise UnsupportedError(f"{flag} is not supported by 'exactnet {command}' for {activation} networks")
    return fn(*args, **passed)


def same_family(a, b, command: str) -> str:
    if a.activation != b.activation:
        raise UnsupportedError(
            f"'exactnet {command}' compares networks of one activation; got {a.activation} and {b.activation}"
        )
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        raise InputError(
            f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
            f" the second R^{b.input_dim} → R^{b.output_dim}"
        )
    return a.activation


def read_domain_option(path: str | None, net=None):
    if path is None:
        return None
    from ..network.domain import read_domain

    dom = read_domain(path)
    if net is not None and dom.dim != net.input_dim:
        raise InputError(f"{path}: the domain has dimension {dom.dim} but the network takes {net.input_dim} inputs")
    return dom


# ---------------------------------------------------------------------------------------------
# the command group
# ---------------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="exactnet", message="%(prog)s %(version)s")
def cli():
    """Exact decisions about neural-network parameters (rationals and real algebraic numbers).

    Exit codes: 0 yes/holds, 1 no/does not hold, 2 bad input or usage, 3 unknown.
    """


@cli.command()
@click.argument("net")
@activation_option
@json_option
def info(net, activation, as_json):
    """Architecture of NET (and reducibility for tanh networks)."""
    from .core import describe

    network = load(net, activation)
    data = describe(network)
    extra = None
    try:
        extra_fn = backend("info", network.activation)
    except UnsupportedError:
        extra_fn = None
    if extra_fn is not None:
        extra = extra_fn(network)
        data.update(extra.data)

    def render(console: Console):
        console.print(key_value_table(describe(network), title=f"{net}"))
        if extra is not None:
            extra.show(console)

    emit(Report(data, EXIT_YES, render), as_json)


@cli.command(name="eval")
@click.argument("net")
@click.argument("x", nargs=-1, required=True)
@click.option("--prec", default=64, show_default=True, type=click.IntRange(2, 1 << 14),
              help="Bits of accuracy of tanh enclosures.")
@activation_option
@json_option
def eval_(net, x, prec, activation, as_json):
    """Evaluate NET at the input X1 X2 ... (exact numbers: 3, -1/2, 0.1, sqrt(2))."""
    from .core import evaluation_report

    network = load(net, activation)
    emit(evaluation_report(network, list(x), prec), as_json)


@cli.command()
@click.argument("src")
@click.argument("dst")
@click.option("--dtype", type=click.Choice(["float16", "float32", "float64"]), default=None,
              help="Float type for binary outputs (default float64; values are rounded and reported).")
@activation_option
@json_option
def convert(src, dst, dtype, activation, as_json):
    """Convert between .json, PyTorch .pt/.pth, .safetensors, .onnx and .npz."""
    from ..io import save_network

    network = load(src, activation)
    rep = save_network(network, dst, dtype=dtype)
    data = {
        "input": src, "output": dst, "format": rep.format, "dtype": rep.dtype, "exact": rep.exact,
        "rounded": rep.rounded, "parameters": rep.total, "max_abs_error": rep.max_abs_error,
    }
    if not rep.exact:
        click.echo(
            f"exactnet: warning: {rep.rounded} of {rep.total} values were rounded to {rep.dtype}"
            f" (largest error {rep.max_abs_error})",
            err=True,
        )
    emit(Report(data), as_json)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--certificate", "certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a checkable certificate of the verdict to this file.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds before giving up (exit 3, equivalent: null).")
@click.option("--domain", type=click.Path(dir_okay=False), default=None,
              help="Decide equivalence on a box or polyhedron (JSON) instead of all of R^n.")
@activation_option
@json_option
def equiv(a, b, certificate, timeout, domain, activation, as_json):
    """Decide whether A and B compute the same function (exit 0 yes, 1 no, 3 unknown)."""
    net_a, net_b = load(a, activation), load(b, activation)
    family = same_family(net_a, net_b, "equiv")
    dom = read_domain_option(domain, net_a)
    emit(call_backend("equiv", family, net_a, net_b, certificate=certificate, timeout=timeout, domain=dom), as_json)


@cli.command()
@click.argument("net")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the compressed network.")
@click.option("--certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a certificate that the compressed network is equivalent.")
@click.option("--domain", type=click.Path(dir_okay=False), default=None, help="Input domain (ReLU).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds for the exact never-active-unit search (ReLU); the result stays lossless.")
@activation_option
@json_option
def compress(net, output, certificate, domain, timeout, activation, as_json):
    """Losslessly compress NET to a smaller equivalent network."""
    network = load(net, activation)
    dom = read_domain_option(domain, network)
    emit(call_backend("compress", network.activation, network, output=output, certificate=certificate, domain=dom,
                      timeout=timeout), as_json)


@cli.command()
@click.argument("net")
@activation_option
@json_option
def rank(net, activation, as_json):
    """The rank of NET: the fewest hidden units of any equivalent network."""
    network = load(net, activation)
    emit(call_backend("rank", network.activation, network), as_json)


@cli.command()
@click.argument("net")
@click.option("--eps", required=True, help="Radius ε ≥ 0 of the closed L∞ ball (exact: 1/10, 0.1).")
@click.option("--method", type=click.Choice(["exact", "greedy"]), default="exact", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the witness network.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option("--certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a checkable certificate that the witness is within ε and has the reported rank.")
@activation_option
@json_option
def prank(net, eps, method, output, timeout, certificate, activation, as_json):
    """Proximate rank: the least rank within L∞ distance ε of NET."""
    from ..numbers import parse_scalar

    network = load(net, activation)
    value = parse_scalar(eps)
    if not hasattr(value, "p") or value < 0:
        raise InputError(f"--eps must be a non-negative rational, got {eps!r}")
    emit(call_backend("prank", network.activation, network, eps=value, method=method, output=output,
                      timeout=timeout, certificate=certificate), as_json)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the path as a checkable certificate.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Draw the path to a PNG file.")
@activation_option
@json_option
def path(a, b, output, plot, activation, as_json):
    """A piecewise-linear path from A to B inside their functional-equivalence class."""
    net_a, net_b = load(a, activation), load(b, activation)
    family = same_family(net_a, net_b, "path")
    emit(call_backend("path", family, net_a, net_b, output=output, plot=plot), as_json)


@cli.command()
@click.argument("net")
@click.option("--sample", type=click.IntRange(min=0), default=None, help="Also draw this many exact random members.")
@click.option("--seed", type=int, default=None, help="Seed for --sample.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="List at most this many pieces.")
@click.option("--domain", type=click.Path(dir_okay=False), default=None, help="Input domain (ReLU).")
@activation_option
@json_option
def fiber(net, sample, seed, limit, domain, activation, as_json):
    """The fiber (functional-equivalence class) of NET as a union of pieces."""
    network = load(net, activation)
    dom = read_domain_option(domain, network)
    emit(call_backend("fiber", network.activation, network, sample=sample, seed=seed, limit=limit, domain=dom),
         as_json)


@cli.command()
@click.argument("net")
@click.argument("other", required=False)
@click.option("--domain", type=click.Path(dir_okay=False), default=None, help="A box or polyhedron (JSON).")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the cells of a 2-input network (with OTHER: the common refinement).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many regions.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None)
@activation_option
@json_option
def regions(net, other, domain, plot, limit, timeout, activation, as_json):
    """Exact activation regions of a ReLU network."""
    network = load(net, activation)
    second = load(other, activation) if other else None
    if second is not None:
        same_family(network, second, "regions")
    dom = read_domain_option(domain, network)
    emit(call_backend("regions", network.activation, network, other=second, domain=dom, plot=plot, limit=limit,
                      timeout=timeout), as_json)


@cli.command()
@click.argument("net")
@click.option("--domain", type=click.Path(dir_okay=False), default=None, help="A box or polyhedron (JSON).")
@click.option("--batch", type=click.Path(dir_okay=False), default=None,
              help="JSON list of input points: the batch functional dimension at those points.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None)
@activation_option
@json_option
def fdim(net, domain, batch, timeout, activation, as_json):
    """Exact functional dimension of NET."""
    network = load(net, activation)
    dom = read_domain_option(domain, network)
    emit(call_backend("fdim", network.activation, network, domain=dom, batch=batch, timeout=timeout), as_json)


@cli.command()
@click.argument("cert")
@click.option("--network", "networks", multiple=True, type=click.Path(dir_okay=False),
              help="Also require the certificate's networks to equal these files (in order).")
@json_option
def check(cert, networks, as_json):
    """Verify a certificate independently (exit 0 valid, 1 invalid, 2 malformed)."""
    from ..certify import check_file

    emit(check_file(cert, [load(p) for p in networks]), as_json)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the registered claims without running them.")
@click.option("--quick", is_flag=True, help="Smaller instance counts (what the test suite runs).")
@json_option
def reproduce(names, list_only, quick, as_json):
    """Reproduce the papers' claims exactly (exit 0 if every claim holds)."""
    from ..reproduce.runner import reproduce_report

    emit(reproduce_report(list(names), list_only=list_only, quick=quick, show_progress=not as_json), as_json)


# ---------------------------------------------------------------------------------------------
# symmetry groups and covering numbers (issue 13; backends in exactnet.symmetry)
# ---------------------------------------------------------------------------------------------


@cli.command()
@click.argument("net")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the canonical representative (format from the extension).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds before giving up (exit 3).")
@activation_option
@json_option
def symmetry(net, output, timeout, activation, as_json):
    """Symmetry group, stabilizer, orbit size and canonical representative of NET."""
    from .symmetry_report import allow_big_integers, symmetry_report

    allow_big_integers()
    network = load(net, activation)
    emit(symmetry_report(network, timeout=timeout, output=output), as_json)


@cli.command()
@click.option("--activation", "activation", required=True, help="relu or tanh.")
@click.option("--widths", required=True, help="Layer widths d_0,...,d_{L+1}, e.g. 4,8,8,1.")
@click.option("--eps", required=True, help="Radius ε > 0 (exact: 1/10, 0.1).")
@click.option("--bound", required=True, help="Parameter box [-B, B]^S: B > 0.")
@click.option("--input-box", "input_box", default="1", show_default=True, help="Input box [-R, R]^{d_0}: R ≥ 0.")
@json_option
def covering(activation, widths, eps, bound, input_box, as_json):
    """Plain and symmetry-reduced covering numbers of a network class (exact)."""
    from .symmetry_report import allow_big_integers, covering_report

    allow_big_integers()
    emit(covering_report(activation, widths, eps, bound, input_box), as_json)


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to exit code 2 with one line on standard error."""
    debug = bool(os.environ.get("EXACTNET_DEBUG"))
    try:
        cli.main(args=argv, prog_name="exactnet", standalone_mode=False)
        return EXIT_YES
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (EXIT_YES if code is None else EXIT_ERROR)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # usage errors, bad option values
        _error(exc.format_message())
        return EXIT_ERROR
    except click.Abort:
        _error("aborted")
        return EXIT_ERROR
    except (InputError, ExactnetError) as exc:
        if debug:
            raise
        _error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except RecursionError:
        _error("input too deeply nested")
        return EXIT_ERROR
    except MemoryError:
        _error("out of memory")
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line, no traceback unless EXACTNET_DEBUG is set
        if debug:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set EXACTNET_DEBUG=1 for a traceback)")
        return EXIT_ERROR


def _error(message: str) -> None:
    line = " ".join(str(message).split())
    sys.stderr.write(f"exactnet: error: {line}\n")
    sys.stderr.flush()


def run() -> None:  # pragma: no cover - console-script wrapper
    raise SystemExit(main())


__all__ = ["cli", "main", "run", "EXIT_NO"]
