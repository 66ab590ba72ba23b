"""PyTorch import/export with torch itself (skipped where torch is not installed, as in CI)."""

import numpy as np
import pytest
from flint import fmpq

from exactnet.errors import FormatError, InputError, UnsupportedError
from exactnet.io import load_network, save_network, torch_format
from exactnet.io.torch_format import from_torch, to_torch
from exactnet.io.torch_pickle import UnsafePickleError, write_state_dict
from exactnet.network import Network, forward_exact

from .helpers import FIXTURES, checkpoint, expected_network

torch = pytest.importorskip("torch")
nn = torch.nn


def q(v) -> fmpq:
    p, d = float(v).as_integer_ratio()
    return fmpq(p, d)


def fixed(model, values):
    with torch.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(torch.tensor(v, dtype=p.dtype))
    return model


def test_from_torch_reads_parameters_exactly():
    model = fixed(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)),
                  [[[0.1, 0.2], [0.3, -1.0]], [0.5, 0.1], [[1.0, 3.0]], [0.7]])
    net = from_torch(model)
    assert net.activation == "relu"
    assert net.layers[0].weight[0][0] == fmpq(13421773, 134217728)
    for layer, lin in zip(net.layers, [model[0], model[2]]):
        assert layer.weight == tuple(tuple(q(v) for v in row) for row in lin.weight.detach().double().tolist())
        assert layer.bias == tuple(q(v) for v in lin.bias.detach().double().tolist())


def test_from_torch_float64_bfloat16_nested_flatten_identity():
    inner = nn.Sequential(nn.Linear(2, 3, dtype=torch.float64), nn.Tanh())
    model = nn.Sequential(nn.Flatten(), nn.Identity(), inner, nn.Linear(3, 1, dtype=torch.bfloat16))
    with torch.no_grad():
        model[3].weight.copy_(torch.tensor([[0.1, 1.0, -2.0]]))
    net = from_torch(model)
    assert net.activation == "tanh" and net.widths == (2, 3, 1)
    assert net.layers[1].weight[0][0] == fmpq(205, 2048)  # bfloat16(0.1)
    assert net.layers[0].weight[0][0] == q(inner[0].weight[0, 0].item())


def test_bare_linear_needs_activation():
    lin = nn.Linear(3, 2, bias=False)
    with pytest.raises(InputError, match="activation"):
        from_torch(lin)
    net = from_torch(lin, activation="tanh")
    assert net.widths == (3, 2) and net.layers[0].bias == (0, 0)
    with pytest.raises(UnsupportedError, match="says activation 'relu' but 'tanh'"):
        from_torch(nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)), activation="tanh")


def test_every_unsupported_module_is_named_at_once():
    model = nn.Sequential(nn.Conv1d(1, 1, 1), nn.Flatten(), nn.Linear(2, 2), nn.ELU(), nn.ReLU(),
                          nn.BatchNorm1d(2), nn.Linear(2, 1), nn.Sigmoid())
    with pytest.raises(UnsupportedError) as exc:
        from_torch(model)
    msg = str(exc.value)
    for part in ("0 (Conv1d)", "3 (ELU)", "5 (BatchNorm1d)", "7 (Sigmoid)"):
        assert part in msg


@pytest.mark.parametrize("modules,match", [
    ([nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1), nn.Tanh(), nn.Linear(1, 1)], "mixed activations"),
    ([nn.Linear(1, 1), nn.Linear(1, 1)], "without an activation"),
    ([nn.Linear(1, 1), nn.ReLU(), nn.ReLU(), nn.Linear(1, 1)], "two activations in a row"),
    ([nn.ReLU(), nn.Linear(1, 1)], "before the first Linear"),
    ([nn.Linear(1, 1), nn.ReLU()], "ends with"),
    ([nn.Linear(1, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1, 1)], "Flatten after the first Linear"),
    ([nn.Flatten(0), nn.Linear(1, 1)], "start_dim=0"),
])
def test_structures_that_are_not_mlps(modules, match):
    with pytest.raises(UnsupportedError, match=match):
        from_torch(nn.Sequential(*modules))


def test_nan_parameter():
    model = nn.Sequential(nn.Linear(2, 1))
    with torch.no_grad():
        model[0].bias.fill_(float("nan"))
    with pytest.raises(InputError, match=r"'0.bias' has NaN at index \[0\]"):
        from_torch(model, activation="relu")


def test_to_torch_rounds_and_reports():
    net = Network.from_lists("relu", [([["1/3", 2], [1, "1/10"]], [0, 1]), ([[1, -1]], ["sqrt(2)"])])
    model, rep = to_torch(net, "float32")
    assert rep.rounded == 3 and rep.total == 9 and rep.dtype == "float32"
    assert model[0].weight.dtype == torch.float32 and isinstance(model[1], nn.ReLU)
    back = from_torch(model)
    assert back.layers[0].weight[0][0] == q(np.float32(1 / 3))
    assert back.layers[1].bias[0] == fmpq(11863283, 8388608)


def test_to_torch_computes_the_network():
    net = Network.from_lists("relu", [([[1, -2], ["1/2", 3]], [1, "-1/4"]), ([[2, "-3/8"]], [5])])
    model, rep = to_torch(net)
    assert rep.exact and model[0].weight.dtype == torch.float64
    x = torch.tensor([[1.0, 2.0], [-3.0, 0.5]], dtype=torch.float64)
    y = model(x).detach()
    for row, out in zip(x.tolist(), y.tolist()):
        assert [q(v) for v in out] == list(forward_exact(net, [q(v) for v in row]))


@pytest.mark.parametrize("use_torch", [True, False])
def test_saved_state_dict_loads_into_torch(tmp_path, use_torch):
    net = Network.from_lists("tanh", [([[1, "-1/2"], [0, 3]], ["1/4", 0]), ([[2, 5]], ["-1/8"])])
    path = tmp_path / "n.pt"
    torch_format.save(net, path, use_torch=use_torch)
    sd = torch.load(str(path), weights_only=True)
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)).double()
    model.load_state_dict(sd)
    assert from_torch(model) == net
    assert load_network(path, activation="tanh") == net


def test_torch_and_torch_free_readers_agree_on_every_fixture():
    for path in sorted(FIXTURES.glob("*.pt")):
        if path.name == "legacy_format.pt":
            continue
        results = []
        for use_torch in (True, False):
            try:
                results.append(("ok", torch_format.read_contents(path, use_torch)))
            except InputError as exc:
                results.append(("error", type(exc).__name__))
        (k1, a), (k2, b) = results
        assert k1 == k2, path.name
        if k1 == "error":
            assert a == b, path.name
        elif isinstance(a, dict):
            assert list(a) == list(b) and all(np.array_equal(a[k], b[k], equal_nan=True) and a[k].dtype == b[k].dtype for k in a)
        else:
            assert [(i.path, i.kind) for i in a] == [(i.path, i.kind) for i in b]


def test_torch_reads_legacy_and_module_fixtures():
    assert load_network(FIXTURES / "legacy_format.pt", activation="relu").widths == (2, 2)
    assert load_network(FIXTURES / "tanh_sequential_module.pt") == expected_network("tanh", "float32")
    assert load_network(FIXTURES / "relu_f32_state.pt", activation="relu") == expected_network("relu", "float32")


def test_malicious_pickle_with_torch_installed(tmp_path):
    import os
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    path = checkpoint(tmp_path / "evil.pt", pickle.dumps({"w": Evil()}, protocol=2))
    with pytest.raises(UnsafePickleError):
        load_network(path, activation="relu")
    assert not (tmp_path / "pwned").exists()


def test_torch_load_errors_are_format_errors(tmp_path):
    path = tmp_path / "t.pt"
    path.write_bytes((FIXTURES / "relu_f32_state.pt").read_bytes()[:500])
    with pytest.raises(FormatError):
        torch_format.load(path, "relu", use_torch=True)
    path.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        torch_format.load(path, "relu", use_torch=True)


def test_write_state_dict_is_mmap_loadable(tmp_path):
    path = tmp_path / "w.pt"
    arrays = {"0.weight": np.array([[0.1, 2.0]], dtype=np.float32), "0.bias": np.array([1.0], dtype=np.float16)}
    write_state_dict(path, arrays)
    sd = torch.load(str(path), weights_only=True, mmap=True)
    assert sd["0.weight"].dtype == torch.float32 and sd["0.bias"].dtype == torch.float16
    assert sd["0.weight"].numpy().tobytes() == arrays["0.weight"].tobytes()
    assert save_network is not None
