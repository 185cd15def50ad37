"""Trends: a daily snapshot of the four categories per unit, and the weekly series read from
it for the dashboard's trend chart and the weekly digest's chart."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import StatusSnapshot
from bot.services.summary import unit_figures
from bot.status import STATUS_ORDER, Status

TREND_WEEKS = 8


async def record_snapshot(session: AsyncSession, ctx: AppContext, day: dt.date) -> int:
    """Store each unit's counts on ``day`` unless already stored; returns the rows written."""
    stored = await session.scalar(
        select(func.count()).select_from(StatusSnapshot).where(StatusSnapshot.day == day)
    )
    if stored:
        return 0
    figures = await unit_figures(session, day)
    if not figures:
        return 0
    now = ctx.now()
    rows = [
        {
            "unit_id": unit.unit_id,
            "day": day,
            **{status.value: unit.counts[status] for status in STATUS_ORDER},
            "with_deadline": unit.with_deadline,
            "created_at": now,
        }
        for unit in figures
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(StatusSnapshot)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["unit_id", "day"])
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class TrendPoint:
    """The counts on the last snapshot day of one week (``week`` is its Monday)."""

    week: dt.date
    day: dt.date
    counts: Counter[Status] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def weekly_trend(
    session: AsyncSession,
    today: dt.date,
    *,
    unit_id: int | None = None,
    weeks: int = TREND_WEEKS,
) -> list[TrendPoint]:
    """One point per week that has a snapshot, oldest first, over the last ``weeks`` weeks
    (this week included): the city's sums, or one unit's."""
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    sums = [func.sum(getattr(StatusSnapshot, status.value)) for status in STATUS_ORDER]
    query = (
        select(StatusSnapshot.day, *sums)
        .where(StatusSnapshot.day >= first, StatusSnapshot.day <= today)
        .group_by(StatusSnapshot.day)
        .order_by(StatusSnapshot.day)
    )
    if unit_id is not None:
        query = query.where(StatusSnapshot.unit_id == unit_id)
    last_of_week: dict[dt.date, TrendPoint] = {}
    for day, *values in await session.execute(query):
        week = day - dt.timedelta(days=day.weekday())
        counts = Counter(dict(zip(STATUS_ORDER, (int(v or 0) for v in values), strict=True)))
        last_of_week[week] = TrendPoint(week, day, counts)
    return [last_of_week[week] for week in sorted(last_of_week)]
