"""Thin async client for the Zalo Bot Platform API.

The API is shaped like Telegram's (``POST {base}/bot<TOKEN>/<method>`` with JSON, answers
``{ok, result, error_code, description}``) but ``getUpdates`` returns ONE update, with
``error_code`` 408 meaning "no update", there are no update ids, buttons or markdown, and
text is limited to 2000 characters. See DESIGN.md, "Channel facts".

The bot token is a credential: it never appears in log records, exception messages or
reprs produced here (``mask_token``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import aiohttp

from bot import messages

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_TEXT_LENGTH",
    "InvalidZaloUpdate",
    "ZaloBadRequest",
    "ZaloBotInfo",
    "ZaloClient",
    "ZaloError",
    "ZaloForbidden",
    "ZaloMessage",
    "ZaloNetworkError",
    "ZaloNotFound",
    "ZaloRateLimited",
    "ZaloSentMessage",
    "ZaloServerError",
    "ZaloUnauthorized",
    "ZaloUpdate",
    "ZaloWebhookInfo",
    "mask_token",
    "parse_update",
    "parse_webhook_body",
    "split_text",
]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT_LENGTH = 2000
SECRET_TOKEN_LENGTH = (8, 256)
NO_UPDATE_ERROR_CODE = 408


# ---------------------------------------------------------------------------- errors


class ZaloError(Exception):
    """An error answer (``ok: false``) or failed call of the Zalo Bot API."""

    def __init__(self, error_code: int | None, description: str, *, method: str = "") -> None:
        self.error_code = error_code
        self.description = description
        self.method = method
        code = f"[{error_code}] " if error_code is not None else ""
        super().__init__(f"Zalo {method or 'API'} failed: {code}{description}")


class ZaloBadRequest(ZaloError):
    """400: the request was invalid (e.g. unknown chat, text too long)."""


class ZaloUnauthorized(ZaloError):
    """401: the bot token is invalid or revoked."""


class ZaloForbidden(ZaloError):
    """403: the bot may not act in this chat (e.g. the user blocked it)."""


class ZaloNotFound(ZaloError):
    """404: unknown method or resource."""


class ZaloRateLimited(ZaloError):
    """429: too many requests; ``retry_after`` seconds if the server said so."""

    def __init__(
        self,
        error_code: int | None,
        description: str,
        *,
        method: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(error_code, description, method=method)
        self.retry_after = retry_after


class ZaloServerError(ZaloError):
    """5xx: a server-side failure."""


class ZaloNetworkError(ZaloError):
    """The call did not complete: connection failure, timeout or broken response.

    ``ambiguous`` is True when the request may have reached Zalo (timeouts, dropped
    connections): a message may have been delivered although the call failed.
    """

    def __init__(self, description: str, *, method: str = "", ambiguous: bool) -> None:
        super().__init__(None, description, method=method)
        self.ambiguous = ambiguous


class InvalidZaloUpdate(ValueError):
    """An update (polled or pushed to the webhook) that does not have the expected shape."""


_ERRORS_BY_CODE: dict[int, type[ZaloError]] = {
    400: ZaloBadRequest,
    401: ZaloUnauthorized,
    403: ZaloForbidden,
    404: ZaloNotFound,
}


def _error_for(
    error_code: int | None, description: str, method: str, retry_after: float | None
) -> ZaloError:
    if error_code == 429:
        return ZaloRateLimited(error_code, description, method=method, retry_after=retry_after)
    if error_code is not None and error_code >= 500:
        return ZaloServerError(error_code, description, method=method)
    error_class = _ERRORS_BY_CODE.get(error_code or 0, ZaloError)
    return error_class(error_code, description, method=method)


# ---------------------------------------------------------------------------- models


@dataclass(frozen=True, slots=True)
class ZaloBotInfo:
    id: str
    account_name: str
    account_type: str | None
    can_join_groups: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ZaloWebhookInfo:
    url: str
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ZaloSentMessage:
    message_id: str
    date: datetime | None


@dataclass(frozen=True, slots=True)
class ZaloMessage:
    """An incoming message. ``chat_id`` is opaque and per bot; ``date`` is UTC-aware."""

    message_id: str
    date: datetime
    chat_id: str
    chat_type: str
    from_id: str
    display_name: str | None
    is_bot: bool
    text: str | None = None
    photo_url: str | None = None
    caption: str | None = None
    sticker: str | None = None
    sticker_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ZaloUpdate:
    """One event: ``message.text.received``, ``.image.``, ``.sticker.`` or ``.unsupported.``"""

    event_name: str
    message: ZaloMessage

    @property
    def dedup_key(self) -> str:
        """Zalo has no update ids; a redelivered event repeats event_name and message_id."""
        return f"{self.event_name}:{self.message.message_id}"


def _from_ms(value: Any) -> datetime | None:
    """A UTC datetime from Zalo's millisecond timestamps; None if absent or malformed."""
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _url_of(photo: Any) -> str | None:
    """The image URL of a ``photo`` field: a URL, an object with one, or a list of those."""
    if isinstance(photo, list):
        return _url_of(photo[-1]) if photo else None
    if isinstance(photo, Mapping):
        for key in ("url", "media_url", "download_url", "src"):
            if isinstance(photo.get(key), str):
                return str(photo[key])
        return None
    return photo if isinstance(photo, str) else None


def _event_name_for(message: Mapping[str, Any]) -> str:
    if "text" in message:
        return "message.text.received"
    if "photo" in message or "photo_url" in message:
        return "message.image.received"
    if "sticker" in message:
        return "message.sticker.received"
    return "message.unsupported.received"


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_update(update: Mapping[str, Any]) -> ZaloUpdate:
    """Parse one raw update object (the ``result`` of getUpdates or a webhook body)."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        raise InvalidZaloUpdate("update has no message object")
    chat = message.get("chat")
    sender = message.get("from")
    if not isinstance(chat, Mapping) or not isinstance(sender, Mapping):
        raise InvalidZaloUpdate("message lacks chat or from")
    if chat.get("id") is None or sender.get("id") is None or "message_id" not in message:
        raise InvalidZaloUpdate("message lacks chat.id, from.id or message_id")
    date = _from_ms(message.get("date"))
    if date is None:
        raise InvalidZaloUpdate(f"bad message date {message.get('date')!r}")
    event_name = update.get("event_name")
    display_name = sender.get("display_name") or sender.get("first_name") or sender.get("name")
    return ZaloUpdate(
        event_name=str(event_name) if event_name else _event_name_for(message),
        message=ZaloMessage(
            message_id=str(message["message_id"]),
            date=date,
            chat_id=str(chat["id"]),
            chat_type=str(chat.get("chat_type") or "PRIVATE"),
            from_id=str(sender["id"]),
            display_name=_optional_str(display_name),
            is_bot=bool(sender.get("is_bot", False)),
            text=_optional_str(message.get("text")),
            photo_url=_url_of(message.get("photo_url") or message.get("photo")),
            caption=_optional_str(message.get("caption")),
            sticker=_optional_str(message.get("sticker")),
            sticker_url=_optional_str(message.get("url")) if "sticker" in message else None,
            raw=message,
        ),
    )


def parse_webhook_body(body: Mapping[str, Any]) -> ZaloUpdate:
    """Parse a webhook body, which Zalo sends either raw or wrapped in ``{ok, result}``."""
    if "result" in body and "message" not in body:
        if body.get("ok") is False:
            raise InvalidZaloUpdate("webhook body is an error answer")
        result = body["result"]
        if not isinstance(result, Mapping):
            raise InvalidZaloUpdate("webhook result is not an object")
        return parse_update(result)
    return parse_update(body)


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """The messages that carry ``text`` on Zalo: :func:`bot.messages.split_text` at Zalo's
    2000-character limit, and none for a text of nothing but newlines (Zalo refuses an
    empty text)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if not text.strip("\n"):
        return []
    return messages.split_text(text, limit)


def mask_token(token: str) -> str:
    """A loggable stand-in for a bot token: keeps the numeric bot id, hides the secret."""
    bot_id, sep, _ = token.partition(":")
    return f"{bot_id}:***" if sep and bot_id.isdigit() else "***"


# ---------------------------------------------------------------------------- client

Sleep = Callable[[float], Awaitable[None]]


class ZaloClient:
    """Async client for one Zalo bot.

    Calls answered 429 or 5xx are retried up to ``max_retries`` times, waiting the server's
    ``retry_after`` or an exponential backoff (``backoff * 2**attempt``, capped at
    ``max_backoff``) through the injectable ``sleep``. Network errors are not retried: they
    may be ambiguous (see ``ZaloNetworkError``) and the caller knows whether a resend is safe.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
        *,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not token:
            raise ValueError("token is required")
        self._token = token
        self._masked = mask_token(token)
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self._base_url!r}, token={self._masked!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ API methods

    async def get_me(self) -> ZaloBotInfo:
        result = _as_mapping(await self._call("getMe", {}))
        return ZaloBotInfo(
            id=str(result.get("id", "")),
            account_name=str(result.get("account_name") or result.get("display_name") or ""),
            account_type=_optional_str(result.get("account_type")),
            can_join_groups=bool(result.get("can_join_groups", False)),
            raw=result,
        )

    async def get_updates(self, timeout: int = 30) -> ZaloUpdate | None:  # noqa: ASYNC109
        """Long-poll for up to ``timeout`` seconds; return the next update or None."""
        try:
            result = await self._call(
                "getUpdates", {"timeout": str(timeout)}, request_timeout=timeout + self._timeout
            )
        except ZaloError as error:
            if error.error_code == NO_UPDATE_ERROR_CODE:
                return None
            raise
        if not result:
            return None
        return parse_update(_as_mapping(result))

    async def set_webhook(self, url: str, secret_token: str) -> ZaloWebhookInfo:
        if not url.startswith("https://"):
            raise ValueError("the webhook URL must be HTTPS")
        low, high = SECRET_TOKEN_LENGTH
        if not low <= len(secret_token) <= high:
            raise ValueError(f"secret_token must be {low}-{high} characters")
        result = await self._call("setWebhook", {"url": url, "secret_token": secret_token})
        return _webhook_info(result)

    async def delete_webhook(self) -> ZaloWebhookInfo:
        return _webhook_info(await self._call("deleteWebhook", {}))

    async def get_webhook_info(self) -> ZaloWebhookInfo:
        return _webhook_info(await self._call("getWebhookInfo", {}))

    async def send_message(self, chat_id: str, text: str) -> ZaloSentMessage:
        """Send plain text (1–2000 characters; use ``split_text`` for longer texts)."""
        _check_chat_id(chat_id)
        _check_text(text, "text")
        return _sent(await self._call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(
        self, chat_id: str, photo_url: str, caption: str | None = None
    ) -> ZaloSentMessage:
        """Send an image by public URL (Zalo does not take uploads)."""
        _check_chat_id(chat_id)
        if not photo_url.startswith(("https://", "http://")):
            raise ValueError("photo_url must be a public http(s) URL")
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption is not None:
            _check_text(caption, "caption")
            payload["caption"] = caption
        return _sent(await self._call("sendPhoto", payload))

    async def send_sticker(self, chat_id: str, sticker: str) -> ZaloSentMessage:
        _check_chat_id(chat_id)
        if not sticker:
            raise ValueError("sticker is required")
        return _sent(await self._call("sendSticker", {"chat_id": chat_id, "sticker": sticker}))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        _check_chat_id(chat_id)
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    # ------------------------------------------------------------------ transport

    def _mask(self, text: str) -> str:
        for form in {self._token, quote(self._token, safe="")}:
            text = text.replace(form, self._masked)
        return text

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _call(
        self, method: str, payload: Mapping[str, Any], request_timeout: float | None = None
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await self._call_once(method, payload, request_timeout or self._timeout)
            except (ZaloRateLimited, ZaloServerError) as error:
                if attempt >= self._max_retries:
                    raise
                delay = min(self._max_backoff, self._backoff * 2**attempt)
                if isinstance(error, ZaloRateLimited) and error.retry_after is not None:
                    delay = error.retry_after
                attempt += 1
                log.warning(
                    "Zalo %s answered %s; retry %d/%d in %.1fs",
                    method,
                    error.error_code,
                    attempt,
                    self._max_retries,
                    delay,
                )
                await self._sleep(delay)

    async def _post(
        self, method: str, payload: Mapping[str, Any], request_timeout: float
    ) -> tuple[int, str | None, bytes]:
        """POST and read the answer: (HTTP status, Retry-After header, body).

        aiohttp's exceptions carry the URL, hence the token: they are turned into a masked
        ``ZaloNetworkError`` raised outside the ``except`` block, so not even its
        ``__context__`` refers to them.
        """
        url = f"{self._base_url}/bot{self._token}/{method}"
        failure: ZaloNetworkError
        try:
            async with self._get_session().post(
                url, json=payload, timeout=aiohttp.ClientTimeout(total=request_timeout)
            ) as response:
                return response.status, response.headers.get("Retry-After"), await response.read()
        except (
            aiohttp.ConnectionTimeoutError,
            aiohttp.ClientConnectorError,
            aiohttp.InvalidURL,
        ) as exc:
            # No connection was established, so the request was not sent.
            failure = ZaloNetworkError(self._describe(exc), method=method, ambiguous=False)
        except TimeoutError:
            description = f"no answer within {request_timeout:g}s"
            failure = ZaloNetworkError(description, method=method, ambiguous=True)
        except aiohttp.ClientError as exc:
            failure = ZaloNetworkError(self._describe(exc), method=method, ambiguous=True)
        raise failure

    async def _call_once(
        self, method: str, payload: Mapping[str, Any], request_timeout: float
    ) -> Any:
        log.debug("Zalo %s", method)
        status, retry_header, raw = await self._post(method, payload, request_timeout)
        body = _json_or_none(raw)
        if body is not None and body.get("ok") is True:
            return body.get("result")
        error_code, description, retry_after = status, f"HTTP {status}", None
        if body is not None:
            if isinstance(body.get("error_code"), int):
                error_code = body["error_code"]
            description = str(body.get("description") or description)
            retry_after = _retry_after(body)
        elif status < 400:
            raise ZaloError(None, f"unreadable answer (HTTP {status})", method=method)
        if retry_after is None and retry_header is not None:
            retry_after = _float_or_none(retry_header)
        raise _error_for(error_code, self._mask(description), method, retry_after)

    def _describe(self, exc: BaseException) -> str:
        return self._mask(f"{type(exc).__name__}: {exc}")


def _json_or_none(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _retry_after(body: Mapping[str, Any]) -> float | None:
    parameters = body.get("parameters")
    if isinstance(parameters, Mapping) and "retry_after" in parameters:
        return _float_or_none(parameters["retry_after"])
    return _float_or_none(body.get("retry_after"))


def _as_mapping(result: Any) -> Mapping[str, Any]:
    if not isinstance(result, Mapping):
        raise ZaloError(None, f"unexpected result {type(result).__name__}")
    return result


def _webhook_info(result: Any) -> ZaloWebhookInfo:
    data = _as_mapping(result) if result is not None else {}
    return ZaloWebhookInfo(
        url=str(data.get("url") or ""), updated_at=_from_ms(data.get("updated_at"))
    )


def _sent(result: Any) -> ZaloSentMessage:
    data = _as_mapping(result)
    return ZaloSentMessage(
        message_id=str(data.get("message_id", "")), date=_from_ms(data.get("date"))
    )


def _check_chat_id(chat_id: str) -> None:
    if not chat_id:
        raise ValueError("chat_id is required")


def _check_text(text: str, what: str) -> None:
    if not 1 <= len(text) <= MAX_TEXT_LENGTH:
        raise ValueError(f"{what} must be 1-{MAX_TEXT_LENGTH} characters, got {len(text)}")
