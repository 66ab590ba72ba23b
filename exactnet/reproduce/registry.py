"""Discovery of the claim modules in ``exactnet.proofs`` (the top-level ``proofs/`` directory)."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from ..errors import InputError
from . import Claim


@dataclass(frozen=True)
class Entry:
    claim: Claim
    module: ModuleType

    def run(self, quick: bool = False):
        return self.module.run(quick=quick)


def entries() -> list[Entry]:
    """All registered claims, sorted by name."""
    import exactnet.proofs as proofs

    found = []
    for info in pkgutil.iter_modules(proofs.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"exactnet.proofs.{info.name}")
        claim = getattr(module, "CLAIM", None)
        if isinstance(claim, Claim) and callable(getattr(module, "run", None)):
            found.append(Entry(claim, module))
    names = [e.claim.name for e in found]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:  # pragma: no cover - a packaging bug
        raise RuntimeError(f"duplicate claim names: {sorted(dupes)}")
    return sorted(found, key=lambda e: e.claim.name)


def select(names: list[str]) -> list[Entry]:
    """The entries named (all if ``names`` is empty); an unknown name is an input error."""
    all_entries = entries()
    if not names:
        return all_entries
    by_name = {e.claim.name: e for e in all_entries}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(
            f"unknown claim {', '.join(map(repr, unknown))}; 'exactnet reproduce --list' shows the registered ones"
        )
    return [by_name[n] for n in names]
