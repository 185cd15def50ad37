"""The Hải Phòng demo: alive on whatever day it is loaded, deterministic, consistent."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.demo import DemoNotEmpty, load_demo
from bot.models import (
    DeadlineChange,
    ExplanationRequest,
    ExtensionRequest,
    ExtensionStatus,
    Official,
    Report,
    Role,
    Task,
    Unit,
)
from bot.services.explanations import is_late
from bot.services.summary import build_summary
from bot.status import Status, classify
from config import Settings
from tests.conftest import HCM


async def statuses(ctx: AppContext) -> Counter[Status]:
    async with ctx.db.session() as session:
        tasks = list(await session.scalars(select(Task)))
    return Counter(
        classify(
            deadline=t.deadline,
            completed_on=t.completed_on,
            last_report_on=None,
            created_on=ctx.local_date(t.created_at),
            today=ctx.today(),
            calendar=ctx.calendar,
        ).status
        for t in tasks
    )


async def test_demo_holds_the_article_tasks_and_people(ctx: AppContext) -> None:
    summary = await load_demo(ctx)
    async with ctx.db.session() as session:
        units = {u.code: u for u in await session.scalars(select(Unit))}
        officials = list(await session.scalars(select(Official)))
        tasks = {t.code: t for t in await session.scalars(select(Task))}
    assert summary.units == len(units) and summary.tasks == len(tasks)
    names = {u.name for u in units.values()}
    for department in (
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Văn phòng UBND thành phố",
        "Đặc khu Cát Hải",
        "Đặc khu Bạch Long Vĩ",
    ):
        assert department in names
    chairman = next(o for o in officials if o.code == "CT-UBND")
    assert (chairman.full_name, chairman.role) == ("Lê Ngọc Châu", Role.LEADER)
    assert sum(o.role is Role.LEADER for o in officials) >= 3
    assert any(o.role is Role.ADMIN and o.unit_id == units["VP-UBND"].id for o in officials)
    assert all(unit.head_id is not None for unit in units.values())

    resolutions = [code for code in tasks if code.startswith("NQ-")]
    assert sorted(resolutions) == [f"NQ-{n:02d}" for n in range(1, 46)]
    assert all(tasks[code].source_document.endswith("/NQ-HĐND") for code in resolutions)
    for code in ("QH-01", "QH-02", "KT-2026", "GN-2026", "DTC-2026", "DTC-2026-2030"):
        assert code in tasks
    programmes = [t for code, t in tasks.items() if code.startswith("DA-")]
    assert len(programmes) == 6


async def test_demo_is_alive_in_every_category_today(ctx: AppContext) -> None:
    await load_demo(ctx)
    counts = await statuses(ctx)
    assert all(counts[status] > 0 for status in Status)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
        no_deadline = list(await session.scalars(select(Task).where(Task.deadline.is_(None))))
        pending = list(
            await session.scalars(
                select(ExtensionRequest).where(ExtensionRequest.status == ExtensionStatus.PENDING)
            )
        )
        history = list(await session.scalars(select(DeadlineChange)))
    assert summary.due_this_week
    assert summary.escalated  # more than 5 working days overdue
    assert summary.silent_units
    assert no_deadline
    assert len(pending) == 2
    assert len(history) == 1


async def test_demo_has_open_late_and_answered_explanation_requests(ctx: AppContext) -> None:
    summary = await load_demo(ctx)
    today = ctx.today()
    async with ctx.db.session() as session:
        requests = list(
            await session.scalars(
                select(ExplanationRequest).options(selectinload(ExplanationRequest.task))
            )
        )
        digest = await build_summary(session, ctx)
    assert summary.explanation_requests == len(requests) == 3
    assert all(r.task.deadline is not None and r.task.deadline < today for r in requests)
    open_requests = [r for r in requests if r.answered_at is None]
    assert sorted(is_late(r, today) for r in open_requests) == [False, True]
    [answered] = [r for r in requests if r.answered_at is not None]
    assert answered.answer and answered.answered_by_id is not None
    assert digest.open_explanations_total == 2


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2025, 12, 13, 10, 0, tzinfo=HCM),  # a Saturday
        dt.datetime(2026, 2, 13, 7, 0, tzinfo=HCM),  # the Friday before Tết
        dt.datetime(2026, 2, 18, 23, 59, tzinfo=HCM),  # in the middle of Tết
    ],
)
async def test_demo_data_is_consistent_whatever_the_day(
    ctx: AppContext, clock: FrozenClock, moment: dt.datetime
) -> None:
    clock.set(moment)
    await load_demo(ctx)
    now = ctx.now()
    async with ctx.db.session() as session:
        tasks = list(
            await session.scalars(select(Task).options(selectinload(Task.coordinating_units)))
        )
        reports = list(await session.scalars(select(Report)))
        requests = list(await session.scalars(select(ExtensionRequest)))
    by_task: dict[int, list[Report]] = {}
    for report in reports:
        assert task_of(tasks, report.task_id).created_at < report.created_at <= now
        by_task.setdefault(report.task_id, []).append(report)
    for task in tasks:
        history = sorted(by_task.get(task.id, []), key=lambda r: r.created_at)
        assert task.lead_unit_id not in {u.id for u in task.coordinating_units}
        if task.completed_at is not None:
            assert task.progress == 100 and task.completed_at <= now
            assert task.completed_on == ctx.local_date(task.completed_at)
            assert history and history[-1].progress == 100
        else:
            assert task.progress < 100
        if history:
            assert task.progress == history[-1].progress
            assert task.last_report_at == history[-1].created_at
            progress = [r.progress or 0 for r in history]
            assert progress == sorted(progress)
    for request in requests:
        if request.status is ExtensionStatus.PENDING:
            assert request.new_deadline > ctx.today()
            assert request.old_deadline is not None
            assert request.new_deadline > request.old_deadline


def task_of(tasks: list[Task], task_id: int) -> Task:
    return next(t for t in tasks if t.id == task_id)


async def test_demo_is_deterministic_for_a_given_day(
    ctx: AppContext, clock: FrozenClock, sqlite_url: str
) -> None:
    await load_demo(ctx)
    other_db = Database(sqlite_url.replace("dondoc.db", "other.db"))
    await other_db.create_all()
    other = AppContext(Settings(database_url=other_db.url), other_db, clock)
    await load_demo(other)

    async def snapshot(context: AppContext) -> list[tuple[object, ...]]:
        async with context.db.session() as session:
            rows = await session.execute(
                select(Task.code, Task.deadline, Task.progress, Task.completed_on).order_by(
                    Task.code
                )
            )
            names = await session.scalars(select(Official.full_name).order_by(Official.code))
            found: list[tuple[object, ...]] = [tuple(row) for row in rows]
            return found + [(name,) for name in names]

    assert await snapshot(ctx) == await snapshot(other)
    await other_db.dispose()


async def test_demo_refuses_a_database_that_already_has_units(ctx: AppContext) -> None:
    await load_demo(ctx)
    with pytest.raises(DemoNotEmpty):
        await load_demo(ctx)


async def test_demo_names_a_vice_chairman_in_charge_and_handlers_of_the_lead_unit(
    ctx: AppContext,
) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        tasks = list(
            await session.scalars(
                select(Task).options(
                    selectinload(Task.handler), selectinload(Task.leader_in_charge)
                )
            )
        )
    assert all(
        task.leader_in_charge is not None and task.leader_in_charge.code.startswith("PCT-")
        for task in tasks
    )
    assert all(
        task.leader_in_charge.title.startswith("Phó Chủ tịch")
        for task in tasks
        if task.leader_in_charge
    )
    handled = [task for task in tasks if task.handler is not None]
    assert len(tasks) / 2 < len(handled) < len(tasks)  # most tasks, not all: units hear some
    assert all(
        task.handler.unit_id == task.lead_unit_id and task.handler.role is Role.STAFF
        for task in handled
        if task.handler
    )
