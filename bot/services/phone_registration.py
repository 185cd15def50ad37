"""Linking a chat account by the phone number a person shares from their own contact card
(Telegram's contact request): the number must be theirs and match exactly one active
official's imported phone. Same link and audit trail as an invite code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.messages import SharedContact
from bot.models import Official
from bot.phone import canonical_phone
from bot.services import audit
from bot.services.errors import DomainError
from bot.services.invites import link_identity


async def officials_with_phone(session: AsyncSession, phone: str) -> list[Official]:
    """Active officials whose imported phone is ``phone`` once both are in canonical form
    (imported numbers are written every which way, so the comparison happens here)."""
    wanted = canonical_phone(phone)
    if wanted is None:
        return []
    officials = await session.scalars(
        select(Official).where(Official.active.is_(True), Official.phone.is_not(None))
    )
    return [o for o in officials if o.phone and canonical_phone(o.phone) == wanted]


async def link_by_phone(
    session: AsyncSession,
    ctx: AppContext,
    contact: SharedContact,
    *,
    channel: str,
    external_user_id: str,
    chat_id: str,
    display_name: str | None = None,
) -> Official:
    """Link the sender's account to the official with the shared number.

    Raises DomainError: ``phone_not_own`` (someone else's contact card), ``phone_unknown``
    (no active official has it), ``phone_ambiguous`` (more than one has it).
    """
    if contact.user_id != external_user_id:
        raise DomainError("phone_not_own")
    matches = await officials_with_phone(session, contact.phone)
    if not matches:
        raise DomainError("phone_unknown")
    if len(matches) > 1:
        raise DomainError("phone_ambiguous")
    [official] = matches
    via = f"{channel}:{external_user_id}"
    await link_identity(
        session, official, channel, external_user_id, chat_id, display_name, ctx.now()
    )
    await audit.record(
        session,
        ctx,
        "identity.link",
        "official",
        official.id,
        actor=official,
        via=via,
        channel=channel,
        method="phone",
    )
    return official
