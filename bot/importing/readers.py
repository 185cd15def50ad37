"""Reading .csv and .xlsx files into recognised tables of raw cells.

A CSV file holds one kind of table; an Excel workbook holds one per sheet. Problems found
while reading (encoding, unreadable file, unrecognised header, missing columns) become
:class:`Issue` objects rather than exceptions, so every problem of every file is reported.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.importing.headers import SPECS, HeaderMatch, Kind, recognise
from bot.importing.issues import Issue

Cell = Any
"""A raw cell: text from CSV; text, number, date or None from Excel."""

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``(stage, done, total)`` while files are read and written."""


@dataclass
class Table:
    """Rows of one kind read from one CSV file or one sheet."""

    source: str
    """How errors name it: ``tasks.csv`` or ``book.xlsx[Nhiệm vụ]``."""
    match: HeaderMatch
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    """(row number as the spreadsheet shows it, cells)."""

    @property
    def kind(self) -> Kind:
        return self.match.kind

    def header_of(self, field_name: str) -> str:
        return self.match.headers.get(field_name, field_name)


@dataclass
class ReadResult:
    tables: list[Table] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_files(paths: Iterable[Path], progress: ProgressCallback | None = None) -> ReadResult:
    result = ReadResult()
    for path in paths:
        suffix = path.suffix.lower()
        if not path.is_file():
            result.issues.append(Issue(path.name, None, None, "file not found"))
        elif suffix == ".csv":
            _read_csv(path, result, progress)
        elif suffix == ".xlsx":
            _read_xlsx(path, result, progress)
        else:
            result.issues.append(
                Issue(path.name, None, None, f"unsupported file type {suffix!r}: use .csv or .xlsx")
            )
    return result


def _read_csv(path: Path, result: ReadResult, progress: ProgressCallback | None) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.issues.append(
            Issue(
                path.name,
                line,
                None,
                f"not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as 'CSV UTF-8'",
            )
        )
        return
    lines = text.splitlines()
    if not lines:
        result.issues.append(Issue(path.name, None, None, "the file is empty"))
        return
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    table = _table(path.name, [str(cell) for cell in records[0]], result, is_sheet=False)
    if table is None:
        return
    total = len(records) - 1
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            table.rows.append((number, list(record)))
        if progress and (number - 1) % 1000 == 0:
            progress(f"reading {path.name}", number - 1, total)
    if progress:
        progress(f"reading {path.name}", total, total)


def _read_xlsx(path: Path, result: ReadResult, progress: ProgressCallback | None) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        result.issues.append(Issue(path.name, None, None, f"not a readable .xlsx workbook ({exc})"))
        return
    try:
        for sheet in workbook.worksheets:
            source = f"{path.name}[{sheet.title}]"
            total = sheet.max_row or 0
            table: Table | None = None
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(values)
                if table is None:
                    if not any(_filled(cell) for cell in cells):
                        continue
                    header = ["" if cell is None else str(cell) for cell in cells]
                    table = _table(source, header, result, is_sheet=True)
                    if table is None:
                        break
                    continue
                if any(_filled(cell) for cell in cells):
                    table.rows.append((number, cells))
                if progress and number % 1000 == 0:
                    progress(f"reading {source}", number, total)
            if progress and table is not None:
                progress(f"reading {source}", total, total)
    finally:
        workbook.close()


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _table(source: str, header: list[str], result: ReadResult, *, is_sheet: bool) -> Table | None:
    match = recognise(header)
    if match is None:
        kinds = "; ".join(
            f"{kind}: {', '.join(col.field for col in spec.columns)}"
            for kind, spec in SPECS.items()
        )
        what = "sheet" if is_sheet else "file"
        result.issues.append(
            Issue(
                source, 1, None, f"header of this {what} not recognised; expected columns ({kinds})"
            )
        )
        return None
    for field_name in match.missing:
        result.issues.append(Issue(source, 1, field_name, "required column missing"))
    for header_text in match.duplicated:
        result.issues.append(Issue(source, 1, header_text, "column appears twice"))
    for header_text in match.unknown:
        result.warnings.append(f"{source}: column {header_text!r} not recognised, ignored")
    if match.missing or match.duplicated:
        return None
    table = Table(source, match)
    result.tables.append(table)
    return table
