"""Exception types.

Every error a user can provoke with bad input is an :class:`InputError` (or a subclass)
with a one-line, human-readable message; the CLI maps it to exit code 2 without a
traceback.  Anything else escaping to the CLI is a bug in exactnet.
"""

from __future__ import annotations


class ExactnetError(Exception):
    """Base class of all exactnet errors."""


class InputError(ExactnetError, ValueError):
    """Bad user input: malformed file, unparsable number, shape mismatch, ..."""


class NumberError(InputError):
    """A value that is not an exact real number exactnet can handle (NaN, inf, complex, ...)."""


class NetworkError(InputError):
    """A network that is malformed (shapes, activation, empty layers, ...)."""


class FormatError(InputError):
    """A file that cannot be read as the format it claims to be."""


class UnsupportedError(InputError):
    """Input that is well-formed but outside what exactnet supports (an ONNX op, a layer type)."""


class MissingDependencyError(InputError):
    """An optional dependency (torch, onnx, safetensors, matplotlib, ...) is not installed."""

    def __init__(self, package: str, extra: str | None = None, purpose: str = ""):
        hint = f'pip install "exactnet[{extra}]"' if extra else f"pip install {package}"
        what = f" for {purpose}" if purpose else ""
        super().__init__(f"the optional package '{package}' is needed{what}; install it with: {hint}")
        self.package = package


class FieldMismatchError(ExactnetError, TypeError):
    """Arithmetic between algebraic numbers of two different number fields.

    Numbers that must be compared are first moved into one common field with
    :func:`exactnet.numbers.unify_fields` (the network-level helpers do this).
    """
