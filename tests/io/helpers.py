"""Helpers for the importer/exporter tests: fixtures, random float-representable networks,
and a tiny pickle assembler for crafting (malicious or malformed) PyTorch checkpoints without
torch."""

from __future__ import annotations

import io
import struct
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from flint import fmpq
from hypothesis import strategies as st

from exactnet.network import Layer, Network

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# the values make_fixtures.py writes (decimal literals; stored as the nearest float of the dtype)
W0 = [[0.1, -0.5], [1.25, 3.0], [-2.0, 0.3]]
B0 = [0.1, 0.0, -1.0]
W1 = [[1.0, -0.25, 0.7]]
B1 = [0.5]


def exact(value, dtype) -> fmpq:
    """The exact rational held by ``dtype(value)``, computed independently of exactnet."""
    f = Fraction(*getattr(np, dtype)(value).item().as_integer_ratio())
    return fmpq(f.numerator, f.denominator)


def expected_network(activation: str, dtype: str) -> Network:
    def conv(rows):
        return [[exact(v, dtype) for v in row] for row in rows]

    return Network(activation, (Layer(conv(W0), [exact(v, dtype) for v in B0]),
                                Layer(conv(W1), [exact(v, dtype) for v in B1])))


# ---------------------------------------------------------------------------------------------
# random networks whose entries are exactly representable in a float format
# ---------------------------------------------------------------------------------------------


def dyadic(mantissa_bits: int, min_exp: int, max_exp: int):
    """Rationals ``m · 2^e`` with ``|m| < 2^mantissa_bits`` (exactly representable)."""
    return st.builds(
        lambda m, e: fmpq(m) * fmpq(2) ** e,
        st.integers(-(1 << mantissa_bits) + 1, (1 << mantissa_bits) - 1),
        st.integers(min_exp, max_exp),
    )


def rationals(max_den: int = 1000):
    return st.builds(lambda p, q: fmpq(p, q), st.integers(-10**6, 10**6), st.integers(1, max_den))


@st.composite
def networks(draw, entries=None, max_layers: int = 3, max_width: int = 3):
    entries = dyadic(53, -60, 60) if entries is None else entries
    act = draw(st.sampled_from(["relu", "tanh"]))
    widths = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers + 1))
    layers = []
    for n_in, n_out in zip(widths, widths[1:]):
        w = [[draw(entries) for _ in range(n_in)] for _ in range(n_out)]
        b = [draw(entries) for _ in range(n_out)]
        layers.append(Layer(w, b))
    return Network(act, tuple(layers))


# ---------------------------------------------------------------------------------------------
# a pickle (protocol 2) assembler, for checkpoints crafted without torch
# ---------------------------------------------------------------------------------------------


def p_global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def p_str(text: str) -> bytes:
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def p_int(v: int) -> bytes:
    return b"J" + struct.pack("<i", v)


def p_tuple(items: list[bytes]) -> bytes:
    return b"(" + b"".join(items) + b"t"


def p_tensor(storage_type: str, key: str, numel: int, offset: int, size, stride) -> bytes:
    persid = p_tuple([p_str("storage"), p_global("torch", storage_type), p_str(key), p_str("cpu"), p_int(numel)]) + b"Q"
    args = p_tuple([persid, p_int(offset), p_tuple([p_int(s) for s in size]), p_tuple([p_int(s) for s in stride]),
                    b"\x89", p_global("collections", "OrderedDict") + b")R"])
    return p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def p_state_dict(entries: list[tuple[str, bytes]]) -> bytes:
    body = b"".join(p_str(k) + v for k, v in entries)
    return b"\x80\x02" + p_global("collections", "OrderedDict") + b")R(" + body + b"u."


def checkpoint(path: Path, pickle_bytes: bytes, storages: dict[str, bytes] | None = None,
               byteorder: bytes | None = b"little", extra: dict[str, bytes] | None = None) -> Path:
    """Write a zip-format checkpoint with the given ``data.pkl`` and raw storages."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", pickle_bytes)
        zf.writestr("archive/version", b"3\n")
        if byteorder is not None:
            zf.writestr("archive/byteorder", byteorder)
        for key, data in (storages or {}).items():
            zf.writestr(f"archive/data/{key}", data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


# ---------------------------------------------------------------------------------------------
# hostile files (built small at test time; nothing big is committed)
# ---------------------------------------------------------------------------------------------


def stride0_checkpoint(path: Path, columns: int = 1 << 28) -> Path:
    """A ~650-byte checkpoint whose one stored float is viewed with stride 0 as ``(1, columns)``."""
    payload = p_state_dict([("0.weight", p_tensor("FloatStorage", "0", 1, 0, (1, columns), (0, 0)))])
    return checkpoint(path, payload, {"0": struct.pack("<f", 1.0)})


def npy_header(shape, descr: str = "<f8", fortran: bool = False) -> bytes:
    """The ``.npy`` magic and header declaring ``shape`` (data not included)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": fortran, "shape": tuple(shape)})
    return buf.getvalue()


def npz_archive(path: Path, members: dict[str, bytes], compress: bool = False) -> Path:
    """An ``.npz`` (zip) with the given raw members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def npz_zero_bomb(path: Path, shape=(5000, 4000), chunk: int = 1 << 22) -> Path:
    """A small compressed ``.npz`` whose ``W0`` really holds ``prod(shape)`` float64 zeros
    (160 MB for the default shape, about 160 kB on disk), written in chunks."""
    total = int(np.prod(shape)) * 8
    zeros = bytes(chunk)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("W0.npy", "w", force_zip64=True) as fh:
            fh.write(npy_header(shape))
            left = total
            while left:
                n = min(left, chunk)
                fh.write(zeros[:n])
                left -= n
        zf.writestr("b0.npy", npy_header((shape[0],)) + bytes(8 * shape[0]))
    return path


def p_object(module: str, name: str, state: bytes) -> bytes:
    """``module.name`` created empty (NEWOBJ) and given ``state`` (BUILD)."""
    return p_global(module, name) + b")\x81" + state + b"b"


def p_dict(*pairs: tuple[bytes, bytes]) -> bytes:
    return b"}" + (b"(" + b"".join(k + v for k, v in pairs) + b"u" if pairs else b"")


def p_linear(parameters: bytes) -> bytes:
    return p_object("torch.nn.modules.linear", "Linear",
                    p_dict((p_str("_parameters"), parameters), (p_str("_modules"), p_dict())))


def p_sequential(modules: bytes) -> bytes:
    return p_object("torch.nn.modules.container", "Sequential", p_dict((p_str("_modules"), modules)))


#: Pickled ``nn.Sequential`` modules whose state is malformed, by what is wrong with it.
MALFORMED_MODULES = {
    "parameters are a list": p_sequential(p_dict((p_str("0"), p_linear(b"]")))),
    "weight is an int": p_sequential(p_dict((p_str("0"), p_linear(p_dict((p_str("weight"), p_int(5))))))),
    "modules are a list": p_sequential(b"]"),
    "modules are an int": p_sequential(p_int(5)),
    "Linear state is a list": p_sequential(p_dict((p_str("0"), p_object("torch.nn.modules.linear", "Linear", b"]")))),
}


def module_checkpoint(path: Path, module_pickle: bytes) -> Path:
    return checkpoint(path, b"\x80\x02" + module_pickle + b".", {"0": struct.pack("<2f", 1, 2)})
