"""An exact experiment: the fraction of random parameters whose functional dimension attains D − N_hid."""

from __future__ import annotations

import math

import numpy as np
from flint import fmpz_mat

from exactnet.relu.functional_dimension import functional_dimension
from exactnet.relu.jacobian import compile_network, region_rows
from exactnet.relu.regions import regions
from exactnet.relu.sampling import gaussian_network
from exactnet.reproduce import Claim, Outcome

CLAIM = Claim(
    name="relu-fdim-attainment-fraction",
    source="Grigsby-Lindsey-Rolnick, Hidden symmetries of ReLU networks (experiments at initialization); docs/relu.md § Hidden symmetries",
    statement="sampling law: every weight and bias i.i.d. N(0, 1), rounded to float32 (numpy default_rng(2023)), "
              "exact functional dimension on R^n0; the table gives, per architecture, the fraction attaining "
              "D − N_hid. Checked: every one-hidden-layer sample attains it (docs/relu-functional-dimension.md), (1,1,1,1) is within 4 "
              "standard deviations of the exact probability 1/4 with values in {1, 3, 4}, and for the first samples "
              "of each architecture the value is recomputed without the gauge reduction by exact elimination over "
              "all D columns (so the bound is not built in). These fractions depend on the law: not HS's numbers",
)

QUICK = [(1, 2, 1), (2, 3, 1), (1, 1, 1, 1), (2, 2, 2, 1)]
FULL = [(1, 2, 1), (1, 3, 1), (2, 3, 1), (3, 3, 1), (1, 1, 1, 1), (1, 2, 2, 1), (2, 2, 2, 1), (1, 3, 3, 1),
        (2, 3, 3, 1), (3, 3, 3, 1), (1, 2, 2, 2, 1), (2, 2, 2, 2, 1), (2, 4, 4, 1)]


def _full_rank(net) -> int:
    c = compile_network(net)
    rows = [r for reg in regions(net) if not reg.is_degenerate for r in region_rows(c, reg.pattern)]
    return fmpz_mat(rows).rank() if rows else 0


def run(quick: bool = False) -> Outcome:
    archs = QUICK if quick else FULL
    samples = 12 if quick else 300
    checks = 2 if quick else 5
    rng = np.random.default_rng(2023)
    table = []
    lines = [f"{'arch':>14} {'D':>4} {'bound':>5} {'attained':>9} {'fraction':>8}  values"]
    for widths in archs:
        values: dict = {}
        attained = 0
        bound = None
        for k in range(samples):
            net = gaussian_network(widths, rng)
            res = functional_dimension(net, seed=k, decisive=False)
            bound = res.upper_bound
            values[res.value] = values.get(res.value, 0) + 1
            attained += res.attained
            if k < checks and _full_rank(net) != res.value:
                return Outcome(False, f"{widths}: the full-column exact rank disagrees with {res.value}")
        D = sum(widths[i + 1] * (widths[i] + 1) for i in range(len(widths) - 1))
        row = {"arch": list(widths), "D": D, "bound": bound, "samples": samples, "attained": attained,
               "fraction": attained / samples, "values": {str(k): v for k, v in sorted(values.items())}}
        table.append(row)
        lines.append(f"{str(widths):>14} {D:>4} {bound:>5} {attained:>4}/{samples:<4} {attained / samples:>8.2f}  "
                     + ", ".join(f"{k}:{v}" for k, v in sorted(values.items())))
        if len(widths) == 3 and attained != samples:
            return Outcome(False, f"{widths}: a one-hidden-layer sample is below the bound", {"table": table})
        if widths == (1, 1, 1, 1):
            sd = math.sqrt(samples * 3 / 16)
            if abs(attained - samples / 4) > 4 * sd or not set(values) <= {1, 3, 4}:
                return Outcome(False, f"(1,1,1,1): {attained}/{samples} attain, values {sorted(values)}",
                               {"table": table})
    return Outcome(True, "\n".join(lines), {"table": table, "law": "N(0,1) float32, numpy default_rng(2023)"})
