"""exactnet: exact decisions about neural-network parameters.

Numbers are exact (``flint.fmpq`` rationals and real algebraic numbers); verdicts never depend
on floating-point tolerances. Importing ``exactnet`` does not import torch or onnx.
"""

from __future__ import annotations

from ._version import __version__
from .errors import ExactnetError, InputError
from .network import Layer, Network, evaluate, forward_exact, read_network, write_network
from .numbers import format_number, number

__all__ = [
    "ExactnetError", "InputError", "Layer", "Network", "__version__", "evaluate", "format_number",
    "forward_exact", "number", "read_network", "write_network",
]
