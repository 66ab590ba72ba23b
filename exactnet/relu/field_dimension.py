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
* the rank over ``K`` is read off the rational *regular representation* (:func:`regular_rows`):
  each entry ``a`` becomes the ``d×d`` rational matrix of multiplication by ``a`` (``d = [K:Q]``),
  and ``rank_Q Φ(M) = d·rank_K M``; FLINT's exact integer elimination of ``Φ`` (rows scaled to
  integers) gives the rank once every region is in;
* before that, a *reduction* ``θ ↦ r`` modulo a prime ``p`` with ``g(r) ≡ 0`` (:func:`reduction`)
  maps every row to ``F_p``; ranks never grow under a ring homomorphism, so the modular rank is a
  certified lower bound, and the enumeration stops as soon as it meets ``D − N_hid``.

The time limit gives the modular rank as a certified lower bound.
"""

from __future__ import annotations

import random

from flint import fmpq, fmpq_mat, nmod_poly

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError
from ..network import Network
from ..linalg.modular import ModularSpan, exact_rank, random_prime
from ..network.domain import Polyhedron
from ..numbers import RealAlgebraic
from ..progress import Progress, null_progress
from .jacobian import free_columns, upper_bound
from .regions import regions, require_relu

#: ``certified_by`` values of this path.
FIELD_BOUND = "upper bound attained (modular rank under a reduction of the number field)"
FIELD_ELIMINATION = "exact integer elimination of the regular representation, all regions"
#: Bits of the prime of the modular screening (below 2^31: the span keeps an echelon form).
SPAN_PRIME_BITS = 30


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


def _multiplication_powers(field) -> fmpq_mat:
    """``[C^0; C^1; …; C^{d−1}]`` (``d²×d``), ``C`` the matrix of multiplication by ``θ`` in the
    basis ``1, θ, …, θ^{d−1}``: ``C^k·coords(a) = coords(θ^k·a)``."""
    d = field.degree
    C = fmpq_mat(d, d)
    mod = field.modulus.coeffs()  # monic
    for k in range(d):
        if k + 1 < d:
            C[k + 1, k] = 1
        else:
            for t in range(d):
                C[t, k] = -mod[t]
    blocks, power = [], fmpq_mat(d, d, [int(i == j) for i in range(d) for j in range(d)])
    for _ in range(d):
        blocks.append(power)
        power = C * power
    return fmpq_mat(d * d, d, [blocks[k][t, j] for k in range(d) for t in range(d) for j in range(d)])


def _coords(v, d: int) -> list:
    if isinstance(v, RealAlgebraic):
        c = list(v.coeffs.coeffs())
        return c + [fmpq(0)] * (d - len(c))
    return [fmpq(v)] + [fmpq(0)] * (d - 1)


def reduction(field, rnd: random.Random):
    """A prime ``p`` and a root ``r`` of the defining polynomial ``g`` of ``θ`` modulo ``p`` (``p``
    not dividing its leading coefficient): ``θ ↦ r`` is a ring homomorphism from the elements of
    ``K`` with ``p``-integral coordinates onto ``F_p``, and a matrix's rank never grows under it
    (a minor's image is the image of the minor)."""
    g = [int(c) for c in field.root.poly.coeffs()]
    while True:
        p = random_prime(rnd, SPAN_PRIME_BITS)
        if g[-1] % p == 0:
            continue
        roots = nmod_poly([c % p for c in g], p).roots()
        if roots:
            return p, int(roots[0][0])


def reduce_row(row, p: int, r: int) -> list[int] | None:
    """The images of the row's entries under ``θ ↦ r`` mod ``p`` (``None``: a denominator is
    divisible by ``p``, the homomorphism is not defined there)."""
    out = []
    for v in row:
        coeffs = v.coeffs.coeffs() if isinstance(v, RealAlgebraic) else [fmpq(v)]
        acc = 0
        for c in reversed(coeffs):
            den = int(c.q) % p
            if den == 0:
                return None
            acc = (acc * r + int(c.p) * pow(den, -1, p)) % p
        out.append(acc)
    return out


def regular_rows(krows: list[list], powers: fmpq_mat, d: int) -> list[list[int]]:
    """The rows over ``Q`` of the regular representation of the rows ``krows`` over ``K``
    (``d = [K:Q]``), times one positive integer: row ``(r, t)`` has the entry ``coeff_t(θ^k·v_j)``
    at column ``(k, j)``. A ``K``-matrix ``M`` acts on ``K^c ≅ Q^{cd}`` as this rational matrix
    ``Φ(M)``, whose image is a ``K``-subspace of ``K``-dimension ``rank_K M``, so
    ``rank_Q Φ(M) = d·rank_K M``."""
    c = len(krows[0])
    coords = [_coords(v, d) for row in krows for v in row]
    V = fmpq_mat(d, c * len(krows), [co[t] for t in range(d) for co in coords])
    num, _den = (powers * V).numer_denom()  # d² × (c·R), row k·d + t; one common denominator
    table = num.tolist()
    out = []
    for r in range(len(krows)):
        base = r * c
        for t in range(d):
            out.append([int(table[k * d + t][base + j]) for k in range(d) for j in range(c)])
    return out


def field_functional_dimension(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
                               progress: Progress | None = None, decisive: bool = True, seed: int | None = None):
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
    d = net.field.degree if net.field is not None else 1
    rnd = random.Random(seed)
    if net.field is not None:
        prime, root = reduction(net.field, rnd)
    else:
        prime, root = random_prime(rnd, SPAN_PRIME_BITS), 0
    span: ModularSpan | None = ModularSpan(len(columns), prime)
    all_rows: list[list] = []
    used_regions: list = []
    enumerated = degenerate = 0
    complete = False

    def lower_bound() -> int:
        if span is None:
            return 0
        span.flush()
        return span.certified_rank()

    try:
        for region in regions(net, domain, deadline=deadline, progress=progress, points=False):
            enumerated += 1
            if region.is_degenerate:
                degenerate += 1
                continue
            deadline.check("the functional dimension")
            rows = field_region_rows(net, region.pattern, columns)
            all_rows.extend(rows)
            if span is not None:
                images = [reduce_row(row, prime, root) for row in rows]
                if any(im is None for im in images):  # p divides a denominator: no screening
                    span = None
                else:
                    span.add(images, tag=len(used_regions))
            used_regions.append(region)
            if span is not None and span.pending_rows >= max(len(columns) // 2, 32):
                span.flush()
                if span.rank == bound:
                    break
        else:
            complete = True
    except TimeLimitReached as exc:
        return dict(value=None, lower_bound=lower_bound(), certified_by=None, regions_used=len(used_regions),
                    regions_in_basis=0, regions_enumerated=enumerated, enumeration_complete=False,
                    degenerate_regions=degenerate, reason=f"{exc} (a certified lower bound from the regions seen)",
                    **common)
    modular = lower_bound()
    if modular == bound:  # a certified lower bound meets the upper bound
        value, how = bound, FIELD_BOUND
    else:  # exact integer elimination of the regular representation of all rows
        deadline.check("the functional dimension")
        powers = _multiplication_powers(net.field) if net.field is not None else fmpq_mat(1, 1, [1])
        rank_q = exact_rank(regular_rows(all_rows, powers, d), len(columns) * d) if all_rows else 0
        if rank_q % d:  # pragma: no cover - the image of a K-linear map is a K-subspace
            raise AssertionError("internal error: the rational rank is not a multiple of the degree")
        value, how = rank_q // d, FIELD_ELIMINATION
    if span is not None and span.rank == value:  # the regions of the modular basis span everything
        basis_regions = [used_regions[i] for i in sorted({tag for tag, _i in span.tags})]
    else:
        basis_regions = used_regions
    points = tuple(r.simplex_points() for r in basis_regions) if decisive else ()
    reason = "" if value == bound else ("the rank over the number field of all region Jacobians (the kernel"
                                        " directions are not listed for algebraic weights)")
    return dict(value=value, lower_bound=value, certified_by=how, regions_used=len(used_regions),
                regions_in_basis=len(basis_regions), regions_enumerated=enumerated, enumeration_complete=complete,
                degenerate_regions=degenerate, reason=reason, decisive_points=points,
                basis_patterns=tuple(r.pattern for r in basis_regions), **common)


__all__ = ["FIELD_BOUND", "FIELD_ELIMINATION", "field_functional_dimension", "field_region_rows"]
