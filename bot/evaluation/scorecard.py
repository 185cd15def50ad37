"""Scorecards: what each unit (and so its head) achieved in a period, computed in SQL.

A task counts in a period when its deadline falls in the period, or, without a deadline, when
it was completed in the period or is still open at the period's end with no report for
``evaluation.no_report_days``. Its category is read with the one status rule
(:func:`bot.services.summary.status_expression`) on the day the period is read
(:meth:`Period.as_of`: its end, or today while it runs). Tasks count for their lead unit only.
Days of delay are calendar days (done late: completion − deadline; overdue: end − deadline),
the way city reports state "quá hạn N ngày". Every unit is computed by one grouped query over
the tasks (categories, delays, late reports and extensions together), not unit by unit.
Explanation requests (yêu cầu giải trình) are counted per unit asked: still open at the
period's end, and late (answered in the period after their date, or open past it); they are
shown beside the score, not deducted from it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.evaluation.periods import Period
from bot.evaluation.rating import Rating, rate
from bot.models import (
    TASK_ACTIVE,
    DeadlineChange,
    ExplanationRequest,
    Official,
    Report,
    Task,
    Unit,
    UnitKind,
)
from bot.services.summary import status_expression
from bot.status import Status
from config.settings import EvaluationPolicy


def share(part: int, base: int) -> float | None:
    """``part`` as a percentage of ``base``; None when there is no base."""
    return round(100 * part / base, 2) if base else None


@dataclass
class Scorecard:
    """One unit's (or the city's, ``unit_id`` None) results for one period."""

    unit_id: int | None
    code: str
    name: str
    kind: UnitKind
    head_id: int | None = None
    head_name: str = ""
    counts: Counter[Status] = field(default_factory=Counter)
    with_deadline: int = 0
    done_without_deadline: int = 0
    """Completed tasks that had no deadline ("hoàn thành (nhiệm vụ không có thời hạn)")."""
    extensions: int = 0
    """Approved extensions (deadline changes from an extension request) of counted tasks."""
    extended_tasks: int = 0
    days_late: int = 0
    late_reports: int = 0
    """Open tasks with no report for ``no_report_days`` at the period's end."""
    open_explanations: int = 0
    """Explanation requests to the unit still unanswered at the period's end."""
    late_explanations: int = 0
    """Explanation requests answered in the period after their date, or still unanswered
    past it at the period's end."""
    score: float | None = None
    rating: Rating | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def on_time_rate(self) -> float | None:
        return share(self.counts[Status.DONE_ON_TIME], self.total)

    @property
    def overdue_rate(self) -> float | None:
        return share(self.counts[Status.OVERDUE], self.total)

    def deadline_count(self, status: Status) -> int:
        """Tasks of one category that have a deadline (the second basis of city reports):
        tasks without a deadline are either done on time or in progress."""
        if status is Status.DONE_ON_TIME:
            return self.counts[status] - self.done_without_deadline
        if status is Status.IN_PROGRESS:
            open_without = self.total - self.with_deadline - self.done_without_deadline
            return self.counts[status] - open_without
        return self.counts[status]

    @property
    def extension_share(self) -> float | None:
        """Share of counted tasks whose deadline was extended at least once."""
        return share(self.extended_tasks, self.total)

    def add(self, other: Scorecard) -> None:
        """Add another card's counts (for totals); the score is computed afterwards."""
        self.counts.update(other.counts)
        self.with_deadline += other.with_deadline
        self.done_without_deadline += other.done_without_deadline
        self.extensions += other.extensions
        self.extended_tasks += other.extended_tasks
        self.days_late += other.days_late
        self.late_reports += other.late_reports
        self.open_explanations += other.open_explanations
        self.late_explanations += other.late_explanations


def apply_score(card: Scorecard, policy: EvaluationPolicy) -> None:
    """Score on 100 and rating; a unit with no counted task is not rated."""
    if card.total == 0:
        card.score, card.rating = None, None
        return
    base = 100 * card.counts[Status.DONE_ON_TIME] / card.total
    deductions = (
        policy.deduction_per_overdue * card.counts[Status.OVERDUE]
        + policy.deduction_per_late_report * card.late_reports
    )
    card.score = round(max(policy.floor, base - deductions), 2)
    card.rating = rate(card.score, policy)


def _midnight_utc(ctx: AppContext, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ctx.tz).astimezone(dt.UTC)


def _days_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[int]:
    """Calendar days from ``earlier`` to ``later`` in SQL."""
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


@dataclass(frozen=True)
class _Scope:
    """The SQL conditions of one period read on one day."""

    counted: ColumnElement[bool]
    late_report: ColumnElement[bool]
    as_of: dt.date
    read_until: dt.datetime


def _scope(ctx: AppContext, period: Period) -> _Scope:
    policy = ctx.settings.evaluation
    as_of = period.as_of(ctx.today())
    read_until = _midnight_utc(ctx, as_of + dt.timedelta(days=1))
    silent_from = _midnight_utc(ctx, as_of - dt.timedelta(days=policy.no_report_days - 1))
    open_at_end = or_(Task.completed_on.is_(None), Task.completed_on > as_of)
    reported = select(Report.task_id).where(
        Report.created_at >= silent_from, Report.created_at < read_until
    )
    late_report = and_(open_at_end, Task.created_at < silent_from, Task.id.not_in(reported))
    counted = and_(
        TASK_ACTIVE,
        Task.created_at < read_until,
        or_(
            Task.deadline.between(period.start, period.end),
            and_(
                Task.deadline.is_(None),
                or_(Task.completed_on.between(period.start, as_of), late_report),
            ),
        ),
    )
    return _Scope(counted, late_report, as_of, read_until)


async def compute_scorecards(
    session: AsyncSession,
    ctx: AppContext,
    period: Period,
    unit_ids: Collection[int] | None = None,
) -> dict[int, Scorecard]:
    """Scorecards of every unit (or of ``unit_ids``), by unit id, scored and rated."""
    policy = ctx.settings.evaluation
    dialect = session.get_bind().dialect.name
    scope = _scope(ctx, period)
    as_of = literal(scope.as_of, Date)
    status = status_expression(scope.as_of).label("status")
    days_late = case(
        (
            status == Status.DONE_LATE.value,
            _days_between(dialect, Task.completed_on, Task.deadline),
        ),
        (status == Status.OVERDUE.value, _days_between(dialect, as_of, Task.deadline)),
        else_=0,
    )
    in_units = [] if unit_ids is None else [Task.lead_unit_id.in_(unit_ids)]

    units = select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.head_id, Official.full_name)
    units = units.outerjoin(Official, Official.id == Unit.head_id)
    if unit_ids is not None:
        units = units.where(Unit.id.in_(unit_ids))
    cards = {
        uid: Scorecard(uid, code, name, kind, head_id, head_name or "")
        for uid, code, name, kind, head_id, head_name in await session.execute(units)
    }

    extended = (
        select(DeadlineChange.task_id, func.count(DeadlineChange.id).label("changes"))
        .where(
            DeadlineChange.extension_request_id.is_not(None),
            DeadlineChange.changed_at < scope.read_until,
        )
        .group_by(DeadlineChange.task_id)
        .subquery()
    )
    categories = (
        select(
            Task.lead_unit_id,
            status,
            func.count(Task.id),
            func.count(Task.deadline),
            func.coalesce(func.sum(days_late), 0),
            func.count(case((scope.late_report, Task.id))),
            func.coalesce(func.sum(extended.c.changes), 0),
            func.count(extended.c.task_id),
        )
        .outerjoin(extended, extended.c.task_id == Task.id)
        .where(scope.counted, *in_units)
        .group_by(Task.lead_unit_id, status)
    )
    for (
        uid,
        status_value,
        count,
        with_deadline,
        late,
        silent,
        changes,
        extended_tasks,
    ) in await session.execute(categories):
        card = cards[uid]
        card.counts[Status(status_value)] += count
        card.with_deadline += with_deadline
        if status_value == Status.DONE_ON_TIME.value:
            card.done_without_deadline += count - with_deadline
        card.days_late += int(late)
        card.late_reports += silent
        card.extensions += int(changes)
        card.extended_tasks += extended_tasks

    await _count_explanations(session, cards, period, scope, unit_ids)
    for card in cards.values():
        apply_score(card, policy)
    return cards


async def _count_explanations(
    session: AsyncSession,
    cards: dict[int, Scorecard],
    period: Period,
    scope: _Scope,
    unit_ids: Collection[int] | None,
) -> None:
    """Open and late explanation requests per unit, one grouped query."""
    request = ExplanationRequest
    still_open = and_(
        request.created_at < scope.read_until,
        or_(request.answered_at.is_(None), request.answered_at >= scope.read_until),
    )
    answered_late = and_(
        request.answered_on.between(period.start, scope.as_of),
        request.answered_at < scope.read_until,
        request.answered_on > request.due_date,
    )
    late = or_(and_(still_open, request.due_date < scope.as_of), answered_late)
    query = (
        select(
            request.unit_id,
            func.count(case((still_open, request.id))),
            func.count(case((late, request.id))),
        )
        .where(or_(still_open, answered_late))
        .group_by(request.unit_id)
    )
    if unit_ids is not None:
        query = query.where(request.unit_id.in_(unit_ids))
    for uid, open_count, late_count in await session.execute(query):
        card = cards.get(uid)
        if card is not None:
            card.open_explanations += open_count
            card.late_explanations += late_count


def city_card(cards: Collection[Scorecard], policy: EvaluationPolicy, name: str) -> Scorecard:
    """The totals of many cards, scored like one unit."""
    total = Scorecard(None, "", name, UnitKind.OTHER)
    for card in cards:
        total.add(card)
    apply_score(total, policy)
    return total


@dataclass(frozen=True)
class OverdueTask:
    """A task overdue at the end of the period, with the lead unit's latest report on it."""

    code: str
    title: str
    unit_name: str
    deadline: dt.date
    days_late: int
    last_report_on: dt.date | None
    last_report_note: str
    last_report_progress: int | None


async def overdue_tasks(
    session: AsyncSession, ctx: AppContext, period: Period, unit_id: int | None = None
) -> list[OverdueTask]:
    """Counted tasks overdue on the period's last day, most days late first."""
    scope = _scope(ctx, period)
    status = status_expression(scope.as_of)
    query = (
        select(Task.id, Task.code, Task.title, Unit.name, Task.deadline)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(scope.counted, status == Status.OVERDUE.value)
        .order_by(Task.deadline, Task.code)
    )
    if unit_id is not None:
        query = query.where(Task.lead_unit_id == unit_id)
    rows = (await session.execute(query)).all()
    latest: dict[int, Report] = {}
    if rows:
        reports = await session.scalars(
            select(Report)
            .where(Report.task_id.in_([row[0] for row in rows]))
            .where(Report.created_at < scope.read_until)
            .order_by(Report.task_id, Report.created_at.desc(), Report.id.desc())
        )
        for found in reports:
            latest.setdefault(found.task_id, found)
    result = []
    for task_id, code, title, unit_name, deadline in rows:
        assert deadline is not None, "only a task with a deadline is overdue"
        report = latest.get(task_id)
        result.append(
            OverdueTask(
                code=code,
                title=title,
                unit_name=unit_name,
                deadline=deadline,
                days_late=(scope.as_of - deadline).days,
                last_report_on=ctx.local_date(report.created_at) if report else None,
                last_report_note=report.note if report else "",
                last_report_progress=report.progress if report else None,
            )
        )
    return result


@dataclass(frozen=True)
class PendingExplanation:
    """An explanation request still unanswered at the period's end."""

    code: str
    title: str
    unit_name: str
    requested_by: str
    requested_on: dt.date
    due_date: dt.date
    late: bool


async def pending_explanations(
    session: AsyncSession, ctx: AppContext, period: Period, unit_id: int | None = None
) -> list[PendingExplanation]:
    """Explanation requests unanswered at the period's end, earliest date first."""
    scope = _scope(ctx, period)
    request = ExplanationRequest
    query = (
        select(request, Task.code, Task.title, Unit.name, Official.full_name, Official.title)
        .join(Task, Task.id == request.task_id)
        .join(Unit, Unit.id == request.unit_id)
        .join(Official, Official.id == request.requested_by_id)
        .where(
            request.created_at < scope.read_until,
            or_(request.answered_at.is_(None), request.answered_at >= scope.read_until),
        )
        .order_by(request.due_date, Task.code)
    )
    if unit_id is not None:
        query = query.where(request.unit_id == unit_id)
    return [
        PendingExplanation(
            code=code,
            title=title,
            unit_name=unit_name,
            requested_by=f"{job} {name}" if job else name,
            requested_on=ctx.local_date(found.created_at),
            due_date=found.due_date,
            late=found.due_date < scope.as_of,
        )
        for found, code, title, unit_name, name, job in await session.execute(query)
    ]
