"""Exact activation regions of ReLU networks of any depth (docs/relu.md § Definitions, § Activation regions; docs/relu-functional-dimension.md).

:func:`regions` lazily enumerates the full-dimensional cells of a network on ``R^n`` or on a
full-dimensional polyhedral domain; :func:`common_refinement` does the same for several networks
at once (every cell on which *each* network is affine), which is the complete equivalence
procedure of docs/relu.md § Activation regions.

Method (docs/relu.md § Activation regions): depth-first, neuron by neuron, layer by layer. Each neuron's preactivation is
an exact affine form on the current cell (the earlier layers' labels are fixed there). If the
form is constant its sign is read off; otherwise the cell decides whether the hyperplane cuts it
(:mod:`exactnet.polyhedra.cells`): a neuron whose sign is fixed on the cell never splits it, and
empty or lower-dimensional branches are never created. The output is one :class:`Region` per
non-empty open activation pattern.

Per-region data (the API other modules build on, e.g. functional dimension):

* ``pattern``: one tuple per hidden layer of labels ``τ ∈ {+1, −1, 0}`` (docs/relu.md § Definitions): ``+1`` the
  preactivation is ``> 0`` on the region, ``−1`` it is ``< 0``, ``0`` it is identically zero on the
  region (a degenerate parameter, docs/relu.md § Exactness pitfalls);
* ``map``: the exact affine map ``x ↦ weight·x + bias`` of the network on the region
  (:class:`AffineMap`, ``fmpq_mat`` entries);
* ``rows``: primitive integer rows ``(g, h)``; the region is the open polyhedron
  ``{x : g·x + h > 0 for every row}`` (the domain's constraints first, then the splits of the
  path; possibly redundant); :meth:`Region.polyhedron` gives the minimized PPL closure;
* ``point``: an exact rational interior point (every hidden preactivation is non-zero there,
  except the identically-zero ones; with ``points=False`` it is computed on first access);
  :meth:`Region.simplex_points` gives ``n+1`` affinely independent interior points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Sequence

from flint import fmpq, fmpq_mat, fmpz_mat

from ..deadline import NO_DEADLINE, Deadline
from ..errors import InputError, NetworkError, UnsupportedError
from ..network import Network, common_field
from ..network.domain import Polyhedron
from ..numbers import sign
from ..progress import Progress, null_progress
from ..polyhedra import ClosedPolyhedron, Farkas, Row, decide, primitive_row, root_cell
from ..polyhedra import value_at as row_value
from ..polyhedra.field_backend import field_decide, field_value, is_algebraic_row, normal_row
from ..polyhedra.field_cells import field_root_cell

Pattern = tuple[tuple[int, ...], ...]


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AffineMap:
    """``x ↦ weight·x + bias`` with ``weight`` an ``m×n`` and ``bias`` an ``m×1`` ``fmpq_mat``."""

    weight: fmpq_mat
    bias: fmpq_mat

    def __call__(self, x: Sequence[fmpq]) -> tuple[fmpq, ...]:
        col = fmpq_mat(len(x), 1, list(x))
        y = self.weight * col + self.bias
        return tuple(y[i, 0] for i in range(y.nrows()))

    def __eq__(self, other) -> bool:
        return isinstance(other, AffineMap) and self.weight == other.weight and self.bias == other.bias

    def __hash__(self) -> int:
        return hash((str(self.weight), str(self.bias)))

    def rows(self) -> list[tuple[list[fmpq], fmpq]]:
        """``[(weight row, bias entry), ...]`` as plain lists."""
        w, b = self.weight, self.bias
        return [([w[i, j] for j in range(w.ncols())], b[i, 0]) for i in range(w.nrows())]


@dataclass(frozen=True)
class FieldAffineMap:
    """``x ↦ weight·x + bias`` with entries in a real number field (tuples of exact numbers), for
    networks with real algebraic weights; the same interface as :class:`AffineMap`."""

    weight: tuple[tuple, ...]
    bias: tuple

    def __call__(self, x: Sequence[fmpq]) -> tuple:
        return tuple(_dot(row, x, b) for row, b in zip(self.weight, self.bias))

    def rows(self) -> list[tuple[list, object]]:
        return [(list(row), b) for row, b in zip(self.weight, self.bias)]


def _dot(row, x, start):
    acc = start
    for a, v in zip(row, x):
        if a != 0 and v != 0:
            acc = acc + a * v
    return acc


@dataclass(frozen=True)
class Region:
    """One full-dimensional cell (see the module docstring for the fields).

    ``point`` is computed on first access when the enumeration ran with ``points=False``
    (an exact LP on ``rows``, verified exactly); the region itself is certified full-dimensional
    by the enumeration either way.
    """

    patterns: tuple[Pattern, ...]
    maps: tuple[AffineMap, ...]
    rows: tuple[Row, ...]
    dim: int
    known_point: tuple[fmpq, ...] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def point(self) -> tuple[fmpq, ...]:
        """An exact rational interior point (see the module docstring)."""
        if self.known_point is not None:
            return self.known_point
        return cell_point(self.rows, self.dim)

    @property
    def pattern(self) -> Pattern:
        """The activation pattern (of the first network)."""
        return self.patterns[0]

    @property
    def map(self) -> AffineMap:
        """The exact affine map (of the first network) on the region."""
        return self.maps[0]

    @property
    def is_degenerate(self) -> bool:
        """Some preactivation is identically zero on the region (docs/relu.md § Exactness pitfalls)."""
        return any(0 in layer for pat in self.patterns for layer in pat)

    @property
    def is_algebraic(self) -> bool:
        """Some row has real algebraic coefficients (a network with algebraic weights)."""
        return any(is_algebraic_row(r) for r in self.rows)

    def contains(self, x: Sequence[fmpq]) -> bool:
        """Exact test that ``x`` lies in the open region."""
        return all(sign(field_value(r, x)) > 0 for r in self.rows)

    def polyhedron(self) -> ClosedPolyhedron:
        """The closure ``{x : g·x + h ≥ 0}`` in double description (cost grows quickly with the dimension)."""
        if self.is_algebraic:
            raise UnsupportedError("PPL polyhedra cannot hold real algebraic coefficients (this region's rows"
                                   " have them)")
        return ClosedPolyhedron(self.dim, self.rows)

    @cached_property
    def minimized_rows(self) -> tuple[Row, ...]:
        """A non-redundant system of primitive rows for the region (double description)."""
        out = []
        for g, h, equality in self.polyhedron().minimized_constraints():
            if equality:  # pragma: no cover - a full-dimensional cell has none
                raise AssertionError("full-dimensional region with an equality")
            out.append(primitive_row([fmpq(a) for a in g], fmpq(h)))
        return tuple(out)

    def simplex_points(self) -> tuple[tuple[fmpq, ...], ...]:
        """``n+1`` affinely independent exact points strictly inside the region.

        ``x*`` and ``x* + ε e_k`` with ``ε`` below every row's slack rate (docs/relu-functional-dimension.md);
        for rows over a number field, ``ε`` is halved until every point is inside (exact signs).
        """
        p = self.point
        eps = fmpq(1)
        if self.is_algebraic:
            while not all(self.contains(tuple(v + eps if i == k else v for i, v in enumerate(p)))
                          for k in range(len(p))):
                eps /= 2
        for g, h in ([] if self.is_algebraic else self.rows):
            slack = row_value((g, h), p)
            rate = max((abs(a) for a in g), default=0)
            if rate:
                eps = min(eps, slack / (2 * rate))
        pts = [p]
        for k in range(len(p)):
            pts.append(tuple(v + eps if i == k else v for i, v in enumerate(p)))
        return tuple(pts)


def cell_point(rows: Sequence[Row], n: int) -> tuple[fmpq, ...]:
    """An exact interior point of the open cell ``{x : g·x + h > 0 for every row}`` of an enumerated
    (hence certified full-dimensional) region: an exact LP (:func:`~exactnet.polyhedra.decide`, or
    :func:`~exactnet.polyhedra.field_backend.field_decide` for rows over a number field)."""
    ans = field_decide(rows, n) if any(is_algebraic_row(r) for r in rows) else decide(rows, n)
    if isinstance(ans, Farkas):  # pragma: no cover - the enumeration certified the interior
        raise AssertionError("internal error: an enumerated region with empty interior")
    return ans.point


# ---------------------------------------------------------------------------------------------
# domains
# ---------------------------------------------------------------------------------------------


def domain_rows(domain: Polyhedron | None, n: int) -> list[Row]:
    """The domain ``A x ≤ b`` as primitive rows ``−a·x + β ≥ 0`` (none for ``R^n``)."""
    if domain is None:
        return []
    if domain.dim != n:
        raise InputError(f"the domain has dimension {domain.dim} but the network takes {n} inputs")
    rows = []
    for a, beta in domain.constraints():
        row = primitive_row([-v for v in a], beta)
        if not any(row[0]):
            if row[1] < 0:
                raise InputError("the domain is empty")
            continue
        rows.append(row)
    return rows


def domain_interior_point(domain: Polyhedron | None, n: int) -> tuple[fmpq, ...]:
    """An exact interior point of the domain; a clear error if its interior is empty."""
    rows = domain_rows(domain, n)
    ans = decide(rows, n)
    if isinstance(ans, Farkas):
        raise InputError("the domain has empty interior (it must be full-dimensional)")
    return ans.point


# ---------------------------------------------------------------------------------------------
# compiled networks and per-network enumeration state
# ---------------------------------------------------------------------------------------------


def require_relu(net: Network, what: str = "region enumeration") -> None:
    """A ReLU :class:`Network` (rational or real algebraic weights), else a clear error."""
    if not isinstance(net, Network):
        raise NetworkError("expected a Network")
    if net.activation != "relu":
        raise UnsupportedError(f"{what} needs a ReLU network, got a {net.activation} network")


def require_rational_relu(net: Network, what: str = "region enumeration") -> None:
    if not isinstance(net, Network):
        raise NetworkError("expected a Network")
    if net.activation != "relu":
        raise UnsupportedError(f"{what} needs a ReLU network, got a {net.activation} network")
    if not net.is_rational:
        raise UnsupportedError(
            f"{what} needs rational weights; this network has real algebraic entries"
        )


class _Compiled:
    """A rational network as integer homogeneous layer matrices ``L_ℓ·[[W_ℓ, b_ℓ], [0, 1]]``
    (``L_ℓ`` the lcm of the layer's denominators; positive scalings never change a sign)."""

    __slots__ = ("hat", "scale", "widths", "n")

    def __init__(self, net: Network):
        self.widths = net.widths
        self.n = net.input_dim
        self.hat, self.scale = [], []
        for layer in net.layers:
            rows = [list(r) + [bv] for r, bv in zip(layer.weight, layer.bias)]
            rows.append([fmpq(0)] * layer.in_dim + [fmpq(1)])
            den = 1
            for r in rows:
                for v in r:
                    q = int(v.q)
                    if q != 1:
                        den = den * q // math.gcd(den, q)
            ints = [int(v.p) * (den // int(v.q)) for r in rows for v in r]
            self.hat.append(fmpz_mat(len(rows), len(rows[0]), ints))
            self.scale.append(den)


class _State:
    """Where one network's enumeration stands on the current cell (immutable by convention).

    ``F`` is an ``fmpz_mat`` equal to ``den`` times the ``(n_ℓ+1)×(n+1)`` matrix whose first ``n_ℓ``
    rows are the exact preactivation forms ``(g, h)`` of the current layer on the cell (the last
    row is ``(0, …, 0, 1)``); ``current`` holds the labels decided so far in this layer
    (``None`` = undecided).
    """

    __slots__ = ("net", "layer", "F", "den", "ints", "labels", "current", "out")

    def __init__(self, net: _Compiled, layer: int, F, den: int, labels: tuple, current: tuple, out, ints=None):
        self.net, self.layer, self.F, self.den = net, layer, F, den
        self.labels, self.current, self.out = labels, current, out
        self.ints = ints

    @classmethod
    def start(cls, net: _Compiled) -> "_State":
        F, den = net.hat[0], net.scale[0]
        if len(net.hat) == 1:
            return cls(net, 0, None, den, (), (), _affine_map(F.tolist(), den, net.widths[-1], net.n))
        return cls(net, 0, F, den, (), (None,) * net.widths[1], None)

    @property
    def done(self) -> bool:
        return self.out is not None

    def integer_forms(self):
        """``(fmpz_mat, rows as int lists)``: the forms times one common positive integer."""
        if self.ints is None:
            self.ints = self.F.tolist()
        return self.F, self.ints

    def undecided(self) -> list[int]:
        return [j for j, lab in enumerate(self.current) if lab is None]

    def decide(self, labels: dict) -> "_State":
        cur = list(self.current)
        for j, lab in labels.items():
            cur[j] = lab
        current = tuple(cur)
        net = self.net
        if None in current:
            return _State(net, self.layer, self.F, self.den, self.labels, current, None, self.ints)
        nxt = self.layer + 1
        _F, rows = self.integer_forms()
        cols = len(rows[0])
        zero = [0] * cols
        masked = [v for j, lab in enumerate(current) for v in (rows[j] if lab == 1 else zero)] + rows[-1]
        F = net.hat[nxt] * fmpz_mat(len(rows), cols, masked)
        den = self.den * net.scale[nxt]
        done = self.labels + (current,)
        if nxt == len(net.hat) - 1:
            return _State(net, nxt, None, den, done, (), _affine_map(F.tolist(), den, net.widths[-1], net.n))
        return _State(net, nxt, F, den, done, (None,) * net.widths[nxt + 1], None)


class _FieldCompiled:
    """A network with real algebraic weights as homogeneous layer matrices ``[[W_ℓ, b_ℓ], [0, 1]]``
    (lists of exact numbers of one field)."""

    __slots__ = ("hat", "widths", "n")

    def __init__(self, net: Network):
        self.widths = net.widths
        self.n = net.input_dim
        self.hat = []
        for layer in net.layers:
            rows = [list(r) + [bv] for r, bv in zip(layer.weight, layer.bias)]
            rows.append([fmpq(0)] * layer.in_dim + [fmpq(1)])
            self.hat.append(rows)


def _field_product(A: list, B: list) -> list:
    """``A·B`` for lists of rows of exact numbers (skipping zeros)."""
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


class _FieldState:
    """:class:`_State` over a number field: ``F`` is the list of rows ``(g..., h)`` of the current
    layer's exact preactivation forms on the cell, plus ``(0, …, 0, 1)``."""

    __slots__ = ("net", "layer", "F", "labels", "current", "out")

    def __init__(self, net: _FieldCompiled, layer: int, F, labels: tuple, current: tuple, out):
        self.net, self.layer, self.F, self.labels, self.current, self.out = net, layer, F, labels, current, out

    @classmethod
    def start(cls, net: _FieldCompiled) -> "_FieldState":
        n = net.n
        identity = [[fmpq(1) if i == k else fmpq(0) for k in range(n + 1)] for i in range(n + 1)]
        F = _field_product(net.hat[0], identity)
        if len(net.hat) == 1:
            return cls(net, 0, None, (), (), _field_map(F, net.widths[-1], n))
        return cls(net, 0, F, (), (None,) * net.widths[1], None)

    @property
    def done(self) -> bool:
        return self.out is not None

    def integer_forms(self):
        return self.F, self.F

    def undecided(self) -> list[int]:
        return [j for j, lab in enumerate(self.current) if lab is None]

    def decide(self, labels: dict) -> "_FieldState":
        cur = list(self.current)
        for j, lab in labels.items():
            cur[j] = lab
        current = tuple(cur)
        net = self.net
        if None in current:
            return _FieldState(net, self.layer, self.F, self.labels, current, None)
        nxt = self.layer + 1
        cols = len(self.F[0])
        zero = [fmpq(0)] * cols
        masked = [self.F[j] if lab == 1 else zero for j, lab in enumerate(current)] + [self.F[-1]]
        F = _field_product(net.hat[nxt], masked)
        done = self.labels + (current,)
        if nxt == len(net.hat) - 1:
            return _FieldState(net, nxt, None, done, (), _field_map(F, net.widths[-1], net.n))
        return _FieldState(net, nxt, F, done, (None,) * net.widths[nxt + 1], None)


def _field_map(rows, m: int, n: int) -> FieldAffineMap:
    return FieldAffineMap(tuple(tuple(rows[i][:n]) for i in range(m)), tuple(rows[i][n] for i in range(m)))


def _affine_map(rows, den: int, m: int, n: int) -> "AffineMap":
    weight = fmpq_mat(m, n, [fmpq(rows[i][k], den) for i in range(m) for k in range(n)])
    bias = fmpq_mat(m, 1, [fmpq(rows[i][n], den) for i in range(m)])
    return AffineMap(weight, bias)


def _primitive_int_row(ints: Sequence[int], n: int) -> Row:
    div = 0
    for a in ints:
        div = math.gcd(div, a)
    if div > 1:
        ints = [a // div for a in ints]
    return tuple(int(a) for a in ints[:n]), int(ints[n])


# ---------------------------------------------------------------------------------------------
# the enumeration
# ---------------------------------------------------------------------------------------------


def _seeds(n: int, count: int = 4) -> list[tuple[fmpq, ...]]:
    import random

    rnd = random.Random(20240607 + n)
    pts = [tuple(fmpq(0) for _ in range(n))]
    for _ in range(count):
        pts.append(tuple(fmpq(rnd.randint(-40, 40), rnd.choice((1, 2, 3, 4, 5, 7))) for _ in range(n)))
    return pts


@dataclass(frozen=True)
class OpenSubtree:
    """A node of the enumeration tree that :func:`walk` with ``open_depth`` left unexpanded: the
    node reached from the root by the branch choices ``path`` (``+1``: the side where the split
    form is positive, ``−1``: the negative side), in the order of the splits on the way."""

    path: tuple[int, ...]
    #: where the walk stood (cell, states, node id, path): ``walk(resume=[entry])`` continues there
    entry: tuple | None = field(default=None, repr=False, compare=False)


def walk(nets: Sequence[Network], domain: Polyhedron | None = None, *, method: str = "auto",
         deadline: Deadline = NO_DEADLINE, progress: Progress | None = None,
         recorder=None, points: bool = True, prefix: tuple[int, ...] = (),
         open_depth: int | None = None, resume: Sequence[OpenSubtree] = ()) -> Iterator[Region]:
    """Lazily enumerate the common refinement of the activation regions of ``nets``.

    All networks must be ReLU networks with the same input dimension; with real algebraic weights
    (all moved into one common number field) the cells hold rows over that field
    (:mod:`exactnet.polyhedra.field_cells`, docs/algebraic-lp.md) and the maps are
    :class:`FieldAffineMap`. With a
    ``recorder``, the enumeration tree and its exact certificates are recorded as they are
    produced (the proof of a region-tree certificate, docs/relu.md § Activation regions). ``points=False`` skips the
    interior point of each region (``Region.point`` is then computed on first access): the
    regions are certified full-dimensional by the split decisions alone (a hyperplane splits a
    cell only where the form takes both signs on it).

    Subtrees (docs/distributed.md): the walk is deterministic, so a node of the tree is named by
    its ``path`` of branch choices. ``prefix`` enumerates only the subtree below the node
    ``prefix`` (the nodes on the way are recomputed; with a recorder their unvisited siblings stay
    empty nodes); ``open_depth=d`` yields an :class:`OpenSubtree` instead of expanding any node
    ``d`` splits below the root. Regions and open subtrees come in the serial order (the
    positive side first), so concatenating the subtrees' regions in path order gives the serial
    enumeration. ``resume``: open subtrees of an earlier walk of the same networks (and the same
    ``recorder``) to continue from, in this process, instead of starting at the root.
    """
    if not nets:
        raise InputError("no networks given")
    for net in nets:
        require_relu(net)
    n = nets[0].input_dim
    if any(net.input_dim != n for net in nets):
        raise InputError("the networks have different input dimensions")
    progress = progress or null_progress()
    algebraic = not all(net.is_rational for net in nets)
    if algebraic:
        nets = common_field(*nets)
    if resume:
        stack = [sub.entry for sub in reversed(resume)]
    else:
        rows = domain_rows(domain, n)
        if algebraic:
            root = field_root_cell(n, [(tuple(fmpq(a) for a in g), fmpq(h)) for g, h in rows], method, _seeds(n),
                                   deadline)
        else:
            root = root_cell(n, rows, method, _seeds(n))
        if root is None:
            raise InputError("the domain has empty interior (it must be full-dimensional)")
        if algebraic:
            states = tuple(_FieldState.start(_FieldCompiled(net)) for net in nets)
        else:
            states = tuple(_State.start(_Compiled(net)) for net in nets)
        root_id = recorder.new() if recorder is not None else -1
        stack = [(root, states, root_id, ())]
    while stack:
        cell, states, node, path = entry = stack.pop()
        if open_depth is not None and len(path) >= open_depth and len(path) >= len(prefix):
            yield OpenSubtree(path, entry)
            continue
        while True:
            deadline.check("the region enumeration")
            k = None  # interleave the networks layer by layer: fixes then happen on coarse cells
            for i, st in enumerate(states):
                if not st.done and (k is None or st.layer < states[k].layer):
                    k = i
            if k is None:
                point = cell.point() if points or recorder is not None else None
                maps = tuple(st.out for st in states)
                if recorder is not None:
                    recorder.leaf(node, point, maps)
                progress.advance()
                yield Region(tuple(st.labels for st in states), maps, cell.rows, n, point)
                break
            st = states[k]
            forms, ints = st.integer_forms()
            labels: dict = {}
            varying = []
            for j in st.undecided():
                row = ints[j]
                if any(row[:n]):  # fmpz, fmpq and RealAlgebraic are falsy exactly when zero
                    varying.append(j)
                else:
                    labels[j] = sign(row[n])
                    if recorder is not None:
                        recorder.fix(node, k, st.layer, j, labels[j], None, len(cell.rows))

            def row_of(j, ints=ints):
                if algebraic:
                    return normal_row(ints[j][:n], ints[j][n])
                return _primitive_int_row(ints[j], n)

            decisions = cell.classify_batch(forms, varying, row_of) if varying else {}
            split = None
            for j in varying:
                decision = decisions[j]
                if decision.sign == 0:
                    if split is None:
                        split = (j, decision)
                    continue
                labels[j] = decision.sign
                if recorder is not None:
                    farkas = decision.farkas or cell.farkas_for(row_of(j), decision.sign, unit=j)
                    recorder.fix(node, k, st.layer, j, decision.sign, farkas, len(cell.rows))
            if split is None:
                states = states[:k] + (st.decide(labels),) + states[k + 1:]
                continue
            j, decision = split
            row = row_of(j)
            if recorder is not None:
                pos_id, neg_id = recorder.new(), recorder.new()
                recorder.split(node, k, st.layer, j, pos_id, neg_id)
            else:
                pos_id = neg_id = -1
            depth = len(path)  # below a prefix only its side is built
            if depth >= len(prefix) or prefix[depth] < 0:
                neg_states = states[:k] + (st.decide({**labels, j: -1}),) + states[k + 1:]
                stack.append((cell.child(decision, row, -1), neg_states, neg_id, path + (-1,)))
            if depth >= len(prefix) or prefix[depth] > 0:
                pos_states = states[:k] + (st.decide({**labels, j: 1}),) + states[k + 1:]
                stack.append((cell.child(decision, row, 1), pos_states, pos_id, path + (1,)))
            break


def regions(net: Network, domain: Polyhedron | None = None, *, method: str = "auto",
            deadline: Deadline = NO_DEADLINE, progress: Progress | None = None,
            points: bool = True) -> Iterator[Region]:
    """Lazily enumerate the activation regions of a ReLU network (see module doc; rational or real
    algebraic weights).

    ``domain``: ``None`` for ``R^n``, or a full-dimensional :class:`Box`/:class:`Polyhedron`
    (regions are then the cells of its interior). ``method``: how cells are held,
    :func:`exactnet.polyhedra.cell_method` (``"auto"``: generators for ``n ≤ 6``, LP otherwise;
    ``"generators"``; ``"lp"``). ``points=False``: interior points
    only on demand (faster when the consumer needs patterns and maps only). Raises
    :class:`~exactnet.deadline.TimeLimitReached` when ``deadline`` passes.
    """
    return walk([net], domain, method=method, deadline=deadline, progress=progress, points=points)


def common_refinement(nets: Sequence[Network], domain: Polyhedron | None = None, **kwargs) -> Iterator[Region]:
    """The cells on which every network of ``nets`` is affine (``Region.patterns``/``maps`` per net)."""
    return walk(list(nets), domain, **kwargs)


@dataclass(frozen=True)
class RegionListing:
    """The outcome of enumerating regions with a limit and a time limit (:func:`list_regions`).

    ``count`` regions were enumerated; ``complete`` says whether that is all of them (else the
    enumeration stopped at ``limit`` — ``reason`` is then ``None`` — or at the time limit, with
    ``reason``); ``degenerate`` counts regions where some preactivation is identically zero;
    ``regions`` holds the first ``keep`` regions in enumeration order (all when ``keep`` is
    ``None``).
    """

    count: int
    complete: bool
    degenerate: int
    regions: tuple[Region, ...]
    reason: str | None = None


def list_regions(nets: Sequence[Network], domain: Polyhedron | None = None, *, limit: int | None = None,
                 keep: int | None = None, deadline: Deadline = NO_DEADLINE,
                 progress: Progress | None = None) -> RegionListing:
    """Enumerate the regions of one network (or the common refinement of several) until done,
    ``limit`` regions, or the time limit (which is not an error here: the listing says how far
    it got)."""
    from ..deadline import TimeLimitReached

    kept: list[Region] = []
    count = degenerate = 0
    complete, reason = True, None
    try:
        for r in walk(list(nets), domain, deadline=deadline, progress=progress):
            count += 1
            degenerate += r.is_degenerate
            if keep is None or len(kept) < keep:
                kept.append(r)
            if limit is not None and count >= limit:
                complete = False
                break
    except TimeLimitReached as exc:
        complete, reason = False, str(exc)
    return RegionListing(count, complete, degenerate, tuple(kept), reason)


def count_regions(net: Network, domain: Polyhedron | None = None, **kwargs) -> int:
    """The number of non-empty open activation patterns of ``net`` on the domain."""
    kwargs.setdefault("points", False)
    return sum(1 for _ in regions(net, domain, **kwargs))


__all__ = [
    "AffineMap", "FieldAffineMap", "OpenSubtree", "Pattern", "Region", "RegionListing", "cell_point",
    "common_refinement",
    "count_regions", "list_regions",
    "domain_interior_point",
    "domain_rows", "regions", "require_relu", "require_rational_relu", "walk",
]
