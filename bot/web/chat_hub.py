"""The web chat's live side: the open WebSockets of this instance and the outbox's sender.

Every outgoing message — replies, reminders and digests from the outbox — is first stored in
``web_messages`` (the chat's history) and then pushed to the chat's open sockets, so a message
sent while the browser is closed appears when it connects, and :class:`WebSender` succeeds as
soon as the row is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.messages import Reply
from bot.models import ChannelIdentity
from bot.sending import SendRejected, SendResult, SendTemporaryError
from bot.web.chat_store import BATCH, message_json, messages_after, recent_messages, store_outgoing

POLL_SECONDS = 5.0
"""Fallback poll of the chat's new rows (messages stored by another instance)."""


class ChatConnection:
    """One open WebSocket of one chat; a pump task delivers the chat's new rows in order."""

    def __init__(self, ws: web.WebSocketResponse, chat_id: str, ctx: AppContext) -> None:
        self.ws = ws
        self.chat_id = chat_id
        self.ctx = ctx
        self.last_id = 0
        self.wake = asyncio.Event()
        self._lock = asyncio.Lock()

    async def send_json(self, data: dict[str, Any]) -> None:
        async with self._lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(data, ensure_ascii=False))

    async def send_history(self, linked: str | None) -> None:
        async with self.ctx.db.session() as session:
            rows = await recent_messages(session, self.chat_id)
        if rows:
            self.last_id = rows[-1].id
        await self.send_json(
            {
                "type": "history",
                "linked": linked,
                "messages": [message_json(row, self.ctx) for row in rows],
            }
        )

    async def pump(self) -> None:
        """Deliver rows stored after ``last_id`` whenever woken (or every few seconds)."""
        while not self.ws.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)
            self.wake.clear()
            await self.deliver_new()

    async def deliver_new(self) -> None:
        while True:
            async with self.ctx.db.session() as session:
                rows = await messages_after(session, self.chat_id, self.last_id)
            for row in rows:
                await self.send_json({"type": "message", "message": message_json(row, self.ctx)})
                self.last_id = row.id
            if len(rows) < BATCH:
                return


class ChatHub:
    """The open connections of this instance, by chat id."""

    def __init__(self) -> None:
        self._connections: dict[str, set[ChatConnection]] = defaultdict(set)

    def attach(self, connection: ChatConnection) -> None:
        self._connections[connection.chat_id].add(connection)

    def detach(self, connection: ChatConnection) -> None:
        chat = self._connections.get(connection.chat_id)
        if chat is not None:
            chat.discard(connection)
            if not chat:
                del self._connections[connection.chat_id]

    def connected(self, chat_id: str) -> int:
        return len(self._connections.get(chat_id, ()))

    def notify(self, chat_id: str) -> None:
        """Wake the chat's pumps: new rows are stored."""
        for connection in self._connections.get(chat_id, ()):
            connection.wake.set()

    async def broadcast(self, chat_id: str, data: dict[str, Any]) -> None:
        for connection in list(self._connections.get(chat_id, ())):
            await connection.send_json(data)

    async def close_all(self) -> None:
        """Close every open socket at once (each close waits for the browser's reply, up to
        the socket's close timeout), so shutdown takes one timeout, not one per tab."""
        connections = [c for chat in self._connections.values() for c in chat]
        await asyncio.gather(
            *(c.ws.close(code=1001, message=b"server shutdown") for c in connections),
            return_exceptions=True,
        )


class WebSender:
    """The outbox dispatcher's way into the web chat: store, then push to open sockets."""

    traits = WEB

    def __init__(self, ctx: AppContext, hub: ChatHub) -> None:
        self.ctx = ctx
        self.hub = hub

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        try:
            async with self.ctx.db.session() as session:
                known = await session.scalar(
                    select(ChannelIdentity.id)
                    .where(ChannelIdentity.channel == WEB.name, ChannelIdentity.chat_id == chat_id)
                    .limit(1)
                )
                if known is None:
                    raise SendRejected(f"no web chat {chat_id}")
                rows = await store_outgoing(session, self.ctx, chat_id, replies)
        except DBAPIError as exc:
            raise SendTemporaryError(f"storing the web message failed: {exc}") from exc
        self.hub.notify(chat_id)
        return SendResult(str(rows[-1].id) if rows else None)
