"""The web component of a running bot: dashboard and web chat on the shared aiohttp app."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bot.channels.base import WEB
from bot.web.auth import web_base_url
from bot.web.chat import ChatHub, WebChat, WebSender
from bot.web.dashboard import Dashboard
from bot.web.demo import DemoSwitch
from bot.web.rendering import setup_templates
from bot.web.texts import TEXTS

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

STATIC_DIR = Path(str(resources.files("bot.web") / "static"))


class WebComponent:
    """Registers the dashboard, the chat and ``/static`` on ``runtime.web_app`` and the web
    chat's sender as ``runtime.senders["web"]``. Always part of a running bot."""

    name = "web"

    def __init__(self, runtime: Runtime) -> None:
        ctx = runtime.ctx
        if (runtime.host, runtime.port) != (ctx.settings.web_host, ctx.settings.web_port):
            # ``dondoc run --host/--port``: links sent in chat must name the real address.
            ctx.settings = ctx.settings.model_copy(
                update={"web_host": runtime.host, "web_port": runtime.port}
            )
        self.runtime = runtime
        self.hub = ChatHub()
        self.sender = WebSender(ctx, self.hub)
        self.demo = DemoSwitch(ctx.settings)
        setup_templates(runtime.web_app, ctx)
        Dashboard(ctx, self.demo).register(runtime.web_app)
        WebChat(ctx, runtime.dispatcher, self.hub, self.demo).register(runtime.web_app)
        runtime.web_app.router.add_static("/static/", STATIC_DIR, append_version=True)
        runtime.senders[WEB.name] = self.sender
        runtime.ready_message = TEXTS.t("running", ctx.settings.language, url=self.url)

    @property
    def url(self) -> str:
        return web_base_url(self.runtime.ctx.settings)

    async def start(self) -> None:
        """Warn when demo mode is on; the routes are served by the runtime's web server."""
        async with self.runtime.ctx.db.session() as session:
            demo = await self.demo.enabled(session)
        if demo:
            log.warning(
                "Demo mode is on: anyone who opens %s/login or %s/chat can act as any demo "
                "official. A real deployment sets DONDOC_DEMO_MODE=false.",
                self.url,
                self.url,
            )

    async def stop(self) -> None:
        await self.hub.close_all()
