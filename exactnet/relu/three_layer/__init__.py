"""Three-layer (two-hidden-layer) ReLU networks with a bottleneck first layer: exact structure,
structural canonical form, polynomial-time equivalence with move-chain certificates, fibers and
conservation laws (docs/relu-three-layer.md).

:func:`equivalent` here is tier ``s`` of :func:`exactnet.relu.equivalence.equivalent` (``exactnet
equiv``), which runs it first for two rational networks with two hidden layers each and no domain;
its move chains are written as ``three_layer_moves`` certificates (:mod:`exactnet.relu.certificates`)
and checked by :mod:`exactnet.check.relu_three_layer`. ``exactnet fiber`` and ``exactnet laws`` reach
:func:`fiber` and :mod:`.laws` (:mod:`exactnet.cli.relu_three_layer`).
"""

from .canonical import CanonicalForm, canonical_form
from .equivalence import ThreeLayerEquivalence, equivalent
from .fiber import Fiber, fiber
from .params import ThreeLayer

__all__ = ["CanonicalForm", "Fiber", "ThreeLayer", "ThreeLayerEquivalence", "canonical_form", "equivalent", "fiber"]
