"""ReLU networks of any depth: exact activation regions, functional equivalence, compression,
functional dimension, fibers and hidden symmetries (``docs/relu.md``; Grigsby, Lindsey,
Meyerhoff and Wu, "Functional dimension of feedforward ReLU neural networks", 2022).

The public API is re-exported here (``from exactnet.relu import equivalent``):

* :func:`regions`, :func:`common_refinement`, :func:`list_regions`, :func:`count_regions`
  (:mod:`.regions`) — lazy exact enumeration of activation regions;
* :func:`equivalent` (:mod:`.equivalence`) — tiers (a) canonical form, (b) symmetry normal form,
  (c) probe points, (d) complete region refinement; :class:`EquivalenceResult`;
* :func:`canonical_form` (:mod:`.canonical`) — the one-hidden-layer canonical form;
* :func:`normal_form` (:mod:`.normal_form`), :class:`Move` (:mod:`.moves`) — function-preserving moves;
* :func:`compress` (:mod:`.compression`) — lossless compression;
* :func:`functional_dimension`, :func:`batch_functional_dimension` (:mod:`.functional_dimension`,
  with :mod:`.jacobian`) — exact functional dimension;
* :func:`fiber` (:mod:`.fiber`) — the fiber of a one-hidden-layer network; :func:`same_orbit`
  (:mod:`.orbits`); :func:`symmetries` (:mod:`.symmetries`) — the hidden-symmetry report;
* :mod:`.certificates` — ``relu.equivalence`` certificates built from results;
* :mod:`.three_layer` — three-layer bottleneck networks (structural equivalence tier);
* :mod:`.probes`, :mod:`.plot`, :mod:`.sampling` — probe points, drawings, random networks.

Exact LP and polyhedra live in :mod:`exactnet.polyhedra`, ranks in :mod:`exactnet.linalg`.
"""

from .canonical import ShallowForm, canonical_form
from .compression import Compression, compress
from .equivalence import EquivalenceResult, equivalent
from .fiber import Fiber, fiber
from .functional_dimension import BatchDimension, FunctionalDimension, batch_functional_dimension, functional_dimension
from .moves import Move
from .normal_form import NormalForm, normal_form
from .orbits import same_orbit
from .regions import Region, RegionListing, common_refinement, count_regions, list_regions, regions
from .symmetries import SymmetryReport, symmetries

__all__ = [
    "BatchDimension", "Compression", "EquivalenceResult", "Fiber", "FunctionalDimension", "Move", "NormalForm",
    "Region", "RegionListing", "ShallowForm", "SymmetryReport", "batch_functional_dimension", "canonical_form",
    "common_refinement", "compress", "count_regions", "equivalent", "fiber", "functional_dimension", "list_regions",
    "normal_form", "regions", "same_orbit", "symmetries",
]
