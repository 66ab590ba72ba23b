"""Canonical representatives: a fundamental domain of the symmetry group (docs/symmetry.md §3).

**The fundamental domain.** ``F = {θ : canonical(θ) = θ}`` contains exactly one point of every
orbit. Every ``θ ∈ F`` has, in every hidden layer,

    b_1 ≥ b_2 ≥ ⋯ ≥ b_{d_l}                (any activation),
    b_1 ≥ b_2 ≥ ⋯ ≥ b_{d_l} ≥ 0            (odd σ: signs chosen to make biases non-negative),

and where these inequalities are strict, ``θ ∈ F`` *iff* they hold: up to the null set of ties,
``F`` is the domain ``D`` (``D_±``) used for the volumes and the cover (:mod:`.volumes`,
:mod:`.covering`). Ties are broken invariantly: twin units are collapsed, the rest by colour
refinement (cells ordered by decreasing signature, :mod:`.refinement`), and the remaining choices
by the largest leaf vector of the individualization–refinement search (:mod:`.search`); the
signs of odd σ by the greedy lexicographic rule of :func:`~.search.leaf_signs`.

**Cost.** Near-linear in the number of parameters when the root partition is discrete (generic
parameters: distinct biases, or distinct rows); planted duplicates cost one hashing pass; ties
that only a joint matching of layers resolves cost one refinement per search node, exponential in
the worst case (the problem contains bipartite graph isomorphism).

Modulo positive scaling (ReLU, :func:`canonical_form_modulo_scaling`): every hidden unit is first
scaled so that ``|b| + ‖w‖_1 = 1`` for its incoming row (layer by layer, the inverse factor moved to
the next layer's column), then canonicalised; units with a zero incoming row are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..deadline import NO_DEADLINE, Deadline
from ..errors import UnsupportedError
from ..network import Layer, Network
from ..numbers import sign
from .analysis import Analysis, analyse
from .groups import HOMOGENEOUS_ACTIVATIONS, ODD_ACTIVATIONS, GroupElement, act


@dataclass(frozen=True)
class CanonicalForm:
    """The representative ``network = element·θ`` of the orbit of ``θ`` in the fundamental domain."""

    network: Network
    element: GroupElement
    search_nodes: int

    @property
    def was_canonical(self) -> bool:
        """Whether the input already lay in the fundamental domain."""
        return self.element.is_identity


def canonical_form_of(a: Analysis) -> CanonicalForm:
    g = a.canonical_element()
    return CanonicalForm(act(g, a.network), g, a.result.nodes)


def canonical_form(net: Network, deadline: Deadline = NO_DEADLINE) -> CanonicalForm:
    """The canonical representative of the orbit of ``net`` (invariant under the whole group)."""
    return canonical_form_of(analyse(net, deadline))


def in_fundamental_domain(net: Network, deadline: Deadline = NO_DEADLINE) -> bool:
    """Membership test: ``canonical(θ) = θ``."""
    return canonical_form(net, deadline).network == net


def biases_sorted(net: Network) -> bool:
    """The necessary condition of the module docstring (``D`` or ``D_±``), checked exactly."""
    odd = net.activation in ODD_ACTIVATIONS
    for layer in net.layers[:-1]:
        b = layer.bias
        if any(b[i] < b[i + 1] for i in range(len(b) - 1)):
            return False
        if odd and b and sign(b[-1]) < 0:
            return False
    return True


@dataclass(frozen=True)
class ScaledCanonicalForm:
    """Canonical representative modulo permutations and positive scalings (ReLU)."""

    network: Network
    scales: tuple[tuple, ...]        # per hidden layer: the positive factor applied to each unit's incoming row
    element: GroupElement            # the permutation applied after scaling
    search_nodes: int


def normalize_scaling(net: Network) -> tuple[Network, tuple[tuple, ...]]:
    """Scale every hidden unit so its incoming ``(w, b)`` has ℓ¹ norm 1 (inverse into the next layer)."""
    if net.activation not in HOMOGENEOUS_ACTIVATIONS:
        raise UnsupportedError(f"positive scaling is not a symmetry of {net.activation} networks")
    weights = [[list(r) for r in layer.weight] for layer in net.layers]
    biases = [list(layer.bias) for layer in net.layers]
    scales = []
    for k in range(net.depth):
        factors = []
        for i, row in enumerate(weights[k]):
            norm = abs(biases[k][i]) + sum((abs(v) for v in row), fmpq(0))
            if norm == 0:
                raise UnsupportedError(
                    f"hidden unit {i + 1} of layer {k + 1} has a zero incoming row and bias: its scale is not"
                    " determined, so the canonical form modulo scaling is not defined here"
                )
            weights[k][i] = [v / norm for v in row]
            biases[k][i] = biases[k][i] / norm
            for nrow in weights[k + 1]:
                nrow[i] = nrow[i] * norm
            factors.append(1 / norm)
        scales.append(tuple(factors))
    layers = tuple(Layer(tuple(map(tuple, w)), tuple(b)) for w, b in zip(weights, biases))
    return Network(net.activation, layers), tuple(scales)


def canonical_form_modulo_scaling(net: Network, deadline: Deadline = NO_DEADLINE) -> ScaledCanonicalForm:
    """Normalise the scalings, then canonicalise the permutations (invariant under both)."""
    scaled, scales = normalize_scaling(net)
    canon = canonical_form(scaled, deadline)
    return ScaledCanonicalForm(canon.network, scales, canon.element, canon.search_nodes)


__all__ = [
    "CanonicalForm", "ScaledCanonicalForm", "biases_sorted", "canonical_form", "canonical_form_modulo_scaling",
    "canonical_form_of", "in_fundamental_domain", "normalize_scaling",
]
