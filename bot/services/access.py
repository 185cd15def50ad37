"""Taking access away from an official (someone who leaves or changes posts) and giving it back.

Revoking deactivates the official and, in the same transaction, unlinks every chat account
(Telegram, Zalo, web chat), ends every dashboard session, spends every unused login link,
cancels every open invite code and skips every message still waiting in the outbox for them.
Reactivating makes the official active again; their chat accounts stay unlinked, so they link
again with a new invite code (``dondoc invite``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import (
    ChannelIdentity,
    ConversationState,
    InviteCode,
    LoginLink,
    Official,
    OutboxMessage,
    OutboxStatus,
    WebSession,
)
from bot.services import audit
from bot.services.directory import official_by_code
from bot.services.errors import DomainError


@dataclass(frozen=True)
class Revoked:
    """What a revocation ended, for the operator's confirmation."""

    official: Official
    chat_accounts: int
    sessions: int
    invites: int
    outbox: int


async def revoke_access(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    *,
    via: str = "cli",
    actor: Official | None = None,
) -> Revoked:
    """Deactivate the official with ``code`` and end every way they had in (``actor``: who
    did it, for the audit log; None from the command line)."""
    official = await official_by_code(session, code)
    if not official.active:
        raise DomainError("official_already_revoked", code=official.code)
    now = ctx.now()
    official.active = False
    accounts = list(
        await session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.official_id == official.id)
        )
    )
    identities = [identity for identity in accounts if identity.active]
    for identity in identities:
        identity.active = False
        identity.deactivated_at = now
        await session.execute(
            delete(ConversationState).where(
                ConversationState.channel == identity.channel.value,
                ConversationState.user_id == identity.external_user_id,
            )
        )
    private_chats = [(identity.channel.value, identity.chat_id) for identity in accounts]
    sessions = await session.execute(
        delete(WebSession).where(WebSession.official_id == official.id)
    )
    await session.execute(
        update(LoginLink)
        .where(LoginLink.official_id == official.id, LoginLink.used_at.is_(None))
        .values(expires_at=now)
    )
    invites = await session.execute(
        update(InviteCode)
        .where(
            InviteCode.official_id == official.id,
            InviteCode.used_at.is_(None),
            InviteCode.expires_at > now,
        )
        .values(expires_at=now)
    )
    outbox = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(
                OutboxMessage.official_id == official.id,
                *(
                    (OutboxMessage.channel == channel)
                    & (OutboxMessage.chat_id == chat_id)
                    & OutboxMessage.is_group.is_(False)
                    for channel, chat_id in private_chats
                ),
            ),
        )
        .values(status=OutboxStatus.SKIPPED, last_error="access revoked")
    )
    result = Revoked(
        official=official,
        chat_accounts=len(identities),
        sessions=_count(sessions),
        invites=_count(invites),
        outbox=_count(outbox),
    )
    await audit.record(
        session,
        ctx,
        "official.revoke",
        "official",
        official.id,
        actor=actor,
        via=via,
        code=official.code,
        chat_accounts=result.chat_accounts,
        sessions=result.sessions,
        invites=result.invites,
        outbox=result.outbox,
    )
    return result


async def reactivate_access(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    *,
    via: str = "cli",
    actor: Official | None = None,
) -> Official:
    """Make a revoked official active again (their chats link again with a new invite)."""
    official = await official_by_code(session, code)
    if official.active:
        raise DomainError("official_already_active", code=official.code)
    official.active = True
    await audit.record(
        session,
        ctx,
        "official.reactivate",
        "official",
        official.id,
        actor=actor,
        via=via,
        code=official.code,
    )
    return official


async def revoked_official(
    session: AsyncSession, channel: str, external_user_id: str
) -> Official | None:
    """The revoked official whose chat account this was, if it was one (for the refusal)."""
    return await session.scalar(
        select(Official)
        .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_user_id == external_user_id,
            Official.active.is_(False),
        )
    )


def _count(result: object) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)
