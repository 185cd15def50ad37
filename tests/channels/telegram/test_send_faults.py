"""Telegram refusing or failing a reply never stops the bot; a block deactivates the chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.models import AuditLog, ChannelIdentity, Report
from tests.channels.telegram.harness import HEAD, STAFF, TelegramBot, World, say
from tests.fakes.telegram_api import FakeTelegramServer


async def test_429_on_send_waits_retry_after_and_delivers(
    server: FakeTelegramServer, world: World, telegram: TelegramBot
) -> None:
    server.fail("sendMessage", 429, retry_after=1)
    [reply] = await say(server, STAFF, "/baocao NV-01 40 Đang hoàn thiện")
    assert (reply.text or "").startswith("Đã lưu báo cáo.")
    sends = [c for c in server.calls if c.method == "sendMessage"]
    assert len(sends) == 2
    assert sends[1].time - sends[0].time >= 0.95, "retry_after was honoured"


async def test_5xx_on_send_is_retried(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    server.fail("sendMessage", 500, times=2)
    [reply] = await say(server, STAFF, "/baocao NV-01 40 Đang hoàn thiện")
    assert (reply.text or "").startswith("Đã lưu báo cáo.")
    assert len(server.calls_to("sendMessage")) == 3
    async with tg_ctx.db.session() as session:
        assert len(list(await session.scalars(select(Report)))) == 1


async def test_send_failing_for_good_is_given_up_and_the_bot_goes_on(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    server.fail("sendMessage", 502, times=None, chat_id=STAFF)
    server.push_text(STAFF, "/baocao NV-01 40 Đang hoàn thiện")
    [other] = await say(server, HEAD, "/trogiup")
    assert (other.text or "").startswith("Các lệnh đồng chí có thể dùng:")
    await server.wait_for_call("sendMessage", 5)
    await telegram.settled()
    server.clear_faults()
    async with tg_ctx.db.session() as session:
        assert len(list(await session.scalars(select(Report)))) == 1, "the report is kept"
    [later] = await say(server, STAFF, "/trogiup")
    assert (later.text or "").startswith("Các lệnh đồng chí có thể dùng:")


async def test_403_marks_the_identity_inactive(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    server.fail("sendMessage", 403, chat_id=STAFF)
    server.push_text(STAFF, "/baocao NV-01 40 Đang hoàn thiện")
    await server.wait_for_call("sendMessage")
    [still_running] = await say(server, HEAD, "/trogiup")
    assert still_running.text
    await telegram.settled()
    async with tg_ctx.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_user_id == str(STAFF))
        )
        assert identity is not None
        assert identity.active is False
        assert identity.deactivated_at == tg_ctx.now()
        audit = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "identity.deactivate"))
        )
        assert len(list(await session.scalars(select(Report)))) == 1
    assert [a.details["reason"] for a in audit] == ["blocked"]
    assert audit[0].entity_id == str(world.officials["CV-SXD"].id)
