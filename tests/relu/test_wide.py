"""Wide networks (issue 16 item 4): the near-linear normal form, batched normalize moves, the
checker's batched replay, and the planted pairs of the benchmark decided with checked certificates."""

from __future__ import annotations

import json
import random

import numpy as np
from flint import fmpq
from hypothesis import given, settings

from exactnet.check import check_certificate
from exactnet.network import Layer, Network
from exactnet.relu.equivalence import equivalent
from exactnet.relu.moves import EditableNetwork, Move, MoveError, apply, normalize_units, proportional
from exactnet.relu.normal_form import _merge_pairs, normal_form
from exactnet.relu.sampling import gaussian_network

from .nets import random_moves, random_net, same_on_points, seeds


def _planted(net: Network, rnd: random.Random, split: bool = True) -> Network:
    """Permute and rescale (powers of two) every hidden layer; optionally split one unit of each
    hidden layer into two positively proportional copies sharing its outgoing weights."""
    Ws = [[list(r) for r in L.weight] for L in net.layers]
    bs = [list(L.bias) for L in net.layers]
    for h in range(len(Ws) - 1):
        n = len(Ws[h])
        order = list(range(n))
        rnd.shuffle(order)
        sc = [fmpq(2) ** rnd.randint(-3, 3) for _ in range(n)]
        Ws[h] = [[sc[k] * v for v in Ws[h][order[k]]] for k in range(n)]
        bs[h] = [sc[k] * bs[h][order[k]] for k in range(n)]
        Ws[h + 1] = [[row[order[k]] / sc[k] for k in range(n)] for row in Ws[h + 1]]
        if split:
            j = rnd.randrange(n)
            Ws[h].append([3 * v for v in Ws[h][j]])
            bs[h].append(3 * bs[h][j])
            for row in Ws[h + 1]:  # the copy at three times the scale takes a quarter of the output
                row.append(row[j] / 4 / 3)
                row[j] = row[j] * 3 / 4
    return Network("relu", tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in zip(Ws, bs)))


def _nudged(net: Network, rnd: random.Random) -> Network:
    Ws = [[list(r) for r in L.weight] for L in net.layers]
    Ws[1][rnd.randrange(len(Ws[1]))][rnd.randrange(len(Ws[1][0]))] += fmpq(1, 1000)
    return Network("relu", tuple(Layer(tuple(map(tuple, W)), L.bias) for W, L in zip(Ws, net.layers)))


def _checked(cert: dict) -> bool:
    return check_certificate(json.loads(json.dumps(cert))).valid


def test_planted_wide_pair_is_decided_by_tier_b_with_a_checked_certificate():
    rnd = random.Random(3)
    a = gaussian_network((3, 64, 64, 1), np.random.default_rng(3))
    b = _planted(a, rnd)
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is True and res.tier == "b"
    assert _checked(res.certificate)


def test_nudged_wide_pair_is_refuted_by_a_probe_with_a_checked_certificate():
    rnd = random.Random(4)
    a = gaussian_network((3, 64, 64, 1), np.random.default_rng(4))
    c = _nudged(_planted(a, rnd), rnd)
    res = equivalent(a, c, certificate=True)
    assert res.equivalent is False and res.tier == "c"
    assert _checked(res.certificate)


def _quadratic_pairs(rows, live):
    """The reference: every later live unit positively proportional to an earlier class leader."""
    pairs, taken = [], set()
    for i in range(len(rows)):
        if not live[i] or i in taken or not any(rows[i]):
            continue
        for j in range(i + 1, len(rows)):
            if live[j] and j not in taken and proportional(rows[i], rows[j]) is not None:
                pairs.append((i, j))
                taken.add(j)
    return sorted(pairs)


@settings(max_examples=40, deadline=None)
@given(seeds())
def test_hashed_merge_classes_equal_pairwise_proportionality(seed):
    rnd = random.Random(seed)
    base = [[fmpq(rnd.randint(-2, 2), rnd.randint(1, 2)) for _ in range(3)] for _ in range(5)]
    rows = []
    for _ in range(12):  # many rows proportional to few (positively and negatively), some zero
        r = rnd.choice(base)
        c = rnd.choice([fmpq(1), fmpq(2), fmpq(1, 3), fmpq(-1), fmpq(-2), fmpq(0)])
        rows.append([c * v for v in r])
    live = [rnd.random() < 0.85 for _ in rows]
    ed = EditableNetwork([[r[:-1] for r in rows], [[fmpq(1)] * len(rows)]], [[r[-1] for r in rows], [fmpq(0)]])
    assert sorted(_merge_pairs(ed, 0, live)) == _quadratic_pairs(rows, live)


@settings(max_examples=30, deadline=None)
@given(seeds())
def test_batched_normalize_equals_one_by_one(seed):
    rnd = random.Random(seed)
    net = random_moves(random_net(rnd, (2, 4, 3, 2)), rnd, count=3, kinds=("scale", "permute"))
    layer = rnd.randrange(net.depth)
    width = len(net.layers[layer].weight)
    units = [j for j in range(width) if any(net.layers[layer].weight[j]) and rnd.random() < 0.7]
    one, batch = EditableNetwork.of(net), EditableNetwork.of(net)
    for j in units:
        apply(one, Move("normalize", layer=layer, unit=j))
    normalize_units(batch, layer, units)
    assert one.network() == batch.network()
    assert same_on_points(net, batch.network(), rnd)


def test_batched_normalize_rejects_what_one_move_rejects():
    net = Network.from_lists("relu", [([[0, 0], [2, 1]], [1, 1]), ([[1, 1]], [0])])
    ed = EditableNetwork.of(net)
    for units in ([0], [1, 1], [5]):
        try:
            normalize_units(ed, 0, units)
        except MoveError:
            continue
        raise AssertionError(f"normalize_units accepted {units}")


@settings(max_examples=25, deadline=None)
@given(seeds())
def test_normal_form_certificates_check_with_batched_replay(seed):
    rnd = random.Random(seed)
    a = random_net(rnd, (2, 4, 4, 1))
    b = random_moves(a, rnd, count=4, kinds=("permute", "scale", "dead", "split"))
    res = equivalent(a, b, certificate=True, tiers="b")
    assert res.equivalent is True
    assert _checked(res.certificate)
    moves = res.certificate["evidence"]["moves"][1]
    norm = [k for k, m in enumerate(moves) if m["op"] == "normalize"]
    if not norm:
        return
    # a repeated normalize inside a run is the identity (its lead is already ±1): still valid
    cert = json.loads(json.dumps(res.certificate))
    cert["evidence"]["moves"][1].insert(norm[0] + 1, dict(moves[norm[0]]))
    cert.pop("digest", None)
    assert check_certificate(cert).valid
    # a scale by 3 after the chain makes the replayed networks differ: invalid
    final = normal_form(b).network
    layer, unit = next((li, j) for li in range(final.depth) for j, row in enumerate(final.layers[li].weight)
                       if any(row))
    cert = json.loads(json.dumps(res.certificate))
    cert["evidence"]["moves"][1].append({"op": "scale", "layer": layer, "unit": unit, "factor": "3"})
    cert.pop("digest", None)
    assert not check_certificate(cert).valid


def test_normal_form_of_a_wide_layer_is_invariant_under_planting():
    rnd = random.Random(7)
    a = gaussian_network((4, 96, 32, 2), np.random.default_rng(7))
    b = _planted(a, rnd)
    assert normal_form(a).network == normal_form(b).network
    assert same_on_points(a, normal_form(b).network, rnd, count=5)
