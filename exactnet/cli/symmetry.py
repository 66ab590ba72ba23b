"""Reports of ``exactnet symmetry`` and ``exactnet covering`` (rendering only; the mathematics is in
:mod:`exactnet.symmetry`)."""

from __future__ import annotations

import sys

from rich.console import Console

from ..deadline import Deadline, TimeLimitReached
from ..errors import InputError
from ..numbers import parse_scalar
from .report import EXIT_UNKNOWN, Report, key_value_table

#: Integers longer than this are abbreviated in the human rendering (JSON keeps them exact).
SHOW_DIGITS = 60


def allow_big_integers() -> None:
    """Exact integers of any length may be printed (the CLI process only)."""
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)


def _short(value):
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        if len(text) > SHOW_DIGITS:
            return f"{text[0]}.{text[1:11]}e+{len(text) - 1} ({len(text)} digits)"
        return text
    if isinstance(value, str) and len(value) > 2 * SHOW_DIGITS:
        return f"{value[:SHOW_DIGITS]}… ({len(value)} characters; --json has it all)"
    if isinstance(value, dict) and set(value) == {"lower", "upper"}:
        return f"[{value['lower']}, {value['upper']}]"
    return value


def symmetry_report(net, deadline: Deadline | None = None, output: str | None = None) -> Report:
    from ..symmetry.summary import group_data, symmetry_summary

    try:
        data, canon = symmetry_summary(net, deadline or Deadline())
    except TimeLimitReached as exc:
        reason = str(exc)
        data = group_data(net)
        data.update({"stabilizer_order": None, "orbit_size": None, "reason": reason})
        return Report(data, EXIT_UNKNOWN,
                      lambda c: c.print(f"unknown: {reason} (group order {_short(data['group_order'])})"))
    if output is not None:
        from ..io import save_network

        rep = save_network(canon, output)
        data["canonical_written"] = output
        data["canonical_exact"] = rep.exact
    shown = ("activation", "widths", "group", "group_order", "stabilizer_order", "orbit_size", "log_orbit_size",
             "continuous_dimension", "continuous_orbit_dimension", "in_fundamental_domain", "search_nodes",
             "canonical_written")

    def render(console: Console):
        console.print(key_value_table({k: "too large to write (see the log)" if data[k] is None else _short(data[k])
                                       for k in shown if k in data}))
        gens = data["stabilizer_generators"]
        console.print(f"stabilizer: {len(gens)} generator(s) (--json lists them)")
        console.print(f"fundamental domain: {data['fundamental_domain']}")
        console.print(f"note: {data['note']}")

    return Report(data, 0, render)


def parse_widths(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in str(text).split(",")]
    out = []
    for p in parts:
        if not p.lstrip("+").isdigit():
            raise InputError(f"--widths must be comma-separated positive integers, got {text!r}")
        out.append(int(p))
    return tuple(out)


def parse_rational_option(name: str, text: str):
    value = parse_scalar(text)
    if not hasattr(value, "p"):
        raise InputError(f"{name} must be a rational number (e.g. 1/10 or 0.1), got {text!r}")
    return value


def covering_report(activation: str, widths: str, eps: str, bound: str, input_box: str) -> Report:
    from ..symmetry.summary import covering_summary

    data = covering_summary(activation, parse_widths(widths), parse_rational_option("--eps", eps),
                            parse_rational_option("--bound", bound), parse_rational_option("--input-box", input_box))
    shown = ("activation", "widths", "parameters", "lipschitz", "grid_points", "plain_cover", "reduced_cover",
             "reduction_factor", "exact_ratio", "log_plain_cover", "log_reduced_cover", "log_reduction_factor",
             "relative_log_reduction", "relative_log_reduction_paper_form")

    def render(console: Console):
        console.print(key_value_table({k: "too large to write (see the log)" if data[k] is None and k.endswith(
            ("cover", "factor", "ratio")) else _short(data[k]) for k in shown}))
        console.print(f"Lipschitz constant: {data['lipschitz_formula']}")
        console.print(f"note: {data['paper_form_note']}")
        if "note" in data:
            console.print(f"note: {data['note']}")

    return Report(data, 0, render)


__all__ = ["allow_big_integers", "covering_report", "parse_widths", "symmetry_report"]
