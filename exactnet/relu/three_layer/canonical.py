"""Structural canonical form of generic bottleneck three-layer parameters (docs/relu-three-layer.md §4).

:func:`canonicalize` turns a parameter ``θ`` into a canonical parameter ``θ*`` by a chain of
mechanism moves (:mod:`.moves`), each checked exactly, so ``f_θ = f_θ*`` is proved by the chain:

1. normalise the first layer (M1): ``|first non-zero of w_i| = 1``;
2. classify the first-layer neurons (:func:`.structure.first_layer_kinds`) and, for the (at most
   one) hidden neuron, compute the canonical transfer ``δ_min`` from the orthant form;
3. sort the first-layer neurons (M0) by their final keys ``(w_i, b_i [+ δ_min])``, unused last;
4. canonicalise the second layer on the orthant (dead and silent neurons removed (M2), scales (M1),
   the always-active block replaced by identity neurons ``σ(h_k)`` (M4), orientations fixed by flips
   absorbed in that block (M5), equal keys merged (M1), neurons sorted (M0));
5. remove the unused first-layer neurons (M2);
6. for a hidden neuron, apply the transfer ``δ_min`` (M3) so its dead zone has width 0, and
   canonicalise the second layer again.

The canonical form is the resulting exact parameter (and the hidden index). Equal canonical forms
prove equivalence (the two chains compose). Under the hypotheses of docs/relu-three-layer.md §4.3 different forms mean
different functions; the decision procedure never relies on that without an exact witness.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ...deadline import NO_DEADLINE, Deadline
from ...errors import UnsupportedError
from .moves import ActiveBlock, Flip, HideTransfer, Permute, Remove, Reweight, Scale
from .params import ZERO, ThreeLayer, as_params, qkey
from .structure import WHAT, Structure, _orient, neuron_kind, orthant_form, structure


class NotApplicable(UnsupportedError):
    """A hypothesis of the structural procedure fails (the reason says which)."""


@dataclass(frozen=True)
class CanonicalForm:
    """The canonical parameter ``params`` and the index of its hidden first-layer neuron (if any)."""

    params: ThreeLayer
    hidden: int | None

    def to_obj(self) -> dict:
        return {"params": self.params.to_obj(), "hidden": self.hidden}


@dataclass(frozen=True)
class Canonicalization:
    """``form`` (``None`` when not applicable, with ``reason``), the ``moves`` from the input to the
    canonical parameter and the ``states`` before each move (for inverting the chain)."""

    form: CanonicalForm | None
    moves: tuple
    states: tuple
    reason: str
    structure: Structure

    @property
    def applicable(self) -> bool:
        return self.form is not None

    def inverse_moves(self) -> tuple:
        """The chain from the canonical parameter back to the input."""
        return tuple(m.inverse(s) for m, s in zip(reversed(self.moves), reversed(self.states)))


def _empty(move) -> bool:
    """A move that changes nothing by construction (no units, no factors, the identity order)."""
    if isinstance(move, Remove):
        return not move.units
    if isinstance(move, Scale):
        return not move.factors
    if isinstance(move, Permute):
        return move.order == tuple(range(len(move.order)))
    return False


class _Chain:
    def __init__(self, p: ThreeLayer, deadline: Deadline = NO_DEADLINE):
        self.p = p
        self.moves: list = []
        self.states: list = []
        self.deadline = deadline

    def add(self, move) -> None:
        self.deadline.check(WHAT)
        if _empty(move):
            return
        new = move.apply(self.p)
        if new == self.p:
            return
        self.states.append(self.p)
        self.moves.append(move)
        self.p = new


def _identity_block(C, n1: int):
    """Neurons ``σ(h_k)`` with outgoing column ``C[:,k]`` for every non-zero column."""
    n3 = len(C)
    out = []
    for k in range(n1):
        col = tuple(C[s][k] for s in range(n3))
        if any(v != 0 for v in col):
            out.append((tuple(fmpq(1) if m == k else ZERO for m in range(n1)), ZERO, col))
    return out


def _block_of(p: ThreeLayer, units):
    C = [[ZERO] * p.n1 for _ in range(p.n3)]
    c = list(p.b3)
    for j in units:
        r, beta, a = p.W2[j], p.b2[j], p.out2(j)
        for s in range(p.n3):
            if a[s]:
                for k in range(p.n1):
                    if r[k]:
                        C[s][k] += a[s] * r[k]
                c[s] += a[s] * beta
    return C, c


def _scale(layer: int, factors) -> Scale:
    return Scale(layer, tuple((j, c) for j, c in enumerate(factors) if c != 1))


def canonical_second_layer(chain: _Chain, hidden: int | None) -> None:
    """Step 4 of the module docstring, appended to ``chain``."""
    p = chain.p
    dead = tuple(j for j in range(p.n2) if neuron_kind(p.W2[j], p.b2[j]) == "dead")
    chain.add(Remove(2, dead, "dead"))
    p = chain.p
    chain.add(Remove(2, tuple(j for j in range(p.n2) if all(v == 0 for v in p.out2(j))), "silent"))
    p = chain.p
    # scales: mixed neurons to |first non-zero| = 1
    factors = []
    for j in range(p.n2):
        r = p.W2[j]
        if neuron_kind(r, p.b2[j]) == "mixed":
            factors.append(1 / abs(next(v for v in r if v != 0)))
        else:
            factors.append(fmpq(1))
    chain.add(_scale(2, factors))
    p = chain.p
    # M4: the always-active block becomes identity neurons at the end
    active = tuple(j for j in range(p.n2) if neuron_kind(p.W2[j], p.b2[j]) == "active")
    C, c = _block_of(p, active)
    block = _identity_block(C, p.n1)
    base = p.n2 - len(active)
    chain.add(ActiveBlock(active, tuple((base + t, *u) for t, u in enumerate(block)), tuple(c)))
    p = chain.p
    # M5: orientations
    nblock = len(block)
    mixed = [j for j in range(p.n2 - nblock)]
    wrong = tuple(j for j in mixed if _orient(p.W2[j], hidden) < 0)
    if wrong:
        blk = tuple(range(p.n2 - nblock, p.n2))
        C, c = _block_of(p, blk + wrong)
        new = _identity_block(C, p.n1)
        base = p.n2 - nblock
        chain.add(Flip(wrong, blk, tuple((base + t, *u) for t, u in enumerate(new)), tuple(c)))
        p = chain.p
        nblock = len(new)
    # merge equal keys, drop cancelled ones
    first: dict = {}
    pairs = []
    for j in range(p.n2 - nblock):
        key = qkey(p.W2[j] + (p.b2[j],))
        k = first.setdefault(key, j)
        if k != j:
            pairs.append((j, k, fmpq(1), p.out2(j)))
    if pairs:
        chain.add(Reweight(tuple(pairs)))
        p = chain.p
        chain.add(Remove(2, tuple(j for j in range(p.n2) if all(v == 0 for v in p.out2(j))), "silent"))
        p = chain.p
    # sort: keys, then the identity block by coordinate
    nmixed = p.n2 - nblock
    order = sorted(range(nmixed), key=lambda j: (p.W2[j], p.b2[j])) + list(range(nmixed, p.n2))
    chain.add(Permute(2, tuple(order)))


def canonicalize(net, *, seed: int = 0, deadline: Deadline = NO_DEADLINE) -> Canonicalization:
    """The canonical form with its move chain, or ``form=None`` and the failed hypothesis.
    ``deadline``: cooperative checkpoints (before every move and in the structure's loops)."""
    st = structure(net, deadline)
    if not st.applicable:
        return Canonicalization(None, (), (), st.reason, st)
    p = as_params(net)
    chain = _Chain(p, deadline)
    chain.add(_scale(1, [1 / abs(next(v for v in w if v != 0)) for w in p.W1]))
    p = chain.p
    kinds = st.first  # visible / hidden / unused are invariant under positive scaling
    hidden = [k.unit for k in kinds if k.transferable]
    unused = [k.unit for k in kinds if k.kind == "unused"]
    delta = None
    if hidden:
        h = hidden[0]
        fh = orthant_form(p, hidden=h, deadline=deadline)
        ratios = [b / u[h] for u, b, _a in fh.keys]
        if any(row[h] != 0 for row in fh.C):
            ratios.append(ZERO)
        delta = max(ratios) if ratios else ZERO
    final = {i: (p.W1[i], p.b1[i] + (delta if hidden and i == hidden[0] else 0)) for i in range(p.n1)}
    live = sorted((i for i in range(p.n1) if i not in unused), key=lambda i: final[i])
    order = tuple(live + unused)
    chain.add(Permute(1, order))
    hid = order.index(hidden[0]) if hidden else None
    canonical_second_layer(chain, hid)
    p = chain.p
    chain.add(Remove(1, tuple(range(len(live), p.n1)), "silent"))
    if hid is not None:
        chain.add(HideTransfer(hid, delta))
        canonical_second_layer(chain, hid)
    form = CanonicalForm(chain.p, hid)
    return Canonicalization(form, tuple(chain.moves), tuple(chain.states), "generic bottleneck parameter", st)


def canonical_form(net) -> CanonicalForm:
    """The canonical form; raises :class:`NotApplicable` with the reason when a hypothesis fails."""
    c = canonicalize(net)
    if c.form is None:
        raise NotApplicable(f"the structural canonical form does not apply: {c.reason}")
    return c.form


__all__ = ["CanonicalForm", "Canonicalization", "NotApplicable", "canonical_form", "canonicalize"]
