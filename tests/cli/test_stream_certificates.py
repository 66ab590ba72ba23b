"""``exactnet equiv --certificate FILE --stream-certificate`` and ``exactnet check`` on streamed
certificates, through the real command line (subprocesses)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.check.test_relu_stream import _hidden_pair
from tests.cli.hostile.clirun import run

from exactnet.certificates.stream import stream_lines, write_lines
from exactnet.io import save_network
from exactnet.network import Network

# a pair with hidden symmetries (two shifted opposite pairs) that only the region tree (tier d) decides
A, B = _hidden_pair()
C = Network.from_lists("relu", [([list(r) for r in L.weight], list(L.bias)) for L in B.layers[:-1]]
                       + [([list(r) for r in B.layers[-1].weight], [B.layers[-1].bias[0] + 1])])


@pytest.fixture(scope="module")
def nets(tmp_path_factory):
    d = tmp_path_factory.mktemp("nets")
    for name, net in (("a", A), ("b", B), ("c", C)):
        save_network(net, d / f"{name}.json")
    return d


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_stream_certificate_round_trip(nets, tmp_path, suffix):
    cert = tmp_path / f"cert{suffix}"
    r = run("equiv", nets / "a.json", nets / "b.json", "--certificate", cert, "--stream-certificate", "--json")
    assert r.code == 0, r.err
    assert r.json["tier"] == "d" and r.json["certificate"] == str(cert)
    assert (cert.read_bytes()[:2] == b"\x1f\x8b") == suffix.endswith(".gz")
    assert not (tmp_path / f"cert{suffix}.partial").exists()
    ok = run("check", cert, "--network", nets / "a.json", "--network", nets / "b.json", "--json")
    assert ok.code == 0 and ok.json["valid"] is True and ok.json["kind"] == "relu.equivalence", ok.out
    wrong = run("check", cert, "--network", nets / "c.json", "--json")
    assert wrong.code == 1 and wrong.json["valid"] is False


def test_not_equivalent_writes_a_witness_certificate(nets, tmp_path):
    cert = tmp_path / "w.jsonl"
    r = run("equiv", nets / "a.json", nets / "c.json", "--certificate", cert, "--stream-certificate", "--json")
    assert r.code == 1 and r.json["certificate"] == str(cert)
    assert json.loads(cert.read_text())["evidence"]["method"] == "witness"  # an ordinary /1 certificate
    assert run("check", cert).code == 0
    assert not (tmp_path / "w.jsonl.partial").exists()


def test_tampered_truncated_and_unsealed_streams(nets, tmp_path):
    cert = tmp_path / "c.jsonl"
    assert run("equiv", nets / "a.json", nets / "b.json", "--certificate", cert, "--stream-certificate").code == 0
    lines = stream_lines(cert)
    # a network swapped for one that differs, resealed: invalid (exit 1) by the mathematics
    header = json.loads(lines[0])
    header["networks"][1]["layers"][-1]["bias"][0] = "12345/7"  # B + const: the claim is false
    forged = tmp_path / "forged.jsonl"
    write_lines(forged, [json.dumps(header)] + lines[1:])
    r = run("check", forged, "--json")
    assert r.code == 1 and r.json["valid"] is False and "digest" not in r.json["reason"]
    # the same edit without resealing: the digest fails first
    unsealed = tmp_path / "unsealed.jsonl"
    write_lines(unsealed, [json.dumps(header)] + lines[1:], reseal=False)
    r = run("check", unsealed, "--json")
    assert r.code == 1 and "digest" in r.json["reason"]
    # truncated (no trailer), lines after the trailer, broken gzip: malformed, exit 2
    truncated = tmp_path / "t.jsonl"
    truncated.write_text("\n".join(lines[:-1]) + "\n")
    run("check", truncated).assert_error("truncated")
    extra = tmp_path / "x.jsonl"
    extra.write_text("\n".join(lines + [lines[1]]) + "\n")
    run("check", extra).assert_error("after the trailer")
    broken = tmp_path / "b.jsonl.gz"
    broken.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode())[:-12])
    run("check", broken).assert_error()


def test_stream_certificate_needs_a_file(nets):
    run("equiv", nets / "a.json", nets / "b.json", "--stream-certificate").assert_error("--certificate")


def test_stream_certificate_is_refused_for_tanh(tmp_path):
    t = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    save_network(t, tmp_path / "t.json")
    run("equiv", tmp_path / "t.json", tmp_path / "t.json", "--certificate", tmp_path / "c.jsonl",
        "--stream-certificate").assert_error("--stream-certificate", "tanh")
    assert not (tmp_path / "c.jsonl").exists()


# ---------------------------------------------------------------------------------------------
# the interface's single JSON object (/1) is the default; --certificate-format 2 streams region trees
# ---------------------------------------------------------------------------------------------


def _format(path) -> str:
    from exactnet.certificates.stream import is_stream

    return "2" if is_stream(path) else json.loads(path.read_text())["format"][-1]


def test_region_tree_proofs_are_one_json_object_by_default_and_streamed_on_request(nets, tmp_path):
    cert = tmp_path / "default.json"
    r = run("equiv", nets / "a.json", nets / "b.json", "--certificate", cert, "--json")
    assert r.code == 0 and r.json["tier"] == "d" and r.json["certificate_format"] == 1
    assert _format(cert) == "1" and json.loads(cert.read_text())["format"] == "exactnet.certificate/1"
    streamed = tmp_path / "streamed.jsonl"
    r = run("equiv", nets / "a.json", nets / "b.json", "--certificate", streamed, "--certificate-format", "2",
            "--json")
    assert r.code == 0 and r.json["certificate_format"] == 2 and _format(streamed) == "2"
    for c in (cert, streamed):
        ok = run("check", c, "--network", nets / "a.json", "--network", nets / "b.json", "--json")
        assert ok.code == 0 and ok.json["valid"] is True, ok.out
    # other verdicts stay /1 whatever the format asks for
    w = tmp_path / "w.json"
    r = run("equiv", nets / "a.json", nets / "c.json", "--certificate", w, "--certificate-format", "2", "--json")
    assert r.code == 1 and r.json["certificate_format"] == 1 and _format(w) == "1"


def test_certificate_format_options_are_checked(nets, tmp_path):
    run("equiv", nets / "a.json", nets / "b.json", "--certificate-format", "1").assert_error("--certificate")
    run("equiv", nets / "a.json", nets / "b.json", "--certificate-networks", "digest").assert_error("--certificate")
    run("equiv", nets / "a.json", nets / "b.json", "--certificate", tmp_path / "x.json", "--stream-certificate",
        "--certificate-format", "1").assert_error("contradicts")
    run("equiv", nets / "a.json", nets / "b.json", "--certificate", tmp_path / "y.json",
        "--certificate-format", "3").assert_error()
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "y.json").exists()


def test_compress_on_a_polytope_streams_its_region_tree_on_request(tmp_path):
    net = Network.from_lists("relu", [([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [-1, -1], [1, -1]], [0, 0, -10]),
                                      ([[1, 1, 1]], [0])])
    save_network(net, tmp_path / "n.json")
    (tmp_path / "tri.json").write_text(json.dumps({"format": "exactnet.domain/1", "A": [[-1, 0], [0, -1], [1, 1]],
                                                   "b": [1, 1, 1]}))
    for fmt, expected in ((None, "1"), ("2", "2"), ("1", "1")):
        cert = tmp_path / f"c{fmt}.json"
        extra = () if fmt is None else ("--certificate-format", fmt)
        r = run("compress", tmp_path / "n.json", "--domain", tmp_path / "tri.json", "--certificate", cert, *extra,
                "--json")
        assert r.code == 0 and r.json["hidden_widths_after"] == [2] and r.json["certificate"] == str(cert), r.err
        assert _format(cert) == expected
        assert run("check", cert, "--network", tmp_path / "n.json").code == 0
    run("compress", tmp_path / "n.json", "--certificate-format", "1").assert_error("--certificate")


def test_certificates_by_digest(tmp_path):
    """--certificate-networks digest: the certificate refers to the network files by SHA-256;
    check needs them (exit 2 without), other files are invalid (exit 1)."""
    import numpy as np

    from exactnet.relu.sampling import gaussian_network

    a = gaussian_network((3, 60, 60, 1), np.random.default_rng(1))
    (W1, b1), (W2, b2), (W3, b3) = [([list(r) for r in L.weight], list(L.bias)) for L in a.layers]
    # B: the first hidden layer reversed and scaled by 2 (its outgoing weights halved)
    b = Network.from_lists("relu", [([[2 * v for v in r] for r in W1[::-1]], [2 * v for v in b1[::-1]]),
                                    ([[v / 2 for v in r[::-1]] for r in W2], b2), (W3, b3)])
    save_network(a, tmp_path / "a.json")
    save_network(b, tmp_path / "b.json")
    inline, ref = tmp_path / "inline.json", tmp_path / "ref.json"
    assert run("equiv", tmp_path / "a.json", tmp_path / "b.json", "--certificate", inline).code == 0
    r = run("equiv", tmp_path / "a.json", tmp_path / "b.json", "--certificate", ref, "--certificate-networks", "digest",
            "--json")
    assert r.code == 0 and r.json["tier"] == "b"
    assert ref.stat().st_size * 4 < inline.stat().st_size
    assert json.loads(ref.read_text())["networks"][0].keys() == {"sha256"}
    ok = run("check", ref, "--network", tmp_path / "a.json", "--network", tmp_path / "b.json", "--json")
    assert ok.code == 0 and ok.json["valid"] is True
    swapped = run("check", ref, "--network", tmp_path / "b.json", "--network", tmp_path / "a.json", "--json")
    assert swapped.code == 1 and "digest" in swapped.json["reason"]
    run("check", ref).assert_error("--network")
