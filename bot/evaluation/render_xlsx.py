"""The report as a workbook: the first sheet is the report itself (heading block, summary on
both bases, rankings, overdue tasks, unanswered explanation requests); then the ranking and
the overdue tasks as filterable tables. Layout from :mod:`bot.workbook_layout`."""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.evaluation.report import (
    KIND_HEADINGS,
    OVERDUE_HEADERS,
    RANKING_HEADERS,
    RATING_NAMES,
    Paragraph,
    ReportDocument,
    TableBlock,
)
from bot.status import Status
from bot.workbook_layout import (
    BORDER,
    FONT,
    HeadingBlock,
    landscape_a4,
    lay_out_table,
    write_heading,
)

REPORT_SHEET = "Báo cáo"
RANKING_SHEET = "Xếp hạng"
OVERDUE_SHEET = "Nhiệm vụ quá hạn"
REPORT_COLUMNS = 10
REPORT_WIDTHS = (10, 34, 14, 14, 12, 12, 10, 16, 14, 14)
CHARS_PER_LINE = 150
RANKING_WIDTHS = (26, 10, 40, 12, 14, 10, 12, 10, 18, 14, 14)
OVERDUE_WIDTHS = (6, 14, 50, 32, 12, 12, 50)


def heading_of(report: ReportDocument) -> HeadingBlock:
    return HeadingBlock(
        issuing_body=report.issuing_body,
        place_date=report.place_date,
        title=(report.title, report.subtitle),
        as_of_line=report.as_of_line,
    )


def _paragraph(sheet: Worksheet, row: int, block: Paragraph) -> int:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=REPORT_COLUMNS)
    cell = sheet.cell(row=row, column=1, value=block.text)
    cell.font = Font(name=FONT, size=13, bold=block.bold, italic=block.italic)
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    sheet.row_dimensions[row].height = 18 * max(1, math.ceil(len(block.text) / CHARS_PER_LINE))
    return row + 1


def _table(sheet: Worksheet, row: int, block: TableBlock) -> int:
    for column, header in enumerate(block.headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font = Font(name=FONT, size=12, bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = BORDER
    for values in block.rows:
        row += 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.font = Font(name=FONT, size=12)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = BORDER
    return row + 2


def _report_sheet(sheet: Worksheet, report: ReportDocument) -> None:
    row = write_heading(sheet, heading_of(report), REPORT_COLUMNS)
    for index, width in enumerate(REPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for block in report.blocks:
        row = (
            _paragraph(sheet, row, block)
            if isinstance(block, Paragraph)
            else _table(sheet, row, block)
        )
    landscape_a4(sheet)


def _ranking_sheet(sheet: Worksheet, report: ReportDocument) -> None:
    headers = ("Khối", *RANKING_HEADERS)
    header_row = write_heading(sheet, heading_of(report), len(headers))
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=column, value=header).font = Font(bold=True)
    evaluation = report.evaluation
    if evaluation is not None:
        for kind, ranking in evaluation.rankings.items():
            for ranked in ranking.rows:
                card = ranked.card
                sheet.append(
                    [
                        KIND_HEADINGS[kind],
                        ranked.position,
                        card.name,
                        card.total,
                        card.counts[Status.DONE_ON_TIME],
                        card.counts[Status.OVERDUE],
                        card.days_late,
                        card.score,
                        "" if card.rating is None else RATING_NAMES[card.rating],
                        "—" if ranked.change is None else ranked.change,
                        card.open_explanations,
                    ]
                )
    lay_out_table(sheet, header_row, RANKING_WIDTHS)


def _overdue_sheet(sheet: Worksheet, report: ReportDocument) -> None:
    header_row = write_heading(sheet, heading_of(report), len(OVERDUE_HEADERS))
    for column, header in enumerate(OVERDUE_HEADERS, start=1):
        sheet.cell(row=header_row, column=column, value=header).font = Font(bold=True)
    overdue = next(
        (b for b in report.blocks if isinstance(b, TableBlock) and b.headers == OVERDUE_HEADERS),
        None,
    )
    for values in overdue.rows if overdue else []:
        sheet.append(list(values))
    lay_out_table(sheet, header_row, OVERDUE_WIDTHS)


def render_xlsx(report: ReportDocument) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    first.title = REPORT_SHEET
    _report_sheet(first, report)
    _ranking_sheet(workbook.create_sheet(RANKING_SHEET), report)
    _overdue_sheet(workbook.create_sheet(OVERDUE_SHEET), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
