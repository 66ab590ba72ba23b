"""The ``exactnet`` command line (contract: ``docs/cli.md``).

Each command below reads its inputs and calls one handler; commands that depend on the activation
look their handler up in :data:`FAMILY_COMMANDS` (``exactnet/cli/relu.py``, ``exactnet/cli/tanh.py``),
which also lists the options each family supports. A handler calls the deciding code and returns
a :class:`~exactnet.cli.report.Report`. Every command takes ``--json`` (exactly one JSON object on
standard output) and ``--timeout SECONDS`` (for the whole command, reading included). Exit codes:
0 yes/holds, 1 no, 2 bad input or usage (one line on standard error, never a traceback), 3 unknown
(time limit, with the reason).

Following ``exactnet equiv A B``: :func:`equiv` → ``FAMILY_COMMANDS["equiv"]`` →
:func:`exactnet.cli.relu.equiv` → :func:`exactnet.relu.equivalence.equivalent` (or
:func:`exactnet.cli.tanh.equiv` → :func:`exactnet.tanh.equivalence.equivalent`).
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Callable

import click

from .._version import __version__
from ..errors import ExactnetError, InputError, UnsupportedError
from .cluster import cluster_options
from .inputs import domain_options, read_domain_option
from .limits import SECONDS
from .outputs import check_network_output, check_writable
from .report import EXIT_ERROR, EXIT_NO, EXIT_YES, Report, key_value_table
from .runner import Budget, Invocation, process_started, run_command

if TYPE_CHECKING:
    from rich.console import Console

# Start-up (docs/dependencies.md): importing this module loads click and the small CLI plumbing
# only; each command imports its implementation (the family modules, exactnet.io, FLINT, Rich)
# when it runs.

FAMILIES = ("relu", "tanh")
#: The longest error line printed (characters of the message; longer ones are cut, saying so).
MAX_ERROR_CHARS = 500
#: The most exact random members ``exactnet fiber --sample`` draws.
MAX_SAMPLES = 1000


# ---------------------------------------------------------------------------------------------
# plumbing
# ---------------------------------------------------------------------------------------------


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object on stdout.")(fn)


def timeout_option(fn):
    return click.option(
        "--timeout", type=SECONDS, default=None,
        help="Seconds for the whole command, reading included; then exit 3 with an honest 'unknown'.",
    )(fn)


def activation_option(fn):
    return click.option(
        "--activation",
        type=click.Choice(FAMILIES),
        default=None,
        help="Activation for file formats that do not record it (state dicts, safetensors, npz).",
    )(fn)


def exact_option(fn):
    return click.option("--exact", is_flag=True,
                        help="Human output: exact values instead of short decimals (--json is always exact).")(fn)


def progress_option(fn):
    return click.option(
        "--progress/--no-progress", "progress", default=None,
        help="Progress on standard error: --progress prints a line every second, --no-progress nothing"
             " (default: a progress bar on a terminal, otherwise a line every 30 s after 10 s).",
    )(fn)


def command(key: str, **settings):
    """Register ``fn(budget, **params) -> Report`` as an ``exactnet`` command with ``--json``,
    ``--exact``, ``--timeout`` and ``--progress/--no-progress`` (``budget``:
    :class:`~exactnet.cli.runner.Budget`). ``key`` is the answer's principal JSON key, ``null``
    when the time limit ends the command (:func:`~exactnet.cli.runner.time_limit_report`)."""

    def register(fn):
        name = settings.pop("name", None) or fn.__name__

        @functools.wraps(fn)
        def wrapper(*, timeout, as_json, exact, progress, **params):
            ctx = click.get_current_context()
            from .display import exact_output

            invocation = ctx.obj if isinstance(ctx.obj, Invocation) else Invocation()
            with exact_output(exact):
                code = run_command(name, key, lambda budget: fn(budget, **params), timeout=timeout,
                                   as_json=as_json, invocation=invocation, progress=progress)
            raise SystemExit(code)

        return cli.command(name=name, **settings)(json_option(exact_option(timeout_option(progress_option(wrapper)))))

    return register


def load(path: str, activation: str | None = None):
    from ..io import load_network

    return load_network(path, activation=activation)


def relu_cli() -> ModuleType:
    """``exactnet.cli.relu``, imported when a ReLU command runs."""
    from . import relu

    return relu


def tanh_cli() -> ModuleType:
    """``exactnet.cli.tanh``, imported when a tanh command runs."""
    from . import tanh

    return tanh


@dataclass(frozen=True)
class Handler:
    """A family's implementation of a command: the function ``name`` of the family's CLI module
    (``module()`` imports it on first use), called as ``run(budget, *inputs, **options)``, and the
    command-line options (parameter names) it supports."""

    module: Callable[[], ModuleType]
    name: str
    options: frozenset = field(default_factory=frozenset)

    @property
    def run(self) -> Callable[..., Report]:
        return getattr(self.module(), self.name)


def _handler(module: Callable[[], ModuleType], name: str, *options: str) -> Handler:
    return Handler(module, name, frozenset(options))


#: The commands whose work depends on the activation: command → activation → handler.
FAMILY_COMMANDS: dict[str, dict[str, Handler]] = {
    "info": {"relu": _handler(relu_cli, "info", "symmetries"), "tanh": _handler(tanh_cli, "info")},
    "equiv": {"relu": _handler(relu_cli, "equiv", "certificate", "domain", "workers", "scheduler",
                               "certificate_format", "certificate_networks"),
              "tanh": _handler(tanh_cli, "equiv", "certificate", "domain")},
    "compress": {"relu": _handler(relu_cli, "compress", "output", "certificate", "domain", "certificate_format"),
                 "tanh": _handler(tanh_cli, "compress", "output", "certificate", "domain")},
    "rank": {"tanh": _handler(tanh_cli, "rank")},
    "prank": {"tanh": _handler(tanh_cli, "prank", "eps", "method", "output", "certificate", "solver")},
    "path": {"tanh": _handler(tanh_cli, "path", "output", "plot")},
    "fiber": {"relu": _handler(relu_cli, "fiber", "sample", "seed", "limit", "domain", "member"),
              "tanh": _handler(tanh_cli, "fiber", "sample", "seed", "limit")},
    "regions": {"relu": _handler(relu_cli, "regions", "other", "domain", "plot", "limit", "workers", "scheduler")},
    "fdim": {"relu": _handler(relu_cli, "fdim", "domain", "batch", "with_functional_dimension", "workers",
                              "scheduler")},
    "laws": {"relu": _handler(relu_cli, "laws", "data")},
}


def family_handler(command_name: str, activation: str) -> Handler:
    """The handler of ``exactnet <command_name>`` for ``activation`` networks (or a clear error)."""
    handler = FAMILY_COMMANDS[command_name].get(activation)
    if handler is None:
        raise UnsupportedError(f"'exactnet {command_name}' is not available for {activation} networks")
    return handler


def call_backend(command_name: str, activation: str, *args, budget: Budget, **options) -> Report:
    """Run the family's handler with the options it supports; an option it does not support that
    the user gave (a value other than ``None``/``False``/``()``) is an error."""
    handler = family_handler(command_name, activation)
    for name, value in options.items():
        if name not in handler.options and value not in (None, False, ()):
            flag = "--" + name.replace("_", "-")
            raise UnsupportedError(f"{flag} is not supported by 'exactnet {command_name}' for {activation} networks")
    return handler.run(budget, *args, **{k: v for k, v in options.items() if k in handler.options})


def same_family(a, b, command_name: str) -> str:
    if a.activation != b.activation:
        raise UnsupportedError(
            f"'exactnet {command_name}' compares networks of one activation; got {a.activation} and {b.activation}"
        )
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        raise InputError(
            f"dimension mismatch: the first network maps R^{a.input_dim} → R^{a.output_dim},"
            f" the second R^{b.input_dim} → R^{b.output_dim}"
        )
    return a.activation


def check_plot_output(path: str | None) -> None:
    """A ``--plot`` file: writable, with an extension Matplotlib can write (``.png``, ``.pdf``, ...)."""
    if path is None:
        return
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError("matplotlib", "plot", "--plot") from None
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    kinds = FigureCanvasBase.get_supported_filetypes()
    if suffix not in kinds:
        raise InputError(f"--plot {path}: cannot draw a {suffix or 'file without extension'!r}; name the file"
                         f" .{' or .'.join(sorted(kinds))}")
    check_writable(path, "--plot")


# ---------------------------------------------------------------------------------------------
# the command group
# ---------------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="exactnet", message="%(prog)s %(version)s")
def cli():
    """Exact decisions about neural-network parameters (rationals and real algebraic numbers).

    Exit codes: 0 yes/holds, 1 no/does not hold, 2 bad input or usage, 3 unknown (time limit).
    Every command takes --json (one JSON object on stdout) and --timeout SECONDS.
    """


@command("widths")
@click.argument("net")
@click.option("--symmetries", is_flag=True,
              help="ReLU: also run the hidden-symmetry analysis (regions, functional dimension; can be slow).")
@activation_option
def info(budget, net, symmetries, activation):
    """Architecture of NET (and reducibility for tanh networks); fast on any network."""
    from ..io import load_model
    from .network import describe

    model = load_model(net, activation)
    network = model.network
    data = describe(network)
    data.update(model.describe())
    extra = None
    if symmetries and network.activation != "relu":
        raise UnsupportedError("--symmetries is the hidden-symmetry analysis of ReLU networks")
    if network.activation in FAMILY_COMMANDS["info"]:
        extra = call_backend("info", network.activation, network, budget=budget, symmetries=symmetries)
        data.update(extra.data)

    def render(console: Console):
        console.print(key_value_table({**describe(network), **model.describe()}, title=f"{net}"))
        if extra is not None:
            extra.show(console)

    return Report(data, EXIT_YES if extra is None else extra.exit_code, render)


_NUMBERISH = re.compile(r"-[\d.(]|-[a-zA-Z]+\(")


class _NumbersCommand(click.Command):
    """A command whose arguments may be negative numbers (``eval NET -1 2``, ``-sqrt(2)``): a word
    that starts with ``-`` followed by a digit, a point, a parenthesis or a function call is an
    argument, not an option (options and their values are moved before a ``--``, the arguments
    keep their order)."""

    def parse_args(self, ctx, args):
        args = list(args)
        after = []
        if "--" in args:
            cut = args.index("--")
            args, after = args[:cut], args[cut + 1:]
        takes_value = {opt for p in self.params if isinstance(p, click.Option) and not p.is_flag
                       for opt in p.opts + p.secondary_opts}
        options, arguments = [], []
        i = 0
        while i < len(args):
            word = args[i]
            if word.startswith("-") and word != "-" and not _NUMBERISH.match(word):
                options.append(word)
                if word in takes_value and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            else:
                arguments.append(word)
            i += 1
        return super().parse_args(ctx, options + ["--"] + arguments + after)


@command("output", name="eval", cls=_NumbersCommand)
@click.argument("net")
@click.argument("x", nargs=-1, required=False)
@click.option("--input", "batch", type=click.Path(dir_okay=False), default=None,
              help="Evaluate at every point of a batch file: .npy (points × inputs), .json (list of points) or"
                   " .csv (one point per line); prints exact outputs, decimal approximations and the argmax.")
@click.option("--prec", default=64, show_default=True, type=click.IntRange(2, 1 << 14),
              help="Bits of accuracy of tanh enclosures.")
@activation_option
def eval_(budget, net, x, batch, prec, activation):
    """Evaluate NET at the input X1 X2 ... (exact numbers: 3, -1/2, 0.1, sqrt(2)) or at every point
    of --input FILE."""
    from ..io import load_model
    from .inputs import batch_evaluation_report, transform_note

    if (batch is None) == (not x):
        raise click.UsageError("give the input X1 X2 ... or --input FILE (one of them)")
    model = load_model(net, activation)
    if batch is not None:
        return batch_evaluation_report(model, batch, prec)
    from .network import evaluation_report

    rep = evaluation_report(model.network, list(x), prec)
    note = transform_note(model)
    if note is None:
        return rep
    data = {**rep.data, "output_transform": model.output_transform, "note": note}
    return Report(data, rep.exit_code, lambda console: (rep.show(console), console.print(note)))


@command("output")
@click.argument("src")
@click.argument("dst")
@click.option("--dtype", type=click.Choice(["float16", "float32", "float64"]), default=None,
              help="Float type for binary outputs (default float64; values are rounded and reported).")
@activation_option
def convert(budget, src, dst, dtype, activation):
    """Convert between .json, PyTorch .pt/.pth, .safetensors, .onnx and .npz."""
    from ..io import save_network

    check_network_output(dst, "output file")
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
    return Report(data)


@command("equivalent")
@click.argument("a")
@click.argument("b")
@click.option("--certificate", "certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a checkable certificate of the verdict to this file.")
@click.option("--stream-certificate", "stream_certificate", is_flag=True, default=False,
              help="Same as --certificate-format 2: a region-tree proof (tier d, ReLU) is written"
                   " as a compact streamed certificate (exactnet.certificate/2, JSON lines; gzip when the file"
                   " name ends with .gz).")
@click.option("--certificate-format", "certificate_format", type=click.Choice(["1", "2"]), default=None,
              help="Format of a region-tree proof (tier d, ReLU): 1 (default) the exactnet.certificate/1"
                   " JSON object, 2 compact streamed JSON lines (exactnet.certificate/2). Every other verdict is written as exactnet.certificate/1.")
@click.option("--certificate-networks", "certificate_networks", type=click.Choice(["inline", "digest"]),
              default=None,
              help="inline (default): the certificate carries both networks (compact when large); digest: it"
                   " refers to them by SHA-256 and `exactnet check CERT --network A --network B` reads them"
                   " (exactnet.certificate/1 certificates; ReLU).")
@domain_options
@click.option("--eps", default=None, metavar="E",
              help="ε-equivalence (ReLU): exit 0 iff max over the domain of ‖A(x) − B(x)‖ (the --norm) is ≤ E"
                   " (exact: 0.05 is 1/20), else exit 1 with a witness. Needs --domain/--box.")
@click.option("--norm", type=click.Choice(["inf", "1"]), default=None,
              help="With --eps: the norm of A(x) − B(x) compared with E: inf (default) max_k |A_k − B_k|, 1 the"
                   " sum Σ_k |A_k − B_k|.")
@click.option("--top1", is_flag=True,
              help="Top-1 equivalence (ReLU): both networks pick the same output index (the lowest index among"
                   " the maxima) at every point of the domain, else a witness. A trailing Softmax is allowed.")
@cluster_options
@activation_option
def equiv(budget, a, b, certificate, stream_certificate, certificate_format, certificate_networks, domain, box, eps,
          norm, top1, workers, scheduler, activation):
    """Decide whether A and B compute the same function (exit 0 yes, 1 no, 3 unknown); with
    --domain/--box, on that domain instead of all of R^n; with --eps E, whether they differ by at
    most E there; with --top1, whether they always pick the same class there."""
    for flag, given in (("--stream-certificate", stream_certificate), ("--certificate-format", certificate_format),
                        ("--certificate-networks", certificate_networks)):
        if given and certificate is None:
            raise InputError(f"{flag} needs --certificate FILE")
    if stream_certificate and certificate_format == "1":
        raise click.UsageError("--stream-certificate asks for format 2; it contradicts --certificate-format 1")
    if stream_certificate:
        certificate_format = "2"
    check_writable(certificate, "--certificate")
    if eps is not None and top1:
        raise click.UsageError("--eps and --top1 ask different questions: give one of them")
    if norm is not None and eps is None:
        raise click.UsageError("--norm applies to --eps (the norm of A(x) − B(x) compared with ε)")
    if eps is not None or top1:
        if certificate_format or certificate_networks:
            raise click.UsageError("--stream-certificate, --certificate-format and --certificate-networks apply to"
                                   " exact equivalence; they do not apply to --eps or --top1")
        if workers is not None or scheduler is not None:
            raise click.UsageError("--workers/--scheduler run exact equivalence (tier d) on Dask; they do not apply"
                                   " to --eps or --top1")
        return _graded_equiv(budget, a, b, certificate, domain, box, eps, top1, activation, norm or "inf")
    net_a, net_b = load(a, activation), load(b, activation)
    family = same_family(net_a, net_b, "equiv")
    dom = read_domain_option("equiv", domain, box, net_a)
    if stream_certificate and family != "relu":
        raise UnsupportedError(f"--stream-certificate is not supported by 'exactnet equiv' for {family} networks")
    return call_backend("equiv", family, net_a, net_b, certificate=certificate, domain=dom, workers=workers,
                        scheduler=scheduler, budget=budget, certificate_format=certificate_format,
                        certificate_networks=certificate_networks)


def _graded_equiv(budget, a, b, certificate, domain, box, eps, top1, activation, norm="inf"):
    """``equiv --eps`` / ``equiv --top1`` (``exactnet/cli/difference.py``)."""
    from ..network.domain_spec import read_domain_spec
    from . import difference as difference_cli

    value = difference_cli.parse_epsilon(eps) if eps is not None else None
    if top1:
        from ..io import load_model

        net_a, net_b = load_model(a, activation).for_top1(), load_model(b, activation).for_top1()
    else:
        net_a, net_b = load(a, activation), load(b, activation)
    same_family(net_a, net_b, "equiv")
    difference_cli.require_relu(net_a, "equiv --top1" if top1 else "equiv --eps")
    dom = read_domain_spec(domain, box, net_a.input_dim)
    if top1:
        return difference_cli.top1(budget, net_a, net_b, dom, certificate=certificate)
    return difference_cli.epsilon(budget, net_a, net_b, dom, value, norm=norm, certificate=certificate)


@command("max_abs_difference")
@click.argument("a")
@click.argument("b")
@domain_options
@click.option("--norm", type=click.Choice(["inf", "1"]), default="inf", show_default=True,
              help="inf: max over x of max_k |A_k(x) − B_k(x)| (with the per-output maxima); 1: of Σ_k |A_k(x) − B_k(x)|.")
@click.option("--certificate", "certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a checkable certificate of the maximum (ReLU: boxes, polyhedra, unions, finite"
                   " sets, both norms; tanh: the enclosure).")
@click.option("--width", default="1/1000000", show_default=True, metavar="W",
              help="tanh networks: refine the rigorous enclosure of the maximum until it is at most W wide.")
@activation_option
def diff(budget, a, b, domain, box, norm, certificate, width, activation):
    """The exact maximum over the domain of the difference |A(x) − B(x)| (ReLU networks), with a
    point where it is attained (exit 0; 3 with an exact interval when --timeout stops it)."""
    from ..network.domain_spec import read_domain_spec
    from . import difference as difference_cli

    check_writable(certificate, "--certificate")
    net_a, net_b = load(a, activation), load(b, activation)
    same_family(net_a, net_b, "diff")
    dom = read_domain_spec(domain, box, net_a.input_dim)
    if net_a.activation == "tanh":
        return difference_cli.tanh_diff(budget, net_a, net_b, dom, width, norm=norm, certificate=certificate)
    difference_cli.require_relu(net_a, "diff")
    return difference_cli.diff(budget, net_a, net_b, dom, norm=norm, certificate=certificate)


@command("width_after")
@click.argument("net")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the compressed network.")
@click.option("--certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a certificate that the compressed network is equivalent.")
@click.option("--certificate-format", "certificate_format", type=click.Choice(["1", "2"]), default=None,
              help="Format of a certificate that needs the region tree (ReLU on a domain): 1 (default) the"
                   " exactnet.certificate/1 JSON object, 2 compact streamed JSON lines.")
@click.option("--dtype", type=click.Choice(["float16", "float32", "float64"]), default=None,
              help="Float type of a binary -o file (default float64; rounded values are reported, as by convert).")
@domain_options
@activation_option
def compress(budget, net, output, certificate, certificate_format, dtype, domain, box, activation):
    """Losslessly compress NET to a smaller equivalent network (ReLU: if --timeout stops the
    never-active-unit search, the result is still lossless, possibly less compressed); with
    --domain/--box (ReLU), equivalent on that domain: every hidden unit gets a stable-neuron
    verdict (active, inactive, both signs with witnesses, undecided), inactive units are removed
    and active ones folded (exit 3 with the verdicts so far at the time limit)."""
    from .inputs import write_network_output

    check_network_output(output, "--output")
    check_writable(certificate, "--certificate")
    if dtype is not None and output is None:
        raise click.UsageError("--dtype needs -o/--output")
    if certificate_format is not None and certificate is None:
        raise InputError("--certificate-format needs --certificate FILE")
    network = load(net, activation)
    dom = read_domain_option("compress", domain, box, network)
    rep = call_backend("compress", network.activation, network, output=None, certificate=certificate, domain=dom,
                       budget=budget, certificate_format=certificate_format)
    return rep if output is None else write_network_output(rep, output, dtype)


@command("rank")
@click.argument("net")
@activation_option
def rank(budget, net, activation):
    """The rank of NET: the fewest hidden units of any equivalent network."""
    network = load(net, activation)
    return call_backend("rank", network.activation, network, budget=budget)


@command("proximate_rank")
@click.argument("net")
@click.option("--eps", required=True, help="Radius ε ≥ 0 of the closed L∞ ball (exact: 1/10, 0.1).")
@click.option("--method", type=click.Choice(["exact", "greedy"]), default="exact", show_default=True)
@click.option("--solver", type=click.Choice(["auto", "search", "cp-sat"]), default="auto", show_default=True,
              help="Exact method: auto (CP-SAT for large components when OR-Tools is installed), search"
                   " (exhaustive branch and bound) or cp-sat (needs exactnet[cpsat]).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the witness network.")
@click.option("--certificate", type=click.Path(dir_okay=False), default=None,
              help="Write a checkable certificate that the witness is within ε and has the reported rank.")
@activation_option
def prank(budget, net, eps, method, solver, output, certificate, activation):
    """Proximate rank: the least rank within L∞ distance ε of NET."""
    from ..numbers import parse_scalar

    check_network_output(output, "--output")
    check_writable(certificate, "--certificate")
    network = load(net, activation)
    value = parse_scalar(eps)
    if not hasattr(value, "p") or value < 0:
        raise InputError(f"--eps must be a non-negative rational, got {eps!r}")
    return call_backend("prank", network.activation, network, eps=value, method=method, output=output,
                        certificate=certificate, budget=budget, solver=None if solver == "auto" else solver)


@command("path_exists")
@click.argument("a")
@click.argument("b")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the path as a checkable certificate.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Draw the path to a PNG file.")
@activation_option
def path(budget, a, b, output, plot, activation):
    """A piecewise-linear path from A to B inside their functional-equivalence class."""
    check_writable(output, "--output")
    check_plot_output(plot)
    net_a, net_b = load(a, activation), load(b, activation)
    family = same_family(net_a, net_b, "path")
    return call_backend("path", family, net_a, net_b, output=output, plot=plot, budget=budget)


@command("piece_count")
@click.argument("net")
@click.option("--sample", type=click.IntRange(min=0, max=MAX_SAMPLES), default=None,
              help=f"Also draw this many exact random members (at most {MAX_SAMPLES}).")
@click.option("--seed", type=int, default=None, help="Seed for --sample.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="List at most this many pieces.")
@click.option("--member", type=click.Path(dir_okay=False), default=None,
              help="Also decide whether this network lies in the fiber (ReLU, two hidden layers).")
@domain_options
@activation_option
def fiber(budget, net, sample, seed, limit, member, domain, box, activation):
    """The fiber (functional-equivalence class) of NET as a union of pieces."""
    network = load(net, activation)
    other = load(member, activation) if member is not None else None
    dom = read_domain_option("fiber", domain, box, network)
    return call_backend("fiber", network.activation, network, sample=sample, seed=seed, limit=limit, domain=dom,
                        member=other, budget=budget)


@command("count")
@click.argument("net")
@click.option("--data", type=click.Path(dir_okay=False), default=None,
              help="A JSON list of input points (default: n0 + 1 interior points of every activation region).")
@activation_option
def laws(budget, net, data, activation):
    """Conservation laws of gradient flow at NET (ReLU): count, explicit laws, symmetries without law."""
    network = load(net, activation)
    return call_backend("laws", network.activation, network, data=data, budget=budget)


@command("count")
@click.argument("net")
@click.argument("other", required=False)
@domain_options
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the cells of a 2-input network (with OTHER: the common refinement).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many regions.")
@cluster_options
@activation_option
def regions(budget, net, other, domain, box, plot, limit, workers, scheduler, activation):
    """Exact activation regions of a ReLU network."""
    check_plot_output(plot)
    network = load(net, activation)
    second = load(other, activation) if other else None
    if second is not None:
        same_family(network, second, "regions")
    dom = read_domain_option("regions", domain, box, network)
    return call_backend("regions", network.activation, network, other=second, domain=dom, plot=plot, limit=limit,
                        workers=workers, scheduler=scheduler, budget=budget)


@command("functional_dimension")
@click.argument("net")
@domain_options
@click.option("--batch", type=click.Path(dir_okay=False), default=None,
              help="JSON list of input points: only the batch functional dimension at those points (exit 0 when"
                   " decided; 3 with a certified interval when the time limit stops it).")
@click.option("--with-functional-dimension", is_flag=True,
              help="With --batch: also the functional dimension, after the batch answer (which stands if the"
                   " time limit stops the rest).")
@cluster_options
@activation_option
def fdim(budget, net, domain, box, batch, with_functional_dimension, workers, scheduler, activation):
    """Exact functional dimension of NET (with --batch: only the batch functional dimension)."""
    network = load(net, activation)
    dom = read_domain_option("fdim", domain, box, network)
    return call_backend("fdim", network.activation, network, domain=dom, batch=batch,
                        with_functional_dimension=with_functional_dimension, workers=workers,
                        scheduler=scheduler, budget=budget)


@command("complete")
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True,
              help="The results: one JSON line per answered item (appended; answered ids are skipped on a re-run).")
@cluster_options
def batch(budget, manifest, output, workers, scheduler):
    """Answer many questions (equiv with eps/top1, diff, fdim, regions) from a JSON-lines MANIFEST, one line per answer."""
    from .batch import run_batch

    check_writable(output, "--output")
    return run_batch(budget, manifest, output, workers=workers, scheduler=scheduler)


@command("valid")
@click.argument("cert")
@click.option("--network", "networks", multiple=True, type=click.Path(dir_okay=False),
              help="Also require the certificate's networks to equal these files (in order).")
@activation_option
def check(budget, cert, networks, activation):
    """Verify a certificate independently (exit 0 valid, 1 invalid, 2 malformed)."""
    from . import check as check_cli

    return check_cli.check(budget, cert, [load(p, activation) for p in networks])


@command("holds")
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the registered claims without running them.")
@click.option("--quick", is_flag=True, help="Smaller instance counts (what the test suite runs).")
def reproduce(budget, names, list_only, quick):
    """Reproduce the papers' claims exactly (exit 0 if every claim holds)."""
    from . import reproduce as reproduce_cli

    return reproduce_cli.reproduce_report(list(names), list_only=list_only, quick=quick)


# ---------------------------------------------------------------------------------------------
# symmetry groups and covering numbers (issue 13; backends in exactnet.symmetry)
# ---------------------------------------------------------------------------------------------


@command("orbit_size")
@click.argument("net")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the canonical representative (format from the extension).")
@activation_option
def symmetry(budget, net, output, activation):
    """Symmetry group, stabilizer, orbit size and canonical representative of NET."""
    from . import symmetry as symmetry_cli

    check_network_output(output, "-o")
    symmetry_cli.allow_big_integers()
    network = load(net, activation)
    return symmetry_cli.symmetry_report(network, deadline=budget.deadline, output=output)


@command("reduction_factor")
@click.option("--activation", "activation", required=True, help="relu or tanh.")
@click.option("--widths", required=True, help="Layer widths d_0,...,d_{L+1}, e.g. 4,8,8,1.")
@click.option("--eps", required=True, help="Radius ε > 0 (exact: 1/10, 0.1).")
@click.option("--bound", required=True, help="Parameter box [-B, B]^S: B > 0.")
@click.option("--input-box", "input_box", default="1", show_default=True, help="Input box [-R, R]^{d_0}: R ≥ 0.")
def covering(budget, activation, widths, eps, bound, input_box):
    """Plain and symmetry-reduced covering numbers of a network class (exact)."""
    from . import symmetry as symmetry_cli

    symmetry_cli.allow_big_integers()
    return symmetry_cli.covering_report(activation, widths, eps, bound, input_box)


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to exit code 2 with one line on standard error.

    ``argv=None`` (the console script, ``python -m exactnet``) means the command line owns the
    process: ``--timeout`` is then also enforced by a supervising process (``docs/cli.md``). With an
    explicit ``argv`` (calls from Python) only the deadline and the alarm apply.
    """
    process = argv is None
    invocation = Invocation(started=process_started() if process else time.monotonic(), process=process,
                            debug=bool(os.environ.get("EXACTNET_DEBUG")))
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:  # bare `exactnet`: the help on standard output, as `exactnet --help` prints it
        args = ["--help"]
    code = _main(args, invocation)
    if invocation.in_supervised_child():  # the answer is out: skip tearing down a large heap
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _main(args: list[str], invocation: Invocation) -> int:
    try:
        cli.main(args=args, prog_name="exactnet", standalone_mode=False, obj=invocation)
        return EXIT_YES
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (EXIT_YES if code is None else EXIT_ERROR)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # usage errors, bad option values
        _error(exc.format_message())
        return EXIT_ERROR
    except click.Abort:  # click's translation of KeyboardInterrupt (Ctrl-C)
        _error("interrupted")
        return 130
    except (InputError, ExactnetError) as exc:
        if invocation.debug:
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
        if invocation.debug:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set EXACTNET_DEBUG=1 for a traceback)")
        return EXIT_ERROR


def error_line(message: str) -> str:
    """``message`` on one line, at most :data:`MAX_ERROR_CHARS` characters (cut ones say so)."""
    line = " ".join(str(message).split())
    if len(line) > MAX_ERROR_CHARS:
        cut = len(line) - (MAX_ERROR_CHARS - 40)
        line = line[:MAX_ERROR_CHARS - 40].rstrip() + f" … ({cut} more characters)"
    return f"exactnet: error: {line}"


def _error(message: str) -> None:
    sys.stderr.write(error_line(message) + "\n")
    sys.stderr.flush()


def run() -> None:  # pragma: no cover - console-script wrapper
    raise SystemExit(main())


__all__ = ["MAX_ERROR_CHARS", "MAX_SAMPLES", "cli", "error_line", "main", "run", "EXIT_NO"]
