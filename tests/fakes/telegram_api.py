"""A fake Telegram Bot API server for tests and benchmarks.

It speaks enough of the real Bot API (same URLs, request encodings, response and error
shapes) for the real python-telegram-bot 22.x ``Bot``/``Application`` to run against it::

    async with FakeTelegramServer() as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(f"{server.url}/bot")
            .base_file_url(f"{server.url}/file/bot")
            .build()
        )
        server.push_text(user_id=1001, text="/start")
        ...
        await server.wait_for_messages(chat_id=1001, count=1)

Simulated users push updates (``push_text``, ``push_callback``, ``push_document`` …) into a
queue served by real long polling (``getUpdates`` with ``offset``/``timeout``/``limit``).
What the bot sends is recorded (``sent_messages``, ``calls``). Faults are injected per method
(``fail``) and, in ``enforce_limits`` mode, Telegram's flood limits answer 429.

Deliberate simplifications: chats need not exist before the bot writes to them; HTML
``parse_mode`` is validated and stripped the way Telegram does, Markdown is not parsed;
photos get nominal dimensions; inline mode, payments and media groups are not implemented.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import unescape
from typing import Any, Literal

from aiohttp import web

from tests.fakes.common import Counts, JSONDict, LocalServer, RecordedCall

ChatId = int | str

# Parameters that the Bot API takes as plain strings. In form and multipart bodies
# python-telegram-bot sends every other value JSON-encoded (ints, bools, objects, lists).
_STRING_PARAMS = frozenset(
    {
        "action",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "document",
        "file_id",
        "inline_message_id",
        "ip_address",
        "language_code",
        "parse_mode",
        "photo",
        "secret_token",
        "text",
        "url",
    }
)
_INT_PARAMS = frozenset({"message_id", "offset", "limit", "timeout", "max_connections"})

_MAX_TEXT_LENGTH = 4096  # UTF-16 code units, after entity parsing
_MAX_CAPTION_LENGTH = 1024
_MAX_CALLBACK_DATA_BYTES = 64
_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_NOMINAL_PHOTO_SIZE = (1280, 960)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Methods that put a new message into a chat; only these count against flood limits.
_SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


class TelegramApiError(Exception):
    """An error answer of the fake API; raised inside method handlers."""

    def __init__(self, status: int, description: str | None = None, retry_after: int = 0):
        self.status = status
        self.retry_after = retry_after
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, "Unknown error")
        self.description = description
        super().__init__(f"{status} {description}")

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent or edited.

    ``text`` is the text or caption exactly as the bot sent it (before HTML parsing);
    ``message`` is the full Bot API ``Message`` object the fake answered with.
    ``sent_markup`` is the ``reply_markup`` parameter as the bot sent it, of any kind (a
    reply keyboard or its removal, which the ``Message`` does not echo).
    """

    method: str
    chat_id: ChatId
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    message: JSONDict
    time: float
    sent_markup: JSONDict | None = None

    @property
    def is_edit(self) -> bool:
        return self.method.startswith("edit")


@dataclass
class FakeTelegramStats:
    """Counters for benchmarks."""

    requests: int = 0
    messages_sent: int = 0
    faults_injected: int = 0
    rate_limited: int = 0
    rate_limited_global: int = 0
    rate_limited_chat: int = 0
    rate_limited_group: int = 0


@dataclass
class _Fault:
    status: int | Literal["hang"]
    remaining: int | None
    retry_after: int
    description: str | None
    chat_id: ChatId | None
    hang_for: float | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    content: bytes | None
    file_name: str | None = None
    mime_type: str | None = None

    def as_document(self) -> JSONDict:
        doc: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo(self) -> list[JSONDict]:
        width, height = _NOMINAL_PHOTO_SIZE
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.file_size,
                "width": width,
                "height": height,
            }
        ]


@dataclass
class _StoredMessage:
    message: JSONDict
    raw_text: str | None
    from_bot: bool


class _FloodLimits:
    """Sliding-window approximation of Telegram's flood limits.

    ``slack`` seconds are shaved off every window so that a client pacing itself exactly at
    the limit is not punished for scheduling jitter.
    """

    def __init__(
        self, global_rate: float, per_chat_rate: float, per_group_per_minute: int, slack: float
    ):
        self._global_rate = global_rate
        self._global_window = 1.0 - slack
        self._chat_interval = 1.0 / per_chat_rate - slack
        self._group_limit = per_group_per_minute
        self._group_window = 60.0 - slack
        self._global: deque[float] = deque()
        self._chat_last: dict[ChatId, float] = {}
        self._groups: dict[ChatId, deque[float]] = {}

    @staticmethod
    def _retry_after(seconds: float) -> int:
        return max(1, math.ceil(seconds))

    @staticmethod
    def _expire(window: deque[float], now: float, length: float) -> None:
        while window and now - window[0] >= length:
            window.popleft()

    def check(self, chat_id: ChatId, now: float) -> tuple[str, int] | None:
        """Return ``(scope, retry_after)`` if a message to ``chat_id`` now would be refused."""
        self._expire(self._global, now, self._global_window)
        if len(self._global) >= self._global_rate:
            return "global", self._retry_after(self._global_window - (now - self._global[0]))
        if _is_group(chat_id):
            sent = self._groups.get(chat_id)
            if sent is not None:
                self._expire(sent, now, self._group_window)
                if len(sent) >= self._group_limit:
                    return "group", self._retry_after(self._group_window - (now - sent[0]))
        else:
            last = self._chat_last.get(chat_id)
            if last is not None and now - last < self._chat_interval:
                return "chat", self._retry_after(self._chat_interval - (now - last))
        return None

    def record(self, chat_id: ChatId, now: float) -> None:
        self._global.append(now)
        if _is_group(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            self._chat_last[chat_id] = now


def _is_group(chat_id: ChatId) -> bool:
    return not isinstance(chat_id, int) or chat_id < 0


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)


def parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the plain text Telegram would store.

    Raises ``TelegramApiError(400)`` with Telegram's "can't parse entities" wording for an
    unsupported or unbalanced tag — e.g. an unescaped ``<`` in user-provided text.
    """
    plain: list[str] = []
    open_tags: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        plain.append(text[pos:start])
        match = _HTML_TAG_RE.match(text, start)
        if match is None or match.group(2).lower() not in _HTML_TAGS:
            raise TelegramApiError(
                400,
                "Bad Request: can't parse entities: Unsupported start tag "
                f'"{match.group(2) if match else ""}" at byte offset {len(text[:start].encode())}',
            )
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags[-1] != tag:
            expected = open_tags[-1] if open_tags else ""
            raise TelegramApiError(
                400,
                f'Bad Request: can\'t parse entities: Unmatched end tag "</{tag}>", '
                f'expected "</{expected}>"',
            )
        else:
            open_tags.pop()
        pos = match.end()
    plain.append(text[pos:])
    if open_tags:
        raise TelegramApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"',
        )
    return unescape("".join(plain))


def _command_entities(text: str) -> list[JSONDict]:
    """A ``bot_command`` entity for a leading ``/command`` (what CommandHandler looks for)."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _normalize(params: JSONDict) -> JSONDict:
    """Coerce parameters that clients may send either typed or as strings."""
    chat_id = params.get("chat_id")
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        params["chat_id"] = int(chat_id)
    try:
        for name in _INT_PARAMS & params.keys():
            if isinstance(params[name], str):
                params[name] = int(params[name])
        for name in ("reply_markup", "commands", "scope", "allowed_updates"):
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
    except ValueError:
        raise TelegramApiError(400, f"Bad Request: invalid {name}") from None
    return params


Handler = Callable[[JSONDict], Awaitable[Any]]


class FakeTelegramServer(LocalServer):
    """In-process fake of the Telegram Bot API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        token: str = "123456:AAF-test-token-0123456789abcdefghij",
        bot_username: str = "dondoc_test_bot",
        bot_first_name: str = "Dondoc",
        *,
        enforce_limits: bool = False,
        global_rate: float = 30,
        per_chat_rate: float = 1.0,
        per_group_per_minute: int = 20,
        limit_slack: float = 0.05,
    ) -> None:
        super().__init__()
        self.token = token
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.calls: list[RecordedCall] = []
        self.stats = FakeTelegramStats()
        self._limits = (
            _FloodLimits(global_rate, per_chat_rate, per_group_per_minute, limit_slack)
            if enforce_limits
            else None
        )
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "close": self._trivial,
            "logout": self._trivial,
        }
        self._updates: deque[JSONDict] = deque()
        self._update_ids = itertools.count(1)
        self._active_poll: object | None = None
        self.confirmed_offset = 0
        self._message_ids: Counter[ChatId] = Counter()
        self._messages: dict[tuple[ChatId, int], _StoredMessage] = {}
        self._chats: dict[ChatId, JSONDict] = {}
        self._sent: list[SentMessage] = []
        self._sent_counts = Counts()
        self._call_counts = Counts()
        self._faults: dict[str, list[_Fault]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._open_callback_queries: set[str] = set()
        self._callback_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._webhook_allowed_updates: list[str] | None = None

    # ------------------------------------------------------------------ lifecycle

    def _application(self) -> web.Application:
        app = web.Application(client_max_size=_MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    # ------------------------------------------------------------------ user simulation

    def push_update(self, update: JSONDict) -> int:
        """Enqueue a raw update (an ``update_id`` is assigned if missing); return its id."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._update_arrived.set()
        self._update_arrived = asyncio.Event()
        return int(update["update_id"])

    def push_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] = "private",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
        chat_title: str | None = None,
    ) -> int:
        """A user writes ``text`` (``/command`` text gets a bot_command entity)."""
        message = self._user_message(
            user_id, chat_id, chat_type, first_name, last_name, username, language_code, chat_title
        )
        message["text"] = text
        if entities := _command_entities(text):
            message["entities"] = entities
        return self._push_message(message)

    def push_command(self, user_id: int, command: str, args: str = "", **kwargs: Any) -> int:
        """``push_text`` of ``/command args``; ``command`` may include ``@botname``."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.push_text(user_id, text, **kwargs)

    def push_callback(
        self,
        user_id: int,
        data: str,
        message_id: int,
        chat_id: int | None = None,
        *,
        first_name: str | None = None,
        language_code: str = "vi",
    ) -> int:
        """A user presses an inline button with ``data`` under the bot's message ``message_id``."""
        chat_id = user_id if chat_id is None else chat_id
        stored = self._messages.get((chat_id, message_id))
        if stored is not None:
            message = dict(stored.message)
        else:
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(chat_id),
                "from": self.bot_user,
                "text": "",
            }
        query_id = str(next(self._callback_counter))
        self._open_callback_queries.add(query_id)
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name, None, None, language_code),
                    "chat_instance": str(chat_id),
                    "message": message,
                    "data": data,
                }
            }
        )

    def push_document(
        self,
        user_id: int,
        file_name: str,
        mime_type: str,
        file_size: int | None = None,
        caption: str | None = None,
        *,
        content: bytes | None = None,
        chat_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] = "private",
        first_name: str | None = None,
        language_code: str = "vi",
    ) -> int:
        """A user sends a file. Without ``content`` a download yields ``file_size`` zero bytes."""
        stored = self._store_file("documents", content, file_size, file_name, mime_type)
        message = self._user_message(
            user_id, chat_id, chat_type, first_name, None, None, language_code, None
        )
        message["document"] = stored.as_document()
        if caption is not None:
            message["caption"] = caption
        return self._push_message(message)

    def push_photo(
        self,
        user_id: int,
        caption: str | None = None,
        *,
        content: bytes | None = None,
        file_size: int | None = None,
        chat_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] = "private",
        first_name: str | None = None,
        language_code: str = "vi",
    ) -> int:
        """A user sends a photo (one size, nominal dimensions)."""
        stored = self._store_file("photos", content, file_size, None, None)
        message = self._user_message(
            user_id, chat_id, chat_type, first_name, None, None, language_code, None
        )
        message["photo"] = stored.as_photo()
        if caption is not None:
            message["caption"] = caption
        return self._push_message(message)

    def push_contact(
        self,
        user_id: int,
        phone_number: str,
        contact_user_id: int | None = None,
        *,
        first_name: str | None = None,
        language_code: str = "vi",
    ) -> int:
        """A user shares a contact card in their private chat: their own (the contact request
        button sends ``contact_user_id`` equal to ``user_id``) or someone else's."""
        message = self._user_message(
            user_id, None, "private", first_name, None, None, language_code, None
        )
        contact: JSONDict = {
            "phone_number": phone_number,
            "first_name": first_name or f"Người dùng {user_id}",
        }
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        message["contact"] = contact
        return self._push_message(message)

    # ------------------------------------------------------------------ inspection

    def sent_messages(self, chat_id: ChatId | None = None) -> list[SentMessage]:
        """Messages sent or edited by the bot, oldest first (edits are separate entries)."""
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m.chat_id == chat_id]

    async def wait_for_messages(
        self,
        chat_id: ChatId | None,
        count: int,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[SentMessage]:
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
        await self._call_counts.wait(method.lower(), count, timeout, f"calls to {method}")
        return self.calls_to(method)

    def calls_to(self, method: str) -> list[JSONDict]:
        """Parameters of every call to ``method`` (case-insensitive), oldest first."""
        wanted = method.lower()
        return [c.params for c in self.calls if c.method.lower() == wanted]

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a ``getUpdates`` offset."""
        return len(self._updates)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list stored by setMyCommands for ``scope`` and ``language_code``."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str,
        status: int | Literal["hang"] = 429,
        *,
        times: int | None = 1,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: ChatId | None = None,
        hang_for: float | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail (``times=None``: until cleared).

        ``status`` is an HTTP/Bot API error code answered with Telegram's error body (429
        carries ``parameters.retry_after``, default 1), or ``"hang"``: the request gets no
        answer until the server stops or, with ``hang_for``, is processed normally after that
        many seconds — a client timing out earlier has then "failed" although the message was
        delivered. ``chat_id`` restricts the fault to calls for that chat.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.setdefault(method.lower(), []).append(
            _Fault(status, times, retry_after or 0, description, chat_id, hang_for)
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------ webhook helper

    async def deliver_webhook(
        self, url: str, update: JSONDict, secret_token: str | None = None
    ) -> int:
        """POST ``update`` to a bot's webhook like Telegram does; return the HTTP status."""
        if self._client is None:
            raise RuntimeError("server not started")
        update.setdefault("update_id", next(self._update_ids))
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        async with self._client.post(url, json=update, headers=headers) as response:
            return response.status

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.stats.requests += 1
        if request.match_info["token"] != self.token:
            return _json_response(TelegramApiError(401).body(), 401)
        method = request.match_info["method"]
        key = method.lower()
        handler = self._handlers.get(key)
        if handler is None:
            return _json_response(TelegramApiError(404).body(), 404)
        try:
            params = _normalize(await self._read_params(request))
        except web.HTTPRequestEntityTooLarge:
            return _json_response(TelegramApiError(413).body(), 413)
        except TelegramApiError as error:
            return _json_response(error.body(), error.status)
        self.calls.append(RecordedCall(method, params, time.monotonic()))
        self._call_counts.add(key)
        try:
            fault = self._take_fault(key, params)
            if fault is not None:
                await self._apply_fault(fault)
            limited_chat = self._check_limits(key, params)
            result = await handler(params)
        except TelegramApiError as error:
            return _json_response(error.body(), error.status)
        if limited_chat is not None and self._limits is not None:
            self._limits.record(limited_chat, time.monotonic())
        return _json_response({"ok": True, "result": result}, 200)

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        """Query string plus a JSON, form-urlencoded or multipart body, as the Bot API takes."""
        params: JSONDict = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            body = await request.read()
            if body:
                try:
                    params.update(json.loads(body))
                except ValueError:
                    raise TelegramApiError(400, "Bad Request: can't parse JSON") from None
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.post()).items():
                if isinstance(value, bytes | bytearray):
                    value = value.decode()
                params[name] = _decode_form_value(name, value) if isinstance(value, str) else value
        return params

    def _take_fault(self, key: str, params: JSONDict) -> _Fault | None:
        faults = self._faults.get(key)
        if not faults:
            return None
        for fault in faults:
            if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.remove(fault)
            self.stats.faults_injected += 1
            return fault
        return None

    async def _apply_fault(self, fault: _Fault) -> None:
        if fault.status != "hang":
            raise TelegramApiError(fault.status, fault.description, fault.retry_after)
        try:
            await asyncio.wait_for(self._closing.wait(), fault.hang_for)
        except TimeoutError:
            return  # hung long enough: now process the request normally
        raise TelegramApiError(502)

    def _check_limits(self, key: str, params: JSONDict) -> ChatId | None:
        """Raise 429 if flood limits are enforced and exceeded; return the chat to charge."""
        if self._limits is None or key not in _SEND_METHODS or "chat_id" not in params:
            return None
        chat_id: ChatId = params["chat_id"]
        refused = self._limits.check(chat_id, time.monotonic())
        if refused is None:
            return chat_id
        scope, retry_after = refused
        self.stats.rate_limited += 1
        if scope == "global":
            self.stats.rate_limited_global += 1
        elif scope == "group":
            self.stats.rate_limited_group += 1
        else:
            self.stats.rate_limited_chat += 1
        raise TelegramApiError(429, retry_after=retry_after)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response(TelegramApiError(401).body(), 401)
        path = request.match_info["path"]
        stored = next((f for f in self._files.values() if f.file_path == path), None)
        if stored is None:
            return _json_response(TelegramApiError(404).body(), 404)
        content = stored.content if stored.content is not None else bytes(stored.file_size)
        return web.Response(body=content, content_type="application/octet-stream")

    # ------------------------------------------------------------------ model helpers

    @staticmethod
    def _user(
        user_id: int,
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str,
    ) -> JSONDict:
        user: JSONDict = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"Người dùng {user_id}",
            "language_code": language_code,
        }
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        return user

    def _chat(self, chat_id: ChatId) -> JSONDict:
        """The chat object for ``chat_id``: as first seen in a pushed update, else synthesized."""
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if not isinstance(chat_id, int):
            raise TelegramApiError(400)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"Người dùng {chat_id}"}
        chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": chat_type, "title": f"Nhóm {chat_id}"}

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str,
        chat_title: str | None,
    ) -> JSONDict:
        user = self._user(user_id, first_name, last_name, username, language_code)
        if chat_type == "private":
            chat_id = user_id if chat_id is None else chat_id
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if username:
                chat["username"] = username
        else:
            if chat_id is None or chat_id >= 0:
                raise ValueError("group chats need a negative chat_id")
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or f"Nhóm {chat_id}"}
        self._chats.setdefault(chat_id, chat)
        return {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chats[chat_id],
            "from": user,
        }

    def _push_message(self, message: JSONDict) -> int:
        key = (message["chat"]["id"], message["message_id"])
        self._messages[key] = _StoredMessage(message, message.get("text"), from_bot=False)
        return self.push_update({"message": message})

    def _next_message_id(self, chat_id: ChatId) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def _store_file(
        self,
        folder: str,
        content: bytes | None,
        file_size: int | None,
        file_name: str | None,
        mime_type: str | None,
    ) -> _StoredFile:
        if content is None and file_size is None:
            raise ValueError("give content or file_size")
        number = next(self._file_counter)
        suffix = "." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
        if folder == "photos":
            suffix = ".jpg"
        stored = _StoredFile(
            file_id=f"FAKE{folder[:3].upper()}{number:08d}",
            file_unique_id=f"U{number:08d}",
            file_size=len(content) if content is not None else int(file_size or 0),
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _file_param(self, value: Any, folder: str) -> _StoredFile:
        """Resolve an upload, a known file_id or an HTTP URL given for a file parameter."""
        if isinstance(value, web.FileField):
            content = value.file.read()
            return self._store_file(folder, content, None, value.filename, value.content_type)
        if isinstance(value, str):
            if value in self._files:
                return self._files[value]
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or None
                return self._store_file(folder, None, 0, name, None)
        raise TelegramApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _record_sent(self, method: str, stored: _StoredMessage, params: JSONDict) -> None:
        message = stored.message
        chat_id = message["chat"]["id"]
        markup = message.get("reply_markup")
        self._sent.append(
            SentMessage(
                method=method,
                chat_id=chat_id,
                message_id=message["message_id"],
                text=stored.raw_text,
                parse_mode=params.get("parse_mode"),
                reply_markup=markup,
                message=dict(message),
                time=time.monotonic(),
                sent_markup=_checked_reply_markup(params.get("reply_markup")),
            )
        )
        self._sent_counts.add(chat_id)

    def _new_bot_message(self, params: JSONDict, raw_text: str | None) -> _StoredMessage:
        if "chat_id" not in params:
            raise TelegramApiError(400, "Bad Request: chat_id is empty")
        chat_id: ChatId = params["chat_id"]
        chat = self._chat(chat_id)
        markup = _inline_markup(params.get("reply_markup"))
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
        }
        if markup is not None:
            message["reply_markup"] = markup
        stored = _StoredMessage(message, raw_text, from_bot=True)
        self._messages[(chat_id, message["message_id"])] = stored
        self.stats.messages_sent += 1
        return stored

    def _bot_message_to_edit(self, params: JSONDict) -> _StoredMessage:
        stored = self._messages.get((params.get("chat_id", ""), params.get("message_id", 0)))
        if stored is None:
            raise TelegramApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise TelegramApiError(400, "Bad Request: message can't be edited")
        return stored

    @staticmethod
    def _commands_key(scope: JSONDict | None, language_code: str) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code

    # ------------------------------------------------------------------ Bot API methods

    async def _trivial(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(int(params.get("offset") or 0))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        # A newer getUpdates terminates an older one still waiting, as on Telegram.
        poll = object()
        self._active_poll = poll
        self._update_arrived.set()
        self._update_arrived = asyncio.Event()
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
            if self._active_poll is not poll:
                raise TelegramApiError(409)
        return list(itertools.islice(self._updates, limit))

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url") or ""
        if url and not url.startswith("https://"):
            raise TelegramApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
            raise TelegramApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = url
        self.webhook_secret = secret
        self._webhook_allowed_updates = params.get("allowed_updates")
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret = None
        self._webhook_allowed_updates = None
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self._webhook_allowed_updates is not None:
                info["allowed_updates"] = self._webhook_allowed_updates
        return info

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise TelegramApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code") or "")
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: JSONDict) -> JSONDict:
        raw_text = str(params.get("text") or "")
        text = _checked_text(raw_text, params.get("parse_mode"), _MAX_TEXT_LENGTH)
        stored = self._new_bot_message(params, raw_text)
        stored.message["text"] = text
        self._record_sent("sendMessage", stored, params)
        return stored.message

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        stored = self._bot_message_to_edit(params)
        raw_text = str(params.get("text") or "")
        text = _checked_text(raw_text, params.get("parse_mode"), _MAX_TEXT_LENGTH)
        markup = _inline_markup(params.get("reply_markup"))
        if raw_text == stored.raw_text and markup == stored.message.get("reply_markup"):
            raise TelegramApiError(400, _NOT_MODIFIED)
        self._apply_edit(stored, markup)
        stored.message["text"] = text
        stored.raw_text = raw_text
        self._record_sent("editMessageText", stored, params)
        return stored.message

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        stored = self._bot_message_to_edit(params)
        markup = _inline_markup(params.get("reply_markup"))
        if markup == stored.message.get("reply_markup"):
            raise TelegramApiError(400, _NOT_MODIFIED)
        self._apply_edit(stored, markup)
        self._record_sent("editMessageReplyMarkup", stored, params)
        return stored.message

    @staticmethod
    def _apply_edit(stored: _StoredMessage, markup: JSONDict | None) -> None:
        stored.message["edit_date"] = int(time.time())
        if markup is None:
            stored.message.pop("reply_markup", None)
        else:
            stored.message["reply_markup"] = markup

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callback_queries:
            raise TelegramApiError(400, _QUERY_INVALID)
        self._open_callback_queries.discard(query_id)
        return True

    def _caption(self, params: JSONDict) -> tuple[str | None, str | None]:
        raw = params.get("caption")
        if raw is None:
            return None, None
        raw = str(raw)
        return raw, _checked_text(raw, params.get("parse_mode"), _MAX_CAPTION_LENGTH, "caption")

    async def _send_document(self, params: JSONDict) -> JSONDict:
        raw_caption, caption = self._caption(params)
        stored_file = self._file_param(params.get("document"), "documents")
        stored = self._new_bot_message(params, raw_caption)
        stored.message["document"] = stored_file.as_document()
        if caption:
            stored.message["caption"] = caption
        self._record_sent("sendDocument", stored, params)
        return stored.message

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        raw_caption, caption = self._caption(params)
        stored_file = self._file_param(params.get("photo"), "photos")
        stored = self._new_bot_message(params, raw_caption)
        stored.message["photo"] = stored_file.as_photo()
        if caption:
            stored.message["caption"] = caption
        self._record_sent("sendPhoto", stored, params)
        return stored.message

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params.get("chat_id", ""))
        return True

    async def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise TelegramApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > _MAX_DOWNLOAD_BYTES:
            raise TelegramApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


def _checked_text(raw: str, parse_mode: str | None, limit: int, what: str = "text") -> str:
    """Telegram's text checks: entity parsing, emptiness and length (UTF-16 units)."""
    text = parse_html(raw) if (parse_mode or "").upper() == "HTML" else raw
    if not text.strip():
        raise TelegramApiError(400, f"Bad Request: message {what} is empty")
    if _utf16_len(text) > limit:
        name = "message" if what == "text" else "message caption"
        raise TelegramApiError(400, f"Bad Request: {name} is too long")
    return text


def _inline_markup(markup: Any) -> JSONDict | None:
    """The markup Telegram echoes in a Message: only inline keyboards, validated."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= _MAX_CALLBACK_DATA_BYTES:
                raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"inline_keyboard": markup["inline_keyboard"]}


def _checked_reply_markup(markup: Any) -> JSONDict | None:
    """A sent ``reply_markup`` as Telegram validates it: a reply keyboard needs button rows
    with a text each, a removal needs ``remove_keyboard: true``."""
    if not isinstance(markup, dict):
        return None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not rows or not all(
            isinstance(button, dict) and button.get("text") for row in rows for button in row
        ):
            raise TelegramApiError(400, "Bad Request: keyboard button text is empty")
    elif "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise TelegramApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return markup


def _json_response(body: JSONDict, status: int) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type="application/json",
    )
