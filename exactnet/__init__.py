"""exactnet: exact decisions about neural-network parameters.

Numbers are exact (``flint.fmpq`` rationals and real algebraic numbers); verdicts never depend
on floating-point tolerances. Importing ``exactnet`` does not import torch or onnx.

* :func:`load_network` / :func:`save_network` — every supported file format (``.json``,
  ``.pt``/``.pth``, ``.safetensors``, ``.onnx``, ``.npz``; :mod:`exactnet.io`);
* :class:`Network`, :class:`Layer`, :func:`evaluate`, :func:`forward_exact` — the model;
* the families: :mod:`exactnet.relu`, :mod:`exactnet.tanh`, :mod:`exactnet.symmetry`; certificates
  are checked by :mod:`exactnet.check` (``docs/architecture.md``).

The names above are loaded on first use (PEP 562 module ``__getattr__``), so that ``import
exactnet`` and the command line start quickly: ``import exactnet`` loads only the version and the
error types; ``exactnet.load_network`` then imports :mod:`exactnet.io` (``docs/dependencies.md``).
"""

from __future__ import annotations

import sys

from ._version import __version__
from .errors import ExactnetError, InputError

#: The public names that are imported on first use, and the module that defines each.
_LAZY = {
    "load_network": "io", "save_network": "io",
    "Layer": "network", "Network": "network", "evaluate": "network", "forward_exact": "network",
    "read_network": "network", "write_network": "network",
    "format_number": "numbers", "number": "numbers",
}

__all__ = ["ExactnetError", "InputError", "__version__", *sorted(_LAZY)]


def _defining_module(home: str):
    """The module ``exactnet.<home>``, imported now. (Importing one of its names, not ``from .
    import io``: that form asks this package for the attribute first, which would come back to
    :func:`__getattr__`.)"""
    if home == "io":
        from .io import load_network as _loaded
    elif home == "network":
        from .network import Network as _loaded
    else:
        from .numbers import number as _loaded
    del _loaded
    return sys.modules[f"{__name__}.{home}"]


#: Subpackages that ``import exactnet`` made available as attributes when it imported them eagerly.
_SUBPACKAGES = frozenset({"io", "network", "numbers"})


def __getattr__(name: str):
    if name in _SUBPACKAGES:  # ``import exactnet; exactnet.io.load_network(...)`` keeps working
        return _defining_module(name)
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'exactnet' has no attribute {name!r}")
    value = getattr(_defining_module(home), name)
    globals()[name] = value  # later look-ups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBPACKAGES)
