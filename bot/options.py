"""Options on channels without buttons (Zalo): buttons become a numbered list, and the
option data is remembered in the conversation state so that a typed "2" means the second
option. Used for replies (handlers' dispatcher) and for outbox messages (reminders, notices).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Reply, button_options
from bot.models import ChannelIdentity, ConversationState, Official
from bot.texts import TEXTS

OPTIONS_KEY = "options"


def as_numbered(replies: list[Reply], lang: str) -> tuple[list[Reply], list[str]]:
    """The replies with buttons written as numbered lines (numbers run on across replies),
    and the options' callback data in number order."""
    options: list[str] = []
    numbered: list[Reply] = []
    for reply in replies:
        if not reply.buttons:
            numbered.append(reply)
            continue
        listed = button_options(reply.buttons)
        first = len(options) + 1
        lines = [f"{first + i}. {button.label}" for i, button in enumerate(listed)]
        options.extend(button.data for button in listed)
        hint = TEXTS.t("numbered_hint", lang, first=first, last=first + len(listed) - 1)
        numbered.append(
            Reply(
                text="\n".join([reply.text, "", *lines, hint]),
                document=reply.document,
                photo=reply.photo,
            )
        )
    return numbered, options


async def remember_options(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    user_id: str,
    options: list[str],
    now: dt.datetime,
) -> None:
    """Store the options just offered to one person, keeping any flow they are in."""
    state = await session.scalar(
        select(ConversationState).where(
            ConversationState.channel == channel,
            ConversationState.chat_id == chat_id,
            ConversationState.user_id == user_id,
        )
    )
    if state is None:
        state = ConversationState(
            channel=channel, chat_id=chat_id, user_id=user_id, flow="", step="", data={}
        )
        session.add(state)
    state.data = {**state.data, OPTIONS_KEY: options}
    state.updated_at = now


async def chat_account(session: AsyncSession, channel: str, chat_id: str) -> tuple[str, str] | None:
    """(external user id, language) of the active person behind a private chat, if any."""
    row = (
        await session.execute(
            select(ChannelIdentity.external_user_id, Official.language)
            .join(Official, Official.id == ChannelIdentity.official_id)
            .where(
                ChannelIdentity.channel == channel,
                ChannelIdentity.chat_id == chat_id,
                ChannelIdentity.active.is_(True),
            )
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None
