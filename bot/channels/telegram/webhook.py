"""Webhook mode: Telegram POSTs each update to ``/telegram/webhook`` on the bot's one
aiohttp server.

The secret token set with ``setWebhook`` is checked in constant time (401 when missing,
403 when wrong). The answer is 200 only after the update's effects are committed (and its
replies sent); a database error answers 500, so Telegram delivers the update again, and the
dispatcher's record of processed update ids makes that delivery change nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from telegram import Bot, Update

from bot.channels.telegram.polling import chat_key
from bot.channels.telegram.process import UpdateProcessor

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_secret(token: str, configured: str | None) -> str:
    """The configured secret, or one derived from the bot token.

    Derived deterministically (HMAC-SHA256 of the token) so that it survives restarts and is
    the same on every instance behind a load balancer.
    """
    if configured:
        return configured
    return hmac.new(token.encode(), b"dondoc telegram webhook", hashlib.sha256).hexdigest()


def webhook_endpoint(base_url: str) -> str:
    """The URL given to ``setWebhook`` for the public base URL of ``dondoc run --webhook-url``."""
    return base_url.rstrip("/") + WEBHOOK_PATH


class _ChatLocks:
    """One lock per chat, so one chat's updates are handled in order; unused locks go away."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class TelegramWebhook:
    """The aiohttp handler of ``POST /telegram/webhook``."""

    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.bot: Bot | None = None
        self.processor: UpdateProcessor | None = None
        self._locks = _ChatLocks()

    def attach(self, bot: Bot, processor: UpdateProcessor) -> None:
        """Start accepting updates (until then the route answers 503)."""
        self.bot = bot
        self.processor = processor

    def detach(self) -> None:
        self.processor = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), self.secret):
            return web.Response(status=403, text="wrong secret token")
        processor = self.processor
        if processor is None or self.bot is None:
            return web.Response(status=503, text="not ready")
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.bot)
        except Exception as exc:
            log.warning("telegram webhook: unreadable update (%s)", exc)
            return web.Response(status=400, text="not a Telegram update")
        try:
            async with self._locks.hold(chat_key(update)):
                await processor.process(update)
        except Exception:
            log.exception("telegram webhook: update %s not processed", update.update_id)
            return web.Response(status=500, text="not processed; deliver again")
        return web.Response(status=200)
