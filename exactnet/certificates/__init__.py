"""Certificates: the format ``exactnet.certificate/1`` (:mod:`.format`) and the shape of every
kind (:mod:`.schema`). Deciders write certificates with these; :mod:`exactnet.check` verifies
them independently. ``docs/certificates.md`` describes every kind and what its checker verifies.
"""

from .format import (
    FORMAT, MalformedCertificate, certificate, certificate_digest, certificate_networks, digest_matches,
    number_literals, read_certificate, sealed, write_certificate,
)
from .schema import KINDS, validate_shape

__all__ = [
    "FORMAT", "KINDS", "MalformedCertificate", "certificate", "certificate_digest", "certificate_networks",
    "digest_matches", "number_literals", "read_certificate", "sealed", "validate_shape", "write_certificate",
]
