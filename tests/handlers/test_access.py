"""A revoked official's chat gets a clear refusal and nothing else: no reports, no reminders,
no digests; reactivated, they link again with a new invite code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.channel_traits import WEB
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import OutboxMessage, Report
from bot.services import invites
from bot.services.access import reactivate_access, revoke_access
from bot.services.directory import official_by_code
from scheduler.digests import digest_targets
from scheduler.planner.tick import queue_day
from tests.handlers.conftest import World, make_world

REFUSAL = "Tài khoản của đồng chí đã bị thu hồi quyền truy cập"


async def _revoke(ctx: AppContext, code: str) -> None:
    async with ctx.db.session() as session:
        await revoke_access(session, ctx, code)


async def test_revoked_chat_is_refused_for_everything(world: World) -> None:
    backend = world.backend
    await _revoke(world.ctx, "CV-STC-01")
    for text in ("/baocao NQ-01 60 Đã trình dự thảo", "NQ-01 70% xong bước 2", "/trogiup"):
        await backend.push_message(world.hoa, text)
        reply = backend.pop_text()
        assert reply.startswith(REFUSAL), text
        assert "liên hệ Văn phòng UBND" in reply
    await backend.push_button(world.hoa, "ext:1:ok")
    assert backend.pop_text().startswith(REFUSAL)
    async with world.ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 0
    # A colleague is not affected; an account never linked still gets the invite hint.
    await backend.push_message(world.nam, "/nhiemvu")
    assert not backend.pop_text().startswith(REFUSAL)
    await backend.push_message(world.stranger, "xin chào")
    assert backend.pop_text().startswith("Xin chào! Tài khoản này chưa được liên kết")


async def test_revoked_refusal_in_english(world: World) -> None:
    await _revoke(world.ctx, "CV-SYT-01")
    await world.backend.push_message(world.mai, "/tasks")
    assert world.backend.pop_text().startswith("Your access has been revoked")


async def test_revoked_web_chat_is_refused(ctx: AppContext) -> None:
    world = await make_world(ctx, WEB)
    await _revoke(ctx, "GD-STC")
    await world.backend.push_message(world.nam, "/tonghop")
    assert world.backend.pop_text().startswith(REFUSAL)


async def test_no_reminders_or_digests_after_revoke(world: World) -> None:
    ctx = world.ctx
    await _revoke(ctx, "CV-STC-01")
    await _revoke(ctx, "LD-01")
    async with ctx.db.session() as session:
        await queue_day(session, ctx, ctx.today())
        rows = list(await session.scalars(select(OutboxMessage)))
        targets = {target.official_id for target in await digest_targets(session)}
    chats = {row.chat_id for row in rows}
    assert world.nam.user_id in chats  # the unit's head is still reminded
    assert world.hoa.user_id not in chats
    assert world.chau.user_id not in chats
    assert world.official_ids["LD-01"] not in targets
    assert world.official_ids["LD-02"] in targets


async def test_reactivated_official_links_again_with_a_new_invite(
    world: World, clock: FrozenClock
) -> None:
    ctx, backend = world.ctx, world.backend
    await _revoke(ctx, "CV-STC-01")
    clock.advance(dt.timedelta(days=1))
    async with ctx.db.session() as session:
        official = await reactivate_access(session, ctx, "CV-STC-01")
        code = await invites.create_invite(session, ctx, official=official)
    await backend.push_message(world.hoa, "/nhiemvu")
    assert backend.pop_text().startswith("Xin chào! Tài khoản này chưa được liên kết")
    await backend.push_message(world.hoa, f"/start {code}")
    assert backend.pop_text().startswith("Đã liên kết")
    await backend.push_message(world.hoa, "/baocao NQ-01 60 Đã trình dự thảo")
    assert "Tiến độ: 40% → 60%" in backend.pop_text()
    async with ctx.db.session() as session:
        assert (await official_by_code(session, "CV-STC-01")).active
