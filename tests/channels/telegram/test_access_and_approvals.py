"""On Telegram, through the real channel and the fake Bot API: a leader lists the pending
extension requests with /giahan and decides from the list, and a revoked official's chat is
refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.context import AppContext
from bot.models import OutboxMessage, Task
from bot.services.access import revoke_access
from tests.channels.telegram.harness import LEADER, STAFF, TelegramBot, World, buttons, press, say
from tests.fakes.telegram_api import FakeTelegramServer


async def _deadline(ctx: AppContext, code: str) -> dt.date | None:
    async with ctx.db.session() as session:
        return await session.scalar(select(Task.deadline).where(Task.code == code))


async def test_leader_decides_from_the_pending_list(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await say(server, STAFF, "/giahan NV-01 31/12/2025 Chờ ý kiến các sở ngành")
    # The notice with buttons is queued, never delivered: the leader uses the list instead.
    header, request = await say(server, LEADER, "/giahan", replies=2)
    assert (header.text or "").startswith("ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH (1)")
    assert "NV-01" in (request.text or "") and "Chờ ý kiến các sở ngành" in (request.text or "")
    assert [label for label, _ in buttons(request)] == [
        "Đồng ý gia hạn đến 31/12/2025",
        "Đồng ý, đến ngày khác",
        "Không đồng ý",
    ]
    [prompt] = await press(server, LEADER, request, "Đồng ý gia hạn đến")
    assert prompt.is_edit and prompt.message_id == request.message_id
    [decided] = await press(server, LEADER, prompt, "Bỏ qua")
    assert decided.is_edit and decided.message_id == request.message_id
    assert (decided.text or "").startswith("Đã đồng ý gia hạn nhiệm vụ NV-01")
    assert await _deadline(tg_ctx, "NV-01") == dt.date(2025, 12, 31)
    async with tg_ctx.db.session() as session:
        kinds = list(await session.scalars(select(OutboxMessage.kind)))
    assert kinds.count("extension.decision") == 2  # the requester and the unit head


async def test_revoked_official_is_refused(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    async with tg_ctx.db.session() as session:
        await revoke_access(session, tg_ctx, "CV-SXD")
    [refused] = await say(server, STAFF, "/baocao NV-01 60 Đã trình dự thảo")
    assert (refused.text or "").startswith("Tài khoản của đồng chí đã bị thu hồi quyền truy cập")
    assert refused.reply_markup is None
