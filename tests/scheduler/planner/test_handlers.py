"""Reminders of a task with a cán bộ thụ lý go to that official alone (escalation still
reaches the unit head); without one, or when the handler cannot be reached, the unit hears
them as before, so a reminder is never lost."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import Channel, Role
from scheduler import planner
from tests.scheduler.builders import World
from tests.scheduler.planner.queued import at, outbox_rows

D = dt.date
MONDAY = D(2025, 12, 8)


async def queued_texts(ctx: AppContext) -> dict[str, str]:
    """chat id → the queued reminder's text, checked against the dry run's messages."""
    async with ctx.db.session() as session:
        planned = await planner.plan_day(session, ctx, MONDAY)
    await planner.run_tick(ctx)
    rows = await outbox_rows(ctx)
    assert {row.chat_id for row in rows} == {m.recipient.chat_id for m in planned}
    return {row.chat_id: row.payload["replies"][0]["text"] for row in rows}


async def test_a_task_with_a_handler_reminds_only_the_handler_and_escalates_to_the_head(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        lan = await world.official(
            "TC-LAN", finance, channels=[Channel.TELEGRAM, Channel.ZALO], chat_id="401"
        )
        await world.official("TC-HOA", finance, chat_id="402")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="403")
        vice = await world.official("PCT", None, Role.LEADER, name="Trần Văn Bình", channels=[])
        vice.title = "Phó Chủ tịch UBND thành phố"
        await world.task("TC-01", finance, D(2025, 12, 11), handler=lan)  # 3 days left
        await world.task("TC-02", finance, D(2025, 12, 3), handler=lan, leader=vice)  # late
    clock.set(at(MONDAY, 8))

    texts = await queued_texts(ctx)

    assert set(texts) == {"401", "403"}  # Lan on both her chats (one id), and the head
    assert len([row for row in await outbox_rows(ctx) if row.chat_id == "401"]) == 2
    assert "TC-01" in texts["401"] and "TC-02" in texts["401"]
    assert "TC-02" in texts["403"] and "TC-01" not in texts["403"]
    assert (
        "thụ lý: TC-LAN, lãnh đạo phụ trách: Trần Văn Bình, Phó Chủ tịch UBND thành phố"
        in texts["403"]
    )


async def test_the_unit_still_hears_its_tasks_without_a_handler_next_to_the_handlers_own(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        await world.group(finance, "-100400")
        lan = await world.official("TC-LAN", finance, channels=[Channel.ZALO], chat_id="z-401")
        await world.official("TC-HOA", finance, channels=[Channel.ZALO], chat_id="z-402")
        await world.task("TC-01", finance, D(2025, 12, 11), handler=lan)
        await world.task("TC-03", finance, D(2025, 12, 11))
    clock.set(at(MONDAY, 8))

    texts = await queued_texts(ctx)

    assert set(texts) == {"-100400", "z-401", "z-402"}
    assert "TC-03" in texts["-100400"] and "TC-01" not in texts["-100400"]
    assert "TC-03" in texts["z-402"] and "TC-01" not in texts["z-402"]
    assert "TC-01" in texts["z-401"] and "TC-03" in texts["z-401"]  # hers and the unit's


async def test_an_inactive_unlinked_or_moved_handler_leaves_the_reminder_to_the_unit(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        other = await world.unit("SO-XD", "Sở Xây dựng")
        await world.official("TC-HOA", finance, chat_id="402")
        retired = await world.official("TC-NGHI", finance, chat_id="404")
        retired.active = False
        unlinked = await world.official("TC-MOI", finance, channels=[])
        moved = await world.official("XD-CHUYEN", other, chat_id="405")
        await world.task("TC-01", finance, D(2025, 12, 11), handler=retired)
        await world.task("TC-02", finance, D(2025, 12, 11), handler=unlinked)
        await world.task("TC-03", finance, D(2025, 12, 11), handler=moved)
    clock.set(at(MONDAY, 8))

    texts = await queued_texts(ctx)

    assert set(texts) == {"402"}
    assert all(code in texts["402"] for code in ("TC-01", "TC-02", "TC-03"))
