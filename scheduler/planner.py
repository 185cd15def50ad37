"""The planner: tasks + reminder policy → one outbox row per recipient per send window.

Every minute :func:`run_tick` looks at the local day. On a working day, once the send window
has opened (``reminders.send_time``, 08:00), it plans the day once: a handful of set-based
queries find every due item, items are grouped per recipient chat, and the rows go into the
outbox in bulk with the unique key ``reminder:<channel>:<chat_id>:<yyyy-mm-dd>`` — so a row
can never be planned twice, by a restart or by a second instance. A ``job_runs`` row marks the
day as planned, which makes the other 1,439 ticks of the day free.

Who hears what (``settings.reminders``):

- before a deadline (7, 3, 1 working days, and the deadline day): the lead unit;
  coordinating units the day before and on the day. A deadline on a day off counts as due on
  the working day before it (working days left = 0).
- overdue, every working day: the lead unit; from ``overdue_head_after_days`` working days
  late also the unit head personally; from ``overdue_escalate_after_days`` the task is marked
  escalated (and listed in the leaders' digest). A pending extension request pauses overdue
  reminders; after ``extension_leader_reminder_days`` working days the deciding leader (the
  assigning leader, or every leader) is reminded every working day until a decision.
- stale: an open task within its deadline with no report for ``stale_after_days`` days gets
  a nudge on the first working day the silence reaches that length, then every as many days.

A unit reaches its members through its bound group chat when it has one (one message the whole
unit sees, instead of one per person); members on channels the group is not on get the message
individually. Members are the unit's staff and head.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkCalendar
from bot.channels.base import TRAITS
from bot.context import AppContext
from bot.models import (
    ChannelIdentity,
    ExtensionRequest,
    ExtensionStatus,
    GroupBinding,
    Official,
    OutboxMessage,
    OutboxStatus,
    Role,
    Task,
    Unit,
    task_coordinators,
)
from bot.services.outbox import Recipient
from scheduler import locks
from scheduler.reminders import (
    ExtensionInfo,
    ItemKind,
    ReminderItem,
    message_priority,
    render_reminder,
)

log = logging.getLogger(__name__)

JOB = "planner"
REMINDER_KIND = "reminder"
#: A window planned later than this after it opened is marked late (downtime catch-up).
LATE_AFTER = dt.timedelta(minutes=10)
#: How far back a restart records missed windows as skipped.
MAX_CATCH_UP_DAYS = 14
CHUNK = 5000
INSERT_BATCH = 1000


def reminder_key(channel: str, chat_id: str, day: dt.date) -> str:
    return f"{REMINDER_KIND}:{channel}:{chat_id}:{day.isoformat()}"


@dataclass
class PlannedMessage:
    """The reminder one chat gets in one window."""

    recipient: Recipient
    name: str
    unit_name: str | None
    items: dict[tuple[ItemKind, int], ReminderItem] = field(default_factory=dict)

    def add(self, items: Iterable[ReminderItem]) -> None:
        for item in items:
            self.items.setdefault(item.key, item)

    @property
    def priority(self) -> int:
        return message_priority(list(self.items.values()), is_group=self.recipient.is_group)


@dataclass
class TickResult:
    day: dt.date
    planned: bool = False
    """True when this tick planned the day's window."""
    queued: int = 0
    """Outbox rows inserted for the day (pending)."""
    late: bool = False
    skipped_days: list[dt.date] = field(default_factory=list)
    skipped_rows: int = 0
    busy: bool = False
    """Another instance held the planner lock (PostgreSQL)."""


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


@dataclass(frozen=True)
class _Member:
    official_id: int
    name: str
    role: Role
    unit_id: int
    language: str
    channel: str
    chat_id: str


class _Plan:
    """Collects items per unit, per unit head and per leader, then per recipient chat."""

    def __init__(self) -> None:
        self.unit_items: dict[int, list[ReminderItem]] = defaultdict(list)
        self.head_items: dict[int, list[ReminderItem]] = defaultdict(list)
        self.leader_items: dict[int | None, list[ReminderItem]] = defaultdict(list)
        """Keyed by the deciding leader's official id; None means every leader."""


async def plan_day(session: AsyncSession, ctx: AppContext, day: dt.date) -> list[PlannedMessage]:
    """Every reminder message of ``day``'s window (read-only; also used by the dry run)."""
    policy = ctx.settings.reminders
    calendar = ctx.calendar
    plan = _Plan()
    lead_offsets = set(policy.before_days) | ({0} if policy.remind_on_deadline_day else set())
    coord_offsets = set(policy.coordinating_before_days) | (
        {0} if policy.remind_on_deadline_day else set()
    )
    horizon = max(lead_offsets | coord_offsets | {0})
    window_end = calendar.add_working_days(day, horizon + 1)
    previous_working_day = calendar.previous_working_day(day, inclusive=False)
    stale_days = policy.stale_after_days
    stale_before = ctx.at_local(day - dt.timedelta(days=stale_days - 1), dt.time(0))

    paused = set(
        await session.scalars(
            select(ExtensionRequest.task_id).where(
                ExtensionRequest.status == ExtensionStatus.PENDING
            )
        )
    )
    silence = func.coalesce(Task.last_report_at, Task.created_at)
    rows = (
        await session.execute(
            select(
                Task.id,
                Task.code,
                Task.title,
                Task.deadline,
                Task.progress,
                Task.lead_unit_id,
                Task.last_report_at,
                Task.created_at,
            ).where(
                Task.completed_at.is_(None),
                or_(
                    and_(Task.deadline.is_not(None), Task.deadline < window_end),
                    silence < stale_before,
                ),
            )
        )
    ).all()
    oldest = min((row.deadline for row in rows if row.deadline is not None), default=day)
    index = WorkingDayIndex(calendar, min(oldest, previous_working_day), window_end)
    coordinated: dict[int, ReminderItem] = {}
    for row in rows:
        last_report_on = ctx.local_date(row.last_report_at) if row.last_report_at else None
        common: dict[str, Any] = {
            "task_id": row.id,
            "code": row.code,
            "title": row.title,
            "deadline": row.deadline,
            "progress": row.progress,
            "last_report_on": last_report_on,
        }
        deadline = row.deadline
        if deadline is not None and deadline < day:
            if row.id in paused:
                continue
            late = index.between(deadline, day)
            every_day = policy.overdue_every_working_day
            head_after = policy.overdue_head_after_days
            item = ReminderItem(
                kind=ItemKind.OVERDUE,
                days_late=(day - deadline).days,
                working_days_late=late,
                escalated=late >= policy.overdue_escalate_after_days,
                **common,
            )
            if every_day or late == 1:
                plan.unit_items[row.lead_unit_id].append(item)
            if late >= head_after if every_day else late == head_after:
                plan.head_items[row.lead_unit_id].append(item)
            continue
        if deadline is not None and deadline < window_end:
            left = index.between(day, deadline)
            kind = ItemKind.DUE_TODAY if left == 0 else ItemKind.UPCOMING
            if left in coord_offsets:
                coordinated[row.id] = ReminderItem(
                    kind=kind, days_left=left, coordinating=True, **common
                )
            if left in lead_offsets:
                plan.unit_items[row.lead_unit_id].append(
                    ReminderItem(kind=kind, days_left=left, **common)
                )
                continue
        silent_since = ctx.local_date(row.last_report_at or row.created_at)
        silent = (day - silent_since).days
        if silent >= stale_days and (
            silent // stale_days > (previous_working_day - silent_since).days // stale_days
        ):
            plan.unit_items[row.lead_unit_id].append(
                ReminderItem(kind=ItemKind.STALE, silent_days=silent, **common)
            )
    await _add_coordinating(session, plan, coordinated)
    await _add_extensions(session, ctx, plan, day)
    return await _messages(session, ctx, plan, day)


async def _add_coordinating(
    session: AsyncSession, plan: _Plan, coordinated: dict[int, ReminderItem]
) -> None:
    task_ids = list(coordinated)
    for start in range(0, len(task_ids), CHUNK):
        chunk = task_ids[start : start + CHUNK]
        links = await session.execute(
            select(task_coordinators.c.task_id, task_coordinators.c.unit_id).where(
                task_coordinators.c.task_id.in_(chunk)
            )
        )
        for task_id, unit_id in links:
            plan.unit_items[unit_id].append(coordinated[task_id])


async def _add_extensions(
    session: AsyncSession, ctx: AppContext, plan: _Plan, day: dt.date
) -> None:
    waited = ctx.settings.reminders.extension_leader_reminder_days
    asked_by = ctx.calendar.add_working_days(day, -waited)
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
        )
    )
    for request, task, unit_name, assigner_role, assigner_active in rows:
        item = ReminderItem(
            kind=ItemKind.EXTENSION,
            task_id=task.id,
            code=task.code,
            title=task.title,
            deadline=task.deadline,
            progress=task.progress,
            last_report_on=None,
            extension=ExtensionInfo(
                unit_name=unit_name,
                new_deadline=request.new_deadline,
                requested_on=ctx.local_date(request.requested_at),
                reason=request.reason,
            ),
        )
        decider = task.assigned_by_id if assigner_role == Role.LEADER and assigner_active else None
        plan.leader_items[decider].append(item)


async def _members(session: AsyncSession, unit_ids: Sequence[int]) -> list[_Member]:
    """Active chats of the staff and heads of the given units (honouring /kenh choices)."""
    members: list[_Member] = []
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        rows = await session.execute(
            select(
                Official.id,
                Official.full_name,
                Official.role,
                Official.unit_id,
                Official.language,
                Official.notify_channels,
                ChannelIdentity.channel,
                ChannelIdentity.chat_id,
            )
            .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
            .where(
                Official.unit_id.in_(chunk),
                Official.role.in_((Role.STAFF, Role.HEAD)),
                Official.active.is_(True),
                ChannelIdentity.active.is_(True),
            )
            .order_by(ChannelIdentity.id)
        )
        for oid, name, role, unit_id, language, notify, channel, chat_id in rows:
            if unit_id is None or not _wants(notify, channel.value):
                continue
            members.append(_Member(oid, name, role, unit_id, language, channel.value, chat_id))
    return members


def _wants(notify_channels: str | None, channel: str) -> bool:
    """The /kenh choice (see ``bot.services.outbox.wanted_channels``): empty means all."""
    if not notify_channels:
        return True
    return channel in {part.strip() for part in notify_channels.split(",")}


async def _leader_chats(session: AsyncSession) -> list[tuple[int, str, Recipient]]:
    """(official id, name, chat) of every active leader."""
    rows = await session.execute(
        select(
            Official.id,
            Official.full_name,
            Official.language,
            Official.notify_channels,
            ChannelIdentity.channel,
            ChannelIdentity.chat_id,
        )
        .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
        .where(
            Official.role == Role.LEADER,
            Official.active.is_(True),
            ChannelIdentity.active.is_(True),
        )
        .order_by(ChannelIdentity.id)
    )
    return [
        (oid, name, Recipient(channel.value, chat_id, language, oid))
        for oid, name, language, notify, channel, chat_id in rows
        if _wants(notify, channel.value)
    ]


async def _messages(
    session: AsyncSession, ctx: AppContext, plan: _Plan, day: dt.date
) -> list[PlannedMessage]:
    unit_ids = sorted(set(plan.unit_items) | set(plan.head_items))
    units: dict[int, tuple[str, int | None]] = {}
    groups: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        for uid, name, head_id in await session.execute(
            select(Unit.id, Unit.name, Unit.head_id).where(Unit.id.in_(chunk))
        ):
            units[uid] = (name, head_id)
        for binding in await session.scalars(
            select(GroupBinding).where(
                GroupBinding.unit_id.in_(chunk), GroupBinding.active.is_(True)
            )
        ):
            groups[binding.unit_id].append((binding.channel.value, binding.chat_id, binding.title))

    messages: dict[tuple[str, str], PlannedMessage] = {}
    group_language = ctx.settings.language

    def deliver(
        recipient: Recipient, name: str, unit_name: str | None, items: Iterable[ReminderItem]
    ) -> None:
        key = (recipient.channel, recipient.chat_id)
        message = messages.get(key)
        if message is None:
            message = messages[key] = PlannedMessage(recipient, name, unit_name)
        message.add(items)

    for unit_id, items in plan.unit_items.items():
        unit_name = units.get(unit_id, ("", None))[0]
        for channel, chat_id, title in groups.get(unit_id, []):
            recipient = Recipient(channel, chat_id, group_language, None, unit_id, is_group=True)
            deliver(recipient, title or unit_name, unit_name, items)
    members = await _members(session, unit_ids)
    for member in members:
        unit_name, head_id = units.get(member.unit_id, ("", None))
        group_channels = {channel for channel, _, _ in groups.get(member.unit_id, [])}
        recipient = Recipient(
            member.channel, member.chat_id, member.language, member.official_id, member.unit_id
        )
        if member.channel not in group_channels and member.unit_id in plan.unit_items:
            deliver(recipient, member.name, unit_name, plan.unit_items[member.unit_id])
        is_head = member.role == Role.HEAD or member.official_id == head_id
        if is_head and member.unit_id in plan.head_items:
            deliver(recipient, member.name, unit_name, plan.head_items[member.unit_id])
    if plan.leader_items:
        everyone = plan.leader_items.get(None, [])
        for leader_id, name, recipient in await _leader_chats(session):
            own = plan.leader_items.get(leader_id, [])
            if everyone or own:
                deliver(recipient, name, None, [*everyone, *own])
    return sorted(messages.values(), key=lambda m: (m.priority, m.recipient.key))


def render_planned(message: PlannedMessage, day: dt.date, late_since: str | None) -> dict[str, Any]:
    """The outbox payload of a planned message, rendered for its channel and language."""
    traits = TRAITS.get(message.recipient.channel)
    reply = render_reminder(
        list(message.items.values()),
        message.recipient.language,
        day=day,
        unit_name=message.unit_name,
        buttons=traits.buttons if traits else True,
        late_since=late_since,
    )
    return {"replies": [reply.to_dict()]}


async def queue_messages(
    session: AsyncSession,
    ctx: AppContext,
    messages: Sequence[PlannedMessage],
    day: dt.date,
    *,
    status: OutboxStatus = OutboxStatus.PENDING,
    late: bool = False,
) -> int:
    """Bulk-insert the day's rows (existing keys are left alone); returns rows inserted."""
    policy = ctx.settings.reminders
    now = ctx.now()
    not_before = ctx.at_local(day, policy.send_time)
    expires_at = ctx.at_local(day, policy.send_until)
    late_since = policy.send_time.strftime("%H:%M") if late else None
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for message in messages:
        recipient = message.recipient
        traits = TRAITS.get(recipient.channel)
        cache_key = (
            recipient.unit_id,
            message.unit_name,
            recipient.language,
            traits.buttons if traits else True,
            frozenset(message.items),
        )
        payload = cache.get(cache_key)
        if payload is None:
            payload = cache[cache_key] = render_planned(message, day, late_since)
        rows.append(
            {
                "dedupe_key": reminder_key(recipient.channel, recipient.chat_id, day),
                "channel": recipient.channel,
                "chat_id": recipient.chat_id,
                "is_group": recipient.is_group,
                "official_id": recipient.official_id,
                "unit_id": recipient.unit_id,
                "kind": REMINDER_KIND,
                "priority": message.priority,
                "payload": payload,
                "window_day": day,
                "not_before": not_before,
                "expires_at": expires_at,
                "status": status,
                "attempts": 0,
                "late": late,
                "created_at": now,
                "parts_sent": 0,
                "ambiguous": 0,
            }
        )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = 0
    for start in range(0, len(rows), INSERT_BATCH):
        statement = (
            insert(OutboxMessage)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id)
        )
        result = await session.execute(statement, rows[start : start + INSERT_BATCH])
        inserted += len(result.all())
    return inserted


async def run_tick(
    ctx: AppContext, now: dt.datetime | None = None, *, instance: str = ""
) -> TickResult:
    """One planner tick: record missed windows as skipped, plan today's window once."""
    now = now or ctx.now()
    local = now.astimezone(ctx.tz)
    day = local.date()
    policy = ctx.settings.reminders
    result = TickResult(day=day)
    async with ctx.db.session() as session:
        if not await locks.try_job_lock(session, JOB):
            result.busy = True
            return result
        await _record_missed_days(session, ctx, day, result, instance)
        if not ctx.calendar.is_working_day(day) or local.time() < policy.send_time:
            return result
        if await locks.run_done(session, JOB, day.isoformat()):
            return result
        messages = await plan_day(session, ctx, day)
        window_closed = local.time() >= policy.send_until
        result.late = now > ctx.at_local(day, policy.send_time) + LATE_AFTER
        status = OutboxStatus.SKIPPED if window_closed else OutboxStatus.PENDING
        count = await queue_messages(session, ctx, messages, day, status=status, late=result.late)
        if window_closed:
            result.skipped_days.append(day)
            result.skipped_rows += count
        else:
            result.queued = count
        await locks.mark_run(
            session, ctx, JOB, day.isoformat(), instance=instance, rows=count, late=result.late
        )
        result.planned = True
    if result.queued:
        ctx.outbox_ready.set()
    log.info(
        "planned %s: %d reminders queued%s, %d skipped",
        day,
        result.queued,
        " (late)" if result.late else "",
        result.skipped_rows,
    )
    return result


async def _record_missed_days(
    session: AsyncSession, ctx: AppContext, day: dt.date, result: TickResult, instance: str
) -> None:
    """Windows that passed while the bot was down: recorded as skipped, never sent."""
    last = await locks.last_period(session, JOB)
    if last is None:
        return
    missed = dt.date.fromisoformat(last) + dt.timedelta(days=1)
    missed = max(missed, day - dt.timedelta(days=MAX_CATCH_UP_DAYS))
    while missed < day:
        if ctx.calendar.is_working_day(missed):
            messages = await plan_day(session, ctx, missed)
            count = await queue_messages(
                session, ctx, messages, missed, status=OutboxStatus.SKIPPED, late=True
            )
            await locks.mark_run(
                session, ctx, JOB, missed.isoformat(), instance=instance, rows=count, skipped=True
            )
            result.skipped_days.append(missed)
            result.skipped_rows += count
            log.warning("reminders of %s skipped: the bot was down during that window", missed)
        missed += dt.timedelta(days=1)
