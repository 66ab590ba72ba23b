"""Size limits of network files, checked before any tensor is materialised (docs/numbers.md).

A few hundred bytes can *declare* gigabytes: a compressed ``.npz`` member of zeros, a PyTorch
tensor viewing one stored element with stride 0, a zip record whose header announces a huge
size. Every reader therefore compares the sizes a file declares with what it holds, and counts
the numbers (weights and biases) it is about to create against :data:`MAX_ELEMENTS` *before*
creating them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError
from ..network.limits import MAX_ELEMENTS
#: Bytes of one tensor record (the largest float64 tensor within :data:`MAX_ELEMENTS`).
MAX_RECORD_BYTES = 8 * MAX_ELEMENTS
#: Bytes of the pickle (``data.pkl``) of a PyTorch checkpoint, or of a safetensors header.
MAX_HEADER_BYTES = 1 << 26
#: Members of an archive (``.npz``, ``.pt``).
MAX_MEMBERS = 10_000


class TooLargeError(FormatError):
    """A file that declares more data than the documented limits allow (exit 2)."""


def element_count(shape) -> int:
    """The number of elements of ``shape`` (exact, no overflow)."""
    count = 1
    for n in shape:
        count *= int(n)
    return count


@dataclass
class ElementTally:
    """Numbers created so far while reading one file, against :data:`MAX_ELEMENTS`."""

    source: str
    limit: int = MAX_ELEMENTS
    total: int = 0

    def add(self, count: int, what: str) -> None:
        """Count ``count`` more numbers for ``what``; refuse before they exist if over the limit."""
        if count > self.limit or self.total + count > self.limit:
            raise TooLargeError(
                f"{self.source}: {what} holds {count:,} numbers"
                + (f" ({self.total + count:,} with the tensors before it)" if self.total else "")
                + f", over the limit of {self.limit:,} numbers per network file (see docs/numbers.md)"
            )
        self.total += count


def check_record_size(source: str, what: str, declared: int, limit: int = MAX_RECORD_BYTES) -> None:
    """Refuse a record whose declared (uncompressed) size is over ``limit`` bytes."""
    if declared > limit:
        raise TooLargeError(
            f"{source}: {what} declares {declared:,} bytes, over the limit of {limit:,} bytes"
            f" ({MAX_ELEMENTS:,} float64 numbers; see docs/numbers.md)"
        )
