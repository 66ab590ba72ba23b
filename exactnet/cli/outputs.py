"""Output files are checked before any work starts, so that a verdict is never lost because the
file it should be written to cannot be created (``docs/cli.md``, "Output files")."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import InputError


def check_writable(path: str | None, option: str) -> None:
    """Raise :class:`InputError` unless ``path`` can be opened for writing now.

    The check opens the file for appending (which changes neither its contents nor its
    modification time) and removes it again if it did not exist, so it is exactly the
    operating system's answer (permissions, read-only file systems, missing directories).
    """
    if path is None:
        return
    if path == "":
        raise InputError(f"{option}: cannot write (the file name is empty)")
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{option} {path}: cannot write (it is a directory, not a file)")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"{option} {path}: cannot write (the directory {parent} does not exist)")
    if not parent.is_dir():
        raise InputError(f"{option} {path}: cannot write ({parent} is not a directory)")
    existed = p.exists()
    try:
        fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        why = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EROFS: "read-only file system", errno.ENOSPC: "no space left on the device"}
        raise InputError(f"{option} {path}: cannot write ({why.get(exc.errno, exc.strerror)})") from None
    os.close(fd)
    if not existed:
        try:
            os.unlink(p)
        except OSError:  # pragma: no cover - created a moment ago
            pass


def check_network_output(path: str | None, option: str) -> None:
    """:func:`check_writable`, and the file name's extension names a network format."""
    if path is None:
        return
    from ..io import format_of

    check_writable(path, option)
    if format_of(path) == "keras":
        raise InputError(f"{option} {path}: exactnet reads Keras .h5 files but does not write them; write .onnx, .pt,"
                         " .safetensors, .npz or .json")


__all__ = ["check_network_output", "check_writable"]
