"""Exact structure: bottleneck, genericity reports, neuron classification."""

from flint import fmpq

from exactnet.relu.three_layer.params import ThreeLayer
from exactnet.relu.three_layer.structure import (bottleneck, first_layer_kinds, no_face_hyperplane, nonzero_entries,
                                                 orthant_form, second_layer_kinds, structure, two_hidden_layers)

from .vectors import E1, E2, E3, E4, net


def test_bottleneck_is_exact_rank():
    assert bottleneck(E3).holds
    # rank 1 < n1 = 2 although no entry is zero
    assert not bottleneck(net(([[1, 2], [2, 4]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0]))).holds
    # n1 > n0
    check = bottleneck(net(([[1], [2]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0])))
    assert not check.holds and "wider than the input" in check.reason


def test_not_two_hidden_layers():
    assert not two_hidden_layers(net(([[1]], [0]), ([[1]], [0]))).holds
    st = structure(net(([[1]], [0]), ([[1]], [0])))
    assert not st.applicable and "1 hidden layer" in st.reason


def test_second_layer_kinds():
    kinds = second_layer_kinds(E2)
    assert kinds.kinds == ("mixed", "dead") and kinds.exact_on_image
    assert second_layer_kinds(E1).kinds == ("active", "active")


def test_genericity_reports():
    assert nonzero_entries(E3).holds and no_face_hyperplane(E3).holds
    assert nonzero_entries(E2).holds  # E2 has no zero entry in W2, b2, W3
    assert not nonzero_entries(net(([[1]], [0]), ([[0]], [1]), ([[1]], [0]))).holds
    assert not no_face_hyperplane(net(([[1]], [0]), ([[1]], [0]), ([[1]], [0]))).holds


def test_first_layer_kinds_of_the_vectors():
    assert [k.kind for k in first_layer_kinds(E3)] == ["visible", "visible"]
    assert [k.kind for k in first_layer_kinds(E4)] == ["hidden", "visible"]
    assert [k.kind for k in first_layer_kinds(E1)] == ["visible", "visible"]


def test_visibility_witness_is_a_kink_of_f():
    """At the witness face point the exact one-sided derivatives across the hyperplane differ."""
    p = ThreeLayer.from_network(E3)
    form = orthant_form(p)
    for k in first_layer_kinds(p, form):
        y = list(k.face_point)
        t = fmpq(1, 10**6)
        up = list(y)
        up[k.unit] = t
        down = list(y)
        down[k.unit] = -t
        # y-space evaluation: h = σ(y)
        g = p.second
        def hv(v):
            return [x if x > 0 else fmpq(0) for x in v]
        assert g(hv(down)) == g(hv(y))  # flat on the inactive side
        assert g(hv(up)) != g(hv(y))  # not flat on the active side: a kink


def test_cancellation_is_unclassified():
    """G = 5h1 + 2h2 + σ(h1 − 2h2): ∂G/∂h2 vanishes on the face h2 = 0 but no M3 sign condition holds."""
    p = net(([[1, 0], [0, 1]], [0, 0]), ([[1, -2], [5, 2]], [0, 0]), ([[1, 1]], [0]))
    kinds = first_layer_kinds(p)
    assert kinds[1].kind == "unclassified"
    st = structure(p)
    assert not st.applicable and "G3" in st.reason


def test_unused_neuron():
    p = net(([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [-1, 0]], [-1, 2]), ([[1, 1]], [0]))
    assert [k.kind for k in first_layer_kinds(p)] == ["visible", "unused"]


def test_structure_report_is_json():
    import json

    obj = structure(E4).to_obj()
    json.dumps(obj)
    assert obj["applicable"] and [k["kind"] for k in obj["layer1"]] == ["hidden", "visible"]
    assert obj["layer1"][0]["transferable"] and obj["layer1"][1]["face_point"] is not None


def test_summary_of_the_vectors():
    """What ``exactnet info`` shows: the needed checks G0, G1, G5, the reported G2, G4, and the
    classification of both layers (docs/relu-three-layer.md §2, §8)."""
    from exactnet.relu.three_layer.structure import summary

    e2 = summary(E2).to_obj()  # a dead neuron; identity first layer
    assert e2["bottleneck"] and e2["applicable"] and e2["layer2"] == ["mixed", "dead"]
    assert e2["layer2_counts"] == {"dead": 1, "active": 0, "mixed": 1, "silent": 0} and e2["layer2_exact"]
    e1 = summary(E1).to_obj()  # PRESERVE: both second-layer neurons always active
    assert e1["layer2"] == ["active", "active"]
    e4 = summary(E4).to_obj()
    assert e4["layer1"] == ["hidden", "visible"] and e4["layer1_counts"]["hidden"] == 1
    names = {c["name"]: c for c in e4["checks"]}
    assert [names[n]["condition"] for n in ("two_hidden_layers", "bottleneck", "classified")] == ["G0", "G1", "G5"]
    assert names["nonzero_entries"]["needed"] is False and names["bottleneck"]["needed"] is True
    # G4 fails exactly when some b2 entry is 0; it is reported, not needed
    flat = summary(net(([[1, 0], [0, 1]], [0, 0]), ([[1, -1], [-1, 2]], [0, 1]), ([[1, 1]], [0]))).to_obj()
    g4 = next(c for c in flat["checks"] if c["name"] == "no_face_hyperplane")
    assert not g4["holds"] and "b2[0]" in g4["reason"] and flat["applicable"]
    # not a bottleneck: the second layer only by sufficient conditions, the first layer not classified
    wide = summary(net(([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, -1, 1]], [1]), ([[1]], [0]))).to_obj()
    assert wide["bottleneck"] is False and wide["layer2_exact"] is False and wide["layer1"] is None
    assert "bottleneck" in wide["layer1_reason"]
    rank_deficient = summary(net(([[1, 2], [2, 4]], [0, 1]), ([[1, -1]], [1]), ([[1]], [0]))).to_obj()
    assert rank_deficient["bottleneck"] is False and "rank W1 = 1 < n1 = 2" in rank_deficient["reason"]
