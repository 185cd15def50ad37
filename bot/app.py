"""The running bot: one aiohttp web server, the chat channels, and the scheduler.

``dondoc run`` builds a :class:`Runtime`, adds a :class:`Component` for each configured piece
(Telegram, Zalo, the web dashboard and chat, the scheduler), starts them, and stops them in
reverse order on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from bot.channels.base import ChannelSender
from bot.context import AppContext
from bot.metrics import METRICS_PATH, metrics_endpoint
from handlers import Dispatcher, build_dispatcher

log = logging.getLogger(__name__)


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
    _runner: web.AppRunner | None = None
    _started: list[Component] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dispatcher = build_dispatcher(self.ctx)
        self.web_app.router.add_get("/healthz", self._health)
        self.web_app.router.add_get(
            METRICS_PATH, metrics_endpoint(self.ctx.metrics, self.ctx.db, self.ctx.now)
        )

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": sorted(self.senders)})

    @property
    def host(self) -> str:
        return self.options.host or self.ctx.settings.web_host

    @property
    def port(self) -> int:
        return self.options.port if self.options.port is not None else self.ctx.settings.web_port

    async def start(self) -> None:
        """Start the web server first (webhooks need it), then every component."""
        self._runner = web.AppRunner(self.web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        for component in self.components:
            log.info("starting %s", component.name)
            await component.start()
            self._started.append(component)

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
