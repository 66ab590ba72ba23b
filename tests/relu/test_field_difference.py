"""The exact maximum difference for ReLU networks with real algebraic weights (docs/difference.md
§ Algebraic weights): exact field comparisons against sampled points, the argmax, the exact
vertex-enumeration fallback, hand-computed values and the CLI."""

from __future__ import annotations

import json
import random

import pytest
from flint import fmpq

from exactnet.errors import UnsupportedError
from exactnet.network import Network, common_field
from exactnet.network.domain import Box
from exactnet.relu import field_difference
from exactnet.relu.field_difference import field_difference_at
from exactnet.relu.max_difference import max_difference, within_epsilon

from ..cli.hostile.clirun import run

BOX2 = Box.from_bounds([fmpq(0)] * 2, [fmpq(1)] * 2)
HIDDEN = [[1, "sqrt(2)"], ["sqrt(2)", -1]]


def _entry(rnd):
    k = rnd.randint(-2, 2)
    return f"{k}*sqrt(2)" if rnd.random() < 0.4 and k else rnd.randint(-3, 3)


def _random_net(rnd, widths):
    layers = []
    for i, o in zip(widths, widths[1:]):
        layers.append(([[_entry(rnd) for _ in range(i)] for _ in range(o)], [_entry(rnd) for _ in range(o)]))
    return Network.from_lists("relu", layers)


def _grid(k):
    return [(fmpq(i, k), fmpq(j, k)) for i in range(k + 1) for j in range(k + 1)]


@pytest.mark.parametrize("seed", range(4))
def test_exact_max_bounds_every_sample_and_is_attained(seed):
    rnd = random.Random(seed)
    a, b = _random_net(rnd, [2, 3, 2]), _random_net(rnd, [2, 3, 2])
    res = max_difference(a, b, BOX2)
    assert res.complete and res.method == "field_regions"
    assert res.value == max(res.per_output) == res.lower_bound == res.upper_bound
    grid_best = [None, None]
    for x in _grid(6):
        for k, d in enumerate(field_difference_at(a, b, x)):
            assert abs(d) <= res.per_output[k]  # exact field comparison
            if grid_best[k] is None or abs(d) > grid_best[k]:
                grid_best[k] = abs(d)
    assert all(g <= m for g, m in zip(grid_best, res.per_output))  # the grid is a lower bound
    for k, x in enumerate(res.per_output_argmax):  # attained exactly, inside the box
        assert all(0 <= v <= 1 for v in x)
        assert abs(field_difference_at(a, b, x)[k]) == res.per_output[k]
    assert max(abs(d) for d in field_difference_at(a, b, res.argmax)) == res.value


@pytest.mark.parametrize("seed", range(3))
def test_verified_proposals_agree_with_vertex_enumeration(seed, monkeypatch):
    rnd = random.Random(100 + seed)
    a, b = _random_net(rnd, [2, 3, 1]), _random_net(rnd, [2, 2, 1])
    fast = max_difference(a, b, BOX2)
    monkeypatch.setattr(field_difference, "_proposed_optimum", lambda *args: None)
    slow = max_difference(a, b, BOX2)
    assert slow.stats.get("vertex_enumerations", 0) > 0
    assert fast.value == slow.value


def test_network_against_itself_is_zero():
    rnd = random.Random(7)
    a = _random_net(rnd, [2, 3, 2])
    res = max_difference(a, a, BOX2)
    assert res.value == 0 and res.complete


def test_output_weight_scaled_by_sqrt2_hand_computed():
    # d = (2 − 2√2)·relu(√2x − y + 1), largest at (1, 0): (2√2 − 2)(√2 + 1) = 2
    a = Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, 2]], [0])])
    b = Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, "2*sqrt(2)"]], [0])])
    res = max_difference(a, b, BOX2)
    assert res.value == 2 and tuple(res.argmax) == (1, 0)
    assert within_epsilon(a, b, BOX2, 2).within is True
    no = within_epsilon(a, b, BOX2, fmpq(199, 100))
    assert no.within is False and max(abs(d) for d in field_difference_at(a, b, no.argmax)) > fmpq(199, 100)


def test_bias_scaled_by_sqrt2_irrational_value():
    # d = 2·(relu(√2x − y + √2) − relu(√2x − y + 1)) ≤ 2(√2 − 1), attained where both are positive
    a = Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, 2]], [0])])
    b = Network.from_lists("relu", [(HIDDEN, [0, "sqrt(2)"]), ([[1, 2]], [0])])
    res = max_difference(a, b, BOX2)
    s = common_field(a, b)[1].layers[0].bias[1]  # √2 in the problem's field
    assert s * s == 2 and s > 0
    assert res.value == 2 * s - 2
    assert abs(field_difference_at(a, b, res.argmax)[0]) == res.value


def _planted(rnd, widths):
    """A random rational network ``R`` and ``A``: ``R`` with first-layer unit ``j`` scaled by a
    positive algebraic ``c_j`` and its outgoing weights divided by ``c_j`` (the same function)."""
    layers = [([[rnd.randint(-3, 3) for _ in range(i)] for _ in range(o)], [rnd.randint(-3, 3) for _ in range(o)])
              for i, o in zip(widths, widths[1:])]
    scales = ["sqrt(2)", "1", "1+sqrt(2)", "sqrt(2)/3"]
    (w1, b1), (w2, b2) = layers[0], layers[1]
    c = [scales[j % len(scales)] for j in range(len(w1))]
    planted = [([[f"({c[j]})*({v})" for v in w1[j]] for j in range(len(w1))], [f"({c[j]})*({v})" for j, v in enumerate(b1)]),
               ([[f"({v})/({c[j]})" for j, v in enumerate(row)] for row in w2], b2)] + layers[2:]
    return Network.from_lists("relu", layers), Network.from_lists("relu", planted)


@pytest.mark.parametrize("seed", range(4))
def test_both_norms_equal_the_rational_decider_on_planted_pairs(seed):
    """``A`` (algebraic) and ``R`` (rational) are the same function, so ``max ‖A − B‖ = max ‖R − B‖``
    in both norms: the field computation against the rational branch and bound."""
    rnd = random.Random(300 + seed)
    r, a = _planted(rnd, [2, 3, 3])
    b, _ = _planted(rnd, [2, 3, 3])
    assert not a.is_rational
    for norm in ("inf", "1"):
        ours, theirs = max_difference(a, b, BOX2, norm=norm), max_difference(r, b, BOX2, norm=norm)
        assert ours.method == "field_regions" and theirs.method != "field_regions"
        assert ours.value == theirs.value, norm
        if norm == "1":
            assert ours.per_output is None
            assert sum((abs(d) for d in field_difference_at(a, b, ours.argmax)), fmpq(0)) == ours.value
        else:
            assert ours.per_output == theirs.per_output
    eps = max_difference(r, b, BOX2, norm="1").value
    assert within_epsilon(a, b, BOX2, eps, norm="1").within is True
    if eps > 0:
        no = within_epsilon(a, b, BOX2, eps - fmpq(1, 1000), norm="1")
        assert no.within is False
        assert sum((abs(d) for d in field_difference_at(a, b, no.argmax)), fmpq(0)) > eps - fmpq(1, 1000)


def test_one_norm_with_too_many_outputs_is_refused_clearly():
    a = Network.from_lists("relu", [(HIDDEN, [0, 1]), ([[1, 2]] * 9, [0] * 9)])
    with pytest.raises(UnsupportedError, match="at most 8 outputs"):
        max_difference(a, a, BOX2, norm="1")


def _write(path, out_weight, bias=(0, 1)):
    obj = {"format": "exactnet.network/1", "activation": "relu",
           "layers": [{"weight": HIDDEN, "bias": list(bias)}, {"weight": [out_weight], "bias": [0]}]}
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_cli_diff_and_eps_with_algebraic_weights(tmp_path):
    a, b = _write(tmp_path / "a.json", [1, 2]), _write(tmp_path / "b.json", [1, "2*sqrt(2)"])
    r = run("diff", a, b, "--box", "0,1", "--json", "--certificate", tmp_path / "c.json")
    assert r.code == 0, r.err
    d = r.json
    assert d["max_abs_difference"] == "2" == d["lower_bound"] == d["upper_bound"]
    assert d["argmax"] == ["1", "0"] and d["difference_at_argmax"] == ["-2"] and d["per_output"] == ["2"]
    assert d["certificate"] == str(tmp_path / "c.json") and "certificate_note" not in d
    checked = run("check", tmp_path / "c.json", "--json")
    assert checked.code == 0, checked.out + checked.err
    assert checked.json["kind"] == "relu.max_difference" and checked.json["valid"] is True
    yes = run("equiv", a, b, "--box", "0,1", "--eps", "2", "--json", "--certificate", tmp_path / "yes.json")
    assert yes.code == 0 and yes.json["equivalent"] is True and yes.json["certificate"]
    assert run("check", tmp_path / "yes.json").code == 0
    no = run("equiv", a, b, "--box", "0,1", "--eps", "3/2", "--json", "--certificate", tmp_path / "no.json")
    assert no.code == 1 and no.json["equivalent"] is False and no.json["witness"] == ["1", "0"]
    cert = json.loads((tmp_path / "no.json").read_text(encoding="utf-8"))
    assert cert["evidence"]["method"] == "field_witness" and cert["claim"]["within"] is False
    assert run("check", tmp_path / "no.json").code == 0
    cert["claim"]["eps"] = "2"  # a false claim: the witness does not exceed 2
    (tmp_path / "no.json").write_text(json.dumps(cert), encoding="utf-8")
    assert run("check", tmp_path / "no.json").code == 1
    c = _write(tmp_path / "c2.json", [1, 2], bias=(0, "sqrt(2)"))
    r = run("diff", a, c, "--box", "0,1", "--json")
    assert r.code == 0 and r.json["max_abs_difference"] not in ("0", None)


def test_cli_top1_with_algebraic_weights_writes_checked_certificates(tmp_path):
    """``equiv --top1``: outputs ``(x + √2·y, 2y + 1)`` against themselves (same class everywhere, a
    region-tree certificate) and against ``(x + √2·y, 2y + 1/2)`` (a witness)."""
    def write(name, bias):
        obj = {"format": "exactnet.network/1", "activation": "relu",
               "layers": [{"weight": HIDDEN, "bias": [0, 1]}, {"weight": [[1, 2], [2, "sqrt(2)"]], "bias": bias}]}
        (tmp_path / name).write_text(json.dumps(obj), encoding="utf-8")
        return tmp_path / name

    a, b = write("a.json", [0, 0]), write("b.json", [0, "1/2"])
    same = run("equiv", a, a, "--box", "0,1", "--top1", "--json", "--certificate", tmp_path / "same.json")
    assert same.code == 0 and same.json["equivalent"] is True, same.err
    assert run("check", tmp_path / "same.json").code == 0
    differ = run("equiv", a, b, "--box", "0,1", "--top1", "--json", "--certificate", tmp_path / "differ.json")
    assert differ.code == 1 and differ.json["equivalent"] is False, differ.err
    assert differ.json["argmax"][0] != differ.json["argmax"][1] and len(differ.json["outputs"]) == 2
    cert = json.loads((tmp_path / "differ.json").read_text(encoding="utf-8"))
    assert cert["evidence"]["method"] == "field_witness"
    assert run("check", tmp_path / "differ.json").code == 0


def test_batch_items_with_algebraic_weights_write_checked_certificates(tmp_path):
    """``diff`` and ``equiv --eps`` items of ``exactnet batch`` on algebraic weights carry the
    certificate of the single command (``field_region_tree``; ``field_witness`` for 'not within')."""
    _write(tmp_path / "a.json", [1, 2])
    _write(tmp_path / "b.json", [1, "2*sqrt(2)"])
    _write(tmp_path / "c.json", [1, 2], bias=(0, "sqrt(2)"))
    pair = ["a.json", "b.json"]
    items = [{"id": "diff", "command": "diff", "networks": pair, "box": "0,1"},
             {"id": "irrational", "command": "diff", "networks": ["a.json", "c.json"], "box": "0,1"},
             {"id": "yes", "command": "equiv", "networks": pair, "box": "0,1", "eps": "2"},
             {"id": "no", "command": "equiv", "networks": pair, "box": "0,1", "eps": "3/2"}]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(item) + "\n" for item in items))
    r = run("batch", "m.jsonl", "-o", "out.jsonl", "--json", cwd=tmp_path)
    assert r.code == 0 and r.json["complete"] is True, r.err
    lines = {line["id"]: line for line in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())}
    assert lines["diff"]["answer"]["max_abs_difference"] == "2"
    assert "sqrt" in lines["irrational"]["answer"]["max_abs_difference"]
    assert (lines["yes"]["exit"], lines["no"]["exit"]) == (0, 1)
    for ident, method in (("diff", "field_region_tree"), ("irrational", "field_region_tree"),
                          ("yes", "field_region_tree"), ("no", "field_witness")):
        path = tmp_path / lines[ident]["certificate"]
        assert json.loads(path.read_text(encoding="utf-8"))["evidence"]["method"] == method
        checked = run("check", path, "--json")
        assert checked.code == 0 and checked.json["valid"] is True, (ident, checked.out)


def test_cli_one_norm_with_algebraic_weights_writes_a_checked_certificate(tmp_path):
    """Two outputs: ``d = ((2 − 2√2)·u, (√2 − 1)·u)`` for ``u = relu(√2x − y + 1)``, so
    ``‖d‖_1 = (√2 − 1)·3u ≤ 3`` (``u ≤ √2 + 1`` at ``(1, 0)``)."""
    for name, out in (("a.json", [[1, 2], [0, 1]]), ("b.json", [[1, "2*sqrt(2)"], [0, "sqrt(2)"]])):
        obj = {"format": "exactnet.network/1", "activation": "relu",
               "layers": [{"weight": HIDDEN, "bias": [0, 1]}, {"weight": out, "bias": [0, 0]}]}
        (tmp_path / name).write_text(json.dumps(obj), encoding="utf-8")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    r = run("diff", a, b, "--box", "0,1", "--norm", "1", "--json", "--certificate", tmp_path / "c.json")
    assert r.code == 0, r.err
    assert r.json["max_abs_difference"] == "3" and r.json["per_output"] is None and r.json["argmax"] == ["1", "0"]
    checked = run("check", tmp_path / "c.json", "--json")
    assert checked.code == 0 and checked.json["valid"] is True
    cert = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    cert["claim"]["max_abs_difference"] = "2"  # the sup-norm value is not the 1-norm maximum
    (tmp_path / "c.json").write_text(json.dumps(cert), encoding="utf-8")
    assert run("check", tmp_path / "c.json").code == 1
    sup = run("diff", a, b, "--box", "0,1", "--json")
    assert sup.json["max_abs_difference"] == "2"  # the sup norm: output 0


def test_finite_domains_equal_the_rational_decider_on_planted_pairs():
    from exactnet.network.finite_domain import FiniteDomain

    fin = FiniteDomain.product([[0, fmpq(1, 3), 1], [-1, 0, fmpq(1, 2)]])
    for seed in range(3):
        rnd = random.Random(400 + seed)
        r, a = _planted(rnd, [2, 3, 2])
        b, _ = _planted(rnd, [2, 3, 2])
        for norm in ("inf", "1"):
            ours, theirs = max_difference(a, b, fin, norm=norm), max_difference(r, b, fin, norm=norm)
            assert ours.method == "field_enumeration" and ours.value == theirs.value
            assert ours.per_output == theirs.per_output


def test_cli_finite_domain_with_algebraic_weights(tmp_path):
    a, b = _write(tmp_path / "a.json", [1, 2]), _write(tmp_path / "b.json", [1, "2*sqrt(2)"])
    (tmp_path / "d.json").write_text(json.dumps({"finite": [[0, "1/2", 1], [0, 1]]}), encoding="utf-8")
    r = run("diff", a, b, "--domain", tmp_path / "d.json", "--json", "--certificate", tmp_path / "c.json")
    assert r.code == 0, r.err
    assert r.json["max_abs_difference"] == "2" and r.json["method"] == "field_enumeration"
    assert run("check", tmp_path / "c.json").code == 0
    many = tmp_path / "many.json"
    many.write_text(json.dumps({"finite": list(range(300)), "dim": 2}), encoding="utf-8")  # 90,000 points
    run("diff", a, b, "--domain", many, "--json").assert_error("at most 65536 points")


def test_unions_equal_the_rational_decider_and_lower_dimensional_parts_are_refused(tmp_path):
    from exactnet.network.domain import Polyhedron
    from exactnet.network.domain_union import PolyhedronUnion

    q = fmpq
    tri = Polyhedron(A=((q(1), q(1)), (q(-1), q(0)), (q(0), q(-1))), b=(q(1), q(0), q(0)), dim=2)
    union = PolyhedronUnion((tri, Box.from_bounds([q(1, 2), -1], [1, 0])))
    rnd = random.Random(500)
    r, a = _planted(rnd, [2, 3, 2])
    b, _ = _planted(rnd, [2, 3, 2])
    for norm in ("inf", "1"):
        assert max_difference(a, b, union, norm=norm).value == max_difference(r, b, union, norm=norm).value
    segment = Polyhedron(A=((q(1), q(-1)), (q(-1), q(1)), (q(1), q(0)), (q(-1), q(0))), b=(q(0), q(0), q(1), q(0)),
                         dim=2)
    with pytest.raises(UnsupportedError, match="part 2 of the union"):
        max_difference(a, b, PolyhedronUnion((tri, segment)))
    fa = _write(tmp_path / "a.json", [1, 2])
    fb = _write(tmp_path / "b.json", [1, "2*sqrt(2)"])
    dom = {"union": [{"lower": [0, 0], "upper": ["1/2", 1]}, {"lower": ["1/2", 0], "upper": [1, "1/2"]}]}
    (tmp_path / "u.json").write_text(json.dumps(dom), encoding="utf-8")
    res = run("diff", fa, fb, "--domain", tmp_path / "u.json", "--json", "--certificate", tmp_path / "c.json")
    assert res.code == 0, res.err
    assert res.json["max_abs_difference"] == "2" and run("check", tmp_path / "c.json").code == 0


@pytest.mark.parametrize("seed", range(6))
def test_top1_equals_the_rational_decider_on_planted_pairs(seed):
    from exactnet.relu.top1 import top1_equivalent

    rnd = random.Random(600 + seed)
    r, a = _planted(rnd, [2, 3, 3])
    b, _ = _planted(rnd, [2, 3, 3])
    for other in (b, r):
        ours, theirs = top1_equivalent(a, other, BOX2), top1_equivalent(r, other, BOX2)
        assert ours.equivalent == theirs.equivalent
        if ours.equivalent is False:
            from exactnet.network.argmax import exact_argmax

            ya, yb = field_difference.field_outputs(*common_field(a, other), ours.witness)
            assert (exact_argmax(ya)[0], exact_argmax(yb)[0]) == ours.classes and ours.classes[0] != ours.classes[1]


def test_top1_at_ties_lowest_index_rule():
    """Ties decide: ``A = (0, 1)`` is class 1 everywhere, ``B = (0, √2·relu(x))`` is class 0 exactly on
    ``x = 0`` (a tie), so they differ only on a segment of the box's boundary; ``(x, 0)`` and
    ``(√2·x, 0)`` tie on the same line and agree everywhere (the proof uses the second LP)."""
    from exactnet.relu.top1 import top1_equivalent

    a = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[0, 0], [0, 0]], [0, 1])])
    b = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[0, 0], ["sqrt(2)", 0]], [0, 0])])
    res = top1_equivalent(a, b, BOX2)
    assert res.equivalent is False and res.witness[0] == 0 and res.classes == (1, 0)
    box = Box.from_bounds([-1, -1], [1, 1])
    c = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([[1, -1], [0, 0]], [0, 0])])
    d = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, 0])])
    assert top1_equivalent(c, d, box, certificate=True).equivalent is True
    e = Network.from_lists("relu", [([[1, 0], [-1, 0]], [0, 0]), ([["sqrt(2)", "-sqrt(2)"], [0, 0]], [0, "1/1000"])])
    assert top1_equivalent(c, e, box).equivalent is False


def test_unbounded_domains_are_refused_for_algebraic_weights():
    """A maximum need not exist on an unbounded domain, and the cells' LP optima are vertices only
    when the domain is bounded: the half-plane ``y ≤ 0`` is refused (it contains ``(1, 0)``, where
    the hand example's difference is 2, so a "complete" answer below 2 would be wrong)."""
    from exactnet.errors import InputError
    from exactnet.network.domain import Polyhedron
    from exactnet.relu.top1 import top1_equivalent

    hidden = [[1, "sqrt(2)"], ["sqrt(2)", -1]]
    a = Network.from_lists("relu", [(hidden, [0, 1]), ([[1, 2], [0, 1]], [0, 0])])
    b = Network.from_lists("relu", [(hidden, [0, 1]), ([[1, "2*sqrt(2)"], [0, 1]], [0, 0])])
    half_plane = Polyhedron(A=((fmpq(0), fmpq(1)),), b=(fmpq(0),), dim=2)
    for ask in (lambda: max_difference(a, b, half_plane), lambda: within_epsilon(a, b, half_plane, fmpq(1)),
                lambda: top1_equivalent(a, b, half_plane)):
        with pytest.raises(InputError, match="unbounded"):
            ask()
