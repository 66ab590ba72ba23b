"""The CLI of two-hidden-layer ReLU networks through the real process: ``equiv`` runs the structural
tier first (tier s, certificates checked by ``exactnet check``) and records why it did not decide;
``fiber`` describes the pieces, checks the dimension against ``D − fdim``, decides membership and
draws verified samples; ``laws`` reports the count, the explicit laws and the symmetries without law;
bad input is one line with exit 2."""

from __future__ import annotations

import json

import pytest
from flint import fmpq

from exactnet.network import Network, forward_exact, write_network
from exactnet.network.jsonio import network_from_obj
from exactnet.relu.equivalence import equivalent

from .hostile.clirun import EXAMPLES, run

A = EXAMPLES / "relu_three_layer.json"  # the HIDDEN point (3-2-2-1)
B = EXAMPLES / "relu_three_layer_b.json"  # A after a transfer, permutations, scalings and a dead neuron
T = EXAMPLES / "relu_three_layer_t.json"  # A after the hide transfer δ = 2 (same widths)
DEEP = EXAMPLES / "relu_deep.json"  # two hidden layers, not bottleneck (n1 = 3 > n0 = 2)


def test_equiv_structural_tier_with_a_checkable_certificate(tmp_path):
    cert = tmp_path / "c.json"
    r = run("equiv", A, B, "--json", "--certificate", cert)
    d = r.json
    assert r.code == 0 and d["equivalent"] is True and d["tier"] == "s"
    assert d["method"] == "three_layer_structural" and d["notes"] == []
    obj = json.loads(cert.read_text())
    assert obj["evidence"]["method"] == "three_layer_moves" and obj["claim"]["tier"] == "s"
    assert {m["move"] for m in obj["evidence"]["moves"]} >= {"hide_transfer", "insert", "permute", "scale"}
    c = run("check", cert, "--json")
    assert c.code == 0 and c.json["valid"] is True
    # a tampered move fails the check (exit 1)
    moves = obj["evidence"]["moves"]
    k = next(i for i, m in enumerate(moves) if m["move"] == "hide_transfer")
    moves[k]["delta"] = str(fmpq(moves[k]["delta"]) + 1) if isinstance(moves[k]["delta"], str) else moves[k]["delta"] + 1
    obj.pop("digest", None)
    cert.write_text(json.dumps(obj))
    assert run("check", cert).code == 1


def test_equiv_without_certificate_may_decide_by_integer_orthant_forms(tmp_path):
    """Without --certificate, tier s proves equivalence by equal integer orthant forms (no move chain;
    docs/relu-three-layer.md §5.2); with it, the move chain is built and checkable as before."""
    from exactnet.relu.three_layer.moves import Permute, Scale
    from exactnet.relu.three_layer.params import ThreeLayer

    p = ThreeLayer.from_network(network_from_obj(json.loads(A.read_text())))
    q = Scale(1, ((0, fmpq(3)),)).apply(Permute(2, tuple(reversed(range(p.n2)))).apply(p))
    path = tmp_path / "q.json"
    write_network(q.to_network(), path)
    d = run("equiv", A, path, "--json").json
    assert d["equivalent"] is True and d["tier"] == "s" and d["stats"] == {"proof": "integer_orthant_forms"}
    assert "integer orthant forms" in d["reason"]
    cert = tmp_path / "c.json"
    d = run("equiv", A, path, "--json", "--certificate", cert).json
    assert d["equivalent"] is True and d["tier"] == "s" and d["stats"]["moves"] >= 1
    assert run("check", cert).code == 0


def test_equiv_not_equivalent_has_an_exact_witness(tmp_path):
    net = network_from_obj(json.loads(T.read_text()))
    layers = [[[list(r) for r in L.weight], list(L.bias)] for L in net.layers]
    layers[1][1][0] += fmpq(1, 100)  # the dead zone of the hidden neuron no longer matches
    bad = Network.from_lists("relu", layers)
    path = tmp_path / "bad.json"
    write_network(bad, path)
    cert = tmp_path / "w.json"
    r = run("equiv", A, path, "--json", "--certificate", cert)
    d = r.json
    assert r.code == 1 and d["equivalent"] is False and d["tier"] == "s"
    x = [fmpq(v) for v in d["witness"]]
    a = network_from_obj(json.loads(A.read_text()))
    assert forward_exact(a, x) != forward_exact(bad, x)
    assert run("check", cert).code == 0


def test_equiv_records_why_the_structural_tier_did_not_decide():
    r = run("equiv", DEEP, DEEP, "--json")
    d = r.json
    assert r.code == 0 and d["equivalent"] is True and d["tier"] != "s"
    assert any("tier (s) not applicable" in n and "wider than the input" in n for n in d["notes"])
    assert "tier (s)" in d["reason"]
    r = run("equiv", A, T, "--json", "--box", "-1,1")
    assert r.code == 0 and r.json["tier"] != "s" and any("domain" in n for n in r.json["notes"])
    r = run("equiv", A, T)
    assert r.code == 0 and "tier s" in r.out


def test_fiber_of_a_bottleneck_network(tmp_path):
    r = run("fiber", A, "--json", "--member", T, "--sample", "3", "--seed", "4")
    d = r.json
    assert r.code == 0
    assert d["widths"] == [3, 2, 2, 1] and len(d["parameters"]) == 17
    assert d["dimension"] == d["expected_dimension"] == 17 - d["functional_dimension"]
    assert d["dimension_matches"] is True
    own = d["pieces"][d["network_piece"]]
    assert own["contains_parameter"] is True and own["equalities"] and own["inequalities"]
    assert all(e.endswith("= 0") for e in own["equalities"])
    assert d["components"] == 4  # one piece, the orbit: |S_2 × S_2| components
    assert d["member"] is True and d["member_piece"] == d["network_piece"]
    a = network_from_obj(json.loads(A.read_text()))
    assert len(d["samples"]) == 3
    for s in d["samples"]:
        q = network_from_obj(s["network"])
        assert q.widths == a.widths and q != a
        assert equivalent(a, q, tiers="d").equivalent is True  # the complete tier agrees


def test_fiber_membership_refused_with_a_witness(tmp_path):
    net = network_from_obj(json.loads(A.read_text()))
    layers = [[[list(r) for r in L.weight], list(L.bias)] for L in net.layers]
    layers[2][0][0][1] += 1
    path = tmp_path / "o.json"
    write_network(Network.from_lists("relu", layers), path)
    r = run("fiber", A, "--member", path, "--json")
    assert r.code == 0 and r.json["member"] is False and r.json["member_witness"] is not None
    r = run("fiber", A, "--member", B, "--json")  # equivalent, but other widths: another parameter space
    d = r.json
    assert r.code == 0 and d["member"] is False and d["member_same_function"] is True
    assert d["member_widths"] == [3, 2, 3, 1] and d["member_witness"] is None
    assert "widths 3-2-3-1" in d["member_reason"] and "same function" in d["member_reason"]
    assert "tier s" in d["member_reason"]
    r = run("fiber", A, "--member", T)
    assert r.code == 0 and "piece 1" in r.out and "OTHER is a member" in r.out


def test_fiber_membership_of_other_architectures(tmp_path):
    """OTHER with other widths or depth is never a member; whether it computes the same function is
    decided anyway (with an exact witness when not); another input dimension is a clear answer."""
    b = network_from_obj(json.loads(B.read_text()))
    layers = [[[list(r) for r in L.weight], list(L.bias)] for L in b.layers]
    layers[2][1][0] += fmpq(1, 3)  # B with another output bias: other widths and another function
    other = tmp_path / "o.json"
    write_network(Network.from_lists("relu", layers), other)
    d = run("fiber", A, "--member", other, "--json").json
    assert d["member"] is False and d["member_same_function"] is False
    x = [fmpq(v) for v in d["member_witness"]]
    a = network_from_obj(json.loads(A.read_text()))
    assert forward_exact(a, x) != forward_exact(Network.from_lists("relu", layers), x)
    shallow = tmp_path / "s.json"  # one hidden layer, same input and output dimensions
    one = Network.from_lists("relu", [[[[1, 0, 0]], [0]], [[[1]], [0]]])
    write_network(one, shallow)
    d = run("fiber", A, "--member", shallow, "--json").json
    assert d["member"] is False and d["member_same_function"] is False and d["member_widths"] == [3, 1, 1]
    x = [fmpq(v) for v in d["member_witness"]]
    assert forward_exact(a, x) != forward_exact(one, x)
    r = run("fiber", A, "--member", EXAMPLES / "relu_small.json", "--json")  # R^2 -> R: another function space
    assert r.code == 0 and r.json["member"] is False and "R^2" in r.json["member_reason"]
    r = run("fiber", A, "--member", B)
    assert r.code == 0 and "OTHER is not a member" in r.out and "same function" in r.out


def test_fiber_errors():
    run("fiber", DEEP).assert_error("bottleneck", "wider than the input")
    run("fiber", EXAMPLES / "relu_small.json", "--member", A).assert_error("--member", "two hidden layers")
    run("fiber", EXAMPLES / "tanh_reducible.json", "--member", A).assert_error("--member")


def test_laws_counts_and_proofs():
    r = run("laws", A, "--json")
    d = r.json
    assert r.code == 0 and d["count"] == 4 and d["parameters"] == 17 and d["lie_rank"] == 13
    assert all(law["verified"] for law in d["laws"])
    assert {law["kind"] for law in d["laws"]} == {"neuron"}
    transfers = [x for x in d["no_laws"] if x["symmetry"].startswith("hide transfer")]
    assert transfers and all(x["candidate_derivative"] != 0 and x["non_integrable"] for x in transfers)
    assert d["visits_all_patterns"] is True
    r = run("laws", A)
    assert r.code == 0 and "4 independent conservation law(s)" in r.out


def test_laws_block_law_at_the_preserve_point(tmp_path):
    i2 = [[1, 0], [0, 1]]
    net = Network.from_lists("relu", [(i2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0])])
    path = tmp_path / "p.json"
    write_network(net, path)
    d = run("laws", path, "--json").json
    assert d["count"] == 5
    block = [law for law in d["laws"] if law["kind"] == "block"]
    assert len(block) == 1 and "W3[1,1]*W3[1,2]" in block[0]["polynomial"] and block[0]["verified"]


def test_laws_with_data_and_bad_input(tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps([[1, 2, 3], [-1, 0, "1/2"], [2, -3, 1]]))
    r = run("laws", A, "--data", data, "--json")
    assert r.code == 0 and r.json["data_points"] == 3 and r.json["visits_all_patterns"] is False
    run("laws", EXAMPLES / "tanh_reducible.json").assert_error("laws", "tanh")
    data.write_text('[[1, 2]]')
    run("laws", A, "--data", data).assert_error("3 inputs")
    data.write_text('{"x": 1}')
    run("laws", A, "--data", data).assert_error("list of input points")
    data.write_text('not json')
    run("laws", A, "--data", data).assert_error("not valid JSON")
    run("laws", A, "--data", tmp_path / "missing.json").assert_error("no such file")


def test_equiv_timeout_stops_the_structural_tier_cooperatively(tmp_path):
    """A large bottleneck pair: with a time limit that passes while tier s runs (calibrated against
    the full run: reading the files counts too), the command stops at a checkpoint of tier s itself
    (exit 3, the reason names it), not by the alarm or the supervisor."""
    import random

    from exactnet.relu.three_layer.planted import plant_chain, random_params

    rnd = random.Random(5)
    a = random_params(rnd, 160, 120, 160)
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    write_network(a.to_network(), pa)
    write_network(plant_chain(a, rnd).to_network(), pb)
    full = run("equiv", pa, pb, "--json")
    assert full.code == 0 and full.json["tier"] == "s"
    stopped = None
    for frac in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        r = run("equiv", pa, pb, "--json", "--timeout", f"{full.seconds * frac:.2f}")
        d = r.json
        assert r.code in (0, 3) and "Traceback" not in r.err
        if r.code == 0:
            assert d["equivalent"] is True and d["tier"] == "s"
            continue
        assert d["equivalent"] is None
        assert "interrupted" not in d["reason"] and "ended" not in d["reason"]  # cooperative, not the backstops
        if "during the structural tier (s)" in d["reason"]:
            stopped = d
            break
    assert stopped is not None, "no time limit fell inside tier s"
    assert stopped["tier"] is None and stopped["reason"].endswith("no tier decided")


@pytest.mark.parametrize("command,widths,key,what", [
    ("fiber", (10, 8, 24), "piece_count", "during the fiber description (two hidden layers)"),  # ~20 s in full
    ("laws", (12, 10, 20), "count", "during the conservation laws"),  # minutes in full
])
def test_fiber_and_laws_stop_at_their_own_checkpoints(tmp_path, command, widths, key, what):
    """``fiber`` and ``laws`` check the command's deadline in their loops (including the printing of
    the pieces' polynomials): a time limit that passes inside them gives exit 3, the principal key
    null and a reason naming them — a cooperative stop at the limit, not the alarm (``interrupted``,
    half a second later) or the supervisor (``ended``)."""
    import random

    from exactnet.relu.three_layer.planted import random_params

    path = tmp_path / "net.json"
    write_network(random_params(random.Random(5), *widths).to_network(), path)
    r = run(command, path, "--json", "--timeout", "4")
    d = r.json
    assert r.code == 3 and "Traceback" not in r.err
    assert d[key] is None and d["time_limit_reached"] is True and d["timeout"] == 4.0
    assert d["reason"].startswith(f"time limit of 4 s reached {what}"), d["reason"]
    assert "interrupted" not in d["reason"] and "ended" not in d["reason"]


def test_info_shows_the_three_layer_structure():
    d = run("info", A, "--json").json
    s = d["three_layer"]
    assert s["analysed"] and s["bottleneck"] and s["applicable"]
    assert s["layer1"] == ["hidden", "visible"] and s["layer2"] == ["mixed", "mixed"]
    d = run("info", DEEP, "--json").json["three_layer"]
    assert d["bottleneck"] is False and not d["applicable"] and d["layer1"] is None
    assert "wider than the input" in d["reason"]
    r = run("info", A)
    assert r.code == 0 and "G1 bottleneck: yes" in r.out and "first layer: 1 visible, 1 hidden" in r.out
    assert "structural tier (s) of equiv: applies" in r.out
    assert "three_layer" not in run("info", EXAMPLES / "relu_small.json", "--json").json  # one hidden layer
    d = run("info", A, "--json", "--symmetries").json  # both reports
    assert d["three_layer"]["applicable"] and d["symmetries"] is not None


def test_info_bounds_the_structure_analysis(monkeypatch):
    from exactnet.cli import relu as relu_cli
    from exactnet.cli.runner import Budget

    net = network_from_obj(json.loads(A.read_text()))
    assert relu_cli.three_layer_info(Budget(), net).data["three_layer"]["analysed"] is True
    monkeypatch.setattr(relu_cli, "INFO_STRUCTURE_MAX_PARAMETERS", 16)  # A has 17 parameters
    d = relu_cli.three_layer_info(Budget(), net).data["three_layer"]
    assert d["analysed"] is False and "17 parameters > 16" in d["reason"]
