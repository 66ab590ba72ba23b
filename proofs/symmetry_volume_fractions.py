"""The fundamental domain's volume fraction 1/Π d_l! (1/Π 2^{d_l} d_l! for odd σ), checked as exact polytope
volumes (docs/symmetry.md §4)."""

from __future__ import annotations

from flint import fmpq

from exactnet.reproduce import Claim, Outcome
from exactnet.symmetry.groups import SymmetryGroup
from exactnet.symmetry.volumes import check_tiling, domain_volume, volume_fraction

CLAIM = Claim(
    name="symmetry-volume-fractions",
    source="Shen, ICML 2024 (arXiv 2305.11417): the effective parameter space shrinks by d_1!⋯d_L! (summaries; the "
           "paper's own definition is unverified); docs/symmetry.md §4 (derived)",
    statement="vol(D)/vol([−B,B]^S) = 1/Π d_l! for D = {biases non-increasing in every hidden layer} and "
              "1/Π 2^{d_l} d_l! for D_± = {… ≥ 0} (tanh), computed as exact polytope volumes (PPL vertices, exact "
              "pulling triangulation) of the whole S-dimensional polytope for S ≤ 7 and of the bias factor for larger "
              "architectures; the |G| images of D meet in dimension < S and their volumes add up to the box",
)

FULL_POLYTOPE = [("relu", (1, 2, 1)), ("tanh", (1, 2, 1)), ("relu", (1, 1, 1, 1)), ("tanh", (1, 1, 1, 1))]
FACTOR_QUICK = [("relu", (1, 3, 1)), ("tanh", (1, 3, 1)), ("relu", (2, 3, 2, 1)), ("tanh", (1, 2, 3, 1))]
FACTOR_FULL = FACTOR_QUICK + [("relu", (1, 5, 1)), ("tanh", (1, 5, 1)), ("relu", (1, 3, 3, 1)),
                              ("tanh", (1, 3, 3, 1)), ("relu", (1, 2, 2, 2, 1)), ("relu", (3, 6, 1))]
TILING = [("relu", (1, 2, 1)), ("tanh", (1, 2, 1))]


def run(quick: bool = False) -> Outcome:
    rows = []
    B = fmpq(3, 2)
    for activation, widths in FULL_POLYTOPE + (FACTOR_QUICK if quick else FACTOR_FULL):
        group = SymmetryGroup(activation, widths)
        factor = (activation, widths) not in FULL_POLYTOPE
        measured = domain_volume(group, B, factor=factor) / (2 * B) ** group.num_parameters
        if measured != volume_fraction(group):
            return Outcome(False, f"{activation} {widths}: polytope volume fraction {measured} ≠ 1/|G| = "
                                  f"{volume_fraction(group)}")
        rows.append([activation, list(widths), str(measured), "factor" if factor else "full"])
    for activation, widths in TILING:
        t = check_tiling(SymmetryGroup(activation, widths), B)
        if not t.holds:
            return Outcome(False, f"{activation} {widths}: the images of D do not tile the box ({t})")
    return Outcome(True, f"{len(rows)} architectures: exact polytope volume fraction = 1/|G|; the |G| images of D tile "
                         "the box for (1,2,1) (ReLU: 2 pieces, tanh: 8 pieces)", {"fractions": rows})
