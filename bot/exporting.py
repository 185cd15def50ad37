"""The Excel status report leaders expect (``dondoc export``, weekly digest, dashboard).

Sheet 1: per lead unit, the counts in the four official categories, totals and percentages
against both bases (all tasks; tasks with a deadline). Sheet 2: overdue tasks, most late first.
Sheet 3: every task with its latest report.

Every text cell is written as text: a title or note that starts with ``=`` (or ``+``, ``-``,
``@``) stays the words an official typed, never a live formula, and characters no workbook
can hold are removed on write, so one stored note never breaks the whole report.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.evaluation.report import issuing_body_lines, place_date
from bot.i18n import format_date
from bot.models import TASK_ACTIVE, Official, Report, Task
from bot.services.people import person_label
from bot.services.summary import UnitFigures, status_expression, unit_figures
from bot.status import STATUS_ORDER, Status
from bot.text_cleaning import clean_text
from bot.texts import TEXTS
from bot.workbook_layout import HeadingBlock, lay_out_sheet, write_heading

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
PERCENT_FORMAT = "0.00"

SUMMARY_SHEET = "Tổng hợp"
OVERDUE_SHEET = "Nhiệm vụ quá hạn"
TASKS_SHEET = "Tất cả nhiệm vụ"
REPORT_TITLE = "BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"

SUMMARY_HEADERS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Mã đơn vị", 14),
    ("Tên đơn vị", 40),
    ("Tổng số nhiệm vụ", 12),
    *((TEXTS.t(f"status.{status.value}"), 14) for status in STATUS_ORDER),
    ("Nhiệm vụ có thời hạn", 14),
    ("Hoàn thành (nhiệm vụ không có thời hạn)", 16),
    ("Tỷ lệ hoàn thành / tổng số (%)", 16),
    ("Tỷ lệ hoàn thành / có thời hạn (%)", 16),
    ("Tỷ lệ quá hạn / tổng số (%)", 16),
    ("Tỷ lệ quá hạn / có thời hạn (%)", 16),
)
SUMMARY_PERCENT_COLUMNS = 4
OVERDUE_HEADERS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Mã nhiệm vụ", 14),
    ("Tên nhiệm vụ", 60),
    ("Đơn vị chủ trì", 32),
    ("Thời hạn", 12),
    ("Số ngày quá hạn", 10),
    ("Số ngày làm việc quá hạn", 12),
    ("Tiến độ (%)", 10),
    ("Báo cáo gần nhất", 18),
)
TASK_HEADERS: tuple[tuple[str, int], ...] = (
    ("Mã nhiệm vụ", 14),
    ("Tên nhiệm vụ", 60),
    ("Văn bản giao", 22),
    ("Lãnh đạo giao", 22),
    ("Lãnh đạo phụ trách", 30),
    ("Đơn vị chủ trì", 32),
    ("Cán bộ thụ lý", 30),
    ("Đơn vị phối hợp", 24),
    ("Thời hạn", 12),
    ("Tình trạng", 22),
    ("Tiến độ (%)", 10),
    ("Ngày hoàn thành", 14),
    ("Tiến độ báo cáo gần nhất (%)", 14),
    ("Nội dung báo cáo gần nhất", 50),
    ("Người báo cáo", 24),
    ("Thời gian báo cáo", 18),
)

_COLUMNS = {
    SUMMARY_SHEET: len(SUMMARY_HEADERS),
    OVERDUE_SHEET: len(OVERDUE_HEADERS),
    TASKS_SHEET: len(TASK_HEADERS),
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


async def build_status_workbook(
    session: AsyncSession,
    ctx: AppContext,
    unit_id: int | None = None,
    *,
    where: ColumnElement[bool] | None = None,
) -> bytes:
    """The status report as .xlsx bytes, for the whole city or one lead unit; ``where``
    keeps only the tasks it selects (the dashboard's task list filters,
    :func:`bot.services.task_query.selection_condition`) on every sheet."""
    today = ctx.today()
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    for title in (OVERDUE_SHEET, TASKS_SHEET):
        workbook.create_sheet(title)
    header_row = _headings(workbook, ctx)
    _fill_summary(summary, await unit_figures(session, today, unit_id, where=where), today)
    tasks = await _tasks(session, unit_id, where)
    statuses = await _statuses(session, today, unit_id, where)
    latest = await _latest_reports(session, unit_id, where)
    _fill_overdue(workbook[OVERDUE_SHEET], ctx, tasks, statuses, today)
    _fill_tasks(workbook[TASKS_SHEET], ctx, tasks, statuses, latest)
    for sheet in workbook.worksheets:
        lay_out_sheet(sheet, header_row)
    workbook.properties.title = f"Báo cáo tình hình thực hiện nhiệm vụ ngày {format_date(today)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Add a row; text is cleaned and stored as a string cell, never as a formula."""
    sheet.append([clean_text(value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _header(sheet: Worksheet, headers: Sequence[tuple[str, int]]) -> int:
    """Append the header row (below the heading block); returns its row number."""
    _append(sheet, [title for title, _ in headers])
    row = sheet.max_row
    for index, (_, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{row + 1}"
    return row


def _summary_row(
    label: Sequence[Any], counts: Mapping[Status, int], deadline_counts: Mapping[Status, int]
) -> list[Any]:
    """Counts and percentages on both bases: all tasks, and tasks with a deadline."""
    total = sum(counts[status] for status in STATUS_ORDER)
    with_deadline = sum(deadline_counts[status] for status in STATUS_ORDER)
    done = counts[Status.DONE_ON_TIME] + counts[Status.DONE_LATE]
    done_with_deadline = deadline_counts[Status.DONE_ON_TIME] + deadline_counts[Status.DONE_LATE]
    return [
        *label,
        total,
        *(counts[status] for status in STATUS_ORDER),
        with_deadline,
        counts[Status.DONE_ON_TIME] - deadline_counts[Status.DONE_ON_TIME],
        _percent(done, total),
        _percent(done_with_deadline, with_deadline),
        _percent(counts[Status.OVERDUE], total),
        _percent(deadline_counts[Status.OVERDUE], with_deadline),
    ]


def _fill_summary(sheet: Worksheet, units: list[UnitFigures], today: dt.date) -> None:
    header_row = _header(sheet, SUMMARY_HEADERS)
    totals: Counter[Status] = Counter(dict.fromkeys(STATUS_ORDER, 0))
    deadline_totals: Counter[Status] = Counter(dict.fromkeys(STATUS_ORDER, 0))
    for number, unit in enumerate(units, start=1):
        totals.update(unit.counts)
        deadline_totals.update(unit.deadline_counts)
        _append(
            sheet, _summary_row((number, unit.code, unit.name), unit.counts, unit.deadline_counts)
        )
    _append(sheet, _summary_row(("", "", "Tổng cộng"), totals, deadline_totals))
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT
    first_percent = len(SUMMARY_HEADERS) - SUMMARY_PERCENT_COLUMNS + 1
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=first_percent):
        for cell in row:
            cell.number_format = PERCENT_FORMAT
    sheet.append([])
    _append(sheet, ["", "", f"Số liệu đến ngày {format_date(today)}"])


async def _tasks(
    session: AsyncSession, unit_id: int | None, where: ColumnElement[bool] | None
) -> list[Task]:
    query = (
        select(Task)
        .where(TASK_ACTIVE)
        .order_by(Task.code)
        .options(
            selectinload(Task.lead_unit),
            selectinload(Task.coordinating_units),
            selectinload(Task.assigned_by),
            selectinload(Task.handler),
            selectinload(Task.leader_in_charge),
        )
    )
    if unit_id is not None:
        query = query.where(Task.lead_unit_id == unit_id)
    if where is not None:
        query = query.where(where)
    return list(await session.scalars(query))


async def _statuses(
    session: AsyncSession,
    today: dt.date,
    unit_id: int | None,
    where: ColumnElement[bool] | None,
) -> dict[int, Status]:
    """Each task's category, computed by the same SQL rule as the counts on sheet 1."""
    query = select(Task.id, status_expression(today)).where(TASK_ACTIVE)
    if unit_id is not None:
        query = query.where(Task.lead_unit_id == unit_id)
    if where is not None:
        query = query.where(where)
    return {ident: Status(value) for ident, value in await session.execute(query)}


async def _latest_reports(
    session: AsyncSession, unit_id: int | None, where: ColumnElement[bool] | None
) -> dict[int, Report]:
    """The newest report of each task."""
    ranked = select(
        Report.id,
        func.row_number()
        .over(partition_by=Report.task_id, order_by=(Report.created_at.desc(), Report.id.desc()))
        .label("rank"),
    )
    if unit_id is not None or where is not None:
        ranked = ranked.join(Task, Task.id == Report.task_id)
    if unit_id is not None:
        ranked = ranked.where(Task.lead_unit_id == unit_id)
    if where is not None:
        ranked = ranked.where(where)
    newest = ranked.subquery()
    reports = await session.scalars(
        select(Report)
        .join(newest, newest.c.id == Report.id)
        .where(newest.c.rank == 1)
        .options(selectinload(Report.official))
    )
    return {report.task_id: report for report in reports}


def _local(ctx: AppContext, moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: local wall-clock time without tzinfo."""
    return None if moment is None else moment.astimezone(ctx.tz).replace(tzinfo=None)


def _fill_overdue(
    sheet: Worksheet,
    ctx: AppContext,
    tasks: list[Task],
    statuses: dict[int, Status],
    today: dt.date,
) -> None:
    header_row = _header(sheet, OVERDUE_HEADERS)
    overdue = [t for t in tasks if statuses[t.id] is Status.OVERDUE and t.deadline is not None]
    overdue.sort(key=lambda t: (t.deadline, t.code))
    for number, task in enumerate(overdue, start=1):
        assert task.deadline is not None
        _append(
            sheet,
            [
                number,
                task.code,
                task.title,
                task.lead_unit.name,
                task.deadline,
                (today - task.deadline).days,
                ctx.calendar.working_days_between(task.deadline, today),
                task.progress,
                _local(ctx, task.last_report_at),
            ],
        )
    _formats(sheet, header_row, {5: DATE_FORMAT, 9: DATETIME_FORMAT})


def _fill_tasks(
    sheet: Worksheet,
    ctx: AppContext,
    tasks: list[Task],
    statuses: dict[int, Status],
    latest: dict[int, Report],
) -> None:
    header_row = _header(sheet, TASK_HEADERS)
    for task in tasks:
        report = latest.get(task.id)
        author: Official | None = report.official if report else None
        _append(
            sheet,
            [
                task.code,
                task.title,
                task.source_document,
                task.assigned_by.full_name if task.assigned_by else task.assigned_by_name,
                person_label(task.leader_in_charge) if task.leader_in_charge else None,
                task.lead_unit.name,
                person_label(task.handler) if task.handler else None,
                "; ".join(sorted(unit.name for unit in task.coordinating_units)),
                task.deadline,
                TEXTS.t(f"status.{statuses[task.id].value}"),
                task.progress,
                task.completed_on,
                report.progress if report else None,
                report.note if report else None,
                author.full_name if author else None,
                _local(ctx, report.created_at) if report else None,
            ],
        )
    _formats(sheet, header_row, {9: DATE_FORMAT, 12: DATE_FORMAT, 16: DATETIME_FORMAT})


def _headings(workbook: Workbook, ctx: AppContext) -> int:
    """The NĐ 30 heading block on top of every (still empty) sheet; returns the row the
    table's header goes to (bot.workbook_layout)."""
    today = ctx.today()
    row = 1
    for sheet in workbook.worksheets:
        block = HeadingBlock(
            issuing_body=issuing_body_lines(ctx.settings.report.issuing_body),
            place_date=place_date(ctx.settings.report.place, today),
            title=(REPORT_TITLE, sheet.title.upper()),
            as_of_line=f"(Số liệu đến ngày {format_date(today)})",
        )
        row = write_heading(sheet, block, _COLUMNS[sheet.title])
    return row


def _formats(sheet: Worksheet, header_row: int, formats: dict[int, str]) -> None:
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column, max_col=column):
            cell.number_format = number_format
