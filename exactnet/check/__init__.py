"""Independent certificate checkers (``exactnet check``).

One module per kind family, each a small exact verifier of one theorem per evidence type:

==================================  =========================================
kind                                checker
==================================  =========================================
``relu.equivalence``                :func:`exactnet.check.relu.check` (tier s moves: :mod:`.relu_three_layer`)
``relu.max_difference``             :func:`exactnet.check.relu_difference.check`
``relu.epsilon``                    :func:`exactnet.check.relu_difference.check`
``relu.top1``                       :func:`exactnet.check.relu_difference.check`
``relu.stable_compression``        :func:`exactnet.check.relu_stable.check`
``tanh.equivalence``                :func:`exactnet.check.tanh.check`
``tanh.path``                       :func:`exactnet.check.tanh_path.check`
``tanh.proximate_rank``             :func:`exactnet.check.tanh_proximity.check`
``tanh.max_difference_enclosure``   :func:`exactnet.check.tanh_difference.check`
==================================  =========================================

**Independence.** The checkers import only :mod:`exactnet.numbers`, :mod:`exactnet.network`, the
certificate format (:mod:`exactnet.certificates`) and their own shared helpers
(:mod:`.result`, :mod:`.tanh_moves`, :mod:`.relu_three_layer`) — never a deciding module (``relu/``, ``tanh/``,
``symmetry/``, ``polyhedra/``, ``linalg/``). ``tests/test_architecture.py`` enforces this.

Order of a check: the shape (the kind's keys and nothing else; else malformed, exit 2), then the
digest when present (a mismatch is invalid), then the mathematics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..certificates import (
    MalformedCertificate, certificate_networks, digest_matches, read_certificate, validate_shape,
)
from ..errors import InputError
from .result import CheckResult


# One function per kind; each imports its checker module when a certificate of that kind is
# checked (so checking a ReLU certificate does not load the tanh checkers, and vice versa).
def _relu_equivalence(obj) -> CheckResult:
    from .relu import check

    return check(obj)


def _relu_difference(obj) -> CheckResult:
    from .relu_difference import check

    return check(obj)


def _relu_stable_compression(obj) -> CheckResult:
    from .relu_stable import check

    return check(obj)


def _tanh_equivalence(obj) -> CheckResult:
    from .tanh import check

    return check(obj)


def _tanh_path(obj) -> CheckResult:
    from .tanh_path import check

    return check(obj)


def _tanh_max_difference_enclosure(obj) -> CheckResult:
    from .tanh_difference import check

    return check(obj)


def _tanh_proximate_rank(obj) -> CheckResult:
    from .tanh_proximity import check

    return check(obj)


#: The checker of every certificate kind (keys: :data:`exactnet.certificates.KINDS`).
CHECKERS = {
    "relu.equivalence": _relu_equivalence,
    "relu.max_difference": _relu_difference,
    "relu.epsilon": _relu_difference,
    "relu.top1": _relu_difference,
    "relu.stable_compression": _relu_stable_compression,
    "tanh.equivalence": _tanh_equivalence,
    "tanh.path": _tanh_path,
    "tanh.proximate_rank": _tanh_proximate_rank,
    "tanh.max_difference_enclosure": _tanh_max_difference_enclosure,
}


def _relu_equivalence_stream(reader) -> CheckResult:
    from .relu_stream import check

    return check(reader)


#: The checker of every streamed kind (``exactnet.certificate/2``; keys:
#: :data:`exactnet.certificates.schema.STREAM_KINDS`); each reads the records from an open reader.
STREAM_CHECKERS = {
    "relu.equivalence": _relu_equivalence_stream,
}


def check_stream_file(path: str | Path, networks: list | None = None) -> tuple[CheckResult, dict]:
    """Verify a streamed certificate file: its header's shape, then the records one at a time, then
    the digest of its trailer. Returns the verdict and the header (for the inline networks).
    ``networks``: the networks a header that refers to them by digest is checked against."""
    from ..certificates.networks import resolve_references
    from ..certificates.schema import validate_stream_header
    from ..certificates.stream import StreamReader

    with StreamReader(path) as reader:
        header = reader.header
        validate_stream_header(header)
        resolved = resolve_references(header, networks)
        if resolved is None:
            return CheckResult(False, _NOT_REFERENCED), header
        reader.header = resolved
        try:
            return STREAM_CHECKERS[header["kind"]](reader), header
        except MalformedCertificate:
            raise
        except InputError as exc:
            raise MalformedCertificate(f"certificate: {exc}") from None
        except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
            raise MalformedCertificate(f"certificate: malformed record ({type(exc).__name__}: {exc})") from None


_NOT_REFERENCED = "a given network is not the one the certificate refers to (its SHA-256 digest differs)"


def check_certificate(obj, networks: list | None = None) -> CheckResult:
    """Verify a certificate object: shape, digest, then the mathematics of its kind. ``networks``:
    the networks (in order) of a certificate that refers to them by digest instead of carrying them
    (:mod:`exactnet.certificates.networks`); a certificate with references and none given is
    malformed (exit 2), a given network with another digest makes it invalid."""
    from ..certificates.networks import resolve_references

    validate_shape(obj)
    checker = CHECKERS[obj["kind"]]
    if not digest_matches(obj):
        return CheckResult(False, "the certificate was modified after it was written (its SHA-256 digest does"
                                  " not match; remove the 'digest' entry to check the mathematics alone)")
    try:
        obj = resolve_references(obj, networks)
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    if obj is None:
        return CheckResult(False, _NOT_REFERENCED)
    try:
        return checker(obj)
    except MalformedCertificate:
        raise
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise MalformedCertificate(f"certificate: malformed evidence ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class FileCheck:
    """The answer of ``exactnet check``: the certificate's ``kind`` and the checker's verdict."""

    valid: bool
    reason: str
    kind: str | None


def check_file(path: str | Path, expected_networks: list | None = None) -> FileCheck:
    """Read and verify a certificate file; with ``expected_networks`` also require its inline
    networks to equal those (in order). Malformed certificates raise (exit 2)."""
    from ..certificates.stream import is_stream

    if is_stream(path):
        result, obj = check_stream_file(path, expected_networks)
    else:
        obj = read_certificate(path)
        result = check_certificate(obj, expected_networks)
    from ..certificates.networks import is_reference

    if result.valid and expected_networks and not any(map(is_reference, obj.get("networks") or ())):
        nets = certificate_networks(obj)  # (networks referred to by digest were verified above)
        if len(expected_networks) > len(nets):
            result = CheckResult(False, f"the certificate has {len(nets)} networks, {len(expected_networks)} were given")
        else:
            from ..network import common_field

            for i, (given, inline) in enumerate(zip(expected_networks, nets), start=1):
                g, c = common_field(given, inline)
                if g != c:
                    result = CheckResult(False, f"network {i} of the certificate differs from the given file")
                    break
    return FileCheck(result.valid, result.reason, obj.get("kind"))


__all__ = ["CHECKERS", "STREAM_CHECKERS", "CheckResult", "FileCheck", "check_certificate", "check_file", "check_stream_file"]
