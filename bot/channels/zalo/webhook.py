"""Webhook mode: Zalo POSTs each event to ``/zalo/webhook`` on the bot's one aiohttp server.

- The ``X-Bot-Api-Secret-Token`` header must equal ``DONDOC_ZALO_WEBHOOK_SECRET`` (compared in
  constant time); otherwise 401.
- The body is the update itself or ``{ok, result: update}``: both are accepted; anything else
  is a 400.
- The answer is 200 only after the update's effects are committed (its replies go out
  afterwards); a database error answers 500, so Zalo may deliver the event again. A second
  delivery changes nothing: the dispatcher records every ``event_name:message_id`` it handled.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.channels.zalo.client import InvalidZaloUpdate, parse_webhook_body, verify_secret
from bot.channels.zalo.process import UpdateProcessor

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_LENGTH = (8, 256)


def webhook_endpoint(base_url: str) -> str:
    """The URL given to ``setWebhook`` for the public base URL of ``dondoc run --webhook-url``."""
    return base_url.rstrip("/") + WEBHOOK_PATH


def secret_problem(secret: str | None) -> str | None:
    """Why ``secret`` cannot be the webhook secret (one line for the operator), or None."""
    low, high = SECRET_LENGTH
    if not secret:
        return "webhook mode needs DONDOC_ZALO_WEBHOOK_SECRET (8 to 256 characters)"
    if not low <= len(secret) <= high:
        return (
            f"DONDOC_ZALO_WEBHOOK_SECRET must be {low} to {high} characters long "
            f"(it has {len(secret)})"
        )
    return None


class ZaloWebhook:
    """The aiohttp handler of ``POST /zalo/webhook``."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.processor: UpdateProcessor | None = None

    def attach(self, processor: UpdateProcessor) -> None:
        """Start accepting updates (until then the route answers 503)."""
        self.processor = processor

    def detach(self) -> None:
        self.processor = None

    async def handle(self, request: web.Request) -> web.Response:
        if not verify_secret(request.headers.get(SECRET_HEADER), self.secret):
            return web.Response(status=401, text="wrong or missing secret token")
        processor = self.processor
        if processor is None:
            return web.Response(status=503, text="not ready")
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise InvalidZaloUpdate("the body is not a JSON object")
            update = parse_webhook_body(body)
        except (ValueError, InvalidZaloUpdate) as exc:
            log.warning("zalo webhook: unreadable update (%s)", exc)
            return web.Response(status=400, text="not a Zalo update")
        try:
            await processor.process_now(update)
        except Exception:
            log.exception("zalo webhook: update %s not processed", update.dedup_key)
            return web.Response(status=500, text="not processed; deliver again")
        return web.json_response({"ok": True})
