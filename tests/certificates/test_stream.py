"""The streamed certificate format ``exactnet.certificate/2`` (:mod:`exactnet.certificates.stream`):
the digest covers every line before the trailer (whatever the compression), writing is atomic,
and every broken stream is malformed, never silently accepted."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from exactnet.certificates import MalformedCertificate
from exactnet.certificates.schema import validate_stream_header
from exactnet.certificates.stream import StreamReader, StreamWriter, is_stream, stream_lines, write_lines

HEADER = {"format": "exactnet.certificate/2", "kind": "relu.equivalence", "claim": {"equivalent": True},
          "networks": [], "evidence": {"method": "region_tree_stream", "moves": [[], []]}}


def _write(path, records, compress=None):
    w = StreamWriter(path, HEADER, compress)
    for r in records:
        w.record(r)
    return w.close()


def _read(path):
    with StreamReader(path) as reader:
        records = list(reader)
        return reader.header, records, reader.digest_ok


@pytest.mark.parametrize("name", ["s.jsonl", "s.jsonl.gz"])
def test_round_trip_and_digest(tmp_path, name):
    records = [[[], [[0, 1, -1]], [0, 2]], [[], [], None], {"x": "1/3"}]
    path = _write(tmp_path / name, records)
    header, got, ok = _read(path)
    assert header == HEADER and got == records and ok is True
    assert is_stream(path)
    lines = stream_lines(path)
    body = "".join(line + "\n" for line in lines[:-1]).encode()
    assert json.loads(lines[-1]) == {"end": {"records": 3, "sha256": hashlib.sha256(body).hexdigest()}}
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")


def test_the_same_certificate_gives_the_same_bytes(tmp_path):
    a = _write(tmp_path / "a.jsonl.gz", [[1], [2]]).read_bytes()
    b = _write(tmp_path / "b.jsonl.gz", [[1], [2]]).read_bytes()
    assert a == b


def test_abort_leaves_no_file(tmp_path):
    w = StreamWriter(tmp_path / "c.jsonl", HEADER)
    w.record([1])
    assert (tmp_path / "c.jsonl.partial").exists() and not (tmp_path / "c.jsonl").exists()
    w.abort()
    assert list(tmp_path.iterdir()) == []


def test_any_edit_breaks_the_digest(tmp_path):
    path = _write(tmp_path / "s.jsonl", [[1, 2], [3]])
    lines = stream_lines(path)
    write_lines(path, [lines[0], "[1,2 ]", lines[2], lines[3]], reseal=False)
    assert _read(path)[2] is False
    write_lines(path, [lines[0], "[1,2 ]", lines[2], lines[3]], reseal=True)
    assert _read(path)[2] is True


@pytest.mark.parametrize("broken, needle", [
    (lambda ls: ls[:-1], "truncated"),
    (lambda ls: ls + ["[1]"], "after the trailer"),
    (lambda ls: ls[:1] + ['{"a": 1, "a": 2}'] + ls[2:], "repeated"),
    (lambda ls: ls[:1] + ["[1,"] + ls[2:], "not valid json"),
    (lambda ls: ls[:-1] + ['{"end": {"records": 7, "sha256": "' + "0" * 64 + '"}}'], "counts"),
    (lambda ls: ls[:-1] + ['{"end": {"records": 2}}'], "trailer"),
    (lambda ls: ls[:-1] + ['{"end": {"records": 2, "sha256": "XYZ"}}'], "hex"),
    (lambda ls: ['{"format": "exactnet.certificate/1"}'] + ls[1:], "header"),
])
def test_broken_streams_are_malformed(tmp_path, broken, needle):
    path = _write(tmp_path / "s.jsonl", [[1, 2], [3]])
    lines = broken(stream_lines(path))
    (tmp_path / "s.jsonl").write_text("".join(line + "\n" for line in lines))
    with pytest.raises(MalformedCertificate) as exc:
        _read(tmp_path / "s.jsonl")
    assert needle.lower() in str(exc.value).lower()


def test_a_broken_gzip_stream_is_malformed(tmp_path):
    path = _write(tmp_path / "s.jsonl.gz", [[1, 2], [3]] * 100)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(MalformedCertificate):
        _read(path)


def test_version_1_files_are_not_streams(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"format": "exactnet.certificate/2"}) + "\n")  # a single line: not a stream
    assert not is_stream(one)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps({"format": "exactnet.certificate/1"}, indent=1) + "\n")
    assert not is_stream(pretty)


def test_header_schema():
    validate_stream_header({**HEADER, "claim": {"equivalent": True, "tier": "d"},
                            "networks": [{"format": "exactnet.network/1", "activation": "relu",
                                          "layers": [{"weight": [[1]], "bias": [0]}]}] * 2})
    for bad in ({**HEADER, "digest": {"sha256": "0" * 64}}, {**HEADER, "extra": 1},
                {**HEADER, "kind": "tanh.equivalence"},
                {**HEADER, "evidence": {"method": "region_tree", "moves": [[], []]}},
                {**HEADER, "evidence": {"method": "region_tree_stream", "moves": [[], []], "nodes": []}}):
        with pytest.raises(MalformedCertificate):
            validate_stream_header(bad)
