"""Task administration on the dashboard: the new-task and edit forms, suspending (tạm dừng),
withdrawing (rút nhiệm vụ) and reopening, and the task page's change history.

Thin over :mod:`bot.services.task_admin` (the rules and the audit trail live there). A
refused form comes back with everything that was typed and the reason it was refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date
from bot.models import AuditLog, Official, Priority, Role, Task, TaskState, Unit
from bot.services.directory import sees_everything
from bot.services.errors import DomainError
from bot.services.task_admin import (
    HISTORY_ACTIONS,
    TaskFields,
    can_change_state,
    can_create,
    can_edit,
    create_task,
    edit_task,
    load_task,
    parse_deadline,
    parse_priority,
    set_state,
)
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.web.guard import PageGuard, Viewer, see_other
from bot.web.rendering import render_page
from bot.web.texts import TEXTS
from bot.web.views import task_url

STATE_ACTIONS = {
    "suspend": TaskState.SUSPENDED,
    "withdraw": TaskState.WITHDRAWN,
    "reopen": TaskState.ACTIVE,
}
PERSON_FIELDS = ("leader_in_charge", "handler")
UNIT_FIELDS = ("lead_unit", "coordinating_units")


@dataclass
class FormValues:
    """The task form exactly as typed (kept when the form is refused)."""

    code: str = ""
    title: str = ""
    description: str = ""
    source_document: str = ""
    expected_output: str = ""
    deadline: str = ""
    priority: str = Priority.NORMAL.value
    lead_unit: str = ""
    coordinating_units: list[str] = field(default_factory=list)
    leader_in_charge: str = ""
    handler: str = ""
    reason: str = ""

    @classmethod
    def posted(cls, form: MultiDictProxy[Any]) -> FormValues:
        def text(name: str) -> str:
            value = form.get(name)
            return value if isinstance(value, str) else ""

        return cls(
            code=text("code"),
            title=text("title"),
            description=text("description"),
            source_document=text("source_document"),
            expected_output=text("expected_output"),
            deadline=text("deadline"),
            priority=text("priority"),
            lead_unit=text("lead_unit"),
            coordinating_units=[
                value for value in form.getall("coordinating_units", []) if isinstance(value, str)
            ],
            leader_in_charge=text("leader_in_charge"),
            handler=text("handler"),
            reason=text("reason"),
        )

    @classmethod
    def of(cls, task: Task) -> FormValues:
        fields = TaskFields.of(task)
        return cls(
            code=fields.code,
            title=fields.title,
            description=fields.description,
            source_document=fields.source_document,
            expected_output=fields.expected_output,
            deadline=fields.deadline.isoformat() if fields.deadline else "",
            priority=fields.priority.value,
            lead_unit=fields.lead_unit,
            coordinating_units=list(fields.coordinating_units),
            leader_in_charge=fields.leader_in_charge,
            handler=fields.handler,
        )

    def fields(self) -> TaskFields:
        """The typed fields; a date or priority that cannot be read raises DomainError."""
        return TaskFields(
            code=self.code,
            title=self.title,
            lead_unit=self.lead_unit,
            description=self.description,
            source_document=self.source_document,
            expected_output=self.expected_output,
            deadline=parse_deadline(self.deadline),
            priority=parse_priority(self.priority),
            coordinating_units=self.coordinating_units,
            leader_in_charge=self.leader_in_charge,
            handler=self.handler,
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    """One audited change of a task, its values as an office reads them."""

    at: Any
    who: str
    action: str
    changes: list[FieldChange]
    reason: str


@dataclass(frozen=True)
class AdminCard:
    """What the task page offers this viewer: edit, state changes, and the history."""

    can_edit: bool
    can_change_state: bool
    reopenable: bool
    history: list[HistoryRow]


class TaskAdminPages:
    """Routes of task administration; registered before the task page so ``/tasks/new``
    is the form, not a task called NEW."""

    def __init__(self, ctx: AppContext, guard: PageGuard) -> None:
        self.ctx = ctx
        self.guard = guard

    def register(self, app: web.Application) -> None:
        app.router.add_get("/tasks/new", self.guard.viewing(self.new_form))
        app.router.add_post("/tasks/new", self.guard.posting(self.create))
        app.router.add_get("/tasks/{code}/edit", self.guard.viewing(self.edit_form))
        app.router.add_post("/tasks/{code}/edit", self.guard.posting(self.edit))
        app.router.add_post(
            "/tasks/{code}/{action:suspend|withdraw|reopen}", self.guard.posting(self.change_state)
        )

    # --- create ------------------------------------------------------------------------------

    async def new_form(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        if not can_create(viewer.official):
            return self.guard.forbidden(request, viewer)
        own = viewer.official.unit.code if viewer.official.unit else ""
        values = FormValues(lead_unit="" if sees_everything(viewer.official) else own)
        return await self._form(request, session, viewer, values, None)

    async def create(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        if not can_create(viewer.official):
            return self.guard.forbidden(request, viewer)
        values = FormValues.posted(await request.post())
        try:
            task = await create_task(
                session, self.ctx, actor=viewer.official, fields=values.fields(), via="web"
            )
        except DomainError as exc:
            return await self._form(request, session, viewer, values, None, exc)
        return see_other(task_url(task.code))

    # --- edit --------------------------------------------------------------------------------

    async def edit_form(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        task = await self._task(session, request)
        if task is None:
            return self.guard.not_found(request, viewer, request.match_info["code"])
        if not can_edit(viewer.official, task):
            return self.guard.forbidden(request, viewer)
        return await self._form(request, session, viewer, FormValues.of(task), task)

    async def edit(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        task = await self._task(session, request, for_update=True)
        if task is None:
            return self.guard.not_found(request, viewer, request.match_info["code"])
        if not can_edit(viewer.official, task):
            return self.guard.forbidden(request, viewer)
        values = FormValues.posted(await request.post())
        values.code = task.code
        try:
            await edit_task(
                session,
                self.ctx,
                actor=viewer.official,
                task=task,
                fields=values.fields(),
                reason=values.reason,
                via="web",
            )
        except DomainError as exc:
            return await self._form(request, session, viewer, values, task, exc)
        return see_other(task_url(task.code) + "#history")

    # --- state -------------------------------------------------------------------------------

    async def change_state(
        self, request: web.Request, session: AsyncSession, viewer: Viewer
    ) -> web.StreamResponse:
        task = await self._task(session, request, for_update=True)
        if task is None:
            return self.guard.not_found(request, viewer, request.match_info["code"])
        if not can_change_state(viewer.official):
            return self.guard.forbidden(request, viewer)
        reason = (await request.post()).get("reason")
        try:
            await set_state(
                session,
                self.ctx,
                actor=viewer.official,
                task=task,
                state=STATE_ACTIONS[request.match_info["action"]],
                reason=reason if isinstance(reason, str) else "",
                via="web",
            )
        except DomainError as exc:
            status = 400 if exc.code == "admin_reason_required" else 409
            return self.guard.problem(
                request, viewer, "admin.problem_title", exc.message(viewer.lang), status
            )
        return see_other(task_url(task.code) + "#history")

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    async def _task(
        session: AsyncSession, request: web.Request, *, for_update: bool = False
    ) -> Task | None:
        try:
            return await load_task(session, request.match_info["code"], for_update=for_update)
        except DomainError:
            return None

    async def _form(
        self,
        request: web.Request,
        session: AsyncSession,
        viewer: Viewer,
        values: FormValues,
        task: Task | None,
        error: DomainError | None = None,
    ) -> web.Response:
        """The create form (``task`` None) or the edit form, with a refusal when given."""
        lang = viewer.lang
        official = viewer.official
        everything = sees_everything(official)
        units = list(
            await session.scalars(
                select(Unit).order_by(Unit.name, Unit.code)
                if everything
                else select(Unit).where(Unit.id == official.unit_id)
            )
        )
        all_units = (
            units
            if everything
            else list(await session.scalars(select(Unit).order_by(Unit.name, Unit.code)))
        )
        people = select(Official).where(Official.active.is_(True))
        leaders = list(
            await session.scalars(
                people.where(Official.role == Role.LEADER).order_by(Official.full_name)
            )
        )
        handlers_query = people.where(Official.role.in_((Role.STAFF, Role.HEAD))).options(
            selectinload(Official.unit)
        )
        if not everything:
            handlers_query = handlers_query.where(Official.unit_id == official.unit_id)
        handlers = list(
            await session.scalars(handlers_query.order_by(Official.unit_id, Official.full_name))
        )
        if task is None:
            title = TEXTS.t("admin.new_title", lang)
            action = "/tasks/new"
        else:
            title = TEXTS.t("admin.edit_title", lang, code=task.code)
            action = task_url(task.code) + "/edit"
        context = {
            "title": title,
            "task": task,
            "action": action,
            "values": values,
            "error": error.message(lang) if error else None,
            "units": units,
            "all_units": all_units,
            "leaders": leaders,
            "handler_groups": _by_unit(handlers),
            "priorities": list(Priority),
            "deadline_locked": task is not None and not everything,
            "signed_in": viewer.signed_in(),
            "csrf": viewer.csrf,
        }
        status = 200 if error is None else (403 if error.code == "not_allowed" else 400)
        return render_page(request, "task_form.html", lang, context, status=status)


def _by_unit(officials: Sequence[Official]) -> list[tuple[str, list[Official]]]:
    """Officials grouped under their unit's name (the handler select's option groups)."""
    groups: dict[str, list[Official]] = {}
    for official in officials:
        groups.setdefault(official.unit.name if official.unit else "", []).append(official)
    return sorted(groups.items())


# --- the task page's administration card --------------------------------------------------------


async def admin_card(session: AsyncSession, task: Task, viewer: Viewer) -> AdminCard:
    """What the task page shows about administration: the buttons this viewer may use and
    every audited change of the task (who, when, field, old → new, reason)."""
    rows = list(
        await session.scalars(
            select(AuditLog)
            .where(
                AuditLog.entity == "task",
                AuditLog.entity_id == str(task.id),
                AuditLog.action.in_(HISTORY_ACTIONS),
            )
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        )
    )
    history = await _history(session, rows, viewer.lang)
    official = viewer.official
    return AdminCard(
        can_edit=can_edit(official, task),
        can_change_state=can_change_state(official),
        reopenable=task.state is not TaskState.ACTIVE or task.completed_on is not None,
        history=history,
    )


async def _history(session: AsyncSession, rows: Sequence[AuditLog], lang: str) -> list[HistoryRow]:
    changes = [row.details.get("changes") or {} for row in rows]
    unit_codes: set[str] = set()
    person_codes: set[str] = set()
    for fields in changes:
        for name, pair in fields.items():
            codes = _codes(pair)
            if name in UNIT_FIELDS:
                unit_codes.update(codes)
            elif name in PERSON_FIELDS:
                person_codes.update(codes)
    unit_names = dict(
        (await session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(unit_codes)))).all()
    )
    names = dict(
        (
            await session.execute(
                select(Official.code, Official.full_name).where(Official.code.in_(person_codes))
            )
        ).all()
    )
    actor_ids = {row.actor_id for row in rows if row.actor_id is not None}
    actors = dict(
        (
            await session.execute(
                select(Official.id, Official.full_name).where(Official.id.in_(actor_ids))
            )
        ).all()
    )

    def shown(name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, list):
            return ", ".join(shown(name, item) for item in value)
        if name in UNIT_FIELDS:
            return str(unit_names.get(value, value))
        if name in PERSON_FIELDS:
            return str(names.get(value, value))
        if name in ("deadline", "completed_on"):
            try:
                return format_date(parse_deadline(str(value)), lang)
            except DomainError:
                return str(value)
        if name == "priority":
            return DOMAIN_TEXTS.t(f"priority.{value}", lang)
        if name == "state":
            return DOMAIN_TEXTS.t(f"task_state.{value}", lang)
        return str(value)

    found = []
    for row, fields in zip(rows, changes, strict=True):
        who = actors.get(row.actor_id) if row.actor_id is not None else None
        found.append(
            HistoryRow(
                at=row.at,
                who=who or row.actor or "—",
                action=row.action,
                changes=[
                    FieldChange(name, shown(name, pair[0]), shown(name, pair[1]))
                    for name, pair in fields.items()
                    if isinstance(pair, list) and len(pair) == 2
                ],
                reason=str(row.details.get("reason") or ""),
            )
        )
    return found


def _codes(pair: Any) -> Iterable[str]:
    """Every code in an ``[old, new]`` pair whose sides are codes or lists of codes."""
    if not isinstance(pair, list):
        return []
    found: list[str] = []
    for side in pair:
        if isinstance(side, str):
            found.append(side)
        elif isinstance(side, list):
            found.extend(item for item in side if isinstance(item, str))
    return found
