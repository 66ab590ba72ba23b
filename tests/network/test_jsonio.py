import pytest
from flint import fmpq
from hypothesis import given

from exactnet.errors import FormatError, InputError, NetworkError, NumberError
from exactnet.network import FORMAT, Network, common_field, dumps, loads, read_network, write_network
from exactnet.numbers import json_loads_exact

from .strategies import networks

CONTRACT_EXAMPLE = """{"format": "exactnet.network/1",
 "activation": "relu",
 "layers": [{"weight": [["1", "-1/2"], [0, 3]], "bias": ["1/3", 0]},
            {"weight": [["2", "5"]], "bias": [0.25]}]}"""


def test_contract_example():
    net = loads(CONTRACT_EXAMPLE)
    assert net.activation == "relu" and net.widths == (2, 2, 1)
    assert net.layers[0].weight[0][1] == fmpq(-1, 2)
    assert net.layers[1].bias[0] == fmpq(1, 4)


def test_decimal_literals_mean_the_decimal():
    net = loads('{"format": "exactnet.network/1", "activation": "relu",'
                ' "layers": [{"weight": [[0.1, 1e-3, 2.5E2]], "bias": [-0.3]}]}')
    assert net.layers[0].weight[0] == (fmpq(1, 10), fmpq(1, 1000), fmpq(250))
    assert net.layers[0].bias[0] == fmpq(-3, 10)


def test_written_form_uses_integers_and_fractions():
    net = loads(CONTRACT_EXAMPLE)
    obj = json_loads_exact(dumps(net))
    assert obj["format"] == FORMAT
    assert obj["layers"][0]["weight"] == [[1, "-1/2"], [0, 3]]
    assert obj["layers"][1]["bias"] == ["1/4"]


@given(networks())
def test_round_trip_rational(net):
    assert loads(dumps(net)) == net


@given(networks(algebraic=True, max_width=3, max_layers=2))
def test_round_trip_algebraic(net):
    back = loads(dumps(net))
    a, b = common_field(net, back)
    assert a == b


def test_file_round_trip(tmp_path):
    net = Network.from_lists("tanh", [([["sqrt(2)/2", "1/3"]], ["CRootOf(x**3 - 2, 0)"]), ([[1]], [0])])
    path = tmp_path / "n.json"
    write_network(net, path)
    back = read_network(path)
    a, b = common_field(net, back)
    assert a == b


@pytest.mark.parametrize(
    "text, error, fragment",
    [
        ("{", FormatError, "not valid JSON"),
        (CONTRACT_EXAMPLE[:60], FormatError, "not valid JSON"),
        ("[]", FormatError, "expected a JSON object"),
        ('{"activation": "relu", "layers": []}', FormatError, "missing \"format\""),
        ('{"format": "exactnet.network/2", "activation": "relu", "layers": []}', FormatError, "unsupported format"),
        ('{"format": "exactnet.network/1", "activation": "sigmoid", "layers": [{"weight": [[1]], "bias": [0]}]}',
         NetworkError, "unknown activation 'sigmoid'"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": []}', FormatError, "non-empty list"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[1]]}]}',
         FormatError, "missing 'bias'"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[NaN]], "bias": [0]}]}',
         NumberError, "not a finite number"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [["nan"]], "bias": [0]}]}',
         NumberError, "not a finite number"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[Infinity]], "bias": [0]}]}',
         NumberError, "not a finite number"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[1, 2]], "bias": [0, 1]}]}',
         NetworkError, "bias has 2 entries"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [[true]], "bias": [0]}]}',
         NumberError, "boolean"),
        ('{"format": "exactnet.network/1", "activation": "relu", "layers": [{"weight": [["sqrt(-1)"]], "bias": [0]}]}',
         NumberError, "not real"),
    ],
)
def test_malformed_files(text, error, fragment):
    with pytest.raises(error, match=fragment.replace("(", r"\(")):
        loads(text, "t.json")


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_network(tmp_path / "missing.json")
    with pytest.raises(InputError, match="directory"):
        read_network(tmp_path)
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError):
        read_network(binary)
