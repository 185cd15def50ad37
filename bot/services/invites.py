"""Invite codes: single-use, expiring, stored hashed; wrong guesses are throttled."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.models import (
    ChannelIdentity,
    GroupBinding,
    InviteCode,
    InviteFailure,
    Official,
    Unit,
)
from bot.services import audit
from bot.services.errors import DomainError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed safely
CODE_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
BATCH_SIZE = 500
"""Invites written per INSERT when a whole city is onboarded at once."""


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def telegram_link(bot_username: str, code: str, *, group: bool = False) -> str:
    """The deep link that opens the bot with ``/start <code>`` (``startgroup``: add it to a
    group and bind that group)."""
    parameter = "startgroup" if group else "start"
    return f"https://t.me/{bot_username.lstrip('@')}?{parameter}={code}"


@dataclass(frozen=True)
class IssuedInvite:
    """One code of a bulk issue, with what the invite sheet shows about its official."""

    official: Official
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Redeemed:
    """The result of a redeemed code: an official's account, or a group bound to a unit."""

    official: Official | None = None
    unit: Unit | None = None


async def create_invite(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official | None = None,
    unit: Unit | None = None,
    ttl: dt.timedelta | None = None,
    via: str = "cli",
    actor: Official | None = None,
) -> str:
    """Issue a code for an official (private chat) or for a unit (group chat binding);
    ``actor`` is who issued it (the audit log's; None from the command line).

    Returns the plain code; only its hash is stored.
    """
    if (official is None) == (unit is None):
        raise ValueError("an invite is for exactly one official or one unit")
    if official is not None and not official.active:
        raise DomainError("official_inactive", code=official.code)
    code = new_code()
    now = ctx.now()
    invite = InviteCode(
        code_hash=hash_code(code),
        official_id=official.id if official else None,
        unit_id=unit.id if unit else None,
        created_at=now,
        expires_at=now + (ttl or dt.timedelta(hours=ctx.settings.invite_ttl_hours)),
    )
    session.add(invite)
    await session.flush()
    await audit.record(
        session,
        ctx,
        "invite.create",
        "invite",
        invite.id,
        actor=actor,
        via=via,
        official=official.code if official else None,
        unit=unit.code if unit else None,
    )
    return code


async def officials_without_chat(session: AsyncSession, unit: Unit | None = None) -> list[Official]:
    """Active officials with no linked chat account on any channel (of ``unit`` only, when
    given), by unit and code, with their units loaded."""
    linked = select(ChannelIdentity.official_id).where(ChannelIdentity.active.is_(True))
    query = (
        select(Official)
        .where(Official.active.is_(True), Official.id.not_in(linked))
        .options(selectinload(Official.unit))
        .order_by(Official.unit_id, Official.code)
    )
    if unit is not None:
        query = query.where(Official.unit_id == unit.id)
    return list(await session.scalars(query))


async def plan_unlinked_invites(
    session: AsyncSession,
    ctx: AppContext,
    *,
    unit: Unit | None = None,
    ttl: dt.timedelta | None = None,
) -> list[IssuedInvite]:
    """New codes for every active official without a linked chat (of ``unit`` only, when
    given), not yet stored: only reads, so the invite sheet can be made before
    :func:`store_invites` takes the write lock for a moment."""
    expires = ctx.now() + (ttl or dt.timedelta(hours=ctx.settings.invite_ttl_hours))
    officials = await officials_without_chat(session, unit)
    return [IssuedInvite(official, new_code(), expires) for official in officials]


async def store_invites(
    session: AsyncSession, ctx: AppContext, issued: Sequence[IssuedInvite], *, via: str = "cli"
) -> None:
    """Store planned invites (hashes only) with their audit rows, in batches of
    :data:`BATCH_SIZE`: a city of thousands takes one short transaction."""
    now = ctx.now()
    statement = insert(InviteCode).returning(InviteCode.id, sort_by_parameter_order=True)
    for start in range(0, len(issued), BATCH_SIZE):
        batch = issued[start : start + BATCH_SIZE]
        rows = [
            {
                "code_hash": hash_code(item.code),
                "official_id": item.official.id,
                "unit_id": None,
                "created_at": now,
                "expires_at": item.expires_at,
            }
            for item in batch
        ]
        ids = list(await session.scalars(statement, rows))
        await audit.record_many(
            session,
            ctx,
            "invite.create",
            (
                ("invite", invite_id, {"official": item.official.code, "bulk": True})
                for invite_id, item in zip(ids, batch, strict=True)
            ),
            via=via,
        )


async def create_invites_for_unlinked(
    session: AsyncSession,
    ctx: AppContext,
    *,
    unit: Unit | None = None,
    ttl: dt.timedelta | None = None,
    via: str = "cli",
) -> list[IssuedInvite]:
    """Issue and store a code for every active official without a linked chat (of ``unit``
    only, when given), in the caller's transaction."""
    issued = await plan_unlinked_invites(session, ctx, unit=unit, ttl=ttl)
    await store_invites(session, ctx, issued, via=via)
    return issued


async def redeem_invite(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    *,
    channel: str,
    external_user_id: str,
    chat_id: str,
    chat_type: str,
    display_name: str | None = None,
) -> Redeemed:
    """Link a chat account to the code's official, or bind a group chat to the code's unit.

    Raises DomainError: invite_throttled, invite_invalid, invite_used, invite_expired,
    invite_wrong_chat. A failure is recorded (for throttling) even though the caller's
    transaction continues.
    """
    now = ctx.now()
    await _check_throttle(session, channel, external_user_id, now)
    invite = await session.scalar(
        select(InviteCode)
        .where(InviteCode.code_hash == hash_code(code))
        .options(selectinload(InviteCode.official), selectinload(InviteCode.unit))
        .with_for_update()
    )
    if invite is None:
        session.add(InviteFailure(channel=channel, external_user_id=external_user_id, at=now))
        raise DomainError("invite_invalid")
    if invite.used_at is not None:
        raise DomainError("invite_used")
    if invite.expires_at <= now:
        raise DomainError("invite_expired")
    if invite.official is not None and not invite.official.active:
        raise DomainError("invite_expired")
    is_group = chat_type == "group"
    if invite.unit is not None and not is_group:
        raise DomainError("invite_wrong_chat", expected="group")
    if invite.official is not None and is_group:
        raise DomainError("invite_wrong_chat", expected="private")

    invite.used_at = now
    invite.used_by = f"{channel}:{external_user_id}"
    via = f"{channel}:{external_user_id}"
    if invite.unit is not None:
        await _bind_group(session, ctx, invite.unit, channel, chat_id, display_name, now)
        await audit.record(
            session, ctx, "group.bind", "unit", invite.unit.id, via=via, chat_id=chat_id
        )
        return Redeemed(unit=invite.unit)
    assert invite.official is not None
    await link_identity(
        session, invite.official, channel, external_user_id, chat_id, display_name, now
    )
    await audit.record(
        session,
        ctx,
        "identity.link",
        "official",
        invite.official.id,
        actor=invite.official,
        via=via,
        channel=channel,
    )
    return Redeemed(official=invite.official)


async def _check_throttle(
    session: AsyncSession, channel: str, external_user_id: str, now: dt.datetime
) -> None:
    since = now - FAILURE_WINDOW
    failures = await session.scalar(
        select(func.count())
        .select_from(InviteFailure)
        .where(
            InviteFailure.channel == channel,
            InviteFailure.external_user_id == external_user_id,
            InviteFailure.at > since,
        )
    )
    if (failures or 0) >= MAX_FAILURES:
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        raise DomainError("invite_throttled", minutes=minutes)


async def link_identity(
    session: AsyncSession,
    official: Official,
    channel: str,
    external_user_id: str,
    chat_id: str,
    display_name: str | None,
    now: dt.datetime,
) -> None:
    """Link (or re-link) the chat account ``channel``/``external_user_id`` to ``official``;
    shared by invite redemption and phone-number registration. The caller audits."""
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_user_id == external_user_id,
        )
    )
    if identity is None:
        identity = ChannelIdentity(
            channel=channel, external_user_id=external_user_id, created_at=now
        )
        session.add(identity)
    if not identity.active or identity.official_id != official.id:
        identity.created_at = now  # a new link starts (web chat links expire from here)
    identity.official_id = official.id
    identity.chat_id = chat_id
    identity.display_name = display_name
    identity.active = True
    identity.deactivated_at = None


async def _bind_group(
    session: AsyncSession,
    ctx: AppContext,
    unit: Unit,
    channel: str,
    chat_id: str,
    title: str | None,
    now: dt.datetime,
) -> None:
    binding = await session.scalar(
        select(GroupBinding).where(GroupBinding.channel == channel, GroupBinding.chat_id == chat_id)
    )
    if binding is None:
        binding = GroupBinding(channel=channel, chat_id=chat_id, created_at=now)
        session.add(binding)
    binding.unit_id = unit.id
    binding.title = title
    binding.active = True
