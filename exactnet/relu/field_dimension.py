"""Functional dimension of ReLU networks with real algebraic weights (docs/algebraic-lp.md,
docs/relu-functional-dimension.md).

The same mathematics as :mod:`exactnet.relu.functional_dimension`: ``dim_fun(θ)`` is the rank of
the region Jacobians ``[J_R]`` over all non-degenerate activation regions ``R`` of the domain,
restricted to the ``D − N_hid`` non-gauge columns (:func:`~exactnet.relu.jacobian.free_columns`),
which is also the upper bound. Here the parameters live in a real number field ``K``, so:

* the regions come from the enumeration over ``K`` (:func:`exactnet.relu.regions.regions`, cells
  with rows over ``K``);
* each region contributes the ``n_d·(n_0+1)`` rows of the Jacobian of its affine map, computed by
  the chain rule with the region's masks in exact field arithmetic (:func:`field_region_rows`):
  with ``Â_0 = I``, ``Â_{k+1} = diag(mask_k, 1)·[[W_k, b_k], [0, 1]]·Â_k`` (the homogeneous inputs
  of layer ``k+1``) and ``Δ_{d−1} = I``, ``Δ_{k−1} = Δ_k·W_k·diag(mask_{k−1})``, the row
  ``(o, c)`` has entry ``Δ_k[o, i]·Â_k[j, c]`` at the parameter ``W_k[i, j]`` (``j = n_k`` meaning
  ``b_k[i]``);
* the rank is computed by exact incremental Gaussian elimination over ``K`` (zero tests in
  ``K`` are exact), stopping as soon as it meets the upper bound.

No modular shortcut is used (the entries are not integers), so this is slower than the rational
path; it is complete, and the time limit gives a certified lower bound.
"""

from __future__ import annotations

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError
from ..network import Network
from ..network.domain import Polyhedron
from ..progress import Progress, null_progress
from .jacobian import free_columns, upper_bound
from .regions import regions, require_relu

#: ``certified_by`` values of this path.
FIELD_BOUND = "upper bound attained (exact elimination over the number field)"
FIELD_ELIMINATION = "exact elimination over the number field, all regions"


def _product(A, B):
    cols = len(B[0])
    out = []
    for row in A:
        acc = [fmpq(0)] * cols
        for a, brow in zip(row, B):
            if a == 0:
                continue
            for k, b in enumerate(brow):
                if b != 0:
                    acc[k] = acc[k] + a * b
        out.append(acc)
    return out


def field_region_rows(net: Network, pattern, columns) -> list[list]:
    """The exact Jacobian rows (restricted to ``columns``) of the affine map of ``net`` on the
    region with activation ``pattern`` (module docstring); entries in the weights' field."""
    n, widths, layers = net.input_dim, net.widths, net.layers
    d = len(layers)
    inputs = [[[fmpq(1) if i == k else fmpq(0) for k in range(n + 1)] for i in range(n + 1)]]
    for k in range(d - 1):
        layer = layers[k]
        hat = [list(r) + [b] for r, b in zip(layer.weight, layer.bias)]
        F = _product(hat, inputs[-1])
        masked = [row if pattern[k][i] == 1 else [fmpq(0)] * (n + 1) for i, row in enumerate(F)]
        inputs.append(masked + [[fmpq(0)] * n + [fmpq(1)]])
    m = widths[-1]
    deltas = [None] * d
    deltas[d - 1] = [[fmpq(1) if i == o else fmpq(0) for i in range(m)] for o in range(m)]
    for k in range(d - 1, 0, -1):
        W = [list(r) for r in layers[k].weight]
        DW = _product(deltas[k], W)
        mask = pattern[k - 1]
        deltas[k - 1] = [[v if mask[i] == 1 else fmpq(0) for i, v in enumerate(row)] for row in DW]
    offsets = [0]
    for layer in layers:
        offsets.append(offsets[-1] + layer.out_dim * (layer.in_dim + 1))
    where = {}  # parameter index -> (layer, i, j)
    for k, layer in enumerate(layers):
        for i in range(layer.out_dim):
            for j in range(layer.in_dim):
                where[offsets[k] + i * layer.in_dim + j] = (k, i, j)
            where[offsets[k] + layer.out_dim * layer.in_dim + i] = (k, i, layer.in_dim)
    rows = []
    for o in range(m):
        for c in range(n + 1):
            row = []
            for p in columns:
                k, i, j = where[p]
                a = deltas[k][o][i]
                row.append(a * inputs[k][j][c] if a != 0 and inputs[k][j][c] != 0 else fmpq(0))
            rows.append(row)
    return rows


class _Echelon:
    """An incremental echelon basis over the field (pivot column → normalised row)."""

    def __init__(self):
        self.rows: dict[int, list] = {}

    @property
    def rank(self) -> int:
        return len(self.rows)

    def add(self, row: list) -> bool:
        row = list(row)
        for c in sorted(self.rows):
            f = row[c]
            if f != 0:
                basis = self.rows[c]
                row = [a - f * b if b != 0 else a for a, b in zip(row, basis)]
        lead = next((c for c, v in enumerate(row) if v != 0), None)
        if lead is None:
            return False
        inv = 1 / row[lead]
        self.rows[lead] = [v * inv if v != 0 else v for v in row]
        return True


def field_functional_dimension(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
                               progress: Progress | None = None, decisive: bool = True):
    """The exact functional dimension of a ReLU network with real algebraic weights (module
    docstring): the fields of a :class:`~exactnet.relu.functional_dimension.FunctionalDimension`
    as a dict (that module builds the result; the rank also works for rational weights)."""
    require_relu(net, "functional dimension")
    if domain is not None and domain.dim != net.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the network takes {net.input_dim} inputs")
    progress = progress or null_progress()
    D, nhid = net.num_parameters, sum(net.hidden_widths)
    bound = upper_bound(net.widths)
    common = dict(upper_bound=bound, parameters=D, hidden_neurons=nhid, prime=0)
    columns = free_columns(net)
    if columns is None:
        return dict(value=0, lower_bound=0, certified_by="no smooth points", regions_used=0, regions_in_basis=0,
                                   regions_enumerated=0, enumeration_complete=True, degenerate_regions=0,
                                   reason="some hidden neuron has zero incoming weights and bias: no input is"
                                          " parametrically smooth", **common)
    echelon = _Echelon()
    used = enumerated = degenerate = 0
    basis_regions = []
    complete = False
    try:
        for region in regions(net, domain, deadline=deadline, progress=progress, points=False):
            enumerated += 1
            if region.is_degenerate:
                degenerate += 1
                continue
            used += 1
            added = False
            for row in field_region_rows(net, region.pattern, columns):
                deadline.check("the functional dimension")
                added = echelon.add(row) or added
            if added:
                basis_regions.append(region)
            if echelon.rank == bound:
                break
        else:
            complete = True
    except TimeLimitReached as exc:
        return dict(value=None, lower_bound=echelon.rank, certified_by=None, regions_used=used,
                                   regions_in_basis=len(basis_regions), regions_enumerated=enumerated,
                                   enumeration_complete=False, degenerate_regions=degenerate,
                                   reason=f"{exc} (a certified lower bound from the regions seen)", **common)
    value = echelon.rank
    points = tuple(r.simplex_points() for r in basis_regions) if decisive else ()
    reason = "" if value == bound else ("the rank over the number field of all region Jacobians (the kernel"
                                        " directions are not listed for algebraic weights)")
    return dict(value=value, lower_bound=value, certified_by=FIELD_BOUND if value == bound else FIELD_ELIMINATION,
                               regions_used=used, regions_in_basis=len(basis_regions), regions_enumerated=enumerated,
                               enumeration_complete=complete, degenerate_regions=degenerate, reason=reason,
                               decisive_points=points, basis_patterns=tuple(r.pattern for r in basis_regions),
                               **common)


__all__ = ["FIELD_BOUND", "FIELD_ELIMINATION", "field_functional_dimension", "field_region_rows"]
