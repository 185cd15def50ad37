"""The officials pages (``/officials``): list, add, edit, deactivate, reactivate, invite.

Admins (Văn phòng UBND) manage every official; a unit head manages the staff of their own
unit (:func:`bot.services.directory.may_manage_official`); everyone else gets a 403. The
pages are thin: adding and editing are :mod:`bot.services.officials`, deactivating and
reactivating the very services of ``dondoc revoke`` and ``dondoc reactivate``
(:mod:`bot.services.access`), invites those of ``dondoc invite`` (:mod:`bot.services.invites`,
the QR code of :mod:`bot.invite_sheet`). Every change is audited with the admin as actor.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiMapping
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.invite_sheet import qr_png
from bot.models import Official, Role, Unit
from bot.services import invites
from bot.services.access import reactivate_access, revoke_access
from bot.services.directory import (
    manages_officials,
    may_manage_official,
    normalize_code,
)
from bot.services.errors import DomainError
from bot.services.officials import (
    LANGUAGES,
    OfficialDraft,
    OfficialInvalid,
    create_official,
    list_officials,
    update_official,
)
from bot.web.guard import PageGuard, Viewer, see_other
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.views import path_part

PER_PAGE = 50
NOTICES = ("created", "updated", "unchanged", "deactivated", "reactivated")


def official_url(code: str, action: str) -> str:
    return f"/officials/{path_part(code)}/{action}"


class OfficialPages:
    """Routes of the officials pages on the shared aiohttp application."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/officials", self.guard.viewing(self.list_page))
        app.router.add_get("/officials/new", self.guard.viewing(self.new_form))
        app.router.add_post("/officials/new", self.guard.posting(self.create))
        app.router.add_get("/officials/{code}/edit", self.guard.viewing(self.edit_form))
        app.router.add_post("/officials/{code}/edit", self.guard.posting(self.edit))
        app.router.add_post("/officials/{code}/deactivate", self.guard.posting(self.deactivate))
        app.router.add_post("/officials/{code}/reactivate", self.guard.posting(self.reactivate))
        app.router.add_post("/officials/{code}/invite", self.guard.posting(self.invite))

    # --- list ----------------------------------------------------------------------------

    async def list_page(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        me = viewer.official
        if not manages_officials(me):
            return self._forbidden(request, viewer)
        lang = viewer.lang
        units = await self._units(session, me)
        wanted = normalize_code(request.query.get("unit", ""))
        unit = next((u for u in units if u.code == wanted), None)
        if me.role is not Role.ADMIN:
            unit = units[0]
        search = request.query.get("q", "").strip()[:100]
        try:
            page_number = int(request.query.get("page", "1"))
        except ValueError:
            page_number = 1
        page = await list_officials(
            session,
            unit_id=unit.id if unit else None,
            search=search,
            page=page_number,
            per_page=PER_PAGE,
        )
        notice = request.query.get("notice")
        notice_code = request.query.get("code", "")[:64]

        def page_url(number: int) -> str:
            query = {"unit": unit.code if unit else "", "q": search, "page": str(number)}
            return "/officials?" + urlencode({k: v for k, v in query.items() if v})

        context = {
            "title": TEXTS.t("officials.title", lang),
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
            "units": units,
            "unit": unit,
            "unit_fixed": me.role is not Role.ADMIN,
            "search": search,
            "page": page,
            "previous_url": page_url(page.page - 1) if page.page > 1 else None,
            "next_url": page_url(page.page + 1) if page.page < page.pages else None,
            "may_manage": lambda official: may_manage_official(me, official),
            "me": me,
            "official_url": official_url,
            "notice": TEXTS.t(f"officials.notice.{notice}", lang, code=notice_code)
            if notice in NOTICES
            else None,
        }
        return render_page(request, "officials.html", lang, context)

    # --- add and edit --------------------------------------------------------------------

    async def new_form(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        me = viewer.official
        if not manages_officials(me):
            return self._forbidden(request, viewer)
        unit = me.unit.code if me.role is not Role.ADMIN and me.unit else None
        draft = OfficialDraft(code="", full_name="", unit_code=unit)
        return await self._form(request, session, viewer, draft, None)

    async def create(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        me = viewer.official
        if not manages_officials(me):
            return self._forbidden(request, viewer)
        form = await request.post()
        try:
            draft = _draft(form)
            official = await create_official(session, self.ctx, draft, actor=me, via="web")
        except OfficialInvalid as exc:
            return await self._form(request, session, viewer, _draft(form, lax=True), None, exc)
        except DomainError as exc:
            return self._refused(request, viewer, exc)
        return see_other(_notice_url("created", official.code))

    async def edit_form(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        official = await self._managed(request, session, viewer)
        if not isinstance(official, Official):
            return official
        return await self._form(request, session, viewer, OfficialDraft.of(official), official)

    async def edit(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        official = await self._managed(request, session, viewer)
        if not isinstance(official, Official):
            return official
        form = await request.post()
        try:
            draft = _draft(form, code=official.code)
            changes = await update_official(
                session, self.ctx, official.code, draft, actor=viewer.official, via="web"
            )
        except OfficialInvalid as exc:
            draft = _draft(form, code=official.code, lax=True)
            return await self._form(request, session, viewer, draft, official, exc)
        except DomainError as exc:
            return self._refused(request, viewer, exc)
        return see_other(_notice_url("updated" if changes else "unchanged", official.code))

    async def _form(
        self,
        request: web.Request,
        session: AsyncSession,
        viewer: Viewer,
        draft: OfficialDraft,
        official: Official | None,
        error: OfficialInvalid | None = None,
    ) -> web.Response:
        lang = viewer.lang
        me = viewer.official
        admin = me.role is Role.ADMIN
        if official is None:
            title = TEXTS.t("officials.new_title", lang)
            action = "/officials/new"
        else:
            title = TEXTS.t("officials.edit_title", lang, name=official.full_name)
            action = official_url(official.code, "edit")
        context: dict[str, Any] = {
            "title": title,
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
            "action": action,
            "official": official,
            "draft": draft,
            "units": await self._units(session, me),
            "roles": list(Role) if admin else [draft.role],
            "languages": LANGUAGES,
            "place_fixed": not admin,
            "error": error.message(lang) if error else None,
            "error_field": error.field if error else None,
        }
        return render_page(
            request, "official_form.html", lang, context, status=422 if error else 200
        )

    # --- access and invites --------------------------------------------------------------

    async def deactivate(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        official = await self._managed(request, session, viewer)
        if not isinstance(official, Official):
            return official
        if official.id == viewer.official.id:
            text = TEXTS.t("officials.not_yourself", viewer.lang)
            return self.guard.problem(request, viewer, "officials.refused_title", text, 400)
        try:
            await revoke_access(session, self.ctx, official.code, via="web", actor=viewer.official)
        except DomainError as exc:
            return self._refused(request, viewer, exc)
        return see_other(_notice_url("deactivated", official.code))

    async def reactivate(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        official = await self._managed(request, session, viewer)
        if not isinstance(official, Official):
            return official
        try:
            await reactivate_access(
                session, self.ctx, official.code, via="web", actor=viewer.official
            )
        except DomainError as exc:
            return self._refused(request, viewer, exc)
        return see_other(_notice_url("reactivated", official.code))

    async def invite(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """Issue an invite code and show it once, with the Telegram deep link and its QR
        code when the bot's username is set (``DONDOC_TELEGRAM_BOT_USERNAME``)."""
        official = await self._managed(request, session, viewer)
        if not isinstance(official, Official):
            return official
        ttl = dt.timedelta(hours=self.ctx.settings.invite_ttl_hours)
        try:
            code = await invites.create_invite(
                session, self.ctx, official=official, ttl=ttl, via="web", actor=viewer.official
            )
        except DomainError as exc:
            return self._refused(request, viewer, exc)
        bot_name = self.ctx.settings.telegram_bot_username
        link = invites.telegram_link(bot_name, code) if bot_name else None
        qr = base64.b64encode(qr_png(link)).decode() if link else None
        context = {
            "title": TEXTS.t("officials.invite_title", viewer.lang, name=official.full_name),
            "signed_in": viewer.signed_in(),
            "official": official,
            "code": code,
            "expires": self.ctx.now() + ttl,
            "link": link,
            "qr": f"data:image/png;base64,{qr}" if qr else None,
        }
        return render_page(request, "official_invite.html", viewer.lang, context)

    # --- helpers -------------------------------------------------------------------------

    async def _official(self, session: AsyncSession, code: str) -> Official | None:
        return await session.scalar(
            select(Official)
            .where(Official.code == normalize_code(code))
            .options(selectinload(Official.unit))
        )

    async def _managed(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> Official | web.Response:
        """The official of the URL if the viewer manages them, else the refusal page."""
        official = await self._official(session, request.match_info["code"])
        if official is None:
            return self._not_found(request, viewer)
        if not may_manage_official(viewer.official, official):
            return self._forbidden(request, viewer)
        return official

    async def _units(self, session: AsyncSession, me: Official) -> list[Unit]:
        """The units the viewer may place officials in: all for an admin, else their own."""
        query = select(Unit).order_by(Unit.name, Unit.code)
        if me.role is not Role.ADMIN:
            query = query.where(Unit.id == me.unit_id)
        return list(await session.scalars(query))

    def _forbidden(self, request: web.Request, viewer: Viewer) -> web.Response:
        text = TEXTS.t("officials.forbidden", viewer.lang)
        return self.guard.problem(request, viewer, "error.forbidden_title", text, 403)

    def _not_found(self, request: web.Request, viewer: Viewer) -> web.Response:
        what = TEXTS.t("officials.official", viewer.lang, code=request.match_info["code"])
        return self.guard.not_found(request, viewer, what)

    def _refused(self, request: web.Request, viewer: Viewer, exc: DomainError) -> web.Response:
        return self.guard.problem(
            request, viewer, "officials.refused_title", exc.message(viewer.lang), 400
        )


def _notice_url(notice: str, code: str) -> str:
    return "/officials?" + urlencode({"q": code, "notice": notice, "code": code})


def _draft(form: MultiMapping[Any], code: str | None = None, *, lax: bool = False) -> OfficialDraft:
    """The form's values as a draft (``code`` fixed on an edit). An unknown role raises
    :class:`OfficialInvalid` unless ``lax`` (re-showing the form), which keeps staff."""

    def value(name: str) -> str:
        found = form.get(name)
        return found.strip() if isinstance(found, str) else ""

    role_text = value("role") or Role.STAFF.value
    try:
        role = Role(role_text)
    except ValueError:
        if not lax:
            raise OfficialInvalid("role", "official_role_unknown", role=role_text) from None
        role = Role.STAFF
    return OfficialDraft(
        code=code if code is not None else value("code"),
        full_name=value("full_name"),
        title=value("title"),
        unit_code=value("unit") or None,
        role=role,
        phone=value("phone") or None,
        language=value("language") or "vi",
    )
