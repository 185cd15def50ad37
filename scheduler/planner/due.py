"""What is due on a day: a few set-based reads, then :data:`rules.RULES` over each task.

The result, :class:`DueItems`, holds the items per unit, per unit head, per handler (cán
bộ thụ lý) and per deciding leader; ``messages.py`` turns it into one message per chat.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.calendar import WorkCalendar
from bot.context import AppContext
from bot.models import (
    TASK_ACTIVE,
    ExplanationRequest,
    ExtensionRequest,
    ExtensionStatus,
    Official,
    Role,
    Task,
    Unit,
    task_coordinators,
)
from bot.services.people import named
from scheduler.planner.recipients import chunked, reachable_handlers
from scheduler.planner.rules import (
    RULES,
    Audience,
    Policy,
    TaskFacts,
    stale_days,
    stale_nudge_due,
)
from scheduler.reminders import ExplanationInfo, ExtensionInfo, ItemKind, ReminderItem

ItemMap = dict[tuple[ItemKind, int], ReminderItem]


def put(items: ItemMap, item: ReminderItem) -> None:
    items.setdefault(item.key, item)


@dataclass
class DueItems:
    """The day's items per audience."""

    unit_items: dict[int, ItemMap] = field(default_factory=lambda: defaultdict(dict))
    head_items: dict[int, ItemMap] = field(default_factory=lambda: defaultdict(dict))
    leader_items: dict[int | None, ItemMap] = field(default_factory=lambda: defaultdict(dict))
    """Keyed by the deciding leader's official id; None means every leader."""
    handler_items: dict[int, ItemMap] = field(default_factory=lambda: defaultdict(dict))
    """The lead unit's items of tasks with a reachable handler, keyed by the handler's id."""
    handler_units: dict[int, int] = field(default_factory=dict)
    """Handler's official id → their unit (the task's lead unit)."""

    @property
    def unit_ids(self) -> list[int]:
        """Units whose members, head or handlers hear something."""
        return sorted(
            set(self.unit_items) | set(self.head_items) | set(self.handler_units.values())
        )


class WorkingDayIndex:
    """O(1) working-day counts over a date range (cumulative counts built once)."""

    def __init__(self, calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
        self.calendar = calendar
        self.start = start
        self.end = end
        self._cumulative: list[int] = []
        count = 0
        day = start
        while day <= end:
            count += calendar.is_working_day(day)
            self._cumulative.append(count)
            day += dt.timedelta(days=1)

    def between(self, low: dt.date, high: dt.date) -> int:
        """Working days in (low, high] (negative when high < low), like the calendar's."""
        if self.start <= low <= self.end and self.start <= high <= self.end:
            cumulative = self._cumulative
            return cumulative[(high - self.start).days] - cumulative[(low - self.start).days]
        return self.calendar.working_days_between(low, high)


async def collect(session: AsyncSession, ctx: AppContext, day: dt.date) -> DueItems:
    """Every due item of ``day``, placed by its rule's audience."""
    policy = Policy.from_settings(ctx.settings.reminders)
    due = DueItems()
    coordinated: dict[int, list[ReminderItem]] = defaultdict(list)
    facts_of_day = await _task_facts(session, ctx, policy, day)
    facts_of_day += await _extension_facts(session, ctx, policy, day)
    facts_of_day += await _explanation_facts(session, ctx, day)
    handlers = await reachable_handlers(
        session,
        [(f.handler_id, f.lead_unit_id) for f in facts_of_day if f.handler_id is not None],
    )
    for facts in facts_of_day:
        for rule in RULES:
            item = rule.match(policy, facts)
            if item is None:
                continue
            if rule.audience is Audience.LEAD_UNIT:
                handler = facts.handler_id
                if handler is not None and (handler, facts.lead_unit_id) in handlers:
                    put(due.handler_items[handler], item)
                    due.handler_units[handler] = facts.lead_unit_id
                else:
                    put(due.unit_items[facts.lead_unit_id], item)
            elif rule.audience is Audience.UNIT_HEAD:
                put(due.head_items[facts.lead_unit_id], item)
            elif rule.audience is Audience.COORDINATING_UNITS:
                coordinated[facts.task_id].append(item)
            else:
                put(due.leader_items[facts.deciding_leader_id], item)
    await _add_coordinating(session, due, coordinated)
    return due


async def _task_facts(
    session: AsyncSession, ctx: AppContext, policy: Policy, day: dt.date
) -> list[TaskFacts]:
    """The facts of every open task with a deadline before the horizon's end or
    selected by the stale rule's day count."""
    calendar = ctx.calendar
    window_end = calendar.add_working_days(day, policy.horizon + 1)
    previous_working_day = calendar.previous_working_day(day, inclusive=False)
    paused = set(
        await session.scalars(
            select(ExtensionRequest.task_id).where(
                ExtensionRequest.status == ExtensionStatus.PENDING
            )
        )
    )
    connection = await session.connection()
    offset = ctx.tz.utcoffset(dt.datetime.combine(day, dt.time(12))) or dt.timedelta(0)
    silent = stale_days(
        offset,
        connection.dialect.name,
        func.coalesce(Task.last_report_at, Task.created_at),
        day,
    )
    nudge = stale_nudge_due(silent, policy, day, previous_working_day)
    handler, leader = aliased(Official), aliased(Official)
    rows = (
        await connection.execute(
            select(
                Task.id,
                Task.code,
                Task.title,
                Task.deadline,
                Task.progress,
                Task.lead_unit_id,
                Task.handler_id,
                handler.full_name.label("handler_name"),
                leader.full_name.label("leader_name"),
                leader.title.label("leader_title"),
                silent.label("silent_days"),
                nudge.label("nudge"),
                Task.last_report_at.is_not(None).label("reported"),
            )
            .outerjoin(handler, handler.id == Task.handler_id)
            .outerjoin(leader, leader.id == Task.leader_in_charge_id)
            .where(
                Task.completed_at.is_(None),
                TASK_ACTIVE,
                or_(and_(Task.deadline.is_not(None), Task.deadline < window_end), nudge),
            )
        )
    ).all()
    oldest = min((row.deadline for row in rows if row.deadline is not None), default=day)
    index = WorkingDayIndex(calendar, min(oldest, previous_working_day), window_end)
    found: list[TaskFacts] = []
    for row in rows:
        deadline = row.deadline
        overdue = deadline is not None and deadline < day
        near = deadline is not None and day <= deadline < window_end
        facts = TaskFacts(
            task_id=row.id,
            code=row.code,
            title=row.title,
            lead_unit_id=row.lead_unit_id,
            deadline=deadline,
            progress=row.progress,
            last_report_on=day - dt.timedelta(days=row.silent_days) if row.reported else None,
            working_days_left=index.between(day, deadline) if near else None,
            days_late=(day - deadline).days if overdue else None,
            working_days_late=index.between(deadline, day) if overdue else None,
            paused=row.id in paused,
            silent_days=row.silent_days if row.nudge else None,
            handler_id=row.handler_id,
            handler=row.handler_name,
            leader_in_charge=named(row.leader_name, row.leader_title) if row.leader_name else None,
        )
        found.append(facts)
    return found


async def _add_coordinating(
    session: AsyncSession, due: DueItems, coordinated: dict[int, list[ReminderItem]]
) -> None:
    for chunk in chunked(list(coordinated)):
        links = await session.execute(
            select(task_coordinators.c.task_id, task_coordinators.c.unit_id).where(
                task_coordinators.c.task_id.in_(chunk)
            )
        )
        for task_id, unit_id in links:
            for item in coordinated[task_id]:
                put(due.unit_items[unit_id], item)


async def _extension_facts(
    session: AsyncSession, ctx: AppContext, policy: Policy, day: dt.date
) -> list[TaskFacts]:
    """The facts of each pending extension request older than the policy's wait."""
    asked_by = ctx.calendar.add_working_days(day, -policy.extension_wait)
    asked_before = ctx.at_local(asked_by + dt.timedelta(days=1), dt.time(0))
    rows = await session.execute(
        select(ExtensionRequest, Task, Unit.name, Official.role, Official.active)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(Official, Official.id == Task.assigned_by_id)
        .where(
            ExtensionRequest.status == ExtensionStatus.PENDING,
            ExtensionRequest.requested_at < asked_before,
            Task.completed_at.is_(None),
            TASK_ACTIVE,
        )
    )
    found: list[TaskFacts] = []
    for request, task, unit_name, assigner_role, assigner_active in rows:
        deciding = assigner_role == Role.LEADER and assigner_active
        facts = TaskFacts(
            task_id=task.id,
            code=task.code,
            title=task.title,
            lead_unit_id=task.lead_unit_id,
            deadline=task.deadline,
            progress=task.progress,
            last_report_on=None,
            extension=ExtensionInfo(
                unit_name=unit_name,
                new_deadline=request.new_deadline,
                requested_on=ctx.local_date(request.requested_at),
                reason=request.reason,
            ),
            deciding_leader_id=task.assigned_by_id if deciding else None,
        )
        found.append(facts)
    return found


async def _explanation_facts(
    session: AsyncSession, ctx: AppContext, day: dt.date
) -> list[TaskFacts]:
    """The facts of each unanswered explanation request made before ``day``."""
    made_before = ctx.at_local(day, dt.time(0))
    rows = await session.execute(
        select(ExplanationRequest, Task, Official.full_name, Official.title)
        .join(Task, Task.id == ExplanationRequest.task_id)
        .join(Official, Official.id == ExplanationRequest.requested_by_id)
        .where(
            ExplanationRequest.answered_at.is_(None),
            ExplanationRequest.created_at < made_before,
            TASK_ACTIVE,
        )
    )
    return [
        TaskFacts(
            task_id=task.id,
            code=task.code,
            title=task.title,
            lead_unit_id=request.unit_id,
            deadline=task.deadline,
            progress=task.progress,
            last_report_on=None,
            explanation=ExplanationInfo(
                request_id=request.id,
                requested_by=f"{title} {name}" if title else name,
                due_date=request.due_date,
                text=request.text,
                late=day > request.due_date,
            ),
        )
        for request, task, name, title in rows
    ]
