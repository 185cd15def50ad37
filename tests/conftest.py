"""Shared fixtures: a real database on SQLite (always) and PostgreSQL (when reachable).

PostgreSQL tests are skipped when no server answers, unless ``DONDOC_REQUIRE_POSTGRES=1``
(set by CI), which turns the skip into a failure. Each test run gets its own PostgreSQL
database; tables are truncated between tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.models import Base
from config import Settings

PG_ADMIN_URL = os.environ.get(
    "DONDOC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("DONDOC_REQUIRE_POSTGRES") == "1"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 08/12/2025, 09:00 in Hải Phòng: one week before the 15/12/2025 deadline.
DEFAULT_NOW = dt.datetime(2025, 12, 8, 9, 0, tzinfo=HCM)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, with every table created."""
    name = f"dondoc_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (DONDOC_REQUIRE_POSTGRES=1) but: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"

    async def _create() -> None:
        db = Database(url)
        await db.create_all()
        await db.dispose()

    asyncio.run(_create())
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_pg(db: Database) -> None:
    """Empty every table. Connections left open by an earlier test's background tasks are
    ended first (this database belongs to this test run), since TRUNCATE would otherwise
    wait for their locks; a lock still held after 10 s fails the test instead of hanging."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """The URL of an empty database on each backend (tests using it run twice)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/dondoc.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/dondoc.db"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    if database.is_sqlite:
        await database.create_all()
    else:
        await _truncate_pg(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, telegram_rate_limiter=False)


@pytest.fixture
def ctx(settings: Settings, db: Database, clock: FrozenClock) -> AppContext:
    return AppContext(settings=settings, db=db, clock=clock)
