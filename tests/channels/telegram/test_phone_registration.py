"""Linking a Telegram account by sharing one's own phone number (issue 13)."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.models import AuditLog, ChannelIdentity, Official
from tests.channels.telegram.harness import (
    NEWCOMER,
    OTHER_STAFF,
    TelegramBot,
    World,
    build_world,
    say,
    telegram_context,
)
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage

SHARE = "Chia sẻ số điện thoại"


async def _set_phones(ctx: AppContext, phones: dict[str, str]) -> None:
    async with ctx.db.session() as session:
        for code, phone in phones.items():
            official = await session.scalar(select(Official).where(Official.code == code))
            assert official is not None
            official.phone = phone


async def _share(
    server: FakeTelegramServer, user: int, phone: str, contact_user: int | None
) -> SentMessage:
    before = len(server.sent_messages(user))
    server.push_contact(user, phone, contact_user)
    sent = await server.wait_for_messages(user, before + 1)
    [reply] = sent[before:]
    return reply


async def _linked_official(ctx: AppContext, user: int) -> int | None:
    async with ctx.db.session() as session:
        return await session.scalar(
            select(ChannelIdentity.official_id).where(
                ChannelIdentity.external_user_id == str(user), ChannelIdentity.active.is_(True)
            )
        )


async def test_start_offers_the_contact_button_and_own_number_links(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await _set_phones(tg_ctx, {"CV-MOI": "0912.345 678"})
    [offer] = await say(server, NEWCOMER, "/start")
    assert "Chia sẻ số điện thoại" in (offer.text or "") and "/start <mã mời>" in (offer.text or "")
    assert offer.sent_markup == {
        "keyboard": [[{"text": SHARE, "request_contact": True}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }

    linked = await _share(server, NEWCOMER, "+84912345678", NEWCOMER)
    assert "Đỗ Thu Hà" in (linked.text or "")
    assert linked.sent_markup == {"remove_keyboard": True}
    assert await _linked_official(tg_ctx, NEWCOMER) == world.officials["CV-MOI"].id
    async with tg_ctx.db.session() as session:
        audit = await session.scalar(
            select(AuditLog).where(AuditLog.action == "identity.link").order_by(AuditLog.id.desc())
        )
    assert audit is not None and audit.details.get("method") == "phone"
    assert audit.entity_id == str(world.officials["CV-MOI"].id)


async def test_someone_elses_card_unknown_and_shared_numbers_do_not_link(
    server: FakeTelegramServer, tg_ctx: AppContext, world: World, telegram: TelegramBot
) -> None:
    await _set_phones(
        tg_ctx, {"CV-MOI": "0912345678", "GD-SXD": "0987 654 321", "CV-SXD": "+84 987-654-321"}
    )
    # The newcomer forwards a colleague's card: the number is known, but it is not theirs.
    card = await _share(server, NEWCOMER, "84912345678", OTHER_STAFF)
    assert "không phải số điện thoại của chính tài khoản này" in (card.text or "")
    assert (card.sent_markup or {}).get("keyboard"), "the button is offered again"
    no_user = await _share(server, NEWCOMER, "84912345678", None)
    assert "không phải số điện thoại" in (no_user.text or "")

    unknown = await _share(server, NEWCOMER, "+84911111111", NEWCOMER)
    assert "không khớp với cán bộ nào" in (unknown.text or "")
    assert unknown.sent_markup == {"remove_keyboard": True}

    twice = await _share(server, NEWCOMER, "84987654321", NEWCOMER)
    assert "nhiều cán bộ" in (twice.text or "") and "mã mời" in (twice.text or "")
    assert await _linked_official(tg_ctx, NEWCOMER) is None


async def test_setting_off_asks_for_an_invite_code(
    server: FakeTelegramServer, ctx: AppContext
) -> None:
    off = telegram_context(ctx, server, phone_registration=False)
    await build_world(off)
    await _set_phones(off, {"CV-MOI": "0912345678"})
    bot = await TelegramBot(off).start()
    try:
        [reply] = await say(server, NEWCOMER, "/start")
        assert "/start <mã mời>" in (reply.text or "") and reply.sent_markup is None
        refused = await _share(server, NEWCOMER, "84912345678", NEWCOMER)
        assert "chưa được bật" in (refused.text or "")
        assert await _linked_official(off, NEWCOMER) is None
    finally:
        await bot.stop()
