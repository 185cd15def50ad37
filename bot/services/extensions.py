"""Extension requests (đề nghị gia hạn): asked by the lead unit, decided by a leader.

The deadline changes only on approval, and the history keeps both dates. A decision is taken
the same way from the chat (buttons) and from the dashboard (a form), and the requester and
the lead unit's heads hear of it through the outbox.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

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
from bot.text_cleaning import clean_text
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


NOTE_LIMIT = 1000
"""Characters of a leader's comment on a decision."""


def clean_note(note: str) -> str:
    """A decision comment as stored: cleaned of control characters, trimmed; refused (not
    cut) when longer than :data:`NOTE_LIMIT`, so nothing typed is lost silently."""
    cleaned = clean_text(note).strip()
    if len(cleaned) > NOTE_LIMIT:
        raise DomainError("decision_note_too_long", limit=NOTE_LIMIT, length=len(cleaned))
    return cleaned


def check_decided_date(ctx: AppContext, request: ExtensionRequest, deadline: dt.date) -> None:
    """The rules of a request, applied to another date a leader approves: after today and
    after the task's current deadline. The requested date itself is always acceptable."""
    if deadline == request.new_deadline:
        return
    if deadline <= ctx.today():
        raise DomainError("extension_date_past", date=format_date(deadline))
    current = request.task.deadline
    if current is not None and deadline <= current:
        raise DomainError(
            "extension_not_later", date=format_date(deadline), deadline=format_date(current)
        )


async def load_request(
    session: AsyncSession, request_id: int, *, for_update: bool = False
) -> ExtensionRequest:
    """A request with its task, lead unit and requester (any status); ``for_update`` locks its
    row until the transaction ends (a decision)."""
    query = (
        select(ExtensionRequest)
        .where(ExtensionRequest.id == request_id)
        .options(
            selectinload(ExtensionRequest.task).selectinload(Task.lead_unit),
            selectinload(ExtensionRequest.requested_by),
        )
    )
    request = await session.scalar(query.with_for_update() if for_update else query)
    if request is None:
        raise DomainError("extension_not_found")
    return request


async def decide_extension(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    request_id: int,
    approve: bool,
    deadline: dt.date | None = None,
    note: str = "",
    via: str,
) -> ExtensionRequest:
    """Approve (the deadline moves to the requested date, or to ``deadline`` when the leader
    chose another; history kept) or reject a pending request, with an optional comment."""
    if not can_decide_extensions(leader):
        raise DomainError("not_allowed")
    if deadline is not None and not approve:
        raise ValueError("a refusal sets no deadline")
    comment = clean_note(note)
    request = await load_request(session, request_id, for_update=True)
    if request.status is not ExtensionStatus.PENDING:
        raise DomainError("extension_decided")
    decided = deadline if deadline is not None else request.new_deadline
    if approve:
        check_decided_date(ctx, request, decided)
    now = ctx.now()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by_id = leader.id
    request.decided_at = now
    request.decision_note = comment
    task = request.task
    if approve:
        request.decided_deadline = decided
        session.add(
            DeadlineChange(
                task_id=task.id,
                old_deadline=task.deadline,
                new_deadline=decided,
                reason=request.reason,
                note=comment,
                extension_request_id=request.id,
                changed_by_id=leader.id,
                changed_at=now,
            )
        )
        if task.original_deadline is None:
            task.original_deadline = task.deadline
        task.deadline = decided
        task.updated_at = now
    await session.flush()
    details: dict[str, object] = {"request_id": request.id}
    if approve:
        details["deadline"] = decided.isoformat()
    if comment:
        details["note"] = comment
    await audit.record(
        session,
        ctx,
        "extension.approve" if approve else "extension.reject",
        "task",
        task.id,
        actor=leader,
        via=via,
        **details,
    )
    return request


async def decide_and_notify(
    session: AsyncSession,
    ctx: AppContext,
    *,
    leader: Official,
    request_id: int,
    approve: bool,
    deadline: dt.date | None = None,
    note: str = "",
    via: str,
) -> ExtensionRequest:
    """Decide a pending request and queue the decision (date and comment) for the requester
    and the lead unit's heads (each once, on every chat they linked)."""
    request = await decide_extension(
        session,
        ctx,
        leader=leader,
        request_id=request_id,
        approve=approve,
        deadline=deadline,
        note=note,
        via=via,
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
    """What everyone concerned reads about a decided request: the decided date (and the
    requested one when the leader chose another), then the leader's comment if any."""
    decided = request.decided_deadline or request.new_deadline
    if request.status is not ExtensionStatus.APPROVED:
        key = "extension.rejected"
    elif decided != request.new_deadline:
        key = "extension.approved_other"
    else:
        key = "extension.approved"
    text = TEXTS.t(
        key,
        lang,
        code=request.task.code,
        title=shorten(request.task.title),
        old=format_date(request.old_deadline, lang),
        new=format_date(decided),
        requested=format_date(request.new_deadline),
        leader=named(leader, lang),
    )
    if request.decision_note:
        text += "\n" + TEXTS.t("extension.comment", lang, note=request.decision_note)
    return text


class Outcome(enum.StrEnum):
    """What happened to the deadline, as the history's decision column says it."""

    APPROVED = "approved"
    APPROVED_OTHER = "approved_other"
    """Approved until a date other than the requested one."""
    REJECTED = "rejected"
    CHANGED = "changed"
    """Changed without a request (a re-import)."""


@dataclass(frozen=True)
class DeadlineEvent:
    """One row of a task's deadline history."""

    at: dt.datetime
    who: Official | None
    outcome: Outcome
    old: dt.date | None
    new: dt.date | None
    """None when refused: the deadline stayed ``old``."""
    requested: dt.date | None
    reason: str
    note: str


async def deadline_history(session: AsyncSession, task_id: int) -> list[DeadlineEvent]:
    """Every deadline change and every refused request of a task, oldest first."""
    changes = await session.scalars(
        select(DeadlineChange)
        .where(DeadlineChange.task_id == task_id)
        .options(selectinload(DeadlineChange.changed_by))
    )
    decided = await session.scalars(
        select(ExtensionRequest)
        .where(
            ExtensionRequest.task_id == task_id,
            ExtensionRequest.status != ExtensionStatus.PENDING,
        )
        .options(selectinload(ExtensionRequest.decided_by))
    )
    requests = {request.id: request for request in decided}
    events = []
    for change in changes:
        request = requests.get(change.extension_request_id or 0)
        outcome = Outcome.CHANGED
        if request is not None:
            other = change.new_deadline != request.new_deadline
            outcome = Outcome.APPROVED_OTHER if other else Outcome.APPROVED
        events.append(
            DeadlineEvent(
                at=change.changed_at,
                who=change.changed_by,
                outcome=outcome,
                old=change.old_deadline,
                new=change.new_deadline,
                requested=request.new_deadline if request is not None else None,
                reason=change.reason,
                note=change.note,
            )
        )
    events.extend(
        DeadlineEvent(
            at=request.decided_at or request.requested_at,
            who=request.decided_by,
            outcome=Outcome.REJECTED,
            old=request.old_deadline,
            new=None,
            requested=request.new_deadline,
            reason=request.reason,
            note=request.decision_note,
        )
        for request in requests.values()
        if request.status is ExtensionStatus.REJECTED
    )
    return sorted(events, key=lambda event: event.at)
