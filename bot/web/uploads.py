"""Files officials attached in the web chat, for the dashboard (``GET /uploads/{id}``).

The web chat keeps an attached file in the chat's history (bot/web/chat_attachments.py,
``store_upload``) and the report saved with it names it (``attachments``: channel ``web``,
``file_id`` the history row, ``url`` this route). Whoever may read a task whose report carries
the file may download it; anyone else gets "not found", so the route says nothing about other
files.
"""

from __future__ import annotations

import re

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.models import Attachment, Report, Task, WebMessage
from bot.services.directory import TaskAccess, task_access
from bot.web.guard import PageGuard, Viewer, attachment_header
from bot.web.texts import TEXTS

MAX_ROW_ID = 2**31 - 1
MIME_RE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


class ChatUploads:
    """``GET /uploads/{id}``: an attached file, to those who may read its report's task."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/uploads/{id:\\d{1,10}}", self.guard.viewing(self.download))

    async def download(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        row_id = int(request.match_info["id"])
        missing = self.guard.not_found(request, viewer, TEXTS.t("uploads.file", viewer.lang))
        if row_id > MAX_ROW_ID:
            return missing
        tasks = await session.scalars(
            select(Task)
            .join(Report, Report.task_id == Task.id)
            .join(Attachment, Attachment.report_id == Report.id)
            .where(Attachment.channel == WEB.name, Attachment.file_id == str(row_id))
            .options(selectinload(Task.coordinating_units))
        )
        if all(task_access(viewer.official, task) is TaskAccess.NONE for task in tasks):
            return missing
        row = await session.get(WebMessage, row_id)
        item = row.payload.get("document") if row is not None else None
        if not item or not item.get("content"):
            return missing
        mime = str(item.get("mime") or "")
        return web.Response(
            body=bytes.fromhex(item["content"]),
            content_type=mime if MIME_RE.match(mime) else "application/octet-stream",
            headers={
                "Content-Disposition": attachment_header(str(item.get("name") or "file")),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )
