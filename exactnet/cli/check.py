"""``exactnet check CERT``: the verdict of the independent checkers (:mod:`exactnet.check`)."""

from __future__ import annotations

from .report import EXIT_NO, EXIT_YES, Report


def check(budget, cert: str, networks: list) -> Report:
    """Verify a certificate (exit 0 valid, 1 invalid; malformed certificates raise: exit 2);
    ``networks``: networks the certificate's inline networks must equal, in order."""
    from ..check import check_file

    result = check_file(cert, networks)
    data = {"valid": result.valid, "reason": result.reason, "kind": result.kind}
    return Report(data, EXIT_YES if result.valid else EXIT_NO)


__all__ = ["check"]
