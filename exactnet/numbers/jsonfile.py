"""Reading exact JSON files with one set of clear error messages."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import FormatError, InputError
from . import DuplicateKeyError, json_loads_exact


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of ``path``; missing, unreadable or binary files are :class:`InputError`."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {what}") from None
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not a UTF-8 text file (expected a JSON {what})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_json(text: str, source: str, error: type[InputError] = FormatError):
    """``text`` parsed exactly (see :func:`exactnet.numbers.json_loads_exact`: decimal literals
    kept exact, NaN/Infinity and repeated object keys refused); errors name ``source``."""
    try:
        return json_loads_exact(text)
    except json.JSONDecodeError as exc:
        raise error(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except DuplicateKeyError as exc:
        raise error(f"{source}: {exc}") from None
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from None
    except RecursionError:
        raise error(f"{source}: the JSON is nested too deeply") from None


def read_json(path: str | Path, what: str = "file", error: type[InputError] = FormatError):
    """Read and parse a JSON file exactly (see :func:`read_text` and :func:`parse_json`)."""
    return parse_json(read_text(path, what), str(path), error)
