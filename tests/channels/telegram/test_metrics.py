"""/metrics: what an operator's Prometheus sees move after a report arrives through the real
webhook and after the outbox sends (through the fake Bot API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.channels.telegram.webhook import webhook_secret
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.services.outbox import Recipient, enqueue
from scheduler.dispatcher import OutboxDispatcher
from tests.channels.telegram.harness import HEAD, STAFF, TelegramBot, World
from tests.channels.telegram.test_webhook import PUBLIC_URL, message_update
from tests.fakes.telegram_api import FakeTelegramServer
from tests.scheduler.fakes import virtual_limiter


@pytest.fixture
async def webhook_bot(tg_ctx: AppContext, world: World) -> AsyncIterator[TelegramBot]:
    bot = await TelegramBot(tg_ctx, webhook_url=PUBLIC_URL).start()
    yield bot
    await bot.stop()


async def scrape(bot: TelegramBot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics: (name, sorted labels) → value."""
    url = bot.webhook_endpoint.replace("/telegram/webhook", "/metrics")
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        body = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


async def test_a_report_moves_the_update_report_and_latency_metrics(
    server: FakeTelegramServer, tg_ctx: AppContext, webhook_bot: TelegramBot
) -> None:
    before = await scrape(webhook_bot)
    assert before[("dondoc_reports_stored_total", ())] == 0
    assert before[("dondoc_turn_seconds_count", ())] == 0
    secret = webhook_secret(tg_ctx.settings.telegram_token or "", None)

    update = message_update(1, STAFF, "/baocao NV-01 40 Đang hoàn thiện")
    assert await server.deliver_webhook(webhook_bot.webhook_endpoint, update, secret) == 200
    assert await server.deliver_webhook(webhook_bot.webhook_endpoint, update, secret) == 200
    await server.wait_for_messages(STAFF, 1)

    after = await scrape(webhook_bot)
    assert after[("dondoc_updates_handled_total", (("channel", "telegram"),))] == 2
    assert after[("dondoc_reports_stored_total", ())] == 1, "the redelivery stored nothing"
    assert after[("dondoc_turn_seconds_count", ())] == 2
    assert after[("dondoc_turn_seconds_bucket", (("le", "+Inf"),))] == 2


async def test_the_outbox_backlog_and_sends_by_result(
    server: FakeTelegramServer, tg_ctx: AppContext, webhook_bot: TelegramBot
) -> None:
    clock = tg_ctx.clock
    assert isinstance(clock, FrozenClock)
    async with tg_ctx.db.session() as session:
        for chat in (STAFF, HEAD):
            await enqueue(
                session,
                tg_ctx,
                Recipient("telegram", str(chat)),
                [Reply("Nhắc việc")],
                kind="reminder",
                dedupe_key=f"test:{chat}",
            )
    clock.advance(dt.timedelta(minutes=10))
    backlog = await scrape(webhook_bot)
    assert backlog[("dondoc_outbox_pending", ())] == 2
    assert backlog[("dondoc_outbox_oldest_due_age_seconds", ())] == 600

    server.fail("sendMessage", 429, retry_after=3, chat_id=STAFF)
    server.fail("sendMessage", 403, chat_id=HEAD)
    dispatcher = OutboxDispatcher(tg_ctx, webhook_bot.runtime.senders, limiter=virtual_limiter())
    await dispatcher.drain()
    clock.advance(dt.timedelta(seconds=5))
    await dispatcher.drain()

    sends = await scrape(webhook_bot)
    for result, count in (("429", 1), ("blocked", 1), ("ok", 1)):
        key = ("dondoc_outbox_sends_total", (("channel", "telegram"), ("result", result)))
        assert sends[key] == count, result
    assert sends[("dondoc_outbox_pending", ())] == 0
    assert sends[("dondoc_outbox_oldest_due_age_seconds", ())] == 0
