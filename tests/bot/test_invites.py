"""Invite codes: single use, expiring, hashed at rest, throttled, private vs group."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import ChannelIdentity, GroupBinding, InviteCode
from bot.services.directory import group_unit, official_by_code, official_by_identity, unit_by_code
from bot.services.errors import DomainError
from bot.services.invites import MAX_FAILURES, Redeemed, create_invite, redeem_invite
from tests.bot.builders import add_official, add_unit


@pytest.fixture
async def world(ctx: AppContext) -> AppContext:
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        await add_official(session, ctx, "AN", unit)
    return ctx


async def invite(ctx: AppContext, *, unit: bool = False, hours: int | None = None) -> str:
    async with ctx.db.session() as session:
        ttl = dt.timedelta(hours=hours) if hours else None
        if unit:
            return await create_invite(
                session, ctx, unit=await unit_by_code(session, "SO-TC"), ttl=ttl
            )
        return await create_invite(
            session, ctx, official=await official_by_code(session, "AN"), ttl=ttl
        )


async def redeem(
    ctx: AppContext, code: str, user: str = "u1", chat_type: str = "private"
) -> Redeemed:
    async with ctx.db.session() as session:
        return await redeem_invite(
            session,
            ctx,
            code,
            channel="telegram",
            external_user_id=user,
            chat_id=f"chat-{user}" if chat_type == "private" else "-100200",
            chat_type=chat_type,
            display_name="An",
        )


async def failure(ctx: AppContext, code: str, **kwargs: str) -> str:
    """Redeem in a transaction that commits (as the dispatcher does) and return the error."""
    async with ctx.db.session() as session:
        try:
            await redeem_invite(
                session,
                ctx,
                code,
                channel="telegram",
                external_user_id=kwargs.get("user", "u1"),
                chat_id="c",
                chat_type=kwargs.get("chat_type", "private"),
            )
        except DomainError as exc:
            return exc.code
    raise AssertionError("the code was accepted")


async def test_code_links_the_account_once(world: AppContext) -> None:
    code = await invite(world)
    redeemed = await redeem(world, code.lower().replace("-", ""))
    assert redeemed.official is not None and redeemed.official.code == "AN"
    async with world.db.session() as session:
        official = await official_by_identity(session, "telegram", "u1")
        stored = list(await session.scalars(select(InviteCode)))
    assert official is not None and official.code == "AN"
    assert code not in {s.code_hash for s in stored}  # only the hash is kept
    assert stored[0].used_by == "telegram:u1"
    assert await failure(world, code, user="u2") == "invite_used"


async def test_code_expires(world: AppContext, clock: FrozenClock) -> None:
    code = await invite(world, hours=2)
    clock.advance(dt.timedelta(hours=2))
    assert await failure(world, code) == "invite_expired"


async def test_default_validity_comes_from_settings(world: AppContext, clock: FrozenClock) -> None:
    code = await invite(world)
    clock.advance(dt.timedelta(hours=world.settings.invite_ttl_hours) - dt.timedelta(minutes=1))
    assert (await redeem(world, code)).official is not None


async def test_wrong_guesses_are_throttled(world: AppContext, clock: FrozenClock) -> None:
    code, other_code = await invite(world), await invite(world)
    for _ in range(MAX_FAILURES):
        assert await failure(world, "AAAAA-BBBBB") == "invite_invalid"
    assert await failure(world, code) == "invite_throttled"
    assert (await redeem(world, other_code, user="someone-else")).official is not None
    clock.advance(dt.timedelta(minutes=16))
    assert (await redeem(world, code)).official is not None


async def test_unit_code_binds_a_group_not_a_private_chat(world: AppContext) -> None:
    code = await invite(world, unit=True)
    assert await failure(world, code) == "invite_wrong_chat"
    redeemed = await redeem(world, code, chat_type="group")
    assert redeemed.unit is not None and redeemed.unit.code == "SO-TC"
    async with world.db.session() as session:
        unit = await group_unit(session, "telegram", "-100200")
        bindings = list(await session.scalars(select(GroupBinding)))
    assert unit is not None and unit.code == "SO-TC" and len(bindings) == 1


async def test_personal_code_does_not_work_in_a_group(world: AppContext) -> None:
    code = await invite(world)
    assert await failure(world, code, chat_type="group") == "invite_wrong_chat"
    async with world.db.session() as session:
        assert list(await session.scalars(select(ChannelIdentity))) == []
