"""Explanation requests (yêu cầu giải trình): a leader or the office asks the lead unit of an
overdue task to explain it by a date; the unit head answers.

The unit's heads hear of a request at once through the outbox, and the planner reminds them
every working day until they answer (``scheduler.planner.rules``); the answer reaches the
requester the same way. A task has at most one open request at a time; answered requests
stay on the task's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date, shorten
from bot.messages import Button, Reply
from bot.models import ExplanationRequest, Official, Role, Task, Unit
from bot.services import audit
from bot.services.errors import DomainError
from bot.services.outbox import notify_official
from bot.services.task_admin import require_active
from bot.texts import TEXTS

REQUEST_NOTICE = "explanation.request"
ANSWER_NOTICE = "explanation.answer"
ANSWER_CALLBACK = "gt"
"""Button data ``gt:<request id>``: answer this request (the next message is the answer)."""

_LOADED = (
    selectinload(ExplanationRequest.task).selectinload(Task.lead_unit),
    selectinload(ExplanationRequest.unit),
    selectinload(ExplanationRequest.requested_by),
    selectinload(ExplanationRequest.answered_by),
)


def can_request_explanation(official: Official) -> bool:
    """Leaders and the office (admins) ask units to explain."""
    return official.role in (Role.LEADER, Role.ADMIN)


def is_unit_head(official: Official, unit: Unit) -> bool:
    """Whether ``official`` answers for ``unit``: its named head or a head-role member."""
    return official.id == unit.head_id or (
        official.role == Role.HEAD and official.unit_id == unit.id
    )


def named(official: Official | None) -> str:
    """How a person is named in a message: job title from the data, then the name."""
    if official is None:
        return ""
    return f"{official.title} {official.full_name}" if official.title else official.full_name


def is_late(request: ExplanationRequest, today: dt.date) -> bool:
    """Past its due date without an answer, or answered after it."""
    if request.answered_on is not None:
        return request.answered_on > request.due_date
    return today > request.due_date


def is_overdue(task: Task, today: dt.date) -> bool:
    return task.completed_at is None and task.deadline is not None and task.deadline < today


async def request_explanation(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    task: Task,
    due_date: dt.date,
    text: str,
    via: str,
) -> ExplanationRequest:
    """Ask ``task``'s lead unit to explain it by ``due_date`` and tell the unit's heads."""
    if not can_request_explanation(official):
        raise DomainError("explanation_not_allowed")
    require_active(task)
    today = ctx.today()
    if not is_overdue(task, today):
        raise DomainError("explanation_not_overdue", code=task.code)
    if due_date < today:
        raise DomainError("explanation_date_past", date=format_date(due_date))
    text = text.strip()
    if not text:
        raise DomainError("explanation_need_text")
    if await open_request(session, task.id) is not None:
        raise DomainError("explanation_open", code=task.code)
    request = ExplanationRequest(
        task_id=task.id,
        unit_id=task.lead_unit_id,
        requested_by_id=official.id,
        due_date=due_date,
        text=text,
        created_at=ctx.now(),
        answer="",
    )
    session.add(request)
    await session.flush()
    await audit.record(
        session,
        ctx,
        "explanation.request",
        "task",
        task.id,
        actor=official,
        via=via,
        request_id=request.id,
        due_date=due_date.isoformat(),
    )
    request = await load_request(session, request.id)
    for head_id in await unit_head_ids(session, request.unit):
        await notify_official(
            session,
            ctx,
            head_id,
            lambda lang: request_notice(request, lang, buttons=True),
            kind=REQUEST_NOTICE,
            key=str(request.id),
        )
    return request


async def answer_explanation(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    request_id: int,
    answer: str,
    via: str,
) -> ExplanationRequest:
    """Record the unit head's answer and send it to the requester."""
    request = await session.scalar(
        select(ExplanationRequest)
        .where(ExplanationRequest.id == request_id)
        .options(*_LOADED)
        .with_for_update(of=ExplanationRequest)
    )
    if request is None:
        raise DomainError("explanation_not_found")
    if not is_unit_head(official, request.unit):
        raise DomainError("explanation_head_answers", unit=request.unit.name)
    if request.answered_at is not None:
        raise DomainError("explanation_answered", code=request.task.code)
    answer = answer.strip()
    if not answer:
        raise DomainError("explanation_need_answer")
    now = ctx.now()
    request.answered_at = now
    request.answered_on = ctx.local_date(now)
    request.answered_by_id = official.id
    request.answer = answer
    await session.flush()
    await session.refresh(request, ["answered_by"])
    await audit.record(
        session,
        ctx,
        "explanation.answer",
        "task",
        request.task_id,
        actor=official,
        via=via,
        request_id=request.id,
    )
    await notify_official(
        session,
        ctx,
        request.requested_by_id,
        lambda lang: Reply(answer_notice(request, lang)),
        kind=ANSWER_NOTICE,
        key=str(request.id),
    )
    return request


async def load_request(session: AsyncSession, request_id: int) -> ExplanationRequest:
    request = await session.scalar(
        select(ExplanationRequest)
        .where(ExplanationRequest.id == request_id)
        .options(*_LOADED)
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise DomainError("explanation_not_found")
    return request


async def open_request(session: AsyncSession, task_id: int) -> ExplanationRequest | None:
    """The task's unanswered request, if any."""
    return await session.scalar(
        select(ExplanationRequest)
        .where(ExplanationRequest.task_id == task_id, ExplanationRequest.answered_at.is_(None))
        .options(*_LOADED)
    )


async def task_requests(session: AsyncSession, task_id: int) -> list[ExplanationRequest]:
    """Every request of a task, oldest first (its history)."""
    found = await session.scalars(
        select(ExplanationRequest)
        .where(ExplanationRequest.task_id == task_id)
        .options(*_LOADED)
        .order_by(ExplanationRequest.created_at, ExplanationRequest.id)
    )
    return list(found)


async def open_requests(
    session: AsyncSession, *, unit_ids: Sequence[int] | None = None, limit: int | None = None
) -> tuple[int, list[ExplanationRequest]]:
    """How many requests are unanswered (of ``unit_ids`` when given), and the ``limit`` with
    the earliest due date, loaded for display."""
    condition = [ExplanationRequest.answered_at.is_(None)]
    if unit_ids is not None:
        condition.append(ExplanationRequest.unit_id.in_(list(unit_ids)))
    total = await session.scalar(
        select(func.count()).select_from(ExplanationRequest).where(*condition)
    )
    found = await session.scalars(
        select(ExplanationRequest)
        .where(*condition)
        .options(*_LOADED)
        .order_by(ExplanationRequest.due_date, ExplanationRequest.id)
        .limit(limit)
    )
    return total or 0, list(found)


async def unit_head_ids(session: AsyncSession, unit: Unit) -> list[int]:
    """The unit's named head and its active head-role members."""
    heads = set(
        await session.scalars(
            select(Official.id).where(
                Official.unit_id == unit.id,
                Official.role == Role.HEAD,
                Official.active.is_(True),
            )
        )
    )
    if unit.head_id is not None:
        heads.add(unit.head_id)
    return sorted(heads)


def request_notice(request: ExplanationRequest, lang: str, *, buttons: bool) -> Reply:
    """What the unit head reads: the task, who asks, what, by when; a Trả lời button."""
    task = request.task
    text = TEXTS.t(
        "explanation.notice",
        lang,
        code=task.code,
        title=shorten(task.title),
        unit=request.unit.name,
        deadline=format_date(task.deadline, lang),
        who=named(request.requested_by),
        due=format_date(request.due_date, lang),
        text=request.text,
    )
    rows = [[answer_button(request, lang)]] if buttons else []
    return Reply(text, rows)


def answer_button(request: ExplanationRequest, lang: str) -> Button:
    return Button(
        TEXTS.t("explanation.button_answer", lang, code=request.task.code),
        f"{ANSWER_CALLBACK}:{request.id}",
    )


def answer_notice(request: ExplanationRequest, lang: str) -> str:
    """What the requester reads when the unit answered."""
    late = request.answered_on is not None and request.answered_on > request.due_date
    key = "explanation.answered_late" if late else "explanation.answered"
    return TEXTS.t(
        key,
        lang,
        code=request.task.code,
        title=shorten(request.task.title),
        unit=request.unit.name,
        who=named(request.answered_by),
        due=format_date(request.due_date, lang),
        answer=request.answer,
    )


def history_lines(ctx: AppContext, requests: Sequence[ExplanationRequest], lang: str) -> list[str]:
    """The requests on a task's history: asked by whom, by when, and the answer or its wait."""
    today = ctx.today()
    lines: list[str] = []
    for request in requests:
        lines.append(
            TEXTS.t(
                "explanation.history_request",
                lang,
                on=format_date(ctx.local_date(request.created_at), lang),
                who=named(request.requested_by),
                due=format_date(request.due_date, lang),
                text=request.text,
            )
        )
        late = is_late(request, today)
        if request.answered_on is not None:
            key = "explanation.history_answer_late" if late else "explanation.history_answer"
            lines.append(
                TEXTS.t(
                    key,
                    lang,
                    on=format_date(request.answered_on, lang),
                    who=named(request.answered_by),
                    answer=request.answer,
                )
            )
        else:
            key = "explanation.history_waiting_late" if late else "explanation.history_waiting"
            lines.append(TEXTS.t(key, lang))
    return lines
