"""Import problems, reported as ``file:row:column: reason``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    source: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        column = self.column or "-"
        return f"{self.source}:{row}:{column}: {self.reason}"


class ImportFailed(Exception):
    """The import was refused; nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[Issue]) -> None:
        super().__init__(f"import refused: {len(errors)} error(s)")
        self.errors = errors
