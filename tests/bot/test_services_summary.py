"""Summary counts computed in SQL agree with classify() on random task sets."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from bot.context import AppContext
from bot.services.summary import build_summary, unit_figures
from bot.status import Status, classify
from tests.bot.builders import add_task, add_unit
from tests.conftest import HCM


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_sql_counts_match_classify(ctx: AppContext, seed: int) -> None:
    rng = random.Random(seed)
    today = ctx.today()
    expected: dict[str, Counter[Status]] = {}
    with_deadline: Counter[str] = Counter()
    async with ctx.db.session() as session:
        units = [await add_unit(session, ctx, f"U{n}") for n in range(4)]
        for n in range(80):
            unit = rng.choice(units)
            deadline = (
                None if rng.random() < 0.2 else today + dt.timedelta(days=rng.randint(-20, 20))
            )
            task = await add_task(session, ctx, f"T-{n}", unit, deadline=deadline)
            if rng.random() < 0.4:
                completed = today - dt.timedelta(days=rng.randint(0, 25))
                task.progress = 100
                task.completed_on = completed
                task.completed_at = dt.datetime.combine(completed, dt.time(10), tzinfo=HCM)
            info = classify(
                deadline=task.deadline,
                completed_on=task.completed_on,
                last_report_on=None,
                created_on=today,
                today=today,
                calendar=ctx.calendar,
            )
            expected.setdefault(unit.code, Counter())[info.status] += 1
            with_deadline[unit.code] += task.deadline is not None
    async with ctx.db.session() as session:
        figures = await unit_figures(session, today)
    assert {f.code: +f.counts for f in figures} == {k: +v for k, v in expected.items()}
    assert {f.code: f.with_deadline for f in figures} == dict(with_deadline)
    assert [f.overdue for f in figures] == sorted((f.overdue for f in figures), reverse=True)


async def test_summary_lists_overdue_escalated_due_this_week_and_recent_completions(
    ctx: AppContext,
) -> None:
    today = ctx.today()  # Monday 08/12/2025
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "SO-TC")
        await add_task(session, ctx, "LATE-1", unit, deadline=dt.date(2025, 12, 5))
        await add_task(session, ctx, "LATE-8", unit, deadline=dt.date(2025, 11, 28))
        await add_task(session, ctx, "WEEK", unit, deadline=dt.date(2025, 12, 12))
        await add_task(session, ctx, "LATER", unit, deadline=dt.date(2025, 12, 22))
        done = await add_task(session, ctx, "DONE", unit, deadline=dt.date(2025, 12, 10))
        done.progress = 100
        done.completed_at = ctx.now() - dt.timedelta(hours=3)
        done.completed_on = today
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx)
    assert [t.code for t in summary.overdue] == ["LATE-8", "LATE-1"]
    assert [t.code for t in summary.escalated] == ["LATE-8"]  # 6 working days late
    assert [t.code for t in summary.due_this_week] == ["WEEK"]
    assert [t.code for t in summary.completed_since] == ["DONE"]
    assert summary.counts[Status.OVERDUE] == 2 and summary.total == 5
