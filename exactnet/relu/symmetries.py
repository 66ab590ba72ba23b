"""Hidden-symmetry report for ReLU networks (HS; docs/relu.md § Definitions, § Hidden symmetries, § Exactness pitfalls).

``symmetries(net, domain=None)`` lists the mechanisms that occur at ``θ`` on ``R^n`` (or on a
polyhedral domain), each with an exact witness, and the local fiber dimension ``D − dim_fun``.
Every hidden neuron is classified from the exact activation regions of the domain (docs/relu.md § Activation regions):

* **stably unactivated**: its label is ``−1`` on every region (it never fires). Witness: the
  region count, and the move "lower its bias by 1" (the preactivation stays ``< 0``), checked to
  preserve the function with the exact equivalence decision;
* **stably activated**: label ``+1`` on every region (it acts linearly). Move: raise its bias by
  1 and subtract its outgoing column from the next bias (``σ(z + 1) = σ(z) + 1`` for ``z ≥ 0``);
* **zero outgoing weights**: the unit is invisible; move: change its bias;
* **degenerate preactivation**: identically zero on a region (a non-ordinary parameter,
  docs/relu.md § Exactness pitfalls). Witness: an interior point of that region;
* **hidden kink** (restricted image, docs/relu.md § Hidden symmetries): the neuron switches on the domain but
  ``F`` has no kink along (part of) its bent hyperplane. For every region ``R`` where the neuron is
  active and its preactivation ``g·x + h`` is not constant, an exact point ``y`` in the relative
  interior of the facet ``closure(R) ∩ {g·x + h = 0}`` is found by an exact linear program in the
  hyperplane; the activation patterns just on either side of ``y`` follow exactly from the values
  and directional derivatives along ``±g`` (every preactivation is affine along the ray for small
  steps), and the kink is visible at ``y`` iff the two sides' affine maps differ. "Hidden" means
  no facet shows a kink; "partially hidden" means some do and some do not;
* **cancelling coincident kinks** (docs/relu.md § Hidden symmetries): at such a facet several neurons switch
  together (their bent hyperplanes coincide there) and the affine maps on both sides agree;
* **narrow layer** (docs/relu.md § Hidden symmetries): a hidden layer narrower than the input.

Hidden symmetries: a move above that is verified (exact equivalence) and leaves the orbit of
``θ`` (:func:`exactnet.relu.orbits.same_orbit`) proves a hidden symmetry. For one hidden layer on
``R^n`` the question is decided completely by the fiber (:mod:`exactnet.relu.fiber`). Otherwise,
without such a witness, the answer is ``None``: a rank deficit ``dim_fun < D − N_hid`` alone does not
prove one at non-generic parameters (docs/relu.md § Definitions (T6)), which is why the layerwise
general-position test (docs/relu.md § Definitions) is reported as well.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Sequence

from flint import fmpq, fmpq_mat, fmpz_mat

from ..deadline import NO_DEADLINE, Deadline, TimeLimitReached
from ..network import Layer, Network
from ..network.domain import Polyhedron
from ..numbers import number_json
from ..polyhedra import primitive_row
from .functional_dimension import FunctionalDimension, functional_dimension, region_forms
from .jacobian import IntegerNetwork, compile_network
from ..polyhedra import Interior, decide
from .regions import domain_rows, regions, require_rational_relu

#: Cap on the subsets examined by the layerwise general-position test.
MAX_SUBSETS = 20_000


@dataclass(frozen=True)
class Mechanism:
    """One occurrence: ``kind``, the neurons involved (1-based ``(layer, unit)``), an exact
    JSON-ready ``witness`` and a one-line ``explanation``."""

    kind: str
    neurons: tuple[tuple[int, int], ...]
    witness: dict
    explanation: str

    def to_obj(self) -> dict:
        return {"kind": self.kind, "neurons": [list(n) for n in self.neurons], "witness": self.witness,
                "explanation": self.explanation}


@dataclass(frozen=True)
class SymmetryReport:
    mechanisms: tuple[Mechanism, ...]
    functional_dimension: FunctionalDimension
    hidden_symmetry: bool | None
    hidden_symmetry_reason: str
    generic_layerwise: bool | None
    regions: int | None
    complete: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def fiber_dimension(self) -> int | None:
        return self.functional_dimension.fiber_dimension

    def kinds(self) -> list[str]:
        return sorted({m.kind for m in self.mechanisms})

    def to_obj(self) -> dict:
        fd = self.functional_dimension
        return {
            "mechanisms": [m.to_obj() for m in self.mechanisms],
            "mechanism_kinds": self.kinds(),
            "functional_dimension": fd.value,
            "upper_bound": fd.upper_bound,
            "local_fiber_dimension": self.fiber_dimension,
            "scaling_orbit_dimension": fd.hidden_neurons,
            "extra_kernel_dimension": None if fd.value is None else fd.upper_bound - fd.value,
            "hidden_symmetry": self.hidden_symmetry,
            "hidden_symmetry_reason": self.hidden_symmetry_reason,
            "generic_layerwise": self.generic_layerwise,
            "regions": self.regions,
            "complete": self.complete,
            "notes": list(self.notes),
        }


def _pt(x) -> list:
    return [number_json(v) for v in x]


# ---------------------------------------------------------------------------------------------
# exact one-sided patterns and region maps
# ---------------------------------------------------------------------------------------------


def directional_pattern(net: Network, y: Sequence[fmpq], direction: Sequence[fmpq]):
    """The activation pattern at ``y + t·direction`` for all small ``t > 0`` (exact: values and
    directional derivatives propagate layer by layer; a label is ``0`` when both vanish)."""
    a, da = list(y), list(direction)
    out = []
    for layer in net.layers[:-1]:
        z = [sum((w * v for w, v in zip(row, a) if w != 0 and v != 0), b) for row, b in zip(layer.weight, layer.bias)]
        dz = [sum((w * v for w, v in zip(row, da) if w != 0 and v != 0), fmpq(0)) for row in layer.weight]
        labels = tuple(1 if (zv > 0 or (zv == 0 and dv > 0)) else -1 if (zv < 0 or (zv == 0 and dv < 0)) else 0
                       for zv, dv in zip(z, dz))
        out.append(labels)
        a = [zv if lab == 1 else fmpq(0) for zv, lab in zip(z, labels)]
        da = [dv if lab == 1 else fmpq(0) for dv, lab in zip(dz, labels)]
    return tuple(out)


def pattern_map(cnet: IntegerNetwork, pattern) -> list[list[int]]:
    """The affine map of the region with ``pattern`` as an integer matrix ``P·[[M, v], [0, 1]]``
    (``P`` the product of the layer scales, the same for every pattern)."""
    n = cnet.input_dim
    A = fmpz_mat([[1 if i == j else 0 for j in range(n + 1)] for i in range(n + 1)])
    for li, labels in enumerate(pattern):
        rows = (cnet.hats[li] * A).tolist()
        A = fmpz_mat([r if lab == 1 else [0] * (n + 1) for r, lab in zip(rows, labels)] + [rows[-1]])
    return [[int(v) for v in r] for r in (cnet.hats[-1] * A).tolist()]


def _reduce_to_hyperplane(rows, g, h):
    """Rows of ``{rows > 0, g·x + h = 0}`` in the coordinates without the pivot ``k`` of ``g``:
    ``(k, reduced rows)`` or ``None`` when a row becomes a non-positive constant."""
    n = len(g)
    k = next(i for i, v in enumerate(g) if v != 0)
    gk = fmpq(g[k])
    out = []
    for gi, hi in rows:
        coeffs = [fmpq(gi[t]) - fmpq(gi[k]) * g[t] / gk for t in range(n) if t != k]
        const = fmpq(hi) - fmpq(gi[k]) * h / gk
        if all(c == 0 for c in coeffs):
            if const <= 0:
                return None
            continue
        out.append(primitive_row(coeffs, const))
    return k, out


def _lift(k: int, z: Sequence[fmpq], g, h) -> tuple:
    rest = fmpq(h) + sum((fmpq(g[t if t < k else t + 1]) * v for t, v in enumerate(z)), fmpq(0))
    xk = -rest / fmpq(g[k])
    return tuple(list(z[:k]) + [xk] + list(z[k:]))


def _zero_neurons(net: Network, y) -> set:
    zs = set()
    a = list(y)
    for li, layer in enumerate(net.layers[:-1]):
        z = [sum((w * v for w, v in zip(row, a) if w != 0 and v != 0), b) for row, b in zip(layer.weight, layer.bias)]
        for j, v in enumerate(z):
            if v == 0:
                zs.add((li + 1, j + 1))
        a = [v if v > 0 else fmpq(0) for v in z]
    return zs


def _facet_point(net, region_rows_, g, h, rnd):
    """A point in the relative interior of ``closure(R) ∩ {g·x + h = 0}`` on as few other bent
    hyperplanes as possible, or ``None`` if that facet is lower-dimensional."""
    own = primitive_row([fmpq(v) for v in g], fmpq(h))
    rows = [r for r in region_rows_ if r != own]
    red = _reduce_to_hyperplane(rows, g, h)
    if red is None:
        return None
    k, reduced = red
    dim = len(g) - 1
    ans = decide(reduced, dim)
    if not isinstance(ans, Interior):
        return None
    best = _lift(k, ans.point, g, h)
    zeros = _zero_neurons(net, best)
    if dim == 0:
        return best
    # perturb inside the facet: points on accidental hyperplanes move off them
    z0 = ans.point
    step = fmpq(1)
    for gi, hi in reduced:
        val = fmpq(hi) + sum((fmpq(a) * v for a, v in zip(gi, z0)), fmpq(0))
        rate = sum(abs(a) for a in gi)
        if rate:
            step = min(step, val / (2 * rate))
    for _ in range(3):
        z = [v + step * fmpq(rnd.randint(-7, 7), 8) for v in z0]
        y = _lift(k, z, g, h)
        zy = _zero_neurons(net, y)
        if len(zy) < len(zeros):
            best, zeros = y, zy
    return best


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------


def generic_layerwise(net: Network) -> bool | None:
    """docs/relu.md § Definitions: in every layer, any ``k ≤ n_in`` hyperplanes meet in codimension ``k`` and no
    ``n_in + 1`` share a point (exact ranks of row subsets); ``None`` beyond :data:`MAX_SUBSETS`."""
    for layer in net.layers[:-1]:
        n_in, n_out = layer.in_dim, layer.out_dim
        W = [list(r) for r in layer.weight]
        Wb = [list(r) + [b] for r, b in zip(layer.weight, layer.bias)]
        k = min(n_out, n_in)
        subsets = 0
        for combo in itertools.combinations(range(n_out), k):
            subsets += 1
            if subsets > MAX_SUBSETS:
                return None
            if fmpq_mat(k, n_in, [v for i in combo for v in W[i]]).rank() < k:
                return False
        if n_out >= n_in + 1:
            for combo in itertools.combinations(range(n_out), n_in + 1):
                subsets += 1
                if subsets > MAX_SUBSETS:
                    return None
                if fmpq_mat(n_in + 1, n_in + 1, [v for i in combo for v in Wb[i]]).rank() < n_in + 1:
                    return False
    return True


def _edit(net: Network, li: int, j: int, dbias: fmpq, next_bias_shift: bool) -> Network:
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in net.layers]
    W, b = layers[li]
    b[j] = b[j] + dbias
    if next_bias_shift:
        W2, b2 = layers[li + 1]
        for r in range(len(b2)):
            b2[r] = b2[r] - W2[r][j] * dbias
    return Network("relu", tuple(Layer(tuple(map(tuple, W_)), tuple(b_)) for W_, b_ in layers))


def symmetries(net: Network, domain: Polyhedron | None = None, *, deadline: Deadline = NO_DEADLINE,
               timeout: float | None = None, seed: int = 0, verify_moves: bool = True) -> SymmetryReport:
    """The hidden-symmetry report of a rational ReLU network (see the module docstring)."""
    require_rational_relu(net, "the symmetry report")
    if timeout is not None:
        deadline = Deadline.after(timeout)
    rnd = random.Random(seed)
    cnet = compile_network(net)
    n0 = net.input_dim
    notes: list[str] = []
    mechanisms: list[Mechanism] = []
    fd = functional_dimension(net, domain, deadline=deadline, seed=seed, decisive=False)
    drows = domain_rows(domain, n0)

    for li, w in enumerate(net.hidden_widths, start=1):
        if w < n0:
            mechanisms.append(Mechanism("narrow-layer", (), {"layer": li, "width": w, "input_dim": n0},
                                        f"hidden layer {li} has width {w} < input dimension {n0}"))

    if net.depth >= 3 and net.output_dim == 1 and all(w == 1 for w in net.hidden_widths):
        mechanisms.append(Mechanism(
            "width-one-chain", (), {"bound": fd.upper_bound, "functional_parameters_at_most": n0 + 3},
            f"{net.depth} hidden layers of width 1: every realizable function is g(w·x + b) with g constant | linear"
            f" | constant, so dim_fun ≤ n0 + 3 = {n0 + 3} < {fd.upper_bound} for every parameter (docs/relu-functional-dimension.md)"))

    zero_out = []
    for li in range(net.depth):
        nxt = net.layers[li + 1]
        for j in range(net.layers[li].out_dim):
            if all(row[j] == 0 for row in nxt.weight):
                zero_out.append((li + 1, j + 1))

    # regions and per-neuron labels
    labels: dict = {}
    degenerate: dict = {}
    regs = []
    complete = True
    try:
        for region in regions(net, domain, deadline=deadline):
            regs.append(region)
            for li, layer in enumerate(region.pattern, start=1):
                for j, lab in enumerate(layer, start=1):
                    labels.setdefault((li, j), set()).add(lab)
                    if lab == 0 and (li, j) not in degenerate:
                        degenerate[(li, j)] = region.point
    except TimeLimitReached as exc:
        complete = False
        notes.append(f"{exc}: the region-based mechanisms are incomplete")

    moves = []  # (mechanism index, candidate network)
    if complete:
        for (li, j), labs in sorted(labels.items()):
            if (li, j) in zero_out:
                continue
            if labs == {-1}:
                cand = _edit(net, li - 1, j - 1, fmpq(-1), False)
                mechanisms.append(Mechanism(
                    "stably-unactivated", ((li, j),), {"regions": len(regs), "label": -1},
                    f"neuron ({li}, {j}) is negative on all {len(regs)} regions of the domain: it never fires"))
                moves.append((len(mechanisms) - 1, cand))
            elif labs == {1}:
                cand = _edit(net, li - 1, j - 1, fmpq(1), True)
                mechanisms.append(Mechanism(
                    "stably-activated", ((li, j),), {"regions": len(regs), "label": 1},
                    f"neuron ({li}, {j}) is positive on all {len(regs)} regions of the domain: it acts linearly"))
                moves.append((len(mechanisms) - 1, cand))
        for (li, j), point in sorted(degenerate.items()):
            mechanisms.append(Mechanism(
                "degenerate-preactivation", ((li, j),), {"point": _pt(point)},
                f"the preactivation of neuron ({li}, {j}) is identically 0 on the region containing the point"
                " (non-ordinary parameter: those inputs are not parametrically smooth)"))
    for li, j in zero_out:
        cand = _edit(net, li - 1, j - 1, fmpq(1), False)
        mechanisms.append(Mechanism("zero-outgoing-weights", ((li, j),), {"outgoing": "all 0"},
                                    f"neuron ({li}, {j}) has zero outgoing weights: its incoming parameters are"
                                    " free"))
        moves.append((len(mechanisms) - 1, cand))

    # kinks
    if complete:
        try:
            mechanisms.extend(_kink_mechanisms(net, cnet, regs, labels, set(zero_out), drows, rnd, deadline))
        except TimeLimitReached as exc:
            complete = False
            notes.append(f"{exc}: the kink analysis is incomplete")

    # first-order directions beyond scaling: small exact steps along the reduced echelon basis of
    # the whole Jacobian kernel (scaling vectors and the extra exact kernel vectors); sparse basis
    # vectors are often exact linear moves (e.g. sliding a hidden kink)
    if fd.kernel:
        from .jacobian import scaling_vectors

        basis = [list(v) for v in scaling_vectors(net)] + [list(v) for v in fd.kernel]
        red, rank = fmpq_mat(len(basis), net.num_parameters, [x for v in basis for x in v]).rref()
        for i in range(min(rank, 24)):
            v = [red[i, j] for j in range(net.num_parameters)]
            for t in (fmpq(1, 8), fmpq(1, 64)):
                moves.append((None, _step(net, v, t)))

    # hidden symmetries
    hidden, reason = None, ""
    if net.depth == 1 and domain is None:
        from .fiber import Fiber

        transitive = Fiber(net).orbit_is_fiber()
        if transitive is not None:
            hidden = not transitive
            reason = ("decided by the exact fiber (one hidden layer): " +
                      ("the fiber is larger than the orbit" if hidden else "the fiber is the orbit of permutations"
                                                                           " and positive scalings"))
    if verify_moves and hidden is not False:
        from .equivalence import equivalent
        from .orbits import same_orbit

        for idx, cand in moves:
            try:
                res = equivalent(net, cand, domain, deadline=deadline)
            except TimeLimitReached:
                break
            if res.equivalent and same_orbit(net, cand) is False:
                if idx is None:
                    mechanisms.append(Mechanism(
                        "kernel-direction-move", (), {"fiber_member_outside_orbit": _net_obj(cand)},
                        "a small exact step along an extra kernel direction of the Jacobian stays in the fiber"
                        " (exact equivalence) and leaves the orbit"))
                    what = "a step along an extra kernel direction"
                else:
                    m = mechanisms[idx]
                    wit = dict(m.witness)
                    wit["fiber_member_outside_orbit"] = _net_obj(cand)
                    mechanisms[idx] = Mechanism(m.kind, m.neurons, wit, m.explanation)
                    what = f"the move of the {m.kind} mechanism at neuron {m.neurons[0]}"
                if hidden is None:
                    hidden = True
                    reason = (f"{what} gives a parameter in the fiber (exact equivalence) outside the orbit of"
                              " permutations and positive scalings")
                if idx is None or hidden:
                    break
    if hidden is None:
        reason = ("not decided: no verified move leaving the orbit was found; a rank deficit alone does not prove a"
                  " hidden symmetry at non-generic parameters (docs/relu.md § Definitions (T6))")
    return SymmetryReport(tuple(mechanisms), fd, hidden, reason, generic_layerwise(net), len(regs) if complete else None,
                          complete, tuple(notes))


def _step(net: Network, v, t: fmpq) -> Network:
    """``θ + t·v`` (``v`` in the library parameter order)."""
    it = iter(v)
    layers = []
    for L in net.layers:
        W = tuple(tuple(w + t * next(it) for w in row) for row in L.weight)
        b = tuple(bv + t * next(it) for bv in L.bias)
        layers.append(Layer(W, b))
    return Network("relu", tuple(layers))


def _net_obj(net: Network) -> dict:
    from ..network import network_to_obj

    return network_to_obj(net)


def _kink_mechanisms(net, cnet, regs, labels, zero_out, drows, rnd, deadline) -> list[Mechanism]:
    switching = {nj for nj, labs in labels.items() if 1 in labs and -1 in labs and nj not in zero_out}
    visible: dict = {}
    hidden: dict = {}
    cancelling: dict = {}
    for region in regs:
        if region.is_degenerate:
            continue
        forms = region_forms(cnet, region.pattern)
        flat = [(li, j) for li, layer in enumerate(region.pattern, start=1) for j in range(1, len(layer) + 1)]
        pmap = None
        for (li, j), form in zip(flat, forms):
            if (li, j) not in switching or region.pattern[li - 1][j - 1] != 1:
                continue
            if (li, j) in visible and (li, j) in hidden:
                continue
            g, h = form[:-1], form[-1]
            if not any(g):
                continue
            deadline.check("the kink analysis")
            y = _facet_point(net, list(region.rows), g, h, rnd)
            if y is None:
                continue
            direction = [fmpq(v) for v in g]
            plus = directional_pattern(net, y, direction)
            minus = directional_pattern(net, y, [-v for v in direction])
            if any(0 in lay for lay in plus + minus) or plus != region.pattern:
                continue
            flips = tuple((a + 1, b + 1) for a, lay in enumerate(plus) for b, lab in enumerate(lay)
                          if minus[a][b] != lab)
            if pmap is None:
                pmap = pattern_map(cnet, plus)
            same = pmap == pattern_map(cnet, minus)
            wit = {"point": _pt(y), "pattern_on_active_side": [list(x) for x in plus],
                   "pattern_on_other_side": [list(x) for x in minus]}
            if not same:
                visible.setdefault((li, j), wit)
            elif len(flips) == 1:
                hidden.setdefault((li, j), wit)
            else:
                cancelling.setdefault(tuple(sorted(flips)), wit)
    out = []
    for nj in sorted(hidden):
        partial = nj in visible
        wit = dict(hidden[nj])
        if partial:
            wit["visible_at"] = visible[nj]
        kind = "partially-hidden-kink" if partial else "hidden-kink"
        text = (f"neuron ({nj[0]}, {nj[1]}) switches on the domain but " +
                ("part of its bent hyperplane carries no kink of the function (restricted image)" if partial
                 else "none of its bent hyperplane carries a kink of the function"))
        out.append(Mechanism(kind, (nj,), wit, text))
    for key in sorted(cancelling):
        out.append(Mechanism("cancelling-coincident-kinks", key, cancelling[key],
                             "neurons " + ", ".join(f"({a}, {b})" for a, b in key) +
                             " switch together on one hyperplane and their kinks cancel there"))
    return out


def format_report(report: SymmetryReport) -> list[str]:
    lines = []
    fd = report.functional_dimension
    def known(value) -> str:
        return "unknown" if value is None else str(value)

    lines.append(f"functional dimension {known(fd.value)} of bound {fd.upper_bound}; local fiber dimension"
                 f" {known(report.fiber_dimension)} (scaling orbit {fd.hidden_neurons})")
    for m in report.mechanisms:
        lines.append(f"  {m.kind}: {m.explanation}")
    if not report.mechanisms:
        lines.append("  no mechanism found")
    hs = {True: "yes", False: "no", None: "unknown"}[report.hidden_symmetry]
    lines.append(f"hidden symmetry: {hs} ({report.hidden_symmetry_reason})")
    return lines


__all__ = ["Mechanism", "SymmetryReport", "directional_pattern", "format_report", "generic_layerwise",
           "pattern_map", "symmetries"]
