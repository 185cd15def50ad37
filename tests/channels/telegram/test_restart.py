"""A crash in the middle of a stream of reports loses none and applies none twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from bot.context import AppContext
from bot.db import Database
from bot.models import Channel, ChannelIdentity, Official, Report, Role, Task, Unit
from tests.channels.telegram.harness import TelegramBot, telegram_context
from tests.fakes.telegram_api import FakeTelegramServer

OFFICIALS = 20
REPORTS_EACH = 10
FIRST_USER = 5000


async def _twenty_units(ctx: AppContext) -> None:
    now = ctx.now()
    async with ctx.db.session() as session:
        for i in range(OFFICIALS):
            unit = Unit(code=f"DV{i:02d}", name=f"Đơn vị {i}", created_at=now)
            session.add(unit)
            await session.flush()
            official = Official(
                code=f"CB{i:02d}",
                full_name=f"Cán bộ {i}",
                unit_id=unit.id,
                role=Role.STAFF,
                created_at=now,
            )
            session.add(official)
            await session.flush()
            user = str(FIRST_USER + i)
            session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel=Channel.TELEGRAM,
                    external_user_id=user,
                    chat_id=user,
                    created_at=now,
                )
            )
            session.add(
                Task(
                    code=f"T-{i:02d}",
                    title=f"Nhiệm vụ {i}",
                    lead_unit_id=unit.id,
                    deadline=dt.date(2025, 12, 31),
                    created_at=now,
                    updated_at=now,
                )
            )


async def _count_reports(ctx: AppContext) -> int:
    async with ctx.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Report)) or 0)


async def test_kill_and_restart_mid_stream(
    server: FakeTelegramServer, ctx: AppContext, database_url: str
) -> None:
    first_ctx = telegram_context(ctx, server)
    await _twenty_units(first_ctx)
    tags = set()
    for k in range(1, REPORTS_EACH + 1):
        for i in range(OFFICIALS):
            tag = f"r{i}-{k}"
            tags.add(tag)
            server.push_text(FIRST_USER + i, f"/baocao T-{i:02d} {k * 5} {tag}")

    first = await TelegramBot(first_ctx).start()
    await server.wait_for_messages(None, 60, timeout=20)
    await first.crash()
    processed_before_crash = await _count_reports(first_ctx)
    assert 0 < processed_before_crash < len(tags)
    await ctx.db.dispose()

    restarted_db = Database(database_url)
    second_ctx = telegram_context(ctx, server, db=restarted_db)
    second = await TelegramBot(second_ctx).start()
    try:
        async with asyncio.timeout(30):
            while server.pending_updates() or second.channel.poller.in_flight:  # type: ignore[union-attr]
                await server.wait_for_call("getUpdates", len(server.calls_to("getUpdates")) + 1)
    finally:
        await second.stop()

    async with restarted_db.session() as session:
        notes = list(await session.scalars(select(Report.note)))
        progress = set(await session.scalars(select(Task.progress)))
    await restarted_db.dispose()
    assert len(notes) == len(tags), "none lost, none doubled"
    assert set(notes) == tags
    assert progress == {REPORTS_EACH * 5}, "each chat's reports applied in order"
    saved = Counter(
        m.text for m in server.sent_messages() if (m.text or "").startswith("Đã lưu báo cáo.")
    )
    assert saved and max(saved.values()) == 1, "no report confirmed twice"
