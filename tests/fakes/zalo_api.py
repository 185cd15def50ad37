"""A fake Zalo Bot API server for tests and benchmarks.

``POST /bot<TOKEN>/<method>`` with JSON, answering ``{ok, result}`` or
``{ok: false, error_code, description}`` like the Zalo Bot Platform (DESIGN.md, "Channel
facts"): ``getUpdates`` long-polls and returns ONE update, or error 408 when none arrives;
polling and a webhook exclude each other; text is limited to 2000 characters.

    async with FakeZaloServer() as server:
        client = ZaloClient(server.token, base_url=server.url)
        server.push_text("u1", "xin chào")
        update = await client.get_updates(timeout=1)

Where the real service's behaviour is undocumented, the fake picks one: errors use the HTTP
status equal to ``error_code`` (the 408 "no update" answer comes with HTTP 200), the webhook
conflict is a 400, and sending to a chat the bot has never seen is allowed.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from tests.fakes.common import Counts, JSONDict, LocalServer, RecordedCall

MAX_TEXT_LENGTH = 2000
_CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ZaloApiError(Exception):
    """An error answer of the fake API; raised inside method handlers."""

    def __init__(
        self,
        error_code: int,
        description: str | None = None,
        *,
        http_status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.error_code = error_code
        self.description = description or _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        self.http_status = error_code if http_status is None else http_status
        self.retry_after = retry_after
        super().__init__(f"{error_code} {self.description}")

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True, slots=True)
class SentZaloMessage:
    """Something the bot sent: text, photo (URL and caption) or sticker."""

    method: str
    chat_id: str
    message_id: str
    date: int  # milliseconds, as Zalo reports it
    text: str | None = None
    photo: str | None = None
    caption: str | None = None
    sticker: str | None = None


@dataclass
class _Fault:
    status: int | Literal["hang"]
    remaining: int | None
    retry_after: int | None
    description: str | None
    http_status: int | None
    hang_for: float | None
    chat_id: str | None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _opaque_id(*parts: object) -> str:
    """A stable 20-hex-digit id, shaped like Zalo's opaque chat and message ids."""
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()[:20]


def _text_param(params: JSONDict, name: str, required: bool) -> str | None:
    value = params.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT_LENGTH:
        raise ZaloApiError(400, f"{name} must be between 1 and {MAX_TEXT_LENGTH} characters")
    return value


def _required(params: JSONDict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ZaloApiError(400, f"{name} is required")
    return value


def _json_response(body: JSONDict, status: int) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )


class FakeZaloServer(LocalServer):
    """In-process fake of the Zalo Bot API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        token: str = "1234567890:fake-zalo-secret",
        account_name: str = "bot.dondoc",
    ) -> None:
        super().__init__()
        self.token = token
        self.bot_id = token.split(":", 1)[0]
        self.account_name = account_name
        self.calls: list[RecordedCall] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._webhook_updated_at = 0
        self._handlers = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }
        self._updates: deque[JSONDict] = deque()
        self._message_counter = itertools.count(1)
        self._sent: list[SentZaloMessage] = []
        self._sent_counts = Counts()
        self._call_counts = Counts()
        self._faults: dict[str, list[_Fault]] = {}

    # ------------------------------------------------------------------ lifecycle

    def _application(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle_api)
        return app

    # ------------------------------------------------------------------ user simulation

    def chat_id_for(self, user_id: str | int) -> str:
        """The opaque per-bot id of a user's chat (also their ``from.id``)."""
        return _opaque_id(self.bot_id, user_id)

    def push_update(self, update: JSONDict) -> JSONDict:
        """Enqueue a raw update for getUpdates; return it."""
        self._updates.append(update)
        self._update_arrived.set()
        self._update_arrived = asyncio.Event()
        return update

    def _user_message(self, user_id: str | int, display_name: str | None) -> JSONDict:
        chat_id = self.chat_id_for(user_id)
        return {
            "message_id": _opaque_id("in", self.bot_id, next(self._message_counter)),
            "date": _now_ms(),
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "from": {
                "id": chat_id,
                "display_name": display_name or f"Người dùng {user_id}",
                "is_bot": False,
            },
        }

    def push_text(self, user_id: str | int, text: str, display_name: str | None = None) -> JSONDict:
        """A user writes ``text``; return the update (its chat id is ``chat_id_for(user_id)``)."""
        message = self._user_message(user_id, display_name)
        message["text"] = text
        return self.push_update({"event_name": "message.text.received", "message": message})

    def push_image(
        self,
        user_id: str | int,
        photo_url: str,
        caption: str | None = None,
        display_name: str | None = None,
    ) -> JSONDict:
        message = self._user_message(user_id, display_name)
        message["photo"] = photo_url
        if caption is not None:
            message["caption"] = caption
        return self.push_update({"event_name": "message.image.received", "message": message})

    def push_sticker(
        self, user_id: str | int, sticker: str, display_name: str | None = None
    ) -> JSONDict:
        message = self._user_message(user_id, display_name)
        message["sticker"] = sticker
        message["url"] = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
        return self.push_update({"event_name": "message.sticker.received", "message": message})

    # ------------------------------------------------------------------ inspection

    def sent_messages(self, chat_id: str | None = None) -> list[SentZaloMessage]:
        """What the bot sent, oldest first, optionally for one chat."""
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m.chat_id == chat_id]

    async def wait_for_messages(
        self,
        chat_id: str | None,
        count: int,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[SentZaloMessage]:
        """Wait until ``sent_messages(chat_id)`` has at least ``count`` entries; return them."""
        await self._sent_counts.wait(chat_id, count, timeout, f"messages to chat {chat_id}")
        return self.sent_messages(chat_id)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[JSONDict]:
        """Wait until ``method`` has been called ``count`` times; return ``calls_to(method)``."""
        await self._call_counts.wait(method, count, timeout, f"calls to {method}")
        return self.calls_to(method)

    def calls_to(self, method: str) -> list[JSONDict]:
        return [c.params for c in self.calls if c.method == method]

    def pending_updates(self) -> int:
        return len(self._updates)

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str,
        status: int | Literal["hang"] = 429,
        *,
        times: int | None = 1,
        retry_after: int | None = None,
        description: str | None = None,
        http_status: int | None = None,
        hang_for: float | None = None,
        chat_id: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail (``times=None``: until cleared).

        ``status`` is the ``error_code`` answered (HTTP status the same unless
        ``http_status`` is given, e.g. 200 for an ``ok: false`` body on HTTP 200), or
        ``"hang"``: no answer until the server stops or, with ``hang_for``, normal processing
        after that many seconds. ``retry_after`` adds ``parameters.retry_after``;
        ``chat_id`` restricts the fault to calls for that chat.
        """
        self._faults.setdefault(method, []).append(
            _Fault(status, times, retry_after, description, http_status, hang_for, chat_id)
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------ webhook helper

    async def deliver_webhook(
        self,
        url: str,
        update: JSONDict,
        secret_token: str | None = None,
        wrapped: bool = False,
    ) -> int:
        """POST ``update`` to a bot's webhook, raw or as ``{ok, result}``; return the status."""
        if self._client is None:
            raise RuntimeError("server not started")
        body = {"ok": True, "result": update} if wrapped else update
        headers = {"X-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        async with self._client.post(url, json=body, headers=headers) as response:
            return response.status

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(ZaloApiError(401).body(), 401)
        method = request.match_info["method"]
        handler = self._handlers.get(method)
        if handler is None:
            return _json_response(ZaloApiError(404).body(), 404)
        raw = await request.read()
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return _json_response(ZaloApiError(400, "Body must be a JSON object").body(), 400)
        self.calls.append(RecordedCall(method, params, time.monotonic()))
        self._call_counts.add(method)
        try:
            fault = self._take_fault(method, params)
            if fault is not None:
                await self._apply_fault(fault)
            result = await handler(params)
        except ZaloApiError as error:
            return _json_response(error.body(), error.http_status)
        body: JSONDict = {"ok": True}
        if result is not None:
            body["result"] = result
        return _json_response(body, 200)

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        for fault in self._faults.get(method, []):
            if fault.chat_id is not None and fault.chat_id != params.get("chat_id"):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults[method].remove(fault)
            return fault
        return None

    async def _apply_fault(self, fault: _Fault) -> None:
        if fault.status != "hang":
            raise ZaloApiError(
                fault.status,
                fault.description,
                http_status=fault.http_status,
                retry_after=fault.retry_after,
            )
        try:
            await asyncio.wait_for(self._closing.wait(), fault.hang_for)
        except TimeoutError:
            return  # hung long enough: now process the request normally
        raise ZaloApiError(502)

    def _record(self, method: str, chat_id: str, **content: str | None) -> JSONDict:
        sent = SentZaloMessage(
            method=method,
            chat_id=chat_id,
            message_id=_opaque_id("out", self.bot_id, next(self._message_counter)),
            date=_now_ms(),
            **content,
        )
        self._sent.append(sent)
        self._sent_counts.add(chat_id)
        return {"message_id": sent.message_id, "date": sent.date}

    # ------------------------------------------------------------------ Bot API methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            "id": self.bot_id,
            "account_name": self.account_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: JSONDict) -> JSONDict:
        if self.webhook_url:
            raise ZaloApiError(400, "Webhook is active; call deleteWebhook to use getUpdates")
        try:
            timeout = max(float(params.get("timeout", 30)), 0.0)
        except (TypeError, ValueError):
            raise ZaloApiError(400, "timeout must be a number of seconds") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._update_arrived.wait(), remaining)
            except TimeoutError:
                break
        if not self._updates:
            raise ZaloApiError(408, http_status=200)
        return self._updates.popleft()

    def _webhook_info(self) -> JSONDict:
        return {"url": self.webhook_url, "updated_at": self._webhook_updated_at}

    async def _set_webhook(self, params: JSONDict) -> JSONDict:
        url = _required(params, "url")
        if not url.startswith("https://"):
            raise ZaloApiError(400, "url must be an HTTPS URL")
        secret = params.get("secret_token")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ZaloApiError(400, "secret_token must be between 8 and 256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        self._webhook_updated_at = _now_ms()
        return self._webhook_info()

    async def _delete_webhook(self, params: JSONDict) -> JSONDict:
        self.webhook_url, self.webhook_secret = "", None
        self._webhook_updated_at = _now_ms()
        return self._webhook_info()

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return self._webhook_info()

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = _required(params, "chat_id")
        text = _text_param(params, "text", required=True)
        return self._record("sendMessage", chat_id, text=text)

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        chat_id = _required(params, "chat_id")
        photo = _required(params, "photo")
        if not photo.startswith(("http://", "https://")):
            raise ZaloApiError(400, "photo must be a public URL")
        caption = _text_param(params, "caption", required=False)
        return self._record("sendPhoto", chat_id, photo=photo, caption=caption)

    async def _send_sticker(self, params: JSONDict) -> JSONDict:
        chat_id = _required(params, "chat_id")
        sticker = _required(params, "sticker")
        return self._record("sendSticker", chat_id, sticker=sticker)

    async def _send_chat_action(self, params: JSONDict) -> None:
        _required(params, "chat_id")
        if params.get("action") not in _CHAT_ACTIONS:
            raise ZaloApiError(400, "action must be typing or upload_photo")
