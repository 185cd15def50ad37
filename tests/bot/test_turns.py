"""Chat turns (``Database.turn()``): one transaction per incoming message, committed whole or
not at all; on SQLite concurrent turns take the write lock first and run one after another."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import Unit

NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)


async def count_units(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Unit)) or 0)


async def test_a_turn_commits_what_another_session_then_reads(db: Database) -> None:
    async with db.turn() as session:
        session.add(Unit(code="DV-1", name="Sở Nội vụ", created_at=NOW))
    assert await count_units(db) == 1


async def test_a_failing_turn_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.turn() as session:
            session.add(Unit(code="DV-1", name="Sở Nội vụ", created_at=NOW))
            await session.flush()
            raise RuntimeError("handler bug")
    assert await count_units(db) == 0


async def test_concurrent_turns_all_commit(db: Database) -> None:
    async def add(code: str) -> None:
        async with db.turn() as session:
            await session.scalar(select(func.count()).select_from(Unit))
            session.add(Unit(code=code, name=code, created_at=NOW))
            await session.flush()
            await asyncio.sleep(0)  # lets the other turns run while this one is open

    await asyncio.gather(*(add(f"DV-{n}") for n in range(5)))
    assert await count_units(db) == 5


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> Database:
    database = Database(sqlite_url)
    await database.create_all()
    yield database  # type: ignore[misc]
    await database.dispose()


async def test_sqlite_turns_that_read_then_write_lose_no_update(sqlite_db: Database) -> None:
    """Each turn reads a value and writes it back changed; the second waits for the first
    (BEGIN IMMEDIATE), so it reads what the first committed."""
    async with sqlite_db.session() as session:
        session.add(Unit(code="DV-1", name="0", created_at=NOW))

    async def bump() -> None:
        async with sqlite_db.turn() as session:
            unit = await session.scalar(select(Unit))
            assert unit is not None
            seen = int(unit.name)
            await asyncio.sleep(0)  # the other turn gets its chance to read now
            unit.name = str(seen + 1)

    await asyncio.gather(bump(), bump(), bump())
    async with sqlite_db.session() as session:
        assert await session.scalar(select(Unit.name)) == "3"


async def test_a_sqlite_turn_waits_for_a_writer_while_the_loop_runs_on(
    sqlite_db: Database,
) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    async def turn() -> int:
        async with sqlite_db.turn() as session:
            # Sees the row the other transaction committed while this one waited.
            return int(await session.scalar(select(func.count()).select_from(Unit)) or 0)

    ticking = asyncio.create_task(ticker())
    async with sqlite_db.session() as other:
        other.add(Unit(code="DV-1", name="Sở Nội vụ", created_at=NOW))
        await other.flush()  # holds the write lock until commit
        waiting = asyncio.create_task(turn())
        done, _ = await asyncio.wait({waiting}, timeout=0.05)
        assert not done
        ticks_while_locked = ticks
    assert await waiting == 1
    stop.set()
    await ticking
    assert ticks_while_locked >= 10  # the loop was never blocked by the waiting turn
