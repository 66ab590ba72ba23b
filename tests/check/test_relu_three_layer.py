"""The independent checker of ``three_layer_moves`` evidence (tier s of ``exactnet equiv``).

Valid certificates from planted pairs of every mechanism check; every tampered number of a move,
every changed index, reason or label makes them fail, and so does a change of a network unless the
changed networks are still equivalent (a dead neuron's bias); preconditions are re-checked (a move whose
precondition is false on the state it is applied to is refused even when the chain still ends at
B)."""

from __future__ import annotations

import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.numbers import json_loads_exact
from exactnet.relu.certificates import equivalence_certificate, three_layer_evidence
from exactnet.relu.equivalence import equivalent
from exactnet.relu.three_layer.planted import PLANTS, planted_pair

I2 = [[1, 0], [0, 1]]


def net(*layers) -> Network:
    return Network.from_lists("relu", list(layers))


E1 = net((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
E1_MIX = net((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0]))
E4 = net(([[1, 0, 1], [0, 1, -1]], [0, 0]), ([[1, -1], [2, -3]], [-1, -2]), ([[1, 1]], [0]))
E4_T = net(([[1, 0, 1], [0, 1, -1]], [2, 0]), ([[1, -1], [2, -3]], [-3, -6]), ([[1, 1]], [0]))


def plain(obj) -> dict:
    out = json_loads_exact(json.dumps(obj))
    out.pop("digest", None)
    return out


def valid(obj) -> bool:
    return check_certificate(plain(obj)).valid


def cert_of(a, b) -> dict:
    res = equivalent(a, b, certificate=True)
    assert res.tier == "s" and res.equivalent is True, res.reason
    assert res.certificate["evidence"]["method"] == "three_layer_moves"
    return plain(res.certificate)


def bump(v):
    if isinstance(v, int):
        return v + 1
    p, _, q = v.partition("/")
    return f"{int(p) + 1}/{q}" if q else str(int(p) + 1)


def number_paths(obj, path=()):
    """Paths to every number leaf (integers and ``p/q`` strings) of a move list, indices excluded."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("move", "mechanism", "reason", "layer", "unit", "units", "order", "remove", "position",
                     "from", "to"):
                continue
            yield from number_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from number_paths(v, path + (i,))
    elif isinstance(obj, (int, str)) and not isinstance(obj, bool):
        yield path


def at(obj, path):
    for p in path[:-1]:
        obj = obj[p]
    return obj, path[-1]


def pair(seed: int, mechanism: str | None = None):
    rnd = random.Random(seed)
    widths = (rnd.randint(2, 3), 2, rnd.randint(2, 3))
    widths = (max(widths[0], widths[1]), widths[1], widths[2])
    kind = "hidden" if mechanism == "transfer" else rnd.choice(["generic", "active", "hidden"])
    moves = [mechanism] if mechanism else None
    a, b = planted_pair(rnd, widths, kind, moves)
    return a.to_network(), b.to_network()


def certs():
    out = [cert_of(E1, E1_MIX), cert_of(E4, E4_T)]
    for k, name in enumerate(sorted(PLANTS)):
        for seed in range(3):
            a, b = pair(100 * k + seed, name)
            res = equivalent(a, b, certificate=True)
            if res.tier == "s" and res.equivalent and res.certificate["evidence"]["moves"]:
                out.append(plain(res.certificate))
    return out


CERTS = certs()


def test_valid_certificates_of_every_mechanism():
    assert len(CERTS) >= 10
    mechanisms = set()
    for c in CERTS:
        assert valid(c)
        mechanisms |= {m["move"] for m in c["evidence"]["moves"]}
    assert mechanisms >= {"permute", "scale", "remove", "insert", "active_block", "flip", "hide_transfer"}, mechanisms


@pytest.mark.parametrize("index", range(len(CERTS)))
def test_every_tampered_number_fails(index):
    obj = CERTS[index]
    paths = list(number_paths(obj["evidence"]["moves"], ("moves",)))
    for path in paths:
        bad = copy.deepcopy(obj)
        holder, key = at(bad["evidence"], path)
        holder[key] = bump(holder[key])
        assert not valid(bad), path


def bad_net(obj, k):
    from exactnet.network.jsonio import network_from_obj

    return network_from_obj(obj["networks"][k])


@pytest.mark.parametrize("index", range(len(CERTS)))
def test_labels_and_indices_are_checked(index):
    obj = CERTS[index]
    for k, mv in enumerate(obj["evidence"]["moves"]):
        bad = copy.deepcopy(obj)
        bad["evidence"]["moves"][k]["mechanism"] = "M6"
        assert not valid(bad)
        if "reason" in mv:
            bad = copy.deepcopy(obj)
            bad["evidence"]["moves"][k]["reason"] = "silent" if mv["reason"] == "dead" else "dead"
            assert not valid(bad)
        if "order" in mv and len(mv["order"]) > 1:
            bad = copy.deepcopy(obj)
            bad["evidence"]["moves"][k]["order"] = mv["order"][1:] + mv["order"][:1]
            assert not valid(bad)
        if mv["move"] == "hide_transfer":
            bad = copy.deepcopy(obj)
            bad["evidence"]["moves"][k]["unit"] = 1 - mv["unit"]
            assert not valid(bad)


@pytest.mark.parametrize("index", range(len(CERTS)))
def test_changed_networks_fail_unless_still_equivalent(index):
    obj = CERTS[index]
    refused = changed = 0
    for k in (0, 1):
        for li, layer in enumerate(obj["networks"][k]["layers"]):
            bad = copy.deepcopy(obj)
            bad["networks"][k]["layers"][li]["bias"][0] = bump(layer["bias"][0])
            if valid(bad):  # only possible when the entry does not matter (a dead or silent neuron)
                assert equivalent(bad_net(bad, 0), bad_net(bad, 1), tiers="d").equivalent is True, (k, li)
                changed += 1
            else:
                refused += 1
    assert refused >= 3 * changed


def test_a_false_precondition_is_refused_even_if_the_chain_ends_at_b():
    # a "hide transfer" of a neuron that a live second-layer neuron reads with a negative weight,
    # followed by its inverse: the chain ends at A = B, but the first move is not function-preserving
    a = E1
    moves = [{"move": "hide_transfer", "mechanism": "M3", "unit": 0, "delta": 1},
             {"move": "hide_transfer", "mechanism": "M3", "unit": 0, "delta": -1}]
    cert = plain(equivalence_certificate(a, a, True, None, "s", {"method": "three_layer_moves", "moves": moves}))
    res = check_certificate(cert)
    assert not res.valid and "move 1" in res.reason
    # an always-active block replaced by a block with a negative entry and the same affine sums
    moves = [{"move": "active_block", "mechanism": "M4", "remove": [0, 1],
              "add": [{"position": 0, "row": [2, 3], "bias": 3, "out": [1]},
                      {"position": 1, "row": [-1, 1], "bias": 2, "out": [1]}], "b3": [0]}]
    cert = plain(equivalence_certificate(a, a, True, None, "s", {"method": "three_layer_moves", "moves": moves}))
    assert not check_certificate(cert).valid
    # an empty chain between different networks
    cert = plain(equivalence_certificate(E1, E1_MIX, True, None, "s", three_layer_evidence(())))
    assert not check_certificate(cert).valid


def test_the_evidence_belongs_to_tier_s_and_to_equivalence():
    obj = copy.deepcopy(CERTS[0])
    obj["claim"]["tier"] = "b"
    assert not valid(obj)
    obj = copy.deepcopy(CERTS[0])
    obj["claim"]["equivalent"] = False
    assert not valid(obj)


def test_networks_that_are_not_two_hidden_layers_are_refused():
    a = net(([[1]], [0]), ([[1]], [0]))
    cert = plain(equivalence_certificate(a, a, True, None, "s", three_layer_evidence(())))
    assert not check_certificate(cert).valid


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.data())
def test_random_tampering_never_certifies_a_false_claim(seed, data):
    """Soundness: a mutated certificate (moves and networks) that checks valid has a true claim,
    decided independently by the complete tier."""
    a, b = pair(seed)
    res = equivalent(a, b, certificate=True)
    if res.tier != "s" or not res.equivalent:
        return
    obj = plain(res.certificate)
    paths = [("evidence",) + p for p in number_paths(obj["evidence"]["moves"], ("moves",))]
    for k in (0, 1):
        for li, layer in enumerate(obj["networks"][k]["layers"]):
            paths += [("networks", k, "layers", li, "bias", r) for r in range(len(layer["bias"]))]
            paths += [("networks", k, "layers", li, "weight", r, c) for r, row in enumerate(layer["weight"])
                      for c in range(len(row))]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        holder, key = at(obj, path)
        holder[key] = data.draw(st.sampled_from([bump(holder[key]), 0, -1, "1/2"]))
    if valid(obj):
        x, y = bad_net(obj, 0), bad_net(obj, 1)
        assert equivalent(x, y, tiers="d").equivalent is True


def test_malformed_moves_are_refused_not_invalid():
    from exactnet.certificates import MalformedCertificate

    for mutate in (
        lambda mv: mv.update(extra=1),  # a key the checker would not read
        lambda mv: mv.update(move="teleport"),
        lambda mv: mv.pop("mechanism"),
        lambda mv: mv.update(mechanism=3),
    ):
        bad = copy.deepcopy(CERTS[0])
        mutate(bad["evidence"]["moves"][0])
        with pytest.raises(MalformedCertificate):
            check_certificate(bad)
