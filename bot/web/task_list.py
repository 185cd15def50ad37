"""The full task list (``GET /tasks``): filters from the query string, 50 tasks a page.

Filters: lead unit, leader in charge, source document, status category, deadline range and
words of the title or the code (bot/services/task_query.py, shared with the Excel export, so
the export button of the page downloads exactly the listed tasks). Leaders and admins see every
unit's tasks; unit heads and staff those their unit leads. A value that cannot be used is named
on the page (400) and the other filters still apply. The headers of the code, unit, deadline,
progress and status columns sort the whole list (``sort``, in SQL before paging).
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.models import Task, Unit
from bot.services.task_query import (
    PAGE_SIZE,
    SORT_KEYS,
    SortOrder,
    leaders,
    parse_filters,
    select_tasks,
    source_documents,
    task_ids,
    without_problems,
)
from bot.web.guard import PageGuard, Viewer
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.views import Pager, task_list_url, task_state


class TaskList:
    """``GET /tasks``. The create and edit pages (``/tasks/new``, ``/tasks/{code}/edit``) and
    the task page (``/tasks/{code}``) live elsewhere."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/tasks", self.guard.viewing(self.page))

    async def page(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        scope = viewer.scope_unit_id
        parsed = parse_filters(request.query)
        selection = await select_tasks(
            session, parsed.filters, scope_unit_id=scope, today=self.ctx.today()
        )
        ids = await task_ids(session, selection, parsed.sort)
        pager = Pager(total=len(ids), page=parsed.page, size=PAGE_SIZE)
        shown = ids[pager.first : pager.first + PAGE_SIZE]
        loaded = {
            task.id: task
            for task in await session.scalars(
                select(Task)
                .where(Task.id.in_(shown))
                .options(
                    selectinload(Task.lead_unit),
                    selectinload(Task.handler),
                    selectinload(Task.leader_in_charge),
                )
            )
        }
        applied = without_problems(selection)
        problems = [*parsed.problems, *selection.problems]
        units_query = select(Unit).order_by(Unit.name, Unit.code)
        if scope is not None:
            units_query = units_query.where(Unit.id == scope)
        filter_params = applied.params()
        params = {**filter_params, "sort": parsed.sort.param}
        context = {
            "title": TEXTS.t("tasks.title", lang),
            "entered": parsed.entered,
            "problems": [TEXTS.t(f"tasks.bad_{name}", lang) for name in problems],
            "units": list(await session.scalars(units_query)),
            "leaders": await leaders(session),
            "sources": await source_documents(session, scope),
            "tasks": [
                (loaded[ident], task_state(loaded[ident], self.ctx))
                for ident in shown
                if ident in loaded
            ],
            "pager": pager,
            "pages": [(number, task_list_url(params, page=number)) for number in pager.window()],
            "previous": task_list_url(params, page=pager.current - 1)
            if pager.current > 1
            else None,
            "next": task_list_url(params, page=pager.current + 1)
            if pager.current < pager.last
            else None,
            "sort": parsed.sort.param,
            "sorting": sort_headers(filter_params, parsed.sort),
            "export_params": filter_params,
            "filtered": applied.active,
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
        }
        return render_page(
            request, "task_list.html", lang, context, status=400 if problems else 200
        )


def sort_headers(params: dict[str, str], sort: SortOrder) -> dict[str, tuple[str, str | None]]:
    """For each sortable column: the link of its header (the other direction if the list is
    sorted by it, else ascending; back to page 1) and its ``aria-sort`` (None if unsorted)."""
    return {
        key: (
            task_list_url(params, sort=sort.toggled(key).param),
            ("descending" if sort.descending else "ascending") if key == sort.key else None,
        )
        for key in SORT_KEYS
    }
