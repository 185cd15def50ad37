"""A SQLite driver for short chat transactions that runs on the event loop thread.

SQLAlchemy's async SQLite dialect drives ``aiosqlite``, which runs every call (make a
cursor, execute, fetch, close) in a worker thread and wakes the event loop for each: on a
chat turn of eight statements that thread traffic costs more than the statements
themselves. A chat turn's statements are small indexed lookups and single-row writes that
take microseconds, so this driver runs them where they are awaited, on the loop thread,
through the same SQLAlchemy dialect (it speaks the part of aiosqlite's interface that the
dialect uses, and is passed as ``async_creator``).

The one thing that may take long in SQLite is waiting for the write lock, and that must
never block the loop. So connections never wait inside SQLite (``busy_timeout=0``), and the
driver opens every transaction itself with ``BEGIN IMMEDIATE`` before its first statement
(:meth:`InlineConnection.begin_immediate`): the write lock is taken up front, and while
another connection holds it the driver retries with ``asyncio.sleep`` for up to
:data:`LOCK_WAIT_SECONDS`, then raises "database is locked" (a database error: adapters do
not acknowledge the update, and it comes again). Once a transaction holds the lock, none of
its statements can meet a busy database.

Long reads (digests, the dashboard, the planner) keep using aiosqlite, where a slow query
runs in its thread while the loop serves everyone else.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

LOCK_WAIT_SECONDS = 10.0
"""How long ``BEGIN IMMEDIATE`` waits for another connection's write transaction."""
_FIRST_RETRY_SECONDS = 0.001
_MAX_RETRY_SECONDS = 0.05


class InlineCursor:
    """An aiosqlite-style cursor whose coroutines finish without suspending."""

    arraysize = 1

    def __init__(self, connection: InlineConnection) -> None:
        self._owner = connection
        self._cursor = connection._connection.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        await self._owner.ensure_transaction(sql)
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        await self._owner.ensure_transaction(sql)
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self.arraysize if size is None else size)

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-style connection over a ``sqlite3`` connection in autocommit mode."""

    def __init__(self, path: str, *, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        # isolation_level=None: sqlite3 opens no transactions of its own, this class does;
        # timeout=0: SQLite never waits for a lock (begin_immediate does, asynchronously).
        self._connection = sqlite3.connect(
            path, timeout=0, isolation_level=None, check_same_thread=False
        )
        self.lock_wait = lock_wait

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def ensure_transaction(self, sql: str) -> None:
        """Open a transaction before the first statement, unless it is a PRAGMA (which
        may not run inside one)."""
        if not self._connection.in_transaction and sql[:6].upper() != "PRAGMA":
            await self.begin_immediate()

    async def begin_immediate(self) -> None:
        """Take the write lock, waiting for it without blocking the event loop."""
        deadline = time.monotonic() + self.lock_wait
        pause = _FIRST_RETRY_SECONDS
        while True:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                remaining = deadline - time.monotonic()
                if not _is_busy(exc) or remaining <= 0:
                    raise
            await asyncio.sleep(min(pause, remaining))
            pause = min(pause * 2, _MAX_RETRY_SECONDS)

    async def commit(self) -> None:
        self._connection.commit()

    async def rollback(self) -> None:
        self._connection.rollback()

    async def close(self) -> None:
        self._connection.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._connection.create_function(*args, **kwargs)

    def stop(self) -> None:
        """Close at once (SQLAlchemy's ``terminate``)."""
        self._connection.close()


def connector(path: str, *, lock_wait: float = LOCK_WAIT_SECONDS) -> Callable[[], Any]:
    """The ``async_creator`` for ``create_async_engine``."""

    async def connect() -> InlineConnection:
        return InlineConnection(path, lock_wait=lock_wait)

    return connect


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text
