"""exactnet: exact decisions about neural-network parameters.

Numbers are exact (``flint.fmpq`` rationals and real algebraic numbers); verdicts never depend
on floating-point tolerances. Importing ``exactnet`` does not import torch or onnx.

* :func:`load_network` / :func:`save_network` — every supported file format (``.json``,
  ``.pt``/``.pth``, ``.safetensors``, ``.onnx``, ``.npz``; :mod:`exactnet.io`);
* :class:`Network`, :class:`Layer`, :func:`evaluate`, :func:`forward_exact` — the model;
* the families: :mod:`exactnet.relu`, :mod:`exactnet.tanh`, :mod:`exactnet.symmetry`; certificates
  are checked by :mod:`exactnet.check` (``docs/architecture.md``).
"""

from __future__ import annotations

from ._version import __version__
from .errors import ExactnetError, InputError
from .io import load_network, save_network
from .network import Layer, Network, evaluate, forward_exact, read_network, write_network
from .numbers import format_number, number

__all__ = [
    "ExactnetError", "InputError", "Layer", "Network", "__version__", "evaluate", "format_number",
    "forward_exact", "load_network", "number", "read_network", "save_network", "write_network",
]
