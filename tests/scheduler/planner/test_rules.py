"""The reminder rules as a recipient sees them: one message listing what is due, overdue
reaching the unit head and then escalated, an extension request pausing overdue reminders
and reaching the deciding leader."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import (
    ExtensionRequest,
    Role,
)
from bot.services.summary import build_summary
from scheduler import planner
from tests.scheduler.builders import World
from tests.scheduler.fakes import reminder_items
from tests.scheduler.planner.queued import at, only_reply, outbox_rows

D = dt.date
MONDAY = D(2025, 12, 15)  # the deadline of the 45 resolutions


async def test_twelve_tasks_due_the_same_day_make_one_message(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        culture = await world.unit("SO-VH", "Sở Văn hóa, Thể thao và Du lịch")
        await world.official("VH-CV", culture, chat_id="701")
        for number in range(1, 13):
            await world.task(f"NQ-{number:02d}", culture, MONDAY, title=f"Nghị quyết số {number}")
    clock.set(at(MONDAY, 8, 0))

    result = await planner.run_tick(ctx)

    assert result.planned and result.queued == 1
    reply = await only_reply(ctx, "701")
    assert reply.text.startswith(
        "NHẮC VIỆC ngày 15/12/2025: Sở Văn hóa, Thể thao và Du lịch\n\nĐẾN HẠN HÔM NAY (12):"
    )
    assert reminder_items(reply.text) == {("due_today", f"NQ-{n:02d}") for n in range(1, 13)}
    assert "1. NQ-01 Nghị quyết số 1\n   hạn 15/12/2025, đến hạn hôm nay, tiến độ 0%" in reply.text
    buttons = [button for row in reply.buttons for button in row]
    assert [button.data for button in buttons] == [f"rp:NQ-{n:02d}" for n in range(1, 13)]
    assert buttons[0].label == "Báo cáo NQ-01"


async def test_overdue_reaches_the_head_after_two_working_days_and_is_escalated_after_five(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="802")
        await world.group(finance, "-100800")
        await world.task("NV-01", finance, D(2025, 12, 5), title="Quyết toán ngân sách")
    seen = {}
    for day in (D(2025, 12, 8), D(2025, 12, 9), D(2025, 12, 12)):
        clock.set(at(day, 8, 0))
        await planner.run_tick(ctx)
        seen[day] = {row.chat_id: row for row in await outbox_rows(ctx) if row.window_day == day}

    assert set(seen[D(2025, 12, 8)]) == {"-100800"}  # 1 working day late: the unit's group
    assert set(seen[D(2025, 12, 9)]) == {"-100800", "802"}  # 2: the head personally too
    friday = seen[D(2025, 12, 12)]
    text = Reply.from_dict(friday["802"].payload["replies"][0]).text
    assert "quá hạn 7 ngày" in text
    assert "đã báo cáo lãnh đạo UBND (quá hạn 5 ngày làm việc)" in text
    assert friday["-100800"].priority < friday["802"].priority  # groups first
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
    assert [line.code for line in summary.escalated] == ["NV-01"]


async def test_pending_extension_pauses_overdue_and_reminds_the_assigning_leader(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        staff = await world.official("TC-CV", finance, chat_id="901")
        chair = await world.official("LD-CT", None, Role.LEADER, chat_id="950")
        await world.official("LD-PCT", None, Role.LEADER, chat_id="951")
        task = await world.task("NV-02", finance, D(2025, 12, 5), title="Đề án đô thị âm nhạc")
        task.assigned_by_id = chair.id
        session.add(
            ExtensionRequest(
                task_id=task.id,
                requested_by_id=staff.id,
                old_deadline=task.deadline,
                new_deadline=D(2025, 12, 31),
                reason="Chờ ý kiến thẩm định",
                requested_at=at(D(2025, 12, 8), 15),
            )
        )
    planned: dict[D, set[str]] = {}
    for day in (D(2025, 12, 9), D(2025, 12, 10)):
        clock.set(at(day, 8, 5))
        await planner.run_tick(ctx)
        planned[day] = {row.chat_id for row in await outbox_rows(ctx) if row.window_day == day}

    assert planned[D(2025, 12, 9)] == set()  # paused, and only 1 working day since the request
    assert planned[D(2025, 12, 10)] == {"950"}  # the assigning leader, not every leader
    text = (await only_reply(ctx, "950")).text
    assert "ĐỀ NGHỊ GIA HẠN CHỜ QUYẾT ĐỊNH (1):" in text
    assert "Sở Tài chính đề nghị gia hạn đến 31/12/2025 (hạn hiện tại 05/12/2025)" in text
    assert (await only_reply(ctx, "950")).buttons == []
