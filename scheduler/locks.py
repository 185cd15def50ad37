"""Single-run guards for scheduler jobs.

- :class:`InstanceLock`: on SQLite only one bot instance may run the scheduler; an OS file
  lock (``flock``) on ``<database file>.lock`` is taken at start and a second instance refuses
  to start with a clear message. The lock goes away with the process, even after a crash.
- :func:`try_job_lock`: on PostgreSQL several instances run the same jobs; a transaction-level
  advisory lock lets one of them work while the others skip the tick.
- :func:`run_done` / :func:`mark_run`: a once-per-period job (the planner of one day, one
  digest round) records its completion in ``job_runs`` (unique job + period).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import JobRun


class InstanceLockError(RuntimeError):
    """Another instance already runs the scheduler on this SQLite database."""


class InstanceLock:
    """An exclusive, non-blocking ``flock`` on a lock file next to the SQLite database."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @classmethod
    def for_database(cls, database_file: str) -> InstanceLock:
        return cls(f"{database_file}.lock")

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InstanceLockError(
                f"Another Dondoc instance is already running on this SQLite database "
                f"(lock file {self.path} is held). Stop it first; several instances need "
                f"PostgreSQL (DONDOC_DATABASE_URL=postgresql+asyncpg://...)."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a job name."""
    digest = hashlib.sha256(f"dondoc:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def try_job_lock(session: AsyncSession, name: str) -> bool:
    """Take the job's advisory lock for this transaction (PostgreSQL); False if another
    instance holds it. SQLite runs one instance (see :class:`InstanceLock`): always True."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    acquired = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _lock_key(name)}
    )
    return bool(acquired)


async def run_done(session: AsyncSession, job: str, period: str) -> bool:
    found = await session.scalar(
        select(func.count()).select_from(JobRun).where(JobRun.job == job, JobRun.period == period)
    )
    return bool(found)


async def last_period(session: AsyncSession, job: str) -> str | None:
    """The latest recorded period of a job (periods sort as text, e.g. ISO dates)."""
    return await session.scalar(select(func.max(JobRun.period)).where(JobRun.job == job))


async def mark_run(
    session: AsyncSession,
    ctx: AppContext,
    job: str,
    period: str,
    *,
    instance: str = "",
    **details: object,
) -> bool:
    """Record that ``job`` ran for ``period``; False if it was already recorded."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(JobRun)
        .values(job=job, period=period, instance=instance, at=ctx.now(), details=details)
        .on_conflict_do_nothing(index_elements=["job", "period"])
    )
    return bool(getattr(result, "rowcount", 0))
