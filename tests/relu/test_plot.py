"""Drawing exact regions of a 2-input network (Matplotlib, optional)."""

from __future__ import annotations

import pytest

from exactnet.relu.plot import plot_regions
from exactnet.relu.regions import regions

from .nets import net_from


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    net = net_from([([[1, 0], [0, 1], [1, 1]], [0, 0, -1]), ([[1, 1, 1]], [0])])
    cells = list(regions(net))
    out = tmp_path / "regions.png"
    plot_regions(cells, str(out), [net])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
