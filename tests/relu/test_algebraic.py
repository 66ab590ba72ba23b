"""The complete ReLU tiers on networks with real algebraic weights (docs/algebraic-lp.md):
region enumeration, equivalence tier (d) with checked certificates, compression on a domain and
functional dimension, all over the weights' number field."""

from __future__ import annotations

import copy
import json

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.numbers import RealAlgebraic
from exactnet.relu import equivalent
from exactnet.relu.compression import compress
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.relu.regions import count_regions, regions

#: positive algebraic unit scales (a ReLU unit scaled by c > 0, its outgoing weights by 1/c,
#: computes the same function and has the same activation regions)
SCALES = ("sqrt(2)", "1+sqrt(3)", "1", "sqrt(2)+sqrt(3)", "3-2*sqrt(2)", "sqrt(3)/5")


def planted(rational: Network, scales, extra: str = "0") -> Network:
    """``rational`` with hidden unit ``j`` of the first layer scaled by ``scales[j]`` (its outgoing
    weights divided by it), and ``extra`` added to the first output weight."""
    layers = rational.layers
    first, second = layers[0], layers[1]
    c = [scales[j % len(scales)] for j in range(first.out_dim)]
    w1 = [[f"({c[j]})*({v})" for v in first.weight[j]] for j in range(first.out_dim)]
    b1 = [f"({c[j]})*({first.bias[j]})" for j in range(first.out_dim)]
    w2 = [[f"({second.weight[i][j]})/({c[j]})" for j in range(first.out_dim)] for i in range(second.out_dim)]
    rest = [([[str(v) for v in row] for row in L.weight], [str(v) for v in L.bias]) for L in layers[2:]]
    out = [(w1, b1), (w2, [str(v) for v in second.bias])] + rest
    last_w = [list(row) for row in out[-1][0]]
    last_w[0][0] = f"{last_w[0][0]} + {extra}"
    out[-1] = (last_w, out[-1][1])
    return Network.from_lists("relu", out)


R = Network.from_lists("relu", [([[1, 2], [2, -1], [1, 1], [-1, 3]], [0, 1, -2, 2]),
                                ([[1, 1, -1, 1], [2, 0, 1, -1]], [0, 1]), ([[1, -3]], [0])])


def reseal(cert: dict) -> dict:
    """A tampered certificate with its digest dropped, so that the mathematics is what is checked."""
    out = dict(cert)
    out.pop("digest", None)
    return out


def _certified(res) -> None:
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid, check_certificate(cert)


def test_regions_of_a_planted_network_equal_the_rational_ones():
    a = planted(R, SCALES)
    assert a.field is not None and a.field.degree == 4
    assert count_regions(a) == count_regions(R) == 16
    ra = sorted((r.pattern for r in regions(a)))
    rr = sorted((r.pattern for r in regions(R)))
    assert ra == rr
    for region in regions(a):  # rational interior points, the exact field map agrees with evaluation
        x = region.point
        assert all(isinstance(v, fmpq) for v in x) and region.contains(x)
        assert tuple(region.map(x)) == tuple(forward_exact(a, x))


def test_a_genuinely_algebraic_arrangement_counts_its_regions():
    # four lines in general position with slopes and offsets in Q(sqrt(2), sqrt(3)): 1 + 4 + 6 cells
    net = Network.from_lists("relu", [([[1, "sqrt(2)"], ["sqrt(2)", -1], [1, 1], [-1, "sqrt(3)"]],
                                       [0, 1, "-sqrt(2)", 2]), ([[1, 2, -1, 1]], [0])])
    assert count_regions(net) == 11
    # three lines through one point (sqrt(2), 0): 6 cells, not 7
    concurrent = Network.from_lists("relu", [([[1, 0], [1, 1], [1, -1]], ["-sqrt(2)", "-sqrt(2)", "-sqrt(2)"]),
                                             ([[1, 1, 1]], [0])])
    assert count_regions(concurrent) == 6


def test_regions_on_a_box_with_an_irrational_kink():
    net = Network.from_lists("relu", [([["sqrt(2)"]], [-1]), ([[1]], [0])])  # kink at 1/sqrt(2)
    assert count_regions(net, Box.from_bounds([0], [1])) == 2
    assert count_regions(net, Box.from_bounds([0], [fmpq(7, 10)])) == 1  # 7/10 < 1/sqrt(2)
    assert count_regions(net, Box.from_bounds([0], [fmpq(71, 100)])) == 2  # 71/100 > 1/sqrt(2)


def test_planted_equivalence_is_decided_by_tier_d_with_a_checked_certificate():
    a = planted(R, SCALES)
    res = equivalent(a, R, tiers="d", certificate=True)
    assert res.equivalent is True and res.tier == "d"
    _certified(res)
    assert equivalent(a, R).equivalent is True  # all tiers


def test_a_non_equivalent_pair_has_an_exact_witness():
    b = planted(R, SCALES, extra="sqrt(2)/1000")
    res = equivalent(b, R, tiers="d", certificate=True)
    assert res.equivalent is False and res.tier == "d"
    x = res.witness
    assert all(isinstance(v, fmpq) for v in x) and forward_exact(b, x) != forward_exact(R, x)
    _certified(res)


def _duplicated():
    """A network with genuinely algebraic hyperplanes and a copy with one unit split in two halves."""
    w1 = [[1, "sqrt(2)"], ["sqrt(2)", -1], [1, 1], [-1, "sqrt(3)"]]
    b1 = [0, 1, "-sqrt(2)", 2]
    a = Network.from_lists("relu", [(w1, b1), ([[1, 2, -1, 1], ["sqrt(2)", 0, 1, -1]], [0, 1]), ([[1, -3]], [0])])
    b = Network.from_lists("relu", [(w1 + [w1[0]], b1 + [b1[0]]),
                                    ([["1/2", 2, -1, 1, "1/2"], ["sqrt(2)/2", 0, 1, -1, "sqrt(2)/2"]], [0, 1]),
                                    ([[1, -3]], [0])])
    return a, b


def test_region_tree_certificates_carry_field_numbers_and_tampering_fails():
    a, b = _duplicated()
    res = equivalent(a, b, tiers="d", certificate=True)
    assert res.equivalent is True
    cert = json.loads(json.dumps(res.certificate))
    evidence = cert["evidence"]
    assert evidence["field"]["polynomial"] == [1, 0, -10, 0, 1]  # Q(sqrt(2) + sqrt(3))
    assert check_certificate(cert).valid
    algebraic = [(node, f) for node in evidence["nodes"] for f in node.get("fix", [])
                 if f[4] and any(isinstance(y, list) for _i, y in f[4].get("y", []))]
    assert algebraic, "expected Farkas multipliers with irrational coordinates"
    bad = copy.deepcopy(cert)
    bad_fix = next(f for node in bad["evidence"]["nodes"] for f in node.get("fix", [])
                   if f[4] and any(isinstance(y, list) for _i, y in f[4].get("y", [])))
    entry = next(item for item in bad_fix[4]["y"] if isinstance(item[1], list))
    entry[1] = [str(fmpq(entry[1][0]) + 1) if isinstance(entry[1][0], str) else entry[1][0] + 1] + entry[1][1:]
    result = check_certificate(reseal(bad))
    assert not result.valid and "Farkas" in result.reason
    wrong_field = copy.deepcopy(cert)
    wrong_field["evidence"]["field"] = {"polynomial": [-2, 0, 1], "root_index": 1}
    result = check_certificate(reseal(wrong_field))
    assert not result.valid and "field" in result.reason


def test_leaf_maps_are_checked_in_the_field():
    a, b = _duplicated()
    cert = json.loads(json.dumps(equivalent(a, b, tiers="d", certificate=True).certificate))
    leaf = next(node["leaf"] for node in cert["evidence"]["nodes"] if "leaf" in node
                and any(isinstance(v, list) for v in node["leaf"]["map"]["weight"][0]))
    k = next(i for i, v in enumerate(leaf["map"]["weight"][0]) if isinstance(v, list))
    coords = leaf["map"]["weight"][0][k]
    coords[-1] = str(fmpq(coords[-1]) + fmpq(1, 3)) if isinstance(coords[-1], str) else coords[-1] + 1
    result = check_certificate(reseal(cert))
    assert not result.valid and "map" in result.reason


def test_compression_on_a_domain_removes_a_unit_never_active_there():
    # unit 2 of layer 2 reads relu(√2·x) − relu(x + 1) = (√2 − 1)·x − 1 < 0 on [0, 1], active for x > 1/(√2 − 1)
    net = Network.from_lists("relu", [([["sqrt(2)"], [1]], [0, 1]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 3]], [0])])
    on_box = compress(net, Box.from_bounds([0], [1]), certificate=True)
    assert on_box.exact_dead and on_box.removed_never_active == ((1, 1),)
    assert on_box.width_after == (2, 1)
    _certified(on_box)
    everywhere = compress(net, certificate=True)
    assert everywhere.exact_dead and everywhere.width_after == (2, 2)
    x = (fmpq(3),)  # 3 > 1/(√2 − 1) ≈ 2.414: the unit is active, so it must stay on R
    assert forward_exact(net, x) == forward_exact(everywhere.network, x)


def test_functional_dimension_is_invariant_under_algebraic_rescaling():
    a = planted(R, SCALES)
    fa, fr = functional_dimension(a), functional_dimension(R)
    assert fa.value == fr.value == 18 and fa.upper_bound == fr.upper_bound == 19
    assert fa.enumeration_complete and fa.decisive_points
    small = Network.from_lists("relu", [([[1, 0], [0, 1], [1, 1]], [0, 0, "-sqrt(2)"]), ([[1, 1, 0]], [0])])
    same = Network.from_lists("relu", [([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 0]], [0])])
    assert functional_dimension(small).value == functional_dimension(same).value == 8


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=12, max_size=12), st.permutations(list(SCALES)))
def test_random_planted_pairs(entries, scales):
    w1 = [entries[0:2], entries[2:4], entries[4:6]]
    if any(not any(row) for row in w1):
        return
    rational = Network.from_lists("relu", [(w1, entries[6:9]), ([entries[9:12]], [1])])
    alg = planted(rational, [s for s in scales if s != "1"][:2] + ["1"])
    assert count_regions(alg) == count_regions(rational)
    res = equivalent(alg, rational, tiers="d", certificate=True)
    assert res.equivalent is True
    _certified(res)
    assert not alg.is_rational  # at most one of the three scales is 1
    assert any(isinstance(v, RealAlgebraic) for v in alg.layers[0].weight[0] + alg.layers[0].weight[1])


def test_the_regular_representation_multiplies_the_rank_by_the_degree():
    from exactnet.linalg import field_rank
    from exactnet.linalg.modular import exact_rank, modular_rank
    from exactnet.numbers import exact_numbers
    from exactnet.relu.field_dimension import _multiplication_powers, reduce_row, reduction, regular_rows
    import random

    rnd = random.Random(7)
    texts = [f"{rnd.randint(-3, 3)} + {rnd.randint(-2, 2)}*sqrt(2) + {rnd.randint(-2, 2)}*sqrt(3)" for _ in range(12)]
    vals = exact_numbers(texts)
    field = next(v.field for v in vals if isinstance(v, RealAlgebraic))
    rows = [vals[0:4], vals[4:8], [a + b for a, b in zip(vals[0:4], vals[4:8])], vals[8:12]]
    k_rank = field_rank(rows, 4)
    assert k_rank == 3  # the third row is the sum of the first two
    d = field.degree
    phi = regular_rows(rows, _multiplication_powers(field), d)
    assert len(phi) == 4 * d and exact_rank(phi, 4 * d) == d * k_rank
    p, r = reduction(field, random.Random(1))
    images = [reduce_row(row, p, r) for row in rows]
    assert all(im is not None for im in images)
    assert modular_rank(images, 4, p) <= k_rank  # a ring homomorphism never raises the rank


def test_fdim_attained_is_certified_by_the_reduction():
    net = Network.from_lists("relu", [([[1, "sqrt(2)"], ["sqrt(2)", -1], [1, 1], [-1, "sqrt(3)"]],
                                       [0, 1, "-sqrt(2)", 2]), ([[1, 2, -1, 1]], [0])])
    res = functional_dimension(net)
    assert res.value == res.upper_bound == 13 and "reduction" in res.certified_by
    assert res.lower_bound == 13 and res.regions_in_basis <= res.regions_used


def test_malformed_field_numbers_are_refused_not_swallowed():
    import pytest

    from exactnet.certificates import MalformedCertificate

    a, b = _duplicated()
    cert = json.loads(json.dumps(equivalent(a, b, tiers="d", certificate=True).certificate))
    fix = next(f for node in cert["evidence"]["nodes"] for f in node.get("fix", [])
               if f[4] and any(isinstance(y, list) for _i, y in f[4].get("y", [])))
    entry = next(item for item in fix[4]["y"] if isinstance(item[1], list))
    entry[1] = entry[1] + [0, 0, 0]  # more coordinates than the degree 4
    with pytest.raises(MalformedCertificate, match="degree"):
        check_certificate(reseal(cert))
    # a field number in a certificate about rational networks
    r = Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0])])
    s = Network.from_lists("relu", [([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0])])
    res = equivalent(r, s, tiers="d", certificate=True)  # the second unit of layer 2 is dead
    rational = json.loads(json.dumps(res.certificate))
    assert res.equivalent is True and check_certificate(rational).valid
    assert "field" not in rational["evidence"]
    leaf = next(node["leaf"] for node in rational["evidence"]["nodes"] if "leaf" in node)
    leaf["map"]["bias"][0] = [leaf["map"]["bias"][0], 0]
    with pytest.raises(MalformedCertificate, match="rational"):
        check_certificate(reseal(rational))


def test_a_degree_nine_field_from_crootof_and_a_cube_root():
    a = planted(R, ("CRootOf(x**3 - x - 1, 0)", "1 + 2**(1/3)", "1", "CRootOf(x**3 - x - 1, 0)**2"))
    assert a.field.degree == 9
    assert count_regions(a) == count_regions(R)
    res = equivalent(a, R, tiers="d", certificate=True)
    assert res.equivalent is True
    _certified(res)
    assert functional_dimension(a).value == functional_dimension(R).value == 18
