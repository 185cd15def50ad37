"""How long Dondoc keeps what it only needs for a while (``DONDOC_RETENTION_DAYS``).

* ``inbound_updates``: the keys of processed incoming updates, kept so a redelivered update
  changes nothing. Channels redeliver within hours, never months later.
* The web-chat history of browsers that are not linked to an official: what someone typed
  before (or without ever) linking, and the bot's answers. A file attached there that a
  report names stays (it is that report's document).

Rows older than the retention period are deleted once a day by the scheduler. The history of
a linked browser is the official's own chat and stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, cast, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.models import Attachment, ChannelIdentity, InboundUpdate, WebMessage


@dataclass(frozen=True)
class Pruned:
    inbound_updates: int
    web_messages: int


async def prune_expired(session: AsyncSession, ctx: AppContext) -> Pruned:
    """Delete processed-update keys and unlinked web-chat history older than the period."""
    cutoff = ctx.now() - dt.timedelta(days=ctx.settings.retention_days)
    updates = await session.execute(
        delete(InboundUpdate)
        .where(InboundUpdate.processed_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    linked_chats = select(ChannelIdentity.chat_id).where(
        ChannelIdentity.channel == WEB.name, ChannelIdentity.active.is_(True)
    )
    report_document = exists().where(
        Attachment.channel == WEB.name, Attachment.file_id == cast(WebMessage.id, String)
    )
    messages = await session.execute(
        delete(WebMessage)
        .where(
            WebMessage.created_at < cutoff,
            WebMessage.chat_id.not_in(linked_chats),
            ~report_document,
        )
        .execution_options(synchronize_session=False)
    )
    return Pruned(
        inbound_updates=getattr(updates, "rowcount", 0) or 0,
        web_messages=getattr(messages, "rowcount", 0) or 0,
    )
