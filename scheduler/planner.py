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
import hashlib
import json
import logging
import typing
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.calendar import WorkCalendar
from bot.channels.base import TRAITS
from bot.context import AppContext
from bot.messages import Reply
from bot.models import (
    ChannelIdentity,
    ExtensionRequest,
    ExtensionStatus,
    GroupBinding,
    JSONType,
    Official,
    OutboxMessage,
    OutboxPayload,
    OutboxStatus,
    Role,
    Task,
    Unit,
    UTCDateTime,
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
OUTBOX = typing.cast(Table, OutboxMessage.__table__)
PAYLOADS = typing.cast(Table, OutboxPayload.__table__)


def reminder_key(channel: str, chat_id: str, day: dt.date) -> str:
    return f"{REMINDER_KIND}:{channel}:{chat_id}:{day.isoformat()}"


ItemMap = dict[tuple[ItemKind, int], ReminderItem]


@dataclass
class PlannedMessage:
    """The reminder one chat gets in one window.

    The members of a unit share one item map (and so one rendering) until a recipient gets
    more items than the others, e.g. a head with escalated tasks: then it gets its own copy.
    """

    recipient: Recipient
    name: str
    unit_name: str | None
    items: ItemMap = field(default_factory=dict)
    shared: bool = False
    priority: int = 0
    """Dispatch order (see ``scheduler.reminders.message_priority``), set once all is added."""

    def add(self, items: ItemMap) -> None:
        if not self.items:
            self.items, self.shared = items, True
            return
        if items is self.items or all(key in self.items for key in items):
            return
        if self.shared:
            self.items, self.shared = dict(self.items), False
        for key, item in items.items():
            self.items.setdefault(key, item)


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
        self.unit_items: dict[int, ItemMap] = defaultdict(dict)
        self.head_items: dict[int, ItemMap] = defaultdict(dict)
        self.leader_items: dict[int | None, ItemMap] = defaultdict(dict)
        """Keyed by the deciding leader's official id; None means every leader."""


async def plan_day(session: AsyncSession, ctx: AppContext, day: dt.date) -> list[PlannedMessage]:
    """Every reminder message of ``day``'s window, one per chat (read-only: the dry run).

    :func:`queue_day` queues exactly these messages, letting the database expand the units'
    members instead of building one Python object per person.
    """
    plan = await _collect(session, ctx, day)
    units = await _units(session, sorted(set(plan.unit_items) | set(plan.head_items)))
    return await _messages(session, ctx, plan, units)


async def _collect(session: AsyncSession, ctx: AppContext, day: dt.date) -> _Plan:
    """Every due item of ``day``, per unit, per unit head and per deciding leader."""
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

    paused = set(
        await session.scalars(
            select(ExtensionRequest.task_id).where(
                ExtensionRequest.status == ExtensionStatus.PENDING
            )
        )
    )
    silence = func.coalesce(Task.last_report_at, Task.created_at)
    connection = await session.connection()
    rows = (
        await connection.execute(
            select(
                Task.id,
                Task.code,
                Task.title,
                Task.deadline,
                Task.progress,
                Task.lead_unit_id,
                silence.label("silent_since"),
                Task.last_report_at.is_not(None).label("reported"),
            ).where(
                Task.completed_at.is_(None),
                or_(
                    and_(Task.deadline.is_not(None), Task.deadline < window_end),
                    _nudge_day_filter(
                        ctx,
                        connection.dialect.name,
                        silence,
                        day,
                        previous_working_day,
                        stale_days,
                    ),
                ),
            )
        )
    ).all()
    oldest = min((row.deadline for row in rows if row.deadline is not None), default=day)
    index = WorkingDayIndex(calendar, min(oldest, previous_working_day), window_end)
    coordinated: dict[int, ReminderItem] = {}
    tz = ctx.tz
    for row in rows:
        silent_since = row.silent_since.astimezone(tz).date()
        last_report_on = silent_since if row.reported else None
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
                _put(plan.unit_items[row.lead_unit_id], item)
            if late >= head_after if every_day else late == head_after:
                _put(plan.head_items[row.lead_unit_id], item)
            continue
        if deadline is not None and deadline < window_end:
            left = index.between(day, deadline)
            kind = ItemKind.DUE_TODAY if left == 0 else ItemKind.UPCOMING
            if left in coord_offsets:
                coordinated[row.id] = ReminderItem(
                    kind=kind, days_left=left, coordinating=True, **common
                )
            if left in lead_offsets:
                _put(
                    plan.unit_items[row.lead_unit_id],
                    ReminderItem(kind=kind, days_left=left, **common),
                )
                continue
        silent = (day - silent_since).days
        if silent >= stale_days and (
            silent // stale_days > (previous_working_day - silent_since).days // stale_days
        ):
            _put(
                plan.unit_items[row.lead_unit_id],
                ReminderItem(kind=ItemKind.STALE, silent_days=silent, **common),
            )
    await _add_coordinating(session, plan, coordinated)
    await _add_extensions(session, ctx, plan, day)
    return plan


def _nudge_day_filter(
    ctx: AppContext, dialect: str, silence: Any, day: dt.date, previous: dt.date, every: int
) -> Any:
    """SQL pre-filter for stale nudges: silent for d >= ``every`` days with a multiple of
    ``every`` reached since the previous working day, i.e. d % every < (day - previous).
    Days count from the local date of the last report (the zone's offset on ``day``; Vietnam
    has no daylight saving). The exact rule is applied again in Python."""
    offset = ctx.tz.utcoffset(dt.datetime.combine(day, dt.time(12))) or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    days: Any
    if dialect == "postgresql":
        local_day = cast(silence + literal(dt.timedelta(minutes=minutes)), Date)
        days = literal(day, Date()) - local_day
    else:
        local_date = func.date(silence, f"{minutes:+d} minutes")
        days = cast(func.julianday(day.isoformat()) - func.julianday(local_date), Integer)
    return and_(days >= every, days % every < (day - previous).days)


def _put(items: ItemMap, item: ReminderItem) -> None:
    items.setdefault(item.key, item)


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
            _put(plan.unit_items[unit_id], coordinated[task_id])


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
        _put(plan.leader_items[decider], item)


async def _members(
    session: AsyncSession, unit_ids: Sequence[int], *, heads: set[int] | None = None
) -> list[_Member]:
    """Active chats of the staff and heads of the given units (honouring /kenh choices);
    with ``heads``, only the unit heads (role head, or these officials)."""
    who = (
        Official.role.in_((Role.STAFF, Role.HEAD))
        if heads is None
        else or_(Official.role == Role.HEAD, Official.id.in_(heads))
    )
    members: list[_Member] = []
    connection = await session.connection()
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        rows = await connection.execute(
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
                who,
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


@dataclass
class _Units:
    """Names, heads and bound groups of the units that have items."""

    names: dict[int, str] = field(default_factory=dict)
    heads: dict[int, int | None] = field(default_factory=dict)
    groups: dict[int, list[tuple[str, str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def group_channels(self, unit_id: int) -> set[str]:
        return {channel for channel, _, _ in self.groups.get(unit_id, [])}


async def _units(session: AsyncSession, unit_ids: Sequence[int]) -> _Units:
    found = _Units()
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        for uid, name, head_id in await session.execute(
            select(Unit.id, Unit.name, Unit.head_id).where(Unit.id.in_(chunk))
        ):
            found.names[uid] = name
            found.heads[uid] = head_id
        for binding in await session.scalars(
            select(GroupBinding).where(
                GroupBinding.unit_id.in_(chunk), GroupBinding.active.is_(True)
            )
        ):
            found.groups[binding.unit_id].append(
                (binding.channel.value, binding.chat_id, binding.title)
            )
    return found


async def _messages(
    session: AsyncSession,
    ctx: AppContext,
    plan: _Plan,
    units: _Units,
    *,
    members_in_sql: bool = False,
) -> list[PlannedMessage]:
    """One message per chat. With ``members_in_sql`` only the messages that are not simply
    "the unit's reminder to one of its members" (groups, heads with more to hear, leaders);
    :func:`_fan_out` inserts the members' rows."""
    unit_ids = sorted(set(plan.unit_items) | set(plan.head_items))
    messages: dict[tuple[str, str], PlannedMessage] = {}
    group_language = ctx.settings.language

    def deliver(recipient: Recipient, name: str, unit_name: str | None, items: ItemMap) -> None:
        key = (recipient.channel, recipient.chat_id)
        message = messages.get(key)
        if message is None:
            message = messages[key] = PlannedMessage(recipient, name, unit_name)
        message.add(items)

    for unit_id, items in plan.unit_items.items():
        unit_name = units.names.get(unit_id, "")
        for channel, chat_id, title in units.groups.get(unit_id, []):
            recipient = Recipient(channel, chat_id, group_language, None, unit_id, is_group=True)
            deliver(recipient, title or unit_name, unit_name, items)
    head_ids = {
        head for unit_id, head in units.heads.items() if head and unit_id in plan.head_items
    }
    members = await _members(
        session,
        sorted(plan.head_items) if members_in_sql else unit_ids,
        heads=head_ids if members_in_sql else None,
    )
    for member in members:
        unit_name = units.names.get(member.unit_id, "")
        grouped = member.channel in units.group_channels(member.unit_id)
        recipient = Recipient(
            member.channel, member.chat_id, member.language, member.official_id, member.unit_id
        )
        unit_items = plan.unit_items.get(member.unit_id, {})
        is_head = member.role == Role.HEAD or member.official_id == units.heads.get(member.unit_id)
        head_items = plan.head_items.get(member.unit_id, {}) if is_head else {}
        if members_in_sql and not grouped and all(key in unit_items for key in head_items):
            continue  # the fan-out gives this head the unit's message, which says it all
        if not grouped and unit_items:
            deliver(recipient, member.name, unit_name, unit_items)
        if head_items:
            deliver(recipient, member.name, unit_name, head_items)
    if plan.leader_items:
        everyone = plan.leader_items.get(None, {})
        for leader_id, name, recipient in await _leader_chats(session):
            own = plan.leader_items.get(leader_id, {})
            if everyone or own:
                deliver(recipient, name, None, {**everyone, **own})
    priorities: dict[tuple[int, bool], int] = {}
    for message in messages.values():
        key = (id(message.items), message.recipient.is_group)
        if key not in priorities:
            listed = list(message.items.values())
            priorities[key] = message_priority(listed, is_group=message.recipient.is_group)
        message.priority = priorities[key]
    return sorted(messages.values(), key=lambda m: (m.priority, m.recipient.key))


def _reply_payload(reply: Reply) -> dict[str, Any]:
    """``{"replies": [reply.to_dict()]}`` for a text reply with buttons, built directly
    (``dataclasses.asdict`` is the slowest part of planning 5,000 units)."""
    return {
        "replies": [
            {
                "text": reply.text,
                "buttons": [
                    [{"label": b.label, "data": b.data} for b in row] for row in reply.buttons
                ],
                "document": None,
                "photo": None,
                "edit": False,
            }
        ]
    }


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
    return _reply_payload(reply)


async def queue_messages(
    session: AsyncSession,
    ctx: AppContext,
    messages: Sequence[PlannedMessage],
    day: dt.date,
    *,
    status: OutboxStatus = OutboxStatus.PENDING,
    late: bool = False,
) -> int:
    """Bulk-insert the day's rows (existing keys are left alone); returns rows inserted.

    Each distinct text is rendered and stored once (``outbox_payloads``); the rows point at
    it, so a unit's ten members cost one rendering and one payload, not ten.
    """
    policy = ctx.settings.reminders
    now = ctx.now()
    late_since = policy.send_time.strftime("%H:%M") if late else None
    rendered: dict[tuple[Any, ...], str] = {}
    keys: list[str] = []
    for message in messages:
        traits = TRAITS.get(message.recipient.channel)
        cache_key = (
            id(message.items),
            message.unit_name,
            message.recipient.language,
            traits.buttons if traits else True,
        )
        payload = rendered.get(cache_key)
        if payload is None:
            payload = rendered[cache_key] = json.dumps(
                render_planned(message, day, late_since), ensure_ascii=False, sort_keys=True
            )
        keys.append(payload)
    connection = await session.connection()
    payload_ids = await _store_payloads(connection, set(rendered.values()), now)
    common = {
        "kind": REMINDER_KIND,
        "payload": {},
        "window_day": day,
        "not_before": ctx.at_local(day, policy.send_time),
        "expires_at": ctx.at_local(day, policy.send_until),
        "status": status,
        "attempts": 0,
        "late": late,
        "created_at": now,
        "parts_sent": 0,
        "ambiguous": 0,
    }
    rows = [
        {
            **common,
            "dedupe_key": reminder_key(message.recipient.channel, message.recipient.chat_id, day),
            "channel": message.recipient.channel,
            "chat_id": message.recipient.chat_id,
            "is_group": message.recipient.is_group,
            "official_id": message.recipient.official_id,
            "unit_id": message.recipient.unit_id,
            "priority": message.priority,
            "shared_payload_id": payload_ids[payload],
        }
        for message, payload in zip(messages, keys, strict=True)
    ]
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OUTBOX.c.id)
    )
    inserted = 0
    for start in range(0, len(rows), INSERT_BATCH):
        result = await connection.execute(statement, rows[start : start + INSERT_BATCH])
        inserted += len(result.all())
    return inserted


async def _store_payloads(
    connection: AsyncConnection, payloads: set[str], now: dt.datetime
) -> dict[str, int]:
    """Insert each JSON payload once (keyed by its SHA-256); returns payload → row id."""
    by_digest = {hashlib.sha256(payload.encode()).hexdigest(): payload for payload in payloads}
    postgres = connection.dialect.name == "postgresql"
    payload_json = bindparam("payload_json", type_=Text)
    insert = pg_insert if postgres else sqlite_insert
    statement = (
        insert(PAYLOADS)
        .values(payload=cast(payload_json, JSONB) if postgres else payload_json)
        .on_conflict_do_nothing(index_elements=["digest"])
    )
    params = [
        {"digest": digest, "payload_json": payload, "created_at": now}
        for digest, payload in by_digest.items()
    ]
    for start in range(0, len(params), INSERT_BATCH):
        await connection.execute(statement, params[start : start + INSERT_BATCH])
    ids: dict[str, int] = {}
    digests = list(by_digest)
    for start in range(0, len(digests), INSERT_BATCH):
        chunk = digests[start : start + INSERT_BATCH]
        found = await connection.execute(
            select(PAYLOADS.c.digest, PAYLOADS.c.id).where(PAYLOADS.c.digest.in_(chunk))
        )
        for digest, payload_id in found:
            ids[by_digest[digest]] = payload_id
    return ids


async def queue_day(
    session: AsyncSession,
    ctx: AppContext,
    day: dt.date,
    *,
    status: OutboxStatus = OutboxStatus.PENDING,
    late: bool = False,
) -> int:
    """Plan ``day``'s window into the outbox (rows already there are left alone); returns
    the rows inserted. The same messages as :func:`plan_day`, queued set-based."""
    plan = await _collect(session, ctx, day)
    units = await _units(session, sorted(set(plan.unit_items) | set(plan.head_items)))
    personal = await _messages(session, ctx, plan, units, members_in_sql=True)
    inserted = await queue_messages(session, ctx, personal, day, status=status, late=late)
    return inserted + await _fan_out(session, ctx, plan, units, day, status=status, late=late)


FANOUT = Table(
    "planner_fanout",
    MetaData(),
    Column("unit_id", Integer),
    Column("channel", String(16)),
    Column("language", String(8)),
    Column("payload_id", Integer),
    Column("priority", Integer),
    prefixes=["TEMPORARY"],
)


async def _fan_out(
    session: AsyncSession,
    ctx: AppContext,
    plan: _Plan,
    units: _Units,
    day: dt.date,
    *,
    status: OutboxStatus,
    late: bool,
) -> int:
    """One row per member chat of every unit with items, expanded by the database
    (``INSERT … SELECT``): one rendering per unit, channel and language."""
    unit_ids = sorted(plan.unit_items)
    if not unit_ids:
        return 0
    connection = await session.connection()
    combos: list[tuple[int, str, str]] = []
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        found = await connection.execute(
            select(Official.unit_id, ChannelIdentity.channel, Official.language)
            .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
            .where(
                Official.unit_id.in_(chunk),
                Official.role.in_((Role.STAFF, Role.HEAD)),
                Official.active.is_(True),
                ChannelIdentity.active.is_(True),
            )
            .distinct()
        )
        combos += [
            (unit_id, channel.value, language)
            for unit_id, channel, language in found
            if unit_id is not None
        ]
    if not combos:
        return 0
    names = units.names
    late_since = ctx.settings.reminders.send_time.strftime("%H:%M") if late else None
    payloads: dict[tuple[int, str, str], str] = {}
    for unit_id, channel, language in combos:
        traits = TRAITS.get(channel)
        reply = render_reminder(
            list(plan.unit_items[unit_id].values()),
            language,
            day=day,
            unit_name=names.get(unit_id),
            buttons=traits.buttons if traits else True,
            late_since=late_since,
        )
        payloads[(unit_id, channel, language)] = json.dumps(
            _reply_payload(reply), ensure_ascii=False, sort_keys=True
        )
    payload_ids = await _store_payloads(connection, set(payloads.values()), ctx.now())
    await connection.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS planner_fanout (unit_id INTEGER, "
            "channel VARCHAR(16), language VARCHAR(8), payload_id INTEGER, priority INTEGER)"
        )
    )
    await connection.execute(delete(FANOUT))
    await connection.execute(
        insert(FANOUT),
        [
            {
                "unit_id": unit_id,
                "channel": channel,
                "language": language,
                "payload_id": payload_ids[payload],
                "priority": message_priority(
                    list(plan.unit_items[unit_id].values()), is_group=False
                ),
            }
            for (unit_id, channel, language), payload in payloads.items()
        ],
    )
    result = await connection.execute(_fan_out_statement(ctx, connection, day, status, late))
    await connection.execute(delete(FANOUT))
    return max(result.rowcount or 0, 0)


def _fan_out_statement(
    ctx: AppContext, connection: AsyncConnection, day: dt.date, status: OutboxStatus, late: bool
) -> Any:
    policy = ctx.settings.reminders
    identity, official, group = ChannelIdentity, Official, GroupBinding
    channel = identity.channel
    chosen = func.coalesce(official.notify_channels, "")
    wanted = or_(
        chosen == "",
        (literal(",") + func.replace(chosen, " ", "") + literal(",")).like(
            literal("%,") + channel + literal(",%")
        ),
    )
    grouped = (
        select(group.id)
        .where(group.unit_id == official.unit_id, group.channel == channel, group.active.is_(True))
        .exists()
    )
    key = (
        literal(f"{REMINDER_KIND}:")
        + channel
        + literal(":")
        + identity.chat_id
        + literal(f":{day.isoformat()}")
    )
    rows = (
        select(
            key,
            channel,
            identity.chat_id,
            literal(False),
            official.id,
            official.unit_id,
            literal(REMINDER_KIND),
            FANOUT.c.priority,
            literal({}, JSONType),
            FANOUT.c.payload_id,
            literal(day, Date()),
            literal(ctx.at_local(day, policy.send_time), UTCDateTime()),
            literal(ctx.at_local(day, policy.send_until), UTCDateTime()),
            literal(status.value),
            literal(0),
            literal(late),
            literal(ctx.now(), UTCDateTime()),
            literal(0),
            literal(0),
        )
        .select_from(FANOUT)
        .join(
            official,
            and_(official.unit_id == FANOUT.c.unit_id, official.language == FANOUT.c.language),
        )
        .join(identity, and_(identity.official_id == official.id, channel == FANOUT.c.channel))
        .where(
            official.role.in_((Role.STAFF, Role.HEAD)),
            official.active.is_(True),
            identity.active.is_(True),
            ~grouped,
            wanted,
        )
    )
    columns = [
        "dedupe_key",
        "channel",
        "chat_id",
        "is_group",
        "official_id",
        "unit_id",
        "kind",
        "priority",
        "payload",
        "shared_payload_id",
        "window_day",
        "not_before",
        "expires_at",
        "status",
        "attempts",
        "late",
        "created_at",
        "parts_sent",
        "ambiguous",
    ]
    dialect_insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return (
        dialect_insert(OUTBOX)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )


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
        window_closed = local.time() >= policy.send_until
        result.late = now > ctx.at_local(day, policy.send_time) + LATE_AFTER
        status = OutboxStatus.SKIPPED if window_closed else OutboxStatus.PENDING
        count = await queue_day(session, ctx, day, status=status, late=result.late)
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
            count = await queue_day(session, ctx, missed, status=OutboxStatus.SKIPPED, late=True)
            await locks.mark_run(
                session, ctx, JOB, missed.isoformat(), instance=instance, rows=count, skipped=True
            )
            result.skipped_days.append(missed)
            result.skipped_rows += count
            log.warning("reminders of %s skipped: the bot was down during that window", missed)
        missed += dt.timedelta(days=1)
