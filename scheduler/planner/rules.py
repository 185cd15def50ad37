"""The reminder policy as data: which items are due on a day, and who hears each.

Each :class:`Rule` names its audience and decides, from the :class:`TaskFacts` of one open
task on one day, whether it is due and as what item. :data:`RULES` is the whole policy
(``settings.reminders``, days are working days unless noted):

- before a deadline (``before_days`` 7, 3, 1 and the deadline day): the lead unit (its
  cán bộ thụ lý alone when the task names a reachable one, see :attr:`Audience.LEAD_UNIT`);
  coordinating units ``coordinating_before_days`` (1) before and on the day. A deadline on a
  day off counts as due on the working day before it (0 working days left);
- overdue, every working day (or only the first, ``overdue_every_working_day``): the lead
  unit; from ``overdue_head_after_days`` late also the unit head personally; from
  ``overdue_escalate_after_days`` the item says it was escalated to the leaders (who see the
  task in their digest). A pending extension request pauses both;
- no report for ``stale_after_days`` calendar days (an open task within its deadline, not
  reminded for its deadline that day): the lead unit, on the first working day the silence
  reaches that length, then every as many days;
- an extension request undecided for ``extension_leader_reminder_days``: the deciding leader
  (the assigning leader when an active leader, otherwise every leader), every working day;
- an explanation request (yêu cầu giải trình) not yet answered: the asked unit's head
  personally, every working day from the day after the request until the answer, marked
  late once its due date has passed.

The stale rule counts days in SQL (:func:`stale_days`, :func:`stale_nudge_due`) so that the
task query fetches only the tasks it selects; the other rules run in Python over the few
thousand tasks near their deadline.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, and_, cast, func, literal

from config.settings import ReminderPolicy
from scheduler.reminders import ExplanationInfo, ExtensionInfo, ItemKind, ReminderItem


class Audience(enum.Enum):
    """Who hears an item."""

    LEAD_UNIT = "lead_unit"
    """The lead unit: its bound group chats, and its members on channels without one. A task
    whose handler (cán bộ thụ lý) is an active member of the lead unit with a reachable chat
    is the handler's own: only the handler's chats hear it. A handler who cannot be reached
    leaves it to the unit, so a reminder is never lost."""
    COORDINATING_UNITS = "coordinating_units"
    """Every coordinating unit, reached like a lead unit."""
    UNIT_HEAD = "unit_head"
    """The lead unit's head personally (even when the unit has a group)."""
    DECIDING_LEADER = "deciding_leader"
    """The task's assigning leader when an active leader, otherwise every leader."""


@dataclass(frozen=True)
class Policy:
    """``settings.reminders`` in the form the rules read."""

    lead_days: frozenset[int]
    coordinating_days: frozenset[int]
    overdue_every_working_day: bool
    head_after: int
    escalate_after: int
    stale_after: int
    extension_wait: int

    @classmethod
    def from_settings(cls, settings: ReminderPolicy) -> Policy:
        on_the_day = {0} if settings.remind_on_deadline_day else set()
        return cls(
            lead_days=frozenset(settings.before_days) | on_the_day,
            coordinating_days=frozenset(settings.coordinating_before_days) | on_the_day,
            overdue_every_working_day=settings.overdue_every_working_day,
            head_after=settings.overdue_head_after_days,
            escalate_after=settings.overdue_escalate_after_days,
            stale_after=settings.stale_after_days,
            extension_wait=settings.extension_leader_reminder_days,
        )

    @property
    def horizon(self) -> int:
        """The most working days ahead any deadline rule looks."""
        return max(self.lead_days | self.coordinating_days | {0})


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """What the rules look at: one open task on one day."""

    task_id: int
    code: str
    title: str
    lead_unit_id: int
    deadline: dt.date | None
    progress: int
    last_report_on: dt.date | None
    working_days_left: int | None = None
    """Set when the deadline is today or within the policy's horizon."""
    days_late: int | None = None
    """Calendar days past the deadline; set when it has passed."""
    working_days_late: int | None = None
    paused: bool = False
    """A pending extension request."""
    silent_days: int | None = None
    """Set when the stale rule's day count (:func:`stale_nudge_due`) selected the task."""
    extension: ExtensionInfo | None = None
    """Set for an extension request that waited long enough for a decision."""
    deciding_leader_id: int | None = None
    """Who decides the extension request; None means every leader."""
    explanation: ExplanationInfo | None = None
    """Set for an unanswered explanation request made before the day (``lead_unit_id`` is
    then the unit asked to explain)."""
    handler_id: int | None = None
    """The task's cán bộ thụ lý, who hears the lead unit's items when reachable."""
    handler: str | None = None
    """The handler's name, as the items show it."""
    leader_in_charge: str | None = None
    """The task's lãnh đạo phụ trách with their job title, as the items show it."""

    def item(self, kind: ItemKind, **details: Any) -> ReminderItem:
        return ReminderItem(
            kind=kind,
            task_id=self.task_id,
            code=self.code,
            title=self.title,
            deadline=self.deadline,
            progress=self.progress,
            last_report_on=self.last_report_on,
            handler=self.handler,
            leader_in_charge=self.leader_in_charge,
            **details,
        )


Match = Callable[[Policy, TaskFacts], ReminderItem | None]


@dataclass(frozen=True)
class Rule:
    name: str
    audience: Audience
    match: Match


def _deadline_item(facts: TaskFacts, *, coordinating: bool = False) -> ReminderItem:
    left = facts.working_days_left
    kind = ItemKind.DUE_TODAY if left == 0 else ItemKind.UPCOMING
    return facts.item(kind, days_left=left, coordinating=coordinating)


def _before_deadline(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    if facts.working_days_left not in policy.lead_days:
        return None
    return _deadline_item(facts)


def _coordinating(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    if facts.working_days_left not in policy.coordinating_days:
        return None
    return _deadline_item(facts, coordinating=True)


def _overdue_item(policy: Policy, facts: TaskFacts) -> ReminderItem:
    late = facts.working_days_late or 0
    return facts.item(
        ItemKind.OVERDUE,
        days_late=facts.days_late,
        working_days_late=late,
        escalated=late >= policy.escalate_after,
    )


def _overdue(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    late = facts.working_days_late
    if late is None or facts.paused:
        return None
    if not (policy.overdue_every_working_day or late == 1):
        return None
    return _overdue_item(policy, facts)


def _overdue_head(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    late = facts.working_days_late
    if late is None or facts.paused:
        return None
    after = policy.head_after
    if not (late >= after if policy.overdue_every_working_day else late == after):
        return None
    return _overdue_item(policy, facts)


def _stale(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    if facts.silent_days is None or facts.days_late is not None:
        return None
    if facts.working_days_left in policy.lead_days:
        return None  # reminded for its deadline today
    return facts.item(ItemKind.STALE, silent_days=facts.silent_days)


def _extension(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    if facts.extension is None:
        return None
    return facts.item(ItemKind.EXTENSION, extension=facts.extension)


def _explanation(policy: Policy, facts: TaskFacts) -> ReminderItem | None:
    if facts.explanation is None:
        return None
    return facts.item(ItemKind.EXPLANATION, explanation=facts.explanation)


RULES: tuple[Rule, ...] = (
    Rule("before the deadline and on the day", Audience.LEAD_UNIT, _before_deadline),
    Rule("coordinating units before the deadline", Audience.COORDINATING_UNITS, _coordinating),
    Rule("overdue", Audience.LEAD_UNIT, _overdue),
    Rule("overdue long enough for the unit head", Audience.UNIT_HEAD, _overdue_head),
    Rule("no report for a while", Audience.LEAD_UNIT, _stale),
    Rule("extension request awaiting a decision", Audience.DECIDING_LEADER, _extension),
    Rule("explanation request awaiting the answer", Audience.UNIT_HEAD, _explanation),
)


def stale_days(offset: dt.timedelta, dialect: str, silence: Any, day: dt.date) -> Any:
    """Calendar days from the local date of ``silence`` (the last report, or the creation of
    a task never reported) to ``day``, as an SQL expression. The local date uses the zone's
    offset on ``day`` (Vietnam has no daylight saving)."""
    minutes = int(offset.total_seconds() // 60)
    if dialect == "postgresql":
        local_day = cast(silence + literal(dt.timedelta(minutes=minutes)), Date)
        return literal(day, Date()) - local_day
    local_date = func.date(silence, f"{minutes:+d} minutes")
    return cast(func.julianday(day.isoformat()) - func.julianday(local_date), Integer)


def stale_nudge_due(days: Any, policy: Policy, day: dt.date, previous_working_day: dt.date) -> Any:
    """The stale rule's day condition in SQL: silent for ``days`` >= ``stale_after`` with a
    multiple of ``stale_after`` reached since the previous working day (``days % n <
    day - previous``), so a threshold on a day off is nudged on the next working day."""
    every = policy.stale_after
    return and_(days >= every, days % every < (day - previous_working_day).days)
