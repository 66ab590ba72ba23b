"""Three-layer (two-hidden-layer) ReLU networks with a bottleneck first layer: exact structure,
structural canonical form, polynomial-time equivalence with move-chain certificates, fibers and
conservation laws (docs/relu-three-layer.md).

Hook for ``exactnet equiv``: :func:`equivalent` here is the structural tier for networks of widths
``(n0, n1, n2, 1)`` (its :class:`ThreeLayerEquivalence` has a ``verdict``); wiring it into
:func:`exactnet.relu.equivalence.equivalent` as a tier before the complete region refinement, and
into ``FAMILY_COMMANDS["equiv"]`` through :func:`exactnet.cli.relu.equiv`, is the next step.
"""

from .canonical import CanonicalForm, canonical_form
from .equivalence import ThreeLayerEquivalence, equivalent
from .fiber import Fiber, fiber
from .params import ThreeLayer

__all__ = ["CanonicalForm", "Fiber", "ThreeLayer", "ThreeLayerEquivalence", "canonical_form", "equivalent", "fiber"]
