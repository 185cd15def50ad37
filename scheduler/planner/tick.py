"""The planner tick the scheduler calls every minute, and the day's plan behind it.

On a working day, once the send window has opened (``reminders.send_time``, 08:00), a tick
plans the day once; a ``job_runs`` row marks the day as planned, which makes the other
1,439 ticks of the day free. Windows missed entirely while the bot was down are recorded as
skipped, never sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import OutboxStatus
from scheduler import locks
from scheduler.planner.due import collect
from scheduler.planner.fanout import fan_out, queue_messages
from scheduler.planner.messages import PlannedMessage, build_messages
from scheduler.planner.recipients import load_units

log = logging.getLogger(__name__)

JOB = "planner"
#: A window planned later than this after it opened is marked late (downtime catch-up).
LATE_AFTER = dt.timedelta(minutes=10)
#: How far back a restart records missed windows as skipped.
MAX_CATCH_UP_DAYS = 14


@dataclass
class TickResult:
    day: dt.date
    planned: bool = False
    """True when this tick planned the day's window."""
    queued: int = 0
    """Outbox rows inserted for the day (pending)."""
    late: bool = False
    skipped_days: list[dt.date] = field(default_factory=list)
    skipped_rows: int = 0
    busy: bool = False
    """Another instance held the planner lock (PostgreSQL)."""


async def plan_day(session: AsyncSession, ctx: AppContext, day: dt.date) -> list[PlannedMessage]:
    """Every reminder message of ``day``'s window, one per chat (read-only: the dry run).

    :func:`queue_day` queues exactly these messages, letting the database expand the units'
    members instead of building one Python object per person.
    """
    due = await collect(session, ctx, day)
    units = await load_units(session, due.unit_ids)
    return await build_messages(session, ctx, due, units)


async def queue_day(
    session: AsyncSession,
    ctx: AppContext,
    day: dt.date,
    *,
    status: OutboxStatus = OutboxStatus.PENDING,
    late: bool = False,
) -> int:
    """Plan ``day``'s window into the outbox (rows already there are left alone); returns
    the rows inserted. The same messages as :func:`plan_day`: groups, heads with more to
    hear and leaders from Python first, then every other member chat by the fan-out."""
    due = await collect(session, ctx, day)
    units = await load_units(session, due.unit_ids)
    personal = await build_messages(session, ctx, due, units, members_in_sql=True)
    inserted = await queue_messages(session, ctx, personal, day, status=status, late=late)
    return inserted + await fan_out(session, ctx, due, units, day, status=status, late=late)


async def run_tick(
    ctx: AppContext, now: dt.datetime | None = None, *, instance: str = ""
) -> TickResult:
    """One planner tick: record missed windows as skipped, plan today's window once."""
    now = now or ctx.now()
    local = now.astimezone(ctx.tz)
    day = local.date()
    policy = ctx.settings.reminders
    result = TickResult(day=day)
    async with ctx.db.session() as session:
        if not await locks.try_job_lock(session, JOB):
            result.busy = True
            return result
        await _record_missed_days(session, ctx, day, result, instance)
        if not ctx.calendar.is_working_day(day) or local.time() < policy.send_time:
            return result
        if await locks.run_done(session, JOB, day.isoformat()):
            return result
        window_closed = local.time() >= policy.send_until
        result.late = now > ctx.at_local(day, policy.send_time) + LATE_AFTER
        status = OutboxStatus.SKIPPED if window_closed else OutboxStatus.PENDING
        count = await queue_day(session, ctx, day, status=status, late=result.late)
        if window_closed:
            result.skipped_days.append(day)
            result.skipped_rows += count
        else:
            result.queued = count
        await locks.mark_run(
            session, ctx, JOB, day.isoformat(), instance=instance, rows=count, late=result.late
        )
        result.planned = True
    if result.queued:
        ctx.outbox_ready.set()
    log.info(
        "planned %s: %d reminders queued%s, %d skipped",
        day,
        result.queued,
        " (late)" if result.late else "",
        result.skipped_rows,
    )
    return result


async def _record_missed_days(
    session: AsyncSession, ctx: AppContext, day: dt.date, result: TickResult, instance: str
) -> None:
    """Windows that passed while the bot was down: recorded as skipped, never sent."""
    last = await locks.last_period(session, JOB)
    if last is None:
        return
    missed = dt.date.fromisoformat(last) + dt.timedelta(days=1)
    missed = max(missed, day - dt.timedelta(days=MAX_CATCH_UP_DAYS))
    while missed < day:
        if ctx.calendar.is_working_day(missed):
            count = await queue_day(session, ctx, missed, status=OutboxStatus.SKIPPED, late=True)
            await locks.mark_run(
                session, ctx, JOB, missed.isoformat(), instance=instance, rows=count, skipped=True
            )
            result.skipped_days.append(missed)
            result.skipped_rows += count
            log.warning("reminders of %s skipped: the bot was down during that window", missed)
        missed += dt.timedelta(days=1)
