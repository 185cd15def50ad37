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

The frames a browser sends are validated and answered by :mod:`bot.web.chat_incoming`, the
chat's history is kept by :mod:`bot.web.chat_store`, attached files are read by
:mod:`bot.web.chat_attachments`, and the open sockets are served by :mod:`bot.web.chat_hub`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import re
import secrets
from functools import partial
from typing import Any

from aiohttp import WSMsgType, web

from bot.channel_traits import WEB
from bot.channels.core.ordering import ChatOrder
from bot.context import AppContext
from bot.messages import Attachment, IncomingMessage, Reply
from bot.models import WebMessage
from bot.services.directory import official_by_identity
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.auth import expire_web_chat_link
from bot.web.chat_attachments import (
    UploadRefusedError,
    megabytes,
    read_upload,
    store_upload,
    upload_url,
)
from bot.web.chat_hub import ChatConnection, ChatHub
from bot.web.chat_incoming import CLIENT_ID, MAX_ROW_ID, IncomingHandler
from bot.web.chat_store import chat_csrf, chat_id_for, link_web_identity, store_outgoing
from bot.web.demo import DemoSwitch, demo_official, demo_officials
from bot.web.guard import attachment_header
from bot.web.limits import client_address
from bot.web.pages import CSRF_FIELD, message_page, same_origin
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from handlers import Dispatcher
from handlers.texts import TEXTS as HANDLER_TEXTS

CHAT_COOKIE = "dondoc_chat"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class WebChat:
    """Routes of the chat page, its WebSocket, its file downloads and the demo picker."""

    def __init__(
        self, ctx: AppContext, dispatcher: Dispatcher, hub: ChatHub, demo: DemoSwitch
    ) -> None:
        self.ctx = ctx
        self.hub = hub
        self.demo = demo
        self.incoming = IncomingHandler(ctx, dispatcher, hub)
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
        await connection.send_history(await self.incoming.linked_name(chat_id))
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
        message = self.incoming.frame_message(connection.chat_id, data, language)
        client_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            client_id = None  # never echo what the page could not have sent
        if message is None:
            await connection.send_json({"type": "error", "id": client_id, "reason": "bad_request"})
            return
        await self.incoming.process(
            connection.chat_id, message, str(client_id), language, address, connection.send_json
        )

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
            self.incoming.process,
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
            self.incoming.notice(client_id, refused.key, language, limit=megabytes(limit)),
            {"type": "error", "id": refused.client_id, "reason": refused.key},
        ]
        return web.json_response({"frames": frames}, status=refused.status)


def _accept_language(request: web.Request) -> str | None:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return first or None
