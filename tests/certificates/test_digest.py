"""The certificate digest: written certificates detect every edit, even one that leaves a valid
proof; reformatting does not matter; without a digest the mathematics alone decides."""

import copy
import json

import pytest

from exactnet.certificates import MalformedCertificate, read_certificate, sealed, write_certificate
from exactnet.check import check_certificate
from exactnet.cli.main import main
from exactnet.network import Network
from exactnet.relu.equivalence import equivalent

I2 = [[1, 0], [0, 1]]
A = Network.from_lists("relu", [(I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0])])
B = Network.from_lists("relu", [(I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0])])


@pytest.fixture(scope="module")
def region_tree():
    res = equivalent(A, B, certificate=True, tiers="abcd")  # without the structural tier (s)
    assert res.equivalent is True and res.certificate["evidence"]["method"] == "region_tree"
    return json.loads(json.dumps(res.certificate))


def _moved_leaf_point(cert):
    """Move the first leaf's interior point 1 unit along x: in the quadrant cell it stays interior."""
    out = copy.deepcopy(cert)
    for node in out["evidence"]["nodes"]:
        if "leaf" in node and node["leaf"]["point"] == [1, 1]:
            node["leaf"]["point"] = [2, 1]
            return out
    pytest.skip("no leaf with interior point (1, 1) in this certificate")


def test_written_certificate_is_sealed_and_valid(tmp_path, region_tree):
    path = tmp_path / "c.json"
    write_certificate(region_tree, path)
    obj = read_certificate(path)
    assert set(obj["digest"]) == {"sha256"} and len(obj["digest"]["sha256"]) == 64
    assert check_certificate(obj).valid


def test_an_edit_that_keeps_the_proof_valid_is_still_detected(region_tree):
    moved = _moved_leaf_point(region_tree)
    assert check_certificate(moved).valid  # the mathematics alone accepts another interior point
    tampered = _moved_leaf_point(sealed(region_tree))
    result = check_certificate(tampered)
    assert not result.valid and "modified" in result.reason


def test_reformatting_keeps_the_digest(tmp_path, region_tree):
    obj = sealed(region_tree)
    reordered = dict(reversed(list(obj.items())))
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(reordered, indent=4, sort_keys=True))
    assert check_certificate(read_certificate(path)).valid


def test_cli_exit_codes(tmp_path, capsys, region_tree):
    good, bad, broken = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "broken.json"
    write_certificate(region_tree, good)
    obj = json.loads(good.read_text())
    obj["networks"][0]["layers"][1]["weight"][0][0] = 2
    bad.write_text(json.dumps(obj))
    obj["digest"] = "not an object"
    broken.write_text(json.dumps(obj))
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad)]) == 1
    assert main(["check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "digest" in err and "Traceback" not in err


def test_without_digest_the_mathematics_decides(region_tree):
    obj = copy.deepcopy(region_tree)
    obj["networks"][0]["layers"][1]["weight"][0][0] = 2  # A changes: its maps no longer match
    assert "digest" not in obj
    assert not check_certificate(obj).valid
    with pytest.raises(MalformedCertificate):
        check_certificate({**sealed(region_tree), "digest": {"sha256": 5}})
