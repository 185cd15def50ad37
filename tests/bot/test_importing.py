"""Importing units, officials and tasks from CSV and Excel files (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.importing import ImportFailed, Kind, import_files
from bot.models import AuditLog, DeadlineChange, Official, Priority, Role, Task, Unit
from tests.bot.builders import row_counts

UNITS = [
    ["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên"],
    ["VP-UBND", "Văn phòng UBND thành phố", ""],
    ["SO-TC", "Sở Tài chính", ""],
    ["SO-XD", "Sở Xây dựng", ""],
    ["PHONG-NS", "Phòng Ngân sách", "SO-TC"],
]
OFFICIALS = [
    ["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Vai trò", "Số điện thoại"],
    ["CT-UBND", "Lê Ngọc Châu", "Chủ tịch UBND thành phố", "", "lãnh đạo", ""],
    ["SO-TC-TT", "Nguyễn Văn Hùng", "Giám đốc Sở", "SO-TC", "Thủ trưởng", "0912345678"],
    ["SO-TC-CV1", "Trần Thị Lan", "Chuyên viên", "SO-TC", "chuyên viên", ""],
    ["VP-QT", "Đỗ Thị Lan Anh", "Chuyên viên", "VP-UBND", "quản trị", ""],
]
TASKS = [
    [
        "Mã nhiệm vụ",
        "Tên nhiệm vụ",
        "Số ký hiệu văn bản",
        "Lãnh đạo giao",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời hạn",
        "Sản phẩm",
        "Mức độ ưu tiên",
    ],
    [
        "NQ-01",
        "Triển khai Nghị quyết về bảng giá đất",
        "81/NQ-HĐND",
        "CT-UBND",
        "SO-TC",
        "SO-XD; VP-UBND",
        "15/12/2025",
        "Kế hoạch",
        "khẩn",
    ],
    [
        "NQ-02",
        "Dự toán ngân sách 2026",
        "82/NQ-HĐND",
        "Phó Chủ tịch",
        "SO-XD",
        "",
        "2025-12-20",
        "",
        "",
    ],
    ["NQ-03", "Đề án không có hạn", "", "", "SO-TC", "SO-XD,PHONG-NS", "", "", "cao"],
]


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", sep: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=sep).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def good_files(tmp_path: Path) -> list[Path]:
    return [
        write_csv(tmp_path / "units.csv", UNITS),
        write_csv(tmp_path / "officials.csv", OFFICIALS, encoding="utf-8-sig"),
        write_csv(tmp_path / "tasks.csv", TASKS, sep=";"),
    ]


async def load_task(ctx: AppContext, code: str) -> Task:
    async with ctx.db.session() as session:
        task = await session.scalar(
            select(Task)
            .where(Task.code == code)
            .options(
                selectinload(Task.coordinating_units),
                selectinload(Task.lead_unit),
                selectinload(Task.assigned_by),
            )
        )
        assert task is not None
        return task


async def test_vietnamese_csv_files_import_units_officials_and_tasks(
    ctx: AppContext, good_files: list[Path]
) -> None:
    result = await import_files(ctx, good_files)

    assert result.created == {Kind.UNITS: 4, Kind.OFFICIALS: 4, Kind.TASKS: 3}
    assert result.updated == {Kind.UNITS: 0, Kind.OFFICIALS: 0, Kind.TASKS: 0}
    async with ctx.db.session() as session:
        units = {u.code: u for u in await session.scalars(select(Unit))}
        officials = {o.code: o for o in await session.scalars(select(Official))}
    assert units["PHONG-NS"].parent_id == units["SO-TC"].id
    assert units["SO-TC"].head_id == officials["SO-TC-TT"].id
    assert officials["CT-UBND"].role is Role.LEADER and officials["CT-UBND"].unit_id is None
    assert officials["SO-TC-TT"].role is Role.HEAD
    assert officials["SO-TC-TT"].phone == "0912345678"
    assert officials["SO-TC-CV1"].role is Role.STAFF
    assert officials["VP-QT"].role is Role.ADMIN

    first = await load_task(ctx, "NQ-01")
    assert first.title == "Triển khai Nghị quyết về bảng giá đất"
    assert first.source_document == "81/NQ-HĐND"
    assert first.deadline == dt.date(2025, 12, 15) == first.original_deadline
    assert first.lead_unit.code == "SO-TC"
    assert sorted(u.code for u in first.coordinating_units) == ["SO-XD", "VP-UBND"]
    assert first.priority is Priority.URGENT
    assert first.assigned_by is not None and first.assigned_by.full_name == "Lê Ngọc Châu"
    assert first.progress == 0 and first.completed_at is None

    second = await load_task(ctx, "NQ-02")
    assert second.deadline == dt.date(2025, 12, 20)
    assert second.assigned_by_id is None and second.assigned_by_name == "Phó Chủ tịch"
    assert second.priority is Priority.NORMAL

    third = await load_task(ctx, "NQ-03")
    assert third.deadline is None
    assert sorted(u.code for u in third.coordinating_units) == ["PHONG-NS", "SO-XD"]
    assert third.priority is Priority.HIGH


async def test_excel_workbook_sheets_recognised_by_header_in_english_without_diacritics(
    ctx: AppContext, tmp_path: Path
) -> None:
    book = write_xlsx(
        tmp_path / "data.xlsx",
        {
            "Sheet A": [
                ["TASK CODE", "Title", "Lead_Unit", "Deadline", "Priority", "STT"],
                ["KH-1", "Kế hoạch đầu tư công 2026", "so-tc", dt.datetime(2026, 1, 9), "High", 1],
                ["KH-2", "Kịch bản tăng trưởng", "SO-TC", "09/01/2026", "", 2],
            ],
            "Đơn vị": [["code", "name"], ["SO-TC", "Sở Tài chính"]],
            "Ghi chú": [],
            "People": [
                ["code", "full_name", "unit_code", "role"],
                ["A1", "Phạm Văn An", "SO-TC", "head"],
            ],
        },
    )
    result = await import_files(ctx, [book])

    assert result.created == {Kind.UNITS: 1, Kind.OFFICIALS: 1, Kind.TASKS: 2}
    assert result.warnings == []
    task = await load_task(ctx, "KH-1")
    assert task.deadline == dt.date(2026, 1, 9)
    assert task.priority is Priority.HIGH
    assert (await load_task(ctx, "KH-2")).deadline == dt.date(2026, 1, 9)


async def test_reimport_updates_by_code_and_keeps_deadline_history(
    ctx: AppContext, good_files: list[Path], tmp_path: Path
) -> None:
    await import_files(ctx, good_files)
    before = await load_task(ctx, "NQ-01")
    async with ctx.db.session() as session:
        stored = await session.get(Task, before.id)
        assert stored is not None
        stored.progress = 40
    changed = [
        ["code", "title", "lead_unit", "coordinating_units", "deadline"],
        ["NQ-01", "Triển khai Nghị quyết (sửa đổi)", "SO-TC", "SO-XD", "31/12/2025"],
        ["NQ-02", "Dự toán ngân sách 2026", "SO-XD", "", "2025-12-20"],
    ]
    result = await import_files(ctx, [write_csv(tmp_path / "again.csv", changed)])

    assert result.created[Kind.TASKS] == 0 and result.updated[Kind.TASKS] == 2
    assert result.deadline_changes == 1
    after = await load_task(ctx, "NQ-01")
    assert after.id == before.id
    assert after.title == "Triển khai Nghị quyết (sửa đổi)"
    assert after.deadline == dt.date(2025, 12, 31)
    assert after.original_deadline == dt.date(2025, 12, 15)
    assert [u.code for u in after.coordinating_units] == ["SO-XD"]
    assert after.progress == 40  # reports are not touched by a re-import
    assert after.source_document == "81/NQ-HĐND"  # a column the file lacks is kept
    async with ctx.db.session() as session:
        history = list(await session.scalars(select(DeadlineChange)))
    assert [(h.old_deadline, h.new_deadline) for h in history] == [
        (dt.date(2025, 12, 15), dt.date(2025, 12, 31))
    ]
    assert history[0].reason == "import again.csv:2"


async def test_reimport_keeps_every_changed_value_in_the_audit_log(
    ctx: AppContext, good_files: list[Path], tmp_path: Path
) -> None:
    await import_files(ctx, good_files)
    units = [["Mã đơn vị", "Tên đơn vị"], ["SO-TC", "Sở Tài chính - Kế hoạch"]]
    officials = [
        ["code", "full_name", "title", "unit_code", "role"],
        ["SO-TC-CV1", "Trần Thị Lan", "Phó Giám đốc", "SO-XD", "thủ trưởng"],
        ["CT-UBND", "Lê Ngọc Châu", "Chủ tịch UBND thành phố", "", "lãnh đạo"],  # unchanged
    ]
    tasks = [
        ["code", "title", "lead_unit", "coordinating_units", "deadline", "assigned_by"],
        ["NQ-01", "Bảng giá đất (sửa đổi)", "SO-XD", "SO-TC", "31/12/2025", "Phó Chủ tịch"],
    ]
    await import_files(
        ctx,
        [
            write_csv(tmp_path / "units2.csv", units),
            write_csv(tmp_path / "officials2.csv", officials),
            write_csv(tmp_path / "tasks2.csv", tasks),
        ],
        via="cli",
    )

    async with ctx.db.session() as session:
        rows = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "import.change").order_by(AuditLog.id)
            )
        )
        task = await session.scalar(select(Task).where(Task.code == "NQ-01"))
        lan = await session.scalar(select(Official).where(Official.code == "SO-TC-CV1"))
        unit = await session.scalar(select(Unit).where(Unit.code == "SO-TC"))
    assert task is not None and lan is not None and unit is not None
    assert [(row.entity, row.entity_id, row.actor) for row in rows] == [
        ("unit", str(unit.id), "cli"),
        ("official", str(lan.id), "cli"),
        ("task", str(task.id), "cli"),
    ]
    assert rows[0].details == {
        "code": "SO-TC",
        "source": "units2.csv:2",
        "changes": {"name": ["Sở Tài chính", "Sở Tài chính - Kế hoạch"]},
    }
    assert rows[1].details == {
        "code": "SO-TC-CV1",
        "source": "officials2.csv:2",
        "changes": {
            "title": ["Chuyên viên", "Phó Giám đốc"],
            "role": ["staff", "head"],
            "unit": ["SO-TC", "SO-XD"],
        },
    }
    assert rows[2].details == {
        "code": "NQ-01",
        "source": "tasks2.csv:2",
        "changes": {
            "title": ["Triển khai Nghị quyết về bảng giá đất", "Bảng giá đất (sửa đổi)"],
            "deadline": ["2025-12-15", "2025-12-31"],
            "lead_unit": ["SO-TC", "SO-XD"],
            "assigned_by": ["Lê Ngọc Châu", "Phó Chủ tịch"],
            "coordinating_units": [["SO-XD", "VP-UBND"], ["SO-TC"]],
        },
    }


async def test_import_is_audited_per_kind(ctx: AppContext, good_files: list[Path]) -> None:
    await import_files(ctx, good_files, via="cli")
    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert [r.action for r in rows] == ["import.units", "import.officials", "import.tasks"]
    assert rows[2].details["created"] == ["NQ-01", "NQ-02", "NQ-03"]
    assert rows[2].details["files"] == ["units.csv", "officials.csv", "tasks.csv"]


async def test_dry_run_checks_and_counts_but_writes_nothing(
    ctx: AppContext, good_files: list[Path]
) -> None:
    result = await import_files(ctx, good_files, dry_run=True)

    assert result.dry_run
    assert result.created == {Kind.UNITS: 4, Kind.OFFICIALS: 4, Kind.TASKS: 3}
    async with ctx.db.session() as session:
        assert set((await row_counts(session)).values()) == {0}


async def refused(ctx: AppContext, files: list[Path]) -> list[str]:
    """Import files that must be refused; returns the error lines, checks nothing changed."""
    async with ctx.db.session() as session:
        before = await row_counts(session)
    with pytest.raises(ImportFailed) as caught:
        await import_files(ctx, files)
    async with ctx.db.session() as session:
        assert await row_counts(session) == before
    return [str(issue) for issue in caught.value.errors]


async def test_every_bad_row_is_listed_and_nothing_is_written(
    ctx: AppContext, good_files: list[Path], tmp_path: Path
) -> None:
    await import_files(ctx, good_files[:2])
    bad = [
        ["code", "title", "lead_unit", "coordinating_units", "deadline", "priority"],
        ["T-1", "Good row", "SO-TC", "", "15/12/2025", ""],
        ["T-2", "Unknown unit", "SO-XYZ", "", "", ""],
        ["T-3", "Bad date", "SO-TC", "", "31/02/2025", ""],
        ["T-1", "Duplicate code", "SO-TC", "", "", ""],
        ["T-4", "Garbled date", "SO-TC", "", "15.12.2025", ""],
        ["T-5", "Bad priority", "SO-TC", "SO-TC;SO-ABC", "", "gấp lắm"],
        ["", "No code", "SO-TC", "", "", ""],
        ["T-6", "", "SO-TC", "", "", ""],
    ]
    errors = await refused(ctx, [write_csv(tmp_path / "bad.csv", bad)])

    assert errors == [
        "bad.csv:4:deadline: '31/02/2025' is not a date that exists",
        "bad.csv:5:code: duplicate code 'T-1' (first at bad.csv:2)",
        "bad.csv:6:deadline: '15.12.2025' is not a date: write dd/mm/yyyy or yyyy-mm-dd",
        "bad.csv:7:priority: unknown priority 'gấp lắm'; use one of: normal, high, urgent "
        "(bình thường, cao, khẩn)",
        "bad.csv:8:code: code is empty",
        "bad.csv:9:title: value is empty",
        "bad.csv:3:lead_unit: unknown unit 'SO-XYZ'",
    ]


async def test_references_are_checked_after_each_row_parses(
    ctx: AppContext, good_files: list[Path], tmp_path: Path
) -> None:
    await import_files(ctx, good_files[:2])
    bad = [
        ["code", "title", "lead_unit", "coordinating_units"],
        ["T-5", "Coordinators", "SO-TC", "SO-TC;SO-ABC"],
    ]
    errors = await refused(ctx, [write_csv(tmp_path / "refs.csv", bad)])
    assert errors == [
        "refs.csv:2:coordinating_units: 'SO-TC' is already the lead unit",
        "refs.csv:2:coordinating_units: unknown unit 'SO-ABC'",
    ]


async def test_duplicate_code_across_two_files_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", [["code", "name"], ["U1", "Một"]])
    second = write_csv(tmp_path / "b.csv", [["code", "name"], ["U2", "Hai"], ["U1", "Lại"]])
    assert await refused(ctx, [first, second]) == [
        "b.csv:3:code: duplicate code 'U1' (first at a.csv:2)"
    ]


async def test_missing_required_column_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    no_lead = write_csv(
        tmp_path / "tasks.csv", [["Mã nhiệm vụ", "Tên nhiệm vụ", "Thời hạn"], ["A", "B", ""]]
    )
    assert await refused(ctx, [no_lead]) == ["tasks.csv:1:lead_unit: required column missing"]


async def test_non_utf8_file_is_refused_with_its_line(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("code,name\nU1,Ha Noi\nU2,Tài chính\n".encode("cp1252"))  # a Windows file
    errors = await refused(ctx, [path])
    assert len(errors) == 1
    assert errors[0].startswith("units.csv:3:-: not UTF-8 text (byte 0x")
    assert errors[0].endswith("save the file as 'CSV UTF-8'")


async def test_utf8_bom_is_accepted(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffMã đơn vị,Tên đơn vị\nU1,Sở Y tế\n".encode())
    result = await import_files(ctx, [path])
    assert result.created[Kind.UNITS] == 1


async def test_a_unit_that_is_its_own_ancestor_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    await import_files(
        ctx,
        [
            write_csv(
                tmp_path / "u1.csv",
                [["code", "name", "parent_code"], ["A", "A", ""], ["B", "B", "A"]],
            )
        ],
    )
    loop = write_csv(tmp_path / "u2.csv", [["code", "name", "parent_code"], ["A", "A", "B"]])
    self_parent = write_csv(tmp_path / "u3.csv", [["code", "name", "parent_code"], ["C", "C", "C"]])
    assert await refused(ctx, [loop, self_parent]) == [
        "u2.csv:2:parent_code: unit is its own ancestor (A → B → A)",
        "u3.csv:2:parent_code: unit is its own ancestor (C → C)",
    ]


async def test_unrecognised_header_and_unsupported_files_are_refused(
    ctx: AppContext, tmp_path: Path
) -> None:
    odd = write_csv(tmp_path / "odd.csv", [["foo", "bar"], ["1", "2"]])
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    errors = await refused(ctx, [odd, text, broken, tmp_path / "missing.csv"])
    assert errors[0].startswith("odd.csv:1:-: header of this file not recognised; expected columns")
    assert errors[1] == "notes.txt:-:-: unsupported file type '.txt': use .csv or .xlsx"
    assert errors[2].startswith("broken.xlsx:-:-: not a readable .xlsx workbook")
    assert errors[3] == "missing.csv:-:-: file not found"


async def test_staff_without_unit_and_two_heads_are_refused(
    ctx: AppContext, tmp_path: Path
) -> None:
    units = write_csv(tmp_path / "units.csv", [["code", "name"], ["U", "Đơn vị"]])
    people = write_csv(
        tmp_path / "people.csv",
        [
            ["code", "full_name", "unit_code", "role"],
            ["P1", "Một", "", "chuyên viên"],
            ["P2", "Hai", "U", "thủ trưởng"],
            ["P3", "Ba", "U", "head"],
            ["P4", "Bốn", "U", "giám đốc"],
        ],
    )
    errors = await refused(ctx, [units, people])
    assert errors == [
        "people.csv:5:role: unknown role 'giám đốc'; use one of: staff, head, leader, admin "
        "(chuyên viên, thủ trưởng, lãnh đạo, quản trị)",
        "people.csv:2:unit_code: a staff official needs a unit",
        "people.csv:4:role: unit 'U' already has head 'P2' in this import (people.csv:3)",
    ]


async def test_errors_in_an_excel_sheet_name_the_sheet(ctx: AppContext, tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "book.xlsx",
        {"Nhiệm vụ": [["Mã", "Tên nhiệm vụ", "Đơn vị chủ trì"], ["X-1", "Việc", "KHONG-CO"]]},
    )
    assert await refused(ctx, [book]) == [
        "book.xlsx[Nhiệm vụ]:2:Đơn vị chủ trì: unknown unit 'KHONG-CO'"
    ]


async def test_unknown_columns_are_reported_as_warnings(ctx: AppContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "units.csv", [["code", "name", "Màu sắc"], ["U", "Đơn vị", "đỏ"]])
    result = await import_files(ctx, [path])
    assert [str(warning) for warning in result.warnings] == [
        "units.csv:1:Màu sắc: column not recognised, ignored"
    ]
    assert result.warnings[0].message("vi") == "không nhận ra cột này, bỏ qua"


async def test_large_task_file_reports_progress(ctx: AppContext, tmp_path: Path) -> None:
    rows = [["code", "title", "lead_unit", "deadline"]]
    rows += [[f"T-{n:05d}", f"Nhiệm vụ {n}", "U", "2026-03-31"] for n in range(2500)]
    units = write_csv(tmp_path / "units.csv", [["code", "name"], ["U", "Đơn vị"]])
    tasks = write_csv(tmp_path / "tasks.csv", rows)
    seen: list[tuple[str, int, int]] = []
    result = await import_files(
        ctx, [units, tasks], progress=lambda stage, *p: seen.append((stage.describe("vi"), *p))
    )
    assert result.created[Kind.TASKS] == 2500
    assert ("Đang đọc tasks.csv", 2500, 2500) in seen
    assert ("Đang ghi nhiệm vụ", 2500, 2500) in seen
    again = await import_files(ctx, [tasks])
    assert again.updated[Kind.TASKS] == 2500 and again.deadline_changes == 0
