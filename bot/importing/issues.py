"""Import problems, reported as ``file:row:column: reason``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    source: str
    """``file`` or ``file[sheet]``."""
    row: int | None
    column: str | None
    reason: str

    @property
    def file(self) -> str:
        """The file's name (``book.xlsx`` of ``book.xlsx[Nhiệm vụ]``)."""
        return self._parts()[0]

    @property
    def sheet(self) -> str | None:
        """The workbook sheet (``Nhiệm vụ`` of ``book.xlsx[Nhiệm vụ]``); None for a CSV file."""
        return self._parts()[1]

    def _parts(self) -> tuple[str, str | None]:
        # Excel forbids "[" and "]" in sheet names, so the last "[" starts the sheet.
        if self.source.endswith("]") and "[" in self.source:
            file, _, sheet = self.source[:-1].rpartition("[")
            return file, sheet
        return self.source, None

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        column = self.column or "-"
        return f"{self.source}:{row}:{column}: {self.reason}"


class ImportFailed(Exception):
    """The import was refused; nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[Issue]) -> None:
        super().__init__(f"import refused: {len(errors)} error(s)")
        self.errors = errors
