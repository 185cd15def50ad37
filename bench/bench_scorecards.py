"""Scorecards of a year: 5,000 units and 100,000 tasks, in grouped SQL vs unit by unit.

One database (SQLite file by default, or ``--database-url postgresql+asyncpg://...`` on a
scratch database you can drop) holds 5,000 units (department and commune kinds), 100,000 tasks
with deadlines over 2026 (a tenth without a deadline), completions on time and late, reports
and approved extensions. ``compute_scorecards`` for the year 2026 (every unit in two grouped
queries) is timed, and its peak Python memory measured with tracemalloc in a second run; then
the same cards computed unit by unit (the function called once per unit). The per-unit cost
does not grow with the unit count, so by default the unit-by-unit pass runs on the first 500
units and is scaled to 5,000; pass ``--per-unit-sample 5000`` for the full pass.

    .venv/bin/python bench/bench_scorecards.py [--units 5000] [--tasks 100000]
        [--per-unit-sample 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import check
from sqlalchemy import insert

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.evaluation.periods import year
from bot.evaluation.scorecard import compute_scorecards
from bot.models import (
    DeadlineChange,
    ExtensionRequest,
    ExtensionStatus,
    Official,
    Report,
    ReportKind,
    Role,
    Task,
    Unit,
    UnitKind,
)
from config import Settings

NOW = dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC)
CREATED = dt.datetime(2025, 12, 1, 2, 0, tzinfo=dt.UTC)
BENCH = "scorecards"
TARGET_SECONDS = 2.0
TARGET_RATIO = 10.0
CHUNK = 5_000


async def fill(ctx: AppContext, units: int, tasks: int) -> None:
    rng = random.Random(2026)
    async with ctx.db.session() as session:
        for start in range(0, units, CHUNK):
            await session.execute(
                insert(Unit.__table__),
                [
                    {
                        "code": f"DV-{n:05d}",
                        "name": f"{'Phường' if n % 3 else 'Sở'} số {n}",
                        "kind": UnitKind.COMMUNE if n % 3 else UnitKind.DEPARTMENT,
                        "created_at": CREATED,
                    }
                    for n in range(start, min(start + CHUNK, units))
                ],
            )
        await session.execute(
            insert(Official.__table__),
            [{"code": "CB-1", "full_name": "Cán bộ", "role": Role.HEAD, "created_at": CREATED}],
        )
        task_rows, report_rows, extension_tasks = [], [], []
        for n in range(tasks):
            deadline = None if n % 10 == 0 else dt.date(2026, 1, 1) + dt.timedelta(n % 365)
            done = None
            roll = rng.random()
            if roll < 0.6:
                base = deadline or dt.date(2026, 1, 1) + dt.timedelta(rng.randint(0, 364))
                done = base + dt.timedelta(days=rng.randint(-10, 3 if roll < 0.5 else 20))
            task_rows.append(
                {
                    "id": n + 1,
                    "code": f"NV-{n:06d}",
                    "title": f"Nhiệm vụ số {n}",
                    "lead_unit_id": n % units + 1,
                    "deadline": deadline,
                    "original_deadline": deadline,
                    "completed_on": done,
                    "completed_at": (
                        dt.datetime.combine(done, dt.time(3), tzinfo=dt.UTC) if done else None
                    ),
                    "progress": 100 if done else rng.choice((0, 30, 60)),
                    "created_at": CREATED,
                    "updated_at": CREATED,
                }
            )
            if n % 3 == 0:
                report_rows.append(
                    {
                        "task_id": n + 1,
                        "kind": ReportKind.PROGRESS,
                        "progress": 50,
                        "note": "Đang triển khai",
                        "channel": "web",
                        "created_at": CREATED + dt.timedelta(days=rng.randint(0, 390)),
                    }
                )
            if deadline is not None and n % 25 == 0:
                extension_tasks.append((n + 1, deadline))
        for start in range(0, len(task_rows), CHUNK):
            await session.execute(insert(Task.__table__), task_rows[start : start + CHUNK])
        for start in range(0, len(report_rows), CHUNK):
            await session.execute(insert(Report.__table__), report_rows[start : start + CHUNK])
        await session.execute(
            insert(ExtensionRequest.__table__),
            [
                {
                    "id": index,
                    "task_id": task_id,
                    "requested_by_id": 1,
                    "old_deadline": deadline - dt.timedelta(days=7),
                    "new_deadline": deadline,
                    "reason": "Chờ số liệu",
                    "status": ExtensionStatus.APPROVED,
                    "requested_at": CREATED,
                }
                for index, (task_id, deadline) in enumerate(extension_tasks, start=1)
            ],
        )
        await session.execute(
            insert(DeadlineChange.__table__),
            [
                {
                    "task_id": task_id,
                    "old_deadline": deadline - dt.timedelta(days=7),
                    "new_deadline": deadline,
                    "extension_request_id": index,
                    "changed_at": CREATED,
                }
                for index, (task_id, deadline) in enumerate(extension_tasks, start=1)
            ],
        )


async def measure(url: str, units: int, tasks: int, sample: int) -> None:
    db = Database(url)
    await db.drop_all()
    await db.create_all()
    ctx = AppContext(Settings(database_url=url), db, FrozenClock(NOW))
    start = time.perf_counter()
    await fill(ctx, units, tasks)
    print(f"  data loaded in {time.perf_counter() - start:.1f} s")
    period = year(2026)

    async with db.session() as session:
        await compute_scorecards(session, ctx, period)  # warm the caches
        start = time.perf_counter()
        cards = await compute_scorecards(session, ctx, period)
        grouped = time.perf_counter() - start
        tracemalloc.start()
        await compute_scorecards(session, ctx, period)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        sample = min(sample, units)
        start = time.perf_counter()
        for unit_id in range(1, sample + 1):
            one = await compute_scorecards(session, ctx, period, [unit_id])
            card, expected = one[unit_id], cards[unit_id]
            assert (card.counts, card.score) == (expected.counts, expected.score), unit_id
        per_unit = (time.perf_counter() - start) * units / sample
    await db.dispose()

    counted = sum(card.total for card in cards.values())
    rated = sum(1 for card in cards.values() if card.score is not None)
    backend = url.split(":", 1)[0]
    ratio = per_unit / grouped
    print(f"scorecards of 2026: {units:,} units, {tasks:,} tasks ({backend})")
    print(f"  tasks counted: {counted:,}; units rated: {rated:,}")
    print(f"  grouped SQL (every unit):   {grouped:7.2f} s   target < {TARGET_SECONDS:.0f} s")
    print(f"  peak Python memory:         {peak / 1e6:7.1f} MB (tracemalloc)")
    print(
        f"  unit by unit:               {per_unit:7.2f} s"
        + (f"   (first {sample:,} units, scaled)" if sample < units else "")
    )
    print(f"  ratio unit by unit/grouped: {ratio:7.1f}x   target >= {TARGET_RATIO:.0f}x")
    check(
        BENCH,
        f"scorecards, grouped SQL ({backend})",
        grouped,
        TARGET_SECONDS,
        unit=" s",
        at_least=False,
    )
    check(BENCH, f"scorecards, unit by unit / grouped ({backend})", ratio, TARGET_RATIO, unit="x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--per-unit-sample", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/scorecards.db"
        asyncio.run(measure(url, args.units, args.tasks, args.per_unit_sample))


if __name__ == "__main__":
    main()
