"""What is sealed is what is checked: every certificate kind has an explicit schema, an unknown
key anywhere is malformed (exit 2), ``digest`` is exactly ``{"sha256": <64 hex>}``, and with a
digest every edit of any value fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.check.test_adversarial import POOL_SIZE, fresh, pool

from exactnet.certificates import MalformedCertificate, certificate_digest, sealed
from exactnet.check import check_certificate  # noqa: E402
from exactnet.certificates.schema import KINDS  # noqa: E402


def dict_paths(obj, path=()):
    if isinstance(obj, dict):
        yield path
        for k, v in obj.items():
            yield from dict_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from dict_paths(v, path + (i,))


def leaf_paths(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaf_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaf_paths(v, path + (i,))
    else:
        yield path


def get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def test_every_written_kind_has_a_schema():
    kinds = {json.loads(c)["kind"] for c in pool()}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("index", range(POOL_SIZE))
def test_an_unknown_key_anywhere_is_malformed(index):
    cert = fresh(index)
    paths = list(dict_paths(cert))
    assert len(paths) > 3
    for path in paths:
        for cert_ in (copy.deepcopy(cert), sealed(copy.deepcopy(cert))):
            get(cert_, path)["unexpected"] = 1
            with pytest.raises(MalformedCertificate, match="unknown key"):
                check_certificate(cert_)


def test_digest_must_be_exactly_sha256_hex():
    cert = sealed(fresh(0))
    assert check_certificate(cert).valid
    for bad in ({**cert["digest"], "note": "x"}, {"sha256": cert["digest"]["sha256"].upper()},
                {"sha256": cert["digest"]["sha256"][:-1]}, {"sha256": 5}, {}, [cert["digest"]["sha256"]],
                cert["digest"]["sha256"]):
        with pytest.raises(MalformedCertificate, match="digest"):
            check_certificate({**cert, "digest": bad})


@pytest.mark.parametrize("index", range(0, POOL_SIZE, 3))
def test_the_digest_covers_every_value(index):
    """With a digest, changing any leaf (numbers, names, indices, booleans) is never valid."""
    cert = sealed(fresh(index))
    for path in leaf_paths(cert):
        if path[0] == "digest":
            continue
        bad = copy.deepcopy(cert)
        value = get(bad, path)
        new = (not value) if isinstance(value, bool) else value + 1 if isinstance(value, int) else \
            {} if value is None else str(value) + "0"
        get(bad, path[:-1])[path[-1]] = new
        try:
            result = check_certificate(bad)
        except MalformedCertificate:
            continue
        assert not result.valid, path


def test_the_digest_is_of_everything_but_itself():
    cert = sealed(fresh(1))
    body = {k: v for k, v in cert.items() if k != "digest"}
    assert cert["digest"]["sha256"] == certificate_digest(body) == certificate_digest(cert)
    assert set(cert) == {"format", "kind", "claim", "networks", "evidence", "digest"}


def test_messages_stay_short_for_huge_or_many_unknown_keys():
    cert = fresh(0)
    cert["claim"].update({"k" * 10_000: 1, **{f"x{i}": i for i in range(50)}})
    with pytest.raises(MalformedCertificate) as info:
        check_certificate(cert)
    assert len(str(info.value)) < 300 and "more" in str(info.value)
