"""Webhook mode: the secret is checked, 200 comes only after commit, a redelivered update
changes nothing, and a database error answers 500 so Telegram delivers again."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.channels.telegram.webhook import webhook_secret
from bot.context import AppContext
from bot.models import Report
from tests.channels.telegram.harness import STAFF, TelegramBot, World
from tests.fakes.telegram_api import FakeTelegramServer

PUBLIC_URL = "https://dondoc.example/hp"


@pytest.fixture
async def webhook_bot(tg_ctx: AppContext, world: World) -> AsyncIterator[TelegramBot]:
    bot = await TelegramBot(tg_ctx, webhook_url=PUBLIC_URL).start()
    yield bot
    await bot.stop()


def message_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "Lan"},
            "from": {"id": user, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
            "text": text,
        },
    }


async def _report_count(ctx: AppContext) -> int:
    async with ctx.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Report)) or 0)


async def _rename_reports(ctx: AppContext, old: str, new: str) -> None:
    async with ctx.db.engine.begin() as conn:
        await conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


async def test_webhook_is_set_with_a_stable_secret(
    server: FakeTelegramServer, tg_ctx: AppContext, webhook_bot: TelegramBot
) -> None:
    assert server.webhook_url == f"{PUBLIC_URL}/telegram/webhook"
    assert tg_ctx.settings.telegram_token
    assert server.webhook_secret == webhook_secret(tg_ctx.settings.telegram_token, None)
    assert server.webhook_secret == webhook_secret(tg_ctx.settings.telegram_token, None)
    assert webhook_secret("1:other", None) != server.webhook_secret
    assert webhook_secret("1:other", "configured_Secret-1") == "configured_Secret-1"
    assert not server.calls_to("deleteWebhook")


async def test_secret_checked_200_after_commit_redelivery_applied_once(
    server: FakeTelegramServer, tg_ctx: AppContext, webhook_bot: TelegramBot
) -> None:
    url, secret = webhook_bot.webhook_endpoint, server.webhook_secret
    update = message_update(501, STAFF, "/baocao NV-01 70 Đã lấy ý kiến các sở")
    assert await server.deliver_webhook(url, dict(update)) == 401
    assert await server.deliver_webhook(url, dict(update), secret_token="wrong") == 403
    assert await _report_count(tg_ctx) == 0

    assert await server.deliver_webhook(url, dict(update), secret_token=secret) == 200
    assert await _report_count(tg_ctx) == 1, "committed before the 200"
    [reply] = server.sent_messages(STAFF)
    assert (reply.text or "").startswith("Đã lưu báo cáo.")

    assert await server.deliver_webhook(url, dict(update), secret_token=secret) == 200
    assert await _report_count(tg_ctx) == 1
    assert len(server.sent_messages(STAFF)) == 1, "a redelivered update gets no second reply"


async def test_database_error_answers_500_and_the_redelivery_is_applied(
    server: FakeTelegramServer, tg_ctx: AppContext, webhook_bot: TelegramBot
) -> None:
    url, secret = webhook_bot.webhook_endpoint, server.webhook_secret
    update = message_update(601, STAFF, "/baocao NV-01 30 Đang soạn")
    await _rename_reports(tg_ctx, "reports", "reports_away")
    try:
        assert await server.deliver_webhook(url, dict(update), secret_token=secret) == 500
    finally:
        await _rename_reports(tg_ctx, "reports_away", "reports")
    assert server.sent_messages(STAFF) == []
    assert await server.deliver_webhook(url, dict(update), secret_token=secret) == 200
    assert await _report_count(tg_ctx) == 1
    [reply] = server.sent_messages(STAFF)
    assert (reply.text or "").startswith("Đã lưu báo cáo.")


async def test_unreadable_body_is_refused_and_other_updates_ignored(
    server: FakeTelegramServer, webhook_bot: TelegramBot
) -> None:
    url, secret = webhook_bot.webhook_endpoint, server.webhook_secret
    assert await server.deliver_webhook(url, {"update_id": "x"}, secret_token=secret) == 400
    edited = message_update(700, STAFF, "/baocao NV-01 90")
    edited["edited_message"] = edited.pop("message")
    assert await server.deliver_webhook(url, edited, secret_token=secret) == 200
    assert server.sent_messages() == []


async def test_polling_holds_the_offset_while_the_database_fails(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await _rename_reports(tg_ctx, "reports", "reports_away")
    try:
        server.push_text(STAFF, "/baocao NV-01 30 Đang soạn")
        calls = len(server.calls_to("getUpdates"))
        await server.wait_for_call("getUpdates", calls + 3)
        assert server.sent_messages(STAFF) == []
        assert server.pending_updates() == 1, "not acknowledged while it cannot be committed"
    finally:
        await _rename_reports(tg_ctx, "reports_away", "reports")
    [reply] = await server.wait_for_messages(STAFF, 1)
    assert (reply.text or "").startswith("Đã lưu báo cáo.")
    assert await _report_count(tg_ctx) == 1
