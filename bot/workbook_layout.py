"""Page layout for every workbook Dondoc writes: a heading block of an administrative
document (NĐ 30/2020/NĐ-CP) above the table, frozen header rows, an auto-filter, wrapped text,
column widths, A4 landscape, and the header rows printed again on every page.

Layout only: what goes in the cells is the business of the module that fills the sheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_MIN_WIDTH = 30
"""Columns at least this wide hold long text (titles, names, notes) and wrap it; styling
only those cells keeps a 100,000-task workbook fast to write."""


@dataclass(frozen=True)
class HeadingBlock:
    """The top of an administrative document: issuing body left, Quốc hiệu and tiêu ngữ
    right, place and date, the title and "tính đến ngày …"."""

    issuing_body: Sequence[str]
    place_date: str
    title: Sequence[str]
    as_of_line: str


def heading_rows(block: HeadingBlock) -> int:
    """Rows the heading block takes, the blank row after it included."""
    return max(len(block.issuing_body), 2) + 1 + len(block.title) + 1 + 1


def write_heading(sheet: Worksheet, block: HeadingBlock, columns: int) -> int:
    """Write the heading block at the top of an empty sheet; returns the next free row.

    The issuing body takes the left third of the columns, the national motto the rest."""
    columns = max(columns, 3)
    split = max(columns // 3, 1)
    top = max(len(block.issuing_body), 2)

    def merged(row: int, first: int, last: int, text: str, *, bold: bool, italic: bool) -> None:
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = sheet.cell(row=row, column=first, value=text)
        cell.font = Font(name=FONT, size=13, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for index, line in enumerate(block.issuing_body, start=1):
        merged(index, 1, split, line, bold=True, italic=False)
    merged(1, split + 1, columns, NATIONAL_TITLE, bold=True, italic=False)
    merged(2, split + 1, columns, MOTTO, bold=True, italic=False)
    row = top + 1
    merged(row, split + 1, columns, block.place_date, bold=False, italic=True)
    row += 1
    for line in block.title:
        merged(row, 1, columns, line, bold=True, italic=False)
        sheet.cell(row=row, column=1).font = Font(name=FONT, size=14, bold=True)
        row += 1
    merged(row, 1, columns, block.as_of_line, bold=False, italic=True)
    sheet.append([])  # a blank row; the next ``append`` writes the table's header row
    return row + 2


def lay_out_sheet(sheet: Worksheet, header_row: int) -> None:
    """Lay out the table that starts at ``header_row`` (below the heading block written by
    :func:`write_heading` before the sheet was filled) and runs to the first empty row."""
    columns = sheet.max_column
    end = next(
        (
            row[0].row - 1
            for row in sheet.iter_rows(min_row=header_row + 1)
            if all(cell.value in (None, "") for cell in row)
        ),
        sheet.max_row,
    )
    widths = [
        sheet.column_dimensions[get_column_letter(index)].width or 12
        for index in range(1, columns + 1)
    ]
    lay_out_table(sheet, header_row, widths, last_row=end)


def lay_out_table(
    sheet: Worksheet,
    header_row: int,
    widths: Sequence[float],
    *,
    last_row: int | None = None,
) -> None:
    """Make the table starting at ``header_row`` printable and easy to read: frozen header,
    auto-filter, long text wrapped, widths, gridlines printed, A4 landscape fitted to the page
    width, the header row repeated on every printed page."""
    last = last_row if last_row is not None else sheet.max_row
    last_column = get_column_letter(len(widths))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[header_row][: len(widths)]:
        cell.font = Font(name=FONT, size=12, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = BORDER
    wrapped = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        if width < WRAP_MIN_WIDTH:
            continue
        for (cell,) in sheet.iter_rows(
            min_row=header_row + 1, max_row=last, min_col=index, max_col=index
        ):
            if isinstance(cell.value, str):
                cell.alignment = wrapped
    sheet.freeze_panes = f"A{header_row + 1}"
    if last > header_row:
        sheet.auto_filter.ref = f"A{header_row}:{last_column}{last}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.gridLines = True
    landscape_a4(sheet)


def landscape_a4(sheet: Worksheet) -> None:
    """A4 landscape, fitted to one page wide, margins in inches per NĐ 30 (left 30 mm)."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = 30 / 25.4
    sheet.page_margins.right = 15 / 25.4
    sheet.page_margins.top = 20 / 25.4
    sheet.page_margins.bottom = 20 / 25.4
