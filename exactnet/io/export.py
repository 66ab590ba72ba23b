"""What an export did to exact values (:class:`ExportReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportReport:
    """What an export did to exact values: how many entries were rounded and the largest error."""

    path: str
    format: str
    dtype: str | None = None
    rounded: int = 0
    total: int = 0
    max_abs_error: str = "0"  # exact rational, as "p/q"
    examples: tuple = field(default_factory=tuple)  # a few (parameter name, exact, stored) triples

    @property
    def exact(self) -> bool:
        return self.rounded == 0


__all__ = ["ExportReport"]
