"""Who may see a dashboard page: the signed-in viewer, the login page for strangers, CSRF and
same-origin checks on every form, and the short pages that refuse or report a problem.

Every page module (overview, task administration, officials, imports, the task list) wraps its
handlers with :class:`PageGuard` so the rules live in one place.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import Official, WebSession
from bot.services.directory import sees_everything
from bot.web import auth
from bot.web.demo import DemoSwitch, demo_officials
from bot.web.pages import CSRF_FIELD, message_page, same_origin
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.upload_form import Upload, UploadRefused, receive_upload
from bot.web.views import SignedIn

SESSION_COOKIE = "dondoc_session"


@dataclass(frozen=True)
class Viewer:
    """The logged-in person looking at a page."""

    record: WebSession

    @property
    def official(self) -> Official:
        return self.record.official

    @property
    def lang(self) -> str:
        return self.official.language if self.official.language in ("vi", "en") else "vi"

    @property
    def csrf(self) -> str:
        return self.record.csrf_token

    @property
    def scope_unit_id(self) -> int | None:
        """None for leaders and admins (everything), else the viewer's own unit."""
        return None if sees_everything(self.official) else self.official.unit_id

    @property
    def has_scope(self) -> bool:
        """Heads and staff without a unit see nothing."""
        return sees_everything(self.official) or self.official.unit_id is not None

    def signed_in(self) -> SignedIn:
        return SignedIn(self.official, self.csrf)


Page = Callable[[web.Request, AsyncSession, Viewer], Awaitable[web.StreamResponse]]
UploadPage = Callable[[web.Request, AsyncSession, Viewer, Upload], Awaitable[web.StreamResponse]]


class PageGuard:
    """Wraps page handlers: one transaction, a live session, CSRF on forms."""

    def __init__(self, ctx: AppContext, demo: DemoSwitch) -> None:
        self.ctx = ctx
        self.demo = demo

    @property
    def lang(self) -> str:
        """The language of pages shown before anyone signs in."""
        return self.ctx.settings.language

    def viewing(self, handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a page: one transaction, a live session (else the login page)."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            async with self.ctx.db.session() as session:
                record = await auth.session_for_cookie(
                    session, self.ctx, request.cookies.get(SESSION_COOKIE)
                )
                if record is None:
                    return await self.login_response(request, session, status=401)
                viewer = Viewer(record)
                if not viewer.has_scope:
                    return self.forbidden(request, viewer)
                return await handler(request, session, viewer)

        return wrapped

    def posting(self, handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a form POST: a live session and the session's CSRF token, same origin."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            form = await request.post()
            submitted = form.get(CSRF_FIELD)
            token = submitted if isinstance(submitted, str) else None
            async with self.ctx.db.session() as session:
                admitted = await self._admit(request, session, token)
                if not isinstance(admitted, Viewer):
                    return admitted
                return await handler(request, session, admitted)

        return wrapped

    def uploading(
        self, handler: UploadPage
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a file upload form (``multipart/form-data``): the file is streamed to a
        temporary folder (at most ``import_max_bytes``; deleted after the handler) before
        the same checks as :meth:`posting`."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            if not request.cookies.get(SESSION_COOKIE):
                async with self.ctx.db.session() as session:
                    return await self.login_response(request, session, status=401)
            with tempfile.TemporaryDirectory(prefix="dondoc-upload-") as folder:
                refused: UploadRefused | None = None
                try:
                    upload = await receive_upload(
                        request, Path(folder), self.ctx.settings.import_max_bytes
                    )
                except UploadRefused as exc:
                    refused, upload = exc, Upload(fields=exc.fields)
                async with self.ctx.db.session() as session:
                    token = upload.fields.get(CSRF_FIELD)
                    admitted = await self._admit(request, session, token)
                    if not isinstance(admitted, Viewer):
                        return admitted
                    if refused is not None:
                        return self.problem(
                            request,
                            admitted,
                            "error.bad_upload_title",
                            TEXTS.t("error.bad_upload", admitted.lang),
                            400,
                        )
                    return await handler(request, session, admitted, upload)

        return wrapped

    async def _admit(
        self, request: web.Request, session: AsyncSession, token: str | None
    ) -> Viewer | web.Response:
        """The viewer of a form POST, or the page that refuses it: the login page without a
        live session, a 403 for a foreign origin or a wrong CSRF token, or for no scope."""
        record = await auth.session_for_cookie(
            session, self.ctx, request.cookies.get(SESSION_COOKIE)
        )
        if record is None:
            return await self.login_response(request, session, status=401)
        viewer = Viewer(record)
        if not same_origin(request, self.ctx.settings.public_base_url) or not auth.csrf_matches(
            record, token
        ):
            return message_page(
                request,
                viewer.lang,
                "error.csrf_title",
                TEXTS.t("error.csrf", viewer.lang),
                status=403,
                signed_in=viewer.signed_in(),
                back=True,
            )
        if not viewer.has_scope:
            return self.forbidden(request, viewer)
        return viewer

    async def login_response(
        self, request: web.Request, session: AsyncSession, *, status: int
    ) -> web.Response:
        """The login page (with the demo's officials to pick from in demo mode)."""
        lang = self.lang
        demo = await demo_officials(session) if await self.demo.enabled(session) else None
        context = {
            "title": TEXTS.t("login.title", lang),
            "minutes": self.ctx.settings.login_link_ttl_minutes,
            "demo_officials": demo,
        }
        return render_page(request, "login.html", lang, context, status=status)

    @staticmethod
    def forbidden(request: web.Request, viewer: Viewer) -> web.Response:
        return message_page(
            request,
            viewer.lang,
            "error.forbidden_title",
            TEXTS.t("error.forbidden", viewer.lang),
            status=403,
            signed_in=viewer.signed_in(),
            back=True,
        )

    @staticmethod
    def not_found(request: web.Request, viewer: Viewer, what: str) -> web.Response:
        return message_page(
            request,
            viewer.lang,
            "error.not_found_title",
            TEXTS.t("error.not_found", viewer.lang, what=what),
            status=404,
            signed_in=viewer.signed_in(),
            back=True,
        )

    @staticmethod
    def problem(
        request: web.Request, viewer: Viewer, title_key: str, text: str, status: int
    ) -> web.Response:
        """A refused form: what was wrong, in the viewer's language, and a way back."""
        return message_page(
            request,
            viewer.lang,
            title_key,
            text,
            status=status,
            signed_in=viewer.signed_in(),
            back=True,
        )


def see_other(location: str) -> web.Response:
    """A 303 redirect that can still carry cookies."""
    return web.Response(status=303, headers={"Location": location})


def attachment_header(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
