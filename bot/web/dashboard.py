"""The leaders' dashboard: overview, task and unit pages, Excel export, login and logout.

Server-rendered HTML in the viewer's language (Vietnamese by default), dates dd/mm/yyyy.
Leaders and admins see everything; unit heads and staff see their own unit (a 403 page
otherwise). Every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.evaluation.periods import PeriodError, month, parse_period
from bot.evaluation.render import ReportFormat, render_report, report_file_name
from bot.evaluation.trends import weekly_trend
from bot.models import TASK_ACTIVE, DeadlineChange, Report, Role, Task, Unit
from bot.services.directory import (
    TaskAccess,
    can_decide_extensions,
    can_read_unit,
    normalize_code,
    task_access,
    task_by_code,
)
from bot.services.errors import DomainError
from bot.services.explanations import answer_explanation, request_explanation, task_requests
from bot.services.extensions import decide_and_notify, pending_request
from bot.services.recommendations import can_direct
from bot.services.summary import (
    build_summary,
    unit_figures,
)
from bot.services.task_admin import stopped_counts, stopped_tasks
from bot.services.task_query import FIELDS, parse_filters, select_tasks, selection_condition
from bot.status import STATUS_ORDER, Status
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.advice import advice_card, pending_advice
from bot.web.explanations import explanation_card, open_explanations
from bot.web.guard import PageGuard, Viewer, attachment_header, see_other
from bot.web.pages import message_page
from bot.web.rendering import render_page
from bot.web.svg_chart import trend_chart, unit_status_chart
from bot.web.task_admin import admin_card
from bot.web.texts import TEXTS
from bot.web.views import figures, task_state, task_url

CHART_UNITS = 15
UNIT_TASK_LIMIT = 500
UNIT_REPORT_LIMIT = 50
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Dashboard:
    """Routes of the dashboard on the shared aiohttp application."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/", self.guard.viewing(self.overview))
        app.router.add_get("/tasks/{code}", self.guard.viewing(self.task_page))
        app.router.add_get("/units/{code}", self.guard.viewing(self.unit_page))
        app.router.add_post("/export", self.guard.posting(self.export))
        app.router.add_post("/extensions/{id:\\d{1,9}}", self.guard.posting(self.decide_extension))
        app.router.add_post("/tasks/{code}/explanations", self.guard.posting(self.ask_explanation))
        app.router.add_post(
            "/explanations/{id:\\d{1,9}}", self.guard.posting(self.answer_explanation)
        )
        app.router.add_post("/report", self.guard.posting(self.report))

    # --- pages ----------------------------------------------------------------------------

    async def _trend(
        self, session: AsyncSession, unit_id: int | None, labels: dict[Status, str], lang: str
    ) -> Markup | None:
        """The weekly trend chart of the city (``unit_id`` None) or one unit; None before
        the first snapshot."""
        points = await weekly_trend(session, self.ctx.today(), unit_id=unit_id)
        if not points:
            return None
        return trend_chart(points, labels, TEXTS.t("overview.trend", lang))

    async def overview(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        scope = viewer.scope_unit_id
        leader = viewer.official.role is Role.LEADER
        wanted = request.query.get("scope", "all")
        if wanted not in ("mine", "all"):
            return self._problem(request, viewer, TEXTS.t("overview.bad_scope", lang), 400)
        mine = leader and wanted == "mine"
        summary = await build_summary(
            session, self.ctx, unit_id=scope, leader_id=viewer.official.id if mine else None
        )
        if mine:
            title = TEXTS.t("overview.title_mine", lang)
        elif scope is None:
            title = TEXTS.t("overview.title_city", lang)
        else:
            unit = await session.get(Unit, scope)
            title = TEXTS.t("overview.title_unit", lang, unit=unit.name if unit else "")
        labels = status_labels(lang)
        charted = summary.units[:CHART_UNITS]
        context = {
            "title": title,
            "scope_switch": leader,
            "scope_mine": mine,
            "summary": summary,
            "figures": figures(summary.counts, summary.deadline_counts),
            "list_params": {"leader": viewer.official.code} if mine else {},
            "chart": unit_status_chart(charted, labels, TEXTS.t("overview.chart", lang)),
            "charted": len(charted),
            "trend": await self._trend(session, scope, labels, lang),
            "silent_days": self.ctx.settings.digests.no_report_days,
            "decider_csrf": self._decider_csrf(viewer),
            "open_explanations": open_explanations(summary),
            "pending_advice": pending_advice(summary),
            "directs": can_direct(viewer.official),
            "stopped": await stopped_counts(session, scope),
            **self._report_form(viewer),
        }
        return render_page(request, "overview.html", lang, context)

    async def task_page(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        code = request.match_info["code"]
        task = await session.scalar(
            select(Task)
            .where(Task.code == normalize_code(code))
            .options(
                selectinload(Task.lead_unit),
                selectinload(Task.coordinating_units),
                selectinload(Task.assigned_by),
                selectinload(Task.handler),
                selectinload(Task.leader_in_charge),
                selectinload(Task.state_changed_by),
            )
        )
        if task is None:
            return self.guard.not_found(request, viewer, TEXTS.t("task.title", lang, code=code))
        if task_access(viewer.official, task) is TaskAccess.NONE:
            return self.guard.forbidden(request, viewer)
        changes = list(
            await session.scalars(
                select(DeadlineChange)
                .where(DeadlineChange.task_id == task.id)
                .order_by(DeadlineChange.changed_at, DeadlineChange.id)
            )
        )
        reports = list(
            await session.scalars(
                select(Report)
                .where(Report.task_id == task.id)
                .order_by(Report.created_at.desc(), Report.id.desc())
                .options(selectinload(Report.official), selectinload(Report.attachments))
            )
        )
        context = {
            "title": TEXTS.t("task.title", lang, code=task.code),
            "task": task,
            "state": task_state(task, self.ctx),
            "pending": await pending_request(session, task.id),
            "decider_csrf": self._decider_csrf(viewer),
            "explanations": explanation_card(
                self.ctx, task, await task_requests(session, task.id), viewer.official
            ),
            "advice": await advice_card(session, task, viewer.official),
            "csrf": viewer.csrf,
            "changes": changes,
            "reports": reports,
            "admin": await admin_card(session, task, viewer),
            "signed_in": viewer.signed_in(),
        }
        return render_page(request, "task.html", lang, context)

    async def unit_page(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        code = request.match_info["code"]
        unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(code)))
        if unit is None:
            return self.guard.not_found(request, viewer, code)
        if not can_read_unit(viewer.official, unit.id):
            return self.guard.forbidden(request, viewer)
        today = self.ctx.today()
        unit_rows = await unit_figures(session, today, unit.id)
        counts = unit_rows[0].counts if unit_rows else {}
        deadline_counts = unit_rows[0].deadline_counts if unit_rows else {}
        tasks = list(
            await session.scalars(
                select(Task)
                .where(Task.lead_unit_id == unit.id, TASK_ACTIVE)
                .order_by(Task.completed_at.is_not(None), Task.deadline, Task.code)
                .limit(UNIT_TASK_LIMIT)
            )
        )
        reports = list(
            await session.scalars(
                select(Report)
                .join(Task, Task.id == Report.task_id)
                .where(Task.lead_unit_id == unit.id)
                .order_by(Report.created_at.desc(), Report.id.desc())
                .limit(UNIT_REPORT_LIMIT)
                .options(
                    selectinload(Report.official),
                    selectinload(Report.attachments),
                    selectinload(Report.task),
                )
            )
        )
        context = {
            "title": TEXTS.t("unit.title", lang, name=unit.name),
            "unit": unit,
            "figures": figures(counts, deadline_counts),
            "trend": await self._trend(session, unit.id, status_labels(lang), lang),
            "tasks": [(task, task_state(task, self.ctx)) for task in tasks],
            "stopped": await stopped_tasks(session, unit.id),
            "reports": reports,
            **self._report_form(viewer),
        }
        return render_page(request, "unit.html", lang, context)

    def _report_form(self, viewer: Viewer) -> dict[str, object]:
        """What the report form and the navigation need: the viewer, the CSRF token, the
        current month as the suggested period and the formats."""
        return {
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
            "period": month(self.ctx.today()).label,
            "formats": list(ReportFormat),
        }

    @staticmethod
    def _decider_csrf(viewer: Viewer) -> str | None:
        """The CSRF token for the decision forms, for a viewer who decides extensions."""
        return viewer.csrf if can_decide_extensions(viewer.official) else None

    async def decide_extension(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """Approve or reject a pending extension request (the chat's service: audited, the
        requester and the unit's heads are told), then back to the page it came from."""
        if not can_decide_extensions(viewer.official):
            return self.guard.forbidden(request, viewer)
        form = await request.post()
        decision = form.get("decision")
        if decision not in ("approve", "reject"):
            return self._problem(
                request, viewer, TEXTS.t("extension.bad_decision", viewer.lang), 400
            )
        try:
            decided = await decide_and_notify(
                session,
                self.ctx,
                leader=viewer.official,
                request_id=int(request.match_info["id"]),
                approve=decision == "approve",
                via="web",
            )
        except DomainError as exc:
            status = 404 if exc.code == "extension_not_found" else 409
            return self._problem(request, viewer, exc.message(viewer.lang), status)
        return see_other(task_url(decided.task.code) if form.get("back") == "task" else "/")

    async def ask_explanation(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """A leader or admin asks the lead unit of an overdue task to explain it by a date
        (the chat's service: refused when not overdue, the date passed or one is open)."""
        form = await request.post()
        raw_date, text = form.get("due_date"), form.get("text")
        try:
            due_date = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            due_date = None
        if due_date is None or not isinstance(text, str):
            return self._problem(
                request, viewer, TEXTS.t("explanation.bad_form", viewer.lang), 400, "explanation"
            )
        try:
            task = await task_by_code(session, request.match_info["code"])
            await request_explanation(
                session,
                self.ctx,
                official=viewer.official,
                task=task,
                due_date=due_date,
                text=text,
                via="web",
            )
        except DomainError as exc:
            return self._problem(
                request, viewer, exc.message(viewer.lang), _status(exc), "explanation"
            )
        return see_other(task_url(task.code) + "#explanations")

    async def answer_explanation(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """The unit head answers an open request; the answer goes to the requester."""
        form = await request.post()
        text = form.get("answer")
        try:
            answered = await answer_explanation(
                session,
                self.ctx,
                official=viewer.official,
                request_id=int(request.match_info["id"]),
                answer=text if isinstance(text, str) else "",
                via="web",
            )
        except DomainError as exc:
            return self._problem(
                request, viewer, exc.message(viewer.lang), _status(exc), "explanation"
            )
        return see_other(task_url(answered.task.code) + "#explanations")

    def _problem(
        self,
        request: web.Request,
        viewer: Viewer,
        text: str,
        status: int,
        topic: str = "extension",
    ) -> web.Response:
        return self.guard.problem(request, viewer, f"{topic}.problem_title", text, status)

    async def export(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """The Excel status report: everything for leaders, the own unit for others; the
        task list's filters (bot/services/task_query.py) keep only the tasks they select."""
        from bot.exporting import build_status_workbook

        form = await request.post()
        unit_id = viewer.scope_unit_id
        suffix = ""
        wanted = form.get("unit")
        if isinstance(wanted, str) and wanted:
            unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(wanted)))
            if unit is None:
                return self.guard.not_found(request, viewer, wanted)
            if not can_read_unit(viewer.official, unit.id):
                return self.guard.forbidden(request, viewer)
            unit_id, suffix = unit.id, f"-{unit.code}"
        elif unit_id is not None and viewer.official.unit is not None:
            suffix = f"-{viewer.official.unit.code}"
        parsed = parse_filters({name: form.get(name) for name in FIELDS if name != "unit"})
        selection = await select_tasks(
            session, parsed.filters, scope_unit_id=unit_id, today=self.ctx.today()
        )
        problems = [*parsed.problems, *selection.problems]
        if problems:
            text = " ".join(TEXTS.t(f"tasks.bad_{name}", viewer.lang) for name in problems)
            return self.guard.problem(request, viewer, "tasks.export_problem_title", text, 400)
        where = None
        if parsed.filters.active:
            where = await selection_condition(session, selection)
            suffix += "-loc"
        content = await build_status_workbook(session, self.ctx, unit_id=unit_id, where=where)
        name = f"dondoc-bao-cao{suffix}-{self.ctx.today().isoformat()}.xlsx"
        return web.Response(
            body=content,
            content_type=XLSX_MIME,
            headers={
                "Content-Disposition": attachment_header(name),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def report(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """The "Báo cáo kết quả thực hiện nhiệm vụ" of a period (as ``dondoc report``): the
        city's for leaders, the own unit's for others."""
        form = await request.post()
        lang = viewer.lang
        text = form.get("period")
        try:
            period = parse_period(text if isinstance(text, str) else "")
        except PeriodError as exc:
            return message_page(
                request,
                lang,
                "error.bad_report_title",
                str(exc),
                status=400,
                signed_in=viewer.signed_in(),
                back=True,
            )
        chosen = form.get("format")
        fmt = ReportFormat(chosen) if chosen in set(ReportFormat) else ReportFormat.XLSX
        unit = (
            await session.get(Unit, viewer.scope_unit_id)
            if viewer.scope_unit_id is not None
            else None
        )
        wanted = form.get("unit")
        if isinstance(wanted, str) and wanted:
            unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(wanted)))
            if unit is None:
                return self.guard.not_found(request, viewer, wanted)
            if not can_read_unit(viewer.official, unit.id):
                return self.guard.forbidden(request, viewer)
        content = await render_report(session, self.ctx, period, fmt, unit)
        return web.Response(
            body=content,
            content_type=fmt.mime,
            headers={
                "Content-Disposition": attachment_header(report_file_name(period, fmt, unit)),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )


# --- responses ------------------------------------------------------------------------------


def status_labels(lang: str) -> dict[Status, str]:
    """The four official categories' names in ``lang``, for the charts."""
    return {status: DOMAIN_TEXTS.t(f"status.{status.value}", lang) for status in STATUS_ORDER}


def _status(error: DomainError) -> int:
    """The HTTP status of a refused explanation request or answer."""
    if error.code in ("explanation_not_found", "task_not_found", "task_not_found_suggest"):
        return 404
    if error.code in ("explanation_not_allowed", "explanation_head_answers"):
        return 403
    return 409
