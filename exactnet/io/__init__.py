"""Reading and writing networks in every supported file format.

``load_network(path)`` and ``save_network(net, path)`` dispatch on the file extension:

========================  ===========================================================
``.json``                 ``exactnet.network/1`` (exact)
``.pt`` / ``.pth``        PyTorch state dict (see :mod:`exactnet.io.torch_format`)
``.safetensors``          safetensors (see :mod:`exactnet.io.safetensors_format`)
``.onnx``                 ONNX (see :mod:`exactnet.io.onnx_format`)
``.npz``                  NumPy archive (see :mod:`exactnet.io.numpy_format`)
``.h5`` / ``.hdf5``       Keras HDF5 MLP, read only (see :mod:`exactnet.io.keras_format`)
========================  ===========================================================

``load_model(path)`` returns an :class:`~exactnet.io.imported.ImportedNetwork`: the network
together with a final Softmax/LogSoftmax it stripped (allowed for top-1 questions only) and
notes on what the import rewrote exactly; ``load_network`` refuses such a model with one line.

Every importer converts each float exactly to the dyadic rational it holds. Exporters to
binary float formats round to the target dtype and report which values changed and by how
much (:class:`ExportReport`). Optional packages are imported only when their format is used.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnsupportedError
from ..network import Network, read_network, write_network
from .export import ExportReport
from .imported import ImportedNetwork


FORMATS = {
    ".json": "json",
    ".pt": "torch",
    ".pth": "torch",
    ".safetensors": "safetensors",
    ".onnx": "onnx",
    ".npz": "numpy",
    ".h5": "keras",
    ".hdf5": "keras",
}
#: Formats that may record an output transform (the others hold the network only).
_MODEL_FORMATS = ("torch", "onnx", "keras")


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnsupportedError(f"{path}: unknown file type {suffix or '(no extension)'!r}; supported: {known}") from None


def load_network(path: str | Path, activation: str | None = None) -> Network:
    """Read a network from any supported format (``activation`` for formats that lack it).

    A model ending with Softmax/LogSoftmax is refused (its outputs are not exact); read it with
    :func:`load_model` for top-1 questions."""
    return load_model(path, activation).for_values("exact and ε questions")


def load_model(path: str | Path, activation: str | None = None) -> ImportedNetwork:
    """Read a model from any supported format, keeping a final Softmax/LogSoftmax as its
    output transform (see :mod:`exactnet.io.imported`)."""
    fmt = format_of(path)
    if fmt == "json":
        net = read_network(path)
        if activation is not None and activation != net.activation:
            raise UnsupportedError(
                f"{path}: the file says activation {net.activation!r} but {activation!r} was requested"
            )
        return ImportedNetwork(net, None, str(path))
    module = _module(fmt)
    if fmt in _MODEL_FORMATS:
        return module.load_model(Path(path), activation=activation)
    return ImportedNetwork(module.load(Path(path), activation=activation), None, str(path))


def save_network(net: Network, path: str | Path, dtype: str | None = None) -> ExportReport:
    """Write ``net``; binary formats round to ``dtype`` (default float64) and report it."""
    fmt = format_of(path)
    if fmt == "keras":
        raise UnsupportedError(f"{path}: exactnet reads Keras .h5 files but does not write them; write .onnx,"
                               " .pt, .safetensors, .npz or .json")
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
    elif fmt == "keras":
        from . import keras_format as module
    else:  # pragma: no cover - FORMATS and this table are kept together
        raise UnsupportedError(f"no reader for the format {fmt!r}")
    return module


__all__ = ["ExportReport", "FORMATS", "ImportedNetwork", "format_of", "load_model", "load_network", "save_network"]
