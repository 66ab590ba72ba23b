"""Exact functional dimension of ReLU networks (GLMW; docs/relu.md § Definitions; docs/relu-functional-dimension.md).

``dim_fun(θ) = sup_Z rank J E_Z|θ`` over finite sets ``Z`` of parametrically smooth inputs. Here a
point is smooth when every hidden preactivation is non-zero there (docs/relu.md § Definitions, the
implementation rule; regions on which some preactivation is identically zero — a non-ordinary
``θ`` — are excluded and counted in ``degenerate_regions``).

**Finite decisive data (docs/relu-functional-dimension.md).** On an activation region ``R`` the Jacobian is affine
in ``x``, so the rows of all points of ``R`` span the rows of the Jacobian of ``R``'s affine map
(:func:`exactnet.relu.jacobian.region_rows`). There are finitely many regions, hence

    dim_fun(θ) = rank [J_R]_{R non-degenerate region of the domain}.

**Bound and gauge (docs/relu-functional-dimension.md).** The scaling vectors lie in every such kernel, and after
deleting one gauge column per hidden neuron the rank is unchanged; the remaining matrix has
``D − N_hid`` columns (:mod:`exactnet.relu.jacobian`). So ``dim_fun ≤ D − N_hid`` whenever some
point is smooth (a hidden neuron with zero incoming weights and bias has preactivation ``≡ 0``
everywhere, and then no point is smooth: the value is 0).

**Algorithm.**

1. *Probes* (docs/relu-functional-dimension.md "cheap certificate"): random exact dyadic inputs at several scales
   (coordinates ``round(2^10·s·g)/2^10``, ``g`` standard normal, ``s = 2^k`` for
   ``k = −2 … 9`` in turn; in a box: uniform dyadic points strictly inside). Every input with all
   hidden preactivations non-zero lies in the open region of its pattern; that region's rows are
   added.
2. *Streamed regions* (:func:`exactnet.relu.regions.regions`): every further non-degenerate region
   adds its rows; the enumeration stops as soon as the rank reaches the bound.
3. *Rank.* A rank modulo a random 31-bit prime ``p`` (``nmod_mat``; the residues of the region rows
   are computed for many regions at once with NumPy ``int64`` arithmetic,
   :func:`exactnet.relu.jacobian.modular_region_rows`) is a certified lower bound for any prime
   (a non-zero minor mod ``p`` is a non-zero integer; an unlucky prime can only make the modular
   rank fall short, which costs time, never correctness); equal to ``D − N_hid`` it proves the
   value ("modular rank meets the bound"). Otherwise, once every
   region has been seen, an exact kernel proves the value: ``r`` rows independent mod ``p`` and
   ``c − r`` kernel vectors (proposed modularly, verified against every region's rows with exact
   integer products on the columns of their support; columns whose residues all vanish are proven
   exactly zero structurally, :func:`exactnet.relu.jacobian.structural_support`, or on the exact
   rows) show ``rank = r`` ("exact kernel"); if no proposal verifies, FLINT's exact integer
   elimination over all rows decides ("exact elimination"). The regions are enumerated without
   interior points (``points=False``); a point is computed (exact LP) only for the regions of the
   decisive set.

The result also gives a decisive set (``n_0+1`` affinely independent interior points in each
region that contributed independent rows: their batch rank equals the value) and, when the
bound is not attained, the extra exact kernel directions (parameter directions, with zeros on the
gauge coordinates, that keep every region's affine map fixed to first order).

:func:`batch_functional_dimension` is the exact rank at a user batch of points (docs/relu.md § Definitions); a
point on a bent hyperplane raises :class:`~exactnet.relu.jacobian.NotSmoothError` naming the point
and the neuron.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..linalg.lazy_numpy import np
from flint import fmpq, fmpz_mat

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..errors import InputError
from ..network import Network
from ..network.domain import Box, Polyhedron
from ..progress import Progress, null_progress
from .jacobian import (VECTOR_PRIME_BITS, IntegerNetwork, Pattern, compile_network, free_columns, modular_network,
                       modular_point_rows, modular_region_rows, point_rows, preactivation_signs_batch, region_rows,
                       structural_support, upper_bound)
from ..linalg.modular import (ModularSpan, annihilates, exact_rank, kernel_candidates, modular_rank_array, random_prime,
                              size_blocks)
from .regions import cell_point
from .regions import regions as enumerate_regions
from .subtrees import enumerator
from .regions import require_rational_relu

MODULAR = "modular rank meets the bound D - N_hid"
EXACT_KERNEL = "exact kernel verified on every region"
EXACT_ELIMINATION = "exact integer elimination over all regions"
NO_SMOOTH_POINTS = "no smooth points"
BATCH_ROWS = "modular rank meets the number of rows"
BATCH_COLUMNS = "modular rank meets the number of columns not identically zero"
BATCH_KERNEL = "modular rank meets D minus the rank of the verified kernel vectors"


@dataclass(frozen=True)
class FunctionalDimension:
    """The exact functional dimension and how it was obtained (see the module docstring).

    ``value`` is ``None`` only when a time limit stopped the computation (``lower_bound`` is then
    certified). ``kernel`` holds the extra exact kernel directions (length-``D`` vectors in the
    library parameter order) when the bound is not attained.
    """

    value: int | None
    lower_bound: int
    upper_bound: int
    parameters: int
    hidden_neurons: int
    certified_by: str | None
    regions_used: int
    regions_in_basis: int
    regions_enumerated: int
    enumeration_complete: bool
    degenerate_regions: int
    prime: int
    reason: str = ""
    kernel: tuple = ()
    decisive_points: tuple = ()
    basis_patterns: tuple = field(default=(), repr=False)

    @property
    def attained(self) -> bool | None:
        return None if self.value is None else self.value == self.upper_bound

    @property
    def fiber_dimension(self) -> int | None:
        """The local fiber dimension ``D − dim_fun`` (docs/relu.md § Definitions; at parameters where the rank is
        locally constant it is the dimension of the fiber near ``θ``)."""
        return None if self.value is None else self.parameters - self.value


# ---------------------------------------------------------------------------------------------
# probes and decisive points
# ---------------------------------------------------------------------------------------------


def _dyadic(v: float, bits: int = 10) -> fmpq:
    return fmpq(round(v * (1 << bits)), 1 << bits)


def gaussian_probes(n: int, count: int, rnd: random.Random, domain: Polyhedron | None = None) -> list[tuple]:
    """Random exact dyadic inputs (sampling law in the module docstring); ``[]`` for a general
    polyhedral domain (its regions come from the enumeration)."""
    pts = []
    if domain is None:
        for i in range(count):
            s = 2.0 ** (i % 12 - 2)
            pts.append(tuple(_dyadic(rnd.gauss(0.0, 1.0) * s) for _ in range(n)))
    elif isinstance(domain, Box):
        for _ in range(count):
            x = []
            for lo, hi in zip(domain.lower, domain.upper):
                t = fmpq(rnd.randrange(1, 1 << 12), 1 << 12)
                x.append(lo + t * (hi - lo))
            pts.append(tuple(x))
    return pts


def region_forms(cnet: IntegerNetwork, pattern: Pattern) -> list[list[int]]:
    """Integer forms ``(g, h)`` (positive multiples of the preactivations) of every hidden neuron
    on the region with ``pattern``."""
    n = cnet.input_dim
    A = fmpz_mat([[1 if i == j else 0 for j in range(n + 1)] for i in range(n + 1)])
    forms = []
    for li, labels in enumerate(pattern):
        Z = cnet.hats[li] * A
        rows = Z.tolist()
        forms.extend([[int(v) for v in r] for r in rows[:-1]])
        A = fmpz_mat([r if lab == 1 else [0] * (n + 1) for r, lab in zip(rows, labels)] + [rows[-1]])
    return forms


def simplex_points(cnet: IntegerNetwork, pattern: Pattern, x: Sequence[fmpq],
                   domain_rows: Sequence = ()) -> tuple[tuple[fmpq, ...], ...]:
    """``x`` and ``x + ε e_k`` (``k = 1 … n``): ``n+1`` affinely independent points of the open
    region of ``pattern`` around the interior point ``x`` (``ε`` below every neuron's and every
    domain row's slack rate, docs/relu-functional-dimension.md)."""
    n = len(x)
    eps = fmpq(1)
    rows = [(f[:n], f[n]) for f in region_forms(cnet, pattern)] + [(list(g), h) for g, h in domain_rows]
    for g, h in rows:
        rate = max((abs(a) for a in g), default=0)
        if rate:
            val = fmpq(h) + sum((a * v for a, v in zip(g, x) if a), fmpq(0))
            eps = min(eps, abs(val) / (2 * rate))
    pts = [tuple(x)]
    for k in range(n):
        pts.append(tuple(v + eps if i == k else v for i, v in enumerate(x)))
    return tuple(pts)


# ---------------------------------------------------------------------------------------------
# exact rank when the bound is not met
# ---------------------------------------------------------------------------------------------


def _exact_rank(basis: list, ncols: int, groups, rnd: random.Random, deadline: Deadline,
                nonzero: Sequence[bool] | None = None, proven_zero: Sequence[bool] | None = None):
    """``(rank, method, kernel vectors)`` given rows independent mod ``p`` (``basis``) and a callable
    ``groups(sel)`` returning all rows again, restricted to the column positions ``sel``.

    ``nonzero[j] = False`` marks a column believed to be zero in every row (e.g. all its residues
    vanish): the kernel proposal works on the other columns and the unit vectors of these are
    added. ``proven_zero[j] = True`` says such a column is already proven exactly zero in every row
    (e.g. structurally, :func:`~exactnet.relu.jacobian.structural_support`); the others are checked
    on the exact rows. A proposed kernel vector is checked exactly against every row, on the
    columns of its support only (the other entries of the vector are zero).
    """
    keep = list(range(ncols)) if nonzero is None else [j for j in range(ncols) if nonzero[j]]
    zero = [j for j in range(ncols) if nonzero is not None and not nonzero[j]]
    unproven = [j for j in zero if proven_zero is None or not proven_zero[j]]
    nk = len(keep)

    vectors = kernel_candidates([[r[j] for j in keep] for r in basis], nk, rnd)
    if vectors is not None and len(basis) + len(vectors) == nk:
        support = [s for s in range(nk) if any(v[s] for v in vectors)]
        ns = len(support)
        K = size_blocks([[v[s] for s in support] for v in vectors], ns) if vectors else None
        ok = True
        for rows in (groups([keep[s] for s in support] + unproven) if K is not None or unproven else ()):
            deadline.check("the exact kernel verification")
            if (K is not None and not annihilates([r[:ns] for r in rows] if unproven else rows, K)) or \
                    any(v != 0 for r in rows for v in r[ns:]):
                ok = False
                break
        if ok:
            full = []
            for v in vectors:
                w = [0] * ncols
                for j, x in zip(keep, v):
                    w[j] = x
                full.append(w)
            for j in zero:
                w = [0] * ncols
                w[j] = 1
                full.append(w)
            return len(basis), EXACT_KERNEL, full
    everything = [r for rows in groups(list(range(ncols))) for r in rows]
    deadline.check("the exact elimination")
    return exact_rank(everything, ncols), EXACT_ELIMINATION, []


def _exact_basis(cnet: IntegerNetwork, tags, columns) -> list:
    """The exact rows behind the modular basis (tags ``(pattern, row index)``)."""
    cache: dict = {}
    out = []
    for pattern, i in tags:
        if pattern not in cache:
            cache[pattern] = region_rows(cnet, pattern, columns)
        out.append(cache[pattern][i])
    return out


def _embed(vec: Sequence[int], columns: Sequence[int], D: int) -> tuple[fmpq, ...]:
    out = [fmpq(0)] * D
    g = 0
    for v in vec:
        g = math.gcd(g, v)
    g = g or 1
    for c, v in zip(columns, vec):
        out[c] = fmpq(v // g)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# functional dimension
# ---------------------------------------------------------------------------------------------


def functional_dimension(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
                         timeout: float | None = None, progress: Progress | None = None, seed: int | None = None,
                         probes: bool = True, method: str = "auto", decisive: bool = True,
                         executor=None) -> FunctionalDimension:
    """The exact functional dimension of a ReLU network on ``R^n`` or on ``domain`` (real algebraic
    weights: :mod:`exactnet.relu.field_dimension`, exact elimination over their number field).

    ``seed`` fixes the probe points and the primes (the value never depends on it); ``probes=False``
    uses the region enumeration alone; ``timeout``/``deadline`` give an honest partial answer
    (``value=None`` with a certified ``lower_bound``). ``executor`` (:mod:`exactnet.distributed`):
    the region enumeration of a rational network runs as subtree tasks on it, consumed in the
    serial order (the same answer; docs/distributed.md).
    """
    if isinstance(net, Network) and net.activation == "relu" and not net.is_rational:
        from .field_dimension import field_functional_dimension  # real algebraic weights

        if timeout is not None:
            deadline = Deadline.after(timeout)
        return FunctionalDimension(**field_functional_dimension(net, domain, deadline=deadline, progress=progress,
                                                                decisive=decisive, seed=seed))
    require_rational_relu(net, "functional dimension")
    if domain is not None and domain.dim != net.input_dim:
        raise InputError(f"the domain has dimension {domain.dim} but the network takes {net.input_dim} inputs")
    if timeout is not None:
        deadline = Deadline.after(timeout)
    progress = progress or null_progress()
    rnd = random.Random(seed)
    cnet = compile_network(net)
    D, nhid = net.num_parameters, sum(net.hidden_widths)
    bound = upper_bound(net.widths)
    p = random_prime(rnd, VECTOR_PRIME_BITS)
    n, m = net.input_dim, net.output_dim
    columns = free_columns(net)
    from .regions import domain_rows as _domain_rows

    drows = _domain_rows(domain, n)
    common = dict(upper_bound=bound, parameters=D, hidden_neurons=nhid, prime=p)
    if columns is None:
        dead = _zero_neuron(net)
        return FunctionalDimension(
            0, 0, certified_by=NO_SMOOTH_POINTS, regions_used=0, regions_in_basis=0, regions_enumerated=0,
            enumeration_complete=True, degenerate_regions=0,
            reason=f"hidden neuron (layer {dead[0]}, unit {dead[1]}) has zero incoming weights and bias: its"
                   " preactivation is identically 0, so no input is parametrically smooth (docs/relu.md § Definitions, § Exactness pitfalls)",
            **common)
    span = ModularSpan(len(columns), p)
    mnet = modular_network(cnet, p)
    per_region = m * (n + 1)
    nonzero = np.zeros(len(columns), dtype=bool)  # some residue of the column is non-zero (hence the integer is)
    seen: dict[Pattern, object] = {}  # a known interior point, or the region's rows (point on demand)
    queue: list[Pattern] = []  # regions whose residue rows are not computed yet
    stats = {"enumerated": 0, "degenerate": 0, "complete": False}

    def flush() -> None:
        """The residue rows of the queued regions (one batched computation) into the span."""
        nonlocal nonzero
        if queue:
            rows = modular_region_rows(mnet, queue, columns)
            nonzero |= rows.any(axis=0)
            span.add_array(rows, [(pat, i) for pat in queue for i in range(per_region)])
            queue.clear()
        span.flush()

    def at_bound() -> bool:
        """The modular rank meets the bound, checked by FLINT alone on the basis rows (the span's
        screening uses floating-point products, exact for its integer data: this is a safeguard)."""
        if span.rank != bound:
            return False
        if span.certified_rank() != bound:  # pragma: no cover - exact float64 products cannot err
            raise AssertionError("internal error: the screened modular basis is not independent")
        return True

    def feed(pattern: Pattern, where) -> None:
        seen[pattern] = where
        queue.append(pattern)
        if len(queue) * per_region >= max(bound - span.rank, 4 * span.rank, 256):
            flush()

    def result(value, certified_by, reason="", kernel=()):
        tags = list(dict.fromkeys(pat for pat, _ in span.tags))
        points = ()
        if decisive and value is not None:
            points = tuple(simplex_points(cnet, pat, _interior(seen[pat], n), drows) for pat in tags)
        return FunctionalDimension(
            value, span.certified_rank() if value is None else value, certified_by=certified_by,
            regions_used=len(seen),
            regions_in_basis=len(tags), regions_enumerated=stats["enumerated"],
            enumeration_complete=stats["complete"], degenerate_regions=stats["degenerate"], reason=reason,
            kernel=tuple(_embed(v, columns, D) for v in kernel), decisive_points=points,
            basis_patterns=tuple(tags), **common)

    try:
        if probes and bound > 0:
            count = 4 * math.ceil(bound / m) + 16
            xs = gaussian_probes(n, count, rnd, domain)
            for x, pattern in zip(xs, preactivation_signs_batch(cnet, xs)):
                deadline.check("the probe points")
                if pattern in seen or any(0 in layer for layer in pattern):
                    continue
                if drows and not all(sum((a * v for a, v in zip(g, x) if a), fmpq(h)) > 0 for g, h in drows):
                    continue
                feed(pattern, tuple(x))
            flush()
            if at_bound():
                return result(bound, MODULAR, "probe points reached the bound")
        enumerate_on = enumerate_regions if executor is None else enumerator(executor)  # docs/distributed.md
        for region in enumerate_on(net, domain, method=method, deadline=deadline, progress=progress, points=False):
            stats["enumerated"] += 1
            if region.is_degenerate:
                stats["degenerate"] += 1
                continue
            if region.pattern in seen:
                continue
            feed(region.pattern, _CellRows(region.rows))
            if span.rank == bound:
                break
        else:
            stats["complete"] = True
        flush()
        if at_bound():
            return result(bound, MODULAR, "")
        if not stats["complete"]:  # pragma: no cover - the loop only breaks at the bound
            raise AssertionError("enumeration stopped below the bound")

        memo_exact: dict = {}

        def groups(sel) -> Iterable[list]:
            cols = [columns[j] for j in sel]
            block: list = []
            for pat in seen:
                block.extend(region_rows(cnet, pat, cols, memo=memo_exact))
                if len(block) >= 256:
                    yield block
                    block = []
            if block:
                yield block

        may = structural_support(cnet, list(seen)) if not nonzero.all() else None
        proven_zero = [may is not None and not nz and not may[q] for nz, q in zip(nonzero.tolist(), columns)]
        value, method, kernel = _exact_rank(_exact_basis(cnet, span.tags, columns), len(columns), groups, rnd,
                                            deadline, nonzero.tolist(), proven_zero)
        reason = ""
        if stats["degenerate"]:
            reason = (f"{stats['degenerate']} region(s) where some preactivation is identically 0 were excluded"
                      " (non-ordinary parameter, docs/relu.md § Exactness pitfalls)")
        return result(value, method, reason, kernel if method == EXACT_KERNEL else ())
    except TimeLimitReached as exc:
        flush()
        return result(None, None, str(exc))


class _CellRows:
    """The rows of an enumerated region whose interior point is computed only if needed."""

    __slots__ = ("rows",)

    def __init__(self, rows):
        self.rows = rows


def _interior(where, n: int) -> tuple:
    """The interior point recorded for a region: a probe point, or one computed from its rows."""
    return cell_point(where.rows, n) if isinstance(where, _CellRows) else where


def _zero_neuron(net: Network) -> tuple[int, int]:
    for li in range(net.depth):
        layer = net.layers[li]
        for j in range(layer.out_dim):
            if layer.bias[j] == 0 and all(w == 0 for w in layer.weight[j]):
                return li + 1, j + 1
    raise AssertionError("no zero neuron")  # pragma: no cover


def decisive_set(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
                 method: str = "auto") -> list[tuple]:
    """``n+1`` affinely independent interior points of every non-degenerate region (docs/relu-functional-dimension.md):
    their batch functional dimension is the functional dimension."""
    require_rational_relu(net, "decisive sets")
    cnet = compile_network(net)
    from .regions import domain_rows as _domain_rows

    drows = _domain_rows(domain, net.input_dim)
    pts = []
    for region in enumerate_regions(net, domain, method=method, deadline=deadline):
        if not region.is_degenerate:
            pts.extend(simplex_points(cnet, region.pattern, region.point, drows))
    return pts


# ---------------------------------------------------------------------------------------------
# batch functional dimension
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchDimension:
    """``value = rank J E_Z|θ`` at the batch ``Z`` (exact), or ``None`` when a time limit stopped the
    computation; ``lower``/``upper`` is the certified interval (``lower = upper = value`` when known).

    ``upper_bound`` is ``D − N_hid`` (the architecture's bound); ``kernel_rank`` is the number of
    parameter columns removed by verified kernel vectors (``upper ≤ D − kernel_rank``, and
    ``kernel_vectors`` vectors were verified); ``reason`` says why the value is unknown.
    """

    value: int | None
    points: int
    upper_bound: int
    certified_by: str | None
    patterns: int
    lower: int = 0
    upper: int = 0
    kernel_vectors: int = 0
    kernel_rank: int = 0
    reason: str = ""
    parameters: int = 0


def parse_batch(obj, n: int) -> list[tuple[fmpq, ...]]:
    """A JSON batch (a list of points, each a list of ``n`` exact numbers; scalars when ``n = 1``)
    as rational points, with a clear error otherwise."""
    from ..numbers import exact_numbers

    if isinstance(obj, dict) and "points" in obj:
        obj = obj["points"]
    if not isinstance(obj, list):
        raise InputError("a batch must be a JSON list of input points")
    pts = []
    for i, x in enumerate(obj):
        if not isinstance(x, list):
            if n == 1 and not isinstance(x, (dict, bool)) and x is not None:
                x = [x]
            else:
                raise InputError(f"batch point {i + 1} is not a list of {n} numbers")
        if len(x) != n:
            raise InputError(f"batch point {i + 1} has {len(x)} coordinates but the network takes {n} inputs")
        vals = exact_numbers(x)
        if not all(type(v) is fmpq for v in vals):
            raise InputError(f"batch point {i + 1}: batch points must be rational (exact Jacobians over Q)")
        pts.append(tuple(vals))
    return pts


#: Points per block of the modular batch rank (rows of one NumPy product: ``block·n_d``).
BATCH_BLOCK = 128


def batch_functional_dimension(net: Network, points: Sequence[Sequence], *, seed: int | None = None,
                               deadline: Deadline = NO_DEADLINE, interim=None) -> BatchDimension:
    """The exact rank of ``J E_Z|θ`` at the batch ``Z = points`` (docs/relu.md § Definitions;
    docs/relu-functional-dimension.md § Batch rank at data scale).

    1. The exact forward pass of every point (integer arithmetic, one ``fmpz_mat`` product per
       layer; :func:`~exactnet.relu.batch_kernel.batch_forward`); a point on a bent hyperplane is an
       error.
    2. **Upper bound.** Known kernel vectors (neuron blocks, sparse column clusters, scalings,
       co-active neurons, and verified proposals for nearly co-active ones:
       :func:`~exactnet.relu.batch_kernel.known_kernel`), each verified exactly by forward mode
       (:func:`~exactnet.relu.batch_kernel.verify_kernel`). The pivot columns ``C`` of their echelon
       form modulo a prime can be dropped without changing the rank, so the rank is that of the
       ``R`` remaining columns, and ``upper = min(|R|, rows)``. When the batch has at most
       ``D − N_hid`` rows this step is skipped (the rows are the cap; the gauge columns go).
    3. **Lower bound.** The rank modulo a random 31-bit prime of the rows restricted to ``R``
       (:func:`~exactnet.relu.jacobian.modular_point_rows`): first on a block of points with a 5 %
       margin over ``upper / n_d``, then together with ``G·(the other rows)`` for a random ``0/1``
       matrix ``G`` (every row of ``G·R`` lies in the row space). Equal to ``upper`` it is the value.
    4. Otherwise the exact rows on ``R`` decide (:func:`_exact_rank`: verified kernel vectors, or
       FLINT's exact elimination) — complete, slow at data scale.

    When ``deadline`` passes, the result has ``value = None`` and the certified interval
    ``[lower, upper]`` reached so far (``[0, min(D, rows)]`` at worst). ``interim`` (optional) is
    called with such an unknown result whenever the interval improves (e.g. to record a provisional
    answer before a long FLINT call that no signal can interrupt).

    Raises :class:`~exactnet.relu.jacobian.NotSmoothError` (an :class:`InputError`) at the first
    point on a bent hyperplane, naming the point (0-based ``index``) and the neuron.
    """
    from .batch_kernel import FAMILIES, batch_forward, kernel_pivots, known_kernel, verify_kernel
    from .jacobian import NotSmoothError, _integer_point, smooth_pattern

    require_rational_relu(net, "batch functional dimension")
    cnet = compile_network(net)
    n, m, D = net.input_dim, net.output_dim, net.num_parameters
    pts = []
    for i, x in enumerate(points):
        if len(x) != n:
            raise InputError(f"batch point {i + 1} has {len(x)} coordinates but the network takes {n} inputs")
        pts.append(tuple(v if type(v) is fmpq else fmpq(v) for v in x))
    bound = upper_bound(net.widths)
    count = len(pts)
    state = {"lower": 0, "upper": min(D, count * m), "vectors": 0, "rank": 0, "distinct": 0}

    def unknown(why) -> BatchDimension:
        return BatchDimension(None, count, bound, None, state["distinct"], state["lower"], state["upper"],
                              state["vectors"], state["rank"], why, D)

    def known(value, method) -> BatchDimension:
        return BatchDimension(value, count, bound, method, state["distinct"], value, value, state["vectors"],
                              state["rank"], "", D)

    def improved() -> None:
        if interim is not None:
            interim(unknown("the time limit stopped the batch rank"))

    if not pts:
        return BatchDimension(0, 0, bound, BATCH_ROWS, 0, parameters=D)
    improved()
    unique = list(dict.fromkeys(pts))  # a repeated point repeats rows: the same rank without it
    try:
        fwd = batch_forward(cnet, unique, deadline)  # every point is checked before any rank is computed
    except NotSmoothError as exc:
        if len(unique) < len(pts):  # name the point by its position in the batch as given
            smooth_pattern(cnet, unique[exc.index], pts.index(unique[exc.index]))
        raise
    except TimeLimitReached as exc:
        return unknown(str(exc))
    pts = unique
    state["distinct"] = len(fwd.deltas)
    patterns = list(fwd.patterns)
    rows_total = len(pts) * m
    state["upper"] = min(D, rows_total)
    rnd = random.Random(seed)
    try:
        if rows_total <= bound:
            # few rows: the rows are the cap (the gauge columns can go: docs/relu-functional-dimension.md)
            live = list(free_columns(net))
            state["upper"] = rows_total
            method = MODULAR if rows_total == bound else BATCH_ROWS
        else:
            proposed, families = known_kernel(fwd, deadline)
            vectors = [v for v, f in zip(proposed, families) if f != FAMILIES[4]]
            bad = verify_kernel(fwd, vectors, deadline)
            if bad is not None:  # pragma: no cover - families 1-4 are theorems (tests tamper on purpose)
                raise AssertionError(f"internal error: proposed kernel vector {bad} is not in the kernel")
            vectors += [v for v, f in zip(proposed, families)  # proposals: only the verified ones
                        if f == FAMILIES[4] and verify_kernel(fwd, [v], deadline) is None]
            pivots = set(kernel_pivots(vectors, D, random_prime(rnd, 62)))
            live = [c for c in range(D) if c not in pivots]
            state.update(vectors=len(vectors), rank=len(pivots), upper=min(len(live), rows_total))
            cap = state["upper"]
            method = MODULAR if cap == bound else BATCH_ROWS if cap == rows_total else BATCH_KERNEL
        improved()
        cap = state["upper"]
        if cap == 0:
            return known(0, method)

        prime = random_prime(rnd, VECTOR_PRIME_BITS)
        mnet = modular_network(cnet, prime)

        def block_rows(k0, k1, cols):
            for k in range(k0, k1, BATCH_BLOCK):
                deadline.check("the batch Jacobian rows")
                block = [_integer_point(x) for x in pts[k:min(k + BATCH_BLOCK, k1)]]
                yield modular_point_rows(mnet, block, patterns[k:k + len(block)], cols)

        # (i) the points of a first block with a small margin over the cap; (ii) if their rank
        # falls short, the remaining rows compressed by a random 0/1 matrix G to (deficit + 16) rows.
        first = min(len(pts), -(-21 * cap // (20 * m)) + 1)
        head = list(block_rows(0, first, live))
        head = np.concatenate(head) if head else np.zeros((0, len(live)), dtype=np.int64)
        deadline.check("the batch rank")
        state["lower"] = modular_rank_array(head, prime)
        if state["lower"] == cap:
            return known(cap, method)
        improved()
        if first < len(pts):
            gen = np.random.default_rng(rnd.randrange(1 << 32))
            extra = np.zeros((cap - state["lower"] + 16, len(live)), dtype=np.int64)
            for part in block_rows(first, len(pts), live):
                # G has 0/1 entries: G·part is a float64 (BLAS) product whose sums stay below
                # 2^21·2^31 < 2^53, hence exact
                for r0 in range(0, part.shape[0], 1 << 21):  # at most 2^21 rows per product
                    piece = part[r0:r0 + (1 << 21)]
                    G = gen.integers(0, 2, (extra.shape[0], piece.shape[0])).astype(np.float64)
                    extra = (extra + (G @ piece.astype(np.float64)).astype(np.int64)) % prime
            deadline.check("the batch rank")
            state["lower"] = max(state["lower"], modular_rank_array(np.concatenate([head, extra]), prime))
            if state["lower"] == cap:
                return known(cap, method)
            improved()

        # the modular rank fell short of the certified cap: decide on the exact rows (columns `live`)
        span = ModularSpan(len(live), prime)
        for k, part in zip(range(0, len(pts), BATCH_BLOCK), block_rows(0, len(pts), live)):
            span.add_array(part, [(None, r) for r in range(k * m, k * m + part.shape[0])])
        span.flush()
        exact = []
        for x, pat in zip(pts, patterns):
            deadline.check("the batch Jacobian rows")
            exact.extend(point_rows(cnet, x, pat, live))

        def groups(sel):
            for k in range(0, len(exact), 256):
                yield [[r[j] for j in sel] for r in exact[k:k + 256]]

        basis = [exact[i] for _, i in span.tags]
        nonzero = [any(r[j] != 0 for r in exact) for j in range(len(live))]
        deadline.check("the batch rank")
        value, how, _ = _exact_rank(basis, len(live), groups, rnd, deadline, nonzero,
                                    [not nz for nz in nonzero])  # decided on the exact rows
        return known(value, how)
    except TimeLimitReached as exc:
        return unknown(str(exc))


__all__ = [
    "BatchDimension", "FunctionalDimension", "batch_functional_dimension", "decisive_set", "functional_dimension",
    "gaussian_probes", "parse_batch", "simplex_points",
]
