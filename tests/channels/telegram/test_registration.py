"""Linking a Telegram account or a group chat, and the command menu."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.models import AuditLog, ChannelIdentity, GroupBinding
from bot.services.invites import create_invite
from tests.channels.telegram.harness import (
    GROUP_CHAT,
    HEAD,
    NEWCOMER,
    TelegramBot,
    World,
    say,
)
from tests.fakes.telegram_api import FakeTelegramServer


async def test_command_menu_in_vietnamese_and_english(
    server: FakeTelegramServer, telegram: TelegramBot
) -> None:
    default = [c["command"] for c in server.commands()]
    english = [c["command"] for c in server.commands(language_code="en")]
    assert {"baocao", "xong", "giahan", "tonghop", "trogiup"} <= set(default)
    assert {"report", "done", "extend", "digest", "help"} <= set(english)
    assert server.commands(language_code="vi") == server.commands()
    assert server.calls_to("deleteWebhook"), "polling starts by removing any webhook"


async def test_invite_links_the_account(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    [reply] = await say(server, NEWCOMER, "/baocao")
    assert "chưa được liên kết" in (reply.text or "")

    async with tg_ctx.db.session() as session:
        code = await create_invite(session, tg_ctx, official=world.officials["CV-MOI"])
    [wrong] = await say(server, NEWCOMER, "/start ABCDE-23456")
    assert (wrong.text or "").startswith("Mã mời không đúng")
    [linked] = await say(server, NEWCOMER, f"/start {code}")
    assert "Đỗ Thu Hà" in (linked.text or "")
    [used] = await say(server, HEAD, f"/start {code}")
    assert used.text == "Mã mời này đã được sử dụng."

    async with tg_ctx.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_user_id == str(NEWCOMER))
        )
        assert identity is not None and identity.official_id == world.officials["CV-MOI"].id
        actions = set(await session.scalars(select(AuditLog.action)))
    assert "identity.link" in actions


async def test_group_binding_by_unit_invite(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    async with tg_ctx.db.session() as session:
        code = await create_invite(session, tg_ctx, unit=world.units["SXD"])
    [reply] = await say(server, HEAD, f"/start@dondoc_test_bot {code}", chat=GROUP_CHAT)
    assert "Sở Xây dựng" in (reply.text or "")
    async with tg_ctx.db.session() as session:
        binding = await session.scalar(select(GroupBinding))
    assert binding is not None
    assert (binding.chat_id, binding.unit_id) == (str(GROUP_CHAT), world.units["SXD"].id)
    assert binding.title == "Nhóm SXD"

    [private_only] = await say(server, HEAD, "/baocao NV-01 50", chat=GROUP_CHAT)
    assert "trò chuyện riêng" in (private_only.text or "")


async def test_repeated_wrong_codes_are_throttled(
    server: FakeTelegramServer, telegram: TelegramBot
) -> None:
    for attempt in range(5):
        [reply] = await say(server, NEWCOMER, f"/start WRONG-{attempt}")
        assert (reply.text or "").startswith("Mã mời không đúng")
    [throttled] = await say(server, NEWCOMER, "/start WRONG-LAST")
    assert "sai mã quá nhiều lần" in (throttled.text or "")
