"""Task administration: who may create, edit, reassign, suspend, withdraw and reopen tasks,
what each change writes to the audit log (old → new, as an import does), and that suspended
and withdrawn tasks leave reminders, counts, scorecards and chat reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot.context import AppContext
from bot.evaluation.periods import month
from bot.evaluation.scorecard import compute_scorecards
from bot.models import AuditLog, DeadlineChange, Priority, Role, Task, TaskState, Unit
from bot.services import task_admin
from bot.services.directory import official_by_code, task_by_code
from bot.services.errors import DomainError
from bot.services.extensions import request_extension
from bot.services.reports import submit_report
from bot.services.summary import build_summary, unit_figures
from bot.services.task_admin import (
    TaskFields,
    create_task,
    edit_task,
    load_task,
    parse_deadline,
    set_state,
    stopped_counts,
)
from bot.status import Status
from scheduler.planner.due import collect
from tests.bot.builders import add_official, add_task, add_unit, rival_writes_first

DEADLINE = dt.date(2025, 12, 15)


@pytest.fixture
async def world(ctx: AppContext) -> AppContext:
    async with ctx.db.session() as session:
        finance = await add_unit(session, ctx, "STC", "Sở Tài chính")
        building = await add_unit(session, ctx, "SXD", "Sở Xây dựng")
        await add_unit(session, ctx, "SYT", "Sở Y tế")
        await add_official(session, ctx, "VP-01", None, Role.ADMIN)
        await add_official(session, ctx, "LD-01", None, Role.LEADER, "Lê Ngọc Châu")
        await add_official(session, ctx, "GD-STC", finance, Role.HEAD)
        await add_official(session, ctx, "CV-STC", finance, name="Nguyễn Thị Hoa")
        await add_official(session, ctx, "CV-SXD", building)
        await add_task(session, ctx, "NV-01", finance, deadline=DEADLINE)
        await add_task(session, ctx, "NV-02", finance, deadline=dt.date(2025, 12, 1))
        await add_task(session, ctx, "NV-03", building, deadline=dt.date(2025, 12, 1))
    return ctx


def fields(**changes: Any) -> TaskFields:
    values: dict[str, Any] = {
        "code": " nq45-07 ",
        "title": "  Kế hoạch\x00 đầu tư công  ",
        "lead_unit": "stc",
        "deadline": dt.date(2025, 12, 31),
        "coordinating_units": ["SXD"],
        "leader_in_charge": "LD-01",
        "handler": "CV-STC",
        "priority": Priority.HIGH,
        "source_document": "45/NQ-HĐND",
        "expected_output": "Tờ trình",
    }
    values.update(changes)
    return TaskFields(**values)


async def create(ctx: AppContext, who: str = "VP-01", **changes: Any) -> Task:
    async with ctx.db.session() as session:
        return await create_task(
            session,
            ctx,
            actor=await official_by_code(session, who),
            fields=fields(**changes),
            via="web",
        )


async def edit(
    ctx: AppContext, code: str, who: str = "VP-01", reason: str = "", **changes: Any
) -> dict[str, list[Any]]:
    async with ctx.db.session() as session:
        task = await load_task(session, code)
        current = TaskFields.of(task)
        for name, value in changes.items():
            setattr(current, name, value)
        return await edit_task(
            session,
            ctx,
            actor=await official_by_code(session, who),
            task=task,
            fields=current,
            reason=reason,
            via="web",
        )


async def change_state(
    ctx: AppContext, code: str, state: TaskState, reason: str = "Chờ chủ trương", who: str = "VP-01"
) -> None:
    async with ctx.db.session() as session:
        await set_state(
            session,
            ctx,
            actor=await official_by_code(session, who),
            task=await load_task(session, code),
            state=state,
            reason=reason,
            via="web",
        )


async def audits(ctx: AppContext, action: str) -> list[AuditLog]:
    async with ctx.db.session() as session:
        return list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        )


async def refused(coro: Any) -> str:
    with pytest.raises(DomainError) as caught:
        await coro
    return caught.value.code


# --- create ---------------------------------------------------------------------------------


async def test_the_office_creates_a_task_normalized_and_audited(world: AppContext) -> None:
    created = await create(world)
    async with world.db.session() as session:
        task = await load_task(session, "NQ45-07")
        assert task.id == created.id
        assert task.title == "Kế hoạch đầu tư công"
        assert task.lead_unit.code == "STC"
        assert [unit.code for unit in task.coordinating_units] == ["SXD"]
        assert task.leader_in_charge is not None and task.leader_in_charge.code == "LD-01"
        assert task.handler is not None and task.handler.code == "CV-STC"
        assert task.deadline == task.original_deadline == dt.date(2025, 12, 31)
        assert task.priority is Priority.HIGH and task.state is TaskState.ACTIVE
    [row] = await audits(world, "task.create")
    assert row.entity == "task" and row.entity_id == str(created.id) and row.actor == "web"
    changes = row.details["changes"]
    assert row.details["code"] == "NQ45-07"
    assert changes["lead_unit"] == [None, "STC"]
    assert changes["deadline"] == [None, "2025-12-31"]
    assert changes["coordinating_units"] == [None, ["SXD"]]
    assert "description" not in changes  # nothing typed, nothing recorded


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code": "  "}, "admin_code_empty"),
        ({"code": "NV 08"}, "admin_code_invalid"),
        ({"code": "nv-01"}, "admin_code_taken"),
        ({"title": " \x01 "}, "admin_title_empty"),
        ({"lead_unit": "XYZ"}, "unit_not_found"),
        ({"coordinating_units": ["STC"]}, "admin_lead_coordinates"),
        ({"leader_in_charge": "CV-SXD"}, "admin_not_a_leader"),
        ({"handler": "CV-SXD"}, "admin_handler_other_unit"),
        ({"handler": "NOBODY"}, "official_not_found"),
        ({"source_document": "x" * 256}, "admin_source_too_long"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message(
    world: AppContext, changes: dict[str, Any], error: str
) -> None:
    assert await refused(create(world, **changes)) == error
    message = DomainError(error, code="X", max=64, n=1, unit="U", name="N").message("vi")
    assert message and not message.startswith("error.")
    async with world.db.session() as session:
        assert await session.scalar(select(Task).where(Task.code == "NQ45-07")) is None


async def test_a_code_taken_meanwhile_is_refused_as_taken(
    world: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def rival() -> None:
        async with world.db.session() as session:
            unit = await session.scalar(select(Unit).where(Unit.code == "SYT"))
            await add_task(session, world, "NQ45-07", unit)

    rival_writes_first(monkeypatch, task_admin, rival)
    assert await refused(create(world)) == "admin_code_taken"
    async with world.db.session() as session:
        task = await load_task(session, "NQ45-07")
        assert task.lead_unit.code == "SYT" and task.coordinating_units == []
    assert await audits(world, "task.create") == []


async def test_a_unit_head_creates_for_their_own_unit_only(world: AppContext) -> None:
    await create(world, who="GD-STC")
    assert await refused(create(world, who="GD-STC", code="X-2", lead_unit="SXD", handler="")) == (
        "admin_own_unit_only"
    )
    assert await refused(create(world, who="CV-STC", code="X-3")) == "not_allowed"


def test_deadlines_are_read_in_both_forms() -> None:
    assert parse_deadline("2025-12-31") == parse_deadline("31/12/2025") == dt.date(2025, 12, 31)
    assert parse_deadline("  ") is None
    with pytest.raises(DomainError) as caught:
        parse_deadline("31/02/2025")
    assert caught.value.code == "admin_bad_deadline"


# --- edit and reassign -----------------------------------------------------------------------


async def test_edit_and_reassign_record_old_and_new_values(world: AppContext) -> None:
    changed = await edit(
        world,
        "NV-01",
        reason="Theo Thông báo 12/TB-UBND",
        title="Triển khai nghị quyết",
        deadline=dt.date(2025, 12, 22),
        lead_unit="SXD",
        coordinating_units=["STC", "SYT"],
        leader_in_charge="LD-01",
        handler="CV-SXD",
    )
    assert changed["lead_unit"] == ["STC", "SXD"]
    assert changed["handler"] == [None, "CV-SXD"]
    assert changed["deadline"] == ["2025-12-15", "2025-12-22"]
    [row] = await audits(world, "task.edit")
    assert row.details["changes"] == changed
    assert row.details["reason"] == "Theo Thông báo 12/TB-UBND" and row.details["source"] == "web"
    assert row.details["changes"]["coordinating_units"] == [[], ["STC", "SYT"]]
    async with world.db.session() as session:
        task = await load_task(session, "NV-01")
        assert task.lead_unit.code == "SXD" and task.title == "Triển khai nghị quyết"
        assert task.original_deadline == DEADLINE
        [history] = await session.scalars(
            select(DeadlineChange).where(DeadlineChange.task_id == task.id)
        )
        assert (history.old_deadline, history.new_deadline) == (DEADLINE, dt.date(2025, 12, 22))
        assert history.reason == "Theo Thông báo 12/TB-UBND" and history.changed_by_id is not None


async def test_an_edit_that_changes_nothing_is_not_audited(world: AppContext) -> None:
    assert await edit(world, "NV-01") == {}
    assert await audits(world, "task.edit") == []


async def test_a_unit_head_edits_but_keeps_the_unit_and_the_deadline(world: AppContext) -> None:
    assert await edit(world, "NV-01", who="GD-STC", handler="CV-STC") == {
        "handler": [None, "CV-STC"]
    }
    assert await refused(edit(world, "NV-01", who="GD-STC", lead_unit="SXD")) == (
        "admin_own_unit_only"
    )
    assert await refused(edit(world, "NV-01", who="GD-STC", deadline=dt.date(2026, 1, 5))) == (
        "admin_head_deadline"
    )
    assert await refused(edit(world, "NV-03", who="GD-STC")) == "not_allowed"
    assert await refused(edit(world, "NV-01", who="CV-STC")) == "not_allowed"


async def test_moving_the_lead_unit_needs_a_handler_of_that_unit(world: AppContext) -> None:
    await edit(world, "NV-01", handler="CV-STC")
    assert await refused(edit(world, "NV-01", lead_unit="SXD")) == "admin_handler_other_unit"


# --- suspend, withdraw, reopen ------------------------------------------------------------------


async def test_suspend_withdraw_and_reopen_need_a_reason_and_are_audited(
    world: AppContext,
) -> None:
    assert await refused(change_state(world, "NV-02", TaskState.SUSPENDED, " ")) == (
        "admin_reason_required"
    )
    assert await refused(change_state(world, "NV-02", TaskState.SUSPENDED, who="GD-STC")) == (
        "not_allowed"
    )
    await change_state(world, "NV-02", TaskState.SUSPENDED, "Chờ chủ trương của Thành ủy")
    assert await refused(change_state(world, "NV-02", TaskState.SUSPENDED)) == (
        "admin_already_suspended"
    )
    await change_state(world, "NV-02", TaskState.WITHDRAWN, "Không còn phù hợp")
    await change_state(world, "NV-02", TaskState.ACTIVE, "Thành ủy đã cho chủ trương", "LD-01")
    assert await refused(change_state(world, "NV-02", TaskState.ACTIVE)) == "admin_already_active"
    [suspend] = await audits(world, "task.suspend")
    [withdraw] = await audits(world, "task.withdraw")
    [reopen] = await audits(world, "task.reopen")
    assert suspend.details["changes"] == {"state": ["active", "suspended"]}
    assert suspend.details["reason"] == "Chờ chủ trương của Thành ủy"
    assert withdraw.details["changes"] == {"state": ["suspended", "withdrawn"]}
    assert reopen.details["changes"] == {"state": ["withdrawn", "active"]}
    async with world.db.session() as session:
        task = await task_by_code(session, "NV-02")
        assert task.state is TaskState.ACTIVE and task.state_reason == "Thành ủy đã cho chủ trương"


async def test_a_completed_task_is_reopened_not_suspended(world: AppContext) -> None:
    async with world.db.session() as session:
        task = await task_by_code(session, "NV-01")
        task.progress, task.completed_at = 100, world.now()
        task.completed_on = world.today()
    assert await refused(change_state(world, "NV-01", TaskState.WITHDRAWN)) == "admin_done_no_stop"
    await change_state(world, "NV-01", TaskState.ACTIVE, "Sản phẩm chưa đạt yêu cầu")
    [reopen] = await audits(world, "task.reopen")
    assert reopen.details["changes"] == {"completed_on": [world.today().isoformat(), None]}
    async with world.db.session() as session:
        task = await task_by_code(session, "NV-01")
        assert task.completed_at is None and task.completed_on is None


async def test_stopped_tasks_get_no_reminders_and_are_not_counted(world: AppContext) -> None:
    async with world.db.session() as session:
        before = await build_summary(session, world)
        nv02 = (await task_by_code(session, "NV-02")).id
        nv03 = (await task_by_code(session, "NV-03")).id
        due = await collect(session, world, world.today())
        reminded = {key[1] for items in due.unit_items.values() for key in items}
        assert {nv02, nv03} <= reminded
    assert before.counts[Status.OVERDUE] == 2 and before.total == 3

    await change_state(world, "NV-02", TaskState.SUSPENDED)
    await change_state(world, "NV-03", TaskState.WITHDRAWN)
    async with world.db.session() as session:
        after = await build_summary(session, world)
        assert after.counts[Status.OVERDUE] == 0 and after.total == 1
        assert [line.code for line in after.overdue] == []
        figures = await unit_figures(session, world.today())
        assert sum(unit.total for unit in figures) == 1
        due = await collect(session, world, world.today())
        maps = [*due.unit_items.values(), *due.head_items.values(), *due.leader_items.values()]
        reminded = {key[1] for items in maps for key in items}
        assert nv02 not in reminded and nv03 not in reminded
        cards = await compute_scorecards(session, world, month(world.today()))
        assert sum(card.counts[Status.OVERDUE] for card in cards.values()) == 0
        assert await stopped_counts(session) == {"suspended": 1, "withdrawn": 1}


async def test_reports_and_extensions_on_a_stopped_task_are_refused(world: AppContext) -> None:
    await change_state(world, "NV-01", TaskState.SUSPENDED, "Chờ quy hoạch")
    async with world.db.session() as session:
        official = await official_by_code(session, "CV-STC")
        task = await task_by_code(session, "NV-01")
        with pytest.raises(DomainError) as caught:
            await submit_report(
                session, world, official=official, task=task, progress=50, channel="telegram"
            )
        assert caught.value.code == "task_suspended"
        assert "đang tạm dừng" in caught.value.message("vi")
        assert "Chờ quy hoạch" in caught.value.message("vi")
        with pytest.raises(DomainError) as caught:
            await request_extension(
                session,
                world,
                official=official,
                task=task,
                new_deadline=dt.date(2026, 1, 10),
                reason="x",
                via="test",
            )
        assert caught.value.code == "task_suspended"
