"""Exact piecewise-linear paths inside the functional-equivalence class of a tanh parameter
(Farrugia-Roberts 2023, path connectivity; docs/tanh.md § Paths inside a class).

A path is a list of :class:`Segment` ``w(t) = (1 − t)·u + t·v``, ``t ∈ [0, 1]``, with exact
endpoints; the output bias of an endpoint is a vector of
:class:`~exactnet.numbers.tanh_scalar.TanhScalar` (an ``S-const`` segment moves ``a·tanh(c)`` of a
constant unit into ``d``, so interior waypoints can have a transcendental bias).

**When is a segment function-preserving?** (:func:`segment_kinds`; decided exactly, and
independently re-implemented by the certificate checker.) Each coordinate of ``w(t)`` is a
polynomial of degree ≤ 1 in ``t``. Group the units by their key ``(b_i(t), c_i(t))`` *as a
polynomial*, up to sign (normalised by the first nonzero coefficient of ``(b(0), c(0), b(1),
c(1))``); in a group, ``a_i(t)·tanh(±P(t)·(x, 1)) = ±a_i(t)·tanh(P(t)·(x, 1))`` for *every* t, so
``f_{w(t)}(x) = d(t) + Σ_G A_G(t)·tanh(P_G(t)·(x, 1))`` with ``A_G = Σ_{i∈G} s_i a_i``. Then
``f_{w(t)}`` is the same function for all ``t ∈ [0, 1]`` **iff**

1. every *moving* group (``P_G`` not constant) has ``A_G ≡ 0`` (``A_G(0) = A_G(1) = 0``);
2. every fixed-key group with ``b ≠ 0`` has ``A_G`` constant (``A_G(0) = A_G(1)``);
3. the constant part ``d(t) + Σ_{fixed b = 0} a_i(t)·tanh(c_i)`` is constant, compared
   coefficientwise (rational part and each ``tanh(q)``), which is exact by the
   linear-independence lemma of :mod:`exactnet.numbers.tanh_scalar`.

*Sufficiency* is immediate from the displayed form (it holds for every real t, so isolated
values of t where a moving key meets another key, or where ``b_i(t)`` vanishes, change nothing:
the identity is between polynomials, not values). *Necessity*: ``F(t, x) = f_{w(t)}(x)`` is
real-analytic, so constancy on ``[0, 1]`` extends to all ``t ∈ R``; for all but finitely many t
the keys ``P_G(t)`` are pairwise distinct up to sign and have ``b ≠ 0`` unless ``b_G ≡ 0``, so
the compressed form of ``f_{w(t)}`` is ``{(A_G(t), P_G(t)) : b_G ≢ 0, A_G(t) ≠ 0}`` plus the
constant. Compressed forms are unique (Sussmann 1992), so: a moving group with ``b_G ≢ 0`` and
``A_G ≢ 0`` would put infinitely many keys ``P_G(t)`` into one finite set — impossible, hence
(1); fixed groups keep one weight at infinitely many t, hence (2); for moving groups with
``b_G ≡ 0`` (only ``c`` moves) the constant ``Σ_G A_G(t)·tanh(c_G(t)) + (affine in t)`` must be
constant on ``R``; continued to complex ``t``, the group with the largest ``|c'_G|`` among those
sharing the real part ``−c_G(0)/c'_G`` of their poles owns the pole nearest to the real axis,
so its residue ``A_G(t*)/c'_G`` vanishes at a non-real ``t*``, and a real polynomial of degree
≤ 1 vanishing there is 0; by induction all such ``A_G ≡ 0``, hence (1) and then (3).

**Kinds** of a segment (docs/tanh.md § Paths inside a class): ``dead`` (some unit's ``(b, c)`` moves; its group
carries zero net weight), ``transfer`` (outgoing weights move within fixed keys with ``b ≠ 0``),
``const`` (a constant unit's ``a`` or the output bias moves). A segment may combine kinds on
disjoint units ("parallel").

**Construction** (:func:`path`; docs/tanh.md § Paths inside a class). With ``r = rank``, canonical keys ``κ_j``:

1. *reduce* ``w``: choose a representative unit ``ρ(j)`` (sign ``s_j``) of each canonical group,
   move all signed weight of the group onto it, drive cancelling groups and constant units to
   ``a = 0`` (their ``a·tanh(c)`` goes into ``d``, which becomes ``δ``). One segment
   (transfer + const). The same for ``w'`` gives ``w'_1`` (representatives ``ρ'(j)``, ``s'_j``).
2. *rounds* of moves from ``w_1`` to ``w'_1``. Live units sit at ``ρ(j)``; unit ``j`` must reach
   slot ``ρ'(j)`` with sign ``s'_j``. In each round every unit whose target slot is empty
   moves there, and every other unit not yet home (and not already parked) is parked in an
   empty slot that is nobody's target, as long as such slots remain. A round is two
   segments: S-dead (set the destination slots' ``(b, c)`` to the signed key; dead slots that
   will not be used again are set to their ``w'_1`` values in the same segment) and S-transfer
   (move the weights). A final S-dead segment sets every remaining dead slot to its ``w'_1``
   value.
3. *un-reduce*: the reverse of ``w'``'s reduction.

Consecutive segments are then merged whenever the straight segment across them is itself
function-preserving (this only shortens the path).

**Bounds.** If ``2r ≤ h``, the first round moves every unit home or parks it (the empty slots
that are nobody's target number ``h − 2r + |R ∩ R'| ≥`` the number of blocked units), and the
second round brings the parked units home: at most ``1 + 2·2 + 1 + 1 = 7`` segments — the
paper's theorem (the author's talk: rank ≤ h/2 ⇒ paths of length ≤ 7). If ``h/2 < r < h``
there is at least one empty slot; every round moves some unit home or parks one that was never
parked, and each unit moves at most twice, so there are at most ``2r`` rounds and at most
``4r + 3 ≤ 4h`` segments (:attr:`TanhPath.bound`; in practice far fewer).

**No path.** If ``w`` is irreducible (``r = h ≥ 1``) the class is the ``2^h·h!`` points of its
orbit under unit permutations and negations (docs/tanh.md § Irreducible parameters), a finite set: a continuous path
from ``w`` is constant, so ``w ≠ w'`` are never connected (``w = w'``: the empty path). Inputs that
are not functionally equivalent have no path either; the equivalence witness is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flint import fmpq

from ..errors import FieldMismatchError, InputError
from ..network import Network
from ..numbers.tanh_scalar import TanhScalar
from .compression import Compression, compress, unit_sign
from .parameter import TanhParameter

_ZERO = fmpq(0)
SEGMENT_KINDS = ("dead", "transfer", "const")

#: Path length guaranteed when ``2·rank ≤ width`` (the 7-segment theorem).
SEVEN = 7


# ---------------------------------------------------------------------------------------------
# segments
# ---------------------------------------------------------------------------------------------


def _same_shape(u: TanhParameter, v: TanhParameter) -> None:
    if (u.width, u.input_dim, u.output_dim) != (v.width, v.input_dim, v.output_dim):
        raise InputError("a segment joins two parameters of the same width and dimensions")


def interpolate(u: TanhParameter, v: TanhParameter, t) -> TanhParameter:
    """``(1 − t)·u + t·v`` exactly (``t`` an exact number; the bias stays symbolic)."""
    _same_shape(u, v)
    s = 1 - t

    def mix(x, y):
        return x if x == y else s * x + t * y

    return TanhParameter(
        a=tuple(tuple(mix(x, y) for x, y in zip(p, q)) for p, q in zip(u.a, v.a)),
        b=tuple(tuple(mix(x, y) for x, y in zip(p, q)) for p, q in zip(u.b, v.b)),
        c=tuple(mix(x, y) for x, y in zip(u.c, v.c)),
        d=tuple(x if x == y else x.scale(s) + y.scale(t) for x, y in zip(u.d, v.d)),
        input_dim=u.input_dim, output_dim=u.output_dim,
    )


def _first_sign(values) -> int:
    for x in values:
        if x != 0:
            return 1 if x > 0 else -1
    return 0


def _add(acc: list | None, s: int, vec) -> list:
    if acc is None:
        return [x if s > 0 else -x for x in vec]
    if s > 0:
        return [x + y for x, y in zip(acc, vec)]
    return [x - y for x, y in zip(acc, vec)]


def _hash_key(values: tuple) -> tuple:
    """An exact, fast-hashing key: reduced ``(p, q)`` pairs when every entry is rational (an
    algebraic irrational never equals a rational, and rational values are always ``fmpq``, so
    keys of the two forms never need to match each other)."""
    if all(type(x) is fmpq for x in values):
        return tuple(y for x in values for y in (x.p, x.q))
    return values


def segment_kinds(u: TanhParameter, v: TanhParameter) -> tuple | None:
    """The kinds of the segment ``u → v`` (a sub-tuple of :data:`SEGMENT_KINDS`) if
    ``f_{(1−t)u + tv}`` is the same function for all ``t ∈ [0, 1]``, else ``None``.

    Exact and complete (module docstring: conditions 1–3 are necessary and sufficient).
    """
    _same_shape(u, v)
    m = u.output_dim
    kinds = set()
    fixed: dict = {}
    moving: dict = {}
    pairs_u = [[] for _ in range(m)]
    pairs_v = [[] for _ in range(m)]
    try:
        for au, bu, cu, av, bv, cv in zip(u.a, u.b, u.c, v.a, v.b, v.c):
            if bu == bv and cu == cv:
                s = unit_sign(bu)
                if s == 0:  # constant unit with a fixed c: contributes a(t)·tanh(c) to the constant
                    if au != av:
                        kinds.add("const")
                    if cu != 0:
                        for k in range(m):
                            pairs_u[k].append((cu, au[k]))
                            pairs_v[k].append((cu, av[k]))
                    continue
                if au != av:
                    kinds.add("transfer")
                key = _hash_key(tuple(bu) + (cu,) if s > 0 else tuple(-x for x in bu) + (-cu,))
                acc = fixed.get(key)
                fixed[key] = (_add(acc and acc[0], s, au), _add(acc and acc[1], s, av))
            else:
                kinds.add("dead")
                if all(x == 0 for x in au) and all(x == 0 for x in av):
                    continue  # contributes 0 to whatever group it is in
                poly = tuple(bu) + (cu,) + tuple(bv) + (cv,)
                s = _first_sign(poly)
                key = _hash_key(poly if s > 0 else tuple(-x for x in poly))
                acc = moving.get(key)
                moving[key] = (_add(acc and acc[0], s, au), _add(acc and acc[1], s, av))
        for a0, a1 in fixed.values():
            if a0 != a1:
                return None
        for a0, a1 in moving.values():
            if any(x != 0 for x in a0) or any(x != 0 for x in a1):
                return None
        for k in range(m):
            left = u.d[k] + TanhScalar.build(_ZERO, pairs_u[k])
            right = v.d[k] + TanhScalar.build(_ZERO, pairs_v[k])
            if left != right:
                return None
    except FieldMismatchError:
        raise InputError("the two parameters' algebraic numbers lie in different number fields") from None
    if u.d != v.d:
        kinds.add("const")
    return tuple(k for k in SEGMENT_KINDS if k in kinds)


@dataclass(frozen=True)
class Segment:
    """``w(t) = (1 − t)·start + t·end``; ``kinds`` as :func:`segment_kinds` computes them."""

    start: TanhParameter
    end: TanhParameter
    kinds: tuple

    def point(self, t) -> TanhParameter:
        return interpolate(self.start, self.end, t)

    def changed_units(self) -> tuple:
        """Units whose ``(a, b, c)`` differ between the endpoints."""
        u, v = self.start, self.end
        return tuple(i for i in range(u.width) if u.a[i] != v.a[i] or u.b[i] != v.b[i] or u.c[i] != v.c[i])


@dataclass(frozen=True)
class TanhPath:
    """The answer of :func:`path`.

    * ``exists``: a path was found (``segments``, possibly empty when start = end);
    * ``equivalent``: whether the endpoints are functionally equivalent;
    * ``reason``: one line explaining the outcome;
    * ``bound``: the a-priori segment bound of the construction (7 when ``2·rank ≤ width``,
      ``4·rank + 3`` otherwise), ``None`` when no path exists;
    * ``rounds``: transfer rounds used between the reduced endpoints;
    * ``equivalence``: the :class:`~exactnet.tanh.equivalence.EquivalenceResult` (with witness)
      when the endpoints are not equivalent;
    * ``networks``: the inputs as networks in one number field (``None`` if given as
      parameters).
    """

    exists: bool
    equivalent: bool
    reason: str
    start: TanhParameter
    end: TanhParameter
    segments: tuple = ()
    rank: int = 0
    width: int = 0
    bound: int | None = None
    rounds: int = 0
    equivalence: object = field(default=None, compare=False)
    networks: tuple | None = field(default=None, compare=False)

    @property
    def finite_class(self) -> bool:
        """The endpoints are equivalent and irreducible: the class has ``2^h·h!`` points."""
        return self.equivalent and self.rank == self.width and self.width > 0

    def waypoints(self) -> list:
        if not self.segments:
            return [self.start]
        return [self.segments[0].start] + [s.end for s in self.segments]

    def point(self, s) -> TanhParameter:
        """The point at path position ``s ∈ [0, K]`` (segment ``k`` covers ``[k, k+1]``)."""
        s = fmpq(s)
        if not self.segments:
            return self.start
        k = min(max(int(s.floor()), 0), len(self.segments) - 1)
        return self.segments[k].point(s - k)


# ---------------------------------------------------------------------------------------------
# construction
# ---------------------------------------------------------------------------------------------


def _representatives(ca: Compression, cb: Compression) -> tuple:
    """``(ρ, s, ρ', s')``: one unit per canonical group in each parameter, preferring a common
    unit with a common sign (then unit j needs no move), else a ``ρ'(j)`` outside ``R``."""
    r = ca.rank
    rho, sig, rho2, sig2 = [None] * r, [0] * r, [None] * r, [0] * r
    ma = [dict(zip(g.members, g.signs)) for g in ca.kept]
    mb = [dict(zip(g.members, g.signs)) for g in cb.kept]
    for j in range(r):
        for i in ca.kept[j].members:
            if mb[j].get(i) == ma[j][i]:
                rho[j], rho2[j] = i, i
                break
    for j in range(r):
        if rho[j] is None:
            rho[j] = ca.kept[j].members[0]
    taken = set(rho)
    for j in range(r):
        if rho2[j] is None:
            free = [i for i in cb.kept[j].members if i not in taken]
            rho2[j] = free[0] if free else cb.kept[j].members[0]
        sig[j], sig2[j] = ma[j][rho[j]], mb[j][rho2[j]]
    return rho, sig, rho2, sig2


def _reduced(p: TanhParameter, comp: Compression, rho, sig) -> TanhParameter:
    """``p`` with every signed weight on the representatives and ``d = δ`` (segment 1's end)."""
    zero = tuple(_ZERO for _ in range(p.output_dim))
    a = [zero] * p.width
    for j, g in enumerate(comp.kept):
        a[rho[j]] = g.alpha if sig[j] > 0 else tuple(-x for x in g.alpha)
    return TanhParameter(a=tuple(a), b=p.b, c=p.c, d=comp.bias, input_dim=p.input_dim, output_dim=p.output_dim)


def _schedule(h: int, rho, sig, rho2, sig2) -> list:
    """The rounds of moves ``(j, source, destination, sign)`` (module docstring, step 2)."""
    r = len(rho)
    pos, sgn = list(rho), list(sig)
    occ = {rho[j]: j for j in range(r)}
    parked: set = set()
    rounds = []
    while True:
        not_home = [j for j in range(r) if pos[j] != rho2[j] or sgn[j] != sig2[j]]
        if not not_home:
            return rounds
        moves, dests = [], set()
        for j in not_home:
            if rho2[j] not in occ:
                moves.append((j, pos[j], rho2[j], sig2[j]))
                dests.add(rho2[j])
        blocked = [j for j in not_home if rho2[j] in occ and j not in parked]
        if blocked:
            targets = {rho2[j] for j in not_home}
            free = (s for s in range(h) if s not in occ and s not in targets and s not in dests)
            for j in blocked:
                slot = next(free, None)
                if slot is None:
                    break
                moves.append((j, pos[j], slot, sig2[j]))
                parked.add(j)
        if not moves:  # pragma: no cover - excluded by the progress argument (module docstring)
            raise RuntimeError("internal: the path schedule made no progress")
        for _j, src, _dst, _s in moves:
            del occ[src]
        for j, _src, dst, s in moves:
            occ[dst] = j
            pos[j], sgn[j] = dst, s
            if dst == rho2[j]:
                parked.discard(j)
        rounds.append(moves)


def _middle(w1: TanhParameter, w1p: TanhParameter, comp: Compression, rho, rounds, rho2) -> list:
    """The waypoints after ``w1`` up to ``w1p`` (two per round, then the final S-dead)."""
    h, n, m = w1.width, w1.input_dim, w1.output_dim
    zero = tuple(_ZERO for _ in range(m))
    a, b, c = list(w1.a), list(w1.b), list(w1.c)
    last_use: dict = {}
    for k, moves in enumerate(rounds, 1):
        for _j, src, dst, _s in moves:
            last_use[src] = k
            last_use[dst] = k
    final_live = set(rho2)
    live = set(rho)
    settled: set = set()
    states = []

    def snapshot():
        states.append(TanhParameter(a=tuple(a), b=tuple(b), c=tuple(c), d=w1.d, input_dim=n, output_dim=m))

    for k, moves in enumerate(rounds, 1):
        for j, _src, dst, s in moves:  # S-dead: destinations take the signed key
            g = comp.kept[j]
            b[dst] = g.beta if s > 0 else tuple(-x for x in g.beta)
            c[dst] = g.gamma if s > 0 else -g.gamma
        for slot in range(h):  # ... and finished dead slots their final (b, c)
            if slot not in live and slot not in final_live and slot not in settled and last_use.get(slot, 0) < k:
                b[slot], c[slot] = w1p.b[slot], w1p.c[slot]
                settled.add(slot)
        snapshot()
        for _j, src, _dst, _s in moves:  # S-transfer
            a[src] = zero
            live.discard(src)
        for j, _src, dst, s in moves:
            alpha = comp.kept[j].alpha
            a[dst] = alpha if s > 0 else tuple(-x for x in alpha)
            live.add(dst)
        snapshot()
    for slot in range(h):
        if slot not in final_live:
            b[slot], c[slot] = w1p.b[slot], w1p.c[slot]
    snapshot()
    if states[-1] != w1p:  # pragma: no cover - by construction
        raise RuntimeError("internal: the path schedule does not end at the reduced target")
    return states


def _dedupe(states: list) -> list:
    out = [states[0]]
    for s in states[1:]:
        if s != out[-1]:
            out.append(s)
    return out


def _merge(states: list) -> list:
    """Segments ``[(start, end, kinds), …]`` through ``states``, each extended over the next one
    while the straight segment across both stays in the class (this only shortens the path)."""
    out: list = []
    for s in states[1:]:
        if out:
            kinds = segment_kinds(out[-1][0], s)
            if kinds is not None:
                out[-1] = (out[-1][0], s, kinds)
                continue
        start = out[-1][1] if out else states[0]
        kinds = segment_kinds(start, s)
        if kinds is None:  # pragma: no cover - by construction
            raise RuntimeError("internal: a constructed segment leaves the functional-equivalence class")
        out.append((start, s, kinds))
    return out


def _as_parameters(a, b) -> tuple:
    """Validate, move networks into one field, and return ``(networks | None, pa, pb)``."""
    if isinstance(a, Network) and isinstance(b, Network):
        from .equivalence import prepare

        nets, (pa, pb) = prepare(a, b, "path")
        return nets, pa, pb
    if isinstance(a, TanhParameter) and isinstance(b, TanhParameter):
        if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
            raise InputError(
                f"dimension mismatch: the first parameter maps R^{a.input_dim} → R^{a.output_dim},"
                f" the second R^{b.input_dim} → R^{b.output_dim}"
            )
        return None, a, b
    raise InputError("path needs two tanh networks or two TanhParameters")


def _witness_networks(nets, pa: TanhParameter, pb: TanhParameter) -> tuple:
    if nets is not None:
        return nets
    return pa.realised().to_network(), pb.realised().to_network()


def path(a, b) -> TanhPath:
    """A piecewise-linear path from ``a`` to ``b`` inside ``FE[a]`` (module docstring).

    ``a``, ``b``: one-hidden-layer tanh networks, or :class:`TanhParameter` (possibly with a
    symbolic output bias), of the same width and dimensions.
    """
    nets, pa, pb = _as_parameters(a, b)
    if pa.width != pb.width:
        raise InputError(
            f"a path joins two parameters of the same width (FE[w] lies in W_h); the widths are {pa.width} and"
            f" {pb.width} (pad the narrower network with blank units (0, 0, 0) to compare them)"
        )
    h = pa.width
    try:
        ca, cb = compress(pa), compress(pb)
        equivalent = ca.compressed() == cb.compressed()
    except FieldMismatchError:
        raise InputError("the two parameters' algebraic numbers lie in different number fields; pass networks") from None
    base = dict(start=pa, end=pb, rank=ca.rank, width=h, networks=nets)
    if not equivalent:
        from .equivalence import equivalent as tanh_equivalent

        result = tanh_equivalent(*_witness_networks(nets, pa, pb))
        return TanhPath(exists=False, equivalent=False, reason=f"not functionally equivalent: {result.reason}",
                        equivalence=result, **base)
    r = ca.rank
    if pa == pb:
        return TanhPath(exists=True, equivalent=True, reason="the two parameters are equal: the empty path",
                        bound=SEVEN if 2 * r <= h else 4 * r + 3, **base)
    if r == h:
        return TanhPath(
            exists=False, equivalent=True,
            reason=(f"the parameters are equivalent but irreducible (rank {r} = width {h}): their class is the finite"
                    f" set of 2^{h}·{h}! points of one orbit of unit permutations and negations, so no path joins two"
                    " distinct points of it"),
            **base,
        )
    rho, sig, rho2, sig2 = _representatives(ca, cb)
    w1 = _reduced(pa, ca, rho, sig)
    w1p = _reduced(pb, cb, rho2, sig2)
    rounds = _schedule(h, rho, sig, rho2, sig2)
    merged = _merge(_dedupe([pa, w1] + _middle(w1, w1p, ca, rho, rounds, rho2) + [pb]))
    segments = [Segment(u, v, kinds) for u, v, kinds in merged]
    bound = SEVEN if 2 * r <= h else 4 * r + 3
    if len(segments) > bound:  # pragma: no cover - by the bound argument
        raise RuntimeError(f"internal: {len(segments)} segments exceed the bound {bound}")
    how = ("rank ≤ width/2: at most 7 segments" if 2 * r <= h
           else f"rank > width/2: at most 4·rank + 3 = {bound} segments")
    reason = f"a path of {len(segments)} linear segment(s) inside the class (rank {r}, width {h}; {how})"
    return TanhPath(exists=True, equivalent=True, reason=reason, segments=tuple(segments), bound=bound,
                    rounds=len(rounds), **base)


find_path = path

__all__ = ["SEGMENT_KINDS", "Segment", "TanhPath", "find_path", "interpolate", "path", "segment_kinds"]
