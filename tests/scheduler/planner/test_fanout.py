"""The outbox rows: the database fan-out queues exactly the dry run's messages, one per
chat, and a window is never planned twice."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import (
    Channel,
    Role,
)
from scheduler import planner
from tests.scheduler.builders import World
from tests.scheduler.planner.queued import at, outbox_rows

D = dt.date


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
        (row.channel, row.chat_id): row.payload["replies"][0]["text"]
        for row in await outbox_rows(ctx)
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
    assert len(await outbox_rows(ctx)) == 1
