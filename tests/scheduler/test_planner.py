"""The planner's rules: one message per recipient, escalation, extension pause, routing,
downtime catch-up, and never planning a window twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import (
    Channel,
    ExtensionRequest,
    OutboxMessage,
    OutboxPayload,
    OutboxStatus,
    Role,
)
from bot.services.summary import build_summary
from scheduler import planner
from scheduler.dispatcher import OutboxDispatcher
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender, reminder_items, virtual_limiter

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
MONDAY = D(2025, 12, 15)  # the deadline of the 45 resolutions


def at(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HCM)


async def _outbox(ctx: AppContext) -> list[OutboxMessage]:
    """The outbox rows, each with its payload (shared payloads resolved, not saved)."""
    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            if row.shared_payload_id is not None:
                shared = await session.get_one(OutboxPayload, row.shared_payload_id)
                session.expunge(row)
                row.payload = shared.payload
    return rows


async def _reply(ctx: AppContext, chat_id: str) -> Reply:
    rows = [row for row in await _outbox(ctx) if row.chat_id == chat_id]
    assert len(rows) == 1, rows
    return Reply.from_dict(rows[0].payload["replies"][0])


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
    reply = await _reply(ctx, "701")
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
        seen[day] = {row.chat_id: row for row in await _outbox(ctx) if row.window_day == day}

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
        planned[day] = {row.chat_id for row in await _outbox(ctx) if row.window_day == day}

    assert planned[D(2025, 12, 9)] == set()  # paused, and only 1 working day since the request
    assert planned[D(2025, 12, 10)] == {"950"}  # the assigning leader, not every leader
    text = (await _reply(ctx, "950")).text
    assert "ĐỀ NGHỊ GIA HẠN CHỜ QUYẾT ĐỊNH (1):" in text
    assert "Sở Tài chính đề nghị gia hạn đến 31/12/2025 (hạn hiện tại 05/12/2025)" in text
    assert (await _reply(ctx, "950")).buttons == []


async def test_group_members_on_other_channels_get_the_message_individually(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        health = await world.unit("SO-YT", "Sở Y tế")
        await world.group(health, "-100100")
        await world.official("YT-TG", health, chat_id="111")
        await world.official("YT-ZL", health, channels=[Channel.ZALO], chat_id="zalo-222")
        await world.official(
            "YT-EN", health, channels=[Channel.ZALO], chat_id="zalo-333", language="en"
        )
        await world.task("YT-01", health, D(2025, 12, 11), title="Kế hoạch y tế 2026")
    clock.set(at(D(2025, 12, 8), 8, 0))

    await planner.run_tick(ctx)

    rows = {row.chat_id: row for row in await _outbox(ctx)}
    assert set(rows) == {"-100100", "zalo-222", "zalo-333"}
    assert rows["-100100"].is_group and rows["-100100"].channel == "telegram"
    zalo = Reply.from_dict(rows["zalo-222"].payload["replies"][0])
    assert zalo.buttons == []
    assert "gửi baocao <mã> <tiến độ> <ghi chú>, ví dụ: baocao YT-01 50" in zalo.text
    english = Reply.from_dict(rows["zalo-333"].payload["replies"][0]).text
    assert english.startswith("TASK REMINDER, 08/12/2025: Sở Y tế\n\nDUE SOON (1):")
    assert "3 working days left" in english


async def test_restart_in_the_window_plans_nothing_twice(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-XD", "Sở Xây dựng")
        await world.official("XD-CV", unit, chat_id="121")
        await world.task("XD-01", unit, D(2025, 12, 8))
    clock.set(at(D(2025, 12, 8), 8, 0))
    first = await planner.run_tick(ctx)

    clock.set(at(D(2025, 12, 8), 8, 3))
    async with ctx.db.session() as session:  # a new task arrives after planning
        await World(session, ctx).task("XD-02", await session.merge(unit), D(2025, 12, 8))
    again = await planner.run_tick(ctx)
    async with ctx.db.session() as session:
        messages = await planner.plan_day(session, ctx, D(2025, 12, 8))
        inserted = await planner.queue_messages(session, ctx, messages, D(2025, 12, 8))

    assert first.queued == 1 and not again.planned and inserted == 0
    assert len(await _outbox(ctx)) == 1


async def test_downtime_through_the_window_sends_late_once(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-GD", "Sở Giáo dục và Đào tạo")
        await world.official("GD-CV", unit, chat_id="131")
        await world.task("GD-01", unit, D(2025, 12, 9))
    sender = RecordingSender()
    dispatcher = OutboxDispatcher(ctx, {"telegram": sender}, limiter=virtual_limiter())

    clock.set(at(D(2025, 12, 8), 10, 40))  # the bot comes back at 10:40
    result = await planner.run_tick(ctx)
    await dispatcher.drain()
    clock.set(at(D(2025, 12, 8), 10, 41))  # and restarts once more
    await planner.run_tick(ctx)
    await dispatcher.drain()

    assert result.late and result.queued == 1
    [row] = await _outbox(ctx)
    assert row.late and row.status is OutboxStatus.SENT
    assert len(sender.sent) == 1
    assert "(Gửi muộn: hệ thống tạm ngừng lúc 08:00.)" in sender.sent[0].reply.text


async def test_windows_missed_entirely_are_recorded_as_skipped(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-NV", "Sở Nội vụ")
        await world.official("NV-CV", unit, chat_id="141")
        await world.task("NV-09", unit, D(2025, 12, 5))  # overdue: reminded every working day
    sender = RecordingSender()
    dispatcher = OutboxDispatcher(ctx, {"telegram": sender}, limiter=virtual_limiter())
    clock.set(at(D(2025, 12, 8), 8, 0))
    await planner.run_tick(ctx)
    await dispatcher.drain()

    clock.set(at(D(2025, 12, 9), 19, 0))  # down from Monday evening to Tuesday 19:00
    tuesday = await planner.run_tick(ctx)
    clock.set(at(D(2025, 12, 11), 8, 0))  # and again all Wednesday
    thursday = await planner.run_tick(ctx)
    await dispatcher.drain()

    assert tuesday.skipped_days == [D(2025, 12, 9)] and tuesday.queued == 0
    assert thursday.skipped_days == [D(2025, 12, 10)] and thursday.queued == 1
    statuses = {row.window_day: row.status for row in await _outbox(ctx)}
    assert statuses == {
        D(2025, 12, 8): OutboxStatus.SENT,
        D(2025, 12, 9): OutboxStatus.SKIPPED,
        D(2025, 12, 10): OutboxStatus.SKIPPED,
        D(2025, 12, 11): OutboxStatus.SENT,
    }
    assert len(sender.sent) == 2


async def test_no_reminders_on_weekends_and_holidays(ctx: AppContext, clock: FrozenClock) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-TC", "Sở Tài chính")
        await world.official("TC-CV", unit, chat_id="151")
        await world.task("TC-09", unit, D(2025, 12, 1))
    for moment in (at(D(2025, 12, 13), 9), at(D(2026, 1, 1), 9), at(D(2026, 2, 17), 9)):
        clock.set(moment)
        result = await planner.run_tick(ctx)
        assert not result.planned
    async with ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_the_dry_run_shows_exactly_what_is_queued(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        grouped = await world.unit("SO-A", "Sở A")
        await world.group(grouped, "-100900")
        await world.official("A-CV", grouped, chat_id="901")
        await world.official("A-ZL", grouped, channels=[Channel.ZALO], chat_id="zalo-902")
        await world.official("A-TP", grouped, Role.HEAD, chat_id="903")
        plain = await world.unit("SO-B", "Sở B")
        await world.official("B-EN", plain, chat_id="911", language="en")
        chooser = await world.official(
            "B-KENH", plain, channels=[Channel.TELEGRAM, Channel.ZALO], chat_id="912"
        )
        chooser.notify_channels = "zalo"
        await world.official("B-TP", plain, Role.HEAD, chat_id="913")
        for unit, code in ((grouped, "A"), (plain, "B")):
            await world.task(f"{code}-01", unit, D(2025, 12, 3))  # 3 working days late
            await world.task(f"{code}-02", unit, D(2025, 12, 11))  # 3 working days left
    clock.set(at(D(2025, 12, 8), 8, 0))
    async with ctx.db.session() as session:
        planned = await planner.plan_day(session, ctx, D(2025, 12, 8))

    await planner.run_tick(ctx)

    expected = {
        (m.recipient.channel, m.recipient.chat_id): planner.render_planned(m, D(2025, 12, 8), None)[
            "replies"
        ][0]["text"]
        for m in planned
    }
    queued = {
        (row.channel, row.chat_id): row.payload["replies"][0]["text"] for row in await _outbox(ctx)
    }
    assert queued == expected
    assert set(queued) == {
        ("telegram", "-100900"),  # Sở A's group, instead of its Telegram members
        ("zalo", "zalo-902"),  # a member the group does not reach
        ("telegram", "903"),  # Sở A's head: the overdue task, personally
        ("telegram", "911"),
        ("zalo", "912"),  # chose Zalo with /kenh
        ("telegram", "913"),
    }
    assert "QUÁ HẠN (1):\n1. A-01 " in queued[("telegram", "903")]
    assert "A-02" not in queued[("telegram", "903")]
    assert queued[("telegram", "911")].startswith("TASK REMINDER")
