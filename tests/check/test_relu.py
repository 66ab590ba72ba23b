"""The independent relu.equivalence checker: valid certificates of every tier check; tampering
with a number that carries the proof makes them fail; broken structure is malformed; and the
checker never imports the deciding code."""

import copy
import json
import subprocess
import sys

import pytest

from exactnet.certificates import MalformedCertificate
from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.numbers import json_loads_exact
from exactnet.relu.equivalence import equivalent


def deep(*layers):
    return Network.from_lists("relu", list(layers))


I2 = [[1, 0], [0, 1]]
E1 = deep((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0]))
E1_MIX = deep((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0]))
E5A = deep(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, 5]], [0]))
E5B = deep(([[1], [1]], [0, -1]), ([[1, 1], [-1, 1]], [0, 0]), ([[1, -9]], [0]))
E2A = deep((I2, [0, 0]), ([[1, -1], [-1, -2]], ["1/2", -1]), ([[1, 7]], [0]))
E2B = deep((I2, [0, 0]), ([[1, -1], [-5, 0]], ["1/2", 0]), ([[1, -4]], [0]))
S1A = Network.from_lists("relu", [([[1, 2], [-1, 1]], [1, 0]), ([[3, -2]], [5])])
S1B = Network.from_lists("relu", [([[-2, 2], [2, 4]], [0, 2]), ([[-1, "3/2"]], [5])])
S6B = Network.from_lists("relu", [([[1, 2], [-1, 1]], ["1001/1000", 0]), ([[3, -2]], [5])])
BOX = Box.from_bounds([-1, -1], [1, 1])


def cert_of(a, b, domain=None, **kw):
    res = equivalent(a, b, domain, certificate=True, **kw)
    return json_loads_exact(json.dumps(res.certificate))


def valid(obj) -> bool:
    return check_certificate(json_loads_exact(json.dumps(obj))).valid


def bump(v):
    """A different exact number of the same shape."""
    if isinstance(v, int):
        return v + 1
    if isinstance(v, str) and "/" in v:
        p, q = v.split("/")
        return f"{int(p) + 1}/{q}"
    return str(int(v) + 1)


ALL = {
    "tree": lambda: cert_of(E1, E1_MIX, tiers="abcd"),
    "tree-domain": lambda: cert_of(E5A, E5B, Box.from_bounds([-1], [3]), tiers="acd"),
    "tree-hidden": lambda: cert_of(E5A, E5B),
    "moves": lambda: cert_of(E2A, E2B, tiers="abcd"),
    "three-layer": lambda: cert_of(E1, E1_MIX),
    "three-layer-dead": lambda: cert_of(E2A, E2B),
    "canonical": lambda: cert_of(S1A, S1B),
    "canonical-domain": lambda: cert_of(S1A, S1B, BOX),
    "witness": lambda: cert_of(S1A, S6B),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_valid_certificates(name):
    obj = ALL[name]()
    assert valid(obj)
    expected = {"tree": "region_tree", "tree-domain": "region_tree", "tree-hidden": "region_tree",
                "moves": "symmetry_moves", "canonical": "canonical_form", "canonical-domain": "canonical_form",
                "witness": "witness", "three-layer": "three_layer_moves",
                "three-layer-dead": "three_layer_moves"}[name]
    assert obj["evidence"]["method"] == expected


def _tree_numbers(obj):
    """Paths of every explicit Farkas multiplier and every leaf-map entry of a region tree."""
    for i, node in enumerate(obj["evidence"]["nodes"]):
        for f, entry in enumerate(node["fix"]):
            proof = entry[4]
            if proof is not None and "y" in proof:
                yield ("nodes", i, "fix", f, 4, "t")
                for k in range(len(proof["y"])):
                    yield ("nodes", i, "fix", f, 4, "y", k, 1)
        if "leaf" in node:
            mp = node["leaf"]["map"]
            for r, row in enumerate(mp["weight"]):
                for c in range(len(row)):
                    yield ("nodes", i, "leaf", "map", "weight", r, c)
            for r in range(len(mp["bias"])):
                yield ("nodes", i, "leaf", "map", "bias", r)


def _get(obj, path):
    for p in path[:-1]:
        obj = obj[p]
    return obj, path[-1]


@pytest.mark.parametrize("name", ["tree", "tree-domain", "tree-hidden"])
def test_tampered_tree_numbers_fail(name):
    obj = ALL[name]()
    paths = list(_tree_numbers(obj["evidence"] and obj))
    assert paths
    for path in paths:
        bad = copy.deepcopy(obj)
        holder, key = _get(bad["evidence"], path)
        holder[key] = bump(holder[key])
        assert not valid(bad), path


def test_tampered_tree_structure_fails():
    obj = ALL["tree"]()
    nodes = obj["evidence"]["nodes"]
    # flip a fixed label
    for i, node in enumerate(nodes):
        for f, entry in enumerate(node["fix"]):
            if entry[3] in (1, -1) and entry[4] is not None:
                bad = copy.deepcopy(obj)
                bad["evidence"]["nodes"][i]["fix"][f][3] = -entry[3]
                assert not valid(bad)
    # drop a subtree: the leaf below becomes unreachable or a child dangles
    split = next(i for i, n in enumerate(nodes) if "split" in n)
    bad = copy.deepcopy(obj)
    bad["evidence"]["nodes"][split]["children"][1] = bad["evidence"]["nodes"][split]["children"][0]
    assert not valid(bad)
    # claim not equivalent with a proof of equivalence
    bad = copy.deepcopy(obj)
    bad["claim"]["equivalent"] = False
    assert not valid(bad)
    # change the networks: a live output weight of the second network
    bad = copy.deepcopy(obj)
    bad["networks"][1]["layers"][2]["weight"][0][0] = 2
    assert not valid(bad)


def test_tampered_canonical_form_fails():
    for name in ("canonical", "canonical-domain"):
        obj = ALL[name]()
        form = obj["evidence"]["form"]
        paths = [("form", "constant", 0)] + [("form", "keys", k, "beta") for k in range(len(form["keys"]))]
        paths += [("form", "keys", k, "alpha", 0) for k in range(len(form["keys"]))]
        for path in paths:
            bad = copy.deepcopy(obj)
            holder, key = _get(bad["evidence"], path)
            holder[key] = bump(holder[key])
            assert not valid(bad), path
        bad = copy.deepcopy(obj)
        bad["networks"][0]["layers"][0]["bias"][0] = 2  # moves a live kink
        assert not valid(bad)


def test_tampered_domain_classification_fails():
    # the unit x2 − 5 is dead on the box: its key is classified 'nonpos' with a Farkas proof
    a = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, -5]), ([[1, 1]], [0])])
    b = Network.from_lists("relu", [([[1, 0]], [0]), ([[1]], [0])])
    obj = cert_of(a, b, BOX)
    assert valid(obj)
    entry = next(e for e in obj["evidence"]["domain_keys"] if e["class"] == "nonpos")
    for k in range(len(entry["farkas"]["y"])):
        bad = copy.deepcopy(obj)
        e = next(e for e in bad["evidence"]["domain_keys"] if e["class"] == "nonpos")
        e["farkas"]["y"][k][1] = bump(e["farkas"]["y"][k][1])
        assert not valid(bad)
    bad = copy.deepcopy(obj)
    next(e for e in bad["evidence"]["domain_keys"] if e["class"] == "nonpos")["class"] = "nonneg"
    assert not valid(bad)
    bad = copy.deepcopy(obj)
    bad["claim"]["domain"] = {"lower": [-1, -1], "upper": [1, 6]}  # the unit is live there
    assert not valid(bad)


def test_tampered_moves_and_witness_fail():
    obj = ALL["moves"]()
    moves = obj["evidence"]["moves"]
    assert any(moves)
    for side in (0, 1):
        for k, mv in enumerate(moves[side]):
            bad = copy.deepcopy(obj)
            bad["evidence"]["moves"][side] = moves[side][:k] + moves[side][k + 1:]
            assert not valid(bad)
    obj = ALL["witness"]()
    bad = copy.deepcopy(obj)
    bad["evidence"]["outputs"][0][0] = bump(bad["evidence"]["outputs"][0][0])
    assert not valid(bad)
    bad = copy.deepcopy(obj)
    bad["networks"][1] = bad["networks"][0]
    assert not valid(bad)
    bad = copy.deepcopy(obj)
    bad["claim"]["equivalent"] = True
    assert not valid(bad)


def test_malformed():
    obj = ALL["tree"]()
    for mutate in (
        lambda o: o["evidence"].pop("nodes"),
        lambda o: o["evidence"].update(method="magic"),
        lambda o: o["evidence"]["nodes"][0].update(fix="x"),
        lambda o: o["evidence"].update(moves=[[]]),
        lambda o: o.update(networks=o["networks"][:1]),
        lambda o: o["claim"].update(equivalent="yes"),
    ):
        bad = copy.deepcopy(obj)
        mutate(bad)
        with pytest.raises(MalformedCertificate):
            check_certificate(json_loads_exact(json.dumps(bad)))


def test_checker_does_not_import_the_deciding_code(tmp_path):
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(ALL["tree"]()))
    code = (
        "import sys, json\n"
        "from exactnet.check import check_certificate\nfrom exactnet.certificates import read_certificate\n"
        f"res = check_certificate(read_certificate({str(path)!r}))\n"
        "assert res.valid, res.reason\n"
        "bad = [m for m in sys.modules if m.startswith('exactnet.relu') or m == 'ppl' or m == 'highspy']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_writer_never_silences_with_t_zero():
    """normal_form given the rows of the point {0}: relu(x + 1) is active there; a Farkas answer
    with t = 0 (the rows alone have empty interior) must not silence it."""
    from exactnet.relu.normal_form import normal_form

    a = Network.from_lists("relu", [([[1]], [1]), ([[1]], [0])])
    rows = [((-1,), 0), ((1,), 0)]
    nf = normal_form(a, rows)
    assert not any(m.op == "silence" for m in nf.moves), nf.moves
    assert nf.network.layers[1].weight[0][0] != 0
