"""The certificate format ``exactnet.certificate/1``: envelope, digest, reading and writing.

A certificate is a JSON object::

    {"format": "exactnet.certificate/1",
     "kind": "<family>.<claim>",          e.g. "tanh.equivalence", "relu.equivalence"
     "claim": {...},                      what is asserted (e.g. {"equivalent": true})
     "networks": [<exactnet.network/1>, ...],   the inputs, inline (large ones compact: .networks)
     "evidence": {...},                   what the checker re-verifies
     "digest": {"sha256": "..."}}         written by exactnet (optional on input)

``exactnet check`` verifies it with :func:`check_certificate`, which dispatches on the family to
``exactnet.certificates.check_<family>``: small modules that share only parsing and number types
with the code that produced the certificate. A check returns valid/invalid with a reason;
structurally broken certificates raise :class:`MalformedCertificate` (exit 2).

**Shape.** Every kind has an explicit schema (:mod:`exactnet.certificates.schema`): a key that the
checker does not read is a malformed certificate (exit 2), so what is sealed is what is checked.

**Digest.** :func:`write_certificate` adds ``digest.sha256``, the SHA-256 of the canonical JSON
(sorted keys, no spaces) of everything else; ``digest`` must be exactly ``{"sha256": hex}``, so
the digest covers every key of the certificate but the hash itself. When present, the check compares it first, so any
edit of a written certificate — even one that leaves a still-valid proof, such as moving an
interior point inside its cell — fails with exit 1. It is an integrity seal against accidental
edits, not a security measure (anyone can recompute it): the mathematics is always re-verified
in full, and certificates without a digest are checked on their mathematics alone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import FormatError, InputError

FORMAT = "exactnet.certificate/1"


class MalformedCertificate(FormatError):
    """The certificate is not a well-formed ``exactnet.certificate/1`` object (exit 2)."""


def certificate(kind: str, claim: dict, networks: list, evidence: dict) -> dict:
    """Assemble a certificate object (``networks`` are :class:`Network` objects)."""
    from .networks import network_obj

    return {
        "format": FORMAT,
        "kind": kind,
        "claim": claim,
        "networks": [network_obj(n) for n in networks],
        "evidence": evidence,
    }


def certificate_digest(obj: dict) -> str:
    """SHA-256 of the canonical JSON of a certificate without its ``digest`` entry."""
    body = {k: v for k, v in obj.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_matches(obj: dict) -> bool:
    """Whether the recorded ``digest.sha256`` is the digest of the rest (``True`` without a digest)."""
    if "digest" not in obj:
        return True
    try:
        actual = certificate_digest(obj)
    except (TypeError, ValueError):
        raise MalformedCertificate("certificate: cannot compute the digest of this object") from None
    return obj["digest"]["sha256"] == actual


def sealed(obj: dict) -> dict:
    """The certificate with its ``digest`` (see the module docstring)."""
    return {**{k: v for k, v in obj.items() if k != "digest"}, "digest": {"sha256": certificate_digest(obj)}}


def write_certificate(obj: dict, path: str | Path) -> None:
    """Write the sealed certificate: indented, unless it carries compact (large) networks, which
    are written without spaces (JSON's C encoder, and a third of the bytes)."""
    from .networks import is_compact

    text = json.dumps(sealed(obj), indent=None if any(map(is_compact, obj.get("networks") or ())) else 1)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_certificate(path: str | Path) -> dict:
    from ..numbers.jsonfile import read_json

    return read_json(path, "certificate", MalformedCertificate)


def certificate_networks(obj: dict) -> list:
    """The inline networks of a certificate (parsed exactly; plain or compact, :mod:`.networks`)."""
    from ..network import network_from_obj
    from .networks import compact_network_from_obj, is_compact, is_reference

    nets = obj.get("networks")
    if not isinstance(nets, list):
        raise MalformedCertificate("certificate: 'networks' must be a list of exactnet.network/1 objects")
    from ..network import Network

    out = []
    for i, n in enumerate(nets, start=1):
        if isinstance(n, Network):  # a reference already resolved to a given network (.networks)
            out.append(n)
            continue
        if is_reference(n):
            raise MalformedCertificate(f"certificate network {i} is a reference by digest; give the network files")
        try:
            read = compact_network_from_obj if is_compact(n) else network_from_obj
            out.append(read(n, f"certificate network {i}"))
        except InputError as exc:
            raise MalformedCertificate(str(exc)) from None
    return out


def number_literals(obj, skip_keys=frozenset()) -> list:
    """Every number literal (JSON integer or string) below ``obj`` in document order, skipping
    the values of ``skip_keys`` (names such as ``"type"``); shared by the checkers."""
    out: list = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for k, v in reversed(item.items()) if k not in skip_keys)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, (str, int)) and not isinstance(item, bool):
            out.append(item)
    return out


__all__ = [
    "FORMAT", "MalformedCertificate", "certificate", "certificate_digest", "certificate_networks", "digest_matches",
    "number_literals", "read_certificate", "sealed", "write_certificate",
]
