"""Reading .csv and .xlsx files into recognised tables of raw cells.

A CSV file holds one kind of table; an Excel workbook holds one per sheet. Problems found
while reading (encoding, unreadable, oversized or hostile file, unrecognised header, missing
columns) become :class:`Issue` objects rather than exceptions, so every problem of every file
is reported and none ends in a traceback. Every text cell is cleaned (``clean_text``).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.importing.headers import SPECS, HeaderMatch, Kind, recognise
from bot.importing.issues import TEXTS, Issue
from bot.text_cleaning import clean_text

Cell = Any
"""A raw cell: text from CSV; text, number, date or None from Excel."""


@dataclass(frozen=True)
class Stage:
    """A step of an import a progress bar names: a message key of the ``importing`` catalog
    context and what it works on (a file or sheet)."""

    key: str
    subject: str = ""

    def describe(self, lang: str | None) -> str:
        return TEXTS.t(self.key, lang, subject=self.subject)


ProgressCallback = Callable[[Stage, int, int], None]
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
    warnings: list[Issue] = field(default_factory=list)
    """What is read but ignored (an unknown column); no reason to refuse the file."""


@dataclass(frozen=True)
class Limits:
    """How big an import file may be (``import_max_bytes``, ``import_max_unpacked_bytes``)."""

    max_bytes: int
    max_unpacked_bytes: int
    """Total uncompressed size of an .xlsx's parts: a zip bomb is refused before unpacking."""


MAX_CELL_CHARS = 128 * 1024
"""No real cell is longer; the csv module refuses longer fields by default too."""
CSV_DELIMITERS = ",;\t"
UNREADABLE_XLSX: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    SyntaxError,
    TypeError,
    ValueError,
)
"""What openpyxl raises on a damaged or hostile workbook: broken XML is a ``SyntaxError``
(ElementTree and lxml alike), a forbidden entity or DTD a ``ValueError`` (defusedxml)."""


def read_files(
    paths: Iterable[Path], limits: Limits, progress: ProgressCallback | None = None
) -> ReadResult:
    result = ReadResult()
    for path in paths:
        suffix = path.suffix.lower()
        if not path.is_file():
            result.issues.append(Issue.of(path.name, None, None, "file_not_found"))
        elif suffix not in (".csv", ".xlsx"):
            result.issues.append(
                Issue.of(path.name, None, None, "unsupported_type", suffix=repr(suffix))
            )
        elif (size := path.stat().st_size) > limits.max_bytes:
            result.issues.append(
                Issue.of(
                    path.name,
                    None,
                    None,
                    "file_too_big",
                    size=_megabytes(size),
                    limit=_megabytes(limits.max_bytes),
                )
            )
        elif suffix == ".csv":
            _read_csv(path, result, progress)
        else:
            _read_xlsx(path, result, limits, progress)
    return result


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _decode(path: Path, data: bytes, result: ReadResult) -> str | None:
    """The file's text: UTF-8 with or without BOM (Excel's "CSV UTF-8", LibreOffice), or
    UTF-16 with its BOM (Excel's "Unicode Text"). Legacy code pages are refused rather than
    guessed: a wrong guess would store wrong letters without a word."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        newline = "\n".encode("utf-16-le") if utf16 else b"\n"
        line = data[: exc.start].count(newline) + 1
        encoding = "UTF-16" if utf16 else "UTF-8"
        result.issues.append(
            Issue.of(
                path.name,
                line,
                None,
                "not_unicode",
                encoding=encoding,
                byte=f"0x{data[exc.start]:02X}",
            )
        )
        return None


def _delimiter(text: str) -> str:
    """``,``, ``;`` (Excel in a Vietnamese locale) or tab, as :class:`csv.Sniffer` finds it in
    the header line (known column names, so the cells below cannot mislead it); ``,`` for a
    file of one column."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_csv(path: Path, result: ReadResult, progress: ProgressCallback | None) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.issues.append(
            Issue.of(path.name, None, None, "unreadable_file", reason=exc.strerror)
        )
        return
    text = _decode(path, data, result)
    if text is None:
        return
    if not text.strip():
        result.issues.append(Issue.of(path.name, None, None, "empty_file"))
        return
    # The standard (Excel) dialect: doubled quotes inside a quoted field, embedded newlines.
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=_delimiter(text))
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append([clean_text(cell) for cell in record])
    except csv.Error as exc:
        line = len(records) + 1
        if "field larger than field limit" in str(exc):
            result.issues.append(Issue.of(path.name, line, None, "cell_too_large"))
        else:
            result.issues.append(Issue.of(path.name, line, None, "not_csv", reason=str(exc)))
        return
    table = _table(path.name, records[0], result, is_sheet=False)
    if table is None:
        return
    total = len(records) - 1
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            table.rows.append((number, record))
        if progress and (number - 1) % 1000 == 0:
            progress(Stage("progress.reading", path.name), number - 1, total)
    if progress:
        progress(Stage("progress.reading", path.name), total, total)


def _unpacked_size(path: Path, result: ReadResult) -> int | None:
    """The declared uncompressed size of every part (zipfile never inflates a member
    beyond it), or None with an issue when the file is no zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        result.issues.append(Issue.of(path.name, None, None, "not_xlsx", reason=str(exc)))
        return None


def _read_xlsx(
    path: Path, result: ReadResult, limits: Limits, progress: ProgressCallback | None
) -> None:
    from openpyxl import load_workbook

    unpacked = _unpacked_size(path, result)
    if unpacked is None:
        return
    if unpacked > limits.max_unpacked_bytes:
        result.issues.append(
            Issue.of(
                path.name,
                None,
                None,
                "unpacks_too_big",
                size=_megabytes(unpacked),
                limit=_megabytes(limits.max_unpacked_bytes),
            )
        )
        return
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except UNREADABLE_XLSX as exc:
        result.issues.append(Issue.of(path.name, None, None, "not_xlsx", reason=_first_line(exc)))
        return
    try:
        for sheet in workbook.worksheets:
            source = f"{path.name}[{sheet.title}]"
            try:
                _read_sheet(sheet, source, result, progress)
            except UNREADABLE_XLSX as exc:
                result.issues.append(
                    Issue.of(source, None, None, "sheet_unreadable", reason=_first_line(exc))
                )
    finally:
        workbook.close()


def _first_line(exc: Exception) -> str:
    """The underlying error in one line (openpyxl wraps parse errors in a long message)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _read_sheet(
    sheet: Any, source: str, result: ReadResult, progress: ProgressCallback | None
) -> None:
    total = sheet.max_row or 0
    table: Table | None = None
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [clean_text(cell) if isinstance(cell, str) else cell for cell in values]
        if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in cells):
            result.issues.append(Issue.of(source, number, None, "cell_too_large"))
            return
        if table is None:
            if not any(_filled(cell) for cell in cells):
                continue
            header = ["" if cell is None else str(cell) for cell in cells]
            table = _table(source, header, result, is_sheet=True)
            if table is None:
                return
            continue
        if any(_filled(cell) for cell in cells):
            table.rows.append((number, cells))
        if progress and number % 1000 == 0:
            progress(Stage("progress.reading", source), number, total)
    if progress and table is not None:
        progress(Stage("progress.reading", source), total, total)


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _table(source: str, header: list[str], result: ReadResult, *, is_sheet: bool) -> Table | None:
    match = recognise(header)
    if match is None:
        kinds = "; ".join(
            f"{kind}: {', '.join(col.field for col in spec.columns)}"
            for kind, spec in SPECS.items()
        )
        key = "sheet_header_unknown" if is_sheet else "file_header_unknown"
        result.issues.append(Issue.of(source, 1, None, key, kinds=kinds))
        return None
    for field_name in match.missing:
        result.issues.append(Issue.of(source, 1, field_name, "column_missing"))
    for header_text in match.duplicated:
        result.issues.append(Issue.of(source, 1, header_text, "column_twice"))
    for header_text in match.unknown:
        result.warnings.append(Issue.of(source, 1, header_text, "column_ignored"))
    if match.missing or match.duplicated:
        return None
    table = Table(source, match)
    result.tables.append(table)
    return table
