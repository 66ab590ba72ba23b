"""``relu.equivalence`` certificates built by relu/certificates.py are accepted by the independent
checker, and their claim follows the decision."""

from __future__ import annotations

from exactnet.check import check_certificate
from exactnet.relu.certificates import KIND, equivalence_certificate, witness_evidence
from exactnet.relu.equivalence import equivalent

from .nets import net_from


def test_witness_certificate_checks_and_a_wrong_claim_does_not():
    a = net_from([([[1]], [0]), ([[1]], [0])])
    b = net_from([([[1]], [0]), ([[2]], [0])])
    res = equivalent(a, b, certificate=True)
    assert res.equivalent is False and res.certificate["kind"] == KIND
    assert check_certificate(res.certificate).valid
    forged = equivalence_certificate(a, a, False, None, "c", witness_evidence(a, a, (1,)))
    assert not check_certificate(forged).valid            # equal outputs at the "witness"
