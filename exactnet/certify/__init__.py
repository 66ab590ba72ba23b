"""Certificates (``exactnet.certificate/1``) and their independent checking.

A certificate is a JSON object::

    {"format": "exactnet.certificate/1",
     "kind": "<family>.<claim>",          e.g. "tanh.equivalence", "relu.equivalence"
     "claim": {...},                      what is asserted (e.g. {"equivalent": true})
     "networks": [<exactnet.network/1>, ...],   the inputs, inline
     "evidence": {...},                   what the checker re-verifies
     "digest": {"sha256": "..."}}         written by exactnet (optional on input)

``exactnet check`` verifies it with :func:`check_certificate`, which dispatches on the family to
``exactnet.certify.check_<family>``: small modules that share only parsing and number types
with the code that produced the certificate. A check returns valid/invalid with a reason;
structurally broken certificates raise :class:`MalformedCertificate` (exit 2).

**Shape.** Every kind has an explicit schema (:mod:`exactnet.certify.schema`): a key that the
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
import importlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError, InputError

FORMAT = "exactnet.certificate/1"


class MalformedCertificate(FormatError):
    """The certificate is not a well-formed ``exactnet.certificate/1`` object (exit 2)."""


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    reason: str


def certificate(kind: str, claim: dict, networks: list, evidence: dict) -> dict:
    """Assemble a certificate object (``networks`` are :class:`Network` objects)."""
    from ..network import network_to_obj

    return {
        "format": FORMAT,
        "kind": kind,
        "claim": claim,
        "networks": [network_to_obj(n) for n in networks],
        "evidence": evidence,
    }


def certificate_digest(obj: dict) -> str:
    """SHA-256 of the canonical JSON of a certificate without its ``digest`` entry."""
    body = {k: v for k, v in obj.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sealed(obj: dict) -> dict:
    """The certificate with its ``digest`` (see the module docstring)."""
    return {**{k: v for k, v in obj.items() if k != "digest"}, "digest": {"sha256": certificate_digest(obj)}}


def write_certificate(obj: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(sealed(obj), indent=1) + "\n", encoding="utf-8")


def read_certificate(path: str | Path) -> dict:
    from ..numbers.jsonfile import read_json

    return read_json(path, "certificate", MalformedCertificate)


def certificate_networks(obj: dict) -> list:
    """The inline networks of a certificate (parsed exactly)."""
    from ..network import network_from_obj

    nets = obj.get("networks")
    if not isinstance(nets, list):
        raise MalformedCertificate("certificate: 'networks' must be a list of exactnet.network/1 objects")
    out = []
    for i, n in enumerate(nets, start=1):
        try:
            out.append(network_from_obj(n, f"certificate network {i}"))
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


def check_certificate(obj) -> CheckResult:
    """Verify a certificate object (dispatching on the family of its ``kind``).

    Order: the shape (:func:`exactnet.certify.schema.validate`: the kind's keys and nothing
    else, ``digest`` exactly ``{"sha256": hex}``; else malformed), then the digest when present
    (a mismatch is invalid), then the mathematics (the family's ``check``)."""
    from .schema import validate

    if not isinstance(obj, dict):
        raise MalformedCertificate("certificate: expected a JSON object")
    if obj.get("format") != FORMAT:
        raise MalformedCertificate(f"certificate: 'format' must be {FORMAT!r}")
    validate(obj)  # also: the kind is one of schema.KINDS
    module = importlib.import_module(f"exactnet.certify.check_{obj['kind'].split('.', 1)[0]}")
    if "digest" in obj:
        try:
            actual = certificate_digest(obj)
        except (TypeError, ValueError):
            raise MalformedCertificate("certificate: cannot compute the digest of this object") from None
        if obj["digest"]["sha256"] != actual:
            return CheckResult(False, "the certificate was modified after it was written (its SHA-256 digest does"
                                      " not match; remove the 'digest' entry to check the mathematics alone)")
    try:
        return module.check(obj)
    except MalformedCertificate:
        raise
    except InputError as exc:
        raise MalformedCertificate(f"certificate: {exc}") from None
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise MalformedCertificate(f"certificate: malformed evidence ({type(exc).__name__}: {exc})") from None


def check_file(path: str | Path, expected_networks: list | None = None):
    """The ``exactnet check`` report (valid → exit 0, invalid → 1; malformed raises → 2)."""
    from ..cli.report import Report

    obj = read_certificate(path)
    result = check_certificate(obj)
    if result.valid and expected_networks:
        nets = certificate_networks(obj)
        if len(expected_networks) > len(nets):
            result = CheckResult(False, f"the certificate has {len(nets)} networks, {len(expected_networks)} were given")
        else:
            from ..network import common_field

            for i, (given, inline) in enumerate(zip(expected_networks, nets), start=1):
                g, c = common_field(given, inline)
                if g != c:
                    result = CheckResult(False, f"network {i} of the certificate differs from the given file")
                    break
    data = {"valid": result.valid, "reason": result.reason, "kind": obj.get("kind")}
    return Report(data, 0 if result.valid else 1)


__all__ = [
    "FORMAT", "CheckResult", "MalformedCertificate", "certificate", "certificate_digest", "certificate_networks",
    "check_certificate", "check_file", "number_literals", "read_certificate", "sealed", "write_certificate",
]
