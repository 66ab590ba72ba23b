"""The registry of reproducible claims (``exactnet reproduce``).

Each module under ``proofs/`` (installed as ``exactnet.proofs``) defines::

    CLAIM = Claim(name="...", source="paper, statement", statement="what is checked")

    def run(quick: bool = False) -> Outcome:
        ...   # an exact check; Outcome(holds=..., details=...)

``quick`` runs fewer/smaller instances (the test suite uses it); the default is the full run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Claim:
    name: str
    source: str
    statement: str


@dataclass(frozen=True)
class Outcome:
    holds: bool
    details: str = ""
    data: dict = field(default_factory=dict)


__all__ = ["Claim", "Outcome"]
