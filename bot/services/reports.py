"""Progress reports: the path of a report from chat to database ends here.

Services validate everything before they change anything, so a DomainError leaves the
session clean and the caller may still commit what it recorded before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import messages
from bot.context import AppContext
from bot.models import Attachment, Official, Report, ReportKind, Task
from bot.progress import ProgressError, plan_progress
from bot.services import audit
from bot.services.directory import TaskAccess, task_access
from bot.services.errors import DomainError
from bot.services.task_admin import require_active

_REPORT_BY_SOURCE = select(Report).where(
    Report.channel == bindparam("channel"), Report.source_message_id == bindparam("source")
)
_UPDATE_SOURCE = "msg:"


def update_source(update_key: str) -> str:
    """The source of a report made by one incoming message (its update key)."""
    return f"{_UPDATE_SOURCE}{update_key}"


@dataclass(frozen=True)
class ReportOutcome:
    report: Report
    task: Task
    old_progress: int
    completed_now: bool
    duplicate: bool = False

    @property
    def on_time(self) -> bool | None:
        """For a completion: was it within the current deadline (None if no deadline)?"""
        if self.task.completed_on is None or self.task.deadline is None:
            return None
        return self.task.completed_on <= self.task.deadline


async def submit_report(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    task: Task,
    progress: int | None,
    note: str = "",
    channel: str,
    source_message_id: str | None = None,
    attachments: Sequence[messages.Attachment] = (),
    kind: ReportKind | None = None,
) -> ReportOutcome:
    """Record a report and apply it to the task.

    ``progress=None`` is a note only (what coordinating units may add). A report already
    stored for the same ``(channel, source_message_id)`` is returned unchanged. A source made
    by :func:`update_source` is not looked up: the dispatcher claimed that update in the
    same transaction (a redelivered update never reaches a handler), so no report can have
    it yet.
    """
    if source_message_id is not None and not source_message_id.startswith(_UPDATE_SOURCE):
        existing = await session.scalar(
            _REPORT_BY_SOURCE, {"channel": channel, "source": source_message_id}
        )
        if existing is not None:
            return ReportOutcome(existing, task, task.progress, False, duplicate=True)

    access = task_access(official, task)
    if access is TaskAccess.NONE or access is TaskAccess.READ:
        raise DomainError("not_your_unit", code=task.code)
    require_active(task)
    if progress is not None and access is TaskAccess.NOTE:
        raise DomainError("coordinator_no_progress", code=task.code)

    old = task.progress
    completed_now = False
    if progress is not None:
        try:
            change = plan_progress(task.progress, task.completed_at is not None, progress)
        except ProgressError as exc:
            raise DomainError(exc.code, **exc.params) from exc
        completed_now = change.completes

    now = ctx.now()
    report = Report(
        task=task,
        official_id=official.id,
        kind=kind or (ReportKind.NOTE if progress is None else ReportKind.PROGRESS),
        progress=progress,
        note=note.strip(),
        channel=channel,
        source_message_id=source_message_id,
        created_at=now,
        attachments=[
            Attachment(
                channel=channel,
                kind=item.kind,
                file_id=item.file_id,
                url=item.url,
                name=item.name,
                mime=item.mime,
                size=item.size,
            )
            for item in attachments
        ],
    )
    if completed_now and report.kind is ReportKind.PROGRESS:
        report.kind = ReportKind.DONE
    session.add(report)
    if progress is not None:
        task.progress = progress
    if completed_now:
        task.completed_at = now
        task.completed_on = ctx.local_date(now)
    task.last_report_at = now
    task.updated_at = now
    await session.flush()
    ctx.metrics.report_stored(session)
    await audit.record(
        session,
        ctx,
        "report.create",
        "task",
        task.id,
        actor=official,
        via=channel,
        report_id=report.id,
        progress=progress,
        old_progress=old,
        completed=completed_now,
    )
    return ReportOutcome(report, task, old, completed_now)


async def mark_done(
    session: AsyncSession,
    ctx: AppContext,
    *,
    official: Official,
    task: Task,
    note: str = "",
    channel: str,
    source_message_id: str | None = None,
    attachments: Sequence[messages.Attachment] = (),
) -> ReportOutcome:
    """Complete a task (100%), stamped on time or late against the current deadline."""
    return await submit_report(
        session,
        ctx,
        official=official,
        task=task,
        progress=100,
        note=note,
        channel=channel,
        source_message_id=source_message_id,
        attachments=attachments,
        kind=ReportKind.DONE,
    )


async def task_history(session: AsyncSession, task: Task) -> list[Report]:
    """Every report of a task, oldest first, with attachments and authors."""
    result = await session.scalars(
        select(Report)
        .where(Report.task_id == task.id)
        .order_by(Report.created_at, Report.id)
        .options(selectinload(Report.attachments), selectinload(Report.official))
    )
    return list(result)
