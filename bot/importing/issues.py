"""Import problems, reported as ``file:row:column: reason``.

A problem is a message key of the ``importing`` catalog context with its parameters, so the
web's import page and the command line show it in their language; ``str()`` and
:attr:`Issue.reason` give the English text (logs).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Catalog

TEXTS = Catalog("importing")


@dataclass(frozen=True)
class Issue:
    source: str
    """``file`` or ``file[sheet]``."""
    row: int | None
    column: str | None
    key: str
    """The message in the ``importing`` context."""
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(
        cls, source: str, row: int | None, column: str | None, key: str, /, **params: object
    ) -> Issue:
        return cls(source, row, column, key, tuple(params.items()))

    def message(self, lang: str | None) -> str:
        """What is wrong, in ``lang``."""
        return TEXTS.t(self.key, lang, **dict(self.params))

    @property
    def reason(self) -> str:
        return self.message("en")

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

    def line(self, lang: str | None) -> str:
        """``file:row:column: reason`` in ``lang`` (``-`` for no row or column)."""
        row = "-" if self.row is None else str(self.row)
        column = self.column or "-"
        return f"{self.source}:{row}:{column}: {self.message(lang)}"

    def __str__(self) -> str:
        return self.line("en")


class ImportFailed(Exception):
    """The import was refused; nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[Issue]) -> None:
        super().__init__(f"import refused: {len(errors)} error(s)")
        self.errors = errors
