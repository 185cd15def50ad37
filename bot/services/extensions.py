"""Extension requests (đề nghị gia hạn): asked by the lead unit, decided by a leader.

The deadline changes only on approval, and the history keeps both dates. A decision is taken
the same way from the chat (buttons) and from the dashboard (a form), and the requester and
the lead unit's heads hear of it through the outbox.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date, shorten
from bot.messages import Reply
from bot.models import DeadlineChange, ExtensionRequest, ExtensionStatus, Official, Role, Task
from bot.services import audit
from bot.services.directory import TaskAccess, can_decide_extensions, task_access
from bot.services.errors import DomainError
from bot.services.outbox import notify_official
from bot.services.task_admin import require_active
from bot.texts import TEXTS, named

DECISION_NOTICE = "extension.decision"


async def request_extension(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    task: Task,
    new_deadline: dt.date,
    reason: str,
    via: str,
) -> ExtensionRequest:
    if task_access(official, task) is not TaskAccess.REPORT:
        raise DomainError("not_your_unit", code=task.code)
    require_active(task)
    if task.completed_at is not None:
        raise DomainError("task_done_no_extension", code=task.code)
    if new_deadline <= ctx.today():
        raise DomainError("extension_date_past", date=format_date(new_deadline))
    if task.deadline is not None and new_deadline <= task.deadline:
        raise DomainError(
            "extension_not_later",
            date=format_date(new_deadline),
            deadline=format_date(task.deadline),
        )
    if await pending_request(session, task.id) is not None:
        raise DomainError("extension_pending", code=task.code)
    request = ExtensionRequest(
        task=task,
        requested_by_id=official.id,
        old_deadline=task.deadline,
        new_deadline=new_deadline,
        reason=reason.strip(),
        requested_at=ctx.now(),
    )
    session.add(request)
    await session.flush()
    await audit.record(
        session,
        ctx,
        "extension.request",
        "task",
        task.id,
        actor=official,
        via=via,
        request_id=request.id,
        new_deadline=new_deadline.isoformat(),
    )
    return request


async def pending_request(session: AsyncSession, task_id: int) -> ExtensionRequest | None:
    """The task's request awaiting a decision, if any (with its requester loaded)."""
    return await session.scalar(
        select(ExtensionRequest)
        .where(
            ExtensionRequest.task_id == task_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .options(selectinload(ExtensionRequest.requested_by))
    )


async def pending_requests(
    session: AsyncSession, *, limit: int | None = None
) -> tuple[int, list[ExtensionRequest]]:
    """How many requests await a decision, and the oldest ``limit`` of them with their task,
    lead unit and requester loaded."""
    waiting = ExtensionRequest.status == ExtensionStatus.PENDING
    total = await session.scalar(select(func.count()).select_from(ExtensionRequest).where(waiting))
    requests = await session.scalars(
        select(ExtensionRequest)
        .where(waiting)
        .options(
            selectinload(ExtensionRequest.task).selectinload(Task.lead_unit),
            selectinload(ExtensionRequest.requested_by),
        )
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        .limit(limit)
    )
    return total or 0, list(requests)


async def decide_extension(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    request_id: int,
    approve: bool,
    note: str = "",
    via: str,
) -> ExtensionRequest:
    """Approve (the deadline moves, history kept) or reject a pending request."""
    if not can_decide_extensions(leader):
        raise DomainError("not_allowed")
    request = await session.scalar(
        select(ExtensionRequest)
        .where(ExtensionRequest.id == request_id)
        .options(
            selectinload(ExtensionRequest.task).selectinload(Task.lead_unit),
            selectinload(ExtensionRequest.requested_by),
        )
        .with_for_update()
    )
    if request is None:
        raise DomainError("extension_not_found")
    if request.status is not ExtensionStatus.PENDING:
        raise DomainError("extension_decided")
    now = ctx.now()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by_id = leader.id
    request.decided_at = now
    request.decision_note = note.strip()
    task = request.task
    if approve:
        session.add(
            DeadlineChange(
                task_id=task.id,
                old_deadline=task.deadline,
                new_deadline=request.new_deadline,
                reason=request.reason,
                extension_request_id=request.id,
                changed_by_id=leader.id,
                changed_at=now,
            )
        )
        if task.original_deadline is None:
            task.original_deadline = task.deadline
        task.deadline = request.new_deadline
        task.updated_at = now
    await session.flush()
    await audit.record(
        session,
        ctx,
        "extension.approve" if approve else "extension.reject",
        "task",
        task.id,
        actor=leader,
        via=via,
        request_id=request.id,
    )
    return request


async def decide_and_notify(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    request_id: int,
    approve: bool,
    via: str,
) -> ExtensionRequest:
    """Decide a pending request and queue the decision for the requester and the lead
    unit's heads (each once, on every chat they linked)."""
    request = await decide_extension(
        session, ctx, leader=leader, request_id=request_id, approve=approve, via=via
    )
    task = request.task
    recipients = {request.requested_by_id}
    if task.lead_unit.head_id is not None:
        recipients.add(task.lead_unit.head_id)
    heads = await session.scalars(
        select(Official.id).where(
            Official.unit_id == task.lead_unit_id,
            Official.role == Role.HEAD,
            Official.active.is_(True),
        )
    )
    recipients.update(heads)
    for official_id in sorted(recipients):
        await notify_official(
            session,
            ctx,
            official_id,
            lambda lang: Reply(decision_text(request, leader, lang)),
            kind=DECISION_NOTICE,
            key=str(request.id),
        )
    return request


def decision_text(request: ExtensionRequest, leader: Official, lang: str) -> str:
    """What everyone concerned reads about a decided request."""
    key = (
        "extension.approved" if request.status is ExtensionStatus.APPROVED else "extension.rejected"
    )
    return TEXTS.t(
        key,
        lang,
        code=request.task.code,
        title=shorten(request.task.title),
        old=format_date(request.old_deadline, lang),
        new=format_date(request.new_deadline),
        leader=named(leader, lang),
    )
