"""Day by day from 05/02/2026 to 02/03/2026, around Tết (16–20/02 off) and weekends: the exact
reminders every recipient gets, through the planner, the outbox and the dispatcher."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import Role
from bot.services.directory import official_by_code, task_by_code
from bot.services.extensions import request_extension
from bot.services.reports import mark_done, submit_report
from scheduler import planner
from scheduler.dispatcher import OutboxDispatcher
from tests.scheduler.builders import World
from tests.scheduler.fakes import RecordingSender, reminder_items, virtual_limiter

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
FINANCE_STAFF, FINANCE_HEAD = "201", "202"
BUILDING_HEAD, BUILDING_GROUP = "302", "-100300"
CULTURE_STAFF, LEADER = "401", "501"
FINANCE = {FINANCE_STAFF, FINANCE_HEAD}


def _finance(*items: tuple[str, str]) -> dict[str, set[tuple[str, str]]]:
    """The same reminder for both Sở Tài chính officials (no group chat bound)."""
    return {chat: set(items) for chat in FINANCE}


# recipient chat → (group, task) pairs expected on each working day; absent days get nothing.
EXPECTED: dict[D, dict[str, set[tuple[str, str]]]] = {
    D(2026, 2, 5): {
        **_finance(("stale", "NV-D")),
        BUILDING_GROUP: {("upcoming", "NV-B")},  # due Sunday 08/02: 1 working day left
    },
    D(2026, 2, 6): {
        **_finance(("upcoming", "NV-C")),  # 7 working days before 24/02
        BUILDING_GROUP: {("due_today", "NV-B")},  # a Sunday deadline is due on Friday
    },
    D(2026, 2, 9): {BUILDING_GROUP: {("overdue", "NV-B")}},
    D(2026, 2, 10): {
        **_finance(("upcoming", "NV-A")),  # 3 working days before Tết's 18/02
        BUILDING_GROUP: {("overdue", "NV-B")},
        BUILDING_HEAD: {("overdue", "NV-B")},  # 2 working days late: the head personally
    },
    D(2026, 2, 11): {
        BUILDING_GROUP: {("overdue", "NV-B")},
        BUILDING_HEAD: {("overdue", "NV-B")},
    },
    D(2026, 2, 12): _finance(("upcoming", "NV-A"), ("upcoming", "NV-C"), ("stale", "NV-D")),
    D(2026, 2, 13): _finance(("due_today", "NV-A")),  # 18/02 is in Tết
    D(2026, 2, 23): {
        **_finance(("overdue", "NV-A"), ("upcoming", "NV-C"), ("stale", "NV-D")),
        CULTURE_STAFF: {("upcoming", "NV-C")},  # coordinating unit: the day before
    },
    D(2026, 2, 24): {
        **_finance(("overdue", "NV-A"), ("due_today", "NV-C")),
        CULTURE_STAFF: {("due_today", "NV-C")},
    },
    D(2026, 2, 25): _finance(("overdue", "NV-A"), ("overdue", "NV-C")),
    D(2026, 2, 26): _finance(("overdue", "NV-A"), ("stale", "NV-D")),
    D(2026, 2, 27): {
        **_finance(("overdue", "NV-A")),
        LEADER: {("extension", "NV-C")},  # 2 working days after the request
    },
    D(2026, 3, 2): {
        **_finance(("overdue", "NV-A")),
        LEADER: {("extension", "NV-C")},
    },
}


async def _setup(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        building = await world.unit("SO-XD", "Sở Xây dựng")
        culture = await world.unit("SO-VH", "Sở Văn hóa, Thể thao và Du lịch")
        await world.official("TC-CV", finance, chat_id=FINANCE_STAFF)
        await world.official("TC-TP", finance, Role.HEAD, chat_id=FINANCE_HEAD)
        await world.official("XD-CV", building, chat_id="301")
        await world.official("XD-TP", building, Role.HEAD, chat_id=BUILDING_HEAD)
        await world.group(building, BUILDING_GROUP)
        await world.official("VH-CV", culture, chat_id=CULTURE_STAFF)
        await world.official("LD-01", None, Role.LEADER, chat_id=LEADER)
        recently = ctx.at_local(D(2026, 2, 4), dt.time(10))
        await world.task("NV-A", finance, D(2026, 2, 18), last_report_at=recently)
        await world.task("NV-B", building, D(2026, 2, 8), last_report_at=recently)
        await world.task(
            "NV-C", finance, D(2026, 2, 24), coordinating=[culture], last_report_at=recently
        )
        silent = ctx.at_local(D(2026, 1, 29), dt.time(10))
        await world.task("NV-D", finance, None, last_report_at=silent)


async def _act(ctx: AppContext, day: D) -> None:
    """What people do during the day, after the morning reminders."""
    if day == D(2026, 2, 10):
        async with ctx.db.session() as session:
            official = await official_by_code(session, "TC-CV")
            for code in ("NV-A", "NV-C"):
                task = await task_by_code(session, code)
                await submit_report(
                    session, ctx, official=official, task=task, progress=30, channel="telegram"
                )
    if day == D(2026, 2, 11):
        async with ctx.db.session() as session:
            official = await official_by_code(session, "XD-CV")
            task = await task_by_code(session, "NV-B")
            await mark_done(session, ctx, official=official, task=task, channel="telegram")
    if day == D(2026, 2, 25):
        async with ctx.db.session() as session:
            official = await official_by_code(session, "TC-CV")
            task = await task_by_code(session, "NV-C")
            await request_extension(
                session,
                ctx,
                official=official,
                task=task,
                new_deadline=D(2026, 3, 10),
                reason="Chờ ý kiến của Bộ Tài chính",
                via="telegram",
            )


async def test_each_recipient_gets_exactly_the_expected_reminders_around_tet(
    ctx: AppContext, clock: FrozenClock
) -> None:
    clock.set(dt.datetime(2026, 2, 5, 7, 0, tzinfo=HCM))
    await _setup(ctx)
    sender = RecordingSender()
    dispatcher = OutboxDispatcher(ctx, {"telegram": sender}, limiter=virtual_limiter())

    day = D(2026, 2, 5)
    while day <= D(2026, 3, 2):
        for minute in (0, 1, 30):  # several ticks in the window change nothing
            clock.set(dt.datetime.combine(day, dt.time(8, minute), tzinfo=HCM))
            await planner.run_tick(ctx)
            await dispatcher.drain()
        received = {item.chat_id: reminder_items(item.reply.text) for item in sender.sent}
        assert len(sender.sent) == len(received), f"{day}: more than one message per chat"
        assert received == EXPECTED.get(day, {}), day
        sender.clear()
        clock.set(dt.datetime.combine(day, dt.time(10), tzinfo=HCM))
        await _act(ctx, day)
        day += dt.timedelta(days=1)


async def test_nothing_goes_out_before_the_send_window(ctx: AppContext, clock: FrozenClock) -> None:
    clock.set(dt.datetime(2026, 2, 5, 7, 0, tzinfo=HCM))
    await _setup(ctx)
    sender = RecordingSender()
    dispatcher = OutboxDispatcher(ctx, {"telegram": sender}, limiter=virtual_limiter())

    clock.set(dt.datetime(2026, 2, 6, 7, 59, tzinfo=HCM))
    result = await planner.run_tick(ctx)
    await dispatcher.drain()

    assert not result.planned and sender.sent == []
