"""Signing in and out of the dashboard: the login page, one-time login links, demo logins."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.web import auth
from bot.web.demo import DemoSwitch, demo_official
from bot.web.guard import SESSION_COOKIE, PageGuard, Viewer, see_other
from bot.web.pages import message_page, same_origin
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.views import path_part


class LoginPages:
    """The login routes on the shared aiohttp application."""

    def __init__(self, ctx: AppContext, demo: DemoSwitch, guard: PageGuard) -> None:
        self.ctx = ctx
        self.demo = demo
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_post("/logout", self.guard.posting(self.logout))
        app.router.add_get("/login", self.login_page)
        app.router.add_post("/login/demo", self.demo_login)
        app.router.add_get("/login/{token}", self.login_link_page)
        app.router.add_post("/login/{token}", self.login_link_use)

    @property
    def lang(self) -> str:
        return self.guard.lang

    async def login_page(self, request: web.Request) -> web.StreamResponse:
        async with self.ctx.db.session() as session:
            return await self.guard.login_response(request, session, status=200)

    async def login_link_page(self, request: web.Request) -> web.StreamResponse:
        """GET shows a button and spends nothing: link previews must not use the link up."""
        token = request.match_info["token"]
        async with self.ctx.db.session() as session:
            try:
                await auth.check_login_link(session, self.ctx, token)
            except auth.LoginLinkError as exc:
                return self._link_problem(request, exc.problem)
        context = {
            "title": TEXTS.t("login.title", self.lang),
            "action": f"/login/{path_part(token)}",
        }
        return render_page(request, "login_confirm.html", self.lang, context)

    async def login_link_use(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not same_origin(request, self.ctx.settings.public_base_url):
            return self._link_problem(request, auth.LoginLinkProblem.UNKNOWN)
        try:
            async with self.ctx.db.session() as session:
                opened = await auth.use_login_link(session, self.ctx, token, via="web:login-link")
        except auth.LoginLinkError as exc:
            return self._link_problem(request, exc.problem)
        return self._logged_in(request, opened)

    async def demo_login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        code = form.get("official")
        async with self.ctx.db.session() as session:
            if not same_origin(
                request, self.ctx.settings.public_base_url
            ) or not await self.demo.enabled(session):
                return message_page(
                    request,
                    self.lang,
                    "error.forbidden_title",
                    "",
                    status=403,
                    back=True,
                )
            official = await demo_official(session, code)
            if official is None:
                return message_page(
                    request,
                    self.lang,
                    "error.not_found_title",
                    TEXTS.t("demo.unknown", self.lang),
                    status=404,
                    back=True,
                )
            opened = await auth.open_session(session, self.ctx, official, via="web:demo")
        return self._logged_in(request, opened)

    def _logged_in(self, request: web.Request, opened: auth.NewSession) -> web.StreamResponse:
        response = see_other("/")
        response.set_cookie(
            SESSION_COOKIE,
            opened.cookie,
            max_age=int(auth.SESSION_TTL.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=self._secure(request),
            path="/",
        )
        return response

    def _secure(self, request: web.Request) -> bool:
        public = self.ctx.settings.public_base_url or ""
        return request.secure or public.startswith("https://")

    def _link_problem(self, request: web.Request, problem: auth.LoginLinkProblem) -> web.Response:
        status = 404 if problem is auth.LoginLinkProblem.UNKNOWN else 410
        return message_page(
            request,
            self.lang,
            "login.title",
            TEXTS.t(f"login.{problem.value}", self.lang),
            status=status,
        )

    async def logout(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        await auth.close_session(session, self.ctx, viewer.record)
        response = see_other("/login")
        response.del_cookie(SESSION_COOKIE, path="/")
        return response
