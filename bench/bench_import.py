"""Import throughput: 10,000 tasks from one CSV file, bulk import vs a naive per-row ORM loop.

Both run in the same process against fresh SQLite files (or PostgreSQL with
``--database-url postgresql+asyncpg://...``, using a scratch database you can drop). The naive
baseline does what a straightforward ORM import would: for each row, look the task and its
units up, create it, and flush. Its per-row cost does not grow with the table (indexed
lookups), so by default it runs on the first 2,000 rows to keep the benchmark short; pass
``--naive-rows 10000`` for the full file.

    .venv/bin/python bench/bench_import.py [--tasks 10000] [--naive-rows 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.db import Database
from bot.importing import import_files
from bot.models import Task, Unit
from config import Settings

UNITS = 50
NOW = dt.datetime(2025, 12, 8, 2, 0, tzinfo=dt.UTC)


def write_files(folder: Path, tasks: int) -> tuple[Path, Path]:
    units = folder / "units.csv"
    with units.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã đơn vị", "Tên đơn vị"])
        writer.writerows([f"DV-{n:03d}", f"Đơn vị số {n}"] for n in range(UNITS))
    path = folder / "tasks.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"]
        )
        for n in range(tasks):
            writer.writerow(
                [
                    f"NV-{n:06d}",
                    f"Triển khai nhiệm vụ số {n} theo Nghị quyết của HĐND thành phố",
                    f"DV-{n % UNITS:03d}",
                    f"DV-{(n + 1) % UNITS:03d}",
                    (dt.date(2026, 1, 1) + dt.timedelta(days=n % 300)).strftime("%d/%m/%Y"),
                ]
            )
    return units, path


async def fresh_context(url: str) -> AppContext:
    db = Database(url)
    await db.drop_all()
    await db.create_all()
    return AppContext(Settings(database_url=url), db, FrozenClock(NOW))


async def bulk(url: str, units: Path, tasks: Path) -> float:
    ctx = await fresh_context(url)
    await import_files(ctx, [units])
    start = time.perf_counter()
    result = await import_files(ctx, [tasks])
    elapsed = time.perf_counter() - start
    await ctx.db.dispose()
    assert result.created, result
    return elapsed


async def naive(url: str, units: Path, tasks: Path, rows: int) -> float:
    """One ORM object and one flush per row, as a simple loop would do."""
    ctx = await fresh_context(url)
    await import_files(ctx, [units])
    start = time.perf_counter()
    async with ctx.db.session() as session:
        with tasks.open(encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            for _, (code, title, lead, coordinating, deadline) in zip(
                range(rows), reader, strict=False
            ):
                existing = await session.scalar(select(Task).where(Task.code == code))
                lead_unit = await session.scalar(select(Unit).where(Unit.code == lead))
                partner = await session.scalar(select(Unit).where(Unit.code == coordinating))
                assert lead_unit is not None and partner is not None and existing is None
                day = dt.datetime.strptime(deadline, "%d/%m/%Y").date()
                session.add(
                    Task(
                        code=code,
                        title=title,
                        lead_unit=lead_unit,
                        coordinating_units=[partner],
                        deadline=day,
                        original_deadline=day,
                        created_at=ctx.now(),
                        updated_at=ctx.now(),
                    )
                )
                await session.flush()
    elapsed = time.perf_counter() - start
    await ctx.db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        units, tasks = write_files(folder, args.tasks)
        bulk_url = args.database_url or f"sqlite+aiosqlite:///{folder}/bulk.db"
        naive_url = args.database_url or f"sqlite+aiosqlite:///{folder}/naive.db"
        bulk_seconds = asyncio.run(bulk(bulk_url, units, tasks))
        naive_rows = min(args.naive_rows, args.tasks)
        naive_seconds = asyncio.run(naive(naive_url, units, tasks, naive_rows))
    backend = bulk_url.split(":", 1)[0]
    bulk_rate = args.tasks / bulk_seconds
    naive_rate = naive_rows / naive_seconds
    print(f"import of {args.tasks:,} tasks ({backend})")
    print(f"  dondoc import (bulk):     {bulk_seconds:7.2f} s  {bulk_rate:9,.0f} rows/s")
    print(
        f"  naive per-row ORM flush:  {naive_seconds:7.2f} s  {naive_rate:9,.0f} rows/s"
        f"  (first {naive_rows:,} rows)"
    )
    print(f"  ratio bulk / naive:       {bulk_rate / naive_rate:7.1f}x")


if __name__ == "__main__":
    main()
