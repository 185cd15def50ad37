"""Daily snapshots per unit (idempotent) and the weekly trend read from them."""

from __future__ import annotations

import datetime as dt
import struct

from sqlalchemy import func, select

from bot.charts import status_chart_png
from bot.clock import FrozenClock
from bot.context import AppContext
from bot.evaluation.trends import weekly_trend
from bot.models import StatusSnapshot
from bot.services.summary import unit_figures
from bot.status import Status
from scheduler.snapshots import run_snapshot
from tests.bot.builders import add_task, add_unit
from tests.conftest import HCM


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_one_snapshot_row_per_unit_per_day_however_often_the_job_runs(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        finance = await add_unit(session, ctx, "SO-TC")
        building = await add_unit(session, ctx, "SO-XD")
        await add_task(session, ctx, "T1", finance, deadline=dt.date(2025, 12, 1))
        await add_task(session, ctx, "T2", finance, deadline=dt.date(2025, 12, 20))
        await add_task(session, ctx, "T3", building, deadline=None)

    assert await run_snapshot(ctx) == 2
    assert await run_snapshot(ctx) == 0
    clock.advance(dt.timedelta(hours=5))
    assert await run_snapshot(ctx) == 0
    clock.advance(dt.timedelta(days=1))
    assert await run_snapshot(ctx) == 2

    async with ctx.db.session() as session:
        rows = list(await session.scalars(select(StatusSnapshot).order_by(StatusSnapshot.id)))
    assert len(rows) == 4
    first = next(r for r in rows if r.unit_id == finance.id and r.day == dt.date(2025, 12, 8))
    assert (first.done_on_time, first.done_late, first.in_progress, first.overdue) == (0, 0, 1, 1)
    assert first.with_deadline == 2


async def test_weekly_trend_takes_each_weeks_last_snapshot_for_the_city_or_a_unit(
    ctx: AppContext, clock: FrozenClock
) -> None:
    async with ctx.db.session() as session:
        finance = await add_unit(session, ctx, "SO-TC")
        building = await add_unit(session, ctx, "SO-XD")
        await add_task(session, ctx, "T1", finance, deadline=dt.date(2025, 12, 10))
        await add_task(session, ctx, "T2", building, deadline=dt.date(2025, 12, 18))
    # Monday 08/12 and Friday 12/12 (T1 now overdue), then Monday 22/12 (both overdue).
    for day in (8, 12, 22):
        clock.set(dt.datetime(2025, 12, day, 9, 0, tzinfo=HCM))
        await run_snapshot(ctx)

    async with ctx.db.session() as session:
        city = await weekly_trend(session, dt.date(2025, 12, 22))
        unit = await weekly_trend(session, dt.date(2025, 12, 22), unit_id=finance.id)
        current = await unit_figures(session, dt.date(2025, 12, 22))
    assert [(p.week, p.day) for p in city] == [
        (dt.date(2025, 12, 8), dt.date(2025, 12, 12)),
        (dt.date(2025, 12, 22), dt.date(2025, 12, 22)),
    ]
    assert [(p.counts[Status.IN_PROGRESS], p.counts[Status.OVERDUE]) for p in city] == [
        (1, 1),
        (0, 2),
    ]
    assert [p.counts[Status.OVERDUE] for p in unit] == [1, 1]
    assert city[-1].total == sum(u.total for u in current)

    chart = status_chart_png(current, "vi", trend=city)
    plain = status_chart_png(current, "vi")
    assert chart.startswith(b"\x89PNG") and png_size(chart)[1] > png_size(plain)[1]


async def test_no_snapshot_without_units(ctx: AppContext) -> None:
    assert await run_snapshot(ctx) == 0
    async with ctx.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StatusSnapshot)) == 0
