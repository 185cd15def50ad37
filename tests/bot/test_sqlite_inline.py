"""The inline SQLite driver behind ``Database.turn()``: transactions that take the write lock
first, and wait for it without ever blocking the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from bot.db import Database
from bot.models import Unit
from bot.sqlite_inline import InlineConnection

NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/inline.db")
    await database.create_all()
    yield database
    await database.dispose()


async def count_units(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Unit)) or 0)


async def test_a_turn_commits_what_the_other_engine_then_reads(db: Database) -> None:
    assert db.turn_engine is not None
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


async def test_a_turn_waits_for_the_write_lock_while_the_loop_runs_on(db: Database) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    async def turn() -> int:
        async with db.turn() as session:
            # Sees the row the other transaction committed while this one waited.
            return int(await session.scalar(select(func.count()).select_from(Unit)) or 0)

    ticking = asyncio.create_task(ticker())
    async with db.session() as other:
        other.add(Unit(code="DV-1", name="Sở Nội vụ", created_at=NOW))
        await other.flush()  # holds the write lock until commit
        waiting = asyncio.create_task(turn())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        ticks_while_locked = ticks
    assert await waiting == 1
    stop.set()
    await ticking
    assert ticks_while_locked >= 10  # the loop was never blocked by the waiting turn


async def test_concurrent_turns_run_one_after_another(db: Database) -> None:
    async def add(code: str) -> None:
        async with db.turn() as session:
            session.add(Unit(code=code, name=code, created_at=NOW))
            await session.flush()
            await asyncio.sleep(0.005)  # yields to the other turn while holding the lock

    await asyncio.gather(*(add(f"DV-{n}") for n in range(5)))
    assert await count_units(db) == 5


async def test_the_lock_wait_ends_with_database_is_locked(tmp_path: Path) -> None:
    path = str(tmp_path / "locked.db")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    connection = InlineConnection(path, lock_wait=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await connection.cursor().execute("INSERT INTO t VALUES (1)")
    assert loop.time() - started >= 0.04
    holder.execute("COMMIT")
    await connection.cursor().execute("INSERT INTO t VALUES (1)")  # free again: works
    await connection.commit()
    assert holder.execute("SELECT count(*) FROM t").fetchone() == (1,)
    await connection.close()
    holder.close()


async def test_a_pragma_opens_no_transaction(tmp_path: Path) -> None:
    connection = InlineConnection(str(tmp_path / "p.db"))
    await connection.cursor().execute("PRAGMA journal_mode=WAL")
    assert not connection._connection.in_transaction
    await connection.cursor().execute("SELECT 1")
    assert connection._connection.in_transaction  # every other statement runs in one
    await connection.rollback()
    await connection.close()


async def test_a_locked_turn_surfaces_as_a_database_error(db: Database, tmp_path: Path) -> None:
    """What the adapters see (a DBAPIError: do not acknowledge, retry later)."""
    assert db.turn_engine is not None
    holder = sqlite3.connect(str(tmp_path / "inline.db"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        async with db.turn_engine.connect() as conn:
            raw = await conn.get_raw_connection()
            raw.driver_connection.lock_wait = 0.02  # type: ignore[union-attr]
            with pytest.raises(OperationalError):
                await conn.execute(text("SELECT 1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_a_turn_can_stream_results(db: Database) -> None:
    async with db.turn() as session:
        session.add_all(Unit(code=f"DV-{n}", name=f"Đơn vị {n}", created_at=NOW) for n in range(3))
    async with db.turn() as session:
        result = await session.stream_scalars(select(Unit.code).order_by(Unit.code))
        codes = [code async for code in result.yield_per(2)]
    assert codes == ["DV-0", "DV-1", "DV-2"]
