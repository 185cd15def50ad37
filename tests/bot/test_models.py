"""Storage details every service relies on, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from bot.context import AppContext
from bot.models import Report, Unit
from tests.bot.builders import add_official, add_task, add_unit
from tests.conftest import HCM


async def test_times_come_back_as_aware_utc(ctx: AppContext) -> None:
    local = dt.datetime(2025, 12, 8, 9, 0, tzinfo=HCM)
    async with ctx.db.session() as session:
        session.add(Unit(code="U", name="U", created_at=local))
    async with ctx.db.session() as session:
        unit = await session.scalar(select(Unit))
    assert unit is not None
    assert unit.created_at == local
    assert unit.created_at.tzinfo == dt.UTC
    assert unit.created_at.hour == 2


async def test_naive_times_are_refused(ctx: AppContext) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with ctx.db.session() as session:
            session.add(Unit(code="U", name="U", created_at=dt.datetime(2025, 12, 8, 9, 0)))


async def test_a_source_message_is_stored_once_per_channel(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        unit = await add_unit(session, ctx, "U")
        official = await add_official(session, ctx, "A", unit)
        task = await add_task(session, ctx, "T", unit)
        ids = (task.id, official.id)

    def report(channel: str) -> Report:
        return Report(
            task_id=ids[0],
            official_id=ids[1],
            progress=10,
            channel=channel,
            source_message_id="m1",
            created_at=ctx.now(),
        )

    async with ctx.db.session() as session:
        session.add_all([report("telegram"), report("zalo")])
    with pytest.raises(IntegrityError):
        async with ctx.db.session() as session:
            session.add(report("telegram"))
