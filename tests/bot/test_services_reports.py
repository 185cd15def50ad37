"""Progress reports: applied once, done on time or late, no rollback, coordinator notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot import messages
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.models import AuditLog, Report, ReportKind, Role
from bot.services.directory import official_by_code, task_by_code
from bot.services.errors import DomainError
from bot.services.reports import ReportOutcome, mark_done, submit_report, task_history
from tests.bot.builders import add_official, add_task, add_unit, row_counts


@pytest.fixture
async def world(ctx: AppContext) -> AppContext:
    async with ctx.db.session() as session:
        lead = await add_unit(session, ctx, "SO-TC")
        partner = await add_unit(session, ctx, "SO-XD")
        other = await add_unit(session, ctx, "SO-YT")
        await add_official(session, ctx, "LEAD", lead)
        await add_official(session, ctx, "PARTNER", partner)
        await add_official(session, ctx, "OTHER", other)
        await add_official(session, ctx, "BOSS", None, Role.LEADER)
        await add_task(
            session, ctx, "NQ-01", lead, deadline=dt.date(2025, 12, 15), coordinating=[partner]
        )
    return ctx


async def report(ctx: AppContext, who: str, progress: int | None, **kwargs: Any) -> ReportOutcome:
    async with ctx.db.session() as session:
        official = await official_by_code(session, who)
        task = await task_by_code(session, "NQ-01", for_update=True)
        return await submit_report(
            session,
            ctx,
            official=official,
            task=task,
            progress=progress,
            channel="telegram",
            **kwargs,
        )


async def test_progress_report_updates_the_task_and_is_audited(world: AppContext) -> None:
    outcome = await report(world, "LEAD", 60, note=" Đã trình dự thảo ")
    assert (outcome.old_progress, outcome.task.progress, outcome.completed_now) == (0, 60, False)
    async with world.db.session() as session:
        task = await task_by_code(session, "NQ-01")
        history = await task_history(session, task)
        audit = list(await session.scalars(select(AuditLog)))
    assert task.progress == 60 and task.last_report_at == world.now()
    assert [(r.progress, r.note, r.kind) for r in history] == [
        (60, "Đã trình dự thảo", ReportKind.PROGRESS)
    ]
    assert [a.action for a in audit] == ["report.create"]


async def test_done_before_deadline_is_on_time(world: AppContext) -> None:
    outcome = await report(world, "LEAD", 100)
    assert outcome.completed_now and outcome.on_time is True
    assert outcome.task.completed_on == dt.date(2025, 12, 8)
    assert outcome.report.kind is ReportKind.DONE


async def test_done_after_deadline_is_late(world: AppContext, clock: FrozenClock) -> None:
    clock.advance(dt.timedelta(days=9))  # Wednesday 17/12/2025
    async with world.db.session() as session:
        outcome = await mark_done(
            session,
            world,
            official=await official_by_code(session, "LEAD"),
            task=await task_by_code(session, "NQ-01"),
            channel="zalo",
        )
    assert outcome.on_time is False
    assert outcome.task.completed_on == dt.date(2025, 12, 17)


async def test_a_done_task_is_not_rolled_back(world: AppContext) -> None:
    await report(world, "LEAD", 100)
    with pytest.raises(DomainError) as caught:
        await report(world, "LEAD", 50)
    assert caught.value.code == "task_already_done"
    async with world.db.session() as session:
        task = await task_by_code(session, "NQ-01")
    assert task.progress == 100 and task.completed_at is not None


async def test_coordinating_unit_adds_notes_but_not_progress(world: AppContext) -> None:
    with pytest.raises(DomainError) as caught:
        await report(world, "PARTNER", 50)
    assert caught.value.code == "coordinator_no_progress"
    outcome = await report(world, "PARTNER", None, note="Sở Xây dựng đã góp ý")
    assert outcome.report.kind is ReportKind.NOTE
    assert outcome.task.progress == 0


@pytest.mark.parametrize("who", ["OTHER", "BOSS"])
async def test_other_units_and_leaders_cannot_report(world: AppContext, who: str) -> None:
    async with world.db.session() as session:
        before = await row_counts(session)
    with pytest.raises(DomainError) as caught:
        await report(world, who, 10)
    assert caught.value.code == "not_your_unit"
    async with world.db.session() as session:
        assert await row_counts(session) == before


async def test_same_source_message_is_applied_once(world: AppContext) -> None:
    first = await report(world, "LEAD", 40, source_message_id="chat1:77")
    second = await report(world, "LEAD", 90, source_message_id="chat1:77")
    assert not first.duplicate and second.duplicate
    assert second.report.id == first.report.id
    async with world.db.session() as session:
        reports = list(await session.scalars(select(Report)))
        task = await task_by_code(session, "NQ-01")
    assert len(reports) == 1 and task.progress == 40


async def test_attachment_is_stored_with_the_report(world: AppContext) -> None:
    document = messages.Attachment(kind="document", file_id="F1", name="to-trinh.pdf", size=1200)
    outcome = await report(world, "LEAD", 80, attachments=[document])
    async with world.db.session() as session:
        task = await task_by_code(session, "NQ-01")
        history = await task_history(session, task)
    assert outcome.report.id == history[0].id
    assert [(a.file_id, a.name, a.size) for a in history[0].attachments] == [
        ("F1", "to-trinh.pdf", 1200)
    ]
