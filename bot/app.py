"""The composition root: the one place that builds the running bot.

``dondoc run`` builds a :class:`Runtime` (context, dispatcher, the one aiohttp web server, the
registry of live senders, the channel states), then :func:`add_components` builds each
configured :class:`bot.lifecycle.Component` (Telegram, Zalo, the web dashboard and chat, the
scheduler) and hands it only what it uses. The runtime starts them in order and stops them in
reverse order on SIGINT/SIGTERM. Nothing below this module imports it.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.core.component import ChannelWiring
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.zalo.channel import ZaloChannel
from bot.context import AppContext
from bot.db import DatabaseUnavailable
from bot.lifecycle import ChannelStates, Component, StartupError
from bot.metrics import METRICS_PATH, metrics_endpoint
from bot.sending import Senders
from bot.web.access_log import access_log_options
from bot.web.component import WebComponent
from handlers import Dispatcher, build_dispatcher
from scheduler.service import SchedulerComponent

log = logging.getLogger(__name__)

HEALTH_CHECK_TIMEOUT_SECONDS = 3.0


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
    senders: Senders = field(default_factory=dict)
    """Channel name → sender: filled by the channels as they go live, read by the outbox
    dispatcher."""
    components: list[Component] = field(default_factory=list)
    channel_states: ChannelStates = field(default_factory=dict)
    """Written by the channels' connectors; ``/healthz`` reports them."""
    ready_message: str | None = None
    """Printed once everything has started (where to open the dashboard)."""
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


class WebAddressUnavailable(StartupError):
    """The web server cannot listen on ``DONDOC_WEB_HOST``:``DONDOC_WEB_PORT`` (most often:
    another program, or another Dondoc, already uses the port)."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        self.host, self.port = host, port
        self.in_use = error.errno == errno.EADDRINUSE
        self.reason = error.strerror or str(error)
        super().__init__(f"cannot listen on {host}:{port}: {self.reason}")


SQLITE_CONCURRENCY = 4
"""Telegram updates in flight at once on SQLite. Its write transactions run one at a time
anyway (a chat turn takes the write lock first, see bot/db.py), so more in flight only means
more replies on their way: a few overlap the Bot API round trips of replies with the next
turn; more only add bookkeeping."""
POSTGRES_CONCURRENCY = 32


def channel_wiring(runtime: Runtime) -> ChannelWiring:
    """What a chat channel is handed; one chat turn at a time on SQLite (a single writer)."""
    ctx = runtime.ctx
    return ChannelWiring(
        ctx=ctx,
        dispatcher=runtime.dispatcher,
        routes=runtime.web_app,
        senders=runtime.senders,
        states=runtime.channel_states,
        webhook_url=runtime.options.webhook_url,
        turn_concurrency=1 if ctx.db.is_sqlite else None,
    )


def telegram_channel(runtime: Runtime, **tuning: Any) -> TelegramChannel:
    """The Telegram channel; ``tuning`` overrides retry, poll and concurrency settings
    (tests, benchmarks)."""
    sqlite = runtime.ctx.db.is_sqlite
    tuning.setdefault("concurrency", SQLITE_CONCURRENCY if sqlite else POSTGRES_CONCURRENCY)
    return TelegramChannel(channel_wiring(runtime), **tuning)


def zalo_channel(runtime: Runtime, **tuning: Any) -> ZaloChannel:
    """The Zalo channel; ``tuning`` as for :func:`telegram_channel`."""
    return ZaloChannel(channel_wiring(runtime), **tuning)


def web_component(runtime: Runtime) -> WebComponent:
    """The dashboard and web chat; sets the line announced once the bot runs."""
    ctx = runtime.ctx
    if (runtime.host, runtime.port) != (ctx.settings.web_host, ctx.settings.web_port):
        # ``dondoc run --host/--port``: links sent in chat must name the real address.
        ctx.settings = ctx.settings.model_copy(
            update={"web_host": runtime.host, "web_port": runtime.port}
        )
    component = WebComponent(ctx, runtime.dispatcher, runtime.web_app, runtime.senders)
    runtime.ready_message = component.ready_message
    return component


def scheduler_component(runtime: Runtime) -> SchedulerComponent:
    """The scheduler, reading the live senders registry."""
    return SchedulerComponent(runtime.ctx, runtime.senders)


def add_components(runtime: Runtime) -> None:
    """Add every configured component to the runtime."""
    settings = runtime.ctx.settings
    if settings.telegram_token:
        runtime.components.append(telegram_channel(runtime))
    if settings.zalo_token:
        runtime.components.append(zalo_channel(runtime))
    # The web chat is a channel too, so the bot always has one: with no Telegram or Zalo
    # token, the dashboard and web chat alone make the product (see docs/web.md).
    runtime.components.append(web_component(runtime))
    # Last, so every channel has registered its sender when the outbox dispatcher starts.
    runtime.components.append(scheduler_component(runtime))
