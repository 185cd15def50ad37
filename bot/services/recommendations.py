"""Recommendations (vướng mắc, kiến nghị): a difficulty the lead unit raises with a report
because it needs a leader. It reaches the leader(s) in charge of the task at once through the
outbox (:func:`bot.services.people.leaders_for_task`) and stays pending — in the digest's and
the dashboard's "Kiến nghị chờ cho ý kiến" list — until a leader answers it with a direction
(:mod:`bot.services.directions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import TASK_ACTIVE, Direction, Official, Recommendation, Report, Role, Task
from bot.services import audit
from bot.services.directory import TaskAccess, task_access
from bot.services.errors import DomainError
from bot.services.outbox import notify_official
from bot.services.people import leaders_for_task
from bot.texts import TEXTS, named

RAISED_NOTICE = "recommendation.raised"
ANSWER_CALLBACK = "cd"
"""Button data ``cd:<recommendation id>``: give a direction on it (the next message)."""
MAX_TEXT = 2000
"""Characters of a recommendation or a direction: one chat message on every channel."""

LOADED = (
    selectinload(Recommendation.task).selectinload(Task.lead_unit),
    selectinload(Recommendation.raised_by),
    selectinload(Recommendation.directions).selectinload(Direction.leader),
)


def can_direct(official: Official) -> bool:
    """Leaders and the office (admins) give directions and answer recommendations."""
    return official.role in (Role.LEADER, Role.ADMIN)


def checked_text(text: str, *, empty: str) -> str:
    """``text`` stripped; DomainError ``empty`` when blank, ``advice_too_long`` when long."""
    text = text.strip()
    if not text:
        raise DomainError(empty)
    if len(text) > MAX_TEXT:
        raise DomainError("advice_too_long", n=MAX_TEXT)
    return text


def check_can_raise(official: Official, task: Task, text: str) -> str:
    """Refuse before anything is stored: only the lead unit (and the office) raise
    recommendations on a task. Returns the cleaned text."""
    if task_access(official, task) is not TaskAccess.REPORT:
        raise DomainError("recommendation_lead_unit", code=task.code)
    return checked_text(text, empty="recommendation_need_text")


async def raise_recommendation(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    task: Task,
    text: str,
    via: str,
    report: Report | None = None,
) -> tuple[Recommendation, list[Official]]:
    """Record a recommendation on ``task`` (with the ``report`` it came with) and tell the
    leader(s) in charge at once; returns it and the leaders told."""
    text = check_can_raise(official, task, text)
    recommendation = Recommendation(
        task_id=task.id,
        report_id=report.id if report is not None else None,
        raised_by_id=official.id,
        text=text,
        created_at=ctx.now(),
    )
    session.add(recommendation)
    await session.flush()
    await audit.record(
        session,
        ctx,
        "recommendation.raise",
        "task",
        task.id,
        actor=official,
        via=via,
        recommendation_id=recommendation.id,
        report_id=recommendation.report_id,
    )
    recommendation = await load_recommendation(session, recommendation.id)
    leaders = await leaders_for_task(session, task)
    for leader in leaders:
        await notify_official(
            session,
            ctx,
            leader.id,
            lambda lang: raised_notice(ctx, recommendation, lang),
            kind=RAISED_NOTICE,
            key=str(recommendation.id),
        )
    return recommendation, leaders


async def load_recommendation(session: AsyncSession, recommendation_id: int) -> Recommendation:
    found = await session.scalar(
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(*LOADED)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise DomainError("recommendation_not_found")
    return found


async def task_recommendations(session: AsyncSession, task_id: int) -> list[Recommendation]:
    """Every recommendation of a task with its directions, oldest first (its history)."""
    found = await session.scalars(
        select(Recommendation)
        .where(Recommendation.task_id == task_id)
        .options(*LOADED)
        .order_by(Recommendation.created_at, Recommendation.id)
    )
    return list(found)


def _pending_condition(unit_id: int | None, leader_id: int | None) -> list[ColumnElement[bool]]:
    condition: list[ColumnElement[bool]] = [Recommendation.answered_at.is_(None), TASK_ACTIVE]
    if unit_id is not None:
        condition.append(Task.lead_unit_id == unit_id)
    if leader_id is not None:
        condition.append(Task.leader_in_charge_id == leader_id)
    return condition


async def pending_recommendations(
    session: AsyncSession,
    *,
    unit_id: int | None = None,
    leader_id: int | None = None,
    limit: int | None = None,
) -> tuple[int, list[Recommendation]]:
    """How many recommendations wait for a direction (on active tasks; of one lead unit, or of
    the tasks one leader is in charge of, when given), and the ``limit`` oldest, loaded for
    display."""
    condition = _pending_condition(unit_id, leader_id)
    total = await session.scalar(
        select(func.count(Recommendation.id))
        .join(Task, Task.id == Recommendation.task_id)
        .where(*condition)
    )
    found = await session.scalars(
        select(Recommendation)
        .join(Task, Task.id == Recommendation.task_id)
        .where(*condition)
        .options(*LOADED)
        .order_by(Recommendation.created_at, Recommendation.id)
        .limit(limit)
    )
    return int(total or 0), list(found)


@dataclass(frozen=True)
class PendingTask:
    """A task with the recommendations waiting on it, oldest first (a digest lists each task
    once)."""

    task: Task
    recommendations: list[Recommendation]


@dataclass(frozen=True)
class PendingAdvice:
    recommendations: int
    """How many recommendations wait, in the scope."""
    tasks: int
    """On how many tasks."""
    items: list[PendingTask]
    """The tasks with the oldest waiting recommendations (up to the limit)."""


async def pending_by_task(
    session: AsyncSession,
    *,
    unit_id: int | None = None,
    leader_id: int | None = None,
    limit: int = 10,
) -> PendingAdvice:
    """The waiting recommendations grouped by task, the task waiting longest first."""
    condition = _pending_condition(unit_id, leader_id)
    counted = (
        await session.execute(
            select(func.count(Recommendation.id), func.count(func.distinct(Recommendation.task_id)))
            .join(Task, Task.id == Recommendation.task_id)
            .where(*condition)
        )
    ).one()
    first = func.min(Recommendation.created_at)
    task_ids = list(
        await session.scalars(
            select(Recommendation.task_id)
            .join(Task, Task.id == Recommendation.task_id)
            .where(*condition)
            .group_by(Recommendation.task_id)
            .order_by(first, Recommendation.task_id)
            .limit(limit)
        )
    )
    found = await session.scalars(
        select(Recommendation)
        .where(Recommendation.answered_at.is_(None), Recommendation.task_id.in_(task_ids))
        .options(*LOADED)
        .order_by(Recommendation.created_at, Recommendation.id)
    )
    grouped: dict[int, list[Recommendation]] = {task_id: [] for task_id in task_ids}
    for recommendation in found:
        grouped[recommendation.task_id].append(recommendation)
    items = [PendingTask(group[0].task, group) for group in grouped.values() if group]
    return PendingAdvice(int(counted[0] or 0), int(counted[1] or 0), items)


def raised_notice(ctx: AppContext, recommendation: Recommendation, lang: str) -> Reply:
    """What the leader in charge reads: the task, who raises what; a Cho ý kiến button."""
    task = recommendation.task
    text = TEXTS.t(
        "recommendation.notice",
        lang,
        code=task.code,
        title=shorten(task.title),
        unit=task.lead_unit.name,
        progress=task.progress,
        deadline=format_date(task.deadline, lang),
        who=named(recommendation.raised_by, lang),
        on=format_date(ctx.local_date(recommendation.created_at), lang),
        text=recommendation.text,
    )
    return Reply(text, [[answer_button(recommendation, lang)]])


def answer_button(recommendation: Recommendation, lang: str) -> Button:
    return Button(
        TEXTS.t("recommendation.button_answer", lang, code=recommendation.task.code),
        f"{ANSWER_CALLBACK}:{recommendation.id}",
    )


def pending_line(ctx: AppContext, recommendation: Recommendation, lang: str) -> str:
    """One waiting recommendation in a list: task, unit, who and when, the text."""
    return TEXTS.t(
        "recommendation.pending_item",
        lang,
        code=recommendation.task.code,
        title=shorten(recommendation.task.title, 50),
        unit=recommendation.task.lead_unit.name,
        who=named(recommendation.raised_by, lang),
        on=format_date(ctx.local_date(recommendation.created_at), lang),
        text=shorten(recommendation.text, 200),
    )


def names(officials: Sequence[Official], lang: str) -> str:
    """People named in one line: ``A, B``."""
    return ", ".join(named(official, lang) for official in officials)
