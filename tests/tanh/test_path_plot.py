"""Drawing a path inside an equivalence class (Matplotlib, optional)."""

from __future__ import annotations

import pytest

from exactnet.network import Network
from exactnet.tanh.path_plot import plot_path
from exactnet.tanh.paths import path


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    a = Network.from_lists("tanh", [([[1], [1]], [0, 0]), ([[1, 0]], [0])])
    b = Network.from_lists("tanh", [([[1], [1]], [0, 0]), ([[0, 1]], [0])])
    result = path(a, b)
    assert result.exists
    out = tmp_path / "path.png"
    plot_path(result, str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
