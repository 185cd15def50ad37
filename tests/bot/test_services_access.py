"""Revoking and reactivating an official's access: every way in ends, in one audited step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import ColumnElement, func, select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.messages import Reply
from bot.models import (
    AuditLog,
    Base,
    Channel,
    ChannelIdentity,
    InviteCode,
    LoginLink,
    Official,
    OutboxMessage,
    OutboxStatus,
    WebSession,
)
from bot.services import login_links
from bot.services.access import reactivate_access, revoke_access
from bot.services.directory import official_by_code, official_by_identity
from bot.services.errors import DomainError
from bot.services.invites import create_invite, redeem_invite
from bot.services.outbox import notify_official
from bot.web import auth
from tests.bot.builders import add_official, add_unit


@pytest.fixture
async def linked(ctx: AppContext) -> AppContext:
    """Official AN with a Telegram, a Zalo and a web-chat account, a dashboard session, an
    unused login link, an open invite and a queued notice; colleague BINH likewise linked."""
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        an = await add_official(session, ctx, "AN", unit)
        binh = await add_official(session, ctx, "BINH", unit)
        for official, channel, user in (
            (an, Channel.TELEGRAM, "tg-an"),
            (an, Channel.ZALO, "zl-an"),
            (an, Channel.WEB, "web-an"),
            (binh, Channel.TELEGRAM, "tg-binh"),
        ):
            session.add(
                ChannelIdentity(
                    official_id=official.id,
                    channel=channel,
                    external_user_id=user,
                    chat_id=user,
                    created_at=ctx.now(),
                )
            )
        await session.flush()
        await auth.open_session(session, ctx, an, via="test")
        await auth.open_session(session, ctx, binh, via="test")
        await login_links.create_login_link(session, ctx, an, via="test")
        await create_invite(session, ctx, official=an)
        for official in (an, binh):
            await notify_official(
                session, ctx, official.id, lambda lang: Reply("Nhắc việc"), kind="notice", key="1"
            )
    return ctx


async def _count(ctx: AppContext, model: type[Base], *where: ColumnElement[bool]) -> int:
    async with ctx.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_revoke_ends_every_way_in(linked: AppContext) -> None:
    ctx = linked
    async with ctx.db.session() as session:
        done = await revoke_access(session, ctx, "an", via="cli")
    assert (done.chat_accounts, done.sessions, done.invites, done.outbox) == (3, 1, 1, 3)

    async with ctx.db.session() as session:
        an = await official_by_code(session, "AN")
        assert an.active is False
        accounts = list(
            await session.scalars(
                select(ChannelIdentity).where(ChannelIdentity.official_id == an.id)
            )
        )
        assert all(not a.active and a.deactivated_at == ctx.now() for a in accounts)
        assert await official_by_identity(session, "telegram", "tg-an") is None
        assert await official_by_identity(session, "web", "web-an") is None
        binh = await official_by_identity(session, "telegram", "tg-binh")
        assert binh is not None and binh.code == "BINH"
        sessions = list(await session.scalars(select(WebSession.official_id)))
        assert sessions == [binh.id]
        link = await session.scalar(select(LoginLink))
        assert link is not None and link.expires_at <= ctx.now()
        invite = await session.scalar(select(InviteCode))
        assert invite is not None and invite.expires_at <= ctx.now()
        statuses = {row.chat_id: row.status for row in await session.scalars(select(OutboxMessage))}
        assert statuses == {
            "tg-an": OutboxStatus.SKIPPED,
            "zl-an": OutboxStatus.SKIPPED,
            "web-an": OutboxStatus.SKIPPED,
            "tg-binh": OutboxStatus.PENDING,
        }
        [audit] = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "official.revoke"))
        )
    assert audit.entity_id == str(an.id) and audit.actor == "cli"
    assert audit.details["chat_accounts"] == 3 and audit.details["sessions"] == 1


async def test_revoked_official_cannot_be_invited_or_redeem(linked: AppContext) -> None:
    ctx = linked
    async with ctx.db.session() as session:
        an = await official_by_code(session, "AN")
        code = await create_invite(session, ctx, official=an)
    async with ctx.db.session() as session:
        await revoke_access(session, ctx, "AN")
    with pytest.raises(DomainError) as redeemed:
        async with ctx.db.session() as session:
            await redeem_invite(
                session,
                ctx,
                code,
                channel="telegram",
                external_user_id="tg-new",
                chat_id="tg-new",
                chat_type="private",
            )
    assert redeemed.value.code == "invite_expired"
    with pytest.raises(DomainError) as invited:
        async with ctx.db.session() as session:
            await create_invite(session, ctx, official=await official_by_code(session, "AN"))
    assert "dondoc reactivate AN" in invited.value.message("vi")


async def test_reactivate_then_link_again_with_a_new_invite(
    linked: AppContext, clock: FrozenClock
) -> None:
    ctx = linked
    async with ctx.db.session() as session:
        await revoke_access(session, ctx, "AN")
    clock.advance(dt.timedelta(days=3))
    async with ctx.db.session() as session:
        official = await reactivate_access(session, ctx, "AN", via="cli")
        assert official.active is True
        # Still unlinked: the old chat account needs a new invite.
        assert await official_by_identity(session, "telegram", "tg-an") is None
        code = await create_invite(session, ctx, official=official)
    async with ctx.db.session() as session:
        await redeem_invite(
            session,
            ctx,
            code,
            channel="telegram",
            external_user_id="tg-an",
            chat_id="tg-an",
            chat_type="private",
        )
    async with ctx.db.session() as session:
        again = await official_by_identity(session, "telegram", "tg-an")
        assert again is not None and again.code == "AN"
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_user_id == "tg-an")
        )
        assert identity is not None and identity.created_at == ctx.now()
    assert await _count(ctx, AuditLog, AuditLog.action == "official.reactivate") == 1


async def test_refusals_change_nothing(linked: AppContext) -> None:
    ctx = linked
    with pytest.raises(DomainError) as unknown:
        async with ctx.db.session() as session:
            await revoke_access(session, ctx, "NOBODY")
    assert unknown.value.message("vi") == "Không tìm thấy cán bộ NOBODY."
    with pytest.raises(DomainError) as active:
        async with ctx.db.session() as session:
            await reactivate_access(session, ctx, "AN")
    assert active.value.code == "official_already_active"
    async with ctx.db.session() as session:
        await revoke_access(session, ctx, "AN")
    with pytest.raises(DomainError) as twice:
        async with ctx.db.session() as session:
            await revoke_access(session, ctx, "AN")
    assert twice.value.code == "official_already_revoked"
    assert await _count(ctx, AuditLog, AuditLog.action == "official.revoke") == 1
    assert await _count(ctx, Official, Official.active.is_(False)) == 1
