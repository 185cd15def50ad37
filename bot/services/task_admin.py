"""Task administration: create, edit and reassign tasks, suspend (tạm dừng) or withdraw (rút
nhiệm vụ) them with a reason, and reopen them.

The web forms call these services; every change is audited with its old → new values in
the same shape a re-import writes (``changes: {field: [old, new]}``, see
:mod:`bot.importing.history`), so the task page shows one history whatever made the change.

Who may do what:

* leaders and the office (those who see everything) administer every task;
* a unit head creates and edits the tasks their own unit leads; the task stays with that
  unit, and its deadline moves only through an extension request (a head who could move
  their own deadline, or drop their own task, would grade themselves);
* suspending, withdrawing and reopening are decisions of leaders and the office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.db import savepoint
from bot.i18n import format_date
from bot.importing.history import Snapshot, diff, task_snapshots
from bot.importing.validation import MAX_CODE, MAX_TEXT
from bot.models import (
    DeadlineChange,
    Official,
    Priority,
    Role,
    Task,
    TaskState,
    Unit,
)
from bot.services import audit
from bot.services.directory import normalize_code, sees_everything
from bot.services.errors import DomainError
from bot.text_cleaning import clean_text

HISTORY_ACTIONS = (
    "task.create",
    "task.edit",
    "task.suspend",
    "task.withdraw",
    "task.reopen",
    "import.change",
)
"""Audit actions whose rows make up a task's change history (old → new values)."""


@dataclass
class TaskFields:
    """What an office writes about a task, as typed in a form: codes name units and people."""

    title: str
    lead_unit: str
    code: str = ""
    """Only read on creation: a task keeps its code (its address) for life."""
    description: str = ""
    source_document: str = ""
    expected_output: str = ""
    deadline: dt.date | None = None
    priority: Priority = Priority.NORMAL
    coordinating_units: Sequence[str] = field(default_factory=list)
    leader_in_charge: str = ""
    handler: str = ""

    @classmethod
    def of(cls, task: Task) -> TaskFields:
        """The current fields of ``task`` (people and units loaded), e.g. to fill a form."""
        return cls(
            code=task.code,
            title=task.title,
            lead_unit=task.lead_unit.code,
            description=task.description,
            source_document=task.source_document,
            expected_output=task.expected_output,
            deadline=task.deadline,
            priority=task.priority,
            coordinating_units=[unit.code for unit in task.coordinating_units],
            leader_in_charge=task.leader_in_charge.code if task.leader_in_charge else "",
            handler=task.handler.code if task.handler else "",
        )


@dataclass(frozen=True)
class _Resolved:
    """Checked fields with their units and people loaded."""

    title: str
    description: str
    source_document: str
    expected_output: str
    deadline: dt.date | None
    priority: Priority
    lead_unit: Unit
    coordinating_units: list[Unit]
    leader_in_charge: Official | None
    handler: Official | None

    def snapshot(self) -> Snapshot:
        """The tracked fields as :func:`bot.importing.history.task_snapshots` reads them."""
        return {
            "title": self.title,
            "description": self.description,
            "source_document": self.source_document,
            "expected_output": self.expected_output,
            "priority": self.priority,
            "deadline": self.deadline,
            "lead_unit": self.lead_unit.code,
            "coordinating_units": [unit.code for unit in self.coordinating_units],
            "leader_in_charge": self.leader_in_charge.code if self.leader_in_charge else None,
            "handler": self.handler.code if self.handler else None,
        }


# --- who may -----------------------------------------------------------------------------------


def can_create(official: Official) -> bool:
    """Leaders and the office for any unit; a unit head for their own unit."""
    return sees_everything(official) or (
        official.role is Role.HEAD and official.unit_id is not None
    )


def can_edit(official: Official, task: Task) -> bool:
    """Leaders and the office edit every task; a unit head the tasks their unit leads."""
    return sees_everything(official) or (
        official.role is Role.HEAD
        and official.unit_id is not None
        and task.lead_unit_id == official.unit_id
    )


def can_change_state(official: Official) -> bool:
    """Suspending, withdrawing and reopening a task: leaders and the office."""
    return sees_everything(official)


def require_active(task: Task) -> None:
    """Refuse work on a suspended or withdrawn task (reports, extensions, explanations)."""
    if task.state is TaskState.SUSPENDED:
        raise DomainError("task_suspended", code=task.code, reason=task.state_reason)
    if task.state is TaskState.WITHDRAWN:
        raise DomainError("task_withdrawn", code=task.code, reason=task.state_reason)


async def load_task(session: AsyncSession, code: str, *, for_update: bool = False) -> Task:
    """A task by code with its units and people loaded (what the forms and edits read)."""
    query = (
        select(Task)
        .where(Task.code == normalize_code(code))
        .options(
            selectinload(Task.lead_unit),
            selectinload(Task.coordinating_units),
            selectinload(Task.leader_in_charge),
            selectinload(Task.handler),
            selectinload(Task.state_changed_by),
        )
    )
    task = await session.scalar(query.with_for_update(of=Task) if for_update else query)
    if task is None:
        raise DomainError("task_not_found", code=code)
    return task


async def stopped_counts(session: AsyncSession, unit_id: int | None = None) -> dict[str, int]:
    """How many tasks (of one lead unit, or all) are suspended and withdrawn, by state value."""
    query = (
        select(Task.state, func.count(Task.id))
        .where(Task.state != TaskState.ACTIVE)
        .group_by(Task.state)
    )
    if unit_id is not None:
        query = query.where(Task.lead_unit_id == unit_id)
    counts = {TaskState.SUSPENDED.value: 0, TaskState.WITHDRAWN.value: 0}
    for state, count in await session.execute(query):
        counts[TaskState(state).value] = count
    return counts


async def stopped_tasks(session: AsyncSession, unit_id: int, limit: int = 500) -> list[Task]:
    """The suspended and withdrawn tasks a unit leads, latest stopped first."""
    return list(
        await session.scalars(
            select(Task)
            .where(Task.lead_unit_id == unit_id, Task.state != TaskState.ACTIVE)
            .order_by(Task.state_changed_at.desc(), Task.code)
            .limit(limit)
        )
    )


# --- input -------------------------------------------------------------------------------------


def task_code(raw: str) -> str:
    """A new task's code, normalized as the workbook import does (upper case, no spaces)."""
    value = " ".join(clean_text(raw).split()).upper()
    if not value:
        raise DomainError("admin_code_empty")
    if " " in value or len(value) > MAX_CODE:
        raise DomainError("admin_code_invalid", code=value, max=MAX_CODE)
    return value


def parse_deadline(raw: str) -> dt.date | None:
    """A deadline typed as ``yyyy-mm-dd`` (a date field) or ``dd/mm/yyyy``; empty is none."""
    value = raw.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise DomainError("admin_bad_deadline", value=value)


def parse_priority(raw: str) -> Priority:
    try:
        return Priority(raw.strip() or Priority.NORMAL.value)
    except ValueError:
        raise DomainError("admin_bad_priority", value=raw) from None


def _line(raw: str, limit: int | None, error: str) -> str:
    value = " ".join(clean_text(raw).split())
    if limit is not None and len(value) > limit:
        raise DomainError(error, n=len(value), max=limit)
    return value


def _reason(raw: str) -> str:
    value = clean_text(raw).strip()
    if not value:
        raise DomainError("admin_reason_required")
    return value


async def _unit(session: AsyncSession, code: str) -> Unit:
    unit = await session.scalar(select(Unit).where(Unit.code == normalize_code(code)))
    if unit is None:
        raise DomainError("unit_not_found", code=code)
    return unit


async def _person(session: AsyncSession, code: str) -> Official | None:
    if not code.strip():
        return None
    official = await session.scalar(select(Official).where(Official.code == normalize_code(code)))
    if official is None:
        raise DomainError("official_not_found", code=code)
    if not official.active:
        raise DomainError("admin_official_inactive", name=official.full_name)
    return official


async def _resolve(session: AsyncSession, actor: Official, fields: TaskFields) -> _Resolved:
    """Check every field and load what the codes name; the first problem raises."""
    title = clean_text(fields.title).strip()
    if not title:
        raise DomainError("admin_title_empty")
    lead = await _unit(session, fields.lead_unit)
    if not sees_everything(actor) and lead.id != actor.unit_id:
        own = await session.get(Unit, actor.unit_id) if actor.unit_id is not None else None
        raise DomainError("admin_own_unit_only", unit=own.name if own else "")
    coordinating: list[Unit] = []
    for code in fields.coordinating_units:
        unit = await _unit(session, code)
        if unit.id == lead.id:
            raise DomainError("admin_lead_coordinates", unit=lead.name)
        if unit not in coordinating:
            coordinating.append(unit)
    leader = await _person(session, fields.leader_in_charge)
    if leader is not None and leader.role is not Role.LEADER:
        raise DomainError("admin_not_a_leader", name=leader.full_name)
    handler = await _person(session, fields.handler)
    if handler is not None and handler.unit_id != lead.id:
        raise DomainError("admin_handler_other_unit", name=handler.full_name, unit=lead.name)
    return _Resolved(
        title=title,
        description=clean_text(fields.description).strip(),
        source_document=_line(fields.source_document, MAX_TEXT, "admin_source_too_long"),
        expected_output=_line(fields.expected_output, MAX_TEXT, "admin_output_too_long"),
        deadline=fields.deadline,
        priority=fields.priority,
        lead_unit=lead,
        coordinating_units=coordinating,
        leader_in_charge=leader,
        handler=handler,
    )


# --- changes -----------------------------------------------------------------------------------


async def create_task(
    session: AsyncSession, ctx: AppContext, *, actor: Official, fields: TaskFields, via: str
) -> Task:
    """A new active task; refused when the code is taken or a field is wrong."""
    if not can_create(actor):
        raise DomainError("not_allowed")
    code = task_code(fields.code)
    resolved = await _resolve(session, actor, fields)
    if await session.scalar(select(Task.id).where(Task.code == code)) is not None:
        raise DomainError("admin_code_taken", code=code)
    now = ctx.now()
    try:
        async with savepoint(session):  # another admin may add the same code meanwhile
            task = Task(
                code=code,
                title=resolved.title,
                description=resolved.description,
                source_document=resolved.source_document,
                expected_output=resolved.expected_output,
                deadline=resolved.deadline,
                original_deadline=resolved.deadline,
                priority=resolved.priority,
                lead_unit=resolved.lead_unit,
                coordinating_units=resolved.coordinating_units,
                leader_in_charge=resolved.leader_in_charge,
                handler=resolved.handler,
                assigned_by_name="",
                progress=0,
                state=TaskState.ACTIVE,
                state_reason="",
                created_at=now,
                updated_at=now,
            )
            session.add(task)
            await session.flush()
    except IntegrityError:
        if await session.scalar(select(Task.id).where(Task.code == code)) is None:
            raise
        raise DomainError("admin_code_taken", code=code) from None
    created = {name: value for name, value in resolved.snapshot().items() if value not in ("", [])}
    change = diff("task", task.id, code, via, {}, created)
    await audit.record(
        session,
        ctx,
        "task.create",
        "task",
        task.id,
        actor=actor,
        via=via,
        **(change.details() if change else {"code": code}),
    )
    return task


async def edit_task(
    session: AsyncSession,
    ctx: AppContext,
    *,
    actor: Official,
    task: Task,
    fields: TaskFields,
    reason: str = "",
    via: str,
) -> dict[str, list[Any]]:
    """Apply every field of ``fields`` to ``task`` (reassignment included); returns the
    changes as ``{field: [old, new]}`` (empty when nothing changed, and then nothing is
    audited). ``task`` must have its units and people loaded (:func:`load_task`)."""
    if not can_edit(actor, task):
        raise DomainError("not_allowed")
    resolved = await _resolve(session, actor, fields)
    if not sees_everything(actor) and resolved.deadline != task.deadline:
        raise DomainError("admin_head_deadline")
    old = (await task_snapshots(session, [task.code]))[task.code]
    change = diff("task", task.id, task.code, via, old, resolved.snapshot())
    if change is None:
        return {}
    now = ctx.now()
    cleaned_reason = clean_text(reason).strip()
    if resolved.deadline != task.deadline:
        session.add(
            DeadlineChange(
                task_id=task.id,
                old_deadline=task.deadline,
                new_deadline=resolved.deadline,
                reason=cleaned_reason,
                changed_by_id=actor.id,
                changed_at=now,
            )
        )
        if task.original_deadline is None:
            task.original_deadline = task.deadline
    task.title = resolved.title
    task.description = resolved.description
    task.source_document = resolved.source_document
    task.expected_output = resolved.expected_output
    task.deadline = resolved.deadline
    task.priority = resolved.priority
    task.lead_unit = resolved.lead_unit
    task.coordinating_units = resolved.coordinating_units
    task.leader_in_charge = resolved.leader_in_charge
    task.handler = resolved.handler
    task.updated_at = now
    await session.flush()
    await audit.record(
        session,
        ctx,
        "task.edit",
        "task",
        task.id,
        actor=actor,
        via=via,
        reason=cleaned_reason,
        **change.details(),
    )
    return change.fields


_STATE_ACTIONS = {
    TaskState.SUSPENDED: "task.suspend",
    TaskState.WITHDRAWN: "task.withdraw",
    TaskState.ACTIVE: "task.reopen",
}


async def set_state(
    session: AsyncSession,
    ctx: AppContext,
    *,
    actor: Official,
    task: Task,
    state: TaskState,
    reason: str,
    via: str,
) -> None:
    """Suspend or withdraw a task, or reopen it (a completed task too: its completion is
    cleared and it is counted again); always with a reason."""
    if not can_change_state(actor):
        raise DomainError("not_allowed")
    cleaned = _reason(reason)
    changes: dict[str, list[Any]] = {}
    if state is TaskState.ACTIVE:
        if task.state is TaskState.ACTIVE and task.completed_on is None:
            raise DomainError("admin_already_active", code=task.code)
        if task.completed_on is not None:
            changes["completed_on"] = [task.completed_on.isoformat(), None]
            task.completed_at = None
            task.completed_on = None
    else:
        if task.state is state:
            raise DomainError(f"admin_already_{state.value}", code=task.code)
        if task.completed_on is not None:
            raise DomainError(
                "admin_done_no_stop", code=task.code, date=format_date(task.completed_on)
            )
    if task.state is not state:
        changes["state"] = [task.state.value, state.value]
    now = ctx.now()
    task.state = state
    task.state_reason = cleaned
    task.state_changed_at = now
    task.state_changed_by_id = actor.id
    task.updated_at = now
    await session.flush()
    await audit.record(
        session,
        ctx,
        _STATE_ACTIONS[state],
        "task",
        task.id,
        actor=actor,
        via=via,
        code=task.code,
        source=via,
        reason=cleaned,
        changes=changes,
    )
