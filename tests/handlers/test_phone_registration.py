"""Registration without an invite code: the phone number shared from one's own contact card
(Telegram), the invite-code reply where a channel has no such button, and bulk invites."""

from __future__ import annotations

from sqlalchemy import select

from bot.channel_traits import WEB, ZALO
from bot.context import AppContext
from bot.models import ChannelIdentity, Official, Role, Unit
from bot.services import invites
from tests.handlers.backend import ChatBackend, ChatUser
from tests.handlers.conftest import World

NEWCOMER = ChatUser("telegram-newcomer", "Cán bộ mới")


async def _add_official(
    world: World, code: str, phone: str | None, *, active: bool = True, unit: str = "STC"
) -> int:
    async with world.ctx.db.session() as session:
        official = Official(
            code=code,
            full_name=f"Cán bộ {code}",
            title="Chuyên viên",
            unit_id=world.unit_ids[unit],
            role=Role.STAFF,
            phone=phone,
            active=active,
            created_at=world.ctx.now(),
        )
        session.add(official)
        await session.flush()
        return official.id


async def _linked(ctx: AppContext, user: ChatUser) -> int | None:
    async with ctx.db.session() as session:
        return await session.scalar(
            select(ChannelIdentity.official_id).where(
                ChannelIdentity.external_user_id == user.user_id
            )
        )


async def test_own_number_in_any_written_form_links(world: World) -> None:
    backend = world.backend
    new_id = await _add_official(world, "CV-MOI", "0912.345-678")
    await _add_official(world, "CV-CU", "0913 000 111", active=False)
    await backend.push_message(NEWCOMER, "/start")
    offer = backend.pop_message()
    assert offer.request_contact == "Chia sẻ số điện thoại"
    assert "đồng chí" in offer.text.lower() and "bạn" not in offer.text.lower()

    await backend.push_contact(NEWCOMER, "+84913000111", NEWCOMER.user_id)
    assert "không khớp với cán bộ nào" in backend.pop_text(), "a revoked official's number"

    await backend.push_contact(NEWCOMER, "84 912 345 678", NEWCOMER.user_id)
    linked = backend.pop_message()
    assert linked.text.startswith("Đã liên kết tài khoản với Cán bộ CV-MOI (Chuyên viên)")
    assert linked.remove_keyboard and linked.request_contact is None
    assert await _linked(world.ctx, NEWCOMER) == new_id

    await backend.push_contact(NEWCOMER, "84 912 345 678", NEWCOMER.user_id)
    assert backend.pop_text().startswith("Tài khoản này đã được liên kết với Cán bộ CV-MOI")


async def test_channels_without_a_contact_button_ask_for_an_invite_code(world: World) -> None:
    await _add_official(world, "CV-MOI", "0912345678")
    for traits in (ZALO, WEB):
        backend = ChatBackend(world.ctx, traits)
        user = ChatUser(f"{traits.name}-newcomer")
        await backend.push_message(user, "/start")
        reply = backend.pop_message()
        assert reply.request_contact is None
        assert "/start <mã mời>" in reply.text
        await backend.push_contact(user, "0912345678", user.user_id)
        assert "chưa được bật" in backend.pop_text()
        assert await _linked(world.ctx, user) is None


async def test_bulk_invites_cover_unlinked_officials_and_redeem(world: World) -> None:
    await _add_official(world, "CV-MOI-1", None)
    await _add_official(world, "CV-MOI-2", None, unit="SXD")
    await _add_official(world, "CV-NGHI", None, active=False)
    ctx = world.ctx
    async with ctx.db.session() as session:
        everyone = await invites.create_invites_for_unlinked(session, ctx)
        stc = await session.get(Unit, world.unit_ids["STC"])
        assert stc is not None
        only_stc = await invites.create_invites_for_unlinked(session, ctx, unit=stc)
    assert sorted(item.official.code for item in everyone) == ["CV-MOI-1", "CV-MOI-2"]
    assert [item.official.code for item in only_stc] == ["CV-MOI-1"]
    assert len({item.code for item in everyone + only_stc}) == 3

    [code] = [item.code for item in everyone if item.official.code == "CV-MOI-1"]
    await world.backend.push_message(NEWCOMER, f"/start {code}")
    assert world.backend.pop_text().startswith("Đã liên kết tài khoản với Cán bộ CV-MOI-1")
    async with ctx.db.session() as session:
        left = await invites.create_invites_for_unlinked(session, ctx)
    assert [item.official.code for item in left] == ["CV-MOI-2"]
