"""Import files as office programs save them, and hostile files (SQLite and PostgreSQL).

Each CSV below holds the exact bytes Excel or LibreOffice writes: a BOM or none, CRLF or LF,
``,`` or ``;`` (Excel in a Vietnamese locale), doubled quotes and line breaks inside quoted
fields. Hostile files end in a ``file:row`` (or ``file``) error, never a traceback.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from bot.context import AppContext
from bot.importing import ImportFailed, import_files
from bot.importing.readers import Limits, read_files
from bot.models import Task, Unit

UNITS = "Mã đơn vị,Tên đơn vị\nSO-TC,Sở Tài chính\n"
QUOTED_TITLE = 'Nghị quyết "81", năm 2026'
TWO_LINE_TITLE = "Kế hoạch thực hiện năm 2026"
"""Typed on two lines in the cell; a title is one line, the row stays whole."""

EXCEL_CSV_UTF8 = (
    "\ufeffMã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Thời hạn\r\n"
    'NV-01,"Nghị quyết ""81"", năm 2026",SO-TC,15/12/2026\r\n'
    'NV-02,"Kế hoạch thực hiện\nnăm 2026",SO-TC,\r\n'
).encode()
"""Excel (Windows) "CSV UTF-8": BOM, CRLF rows, a line break typed with Alt+Enter as LF."""
EXCEL_CSV_VI_LOCALE = (
    "\ufeffMã nhiệm vụ;Tên nhiệm vụ;Đơn vị chủ trì;Thời hạn\r\n"
    'NV-01;"Nghị quyết ""81"", năm 2026";SO-TC;15/12/2026\r\n'
    'NV-02;"Kế hoạch thực hiện\nnăm 2026";SO-TC;\r\n'
).encode()
"""Excel with Vietnamese regional settings: the list separator is a semicolon."""
LIBREOFFICE_CSV = (
    "Mã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Thời hạn\n"
    'NV-01,"Nghị quyết ""81"", năm 2026",SO-TC,15/12/2026\n'
    'NV-02,"Kế hoạch thực hiện\nnăm 2026",SO-TC,\n'
).encode()
"""LibreOffice Calc "Text CSV", UTF-8 defaults: no BOM, LF, quotes only where needed."""
EXCEL_UNICODE_TEXT = (
    "Mã nhiệm vụ\tTên nhiệm vụ\tĐơn vị chủ trì\tThời hạn\r\n"
    'NV-01\t"Nghị quyết ""81"", năm 2026"\tSO-TC\t15/12/2026\r\n'
    'NV-02\t"Kế hoạch thực hiện\nnăm 2026"\tSO-TC\t\r\n'
).encode("utf-16")
"""Excel "Unicode Text": UTF-16 with its BOM, tab separated."""


async def titles(ctx: AppContext) -> dict[str, str]:
    async with ctx.db.session() as session:
        return {task.code: task.title for task in await session.scalars(select(Task))}


async def errors_of(ctx: AppContext, *paths: Path) -> list[str]:
    with pytest.raises(ImportFailed) as refused:
        await import_files(ctx, paths)
    return [str(issue) for issue in refused.value.errors]


@pytest.mark.parametrize(
    "data",
    [EXCEL_CSV_UTF8, EXCEL_CSV_VI_LOCALE, LIBREOFFICE_CSV, EXCEL_UNICODE_TEXT],
    ids=["excel-csv-utf8", "excel-vi-semicolon", "libreoffice", "excel-unicode-text"],
)
async def test_csv_as_office_programs_save_it_keeps_every_title_whole(
    ctx: AppContext, tmp_path: Path, data: bytes
) -> None:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    tasks = tmp_path / "tasks.csv"
    tasks.write_bytes(data)

    await import_files(ctx, [units, tasks])

    assert await titles(ctx) == {"NV-01": QUOTED_TITLE, "NV-02": TWO_LINE_TITLE}


async def test_semicolon_file_with_commas_in_unquoted_titles(
    ctx: AppContext, tmp_path: Path
) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(
        "\ufeffMã đơn vị;Tên đơn vị\r\n"
        "SO-TC;Sở Tài chính, Kế hoạch\r\n"
        "SO-XD;Sở Xây dựng\r\n".encode()
    )
    await import_files(ctx, [units])
    async with ctx.db.session() as session:
        names = {unit.code: unit.name for unit in await session.scalars(select(Unit))}
    assert names == {"SO-TC": "Sở Tài chính, Kế hoạch", "SO-XD": "Sở Xây dựng"}


async def test_control_characters_in_a_file_are_removed(ctx: AppContext, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes("Mã đơn vị,Tên đơn vị\r\nSO-TC,Sở\x01 Tài\x00 chính\x1f\r\n".encode())

    await import_files(ctx, [units])

    async with ctx.db.session() as session:
        unit = await session.scalar(select(Unit))
    assert unit is not None and unit.name == "Sở Tài chính"


async def test_a_field_over_128_kb_in_a_csv_names_its_row(ctx: AppContext, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(f'Mã đơn vị,Tên đơn vị\nSO-TC,Sở Tài chính\nSO-XD,"{"x" * 200_000}"\n')
    assert await errors_of(ctx, units) == ["units.csv:3:-: a cell is larger than 128 KB"]


def units_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Đơn vị"
    sheet.append(["Mã đơn vị", "Tên đơn vị"])
    sheet.append(["SO-TC", "Sở Tài chính"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(path: Path, sheet_xml: bytes) -> Path:
    """A copy of a valid workbook whose first sheet's XML is replaced."""
    with (
        zipfile.ZipFile(io.BytesIO(units_workbook())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(info.filename, data)
    return path


SHEET_OPEN = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
)
SHEET_CLOSE = b"</t></is></c></row></sheetData></worksheet>"


def sheet_xml(rows: list[list[str]]) -> bytes:
    """A sheet's XML with inline strings, as any program may write it."""
    cells = "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in zip("ABCDEFGH", row, strict=False)
        )
        + "</row>"
        for number, row in enumerate(rows, start=1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:B{len(rows)}"/><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


async def test_a_cell_over_128_kb_in_a_workbook_names_its_row(
    ctx: AppContext, tmp_path: Path
) -> None:
    rows = [["Mã đơn vị", "Tên đơn vị"], ["SO-TC", "Sở Tài chính"], ["SO-XD", "x" * 200_000]]
    book = with_sheet_xml(tmp_path / "units.xlsx", sheet_xml(rows))
    assert await errors_of(ctx, book) == ["units.xlsx[Đơn vị]:3:-: a cell is larger than 128 KB"]


async def test_a_broken_workbook_is_named_without_a_traceback(
    ctx: AppContext, tmp_path: Path
) -> None:
    book = with_sheet_xml(tmp_path / "broken.xlsx", SHEET_OPEN + "Mã đơn vị</t></is".encode())
    errors = await errors_of(ctx, book)
    assert len(errors) == 1
    assert errors[0].startswith("broken.xlsx:-:-: not a readable .xlsx workbook (")
    assert "\n" not in errors[0]


async def test_a_sheet_broken_halfway_is_named_without_a_traceback(
    ctx: AppContext, tmp_path: Path
) -> None:
    rows = [["Mã đơn vị", "Tên đơn vị"], *([f"U{n}", f"Đơn vị {n}"] for n in range(3000))]
    whole = sheet_xml(rows)
    book = with_sheet_xml(tmp_path / "cut.xlsx", whole[: len(whole) // 2])
    errors = await errors_of(ctx, book)
    assert len(errors) == 1
    assert errors[0].startswith("cut.xlsx[Đơn vị]:-:-: the sheet cannot be read (")


async def test_an_entity_expansion_workbook_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 7)
    )
    hostile = b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>"
    book = with_sheet_xml(tmp_path / "laughs.xlsx", hostile + SHEET_OPEN + b"&lol6;" + SHEET_CLOSE)
    errors = await errors_of(ctx, book)
    assert len(errors) == 1
    assert errors[0].startswith("laughs.xlsx:-:-: not a readable .xlsx workbook (")
    assert "\n" not in errors[0]


def test_openpyxl_parses_with_defusedxml() -> None:
    from openpyxl import DEFUSEDXML

    assert DEFUSEDXML


async def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.settings, "import_max_unpacked_bytes", 1024 * 1024)
    padding = b" " * (5 * 1024 * 1024)  # 5 MB of XML whitespace: a few KB compressed
    book = with_sheet_xml(tmp_path / "bomb.xlsx", SHEET_OPEN + b"x" + SHEET_CLOSE + padding)
    assert book.stat().st_size < 100 * 1024

    assert await errors_of(ctx, book) == [
        "bomb.xlsx:-:-: the workbook unpacks to 5.0 MB, more than the 1.0 MB an import accepts "
        "(DONDOC_IMPORT_MAX_UNPACKED_BYTES)"
    ]


async def test_a_file_over_the_size_limit_is_refused(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ctx.settings, "import_max_bytes", 1024 * 1024)
    units = tmp_path / "units.csv"
    units.write_text("Mã đơn vị,Tên đơn vị\n" + "SO-TC,Sở Tài chính\n" * 70_000)

    assert await errors_of(ctx, units) == [
        "units.csv:-:-: the file is 1.5 MB, larger than the 1.0 MB an import accepts "
        "(DONDOC_IMPORT_MAX_BYTES)"
    ]


cell_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cc", "Cs")), st.sampled_from("\",;\t\n'")
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(cell_text.filter(str.strip), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    line_end=st.sampled_from(["\r\n", "\n"]),
)
def test_any_cell_survives_a_round_trip_through_an_excel_style_csv(
    tmp_path_factory: pytest.TempPathFactory,
    names: list[str],
    delimiter: str,
    bom: bool,
    line_end: str,
) -> None:
    rows = [["Mã đơn vị", "Tên đơn vị"], *([f"U{n}", name] for n, name in enumerate(names))]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "units.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode())

    read = read_files([path], Limits(max_bytes=10**6, max_unpacked_bytes=10**6))

    assert read.issues == []
    [table] = read.tables
    assert [cells for _, cells in table.rows] == rows[1:]
