"""Certificates built from tanh results (tanh/certificates.py) pass the independent checker."""

from __future__ import annotations

from flint import fmpq

from exactnet.check import check_certificate
from exactnet.network import Network
from exactnet.tanh.certificates import (
    compression_certificate, equivalence_certificate, path_certificate, proximate_rank_certificate,
)
from exactnet.tanh.compression import compress
from exactnet.tanh.equivalence import equivalent
from exactnet.tanh.parameter import TanhParameter
from exactnet.tanh.paths import path
from exactnet.tanh.proximate_rank import proximate_rank

REDUCIBLE = Network.from_lists("tanh", [([[1], [1], [2]], [0, 0, 1]), ([[1, 2, 3]], [0])])  # units 0, 1 merge


def test_every_tanh_certificate_checks():
    comp = compress(TanhParameter.from_network(REDUCIBLE)).compressed().realised().to_network()
    certs = [
        compression_certificate(REDUCIBLE, comp),
        equivalence_certificate(equivalent(REDUCIBLE, comp)),
        path_certificate(path(REDUCIBLE, Network.from_lists("tanh", [([[1], [1], [2]], [0, 0, 1]),
                                                                     ([[3, 0, 3]], [0])]))),
        proximate_rank_certificate(proximate_rank(REDUCIBLE, fmpq(1, 10))),
    ]
    for cert in certs:
        result = check_certificate(cert)
        assert result.valid, (cert["kind"], result.reason)


def test_a_non_equivalence_certificate_checks_and_its_claim_is_false():
    other = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    res = equivalent(REDUCIBLE, other)
    cert = equivalence_certificate(res)
    assert res.equivalent is False and cert["claim"]["equivalent"] is False and check_certificate(cert).valid
