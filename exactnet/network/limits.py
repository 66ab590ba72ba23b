"""How many numbers one network may hold (docs/numbers.md).

Exact arithmetic keeps every weight and bias as a Python object (about 60 bytes each), so every
reader counts the numbers a file declares against :data:`MAX_ELEMENTS` before creating them.
The file-format limits built on it are in :mod:`exactnet.io.limits`.
"""

from __future__ import annotations

#: Numbers (all weights and biases together) one network may hold: 2^24 = 16,777,216.
MAX_ELEMENTS = 1 << 24

__all__ = ["MAX_ELEMENTS"]
