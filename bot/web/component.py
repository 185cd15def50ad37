"""The web component of a running bot: dashboard and web chat on the shared aiohttp app."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from aiohttp import web

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.sending import Senders
from bot.services.login_links import web_base_url
from bot.web.advice import AdvicePages
from bot.web.chat import WebChat
from bot.web.chat_hub import ChatHub, WebSender
from bot.web.dashboard import Dashboard
from bot.web.decisions import ExtensionDecisions
from bot.web.demo import DemoSwitch
from bot.web.guard import PageGuard
from bot.web.imports import ImportPages
from bot.web.login import LoginPages
from bot.web.officials import OfficialPages
from bot.web.rendering import setup_templates
from bot.web.task_admin import TaskAdminPages
from bot.web.task_list import TaskList
from bot.web.texts import TEXTS
from bot.web.uploads import ChatUploads
from handlers import Dispatcher

log = logging.getLogger(__name__)

STATIC_DIR = Path(str(resources.files("bot.web") / "static"))


class WebComponent:
    """Registers the dashboard, the chat and ``/static`` on the web server's ``routes`` and
    the web chat's sender in ``senders``. Always part of a running bot."""

    name = "web"

    def __init__(
        self,
        ctx: AppContext,
        dispatcher: Dispatcher,
        routes: web.Application,
        senders: Senders,
    ) -> None:
        self.ctx = ctx
        self.hub = ChatHub()
        self.sender = WebSender(ctx, self.hub)
        self.demo = DemoSwitch(ctx.settings)
        setup_templates(routes, ctx)
        guard = PageGuard(ctx, self.demo)
        LoginPages(ctx, self.demo, guard).register(routes)
        TaskAdminPages(ctx, guard).register(routes)
        Dashboard(ctx, guard).register(routes)
        ExtensionDecisions(ctx, guard).register(routes)
        ImportPages(ctx, guard).register(routes)
        OfficialPages(ctx, guard).register(routes)
        AdvicePages(ctx, guard).register(routes)
        TaskList(ctx, guard).register(routes)
        ChatUploads(ctx, guard).register(routes)
        WebChat(ctx, dispatcher, self.hub, self.demo).register(routes)
        routes.router.add_static("/static/", STATIC_DIR, append_version=True)
        senders[WEB.name] = self.sender

    @property
    def url(self) -> str:
        return web_base_url(self.ctx.settings)

    @property
    def ready_message(self) -> str:
        """The line printed once the bot runs: where to open the dashboard."""
        return TEXTS.t("running", self.ctx.settings.language, url=self.url)

    async def start(self) -> None:
        """Warn when demo mode is on; the routes are served by the runtime's web server."""
        async with self.ctx.db.session() as session:
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
