"""Status figures for digests, the dashboard, /tonghop and the Excel export.

Counting is done in SQL (one grouped query over the tasks table) so a digest over 100,000
tasks stays fast; the status rule is the same as :func:`bot.status.classify`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.models import (
    TASK_ACTIVE,
    ExplanationRequest,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    Unit,
)
from bot.services.explanations import open_requests
from bot.services.recommendations import PendingAdvice, pending_by_task
from bot.status import STATUS_ORDER, Status, StatusInfo, classify

DUE_SOON_DAYS = 7
""""Đến hạn trong tuần": deadlines from today through the next 7 days (on a Sunday, the
coming week's tasks; on a Friday, those of the next Friday too)."""


def due_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last deadline (inclusive) "due this week" covers on ``today``."""
    return today, today + dt.timedelta(days=DUE_SOON_DAYS)


def status_expression(today: dt.date) -> ColumnElement[str]:
    """SQL CASE giving a task's Status value on ``today`` (mirrors bot.status.classify).

    A task completed after ``today`` is still open on ``today``, so the same rule reads the
    status at the end of a past period (bot.evaluation).
    """
    return case(
        (
            (Task.completed_on <= today)
            & (Task.deadline.is_(None) | (Task.completed_on <= Task.deadline)),
            Status.DONE_ON_TIME.value,
        ),
        (Task.completed_on <= today, Status.DONE_LATE.value),
        (Task.deadline < today, Status.OVERDUE.value),
        else_=Status.IN_PROGRESS.value,
    )


def task_status(ctx: AppContext, task: Task) -> StatusInfo:
    """The official category and warnings of a task today (:func:`bot.status.classify`;
    :func:`status_expression` is the same rule in SQL)."""
    policy = ctx.settings.reminders
    return classify(
        deadline=task.deadline,
        completed_on=task.completed_on,
        last_report_on=ctx.local_date(task.last_report_at) if task.last_report_at else None,
        created_on=ctx.local_date(task.created_at),
        today=ctx.today(),
        calendar=ctx.calendar,
        due_soon_days=policy.due_soon_days,
        no_report_days=policy.stale_after_days,
    )


@dataclass
class UnitFigures:
    unit_id: int
    code: str
    name: str
    counts: Counter[Status] = field(default_factory=Counter)
    with_deadline: int = 0
    deadline_counts: Counter[Status] = field(default_factory=Counter)
    """Tasks with a deadline per category (the second basis of city reports)."""
    last_report_at: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return self.counts[Status.OVERDUE]


@dataclass(frozen=True)
class TaskLine:
    """One task as digests list it."""

    code: str
    title: str
    unit_code: str
    unit_name: str
    deadline: dt.date | None
    progress: int
    days_late: int | None = None
    days_left: int | None = None
    escalated: bool = False
    handler: str | None = None
    """The cán bộ thụ lý's name, when the task names one."""


@dataclass
class Summary:
    """Everything a digest says, for the whole city or one unit."""

    today: dt.date
    units: list[UnitFigures]
    overdue: list[TaskLine]
    """The longest overdue open tasks, escalated ones included (flagged)."""
    due_this_week: list[TaskLine]
    silent_units: list[UnitFigures]
    pending_extensions: list[ExtensionRequest]
    completed_since: list[TaskLine]
    escalated: list[TaskLine]
    overdue_not_escalated: list[TaskLine] = field(default_factory=list)
    """The longest overdue open tasks not yet escalated to leaders (digests list the
    escalated ones apart, so no task appears twice)."""
    escalated_total: int = 0
    due_this_week_total: int = 0
    completed_total: int = 0
    open_explanations: list[ExplanationRequest] = field(default_factory=list)
    """Unanswered explanation requests, earliest due date first (up to the limit)."""
    open_explanations_total: int = 0
    pending_advice: PendingAdvice = field(default_factory=lambda: PendingAdvice(0, 0, []))
    """Recommendations awaiting a leader's direction, grouped by task (each task once)."""

    @property
    def counts(self) -> Counter[Status]:
        total: Counter[Status] = Counter({status: 0 for status in STATUS_ORDER})
        for unit in self.units:
            total.update(unit.counts)
        return total

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def with_deadline(self) -> int:
        return sum(unit.with_deadline for unit in self.units)

    @property
    def deadline_counts(self) -> Counter[Status]:
        total: Counter[Status] = Counter({status: 0 for status in STATUS_ORDER})
        for unit in self.units:
            total.update(unit.deadline_counts)
        return total

    @property
    def done_without_deadline(self) -> int:
        """ "Hoàn thành (nhiệm vụ không có thời hạn)", counted apart in city reports."""
        return self.counts[Status.DONE_ON_TIME] - self.deadline_counts[Status.DONE_ON_TIME]


async def unit_figures(
    session: AsyncSession,
    today: dt.date,
    unit_id: int | None = None,
    *,
    leader_id: int | None = None,
    where: ColumnElement[bool] | None = None,
) -> list[UnitFigures]:
    """Counts per lead unit in the four categories, overdue units first; with ``leader_id``,
    of the tasks that leader is in charge of only; with ``where``, of the tasks it selects
    (the task list's filters)."""
    status = status_expression(today).label("status")
    query = (
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            status,
            func.count(Task.id),
            func.count(Task.deadline),
            func.max(Task.last_report_at),
        )
        .join(Task, Task.lead_unit_id == Unit.id)
        .where(TASK_ACTIVE)
        .group_by(Unit.id, Unit.code, Unit.name, status)
    )
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    if leader_id is not None:
        query = query.where(Task.leader_in_charge_id == leader_id)
    if where is not None:
        query = query.where(where)
    figures: dict[int, UnitFigures] = {}
    for uid, code, name, status_value, count, with_deadline, last in await session.execute(query):
        item = figures.setdefault(uid, UnitFigures(uid, code, name))
        item.counts[Status(status_value)] += count
        item.with_deadline += with_deadline
        item.deadline_counts[Status(status_value)] += with_deadline
        if last is not None:
            last = last.replace(tzinfo=dt.UTC) if last.tzinfo is None else last
            if item.last_report_at is None or last > item.last_report_at:
                item.last_report_at = last
    return sorted(figures.values(), key=lambda u: (-u.overdue, -u.total, u.code))


def _task_line(ctx: AppContext, task: Task, today: dt.date, escalate_after: int) -> TaskLine:
    days_late = (today - task.deadline).days if task.deadline and today > task.deadline else None
    days_left = (
        ctx.calendar.working_days_between(today, task.deadline)
        if task.deadline and today <= task.deadline
        else None
    )
    escalated = bool(
        days_late is not None
        and task.deadline is not None
        and ctx.calendar.working_days_between(task.deadline, today) >= escalate_after
    )
    return TaskLine(
        code=task.code,
        title=task.title,
        unit_code=task.lead_unit.code,
        unit_name=task.lead_unit.name,
        deadline=task.deadline,
        progress=task.progress,
        days_late=days_late,
        days_left=days_left,
        escalated=escalated,
        handler=task.handler.full_name if task.handler else None,
    )


async def build_summary(
    session: AsyncSession,
    ctx: AppContext,
    *,
    unit_id: int | None = None,
    leader_id: int | None = None,
    since: dt.datetime | None = None,
    limit: int = 10,
) -> Summary:
    """Figures for the city (``unit_id=None``) or one unit; with ``leader_id``, of the tasks
    that leader is in charge of (lãnh đạo phụ trách) only.

    ``since`` bounds "completed since the last digest" (default: the last 24 hours).
    """
    today = ctx.today()
    policy = ctx.settings.reminders
    in_scope = [TASK_ACTIVE] if unit_id is None else [TASK_ACTIVE, Task.lead_unit_id == unit_id]
    if leader_id is not None:
        in_scope.append(Task.leader_in_charge_id == leader_id)
    units = await unit_figures(session, today, unit_id, leader_id=leader_id)

    open_with_deadline = and_(Task.completed_at.is_(None), Task.deadline.is_not(None), *in_scope)
    overdue_tasks = await session.scalars(
        select(Task)
        .where(open_with_deadline, Task.deadline < today)
        .order_by(Task.deadline, Task.code)
        .limit(limit)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    overdue = [_task_line(ctx, t, today, policy.overdue_escalate_after_days) for t in overdue_tasks]

    escalate_before = ctx.calendar.add_working_days(today, -policy.overdue_escalate_after_days)
    is_escalated = and_(Task.deadline <= escalate_before, Task.deadline < today)
    escalated_tasks = await session.scalars(
        select(Task)
        .where(open_with_deadline, is_escalated)
        .order_by(Task.deadline, Task.code)
        .limit(limit)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    escalated = [
        _task_line(ctx, t, today, policy.overdue_escalate_after_days) for t in escalated_tasks
    ]
    not_escalated_tasks = await session.scalars(
        select(Task)
        .where(open_with_deadline, Task.deadline < today, ~is_escalated)
        .order_by(Task.deadline, Task.code)
        .limit(limit)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    overdue_not_escalated = [
        _task_line(ctx, t, today, policy.overdue_escalate_after_days) for t in not_escalated_tasks
    ]

    first_due, last_due = due_window(today)
    due_soon = and_(open_with_deadline, Task.deadline >= first_due, Task.deadline <= last_due)
    due_tasks = await session.scalars(
        select(Task)
        .where(due_soon)
        .order_by(Task.deadline, Task.code)
        .limit(limit * 3)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    due_this_week = [_task_line(ctx, t, today, 0) for t in due_tasks]

    silence = dt.timedelta(days=ctx.settings.digests.no_report_days)
    silent_units = [
        unit
        for unit in units
        if unit.total - unit.counts[Status.DONE_ON_TIME] - unit.counts[Status.DONE_LATE] > 0
        and (unit.last_report_at is None or ctx.now() - unit.last_report_at >= silence)
    ]

    pending_query = (
        select(ExtensionRequest)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING, *in_scope)
        .order_by(ExtensionRequest.requested_at)
        .options(
            selectinload(ExtensionRequest.task).selectinload(Task.lead_unit),
            selectinload(ExtensionRequest.requested_by),
        )
    )
    pending = list(await session.scalars(pending_query))

    completed_after = since or (ctx.now() - dt.timedelta(days=1))
    completed_recently = and_(
        Task.completed_at.is_not(None), Task.completed_at > completed_after, *in_scope
    )
    completed_tasks = await session.scalars(
        select(Task)
        .where(completed_recently)
        .order_by(Task.completed_at.desc())
        .limit(limit * 3)
        .options(selectinload(Task.lead_unit), selectinload(Task.handler))
    )
    completed = [_task_line(ctx, t, today, 0) for t in completed_tasks]
    explanations_total, explanations = await open_requests(
        session, unit_ids=None if unit_id is None else [unit_id], limit=limit
    )
    return Summary(
        today=today,
        units=units,
        overdue=overdue,
        due_this_week=due_this_week,
        silent_units=silent_units,
        pending_extensions=pending,
        completed_since=completed,
        escalated=escalated,
        overdue_not_escalated=overdue_not_escalated,
        escalated_total=await _count(session, and_(open_with_deadline, is_escalated)),
        due_this_week_total=await _count(session, due_soon),
        completed_total=await _count(session, completed_recently),
        open_explanations=explanations,
        open_explanations_total=explanations_total,
        pending_advice=await pending_by_task(
            session, unit_id=unit_id, leader_id=leader_id, limit=limit
        ),
    )


async def _count(session: AsyncSession, condition: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count(Task.id)).where(condition)) or 0)
