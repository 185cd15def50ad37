"""The import page (``/imports``): an admin uploads a units, officials or tasks workbook
(.xlsx) or a CSV file and either only checks it or imports it.

The upload runs the very steps of ``dondoc import`` (:func:`bot.importing.read_import` and
:func:`bot.importing.apply_import`): all or nothing, every problem listed by file, sheet, row
and column, the import audited with the signed-in admin as its actor.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.context import AppContext
from bot.importing import ImportFailed, ImportResult, Issue, Kind, apply_import, read_import
from bot.models import AuditLog, Official
from bot.services.directory import may_import
from bot.web.guard import PageGuard, Viewer
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.upload_form import Upload

ACCEPTED = ".xlsx,.csv"
ACTIONS = {"check": True, "import": False}
"""The form's two buttons and whether each is a dry run."""
HISTORY_LIMIT = 20
IMPORT_ACTIONS = tuple(f"import.{kind.value}" for kind in Kind)


def size_text(size: int) -> str:
    """``20 MB``, ``1.5 MB``, or ``4 KB`` below a megabyte."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


@dataclass(frozen=True)
class PastImport:
    """One kind of rows written by one import, as the audit log holds it."""

    entry: AuditLog
    who: str

    @property
    def kind(self) -> str:
        return self.entry.entity

    @property
    def files(self) -> str:
        return ", ".join(self.entry.details.get("files", []))

    @property
    def created(self) -> int:
        return len(self.entry.details.get("created", []))

    @property
    def updated(self) -> int:
        return len(self.entry.details.get("updated", []))


class ImportPages:
    """``GET /imports`` (the form and the latest imports) and ``POST /imports``."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/imports", self.guard.viewing(self.form))
        app.router.add_post("/imports", self.guard.uploading(self.upload))

    async def form(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        if not may_import(viewer.official):
            return self._forbidden(request, viewer)
        return await self._page(request, session, viewer)

    async def upload(
        self, request: web.Request, session: AsyncSession, viewer: Viewer, upload: Upload
    ) -> web.StreamResponse:
        if not may_import(viewer.official):
            return self._forbidden(request, viewer)
        lang = viewer.lang
        if upload.too_big:
            limit = size_text(self.ctx.settings.import_max_bytes)
            error = TEXTS.t("imports.too_big", lang, name=upload.name, limit=limit)
            return await self._page(request, session, viewer, error=error, status=413)
        dry_run = ACTIONS.get(upload.fields.get("action", ""))
        if dry_run is None:
            error = TEXTS.t("imports.bad_action", lang)
            return await self._page(request, session, viewer, error=error, status=400)
        if upload.path is None:
            error = TEXTS.t("imports.no_file", lang)
            return await self._page(request, session, viewer, error=error, status=400)
        prepared = await asyncio.to_thread(read_import, self.ctx.settings, [upload.path])
        try:
            result = await apply_import(
                session,
                self.ctx,
                prepared,
                dry_run=dry_run,
                via="web",
                actor=viewer.official,
            )
        except ImportFailed as exc:
            return await self._page(
                request,
                session,
                viewer,
                name=upload.name,
                dry_run=dry_run,
                issues=exc.errors,
                status=422,
            )
        return await self._page(request, session, viewer, name=upload.name, result=result)

    def _forbidden(self, request: web.Request, viewer: Viewer) -> web.Response:
        text = TEXTS.t("imports.forbidden", viewer.lang)
        return self.guard.problem(request, viewer, "error.forbidden_title", text, 403)

    async def _page(
        self,
        request: web.Request,
        session: AsyncSession,
        viewer: Viewer,
        *,
        name: str = "",
        dry_run: bool = True,
        error: str | None = None,
        issues: list[Issue] | None = None,
        result: ImportResult | None = None,
        status: int = 200,
    ) -> web.Response:
        context: dict[str, Any] = {
            "title": TEXTS.t("imports.title", viewer.lang),
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
            "accepted": ACCEPTED,
            "max_size": size_text(self.ctx.settings.import_max_bytes),
            "max_bytes": self.ctx.settings.import_max_bytes,
            "name": name,
            "dry_run": dry_run,
            "error": error,
            "issues": issues or [],
            "result": result,
            "kinds": list(Kind),
            "history": await self._history(session),
        }
        return render_page(request, "imports.html", viewer.lang, context, status=status)

    async def _history(self, session: AsyncSession) -> list[PastImport]:
        """The latest imports, newest first, by whoever made them (or the command line)."""
        actor = aliased(Official)
        rows = await session.execute(
            select(AuditLog, actor.full_name)
            .outerjoin(actor, actor.id == AuditLog.actor_id)
            .where(AuditLog.action.in_(IMPORT_ACTIONS))
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(HISTORY_LIMIT)
        )
        return [PastImport(entry, name or entry.actor) for entry, name in rows]
