"""End to end through the fake Telegram Bot API: planner → outbox → dispatcher →
TelegramSender (python-telegram-bot) → HTTP, with the server's faults."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram.sender import TelegramSender
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import ChannelIdentity, OutboxMessage, OutboxStatus, Role
from scheduler import planner
from scheduler.dispatcher import OutboxDispatcher
from tests.fakes.telegram_api import FakeTelegramServer
from tests.scheduler.builders import World
from tests.scheduler.fakes import reminder_items, virtual_limiter

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


@pytest.fixture
async def dispatcher(
    ctx: AppContext, server: FakeTelegramServer
) -> AsyncIterator[OutboxDispatcher]:
    bot = ExtBot(
        server.token,
        base_url=f"{server.url}/bot",
        request=HTTPXRequest(read_timeout=0.5, connect_timeout=2.0),
    )
    async with bot:
        yield OutboxDispatcher(
            ctx,
            {"telegram": TelegramSender(bot)},
            limiter=virtual_limiter(),
            backoff=dt.timedelta(seconds=10),
        )


async def _setup(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        world = World(session, ctx)
        finance = await world.unit("SO-TC", "Sở Tài chính")
        building = await world.unit("SO-XD", "Sở Xây dựng")
        await world.official("TC-CV", finance, chat_id="1001")
        await world.official("TC-TP", finance, Role.HEAD, chat_id="1002")
        await world.official("XD-CV", building, chat_id="2001")
        await world.official("VP-QT", None, Role.ADMIN, chat_id="9001")
        await world.group(building, "-1002000")
        recent = ctx.at_local(D(2025, 12, 5), dt.time(9))
        await world.task(
            "NV-01",
            finance,
            D(2025, 12, 5),
            last_report_at=recent,
            title="Quyết toán ngân sách năm 2025",
        )
        await world.task(
            "NV-02",
            building,
            D(2025, 12, 13),
            last_report_at=recent,
            title="Điều chỉnh quy hoạch chung thành phố",
        )


async def _morning(
    ctx: AppContext, clock: FrozenClock, dispatcher: OutboxDispatcher, day: D
) -> None:
    clock.set(dt.datetime.combine(day, dt.time(8, 0), tzinfo=HCM))
    await planner.run_tick(ctx)
    await dispatcher.drain()


async def test_a_week_of_reminders_arrives_in_telegram(
    ctx: AppContext, clock: FrozenClock, server: FakeTelegramServer, dispatcher: OutboxDispatcher
) -> None:
    clock.set(dt.datetime(2025, 12, 5, 18, 0, tzinfo=HCM))
    await _setup(ctx)
    received: dict[D, dict[int | str, set[tuple[str, str]]]] = {}
    day = D(2025, 12, 8)
    while day <= D(2025, 12, 14):
        before = len(server.sent_messages())
        await _morning(ctx, clock, dispatcher, day)
        received[day] = {
            m.chat_id: reminder_items(m.text or "") for m in server.sent_messages()[before:]
        }
        day += dt.timedelta(days=1)

    finance = {1001: {("overdue", "NV-01")}, 1002: {("overdue", "NV-01")}}  # staff and head
    assert received == {
        D(2025, 12, 8): finance,
        D(2025, 12, 9): {**finance, -1002000: {("upcoming", "NV-02")}},  # 3 days before Sat 13/12
        D(2025, 12, 10): finance,
        D(2025, 12, 11): {**finance, -1002000: {("upcoming", "NV-02")}},
        D(2025, 12, 12): {**finance, -1002000: {("due_today", "NV-02")}},  # due on Friday
        D(2025, 12, 13): {},
        D(2025, 12, 14): {},
    }
    assert "đã báo cáo lãnh đạo UBND" in server.sent_messages(1002)[-1].text  # 5 days late
    [first] = server.sent_messages(1001)[:1]
    assert first.reply_markup == {
        "inline_keyboard": [[{"text": "Báo cáo NV-01", "callback_data": "rp:NV-01"}]]
    }
    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.external_message_id for row in rows)


async def test_429_and_500_are_retried_until_delivered_once(
    ctx: AppContext, clock: FrozenClock, server: FakeTelegramServer, dispatcher: OutboxDispatcher
) -> None:
    clock.set(dt.datetime(2025, 12, 5, 18, 0, tzinfo=HCM))
    await _setup(ctx)
    server.fail("sendMessage", 429, retry_after=7, chat_id=1001)
    server.fail("sendMessage", 500, chat_id=1002)

    await _morning(ctx, clock, dispatcher, D(2025, 12, 8))
    assert server.sent_messages(1001) == [] and server.sent_messages(1002) == []
    clock.advance(dt.timedelta(seconds=10))
    await dispatcher.drain()

    assert len(server.sent_messages(1001)) == 1
    assert len(server.sent_messages(1002)) == 1
    assert dispatcher.totals.rate_limited == 1 and dispatcher.totals.retried == 1


async def test_403_deactivates_the_chat_and_tells_the_admin(
    ctx: AppContext, clock: FrozenClock, server: FakeTelegramServer, dispatcher: OutboxDispatcher
) -> None:
    clock.set(dt.datetime(2025, 12, 5, 18, 0, tzinfo=HCM))
    await _setup(ctx)
    server.fail(
        "sendMessage", 403, chat_id=1001, description="Forbidden: bot was blocked by the user"
    )

    await _morning(ctx, clock, dispatcher, D(2025, 12, 8))

    async with ctx.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.chat_id == "1001")
        )
    assert identity is not None and not identity.active
    [notice] = server.sent_messages(9001)
    assert notice.text is not None and "TC-CV" in notice.text and "đã chặn bot" in notice.text
    await _morning(ctx, clock, dispatcher, D(2025, 12, 9))
    assert server.sent_messages(1001) == []  # nothing more is queued for a blocked chat


async def test_a_timeout_after_the_request_left_is_retried_and_counted(
    ctx: AppContext, clock: FrozenClock, server: FakeTelegramServer, dispatcher: OutboxDispatcher
) -> None:
    clock.set(dt.datetime(2025, 12, 5, 18, 0, tzinfo=HCM))
    await _setup(ctx)
    server.fail("sendMessage", "hang", chat_id=1001, hang_for=1.0)

    await _morning(ctx, clock, dispatcher, D(2025, 12, 8))
    clock.advance(dt.timedelta(seconds=10))
    await dispatcher.drain()

    assert dispatcher.totals.ambiguous == 1
    async with ctx.db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == "1001"))
    assert row is not None and row.status is OutboxStatus.SENT and row.ambiguous == 1
    # The hung request was delivered after all: the reminder arrived twice, as documented.
    await server.wait_for_messages(1001, 2)
