"""Real rows for service tests: units, officials and tasks in one call each."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import Base, Official, Role, Task, Unit


async def add_unit(session: AsyncSession, ctx: AppContext, code: str, name: str = "") -> Unit:
    unit = Unit(code=code, name=name or f"Đơn vị {code}", created_at=ctx.now())
    session.add(unit)
    await session.flush()
    return unit


async def add_official(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    unit: Unit | None,
    role: Role = Role.STAFF,
    name: str = "",
) -> Official:
    official = Official(
        code=code,
        full_name=name or f"Cán bộ {code}",
        unit_id=unit.id if unit else None,
        role=role,
        language="vi",
        created_at=ctx.now(),
    )
    session.add(official)
    await session.flush()
    return official


async def add_task(
    session: AsyncSession,
    ctx: AppContext,
    code: str,
    lead: Unit,
    *,
    deadline: dt.date | None = None,
    coordinating: Sequence[Unit] = (),
    created_at: dt.datetime | None = None,
) -> Task:
    moment = created_at or ctx.now()
    task = Task(
        code=code,
        title=f"Nhiệm vụ {code}",
        lead_unit=lead,
        coordinating_units=list(coordinating),
        deadline=deadline,
        original_deadline=deadline,
        created_at=moment,
        updated_at=moment,
    )
    session.add(task)
    await session.flush()
    return task


async def row_counts(session: AsyncSession) -> dict[str, int]:
    """Rows in every table, to show that a refused operation wrote nothing."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = await session.scalar(select(func.count()).select_from(table)) or 0
    return counts


def rival_writes_first(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, write: Callable[[], Awaitable[None]]
) -> None:
    """Make ``module``'s next insert race another admin: ``write`` (its own session, committed)
    runs after the service's pre-checks passed, just before its savepoint opens, once."""
    real = module.savepoint
    calls: list[None] = []

    @asynccontextmanager
    async def late(session: AsyncSession) -> AsyncIterator[None]:
        if not calls:
            calls.append(None)
            await write()
        async with real(session):
            yield

    monkeypatch.setattr(module, "savepoint", late)
