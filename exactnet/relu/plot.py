"""Drawing the exact activation regions of 2-input ReLU networks (Matplotlib, optional extra ``plot``).

Every cell is drawn as its exact polygon (the PPL closure clipped to the view box, vertices
converted to floats only for drawing), coloured by its activation pattern; with two networks,
by the pair of patterns (the common refinement). The view box is the domain's bounding box
when the domain is bounded, otherwise a box around the central vertices of the arrangement.
"""

from __future__ import annotations

import math
from typing import Sequence

from flint import fmpq

from ..errors import InputError, MissingDependencyError
from ..network import Network
from ..network.domain import Polyhedron
from .regions import Region


def _view_box(cells: Sequence[Region]) -> tuple[fmpq, fmpq, fmpq, fmpq]:
    """The central part of the arrangement: the 10%–90% range of the vertex coordinates, padded.

    (Far-away vertices would squeeze the interesting part into a dot; pass a bounded domain to
    choose the view exactly.)
    """
    xs, ys, unbounded = [], [], False
    for r in cells:
        pts, unb = r.polyhedron().vertices()
        unbounded = unbounded or unb
        for p in pts + [r.point]:
            xs.append(p[0])
            ys.append(p[1])
    xs.sort()
    ys.sort()
    if not unbounded:
        return xs[0], xs[-1], ys[0], ys[-1]
    lo, hi = len(xs) // 10, len(xs) - 1 - len(xs) // 10
    x0, x1, y0, y1 = xs[lo], xs[hi], ys[lo], ys[hi]
    span = max(x1 - x0, y1 - y0, fmpq(2))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - span, cx + span, cy - span, cy + span


def _polygon(region: Region, box) -> list[tuple[float, float]]:
    poly = region.polyhedron()
    x0, x1, y0, y1 = box
    for bound, axis, sgn in ((x0, 0, 1), (x1, 0, -1), (y0, 1, 1), (y1, 1, -1)):
        num, den = int(bound.p), int(bound.q)  # sgn·(den·x_axis − num) ≥ 0
        g = [0, 0]
        g[axis] = sgn * den
        poly = poly.with_row((tuple(g), -sgn * num))
    pts, _ = poly.vertices()
    fl = [(float(p[0]), float(p[1])) for p in pts]
    if len(fl) < 3:
        return []
    cx = sum(p[0] for p in fl) / len(fl)
    cy = sum(p[1] for p in fl) / len(fl)
    return sorted(fl, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))


def plot_regions(cells: Sequence[Region], path: str, nets: Sequence[Network], domain: Polyhedron | None = None,
                 title: str | None = None) -> None:
    """Write a PNG of the cells (all must belong to 2-input networks)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Polygon
    except ImportError:
        raise MissingDependencyError("matplotlib", "plot", "--plot") from None
    if any(net.input_dim != 2 for net in nets):
        raise InputError("--plot draws networks with exactly 2 inputs")
    if not cells:
        raise InputError("there are no regions to draw")
    box = _view_box(cells)
    cmap = plt.get_cmap("tab20")
    colours: dict = {}
    fig, ax = plt.subplots(figsize=(7, 7))
    for r in cells:
        key = r.patterns
        if key not in colours:
            colours[key] = cmap(len(colours) % 20)
        verts = _polygon(r, box)
        if verts:
            ax.add_patch(Polygon(verts, closed=True, facecolor=colours[key], edgecolor="black", linewidth=0.4,
                                 alpha=0.85))
    ax.set_xlim(float(box[0]), float(box[1]))
    ax.set_ylim(float(box[2]), float(box[3]))
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    what = "common refinement" if len(nets) > 1 else "activation regions"
    ax.set_title(title or f"{len(cells)} exact {what}")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=150)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the plot ({exc})") from None
    finally:
        plt.close(fig)


__all__ = ["plot_regions"]
