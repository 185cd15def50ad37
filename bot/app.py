"""The running bot: one aiohttp web server, the chat channels, and the scheduler.

``dondoc run`` builds a :class:`Runtime`, adds a :class:`Component` for each configured piece
(Telegram, Zalo, the web dashboard and chat, the scheduler), starts them, and stops them in
reverse order on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from bot.channels.base import ChannelSender
from bot.context import AppContext
from bot.db import DatabaseUnavailable
from bot.metrics import METRICS_PATH, metrics_endpoint
from handlers import Dispatcher, build_dispatcher

log = logging.getLogger(__name__)

HEALTH_CHECK_TIMEOUT_SECONDS = 3.0


class Component(Protocol):
    """A part of the running bot with a life cycle."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class RunOptions:
    webhook_url: str | None = None
    """Public HTTPS base URL for webhooks; None means long polling."""
    host: str | None = None
    port: int | None = None


@dataclass
class Runtime:
    """Everything shared by the components of one running instance."""

    ctx: AppContext
    options: RunOptions = field(default_factory=RunOptions)
    dispatcher: Dispatcher = field(init=False)
    web_app: web.Application = field(default_factory=web.Application)
    senders: dict[str, ChannelSender] = field(default_factory=dict)
    """Channel name → sender, used by the outbox dispatcher."""
    components: list[Component] = field(default_factory=list)
    channel_states: dict[str, str] = field(default_factory=dict)
    """Channel name → ``up``, ``down`` (retrying in the background) or ``off`` (token
    refused), for channels that can be away; ``/healthz`` reports them."""
    ready_message: str | None = None
    """Printed once everything has started (the web component sets it)."""
    _runner: web.AppRunner | None = None
    _started: list[Component] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dispatcher = build_dispatcher(self.ctx)
        self.web_app.router.add_get("/healthz", self._health)
        self.web_app.router.add_get(
            METRICS_PATH, metrics_endpoint(self.ctx.metrics, self.ctx.db, self.ctx.now)
        )

    async def _health(self, _request: web.Request) -> web.Response:
        """200 while the database answers (``ok`` false and the channel named when a chat
        channel is down), 503 naming ``database`` when it does not."""
        checks: dict[str, str] = {}
        try:
            await self.ctx.db.check(schema=True, within=HEALTH_CHECK_TIMEOUT_SECONDS)
            checks["database"] = "up"
        except DatabaseUnavailable as exc:
            log.warning("health: the database does not answer: %s", exc.reason)
            checks["database"] = "down"
        checks.update(self.channel_states)
        body = {
            "ok": all(state == "up" for state in checks.values()),
            "checks": checks,
            "channels": sorted(self.senders),
        }
        return web.json_response(body, status=200 if checks["database"] == "up" else 503)

    @property
    def host(self) -> str:
        return self.options.host or self.ctx.settings.web_host

    @property
    def port(self) -> int:
        return self.options.port if self.options.port is not None else self.ctx.settings.web_port

    async def start(self) -> None:
        """Check the database, start the web server (webhooks need it), then every
        component; announce ``ready_message`` only when all of them run."""
        from bot.web.access_log import access_log_options

        await self.ctx.db.check(schema=True)
        self._runner = web.AppRunner(
            self.web_app, **access_log_options(self.ctx.settings.web_access_log)
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            raise WebAddressUnavailable(self.host, self.port, exc) from exc
        for component in self.components:
            log.info("starting %s", component.name)
            await component.start()
            self._started.append(component)
        if self.ready_message:
            print(self.ready_message, flush=True)

    async def stop(self) -> None:
        """Stop the components that started, in reverse order, then the web server."""
        while self._started:
            component = self._started.pop()
            try:
                await component.stop()
            except Exception:
                log.exception("stopping %s failed", component.name)
        if self._runner is not None:
            await self._runner.cleanup()
        await self.ctx.db.dispose()

    async def run_until_stopped(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await self.start()
            await stop.wait()
        finally:
            await self.stop()


class StartupError(Exception):
    """A component cannot start (e.g. a channel's token is refused); the message is one
    clear line for the operator."""


class WebAddressUnavailable(StartupError):
    """The web server cannot listen on ``DONDOC_WEB_HOST``:``DONDOC_WEB_PORT`` (most often:
    another program, or another Dondoc, already uses the port)."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        self.host, self.port = host, port
        self.in_use = error.errno == errno.EADDRINUSE
        self.reason = error.strerror or str(error)
        super().__init__(f"cannot listen on {host}:{port}: {self.reason}")


def add_components(runtime: Runtime) -> None:
    """Add every configured component to the runtime."""
    settings = runtime.ctx.settings
    if settings.telegram_token:
        from bot.channels.telegram.channel import TelegramChannel

        runtime.components.append(TelegramChannel(runtime))
    if settings.zalo_token:
        from bot.channels.zalo.channel import ZaloChannel

        runtime.components.append(ZaloChannel(runtime))
    # The web chat is a channel too, so the bot always has one: with no Telegram or Zalo
    # token, the dashboard and web chat alone make the product (see docs/web.md).
    from bot.web.component import WebComponent

    runtime.components.append(WebComponent(runtime))
    # Last, so every channel has registered its sender when the outbox dispatcher starts.
    from scheduler.service import SchedulerComponent

    runtime.components.append(SchedulerComponent(runtime))
