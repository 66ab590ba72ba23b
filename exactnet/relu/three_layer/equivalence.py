"""Polynomial-time exact equivalence of generic bottleneck three-layer ReLU parameters
(docs/relu-three-layer.md §5).

``equivalent(a, b)`` returns a :class:`ThreeLayerEquivalence`:

* ``True`` — with ``verify=False`` possibly from equal integer orthant forms (:mod:`.integer_form`:
  the same expression of ``x``, ``proof="integer_forms"``, no chain); otherwise the canonical forms
  (:mod:`.canonical`) are equal: ``a`` and ``b`` each reach the same
  canonical parameter by a chain of mechanism moves applied with every fact checked, so the verdict
  rests on the moves' exact facts, not on any completeness claim; ``moves`` is the chain from ``a``
  to ``b`` (``a``'s chain, then ``b``'s inverted), re-applied from the canonical parameter with its
  facts checked and found to end exactly at ``b`` (``verify=True``, the default; the certificate);
* ``False`` — only with an exact ``witness`` input where the exact outputs differ (searched at
  polynomially many points: random points proposed by a floating-point evaluation of both
  networks and re-evaluated exactly, three-point stencils across a first-layer hyperplane
  that one network shows and the other may not, and points separating the two second layers on the
  orthant when the first layers agree);
* ``None`` — not applicable (a hypothesis fails; ``reason`` says which) or no witness found: the
  caller falls back to the complete procedure.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

from flint import fmpq, fmpq_mat

from ...deadline import NO_DEADLINE, Deadline
from ...errors import InputError
from ...network import Network
from .canonical import Canonicalization, canonicalize
from .integer_form import common_integer_form
from .moves import verify_chain
from .params import ZERO, ThreeLayer, as_params, qkey
from .structure import WHAT, first_layer_kinds, full_row_rank, orthant_form


@dataclass(frozen=True)
class ThreeLayerEquivalence:
    """``verdict`` True/False/None, ``reason``, the move chain (True) or the witness (False)."""

    verdict: bool | None
    reason: str
    moves: tuple = ()
    witness: tuple | None = None
    outputs: tuple | None = None
    canonical: tuple = ()
    proof: str = "moves"  # for True: "moves" (the chains) or "integer_forms" (§5.2, no chain)

    @property
    def equivalent(self) -> bool | None:
        """The verdict under the name the other equivalence results use."""
        return self.verdict


def _check(a, b) -> None:
    dims = []
    for name, n in (("first", a), ("second", b)):
        if isinstance(n, Network):
            dims.append((n.input_dim, n.output_dim))
        elif isinstance(n, ThreeLayer):
            dims.append((n.n0, n.n3))
        else:
            raise InputError(f"the {name} argument is not a network")
    if dims[0] != dims[1]:
        raise InputError(f"dimension mismatch: R^{dims[0][0]} -> R^{dims[0][1]} vs R^{dims[1][0]} -> R^{dims[1][1]}")


def _preimage(p: ThreeLayer, exact: bool = True):
    """``y ↦ x`` with ``W1 x + b1 = y`` (``W1`` of full row rank): ``x = W1ᵀ (W1 W1ᵀ)⁻¹ (y − b1)``.

    ``exact=False``: the same in floating point, rounded to dyadic rationals with 40 fractional bits —
    a proposal only (candidate witnesses are always verified by exact evaluation), but with small
    denominators, so the exact evaluation stays cheap for wide layers."""
    if not exact:
        import numpy as np

        W = np.array([[float(v) for v in r] for r in p.W1], dtype=float)
        P = np.linalg.pinv(W)
        b = np.array([float(v) for v in p.b1], dtype=float)
        scale = 1 << 40

        def dyadic(vec):
            return tuple(fmpq(int(round(v * scale)), scale) for v in vec)

        def solve(y):
            return dyadic(P @ (np.array([float(v) for v in y]) - b))

        def direction(i):
            return dyadic(P[:, i])

        return solve, direction
    W = p.w1_matrix
    Wt = W.transpose()
    M = W * Wt

    def solve(y):
        v = fmpq_mat(p.n1, 1, [yy - bb for yy, bb in zip(y, p.b1)])
        x = Wt * M.solve(v)
        return tuple(x[k, 0] for k in range(p.n0))

    def direction(i):
        v = fmpq_mat(p.n1, 1, [fmpq(1) if k == i else ZERO for k in range(p.n1)])
        x = Wt * M.solve(v)
        return tuple(x[k, 0] for k in range(p.n0))

    return solve, direction


def _differ(fa, fb, x):
    ya, yb = fa(x), fb(x)
    return (ya, yb) if ya != yb else None


def _stencils(p: ThreeLayer, rnd: random.Random, only=None, attempts: int = 3, exact: bool = True,
              deadline: Deadline = NO_DEADLINE):
    """Three-point stencils across each visible first-layer hyperplane of ``p`` (canonical):
    ``x0`` on the hyperplane at a visibility face point, ``x0 ± t n`` with ``W1 n = e_i``."""
    if p.n1 == 0:
        return
    form = orthant_form(p)
    solve, direction = _preimage(p, exact)
    for attempt in range(attempts):
        kinds = first_layer_kinds(p, form, seed=rnd.randrange(1 << 30), deadline=deadline)
        for k in kinds:
            if k.kind != "visible" or (only is not None and k.unit not in only):
                continue
            i, fp = k.unit, k.face_point
            if attempt:
                fp = tuple(v * fmpq(rnd.randint(1, 9), rnd.randint(1, 9)) for v in fp)
            t = fmpq(1)
            for u, b, _al in form.keys:
                if u[i] != 0:
                    z = sum((a * v for a, v in zip(u, fp) if a != 0), b)
                    if z != 0:
                        t = min(t, abs(z) / (2 * abs(u[i])))
            x0 = solve(fp)
            n = direction(i)
            for tt in (t, t / 16):
                yield x0
                yield tuple(a + tt * d for a, d in zip(x0, n))
                yield tuple(a - tt * d for a, d in zip(x0, n))


def _orthant_separation(pa: ThreeLayer, pb: ThreeLayer, rnd: random.Random, exact: bool = True):
    """Candidate inputs where two second layers on the same first layer differ (Theorem 5): three
    points across the hyperplane of a key whose coefficient differs (the second difference of
    ``G_a − G_b`` there is ``(α_a − α_b)·u_k·t ≠ 0``), or, when every key agrees, the points ``1`` and
    ``1 + e_k`` of the orthant (the affine parts differ)."""
    from .structure import _on_face_hyperplane

    if pa.n1 == 0:
        yield tuple(ZERO for _ in range(pa.n0))
        return
    fa, fb = orthant_form(pa), orthant_form(pb)
    da = {qkey(u + (b,)): (u, b, al) for u, b, al in fa.keys}
    db = {qkey(u + (b,)): (u, b, al) for u, b, al in fb.keys}
    solve, _ = _preimage(pa, exact)
    allkeys = [v for v in da.values()] + [v for k, v in db.items() if k not in da]
    for key in list(da) + [k for k in db if k not in da]:
        if key in da and key in db and da[key][2] == db[key][2]:
            continue
        u, beta, _al = da.get(key) or db.get(key)
        for attempt in range(4):
            got = _on_face_hyperplane(u, beta, None, rnd, fmpq(1, 1 << attempt))
            if got is None:
                break
            h0, k = got
            t = h0[k] / 2
            ok = True
            for u2, b2, _a2 in allkeys:
                if u2 is u and b2 == beta:
                    continue
                z = sum((x * v for x, v in zip(u2, h0) if x != 0), b2)
                if z == 0:
                    ok = False
                    break
                if u2[k] != 0:
                    t = min(t, abs(z) / (2 * abs(u2[k])))
            if not ok:
                continue
            for sgn in (0, 1, -1):
                yield solve(tuple(x + sgn * t if m == k else x for m, x in enumerate(h0)))
            break
    one = tuple(fmpq(1) for _ in range(pa.n1))
    yield solve(one)
    for k in range(pa.n1):
        yield solve(tuple(fmpq(2) if m == k else fmpq(1) for m in range(pa.n1)))


def _probes(n0: int, rnd: random.Random, count: int = 16):
    """The origin and ``count`` random rational points (numerators up to 64·256, denominators up to 16)."""
    bits = rnd.getrandbits
    yield tuple(ZERO for _ in range(n0))
    for k in range(count):
        scale = (1, 1, 16, 256)[k % 4]
        yield tuple(fmpq((bits(7) - 64) * scale, bits(4) + 1) for _ in range(n0))


def find_witness(a: ThreeLayer, b: ThreeLayer, ca: Canonicalization | None = None,
                 cb: Canonicalization | None = None, seed: int = 0, probes: bool = True,
                 deadline: Deadline = NO_DEADLINE):
    """An exact input where ``a`` and ``b`` differ, searched at polynomially many points, or ``None``:
    random probes (``probes=True``: first), the structural candidates of the canonical forms, and
    (``probes=False``) the random probes last."""
    rnd = random.Random(seed)
    gens: list = ["probes"] if probes else []
    if ca is not None and cb is not None and ca.form and cb.form:
        pa, pb = ca.form.params, cb.form.params
        for exact in (False, True):  # cheap dyadic proposals first, exact preimages second
            if (pa.W1, pa.b1) == (pb.W1, pb.b1):
                gens.append(_orthant_separation(pa, pb, rnd, exact))
            else:
                keys_b = {qkey(w + (v,)) for w, v in zip(pb.W1, pb.b1)}
                keys_a = {qkey(w + (v,)) for w, v in zip(pa.W1, pa.b1)}
                only_a = {i for i in range(pa.n1) if qkey(pa.W1[i] + (pa.b1[i],)) not in keys_b}
                only_b = {i for i in range(pb.n1) if qkey(pb.W1[i] + (pb.b1[i],)) not in keys_a}
                gens.append(_stencils(pa, rnd, only_a, exact=exact, deadline=deadline))
                gens.append(_stencils(pb, rnd, only_b, exact=exact, deadline=deadline))
        gens.append(_stencils(pa, rnd, attempts=1, deadline=deadline))
        gens.append(_stencils(pb, rnd, attempts=1, deadline=deadline))
    if not probes:
        gens.append("probes")
    for gen in gens:
        if isinstance(gen, str):
            found = _batch_probe(a, b, list(_probes(a.n0, rnd)))
            if found is not None:
                return found
            continue
        for x in gen:
            deadline.check(WHAT)
            d = _differ(a, b, x)
            if d is not None:
                return x, d
    return None


def _batch_probe(a, b, points):
    """The first probe where the exact outputs differ (one exact matrix product per layer); ``a``,
    ``b`` are :class:`ThreeLayer` parameters or networks."""
    from ..probes import batch_outputs

    na = a if isinstance(a, Network) else a.to_network()
    nb = b if isinstance(b, Network) else b.to_network()
    oa, ob = batch_outputs(na, points), batch_outputs(nb, points)
    for x, ya, yb in zip(points, oa, ob):
        if ya != yb:
            return tuple(x), (ya, yb)
    return None


@functools.lru_cache(maxsize=64)
def _probe_matrices(n0: int, count: int, seed: int):
    """Numerators ``m`` (``|m| ≤ 64·scale``, scales 1, 1, 16, 256 by column) and denominators
    ``1..16`` of ``count`` random points, and the points ``m/d`` in floating point with a row of ones
    appended (``(n0 + 1) × count``) — a pure function of its arguments, cached; read-only."""
    import numpy as np

    gen = np.random.default_rng(seed)
    scale = np.array([(1, 1, 16, 256)[k % 4] for k in range(count)])
    num = gen.integers(-64, 65, size=(n0, count)) * scale[None, :]
    den = gen.integers(1, 17, size=(n0, count))
    X1 = np.vstack([num / den, np.ones((1, count))])
    for M in (num, den, X1):
        M.flags.writeable = False
    return num, den, X1


@functools.lru_cache(maxsize=64)
def _probe_seed(seed: int) -> int:
    """The seed of the floating-point probe points for the decision's ``seed`` (a pure function)."""
    return random.Random(seed).getrandbits(32)


#: Integer layers with ``d1 d2 d3`` below this are evaluated in floating point as they are (the
#: scaled values ``d1 d2 d3 f(x)`` stay far inside the floating-point range); larger ones from the
#: ``fmpq`` entries.
_LARGEST_SCALE = 1 << 600


def _float_layers(p: ThreeLayer):
    """``p`` in floating point as augmented matrices ``A1 = [[W1, b1], [0, s1]]``,
    ``A2 = [[W2, b2], [0, s2]]``, ``A3 = [W3, b3]`` and the scale ``s`` with
    ``A3 σ(A2 σ(A1 [x; 1])) = s·f(x)`` (the appended rows carry the constant through the ReLUs,
    which leave positive numbers alone). From the integer layers (:attr:`ThreeLayer.integer_layers`,
    ``[W_k | b_k] = N_k / d_k``, ``s_k = d_k``, ``s = d1 d2 d3``) when they are already computed,
    otherwise (or when ``s`` would leave the floating-point range) from the ``fmpq`` entries
    (``s_k = s = 1``). Raises ``OverflowError`` beyond the floating-point range."""
    import numpy as np

    n0, n1, n2 = p.n0, p.n1, p.n2
    done = p.__dict__.get("integer_layers")
    if done is not None and done[0][1] * done[1][1] * done[2][1] < _LARGEST_SCALE:
        (N1, d1), (N2, d2), (N3, d3) = done
        scale = float(d1) * float(d2) * float(d3)
    else:
        N1 = [[*map(float, r), float(b)] for r, b in zip(p.W1, p.b1)]
        N2 = [[*map(float, r), float(b)] for r, b in zip(p.W2, p.b2)]
        N3 = [[*map(float, r), float(b)] for r, b in zip(p.W3, p.b3)]
        d1 = d2 = scale = 1.0
    A1 = np.array(N1 + [[0] * n0 + [d1]], dtype=float)
    A2 = np.array(N2 + [[0] * n1 + [d2]], dtype=float)
    A3 = np.array(N3, dtype=float).reshape(p.n3, n2 + 1)
    return A1, A2, A3, scale


def _float_proposals(pa: ThreeLayer, pb: ThreeLayer, probe_seed: int, count: int = 48, keep: int = 3):
    """Up to ``keep`` rational inputs where a floating-point evaluation of both networks differs most
    (random points ``m/d``, ``|m| ≤ 64·scale``, ``d ≤ 16``, drawn from ``probe_seed``), best first,
    built as they are consumed. A proposal only: every candidate is re-evaluated exactly by the
    caller, and an empty answer decides nothing (also when the numbers leave the floating-point
    range)."""
    import numpy as np

    # each network on its own (three products): a block-diagonal product of both would double the
    # multiplications and, at widths near 100, cross the size where BLAS starts threads
    num, den, X1 = _probe_matrices(pa.n0, count, probe_seed)
    if not pa.n3:
        return
    relu = np.maximum
    with np.errstate(all="ignore"):
        try:
            ys = []
            for p in (pa, pb):
                A1, A2, A3, scale = _float_layers(p)
                ys.append((A3 @ relu(A2 @ relu(A1 @ X1, 0.0), 0.0)) / scale)
        except OverflowError:  # numbers beyond the float range: no proposal
            return
        ya, yb = ys
        gap = (np.abs(ya - yb).max(axis=0) / (1.0 + (np.abs(ya) + np.abs(yb)).max(axis=0))).tolist()
    best = sorted((c for c in range(count) if 1e-9 < gap[c] < math.inf), key=gap.__getitem__, reverse=True)[:keep]
    for c in best:
        yield tuple([fmpq(int(m), int(q)) for m, q in zip(num[:, c].tolist(), den[:, c].tolist())])


def _proposed_witness(pa: ThreeLayer, pb: ThreeLayer, seed: int, na=None, nb=None):
    """The first floating-point proposal (:func:`_float_proposals`) where the exact outputs differ,
    evaluated by the library's network evaluator (``na``, ``nb``: the networks when the caller has
    them), so no separate confirmation is needed."""
    from ...network import forward_exact

    na = na if isinstance(na, Network) else pa.to_network()
    nb = nb if isinstance(nb, Network) else pb.to_network()
    for x in _float_proposals(pa, pb, _probe_seed(seed)):
        ya, yb = forward_exact(na, x), forward_exact(nb, x)
        if ya != yb:
            return x, (tuple(ya), tuple(yb))
    return None


def _confirmed(pa: ThreeLayer, pb: ThreeLayer, found, na=None, nb=None):
    """Re-evaluate a witness with the library's network evaluator (independent of this package);
    ``na``, ``nb``: the networks of ``pa``, ``pb`` when the caller has them."""
    if not found:
        return None
    from ...network import forward_exact

    x = found[0]
    na = na if isinstance(na, Network) else pa.to_network()
    nb = nb if isinstance(nb, Network) else pb.to_network()
    ya, yb = forward_exact(na, x), forward_exact(nb, x)
    if ya == yb:  # pragma: no cover - would be a bug in the witness search
        raise AssertionError("internal error: the witness does not separate the networks")
    return x, (ya, yb)


def _equal_integer_forms(pa: ThreeLayer, pb: ThreeLayer, deadline: Deadline) -> bool:
    """Both parameters have the same integer orthant form (:func:`.integer_form.common_integer_form`),
    so ``f_a = f_b``, and satisfy the bottleneck hypothesis G1 (the tier's hypothesis: where it fails
    the full procedure reports it as before). When the form keeps every first-layer neuron of both,
    the rows of ``b``'s ``[W1 | b1]`` are positive multiples of a permutation of ``a``'s (the same
    primitive rows), so one rank decides G1 for both. The parameter with fewer second-layer neurons
    is formed first, the other one with early exits (the relation is symmetric)."""
    if pa.n1 > pa.n0 or pb.n1 > pb.n0:
        return False
    if pb.n2 < pa.n2:
        pa, pb = pb, pa
    form = common_integer_form(pa, pb, deadline)
    if form is None or full_row_rank(pa) != pa.n1:
        return False
    return len(form.first) == pa.n1 == pb.n1 or full_row_rank(pb) == pb.n1


#: Pairs with at most this many parameters (both networks together) try the integer orthant forms
#: before the floating-point probes when no certificate is asked for: a cost trade-off measured in
#: docs/relu-three-layer.md §10 (the equivalent pair (4, 3, 6), 117 parameters: 0.22 → 0.14 ms;
#: its near miss 0.13 → 0.24 ms; at (8, 6, 12), 366 parameters, forms first would make the near
#: miss 0.47 ms instead of 0.17 ms).
FORMS_FIRST_PARAMETERS = 160


def _integer_forms_proof() -> ThreeLayerEquivalence:
    return ThreeLayerEquivalence(True, "equal integer orthant forms (the same first-layer rows and the same second"
                                       " layer on the orthant)", proof="integer_forms")


def equivalent(a, b, *, seed: int = 0, deadline: Deadline = NO_DEADLINE, verify: bool = True) -> ThreeLayerEquivalence:
    """Decide ``f_a = f_b`` on ``R^{n0}`` for two-hidden-layer ReLU networks (see module docstring).

    ``True`` is proved by the two chains to the common canonical parameter, each applied move by
    move with its facts checked while canonicalizing (``f_a = f_θ* = f_b``). ``verify`` (default):
    also re-apply the combined chain ``a → θ* → b`` (``b``'s chain inverted), facts checked — the
    certificate's chain. A caller that writes no certificate passes ``verify=False``: then equal
    integer orthant forms (:mod:`.integer_form`, docs/relu-three-layer.md §5.2) prove ``True``
    without any chain (``proof="integer_forms"``, ``moves=()``), and otherwise the chains decide.

    ``deadline``: cooperative checkpoints in every loop (the structure, each move of the chains,
    each witness candidate); when it passes, :class:`~exactnet.deadline.TimeLimitReached` is raised
    ("time limit reached during the structural tier (s)")."""
    _check(a, b)
    try:
        pa, pb = as_params(a), as_params(b)
    except InputError:
        pa = pb = None
    if pa is not None:
        # Two exact steps, in an order that only sets the cost: floating-point probes (most
        # non-equivalent pairs differ at a random input; floating point proposes the points, exact
        # evaluation decides) and, without a certificate, equal integer orthant forms (a proof of
        # True; the probes reuse their integer conversion when it exists). The forms cost two to
        # four times the probes, so the probes come first, except for the smallest pairs: there the
        # forms take about 0.1 ms and an equivalent pair would otherwise pay for the probes on top
        # (docs/relu-three-layer.md §10 has the measurements behind FORMS_FIRST_PARAMETERS)
        forms_first = not verify and pa.num_parameters + pb.num_parameters <= FORMS_FIRST_PARAMETERS
        if forms_first and _equal_integer_forms(pa, pb, deadline):
            return _integer_forms_proof()
        found = _proposed_witness(pa, pb, seed, a, b)
        if found:
            return ThreeLayerEquivalence(False, "the outputs differ at a probe point", witness=found[0],
                                         outputs=found[1])
        deadline.check(WHAT)
        if not verify and not forms_first and _equal_integer_forms(pa, pb, deadline):
            return _integer_forms_proof()
    deadline.check(WHAT)
    ca = canonicalize(a, seed=seed, deadline=deadline)
    cb = canonicalize(b, seed=seed, deadline=deadline)
    if not ca.applicable or not cb.applicable:
        which = "first" if not ca.applicable else "second"
        reason = ca.reason if not ca.applicable else cb.reason
        return ThreeLayerEquivalence(None, f"not applicable: the {which} network: {reason}")
    if ca.form == cb.form:
        # a's chain was applied from pa with every fact checked while canonicalizing; the inverted
        # chain of b is re-applied here from the common canonical parameter, facts checked, to pb
        back = cb.inverse_moves()
        chain = ca.moves + back
        if verify and not verify_chain(ca.form.params, pb, back, deadline):  # pragma: no cover - a bug in the moves
            raise AssertionError("internal error: the move chain does not take the first network to the second")
        how = "the move chain is verified" if verify else "both chains to it are checked move by move"
        return ThreeLayerEquivalence(True, f"equal structural canonical forms; {how}", chain,
                                     canonical=(ca.form, cb.form))
    found = _confirmed(pa, pb, find_witness(pa, pb, ca, cb, seed=seed, probes=False, deadline=deadline), a, b)
    if found:
        return ThreeLayerEquivalence(False, "the canonical forms differ and the outputs differ at the witness",
                                     witness=found[0], outputs=found[1], canonical=(ca.form, cb.form))
    return ThreeLayerEquivalence(None, "the canonical forms differ but no witness was found (use the complete"
                                       " procedure)", canonical=(ca.form, cb.form))


__all__ = ["ThreeLayerEquivalence", "equivalent", "find_witness"]
