"""Extension decisions on the dashboard: the decision form (overview inbox and task page) and
the task page's deadline history.

A leader or admin approves until the requested date or another one, or refuses, with an
optional comment; ``POST /extensions/<id>`` goes through the chat's service (same rules,
audited, the requester and the unit's heads told). The history lists every deadline change
and every refused request: when, who decided, old → new deadline, the reason and the comment.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.models import DeadlineChange, ExtensionRequest, ExtensionStatus, Official
from bot.services.directory import can_decide_extensions
from bot.services.errors import DomainError
from bot.services.extensions import decide_and_notify
from bot.web.guard import PageGuard, Viewer, see_other
from bot.web.texts import TEXTS
from bot.web.views import task_url

DECISIONS = ("approve", "reject")


class Outcome(enum.StrEnum):
    """What happened to the deadline, as the history's decision column says it."""

    APPROVED = "approved"
    APPROVED_OTHER = "approved_other"
    """Approved until a date other than the requested one."""
    REJECTED = "rejected"
    CHANGED = "changed"
    """Changed without a request (a re-import)."""


@dataclass(frozen=True)
class DeadlineEvent:
    """One row of a task's deadline history."""

    at: dt.datetime
    who: Official | None
    outcome: Outcome
    old: dt.date | None
    new: dt.date | None
    """None when refused: the deadline stayed ``old``."""
    requested: dt.date | None
    reason: str
    note: str


async def deadline_history(session: AsyncSession, task_id: int) -> list[DeadlineEvent]:
    """Every deadline change and every refused request of a task, oldest first."""
    changes = await session.scalars(
        select(DeadlineChange)
        .where(DeadlineChange.task_id == task_id)
        .options(selectinload(DeadlineChange.changed_by))
    )
    decided = await session.scalars(
        select(ExtensionRequest)
        .where(
            ExtensionRequest.task_id == task_id,
            ExtensionRequest.status != ExtensionStatus.PENDING,
        )
        .options(selectinload(ExtensionRequest.decided_by))
    )
    requests = {request.id: request for request in decided}
    events = []
    for change in changes:
        request = requests.get(change.extension_request_id or 0)
        outcome = Outcome.CHANGED
        if request is not None:
            other = change.new_deadline != request.new_deadline
            outcome = Outcome.APPROVED_OTHER if other else Outcome.APPROVED
        events.append(
            DeadlineEvent(
                at=change.changed_at,
                who=change.changed_by,
                outcome=outcome,
                old=change.old_deadline,
                new=change.new_deadline,
                requested=request.new_deadline if request is not None else None,
                reason=change.reason,
                note=change.note,
            )
        )
    events.extend(
        DeadlineEvent(
            at=request.decided_at or request.requested_at,
            who=request.decided_by,
            outcome=Outcome.REJECTED,
            old=request.old_deadline,
            new=None,
            requested=request.new_deadline,
            reason=request.reason,
            note=request.decision_note,
        )
        for request in requests.values()
        if request.status is ExtensionStatus.REJECTED
    )
    return sorted(events, key=lambda event: event.at)


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
