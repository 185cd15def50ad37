"""Who hears a reminder: a unit's group instead of its members on that channel, members on
other channels individually in their language, and never an inactive official or a
deactivated chat."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import (
    Channel,
    ChannelIdentity,
    ExtensionRequest,
    Role,
)
from scheduler import planner
from tests.scheduler.builders import World
from tests.scheduler.planner.queued import at, outbox_rows

D = dt.date


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

    rows = {row.chat_id: row for row in await outbox_rows(ctx)}
    assert set(rows) == {"-100100", "zalo-222", "zalo-333"}
    assert rows["-100100"].is_group and rows["-100100"].channel == "telegram"
    zalo = Reply.from_dict(rows["zalo-222"].payload["replies"][0])
    assert zalo.buttons == []
    assert "gửi baocao <mã> <tiến độ> <ghi chú>, ví dụ: baocao YT-01 50" in zalo.text
    english = Reply.from_dict(rows["zalo-333"].payload["replies"][0]).text
    assert english.startswith("TASK REMINDER, 08/12/2025: Sở Y tế\n\nDUE SOON (1):")
    assert "3 working days left" in english


async def test_inactive_officials_and_deactivated_chats_never_get_reminders(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        unit = await world.unit("SO-KH", "Sở Kế hoạch và Đầu tư")
        await world.official("KH-CV", unit, chat_id="301")
        retired = await world.official("KH-NGHI", unit, chat_id="302")
        retired.active = False
        moved = await world.official(
            "KH-DOI", unit, channels=[Channel.TELEGRAM, Channel.ZALO], chat_id="303"
        )
        head = await world.official("KH-TP", unit, Role.HEAD, chat_id="305")
        head.active = False
        await world.official("LD-CT", None, Role.LEADER, chat_id="950")
        former = await world.official("LD-CU", None, Role.LEADER, chat_id="951")
        former.active = False
        blocked = await world.official("LD-PCT", None, Role.LEADER, chat_id="952")
        for identity in await session.scalars(
            select(ChannelIdentity).where(
                ChannelIdentity.official_id.in_((moved.id, blocked.id)),
                ChannelIdentity.channel == Channel.TELEGRAM,
            )
        ):
            identity.active = False  # e.g. the person blocked the bot
        await world.task("KH-01", unit, D(2025, 12, 3))  # 3 working days late: the head too
        waiting = await world.task("KH-02", unit, D(2025, 12, 5))
        session.add(
            ExtensionRequest(
                task_id=waiting.id,
                requested_by_id=moved.id,
                old_deadline=waiting.deadline,
                new_deadline=D(2025, 12, 31),
                reason="Chờ số liệu",
                requested_at=at(D(2025, 12, 3), 15),
            )
        )
    clock.set(at(D(2025, 12, 8), 8, 0))
    async with ctx.db.session() as session:
        planned = await planner.plan_day(session, ctx, D(2025, 12, 8))

    await planner.run_tick(ctx)

    queued = {row.chat_id for row in await outbox_rows(ctx)}
    assert queued == {m.recipient.chat_id for m in planned}
    # the active staff member, the other one on the chat still active, the reachable leader
    assert queued == {"301", "303", "950"}
    assert {row.channel for row in await outbox_rows(ctx) if row.chat_id == "303"} == {"zalo"}
