"""A crash in the middle of a stream of reports loses none and applies none twice."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from bot.context import AppContext
from bot.db import Database
from bot.models import Report, Task
from tests.channels.telegram.harness import TelegramBot, seed_reporters, telegram_context
from tests.fakes.telegram_api import FakeTelegramServer

OFFICIALS = 20
REPORTS_EACH = 10
FIRST_USER = 5000


async def _count_reports(ctx: AppContext) -> int:
    async with ctx.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Report)) or 0)


async def test_kill_and_restart_mid_stream(
    server: FakeTelegramServer, ctx: AppContext, database_url: str
) -> None:
    first_ctx = telegram_context(ctx, server)
    await seed_reporters(first_ctx, OFFICIALS, first_user=FIRST_USER)
    tags = set()
    for k in range(1, REPORTS_EACH + 1):
        for i in range(OFFICIALS):
            tag = f"r{i}-{k}"
            tags.add(tag)
            server.push_text(FIRST_USER + i, f"/baocao T-{i:03d} {k * 5} {tag}")

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
