"""The planner tick: late windows after downtime, windows missed entirely, days off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import (
    OutboxMessage,
    OutboxStatus,
)
from scheduler import planner
from scheduler.dispatcher import OutboxDispatcher
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender, virtual_limiter
from tests.scheduler.planner.queued import at, outbox_rows

D = dt.date


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
    [row] = await outbox_rows(ctx)
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
    statuses = {row.window_day: row.status for row in await outbox_rows(ctx)}
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
