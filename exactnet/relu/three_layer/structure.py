"""Exact structure of a two-hidden-layer ReLU parameter (docs/relu-three-layer.md §2).

* :func:`bottleneck` — ``rank W1 = n1 ≤ n0`` (exact rank, FLINT ``fmpq_mat``). Then
  ``x ↦ W1 x + b1`` is onto ``R^{n1}`` and the image of the first layer is the whole orthant
  ``O = R^{n1}_{≥0}``; every question "is this second-layer neuron ever active?" becomes an exact
  sign test.
* :func:`second_layer_kinds` — each second-layer neuron is ``dead`` (``r ≤ 0, β ≤ 0``: zero on
  ``O``), ``active`` (``r ≥ 0, β ≥ 0``: the identity on ``O``) or ``mixed`` (its hyperplane meets
  the interior of ``O``). A neuron with zero outgoing column is reported ``silent`` as well.
* :func:`orthant_form` — the exact canonical form of ``G(h) = W3σ(W2h + b2) + b3`` on ``O``:
  ``Σ_κ α_κ σ(u_κ·h + β_κ) + C h + c0`` over distinct mixed keys with ``α_κ ≠ 0``; two second
  layers agree on ``O`` iff their forms are equal (the shallow canonical-form theorem on a
  full-dimensional convex domain).
* :func:`first_layer_kinds` — each first-layer neuron is ``visible`` (with an exact face point
  where ``f`` kinks along its hyperplane), ``hidden`` (the M3 sign condition on the orthant form),
  ``unused`` (``G`` does not depend on ``h_i``) or ``unclassified`` (a genericity condition fails).
* the genericity conditions G1–G4 and the classification condition G5 the procedure relies on, each
  a :class:`Check` with its reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from flint import fmpq

from ...deadline import NO_DEADLINE, Deadline, TimeLimitReached
from .params import ZERO, ThreeLayer, as_params, qkey

#: What a cooperative time-limit checkpoint of the three-layer procedures names.
WHAT = "the structural tier (s)"


def renamed(exc: TimeLimitReached, what: str) -> TimeLimitReached:
    """``exc`` naming the procedure ``what`` that was running, with the inner step in brackets when
    the deadline passed in a procedure it called ("time limit reached during the fiber description
    (two hidden layers) (in the structural tier (s))")."""
    text, prefix = str(exc), "time limit reached during "
    if what in text:
        return exc
    inner = text[len(prefix):] if text.startswith(prefix) else text
    return TimeLimitReached(f"{prefix}{what} (in {inner})")


@dataclass(frozen=True)
class Check:
    """The outcome of one exact test: ``holds`` and a one-line ``reason``."""

    name: str
    holds: bool
    reason: str
    detail: dict = field(default_factory=dict, compare=False)


def two_hidden_layers(net) -> Check:
    from ...network import Network

    if isinstance(net, ThreeLayer):
        return Check("two_hidden_layers", True, "three affine layers")
    if not isinstance(net, Network):
        return Check("two_hidden_layers", False, "not a network")
    if net.activation != "relu":
        return Check("two_hidden_layers", False, f"the network is {net.activation}, not ReLU")
    if net.depth != 2:
        return Check("two_hidden_layers", False, f"the network has {net.depth} hidden layer(s), not 2")
    if not net.is_rational:
        return Check("two_hidden_layers", False, "the three-layer procedures need rational weights")
    return Check("two_hidden_layers", True, "ReLU, two hidden layers, rational weights")


def bottleneck(net) -> Check:
    """(G1) ``rank W1 = n1 ≤ n0``: the first layer maps onto the orthant (exact rank)."""
    p = as_params(net)
    if p.n1 > p.n0:
        return Check("bottleneck", False, f"n1 = {p.n1} > n0 = {p.n0}: the first layer is wider than the input")
    rank = full_row_rank(p) if p.n1 else 0
    if rank < p.n1:
        return Check("bottleneck", False, f"rank W1 = {rank} < n1 = {p.n1}: the image of the first layer is"
                                          " lower-dimensional than the orthant", {"rank": rank})
    return Check("bottleneck", True, f"rank W1 = n1 = {p.n1} <= n0 = {p.n0}: the first layer maps onto the orthant",
                 {"rank": rank})


def full_row_rank(p: ThreeLayer) -> int:
    """``rank W1`` exactly: the rank of the integer matrix ``d1·W1`` (:attr:`ThreeLayer.integer_layer1`)
    by :func:`exactnet.linalg.integer_rank` (a modular rank confirmed, or FLINT's exact integer rank)."""
    from ...linalg import integer_rank

    return integer_rank([r[:-1] for r in p.integer_layer1[0]], p.n0) if p.n1 else 0


def nonzero_entries(net) -> Check:
    """(G2) every entry of ``W2``, ``b2`` and ``W3`` is non-zero (reported; the procedure does not need it)."""
    p = as_params(net)
    zeros = [f"W2[{j},{i}]" for j, r in enumerate(p.W2) for i, v in enumerate(r) if v == 0]
    zeros += [f"b2[{j}]" for j, v in enumerate(p.b2) if v == 0]
    zeros += [f"W3[{s},{j}]" for s, r in enumerate(p.W3) for j, v in enumerate(r) if v == 0]
    if zeros:
        return Check("nonzero_entries", False, "zero entries: " + ", ".join(zeros[:6]) + (" ..." if len(zeros) > 6 else ""))
    return Check("nonzero_entries", True, "every entry of W2, b2, W3 is non-zero")


def no_face_hyperplane(net) -> Check:
    """(G4) no second-layer hyperplane contains a face of the orthant of positive dimension or its
    vertex: for the orthant both say ``b2[j] ≠ 0`` (reported; the procedure does not need it)."""
    p = as_params(net)
    bad = [j for j, v in enumerate(p.b2) if v == 0]
    if bad:
        return Check("no_face_hyperplane", False, f"b2[{bad[0]}] = 0: the hyperplane of second-layer neuron {bad[0]}"
                                                  " passes through the vertex of the orthant")
    return Check("no_face_hyperplane", True, "no second-layer hyperplane passes through the vertex of the orthant")


# ---------------------------------------------------------------------------------------------
# second layer on the orthant
# ---------------------------------------------------------------------------------------------


def neuron_kind(r, beta) -> str:
    """``dead`` / ``active`` / ``mixed`` of ``σ(r·h + β)`` on the orthant (exact sign tests)."""
    try:  # signs of fmpq entries by their numerators (ordering fmpq itself is slower)
        b = beta.p
        if b <= 0 and all(v.p <= 0 for v in r):
            return "dead"
        if b >= 0 and all(v.p >= 0 for v in r):
            return "active"
    except AttributeError:  # not fmpq entries
        if beta <= 0 and all(v <= 0 for v in r):
            return "dead"
        if beta >= 0 and all(v >= 0 for v in r):
            return "active"
    return "mixed"


@dataclass(frozen=True)
class NeuronKinds:
    """Per second-layer neuron: ``dead``/``active``/``mixed`` on the orthant and whether it is silent."""

    kinds: tuple[str, ...]
    silent: tuple[bool, ...]
    exact_on_image: bool  # True when the orthant is the image of the first layer (bottleneck)


def second_layer_kinds(net, exact_on_image: bool | None = None) -> NeuronKinds:
    """The kinds; ``exact_on_image`` is the bottleneck test's outcome when the caller already has it
    (one exact rank per parameter)."""
    p = as_params(net)
    kinds = tuple(neuron_kind(r, b) for r, b in zip(p.W2, p.b2))
    silent = tuple(all(v == 0 for v in p.out2(j)) for j in range(p.n2))
    return NeuronKinds(kinds, silent, bottleneck(p).holds if exact_on_image is None else exact_on_image)


@dataclass(frozen=True)
class OrthantForm:
    """``G(h) = Σ_κ α_κ σ(u_κ·h + β_κ) + C h + c0`` on ``O``; keys ``(u, β, α)`` sorted, distinct,
    ``α ≠ 0``, ``u`` scaled so its first non-zero entry is ``±1``; orientation ``u[p] = +1`` at the
    first non-zero ``p``, or ``u[hidden] > 0`` when a hidden coordinate is given."""

    keys: tuple
    C: tuple  # n3 rows of n1
    c0: tuple
    hidden: int | None = None

    @property
    def n1(self) -> int:
        return len(self.C[0]) if self.C else 0


def _orient(u, hidden):
    if hidden is not None and u[hidden] != 0:
        return 1 if u[hidden] > 0 else -1
    return 1 if next(v for v in u if v != 0) > 0 else -1


def orthant_form(net, hidden: int | None = None, deadline: Deadline = NO_DEADLINE) -> OrthantForm:
    """The canonical form of the second layer on the orthant (see the module docstring)."""
    p = as_params(net)
    n1, n3 = p.n1, p.n3
    C = [[ZERO] * n1 for _ in range(n3)]
    c0 = list(p.b3)
    alpha: dict = {}
    for j in range(p.n2):
        deadline.check(WHAT)
        a = p.out2(j)
        if not any(a):
            continue
        r, beta = p.W2[j], p.b2[j]
        kind = neuron_kind(r, beta)
        if kind == "dead":
            continue
        if kind == "active":
            for s in range(n3):
                if a[s]:
                    for k in range(n1):
                        if r[k]:
                            C[s][k] += a[s] * r[k]
                    c0[s] += a[s] * beta
            continue
        lam = abs(next(v for v in r if v != 0))
        s_ = _orient(r, hidden)
        f = fmpq(s_) / lam
        u = tuple(v * f for v in r)
        b = beta * f
        mu = tuple(lam * v for v in a)
        key = qkey(u + (b,))
        prev = alpha.get(key)
        alpha[key] = (u, b, mu) if prev is None else (u, b, tuple(x + y for x, y in zip(prev[2], mu)))
        if s_ < 0:  # a σ(−λℓ) = μ σ(ℓ) − μ ℓ
            for s in range(n3):
                if mu[s]:
                    for k in range(n1):
                        if u[k]:
                            C[s][k] -= mu[s] * u[k]
                    c0[s] -= mu[s] * b
    keys = tuple(sorted(((u, b, al) for u, b, al in alpha.values() if any(v != 0 for v in al)),
                        key=lambda t: (t[0], t[1])))
    return OrthantForm(keys, tuple(tuple(r) for r in C), tuple(c0), hidden)


# ---------------------------------------------------------------------------------------------
# first layer: visible / hidden / unused
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstLayerKind:
    """``kind`` of first-layer neuron ``unit``: ``visible`` (``face_point``: a point ``p`` of the
    orthant with ``p[unit] = 0``, every other ``p[k] > 0`` and off every key hyperplane, where the
    one-sided derivative ``∂G/∂h_unit`` is ``derivative ≠ 0``: ``f`` kinks along the neuron's
    hyperplane), ``hidden`` (not visible, and the M3 sign condition holds on the orthant form
    oriented by ``unit``), ``unused`` (no key and no column of ``C`` involves ``h_unit``) or
    ``unclassified`` (not visible, neither hidden nor unused: a cancellation). ``transferable``: the
    M3 sign condition holds (a visible neuron can satisfy it too; then its transfer range starts at 0).
    """

    unit: int
    kind: str
    reason: str
    face_point: tuple | None = None
    derivative: tuple | None = None
    transferable: bool = False


def _dyadic(rnd: random.Random, scale: int) -> fmpq:
    return fmpq(rnd.randint(1, 64) * scale, 64)


def _base_points(n1: int, rnd: random.Random):
    pts = [tuple(fmpq(1, 1 << 12) * fmpq(k + 2, k + 1) for k in range(n1))]
    for scale in (1, 16, 256):
        pts.append(tuple(_dyadic(rnd, scale) for _ in range(n1)))
    return pts


def _face_derivative(form: OrthantForm, z_face, i: int):
    n3 = len(form.c0)
    d = [form.C[s][i] for s in range(n3)]
    for (u, _b, al), z in zip(form.keys, z_face):
        if z > 0 and u[i] != 0:
            for s in range(n3):
                d[s] += al[s] * u[i]
    return tuple(d)


def _values(form: OrthantForm, p) -> list:
    return [sum((a * v for a, v in zip(u, p) if a != 0 and v != 0), b) for u, b, _al in form.keys]


def _values_many(form: OrthantForm, points) -> list[list]:
    """``u_κ·p + β_κ`` for every key and point (one exact matrix product)."""
    from flint import fmpq_mat

    K, n1 = len(form.keys), len(points[0]) if points else 0
    if K == 0 or not points:
        return [[] for _ in points]
    U = fmpq_mat(K, n1, [v for u, _b, _a in form.keys for v in u])
    P = fmpq_mat(n1, len(points), [pt[k] for k in range(n1) for pt in points])
    M = U * P
    return [[M[r, c] + form.keys[r][1] for r in range(K)] for c in range(len(points))]


def _restriction(u, b, i):
    """The key's restriction to the face ``h_i = 0``, scaled to first non-zero ``±1`` (or ``None`` if constant)."""
    lead = next((v for k, v in enumerate(u) if k != i and v != 0), None)
    if lead is None:
        return None
    c = 1 / abs(lead)
    return tuple(ZERO if k == i else v * c for k, v in enumerate(u)), b * c


def _on_face_hyperplane(v, beta, i: int, rnd: random.Random, scale: fmpq):
    """A point ``p`` with ``p_i = 0``, ``p_k > 0`` otherwise, ``v·p + β = 0`` (``v_i`` ignored), if the
    hyperplane meets the relative interior of the face; random in its other coordinates. With
    ``i = None``: a point of the hyperplane in the interior of the orthant."""
    n = len(v)
    pos = [k for k in range(n) if k != i and v[k] > 0]
    neg = [k for k in range(n) if k != i and v[k] < 0]
    if beta < 0 and pos:
        k, fixed = rnd.choice(pos), {}
    elif beta > 0 and neg:
        k, fixed = rnd.choice(neg), {}
    elif beta == 0 and pos and neg:
        k, fixed = rnd.choice(pos), {rnd.choice(neg): fmpq(1)}
    else:
        return None
    eps = scale
    for _ in range(64):
        p = [ZERO] * n
        for m in range(n):
            if m not in (i, k):
                p[m] = fixed.get(m, ZERO) + eps * fmpq(rnd.randint(1, 997), 997)
        rest = sum((v[m] * p[m] for m in range(n) if m not in (i, k)), beta)
        p[k] = -rest / v[k]
        if p[k] > 0:
            return tuple(p), k
        eps /= 4
    return None  # pragma: no cover - eps -> 0 always succeeds


def _visible_by_crossing(form: OrthantForm, i: int, rnd: random.Random, deadline: Deadline = NO_DEADLINE):
    """Decide visibility of neuron ``i`` exactly (docs/relu-three-layer.md §2.3): group the keys by their restriction to the
    face ``h_i = 0``; crossing a group's hyperplane inside the face changes ``∂G/∂h_i`` by the group's
    jump ``Σ α u_i``. A group with non-zero jump meeting the face gives a witness on one side; if every
    jump is zero the derivative is constant on the face and one generic point decides.
    Returns ``(face_point, derivative)`` or ``None`` (the derivative vanishes on the whole face)."""
    n3 = len(form.c0)
    groups: dict = {}
    for idx, (u, b, al) in enumerate(form.keys):
        if u[i] == 0:
            continue
        r = _restriction(u, b, i)
        if r is None:
            continue
        g = groups.setdefault(r, [[ZERO] * n3, []])
        for s in range(n3):
            g[0][s] += al[s] * u[i]
        g[1].append(idx)
    for (v, beta), (jump, _members) in groups.items():
        if all(x == 0 for x in jump):
            continue
        for attempt in range(8):
            deadline.check(WHAT)
            got = _on_face_hyperplane(v, beta, i, rnd, fmpq(1, 1 << attempt))
            if got is None:
                break
            q, k = got
            z = _values(form, q)
            zero = {idx for idx, zz in enumerate(z) if zz == 0}
            if any(_restriction(form.keys[idx][0], form.keys[idx][1], i) != (v, beta) for idx in zero):
                continue  # q lies on another hyperplane: retry elsewhere
            t = q[k] / 2
            for idx, zz in enumerate(z):
                uk = form.keys[idx][0][k]
                if zz != 0 and uk != 0:
                    t = min(t, abs(zz) / (2 * abs(uk)))
            for sgn in (1, -1):
                pt = tuple(x + sgn * t if m == k else x for m, x in enumerate(q))
                zf = [zz + sgn * t * form.keys[idx][0][k] for idx, zz in enumerate(z)]
                if any(x == 0 for x in zf):
                    continue
                d = _face_derivative(form, zf, i)
                if any(x != 0 for x in d):
                    return pt, d
    # every jump is zero: the derivative is constant on the relative interior of the face
    for attempt in range(16):
        pt = tuple(ZERO if m == i else fmpq(rnd.randint(1, 1 << 20), 1 << (attempt + 10)) for m in range(len(form.C[0])))
        zf = _values(form, pt)
        if all(x != 0 for x in zf):
            d = _face_derivative(form, zf, i)
            return (pt, d) if any(x != 0 for x in d) else None
    return None  # pragma: no cover - random points avoid finitely many hyperplanes


def hides(form: OrthantForm, i: int) -> bool:
    """M3 on the orthant form oriented by ``i``: every key has ``u_i > 0``, ``u_k ≤ 0`` (``k ≠ i``),
    ``β ≤ 0``, and ``C`` has no column but ``i``. Then every neuron of the canonical realization but
    ``σ(h_i)`` is inactive on the face ``h_i = 0``."""
    for u, b, _al in form.keys:
        if not u[i] > 0 or b > 0 or any(v > 0 for k, v in enumerate(u) if k != i):
            return False
    return all(v == 0 for row in form.C for k, v in enumerate(row) if k != i)


def _transfer_candidates(form: OrthantForm, n1: int) -> set:
    """Coordinates ``i`` for which every key, in one of its orientations, has ``u_i > 0 ≥ u_k``."""
    cand = set(range(n1))
    for u, _b, _al in form.keys:
        pos = [k for k, v in enumerate(u) if v > 0]
        neg = [k for k, v in enumerate(u) if v < 0]
        allowed = set(pos if len(pos) == 1 else ()) | set(neg if len(neg) == 1 else ())
        cand &= allowed
        if not cand:
            break
    return cand


def first_layer_kinds(net, form: OrthantForm | None = None, seed: int = 0,
                      deadline: Deadline = NO_DEADLINE) -> tuple[FirstLayerKind, ...]:
    """Classify every first-layer neuron exactly (see :class:`FirstLayerKind`); polynomial time.

    Visibility: a few random face points first (cheap, all neurons at once), then the exact
    crossing argument of :func:`_visible_by_crossing` for the neurons still open.
    """
    p = as_params(net)
    form = form or orthant_form(p, deadline=deadline)
    n1 = p.n1
    n3 = len(form.c0)
    out: dict[int, FirstLayerKind] = {}
    used = [any(form.C[s][i] != 0 for s in range(n3)) or any(u[i] != 0 for u, _b, _a in form.keys)
            for i in range(n1)]
    for i in range(n1):
        if not used[i]:
            out[i] = FirstLayerKind(i, "unused", "no key and no linear term of the second layer involves h_%d" % i)
    rnd = random.Random(seed)
    visible_reason = "f kinks along the hyperplane (non-zero one-sided derivative at a face point)"
    bases = _base_points(n1, rnd)
    Z = _values_many(form, bases)
    for bi, base in enumerate(bases):
        open_ = [i for i in range(n1) if i not in out]
        if not open_:
            break
        z = Z[bi]
        for i in open_:
            deadline.check(WHAT)
            zf = [zz - u[i] * base[i] for zz, (u, _b, _a) in zip(z, form.keys)]
            if any(v == 0 for v in zf):
                continue
            d = _face_derivative(form, zf, i)
            if any(v != 0 for v in d):
                fp = tuple(ZERO if k == i else v for k, v in enumerate(base))
                out[i] = FirstLayerKind(i, "visible", visible_reason, fp, d)
    for i in range(n1):
        if i not in out:
            got = _visible_by_crossing(form, i, rnd, deadline)
            if got is not None:
                out[i] = FirstLayerKind(i, "visible", visible_reason, got[0], got[1])
    for i in sorted(_transfer_candidates(form, n1)):
        if out.get(i) is not None and out[i].kind == "unused":
            continue
        if hides(orthant_form(p, hidden=i, deadline=deadline), i):
            if i in out:
                k = out[i]
                out[i] = FirstLayerKind(i, k.kind, k.reason + "; the M3 sign condition holds", k.face_point,
                                        k.derivative, True)
            else:
                out[i] = FirstLayerKind(i, "hidden", "the derivative across the hyperplane vanishes on the whole"
                                                     " face and every second-layer neuron is inactive on the face"
                                                     " h_%d = 0 (M3 sign condition)" % i, transferable=True)
    for i in range(n1):
        if i not in out:
            out[i] = FirstLayerKind(i, "unclassified", "the derivative across the hyperplane vanishes on the whole"
                                                       " face but the hide sign condition fails (cancellation:"
                                                       " genericity condition G3 fails)")
    return tuple(out[i] for i in range(n1))


def classified(net, kinds=None) -> Check:
    """(G5) every first-layer neuron is visible (with a witness), hidden or unused, and at most one is
    hidden: the hypothesis of the structural canonical form (implied by G1 + G3)."""
    kinds = kinds if kinds is not None else first_layer_kinds(net)
    bad = [k.unit for k in kinds if k.kind == "unclassified"]
    if bad:
        return Check("classified", False, f"first-layer neuron {bad[0]}: its kink is invisible but the hide sign"
                                          " condition fails (cancellation; genericity condition G3 fails)")
    hidden = [k.unit for k in kinds if k.transferable]
    if len(hidden) > 1:  # impossible by docs/relu-three-layer.md §2.4 unless f is constant (then all are unused)
        return Check("classified", False, f"first-layer neurons {hidden} all satisfy the hide sign condition")
    return Check("classified", True, "every first-layer neuron is visible, hidden or unused")


@dataclass(frozen=True)
class Structure:
    """Everything the structural procedure needs to know about one parameter."""

    checks: tuple[Check, ...]
    second: NeuronKinds | None
    first: tuple[FirstLayerKind, ...]
    form: OrthantForm | None

    @property
    def applicable(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def reason(self) -> str:
        bad = [c for c in self.checks if not c.holds]
        return bad[0].reason if bad else "generic bottleneck parameter"

    def to_obj(self) -> dict:
        from ...numbers import number_json

        def vec(v):
            return None if v is None else [number_json(x) for x in v]

        return {"applicable": self.applicable, "reason": self.reason,
                "checks": [{"name": c.name, "holds": c.holds, "reason": c.reason} for c in self.checks],
                "layer2": None if self.second is None else [
                    {"kind": k, "silent": s_} for k, s_ in zip(self.second.kinds, self.second.silent)],
                "layer1": [{"kind": k.kind, "transferable": k.transferable, "reason": k.reason,
                            "face_point": vec(k.face_point), "derivative": vec(k.derivative)} for k in self.first]}


def structure(net, deadline: Deadline = NO_DEADLINE) -> Structure:
    """Run the checks G0 (two hidden layers, ReLU, rational), G1 (bottleneck) and G5 (classified),
    and report G2, G4 (not needed by the procedure). ``deadline``: cooperative checkpoints in the
    loops (:class:`~exactnet.deadline.TimeLimitReached` naming :data:`WHAT`)."""
    c0 = two_hidden_layers(net)
    if not c0.holds:
        return Structure((c0,), None, (), None)
    p = as_params(net)
    c1 = bottleneck(p)
    if not c1.holds:
        return Structure((c0, c1), second_layer_kinds(p, False), (), None)
    deadline.check(WHAT)
    form = orthant_form(p, deadline=deadline)
    kinds = first_layer_kinds(p, form, deadline=deadline)
    return Structure((c0, c1, classified(p, kinds)), second_layer_kinds(p, True), kinds, form)


#: The genericity conditions of docs/relu-three-layer.md §2.6 by check name.
CONDITIONS = {"two_hidden_layers": "G0", "bottleneck": "G1", "nonzero_entries": "G2", "no_face_hyperplane": "G4",
              "classified": "G5"}


@dataclass(frozen=True)
class Summary:
    """The structure of a two-hidden-layer parameter as ``exactnet info`` shows it: the checks the
    structural procedure needs (G0, G1, G5), the genericity conditions it only reports (G2, G4), and
    the neuron classification (second layer: dead / active / mixed on the orthant, silent; first
    layer: visible / hidden / unused / unclassified, transferable)."""

    structure: Structure
    reported: tuple[Check, ...]

    @property
    def applicable(self) -> bool:
        return self.structure.applicable

    def to_obj(self) -> dict:
        st = self.structure
        second = st.second
        layer2 = None if second is None else [k + (" (silent)" if s_ else "") for k, s_ in zip(second.kinds, second.silent)]
        counts2 = None if second is None else {k: second.kinds.count(k) for k in ("dead", "active", "mixed")}
        if counts2 is not None:
            counts2["silent"] = sum(second.silent)
        layer1 = [k.kind + (" (transferable)" if k.transferable and k.kind != "hidden" else "") for k in st.first]
        bottleneck_check = next((c for c in st.checks if c.name == "bottleneck"), None)
        return {
            "bottleneck": None if bottleneck_check is None else bottleneck_check.holds,
            "applicable": st.applicable,
            "reason": st.reason,
            "checks": [{"name": c.name, "condition": CONDITIONS.get(c.name), "needed": c not in self.reported,
                        "holds": c.holds, "reason": c.reason} for c in st.checks + self.reported],
            "layer2": layer2,
            "layer2_counts": counts2,
            "layer2_exact": None if second is None else second.exact_on_image,
            "layer1": layer1 if st.first else None,
            "layer1_reason": None if st.first else (
                "not classified: visibility is decided on the image of the first layer, which is the orthant"
                " only under the bottleneck condition" if st.checks[0].holds else st.reason),
            "layer1_counts": {k: sum(1 for f in st.first if f.kind == k) for k in
                              ("visible", "hidden", "unused", "unclassified")} if st.first else None,
        }


def summary(net, deadline: Deadline = NO_DEADLINE) -> Summary:
    """:class:`Summary` of a network (any network: a failed G0 says why the rest is missing)."""
    st = structure(net, deadline)
    if not st.checks[0].holds:
        return Summary(st, ())
    p = as_params(net)
    return Summary(st, (nonzero_entries(p), no_face_hyperplane(p)))


__all__ = ["Check", "FirstLayerKind", "NeuronKinds", "OrthantForm", "Structure", "bottleneck", "classified",
           "first_layer_kinds", "hides", "neuron_kind", "no_face_hyperplane", "nonzero_entries", "orthant_form",
           "second_layer_kinds", "structure", "summary", "Summary", "two_hidden_layers"]
