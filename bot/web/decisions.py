"""Extension decisions on the dashboard: ``POST /extensions/<id>`` from the decision form of
the overview's inbox and of the task page.

A leader or admin approves until the requested date or another one, or refuses, with an
optional comment, through the chat's service (same rules, audited, the requester and the
unit's heads told). The task page's history comes from
:func:`bot.services.extensions.deadline_history`.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.services.directory import can_decide_extensions
from bot.services.errors import DomainError
from bot.services.extensions import decide_and_notify
from bot.web.guard import PageGuard, Viewer, see_other
from bot.web.texts import TEXTS
from bot.web.views import task_url

DECISIONS = ("approve", "reject")


class ExtensionDecisions:
    """``POST /extensions/<id>``: a leader's or admin's decision from a dashboard form."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_post("/extensions/{id:\\d{1,9}}", self.guard.posting(self.decide))

    async def decide(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """Approve (until the form's date, the requested one by default) or refuse, with the
        form's comment, then back to the page the form was on."""
        if not can_decide_extensions(viewer.official):
            return self.guard.forbidden(request, viewer)
        form = await request.post()
        decision = form.get("decision")
        if decision not in DECISIONS:
            return self._problem(request, viewer, TEXTS.t("extension.bad_decision", viewer.lang))
        approve = decision == "approve"
        raw_date, note = form.get("deadline", ""), form.get("note", "")
        deadline = None
        if approve and raw_date:
            try:
                deadline = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
            except ValueError:
                deadline = None
            if deadline is None:
                return self._problem(request, viewer, TEXTS.t("extension.bad_date", viewer.lang))
        try:
            decided = await decide_and_notify(
                session,
                self.ctx,
                leader=viewer.official,
                request_id=int(request.match_info["id"]),
                approve=approve,
                deadline=deadline,
                note=note if isinstance(note, str) else "",
                via="web",
            )
        except DomainError as exc:
            return self._problem(request, viewer, exc.message(viewer.lang), _status(exc))
        return see_other(task_url(decided.task.code) if form.get("back") == "task" else "/")

    def _problem(
        self, request: web.Request, viewer: Viewer, text: str, status: int = 400
    ) -> web.Response:
        return self.guard.problem(request, viewer, "extension.problem_title", text, status)


def _status(error: DomainError) -> int:
    """404 for an unknown request, 409 for one decided already, 400 for a refused date or
    comment (the form can be sent again corrected)."""
    if error.code == "extension_not_found":
        return 404
    if error.code == "extension_decided":
        return 409
    return 400
