"""ReLU networks of any depth: exact activation regions, functional equivalence, compression,
functional dimension, fibers and hidden symmetries.

Modules (see ``docs/relu.md``):

* :mod:`~exactnet.relu.regions` — lazy exact enumeration of activation regions (per-region
  pattern, exact affine map, interior point, constraints) and common refinements;
* :mod:`~exactnet.relu.equivalence` — ``equivalent(A, B, domain)``: tiers (a) canonical form,
  (b) symmetry normal form, (c) probe points, (d) complete region refinement, with certificates;
* :mod:`~exactnet.relu.canonical` — the one-hidden-layer canonical form (relu.md §3.2, §3.4);
* :mod:`~exactnet.relu.normal_form`, :mod:`~exactnet.relu.moves` — function-preserving moves;
* :mod:`~exactnet.relu.compress` — lossless compression;
* :mod:`~exactnet.relu.cells`, :mod:`~exactnet.relu.open_polyhedra` — exact sign decisions on
  cells, interior points and Farkas certificates (float proposals verified exactly);
* :mod:`~exactnet.relu.functional_dimension`, :mod:`~exactnet.relu.jacobian`, :mod:`~exactnet.linalg.modular` —
  exact functional dimension (relu.md §5), parameter Jacobians, certified ranks;
* :mod:`~exactnet.relu.fiber`, :mod:`~exactnet.relu.orbits`, :mod:`~exactnet.relu.symmetries` — shallow fibers,
  orbit tests, the hidden-symmetry report;
* :mod:`~exactnet.relu.probes`, :mod:`~exactnet.relu.plot`, :mod:`~exactnet.relu.commands`, :mod:`~exactnet.relu.sampling`.
"""
