"""Chat accounts that can no longer be reached.

When a channel refuses to deliver to a chat for good (Telegram 403: the person blocked the
bot, or the bot was removed from a group), the accounts and group bindings using that chat
are marked inactive, so nothing more is queued for them, and the change is audited. Linking
the account again (``/start <code>``) reactivates it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import ChannelIdentity, GroupBinding
from bot.services import audit


async def deactivate_chat(
    session: AsyncSession, ctx: AppContext, channel: str, chat_id: str, *, reason: str
) -> int:
    """Mark every active identity and group binding of ``channel``/``chat_id`` inactive.

    Returns how many were deactivated (0 when the chat was unknown or already inactive).
    """
    now = ctx.now()
    identities = await session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.chat_id == chat_id,
            ChannelIdentity.active.is_(True),
        )
    )
    count = 0
    for identity in identities:
        identity.active = False
        identity.deactivated_at = now
        count += 1
        await audit.record(
            session,
            ctx,
            "identity.deactivate",
            "official",
            identity.official_id,
            via=f"{channel}:system",
            channel=channel,
            chat_id=chat_id,
            reason=reason,
        )
    bindings = await session.scalars(
        select(GroupBinding).where(
            GroupBinding.channel == channel,
            GroupBinding.chat_id == chat_id,
            GroupBinding.active.is_(True),
        )
    )
    for binding in bindings:
        binding.active = False
        count += 1
        await audit.record(
            session,
            ctx,
            "group.unbind",
            "unit",
            binding.unit_id,
            via=f"{channel}:system",
            chat_id=chat_id,
            reason=reason,
        )
    return count
