"""The web chat's rows: a browser's chat id and CSRF token, the history it keeps
(``web_messages``) and the identity that links a browser to an official.

The chat id (and user id) of a browser is a hash of the random token in its HttpOnly cookie,
so the database never holds the credential. Secrets — invite codes typed after ``/start``,
and what a reply marks (:attr:`bot.messages.Reply.secrets`: login links, link codes) — are
stored masked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.i18n import format_datetime
from bot.messages import Reply
from bot.models import ChannelIdentity, ConversationState, Official, WebMessage
from bot.services import audit

HISTORY_LIMIT = 200
BATCH = 100
MASK = "••••••"


def chat_id_for(browser_token: str) -> str:
    """The chat id (and user id) of a browser: a hash of its cookie token."""
    return hashlib.sha256(f"dondoc-web-chat:{browser_token}".encode()).hexdigest()[:40]


def chat_csrf(browser_token: str) -> str:
    """The CSRF token of the chat page's forms, derived from the (unreadable) cookie."""
    return hashlib.sha256(f"dondoc-web-csrf:{browser_token}".encode()).hexdigest()


async def store_outgoing(
    session: AsyncSession, ctx: AppContext, chat_id: str, replies: Sequence[Reply]
) -> list[WebMessage]:
    rows = [
        WebMessage(
            chat_id=chat_id, direction="out", payload=stored_payload(reply), created_at=ctx.now()
        )
        for reply in replies
    ]
    session.add_all(rows)
    await session.flush()
    return rows


def stored_payload(reply: Reply) -> dict[str, Any]:
    """What the history keeps of a reply: its secrets masked."""
    payload = reply.to_dict()
    payload["text"] = mask_secrets(reply.text, reply.secrets)
    return payload


def mask_secrets(text: str, secrets_: Sequence[str]) -> str:
    for secret in secrets_:
        if secret:
            text = text.replace(secret, MASK)
    return text


async def store_incoming(
    session: AsyncSession, ctx: AppContext, chat_id: str, client_id: str, text: str
) -> bool:
    """Keep what the person typed in the history; False when this client id was seen."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(WebMessage)
        .values(
            chat_id=chat_id,
            direction="in",
            client_id=client_id,
            payload={"text": text},
            created_at=ctx.now(),
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "client_id"])
    )
    return bool(getattr(result, "rowcount", 0))


async def messages_after(
    session: AsyncSession, chat_id: str, after_id: int, limit: int = BATCH
) -> list[WebMessage]:
    return list(
        await session.scalars(
            select(WebMessage)
            .where(WebMessage.chat_id == chat_id, WebMessage.id > after_id)
            .order_by(WebMessage.id)
            .limit(limit)
        )
    )


async def recent_messages(session: AsyncSession, chat_id: str) -> list[WebMessage]:
    rows = await session.scalars(
        select(WebMessage)
        .where(WebMessage.chat_id == chat_id)
        .order_by(WebMessage.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return list(reversed(list(rows)))


def message_json(row: WebMessage, ctx: AppContext) -> dict[str, Any]:
    """A stored message as the page shows it (file bytes become download links)."""
    payload = row.payload
    data: dict[str, Any] = {
        "id": row.id,
        "direction": row.direction,
        "text": payload.get("text", ""),
        "at": format_datetime(row.created_at, ctx.tz),
    }
    if row.direction == "in":
        data["client_id"] = row.client_id
        item = payload.get("document")
        if item:
            data["document"] = {"name": item.get("name"), "url": f"/chat/files/{row.id}/document"}
        return data
    data["buttons"] = [
        [{"label": b["label"], "data": b["data"]} for b in line]
        for line in payload.get("buttons", [])
    ]
    for part in ("document", "photo"):
        item = payload.get(part)
        if item:
            data[part] = {
                "name": item.get("name"),
                "caption": item.get("caption"),
                "url": f"/chat/files/{row.id}/{part}" if item.get("content") else None,
            }
    return data


async def link_web_identity(
    session: AsyncSession, ctx: AppContext, official: Official, chat_id: str
) -> None:
    """Demo mode: this browser becomes ``official`` (any flow in progress is dropped)."""
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == WEB.name, ChannelIdentity.external_user_id == chat_id
        )
    )
    if identity is None:
        identity = ChannelIdentity(channel=WEB.name, external_user_id=chat_id, created_at=ctx.now())
        session.add(identity)
    identity.created_at = ctx.now()  # the link's validity starts again
    identity.official_id = official.id
    identity.chat_id = chat_id
    identity.active = True
    identity.deactivated_at = None
    await session.execute(
        delete(ConversationState).where(
            ConversationState.channel == WEB.name, ConversationState.chat_id == chat_id
        )
    )
    await session.flush()
    await audit.record(
        session,
        ctx,
        "identity.link",
        "official",
        official.id,
        actor=official,
        via=f"web:{chat_id}",
        channel=WEB.name,
        demo=True,
    )
