"""Adversarial property tests for the certificate checkers: a certificate whose claim is false
never checks valid.

Valid certificates of every kind the product writes are produced by the deciders (ReLU
witness / canonical form / symmetry moves / three-layer mechanism moves / region tree, with and without domains, and the
``relu.compression`` certificate; tanh moves / witness / constant difference, tanh paths and
finite classes, tanh proximate-rank bounds). Hypothesis then mutates them — numbers anywhere,
moves, Farkas proofs, tree nodes, domains (including points, lines and empty sets), claims, the
networks themselves — with the digest dropped, so that the mathematics is what is tested. Each
mutated certificate that checks valid must have a true claim, decided independently by
:func:`oracle.claim_holds` (exact evaluation and the deciders, never the checker).
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import pytest
from flint import fmpq
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.check.oracle import claim_holds

from exactnet.certificates import MalformedCertificate, sealed
from exactnet.certificates.networks import compact_network_obj
from exactnet.check import check_certificate  # noqa: E402
from exactnet.network import Network, network_to_obj  # noqa: E402
from exactnet.network.domain import Box  # noqa: E402
from exactnet.numbers import json_loads_exact  # noqa: E402

#: the checks are cheap, so each property runs 5× the profile's example count (300 by default)
SLOW_OK = settings(max_examples=5 * settings.default.max_examples, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def relu(*layers):
    return Network.from_lists("relu", list(layers))


def tanh(*layers):
    return Network.from_lists("tanh", list(layers))


def plain(cert: dict) -> dict:
    """A JSON round trip (exact numbers kept) without the digest."""
    out = json_loads_exact(json.dumps(cert))
    out.pop("digest", None)
    return out


# ---------------------------------------------------------------------------------------------
# the pool of valid certificates (made by the deciders)
# ---------------------------------------------------------------------------------------------

I2 = [[1, 0], [0, 1]]
BOX2 = Box.from_bounds([-1, -1], [1, 1])


def _relu_pool() -> list:
    from exactnet.relu.compression import compress
    from exactnet.relu.equivalence import equivalent

    def eq(a, b, domain=None, **kw):
        res = equivalent(a, b, domain, certificate=True, **kw)
        assert res.certificate is not None, res.reason
        return res.certificate

    deep1 = relu((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
    deep1_mix = relu((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0]))
    hid_a = relu(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0]))
    hid_b = relu(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0]))
    mv_a = relu((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0]))
    mv_b = relu((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0]))
    sh_a = relu(([[1, 2], [-1, 1]], [1, 0]), ([[3, -2]], [5]))
    sh_b = relu(([[-2, 2], [2, 4]], [0, 2]), ([[-1, "3/2"]], [5]))
    sh_c = relu(([[1, 2], [-1, 1]], ["1001/1000", 0]), ([[3, -2]], [5]))
    # a first-layer unit dead on BOX2 (x1 - 5 < 0 there): tier (b) silences it by a Farkas proof
    dead_a = relu(([[1, 0], [0, 1], [1, 0]], [0, 0, -5]), ([[1, 1, 3], [1, -1, 2]], [0, 0]), ([[1, 1]], [0]))
    dead_b = relu(([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0]))
    one_a = relu(([[1]], [1]), ([[1]], [0]))
    one_b = relu(([[2]], [2]), ([["1/2"]], [0]))
    # tier (s): two hidden layers, bottleneck; a hide transfer (M3) and a flip/mixing chain
    e4 = relu(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0]))
    e4_t = relu(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0]))
    certs = [
        eq(deep1, deep1_mix),
        eq(deep1, deep1_mix, tiers="abcd"),
        eq(mv_a, mv_b, tiers="abcd"),
        eq(e4, e4_t),
        eq(mv_a, relu((I2, [0, 0]), ([[1, -1], [-1, 1]], ["1/2", -1]), ([[1, 7]], [0]))),
        eq(hid_a, hid_b, Box.from_bounds([-1], [3]), tiers="acd"),
        eq(hid_a, hid_b),
        eq(mv_a, mv_b),
        eq(sh_a, sh_b),
        eq(sh_a, sh_b, BOX2),
        eq(sh_a, sh_c),
        eq(sh_a, sh_c, BOX2),
        eq(dead_a, dead_b, BOX2),
        eq(dead_a, dead_b, BOX2, tiers="d"),
        eq(one_a, one_b, tiers="b"),
        eq(one_a, one_b, tiers="d"),
        eq(one_a, one_b, Box.from_bounds(["-1/2"], [2]), tiers="d"),
        eq(one_a, relu(([[1]], [0]), ([[1]], [1]))),
        compress(dead_a, BOX2, certificate=True, stable=False).certificate,
        # relu.stable_compression: bounds, a merge of dependent active units, a folded layer
        compress(relu(([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0]], [3, 3, 7, 0, -5]),
                      ([[1, 0, 0, 1, 1], [0, 1, 1, -1, 1], [1, 1, 1, 1, 1]], [0, 0, 0]), ([[1, 2, 5]], [0])),
                 BOX2, certificate=True).certificate,
    ]
    # the compact encoding of large networks (here forced on small ones): the same proofs, integer
    # numerators over one denominator per layer
    for i, nets in ((13, (dead_a, dead_b)), (14, (one_a, one_b))):  # a region tree (tier d), moves (tier b)
        certs.append({**certs[i], "networks": [compact_network_obj(n) for n in nets]})
    assert certs[-3]["kind"] == "relu.stable_compression"
    methods = {c["evidence"]["method"] for c in certs if c["kind"] == "relu.equivalence"}
    assert methods == {"witness", "canonical_form", "symmetry_moves", "region_tree", "three_layer_moves"}, methods
    return certs + _relu_difference_pool()


def _relu_difference_pool() -> list:
    from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate
    from exactnet.relu.max_difference import max_difference, within_epsilon

    a = relu(([[1, -1], [2, 1]], [0, "-1/2"]), ([[1, 1], [1, -2]], [0, 1]))
    b = relu(([[1, -1], [2, "11/10"]], [0, "-1/2"]), ([[1, 1], [1, -2]], [0, 1]))
    box = Box.from_bounds([0, 0], [1, 1])
    res = max_difference(a, b, box, certificate=True, box_splitting=False)
    within = within_epsilon(a, b, box, res.value, certificate=True, box_splitting=False)
    # box_split evidence with splits, bounds and region-tree leaves (2-6-6-3 pairs on [-1, 1]^2)
    from exactnet.relu.top1 import top1_equivalent
    from tests.check.box_split_pairs import BOX as SQ, pair, top1_pair

    sa, sb = pair(0)
    split = max_difference(sa, sb, SQ, certificate=True)
    split_within = within_epsilon(sa, sb, SQ, split.value, certificate=True)
    ta, tb = top1_pair(2)
    split_same = top1_equivalent(ta, tb, SQ, certificate=True)
    for r in (split, split_within):
        assert r.certificate_boxes is not None and any("leaf" in nd for nd in r.certificate_boxes)
    # top-1 of this pair is closed by back-substituted class bounds (``"method": "backsub"`` payloads)
    assert split_same.certificate_boxes is not None and "backsub" in str(split_same.certificate_boxes)
    eps = res.value / 2
    witness = within_epsilon(a, b, box, eps)
    from exactnet.relu.certificates import top1_certificate
    from exactnet.relu.top1 import top1_equivalent

    c3 = relu(([[1, -1], [2, 1]], [0, "-1/2"]), ([[1, 1], [1, -2], [0, 1]], [0, 1, "1/2"]))
    c3b = relu(([[1, -1], [2, "11/10"]], [0, "-1/2"]), ([[1, 1], [1, -2], [0, 1]], [0, 1, "1/2"]))
    same = top1_equivalent(c3, c3, box, certificate=True, box_splitting=False)
    differ = top1_equivalent(c3, c3b, Box.from_bounds([-1, -1], [1, 1]))
    assert same.equivalent is True and differ.equivalent is False
    return [
        top1_certificate(c3, c3, box, True, nodes=same.certificate_nodes),
        top1_certificate(c3, c3b, Box.from_bounds([-1, -1], [1, 1]), False, witness=differ.witness),
        max_difference_certificate(a, b, box, res.value, res.per_output, res.per_output_argmax, res.certificate_nodes),
        epsilon_certificate(a, b, box, res.value, True, nodes=within.certificate_nodes),
        epsilon_certificate(a, b, box, eps, False, witness=witness.argmax),
        max_difference_certificate(sa, sb, SQ, split.value, split.per_output, split.per_output_argmax, None,
                                   boxes=split.certificate_boxes),
        epsilon_certificate(sa, sb, SQ, split.value, True, boxes=split_within.certificate_boxes),
        top1_certificate(ta, tb, SQ, True, boxes=split_same.certificate_boxes),
    ] + _relu_difference_domains_pool(a, b, c3, c3b) + _relu_field_difference_pool()


def _relu_field_difference_pool() -> list:
    """Real algebraic weights: ``field_region_tree`` (maximum in both norms, within ε),
    ``field_enumeration`` (a finite domain) and ``field_witness``. The
    maximum is rational (2, at (1, 0)) so that the oracle compares claims exactly; the tree's
    multipliers and cell values are field numbers (power-basis coordinates)."""
    from exactnet.relu.certificates import field_epsilon_certificate, field_max_difference_certificate
    from exactnet.relu.max_difference import max_difference, within_epsilon

    hidden = [[1, "sqrt(2)"], ["sqrt(2)", -1]]
    a = relu((hidden, [0, 1]), ([[1, 2]], [0]))
    b = relu((hidden, [0, 1]), ([[1, "2*sqrt(2)"]], [0]))
    box = Box.from_bounds([0, 0], [1, 1])
    res = max_difference(a, b, box, certificate=True)
    yes = within_epsilon(a, b, box, 2, certificate=True)
    no = within_epsilon(a, b, box, fmpq(199, 100))
    one = max_difference(a, b, box, norm="1", certificate=True)
    from exactnet.network.finite_domain import FiniteDomain

    corners = FiniteDomain.product([[0, 1], [0, 1]])  # |d| = 2 at (1, 0), 2√2 − 2 at (0, 0)
    fin = max_difference(a, b, corners)
    assert res.value == 2 and yes.within is True and no.within is False and one.value == 2 and fin.value == 2
    from exactnet.relu.certificates import field_top1_certificate
    from exactnet.relu.top1 import top1_equivalent

    c = relu(([[1, 0], [-1, 0]], [0, 0]), ([[1, -1], [0, 0]], [0, 0]))  # (x, 0) and (√2·x, 0): ties on x = 0
    d = relu(([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, 0]))
    e = relu(([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, "1/1000"]))
    sq = Box.from_bounds([-1, -1], [1, 1])
    same, differ = top1_equivalent(c, d, sq, certificate=True), top1_equivalent(c, e, sq)
    assert same.equivalent is True and differ.equivalent is False
    return [
        field_top1_certificate(c, d, sq, True, nodes=same.certificate_nodes),
        field_top1_certificate(c, e, sq, False, witness=differ.witness),
        field_top1_certificate(c, d, corners, True),
        field_max_difference_certificate(a, b, box, res.value, res.per_output, res.per_output_argmax,
                                         res.certificate_nodes),
        field_max_difference_certificate(a, b, box, one.value, None, None, one.certificate_nodes, norm="1",
                                         argmax=one.argmax),
        field_max_difference_certificate(a, b, corners, fin.value, fin.per_output, fin.per_output_argmax, None),
        field_epsilon_certificate(a, b, corners, fmpq(2), True),
        field_epsilon_certificate(a, b, box, fmpq(2), True, nodes=yes.certificate_nodes),
        field_epsilon_certificate(a, b, box, fmpq(199, 100), False, witness=no.argmax),
    ]


def _relu_difference_domains_pool(a, b, c3, c3b) -> list:
    """Difference certificates on a polyhedron (region trees) and on finite domains (enumeration,
    sup norm and 1-norm)."""
    from exactnet.network.domain import Polyhedron
    from exactnet.network.finite_domain import FiniteDomain
    from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate, top1_certificate
    from exactnet.relu.max_difference import max_difference, within_epsilon
    from exactnet.relu.top1 import top1_equivalent

    q = fmpq
    tri = Polyhedron(A=((q(1), q(1)), (q(-1), q(0)), (q(0), q(-1))), b=(q(1), q(0), q(0)), dim=2)
    res = max_difference(a, b, tri, certificate=True)
    same = top1_equivalent(c3, c3, tri, certificate=True)
    fin = FiniteDomain.product([[0, q(1, 2), 1], [-1, 0, 1]])
    inf = max_difference(a, b, fin)
    one = max_difference(a, b, fin, norm="1")
    assert same.equivalent is True and top1_equivalent(c3, c3b, fin).equivalent is True
    # a segment of the line x_0 = x_1 (no interior: the tree runs on its affine hull)
    seg = Polyhedron(A=((q(1), q(-1)), (q(-1), q(1)), (q(1), q(0)), (q(-1), q(0))), b=(q(0), q(0), q(1), q(0)), dim=2)
    on = max_difference(a, b, seg, certificate=True)
    assert on.affine_hull is not None and on.affine_hull.dim == 1
    # certified pruning: subtrees closed by interval bounds (a 2-6-6-2 pair on the unit square)
    from tests.check.test_relu_difference_pruned import _pair

    pa, pb = _pair([2, 6, 6, 2], 1)
    sq = Box.from_bounds([0, 0], [1, 1])
    closed = max_difference(pa, pb, sq, certificate=True, box_splitting=False)
    assert any("leaf" not in nd and "split" not in nd for nd in closed.certificate_nodes)
    eps_closed = within_epsilon(pa, pb, sq, closed.value * 2, certificate=True, box_splitting=False)
    # 1-norm: output-sign fixes and splits below the units
    one_tree = max_difference(a, b, BOX2, norm="1", certificate=True)
    assert any("sign_fix" in nd or "sign_split" in nd for nd in one_tree.certificate_nodes)
    # a union: one tree per part
    from exactnet.network.domain_union import PolyhedronUnion

    union = PolyhedronUnion((tri, Box.from_bounds([q(1, 2), -1], [1, 0])))
    forest = max_difference(a, b, union, certificate=True)
    return [
        max_difference_certificate(a, b, union, forest.value, forest.per_output, forest.per_output_argmax,
                                   forest.certificate_nodes, roots=forest.certificate_roots),
        max_difference_certificate(a, b, BOX2, one_tree.value, None, None, one_tree.certificate_nodes, norm="1",
                                   argmax=one_tree.argmax),
        max_difference_certificate(pa, pb, sq, closed.value, closed.per_output, closed.per_output_argmax,
                                   closed.certificate_nodes),
        epsilon_certificate(pa, pb, sq, closed.value * 2, True, nodes=eps_closed.certificate_nodes),
        max_difference_certificate(a, b, seg, on.value, on.per_output, on.per_output_argmax, on.certificate_nodes,
                                   affine_hull=on.affine_hull),
        max_difference_certificate(a, b, tri, res.value, res.per_output, res.per_output_argmax, res.certificate_nodes),
        max_difference_certificate(a, b, fin, inf.value, inf.per_output, inf.per_output_argmax, None),
        max_difference_certificate(a, b, fin, one.value, None, None, None, norm="1", argmax=one.argmax),
        epsilon_certificate(a, b, fin, one.value, True, norm="1"),
        top1_certificate(c3, c3b, fin, True),
        top1_certificate(c3, c3, tri, True, nodes=same.certificate_nodes),
    ]


def _tanh_pool() -> list:
    from exactnet.tanh.certificates import equivalence_certificate
    from exactnet.tanh.equivalence import equivalent as tanh_equivalent
    from exactnet.tanh.certificates import path_certificate
    from exactnet.tanh.paths import path
    from exactnet.tanh.proximate_rank import prank
    from exactnet.tanh.certificates import proximate_rank_certificate

    def eq(a, b, domain=None):
        return equivalence_certificate(tanh_equivalent(a, b, domain=domain))

    moves_a = tanh(([[1, 0], [0, "1/2"], [-1, 0], [0, 0], [2, 1]], [1, "1/3", -1, "1/2", 0]),
                   ([[1, 2, 1, "1/5", 3], [0, 1, 0, 2, 1]], ["1/7", -1]))
    moves_b = tanh(([[2, 1], [0, 0], [0, "-1/2"], [2, 1]], [0, "1/2", "-1/3", 0]),
                   ([[2, "1/5", -2, 1], [1, 2, -1, 0]], ["1/7", -1]))
    wit_a = tanh(([[1], [2]], ["1/2", 0]), ([[1, "3/2"]], ["1/3"]))
    wit_b = tanh(([[1], [2]], ["1/2", "1/9"]), ([[1, "3/2"]], ["1/3"]))
    con_a = tanh(([[1], [0]], ["1/2", "1/3"]), ([[1, 2]], ["1/3"]))
    con_b = tanh(([[1], [0]], ["1/2", "1/4"]), ([[1, 2]], ["1/3"]))
    path_a = tanh(([[1, 0], [0, 0], [-1, 0], [0, "1/2"], [2, 1]], [1, "1/3", -1, "1/2", 0]),
                  ([[1, 2, -1, 0, 3], [0, 1, 1, 0, 1]], ["1/7", -1]))
    path_b = tanh(([[0, 0], [-2, -1], [1, 0], [1, 0], [3, 3]], ["-1/3", 0, 1, 1, 1]),
                  ([[-2, -3, 1, 1, 0], [-1, -1, 0, -1, 0]], ["1/7", -1]))
    fin_a = tanh(([[1], [2]], [0, 1]), ([[1, 3]], [0]))
    fin_b = tanh(([[-2], [1]], [-1, 0]), ([[-3, 1]], [0]))
    near = tanh(([[1], ["11/10"], [-2]], [0, "1/10", 1]), ([[1, "1/2", "3/4"]], [0]))
    box1 = Box.from_bounds([-1], [2])
    certs = [
        eq(moves_a, moves_b),
        eq(wit_a, wit_b),
        eq(wit_a, wit_b, box1),
        eq(con_a, con_b),
        eq(con_a, con_b, box1),
        path_certificate(path(path_a, path_b)),
        path_certificate(path(fin_a, fin_b)),
        proximate_rank_certificate(prank(near, fmpq(1, 5))),
        proximate_rank_certificate(prank(near, fmpq(0))),
    ]
    kinds = {(c["kind"], c["evidence"]["type"]) for c in certs}
    assert len(kinds) == 6, kinds
    return certs + [_tanh_enclosure_certificate()]


def _tanh_enclosure_certificate() -> dict:
    """``tanh.max_difference_enclosure`` of a pair differing in one first-layer weight."""
    from exactnet.tanh.difference_certificate import enclosure_certificate, enclosure_cover
    from exactnet.tanh.max_difference import max_difference_enclosure

    q = fmpq
    a = tanh(([[1, -1], [q(1, 2), 2]], [0, q(1, 4)]), ([[1, -2], [q(1, 3), 1]], [0, q(1, 5)]))
    b = tanh(([[1, -1], [q(1, 2), q(21, 10)]], [0, q(1, 4)]), ([[1, -2], [q(1, 3), 1]], [0, q(1, 5)]))
    res = max_difference_enclosure(a, b, BOX2, q(1, 100))
    return enclosure_certificate(a, b, BOX2, res, enclosure_cover(a, b, BOX2, res.upper))


POOL_SIZE = 60


@lru_cache(maxsize=None)
def pool() -> tuple:
    certs = [plain(c) for c in _relu_pool() + _tanh_pool()]
    for c in certs:
        result = check_certificate(c)
        assert result.valid, result.reason
    return tuple(json.dumps(c) for c in certs)


@pytest.fixture(scope="module", autouse=True)
def _pool_built_before_any_given():
    """Build the pool before the first test: building it imports test modules whose own ``@given``
    tests would otherwise be defined inside a running ``@given`` example (Hypothesis refuses nested
    ``@given`` when, say, ``-k mutated_relu`` selects a property test first)."""
    pool()


def fresh(index: int) -> dict:
    return json_loads_exact(pool()[index])


# ---------------------------------------------------------------------------------------------
# mutations
# ---------------------------------------------------------------------------------------------

NAMES = {"format", "kind", "activation", "method", "op", "move", "type", "class", "kinds", "tier"}


def all_paths(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in NAMES:
                yield from all_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from all_paths(v, path + (i,))


def get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def put(obj, path, value):
    get(obj, path[:-1])[path[-1]] = value


def _as_q(v):
    try:
        return fmpq(int(v)) if isinstance(v, int) else fmpq(*map(int, str(v).split("/")))
    except (TypeError, ValueError):
        return None


def _text(q: fmpq):
    return int(q.p) if q.q == 1 else f"{q.p}/{q.q}"


NUMBER_EDITS = {
    "plus1": lambda q: q + 1,
    "minus1": lambda q: q - 1,
    "neg": lambda q: -q,
    "zero": lambda q: fmpq(0),
    "half": lambda q: q / 2,
    "double": lambda q: 2 * q,
    "tiny": lambda q: q + fmpq(1, 1000),
}


def edit_number(data, cert):
    paths = [p for p in all_paths(cert) if p and _as_q(get(cert, p)) is not None
             and not isinstance(get(cert, p), bool)]
    if not paths:
        return "no number"
    path = data.draw(st.sampled_from(paths))
    name = data.draw(st.sampled_from(sorted(NUMBER_EDITS) + ["sqrt2"]))
    value = get(cert, path)
    new = "sqrt(2)" if name == "sqrt2" else NUMBER_EDITS[name](_as_q(value))
    if not isinstance(new, str):
        new = int(new.p) if isinstance(value, int) and new.q == 1 else _text(new)
    put(cert, path, new)
    return f"number {name}"


def edit_structure(data, cert):
    lists = [p for p in all_paths(cert) if isinstance(get(cert, p), list) and get(cert, p)]
    path = data.draw(st.sampled_from(lists))
    items = get(cert, path)
    i = data.draw(st.integers(0, len(items) - 1))
    how = data.draw(st.sampled_from(["delete", "duplicate", "swap", "reverse"]))
    if how == "delete":
        del items[i]
    elif how == "duplicate":
        items.insert(i, copy.deepcopy(items[i]))
    elif how == "swap":
        j = data.draw(st.integers(0, len(items) - 1))
        items[i], items[j] = items[j], items[i]
    else:
        items.reverse()
    return f"list {how}"


def edit_farkas(data, cert):
    """Every explicit Farkas ``t`` (tree fixes, silence moves, domain keys) set to 0 or to -1."""
    value = data.draw(st.sampled_from([0, -1, "1/2"]))
    hits = 0
    for p in list(all_paths(cert)):
        if p and p[-1] == "t":
            put(cert, p, value)
            hits += 1
    return f"farkas t={value}" if hits else "no farkas"


def _point_domain(point):
    n = len(point)
    rows, rhs = [], []
    for i, v in enumerate(point):
        e = [0] * n
        e[i] = 1
        rows.append(list(e))
        rhs.append(v)
        rows.append([-x for x in e])
        rhs.append(_text(-_as_q(v)))
    return {"A": rows, "b": rhs}


def _relu_domains(data, n):
    small = st.integers(-3, 3)
    choices = [None, "point", "hyperplane", "segment", "empty", "box", "halfspace"]
    which = data.draw(st.sampled_from(choices))
    if which is None:
        return None
    if which == "point":
        return _point_domain([data.draw(small) for _ in range(n)])
    if which == "empty":
        return {"A": [[1] + [0] * (n - 1), [-1] + [0] * (n - 1)], "b": [-1, -1]}
    if which == "box":
        lo = [data.draw(small) for _ in range(n)]
        return {"lower": lo, "upper": [v + data.draw(st.integers(1, 3)) for v in lo]}
    normal = [data.draw(small) for _ in range(n)]
    if not any(normal):
        normal[0] = 1
    c = data.draw(small)
    if which == "halfspace":
        return {"A": [normal], "b": [c]}
    dom = {"A": [normal, [-v for v in normal]], "b": [c, -c]}  # the hyperplane normal·x = c
    if which == "segment":
        dom["A"] += [[1] * n, [-1] * n]
        dom["b"] += [2, 2]
    return dom


def _difference_domains(data, n):
    """The domains of :func:`_relu_domains`, finite sets, and the norm's other value."""
    which = data.draw(st.sampled_from(["polyhedral", "finite", "finite_cube"]))
    if which == "finite":
        return {"finite": [data.draw(st.lists(st.integers(-2, 2), min_size=1, max_size=3)) for _ in range(n)]}
    if which == "finite_cube":
        return {"finite": data.draw(st.lists(st.sampled_from([-1, "-1/2", 0, "1/2", 1]), min_size=1, max_size=3)),
                "dim": n}
    dom = _relu_domains(data, n)
    return dom if dom is not None else {"lower": [0] * n, "upper": [1] * n}


def edit_claim(data, cert):
    kind, claim = cert["kind"], cert["claim"]
    try:
        n = len(cert["networks"][0]["layers"][0]["weight"][0]) or 1
    except (IndexError, KeyError, TypeError):
        n = 1
    if kind == "relu.equivalence":
        how = data.draw(st.sampled_from(["flip", "domain", "domain", "tier"]))
        if how == "flip":
            claim["equivalent"] = claim.get("equivalent") is not True
        elif how == "domain":
            claim["domain"] = _relu_domains(data, n)
        else:
            claim["tier"] = data.draw(st.sampled_from(["a", "b", "c", "d"]))
        return f"claim {how}"
    if kind == "relu.stable_compression":
        how = data.draw(st.sampled_from(["flip", "box", "box"]))
        if how == "flip":
            claim["equal_on_domain"] = claim.get("equal_on_domain") is not True
        else:
            lo = data.draw(st.integers(-3, 3))
            claim["domain"] = {"lower": [lo] * n, "upper": [lo + data.draw(st.integers(1, 3))] * n}
        return f"claim {how}"
    if kind == "tanh.equivalence":
        how = data.draw(st.sampled_from(["flip", "box", "empty", "point", "none"]))
        if how == "flip":
            claim["equivalent"] = claim.get("equivalent") is not True
        elif how == "box":
            lo = data.draw(st.integers(-3, 3))
            claim["domain"] = {"lower": [lo] * n, "upper": [lo + data.draw(st.integers(1, 3))] * n}
        elif how == "empty":
            claim["domain"] = {"lower": [1] * n, "upper": [-1] * n}
        elif how == "point":
            claim["domain"] = {"lower": [0] * n, "upper": [0] * n}
        else:
            claim.pop("domain", None)
        return f"claim {how}"
    if kind == "tanh.path":
        claim["path_exists"] = claim.get("path_exists") is not True
        if claim["path_exists"]:
            claim["segments"] = data.draw(st.integers(0, 3))
        else:
            claim.pop("segments", None)
        return "claim flip"
    if kind == "relu.max_difference":
        how = data.draw(st.sampled_from(["value", "output", "box", "norm"]))
        if how == "value":
            claim["max_abs_difference"] = data.draw(st.sampled_from([0, "1/100", "1/10", 1]))
        elif how == "output" and isinstance(claim.get("per_output"), list) and claim["per_output"]:
            claim["per_output"][0] = data.draw(st.sampled_from([0, "1/1000", "1/10", 1]))
        elif how == "norm":
            claim["norm"] = "1" if claim.get("norm") == "inf" else "inf"
        else:
            claim["domain"] = _difference_domains(data, n)
        return f"claim {how}"
    if kind == "relu.top1":
        how = data.draw(st.sampled_from(["flip", "box"]))
        if how == "flip":
            claim["top1_equivalent"] = claim.get("top1_equivalent") is not True
        else:
            claim["domain"] = _difference_domains(data, n)
        return f"claim {how}"
    if kind == "relu.epsilon":
        how = data.draw(st.sampled_from(["flip", "eps", "box", "norm"]))
        if how == "flip":
            claim["within"] = claim.get("within") is not True
        elif how == "eps":
            claim["eps"] = data.draw(st.sampled_from([0, "1/1000", "1/100", "1/10", 1]))
        elif how == "norm":
            claim["norm"] = "1" if claim.get("norm") == "inf" else "inf"
        else:
            claim["domain"] = _difference_domains(data, n)
        return f"claim {how}"
    if kind == "tanh.max_difference_enclosure":
        how = data.draw(st.sampled_from(["lower", "upper", "box"]))
        if how == "box":
            lo = data.draw(st.integers(-3, 0))
            claim["domain"] = {"lower": [lo] * n, "upper": [lo + data.draw(st.integers(1, 4))] * n}
        else:
            claim[how] = data.draw(st.sampled_from([0, "1/1000", "1/100", "1/10", 1]))
        return f"claim {how}"
    how = data.draw(st.sampled_from(["eps", "rank"]))
    if how == "eps":
        claim["eps"] = data.draw(st.sampled_from([0, "1/100", "1/10", "1/2", 2]))
    else:
        r = claim["proximate_rank_at_most"]
        r = r if isinstance(r, int) and not isinstance(r, bool) else 1
        claim["proximate_rank_at_most"] = max(0, r + data.draw(st.sampled_from([-1, 1])))
    return f"claim {how}"


def edit_bounded(data, cert):
    """Difference trees: claim interval bounds on a node (all targets, or one more), or turn a
    split node into a closed one (its children become unreachable)."""
    nodes = cert.get("evidence", {}).get("nodes")
    if cert.get("kind") not in ("relu.max_difference", "relu.epsilon") or not isinstance(nodes, list) or not nodes:
        return "no bounded"
    idx = data.draw(st.integers(0, len(nodes) - 1))
    node = nodes[idx]
    if not isinstance(node, dict):
        return "no bounded"
    m = len(cert["networks"][0]["layers"][-1]["bias"])
    how = data.draw(st.sampled_from(["all", "one", "close"]))
    if how == "one":
        node.setdefault("bounded", []).append(data.draw(st.integers(0, 2 * m - 1)))
    else:
        node["bounded"] = list(range(2 * m))
        if how == "close":
            node.pop("split", None)
            node.pop("children", None)
            node.pop("leaf", None)
    return f"bounded {how}"


def edit_networks(data, cert):
    if len(cert["networks"]) != 2:
        return "no networks"
    a, b = cert["networks"]
    how = data.draw(st.sampled_from(["swap", "a=b", "b=a"]))
    cert["networks"] = {"swap": [b, a], "a=b": [b, b], "b=a": [a, a]}[how]
    return f"networks {how}"


def edit_boxes(data, cert):
    """``box_split`` evidence: move a cut (inside or outside its box), drop a leaf's region tree or a
    bound, change a bound's rounding bits, or close a split or leaf node (its subtree unreachable)."""
    boxes = cert.get("evidence", {}).get("boxes")
    if not isinstance(boxes, list) or not boxes:
        return "no boxes"
    node = boxes[data.draw(st.integers(0, len(boxes) - 1))]
    if not isinstance(node, dict):
        return "no boxes"
    how = data.draw(st.sampled_from(["cut", "leaf", "bound", "bits", "close"]))
    if how == "cut" and isinstance(node.get("split"), list) and len(node["split"]) == 2:
        node["split"][1] = data.draw(st.sampled_from(["-1", "0", "1/8", "1/3", "1/2", "2/3", "1", "3/2"]))
    elif how == "leaf":
        node.pop("leaf", None)
    elif how == "bound":
        node.pop("bound", None)
    elif how == "bits" and isinstance(node.get("bound"), dict):
        node["bound"]["bits"] = data.draw(st.sampled_from([2, 8, 39, 41, 200]))
    elif how == "close":
        for key in ("split", "children", "leaf"):
            node.pop(key, None)
        node["bound"] = {"method": "box_difference_forms", "bits": 40}
    return f"boxes {how}"


EDITS = {"number": edit_number, "structure": edit_structure, "farkas": edit_farkas, "claim": edit_claim,
         "networks": edit_networks, "bounded": edit_bounded, "boxes": edit_boxes}


def check_mutated(cert, label):
    try:
        result = check_certificate(cert)
    except MalformedCertificate:
        event("malformed")
        return
    if not result.valid:
        event("invalid")
        return
    truth = claim_holds(copy.deepcopy(cert))
    event(f"valid (claim {truth})")
    assert truth is not False, (label, result.reason, cert)


def mutate_and_check(data, prefix):
    index = data.draw(st.sampled_from(_indices(prefix)))
    cert = fresh(index)
    labels = [f"pool {index}"]
    for _ in range(data.draw(st.integers(1, 3))):
        labels.append(data.draw(st.sampled_from(sorted(EDITS)).map(lambda k: EDITS[k]))(data, cert))
    check_mutated(cert, labels)


@lru_cache(maxsize=None)
def _indices(prefix):
    return [i for i, c in enumerate(map(json.loads, pool())) if c["kind"].startswith(prefix)]


def test_pool_covers_every_kind_and_the_oracle_agrees():
    """Each pool certificate is valid, its claim holds, and flipping the claim makes it false."""
    seen = set()
    for i in range(len(pool())):
        cert = fresh(i)
        seen.add((cert["kind"], cert["evidence"].get("method") or cert["evidence"].get("type")))
        assert claim_holds(copy.deepcopy(cert)) is True, cert["kind"]
        flipped = copy.deepcopy(cert)
        key = {"relu.equivalence": "equivalent", "tanh.equivalence": "equivalent", "tanh.path": "path_exists",
               "relu.epsilon": "within", "relu.top1": "top1_equivalent",
               "relu.stable_compression": "equal_on_domain"}
        if cert["kind"] in key:
            flipped["claim"][key[cert["kind"]]] = not flipped["claim"][key[cert["kind"]]]
        elif cert["kind"] == "tanh.max_difference_enclosure":
            flipped["claim"]["upper"] = str(fmpq(flipped["claim"]["lower"]) / 2)
            flipped["claim"]["lower"] = "0"
        elif cert["kind"] == "relu.max_difference" and flipped["claim"]["per_output"] is None:
            flipped["claim"]["max_abs_difference"] = str(fmpq(flipped["claim"]["max_abs_difference"]) + 1)
        elif cert["kind"] == "relu.max_difference":
            flipped["claim"]["per_output"][0] = str(fmpq(flipped["claim"]["per_output"][0]) + 1)
        else:
            flipped["claim"]["proximate_rank_at_most"] -= 1
        if cert["kind"] != "tanh.proximate_rank" or flipped["claim"]["proximate_rank_at_most"] >= 0:
            assert claim_holds(flipped) is False, cert["kind"]
    assert len(seen) == 32, seen
    assert len(pool()) == POOL_SIZE


@SLOW_OK
@given(data=st.data())
def test_mutated_relu_certificates(data):
    mutate_and_check(data, "relu.")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_box_split_certificates(data):
    """``box_split`` evidence under its own edits (cuts moved, leaves, bounds and bits dropped or
    changed, subtrees closed) and number edits: a valid result always has a true claim (oracle)."""
    indices = [i for i, c in enumerate(map(json.loads, pool())) if c["evidence"].get("method") == "box_split"]
    index = data.draw(st.sampled_from(indices))
    cert = fresh(index)
    labels = [f"pool {index}"]
    for _ in range(data.draw(st.integers(1, 3))):
        edit = data.draw(st.sampled_from([edit_boxes, edit_boxes, edit_number]))
        labels.append(edit(data, cert))
    check_mutated(cert, labels)


@SLOW_OK
@given(data=st.data())
def test_mutated_tanh_certificates(data):
    mutate_and_check(data, "tanh.")


@pytest.fixture(scope="module")
def field_indices():
    """The pool's algebraic entries (the pool is built here, outside Hypothesis: building it imports
    test modules that define Hypothesis tests)."""
    return _field_indices()


@SLOW_OK
@given(data=st.data())
def test_mutated_field_difference_certificates(field_indices, data):
    """The certificates of algebraic maximum differences alone (``-k field``: the pool's other
    entries are mutated by the tests above)."""
    index = data.draw(st.sampled_from(field_indices))
    cert = fresh(index)
    labels = [f"pool {index}"]
    for _ in range(data.draw(st.integers(1, 3))):
        labels.append(data.draw(st.sampled_from(sorted(EDITS)).map(lambda k: EDITS[k]))(data, cert))
    check_mutated(cert, labels)


@lru_cache(maxsize=None)
def _field_indices():
    return [i for i, c in enumerate(map(json.loads, pool())) if str(c["evidence"].get("method")).startswith("field_")]


# ---------------------------------------------------------------------------------------------
# targeted constructions: silence moves and sign fixes on domains without interior
# ---------------------------------------------------------------------------------------------


@st.composite
def relu_nets(draw, n):
    ints = st.integers(-2, 2)
    h1, h2 = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    layers = [([[draw(ints) for _ in range(n)] for _ in range(h1)], [draw(ints) for _ in range(h1)]),
              ([[draw(ints) for _ in range(h1)] for _ in range(h2)], [draw(ints) for _ in range(h2)]),
              ([[draw(ints) for _ in range(h2)]], [draw(ints)])]
    return layers


@SLOW_OK
@given(data=st.data())
def test_silenced_units_on_degenerate_domains(data):
    """B is A with some first-layer units' outgoing weights zeroed; the certificate silences them
    with Farkas proofs that are valid *only* with ``t = 0`` (the domain is a point, a hyperplane
    or a segment, so the two equality rows sum to zero). A valid check needs a true claim."""
    n = data.draw(st.integers(1, 2))
    layers = data.draw(relu_nets(n))
    silenced = data.draw(st.sets(st.integers(0, len(layers[0][0]) - 1), min_size=1))
    b_layers = copy.deepcopy(layers)
    for row in b_layers[1][0]:
        for j in silenced:
            row[j] = 0
    a, b = relu(*layers), relu(*b_layers)
    domain = data.draw(st.sampled_from(["point", "hyperplane", "segment"]))
    dom = _point_domain([data.draw(st.integers(-2, 2)) for _ in range(n)]) if domain == "point" else None
    if dom is None:
        dom = _relu_domains_fixed(data, n, domain)
    t = data.draw(st.sampled_from([0, 0, 1]))
    proof = {"kind": "farkas", "y": [[0, 1], [1, 1]], "t": t}
    moves = [{"op": "silence", "layer": 0, "unit": j, "proof": proof} for j in sorted(silenced)]
    method = data.draw(st.sampled_from(["symmetry_moves", "region_tree"]))
    evidence = {"method": method, "moves": [moves, []]}
    if method == "region_tree":
        evidence["nodes"] = [{"fix": [], "leaf": {"point": [0] * n, "map": {"weight": [[0] * n], "bias": [0]}}}]
    cert = {"format": "exactnet.certificate/1", "kind": "relu.equivalence",
            "claim": {"equivalent": True, "domain": dom, "tier": "b" if method == "symmetry_moves" else "d"},
            "networks": [network_to_obj(a), network_to_obj(b)], "evidence": evidence}
    check_mutated(plain(cert), ["degenerate silence", domain, t])


def _relu_domains_fixed(data, n, which):
    normal = [data.draw(st.integers(-2, 2)) for _ in range(n)]
    if not any(normal):
        normal[0] = 1
    c = data.draw(st.integers(-2, 2))
    dom = {"A": [normal, [-v for v in normal]], "b": [c, -c]}
    if which == "segment":
        dom["A"] += [[1] * n, [-1] * n]
        dom["b"] += [2, 2]
    return dom


def test_the_issue_example_is_rejected():
    """A(x) = relu(x + 1), B = 0, on {0} and on the line x2 = 0: tier-b silence with t = 0."""
    for n, dom in ((1, {"A": [[1], [-1]], "b": [0, 0]}), (2, {"A": [[0, 1], [0, -1]], "b": [0, 0]})):
        a = relu(([[1] + [0] * (n - 1)], [1]), ([[1]], [0]))
        b = relu(([[0] * n], [0]), ([[0]], [0]))
        moves = [{"op": "silence", "layer": 0, "unit": 0, "proof": {"kind": "farkas", "y": [[0, 1], [1, 1]], "t": 0}},
                 {"op": "blank", "layer": 0, "unit": 0}]
        cert = {"format": "exactnet.certificate/1", "kind": "relu.equivalence",
                "claim": {"equivalent": True, "domain": dom, "tier": "b"},
                "networks": [network_to_obj(a), network_to_obj(b)],
                "evidence": {"method": "symmetry_moves", "moves": [moves, []]}}
        assert claim_holds(copy.deepcopy(cert)) is False  # A(0) = 1 ≠ 0 = B(0)
        result = check_certificate(sealed(cert))
        assert not result.valid and "Farkas" in result.reason


@pytest.mark.parametrize("index", range(3))
def test_digest_does_not_rescue_a_false_claim(index):
    """Resealing a mutated certificate (a forger can recompute the hash) changes nothing."""
    cert = fresh(index)
    cert["claim"]["equivalent"] = not cert["claim"]["equivalent"]
    assert claim_holds(copy.deepcopy(cert)) is False
    assert not check_certificate(sealed(cert)).valid
