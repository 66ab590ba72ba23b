import pytest
from flint import fmpq

from exactnet.errors import FieldMismatchError, NetworkError, NumberError
from exactnet.network import Layer, Network, common_field
from exactnet.numbers import number


def test_shape_properties():
    net = Network.from_lists("relu", [([[1, 2], [3, 4], [5, 6]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    assert net.widths == (2, 3, 1)
    assert net.input_dim == 2 and net.output_dim == 1 and net.depth == 1
    assert net.hidden_widths == (3,)
    assert net.num_parameters == 3 * 3 + 4
    assert net.is_rational and net.field is None
    assert len(net.parameter_vector()) == net.num_parameters


@pytest.mark.parametrize(
    "activation, layers, message",
    [
        ("gelu", [([[1]], [0])], "unknown activation 'gelu'"),
        ("relu", [], "at least one layer"),
        ("relu", [([], [])], "layer 1: weight has no rows"),
        ("relu", [([[]], [0])], "layer 1: weight rows are empty"),
        ("relu", [([[1, 2], [3]], [0, 0])], "layer 1: weight row 2 has 1 entries but row 1 has 2"),
        ("relu", [([[1, 2]], [0, 0])], "layer 1: bias has 2 entries but weight has 1 rows"),
        ("relu", [([[1, 2]], [0]), ([[1], [2]], [0, 0]), ([[1, 2, 3]], [0])],
         "layer 3: weight has 3 columns but layer 2 has 2 outputs"),
    ],
)
def test_validation_names_layer_and_problem(activation, layers, message):
    with pytest.raises(NetworkError, match=message.replace("(", r"\(").replace("[", r"\[")):
        Network.from_lists(activation, layers)


def test_bad_entries():
    with pytest.raises(NumberError):
        Network.from_lists("relu", [([["nan"]], [0])])
    with pytest.raises(NumberError):
        Network.from_lists("relu", [([[float("inf")]], [0])])
    with pytest.raises(NetworkError, match="weight must be a list of rows"):
        Network.from_lists("relu", [([1, 2], [0])])


def test_layer_converts_exactly_and_is_frozen():
    layer = Layer([[1, 0.5]], [fmpq(1, 3)])
    assert layer.weight == ((fmpq(1), fmpq(1, 2)),)
    with pytest.raises(Exception):
        layer.bias = ()  # type: ignore[misc]


def test_algebraic_entries_share_one_field():
    net = Network.from_lists("tanh", [([["sqrt(2)"], ["sqrt(3)"]], [0, "1/2"]), ([[1, "sqrt(6)"]], [0])])
    assert net.field is not None
    w = net.layers[0].weight
    assert w[0][0] * w[1][0] == net.layers[1].weight[0][1]


def test_mixed_fields_are_rejected_and_unified():
    a = number("sqrt(2)")
    b = number("sqrt(3)")
    with pytest.raises(FieldMismatchError):
        Network("relu", (Layer(((a, b),), (fmpq(0),)),))
    n1 = Network("relu", (Layer(((a,),), (fmpq(0),)),))
    n2 = Network("relu", (Layer(((b,),), (fmpq(0),)),))
    u1, u2 = common_field(n1, n2)
    assert u1.field == u2.field
    assert u1.layers[0].weight[0][0] ** 2 == 2 and u2.layers[0].weight[0][0] ** 2 == 3
