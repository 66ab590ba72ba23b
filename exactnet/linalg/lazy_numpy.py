"""NumPy, imported on first use (``from ..linalg.lazy_numpy import np``).

Importing NumPy costs tens of milliseconds, and most commands never need it; the modules that use
it for modular arithmetic at scale (ranks, Jacobians) reach it through this proxy, so importing
them stays cheap until NumPy is actually used.
"""

from __future__ import annotations


class _LazyNumpy:
    __slots__ = ()

    def __getattr__(self, name: str):
        import numpy

        return getattr(numpy, name)


np = _LazyNumpy()

__all__ = ["np"]
