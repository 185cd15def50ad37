"""Webhook mode: Zalo POSTs events to /zalo/webhook on the bot's web server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from bot.app import RunOptions, Runtime, zalo_channel
from bot.context import AppContext
from bot.lifecycle import StartupError
from bot.models import Base, InboundUpdate, Report
from tests.channels.zalo.harness import WEBHOOK_SECRET, World, ZaloBot, zalo_context
from tests.fakes.zalo_api import FakeZaloServer

PUBLIC_URL = "https://example.invalid/dondoc"


@pytest.fixture
async def hooked(zalo_ctx: AppContext, world: World) -> AsyncIterator[ZaloBot]:
    bot = await ZaloBot(zalo_ctx, webhook_url=PUBLIC_URL).start()
    yield bot
    await bot.stop()


async def _count(ctx: AppContext, model: type[Base]) -> int:
    async with ctx.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _register(server: FakeZaloServer, bot: ZaloBot, world: World, user: str) -> str:
    """Link ``user`` to CV-SXD through the webhook; returns their chat id."""
    code = await world.invite("CV-SXD")
    update = server.push_text(user, f"start {code}")
    status = await server.deliver_webhook(bot.webhook_endpoint, update, secret_token=WEBHOOK_SECRET)
    assert status == 200
    chat = server.chat_id_for(user)
    [linked] = await server.wait_for_messages(chat, 1)
    assert (linked.text or "").startswith("Đã liên kết tài khoản với Nguyễn Thị Lan")
    return chat


async def test_start_sets_the_webhook_and_polling_stops(
    server: FakeZaloServer, hooked: ZaloBot
) -> None:
    assert server.webhook_url == f"{PUBLIC_URL}/zalo/webhook"
    assert server.webhook_secret == WEBHOOK_SECRET
    assert server.calls_to("getUpdates") == []


async def test_wrong_or_missing_secret_is_refused(
    server: FakeZaloServer, world: World, hooked: ZaloBot
) -> None:
    update = server.push_text("lan", "trogiup")
    for secret in ("sai-bí-mật-123", None, WEBHOOK_SECRET[:-1]):
        status = await server.deliver_webhook(hooked.webhook_endpoint, update, secret_token=secret)
        assert status == 401
    assert await _count(world.ctx, InboundUpdate) == 0
    assert server.sent_messages() == []


async def test_duplicate_deliveries_are_applied_once_in_both_body_shapes(
    server: FakeZaloServer, world: World, hooked: ZaloBot
) -> None:
    chat = await _register(server, hooked, world, "lan")
    update = server.push_text("lan", "baocao NV-01 55 Đã hoàn thiện hồ sơ trình")
    for wrapped in (False, True, False, True):
        status = await server.deliver_webhook(
            hooked.webhook_endpoint, update, secret_token=WEBHOOK_SECRET, wrapped=wrapped
        )
        assert status == 200
    sent = await server.wait_for_messages(chat, 2)
    await hooked.settled()
    assert len(server.sent_messages(chat)) == 2
    assert "Đã lưu báo cáo." in (sent[1].text or "")
    assert await _count(world.ctx, Report) == 1
    assert (await world.task("NV-01")).progress == 55
    wrapped_first = server.push_text("lan", "baocao NV-01 60 Lần hai")
    for wrapped in (True, False):
        await server.deliver_webhook(
            hooked.webhook_endpoint, wrapped_first, secret_token=WEBHOOK_SECRET, wrapped=wrapped
        )
    await server.wait_for_messages(chat, 3)
    await hooked.settled()
    assert len(server.sent_messages(chat)) == 3
    assert await _count(world.ctx, Report) == 2


async def test_unreadable_bodies_are_refused(
    server: FakeZaloServer, world: World, hooked: ZaloBot
) -> None:
    for body in ({"ok": True, "result": "x"}, {"event_name": "message.text.received"}):
        status = await server.deliver_webhook(
            hooked.webhook_endpoint, body, secret_token=WEBHOOK_SECRET
        )
        assert status == 400


async def test_database_error_answers_500_and_a_redelivery_is_applied(
    server: FakeZaloServer, world: World, hooked: ZaloBot
) -> None:
    chat = await _register(server, hooked, world, "lan")
    update = server.push_text("lan", "baocao NV-01 65 Đã trình UBND")
    async with world.ctx.db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE inbound_updates"))
    status = await server.deliver_webhook(
        hooked.webhook_endpoint, update, secret_token=WEBHOOK_SECRET
    )
    assert status == 500
    async with world.ctx.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    status = await server.deliver_webhook(
        hooked.webhook_endpoint, update, secret_token=WEBHOOK_SECRET
    )
    assert status == 200
    [_, saved] = await server.wait_for_messages(chat, 2)
    assert "Đã lưu báo cáo." in (saved.text or "")
    assert (await world.task("NV-01")).progress == 65


async def test_webhook_mode_needs_a_proper_secret_and_https(
    ctx: AppContext, server: FakeZaloServer
) -> None:
    for secret, problem in (
        (None, "webhook mode needs DONDOC_ZALO_WEBHOOK_SECRET (8 to 256 characters)"),
        ("ngắn", "DONDOC_ZALO_WEBHOOK_SECRET must be 8 to 256 characters long (it has 4)"),
    ):
        settings_ctx = zalo_context(ctx, server, zalo_webhook_secret=secret)
        runtime = Runtime(settings_ctx, RunOptions(webhook_url=PUBLIC_URL, port=0))
        with pytest.raises(StartupError) as raised:
            zalo_channel(runtime)
        assert str(raised.value) == problem
    runtime = Runtime(zalo_context(ctx, server), RunOptions(webhook_url="http://plain.invalid"))
    channel = zalo_channel(runtime)
    with pytest.raises(StartupError, match="must be an HTTPS URL"):
        await channel.start()
    assert server.webhook_url == ""
    assert "zalo" not in runtime.senders
