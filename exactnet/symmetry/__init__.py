"""Symmetry groups, orbits, fundamental domains, volumes and covering numbers (docs/symmetry.md).

Following Shen, "Exploring the Complexity of Deep Neural Networks through Functional
Equivalence" (ICML 2024, arXiv 2305.11417), with everything computed exactly:

* :mod:`~exactnet.symmetry.groups` — the group ``Π S_{d_l}`` (``Π B_{d_l}`` for odd σ), its order,
  the continuous scaling part, group elements and their action;
* :mod:`~exactnet.symmetry.orbits` — exact stabilizers (order, generators) and orbit sizes;
* :mod:`~exactnet.symmetry.canonical` — the fundamental domain and the canonicalisation map;
* :mod:`~exactnet.symmetry.volumes` — exact volume fractions of the fundamental domain, with an
  independent exact polytope-volume check;
* :mod:`~exactnet.symmetry.covering` — Lipschitz constant of ``θ ↦ f_θ``, plain and
  symmetry-reduced grid covers, explicit tiny covers with exact verification;
* :mod:`~exactnet.symmetry.equivariance` — exact gradient-descent equivariance;
* :mod:`~exactnet.symmetry.brute` — brute-force enumeration (checks on tiny architectures);
* internals: :mod:`.structure` (twin collapse), :mod:`.refinement`, :mod:`.search`, :mod:`.analysis`.
"""

from .canonical import (
    CanonicalForm,
    ScaledCanonicalForm,
    biases_sorted,
    canonical_form,
    canonical_form_modulo_scaling,
    in_fundamental_domain,
    normalize_scaling,
)
from .cover_construction import CoverVerification, reduced_cover, verify_cover
from .covering import Covering, covering, grid_points, lipschitz_constant
from .equivariance import commutes, gradient, loss, scale_unit, scaling_failure, step
from .groups import GroupElement, LayerAction, SymmetryGroup, act, group_of
from .orbits import Stabilizer, orbit_size, scaling_orbit_dimension, stabilizer
from .volumes import check_tiling, domain_volume, polytope_volume, volume_fraction

__all__ = [
    "CanonicalForm", "CoverVerification", "Covering", "GroupElement", "LayerAction", "ScaledCanonicalForm",
    "Stabilizer", "SymmetryGroup", "act", "biases_sorted", "canonical_form", "canonical_form_modulo_scaling",
    "check_tiling", "commutes", "covering", "domain_volume", "gradient", "grid_points", "group_of",
    "in_fundamental_domain", "lipschitz_constant", "loss", "normalize_scaling", "orbit_size", "polytope_volume",
    "reduced_cover", "scale_unit", "scaling_failure", "scaling_orbit_dimension", "stabilizer", "step",
    "verify_cover", "volume_fraction",
]
