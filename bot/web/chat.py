"""The web chat channel: a third adapter over the unchanged ``handlers``.

A browser gets a random token in an HttpOnly cookie; the chat id (and user id) of that
browser is a hash of it, so the database never holds the credential. The page talks over a
WebSocket (``/chat/ws``):

* browser → server: ``{"type": "message", "id": <client id>, "text": ...}`` or
  ``{"type": "button", "id": <client id>, "data": <callback data>, "origin": <message id>}``.
  The client id makes a resend idempotent: it is the dispatcher's update key.
* server → browser: ``history`` on connect, then ``message`` (new rows of the chat),
  ``edit`` (a reply that replaces the message whose button was pressed), ``ack``/``error``
  per client id.

Before a browser is linked (``/start <invite code>``), only ``/start``, ``/trogiup`` and
``/huy`` (and their aliases) are stored and handled; anything else, a message over
``web_chat.unlinked_max_chars`` or more than the per-browser / per-address rate allows is
answered with a notice that is not stored. Invite codes typed after ``/start`` and the secrets
a reply marks (:attr:`bot.messages.Reply.secrets`: login links, link codes) are stored masked;
the browser that asked sees the real value once, live.

Every outgoing message — replies, reminders and digests from the outbox — is first stored in
``web_messages`` (the chat's history) and then pushed to the chat's open sockets, so a message
sent while the browser is closed appears when it connects, and :class:`WebSender` succeeds as
soon as the row is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_traits import WEB
from bot.channels.core.ordering import ChatOrder
from bot.context import AppContext
from bot.i18n import format_datetime
from bot.messages import Attachment, IncomingMessage, Reply
from bot.models import ChannelIdentity, ConversationState, Official, WebMessage
from bot.sending import SendRejected, SendResult, SendTemporaryError
from bot.services import audit
from bot.services.access import revoked_official
from bot.services.directory import official_by_identity
from bot.text_cleaning import clean_text
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.auth import expire_web_chat_link
from bot.web.demo import DemoSwitch, demo_official, demo_officials
from bot.web.guard import attachment_header
from bot.web.limits import SlidingWindowLimiter, client_address
from bot.web.pages import CSRF_FIELD, message_page, same_origin
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from handlers import Dispatcher
from handlers.dispatcher import COMMAND_RE
from handlers.texts import TEXTS as HANDLER_TEXTS

log = logging.getLogger(__name__)

CHAT_COOKIE = "dondoc_chat"
HISTORY_LIMIT = 200
BATCH = 100
POLL_SECONDS = 5.0
"""Fallback poll of the chat's new rows (messages stored by another instance)."""
MAX_TEXT = 20_000
MAX_CALLBACK = 256
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_ROW_ID = 2**31 - 1
"""Row ids are 32-bit integers: a larger id in a URL or frame names nothing."""
UNLINKED_COMMANDS = frozenset({"start", "trogiup", "huy"})
"""What a browser not yet linked to an official may send (by command name, aliases too)."""
SECRET_ARGUMENT_COMMANDS = frozenset({"start"})
"""Commands whose arguments are secrets (an invite or link code): stored masked."""
MASK = "••••••"
UPLOAD_CHUNK = 64 * 1024
MIME_RE = re.compile(r"^[\w.+-]+/[\w.+-]+$")

Send = Callable[[dict[str, Any]], Awaitable[None]]
"""Delivers one frame to the browser a message came from (its socket, or an upload's answer)."""


def chat_id_for(browser_token: str) -> str:
    """The chat id (and user id) of a browser: a hash of its cookie token."""
    return hashlib.sha256(f"dondoc-web-chat:{browser_token}".encode()).hexdigest()[:40]


def chat_csrf(browser_token: str) -> str:
    """The CSRF token of the chat page's forms, derived from the (unreadable) cookie."""
    return hashlib.sha256(f"dondoc-web-csrf:{browser_token}".encode()).hexdigest()


# --- storage ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Upload:
    """A file attached in the chat, as the page posts it (``/chat/upload``)."""

    csrf: str
    client_id: str
    text: str
    name: str
    mime: str
    content: bytes


class UploadRefusedError(Exception):
    """An upload that is not stored: ``key`` is the web catalog's text for the person."""

    def __init__(self, key: str, status: int, client_id: str | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.client_id = client_id


def megabytes(size: int) -> str:
    """``10485760`` → ``10 MB``, ``1536`` → ``1,5 KB`` (an upload limit as people read it)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}".replace(".", ",")
    return f"{size} B"


def upload_url(row_id: int) -> str:
    """Where the dashboard serves an attached file to those who may read the report's task
    (:mod:`bot.web.uploads`)."""
    return f"/uploads/{row_id}"


async def _read_part(part: BodyPartReader, limit: int, key: str) -> bytes:
    """A multipart field's bytes; more than ``limit`` refuses the upload with ``key``."""
    content = bytearray()
    while chunk := await part.read_chunk(UPLOAD_CHUNK):
        content += chunk
        if len(content) > limit:
            raise UploadRefusedError(key, 413)
    return bytes(content)


async def read_upload(request: web.Request, limit: int) -> Upload:
    """The fields ``csrf``, ``id``, ``text`` and ``file`` of a multipart form, the file at
    most ``limit`` bytes (read in chunks: a larger one is never held whole)."""
    if request.content_type != "multipart/form-data":
        raise UploadRefusedError("chat.upload_bad", 400)
    fields: dict[str, str] = {}
    file: tuple[str, str, bytes] | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name not in ("csrf", "id", "text", "file"):
            raise UploadRefusedError("chat.upload_bad", 400, fields.get("id"))
        if part.name != "file":
            raw = await _read_part(part, MAX_TEXT * 4, "chat.upload_bad")
            fields[part.name] = clean_text(raw.decode("utf-8", errors="replace"))
            continue
        try:
            content = await _read_part(part, limit, "chat.upload_too_large")
        except UploadRefusedError as refused:
            refused.client_id = fields.get("id")
            raise
        mime = part.headers.get("Content-Type", "")
        name = clean_text(part.filename or "").strip()[:255]
        file = (name, mime if MIME_RE.match(mime) and len(mime) <= 128 else "", content)
    client_id = fields.get("id", "")
    if not CLIENT_ID.match(client_id):
        raise UploadRefusedError("chat.upload_bad", 400)
    if file is None or not file[0] or not file[2]:
        raise UploadRefusedError("chat.upload_empty", 400, client_id)
    text = fields.get("text", "").strip()
    if len(text) > MAX_TEXT:
        raise UploadRefusedError("chat.upload_bad", 400, client_id)
    name, mime, content = file
    return Upload(
        fields.get("csrf", ""), client_id, text, name, mime or "application/octet-stream", content
    )


async def store_upload(session: AsyncSession, ctx: AppContext, chat_id: str, upload: Upload) -> int:
    """Keep an attached file in the chat's history, as the bot's own documents are kept;
    the row's id (the same row again for a resent upload)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    document = {
        "name": upload.name,
        "mime": upload.mime,
        "size": len(upload.content),
        "content": upload.content.hex(),
    }
    await session.execute(
        insert(WebMessage)
        .values(
            chat_id=chat_id,
            direction="in",
            client_id=upload.client_id,
            payload={"text": upload.text, "document": document},
            created_at=ctx.now(),
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "client_id"])
    )
    row_id = await session.scalar(
        select(WebMessage.id).where(
            WebMessage.chat_id == chat_id, WebMessage.client_id == upload.client_id
        )
    )
    assert row_id is not None
    return row_id


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


# --- live connections -------------------------------------------------------------------------


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


# --- HTTP ---------------------------------------------------------------------------------------


class WebChat:
    """Routes of the chat page, its WebSocket, its file downloads and the demo picker."""

    def __init__(
        self, ctx: AppContext, dispatcher: Dispatcher, hub: ChatHub, demo: DemoSwitch
    ) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.hub = hub
        self.demo = demo
        self.limiter = SlidingWindowLimiter()
        self.order = ChatOrder()
        """One chat's messages are handled in order, also from several tabs."""

    def register(self, app: web.Application) -> None:
        app.router.add_get("/chat", self.chat_page)
        app.router.add_get("/chat/ws", self.socket)
        app.router.add_get("/chat/files/{id:\\d+}/{part}", self.file)
        app.router.add_post("/chat/upload", self.upload)
        app.router.add_post("/chat/demo", self.demo_pick)

    @property
    def lang(self) -> str:
        return self.ctx.settings.language

    def _secure(self, request: web.Request) -> bool:
        public = self.ctx.settings.public_base_url or ""
        return request.secure or public.startswith("https://")

    async def chat_page(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(CHAT_COOKIE)
        new_token = token is None
        if token is None:
            token = secrets.token_urlsafe(32)
        chat_id = chat_id_for(token)
        async with self.ctx.db.session() as session:
            await expire_web_chat_link(session, self.ctx, chat_id)
            official = await official_by_identity(session, WEB.name, chat_id)
            demo = await demo_officials(session) if await self.demo.enabled(session) else None
        lang = official.language if official and official.language in ("vi", "en") else self.lang
        context = {
            "title": TEXTS.t("chat.title", lang),
            "official": official,
            "demo_officials": demo,
            "csrf": chat_csrf(token),
            "upload_limit": self.ctx.settings.web_chat_upload_max_bytes,
            "upload_limit_text": megabytes(self.ctx.settings.web_chat_upload_max_bytes),
        }
        response = render_page(request, "chat.html", lang, context)
        if new_token:
            response.set_cookie(
                CHAT_COOKIE,
                token,
                max_age=self.ctx.settings.web_chat_link_days * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=self._secure(request),
                path="/chat",
            )
        return response

    async def demo_pick(self, request: web.Request) -> web.StreamResponse:
        """Demo mode: link this browser to a chosen official (audited), then back to /chat."""
        form = await request.post()
        token = request.cookies.get(CHAT_COOKIE)
        submitted = form.get(CSRF_FIELD)
        valid = (
            token is not None
            and isinstance(submitted, str)
            and hmac.compare_digest(chat_csrf(token), submitted)
            and same_origin(request, self.ctx.settings.public_base_url)
        )
        async with self.ctx.db.session() as session:
            if not valid or token is None or not await self.demo.enabled(session):
                return message_page(
                    request,
                    self.lang,
                    "error.csrf_title",
                    TEXTS.t("error.csrf", self.lang),
                    status=403,
                )
            code = form.get("official")
            official = await demo_official(session, code)
            if official is None:
                return message_page(
                    request,
                    self.lang,
                    "error.not_found_title",
                    TEXTS.t("demo.unknown", self.lang),
                    status=404,
                )
            chat_id = chat_id_for(token)
            await link_web_identity(session, self.ctx, official, chat_id)
            role = DOMAIN_TEXTS.t(f"role.{official.role.value}", official.language)
            welcome = HANDLER_TEXTS.t(
                "start.linked", official.language, name=official.full_name, role=role
            )
            await store_outgoing(session, self.ctx, chat_id, [Reply(welcome)])
        self.hub.notify(chat_id)
        raise web.HTTPSeeOther("/chat")

    async def file(self, request: web.Request) -> web.StreamResponse:
        """A document or picture the bot sent to this browser's chat, or a file the person
        attached there (this browser's chat only)."""
        token = request.cookies.get(CHAT_COOKIE)
        part = request.match_info["part"]
        if token is None or part not in ("document", "photo"):
            raise web.HTTPNotFound()
        row_id = int(request.match_info["id"])
        if row_id > MAX_ROW_ID:
            raise web.HTTPNotFound()
        async with self.ctx.db.session() as session:
            row = await session.get(WebMessage, row_id)
        item = row.payload.get(part) if row else None
        if row is None or row.chat_id != chat_id_for(token) or not item or not item.get("content"):
            raise web.HTTPNotFound()
        mime = str(item.get("mime") or "application/octet-stream")
        inline = part == "photo" and mime in IMAGE_TYPES
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}
        if not inline:
            headers["Content-Disposition"] = attachment_header(str(item.get("name") or "file"))
            mime = mime if re.fullmatch(r"[\w.+-]+/[\w.+-]+", mime) else "application/octet-stream"
        return web.Response(body=bytes.fromhex(item["content"]), content_type=mime, headers=headers)

    async def socket(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(CHAT_COOKIE)
        if token is None or not same_origin(request, self.ctx.settings.public_base_url):
            raise web.HTTPForbidden()
        chat_id = chat_id_for(token)
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=256 * 1024)
        await ws.prepare(request)
        connection = ChatConnection(ws, chat_id, self.ctx)
        await connection.send_history(await self._linked_name(chat_id))
        self.hub.attach(connection)
        pump = asyncio.create_task(connection.pump())
        language = _accept_language(request)
        address = client_address(request)
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                handle = partial(self._on_frame, connection, frame.data, language, address)
                await self.order.submit(connection.chat_id, handle)
        finally:
            self.hub.detach(connection)
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        return ws

    async def _on_frame(
        self, connection: ChatConnection, raw: str, language: str | None, address: str
    ) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            await connection.send_json({"type": "error", "reason": "bad_json"})
            return
        message = self._incoming(connection.chat_id, data, language)
        client_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            client_id = None  # never echo what the page could not have sent
        if message is None:
            await connection.send_json({"type": "error", "id": client_id, "reason": "bad_request"})
            return
        await self._process(
            connection.chat_id, message, str(client_id), language, address, connection.send_json
        )

    async def _process(
        self,
        chat_id: str,
        message: IncomingMessage,
        client_id: str,
        language: str | None,
        address: str,
        send: Send,
        *,
        stored: bool = False,
    ) -> None:
        """Handle one valid message from a browser: refuse it if the browser may not send it,
        keep what was typed in the history (``stored``: already kept, as an attached file
        is), let the handlers answer, and tell the browser through ``send``."""
        try:
            async with self.ctx.db.session() as session:
                await expire_web_chat_link(session, self.ctx, chat_id)
                official = await official_by_identity(session, WEB.name, chat_id)
                # A revoked official's browser hears why from the dispatcher instead.
                revoked = official is None and (
                    await revoked_official(session, WEB.name, chat_id) is not None
                )
            if official is None and not revoked:
                refusal = self._unlinked_refusal(message, address)
                if refusal is not None:
                    key, limit = refusal
                    await send(self._notice(client_id, key, language, limit=limit))
                    await send({"type": "ack", "id": client_id, "linked": None})
                    return
            if message.text is not None and not stored:
                async with self.ctx.db.session() as session:
                    await store_incoming(
                        session, self.ctx, chat_id, client_id, self._stored_text(message.text)
                    )
                self.hub.notify(chat_id)
            replies = await self.dispatcher.handle(message, WEB)
            await self._deliver(chat_id, send, replies, message.origin_message_id)
            linked = await self._linked_name(chat_id)
        except DBAPIError:
            log.exception("web chat message %s not processed", message.update_key)
            await send({"type": "error", "id": client_id, "reason": "retry"})
            return
        await send({"type": "ack", "id": client_id, "linked": linked})

    async def upload(self, request: web.Request) -> web.StreamResponse:
        """A file a linked official attaches (the document a report asks for): kept in the
        chat's history, then handled as a message carrying it, as a Telegram document is.
        The answer lists the frames the socket would have sent (a refusal as a bot notice)."""
        token = request.cookies.get(CHAT_COOKIE)
        if token is None or not same_origin(request, self.ctx.settings.public_base_url):
            raise web.HTTPForbidden()
        chat_id = chat_id_for(token)
        language = _accept_language(request)
        limit = self.ctx.settings.web_chat_upload_max_bytes
        try:
            upload = await read_upload(request, limit)
        except UploadRefusedError as refused:
            return self._upload_refused(refused, language, limit)
        if not hmac.compare_digest(upload.csrf, chat_csrf(token)):
            raise web.HTTPForbidden()
        async with self.ctx.db.session() as session:
            await expire_web_chat_link(session, self.ctx, chat_id)
            official = await official_by_identity(session, WEB.name, chat_id)
            if official is None:
                return self._upload_refused(
                    UploadRefusedError("chat.link_first", 403, upload.client_id), language, limit
                )
            row_id = await store_upload(session, self.ctx, chat_id, upload)
        self.hub.notify(chat_id)
        message = IncomingMessage(
            channel=WEB.name,
            user_id=chat_id,
            chat_id=chat_id,
            update_key=f"{chat_id}:{upload.client_id}",
            text=upload.text or None,
            attachment=Attachment(
                kind="document",
                file_id=str(row_id),
                url=upload_url(row_id),
                name=upload.name,
                mime=upload.mime,
                size=len(upload.content),
            ),
            language=language,
            sent_at=self.ctx.now(),
        )
        frames: list[dict[str, Any]] = []

        async def collect(frame: dict[str, Any]) -> None:
            frames.append(frame)

        job = partial(
            self._process,
            chat_id,
            message,
            upload.client_id,
            language,
            client_address(request),
            collect,
            stored=True,
        )
        await self.order.submit(chat_id, job)
        return web.json_response({"frames": frames})

    def _upload_refused(
        self, refused: UploadRefusedError, language: str | None, limit: int
    ) -> web.Response:
        client_id = refused.client_id or "upload"
        frames = [
            self._notice(client_id, refused.key, language, limit=megabytes(limit)),
            {"type": "error", "id": refused.client_id, "reason": refused.key},
        ]
        return web.json_response({"frames": frames}, status=refused.status)

    def _command_name(self, text: str) -> str | None:
        """The command ``text`` calls (by its main name, aliases resolved), if any."""
        match = COMMAND_RE.match(text.strip())
        spec = self.dispatcher.commands.get(match["name"].lower()) if match else None
        return spec.name if spec else None

    def _unlinked_refusal(self, message: IncomingMessage, address: str) -> tuple[str, int] | None:
        """Why a browser that is not linked may not send this (text key and limit), if so."""
        limits = self.ctx.settings.web_chat
        now = self.ctx.now()
        browser_ok = self.limiter.allow(
            f"browser:{message.chat_id}", limits.unlinked_per_browser_per_minute, now
        )
        if not browser_ok:
            return "chat.rate_limited", limits.unlinked_per_browser_per_minute
        if not self.limiter.allow(
            f"address:{address}", limits.unlinked_per_address_per_minute, now
        ):
            return "chat.rate_limited", limits.unlinked_per_address_per_minute
        text = message.text
        if text is not None and len(text) > limits.unlinked_max_chars:
            return "chat.too_long", limits.unlinked_max_chars
        if text is None or self._command_name(text) not in UNLINKED_COMMANDS:
            return "chat.link_first", 0
        return None

    def _stored_text(self, text: str) -> str:
        """What the history keeps of a typed text: an invite code after ``/start`` masked."""
        if self._command_name(text) not in SECRET_ARGUMENT_COMMANDS:
            return text
        match = COMMAND_RE.match(text.strip())
        if match is None or not match["args"]:
            return text
        return text.strip()[: match.start("args")] + MASK

    def _notice(
        self, client_id: str, key: str, language: str | None, **params: object
    ) -> dict[str, Any]:
        """A bot message for this browser only, never stored (nothing is kept for it)."""
        lang = "en" if language and language.lower().startswith("en") else self.lang
        return {
            "type": "message",
            "message": {
                "id": f"notice-{client_id}",
                "direction": "out",
                "text": TEXTS.t(key, lang, **params),
                "at": format_datetime(self.ctx.now(), self.ctx.tz),
                "buttons": [],
            },
        }

    async def _linked_name(self, chat_id: str) -> str | None:
        """Who this browser chats as now (``/start`` may just have linked it)."""
        async with self.ctx.db.session() as session:
            official = await official_by_identity(session, WEB.name, chat_id)
        return official.full_name if official else None

    def _incoming(self, chat_id: str, data: object, language: str | None) -> IncomingMessage | None:
        """Validate one frame from the browser into a neutral message (None if malformed)."""
        if not isinstance(data, dict):
            return None
        client_id = data.get("id")
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            return None
        common: dict[str, Any] = {
            "channel": WEB.name,
            "user_id": chat_id,
            "chat_id": chat_id,
            "update_key": f"{chat_id}:{client_id}",
            "chat_type": "private",
            "language": language,
            "sent_at": self.ctx.now(),
        }
        kind = data.get("type")
        if kind == "message":
            text = data.get("text")
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                return None
            text = clean_text(text)
            if not text.strip():
                return None
            return IncomingMessage(text=text, **common)
        if kind == "button":
            callback = data.get("data")
            origin = data.get("origin")
            if not isinstance(callback, str) or len(callback) > MAX_CALLBACK:
                return None
            callback = clean_text(callback)
            if not callback:
                return None
            if origin is not None and (
                not isinstance(origin, int)
                or isinstance(origin, bool)
                or not 0 < origin <= MAX_ROW_ID
            ):
                return None
            return IncomingMessage(
                callback_data=callback,
                origin_message_id=None if origin is None else str(origin),
                **common,
            )
        return None

    async def _deliver(
        self, chat_id: str, send: Send, replies: Sequence[Reply], origin: str | None
    ) -> None:
        """Store the replies; one marked ``edit`` replaces the message whose button was
        pressed (if it is this chat's), the others become new messages. A reply with secrets
        is stored masked and shown unmasked to the asking browser only (as an edit of its
        stored row, which the page applies whether the row arrived before or after)."""
        if not replies:
            return
        edited: list[tuple[WebMessage, Reply]] = []
        async with self.ctx.db.session() as session:
            fresh: list[Reply] = []
            for reply in replies:
                target = None
                if reply.edit and origin is not None and not edited:
                    target = await session.get(WebMessage, int(origin))
                if target is not None and target.chat_id == chat_id and target.direction == "out":
                    target.payload = stored_payload(reply)
                    edited.append((target, reply))
                else:
                    fresh.append(reply)
            rows = await store_outgoing(session, self.ctx, chat_id, fresh)
        for row, _reply in edited:
            await self.hub.broadcast(
                chat_id, {"type": "edit", "message": message_json(row, self.ctx)}
            )
        self.hub.notify(chat_id)
        for row, reply in [*edited, *zip(rows, fresh, strict=True)]:
            if reply.secrets:
                revealed = {**message_json(row, self.ctx), "text": reply.text}
                await send({"type": "edit", "message": revealed})


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


def _accept_language(request: web.Request) -> str | None:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return first or None
