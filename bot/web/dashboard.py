"""The leaders' dashboard: overview, task and unit pages, Excel export, login and logout.

Server-rendered HTML in the viewer's language (Vietnamese by default), dates dd/mm/yyyy.
Leaders and admins see everything; unit heads and staff see their own unit (a 403 page
otherwise). Every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.evaluation.periods import PeriodError, month, parse_period
from bot.evaluation.render import ReportFormat, render_report, report_file_name
from bot.evaluation.trends import weekly_trend
from bot.i18n import format_date
from bot.models import DeadlineChange, Official, Report, Role, Task, Unit, WebSession
from bot.services.directory import (
    TaskAccess,
    can_decide_extensions,
    can_read_unit,
    normalize_code,
    sees_everything,
    task_access,
    task_by_code,
)
from bot.services.errors import DomainError
from bot.services.explanations import answer_explanation, request_explanation, task_requests
from bot.services.extensions import decide_and_notify, pending_request
from bot.services.summary import (
    build_summary,
    unit_figures,
)
from bot.status import Status
from bot.web import auth
from bot.web.demo import DemoSwitch, demo_official, demo_officials
from bot.web.explanations import explanation_card, open_explanation_table
from bot.web.fragments import (
    deadline_history,
    due_table,
    extension_table,
    figure_cards,
    official_options,
    overdue_table,
    pending_extension,
    report_table,
    scope_switch,
    silent_list,
    status_labels,
    task_facts,
    task_table,
    task_url,
    unit_table,
    unit_url,
)
from bot.web.html import Markup, join, page, path_part, render
from bot.web.pages import (
    CSRF_FIELD,
    back_link,
    csrf_input,
    html_page,
    message_page,
    nav,
    same_origin,
)
from bot.web.svg_chart import trend_chart, unit_status_chart
from bot.web.texts import TEXTS

SESSION_COOKIE = "dondoc_session"
CHART_UNITS = 15
UNIT_TASK_LIMIT = 500
UNIT_REPORT_LIMIT = 50
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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

    def nav(self) -> Markup:
        return nav(self.lang, self.official, self.csrf)


Page = Callable[[web.Request, AsyncSession, Viewer], Awaitable[web.StreamResponse]]


class Dashboard:
    """Routes of the dashboard on the shared aiohttp application."""

    def __init__(self, ctx: AppContext, demo: DemoSwitch) -> None:
        self.ctx = ctx
        self.demo = demo

    def register(self, app: web.Application) -> None:
        app.router.add_get("/", self._viewing(self.overview))
        app.router.add_get("/tasks/{code}", self._viewing(self.task_page))
        app.router.add_get("/units/{code}", self._viewing(self.unit_page))
        app.router.add_post("/export", self._posting(self.export))
        app.router.add_post("/extensions/{id:\\d{1,9}}", self._posting(self.decide_extension))
        app.router.add_post("/tasks/{code}/explanations", self._posting(self.ask_explanation))
        app.router.add_post("/explanations/{id:\\d{1,9}}", self._posting(self.answer_explanation))
        app.router.add_post("/report", self._posting(self.report))
        app.router.add_post("/logout", self._posting(self.logout))
        app.router.add_get("/login", self.login_page)
        app.router.add_post("/login/demo", self.demo_login)
        app.router.add_get("/login/{token}", self.login_link_page)
        app.router.add_post("/login/{token}", self.login_link_use)

    @property
    def lang(self) -> str:
        return self.ctx.settings.language

    # --- access ---------------------------------------------------------------------------

    def _viewing(self, handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a page: one transaction, a live session (else the login page)."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            async with self.ctx.db.session() as session:
                record = await auth.session_for_cookie(
                    session, self.ctx, request.cookies.get(SESSION_COOKIE)
                )
                if record is None:
                    return await self._login_response(session, status=401)
                viewer = Viewer(record)
                if not viewer.has_scope:
                    return self._forbidden(viewer)
                return await handler(request, session, viewer)

        return wrapped

    def _posting(self, handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """Wrap a form POST: a live session and the session's CSRF token, same origin."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            form = await request.post()
            async with self.ctx.db.session() as session:
                record = await auth.session_for_cookie(
                    session, self.ctx, request.cookies.get(SESSION_COOKIE)
                )
                if record is None:
                    return await self._login_response(session, status=401)
                viewer = Viewer(record)
                submitted = form.get(CSRF_FIELD)
                token = submitted if isinstance(submitted, str) else None
                if not same_origin(
                    request, self.ctx.settings.public_base_url
                ) or not auth.csrf_matches(record, token):
                    return message_page(
                        viewer.lang,
                        "error.csrf_title",
                        TEXTS.t("error.csrf", viewer.lang),
                        status=403,
                        navigation=viewer.nav(),
                        extra=back_link(viewer.lang),
                    )
                if not viewer.has_scope:
                    return self._forbidden(viewer)
                return await handler(request, session, viewer)

        return wrapped

    def _forbidden(self, viewer: Viewer) -> web.Response:
        return message_page(
            viewer.lang,
            "error.forbidden_title",
            TEXTS.t("error.forbidden", viewer.lang),
            status=403,
            navigation=viewer.nav(),
            extra=back_link(viewer.lang),
        )

    def _not_found(self, viewer: Viewer, what: str) -> web.Response:
        return message_page(
            viewer.lang,
            "error.not_found_title",
            TEXTS.t("error.not_found", viewer.lang, what=what),
            status=404,
            navigation=viewer.nav(),
            extra=back_link(viewer.lang),
        )

    # --- login ----------------------------------------------------------------------------

    async def login_page(self, request: web.Request) -> web.StreamResponse:
        async with self.ctx.db.session() as session:
            return await self._login_response(session, status=200)

    async def _login_response(self, session: AsyncSession, *, status: int) -> web.Response:
        lang = self.lang
        demo = Markup("")
        if await self.demo.enabled(session):
            demo = page(
                "demo_login.html",
                title=TEXTS.t("demo.title", lang),
                text=TEXTS.t("demo.login_text", lang),
                options=official_options(await demo_officials(session), lang),
                button=TEXTS.t("login.button", lang),
            )
        body = page(
            "login.html",
            title=TEXTS.t("login.title", lang),
            how=TEXTS.t("login.how", lang, minutes=self.ctx.settings.login_link_ttl_minutes),
            scope=TEXTS.t("login.scope", lang),
            chat_link=TEXTS.t("login.chat_link", lang),
            demo=demo,
        )
        return html_page(lang, TEXTS.t("login.title", lang), body, nav(lang), status=status)

    async def login_link_page(self, request: web.Request) -> web.StreamResponse:
        """GET shows a button and spends nothing: link previews must not use the link up."""
        token = request.match_info["token"]
        async with self.ctx.db.session() as session:
            try:
                await auth.check_login_link(session, self.ctx, token)
            except auth.LoginLinkError as exc:
                return self._link_problem(exc.problem)
        lang = self.lang
        body = page(
            "login_confirm.html",
            title=TEXTS.t("login.confirm_title", lang),
            text=TEXTS.t("login.confirm_text", lang),
            action=f"/login/{path_part(token)}",
            button=TEXTS.t("login.button", lang),
        )
        return html_page(lang, TEXTS.t("login.title", lang), body, nav(lang))

    async def login_link_use(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not same_origin(request, self.ctx.settings.public_base_url):
            return self._link_problem(auth.LoginLinkProblem.UNKNOWN)
        try:
            async with self.ctx.db.session() as session:
                opened = await auth.use_login_link(session, self.ctx, token, via="web:login-link")
        except auth.LoginLinkError as exc:
            return self._link_problem(exc.problem)
        return self._logged_in(request, opened)

    async def demo_login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        code = form.get("official")
        async with self.ctx.db.session() as session:
            if not same_origin(
                request, self.ctx.settings.public_base_url
            ) or not await self.demo.enabled(session):
                return message_page(
                    self.lang, "error.forbidden_title", "", status=403, extra=back_link(self.lang)
                )
            official = await demo_official(session, code)
            if official is None:
                return message_page(
                    self.lang,
                    "error.not_found_title",
                    TEXTS.t("demo.unknown", self.lang),
                    status=404,
                    extra=back_link(self.lang),
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

    def _link_problem(self, problem: auth.LoginLinkProblem) -> web.Response:
        status = 404 if problem is auth.LoginLinkProblem.UNKNOWN else 410
        return message_page(
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

    # --- pages ----------------------------------------------------------------------------

    async def _trend(
        self, session: AsyncSession, unit_id: int | None, labels: dict[Status, str], lang: str
    ) -> Markup:
        """The weekly trend chart of the city (``unit_id`` None) or one unit."""
        points = await weekly_trend(session, self.ctx.today(), unit_id=unit_id)
        if not points:
            return render('<p class="muted">$none</p>', none=TEXTS.t("overview.trend_none", lang))
        return trend_chart(points, labels, TEXTS.t("overview.trend", lang))

    async def overview(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        scope = viewer.scope_unit_id
        leader = viewer.official.role is Role.LEADER
        wanted = request.query.get("scope", "all")
        if wanted not in ("mine", "all"):
            return self._problem(viewer, TEXTS.t("overview.bad_scope", lang), 400)
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
        chart_note = (
            TEXTS.t("overview.chart_more", lang, shown=len(charted), total=len(summary.units))
            if len(summary.units) > len(charted)
            else ""
        )
        body = page(
            "overview.html",
            title=title,
            as_of=TEXTS.t("overview.as_of", lang, date=format_date(summary.today)),
            scope_switch=scope_switch(mine, lang) if leader else Markup(""),
            cards=figure_cards(summary.counts, summary.deadline_counts, lang),
            chart_title=TEXTS.t("overview.chart", lang),
            chart=unit_status_chart(charted, labels, TEXTS.t("overview.chart", lang)),
            chart_note=chart_note,
            trend_title=TEXTS.t("overview.trend", lang),
            trend=await self._trend(session, scope, labels, lang),
            report=report_form(viewer.csrf, month(self.ctx.today()).label, lang),
            units_title=TEXTS.t("overview.units", lang),
            sort_hint=TEXTS.t("overview.sort_hint", lang),
            units_table=unit_table(summary.units, lang, self.ctx),
            overdue_title=TEXTS.t("overview.overdue", lang),
            overdue=overdue_table(summary.overdue, lang),
            due_title=TEXTS.t("overview.due_week", lang),
            due=due_table(summary.due_this_week, lang),
            silent_title=TEXTS.t(
                "overview.silent", lang, days=self.ctx.settings.digests.no_report_days
            ),
            silent=silent_list(summary, lang, self.ctx),
            extensions_title=TEXTS.t("overview.extensions", lang),
            extensions=extension_table(summary, lang, self._decider_csrf(viewer)),
            explanations_title=TEXTS.t(
                "overview.explanations", lang, n=summary.open_explanations_total
            ),
            explanations=open_explanation_table(
                summary.open_explanations, summary.open_explanations_total, lang, summary.today
            ),
        )
        return html_page(lang, title, body, viewer.nav())

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
            )
        )
        if task is None:
            return self._not_found(viewer, TEXTS.t("task.title", lang, code=code))
        if task_access(viewer.official, task) is TaskAccess.NONE:
            return self._forbidden(viewer)
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
        heading = TEXTS.t("task.title", lang, code=task.code)
        description = (
            render(
                '<h3>$label</h3><p class="pre">$text</p>',
                label=TEXTS.t("task.description", lang),
                text=task.description,
            )
            if task.description
            else Markup("")
        )
        body = page(
            "task.html",
            overview=TEXTS.t("nav.overview", lang),
            unit_url=unit_url(task.lead_unit.code),
            unit_name=task.lead_unit.name,
            heading=heading,
            title=task.title,
            facts=task_facts(task, lang, self.ctx),
            description=description,
            pending=pending_extension(
                await pending_request(session, task.id), lang, self._decider_csrf(viewer)
            ),
            explanations=explanation_card(
                self.ctx,
                task,
                await task_requests(session, task.id),
                viewer.official,
                viewer.csrf,
                lang,
            ),
            history_title=TEXTS.t("task.deadline_history", lang),
            history=deadline_history(changes, lang, self.ctx),
            reports_title=TEXTS.t("task.reports", lang),
            reports=report_table(reports, lang, self.ctx, with_task=False),
        )
        return html_page(lang, heading, body, viewer.nav())

    async def unit_page(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        lang = viewer.lang
        code = request.match_info["code"]
        unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(code)))
        if unit is None:
            return self._not_found(viewer, code)
        if not can_read_unit(viewer.official, unit.id):
            return self._forbidden(viewer)
        today = self.ctx.today()
        figures = await unit_figures(session, today, unit.id)
        counts = figures[0].counts if figures else {}
        deadline_counts = figures[0].deadline_counts if figures else {}
        tasks = list(
            await session.scalars(
                select(Task)
                .where(Task.lead_unit_id == unit.id)
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
        heading = TEXTS.t("unit.title", lang, name=unit.name)
        export = render(
            '<form method="post" action="/export" class="card export">$csrf'
            '<input type="hidden" name="unit" value="$unit">'
            '<button type="submit">$label</button></form>',
            csrf=csrf_input(viewer.csrf),
            unit=unit.code,
            label=TEXTS.t("nav.export", lang),
        )
        body = page(
            "unit.html",
            overview=TEXTS.t("nav.overview", lang),
            heading=heading,
            cards=figure_cards(counts, deadline_counts, lang),
            export=export,
            trend_title=TEXTS.t("overview.trend", lang),
            trend=await self._trend(session, unit.id, status_labels(lang), lang),
            report=report_form(viewer.csrf, month(self.ctx.today()).label, lang, unit.code),
            tasks_title=TEXTS.t("unit.tasks", lang, n=len(tasks)),
            sort_hint=TEXTS.t("overview.sort_hint", lang),
            tasks=task_table(tasks, lang, self.ctx),
            reports_title=TEXTS.t("unit.reports", lang),
            reports=report_table(reports, lang, self.ctx, with_task=True),
        )
        return html_page(lang, heading, body, viewer.nav())

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
            return self._forbidden(viewer)
        form = await request.post()
        decision = form.get("decision")
        if decision not in ("approve", "reject"):
            return self._problem(viewer, TEXTS.t("extension.bad_decision", viewer.lang), 400)
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
            return self._problem(viewer, exc.message(viewer.lang), status)
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
                viewer, TEXTS.t("explanation.bad_form", viewer.lang), 400, "explanation"
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
            return self._problem(viewer, exc.message(viewer.lang), _status(exc), "explanation")
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
            return self._problem(viewer, exc.message(viewer.lang), _status(exc), "explanation")
        return see_other(task_url(answered.task.code) + "#explanations")

    def _problem(
        self, viewer: Viewer, text: str, status: int, topic: str = "extension"
    ) -> web.Response:
        return message_page(
            viewer.lang,
            f"{topic}.problem_title",
            text,
            status=status,
            navigation=viewer.nav(),
            extra=back_link(viewer.lang),
        )

    async def export(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        """The Excel status report: everything for leaders, the own unit for others."""
        from bot.exporting import build_status_workbook

        form = await request.post()
        unit_id = viewer.scope_unit_id
        suffix = ""
        wanted = form.get("unit")
        if isinstance(wanted, str) and wanted:
            unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(wanted)))
            if unit is None:
                return self._not_found(viewer, wanted)
            if not can_read_unit(viewer.official, unit.id):
                return self._forbidden(viewer)
            unit_id, suffix = unit.id, f"-{unit.code}"
        elif unit_id is not None and viewer.official.unit is not None:
            suffix = f"-{viewer.official.unit.code}"
        content = await build_status_workbook(session, self.ctx, unit_id=unit_id)
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
                lang,
                "error.bad_report_title",
                str(exc),
                status=400,
                navigation=viewer.nav(),
                extra=back_link(lang),
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
                return self._not_found(viewer, wanted)
            if not can_read_unit(viewer.official, unit.id):
                return self._forbidden(viewer)
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


def report_form(csrf: str, period: str, lang: str, unit_code: str | None = None) -> Markup:
    """The period and format of the report to download."""
    options = join(render('<option value="$v">$v</option>', v=fmt.value) for fmt in ReportFormat)
    return render(
        '<form method="post" action="/report" class="card report-form">$csrf$unit'
        "<h2>$title</h2>"
        '<label>$period_label <input name="period" value="$period" required></label> '
        '<label>$format_label <select name="format">$options</select></label> '
        '<button type="submit">$download</button></form>',
        csrf=csrf_input(csrf),
        unit=render('<input type="hidden" name="unit" value="$u">', u=unit_code)
        if unit_code
        else Markup(""),
        title=TEXTS.t("report.title", lang),
        period_label=TEXTS.t("report.period", lang),
        period=period,
        format_label=TEXTS.t("report.format", lang),
        options=options,
        download=TEXTS.t("report.download", lang),
    )


# --- fragments ------------------------------------------------------------------------------


def _status(error: DomainError) -> int:
    """The HTTP status of a refused explanation request or answer."""
    if error.code in ("explanation_not_found", "task_not_found", "task_not_found_suggest"):
        return 404
    if error.code in ("explanation_not_allowed", "explanation_head_answers"):
        return 403
    return 409


def see_other(location: str) -> web.Response:
    """A 303 redirect that can still carry cookies."""
    return web.Response(status=303, headers={"Location": location})


def attachment_header(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
