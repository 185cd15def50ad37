"""Directions (ý kiến chỉ đạo): a leader (or the office) answers a recommendation or comments
on any task. The lead unit hears it at once through the outbox — the official handling the
task (cán bộ thụ lý) and the unit's heads — and so does whoever raised the recommendation;
every direction stays on the task's history.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date, shorten
from bot.messages import Reply
from bot.models import Direction, Official, Recommendation, Task, Unit
from bot.services import audit
from bot.services.errors import DomainError
from bot.services.explanations import unit_head_ids
from bot.services.outbox import notify_official
from bot.services.recommendations import LOADED, can_direct, checked_text
from bot.texts import TEXTS, named

DIRECTION_NOTICE = "direction.given"


async def give_direction(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    task: Task,
    text: str,
    via: str,
    recommendation_id: int | None = None,
) -> Direction:
    """Record a direction on ``task`` — answering recommendation ``recommendation_id`` of
    that task when given — and send it to the lead unit and the person who raised it."""
    if not can_direct(leader):
        raise DomainError("direction_not_allowed")
    text = checked_text(text, empty="direction_need_text")
    recommendation = None
    if recommendation_id is not None:
        recommendation = await session.scalar(
            select(Recommendation)
            .where(Recommendation.id == recommendation_id, Recommendation.task_id == task.id)
            .options(*LOADED)
            .with_for_update(of=Recommendation)
        )
        if recommendation is None:
            raise DomainError("recommendation_not_found")
        if recommendation.answered_at is not None:
            raise DomainError("recommendation_answered", code=task.code)
    now = ctx.now()
    direction = Direction(
        task_id=task.id,
        recommendation_id=recommendation_id,
        leader_id=leader.id,
        text=text,
        created_at=now,
    )
    session.add(direction)
    if recommendation is not None:
        recommendation.answered_at = now
    await session.flush()
    await audit.record(
        session,
        ctx,
        "direction.give",
        "task",
        task.id,
        actor=leader,
        via=via,
        direction_id=direction.id,
        recommendation_id=recommendation_id,
    )
    direction = await load_direction(session, direction.id)
    for official_id in await direction_recipients(session, direction):
        await notify_official(
            session,
            ctx,
            official_id,
            lambda lang: Reply(direction_notice(ctx, direction, lang)),
            kind=DIRECTION_NOTICE,
            key=str(direction.id),
        )
    return direction


async def direct_on_recommendation(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    recommendation_id: int,
    text: str,
    via: str,
) -> Direction:
    """Answer one recommendation (by its id, from a button or a form)."""
    task_id = await session.scalar(
        select(Recommendation.task_id).where(Recommendation.id == recommendation_id)
    )
    task = await session.get(Task, task_id) if task_id is not None else None
    if task is None:
        raise DomainError("recommendation_not_found")
    return await give_direction(
        session,
        ctx,
        leader=leader,
        task=task,
        text=text,
        via=via,
        recommendation_id=recommendation_id,
    )


async def load_direction(session: AsyncSession, direction_id: int) -> Direction:
    found = await session.scalar(
        select(Direction)
        .where(Direction.id == direction_id)
        .options(
            selectinload(Direction.task).selectinload(Task.lead_unit),
            selectinload(Direction.leader),
            selectinload(Direction.recommendation).selectinload(Recommendation.raised_by),
        )
        .execution_options(populate_existing=True)
    )
    assert found is not None, direction_id
    return found


async def task_directions(session: AsyncSession, task_id: int) -> list[Direction]:
    """Every direction on a task, oldest first."""
    found = await session.scalars(
        select(Direction)
        .where(Direction.task_id == task_id)
        .options(
            selectinload(Direction.leader),
            selectinload(Direction.recommendation).selectinload(Recommendation.raised_by),
        )
        .order_by(Direction.created_at, Direction.id)
    )
    return list(found)


async def direction_recipients(session: AsyncSession, direction: Direction) -> list[int]:
    """The lead unit's handler and heads, and whoever raised the answered recommendation;
    never the leader who gave it."""
    task = direction.task
    people: set[int] = set()
    if task.handler_id is not None:
        people.add(task.handler_id)
    unit = await session.get(Unit, task.lead_unit_id)
    if unit is not None:
        people.update(await unit_head_ids(session, unit))
    if direction.recommendation is not None:
        people.add(direction.recommendation.raised_by_id)
    people.discard(direction.leader_id)
    return sorted(people)


def direction_notice(ctx: AppContext, direction: Direction, lang: str) -> str:
    """What the lead unit reads: the task, the leader, what they answer, the direction."""
    task = direction.task
    recommendation = direction.recommendation
    params = {
        "code": task.code,
        "title": shorten(task.title),
        "unit": task.lead_unit.name,
        "who": named(direction.leader, lang),
        "text": direction.text,
    }
    if recommendation is None:
        return TEXTS.t("direction.notice", lang, **params)
    return TEXTS.t(
        "direction.notice_answer",
        lang,
        **params,
        raised_by=named(recommendation.raised_by, lang),
        on=format_date(ctx.local_date(recommendation.created_at), lang),
        recommendation=shorten(recommendation.text, 300),
    )


def history_lines(
    ctx: AppContext,
    recommendations: Sequence[Recommendation],
    directions: Sequence[Direction],
    lang: str,
) -> list[str]:
    """A task's recommendations, each followed by its answer or its wait, then the
    directions given on the task itself, all dated."""
    lines: list[str] = []
    for recommendation in recommendations:
        lines.append(
            TEXTS.t(
                "recommendation.history",
                lang,
                on=format_date(ctx.local_date(recommendation.created_at), lang),
                who=named(recommendation.raised_by, lang),
                text=recommendation.text,
            )
        )
        if not recommendation.directions:
            lines.append(TEXTS.t("recommendation.history_waiting", lang))
        for answer in recommendation.directions:
            lines.append(direction_line(ctx, answer, lang, answer=True))
    for direction in directions:
        if direction.recommendation_id is None:
            lines.append(direction_line(ctx, direction, lang, answer=False))
    return lines


def direction_line(ctx: AppContext, direction: Direction, lang: str, *, answer: bool) -> str:
    return TEXTS.t(
        "direction.history_answer" if answer else "direction.history",
        lang,
        on=format_date(ctx.local_date(direction.created_at), lang),
        who=named(direction.leader, lang),
        text=direction.text,
    )
