"""Extension requests (đề nghị gia hạn): asked by the lead unit, decided by a leader.

The deadline changes only on approval, and the history keeps both dates.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.context import AppContext
from bot.i18n import format_date
from bot.models import DeadlineChange, ExtensionRequest, ExtensionStatus, Official, Task
from bot.services import audit
from bot.services.directory import TaskAccess, can_decide_extensions, task_access
from bot.services.errors import DomainError


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
    return await session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.task_id == task_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )


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
