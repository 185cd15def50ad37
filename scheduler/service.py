"""The scheduler as a component of the running bot (built by :mod:`bot.app`).

APScheduler 3.x (AsyncIOScheduler, in-memory job store) only drives the clock:

- ``planner``: every 60 s, :func:`scheduler.planner.run_tick` — plans the day's reminders
  once the send window opens, and (being frequent) also catches up a digest missed during
  downtime;
- ``digest.daily``: every day at ``digests.daily_time`` (Asia/Ho_Chi_Minh), the daily digest
  (the weekly one on the week's first working day), and on the month's first working day the
  monthly results digest to leaders (:mod:`scheduler.monthly_digest`);
- ``digest.weekly``: on ``digests.weekly_weekday`` at the same time, the weekly digest;
- ``retention``: every day at 03:00, :func:`bot.services.retention.prune_expired` — deletes
  processed-update keys and unlinked web-chat history older than ``retention_days``;
- ``snapshot.daily``: at start and every 30 minutes, the day's status snapshot per unit
  (written once a day, :mod:`scheduler.snapshots`).

The outbox dispatcher is not an APScheduler job but its own task, woken by
``ctx.outbox_ready`` or every few seconds. The database is the store of record: every job is
idempotent, so a missed or repeated run changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.context import AppContext
from bot.lifecycle import StartupError
from bot.sending import Senders
from bot.services import retention
from scheduler import digests, monthly_digest, planner, snapshots
from scheduler.dispatcher import OutboxDispatcher, instance_id
from scheduler.locks import InstanceLock, InstanceLockError

log = logging.getLogger(__name__)

PLANNER_INTERVAL_SECONDS = 60
RETENTION_TIME = dt.time(3, 0)
STOP_GRACE_SECONDS = 10.0
"""How long a stop waits for a running job or dispatch batch before cancelling it."""
"""Local time of the daily prune (a quiet hour)."""
DigestJob = Callable[..., Awaitable[Any]]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SchedulerComponent:
    """Planner and digest jobs on APScheduler, plus the outbox dispatcher loop."""

    name = "scheduler"

    def __init__(self, ctx: AppContext, senders: Senders) -> None:
        """``senders`` is the live registry the channels fill as they connect."""
        self.ctx = ctx
        self.instance = instance_id()
        self.scheduler = AsyncIOScheduler(timezone=self.ctx.tz)
        self.dispatcher = OutboxDispatcher(self.ctx, senders, instance=self.instance)
        self._lock: InstanceLock | None = None
        self._dispatch_task: asyncio.Task[None] | None = None
        self._digest_running = asyncio.Lock()
        self._running_jobs: set[asyncio.Task[Any]] = set()
        self._add_jobs()

    def _add_jobs(self) -> None:
        tz = self.ctx.tz
        digest_time = self.ctx.settings.digests.daily_time
        common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 60}
        self.scheduler.add_job(
            self._tracked(self.plan),
            IntervalTrigger(seconds=PLANNER_INTERVAL_SECONDS, timezone=tz),
            id="planner",
            name="Reminder planner",
            **common,
        )
        self.scheduler.add_job(
            self._tracked(self.daily_digest),
            CronTrigger(hour=digest_time.hour, minute=digest_time.minute, timezone=tz),
            id="digest.daily",
            name="Daily digest",
            **common,
        )
        self.scheduler.add_job(
            self._tracked(self.weekly_digest),
            CronTrigger(
                day_of_week=WEEKDAYS[self.ctx.settings.digests.weekly_weekday],
                hour=digest_time.hour,
                minute=digest_time.minute,
                timezone=tz,
            ),
            id="digest.weekly",
            name="Weekly digest",
            **common,
        )
        self.scheduler.add_job(
            self._tracked(self.prune),
            CronTrigger(hour=RETENTION_TIME.hour, minute=RETENTION_TIME.minute, timezone=tz),
            id="retention",
            name="Delete expired update keys and unlinked web-chat history",
            **common,
        )

        self.scheduler.add_job(
            self._tracked(self.snapshot),
            IntervalTrigger(minutes=snapshots.INTERVAL_MINUTES, timezone=tz),
            id="snapshot.daily",
            name="Daily status snapshot",
            **common,
        )

    async def start(self) -> None:
        """Take the SQLite instance lock (refusing a second instance), start the jobs and the
        dispatcher, and plan right away (catch-up after downtime)."""
        database_file = self.ctx.db.sqlite_path
        if database_file is not None:
            lock = InstanceLock.for_database(database_file)
            try:
                lock.acquire()
            except InstanceLockError as exc:
                raise StartupError(str(exc)) from exc
            self._lock = lock
        self.scheduler.start()
        self._dispatch_task = asyncio.create_task(self.dispatcher.run(), name="outbox-dispatcher")
        await self.plan()
        await self.snapshot()
        log.info("scheduler started as %s", self.instance)

    async def stop(self) -> None:
        """Start no new job, let running jobs and the dispatcher's batch in hand finish (up to
        ``STOP_GRACE_SECONDS``, then cancel them), and release the instance lock."""
        if self.scheduler.running:
            self.scheduler.pause()
        self.dispatcher.request_stop()
        pending = set(self._running_jobs)
        if self._dispatch_task is not None:
            pending.add(self._dispatch_task)
        if pending:
            _, late = await asyncio.wait(pending, timeout=STOP_GRACE_SECONDS)
            for task in late:
                log.warning("stopping: %s did not finish in time; cancelled", task.get_name())
                task.cancel()
            if late:
                await asyncio.wait(late)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._dispatch_task = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _tracked(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """A job whose run a stop waits for (APScheduler's own shutdown would cancel it)."""

        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running_jobs.add(task)
            try:
                await job()
            finally:
                if task is not None:
                    self._running_jobs.discard(task)

        return run

    async def plan(self) -> None:
        """Planner tick, then any digest that is due and not sent (e.g. after downtime)."""
        metrics = self.ctx.metrics
        try:
            with metrics.timed(metrics.planner_seconds):
                await planner.run_tick(self.ctx, instance=self.instance)
        except Exception:
            log.exception("planner tick failed; the next tick retries")
        await self.daily_digest()

    async def prune(self) -> None:
        """The daily retention job; a failure waits for the next day (nothing depends on it)."""
        try:
            async with self.ctx.db.session() as session:
                pruned = await retention.prune_expired(session, self.ctx)
        except Exception:
            log.exception("retention prune failed; tomorrow's run retries")
            return
        log.info(
            "retention: deleted %d update keys and %d unlinked web-chat messages",
            pruned.inbound_updates,
            pruned.web_messages,
        )

    async def snapshot(self) -> None:
        try:
            await snapshots.run_snapshot(self.ctx)
        except Exception:
            log.exception("status snapshot failed; the next run retries")

    async def daily_digest(self) -> None:
        await self._digest(digests.run_daily, "daily")
        await self._digest(monthly_digest.run_monthly, "monthly")

    async def weekly_digest(self) -> None:
        await self._digest(digests.run_weekly, "weekly")

    async def _digest(self, run: DigestJob, kind: str) -> None:
        """One digest round at a time in this instance (the cron and the tick may meet)."""
        if self._digest_running.locked():
            return
        async with self._digest_running:
            metrics = self.ctx.metrics
            try:
                with metrics.timed(metrics.digest_seconds, kind=kind):
                    await run(self.ctx, instance=self.instance)
            except Exception:
                log.exception("digest round failed; the next planner tick retries it")
