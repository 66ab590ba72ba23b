"""Formats whose optional package is missing fail with an install hint (exit 2 in the CLI)."""

import sys

import pytest

from exactnet.errors import MissingDependencyError
from exactnet.io import load_network, save_network, torch_format
from exactnet.network import Network

NET = Network.from_lists("relu", [([[1]], [0])])


@pytest.mark.parametrize("ext,modules", [
    ("onnx", ["onnx"]),
    ("safetensors", ["safetensors", "safetensors.numpy"]),
])
def test_missing_optional_package(monkeypatch, tmp_path, ext, modules):
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # makes "import name" fail
    path = tmp_path / f"n.{ext}"
    path.write_bytes(b"x")
    with pytest.raises(MissingDependencyError, match=rf'pip install "exactnet\[{ext}\]"'):
        load_network(path)
    with pytest.raises(MissingDependencyError):
        save_network(NET, tmp_path / f"m.{ext}")


def test_torch_api_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match="torch"):
        torch_format.to_torch(NET)
    assert torch_format.torch_available() is False


def test_keras_without_h5py(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "h5py", None)
    path = tmp_path / "m.h5"
    path.write_bytes(b"x")
    with pytest.raises(MissingDependencyError, match=r'pip install "exactnet\[keras\]"'):
        load_network(path)
