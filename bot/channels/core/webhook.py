"""Webhook plumbing shared by the channels: the platform POSTs each update to
``<public base URL><path>`` on the bot's one aiohttp server.

The secret header is compared in constant time; until the channel is live the route answers
503; a body the channel cannot read is a 400; the answer is 200 only after the update's
effects are committed, and 500 (deliver again) when they could not be: the dispatcher's record
of processed updates makes a second delivery change nothing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web

log = logging.getLogger(__name__)

U = TypeVar("U")


def webhook_endpoint(base_url: str, path: str) -> str:
    """The URL given to the platform's setWebhook for ``dondoc run --webhook-url``."""
    return base_url.rstrip("/") + path


def secret_matches(given: str | None, expected: str) -> bool:
    """``given`` equals ``expected``, compared in constant time; a missing one never does."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class UnreadableUpdate(ValueError):
    """The body is not an update of this channel."""


@dataclass(frozen=True)
class WebhookSpec(Generic[U]):
    """What differs between channels: where, which header, how a body becomes an update."""

    channel: str
    path: str
    secret_header: str
    parse: Callable[[Any], U]
    """JSON body → update; raises :class:`UnreadableUpdate` (or ValueError)."""
    describe: Callable[[U], str]
    """The update's id for log lines."""
    missing_secret_status: int = 401
    wrong_secret_status: int = 401
    accepted: Callable[[], web.Response] = web.Response


class Webhook(Generic[U]):
    """The aiohttp handler of one channel's webhook route."""

    def __init__(self, spec: WebhookSpec[U], secret: str) -> None:
        self.spec = spec
        self.secret = secret
        self._process: Callable[[U], Awaitable[None]] | None = None

    def register(self, app: web.Application) -> None:
        app.router.add_post(self.spec.path, self.handle)

    def attach(self, process: Callable[[U], Awaitable[None]]) -> None:
        """Start accepting updates: ``process`` returns once the update is committed."""
        self._process = process

    def detach(self) -> None:
        self._process = None

    async def handle(self, request: web.Request) -> web.Response:
        spec = self.spec
        given = request.headers.get(spec.secret_header)
        if not given:
            return web.Response(status=spec.missing_secret_status, text="missing secret token")
        if not secret_matches(given, self.secret):
            return web.Response(status=spec.wrong_secret_status, text="wrong secret token")
        process = self._process
        if process is None:
            return web.Response(status=503, text="not ready")
        try:
            update = spec.parse(await request.json())
        except ValueError as exc:
            log.warning("%s webhook: unreadable update (%s)", spec.channel, exc)
            return web.Response(status=400, text=f"not a {spec.channel.title()} update")
        try:
            await process(update)
        except Exception:
            log.exception(
                "%s webhook: update %s not processed", spec.channel, spec.describe(update)
            )
            return web.Response(status=500, text="not processed; deliver again")
        return spec.accepted()
