"""Scheduler at city scale: the planner tick and a digest over 100,000 tasks, 5,000 units and
50,000 officials on SQLite, against the naive design measured in the same run.

Dondoc's design (reminders are data): one planner tick plans the morning window with a few
set-based queries and one bulk insert of one outbox row per recipient chat; a digest is a
handful of grouped queries. The naive design is what a first version often does: one
APScheduler job per task reminder (each of the 7/3/1/0-working-days-before dates of every
open task) added to an ``AsyncIOScheduler`` with its in-memory job store. It only *schedules*
(no grouping per recipient, no sending), so the comparison flatters it.

The planner's figure is a steady-state tick (the next working day's morning window, in the
process that already ran one); the first tick of a process is printed too. Every
measurement runs in a fresh subprocess, so each peak memory (``ru_maxrss``, the whole
process including the interpreter and libraries) is its own. Targets: planner tick < 2 s,
one digest < 0.5 s, peak < 300 MB.

    .venv/bin/python bench/bench_scheduler_scale.py [--tasks 100000] [--units 5000]
        [--officials 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import check

BENCH = "scheduler_scale"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2025, 12, 15)
#: Share of past-deadline tasks still open. Hải Phòng's monthly report (08/2018) had 2.12 % of
#: all tasks overdue; with deadlines spread 60 days back and 90 ahead, 5 % gives about that.
OVERDUE_SHARE_OF_PAST = 0.05
NOW = dt.datetime.combine(MONDAY, dt.time(8, 0), tzinfo=HCM)
NEXT_MORNING = NOW + dt.timedelta(days=1)


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ``ru_maxrss`` it does not carry
    the parent's peak over ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def build_database(url: str, tasks: int, units: int, officials: int) -> None:
    """Random but reproducible city: deadlines from 60 days back to 90 ahead, about 2 % of
    tasks overdue, every official registered on Telegram, one head per unit, 10 % of units
    with a bound group chat, 20 % of tasks with a coordinating unit."""
    from sqlalchemy import insert

    from bot.db import Database
    from bot.models import (
        ChannelIdentity,
        GroupBinding,
        Official,
        Task,
        Unit,
        task_coordinators,
    )

    rng = random.Random(20251215)
    db = Database(url)
    await db.create_all()
    now = NOW.astimezone(dt.UTC)
    async with db.session() as session:
        await session.execute(
            insert(Unit),
            [
                {"id": n, "code": f"DV-{n:05d}", "name": f"Đơn vị số {n}", "created_at": now}
                for n in range(1, units + 1)
            ],
        )
        await session.execute(
            insert(Official),
            [
                {
                    "id": n,
                    "code": f"CB-{n:06d}",
                    "full_name": f"Cán bộ {n}",
                    "unit_id": (n - 1) % units + 1,
                    "role": "head" if n <= units else "staff",
                    "language": "vi",
                    "active": True,
                    "title": "",
                    "created_at": now,
                }
                for n in range(1, officials + 1)
            ],
        )
        await session.execute(
            insert(ChannelIdentity),
            [
                {
                    "official_id": n,
                    "channel": "telegram",
                    "external_user_id": str(100_000 + n),
                    "chat_id": str(100_000 + n),
                    "active": True,
                    "created_at": now,
                }
                for n in range(1, officials + 1)
            ],
        )
        await session.execute(
            insert(GroupBinding),
            [
                {
                    "unit_id": n,
                    "channel": "telegram",
                    "chat_id": str(-1_000_000 - n),
                    "active": True,
                    "created_at": now,
                }
                for n in range(1, units + 1, 10)
            ],
        )
        rows = []
        links = []
        for n in range(1, tasks + 1):
            deadline = MONDAY + dt.timedelta(days=rng.randint(-60, 90))
            completed_on: dt.date | None = None
            if deadline < MONDAY and rng.random() < 1 - OVERDUE_SHARE_OF_PAST:
                late = rng.random() < 0.15
                completed_on = min(
                    deadline
                    + dt.timedelta(days=rng.randint(1, 5) if late else -rng.randint(0, 10)),
                    MONDAY - dt.timedelta(days=1),
                )
            elif deadline >= MONDAY and rng.random() < 0.15:
                completed_on = MONDAY - dt.timedelta(days=rng.randint(1, 10))
            reported = now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            rows.append(
                {
                    "id": n,
                    "code": f"NV-{n:06d}",
                    "title": f"Nhiệm vụ số {n} triển khai nghị quyết của Hội đồng nhân dân",
                    "description": "",
                    "source_document": "",
                    "assigned_by_name": "",
                    "lead_unit_id": (n - 1) % units + 1,
                    "deadline": deadline,
                    "original_deadline": deadline,
                    "expected_output": "",
                    "priority": "normal",
                    "progress": 100 if completed_on else rng.choice((0, 20, 50, 80)),
                    "completed_on": completed_on,
                    "completed_at": (
                        dt.datetime.combine(completed_on, dt.time(10), tzinfo=HCM)
                        if completed_on
                        else None
                    ),
                    "last_report_at": reported,
                    "created_at": now - dt.timedelta(days=90),
                    "updated_at": now,
                }
            )
            if rng.random() < 0.2:
                links.append({"task_id": n, "unit_id": rng.randint(1, units)})
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(Task), rows[start : start + 10_000])
        await session.execute(insert(task_coordinators), links)
    await db.dispose()


async def measure(kind: str, url: str) -> dict[str, float]:
    """One measurement in this (fresh) process: seconds and peak MB."""
    from bot.clock import FrozenClock
    from bot.context import AppContext
    from bot.db import Database
    from config import Settings

    baseline = peak_mb()
    if kind == "naive":
        seconds, jobs = await naive_schedule(url)
        return {"seconds": seconds, "peak_mb": peak_mb(), "import_mb": baseline, "jobs": jobs}
    ctx = AppContext(Settings(database_url=url), Database(url), FrozenClock(NOW))
    try:
        if kind == "planner":
            from scheduler import planner

            # The first tick of a process also compiles its statements and builds the
            # holiday calendar; the bot then ticks every minute, so the steady state is the
            # next working day's tick in the same process (a full morning window again).
            started = time.perf_counter()
            result = await planner.run_tick(ctx)
            cold = time.perf_counter() - started
            ctx.clock.set(NEXT_MORNING)
            started = time.perf_counter()
            again = await planner.run_tick(ctx)
            seconds = time.perf_counter() - started
            extra = {"rows": float(again.queued), "cold": cold, "cold_rows": float(result.queued)}
        else:
            from bot.models import Official, Role
            from scheduler import digests

            async with ctx.db.session() as session:
                head = await session.get_one(Official, 1)
                assert head.role == Role.HEAD
            city = digests.DigestTarget(None, "", "vi", None, None, True)
            unit = digests.DigestTarget(
                head.id, head.full_name, "vi", head.unit_id, "Đơn vị", False
            )
            target = city if kind == "digest_city" else unit
            timings = []
            for _ in range(2):  # cold (first query compilations), then warm as in the bot
                started = time.perf_counter()
                async with ctx.db.session() as session:
                    replies, _ = await digests.build_digest(
                        session, ctx, target, MONDAY, weekly=False
                    )
                timings.append(time.perf_counter() - started)
            seconds = timings[1]
            extra = {"cold": timings[0], "chars": float(len(replies[0].text))}
    finally:
        await ctx.db.dispose()
    return {"seconds": seconds, "peak_mb": peak_mb(), "import_mb": baseline, **extra}


async def naive_schedule(url: str) -> tuple[float, float]:
    """One APScheduler job per reminder date of every open task (the design not taken)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger
    from sqlalchemy import select

    from bot.calendar import WorkCalendar
    from bot.db import Database
    from bot.models import Task
    from config import Settings

    settings = Settings(database_url=url)
    calendar = WorkCalendar(settings.extra_days_off, settings.makeup_working_days)
    db = Database(url)
    async with db.session() as session:
        open_tasks = (
            await session.execute(
                select(Task.id, Task.deadline).where(
                    Task.completed_at.is_(None), Task.deadline >= MONDAY
                )
            )
        ).all()
    await db.dispose()
    scheduler = AsyncIOScheduler(timezone=HCM)
    scheduler.start(paused=True)
    started = time.perf_counter()
    jobs = 0
    send_time = settings.reminders.send_time
    for task_id, deadline in open_tasks:
        if deadline is None:
            continue
        due_day = calendar.reminder_day(deadline)
        for before in (7, 3, 1, 0):
            day = calendar.add_working_days(due_day, -before)
            if day >= MONDAY:
                scheduler.add_job(
                    remind_one,
                    DateTrigger(dt.datetime.combine(day, send_time, tzinfo=HCM)),
                    args=[task_id, before],
                    id=f"{task_id}:{before}",
                )
                jobs += 1
    seconds = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return seconds, float(jobs)


async def remind_one(task_id: int, before: int) -> None:
    """What each naive job would run: look the task up and send (never run here)."""


def run_child(kind: str, url: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--database-url", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--officials", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Folder for the database (kept)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.child, args.database_url))))
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="dondoc-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{folder}/scale.db"
    (folder / "scale.db").unlink(missing_ok=True)
    print(
        f"Building {args.tasks:,} tasks, {args.units:,} units, {args.officials:,} officials "
        f"(all on Telegram) in {folder}/scale.db ..."
    )
    started = time.perf_counter()
    asyncio.run(build_database(url, args.tasks, args.units, args.officials))
    print(f"  built in {time.perf_counter() - started:.1f} s\n")

    planner_run = run_child("planner", url)
    city = run_child("digest_city", url)
    unit = run_child("digest_unit", url)
    naive = run_child("naive", url)

    def line(name: str, figures: dict[str, float], target: str) -> None:
        print(
            f"{name:<46} {figures['seconds']:7.3f} s   peak {figures['peak_mb']:6.0f} MB   {target}"
        )

    print(f"Process baseline before Dondoc's imports: ~{planner_run['import_mb']:.0f} MB\n")
    print(
        f"planner, first tick of a process: {planner_run['cold']:.3f} s "
        f"({planner_run['cold_rows']:,.0f} outbox rows)"
    )
    line(f"planner tick ({planner_run['rows']:,.0f} outbox rows)", planner_run, "target < 2 s")
    line(f"daily digest, city-wide (cold {city['cold']:.3f} s)", city, "target < 0.5 s")
    line(f"daily digest, one unit (cold {unit['cold']:.3f} s)", unit, "target < 0.5 s")
    line(f"naive: {naive['jobs']:,.0f} APScheduler jobs", naive, "(schedules only)")
    print()
    print(f"naive / planner time:   {naive['seconds'] / planner_run['seconds']:.1f}x")
    print(f"naive / planner memory: {naive['peak_mb'] / planner_run['peak_mb']:.2f}x (peak RSS)")
    tasks = f"{args.tasks:,} tasks"
    check(BENCH, f"planner tick over {tasks}", planner_run["seconds"], 2, unit=" s", at_least=False)
    check(
        BENCH, "planner first tick of a process", planner_run["cold"], 2, unit=" s", at_least=False
    )
    check(BENCH, "daily digest, city-wide", city["seconds"], 0.5, unit=" s", at_least=False)
    check(BENCH, "daily digest, one unit", unit["seconds"], 0.5, unit=" s", at_least=False)
    peak = max(planner_run["peak_mb"], city["peak_mb"], unit["peak_mb"])
    check(BENCH, "scheduler peak memory", peak, 300, unit=" MB", at_least=False)


if __name__ == "__main__":
    main()
