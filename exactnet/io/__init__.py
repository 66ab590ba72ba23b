"""Reading and writing networks in every supported file format.

``load_network(path)`` and ``save_network(net, path)`` dispatch on the file extension:

========================  ===========================================================
``.json``                 ``exactnet.network/1`` (exact)
``.pt`` / ``.pth``        PyTorch state dict (see :mod:`exactnet.io.torch_format`)
``.safetensors``          safetensors (see :mod:`exactnet.io.safetensors_format`)
``.onnx``                 ONNX (see :mod:`exactnet.io.onnx_format`)
``.npz``                  NumPy archive (see :mod:`exactnet.io.numpy_format`)
========================  ===========================================================

Every importer converts each float exactly to the dyadic rational it holds. Exporters to
binary float formats round to the target dtype and report which values changed and by how
much (:class:`ExportReport`). Optional packages are imported only when their format is used.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnsupportedError
from ..network import Network, read_network, write_network
from .export import ExportReport


FORMATS = {
    ".json": "json",
    ".pt": "torch",
    ".pth": "torch",
    ".safetensors": "safetensors",
    ".onnx": "onnx",
    ".npz": "numpy",
}


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnsupportedError(f"{path}: unknown file type {suffix or '(no extension)'!r}; supported: {known}") from None


def load_network(path: str | Path, activation: str | None = None) -> Network:
    """Read a network from any supported format (``activation`` for formats that lack it)."""
    fmt = format_of(path)
    if fmt == "json":
        net = read_network(path)
        if activation is not None and activation != net.activation:
            raise UnsupportedError(
                f"{path}: the file says activation {net.activation!r} but {activation!r} was requested"
            )
        return net
    module = _module(fmt)
    return module.load(Path(path), activation=activation)


def save_network(net: Network, path: str | Path, dtype: str | None = None) -> ExportReport:
    """Write ``net``; binary formats round to ``dtype`` (default float64) and report it."""
    fmt = format_of(path)
    if fmt == "json":
        write_network(net, path)
        return ExportReport(path=str(path), format="json", total=net.num_parameters)
    module = _module(fmt)
    return module.save(net, Path(path), dtype=dtype)


def _module(fmt: str):
    """The reader/writer module of a binary format (imported on first use: optional packages)."""
    if fmt == "torch":
        from . import torch_format as module
    elif fmt == "safetensors":
        from . import safetensors_format as module
    elif fmt == "onnx":
        from . import onnx_format as module
    elif fmt == "numpy":
        from . import numpy_format as module
    else:  # pragma: no cover - FORMATS and this table are kept together
        raise UnsupportedError(f"no reader for the format {fmt!r}")
    return module


__all__ = ["ExportReport", "FORMATS", "format_of", "load_network", "save_network"]
