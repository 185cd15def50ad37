"""Adding, editing and listing officials (bot/services/officials.py) on SQLite and PostgreSQL,
and the import steps the web upload shares with ``dondoc import``."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.importing import ImportFailed, Issue, Kind, apply_import, read_import
from bot.models import AuditLog, Official, Role, Task, Unit
from bot.services import officials
from bot.services.directory import manages_officials, may_import, may_manage_official
from bot.services.errors import DomainError
from bot.services.officials import (
    UNIT_ROLES,
    OfficialDraft,
    OfficialInvalid,
    create_official,
    list_officials,
    update_official,
)
from tests.bot.builders import add_official, add_unit, rival_writes_first

ROOT = Path(__file__).resolve().parents[2]


async def city(ctx: AppContext) -> dict[str, Official]:
    async with ctx.db.session() as session:
        tc = await add_unit(session, ctx, "STC", "Sở Tài chính")
        xd = await add_unit(session, ctx, "SXD", "Sở Xây dựng")
        return {
            "admin": await add_official(session, ctx, "VP-QT", None, Role.ADMIN, "Đỗ Lan Anh"),
            "leader": await add_official(session, ctx, "CT", None, Role.LEADER, "Lê Châu"),
            "head": await add_official(session, ctx, "TT-STC", tc, Role.HEAD, "Trần Văn Nam"),
            "staff": await add_official(session, ctx, "CV-STC", tc, Role.STAFF, "Nguyễn Hoa"),
            "other": await add_official(session, ctx, "CV-SXD", xd, Role.STAFF, "Lê Tuấn"),
        }


def draft(**changes: object) -> OfficialDraft:
    values: dict[str, object] = {
        "code": "cv-stc-02",
        "full_name": "Vũ Thị Mai",
        "title": "Chuyên viên",
        "unit_code": "stc",
        "role": Role.STAFF,
        "phone": "0912.345.678",
        "language": "vi",
    }
    values.update(changes)
    return OfficialDraft(**values)  # type: ignore[arg-type]


async def test_who_manages_whom(ctx: AppContext) -> None:
    people = await city(ctx)
    admin, leader, head, staff, other = (people[k] for k in people)
    assert [manages_officials(p) for p in people.values()] == [True, False, True, False, False]
    assert [may_import(p) for p in people.values()] == [True, False, False, False, False]
    assert may_manage_official(admin, other) and may_manage_official(admin, leader)
    assert may_manage_official(head, staff) and may_manage_official(head, head)
    assert not may_manage_official(head, other) and not may_manage_official(head, admin)
    assert not may_manage_official(staff, staff) and not may_manage_official(leader, staff)


async def test_create_stores_a_canonical_phone_and_audits_the_values(ctx: AppContext) -> None:
    people = await city(ctx)
    async with ctx.db.session() as session:
        official = await create_official(session, ctx, draft(), actor=people["admin"])
        assert (official.code, official.phone, official.active) == (
            "CV-STC-02",
            "+84912345678",
            True,
        )
    async with ctx.db.session() as session:
        entry = await session.scalar(select(AuditLog).where(AuditLog.action == "official.create"))
        assert entry is not None and entry.actor_id == people["admin"].id
        assert entry.details["values"] == {
            "full_name": "Vũ Thị Mai",
            "title": "Chuyên viên",
            "role": "staff",
            "phone": "+84912345678",
            "language": "vi",
            "unit": "STC",
        }


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"code": " "}, "code", "official_code_missing"),
        ({"code": "CV-STC"}, "code", "official_code_taken"),
        ({"code": "A" * 65}, "code", "official_code_invalid"),
        ({"full_name": ""}, "full_name", "official_name_missing"),
        ({"title": "x" * 256}, "title", "official_text_too_long"),
        ({"phone": "+1 202 555 0100"}, "phone", "official_phone_invalid"),
        ({"unit_code": None}, "unit", "official_needs_unit"),
        ({"unit_code": "NOPE"}, "unit", "unit_not_found"),
        ({"role": Role.HEAD}, "role", "unit_has_head"),
        ({"language": "fr"}, "language", "official_language_unknown"),
    ],
)
async def test_a_bad_draft_names_its_field(
    ctx: AppContext, changes: dict[str, object], field: str, code: str
) -> None:
    people = await city(ctx)
    async with ctx.db.session() as session:
        with pytest.raises(OfficialInvalid) as caught:
            await create_official(session, ctx, draft(**changes), actor=people["admin"])
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message("vi")  # a catalog text, not the key
    assert not caught.value.message("vi").startswith("error.")


async def test_a_code_taken_meanwhile_is_the_form_error_and_the_session_lives_on(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = await city(ctx)

    async def rival() -> None:
        async with ctx.db.session() as session:
            unit = await session.scalar(select(Unit).where(Unit.code == "SXD"))
            await add_official(session, ctx, "CV-STC-02", unit, Role.STAFF, "Người khác")

    rival_writes_first(monkeypatch, officials, rival)
    async with ctx.db.session() as session:
        with pytest.raises(OfficialInvalid) as caught:
            await create_official(session, ctx, draft(), actor=people["admin"])
        assert (caught.value.field, caught.value.code) == ("code", "official_code_taken")
        # only the insert was undone: the transaction goes on and commits
        await create_official(session, ctx, draft(code="cv-stc-03"), actor=people["admin"])
    async with ctx.db.session() as session:
        rows = await session.execute(
            select(Official.code, Official.full_name).where(Official.code.like("CV-STC-0%"))
        )
        assert sorted(rows) == [("CV-STC-02", "Người khác"), ("CV-STC-03", "Vũ Thị Mai")]
        created = await session.scalars(
            select(AuditLog).where(AuditLog.action == "official.create")
        )
        assert [entry.details["code"] for entry in created] == ["CV-STC-03"]


async def test_a_leader_or_admin_needs_no_unit(ctx: AppContext) -> None:
    people = await city(ctx)
    async with ctx.db.session() as session:
        leader = await create_official(
            session, ctx, draft(code="PCT", unit_code=None, role=Role.LEADER), actor=people["admin"]
        )
        assert leader.unit_id is None and leader.role is Role.LEADER


async def test_a_head_keeps_to_the_staff_of_their_unit(ctx: AppContext) -> None:
    people = await city(ctx)
    head = people["head"]
    async with ctx.db.session() as session:
        await create_official(session, ctx, draft(), actor=head)
        for changes in ({"unit_code": "SXD", "code": "X1"}, {"role": Role.ADMIN, "code": "X2"}):
            with pytest.raises(OfficialInvalid) as caught:
                await create_official(session, ctx, draft(**changes), actor=head)
            assert caught.value.code == "official_not_yours"
        with pytest.raises(DomainError) as refused:
            await update_official(session, ctx, "CV-SXD", draft(unit_code="SXD"), actor=head)
        assert refused.value.code == "official_not_yours"
        changes = await update_official(
            session, ctx, "TT-STC", draft(full_name="Trần Văn Nam", role=Role.HEAD), actor=head
        )
        assert set(changes) == {"title", "phone"}


async def test_update_returns_and_audits_old_and_new_and_keeps_unit_heads(
    ctx: AppContext,
) -> None:
    people = await city(ctx)
    admin = people["admin"]
    async with ctx.db.session() as session:
        nam = draft(full_name="Trần Văn Nam", title="", phone=None, role=Role.HEAD)
        assert await update_official(session, ctx, "TT-STC", nam, actor=admin) == {}
        stc = await session.scalar(select(Unit).where(Unit.code == "STC"))
        assert stc is not None and stc.head_id == people["head"].id  # named head of STC
        moved = draft(
            full_name="Trần Văn Nam", title="", unit_code="SXD", role=Role.HEAD, phone=None
        )
        changes = await update_official(session, ctx, "TT-STC", moved, actor=admin)
        assert changes == {"unit": ["STC", "SXD"]}
        await session.refresh(stc)
        sxd = await session.scalar(select(Unit).where(Unit.code == "SXD"))
        assert stc.head_id is None and sxd is not None and sxd.head_id == people["head"].id
        assert await update_official(session, ctx, "TT-STC", moved, actor=admin) == {}
        hoa = draft(full_name="Nguyễn Hoa", title="", role=Role.HEAD, phone=None)
        changes = await update_official(session, ctx, "CV-STC", hoa, actor=admin)
        assert changes == {"role": ["staff", "head"]}
        await session.refresh(stc)
        assert stc.head_id == people["staff"].id
    async with ctx.db.session() as session:
        entries = list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == "official.update").order_by(AuditLog.id)
            )
        )
    assert [entry.details["code"] for entry in entries] == ["TT-STC", "CV-STC"]
    assert entries[0].details["changes"] == {"unit": ["STC", "SXD"]}
    assert all(entry.actor_id == admin.id for entry in entries)


async def test_nobody_changes_their_own_role(ctx: AppContext) -> None:
    people = await city(ctx)
    admin = people["admin"]
    async with ctx.db.session() as session:
        mine = draft(full_name=admin.full_name, role=Role.STAFF)
        with pytest.raises(OfficialInvalid) as caught:
            await update_official(session, ctx, "VP-QT", mine, actor=admin)
        assert (caught.value.field, caught.value.code) == ("role", "official_own_role")
        kept = draft(full_name=admin.full_name, unit_code=None, role=Role.ADMIN, title="")
        assert await update_official(session, ctx, "VP-QT", kept, actor=admin) == {
            "phone": [None, "+84912345678"]
        }


async def test_the_list_searches_without_diacritics_and_pages(ctx: AppContext) -> None:
    await city(ctx)
    async with ctx.db.session() as session:
        found = await list_officials(session, search="tran van")
        assert [row.official.code for row in found.rows] == ["TT-STC"]
        by_code = await list_officials(session, search="cv-")
        assert {row.official.code for row in by_code.rows} == {"CV-STC", "CV-SXD"}
        stc = await session.scalar(select(Unit).where(Unit.code == "STC"))
        assert stc is not None
        of_unit = await list_officials(session, unit_id=stc.id)
        assert {row.official.code for row in of_unit.rows} == {"TT-STC", "CV-STC"}
        paged = await list_officials(session, page=9, per_page=2)
        assert (paged.total, paged.pages, paged.page, len(paged.rows)) == (5, 3, 3, 1)
        assert not any(row.linked for row in paged.rows)


def write_tasks(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"], *rows]
        )
    return path


async def test_the_shared_import_steps_check_then_write_with_an_actor(
    ctx: AppContext, tmp_path: Path
) -> None:
    people = await city(ctx)
    bad = read_import(
        ctx.settings, [write_tasks(tmp_path / "bad.csv", [["NV-1", "A", "KHONG", ""]])]
    )
    async with ctx.db.session() as session:
        with pytest.raises(ImportFailed) as failed:
            await apply_import(session, ctx, bad, actor=people["admin"], via="web")
    [issue] = failed.value.errors
    assert (issue.file, issue.sheet, issue.row, issue.column) == (
        "bad.csv",
        None,
        2,
        "Đơn vị chủ trì",
    )
    good = read_import(
        ctx.settings, [write_tasks(tmp_path / "good.csv", [["NV-1", "A", "STC", ""]])]
    )
    async with ctx.db.session() as session:
        checked = await apply_import(session, ctx, good, dry_run=True)
        assert checked.created[Kind.TASKS] == 1
        assert await session.scalar(select(Task.id)) is None
        done = await apply_import(session, ctx, good, actor=people["admin"], via="web")
        assert done.created[Kind.TASKS] == 1
    async with ctx.db.session() as session:
        entry = await session.scalar(select(AuditLog).where(AuditLog.action == "import.tasks"))
        assert entry is not None and entry.actor_id == people["admin"].id
        assert entry.actor == "web" and entry.details["files"] == ["good.csv"]


def test_an_issue_names_file_and_sheet() -> None:
    issue = Issue.of("book[2].xlsx[Nhiệm vụ]", 3, "Thời hạn", "no_such_date", value="'31/02'")
    assert (issue.file, issue.sheet) == ("book[2].xlsx", "Nhiệm vụ")
    assert issue.message("vi") == "ngày '31/02' không có thật"
    assert str(issue) == "book[2].xlsx[Nhiệm vụ]:3:Thời hạn: '31/02' is not a date that exists"
    csv_issue = Issue.of("tasks.csv", 1, None, "column_missing")
    assert (csv_issue.file, csv_issue.sheet) == ("tasks.csv", None)
    assert csv_issue.line("vi") == "tasks.csv:1:-: thiếu cột bắt buộc"


def keys_asked_for_in_the_importer() -> set[str]:
    """Message keys the importer names literally: ``Issue.of(source, row, column, "key")``,
    ``CellError("key")``, ``record.issue(field, "key")`` and ``_choice(table, "key", …)``."""
    positions = {"of": 3, "CellError": 0, "issue": 1, "_choice": 1}
    found: set[str] = set()
    for name in ("readers.py", "validation.py"):
        tree = ast.parse((ROOT / "bot" / "importing" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            index = positions.get(called)
            if index is not None and len(node.args) > index:
                key = node.args[index]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.add(key.value)
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_importer_message_is_in_the_catalogs(lang: str) -> None:
    keys = keys_asked_for_in_the_importer() | {f"{role.value}_needs_unit" for role in UNIT_ROLES}
    assert len(keys) > 30
    for key in keys:
        assert Issue.of("f.csv", 1, None, key).message(lang) != key
