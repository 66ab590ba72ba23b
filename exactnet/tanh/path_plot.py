"""Drawing a path inside a tanh functional-equivalence class (``exactnet path ... --plot FILE``).

Left panel: the parameters along the path against the path position ``s ∈ [0, K]`` (segment
``k`` covers ``[k−1, k]``; every coordinate is linear on each segment): ``a`` solid, ``b``
dashed, ``c`` dotted, one colour per unit (the units that change, at most ``max_units``), and
the output bias ``d`` in black (its float value; it may be transcendental). Right panel: the
network function ``f_{w(s)}`` at several points of every segment, drawn on top of each other
(output 0; for ``n > 1`` inputs along the line ``x = τ·(1, 1/2, …, 1/n)``): the curves
coincide because the function never changes. The largest float deviation between the drawn
curves is printed in the panel; it is only rounding — the exact statement is the certificate
(``-o``).

Floats are used for drawing only. Matplotlib is an optional dependency (extra ``plot``); it
is drawn with the object-oriented API (no global backend state).
"""

from __future__ import annotations

import math

from flint import fmpq

from ..errors import InputError, MissingDependencyError
from ..numbers import enclosure
from ..numbers.tanh_scalar import TanhScalar
from .paths import TanhPath


def _float(x) -> float:
    if isinstance(x, TanhScalar):
        return float(x.enclosure(64).mid())
    if type(x) is fmpq:
        try:
            return int(x.p) / int(x.q)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return float(enclosure(x, 64).mid())


def _function(p, xs, direction) -> list:
    """``f_p`` (output 0) at the points ``τ·direction`` for ``τ`` in ``xs`` (floats)."""
    a = [_float(v[0]) for v in p.a]
    b = [[_float(v) for v in vec] for vec in p.b]
    c = [_float(v) for v in p.c]
    d = _float(p.d[0])
    slopes = [sum(bl * ul for bl, ul in zip(bv, direction)) for bv in b]
    return [d + sum(ai * math.tanh(si * t + ci) for ai, si, ci in zip(a, slopes, c)) for t in xs]


def plot_path(result: TanhPath, filename: str, *, points_per_segment: int = 4, max_units: int = 8,
              x_range: tuple = (-4.0, 4.0)) -> str:
    """Draw ``result`` to ``filename`` (PNG, or any format Matplotlib infers from the name)."""
    if not result.exists:
        raise InputError("there is no path to draw")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependencyError("matplotlib", "plot", "drawing paths") from None

    waypoints = result.waypoints()
    K = len(result.segments)
    n = result.start.input_dim
    changed = sorted({i for s in result.segments for i in s.changed_units()})
    shown = changed[:max_units]

    fig = Figure(figsize=(13, 5.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    xs_path = list(range(K + 1))
    colours = [f"C{t % 10}" for t in range(len(shown))]
    for colour, i in zip(colours, shown):
        for k, style in ((0, "-"), (1, "--"), (2, ":")):
            if k == 0:
                ys = [_float(w.a[i][0]) for w in waypoints]
            elif k == 1:
                ys = [_float(w.b[i][0]) for w in waypoints]
            else:
                ys = [_float(w.c[i]) for w in waypoints]
            ax1.plot(xs_path, ys, style, color=colour, marker="o", markersize=3, linewidth=1.6,
                     label=f"unit {i}" if k == 0 else None)
    ax1.plot(xs_path, [_float(w.d[0]) for w in waypoints], "-.", color="black", linewidth=1.4, label="d (output bias)")
    for k, seg in enumerate(result.segments):
        ax1.axvline(k, color="0.85", linewidth=0.8, zorder=0)
        ax1.text(k + 0.5, 1.01, "+".join(seg.kinds) or "—", transform=ax1.get_xaxis_transform(), ha="center",
                 va="bottom", fontsize=8)
    if K:
        ax1.axvline(K, color="0.85", linewidth=0.8, zorder=0)
    ax1.set_xlabel("path position s (segment k covers [k−1, k])")
    ax1.set_ylabel("parameter value (a solid, b dashed, c dotted" + (", first coordinates)" if n > 1 else ")"))
    hidden = len(changed) - len(shown)
    ax1.set_title(f"parameters along the path: {K} segment(s), {len(changed)} unit(s) change"
                  + (f" ({hidden} not drawn)" if hidden > 0 else ""), fontsize=10, pad=16)
    ax1.legend(fontsize=8, loc="best")
    ax1.set_xticks(xs_path)

    direction = [1.0 / (l + 1) for l in range(n)]
    lo, hi = x_range
    xs = [lo + (hi - lo) * t / 400 for t in range(401)]
    reference = _function(result.start, xs, direction)
    positions = [fmpq(k * points_per_segment + j, points_per_segment) for k in range(K) for j in range(points_per_segment)]
    positions.append(fmpq(K))
    try:
        from matplotlib import colormaps

        cmap = colormaps["viridis"]
    except (ImportError, KeyError):  # pragma: no cover - very old Matplotlib
        cmap = None
    deviation = 0.0
    ax2.plot(xs, reference, color="0.8", linewidth=7, label="f at the start", zorder=1)
    for t, s in enumerate(positions):
        ys = _function(result.point(s), xs, direction)
        deviation = max(deviation, max(abs(y - r) for y, r in zip(ys, reference)))
        colour = cmap(t / max(1, len(positions) - 1)) if cmap is not None else None
        ax2.plot(xs, ys, color=colour, linewidth=1.0, zorder=2,
                 label=f"s = {float(s):.2f}" if t in (0, len(positions) - 1) else None)
    xlabel = "x" if n == 1 else "τ, input x = τ·(1, 1/2, …, 1/n)"
    ax2.set_xlabel(xlabel)
    out_note = "" if result.start.output_dim == 1 else f" (output 1 of {result.start.output_dim})"
    ax2.set_ylabel("f(x)" + out_note)
    ax2.set_title(f"the network function at {len(positions)} points of the path", fontsize=10, pad=16)
    ax2.text(0.02, 0.02, f"largest float difference between the curves: {deviation:.1e}\n(rounding only; the exact"
             " proof is the certificate)", transform=ax2.transAxes, fontsize=8, va="bottom")
    ax2.legend(fontsize=8, loc="upper left")
    fig.suptitle("a path inside one functional-equivalence class (exactnet path)", fontsize=11)
    try:
        fig.savefig(filename, dpi=110)
    except (OSError, ValueError) as exc:
        raise InputError(f"{filename}: cannot write the plot ({exc})") from None
    return filename


__all__ = ["plot_path"]
