"""A torch-free reader (and writer) of PyTorch checkpoints (the zip format of ``torch.save``).

Layout of such a file: a zip archive with one top folder ``<archive>/`` holding

* ``data.pkl`` — a pickle (protocol 2) of the saved object, in which every tensor is
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``
  and every storage is a *persistent id* ``("storage", torch.<T>Storage, key, location,
  numel)``;
* ``data/<key>`` — the raw bytes of storage ``key`` (``numel`` elements of type ``T``);
* ``byteorder`` — ``"little"`` or ``"big"`` (absent in old files: little-endian).

The pickle is read by a *restricted* unpickler (the guarantee of ``torch.load(...,
weights_only=True)``): the only globals it resolves are ``collections.OrderedDict``,
``builtins.set``, ``torch._utils._rebuild_tensor_v2`` / ``_rebuild_parameter`` /
``_rebuild_parameter_with_state``, the ``torch.<T>Storage`` classes of real dtypes
(float16/bfloat16/float32/float64 and integers), and — so that a pickled ``nn.Sequential``
can be read and every unsupported layer reported at once — classes under
``torch.nn.modules``, which become inert stand-ins that only record their state. Every
other global is refused with :class:`UnsafePickleError` before anything is constructed;
nothing the file names is ever imported or called.

Tensors become NumPy arrays read with their size, stride and storage offset (views and
transposed tensors are supported); bfloat16 is widened exactly to float32. Legacy
(pre-1.6, non-zip) files are refused with a clear message.

:func:`write_state_dict` writes the same layout (an ``OrderedDict`` of contiguous
float16/32/64 tensors, records 64-byte aligned) so ``.pt`` export works without torch.
"""

from __future__ import annotations

import io
import pickle
import re
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FormatError, UnsupportedError
from .limits import (
    MAX_ELEMENTS, MAX_HEADER_BYTES, MAX_MEMBERS, ElementTally, TooLargeError, check_record_size, element_count,
)



class UnsafePickleError(FormatError):
    """The pickle references a global that a weights-only checkpoint never needs."""


STORAGE_TYPES = {
    "HalfStorage": "<f2", "FloatStorage": "<f4", "DoubleStorage": "<f8", "BFloat16Storage": "bfloat16",
    "ByteStorage": "u1", "CharStorage": "i1", "ShortStorage": "<i2", "IntStorage": "<i4",
    "LongStorage": "<i8", "BoolStorage": "?",
}


class _Inert:
    """Objects the restricted unpickler builds refuse pickle's BUILD unless they expect it."""

    def __setstate__(self, state):
        raise UnsafePickleError(f"unexpected state for a {type(self).__name__}")


class StorageType(_Inert):
    """Stand-in for a ``torch.<T>Storage`` class: the element type of a storage."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    @property
    def dtype(self) -> str:
        """NumPy dtype (little-endian) or ``"bfloat16"``."""
        return STORAGE_TYPES[self.name]


class Storage(_Inert):
    """The elements of one storage (a 1-D NumPy array in native byte order)."""

    def __init__(self, data: np.ndarray):
        self.data = data


class Tensor(_Inert):
    """A rebuilt tensor: a NumPy array (always a copy, never a view of the file)."""

    def __init__(self, array: np.ndarray, parameter: bool = False):
        self.array = array
        self.parameter = parameter


class ModuleStub:
    """An inert stand-in for an ``nn.Module`` subclass: records the pickled ``__dict__``."""

    torch_module = ""
    torch_name = ""

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise UnsafePickleError(f"unexpected state for module {self.torch_name}")
        self.state = state

    def _entry(self, key: str) -> dict:
        value = getattr(self, "state", {}).get(key) or {}
        if not isinstance(value, dict):
            raise FormatError(f"malformed state of module {self.torch_name}: {key} is a {type(value).__name__},"
                              " not a dictionary")
        return value

    def children(self) -> list[tuple[str, "ModuleStub"]]:
        return [(str(k), v) for k, v in self._entry("_modules").items()]

    def parameter(self, name: str):
        value = self._entry("_parameters").get(name)
        if value is not None and not isinstance(value, Tensor):
            raise FormatError(f"malformed state of module {self.torch_name}: parameter {name!r} is a"
                              f" {type(value).__name__}, not a tensor")
        return value.array if isinstance(value, Tensor) else None


# ---------------------------------------------------------------------------------------------
# rebuild functions (what the allowed torch._utils globals resolve to)
# ---------------------------------------------------------------------------------------------


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _rebuild_tensor_v2(tally: ElementTally, storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    if not isinstance(storage, Storage):
        raise FormatError("a tensor without a storage")
    if not _is_int(storage_offset) or storage_offset < 0:
        raise FormatError(f"invalid storage offset {storage_offset!r}")
    if not isinstance(size, tuple) or not isinstance(stride, tuple) or len(size) != len(stride):
        raise FormatError("invalid tensor size/stride")
    if not all(_is_int(s) and s >= 0 for s in size) or not all(_is_int(s) and s >= 0 for s in stride):
        raise FormatError(f"invalid tensor size {size!r} or stride {stride!r}")
    data = storage.data
    count = element_count(size)
    tally.add(count, f"a tensor of size {size} (stride {stride}, on a storage of {data.size:,} elements)")
    if count == 0:
        return Tensor(np.zeros(size, dtype=data.dtype))
    last = storage_offset + sum((n - 1) * st for n, st in zip(size, stride))
    if last >= data.size:
        raise FormatError(
            f"tensor (offset {storage_offset}, size {size}, stride {stride}) reaches past its storage of {data.size} elements"
        )
    view = np.lib.stride_tricks.as_strided(
        data[storage_offset:], shape=size, strides=tuple(st * data.itemsize for st in stride), writeable=False
    )
    return Tensor(np.array(view, copy=True))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    if not isinstance(data, Tensor):
        raise FormatError("a parameter without tensor data")
    return Tensor(data.array, parameter=True)


def _rebuild_parameter_with_state(data, requires_grad=False, backward_hooks=None, state=None):
    return _rebuild_parameter(data, requires_grad, backward_hooks)


_ALLOWED_FUNCTIONS = {
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, fh, archive: "_Archive"):
        super().__init__(fh)
        self._archive = archive
        self._storages: dict[str, Storage] = {}
        self._stubs: dict[tuple[str, str], type] = {}
        self._tally = ElementTally(str(archive.path))

    def find_class(self, module, name):
        key = (module, name)
        if key == ("torch._utils", "_rebuild_tensor_v2"):
            tally = self._tally
            return lambda *args: _rebuild_tensor_v2(tally, *args)
        if key in _ALLOWED_FUNCTIONS:
            return _ALLOWED_FUNCTIONS[key]
        if module == "torch" and name in STORAGE_TYPES:
            return StorageType(name)
        if module.startswith("torch.nn.modules.") and _IDENT.match(name):
            if key not in self._stubs:
                self._stubs[key] = type(name, (ModuleStub,), {"torch_module": module, "torch_name": name})
            return self._stubs[key]
        if module == "torch" and name.endswith("Storage"):
            raise UnsupportedError(f"{self._archive.path}: storage type torch.{name} is not supported (real dtypes only)")
        raise UnsafePickleError(
            f"{self._archive.path}: refusing to load: the pickle references {module}.{name}, which a"
            " weights-only checkpoint never needs (only tensors, OrderedDict and nn.Sequential of"
            " standard layers are read; nothing in the file is executed)"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise FormatError(f"{self._archive.path}: unexpected persistent id {pid!r:.60}")
        _, stype, key, _location, numel = pid
        if not isinstance(stype, StorageType) or not isinstance(key, str) or not _is_int(numel) or numel < 0:
            raise FormatError(f"{self._archive.path}: malformed storage reference {pid!r:.60}")
        if key not in self._storages:
            self._storages[key] = Storage(self._archive.storage(key, stype, numel))
        storage = self._storages[key]
        if storage.data.size < numel:
            raise FormatError(f"{self._archive.path}: storage {key!r} is referenced with different sizes")
        return storage


@dataclass
class _Archive:
    path: Path
    zf: zipfile.ZipFile
    prefix: str
    byteorder: str = "little"

    def storage(self, key: str, stype: StorageType, numel: int) -> np.ndarray:
        member = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(member)
        except KeyError:
            raise FormatError(f"{self.path}: storage {key!r} is missing from the archive (truncated file?)") from None
        if numel > MAX_ELEMENTS:
            raise TooLargeError(
                f"{self.path}: storage {key!r} declares {numel:,} elements, over the limit of {MAX_ELEMENTS:,}"
                " numbers per network file (see docs/numbers.md)"
            )
        big = self.byteorder == "big"
        if stype.dtype == "bfloat16":
            itemsize = 2
            dt = np.dtype(">u2" if big else "<u2")
        else:
            dt = np.dtype(stype.dtype)
            if big and dt.itemsize > 1:
                dt = dt.newbyteorder(">")
            itemsize = dt.itemsize
        need = numel * itemsize
        if info.file_size < need:
            raise FormatError(
                f"{self.path}: storage {key!r} holds {info.file_size} bytes but {numel} elements of"
                f" {stype.name} need {need} (truncated file?)"
            )
        with self.zf.open(info) as fh:  # read only what the elements need, whatever the record declares
            raw = fh.read(need)
        if len(raw) < need:
            raise FormatError(
                f"{self.path}: storage {key!r} holds {len(raw)} bytes but {numel} elements of"
                f" {stype.name} need {need} (truncated file?)"
            )
        values = np.frombuffer(raw, dtype=dt, count=numel)
        if stype.dtype == "bfloat16":  # the high 16 bits of a float32: widening is exact
            return (values.astype(np.uint32) << 16).view(np.float32)
        return values.astype(dt.newbyteorder("="))


def _open_archive(path: Path) -> _Archive:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not magic.startswith(b"PK"):
        if magic[:1] == b"\x80":
            raise FormatError(
                f"{path}: a legacy (pre-1.6, non-zip) PyTorch file; the torch-free reader only reads the zip"
                " format: install torch, or re-save it with torch.save(state_dict, path)"
            )
        raise FormatError(f"{path}: not a PyTorch checkpoint (expected the zip format written by torch.save)")
    try:
        zf = zipfile.ZipFile(path)
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FormatError(f"{path}: truncated or corrupt PyTorch checkpoint ({exc})") from None
    if len(names) > MAX_MEMBERS:
        zf.close()
        raise TooLargeError(f"{path}: the archive has {len(names):,} members, over the limit of {MAX_MEMBERS:,}")
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        zf.close()
        raise FormatError(f"{path}: not a PyTorch checkpoint (no <archive>/data.pkl record)")
    prefix = pkl[0][: -len("data.pkl")]
    try:
        check_record_size(str(path), "the pickle data.pkl", zf.getinfo(pkl[0]).file_size, MAX_HEADER_BYTES)
    except TooLargeError:
        zf.close()
        raise
    if f"{prefix}constants.pkl" in names or any(n.startswith(f"{prefix}code/") for n in names):
        zf.close()
        raise UnsupportedError(f"{path}: a TorchScript archive (torch.jit.save); save the state dict instead")
    byteorder = "little"
    if f"{prefix}byteorder" in names:
        try:
            byteorder = zf.read(f"{prefix}byteorder").decode("ascii").strip()
        except (zipfile.BadZipFile, UnicodeDecodeError, OSError, EOFError) as exc:
            zf.close()
            raise FormatError(f"{path}: corrupt byteorder record ({exc})") from None
        if byteorder not in ("little", "big"):
            zf.close()
            raise FormatError(f"{path}: unknown byteorder {byteorder!r}")
    return _Archive(path, zf, prefix, byteorder)


def load_checkpoint(path: str | Path):
    """Unpickle a zip-format checkpoint with the restricted unpickler (see the module doc).

    Returns the saved object with tensors as :class:`Tensor` (NumPy arrays inside) and modules
    as :class:`ModuleStub` instances.
    """
    path = Path(path)
    archive = _open_archive(path)
    try:
        try:
            payload = archive.zf.read(f"{archive.prefix}data.pkl")
            return _RestrictedUnpickler(io.BytesIO(payload), archive).load()
        except (FormatError, UnsupportedError) as exc:
            if str(exc).startswith(str(path)):
                raise
            raise type(exc)(f"{path}: {exc}") from None
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise FormatError(f"{path}: truncated or corrupt PyTorch checkpoint ({exc})") from None
        except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, KeyError, IndexError,
                struct.error, UnicodeDecodeError, MemoryError) as exc:
            raise FormatError(f"{path}: corrupt pickle in the PyTorch checkpoint ({type(exc).__name__}: {exc})") from None
        except RecursionError:
            raise FormatError(f"{path}: the pickle is nested too deeply") from None
    finally:
        archive.zf.close()


# ---------------------------------------------------------------------------------------------
# what a checkpoint holds, normalised
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleItem:
    """One leaf module of a (possibly nested) ``nn.Sequential``, torch or stand-in alike.

    ``kind`` is ``"linear"``, ``"relu"``, ``"tanh"``, ``"identity"``, ``"flatten"``, ``"dropout"``,
    ``"clip"`` (``Hardtanh``, ``ReLU6``: ``params`` = ``(min_val, max_val)``), ``"softmax"`` or
    ``"log_softmax"`` (``params`` = ``(dim,)``), or ``"other"``.
    """

    path: str
    class_name: str
    kind: str
    weight: object = None  # NumPy array (linear)
    bias: object = None
    detail: str = ""  # e.g. "start_dim=0" for a Flatten that is not the default
    params: tuple = ()


KINDS = {
    "Linear": "linear", "ReLU": "relu", "Tanh": "tanh", "Identity": "identity", "Flatten": "flatten",
    "Dropout": "dropout", "Hardtanh": "clip", "ReLU6": "clip", "Softmax": "softmax", "LogSoftmax": "log_softmax",
}


def stub_items(stub: ModuleStub, prefix: str = "") -> list[ModuleItem]:
    """The leaf modules of a stand-in module tree (nested ``Sequential`` flattened)."""
    name = stub.torch_name
    if name == "Sequential":
        items = []
        for child_name, child in stub.children():
            path = f"{prefix}.{child_name}" if prefix else child_name
            if isinstance(child, ModuleStub):
                items.extend(stub_items(child, path))
            else:
                items.append(ModuleItem(path, type(child).__name__, "other"))
        return items
    kind = KINDS.get(name, "other") if stub.torch_module.startswith("torch.nn.modules.") else "other"
    state = getattr(stub, "state", {})
    if kind == "linear":
        w = stub.parameter("weight")
        if w is None:
            raise FormatError(f"module {prefix or name}: a Linear without a weight")
        return [ModuleItem(prefix or "linear", name, kind, w, stub.parameter("bias"))]
    if kind == "flatten":
        start, end = state.get("start_dim", 1), state.get("end_dim", -1)
        detail = "" if (start, end) == (1, -1) else f"start_dim={start}, end_dim={end}"
        return [ModuleItem(prefix or name, name, kind, detail=detail)]
    if kind == "clip":
        return [ModuleItem(prefix or name, name, kind, params=(state.get("min_val", -1.0), state.get("max_val", 1.0)))]
    if kind in ("softmax", "log_softmax"):
        return [ModuleItem(prefix or name, name, kind, params=(state.get("dim"),))]
    return [ModuleItem(prefix or name, name, kind)]


def checkpoint_contents(obj, source: str):
    """``dict name → array`` for a state dict, or ``list[ModuleItem]`` for a pickled module."""
    if isinstance(obj, ModuleStub):
        try:
            return stub_items(obj)
        except FormatError as exc:
            raise FormatError(f"{source}: {exc}") from None
    if isinstance(obj, dict):
        arrays, problems = {}, []
        for key, value in obj.items():
            if isinstance(value, Tensor):
                arrays[str(key)] = value.array
            else:
                problems.append(f"{key!r} ({type(value).__name__}, not a tensor)")
        if problems:
            raise UnsupportedError(
                f"{source}: not a plain state dict; entries that are not tensors: {', '.join(problems)}"
            )
        return arrays
    if isinstance(obj, Tensor):
        raise UnsupportedError(f"{source}: holds a single tensor, not a state dict")
    raise UnsupportedError(f"{source}: holds a {type(obj).__name__}, not a state dict or nn.Sequential")


def read_state_dict(path: str | Path):
    """Read a checkpoint without torch: a ``dict`` of arrays or a list of :class:`ModuleItem`."""
    return checkpoint_contents(load_checkpoint(path), str(path))


# ---------------------------------------------------------------------------------------------
# writing (a state dict of contiguous arrays, without torch)
# ---------------------------------------------------------------------------------------------

_STORAGE_OF_DTYPE = {"float16": "HalfStorage", "float32": "FloatStorage", "float64": "DoubleStorage"}
_ALIGN = 64


def _op_global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode("ascii")


def _op_str(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"X" + struct.pack("<I", len(data)) + data


def _op_int(value: int) -> bytes:
    if 0 <= value < 256:
        return b"K" + bytes([value])
    if -(1 << 31) <= value < (1 << 31):
        return b"J" + struct.pack("<i", value)
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data


def _op_tuple(values) -> bytes:
    return b"(" + b"".join(_op_int(v) for v in values) + b"t"


def state_dict_pickle(tensors: dict[str, np.ndarray]) -> bytes:
    """The ``data.pkl`` (protocol 2) of an ``OrderedDict`` of tensors stored as storages ``0, 1, …``."""
    ordered_dict = _op_global("collections", "OrderedDict") + b")R"
    out = bytearray(b"\x80\x02")
    out += ordered_dict
    if tensors:
        out += b"("
    for key, (name, arr) in enumerate(tensors.items()):
        storage = _STORAGE_OF_DTYPE[arr.dtype.name]
        strides, step = [], 1
        for n in reversed(arr.shape):
            strides.append(step)
            step *= n
        out += _op_str(name)
        out += _op_global("torch._utils", "_rebuild_tensor_v2")
        out += b"("
        out += b"(" + _op_str("storage") + _op_global("torch", storage) + _op_str(str(key)) + _op_str("cpu")
        out += _op_int(int(arr.size)) + b"tQ"
        out += _op_int(0) + _op_tuple(arr.shape) + _op_tuple(reversed(strides)) + b"\x89" + ordered_dict
        out += b"tR"
    if tensors:
        out += b"u"
    out += b"."
    return bytes(out)


def _write_aligned(zf: zipfile.ZipFile, fh, name: str, data: bytes) -> None:
    """A stored (uncompressed) record whose data start on a 64-byte boundary (as torch writes
    them, so ``torch.load(..., mmap=True)`` works)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    offset = fh.tell() + 30 + len(name.encode("utf-8")) + 4
    pad = (-offset) % _ALIGN
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def write_state_dict(path: str | Path, tensors: dict[str, np.ndarray], archive: str = "archive") -> None:
    """Write float16/32/64 arrays as a PyTorch zip checkpoint that ``torch.load`` reads.

    The layout is the one :func:`load_checkpoint` reads (little-endian storages, one per tensor,
    contiguous).
    """
    arrays = {}
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype.name not in _STORAGE_OF_DTYPE:
            raise UnsupportedError(f"cannot write tensor {name!r} of dtype {arr.dtype.name}")
        arrays[name] = arr
    with open(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        _write_aligned(zf, fh, f"{archive}/data.pkl", state_dict_pickle(arrays))
        _write_aligned(zf, fh, f"{archive}/byteorder", b"little")
        for key, arr in enumerate(arrays.values()):
            _write_aligned(zf, fh, f"{archive}/data/{key}", arr.astype(arr.dtype.newbyteorder("<")).tobytes())
        _write_aligned(zf, fh, f"{archive}/version", b"3\n")


__all__ = [
    "state_dict_pickle", "write_state_dict", "ModuleItem", "ModuleStub", "STORAGE_TYPES", "Storage", "StorageType", "Tensor",
    "UnsafePickleError", "checkpoint_contents", "load_checkpoint", "read_state_dict", "stub_items",
]
