"""What a browser sends in the web chat, and how it is answered.

A message (a typed text, a pressed button, an attached file) is refused if the browser may
not send it, kept in the chat's history, handed to the unchanged ``handlers``, and the
replies are stored and pushed to the chat's open sockets.

Before a browser is linked (``/start <invite code>``), only ``/start``, ``/trogiup`` and
``/huy`` (and their aliases) are stored and handled; anything else, a message over
``web_chat.unlinked_max_chars`` or more than the per-browser / per-address rate allows is
answered with a notice that is not stored. Invite codes typed after ``/start`` and the secrets
a reply marks (:attr:`bot.messages.Reply.secrets`: login links, link codes) are stored masked;
the browser that asked sees the real value once, live.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.i18n import format_datetime
from bot.messages import IncomingMessage, Reply
from bot.models import WebMessage
from bot.services.access import revoked_official
from bot.services.directory import official_by_identity
from bot.text_cleaning import clean_text
from bot.web.auth import expire_web_chat_link
from bot.web.chat_hub import ChatHub
from bot.web.chat_store import MASK, message_json, store_incoming, store_outgoing, stored_payload
from bot.web.limits import SlidingWindowLimiter
from bot.web.texts import TEXTS
from handlers import Dispatcher
from handlers.dispatcher import COMMAND_RE

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
MAX_CALLBACK = 256
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_ROW_ID = 2**31 - 1
"""Row ids are 32-bit integers: a larger id in a URL or frame names nothing."""
UNLINKED_COMMANDS = frozenset({"start", "trogiup", "huy"})
"""What a browser not yet linked to an official may send (by command name, aliases too)."""
SECRET_ARGUMENT_COMMANDS = frozenset({"start"})
"""Commands whose arguments are secrets (an invite or link code): stored masked."""

Send = Callable[[dict[str, Any]], Awaitable[None]]
"""Delivers one frame to the browser a message came from (its socket, or an upload's answer)."""


class IncomingHandler:
    """Handles the messages of the chat's browsers, whichever route brought them."""

    def __init__(self, ctx: AppContext, dispatcher: Dispatcher, hub: ChatHub) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.hub = hub
        self.limiter = SlidingWindowLimiter()

    @property
    def lang(self) -> str:
        return self.ctx.settings.language

    async def process(
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
                    await send(self.notice(client_id, key, language, limit=limit))
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
            linked = await self.linked_name(chat_id)
        except DBAPIError:
            log.exception("web chat message %s not processed", message.update_key)
            await send({"type": "error", "id": client_id, "reason": "retry"})
            return
        await send({"type": "ack", "id": client_id, "linked": linked})

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

    def notice(
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

    async def linked_name(self, chat_id: str) -> str | None:
        """Who this browser chats as now (``/start`` may just have linked it)."""
        async with self.ctx.db.session() as session:
            official = await official_by_identity(session, WEB.name, chat_id)
        return official.full_name if official else None

    def frame_message(
        self, chat_id: str, data: object, language: str | None
    ) -> IncomingMessage | None:
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
