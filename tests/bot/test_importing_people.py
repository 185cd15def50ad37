"""The people in charge of a task as import columns: the leader in charge (lãnh đạo phụ
trách) and the handling official (cán bộ thụ lý), by official code (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.importing import import_files
from bot.models import AuditLog, Task
from tests.bot.test_importing import OFFICIALS, UNITS, refused, write_csv, write_xlsx

PEOPLE = [
    *OFFICIALS,
    ["PCT-UBND", "Trần Văn Bình", "Phó Chủ tịch UBND thành phố", "", "lãnh đạo", ""],
    ["SO-XD-CV1", "Phạm Minh Đức", "Chuyên viên", "SO-XD", "chuyên viên", ""],
]


def base_files(tmp_path: Path) -> list[Path]:
    return [write_csv(tmp_path / "units.csv", UNITS), write_csv(tmp_path / "officials.csv", PEOPLE)]


async def people_of(ctx: AppContext, code: str) -> tuple[str | None, str | None]:
    async with ctx.db.session() as session:
        task = await session.scalar(
            select(Task)
            .where(Task.code == code)
            .options(selectinload(Task.leader_in_charge), selectinload(Task.handler))
        )
        assert task is not None
        leader = task.leader_in_charge.code if task.leader_in_charge else None
        handler = task.handler.code if task.handler else None
        return leader, handler


async def test_vietnamese_columns_name_the_leader_in_charge_and_the_handler(
    ctx: AppContext, tmp_path: Path
) -> None:
    tasks = [
        ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Lãnh đạo phụ trách", "Cán bộ thụ lý"],
        ["NQ-01", "Bảng giá đất", "SO-TC", "pct-ubnd", "SO-TC-CV1"],
        ["NQ-02", "Dự toán", "SO-XD", "", ""],
    ]
    await import_files(ctx, [*base_files(tmp_path), write_csv(tmp_path / "tasks.csv", tasks)])

    assert await people_of(ctx, "NQ-01") == ("PCT-UBND", "SO-TC-CV1")
    assert await people_of(ctx, "NQ-02") == (None, None)


async def test_english_headers_in_a_workbook_are_recognised(
    ctx: AppContext, tmp_path: Path
) -> None:
    workbook = write_xlsx(
        tmp_path / "tasks.xlsx",
        {
            "Tasks": [
                ["Task code", "Task", "Lead unit code", "Leader in charge", "Handling official"],
                ["NQ-09", "Land prices", "SO-XD", "CT-UBND", "SO-XD-CV1"],
            ]
        },
    )
    await import_files(ctx, [*base_files(tmp_path), workbook])

    assert await people_of(ctx, "NQ-09") == ("CT-UBND", "SO-XD-CV1")


async def test_a_leader_who_is_no_leader_and_a_handler_outside_the_lead_unit_are_refused(
    ctx: AppContext, tmp_path: Path
) -> None:
    await import_files(ctx, base_files(tmp_path))
    tasks = [
        ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Lãnh đạo phụ trách", "Cán bộ thụ lý"],
        ["NQ-01", "Bảng giá đất", "SO-TC", "SO-TC-TT", "SO-XD-CV1"],
        ["NQ-02", "Dự toán", "SO-TC", "KHONG-CO", "AI-DO"],
        ["NQ-03", "Đề án", "SO-TC", "PCT-UBND", "CT-UBND"],
    ]
    errors = await refused(ctx, [write_csv(tmp_path / "tasks.csv", tasks)])

    assert errors == [
        "tasks.csv:2:Lãnh đạo phụ trách: official 'SO-TC-TT' is not a leader (role head); "
        "the leader in charge must have the role leader",
        "tasks.csv:2:Cán bộ thụ lý: official 'SO-XD-CV1' belongs to SO-XD, "
        "not to the lead unit 'SO-TC'",
        "tasks.csv:3:Lãnh đạo phụ trách: unknown official 'KHONG-CO'",
        "tasks.csv:3:Cán bộ thụ lý: unknown official 'AI-DO'",
        "tasks.csv:4:Cán bộ thụ lý: official 'CT-UBND' belongs to no unit, "
        "not to the lead unit 'SO-TC'",
    ]


async def test_officials_of_the_same_import_count_with_their_new_unit(
    ctx: AppContext, tmp_path: Path
) -> None:
    await import_files(ctx, base_files(tmp_path))
    moved = [
        ["code", "full_name", "unit_code", "role"],
        ["SO-XD-CV1", "Phạm Minh Đức", "SO-TC", ""],
    ]
    tasks = [["code", "title", "lead_unit", "handler"], ["NQ-05", "Quỹ đất", "SO-TC", "SO-XD-CV1"]]
    await import_files(
        ctx,
        [write_csv(tmp_path / "moved.csv", moved), write_csv(tmp_path / "tasks.csv", tasks)],
    )

    assert await people_of(ctx, "NQ-05") == (None, "SO-XD-CV1")


async def test_reimport_keeps_the_old_people_in_charge_in_the_audit_log(
    ctx: AppContext, tmp_path: Path
) -> None:
    first = [
        ["code", "title", "lead_unit", "leader_in_charge", "handler"],
        ["NQ-01", "Bảng giá đất", "SO-TC", "CT-UBND", "SO-TC-CV1"],
    ]
    await import_files(ctx, [*base_files(tmp_path), write_csv(tmp_path / "t1.csv", first)])
    second = [
        ["code", "title", "lead_unit", "leader_in_charge", "handler"],
        ["NQ-01", "Bảng giá đất", "SO-TC", "PCT-UBND", ""],
    ]
    await import_files(ctx, [write_csv(tmp_path / "t2.csv", second)])

    assert await people_of(ctx, "NQ-01") == ("PCT-UBND", None)
    async with ctx.db.session() as session:
        change = await session.scalar(select(AuditLog).where(AuditLog.action == "import.change"))
    assert change is not None
    assert change.details["changes"] == {
        "leader_in_charge": ["CT-UBND", "PCT-UBND"],
        "handler": ["SO-TC-CV1", None],
    }


async def test_task_files_with_and_without_the_columns_import_together(
    ctx: AppContext, tmp_path: Path
) -> None:
    named = [
        ["code", "title", "lead_unit", "handler"],
        ["NQ-01", "Bảng giá đất", "SO-TC", "SO-TC-CV1"],
    ]
    plain = [["code", "title", "lead_unit"], ["NQ-02", "Dự toán", "SO-XD"]]
    await import_files(
        ctx,
        [
            *base_files(tmp_path),
            write_csv(tmp_path / "named.csv", named),
            write_csv(tmp_path / "plain.csv", plain),
        ],
    )

    assert await people_of(ctx, "NQ-01") == (None, "SO-TC-CV1")
    assert await people_of(ctx, "NQ-02") == (None, None)
