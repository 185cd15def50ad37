"""Recommendations (kiến nghị) and directions (ý kiến chỉ đạo) on the dashboard.

The overview lists the recommendations awaiting a direction with a direction form each (for
leaders and admins); the task page shows the task's recommendations and directions as its
history, with a form for each waiting recommendation and one for a direction on the task.
Both forms post here and use the chat's services: audited, and the lead unit and the person
who raised the recommendation are told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import Direction, Official, Recommendation, Task
from bot.services.directions import direct_on_recommendation, give_direction, task_directions
from bot.services.directory import task_by_code
from bot.services.errors import DomainError
from bot.services.recommendations import can_direct, task_recommendations
from bot.services.summary import Summary
from bot.web.guard import PageGuard, Viewer, see_other
from bot.web.views import task_url

OVERVIEW_ANCHOR = "/#pending-advice"
TASK_ANCHOR = "#advice"


@dataclass(frozen=True)
class AdviceEntry:
    """One line of a task's history: a recommendation (with its answers) or a direction
    given on the task itself."""

    at: dt.datetime
    recommendation: Recommendation | None = None
    direction: Direction | None = None


@dataclass(frozen=True)
class AdviceCard:
    """What the task page shows: the history, and whether the viewer may give directions."""

    entries: list[AdviceEntry]
    directs: bool


def pending_advice(summary: Summary) -> list[Recommendation]:
    """The overview's recommendations awaiting a direction, the task waiting longest first."""
    return [
        recommendation
        for item in summary.pending_advice.items
        for recommendation in item.recommendations
    ]


def advice_entries(
    recommendations: Sequence[Recommendation], directions: Sequence[Direction]
) -> list[AdviceEntry]:
    """Recommendations and the directions not answering one, oldest first."""
    entries = [AdviceEntry(item.created_at, recommendation=item) for item in recommendations]
    entries += [
        AdviceEntry(item.created_at, direction=item)
        for item in directions
        if item.recommendation_id is None
    ]
    return sorted(entries, key=lambda entry: entry.at)


async def advice_card(session: AsyncSession, task: Task, viewer: Official) -> AdviceCard | None:
    """None when there is nothing to show and the viewer may not give a direction."""
    entries = advice_entries(
        await task_recommendations(session, task.id), await task_directions(session, task.id)
    )
    directs = can_direct(viewer)
    if not entries and not directs:
        return None
    return AdviceCard(entries, directs)


class AdvicePages:
    """The direction forms' routes on the shared aiohttp application."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_post(
            "/recommendations/{id:\\d{1,9}}/direction", self.guard.posting(self.answer)
        )
        app.router.add_post("/tasks/{code}/directions", self.guard.posting(self.direct))

    async def answer(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """A leader answers one recommendation; back to the overview or the task page."""
        form = await request.post()
        text = form.get("text")
        try:
            direction = await direct_on_recommendation(
                session,
                self.ctx,
                leader=viewer.official,
                recommendation_id=int(request.match_info["id"]),
                text=text if isinstance(text, str) else "",
                via="web",
            )
        except DomainError as exc:
            return self._problem(request, viewer, exc)
        if form.get("back") == "task":
            return see_other(task_url(direction.task.code) + TASK_ANCHOR)
        return see_other(OVERVIEW_ANCHOR)

    async def direct(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """A leader (who sees every task) gives a direction on a task."""
        if not can_direct(viewer.official):
            return self.guard.forbidden(request, viewer)
        form = await request.post()
        text = form.get("text")
        try:
            task = await task_by_code(session, request.match_info["code"])
            await give_direction(
                session,
                self.ctx,
                leader=viewer.official,
                task=task,
                text=text if isinstance(text, str) else "",
                via="web",
            )
        except DomainError as exc:
            return self._problem(request, viewer, exc)
        return see_other(task_url(task.code) + TASK_ANCHOR)

    def _problem(self, request: web.Request, viewer: Viewer, error: DomainError) -> web.Response:
        return self.guard.problem(
            request,
            viewer,
            "advice.problem_title",
            error.message(viewer.lang),
            _status(error),
        )


def _status(error: DomainError) -> int:
    """The HTTP status of a refused direction."""
    if error.code in ("recommendation_not_found", "task_not_found", "task_not_found_suggest"):
        return 404
    if error.code == "direction_not_allowed":
        return 403
    if error.code == "recommendation_answered":
        return 409
    return 400
