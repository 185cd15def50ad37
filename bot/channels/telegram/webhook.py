"""Webhook mode: Telegram POSTs each update to ``/telegram/webhook`` (see
:mod:`bot.channels.core.webhook`); the secret token set with ``setWebhook`` is checked in
constant time (401 when missing, 403 when wrong)."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from telegram import Bot, Update

from bot.channels.core.webhook import UnreadableUpdate, WebhookSpec

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


def webhook_spec(bot: Bot) -> WebhookSpec[Update]:
    """The Telegram side of the shared webhook route."""

    def parse(data: Any) -> Update:
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise UnreadableUpdate("not an update")
        try:
            return Update.de_json(data, bot)
        except Exception as exc:
            raise UnreadableUpdate(str(exc)) from exc

    return WebhookSpec(
        channel="telegram",
        path=WEBHOOK_PATH,
        secret_header=SECRET_HEADER,
        parse=parse,
        describe=lambda update: str(update.update_id),
        missing_secret_status=401,
        wrong_secret_status=403,
    )
