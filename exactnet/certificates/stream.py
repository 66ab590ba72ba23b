"""The streamed certificate format ``exactnet.certificate/2``: JSON lines, optionally gzip.

A streamed certificate is a sequence of lines of UTF-8 JSON (the whole file optionally compressed
with gzip; the reader recognises the gzip magic bytes)::

    {"format": "exactnet.certificate/2", "kind": ..., "claim": ..., "networks": [...], "evidence": {...}}
    <record>
    <record>
    ...
    {"end": {"records": N, "sha256": "<64 lowercase hex digits>"}}

The first line is the *header* (the envelope of ``exactnet.certificate/1`` without the digest; its
``evidence`` says how the records are to be read), then ``N`` *records* (one JSON value per line,
read one at a time: neither side ever holds them all), then the *trailer*. ``sha256`` is the
SHA-256 of the uncompressed bytes of every line before the trailer, each with its ``"\\n"``: the
digest covers everything but itself, whatever the compression. A missing or misplaced trailer
(a truncated file), a wrong record count, or lines after the trailer make the certificate
malformed; a digest that does not match makes it invalid (as for ``/1``).

Writing goes to ``PATH.partial`` and is renamed to ``PATH`` by :meth:`StreamWriter.close`, so an
interrupted or abandoned proof (time limit, a counterexample found after all) never leaves a
file that looks complete. ``docs/certificates.md`` describes the format and the one kind that uses
it (the ``region_tree_stream`` evidence of ``relu.equivalence``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from .format import MalformedCertificate

STREAM_FORMAT = "exactnet.certificate/2"
_GZIP_MAGIC = b"\x1f\x8b"
#: the longest line a reader accepts (the header carries the networks inline; records are small)
MAX_LINE = 1 << 28


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class StreamWriter:
    """Write a streamed certificate: the header now, then :meth:`record` per record, then
    :meth:`close` (trailer with the count and the digest, then the atomic rename). ``compress``:
    gzip (default: when the path ends with ``.gz``). :meth:`abort` removes the partial file."""

    def __init__(self, path: str | Path, header: dict, compress: bool | None = None):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        if compress is None:
            compress = self.path.name.endswith(".gz")
        raw = open(self.partial, "wb")
        # no name, mtime=0: the same certificate gives the same bytes
        self._file = gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) if compress else raw
        self._raw = raw
        self._hash = hashlib.sha256()
        self.records = 0
        self.bytes = 0
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._line(dict(header, format=STREAM_FORMAT))

    def _line(self, value) -> None:
        data = (_dumps(value) + "\n").encode("utf-8")
        self._hash.update(data)
        self.bytes += len(data)
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= 1 << 16:
            self._flush()

    def _flush(self) -> None:
        self._file.write(b"".join(self._buffer))
        self._buffer.clear()
        self._buffered = 0

    def record(self, value) -> None:
        self._line(value)
        self.records += 1

    def close(self) -> Path:
        """Write the trailer and move the file to its final path; returns that path."""
        self._flush()
        trailer = {"end": {"records": self.records, "sha256": self._hash.hexdigest()}}
        self._file.write((_dumps(trailer) + "\n").encode("utf-8"))
        if self._file is not self._raw:
            self._file.close()
        self._raw.close()
        os.replace(self.partial, self.path)
        return self.path

    def abort(self) -> None:
        try:
            if self._file is not self._raw:
                self._file.close()
            self._raw.close()
        finally:
            try:
                self.partial.unlink()
            except FileNotFoundError:
                pass


def _open(path: Path):
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a certificate") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    magic = raw.read(2)
    raw.seek(0)
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return raw


def is_stream(path: str | Path) -> bool:
    """Whether the file is a streamed certificate: gzip data, or a first line that is a JSON object
    with ``"format": "exactnet.certificate/2"`` followed by more lines (a ``/1`` certificate is one
    JSON value, over one line or many)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            if fh.read(2) == _GZIP_MAGIC:
                return True
            fh.seek(0)
            first = fh.readline(MAX_LINE)
            if not first.endswith(b"\n") or not fh.read(1):
                return False
    except OSError:
        return False
    if STREAM_FORMAT.encode() not in first:
        return False
    try:
        head = json.loads(first)
    except ValueError:
        return False
    return isinstance(head, dict) and head.get("format") == STREAM_FORMAT


class StreamReader:
    """Read a streamed certificate line by line, hashing as it goes.

    ``header`` is the parsed first line; iterate for the records (each parsed exactly, with the
    duplicate-key and number rules of every JSON input); after the iteration ``digest_ok`` says
    whether the trailer's digest matches the bytes read. Malformed lines, a missing trailer and
    a wrong record count raise :class:`MalformedCertificate`.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = _open(self.path)
        self._hash = hashlib.sha256()
        self._lineno = 0
        self.digest_ok: bool | None = None
        self.records = 0
        first = self._next_line()
        if first is None:
            raise MalformedCertificate(f"{self.path}: empty certificate")
        header = self._parse(first)
        if not isinstance(header, dict) or header.get("format") != STREAM_FORMAT:
            raise MalformedCertificate(f"certificate: the first line must be an {STREAM_FORMAT} header object")
        self.header = header

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _next_line(self) -> bytes | None:
        try:
            line = self._file.readline(MAX_LINE + 1)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise MalformedCertificate(f"{self.path}: unreadable compressed stream ({exc})") from None
        if not line:
            return None
        self._lineno += 1
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            raise MalformedCertificate(f"certificate: line {self._lineno} is truncated or too long")
        return line

    def _parse(self, line: bytes):
        from ..numbers.jsonfile import parse_json

        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedCertificate(f"certificate: line {self._lineno} is not UTF-8") from None
        value = parse_json(text, f"certificate line {self._lineno}", MalformedCertificate)
        self._hash.update(line)
        return value

    def __iter__(self) -> Iterator:
        while True:
            line = self._next_line()
            if line is None:
                raise MalformedCertificate("certificate: the stream ends without its trailer (truncated file)")
            before = self._hash.copy()
            value = self._parse(line)
            if isinstance(value, dict) and "end" in value:
                self._finish(value, before.hexdigest())
                return
            self.records += 1
            yield value

    def _finish(self, trailer: dict, actual: str) -> None:
        end = trailer.get("end")
        if set(trailer) != {"end"} or not isinstance(end, dict) or set(end) != {"records", "sha256"}:
            raise MalformedCertificate('certificate: the trailer must be {"end": {"records": N, "sha256": hex}}')
        count, digest = end["records"], end["sha256"]
        if isinstance(count, bool) or not isinstance(count, int) or count != self.records:
            raise MalformedCertificate(f"certificate: the trailer counts {count!r} records, the stream has"
                                       f" {self.records}")
        if not (isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
            raise MalformedCertificate("certificate: the trailer's sha256 must be 64 lowercase hex digits")
        if self._next_line() is not None:
            raise MalformedCertificate("certificate: lines after the trailer")
        self.digest_ok = digest == actual

    def drain(self) -> None:
        """Read the remaining records (only hashing them), to reach the trailer."""
        for _ in self:
            pass


def stream_lines(path: str | Path) -> list[str]:
    """Every line of a streamed certificate as text (uncompressed), for tests and tools."""
    fh = _open(Path(path))
    try:
        return fh.read().decode("utf-8").splitlines()
    finally:
        fh.close()


def write_lines(path: str | Path, lines: list[str], compress: bool = False, reseal: bool = True) -> None:
    """Write text lines as a streamed certificate file; ``reseal`` recomputes the trailer (for
    tests that edit records and want the mathematics, not the digest, to reject them)."""
    lines = list(lines)
    if reseal and lines and lines[-1].startswith('{"end"'):
        body = "".join(line + "\n" for line in lines[:-1])
        trailer = {"end": {"records": len(lines) - 2,
                           "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}}
        lines[-1] = _dumps(trailer)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    if compress:
        data = gzip.compress(data, mtime=0)
    Path(path).write_bytes(data)


__all__ = ["MAX_LINE", "STREAM_FORMAT", "StreamReader", "StreamWriter", "is_stream", "stream_lines", "write_lines"]
