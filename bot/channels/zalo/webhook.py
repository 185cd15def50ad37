"""Webhook mode: Zalo POSTs each event to ``/zalo/webhook`` (see
:mod:`bot.channels.core.webhook`).

- The ``X-Bot-Api-Secret-Token`` header must equal ``DONDOC_ZALO_WEBHOOK_SECRET`` (compared in
  constant time); otherwise 401.
- The body is the update itself or ``{ok, result: update}``: both are accepted; anything else
  is a 400.
- The answer is 200 only after the update's effects are committed (its replies go out
  afterwards). A second delivery changes nothing: the dispatcher records every
  ``event_name:message_id`` it handled.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.channels.core.webhook import UnreadableUpdate, WebhookSpec
from bot.channels.zalo.client import ZaloUpdate, parse_webhook_body

WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_LENGTH = (8, 256)


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


def _parse(body: Any) -> ZaloUpdate:
    if not isinstance(body, dict):
        raise UnreadableUpdate("the body is not a JSON object")
    return parse_webhook_body(body)


SPEC: WebhookSpec[ZaloUpdate] = WebhookSpec(
    channel="zalo",
    path=WEBHOOK_PATH,
    secret_header=SECRET_HEADER,
    parse=_parse,
    describe=lambda update: update.dedup_key,
    accepted=lambda: web.json_response({"ok": True}),
)
