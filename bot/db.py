"""Database engine and sessions for SQLite (WAL, the embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.models import Base, Unit
from config import mask_url_password

BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN = "dondoc_sqlite_begin"
"""Execution option: the BEGIN statement a SQLite transaction opens with."""
CHECK_TIMEOUT_SECONDS = 5.0


class DatabaseUnavailable(Exception):
    """The database does not answer: the server is down or refuses us, the URL names a host,
    database or folder that does not exist, or (``schema=True``) the tables are missing."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{mask_url_password(url)}: {reason}")
        self.url = mask_url_password(url)
        self.reason = reason


class DatabaseNotMigrated(DatabaseUnavailable):
    """The database answers but has no Dondoc tables: ``dondoc migrate`` was never run."""


def _one_line_reason(error: BaseException) -> str:
    """The driver's own words, first line only (asyncpg and sqlite3 are already clear)."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA cache_size=-16384")  # 16 MiB of page cache (default: 2 MiB)
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Open a chat turn's transaction with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented
    ``begin`` event hook, see "Serializable isolation / Savepoints / Transactional DDL" in
    its SQLite dialect docs). Other transactions keep the sqlite3 module's own handling: a
    deferred ``BEGIN`` before the first write."""
    begin = connection.get_execution_options().get(SQLITE_BEGIN)
    if begin:
        connection.exec_driver_sql(begin)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """``session.begin_nested()`` (a SAVEPOINT) that is one on SQLite too.

    The sqlite3 module opens its own transaction only before a write (see :func:`_sqlite_begin`);
    a SAVEPOINT issued outside one would open the transaction itself, and its RELEASE would
    commit everything so far. So on SQLite a transaction is begun first (a plain deferred
    ``BEGIN``, as the module would before the write that follows); turn sessions already have
    theirs. An error inside rolls back to the savepoint only: the session stays usable."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is not None and not driver.in_transaction:
            await connection.exec_driver_sql("BEGIN")
    async with session.begin_nested():
        yield


class Database:
    """Owns the async engine and hands out sessions.

    On SQLite, chat turns (:meth:`turn`) open with ``BEGIN IMMEDIATE``: a turn reads, then
    writes, and of two deferred turns that both read before either writes only one could
    upgrade to the write lock (the other would fail at once with "database is locked").
    Taking the lock first makes concurrent turns wait for each other: the turns of this
    process queue on an asyncio lock before they begin (no connection then waits inside
    SQLite, whose busy handler polls in sleeps of up to 100 ms), and another process's
    writer is waited for with ``busy_timeout``, in aiosqlite's worker thread, so the event
    loop runs on.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "postgresql":
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        turn_engine = self.engine
        self._turn_lock: AbstractAsyncContextManager[object] = nullcontext()
        if self.is_sqlite:
            self._turn_lock = asyncio.Lock()
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
            # The same engine and pool, with the option _sqlite_begin reads.
            turn_engine = self.engine.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})
        self.turn_sessionmaker = async_sessionmaker(turn_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> str | None:
        """The database file of a SQLite URL (None for in-memory or PostgreSQL)."""
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return database if database and database != ":memory:" else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[AsyncSession]:
        """A session for one short chat turn (a few indexed statements), committed on
        success. On SQLite it holds the write lock from its first statement, so keep
        anything slow (network calls, big reads) out of it."""
        async with self._turn_lock, self.turn_sessionmaker() as session, session.begin():
            yield session

    async def check(self, *, schema: bool = False, within: float = CHECK_TIMEOUT_SECONDS) -> None:
        """Ask the database a trivial question (with ``schema``: also read the units table,
        which a database never migrated lacks) and raise :class:`DatabaseUnavailable` with a
        one-line reason when it does not answer."""
        folder = Path(self.sqlite_path).parent if self.sqlite_path else None
        if folder is not None and not folder.is_dir():
            # SQLite would only say "unable to open database file".
            raise DatabaseUnavailable(self.url, f"the folder {folder} does not exist")
        try:
            async with asyncio.timeout(within), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                if schema:
                    try:
                        await connection.execute(select(Unit.id).limit(1))
                    except (OperationalError, ProgrammingError) as exc:
                        raise DatabaseNotMigrated(self.url, _one_line_reason(exc)) from exc
        except DatabaseUnavailable:
            raise
        except TimeoutError as exc:
            raise DatabaseUnavailable(self.url, f"no answer within {within:g} s") from exc
        except (SQLAlchemyError, OSError) as exc:
            raise DatabaseUnavailable(self.url, _one_line_reason(exc)) from exc

    async def create_all(self) -> None:
        """Create every table (tests and first runs; production uses Alembic)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def drop_all(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)

    async def dispose(self) -> None:
        await self.engine.dispose()
